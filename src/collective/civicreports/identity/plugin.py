"""The OpenID Connect plugin of the citizens, in ``acl_users``.

A ``pas.plugins.oidc`` plugin whose login also maps the SPID/CIE claims:
the account is named after the fiscal code (an HMAC of it, so that a
citizen has one account whichever identity provider they choose, and no
identity provider's ``sub`` can take the name of a staff account), and the
identity provider's data are kept apart from the member properties, which
their owner may edit: only the plugin writes them, at login.

The plugin is no challenge plugin: staff still log in with Plone's form,
and citizens choose "Entra con SPID o CIE".
"""

from BTrees.OOBTree import OOBTree
from collective.civicreports import _
from collective.civicreports.identity.claims import FISCAL_CODE_CLAIMS
from collective.civicreports.identity.claims import Identity
from collective.civicreports.identity.claims import identity_from_claims
from collective.civicreports.identity.claims import InvalidIdentity
from collective.civicreports.identity.interfaces import IIdentitySettings
from collective.civicreports.identity.interfaces import PREFIX
from pas.plugins.oidc.interfaces import IPasPluginsOidcLayer
from pas.plugins.oidc.plugins import OIDCPlugin
from pas.plugins.oidc.plugins import safe_write
from plone import api
from plone.browserlayer.utils import register_layer
from plone.browserlayer.utils import registered_layers
from plone.registry.interfaces import IRegistry
from zope.component import getUtility
from zope.i18n import translate

import hashlib
import hmac
import logging
import secrets
import time


logger = logging.getLogger(__name__)

PLUGIN_ID = "spid_cie"
# The claim, added at login, that names the account.
USERID_CLAIM = "civicreports_userid"
USERID_PREFIX = "eid-"


class CitizenOIDCPlugin(OIDCPlugin):
    """pas.plugins.oidc's plugin, for the citizens' SPID and CIE."""

    meta_type = "Civic reports SPID/CIE Plugin"
    fiscal_code_claims = FISCAL_CODE_CLAIMS

    def __init__(self, id, title=None):  # noqa: A002
        super().__init__(id, title)
        self._secret = secrets.token_hex(32)
        self._identities = OOBTree()

    def user_id_for(self, identity):
        digest = hmac.new(
            self._secret.encode(), identity.fiscal_code.encode(), hashlib.sha256
        )
        return USERID_PREFIX + digest.hexdigest()[:24]

    def identity_of(self, user_id):
        """The identity provider's Identity of an account, or None."""
        data = self._identities.get(user_id) if isinstance(user_id, str) else None
        if data is None:
            return None
        return Identity(
            given_name=data["given_name"],
            family_name=data["family_name"],
            fiscal_code=data["fiscal_code"],
            email=data.get("email", ""),
        )

    def forget(self, user_id):
        if user_id in self._identities:
            del self._identities[user_id]

    def rememberIdentity(self, userinfo):
        claims = userinfo.to_dict() if hasattr(userinfo, "to_dict") else dict(userinfo)
        try:
            identity = identity_from_claims(claims, tuple(self.fiscal_code_claims))
        except InvalidIdentity as error:
            # A broker sending no valid fiscal code is misconfigured: no
            # account rather than an account nobody can verify.
            logger.warning("SPID/CIE login refused: %s", error)
            api.portal.show_message(
                translate(
                    _(
                        "The digital identity did not give a valid fiscal "
                        "code: the login did not succeed."
                    ),
                    context=self.REQUEST,
                ),
                request=self.REQUEST,
                type="error",
            )
            return
        user_id = self.user_id_for(identity)
        claims[USERID_CLAIM] = user_id
        super().rememberIdentity(claims)
        if self._getPAS().getUserById(user_id) is None:
            return
        with safe_write(self.REQUEST):
            self._identities[user_id] = {
                **identity.as_dict(),
                "issuer": self.getProperty("issuer"),
                "time": time.time(),
            }


def get_plugin(portal=None):
    portal = portal or api.portal.get()
    plugin = portal.acl_users.get(PLUGIN_ID)
    return plugin if isinstance(plugin, CitizenOIDCPlugin) else None


def settings():
    registry = getUtility(IRegistry)
    return registry.forInterface(IIdentitySettings, prefix=PREFIX, check=False)


def configure(plugin):
    """The plugin's properties, from the settings."""
    current = settings()
    plugin.issuer = (current.issuer or "").strip()
    plugin.client_id = current.client_id or ""
    plugin.client_secret = current.client_secret or ""
    plugin.scope = tuple(scope for scope in current.scopes or () if scope)
    plugin.use_pkce = current.use_pkce is not False
    plugin.fiscal_code_claims = tuple(
        claim for claim in current.fiscal_code_claims or FISCAL_CODE_CLAIMS if claim
    )
    plugin.user_property_as_userid = USERID_CLAIM
    plugin.redirect_uris = ()
    plugin.create_user = True
    plugin.create_ticket = True
    plugin.create_restapi_ticket = False
    plugin.create_groups = False
    plugin.allowed_groups = ()
    plugin.use_session_data_manager = False


def install(portal):
    """The plugin in acl_users, configured; pas.plugins.oidc's views (its
    browser layer) without its own profile, whose plugin would take over
    the login of the staff as a challenge plugin."""
    if IPasPluginsOidcLayer not in registered_layers():
        register_layer(IPasPluginsOidcLayer, "pas.plugins.oidc")
    pas = portal.acl_users
    if get_plugin(portal) is None:
        if PLUGIN_ID in pas.objectIds():
            pas._delObject(PLUGIN_ID)
        pas._setObject(PLUGIN_ID, CitizenOIDCPlugin(PLUGIN_ID, "SPID / CIE"))
        logger.info("Created the SPID/CIE plugin %s in acl_users.", PLUGIN_ID)
    configure(get_plugin(portal))

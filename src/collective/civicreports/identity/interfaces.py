"""The settings of the login with SPID and CIE."""

from collective.civicreports import _
from collective.civicreports.identity.claims import FISCAL_CODE_CLAIMS
from zope import schema
from zope.interface import Interface


PREFIX = "collective.civicreports.identity"


class IIdentitySettings(Interface):
    """The municipality's OpenID Connect broker of SPID and CIE."""

    enabled = schema.Bool(
        title=_("Login with SPID and CIE"),
        description=_(
            "Citizens log in with their digital identity through the broker "
            "below, and the categories that require it become usable."
        ),
        required=False,
        default=False,
    )
    issuer = schema.TextLine(
        title=_("Address of the broker (issuer)"),
        description=_(
            "The OpenID Connect issuer of the regional or national SPID and "
            "CIE proxy: its configuration is read from "
            "/.well-known/openid-configuration under this address."
        ),
        required=False,
        default="",
    )
    client_id = schema.TextLine(
        title=_("Client id"),
        description=_("Given by the broker when the service is registered."),
        required=False,
        default="",
    )
    client_secret = schema.Password(
        title=_("Client secret"),
        required=False,
        default="",
    )
    scopes = schema.List(
        title=_("Scopes"),
        description=_("Requested from the broker, one per line."),
        value_type=schema.TextLine(),
        required=False,
        default=["openid", "profile", "email", "fiscal_number"],
    )
    fiscal_code_claims = schema.List(
        title=_("Claims of the fiscal code"),
        description=_(
            "The names under which the broker sends the fiscal code, one per "
            "line; the first one present is used."
        ),
        value_type=schema.TextLine(),
        required=False,
        default=list(FISCAL_CODE_CLAIMS),
    )
    use_pkce = schema.Bool(
        title=_("Use PKCE"),
        description=_(
            "SPID and CIE require it; turn it off only if the broker does not support it."
        ),
        required=False,
        default=True,
    )

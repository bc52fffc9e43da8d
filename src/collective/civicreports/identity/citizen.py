"""What the routes ask about the citizen and their identity."""

from collective.civicreports.categories.registry import ACCOUNT
from collective.civicreports.categories.registry import DIGITAL_IDENTITY
from collective.civicreports.identity.plugin import get_plugin
from collective.civicreports.identity.plugin import settings
from plone import api
from urllib.parse import urlencode
from zope.annotation.interfaces import IAnnotations


VERIFIED_KEY = "collective.civicreports.identity.verified"


def current_identity():
    """The identity provider's Identity of the logged-in citizen, if they
    logged in with SPID or CIE; otherwise None."""
    if api.user.is_anonymous():
        return None
    plugin = get_plugin()
    if plugin is None:
        return None
    return plugin.identity_of(api.user.get_current().getId())


def enabled():
    """Whether citizens may log in with SPID or CIE on this site."""
    current = settings()
    return bool(current.enabled and current.issuer and get_plugin() is not None)


def login_url(came_from):
    """The address that starts the login with SPID or CIE and comes back
    to ``came_from`` (an address of the site, with its query: the form's
    step); None when the login is off. pas.plugins.oidc keeps came_from in
    its session cookie, and the callback goes back to it if it is in the
    portal."""
    if not enabled():
        return None
    plugin = get_plugin()
    return f"{plugin.absolute_url()}/login?{urlencode({'came_from': came_from})}"


def known_reporter(request):
    """The reporter's data the form prefills: ``fullname``, ``email``,
    ``fiscal_code``, and ``verified``, true only when they come from the
    identity provider."""
    if api.user.is_anonymous():
        return {"fullname": "", "email": "", "fiscal_code": "", "verified": False}
    member = api.user.get_current()
    email = member.getProperty("email") or ""
    identity = current_identity()
    if identity is None:
        return {
            "fullname": member.getProperty("fullname") or "",
            "email": email,
            "fiscal_code": "",
            "verified": False,
        }
    return {
        "fullname": identity.fullname,
        "email": email or identity.email,
        "fiscal_code": identity.fiscal_code,
        "verified": True,
    }


def meets(level):
    """Whether the current user has the identification ``level`` asks."""
    if level == DIGITAL_IDENTITY:
        return current_identity() is not None
    if level == ACCOUNT:
        return not api.user.is_anonymous()
    return True


def mark_verified(report):
    """The reporter's name and fiscal code are the identity provider's."""
    IAnnotations(report)[VERIFIED_KEY] = True


def reporter_verified(report):
    """Whether the report's reporter data were verified with SPID or CIE."""
    return bool(IAnnotations(report).get(VERIFIED_KEY, False))

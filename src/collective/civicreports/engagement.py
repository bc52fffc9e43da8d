"""What citizens do with a public report besides making it: follow it (a
mail at each step) and support it (a public counter); and the private link
through which the reporter follows their own report without an account.

Followers and supporters live in annotations of their own, separate
persistent objects, so that a citizen following or supporting a report
never writes the report itself (no conflict with the staff handling it).
"""

from BTrees.Length import Length
from BTrees.OOBTree import OOBTree
from BTrees.OOBTree import OOTreeSet
from datetime import datetime
from persistent.list import PersistentList
from zope.annotation.interfaces import IAnnotations

import hmac
import secrets


FOLLOWERS = "collective.civicreports.followers"
SUPPORT = "collective.civicreports.support"
SUPPORTERS = "collective.civicreports.supporters"
MESSAGES = "collective.civicreports.messages"


def new_token():
    return secrets.token_urlsafe(24)


# The private link of the reporter


def set_private_token(report):
    report._private_token = new_token()
    return report._private_token


def check_private_token(report, token):
    expected = getattr(report, "_private_token", None)
    return bool(expected and token) and hmac.compare_digest(expected, str(token))


def private_url(report):
    """The link through which the reporter sees the report in any state."""
    token = getattr(report, "_private_token", None) or set_private_token(report)
    folder = report.__parent__
    return f"{folder.absolute_url()}/@@track?n={report.getId()}&t={token}"


def prepare(report):
    """Create the private token and the containers of followers and
    supporters with the report, so that later writes never touch it."""
    if not getattr(report, "_private_token", None):
        set_private_token(report)
    annotations = IAnnotations(report)
    annotations.setdefault(FOLLOWERS, OOBTree())
    annotations.setdefault(SUPPORTERS, OOTreeSet())
    annotations.setdefault(SUPPORT, Length())
    annotations.setdefault(MESSAGES, PersistentList())


# Followers


def _followers(report, create=False):
    annotations = IAnnotations(report)
    if FOLLOWERS not in annotations and create:
        annotations[FOLLOWERS] = OOBTree()
    return annotations.get(FOLLOWERS)


def follow(report, email):
    """Add a follower; returns the token of their unfollow link."""
    email = email.strip().lower()
    followers = _followers(report, create=True)
    if email in followers:
        return followers[email]["token"]
    token = new_token()
    followers[email] = {"token": token, "since": datetime.now().isoformat()}
    return token


def unfollow(report, token):
    followers = _followers(report)
    if not followers or not token:
        return False
    for email, data in list(followers.items()):
        if hmac.compare_digest(data["token"], str(token)):
            del followers[email]
            return True
    return False


def follower_emails(report):
    followers = _followers(report)
    return list(followers.keys()) if followers else []


def is_following(report, email):
    followers = _followers(report)
    return bool(followers and email and email.strip().lower() in followers)


# Support


def support_count(report):
    counter = IAnnotations(report).get(SUPPORT)
    return counter() if counter is not None else 0


def add_support(report, supporter_id=None):
    """Count a supporter once. ``supporter_id`` is the user id, or None for
    an anonymous citizen (who is kept from counting twice by a cookie)."""
    annotations = IAnnotations(report)
    if supporter_id:
        supporters = annotations.get(SUPPORTERS)
        if supporters is None:
            supporters = annotations[SUPPORTERS] = OOTreeSet()
        if not supporters.insert(supporter_id):
            return False
    counter = annotations.get(SUPPORT)
    if counter is None:
        counter = annotations[SUPPORT] = Length()
    # Length resolves concurrent increments instead of conflicting.
    counter.change(1)
    return True


def has_supported(report, supporter_id):
    supporters = IAnnotations(report).get(SUPPORTERS)
    return bool(supporters is not None and supporter_id and supporter_id in supporters)

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
from collective.civicreports import _
from collective.civicreports.mail.send import send
from datetime import datetime
from persistent.list import PersistentList
from zope.annotation.interfaces import IAnnotations
from zope.i18n import translate

import hmac
import secrets
import time


FOLLOWERS = "collective.civicreports.followers"
# Addresses asked to follow, until their owner confirms: token -> data.
FOLLOW_REQUESTS = "collective.civicreports.follow_requests"
# A confirmation link is valid this long; one address is sent at most one
# link a report per RESEND seconds, so that nobody is flooded with them.
FOLLOW_REQUEST_LIFETIME = 7 * 24 * 3600
FOLLOW_REQUEST_RESEND = 3600
SUPPORT = "collective.civicreports.support"
SUPPORTERS = "collective.civicreports.supporters"
MESSAGES = "collective.civicreports.messages"


def new_token():
    return secrets.token_urlsafe(24)


def same_token(expected, given):
    """Whether ``given`` (from a request: anything) is the token, compared
    in constant time. compare_digest takes ASCII str only: bytes it is."""
    if not expected or not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(
        expected.encode("utf-8"), given.encode("utf-8", "surrogateescape")
    )


# The private link of the reporter


def set_private_token(report):
    report._private_token = new_token()
    return report._private_token


def check_private_token(report, token):
    return same_token(getattr(report, "_private_token", None), token)


def tracked_report(folder, number, token):
    """The report of a private link (its number and token, from a request:
    anything), or None when the link is not valid."""
    from collective.civicreports.interfaces import IReport

    if not isinstance(number, str) or not number:
        return None
    report = folder.get(number)
    if not IReport.providedBy(report) or not check_private_token(report, token):
        return None
    return report


def private_token(report):
    """The token of the reporter's private links (made on first use)."""
    return getattr(report, "_private_token", None) or set_private_token(report)


def private_url(report):
    """The link through which the reporter sees the report in any state."""
    token = private_token(report)
    folder = report.__parent__
    return f"{folder.absolute_url()}/@@track?n={report.getId()}&t={token}"


def prepare(report):
    """Create the private token and the containers of followers and
    supporters with the report, so that later writes never touch it."""
    if not getattr(report, "_private_token", None):
        set_private_token(report)
    annotations = IAnnotations(report)
    annotations.setdefault(FOLLOWERS, OOBTree())
    annotations.setdefault(FOLLOW_REQUESTS, OOBTree())
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


def ask_to_follow(report, email, now=None):
    """Keep ``email`` waiting for confirmation; returns the token of the
    confirmation link to mail, or None when the address follows already
    or was sent a link a short while ago (then nothing is mailed)."""
    email = email.strip().lower()
    now = time.time() if now is None else now
    annotations = IAnnotations(report)
    requests = annotations.get(FOLLOW_REQUESTS)
    if requests is None:
        requests = annotations[FOLLOW_REQUESTS] = OOBTree()
    for token, data in list(requests.items()):
        if data["time"] < now - FOLLOW_REQUEST_LIFETIME:
            del requests[token]
        elif data["email"] == email and data["time"] > now - FOLLOW_REQUEST_RESEND:
            return None
    if is_following(report, email):
        return None
    token = new_token()
    requests[token] = {"email": email, "time": now}
    return token


def request_follow(report, email, request):
    """Mail ``email`` the link that makes it a follower, unless it follows
    already or was sent one a short while ago; in the language of the
    request, whose visitor asked."""
    token = ask_to_follow(report, email)
    if token is None:
        return
    mapping = {
        "number": report.tracking_number,
        "title": report.title,
        "link": f"{report.absolute_url()}/@@follow?confirm={token}",
    }
    subject = translate(
        _(
            "mail_follow_subject",
            default="Follow the report ${number}",
            mapping=mapping,
        ),
        context=request,
    )
    body = translate(
        _(
            "mail_follow_body",
            default="Someone, hopefully you, asked to receive an e-mail at "
            'each step of the report "${title}" (${number}).\n\nTo confirm, '
            "open this link within 7 days:\n\n${link}\n\nIf you did not "
            "ask for it, ignore this message: you will receive nothing else.",
            mapping=mapping,
        ),
        context=request,
    )
    send(email, subject, body)


def confirm_follow(report, token, now=None):
    """Follow with the address of a confirmation link; False if the link
    is unknown or expired."""
    now = time.time() if now is None else now
    requests = IAnnotations(report).get(FOLLOW_REQUESTS)
    if not requests:
        return False
    for known, data in list(requests.items()):
        if same_token(known, token):
            del requests[known]
            if data["time"] < now - FOLLOW_REQUEST_LIFETIME:
                return False
            follow(report, data["email"])
            return True
    return False


def unfollow(report, token):
    followers = _followers(report)
    if not followers or not token:
        return False
    for email, data in list(followers.items()):
        if same_token(data["token"], token):
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

"""The subscriptions to area alerts, kept on the report folder, and the
mails: the confirmation link, then one alert per address for each report
made public that matches one of its subscriptions.

The addresses are personal data: they live in an annotation of the folder
that no route reads. Tokens are looked up by their SHA-256 digest: the
confirmation link's token is only in the mail, so the database holds no
working confirmation link; an active alert keeps its unsubscribe token,
which every alert mail must write again.
"""

from BTrees.OOBTree import OOBTree
from collective.civicreports import _
from collective.civicreports.categories.registry import get_category
from collective.civicreports.geo.nearby import distance
from collective.civicreports.interfaces import IReportFolder
from collective.civicreports.mail.send import send
from collective.civicreports.privacy.validators import is_valid_email
from collective.civicreports.reports.engagement import new_token
from collective.civicreports.reports.settings import site_language
from collective.civicreports.reports.workflow import APPROVE
from dataclasses import asdict
from dataclasses import dataclass
from datetime import datetime
from persistent import Persistent
from ZODB.POSException import ConflictError
from zope.annotation.interfaces import IAnnotations
from zope.i18n import translate

import hashlib
import logging
import time


logger = logging.getLogger(__name__)

KEY = "collective.civicreports.alerts"
# The distances offered, in metres: a short list keeps the form simple
# and the matching predictable.
DISTANCES = (250, 500, 1000, 2000)
DEFAULT_DISTANCE = 500
# A confirmation link is valid this long; one address is sent at most one
# link for the same alert per RESEND seconds, so that nobody is flooded.
REQUEST_LIFETIME = 7 * 24 * 3600
REQUEST_RESEND = 3600
# Beyond this an address asks for no more alerts: it bounds what one
# person (or someone typing another's address) can make the site store.
MAX_PER_ADDRESS = 20
# Longer than any token new_token() makes; anything longer is not one.
MAX_TOKEN_LENGTH = 100


@dataclass(frozen=True)
class Criteria:
    """What an alert is about: a category, a circle around a point, or
    both (then a report must be of the category and inside the circle)."""

    category: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    distance: int | None = None

    def matches(self, category, latitude, longitude):
        if self.category and self.category != category:
            return False
        if self.latitude is None:
            return True
        if latitude is None or longitude is None:
            return False
        metres = distance(self.latitude, self.longitude, latitude, longitude)
        return metres <= self.distance


class AlertStore(Persistent):
    """The folder's subscriptions: confirmed ones and requests waiting for
    confirmation, each by the digest of its token, and the digests of the
    confirmed ones by address."""

    def __init__(self):
        self.active = OOBTree()
        self.pending = OOBTree()
        self.by_email = OOBTree()


def _store(folder, create=False):
    annotations = IAnnotations(folder)
    store = annotations.get(KEY)
    if store is None and create:
        store = annotations[KEY] = AlertStore()
    return store


def digest(token):
    """The key of a token (from a request: anything), or None."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def _criteria(data):
    return Criteria(**data["criteria"])


def _purge(store, now):
    for key, data in list(store.pending.items()):
        if data["time"] < now - REQUEST_LIFETIME:
            del store.pending[key]


def _subscribed(store, email):
    return [
        store.active[key]
        for key in store.by_email.get(email, ())
        if key in store.active
    ]


def ask(folder, email, criteria, language, now=None):
    """Keep the alert waiting for confirmation; the token of the link to
    mail, or None when nothing is to be mailed: the address has this alert
    already, was sent a link for it a short while ago, or has too many."""
    email = email.strip().lower()
    now = time.time() if now is None else now
    store = _store(folder, create=True)
    _purge(store, now)
    wanted = asdict(criteria)
    active = _subscribed(store, email)
    if len(active) >= MAX_PER_ADDRESS or any(d["criteria"] == wanted for d in active):
        return None
    for data in store.pending.values():
        if (
            data["email"] == email
            and data["criteria"] == wanted
            and data["time"] > now - REQUEST_RESEND
        ):
            return None
    token = new_token()
    store.pending[digest(token)] = {
        "email": email,
        "criteria": wanted,
        "language": language,
        "time": now,
    }
    return token


def describe(criteria, language):
    """The alert in words, for the mails and the pages."""
    category = get_category(criteria.category) if criteria.category else None
    mapping = {
        "category": (category.title or criteria.category) if category else "",
        "distance": distance_text(criteria.distance, language),
        "latitude": f"{criteria.latitude:.6f}" if criteria.latitude is not None else "",
        "longitude": f"{criteria.longitude:.6f}"
        if criteria.longitude is not None
        else "",
    }
    if category is not None and criteria.latitude is not None:
        text = _(
            "alert_category_near",
            default="reports of the category ${category} within ${distance} of "
            "${latitude}, ${longitude}",
            mapping=mapping,
        )
    elif category is not None:
        text = _(
            "alert_category",
            default="reports of the category ${category}",
            mapping=mapping,
        )
    else:
        text = _(
            "alert_near",
            default="reports within ${distance} of ${latitude}, ${longitude}",
            mapping=mapping,
        )
    return translate(text, target_language=language)


def distance_text(metres, language):
    if not metres:
        return ""
    if metres >= 1000 and metres % 1000 == 0:
        return translate(
            _("${count} km", mapping={"count": metres // 1000}),
            target_language=language,
        )
    return translate(
        _("${count} m", mapping={"count": metres}), target_language=language
    )


def request_alert(folder, email, criteria, request, language):
    """Mail ``email`` the link that activates the alert (unless ``ask``
    says not to), in ``language``, the visitor's."""
    token = ask(folder, email, criteria, language)
    if token is None:
        return
    mapping = {
        "alert": describe(criteria, language),
        "link": f"{folder.absolute_url()}/@@alerts-confirm?token={token}",
    }
    subject = translate(
        _("mail_alert_confirm_subject", default="Confirm your e-mail alert"),
        target_language=language,
    )
    body = translate(
        _(
            "mail_alert_confirm_body",
            default="Someone, hopefully you, asked to receive an e-mail for "
            "each new public report of the municipality about: ${alert}."
            "\n\nTo confirm, open this link within 7 days:\n\n${link}\n\n"
            "If you did not ask for it, ignore this message: you will "
            "receive nothing else.",
            mapping=mapping,
        ),
        target_language=language,
    )
    send(email, subject, body)


def confirm(folder, token, now=None):
    """Activate the alert of a confirmation link; False if the link is
    unknown or expired."""
    now = time.time() if now is None else now
    store = _store(folder)
    key = digest(token)
    if store is None or key is None or key not in store.pending:
        return False
    data = store.pending.pop(key)
    if data["time"] < now - REQUEST_LIFETIME:
        return False
    active = _subscribed(store, data["email"])
    if any(known["criteria"] == data["criteria"] for known in active):
        # Confirmed twice (two links for the same alert): it is active.
        return True
    if len(active) >= MAX_PER_ADDRESS:
        return False
    # The unsubscribe link gets a token of its own: the confirmation link,
    # which may linger in a mailbox, is spent.
    unsubscribe = new_token()
    new_key = digest(unsubscribe)
    store.active[new_key] = {
        "email": data["email"],
        "criteria": data["criteria"],
        "language": data["language"],
        "since": datetime.now().isoformat(),
        # Kept to write the link in the alerts; the key is its digest.
        "token": unsubscribe,
    }
    store.by_email[data["email"]] = (*store.by_email.get(data["email"], ()), new_key)
    return True


def subscription(folder, token):
    """The criteria of an active alert by its unsubscribe token, or None."""
    store = _store(folder)
    key = digest(token)
    if store is None or key is None:
        return None
    data = store.active.get(key)
    return None if data is None else _criteria(data)


def unsubscribe(folder, token):
    """Forget the alert of an unsubscribe link; False if it is unknown."""
    store = _store(folder)
    key = digest(token)
    if store is None or key is None or key not in store.active:
        return False
    data = store.active.pop(key)
    email = data["email"]
    left = tuple(k for k in store.by_email.get(email, ()) if k != key)
    if left:
        store.by_email[email] = left
    else:
        store.by_email.pop(email, None)
    return True


def matching(folder, category, latitude, longitude):
    """{email: [subscription data]} of the active alerts that match."""
    store = _store(folder)
    found = {}
    if store is None:
        return found
    for data in store.active.values():
        if _criteria(data).matches(category, latitude, longitude):
            found.setdefault(data["email"], []).append(data)
    return found


def _place(report):
    geolocation = getattr(report, "geolocation", None)
    if geolocation is None or geolocation.latitude is None:
        return None, None
    return geolocation.latitude, geolocation.longitude


def alert_mail(report, subscriptions, language):
    """(subject, body) of the alert of ``report``: only what its public
    page shows, never anything of the reporter."""
    folder = report.__parent__
    category = get_category(report.category)
    details = [
        translate(
            _("Category: ${category}", mapping={"category": category.title}),
            target_language=language,
        )
        if category is not None
        else "",
        translate(
            _("Place: ${address}", mapping={"address": report.address}),
            target_language=language,
        )
        if report.address
        else "",
        report.description or "",
    ]
    links = "\n".join(
        f"{describe(_criteria(data), language)}:\n"
        f"{folder.absolute_url()}/@@alerts-unsubscribe?token={data['token']}"
        for data in subscriptions
    )
    mapping = {
        "number": report.tracking_number,
        "title": report.title,
        "details": "\n".join(line for line in details if line),
        "url": report.absolute_url(),
        "links": links,
    }
    subject = translate(
        _(
            "mail_alert_subject",
            default="New public report ${number}: ${title}",
            mapping=mapping,
        ),
        target_language=language,
    )
    body = translate(
        _(
            "mail_alert_body",
            default="A new report matching your e-mail alert is public:\n\n"
            "${title} (${number})\n${details}\n\n${url}\n\n"
            "To stop receiving these e-mails, open the link of the alert:\n\n"
            "${links}",
            mapping=mapping,
        ),
        target_language=language,
    )
    return subject, body


def send_alerts(report):
    """Mail every address with a matching alert, once per address. A bad
    address must not undo the moderator's approval: its failure is logged
    and the others are still sent."""
    folder = report.__parent__
    if not IReportFolder.providedBy(folder):
        return 0
    latitude, longitude = _place(report)
    sent = 0
    for email, subscriptions in matching(
        folder, report.category, latitude, longitude
    ).items():
        if not is_valid_email(email):
            # The form keeps none such; whatever else wrote it, a newline in
            # an address would become a header of the mail.
            logger.warning("An alert of %s has a bad address", report.getId())
            continue
        language = subscriptions[0].get("language") or site_language()
        subject, body = alert_mail(report, subscriptions, language)
        try:
            send(email, subject, body)
        except ConflictError:
            raise
        except Exception:
            logger.exception("The alert of %s could not be sent", report.getId())
            continue
        sent += 1
    return sent


def report_transitioned(report, event):
    """IAfterTransitionEvent: a report made public (approved, and not
    confidential, which moderation sets before the transition)."""
    transition = getattr(event, "transition", None)
    if transition is None or transition.id != APPROVE:
        return
    if getattr(report, "confidential", False):
        return
    send_alerts(report)

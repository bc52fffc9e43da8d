"""Reports waiting for the anonymous reporter to confirm their e-mail
(when the site asks for it): kept aside, out of the catalog and of the
moderators' sight, until the link in the mail is followed."""

from BTrees.OOBTree import OOBTree
from collective.civicreports import _
from collective.civicreports.mail.send import send
from collective.civicreports.privacy.photos import Photo
from collective.civicreports.reports.engagement import new_token
from collective.civicreports.reports.submission import Attachment
from collective.civicreports.reports.submission import Submission
from dataclasses import asdict
from zope.annotation.interfaces import IAnnotations
from zope.i18n import translate

import time


KEY = "collective.civicreports.pending"
LIFETIME = 7 * 24 * 3600


def _store(folder):
    annotations = IAnnotations(folder)
    if KEY not in annotations:
        annotations[KEY] = OOBTree()
    return annotations[KEY]


def _purge(store, now):
    for token in [t for t, entry in store.items() if entry["time"] < now - LIFETIME]:
        del store[token]


def ask_confirmation(folder, submission, request):
    """Keep the submission and mail the reporter the link that sends it."""
    store = _store(folder)
    now = time.time()
    _purge(store, now)
    token = new_token()
    data = asdict(submission)
    data["photos"] = [asdict(photo) for photo in submission.photos]
    data["attachments"] = [asdict(item) for item in submission.attachments]
    store[token] = {"time": now, "submission": data}
    link = f"{folder.absolute_url()}/@@segnala-confirm?t={token}"
    subject = translate(_("Confirm your report"), context=request)
    body = translate(
        _(
            "mail_confirm_body",
            default='Dear ${name},\n\nto send your report "${title}" to the '
            "municipality, open this link within 7 days:\n\n${link}\n\nIf you "
            "did not make this report, ignore this message.",
            mapping={
                "name": submission.fullname,
                "title": submission.title,
                "link": link,
            },
        ),
        context=request,
    )
    send(submission.email, subject, body)
    return token


def get(folder, token):
    """The submission kept under the token; None if the link is unknown or
    expired."""
    store = _store(folder)
    entry = store.get(token) if isinstance(token, str) else None
    if entry is None or entry["time"] < time.time() - LIFETIME:
        return None
    data = dict(entry["submission"])
    data["photos"] = [Photo(**photo) for photo in data["photos"]]
    data["attachments"] = [Attachment(**item) for item in data.get("attachments", [])]
    return Submission(**data)


def discard(folder, token):
    _store(folder).pop(token, None)

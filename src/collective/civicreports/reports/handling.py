"""What the staff do to a report once it is public: assign it to an office
(or to another one), keep internal notes, write the public answer, close
it with its resolution (forwarding it to the competent body when it is not
the municipality's) and reopen it. Questions to the reporter are in
``messages``."""

from collective.civicreports import _
from collective.civicreports.categories.registry import get_category
from collective.civicreports.mail.send import send
from collective.civicreports.privacy.validators import is_valid_email
from collective.civicreports.reports.settings import site_language
from collective.civicreports.reports.workflow import ASSIGN
from collective.civicreports.reports.workflow import ASSIGNED
from collective.civicreports.reports.workflow import CLOSE
from collective.civicreports.reports.workflow import REASSIGN
from collective.civicreports.reports.workflow import REOPEN
from collective.civicreports.vocabularies.reports import RESOLUTION_TITLES
from plone import api
from zope.i18n import translate
from zope.lifecycleevent import Attributes
from zope.lifecycleevent import modified


class NoAnswer(ValueError):
    """A report is closed with its public answer, or not at all."""


class NoBody(ValueError):
    """Not our competence, or referred: to which body? (or a bad address)"""


FIXED = "fixed"
DUPLICATE_RESOLUTION = "duplicate"
# The resolutions that name the body the citizen should turn to.
ELSEWHERE = ("not_competent", "referred")


def _changed(report, name, value):
    setattr(report, name, value or None)
    # The office's local role and the catalog follow the event.
    modified(report, Attributes(None, name))


def assign(report, office=None, comment=""):
    """Give the report to ``office`` (its own by default); reassign it if
    it is with an office already."""
    if office and office != report.office:
        _changed(report, "office", office)
    transition = REASSIGN if api.content.get_state(report) == ASSIGNED else ASSIGN
    api.content.transition(obj=report, transition=transition, comment=comment)


def save_notes(report, text):
    _changed(report, "internal_notes", text)


def save_answer(report, text):
    _changed(report, "answer", text)


def close(report, answer, resolution=FIXED, body="", forward_to=""):
    """Answer and close with a resolution (RESOLUTION_TITLES); NoAnswer
    without an answer, NoBody when the resolution needs the body in charge
    and it is missing, or the address to forward it to is not one.

    ``forward_to`` mails the report's public facts to that body (never the
    reporter's data: the body answers through the municipality), and the
    closing's history entry says so."""
    if not answer:
        raise NoAnswer(answer)
    if resolution not in RESOLUTION_TITLES:
        resolution = FIXED
    body = (body or "").strip() if resolution in ELSEWHERE else ""
    forward_to = (forward_to or "").strip() if body else ""
    if resolution in ELSEWHERE and not body:
        raise NoBody(body)
    if forward_to and not is_valid_email(forward_to):
        raise NoBody(forward_to)
    save_answer(report, answer)
    report.resolution = resolution
    report.competent_body = body or None
    modified(report, Attributes(None, "resolution", "competent_body"))
    comment = ""
    if forward_to:
        forward(report, body, forward_to)
        comment = translate(
            _(
                "forwarded_comment",
                default="Forwarded by e-mail to ${body} (${address}).",
                mapping={"body": body, "address": forward_to},
            ),
            target_language=site_language(),
        )
    api.content.transition(obj=report, transition=CLOSE, comment=comment)


def forward(report, body, address):
    """Mail the public facts of the report to the body in charge."""
    language = site_language()
    category = get_category(report.category)
    geolocation = getattr(report, "geolocation", None)
    place = report.address or ""
    if geolocation is not None and geolocation.latitude is not None:
        place = f"{place} ({geolocation.latitude}, {geolocation.longitude})".strip()
    text = translate(
        _(
            "forward_body",
            default="The municipality of ${site} forwards you a report of its "
            "citizens that is in your competence.\n\n"
            "Tracking number: ${number}\nCategory: ${category}\n"
            "Subject: ${title}\nPlace: ${place}\n\n${description}\n\n"
            "${url}\n\nPlease quote the tracking number when you answer "
            "the municipality.",
            mapping={
                "site": api.portal.get().Title(),
                "number": report.tracking_number,
                "category": category.title if category else report.category,
                "title": report.title,
                "place": place,
                "description": report.description or "",
                "url": report.absolute_url(),
            },
        ),
        target_language=language,
    )
    subject = translate(
        _(
            "forward_subject",
            default="Report ${number} forwarded to ${body}",
            mapping={"number": report.tracking_number, "body": body},
        ),
        target_language=language,
    )
    send(address, subject, text)


def reopen(report):
    # The resolution goes with the transition (subscribers/report.py).
    api.content.transition(obj=report, transition=REOPEN)

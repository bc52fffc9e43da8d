"""What the staff do to a report once it is public: assign it to an office
(or to another one), keep internal notes, write the public answer, close
and reopen it. Questions to the reporter are in ``messages``."""

from collective.civicreports.reports.workflow import ASSIGN
from collective.civicreports.reports.workflow import ASSIGNED
from collective.civicreports.reports.workflow import CLOSE
from collective.civicreports.reports.workflow import REASSIGN
from collective.civicreports.reports.workflow import REOPEN
from plone import api
from zope.lifecycleevent import Attributes
from zope.lifecycleevent import modified


class NoAnswer(ValueError):
    """A report is closed with its public answer, or not at all."""


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


def close(report, answer):
    """Answer and close; NoAnswer without an answer."""
    if not answer:
        raise NoAnswer(answer)
    save_answer(report, answer)
    api.content.transition(obj=report, transition=CLOSE)


def reopen(report):
    api.content.transition(obj=report, transition=REOPEN)

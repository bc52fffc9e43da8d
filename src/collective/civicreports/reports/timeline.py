"""The public steps of a report: dated states, without who did them, and
the office's public updates between them ("the works start on Monday")."""

from collective.civicreports import _
from collective.civicreports.reports.workflow import history
from datetime import datetime
from persistent.list import PersistentList
from plone import api
from zope.annotation.interfaces import IAnnotations


def state_title(state_id):
    """The translatable title of a state of the report workflow."""
    title = api.portal.get_tool("portal_workflow").getTitleForStateOnType(
        state_id, "Report"
    )
    return _(title)


NOTES = "collective.civicreports.public_notes"
UPDATE = _("Update from the municipality")


def add_note(report, text):
    """A public update of the office on the report, dated now."""
    annotations = IAnnotations(report)
    if NOTES not in annotations:
        annotations[NOTES] = PersistentList()
    annotations[NOTES].append(
        {
            "text": text,
            # Whole microseconds: a step of the same second sorts before.
            "time": datetime.now().astimezone().isoformat(),
            # For the staff's history, never shown in public.
            "by": api.user.get_current().getId(),
        }
    )


def notes(report):
    return list(IAnnotations(report).get(NOTES, ()))


def timeline(report):
    """[{"state", "title", "date", "note"}], oldest first, the dates time
    zone aware; "note" is the text of an office's public update (None for
    a step, whose "state" is the state it reached; an update has the state
    the report was in). Actors and comments stay out: they are for the
    staff (the workflow history view)."""
    steps = [
        {
            "state": step.state,
            "title": state_title(step.state),
            "date": step.time,
            "note": None,
        }
        for step in history(report)
    ]
    for note in notes(report):
        when = datetime.fromisoformat(note["time"])
        before = [
            step for step in steps if step["note"] is None and step["date"] <= when
        ]
        steps.append(
            {
                "state": before[-1]["state"] if before else None,
                "title": UPDATE,
                "date": when,
                "note": note["text"],
            }
        )
    return sorted(steps, key=lambda step: step["date"])

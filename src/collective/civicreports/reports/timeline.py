"""The public steps of a report: dated states, without who did them."""

from collective.civicreports import _
from collective.civicreports.reports.workflow import history
from plone import api


def state_title(state_id):
    """The translatable title of a state of the report workflow."""
    title = api.portal.get_tool("portal_workflow").getTitleForStateOnType(
        state_id, "Report"
    )
    return _(title)


def timeline(report):
    """[{"state", "title", "date"}], oldest first, the dates time zone
    aware. Actors and comments stay out: they are for the staff (the
    workflow history view)."""
    return [
        {"state": step.state, "title": state_title(step.state), "date": step.time}
        for step in history(report)
    ]

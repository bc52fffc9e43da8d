"""The public steps of a report: dated states, without who did them."""

from collective.civicreports import _
from plone import api


def state_title(state_id):
    """The translatable title of a state of the report workflow."""
    title = api.portal.get_tool("portal_workflow").getTitleForStateOnType(
        state_id, "Report"
    )
    return _(title)


def timeline(report):
    """[{"state", "title", "date"}], oldest first. Actors and comments stay
    out: they are for the staff (the workflow history view)."""
    history = report.workflow_history.get("civicreport_workflow", ())
    steps = []
    for entry in history:
        state = entry.get("review_state")
        if not state:
            continue
        steps.append(
            {"state": state, "title": state_title(state), "date": entry.get("time")}
        )
    return steps

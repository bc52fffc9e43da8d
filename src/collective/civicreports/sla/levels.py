"""Service levels of the reports, from the settings: see ``deadlines``."""

from collective.civicreports.reports.settings import setting
from collective.civicreports.sla.deadlines import parse_holidays
from collective.civicreports.sla.deadlines import Policy
from collective.civicreports.sla.deadlines import sla_status
from datetime import datetime


def policy():
    try:
        holidays = parse_holidays(setting("holidays") or "")
    except ValueError:
        holidays = frozenset()
    return Policy(
        assignment_hours=setting("assignment_hours"),
        answer_days=setting("answer_days"),
        working_days=bool(setting("working_days")),
        holidays=holidays,
    )


def _history_time(report, transitions):
    for entry in report.workflow_history.get("civicreport_workflow", ()):
        if entry.get("action") in transitions:
            return entry["time"].asdatetime().replace(tzinfo=None)
    return None


def report_sla(report, state, now=None):
    """{"assignment": Status, "answer": Status} of a report."""
    # An operator records when a phone call or a letter came in.
    received = getattr(report, "received", None)
    submitted = received or report.created().asdatetime().replace(tzinfo=None)
    return sla_status(
        state,
        submitted,
        now or datetime.now(),
        policy(),
        assigned=_history_time(report, ("assign",)),
        closed=_history_time(report, ("close",)),
    )

"""Service levels of the reports, from the settings: see ``deadlines``."""

from collective.civicreports.reports.dates import aware
from collective.civicreports.reports.settings import setting
from collective.civicreports.reports.workflow import ASSIGN
from collective.civicreports.reports.workflow import CLOSE
from collective.civicreports.reports.workflow import first_time
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
        province=setting("holiday_province") or None,
    )


def report_sla(report, state, now=None):
    """{"assignment": Status, "answer": Status} of a report, in time zone
    aware datetimes (``now``: naive ones are in the server's zone)."""
    # An operator records when a phone call or a letter came in.
    submitted = aware(getattr(report, "received", None) or report.created())
    return sla_status(
        state,
        submitted,
        aware(now) or datetime.now().astimezone(),
        policy(),
        assigned=first_time(report, ASSIGN),
        closed=first_time(report, CLOSE),
    )

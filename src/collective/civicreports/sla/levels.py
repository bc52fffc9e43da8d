"""Service levels of the reports, from the settings: see ``deadlines``."""

from collective.civicreports.categories.registry import answer_days
from collective.civicreports.categories.registry import get_category
from collective.civicreports.reports.dates import aware
from collective.civicreports.reports.dates import received
from collective.civicreports.reports.settings import setting
from collective.civicreports.reports.workflow import ASSIGN
from collective.civicreports.reports.workflow import CLOSE
from collective.civicreports.reports.workflow import first_time
from collective.civicreports.sla.deadlines import parse_holidays
from collective.civicreports.sla.deadlines import Policy
from collective.civicreports.sla.deadlines import sla_status
from dataclasses import replace
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


def category_policy(category_id, site=None):
    """The site's policy (or ``site``) with the category's own term to
    answer, when it has one."""
    category = get_category(category_id)
    days = answer_days(category) if category is not None else None
    site = site or policy()
    return replace(site, answer_days=days) if days else site


def report_policy(report):
    """The site's policy with the report's term to answer."""
    return category_policy(report.category)


def report_sla(report, state, now=None):
    """{"assignment": Status, "answer": Status} of a report, in time zone
    aware datetimes (``now``: naive ones are in the server's zone)."""
    return sla_status(
        state,
        received(report),
        aware(now) or datetime.now().astimezone(),
        report_policy(report),
        assigned=first_time(report, ASSIGN),
        closed=first_time(report, CLOSE),
    )

"""Figures on the reports of a folder, for the staff's statistics page.

Pure computation over report objects: the views choose the reports (see
``filter_reports``) and render the result. Times come from the workflow
history (``reports.workflow``), as the service levels do, so that the figures and the
deadlines shown on each report always agree.
"""

from collections import Counter
from collective.civicreports.reports.dates import aware
from collective.civicreports.reports.queries import date_range
from collective.civicreports.reports.workflow import ASSIGN
from collective.civicreports.reports.workflow import CLOSE
from collective.civicreports.reports.workflow import CLOSED
from collective.civicreports.reports.workflow import ENDED_STATES
from collective.civicreports.reports.workflow import first_time
from collective.civicreports.reports.workflow import state_of
from collective.civicreports.sla.levels import report_sla
from datetime import datetime
from plone import api

import statistics


def _counts(values):
    """id -> n, most frequent first (ties by id), for the bar charts."""
    counter = Counter(value or "" for value in values)
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def _next_month(month):
    year, number = int(month[:4]), int(month[5:])
    year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return f"{year:04d}-{number:02d}"


def _months(reports):
    """ "YYYY-MM" -> n, in order, months without reports included as 0: a
    column chart with gaps closed up would hide a quiet month."""
    counter = Counter(report.created().strftime("%Y-%m") for report in reports)
    if not counter:
        return {}
    month, last, months = min(counter), max(counter), {}
    while month <= last:
        months[month] = counter.get(month, 0)
        month = _next_month(month)
    return months


def _median(values):
    return statistics.median(values) if values else None


def compute(reports, now=None):
    """The figures of the statistics page (see the module docstring).

    Durations run from the creation of a report to the FIRST assignment or
    closing: a report reopened later keeps the time of its first answer, as
    the service-level commitments do. ``now`` (a datetime; a naive one is
    in the server's zone) decides what is overdue; it defaults to the
    current time.
    """
    reports = list(reports)
    now = aware(now) or datetime.now().astimezone()
    hours_to_assign, days_to_close = [], []
    closed = within = overdue = 0
    states = []
    for report in reports:
        state = state_of(report)
        states.append(state)
        created = aware(report.created())
        assigned = first_time(report, ASSIGN)
        if assigned is not None:
            hours_to_assign.append((assigned - created).total_seconds() / 3600)
        closing = first_time(report, CLOSE)
        if closing is not None:
            days_to_close.append((closing - created).total_seconds() / 86400)
        sla = report_sla(report, state, now=now)
        if state == CLOSED:
            closed += 1
            within += not sla["answer"].overdue
        elif state not in ENDED_STATES and (
            sla["answer"].overdue or sla["assignment"].overdue
        ):
            overdue += 1
    return {
        "total": len(reports),
        "by_category": _counts(report.category for report in reports),
        "by_state": _counts(states),
        "by_channel": _counts(report.channel for report in reports),
        "by_month": _months(reports),
        "median_hours_to_assignment": _median(hours_to_assign),
        "median_days_to_closing": _median(days_to_close),
        "closed_within_deadline": within / closed if closed else None,
        "overdue_now": overdue,
    }


def filter_reports(folder, start=None, end=None, category=None):
    """Every Report of ``folder``, whatever its state or confidentiality,
    oldest first. ``start`` and ``end`` are "YYYY-MM-DD" (whole days, bad
    dates ignored), ``category`` a category id.

    The search is unrestricted: the staff must count the reports they may
    not open one by one (another office's, a confidential one). The views
    calling it are protected by the moderate permission, and any personal
    data is filtered per report by the export (``export.personal_allowed``).
    """
    query = {
        "path": "/".join(folder.getPhysicalPath()),
        "portal_type": "Report",
        "sort_on": "created",
        "sort_order": "ascending",
    }
    dates = date_range(start, end)
    if dates:
        query["created"] = dates
    if category:
        query["report_category"] = category
    catalog = api.portal.get_tool("portal_catalog")
    return [
        brain._unrestrictedGetObject()
        for brain in catalog.unrestrictedSearchResults(**query)
    ]

"""Figures on the reports of a folder, for the staff's statistics page.

Pure computation over the ``Facts`` of reports: the views choose them (see
``filter_brains``) and render the result. Facts come from the catalog's
metadata (``content/indexers``), so that counting 100,000 reports wakes
none of them, or from a report itself; the times are the workflow
history's (``reports.workflow``), as the service levels' are, so that the
figures and the deadlines shown on each report always agree.
"""

from collections import Counter
from collective.civicreports.reports.dates import aware
from collective.civicreports.reports.dates import received
from collective.civicreports.reports.queries import date_range
from collective.civicreports.reports.workflow import ASSIGN
from collective.civicreports.reports.workflow import CLOSE
from collective.civicreports.reports.workflow import CLOSED
from collective.civicreports.reports.workflow import ENDED_STATES
from collective.civicreports.reports.workflow import first_time
from collective.civicreports.reports.workflow import state_of
from collective.civicreports.sla.deadlines import sla_status
from collective.civicreports.sla.levels import category_policy
from collective.civicreports.sla.levels import policy
from dataclasses import dataclass
from datetime import datetime
from plone import api

import statistics


@dataclass(frozen=True)
class Facts:
    """What the figures need of one report (aware datetimes)."""

    category: str
    channel: str
    state: str
    created: datetime
    received: datetime
    assigned: datetime | None
    closed: datetime | None
    resolution: str | None


def _moment(text):
    return datetime.fromisoformat(text) if text else None


def facts_of(item):
    """The Facts of a catalog brain (from its metadata) or of a report."""
    if hasattr(item, "getRID"):
        return Facts(
            category=item.report_category,
            channel=item.report_channel,
            state=item.review_state,
            created=aware(item.created),
            received=_moment(item.report_received) or aware(item.created),
            assigned=_moment(item.report_assigned_at),
            closed=_moment(item.report_closed_at),
            resolution=item.report_resolution,
        )
    return Facts(
        category=item.category,
        channel=item.channel,
        state=state_of(item),
        created=aware(item.created()),
        received=received(item),
        assigned=first_time(item, ASSIGN),
        closed=first_time(item, CLOSE),
        resolution=getattr(item, "resolution", None),
    )


def _counts(values):
    """id -> n, most frequent first (ties by id), for the bar charts."""
    counter = Counter(value or "" for value in values)
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def _next_month(month):
    year, number = int(month[:4]), int(month[5:])
    year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return f"{year:04d}-{number:02d}"


def _months(facts):
    """ "YYYY-MM" -> n, in order, months without reports included as 0: a
    column chart with gaps closed up would hide a quiet month."""
    counter = Counter(fact.created.astimezone().strftime("%Y-%m") for fact in facts)
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
    """The figures of the statistics page (see the module docstring), of
    catalog brains or reports.

    Durations run from the creation of a report to the FIRST assignment or
    closing: a report reopened later keeps the time of its first answer, as
    the service-level commitments do. ``now`` (a datetime; a naive one is
    in the server's zone) decides what is overdue; it defaults to the
    current time.
    """
    facts = [facts_of(item) for item in reports]
    now = aware(now) or datetime.now().astimezone()
    site = policy()
    policies = {}
    hours_to_assign, days_to_close = [], []
    closed = within = overdue = 0
    for fact in facts:
        if fact.assigned is not None:
            hours_to_assign.append(
                (fact.assigned - fact.created).total_seconds() / 3600
            )
        if fact.closed is not None:
            days_to_close.append((fact.closed - fact.created).total_seconds() / 86400)
        if fact.category not in policies:
            policies[fact.category] = category_policy(fact.category, site)
        sla = sla_status(
            fact.state,
            fact.received,
            now,
            policies[fact.category],
            assigned=fact.assigned,
            closed=fact.closed,
        )
        if fact.state == CLOSED:
            closed += 1
            within += not sla["answer"].overdue
        elif fact.state not in ENDED_STATES and (
            sla["answer"].overdue or sla["assignment"].overdue
        ):
            overdue += 1
    return {
        "total": len(facts),
        "by_category": _counts(fact.category for fact in facts),
        "by_state": _counts(fact.state for fact in facts),
        "by_channel": _counts(fact.channel for fact in facts),
        "by_resolution": _counts(
            fact.resolution or "unknown" for fact in facts if fact.state == CLOSED
        ),
        "by_month": _months(facts),
        "median_hours_to_assignment": _median(hours_to_assign),
        "median_days_to_closing": _median(days_to_close),
        "closed_within_deadline": within / closed if closed else None,
        "overdue_now": overdue,
    }


def filter_brains(folder, start=None, end=None, category=None):
    """The catalog brains of every Report of ``folder``, whatever its state
    or confidentiality, oldest first. ``start`` and ``end`` are
    "YYYY-MM-DD" (whole days, bad dates ignored), ``category`` a category
    id.

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
    return catalog.unrestrictedSearchResults(**query)


def filter_reports(folder, start=None, end=None, category=None):
    """The reports of ``filter_brains``, for what needs more than the
    metadata (the export)."""
    return [
        brain._unrestrictedGetObject()
        for brain in filter_brains(folder, start=start, end=end, category=category)
    ]


def rated_reports(brains):
    """The reports of these brains that their reporter rated: only those
    are woken for the ratings' figures."""
    return [brain._unrestrictedGetObject() for brain in brains if brain.report_rated]

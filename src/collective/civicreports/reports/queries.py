"""Catalog queries for the public views of reports."""

from collective.civicreports.inputs.search import text_query
from collective.civicreports.reports.workflow import PUBLIC_STATES
from DateTime import DateTime
from plone import api


def public_query(
    folder,
    category=None,
    kind=None,
    state=None,
    text=None,
    start=None,
    end=None,
    channel=None,
    bbox=None,
):
    """A catalog query for the public reports of a folder with the filters
    of the public list. Unknown or empty filters are ignored; a text with
    nothing to search for (only punctuation) matches nothing (None).
    ``bbox`` is [min_lon, min_lat, max_lon, max_lat] (``params.bbox``)."""
    query = {
        "portal_type": "Report",
        "path": "/".join(folder.getPhysicalPath()),
        "review_state": state if state in PUBLIC_STATES else list(PUBLIC_STATES),
        "report_confidential": False,
        "sort_on": "created",
        "sort_order": "descending",
    }
    if not _filtered(query, category=category, kind=kind, channel=channel, text=text):
        return None
    _within(query, bbox)
    dates = date_range(start, end)
    if dates:
        query["created"] = dates
    return query


# The orders of the moderation queue: the oldest first is the default, so
# that nothing waits behind newer reports. Tracking numbers are given in
# order of arrival ("2026-000123"): one index the catalog walks up to the
# page (the created index keeps minutes only, so it needs a second key,
# and two keys sort every result first). Within a category or a channel,
# the tracking number orders a storm's minute.
QUEUE_SORTS = {
    "oldest": ("tracking_number", "ascending"),
    "newest": ("tracking_number", "descending"),
    "category": (["report_category", "created", "tracking_number"], "ascending"),
    "channel": (["report_channel", "created", "tracking_number"], "ascending"),
    # The most findings to review first.
    "findings": (["report_findings", "created", "tracking_number"], "descending"),
}
# "Personal data found": yes or no.
FINDINGS = {"yes": {"query": 1, "range": "min"}, "no": 0}


def queue_query(
    folder,
    state,
    category=None,
    kind=None,
    channel=None,
    text=None,
    sort=None,
    findings=None,
    bbox=None,
):
    """A catalog query for the reports of a folder in one state, for the
    staff's queues; None when the text has nothing to search for. ``bbox``
    is [min_lon, min_lat, max_lon, max_lat] (``params.bbox``)."""
    sort_on, sort_order = QUEUE_SORTS.get(sort, QUEUE_SORTS["oldest"])
    query = {
        "portal_type": "Report",
        "path": "/".join(folder.getPhysicalPath()),
        "review_state": state,
        "sort_on": sort_on,
        "sort_order": sort_order,
    }
    if findings in FINDINGS:
        query["report_findings"] = FINDINGS[findings]
    _within(query, bbox)
    if not _filtered(query, category=category, kind=kind, channel=channel, text=text):
        return None
    return query


def filtered_query(query, text=None, **fields):
    """The query with the filters given, or None when the text has nothing
    to search for."""
    return query if _filtered(query, text=text, **fields) else None


def _within(query, bbox):
    """Only the reports inside the box, if one is given."""
    if bbox:
        min_lon, min_lat, max_lon, max_lat = bbox
        query["latitude"] = {"query": (min_lat, max_lat), "range": "min:max"}
        query["longitude"] = {"query": (min_lon, max_lon), "range": "min:max"}


def _filtered(query, text=None, **fields):
    """Add the filters given to a query; False when the text has nothing to
    search for (only punctuation): such a query matches nothing."""
    for name, value in fields.items():
        if value:
            query[f"report_{name}"] = value
    if text:
        query["SearchableText"] = text_query(text)
        if query["SearchableText"] is None:
            return False
    return True


def _date(value, end_of_day=False):
    try:
        date = DateTime(value)
    except Exception:
        return None
    return date.latestTime() if end_of_day else date.earliestTime()


def date_range(start, end):
    start = _date(start) if start else None
    end = _date(end, end_of_day=True) if end else None
    if start and end:
        return {"query": (start, end), "range": "min:max"}
    if start:
        return {"query": start, "range": "min"}
    if end:
        return {"query": end, "range": "max"}
    return None


def unrestricted_reports(site, states):
    """(report, state) of every report of the site in ``states``, whoever
    may see them: for the daily job, which runs as the system user."""
    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog.unrestrictedSearchResults(
        portal_type="Report", review_state=list(states)
    )
    for brain in brains:
        yield brain._unrestrictedGetObject(), brain.review_state

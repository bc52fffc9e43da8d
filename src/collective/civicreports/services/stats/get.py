"""``GET <report folder>/@report-stats``: the figures of the statistics
page as JSON, for the staff's own dashboards.

The computation is the page's (``stats.compute`` over
``stats.filter_reports``), so that both always show the same numbers; only
the filters are stricter: a bad value is refused rather than ignored, so
that a client never takes the figures of all reports for filtered ones."""

from collective.civicreports.categories.registry import CATEGORY_ID_RE
from collective.civicreports.sla.stats import compute
from collective.civicreports.sla.stats import filter_reports
from datetime import date
from plone.restapi.services import Service


class BadParameter(ValueError):
    """A query parameter that cannot be understood; the message says why."""


def parse_filters(form):
    """The arguments of ``filter_reports`` for the request."""
    filters = {}
    for name in ("start", "end"):
        value = form.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise BadParameter(f"{name}: give this parameter once.")
        try:
            filters[name] = date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise BadParameter(
                f"{name}: {value!r} is not a date as 2024-05-31."
            ) from None
    category = form.get("category")
    if category:
        # Removed categories still count their old reports: only the form
        # of the id is checked.
        if not isinstance(category, str) or not CATEGORY_ID_RE.match(category):
            raise BadParameter(f"category: {category!r} is not a category id.")
        filters["category"] = category
    return filters


class ReportStatsGet(Service):
    """Counts and durations only, never personal data; protected by the
    moderate permission like the statistics page, because the counts
    include reports that are not public."""

    def reply(self):
        try:
            filters = parse_filters(self.request.form)
        except BadParameter as error:
            self.request.response.setStatus(400)
            return {"error": {"type": "BadRequest", "message": str(error)}}
        figures = compute(filter_reports(self.context, **filters))
        return {
            "@id": f"{self.context.absolute_url()}/@report-stats",
            "filters": filters,
            **figures,
        }

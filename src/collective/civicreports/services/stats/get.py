"""``GET <report folder>/@report-stats``: the figures of the statistics
page as JSON, for the staff's own dashboards.

The computation is the page's (``stats.compute`` over
``stats.filter_brains``), so that both always show the same numbers; only
the filters are stricter: a bad value is refused rather than ignored, so
that a client never takes the figures of all reports for filtered ones."""

from collective.civicreports import _
from collective.civicreports.categories.registry import CATEGORY_ID_RE
from collective.civicreports.inputs import params
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.sla.stats import compute
from collective.civicreports.sla.stats import filter_brains
from plone.restapi.services import Service


NOT_A_CATEGORY = _("This is not the id of a category.")


def parse_filters(form):
    """The arguments of ``filter_reports`` for the request."""
    filters = {}
    for name in ("start", "end"):
        day = params.iso_date(form, name)
        if day:
            filters[name] = day.isoformat()
    category = params.one(form, "category")
    if category:
        # Removed categories still count their old reports: only the form
        # of the id is checked.
        if not CATEGORY_ID_RE.match(category):
            raise BadInput("category", NOT_A_CATEGORY)
        filters["category"] = category
    return filters


class ReportStatsGet(Service):
    """Counts and durations only, never personal data; protected by the
    moderate permission like the statistics page, because the counts
    include reports that are not public."""

    def reply(self):
        try:
            filters = parse_filters(self.request.form)
        except BadInput as error:
            return params.bad_request(self.request, error)
        figures = compute(filter_brains(self.context, **filters))
        return {
            "@id": f"{self.context.absolute_url()}/@report-stats",
            "filters": filters,
            **figures,
        }

"""The public archive of a report folder: filters, list, map and feed."""

from collective.civicreports.browser.report import map_settings
from collective.civicreports.categories import active_categories
from collective.civicreports.categories import get_category
from collective.civicreports.queries import public_query
from collective.civicreports.queries import PUBLIC_STATES
from collective.civicreports.timeline import state_title
from collective.civicreports.vocabularies.reports import KIND_TITLES
from plone import api
from plone.batching import Batch
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from urllib.parse import urlencode


FILTERS = ("category", "kind", "state", "text", "start", "end")
PAGE_SIZE = 20


class FilteredReports(BrowserView):
    """The filters of the request, and the public reports matching them."""

    def filters(self):
        form = self.request.form
        values = {}
        for name in FILTERS:
            value = form.get(name)
            if isinstance(value, str) and value.strip():
                values[name] = value.strip()[:200]
        return values

    def brains(self):
        return api.portal.get_tool("portal_catalog")(
            **public_query(self.context, **self.filters())
        )

    def query_string(self, **changes):
        values = dict(self.filters(), **changes)
        return urlencode({k: v for k, v in values.items() if v})

    def category_title(self, category_id):
        category = get_category(category_id)
        return category.title if category is not None else category_id

    state_title = staticmethod(state_title)


class ReportFolderView(FilteredReports):
    """Default view of a report folder."""

    details_macros = ViewPageTemplateFile("templates/details.pt")

    def batch(self):
        start = self.request.form.get("b_start", 0)
        try:
            start = max(int(start), 0)
        except (TypeError, ValueError):
            start = 0
        return Batch(self.brains(), PAGE_SIZE, start)

    def categories(self):
        return [
            {
                "id": key,
                "title": category.title,
                "kind": KIND_TITLES.get(category.kind, ""),
            }
            for key, category in active_categories()
        ]

    def kinds(self):
        return [{"id": key, "title": title} for key, title in KIND_TITLES.items()]

    def states(self):
        return [{"id": state, "title": state_title(state)} for state in PUBLIC_STATES]

    def geojson_url(self):
        filters = {
            k: v for k, v in self.filters().items() if k in ("category", "state")
        }
        url = self.context.absolute_url() + "/@reports-geojson"
        return f"{url}?{urlencode(filters)}" if filters else url

    def feed_url(self):
        query = self.query_string()
        url = self.context.absolute_url() + "/@@reports-rss"
        return f"{url}?{query}" if query else url

    def map_settings(self):
        return map_settings()

    def date(self, value):
        return api.portal.get_localized_time(value, long_format=False)


class ReportsFeed(FilteredReports):
    """RSS 2.0 of the public reports, with the filters of the list."""

    ITEMS = 50

    def items(self):
        return self.brains()[: self.ITEMS]

    def __call__(self):
        self.request.response.setHeader(
            "Content-Type", "application/rss+xml; charset=utf-8"
        )
        return self.index()

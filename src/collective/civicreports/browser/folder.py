"""The public archive of a report folder: filters, list, map and feed."""

from collective.civicreports.browser.details import Dates
from collective.civicreports.browser.details import map_settings
from collective.civicreports.categories.registry import active_categories
from collective.civicreports.categories.registry import get_category
from collective.civicreports.inputs.edge import bad_input
from collective.civicreports.inputs.form import GIVEN_TWICE
from collective.civicreports.inputs.text import printable
from collective.civicreports.reports.queries import public_query
from collective.civicreports.reports.timeline import state_title
from collective.civicreports.reports.workflow import PUBLIC_STATES
from collective.civicreports.vocabularies.reports import KIND_TITLES
from plone import api
from plone.batching import Batch
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from Products.ZCTextIndex.ParseTree import ParseError
from urllib.parse import urlencode
from zExceptions import BadRequest
from zope.i18n import translate


FILTERS = ("category", "kind", "state", "text", "start", "end")
PAGE_SIZE = 20


class FilteredReports(BrowserView):
    """The filters of the request, and the public reports matching them."""

    # The archive shows what it could not use next to its filters.
    handles_bad_input = True

    def filters(self):
        form = self.request.form
        values = {}
        for name in FILTERS:
            value = form.get(name)
            if isinstance(value, str) and value.strip():
                values[name] = value.strip()[:200]
        return values

    def bad_filters(self):
        """Messages of the filters that were not used: not cleanable, or
        given more than once."""
        messages = []
        bad = bad_input(self.request)
        for name in FILTERS:
            if name in bad:
                message = bad[name]
            elif isinstance(self.request.form.get(name), list):
                message = GIVEN_TWICE
            else:
                continue
            messages.append(f"{name}: {translate(message, context=self.request)}")
        return messages

    def brains(self):
        query = public_query(self.context, **self.filters())
        if query is None:
            return []
        try:
            return api.portal.get_tool("portal_catalog")(**query)
        except ParseError:
            # Only words the text index ignores: nothing to find.
            return []

    def query_string(self, **changes):
        values = dict(self.filters(), **changes)
        return urlencode({k: v for k, v in values.items() if v})

    def category_title(self, category_id):
        category = get_category(category_id)
        return category.title if category is not None else category_id

    state_title = staticmethod(state_title)


class ReportFolderView(Dates, FilteredReports):
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


class ReportsFeed(FilteredReports):
    """RSS 2.0 of the public reports, with the filters of the list."""

    ITEMS = 50

    def channel(self):
        return {
            "title": printable(self.context.Title()),
            "description": printable(self.context.Description()),
        }

    def items(self):
        """The newest reports; every text passes ``printable``, as XML
        cannot hold a control character even escaped."""
        for brain in self.brains()[: self.ITEMS]:
            category = self.category_title(brain.report_category)
            state = translate(
                self.state_title(brain.review_state), context=self.request
            )
            yield {
                "title": printable(f"{brain.tracking_number} {brain.Title}"),
                "url": brain.getURL(),
                "description": printable(f"{category} - {state}. {brain.Description}"),
                "category": printable(category),
                "date": brain.created.rfc822(),
            }

    def __call__(self):
        if self.bad_filters():
            raise BadRequest(self.bad_filters()[0])
        self.request.response.setHeader(
            "Content-Type", "application/rss+xml; charset=utf-8"
        )
        return self.index()

"""The folder's landing page, the service card of the Designers Italia
model, with the public archive below it: filters, list, map and feed."""

from collective.civicreports import _
from collective.civicreports.browser.details import Dates
from collective.civicreports.browser.details import map_settings
from collective.civicreports.categories.registry import active_categories
from collective.civicreports.categories.registry import get_category
from collective.civicreports.inputs.edge import bad_input
from collective.civicreports.inputs.form import GIVEN_TWICE
from collective.civicreports.inputs.text import printable
from collective.civicreports.reports.offices import group_title
from collective.civicreports.reports.offices import moderators_group
from collective.civicreports.reports.queries import public_query
from collective.civicreports.reports.settings import setting
from collective.civicreports.reports.timeline import state_title
from collective.civicreports.reports.workflow import PUBLIC_STATES
from collective.civicreports.vocabularies.reports import KIND_TITLES
from html import escape
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

# The sections of the service card, in the model's order: (field, anchor,
# title, the validator's data-element). The titles are the model's index.
CARD_SECTIONS = (
    ("audience", "who-needs", _("Who it is for"), "service-addressed"),
    ("how_to", "how-to", _("How to"), "service-how-to"),
    ("needed", "needed", _("What is needed"), "service-needed"),
    ("outcome", "obtain", _("What you get"), "service-achieved"),
    ("timing", "deadlines", _("Times and deadlines"), "service-calendar-text"),
    ("costs", "costs", _("Costs"), None),
)


def blocks(text):
    """A plain text as paragraphs and lists: paragraphs are separated by an
    empty line, and lines starting with "- " are the items of a list."""
    found = []
    for chunk in (text or "").replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            found.append({"items": [line[2:].strip() for line in lines]})
        else:
            found.append({"text": " ".join(lines)})
    return found


def blocks_html(text):
    """``blocks`` as HTML, every text escaped."""
    parts = []
    for block in blocks(text):
        if "items" in block:
            items = "".join(f"<li>{escape(item)}</li>" for item in block["items"])
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append(f"<p>{escape(block['text'])}</p>")
    return "".join(parts)


class FilteredReports(BrowserView):
    """The filters of the request, and the public reports matching them."""

    # The archive shows what it could not use next to its filters.
    handles_bad_input = True
    filtered_macros = ViewPageTemplateFile("templates/filtered.pt")
    filter_names = FILTERS

    def filters(self):
        form = self.request.form
        values = {}
        for name in self.filter_names:
            value = form.get(name)
            if isinstance(value, str) and value.strip():
                values[name] = value.strip()[:200]
        return values

    def bad_filters(self):
        """Messages of the filters that were not used: not cleanable, or
        given more than once."""
        messages = []
        bad = bad_input(self.request)
        for name in self.filter_names:
            if name in bad:
                message = bad[name]
            elif isinstance(self.request.form.get(name), list):
                message = GIVEN_TWICE
            else:
                continue
            messages.append(f"{name}: {translate(message, context=self.request)}")
        return messages

    def brains(self):
        return self.search(public_query(self.context, **self.filters()))

    # (b_start, b_size) while ``batch`` searches: the catalog then sorts
    # only as far as the page (with unique keys such as tracking numbers a
    # full sort of 100,000 results costs 30 times one of 1,000), and
    # plone.batching reads the page it got.
    window = None

    def search(self, query):
        if query is None:
            return []
        if self.window is not None:
            query = dict(query, b_start=self.window[0], b_size=self.window[1])
        try:
            return api.portal.get_tool("portal_catalog")(**query)
        except ParseError:
            # Only words the text index ignores: nothing to find.
            return []

    def start(self):
        start = self.request.form.get("b_start", 0)
        try:
            return max(int(start), 0)
        except (TypeError, ValueError):
            return 0

    def batch(self):
        start = self.start()
        self.window = (start, self.page_size)
        try:
            return Batch(self.brains(), self.page_size, start)
        finally:
            self.window = None

    page_size = PAGE_SIZE

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

    # The service card

    def archived(self):
        """Whether the visitor came for the archive (a filter, a page of
        it): the card is then shorter than the list."""
        return bool(self.filters()) or "b_start" in self.request.form

    def sections(self):
        """The card's sections with text, as the template shows them."""
        found = []
        for field, anchor, title, element in CARD_SECTIONS:
            content = blocks(getattr(self.context, field, ""))
            if content:
                found.append(
                    {
                        "id": anchor,
                        "title": title,
                        "element": element,
                        "html": blocks_html(getattr(self.context, field, "")),
                    }
                )
        return found

    def html(self, field):
        return blocks_html(getattr(self.context, field, ""))

    def conditions_url(self):
        return (
            getattr(self.context, "conditions_url", None)
            or setting("privacy_notice_url")
            or ""
        )

    def office(self):
        return getattr(self.context, "contacts", "") or group_title(moderators_group())

    def topics(self):
        return [topic for topic in getattr(self.context, "topics", None) or [] if topic]

    def page_index(self):
        """The index of the page: the card's sections, then the archive."""
        entries = [{"id": s["id"], "title": s["title"]} for s in self.sections()]
        entries.append({"id": "service-access", "title": _("Access the service")})
        if self.html("conditions") or self.conditions_url():
            entries.append({"id": "conditions", "title": _("Terms of service")})
        entries.append({"id": "contacts", "title": _("Contacts")})
        entries.append({"id": "civicreports-archive", "title": _("Public reports")})
        return entries


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

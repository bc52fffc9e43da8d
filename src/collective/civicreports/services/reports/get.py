"""``GET <report folder>/@reports``: search and list the reports of a
folder, batched as plone.restapi batches its listings.

Built from catalog metadata (and the categories in the registry), never
from the report objects: the list stays fast with many reports, and the
personal data, which is not in the metadata, cannot slip into it."""

from collective.civicreports import _
from collective.civicreports.categories.registry import CATEGORY_ID_RE
from collective.civicreports.categories.registry import get_category
from collective.civicreports.categories.registry import KINDS
from collective.civicreports.inputs import params
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.permissions import is_staff
from collective.civicreports.reports.queries import FINDINGS
from collective.civicreports.reports.queries import public_query
from collective.civicreports.reports.queries import QUEUE_SORTS
from collective.civicreports.reports.timeline import state_title
from collective.civicreports.reports.workflow import PUBLIC_STATES
from collective.civicreports.reports.workflow import STATES
from collective.civicreports.vocabularies.reports import CHANNEL_TITLES
from plone import api
from plone.restapi.batching import DEFAULT_BATCH_SIZE
from plone.restapi.batching import HypermediaBatch
from plone.restapi.serializer.converters import json_compatible
from plone.restapi.services import Service
from Products.ZCTextIndex.ParseTree import ParseError
from zope.i18n import translate


def parse_filters(form, staff):
    """The arguments of ``public_query`` for the request. Raises
    BadInput for any value the list cannot use."""
    filters = {}
    category = params.one(form, "category")
    if category:
        # Only the form is checked: a removed category keeps its reports.
        if not CATEGORY_ID_RE.match(category):
            raise BadInput("category", NOT_A_CATEGORY)
        filters["category"] = category
    kind = params.choice(form, "kind", KINDS)
    if kind:
        filters["kind"] = kind
    state = params.choice(form, "state", STATES if staff else PUBLIC_STATES)
    if state:
        filters["state"] = state
    text = params.one(form, "text")
    if text:
        filters["text"] = text
    channel = params.choice(form, "channel", tuple(CHANNEL_TITLES))
    if channel:
        filters["channel"] = channel
    bbox = params.one(form, "bbox")
    if bbox:
        filters["bbox"] = params.bbox(bbox)
    for name in ("start", "end"):
        day = params.iso_date(form, name)
        if day:
            filters[name] = day.isoformat()
    # The queue's own filter and orders, as the moderation page has them.
    params.choice(form, "sort", tuple(QUEUE_SORTS))
    if staff:
        params.choice(form, "findings", tuple(FINDINGS))
    # HypermediaBatch reads these itself; checked here for a clear 400.
    params.integer(form, "b_start", 0)
    params.integer(form, "b_size", 1)
    return filters


def _coordinate(value):
    return value if isinstance(value, (int, float)) else None


NOT_A_CATEGORY = _("This is not the id of a category.")
NOTHING_TO_SEARCH = _("There is no word to search for.")


class ReportsSearchGet(Service):
    """The reports of the folder, newest first. Everybody gets the public
    ones; the staff also those they may see in any state (the catalog
    applies the View permission, so an office sees only its own)."""

    def reply(self):
        staff = is_staff(self.context)
        try:
            filters = parse_filters(self.request.form, staff)
        except BadInput as error:
            return params.bad_request(self.request, error)
        query = public_query(self.context, **filters)
        if query is None:
            return params.bad_request(self.request, BadInput("text", NOTHING_TO_SEARCH))
        if staff:
            # The same filters, without the limits of the public list.
            del query["report_confidential"]
            query["review_state"] = filters.get("state") or list(STATES)
            findings = params.one(self.request.form, "findings")
            if findings in FINDINGS:
                query["report_findings"] = FINDINGS[findings]
        sort = params.one(self.request.form, "sort")
        if sort in QUEUE_SORTS:
            query["sort_on"], query["sort_order"] = QUEUE_SORTS[sort]
        else:
            # Newest first by one index, which the catalog walks and stops
            # at the page, where two keys (the created index keeps minutes,
            # the tracking number orders a minute) sort every result first:
            # 2.4 times slower at 10,000 reports than at 1,000. Numbers are
            # given in order of arrival, "2026-000123": the order is theirs.
            query["sort_on"] = "tracking_number"
            query["sort_order"] = "descending"
        # The catalog sorts only as far as the page asked (see
        # FilteredReports.window); HypermediaBatch reads the page it got.
        query["b_start"] = params.integer(self.request.form, "b_start", 0) or 0
        query["b_size"] = (
            params.integer(self.request.form, "b_size", 1) or DEFAULT_BATCH_SIZE
        )
        catalog = api.portal.get_tool("portal_catalog")
        try:
            brains = catalog.searchResults(**query)
        except ParseError:
            return params.bad_request(self.request, BadInput("text", NOTHING_TO_SEARCH))
        batch = HypermediaBatch(self.request, brains)
        self._category_cache = {}
        self._state_titles = {}
        result = {
            "@id": batch.canonical_url,
            "items_total": batch.items_total,
            "items": [self._item(brain) for brain in batch],
        }
        if batch.links:
            result["batching"] = batch.links
        return result

    def _item(self, brain):
        category_id = brain.report_category
        category_title, kind = self._category(category_id)
        state = brain.review_state
        return {
            "@id": brain.getURL(),
            "tracking_number": brain.tracking_number,
            "title": brain.Title,
            "description": brain.Description,
            "category": category_id,
            "category_title": category_title,
            "kind": kind,
            "review_state": state,
            "state_title": self._state_title(state),
            "created": json_compatible(brain.created),
            "modified": json_compatible(brain.modified),
            # A report without a place has Missing.Value in the metadata.
            "latitude": _coordinate(brain.latitude),
            "longitude": _coordinate(brain.longitude),
            "office": brain.report_office or None,
        }

    def _category(self, category_id):
        # A handful of categories for a page of reports: look each up once.
        if category_id not in self._category_cache:
            category = get_category(category_id)
            if category is None:
                self._category_cache[category_id] = (category_id, None)
            else:
                self._category_cache[category_id] = (
                    category.title or category_id,
                    category.kind,
                )
        return self._category_cache[category_id]

    def _state_title(self, state):
        if state not in self._state_titles:
            self._state_titles[state] = translate(
                state_title(state), context=self.request
            )
        return self._state_titles[state]

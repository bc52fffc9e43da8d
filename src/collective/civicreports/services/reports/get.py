"""``GET <report folder>/@reports``: search and list the reports of a
folder, batched as plone.restapi batches its listings.

Built from catalog metadata (and the categories in the registry), never
from the report objects: the list stays fast with many reports, and the
personal data, which is not in the metadata, cannot slip into it."""

from collective.civicreports.categories.registry import all_categories
from collective.civicreports.categories.registry import CATEGORY_ID_RE
from collective.civicreports.categories.registry import get_category
from collective.civicreports.categories.registry import KINDS
from collective.civicreports.reports.queries import public_query
from collective.civicreports.reports.queries import PUBLIC_STATES
from collective.civicreports.reports.timeline import state_title
from DateTime import DateTime
from plone import api
from plone.restapi.batching import HypermediaBatch
from plone.restapi.serializer.converters import json_compatible
from plone.restapi.services import Service
from Products.ZCTextIndex.ParseTree import ParseError
from zope.i18n import translate

import re


WORKFLOW = "civicreport_workflow"
MODERATE = "collective.civicreports: Moderate reports"
ANSWER = "collective.civicreports: Answer reports"
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class BadParameter(ValueError):
    """A query parameter that cannot be understood; the message says why."""


def is_staff(folder):
    """Whether the current user handles reports of ``folder``: moderators
    and answerers hold a permission on the folder itself, while office
    members only get their role on the reports assigned to them, so their
    groups are compared with the offices of the categories."""
    if api.user.is_anonymous():
        return False
    if api.user.has_permission(MODERATE, obj=folder) or api.user.has_permission(
        ANSWER, obj=folder
    ):
        return True
    offices = {category.office for _id, category in all_categories()} - {None, ""}
    user = api.user.get_current()
    groups = {group.getId() for group in api.group.get_groups(user=user)}
    return bool(offices & groups)


def workflow_states():
    workflow = api.portal.get_tool("portal_workflow").getWorkflowById(WORKFLOW)
    return tuple(workflow.states.objectIds()) if workflow is not None else ()


def _param(form, name):
    value = form.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadParameter(f"{name}: give this parameter once.")
    return value.strip() or None


def _int(form, name, minimum):
    value = _param(form, name)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise BadParameter(f"{name}: {value!r} is not an integer.") from None
    if number < minimum:
        raise BadParameter(f"{name}: must be at least {minimum}.")
    return number


def _date(name, value):
    # queries._date_range reads anything DateTime reads, and quietly drops
    # what it cannot: an API says no instead of answering another question.
    if not ISO_DATE_RE.match(value):
        raise BadParameter(f"{name}: {value!r} is not a date as 2024-05-31.")
    try:
        DateTime(value)
    except Exception:
        raise BadParameter(f"{name}: {value!r} is not a valid date.") from None
    return value


def parse_filters(form, staff):
    """The arguments of ``public_query`` for the request. Raises
    BadParameter for any value the list cannot use."""
    filters = {}
    category = _param(form, "category")
    if category:
        # Only the form is checked: a removed category keeps its reports.
        if not CATEGORY_ID_RE.match(category):
            raise BadParameter(f"category: {category!r} is not a category id.")
        filters["category"] = category
    kind = _param(form, "kind")
    if kind:
        if kind not in KINDS:
            raise BadParameter(f"kind: {kind!r} is not one of {', '.join(KINDS)}.")
        filters["kind"] = kind
    state = _param(form, "state")
    if state:
        allowed = workflow_states() if staff else PUBLIC_STATES
        if state not in allowed:
            raise BadParameter(f"state: {state!r} is not one of {', '.join(allowed)}.")
        filters["state"] = state
    text = _param(form, "text")
    if text:
        filters["text"] = text
    for name in ("start", "end"):
        value = _param(form, name)
        if value:
            filters[name] = _date(name, value)
    # HypermediaBatch reads these itself; checked here for a clear 400.
    _int(form, "b_start", 0)
    _int(form, "b_size", 1)
    return filters


def _coordinate(value):
    return value if isinstance(value, (int, float)) else None


class ReportsSearchGet(Service):
    """The reports of the folder, newest first. Everybody gets the public
    ones; the staff also those they may see in any state (the catalog
    applies the View permission, so an office sees only its own)."""

    def reply(self):
        staff = is_staff(self.context)
        try:
            filters = parse_filters(self.request.form, staff)
        except BadParameter as error:
            return self._bad_request(str(error))
        query = public_query(self.context, **filters)
        if query is None:
            return self._bad_request(
                f"text: {filters['text']!r} has no word to search for."
            )
        if staff:
            # The same filters, without the limits of the public list.
            del query["report_confidential"]
            query["review_state"] = filters.get("state") or list(workflow_states())
        # The created index keeps minutes only: the tracking number, given
        # in order, keeps the order stable within a minute, and so the pages.
        query["sort_on"] = ["created", "tracking_number"]
        query["sort_order"] = ["descending", "descending"]
        catalog = api.portal.get_tool("portal_catalog")
        try:
            brains = catalog.searchResults(**query)
        except ParseError:
            return self._bad_request(
                f"text: {filters['text']!r} is not a valid search."
            )
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

    def _bad_request(self, message):
        self.request.response.setStatus(400)
        return {"error": {"type": "BadRequest", "message": message}}

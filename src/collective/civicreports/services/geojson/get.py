"""``GET <report folder>/@reports-geojson``: the public reports as GeoJSON,
for maps. Built from catalog metadata only, so that it stays fast with many
thousands of reports, and cacheable with an ETag and Last-Modified."""

from collections import OrderedDict
from collective.civicreports import _
from collective.civicreports.categories.registry import all_categories
from collective.civicreports.categories.registry import CATEGORY_ID_RE
from collective.civicreports.categories.registry import get_category
from collective.civicreports.geo.cells import cells_covering
from collective.civicreports.geo.mapindex import CATEGORY
from collective.civicreports.geo.mapindex import feature_text
from collective.civicreports.geo.mapindex import LATITUDE
from collective.civicreports.geo.mapindex import LONGITUDE
from collective.civicreports.geo.mapindex import MODIFIED
from collective.civicreports.geo.mapindex import PATH
from collective.civicreports.geo.mapindex import records
from collective.civicreports.geo.mapindex import STATE
from collective.civicreports.inputs import params
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.reports.timeline import state_title
from collective.civicreports.reports.workflow import PUBLIC_STATES
from DateTime import DateTime
from email.utils import formatdate
from email.utils import parsedate_to_datetime
from plone import api
from plone.restapi.services import Service
from zope.i18n import translate

import hashlib
import json
import threading


CONTENT_TYPE = "application/geo+json; charset=utf-8"
# The answer depends on the user (authentication) and on the language of
# the state titles; the service only answers to ``Accept: application/json``.
VARY = "Accept, Accept-Language, Authorization, Cookie"
NOT_A_CATEGORY = _("This is not the id of a category.")


def parse_filters(form):
    """The filters of the query parameters. Empty parameters are ignored;
    raises BadInput for invalid ones."""
    bbox = params.one(form, "bbox")
    category = params.one(form, "category")
    filters = {"bbox": params.bbox(bbox) if bbox else None}
    if category:
        # Only the form is checked: the reports of a removed category keep
        # its id, and a map may still ask for them.
        if not CATEGORY_ID_RE.match(category):
            raise BadInput("category", NOT_A_CATEGORY)
        filters["category"] = category
    state = params.choice(form, "state", PUBLIC_STATES)
    if state:
        filters["state"] = state
    since = params.iso_moment(form, "since")
    if since:
        filters["since"] = DateTime(since.isoformat()).micros()
    return filters


def _json(value):
    return json.dumps(value, ensure_ascii=False)


def _etag_matches(header, etag):
    candidates = [item.strip() for item in header.split(",")]
    return "*" in candidates or any(
        candidate.removeprefix("W/") == etag for candidate in candidates
    )


def _not_modified_since(header, last_modified):
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    # HTTP dates have whole seconds.
    return since.timestamp() >= int(last_modified)


# Bodies already built, by ETag: an unchanged catalog gives the same answer.
_BODIES = OrderedDict()
_BODIES_LOCK = threading.Lock()
MAX_BODIES = 16


class ReportsGeoJSONGet(Service):
    """The public reports of the folder that have a place, as a GeoJSON
    FeatureCollection. Optional parameters: ``bbox``, ``category``,
    ``state``, ``since``. Whatever the user may see, only public and not
    confidential reports are listed, with public data only.

    The reports come from the ``report_map`` index, which holds only the
    public, not confidential reports with a place: the query needs no
    security filter, and a box is found by the grid cells it covers, in time
    that follows the reports in the box. Each report's feature is read
    ready-made from the index (see ``mapfeatures``)."""

    def render(self):
        # The body is GeoJSON text we build ourselves, not a structure for
        # Service.render to encode.
        self.check_permission()
        try:
            filters = parse_filters(self.request.form)
        except BadInput as error:
            return self._bad_request(error)
        response = self.request.response
        etag = self._etag()
        response.setHeader("ETag", etag)
        response.setHeader(
            "Cache-Control",
            # Staff revalidate at every request, cheaply with the ETag.
            "public, max-age=60" if api.user.is_anonymous() else "private, no-cache",
        )
        response.setHeader("Vary", VARY)
        with _BODIES_LOCK:
            cached = _BODIES.get(etag)
        if cached is None:
            cached = self._build(filters)
            with _BODIES_LOCK:
                _BODIES[etag] = cached
                while len(_BODIES) > MAX_BODIES:
                    _BODIES.popitem(last=False)
        body, last_modified = cached
        if last_modified is not None:
            response.setHeader("Last-Modified", formatdate(last_modified, usegmt=True))
        if self._not_modified(etag, last_modified):
            response.setStatus(304)
            return ""
        response.setHeader("Content-Type", CONTENT_TYPE)
        return body

    def _etag(self):
        """Everything the body depends on, without reading a report: the
        catalog's change counter, the query, the folder, the language (of
        the state titles) and the categories (their titles)."""
        catalog = api.portal.get_tool("portal_catalog")
        categories = "|".join(
            f"{key}={category.title}" for key, category in all_categories()
        )
        # The counter's serial changes with every commit that touches the
        # catalog, even when an undo brings the counter back to a value.
        value = catalog.getCounter()  # also loads the counter: a ghost has no serial
        counter = getattr(catalog, "_counter", None)
        serial = getattr(counter, "_p_serial", b"").hex()
        parts = (
            f"{value}:{serial}",
            self.request.get("QUERY_STRING", ""),
            self.context.absolute_url(),
            str(self.request.get("LANGUAGE", "")),
            categories,
        )
        return '"' + hashlib.sha1("\n".join(parts).encode()).hexdigest() + '"'

    def _build(self, filters):
        """(body, newest modification in seconds or None)."""
        catalog = api.portal.get_tool("portal_catalog")
        bbox = filters["bbox"]
        category, state, since = (
            filters.get(k) for k in ("category", "state", "since")
        )
        folder = "/".join(self.context.getPhysicalPath()) + "/"
        site = api.portal.get()
        url_prefix = (
            len("/".join(site.getPhysicalPath())),
            json.dumps(site.absolute_url(), ensure_ascii=False)[1:-1],
        )
        category_titles = {}
        state_titles = {}
        features = []
        newest = 0
        for record in records(catalog, cells_covering(*bbox) if bbox else None):
            if bbox and not (
                bbox[0] <= record[LONGITUDE] <= bbox[2]
                and bbox[1] <= record[LATITUDE] <= bbox[3]
            ):
                continue
            if not record[PATH].startswith(folder):
                continue
            if category and record[CATEGORY] != category:
                continue
            if state and record[STATE] != state:
                continue
            if since and record[MODIFIED] < since:
                continue
            newest = max(newest, record[MODIFIED])
            if record[CATEGORY] not in category_titles:
                category_titles[record[CATEGORY]] = _json(
                    self._category_title(record[CATEGORY])
                )
            if record[STATE] not in state_titles:
                state_titles[record[STATE]] = _json(self._state_title(record[STATE]))
            features.append(
                feature_text(
                    record,
                    category_titles[record[CATEGORY]],
                    state_titles[record[STATE]],
                    url_prefix,
                )
            )
        body = '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
        return body, newest / 1_000_000 if features else None

    def _not_modified(self, etag, last_modified):
        if_none_match = self.request.getHeader("If-None-Match")
        if if_none_match:
            # When both are given, If-None-Match decides (RFC 9110, 13.2.2).
            return _etag_matches(if_none_match, etag)
        if_modified_since = self.request.getHeader("If-Modified-Since")
        # Reports that left the list do not move Last-Modified: clients
        # that send the ETag are told of that too.
        if if_modified_since and last_modified is not None:
            return _not_modified_since(if_modified_since, last_modified)
        return False

    def _category_title(self, category_id):
        category = get_category(category_id)
        return (category.title if category is not None else None) or category_id

    def _state_title(self, state):
        return translate(state_title(state), context=self.request)

    def _bad_request(self, error):
        # render() answers text: the error too.
        body = params.bad_request(self.request, error)
        self.request.response.setHeader("Content-Type", "application/json")
        return json.dumps(body, separators=(",", ":"))

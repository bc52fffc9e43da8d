"""``GET <report folder>/@reports-geojson``: the public reports as GeoJSON,
for maps. Built from catalog metadata only, so that it stays fast with many
thousands of reports, and cacheable with an ETag and Last-Modified."""

from collective.civicreports.categories import CATEGORY_ID_RE
from collective.civicreports.categories import get_category
from collective.civicreports.queries import public_query
from collective.civicreports.queries import PUBLIC_STATES
from collective.civicreports.timeline import state_title
from DateTime import DateTime
from email.utils import formatdate
from email.utils import parsedate_to_datetime
from plone import api
from plone.restapi.services import Service
from zope.i18n import translate

import hashlib
import json
import math
import re


CONTENT_TYPE = "application/geo+json; charset=utf-8"
# The answer depends on the user (authentication) and on the language of
# the state titles; the service only answers to ``Accept: application/json``.
VARY = "Accept, Accept-Language, Authorization, Cookie"
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")


class BadParameter(ValueError):
    """A query parameter that cannot be understood; the message says why."""


def parse_filters(form):
    """The catalog criteria for the query parameters of the request.
    Empty parameters are ignored; raises BadParameter for invalid ones."""
    bbox = _param(form, "bbox")
    category = _param(form, "category")
    state = _param(form, "state")
    since = _param(form, "since")
    filters = {}
    if bbox:
        min_lon, min_lat, max_lon, max_lat = _bbox(bbox)
    else:
        # Reports without coordinates are not in these indexes at all, so
        # the whole world as a range leaves them out.
        min_lon, min_lat, max_lon, max_lat = -180.0, -90.0, 180.0, 90.0
    filters["longitude"] = {"query": (min_lon, max_lon), "range": "min:max"}
    filters["latitude"] = {"query": (min_lat, max_lat), "range": "min:max"}
    if category:
        # Only the form is checked: the reports of a removed category keep
        # its id, and a map may still ask for them.
        if not CATEGORY_ID_RE.match(category):
            raise BadParameter(f"category: {category!r} is not a category id.")
        filters["report_category"] = category
    if state:
        if state not in PUBLIC_STATES:
            raise BadParameter(
                f"state: {state!r} is not one of {', '.join(PUBLIC_STATES)}."
            )
        filters["review_state"] = state
    if since:
        filters["modified"] = {"query": _date(since), "range": "min"}
    return filters


def _param(form, name):
    value = form.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadParameter(f"{name}: give this parameter once.")
    return value.strip()


def _bbox(value):
    parts = value.split(",")
    if len(parts) != 4:
        raise BadParameter(
            "bbox: give four numbers, minLon,minLat,maxLon,maxLat "
            f"(got {len(parts)} values)."
        )
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        raise BadParameter(
            "bbox: minLon,minLat,maxLon,maxLat must be numbers."
        ) from None
    # float() accepts "nan" and "inf", which no range query can use.
    if not all(math.isfinite(number) for number in numbers):
        raise BadParameter("bbox: minLon,minLat,maxLon,maxLat must be finite numbers.")
    min_lon, min_lat, max_lon, max_lat = numbers
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise BadParameter("bbox: longitudes must be between -180 and 180.")
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise BadParameter("bbox: latitudes must be between -90 and 90.")
    if min_lon > max_lon or min_lat > max_lat:
        raise BadParameter(
            "bbox: the minimum longitude and latitude must not be greater "
            "than the maximum ones."
        )
    return numbers


def _date(value):
    # DateTime reads many things as dates (a bare time zone name is "now"
    # in that zone): only ISO dates, with or without a time, are taken.
    if not ISO_DATE_RE.match(value):
        raise BadParameter(
            f"since: {value!r} is not an ISO 8601 date, e.g. 2024-05-31 "
            "or 2024-05-31T08:00:00+02:00."
        )
    try:
        return DateTime(value)
    except Exception:
        raise BadParameter(f"since: {value!r} is not a valid date.") from None


def _iso(date):
    # Dates without a zone are in the server's zone: say which one.
    if date.timezoneNaive():
        date = date.toZone(date.localZone())
    return date.ISO8601()


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


class ReportsGeoJSONGet(Service):
    """The public reports of the folder that have a place, as a GeoJSON
    FeatureCollection. Optional parameters: ``bbox``, ``category``,
    ``state``, ``since``. Whatever the user may see, only public and not
    confidential reports are listed, with public data only."""

    def render(self):
        # The body is GeoJSON text we build ourselves, not a structure for
        # Service.render to encode.
        self.check_permission()
        try:
            filters = parse_filters(self.request.form)
        except BadParameter as error:
            return self._bad_request(str(error))
        self._category_titles = {}
        self._state_titles = {}
        brains = [
            brain
            for brain in self._search(filters)
            # The index ranges leave these out already; metadata is the
            # source of the coordinates, so make sure.
            if brain.latitude is not None and brain.longitude is not None
        ]
        response = self.request.response
        etag, last_modified = self._validators(brains)
        response.setHeader("ETag", etag)
        if last_modified is not None:
            response.setHeader("Last-Modified", formatdate(last_modified, usegmt=True))
        anonymous = api.user.is_anonymous()
        response.setHeader(
            "Cache-Control",
            # Staff revalidate at every request, cheaply with the ETag.
            "public, max-age=60" if anonymous else "private, no-cache",
        )
        response.setHeader("Vary", VARY)
        if self._not_modified(etag, last_modified):
            response.setStatus(304)
            return ""
        collection = {
            "type": "FeatureCollection",
            "features": [self._feature(brain) for brain in brains],
        }
        response.setHeader("Content-Type", CONTENT_TYPE)
        return json.dumps(collection, separators=(",", ":"), ensure_ascii=False)

    def _search(self, filters):
        query = public_query(self.context)
        query.update(filters)
        # searchResults applies the user's permissions; the query itself
        # keeps out what is not public, for the staff too.
        return api.portal.get_tool("portal_catalog").searchResults(**query)

    def _validators(self, brains):
        """The ETag and the newest modification time (seconds or None).

        The ETag covers everything the body is made of: the reports (their
        place in the site, state, category and modification date, which
        changes on every edit), the titles shown for states and categories
        (translated, or renamed in the control panel) and the site's URL.
        It costs a pass over metadata, much less than building the body."""
        digest = hashlib.sha1(self.context.absolute_url().encode())
        newest = None
        for brain in brains:
            modified = brain.modified.micros()
            newest = modified if newest is None else max(newest, modified)
            state, category = brain.review_state, brain.report_category
            row = (
                f"\n{brain.getPath()}|{brain.tracking_number}|{state}|"
                f"{category}|{modified}|{self._state_title(state)}|"
                f"{self._category_title(category)}"
            )
            digest.update(row.encode())
        last_modified = None if newest is None else newest / 1_000_000
        return f'"{digest.hexdigest()}"', last_modified

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

    def _feature(self, brain):
        state, category = brain.review_state, brain.report_category
        return {
            "type": "Feature",
            "id": brain.tracking_number,
            "geometry": {
                "type": "Point",
                "coordinates": [
                    round(float(brain.longitude), 6),
                    round(float(brain.latitude), 6),
                ],
            },
            # Public data only: never the description or the reporter.
            "properties": {
                "tracking_number": brain.tracking_number,
                "title": brain.Title,
                "category": category,
                "category_title": self._category_title(category),
                "state": state,
                "state_title": self._state_title(state),
                "created": _iso(brain.created),
                "url": brain.getURL(),
            },
        }

    def _category_title(self, category_id):
        # A handful of categories for thousands of reports: look each up once.
        if category_id not in self._category_titles:
            category = get_category(category_id)
            title = category.title if category is not None else None
            self._category_titles[category_id] = title or category_id
        return self._category_titles[category_id]

    def _state_title(self, state):
        if state not in self._state_titles:
            self._state_titles[state] = translate(
                state_title(state), context=self.request
            )
        return self._state_titles[state]

    def _bad_request(self, message):
        response = self.request.response
        response.setStatus(400)
        response.setHeader("Content-Type", "application/json")
        error = {"error": {"type": "BadRequest", "message": message}}
        return json.dumps(error, separators=(",", ":"))

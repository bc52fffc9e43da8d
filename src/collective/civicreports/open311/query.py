"""``GET requests``: the public reports as Open311 service requests.

Only what the public pages show: public states, never confidential
reports, the moderated (redacted) description, published photos. Nothing
of the reporter, whatever the spec's optional fields would allow.
"""

from collective.civicreports import _
from collective.civicreports.categories.registry import get_category
from collective.civicreports.inputs import params
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.reports.dates import aware
from collective.civicreports.reports.dates import iso
from collective.civicreports.reports.moderation import is_published
from collective.civicreports.reports.moderation import photos
from collective.civicreports.reports.offices import group_title
from collective.civicreports.reports.offices import office_id
from collective.civicreports.reports.workflow import ASSIGNED
from collective.civicreports.reports.workflow import CLOSED
from collective.civicreports.reports.workflow import OPEN_STATES
from collective.civicreports.reports.workflow import PUBLIC_STATES
from collective.civicreports.sla.deadlines import answer_deadline
from collective.civicreports.sla.levels import category_policy
from collective.civicreports.sla.levels import policy
from collective.civicreports.sla.levels import report_sla
from DateTime import DateTime
from datetime import datetime
from plone import api


MAX_REQUESTS = 1000
DEFAULT_DAYS = 90
STATUSES = {"open": list(OPEN_STATES), "closed": [CLOSED]}
NOT_A_STATUS = _("${value} is not 'open' or 'closed'.")


def _values(form, name):
    """A parameter that may be repeated, or comma delimited."""
    value = form.get(name)
    items = value if isinstance(value, list) else [value]
    parts = ",".join(item for item in items if isinstance(item, str)).split(",")
    return [part.strip() for part in parts if part.strip()]


def _date(form, name):
    moment = params.iso_moment(form, name)
    return DateTime(moment.isoformat()) if moment is not None else None


def catalog_query(root, form):
    """The catalog query of the request parameters; BadInput if one is
    wrong."""
    query = {
        "portal_type": "Report",
        "path": "/".join(root.getPhysicalPath()),
        "review_state": list(PUBLIC_STATES),
        "report_confidential": False,
        "sort_on": "created",
        "sort_order": "descending",
        "sort_limit": MAX_REQUESTS,
    }
    numbers = _values(form, "service_request_id")
    if numbers:
        # The spec: with ids, every other argument is ignored.
        query["tracking_number"] = numbers
        return query
    codes = _values(form, "service_code")
    if codes:
        query["report_category"] = codes
    statuses = _values(form, "status")
    if statuses:
        unknown = [status for status in statuses if status not in STATUSES]
        if unknown:
            raise BadInput("status", _(NOT_A_STATUS, mapping={"value": unknown[0]}))
        query["review_state"] = sorted(
            {state for status in statuses for state in STATUSES[status]}
        )
    start, end = _date(form, "start_date"), _date(form, "end_date")
    if start is None:
        start = (end or DateTime()) - DEFAULT_DAYS
    if end is None:
        query["created"] = {"query": start, "range": "min"}
    else:
        query["created"] = {"query": (start, end), "range": "min:max"}
    return query


# mySociety's extended statuses (``extensions=true``), as FixMyStreet's
# Open311 clients read them.
DETAILED_STATUSES = {
    "fixed": "FIXED",
    "not_competent": "NOT_COUNCILS_RESPONSIBILITY",
    "referred": "INTERNAL_REFERRAL",
    "no_action": "NO_FURTHER_ACTION",
    "duplicate": "DUPLICATE",
}


def detailed_status(resolution, state):
    if state == CLOSED:
        return DETAILED_STATUSES.get(resolution, "CLOSED")
    return "IN_PROGRESS" if state == ASSIGNED else "OPEN"


def search(root, form):
    """The service requests (dicts) matching the parameters, newest first;
    with ``extensions=true``, each with its extended status."""
    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog.searchResults(**catalog_query(root, form))[:MAX_REQUESTS]
    return from_catalog(catalog, brains, form.get("extensions") == "true")


def find(root, number, extended=False):
    """The public service request with this number, or None."""
    result = search(
        root, {"service_request_id": number, "extensions": "true" if extended else ""}
    )
    return result[0] if len(result) == 1 else None


def published_photos(catalog, paths):
    """The paths of the published photos of the public reports at these
    paths. A published photo takes its report's View permission, which
    gives it to Anonymous; an unpublished one keeps it for the staff: the
    photos' security index tells them apart without waking them, and
    follows every change of a photo (``set_photo_published`` reindexes
    it)."""
    if not paths:
        return frozenset()
    found = catalog.unrestrictedSearchResults(
        portal_type="Image",
        path={"query": paths, "depth": 1},
        allowedRolesAndUsers="Anonymous",
    )
    return frozenset(brain.getPath() for brain in found)


def _public(brain):
    # Missing before the upgrade adds the column, None before it is filled.
    public = getattr(brain, "report_public", None)
    return public if isinstance(public, dict) else {}


def _moment(text):
    return datetime.fromisoformat(text) if text else None


class _Services:
    """What the requests of one answer share, read once: the categories'
    names and offices (each a registry look-up), their terms to answer,
    the offices' titles."""

    def __init__(self):
        self.site = policy()
        self.services = {}
        self.agencies = {}

    def service(self, code):
        """(name, office, policy) of a category."""
        if code not in self.services:
            category = get_category(code)
            self.services[code] = (
                category.title if category is not None else code,
                category.office if category is not None else None,
                category_policy(code, self.site),
            )
        return self.services[code]

    def agency(self, office):
        if office not in self.agencies:
            self.agencies[office] = group_title(office)
        return self.agencies[office]


def from_catalog(catalog, brains, extended=False):
    """The service requests of these brains, as ``service_request`` makes
    them of the reports, but from the catalog's metadata, so that the cost
    follows the requests listed and no report is woken. A report the
    catalog has no ``report_public`` for (an upgrade not run yet) is woken
    and answered as before."""
    rows = [(brain, _public(brain)) for brain in brains]
    published = published_photos(
        catalog, [brain.getPath() for brain, public in rows if public.get("photos")]
    )
    services = _Services()
    found = []
    for brain, public in rows:
        if not public:
            found.append(service_request(brain.getObject(), extended))
            continue
        code = brain.report_category
        name, office, terms = services.service(code)
        state = brain.review_state
        # The deadline to answer runs from when the report was received,
        # whatever its state (``report_sla``).
        received = _moment(brain.report_received) or aware(brain.created)
        media = ""
        if public["photos"]:
            path = brain.getPath()
            for photo in public["photos"]:
                if f"{path}/{photo}" in published:
                    media = brain.REQUEST.physicalPathToURL(f"{path}/{photo}")
                    media += "/@@images/image"
                    break
        request = {
            "service_request_id": brain.tracking_number,
            "status": "closed" if state == CLOSED else "open",
            "status_notes": public["answer"] or "",
            "service_name": name,
            "service_code": code,
            "description": public["description"] or "",
            "agency_responsible": services.agency(brain.report_office or office),
            "service_notice": "",
            "requested_datetime": public["created"],
            "updated_datetime": public["modified"],
            "expected_datetime": iso(answer_deadline(received, terms)),
            "address": public["address"] or "",
            "address_id": "",
            "zipcode": "",
            "lat": public["latitude"],
            "long": public["longitude"],
            "media_url": media,
        }
        if extended:
            request["extended_attributes"] = {
                "detailed_status": detailed_status(brain.report_resolution, state)
            }
        found.append(request)
    return found


def media_url(report):
    for photo in photos(report):
        if is_published(photo):
            return photo.absolute_url() + "/@@images/image"
    return ""


def service_request(report, extended=False):
    """The service request of a report, read from the report itself: what
    ``from_catalog`` must give too."""
    state = api.content.get_state(report)
    category = get_category(report.category)
    geolocation = getattr(report, "geolocation", None)
    latitude = getattr(geolocation, "latitude", None)
    longitude = getattr(geolocation, "longitude", None)
    found = {
        "service_request_id": report.tracking_number,
        "status": "closed" if state == CLOSED else "open",
        "status_notes": report.answer or "",
        "service_name": category.title if category is not None else report.category,
        "service_code": report.category,
        "description": report.description or "",
        "agency_responsible": group_title(office_id(report)),
        "service_notice": "",
        "requested_datetime": iso(report.created()),
        "updated_datetime": iso(report.modified()),
        "expected_datetime": iso(report_sla(report, state)["answer"].deadline),
        "address": report.address or "",
        "address_id": "",
        "zipcode": "",
        "lat": latitude,
        "long": longitude,
        "media_url": media_url(report),
    }
    if extended:
        found["extended_attributes"] = {
            "detailed_status": detailed_status(
                getattr(report, "resolution", None), state
            )
        }
    return found

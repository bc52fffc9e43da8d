"""``POST requests``: a service request becomes a report.

The request goes through the same ``validate`` as the form and the REST
API, as an anonymous citizen's would, and through the same workflow and
mails (``create_and_commit``). What differs is decided here, for the key:
the channel is the key's, and a key may post to any active category (the
municipality gave it to an application it trusts).
"""

from collective.civicreports.categories import active_categories
from collective.civicreports.categories import get_category
from collective.civicreports.submission import create_and_commit
from collective.civicreports.submission import SubmissionError
from collective.civicreports.submission import validate
from plone import api
from ZODB.POSException import ConflictError
from zope.i18n import translate

import logging
import transaction


logger = logging.getLogger(__name__)

MAX_DESCRIPTION = 4000  # the spec's limit
TITLE_LENGTH = 60
DEFAULT_TITLE = "Open311 request"

# Our field names, as the client knows them.
FIELDS = {
    "category": "service_code",
    "title": "description",
    "description": "description",
    "latitude": "lat",
    "longitude": "long",
    "address": "address_string",
    "reporter.fullname": "first_name",
    "reporter.email": "email",
    "reporter.phone": "phone",
    "privacy_consent": "",
}


class Invalid(ValueError):
    """The request cannot become a report: the descriptions say why."""

    def __init__(self, descriptions):
        super().__init__(descriptions)
        self.descriptions = descriptions


def _text(form, name):
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def report_folder(root):
    """Where the reports of the API go: the first report folder."""
    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog.unrestrictedSearchResults(
        portal_type="ReportFolder",
        path="/".join(root.getPhysicalPath()),
        sort_on="path",
    )
    return brains[0]._unrestrictedGetObject() if brains else None


def to_submission_data(form):
    """The data for ``validate``, or Invalid for what the spec itself
    requires."""
    code = _text(form, "service_code")
    category = get_category(code)
    if category is None or not category.active:
        raise Invalid([f"service_code: {code!r} is not an available service."])
    latitude, longitude = _text(form, "lat"), _text(form, "long")
    # We have no address ids: an id is taken as the address itself.
    address = _text(form, "address_string") or _text(form, "address_id")
    if not (latitude and longitude) and not address:
        raise Invalid(
            ["A location is required: lat and long, or address_string, or address_id."]
        )
    description = _text(form, "description")
    if len(description) > MAX_DESCRIPTION:
        raise Invalid(
            [f"description: at most {MAX_DESCRIPTION} characters are allowed."]
        )
    fullname = " ".join(
        part for part in (_text(form, "first_name"), _text(form, "last_name")) if part
    )
    return {
        "category": code,
        "title": " ".join(description.split())[:TITLE_LENGTH].strip() or DEFAULT_TITLE,
        "description": description,
        "latitude": latitude or None,
        "longitude": longitude or None,
        "address": address,
        "reporter": {
            "fullname": fullname,
            "email": _text(form, "email"),
            "phone": _text(form, "phone"),
        },
        # The client collects the consent: the terms of the key say so.
        "privacy_consent": True,
    }


def submit(folder, form, key, request):
    """Create the report; returns it, or raises Invalid."""
    data = to_submission_data(form)
    try:
        submission = validate(folder, data)
    except SubmissionError as error:
        # The category exists and is active (checked above): what validate
        # says of it is that anonymous users may not use it, and a key may.
        messages = [
            _describe(name, message, request)
            for name, message in error.errors
            if name != "category"
        ]
        if messages:
            raise Invalid(messages) from None
        submission = _validate_as_key(folder, data)
    # validate leaves non-web channels to the staff; the key stands for it.
    submission.channel = key.channel or "api"
    report = create_and_commit(folder, submission)
    _note_media(report, _text(form, "media_url"))
    return report


def _validate_as_key(folder, data):
    """Validate a request to a category closed to anonymous citizens.

    Only the category's anonymous rule stopped it. Its other rule that
    validate reads is the territory: the same data with an open category of
    the same territory rule gets exactly the same checks, and the real
    category is put back afterwards. validate itself stays as strict as it
    is for every other caller.
    """
    category = get_category(data["category"])
    stand_in = next(
        (
            key
            for key, other in active_categories()
            if other.allow_anonymous
            and other.within_territory == category.within_territory
        ),
        None,
    )
    if stand_in is None:
        raise Invalid([f"service_code: {data['category']!r} is not available."])
    submission = validate(folder, dict(data, category=stand_in))
    submission.category = data["category"]
    return submission


def _describe(name, message, request):
    field = FIELDS.get(name, name)
    text = translate(message, context=request)
    return f"{field}: {text}" if field else text


def _note_media(report, url):
    """The spec lets clients send a photo by address. Fetching it would make
    the server download whatever a client names, so the address is only
    noted for the staff, who decide whether to look."""
    if not url:
        return
    report.internal_notes = f"Open311 media_url: {url}"
    try:
        transaction.commit()
    except ConflictError:
        transaction.abort()
        logger.warning("media_url of %s not recorded: %s", report.getId(), url)

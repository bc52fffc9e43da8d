"""``POST requests``: a service request becomes a report.

The request goes through the same ``validate`` as the form and the REST
API, as an anonymous citizen's would, and through the same workflow and
mails (``create_and_commit``). What differs is decided here, for the key:
the channel is the key's, and a key may post to any active category (the
municipality gave it to an application it trusts). The service's
attributes are the category's extra questions.
"""

from collective.civicreports import _
from collective.civicreports.categories.registry import get_category
from collective.civicreports.inputs.form import value as form_value
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.reports.submission import create_and_commit
from collective.civicreports.reports.submission import Entry
from collective.civicreports.reports.submission import SubmissionError
from collective.civicreports.reports.submission import validate
from plone import api
from plone.uuid.interfaces import IUUID
from ZODB.POSException import ConflictError
from zope.globalrequest import getRequest
from zope.i18n import translate

import logging
import re
import transaction


logger = logging.getLogger(__name__)

MAX_DESCRIPTION = 4000  # the spec's limit
TITLE_LENGTH = 60
DEFAULT_TITLE = "Open311 request"
UID_RE = re.compile(r"^[0-9a-f]{32}$")
ATTRIBUTE_RE = re.compile(r"^attribute\[([^\]]*)\](\[\])?$")

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
    try:
        return form_value(form, name).strip()
    except BadInput as error:
        message = translate(error.message, context=getRequest())
        raise Invalid([f"{name}: {message}"]) from None


def report_folder(root):
    """Where the reports of the API go: the first report folder."""
    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog.unrestrictedSearchResults(
        portal_type="ReportFolder",
        path="/".join(root.getPhysicalPath()),
        sort_on="path",
    )
    return brains[0]._unrestrictedGetObject() if brains else None


def entry_from_form(form):
    """The Entry of a service request, or Invalid for what the spec itself
    requires."""
    code = _text(form, "service_code")
    category = get_category(code)
    if category is None or not category.active:
        raise Invalid(
            [
                _(
                    "service_code: ${code} is not an available service.",
                    mapping={"code": code},
                )
            ]
        )
    latitude, longitude = _text(form, "lat"), _text(form, "long")
    # We have no address ids: an id is taken as the address itself.
    address = _text(form, "address_string") or _text(form, "address_id")
    if not (latitude and longitude) and not address:
        raise Invalid(
            [
                _(
                    "A location is required: lat and long, or address_string, "
                    "or address_id."
                )
            ]
        )
    description = _text(form, "description")
    if len(description) > MAX_DESCRIPTION:
        raise Invalid(
            [
                _(
                    "description: at most ${count} characters are allowed.",
                    mapping={"count": MAX_DESCRIPTION},
                )
            ]
        )
    fullname = " ".join(
        part for part in (_text(form, "first_name"), _text(form, "last_name")) if part
    )
    return Entry(
        category=code,
        title=" ".join(description.split())[:TITLE_LENGTH].strip() or DEFAULT_TITLE,
        description=description,
        latitude=latitude or None,
        longitude=longitude or None,
        address=address,
        fullname=fullname,
        email=_text(form, "email"),
        phone=_text(form, "phone"),
        answers=attributes(form),
        # The client collects the consent: the terms of the key say so.
        privacy_consent=True,
    )


def submit(folder, form, key, request):
    """Create the report; returns it, or raises Invalid."""
    entry = entry_from_form(form)
    try:
        # A key may post to the categories closed to anonymous citizens.
        submission = validate(folder, entry, trusted=True)
    except SubmissionError as error:
        raise Invalid(
            [_describe(name, message, request) for name, message in error.errors]
        ) from None
    media_url = _text(form, "media_url")
    # validate leaves non-web channels to the staff; the key stands for it.
    submission.channel = key.channel or "api"
    report = create_and_commit(folder, submission)
    _note_media(report, media_url)
    return report


def attributes(form):
    """The answers to the service's attributes: ``attribute[code]``, and
    ``attribute[code][]`` repeated for a multivaluelist, as the spec has
    them."""
    answers = {}
    for name, value in form.items():
        match = ATTRIBUTE_RE.match(name)
        if match is None:
            continue
        code = match.group(1)
        values = value if isinstance(value, list) else [value]
        answers[code] = answers.get(code, []) + values
    return {
        code: values[0] if len(values) == 1 else values
        for code, values in answers.items()
    }


def _describe(name, message, request):
    if name.startswith("answers."):
        field = f"attribute[{name.removeprefix('answers.')}]"
    else:
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


def token_of(report):
    """The token of a posted request: the report's UID. Only its poster
    and the staff know it (the public pages never show a UID of a report
    that is not public)."""
    return IUUID(report)


def number_of_token(root, token):
    """The tracking number of the report with this token, or None."""
    if not isinstance(token, str) or not UID_RE.match(token):
        return None
    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog.unrestrictedSearchResults(
        UID=token, portal_type="Report", path="/".join(root.getPhysicalPath())
    )
    return brains[0].tracking_number if len(brains) == 1 else None

"""Validation and creation of a report submitted by a citizen or an operator.

Shared by every way in (REST today, forms and Open311 later) so that the
rules, and the messages, are the same everywhere.
"""

from collective.civicreports import _
from collective.civicreports.categories.questions import category_questions
from collective.civicreports.categories.questions import validate_answers
from collective.civicreports.categories.registry import get_category
from collective.civicreports.geo import territory
from collective.civicreports.inputs.numbers import parse_float
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.inputs.text import one_line
from collective.civicreports.privacy.photos import PhotoError
from collective.civicreports.privacy.photos import PixelBudget
from collective.civicreports.privacy.photos import process_photo
from collective.civicreports.privacy.validators import is_valid_email
from collective.civicreports.privacy.validators import is_valid_fiscal_code
from collective.civicreports.privacy.validators import normalize_fiscal_code
from collective.civicreports.reports import engagement
from collective.civicreports.reports import tracking
from collective.civicreports.reports.moderation import set_photo_published
from collective.civicreports.reports.settings import setting
from collective.civicreports.security import ratelimit
from dataclasses import dataclass
from dataclasses import field
from plone import api
from plone.dexterity.utils import createContent
from plone.formwidget.geolocation.geolocation import Geolocation
from plone.namedfile.file import NamedBlobFile
from plone.namedfile.file import NamedBlobImage
from ZODB.POSException import ConflictError

import base64
import binascii
import random
import threading
import time
import transaction


MAX_TITLE = 200
MAX_DESCRIPTION = 10000
STAFF_PERMISSION = "collective.civicreports: Moderate reports"


class SubmissionError(Exception):
    """Bad input: a list of (field, message) pairs."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


@dataclass
class Submission:
    category: str
    title: str
    description: str
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    fullname: str = ""
    email: str = ""
    phone: str = ""
    fiscal_code: str = ""
    channel: str = "web"
    photos: list = field(default_factory=list)
    attachments: list = field(default_factory=list)
    # The answers to the category's extra questions (see questions.py).
    answers: list = field(default_factory=list)


@dataclass
class Attachment:
    """A document (PDF) of the reporter: never published."""

    data: bytes


MAX_ATTACHMENTS = 3
# Seen by the staff in charge and the reporter, whatever the report's state.
ATTACHMENT_READERS = [
    "Manager",
    "Site Administrator",
    "ReportModerator",
    "ReportOffice",
    "Owner",
]


def _text(data, key):
    # The edge (inputs.edge) has cleaned every string already.
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def _coordinates(data):
    """(latitude, longitude), each None when not given; BadInput for a
    value that is not a number within its range."""
    return (
        parse_float(data.get("latitude"), "latitude", -90, 90),
        parse_float(data.get("longitude"), "longitude", -180, 180),
    )


def _decoded(item, missing, invalid):
    """The bytes of a ``{"data": <base64>}`` item, or (None, error)."""
    if not isinstance(item, dict) or not isinstance(item.get("data"), str):
        return None, missing
    try:
        return base64.b64decode(item["data"], validate=True), None
    except (binascii.Error, ValueError):
        return None, invalid


def _photo(item, max_bytes, budget):
    raw, error = _decoded(
        item,
        _("Each image needs its data, encoded in base64."),
        _("An image is not valid base64."),
    )
    if error:
        return None, error
    try:
        return process_photo(raw, max_bytes, budget), None
    except PhotoError as error:
        return None, error.message


def _attachment(item, max_bytes):
    raw, error = _decoded(
        item,
        _("Each attachment needs its data, encoded in base64."),
        _("An attachment is not valid base64."),
    )
    if error:
        return None, error
    if len(raw) > max_bytes:
        return None, _("An attachment is too large.")
    if not raw.startswith(b"%PDF-"):
        return None, _("Attachments must be PDF documents.")
    return Attachment(raw), None


def is_staff(context):
    return api.user.has_permission(STAFF_PERMISSION, obj=context)


TOO_MANY = _("Too many reports in the last hour. Try again later.")


def submission_limit(request, folder, record=True):
    """The rate limit of the reports of the current user (the staff have
    none): counts one with ``record``, else only looks (a Decision)."""
    if is_staff(folder):
        return ratelimit.ALLOWED
    if api.user.is_anonymous():
        limit = setting("anonymous_rate_limit")
    else:
        limit = setting("citizen_rate_limit")
    counted = ratelimit.hit if record else ratelimit.check
    return counted("submit", ratelimit.client_of(request), limit)


def validate(context, data, trusted=False):
    """Check a submission (a dict, as decoded from JSON) against the rules of
    its category. Returns a Submission or raises SubmissionError.

    ``trusted`` is for an application holding an API key of the
    municipality: it may use the categories closed to anonymous citizens
    (it has identified its users); every other rule stays."""
    if not isinstance(data, dict):
        raise SubmissionError([("", _("The request body must be a JSON object."))])
    errors = []
    staff = is_staff(context)
    anonymous = api.user.is_anonymous()

    category_id = _text(data, "category")
    category = get_category(category_id)
    if not category_id:
        errors.append(("category", _("Choose a category.")))
    elif category is None or not category.active:
        errors.append(("category", _("This category does not exist or is not active.")))
    elif anonymous and not category.allow_anonymous and not trusted:
        errors.append(("category", _("Log in to send a report of this category.")))

    answers = []
    if category is not None and category.active:
        answers, answer_errors = validate_answers(
            category_questions(category), data.get("answers")
        )
        errors.extend(answer_errors)

    title = one_line(_text(data, "title"))
    if not title:
        errors.append(("title", _("Give the report a subject.")))
    elif len(title) > MAX_TITLE:
        errors.append(("title", _("The subject is longer than 200 characters.")))
    description = _text(data, "description")
    if not description:
        errors.append(("description", _("Describe what you are reporting.")))
    elif len(description) > MAX_DESCRIPTION:
        errors.append(
            ("description", _("The description is longer than 10000 characters."))
        )

    if data.get("privacy_consent") is not True and not staff:
        errors.append(
            (
                "privacy_consent",
                _("The consent to the processing of personal data is required."),
            )
        )

    try:
        lat, lon = _coordinates(data)
        coordinates_valid = True
    except BadInput:
        lat = lon = None
        coordinates_valid = False
        errors.append(("latitude", _("The coordinates are out of range.")))
    address = one_line(_text(data, "address"))
    if (
        coordinates_valid
        and category is not None
        and category.within_territory
        and lat is None
        and lon is None
        and not address
    ):
        errors.append(
            ("address", _("Give the place: an address, or a point on the map."))
        )
    if (lat is None) != (lon is None):
        errors.append(("latitude", _("Give both latitude and longitude, or neither.")))
    elif (
        lat is not None
        and category is not None
        and category.within_territory
        and not _in_territory(lat, lon)
    ):
        errors.append(("latitude", _("The place is outside the municipal territory.")))

    reporter = data.get("reporter") or {}
    if not isinstance(reporter, dict):
        reporter = {}
        errors.append(("reporter", _("The reporter must be an object.")))
    fullname = one_line(_text(reporter, "fullname"))
    email = _text(reporter, "email")
    if not anonymous and not staff:
        # A logged-in citizen reports as themselves.
        member = api.user.get_current()
        fullname = fullname or member.getProperty("fullname") or ""
        email = email or member.getProperty("email") or ""
    if anonymous and not fullname:
        errors.append(("reporter.fullname", _("Give your name.")))
    if not email and not staff:
        errors.append(("reporter.email", _("Give your e-mail address.")))
    elif email and not is_valid_email(email):
        errors.append(("reporter.email", _("This is not a valid e-mail address.")))
    fiscal_code = normalize_fiscal_code(_text(reporter, "fiscal_code"))
    if fiscal_code and not is_valid_fiscal_code(fiscal_code):
        errors.append(
            ("reporter.fiscal_code", _("This is not a valid Italian fiscal code."))
        )

    images = data.get("images") or []
    photos = []
    max_count = setting("photo_max_count")
    max_bytes = setting("photo_max_megabytes") * 1024 * 1024
    if not isinstance(images, list):
        errors.append(("images", _("Images must be a list.")))
    elif len(images) > max_count:
        errors.append(
            ("images", _("Send at most ${count} images.", mapping={"count": max_count}))
        )
    else:
        budget = PixelBudget(setting("photo_pixel_budget"))
        for item in images:
            photo, error = _photo(item, max_bytes, budget)
            if error:
                errors.append(("images", error))
                break
            photos.append(photo)

    documents = data.get("attachments") or []
    attachments = []
    if not isinstance(documents, list) or len(documents) > MAX_ATTACHMENTS:
        errors.append(("attachments", _("Send at most 3 PDF attachments.")))
    else:
        for item in documents:
            attachment, error = _attachment(item, max_bytes)
            if error:
                errors.append(("attachments", error))
                break
            attachments.append(attachment)

    channel = _text(data, "channel") or "web"
    if channel != "web" and not staff:
        errors.append(("channel", _("Only the staff may record another channel.")))
    elif channel not in _channels():
        errors.append(("channel", _("Unknown channel.")))

    if errors:
        raise SubmissionError(errors)
    return Submission(
        category=category_id,
        title=title,
        description=description,
        address=address,
        latitude=lat,
        longitude=lon,
        fullname=fullname,
        email=email,
        phone=one_line(_text(reporter, "phone")),
        fiscal_code=fiscal_code,
        channel=channel,
        photos=photos,
        attachments=attachments,
        answers=answers,
    )


def _channels():
    from collective.civicreports.vocabularies.reports import CHANNEL_TITLES

    return CHANNEL_TITLES


def _in_territory(lat, lon):
    boundary = setting("territory") or ""
    if not boundary.strip():
        return True
    return territory.contains(boundary, lat, lon)


def _add(container, obj):
    """Add without permission checks: the caller has validated the input."""
    container._setObject(obj.id, obj)
    added = container._getOb(obj.id)
    # A user id is personal data and would show as the author.
    added.creators = ()
    return added


def new_number(folder):
    site = api.portal.get()
    number = tracking.allocate(site)
    while folder.hasObject(number):
        number = tracking.allocate(site)
    return number


def create_report(folder, submission, number=None):
    """Create the report and its photos in the folder; returns the report.

    Leaves the transaction to the caller (tests, forms); see
    ``create_and_commit`` for the way in of concurrent requests.
    """
    number = number or new_number(folder)
    category = get_category(submission.category)
    report = createContent(
        "Report",
        id=number,
        title=submission.title,
        description=submission.description,
        category=submission.category,
        address=submission.address or None,
        channel=submission.channel,
        office=(category.office or None) if category else None,
        reporter_fullname=submission.fullname or None,
        reporter_email=submission.email or None,
        reporter_phone=submission.phone or None,
        reporter_fiscal_code=submission.fiscal_code or None,
    )
    report.tracking_number = number
    report.answers = [dict(answer) for answer in submission.answers] or None
    # Before it is added: the first mail carries the reporter's private link.
    engagement.prepare(report)
    if submission.latitude is not None:
        report.geolocation = Geolocation(submission.latitude, submission.longitude)
    report = _add(folder, report)
    for index, photo in enumerate(submission.photos, start=1):
        name = f"photo-{index}.{photo.extension}"
        image = createContent(
            "Image",
            id=name,
            title=api.portal.translate(_("Photo ${number}", mapping={"number": index})),
            image=NamedBlobImage(
                data=photo.data, filename=name, contentType=photo.content_type
            ),
        )
        # Photos wait for the moderator, who publishes them one by one.
        set_photo_published(_add(report, image), False)
    for index, attachment in enumerate(submission.attachments, start=1):
        name = f"attachment-{index}.pdf"
        document = createContent(
            "File",
            id=name,
            title=api.portal.translate(
                _("Attachment ${number}", mapping={"number": index})
            ),
            file=NamedBlobFile(
                data=attachment.data, filename=name, contentType="application/pdf"
            ),
        )
        document = _add(report, document)
        for permission in ("View", "Access contents information"):
            document.manage_permission(permission, ATTACHMENT_READERS, acquire=False)
        document.reindexObjectSecurity()
    report.reindexObject()
    return report


# One submission at a time in this process, from a fresh view of the
# database to its commit: concurrent submissions then never write over each
# other's catalog and folder buckets (a ConflictError Zope could only retry
# three times, with growing delays). It costs a few milliseconds of waiting
# per report; a municipality receives a few reports a minute.
_SUBMISSIONS = threading.Lock()
# Other processes (ZEO, RelStorage) are not held by the lock. Their
# submissions write the same buckets as ours, in the catalog's text indexes
# above all (the words reports share), and BTrees cannot always merge the
# two: attempts then back off, exponentially with jitter, until one commits
# between theirs (tests/test_relstorage.py measures it).
ATTEMPTS = 20
BACKOFF = 0.02  # seconds, doubled at each attempt
MAX_BACKOFF = 0.5


def create_and_commit(folder, submission, also=None):
    """Create the report and commit it at once; returns the report.

    Conflicts with other writers (a moderator, another Zope process) are
    retried here, keeping the tracking number, so the citizen never sees
    one and no number is wasted. ``also`` is called in the same transaction
    (to remove what the report replaces).
    """
    number = new_number(folder)
    with _SUBMISSIONS:
        for attempt in range(1, ATTEMPTS + 1):
            # Drops nothing of this request (it has not written yet) and
            # sees what the previous submission committed.
            transaction.begin()
            try:
                report = create_report(folder, submission, number)
                if also is not None:
                    also()
                transaction.commit()
                return report
            except ConflictError:
                transaction.abort()
                if attempt == ATTEMPTS:
                    raise
                time.sleep(random.uniform(0, min(BACKOFF * 2**attempt, MAX_BACKOFF)))

"""Validation and creation of a report submitted by a citizen or an operator.

Every way in (the form, REST, Open311, the confirmation of a pending
submission) reads its request into an ``Entry``, typed: the strings cleaned
by the edge, the photos already decoded and cleaned by the route (with the
request's pixel budget), the documents as bytes. ``validate`` applies the
rules of the category to it, section by section, so that the rules and the
messages are the same everywhere; decoding JSON and base64 is the REST
service's business.
"""

from collective.civicreports import _
from collective.civicreports.categories.questions import category_questions
from collective.civicreports.categories.questions import validate_answers
from collective.civicreports.categories.registry import ACCOUNT
from collective.civicreports.categories.registry import DIGITAL_IDENTITY
from collective.civicreports.categories.registry import get_category
from collective.civicreports.categories.registry import identification
from collective.civicreports.geo import territory
from collective.civicreports.identity.citizen import current_identity
from collective.civicreports.identity.citizen import mark_verified
from collective.civicreports.inputs.numbers import parse_float
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.inputs.text import one_line
from collective.civicreports.permissions import may_moderate
from collective.civicreports.permissions import PRIVATE_READERS
from collective.civicreports.privacy.validators import is_valid_email
from collective.civicreports.privacy.validators import is_valid_fiscal_code
from collective.civicreports.privacy.validators import is_valid_phone
from collective.civicreports.privacy.validators import normalize_fiscal_code
from collective.civicreports.reports import engagement
from collective.civicreports.reports import idempotency
from collective.civicreports.reports import summary
from collective.civicreports.reports import tracking
from collective.civicreports.reports.commits import committed
from collective.civicreports.reports.moderation import set_photo_published
from collective.civicreports.reports.settings import setting
from collective.civicreports.vocabularies.reports import CHANNEL_TITLES
from dataclasses import dataclass
from dataclasses import field
from plone import api
from plone.dexterity.utils import createContent
from plone.formwidget.geolocation.geolocation import Geolocation
from plone.namedfile.file import NamedBlobFile
from plone.namedfile.file import NamedBlobImage


MAX_TITLE = 200
MAX_DESCRIPTION = 10000
MAX_ATTACHMENTS = 3


class SubmissionError(Exception):
    """Bad input: a list of (field, message) pairs."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


@dataclass
class Entry:
    """What a route read from its request, before the rules."""

    category: str = ""
    title: str = ""
    description: str = ""
    address: str = ""
    # A number, a string of one, or None.
    latitude: object = None
    longitude: object = None
    fullname: str = ""
    email: str = ""
    phone: str = ""
    fiscal_code: str = ""
    # The answers to the category's extra questions, by code, as given.
    answers: object = None
    # privacy.photos.Photo, decoded and cleaned.
    photos: list = field(default_factory=list)
    # The bytes of each document.
    attachments: list = field(default_factory=list)
    privacy_consent: bool = False
    channel: str = "web"


@dataclass
class Submission:
    """A submission that passed the rules, ready to become a report."""

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
    # The name and fiscal code are the identity provider's (SPID, CIE):
    # decided by validate, never read from a request.
    verified: bool = False


@dataclass
class Attachment:
    """A document (PDF) of the reporter: never published."""

    data: bytes


def max_photo_bytes():
    return setting("photo_max_megabytes") * 1024 * 1024


def check_photo_count(count):
    """Errors of ``count`` photos; the routes ask before decoding any."""
    limit = setting("photo_max_count")
    if count > limit:
        return [
            ("images", _("Send at most ${count} images.", mapping={"count": limit}))
        ]
    return []


NEEDS_ACCOUNT = _("Log in to send a report of this category.")
NEEDS_DIGITAL_IDENTITY = _(
    "This category requires SPID or CIE: log in with your digital identity "
    "to send a report of it."
)


def check_category(entry, anonymous, trusted, operator=False, identity=None):
    """(category, errors). The staff type in what citizens bring to the
    desk, having identified them; an application's key stands for an
    account, never for a digital identity, which only the identity
    provider vouches for."""
    category = get_category(entry.category)
    if not entry.category:
        return None, [("category", _("Choose a category."))]
    if category is None or not category.active:
        return None, [("category", _("This category does not exist or is not active."))]
    level = identification(category)
    if operator:
        return category, []
    if level == DIGITAL_IDENTITY and identity is None:
        return category, [("category", NEEDS_DIGITAL_IDENTITY)]
    if level == ACCOUNT and anonymous and not trusted:
        return category, [("category", NEEDS_ACCOUNT)]
    return category, []


def check_answers(category, answers):
    if category is None or not category.active:
        return [], []
    return validate_answers(category_questions(category), answers)


def check_text(entry):
    errors = []
    title = one_line(entry.title)
    if not title:
        errors.append(("title", _("Give the report a subject.")))
    elif len(title) > MAX_TITLE:
        errors.append(("title", _("The subject is longer than 200 characters.")))
    description = entry.description.strip()
    if not description:
        errors.append(("description", _("Describe what you are reporting.")))
    elif len(description) > MAX_DESCRIPTION:
        errors.append(
            ("description", _("The description is longer than 10000 characters."))
        )
    return title, description, errors


def check_consent(entry, operator):
    if entry.privacy_consent is not True and not operator:
        return [
            (
                "privacy_consent",
                _(
                    "The reporter must have read the privacy notice "
                    "(privacy_consent: true)."
                ),
            )
        ]
    return []


def check_place(entry, category):
    """(latitude, longitude, address, errors)."""
    errors = []
    bound = category is not None and category.within_territory
    try:
        lat = parse_float(entry.latitude, "latitude", -90, 90)
        lon = parse_float(entry.longitude, "longitude", -180, 180)
    except BadInput:
        address = one_line(entry.address)
        return (
            None,
            None,
            address,
            [("latitude", _("The coordinates are out of range."))],
        )
    address = one_line(entry.address)
    if bound and lat is None and lon is None and not address:
        errors.append(
            ("address", _("Give the place: an address, or a point on the map."))
        )
    if (lat is None) != (lon is None):
        errors.append(("latitude", _("Give both latitude and longitude, or neither.")))
    elif lat is not None and bound and not _in_territory(lat, lon):
        errors.append(("latitude", _("The place is outside the municipal territory.")))
    return lat, lon, address, errors


def check_identity(category, fullname, fiscal_code, identity):
    """(fiscal code, verified, errors): whether the reporter's name and
    fiscal code are the identity provider's. A category that requires SPID
    or CIE takes no others, and its fiscal code is the identity provider's
    when none is given; elsewhere the citizen may leave it out."""
    if identity is None:
        return fiscal_code, False, []
    required = category is not None and identification(category) == DIGITAL_IDENTITY
    if required and not fiscal_code:
        fiscal_code = identity.fiscal_code
    verified = fullname == identity.fullname and fiscal_code == identity.fiscal_code
    if verified or not required:
        return fiscal_code, verified, []
    errors = []
    mismatch = _("This category takes the data of your digital identity (SPID or CIE).")
    if fullname != identity.fullname:
        errors.append(("reporter.fullname", mismatch))
    if fiscal_code != identity.fiscal_code:
        errors.append(("reporter.fiscal_code", mismatch))
    return fiscal_code, False, errors


def check_reporter(entry, anonymous, operator, identity=None):
    """(fullname, email, phone, fiscal code, errors)."""
    errors = []
    fullname, email = one_line(entry.fullname), entry.email.strip()
    if not anonymous and not operator:
        # A logged-in citizen reports as themselves.
        member = api.user.get_current()
        if identity is not None:
            fullname = fullname or identity.fullname
        fullname = fullname or member.getProperty("fullname") or ""
        email = email or member.getProperty("email") or ""
        if identity is not None:
            email = email or identity.email
    if anonymous and not fullname:
        errors.append(("reporter.fullname", _("Give your name.")))
    if not email and not operator:
        errors.append(("reporter.email", _("Give your e-mail address.")))
    elif email and not is_valid_email(email):
        errors.append(("reporter.email", _("This is not a valid e-mail address.")))
    phone = one_line(entry.phone)
    if phone and not is_valid_phone(phone):
        errors.append(("reporter.phone", _("This is not a valid phone number.")))
    fiscal_code = normalize_fiscal_code(entry.fiscal_code)
    if fiscal_code and not is_valid_fiscal_code(fiscal_code):
        errors.append(
            ("reporter.fiscal_code", _("This is not a valid Italian fiscal code."))
        )
    return fullname, email, phone, fiscal_code, errors


def check_attachments(documents):
    """(Attachments, errors) of the documents' bytes."""
    if len(documents) > MAX_ATTACHMENTS:
        return [], [("attachments", _("Send at most 3 PDF attachments."))]
    attachments = []
    for data in documents:
        if len(data) > max_photo_bytes():
            return [], [("attachments", _("An attachment is too large."))]
        if not data.startswith(b"%PDF-"):
            return [], [("attachments", _("Attachments must be PDF documents."))]
        attachments.append(Attachment(data))
    return attachments, []


def check_channel(entry, operator):
    channel = entry.channel or "web"
    if channel != "web" and not operator:
        return channel, [("channel", _("Only the staff may record another channel."))]
    if channel not in CHANNEL_TITLES:
        return channel, [("channel", _("Unknown channel."))]
    return channel, []


def validate(context, entry, trusted=False, errors=()):
    """Check an Entry against the rules of its category; returns a
    Submission or raises SubmissionError with every error, ``errors`` (what
    the route found reading the request) first.

    ``trusted`` is for an application holding an API key of the
    municipality: it may use the categories that require an account (it
    has identified its users), not those that require SPID or CIE; every
    other rule stays. Who may type in reports for others (a moderator, an
    operator) may leave out the consent and the reporter's e-mail, use any
    category, and record another channel.

    A citizen logged in with SPID or CIE reports with the identity
    provider's name and fiscal code unless they give others; the
    submission is ``verified`` when they are the identity provider's."""
    errors = list(errors)
    operator = may_moderate(context)
    anonymous = api.user.is_anonymous()
    identity = None if operator else current_identity()
    category, found = check_category(entry, anonymous, trusted, operator, identity)
    errors += found
    answers, found = check_answers(category, entry.answers)
    errors += found
    title, description, found = check_text(entry)
    errors += found
    errors += check_consent(entry, operator)
    lat, lon, address, found = check_place(entry, category)
    errors += found
    fullname, email, phone, fiscal_code, found = check_reporter(
        entry, anonymous, operator, identity
    )
    errors += found
    fiscal_code, verified, found = check_identity(
        category, fullname, fiscal_code, identity
    )
    errors += found
    errors += check_photo_count(len(entry.photos))
    attachments, found = check_attachments(entry.attachments)
    errors += found
    channel, found = check_channel(entry, operator)
    errors += found
    if errors:
        raise SubmissionError(errors)
    return Submission(
        category=entry.category,
        title=title,
        description=description,
        address=address,
        latitude=lat,
        longitude=lon,
        fullname=fullname,
        email=email,
        phone=phone,
        fiscal_code=fiscal_code,
        channel=channel,
        photos=list(entry.photos),
        attachments=attachments,
        answers=answers,
        verified=verified,
    )


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


def add_photo(report, photo, index):
    """Add a cleaned photo (``privacy.photos.Photo``) as the report's
    ``photo-<index>``; it waits for the moderator, who publishes photos one
    by one."""
    name = f"photo-{index}.{photo.extension}"
    image = createContent(
        "Image",
        id=name,
        title=api.portal.translate(_("Photo ${number}", mapping={"number": index})),
        image=NamedBlobImage(
            data=photo.data, filename=name, contentType=photo.content_type
        ),
    )
    image = _add(report, image)
    set_photo_published(image, False)
    return image


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
    if submission.verified:
        mark_verified(report)
    # Before it is added: the first mail carries the reporter's private link.
    engagement.prepare(report)
    if submission.latitude is not None:
        report.geolocation = Geolocation(submission.latitude, submission.longitude)
    # The "received" mail goes on the add, before the photos exist.
    setattr(
        report,
        summary.SUBMITTED_FILES,
        (len(submission.photos), len(submission.attachments)),
    )
    report = _add(folder, report)
    for index, photo in enumerate(submission.photos, start=1):
        add_photo(report, photo, index)
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
            document.manage_permission(permission, PRIVATE_READERS, acquire=False)
        document.reindexObjectSecurity()
    report.reindexObject()
    return report


def create_and_commit(folder, submission, also=None, key=None, fingerprint=None):
    """Create the report and commit it at once; returns the report.

    Conflicts with other writers (a moderator, another Zope process) are
    retried (``reports/commits.py``), so the citizen never sees one.
    ``also`` is called in the same transaction (to remove what the report
    replaces).

    With an idempotency ``key`` (``idempotency.key``) and the request's
    ``fingerprint``, the report already made with them is returned and
    nothing is created; ``idempotency.KeyReused`` if the key came with
    another fingerprint.
    """

    def change():
        if key is not None:
            # Inside the change, on its fresh view of the database: the
            # loser of a race on one key (the lock, or a conflict between
            # processes) sees the winner's commit.
            found = idempotency.find(folder, key, fingerprint)
            if found is not None and found.report is not None:
                return found.report
        report = create_report(folder, submission)
        if also is not None:
            also()
        if key is not None:
            # In the report's transaction: both are committed, or neither.
            idempotency.remember(folder, key, fingerprint, report)
        return report

    return committed(change)

"""``POST <report folder>/@reports``: a report, from the JSON of an
application or a script (see docs/api.rst).

Here the JSON becomes an ``Entry``: its objects are checked for their
types, the photos and documents decoded from base64 (the photos cleaned at
once, within the request's pixel budget). The rules are ``validate``'s.

A request with an ``Idempotency-Key`` header that was already answered is
answered again from ``reports/idempotency`` (see docs/api.rst).
"""

from collective.civicreports import _
from collective.civicreports.inputs.edge import json_document
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.privacy.photos import PhotoError
from collective.civicreports.privacy.photos import PixelBudget
from collective.civicreports.privacy.photos import process_photo
from collective.civicreports.reports import idempotency
from collective.civicreports.reports.settings import setting
from collective.civicreports.reports.submission import check_photo_count
from collective.civicreports.reports.submission import create_and_commit
from collective.civicreports.reports.submission import Entry
from collective.civicreports.reports.submission import max_photo_bytes
from collective.civicreports.reports.submission import SubmissionError
from collective.civicreports.reports.submission import validate
from collective.civicreports.security import ratelimit
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zope.i18n import translate
from zope.interface import alsoProvides

import base64
import binascii
import re


TEXTS = ("category", "title", "description", "address", "channel")
REPORTER = ("fullname", "email", "phone", "fiscal_code")

IDEMPOTENCY_KEY = "Idempotency-Key"
MAX_KEY = 255
BAD_KEY = _("The Idempotency-Key header must be 1 to 255 printable ASCII characters.")
KEY_REUSED = _(
    "This Idempotency-Key was used for a different request. Send the same "
    "request again to retry it, or a new key for a new report."
)
# The draft defines the field as a Structured Field string, in quotes
# (RFC 8941, 3.3.3); most clients send the bare key: both are read.
QUOTED = re.compile(r'"((?:[^"\\]|\\["\\])*)"')
PRINTABLE = re.compile(r"[\x20-\x7e]+")


def idempotency_key(request):
    """The client's key of the ``Idempotency-Key`` header, or None without
    the header; BadInput if it is malformed."""
    value = request.getHeader(IDEMPOTENCY_KEY)
    if value is None:
        return None
    quoted = QUOTED.fullmatch(value)
    if quoted:
        value = re.sub(r"\\(.)", r"\1", quoted.group(1))
    if len(value) > MAX_KEY or not PRINTABLE.fullmatch(value):
        raise BadInput(IDEMPOTENCY_KEY, BAD_KEY)
    return value


def _text(data, key):
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _decoded(item, missing, invalid):
    """The bytes of a ``{"data": <base64>}`` item; raises the message."""
    if not isinstance(item, dict) or not isinstance(item.get("data"), str):
        raise ValueError(missing)
    try:
        return base64.b64decode(item["data"], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(invalid) from None


def _photos(images, errors):
    if not isinstance(images, list):
        errors.append(("images", _("Images must be a list.")))
        return []
    found = check_photo_count(len(images))
    if found:
        errors.extend(found)
        return []
    photos, budget = [], PixelBudget(setting("photo_pixel_budget"))
    for item in images:
        try:
            raw = _decoded(
                item,
                _("Each image needs its data, encoded in base64."),
                _("An image is not valid base64."),
            )
            photos.append(process_photo(raw, max_photo_bytes(), budget))
        except ValueError as error:
            message = error.message if isinstance(error, PhotoError) else error.args[0]
            errors.append(("images", message))
            break
    return photos


def _documents(items, errors):
    if not isinstance(items, list):
        errors.append(("attachments", _("Send at most 3 PDF attachments.")))
        return []
    documents = []
    for item in items:
        try:
            documents.append(
                _decoded(
                    item,
                    _("Each attachment needs its data, encoded in base64."),
                    _("An attachment is not valid base64."),
                )
            )
        except ValueError as error:
            errors.append(("attachments", error.args[0]))
            break
    return documents


def entry_from_json(data):
    """(Entry, errors) of a submission's JSON document."""
    if not isinstance(data, dict):
        raise SubmissionError([("", _("The request body must be a JSON object."))])
    errors = []
    reporter = data.get("reporter") or {}
    if not isinstance(reporter, dict):
        reporter = {}
        errors.append(("reporter", _("The reporter must be an object.")))
    entry = Entry(
        **{name: _text(data, name) for name in TEXTS},
        **{name: _text(reporter, name) for name in REPORTER},
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        answers=data.get("answers"),
        privacy_consent=data.get("privacy_consent") is True,
    )
    entry.channel = entry.channel or "web"
    entry.photos = _photos(data.get("images") or [], errors)
    entry.attachments = _documents(data.get("attachments") or [], errors)
    return entry, errors


class ReportsPost(Service):
    """Submit a report."""

    def reply(self):
        # A JSON API call carries no CSRF token; the input is validated below.
        alsoProvides(self.request, IDisableCSRFProtection)
        try:
            key = idempotency_key(self.request)
        except BadInput as error:
            return self._bad_request([(error.field, error.message)])
        fingerprint = None
        if key is not None:
            key = idempotency.key(idempotency.API, key)
            fingerprint = idempotency.fingerprint(self.request.get("BODY") or b"")
            # Before the limit: a retry was counted the first time, and is
            # answered even when the hour's reports are used up since.
            try:
                found = idempotency.find(self.context, key, fingerprint)
            except idempotency.KeyReused:
                return self._key_reused()
            if found is not None and found.report is not None:
                return self._created(found.report, found.state)
        # Refused before the work (the photos are decoded below), and
        # counted once the report is sure to be made.
        limited = ratelimit.reports_of(self.request, self.context, record=False)
        if not limited.allowed:
            return self._too_many(limited)
        try:
            entry, errors = entry_from_json(json_document(self.request))
            submission = validate(self.context, entry, errors=errors)
        except BadInput as error:
            return self._bad_request([(error.field, error.message)])
        except SubmissionError as error:
            return self._bad_request(error.errors)
        limited = ratelimit.reports_of(self.request, self.context)
        if not limited.allowed:
            return self._too_many(limited)
        try:
            report = create_and_commit(
                self.context, submission, key=key, fingerprint=fingerprint
            )
        except idempotency.KeyReused:
            return self._key_reused()
        return self._created(report, api.content.get_state(report))

    def _created(self, report, state):
        self.request.response.setStatus(201)
        self.request.response.setHeader("Location", report.absolute_url())
        return {
            "@id": report.absolute_url(),
            "tracking_number": report.tracking_number,
            "review_state": state,
        }

    def _key_reused(self):
        # The draft's answer to a key reused for another request.
        self.request.response.setStatus(422)
        message = translate(KEY_REUSED, context=self.request)
        return {"error": {"type": "IdempotencyKeyReused", "message": message}}

    def _too_many(self, decision):
        ratelimit.refuse(self.request, decision)
        message = translate(ratelimit.TOO_MANY_REPORTS, context=self.request)
        return {"error": {"type": "TooManyRequests", "message": message}}

    def _bad_request(self, errors):
        messages = [
            {"field": name, "message": translate(message, context=self.request)}
            for name, message in errors
        ]
        self.request.response.setStatus(400)
        return {
            "error": {
                "type": "BadRequest",
                "message": " ".join(item["message"] for item in messages),
                "errors": messages,
            }
        }

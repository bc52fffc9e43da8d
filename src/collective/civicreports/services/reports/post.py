"""``POST <report folder>/@reports``: a report, from the JSON of an
application or a script (see docs/api.rst).

Here the JSON becomes an ``Entry``: its objects are checked for their
types, the photos and documents decoded from base64 (the photos cleaned at
once, within the request's pixel budget). The rules are ``validate``'s.
"""

from collective.civicreports import _
from collective.civicreports.inputs.edge import json_document
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.privacy.photos import PhotoError
from collective.civicreports.privacy.photos import PixelBudget
from collective.civicreports.privacy.photos import process_photo
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


TEXTS = ("category", "title", "description", "address", "channel")
REPORTER = ("fullname", "email", "phone", "fiscal_code")


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
        report = create_and_commit(self.context, submission)
        self.request.response.setStatus(201)
        self.request.response.setHeader("Location", report.absolute_url())
        return {
            "@id": report.absolute_url(),
            "tracking_number": report.tracking_number,
            "review_state": api.content.get_state(report),
        }

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

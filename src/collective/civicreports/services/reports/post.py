from collective.civicreports.inputs.edge import json_document
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.reports.submission import create_and_commit
from collective.civicreports.reports.submission import submission_limit
from collective.civicreports.reports.submission import SubmissionError
from collective.civicreports.reports.submission import TOO_MANY
from collective.civicreports.reports.submission import validate
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zope.i18n import translate
from zope.interface import alsoProvides


class ReportsPost(Service):
    """Submit a report: ``POST <report folder>/@reports``."""

    def reply(self):
        # A JSON API call carries no CSRF token; the input is validated below.
        alsoProvides(self.request, IDisableCSRFProtection)
        # Refused before the work (photos are decoded in validate), and
        # counted once the report is sure to be made.
        limited = submission_limit(self.request, self.context, record=False)
        if not limited.allowed:
            return self._too_many(limited)
        try:
            submission = validate(self.context, json_document(self.request))
        except BadInput as error:
            return self._bad_request([(error.field, error.message)])
        except SubmissionError as error:
            return self._bad_request(error.errors)
        limited = submission_limit(self.request, self.context)
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
        self.request.response.setStatus(429)
        self.request.response.setHeader("Retry-After", str(decision.retry_after))
        return {
            "error": {
                "type": "TooManyRequests",
                "message": translate(TOO_MANY, context=self.request),
            }
        }

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

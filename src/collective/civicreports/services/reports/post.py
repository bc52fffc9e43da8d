from collective.civicreports import _
from collective.civicreports.submission import create_and_commit
from collective.civicreports.submission import SubmissionError
from collective.civicreports.submission import validate
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zope.i18n import translate
from zope.interface import alsoProvides

import json


class ReportsPost(Service):
    """Submit a report: ``POST <report folder>/@reports``."""

    def reply(self):
        # A JSON API call carries no CSRF token; the input is validated below.
        alsoProvides(self.request, IDisableCSRFProtection)
        try:
            data = json.loads(self.request.get("BODY") or b"")
        except ValueError:
            return self._bad_request([("", _("The request body is not valid JSON."))])
        try:
            submission = validate(self.context, data)
        except SubmissionError as error:
            return self._bad_request(error.errors)
        report = create_and_commit(self.context, submission)
        self.request.response.setStatus(201)
        self.request.response.setHeader("Location", report.absolute_url())
        return {
            "@id": report.absolute_url(),
            "tracking_number": report.tracking_number,
            "review_state": api.content.get_state(report),
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

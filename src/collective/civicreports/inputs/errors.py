"""The answer of a REST request whose input the edge refused: a 400 in the
shape the add-on's services answer their own errors with, so that a client
reads one format whoever refused its input."""

from plone.rest.interfaces import IAPIRequest
from Products.Five.browser import BrowserView
from zExceptions import BadRequest
from zope.component import adapter

import json


class InputRefused(BadRequest):
    """An input the edge could not clean; ``field`` and ``text`` (translated)
    say which and why."""

    def __init__(self, field, text):
        super().__init__(f"{field}: {text}" if field else text)
        self.field = field
        self.text = text


@adapter(InputRefused, IAPIRequest)
class InputRefusedView(BrowserView):
    def __call__(self):
        error = self.context
        response = self.request.response
        response.setHeader("Content-Type", "application/json")
        response.setStatus(400, lock=1)
        body = {
            "error": {
                "type": "BadRequest",
                "message": error.text,
                "errors": [{"field": error.field, "message": error.text}],
            }
        }
        response.setBody(json.dumps(body), lock=1)

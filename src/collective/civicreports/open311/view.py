"""``<site>/open311/v2/...``: an Open311 GeoReport v2 server.

One traversable view collects the path (``v2/services/roads.json``) and
answers as the specification says, http://wiki.open311.org/GeoReport_v2:
the format is the extension, errors are lists of code and description with
the same HTTP status.
"""

from collective.civicreports import _
from collective.civicreports.categories.questions import as_dict
from collective.civicreports.categories.questions import category_questions
from collective.civicreports.categories.registry import active_categories
from collective.civicreports.categories.registry import get_category
from collective.civicreports.inputs.edge import bad_input
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.open311 import post
from collective.civicreports.open311 import query
from collective.civicreports.open311.keys import find_key
from collective.civicreports.open311.serialize import errors
from collective.civicreports.open311.serialize import FORMATS
from collective.civicreports.open311.serialize import render
from collective.civicreports.reports.settings import setting
from collective.civicreports.security import ratelimit
from collective.civicreports.vocabularies.reports import KIND_TITLES
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from zope.i18n import translate
from zope.interface import alsoProvides
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse


SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this API last changed, as the discovery document tells clients.
CHANGESET = "2026-12-01T00:00:00+00:00"


def attribute(question, order, request):
    """An extra question of the category as an Open311 attribute."""
    found = as_dict(question, request)
    return {
        "variable": True,
        "code": found["code"],
        "datatype": found["datatype"],
        "required": found["required"],
        "datatype_description": found["datatype_description"],
        "order": order,
        "description": found["question"],
        "values": found["values"],
    }


class Problem(Exception):
    """An Open311 error answer; ``headers`` go with it (Retry-After)."""

    def __init__(self, status, *descriptions, headers=None):
        super().__init__(descriptions)
        self.status = status
        self.descriptions = descriptions
        self.headers = headers or {}


@implementer(IPublishTraverse)
class Open311View(BrowserView):
    # Errors, bad input included, are answered in the format asked for.
    handles_bad_input = True

    def __init__(self, context, request):
        super().__init__(context, request)
        self.path = []

    def publishTraverse(self, request, name):
        self.path.append(name)
        return self

    def __call__(self):
        path = list(self.path)
        fmt = "xml"
        if path:
            path[-1], dot, extension = path[-1].rpartition(".")
            if dot and extension in FORMATS:
                fmt = extension
            else:
                path = None  # no format: nothing here
        response = self.request.response
        try:
            if not path:
                raise Problem(404, _("Not found: add .json or .xml to the address."))
            self.check_input()
            root, data = self.dispatch(path)
            status = 200
        except Problem as problem:
            descriptions = [
                translate(text, context=self.request) for text in problem.descriptions
            ]
            root, data = "errors", errors(problem.status, *descriptions)
            status = problem.status
            for name, value in problem.headers.items():
                response.setHeader(name, value)
        body, content_type = render(fmt, root, data)
        response.setStatus(status)
        response.setHeader("Content-Type", content_type)
        return body

    def check_input(self):
        """The values the edge could not clean, as the spec's errors."""
        bad = bad_input(self.request)
        if bad:
            raise Problem(
                400,
                *(
                    f"{field}: {translate(message, context=self.request)}"
                    for field, message in bad.items()
                ),
            )

    def dispatch(self, path):
        if path and path[0] == "v2":
            path = path[1:]
        elif path != ["discovery"]:
            raise Problem(404, _("Not found: the API is at open311/v2/."))
        method = self.request.method
        if path == ["requests"] and method == "POST":
            return "service_requests", self.create_request()
        if method not in ("GET", "HEAD"):
            raise Problem(
                405, _("Method ${method} not allowed here.", mapping={"method": method})
            )
        if path == ["discovery"]:
            return "discovery", self.discovery()
        if path == ["services"]:
            return "services", self.services()
        if len(path) == 2 and path[0] == "services":
            return "service_definition", self.service_definition(path[1])
        if path == ["requests"]:
            return "service_requests", self.requests()
        if len(path) == 2 and path[0] == "requests":
            return "service_requests", self.single_request(path[1])
        if len(path) == 2 and path[0] == "tokens":
            return "service_requests", self.token(path[1])
        raise Problem(404, _("Not found."))

    def base_url(self):
        return self.context.absolute_url() + "/open311/v2/"

    def discovery(self):
        email = api.portal.get_registry_record("plone.email_from_address", default="")
        name = api.portal.get_registry_record("plone.email_from_name", default="")
        return {
            "changeset": CHANGESET,
            "contact": f"{name} <{email}>" if email else name,
            "key_service": "Ask the site administrators for an API key: "
            + (email or self.context.absolute_url()),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": self.base_url(),
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        }

    def services(self):
        return [
            {
                "service_code": key,
                "service_name": category.title,
                "description": category.description or "",
                "metadata": bool(category_questions(category)),
                "type": "realtime",
                "keywords": category.kind or "",
                "group": translate(
                    KIND_TITLES.get(category.kind, category.kind or ""),
                    context=self.request,
                ),
            }
            for key, category in active_categories()
        ]

    def service_definition(self, code):
        category = get_category(code)
        if category is None or not category.active:
            raise Problem(404, _("Service ${code} not found.", mapping={"code": code}))
        return {
            "service_code": code,
            "attributes": [
                attribute(question, order, self.request)
                for order, question in enumerate(category_questions(category), 1)
            ],
        }

    def requests(self):
        try:
            return query.search(self.context, self.request.form)
        except BadInput as error:
            raise Problem(400, error.text(self.request)) from None

    def single_request(self, number):
        found = query.find(
            self.context, number, self.request.form.get("extensions") == "true"
        )
        if found is None:
            raise Problem(
                404,
                _("Service request ${number} not found.", mapping={"number": number}),
            )
        return [found]

    def token(self, value):
        """The request of a token. Every posted request has its id at once,
        and its token too, for the clients that follow the token."""
        number = post.number_of_token(self.context, value)
        if number is None:
            raise Problem(404, _("Token ${token} not found.", mapping={"token": value}))
        return [{"service_request_id": number, "token": value}]

    def create_request(self):
        # An API call, authenticated by its key: there is no form to protect.
        alsoProvides(self.request, IDisableCSRFProtection)
        form = self.request.form
        key = find_key(form.get("api_key"))
        if key is None:
            raise Problem(
                403, _("Invalid api_key: ask the site administrators for one.")
            )
        decision = ratelimit.hit(
            "open311", "key:" + key.key, setting("open311_rate_limit")
        )
        if not decision.allowed:
            raise Problem(
                429,
                _("Too many requests with this api_key. Try again later."),
                headers={"Retry-After": str(decision.retry_after)},
            )
        folder = post.report_folder(self.context)
        if folder is None:
            raise Problem(404, _("This site takes no reports."))
        try:
            report = post.submit(folder, form, key, self.request)
        except post.Invalid as error:
            raise Problem(400, *error.descriptions) from None
        return [
            {
                "service_request_id": report.tracking_number,
                "token": post.token_of(report),
                "service_notice": "",
                "account_id": "",
            }
        ]

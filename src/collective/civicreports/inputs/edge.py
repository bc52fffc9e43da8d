"""The edge: every request that reaches the add-on's objects or views is
cleaned here, after traversal and before the view runs.

- Form and query values, and their names, go through ``clean_text``.
  What cannot be cleaned (invalid UTF-8, which Zope decodes with
  ``surrogateescape`` into lone surrogates) is emptied and noted: views
  that show errors next to their fields (``handles_bad_input = True``)
  read the notes with ``bad_input``; every other route answers 400 with
  the reason.
- JSON bodies of REST requests are parsed once, bounded and cleaned
  (``jsonbody.parse``): an invalid one is a 400; the clean document is kept
  on the request for our services (``json_document``) and written back as
  the body for plone.restapi's own (PATCH, ``@workflow``), which parse it
  again.
"""

from collective.civicreports import PACKAGE_NAME
from collective.civicreports.inputs import jsonbody
from collective.civicreports.inputs.errors import InputRefused
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.inputs.text import clean_text
from collective.civicreports.security.routes import kind
from collective.civicreports.security.routes import traversed
from plone.rest.interfaces import IAPIRequest
from plone.rest.interfaces import IService
from zExceptions import BadRequest
from zope.i18n import translate
from ZPublisher.HTTPRequest import FileUpload
from ZPublisher.HTTPRequest import taint

import json


BAD_INPUT = PACKAGE_NAME + ".bad_input"
JSON_DOCUMENT = PACKAGE_NAME + ".json"
LOADED_JSON = PACKAGE_NAME + ".loaded_json"
WRITE_METHODS = ("POST", "PUT", "PATCH")


def bad_input(request):
    """{field: message} of the values the edge could not clean."""
    return request.other.get(BAD_INPUT) or {}


def json_document(request):
    """The cleaned JSON body of a REST request, parsed once by the edge."""
    if JSON_DOCUMENT not in request.other:
        if LOADED_JSON in request.other:
            document = jsonbody.clean(request.other.pop(LOADED_JSON))
        else:
            document = jsonbody.parse(request.get("BODY") or b"")
        request.other[JSON_DOCUMENT] = document
    return request.other[JSON_DOCUMENT]


def check_json_body(site, event):
    """IBeforeTraverseEvent of the site: plone.restapi's login plugin parses
    every JSON body when it authenticates, after traversal, for any address
    of the site: a body nested thousands deep would end there as a
    RecursionError (500). The body is parsed here first, once, and kept for
    ``json_document``."""
    request = event.request
    if LOADED_JSON in request.other:
        return
    content_type = request.getHeader("Content-Type") or ""
    if request.method not in WRITE_METHODS or not content_type.startswith(
        "application/json"
    ):
        return
    try:
        request.other[LOADED_JSON] = jsonbody.load(request.get("BODY") or b"")
    except BadInput as error:
        if error.message is jsonbody.TOO_DEEP:
            _refuse(request, error.field, error.message)
        # Other bad bodies are for whoever reads them to refuse.


def _our_class(published):
    return any(
        cls.__module__.startswith(PACKAGE_NAME) for cls in type(published).__mro__
    )


def _ours(published, chain):
    return _our_class(published) or any(kind(obj) is not None for obj in chain)


def _clean_value(name, value, bad):
    if isinstance(value, str):
        try:
            return clean_text(value, name)
        except BadInput as error:
            bad[name] = error.message
            return ""
    if isinstance(value, list):
        return [_clean_value(name, item, bad) for item in value]
    if isinstance(value, tuple):
        return tuple(_clean_value(name, item, bad) for item in value)
    if isinstance(value, FileUpload):
        # The file name is text the citizen's system chose.
        try:
            value.filename = clean_text(value.filename or "", name)
        except BadInput:
            value.filename = "upload"
        return value
    return value


def clean_form(request):
    """Clean ``request.form`` in place; returns {field: message}."""
    bad = {}
    cleaned = {}
    for name, value in request.form.items():
        try:
            key = clean_text(name)
        except BadInput as error:
            bad[""] = error.message  # a name we cannot even show
            continue
        cleaned[key] = _clean_value(key, value, bad)
    request.form.clear()
    request.form.update(cleaned)
    request.taintedform = taint(request.form)
    return bad


def _refuse(request, field, message):
    text = translate(message, context=request)
    if IAPIRequest.providedBy(request):
        raise InputRefused(field, text)
    # Zope names the status by the exception's class: BadRequest it is.
    raise BadRequest(f"{field}: {text}" if field else text)


def clean_request(event):
    """IPubAfterTraversal."""
    request = event.request
    published = request.get("PUBLISHED")
    if not _ours(published, traversed(request)):
        return
    bad = clean_form(request)
    if bad:
        request.other[BAD_INPUT] = bad
        if not getattr(published, "handles_bad_input", False):
            _refuse(request, *next(iter(bad.items())))
    if IService.providedBy(published) and request.method in WRITE_METHODS:
        # Only an empty body is no JSON at all (plone.restapi reads "{}").
        if not request.get("BODY"):
            return
        try:
            document = json_document(request)
        except BadInput as error:
            _refuse(request, error.field, error.message)
        if not _our_class(published):
            # plone.restapi's services parse the body themselves.
            request.other["BODY"] = json.dumps(document).encode("utf-8")

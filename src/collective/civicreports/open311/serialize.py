"""Open311 GeoReport v2 documents, in JSON or in XML.

The same Python structure (lists of dicts) gives both formats, so that they
never disagree: JSON as it is, XML with the element names of the
specification (a root, one element per item, child elements per field).
"""

from collective.civicreports.inputs.text import printable
from xml.etree import ElementTree

import json


JSON = "application/json; charset=utf-8"
XML = "text/xml; charset=utf-8"
FORMATS = ("json", "xml")

# The element of each item of a list, by the name of the list.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


def render(fmt, root, data):
    """(body, content type) of ``data`` in the format. ``root`` names the
    XML root element; JSON has none."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, indent=1)
        # json escapes control characters; only a lone surrogate could not
        # be written.
        return body.encode("utf-8", "replace"), JSON
    element = ElementTree.Element(root)
    _fill(element, root, data)
    body = ElementTree.tostring(element, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8"), XML


def _fill(element, name, value):
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ElementTree.SubElement(element, key), key, item)
    elif isinstance(value, (list, tuple)):
        child = ITEMS.get(name, "item")
        for item in value:
            _fill(ElementTree.SubElement(element, child), child, item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        # XML cannot hold control characters, even escaped.
        element.text = printable(str(value))


def errors(code, *descriptions):
    """The body of an error answer: one error per description."""
    return [{"code": code, "description": str(text)} for text in descriptions]

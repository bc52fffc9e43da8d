"""Open311 GeoReport v2 documents, in JSON or in XML.

The same Python structure (lists of dicts) gives both formats, so that they
never disagree: JSON as it is, XML with the element names of the
specification (a root, one element per item, child elements per field).
"""

from collective.civicreports.inputs.text import printable
from xml.sax.saxutils import escape

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
        # Without ``indent``: json writes an indented document in Python,
        # not in C, which took a third of the answer for 1,000 requests.
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        # json escapes control characters; only a lone surrogate could not
        # be written.
        return body.encode("utf-8", "replace"), JSON
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n']
    _write(parts, root, root, data)
    return "".join(parts).encode("utf-8"), XML


def _write(parts, tag, name, value):
    """The element ``tag`` of ``value``, as ElementTree would write it
    (``<tag />`` when empty), written as text: a thousand requests are
    seventeen thousand elements, which ElementTree takes several times
    longer to build and serialize."""
    if isinstance(value, dict):
        children = value.items()
    elif isinstance(value, (list, tuple)):
        child = ITEMS.get(name, "item")
        children = [(child, item) for item in value]
    else:
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif value is None:
            text = ""
        else:
            text = str(value)
            # XML cannot hold control characters, even escaped. Most values
            # are plain ASCII, which ``printable`` would leave as it is.
            if not (text.isascii() and text.isprintable()):
                text = printable(text)
            text = escape(text)
        parts.append(f"<{tag}>{text}</{tag}>" if text else f"<{tag} />")
        return
    if not children:
        parts.append(f"<{tag} />")
        return
    parts.append(f"<{tag}>")
    for key, item in children:
        _write(parts, key, key, item)
    parts.append(f"</{tag}>")


def errors(code, *descriptions):
    """The body of an error answer: one error per description."""
    return [{"code": code, "description": str(text)} for text in descriptions]

"""JSON request bodies, decoded strictly and bounded.

``json.loads`` alone accepts what no route should see: nesting thousands
deep (a RecursionError in the parser or in whoever walks the result),
``NaN`` and ``Infinity``, integers of thousands of digits, invalid UTF-8,
strings with lone surrogates and control characters. ``parse`` refuses or
cleans all of them, and returns the document with every string (keys
included) cleaned as ``text.clean_text`` cleans it.
"""

from collective.civicreports import _
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.inputs.text import clean_text

import json
import math


# Our documents are three levels deep ({"images": [{"data": ...}]});
# plone.restapi's PATCH of a report, a few more.
MAX_DEPTH = 16
# Integers a JavaScript client can send exactly; more is never a value of ours.
MAX_INTEGER = 2**53
NOT_JSON = _("The request body is not valid JSON.")
TOO_DEEP = _("The request body is nested too deeply.")
BAD_NUMBER = _("The request body holds a number out of range.")


def _constant(name):
    raise ValueError(name)


def _float(text):
    number = float(text)
    if not math.isfinite(number):  # 1e999
        raise ValueError(text)
    return number


def load(body):
    """The document of a JSON body (bytes or str), not yet cleaned;
    BadInput (TOO_DEEP for nesting beyond what the parser can take)."""
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadInput("", NOT_JSON) from None
    try:
        return json.loads(body, parse_constant=_constant, parse_float=_float)
    except RecursionError:
        raise BadInput("", TOO_DEEP) from None
    except ValueError:
        raise BadInput("", NOT_JSON) from None


def parse(body):
    """The cleaned document of a JSON body (bytes or str); BadInput (with
    the field in dotted notation when a string is refused) otherwise."""
    return clean(load(body))


def clean(document):
    """The document with every string cleaned, within the bounds."""
    return _clean(document)


def _clean(document):
    """Walk the document without recursion, so that depth is only ever a
    number compared with MAX_DEPTH."""
    root = [document]
    # (container, key in container, value, depth, dotted path)
    stack = [(root, 0, document, 0, "")]
    while stack:
        container, key, value, depth, path = stack.pop()
        if depth > MAX_DEPTH:
            raise BadInput("", TOO_DEEP)
        if isinstance(value, str):
            container[key] = clean_text(value, path)
        elif isinstance(value, bool) or value is None:
            pass
        elif isinstance(value, int):
            if abs(value) > MAX_INTEGER:
                raise BadInput(path, BAD_NUMBER)
        elif isinstance(value, float):
            pass  # finite: _constant and _float saw to it
        elif isinstance(value, list):
            for index, item in enumerate(value):
                stack.append((value, index, item, depth + 1, f"{path}.{index}"))
        elif isinstance(value, dict):
            cleaned = {}
            for name, item in value.items():
                name = clean_text(name, path)
                cleaned[name] = item
            container[key] = cleaned
            for name, item in cleaned.items():
                child = f"{path}.{name}" if path else name
                stack.append((cleaned, name, item, depth + 1, child))
    return root[0]

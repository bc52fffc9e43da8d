"""The query parameters of the services (the REST endpoints and Open311):
one value of a name, ISO 8601 dates, bounded integers; what cannot be used
is a ``BadInput`` that names the parameter, and a 400.

The values are cleaned already (``edge``); these say whether they make
sense. Pages that quietly ignore a bad filter (the archive, the
statistics) use the same readers and drop what they refuse.
"""

from collective.civicreports import _
from collective.civicreports.inputs.form import GIVEN_TWICE
from collective.civicreports.inputs.text import BadInput
from datetime import date
from datetime import datetime

import math
import re


NOT_A_DATE = _("${value} is not a date as 2026-05-31.")
NOT_A_MOMENT = _("${value} is not an ISO 8601 date, e.g. 2026-05-31T08:00:00Z.")
NOT_AN_INTEGER = _("${value} is not an integer.")
TOO_SMALL = _("It must be at least ${minimum}.")
NOT_ONE_OF = _("${value} is not one of ${allowed}.")
BBOX_FOUR = _("Give four numbers: minLon,minLat,maxLon,maxLat.")
BBOX_NUMBERS = _("minLon,minLat,maxLon,maxLat must be finite numbers.")
BBOX_LONGITUDES = _("Longitudes must be between -180 and 180.")
BBOX_LATITUDES = _("Latitudes must be between -90 and 90.")
BBOX_ORDER = _(
    "The minimum longitude and latitude must not be greater than the maximum ones."
)
# fromisoformat takes more than clients mean (week dates, "20261130"): a
# date, then optionally a time, as the APIs document them.
_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT_RE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")


def one(form, name):
    """The one value of ``name``, stripped, or None when it is absent or
    empty; BadInput if it was given more than once."""
    value = form.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInput(name, GIVEN_TWICE)
    return value.strip() or None


def day(text):
    """A ``date`` from exactly "YYYY-MM-DD"; ValueError."""
    if not _DAY_RE.fullmatch(text):
        raise ValueError(text)
    return date.fromisoformat(text)


def _parsed(form, name, parse, message):
    value = one(form, name)
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError:
        raise BadInput(name, _(message, mapping={"value": repr(value)})) from None


def iso_date(form, name):
    """A ``date`` from "YYYY-MM-DD", or None."""
    return _parsed(form, name, day, NOT_A_DATE)


def moment(text):
    """A ``datetime`` from an ISO 8601 date or date and time; ValueError."""
    if not _MOMENT_RE.match(text):
        raise ValueError(text)
    return datetime.fromisoformat(text)


def iso_moment(form, name):
    """A ``datetime`` from an ISO 8601 date or date and time ("Z" and an
    offset allowed; naive when neither is given), or None."""
    return _parsed(form, name, moment, NOT_A_MOMENT)


def integer(form, name, minimum):
    """An int of at least ``minimum``, or None."""
    value = one(form, name)
    if value is None:
        return None
    if len(value) > 18 or not value.lstrip("-").isdigit():
        raise BadInput(name, _(NOT_AN_INTEGER, mapping={"value": repr(value)}))
    number = int(value)
    if number < minimum:
        raise BadInput(name, _(TOO_SMALL, mapping={"minimum": minimum}))
    return number


def choice(form, name, allowed):
    """A value among ``allowed``, or None."""
    value = one(form, name)
    if value is not None and value not in allowed:
        raise BadInput(
            name,
            _(
                NOT_ONE_OF,
                mapping={"value": repr(value), "allowed": ", ".join(allowed)},
            ),
        )
    return value


def bbox(value):
    """[min_lon, min_lat, max_lon, max_lat] of a ``bbox`` parameter, as
    the GeoJSON feed and the moderation queue take it."""
    parts = value.split(",")
    if len(parts) != 4:
        raise BadInput("bbox", BBOX_FOUR)
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        raise BadInput("bbox", BBOX_NUMBERS) from None
    # float() accepts "nan" and "inf", which no range query can use.
    if not all(math.isfinite(number) for number in numbers):
        raise BadInput("bbox", BBOX_NUMBERS)
    min_lon, min_lat, max_lon, max_lat = numbers
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise BadInput("bbox", BBOX_LONGITUDES)
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise BadInput("bbox", BBOX_LATITUDES)
    if min_lon > max_lon or min_lat > max_lat:
        raise BadInput("bbox", BBOX_ORDER)
    return numbers


def bad_request(request, error):
    """The answer of a service to a BadInput (or a message): a 400."""
    request.response.setStatus(400)
    message = error.text(request) if isinstance(error, BadInput) else error
    return {"error": {"type": "BadRequest", "message": message}}

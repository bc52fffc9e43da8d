"""Numbers from requests, parsed with bounds before anything computes
with them: a latitude written as a 400-digit integer overflows a float,
"1e999" and "nan" are floats no range check catches."""

from collective.civicreports import _
from collective.civicreports.inputs.text import BadInput

import math


# Longer than any number a citizen or a client means: "-179.12345678901234".
MAX_DIGITS = 32
NOT_A_NUMBER = _("This is not a number.")
OUT_OF_RANGE = _("This number must be between ${minimum} and ${maximum}.")


def _check(number, field, minimum, maximum):
    if (
        minimum is not None
        and number < minimum
        or (maximum is not None and number > maximum)
    ):
        raise BadInput(
            field, _(OUT_OF_RANGE, mapping={"minimum": minimum, "maximum": maximum})
        )
    return number


def parse_float(value, field="", minimum=None, maximum=None):
    """A finite float within the bounds, from a number or a string; None
    for None or an empty string; BadInput otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise BadInput(field, NOT_A_NUMBER)
    if isinstance(value, str):
        value = value.strip()
        if len(value) > MAX_DIGITS:
            raise BadInput(field, NOT_A_NUMBER)
    elif isinstance(value, int):
        if abs(value) > 10**MAX_DIGITS:
            raise BadInput(field, NOT_A_NUMBER)
    elif not isinstance(value, float):
        raise BadInput(field, NOT_A_NUMBER)
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise BadInput(field, NOT_A_NUMBER) from None
    if not math.isfinite(number):
        raise BadInput(field, NOT_A_NUMBER)
    return _check(number, field, minimum, maximum)

"""Reading the values of a form or a query string that ``edge`` cleaned."""

from collective.civicreports import _
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.inputs.text import NOT_TEXT


GIVEN_TWICE = _("This value was given more than once.")


def value(form, name, default=""):
    """The one text value of ``name``; BadInput if it was sent twice or is
    not text (a file where a text was expected)."""
    found = form.get(name, default)
    if found is None:
        return default
    if isinstance(found, (list, tuple)):
        raise BadInput(name, GIVEN_TWICE)
    if not isinstance(found, str):
        raise BadInput(name, NOT_TEXT)
    return found


def values(form, name):
    """Every text value of ``name``, for inputs that may repeat."""
    found = form.get(name)
    if found is None:
        return []
    items = found if isinstance(found, (list, tuple)) else [found]
    if not all(isinstance(item, str) for item in items):
        raise BadInput(name, NOT_TEXT)
    return list(items)

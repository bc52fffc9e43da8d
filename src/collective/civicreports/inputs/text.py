"""Text as every route stores and shows it.

Strict UTF-8 (a string that cannot be encoded, such as a lone surrogate
from an escaped JSON string or from the invalid bytes Zope decodes with
``surrogateescape``, is refused), normalised to NFC (so "è" typed two ways
is one word for search and comparison), line ends as ``\\n``, and no
control character but newline and tab: C0, DEL and C1 controls, and the
noncharacters U+FFFE and U+FFFF, which XML 1.0 cannot hold and which only
ever reach a form by mistake or on purpose.
"""

from collective.civicreports import _
from zope.i18n import translate

import re
import unicodedata


# Everything XML 1.0 refuses, and the C1 controls and DEL it would accept.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_LINE_END_RE = re.compile("\r\n?")
_SPACE_RE = re.compile(r"\s+")


class BadInput(ValueError):
    """An input that cannot be used: ``field`` names it (a field of a form
    or a body, a query parameter), ``message`` (a translatable message)
    says why."""

    def __init__(self, field, message):
        super().__init__(field, message)
        self.field = field
        self.message = message

    def text(self, request):
        """ "field: why", translated for the request."""
        return f"{self.field}: {translate(self.message, context=request)}"


NOT_TEXT = _("This value is not text.")
NOT_UTF8 = _("This text holds characters that are not valid UTF-8.")
TOO_LONG = _("This text is longer than ${count} characters.")


def encodable(value):
    """Whether a str can be written as UTF-8 (no lone surrogate)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean_text(value, field="", max_length=None):
    """The cleaned text, or BadInput. Bytes are decoded as strict UTF-8.
    Leading and trailing whitespace is kept: callers strip when they
    compare, so that a description's indented lines survive."""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise BadInput(field, NOT_UTF8) from None
    if not isinstance(value, str):
        raise BadInput(field, NOT_TEXT)
    if not value.isascii():
        if not encodable(value):
            raise BadInput(field, NOT_UTF8)
        value = unicodedata.normalize("NFC", value)
    if "\r" in value:
        value = _LINE_END_RE.sub("\n", value)
    value = _CONTROL_RE.sub("", value)
    if max_length is not None and len(value) > max_length:
        raise BadInput(field, _(TOO_LONG, mapping={"count": max_length}))
    return value


def one_line(value):
    """A cleaned text on one line, its runs of whitespace made one space."""
    return _SPACE_RE.sub(" ", value).strip()


def printable(value):
    """What an output writer (XML, CSV, JSON) may write of a str: the
    characters ``clean_text`` would refuse or drop are left out. Stored
    values are clean already; this is the writers' own guard."""
    if not isinstance(value, str):
        return value
    if not value.isascii() and not encodable(value):
        value = value.encode("utf-8", "ignore").decode("utf-8")
    return _CONTROL_RE.sub("", value)

"""The settings of the App IO messages (Site Setup > App IO messages)."""

from collective.civicreports import _
from zope import schema
from zope.interface import Interface
from zope.interface import Invalid

import re


PREFIX = "collective.civicreports.appio"
DEFAULT_BASE_URL = "https://api.io.pagopa.it/api/v1"

# A category's id, as categories/registry.py allows it, and an IO key: the
# keys of the IO back office are hexadecimal, but nothing here depends on it.
KEY_LINE = re.compile(r"^\s*([a-z0-9][a-z0-9_-]*)\s*\|\s*(\S+)\s*$")


def parse_key_line(line):
    """(category id, key) of a line ``category-id | key``, or None."""
    match = KEY_LINE.match(line or "")
    return (match.group(1), match.group(2)) if match else None


def check_key_lines(lines):
    for line in lines or ():
        if parse_key_line(line) is None:
            raise Invalid(
                _(
                    "appio_bad_key_line",
                    default='Write each line as "category id | API key": ${line}',
                    mapping={"line": line},
                )
            )
    return True


def check_base_url(value):
    # The key travels in a header: never over plain HTTP, but to this host.
    if not re.match(r"^(https://[^\s/]+|http://127\.0\.0\.1(:\d+)?)(/\S*)?$", value):
        raise Invalid(_("Give an https:// address."))
    return True


class IAppIOSettings(Interface):
    """App IO, beside the e-mail, for the citizens known by fiscal code."""

    enabled = schema.Bool(
        title=_("Send App IO messages"),
        description=_(
            "Reporters identified by fiscal code also receive each step of "
            "their report in the IO app, if they use it and allow the service."
        ),
        required=False,
        default=False,
    )
    base_url = schema.TextLine(
        title=_("Address of the IO API"),
        required=True,
        default=DEFAULT_BASE_URL,
        constraint=check_base_url,
    )
    api_key = schema.TextLine(
        title=_("API key of the default IO service"),
        description=_(
            "The key of the service published on the IO back office; used "
            "for the categories without a key of their own."
        ),
        required=False,
        default="",
    )
    category_keys = schema.List(
        title=_("API keys of the categories"),
        description=_(
            'One line per category with an IO service of its own: "category '
            'id | API key".'
        ),
        value_type=schema.TextLine(),
        required=False,
        default=[],
        missing_value=[],
        constraint=check_key_lines,
    )
    timeout = schema.Int(
        title=_("Timeout of a call to IO (seconds)"),
        required=True,
        default=10,
        min=1,
        max=120,
    )

"""API keys of the Open311 clients, kept in the registry.

A key is a records-proxy collection like the categories, so that it lives
with the other settings, is exported by GenericSetup and needs no storage
of its own. Each key records the channel its reports arrive from (an app of
the municipality, a partner's kiosk...), so that the statistics tell them
apart.
"""

from collective.civicreports import _
from collective.civicreports.reports.engagement import same_token
from plone.registry.interfaces import IRegistry
from types import SimpleNamespace
from zope import schema
from zope.component import getUtility
from zope.interface import Interface

import re
import secrets


PREFIX = "collective.civicreports.apikey"
# What plone.registry accepts as the key of a collection.
KEY_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")


class IApiKey(Interface):
    key = schema.ASCIILine(title=_("Key"), required=True)

    label = schema.TextLine(
        title=_("Label"),
        description=_("Who uses the key, e.g. the name of the application."),
        required=True,
    )

    channel = schema.Choice(
        title=_("Channel"),
        description=_("The channel recorded on the reports sent with this key."),
        vocabulary="collective.civicreports.Channels",
        required=True,
        default="api",
    )

    active = schema.Bool(title=_("Active"), required=False, default=True)


def key_records():
    """The keys as a mapping of id to a records proxy."""
    registry = getUtility(IRegistry)
    return registry.collectionOfInterface(IApiKey, prefix=PREFIX, check=False)


def all_keys():
    """(id, key) pairs, ordered by label."""
    records = key_records()
    pairs = [(key_id, records[key_id]) for key_id in records]
    return sorted(pairs, key=lambda pair: (pair[1].label or pair[0]).lower())


def create_key(label, channel="api", key=None, key_id=None):
    """Add a key; returns its id. The secret is random unless given (the
    demo site has a well-known one)."""
    records = key_records()
    key_id = key_id or _new_id()
    while records.has_key(key_id):
        key_id = _new_id()
    records[key_id] = SimpleNamespace(
        key=key or secrets.token_urlsafe(24),
        label=label,
        channel=channel,
        active=True,
    )
    return key_id


def _new_id():
    return "k" + secrets.token_hex(4)


def revoke_key(key_id):
    """Deactivate a key; it stays listed, so that the reports it brought
    keep a name. Returns whether the key existed."""
    records = key_records()
    if not isinstance(key_id, str) or not KEY_ID_RE.match(key_id):
        return False
    if not records.has_key(key_id):
        return False
    records[key_id].active = False
    return True


def find_key(value):
    """The active key whose secret is ``value``, or None.

    Every key is compared, in constant time, so that the time of the answer
    tells nothing about how much of a guess was right.
    """
    found = None
    for _key_id, record in all_keys():
        if same_token(record.key, value) and record.active:
            found = record
    return found

"""Drafts of the report form kept on the server for logged-in citizens
(Designers Italia criterion C.SE.1.6: save and resume later).

A draft is what the form carried between its steps: the values as the
browser sent them, and the photos and documents already cleaned. It is kept
in the report folder, one per citizen, out of the catalog and of every
published route, and forgotten after ``LIFETIME`` or once the report is sent.
Anonymous citizens keep their draft in their own browser instead: the server
keeps nothing for them.
"""

from BTrees.OOBTree import OOBTree
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import UTC
from zope.annotation.interfaces import IAnnotations

import time


KEY = "collective.civicreports.drafts"
LIFETIME = 30 * 24 * 3600
# A draft is a few form values and the photos; the bound keeps one citizen
# from storing without limit through the draft button.
MAX_VALUES = 200


@dataclass
class Draft:
    values: list[tuple[str, str]]
    photos: list[bytes] = field(default_factory=list)
    attachments: list[bytes] = field(default_factory=list)
    saved: float = 0.0

    @property
    def saved_at(self):
        return datetime.fromtimestamp(self.saved, tz=UTC)

    @property
    def expires_at(self):
        return datetime.fromtimestamp(self.saved + LIFETIME, tz=UTC)


def _store(folder, create=False):
    annotations = IAnnotations(folder)
    if KEY not in annotations:
        if not create:
            return None
        annotations[KEY] = OOBTree()
    return annotations[KEY]


def save(folder, userid, values, photos=(), attachments=(), now=None):
    """Keep (or replace) the citizen's draft."""
    now = time.time() if now is None else now
    store = _store(folder, create=True)
    store[userid] = {
        "time": now,
        "values": [(str(k), str(v)) for k, v in list(values)[:MAX_VALUES]],
        "photos": [bytes(p) for p in photos],
        "attachments": [bytes(a) for a in attachments],
    }
    return load(folder, userid, now=now)


def load(folder, userid, now=None):
    """The citizen's draft, or None (also when it has expired)."""
    store = _store(folder)
    if store is None or userid not in store:
        return None
    entry = store[userid]
    now = time.time() if now is None else now
    if entry["time"] < now - LIFETIME:
        return None
    return Draft(
        values=list(entry["values"]),
        photos=list(entry["photos"]),
        attachments=list(entry["attachments"]),
        saved=entry["time"],
    )


def discard(folder, userid):
    store = _store(folder)
    if store is not None and userid in store:
        del store[userid]


def purge(folder, now=None):
    """Forget the expired drafts (the daily job); returns how many."""
    store = _store(folder)
    if store is None:
        return 0
    now = time.time() if now is None else now
    old = [key for key, entry in store.items() if entry["time"] < now - LIFETIME]
    for key in old:
        del store[key]
    return len(old)

"""Idempotency keys: a submission sent again (a client that never got the
answer, a double click, a browser resending after a timeout) finds the
report the first one made, instead of making a second.

Three ways in carry a key, each in a scope of its own so that their keys
never meet: the ``Idempotency-Key`` header of ``POST @reports`` (``API``),
the hidden key of the form (``FORM``) and the link of the confirmation mail
(``CONFIRMATION``). With the key goes the fingerprint of what was sent: the
same key with something else is refused (``KeyReused``), never answered
with the other request's report.

A key is recorded in the transaction that creates its report
(``submission.create_and_commit``): after a crash both are in the database
or neither is, so no retry ever makes a second report and no key points to
a report that was never committed. The lookup that decides it is made there
too, in the change that ``reports/commits.py`` runs one at a time in each
process on a fresh view of the database: of two requests with one key the
second sees the first's commit. Between Zope processes both may create a
report, but their inserts of the same key conflict, and the retry of the
second sees the first's.
"""

from BTrees.OOBTree import OOBTree
from dataclasses import dataclass
from plone import api
from zope.annotation.interfaces import IAnnotations

import hashlib
import time


ANNOTATION_KEY = "collective.civicreports.idempotency"
# The draft of the Idempotency-Key header leaves the expiry to the server
# (and asks it to be published: docs/api.rst). A day covers a client that
# retries after a restart or an outage of its network, and keeps the store
# to one day of keyed submissions.
LIFETIME = 24 * 3600

API = "api"
FORM = "form"
CONFIRMATION = "confirmation"


class KeyReused(Exception):
    """The key was used for a request with another fingerprint."""


@dataclass(frozen=True)
class Record:
    """What a key was used for."""

    # The report's tracking number; "" for a form's submission that waits
    # for the reporter to confirm their e-mail (``reports/pending``).
    number: str
    fingerprint: str
    time: float
    # The report's state when it was first answered, to answer it again.
    state: str
    report: object = None


def key(scope, value):
    """The stored form of a client's key in one of the scopes.

    A hash: inserts then fall anywhere in the tree, not all on its last
    bucket as the time-ordered or sequential keys many clients make would
    ("order-41", "order-42"). Concurrent inserts into different buckets
    never conflict, and BTrees merge those of different keys into one
    bucket unless it splits (a conflict ``reports/commits.py`` retries). It
    also keeps every stored key 64 characters, whatever the client sent.
    """
    return hashlib.sha256(f"{scope}:{value}".encode()).hexdigest()


def fingerprint(data):
    """The fingerprint of a request's bytes."""
    return hashlib.sha256(data).hexdigest()


def _store(folder, create=False):
    # One tree per report folder, apart from the folder's own object, so that
    # recording a key never writes the folder; made by the first keyed
    # submission.
    annotations = IAnnotations(folder)
    store = annotations.get(ANNOTATION_KEY)
    if store is None and create:
        store = annotations[ANNOTATION_KEY] = OOBTree()
    return store


def find(folder, stored_key, fingerprint, now=None):
    """The Record of ``stored_key`` in ``folder``, or None if the key is
    unknown or expired; KeyReused if it came with another fingerprint."""
    store = _store(folder)
    found = store.get(stored_key) if store is not None else None
    if found is None:
        return None
    number, recorded, when, state = found
    now = time.time() if now is None else now
    if when < now - LIFETIME:
        return None
    report = folder.get(number) if number else None
    if number and report is None:
        # Removed by a Manager since: nothing is left to answer with, and
        # the removal decided about that report, not about the next one.
        return None
    if recorded != fingerprint:
        raise KeyReused(stored_key)
    return Record(number, recorded, when, state, report)


def remember(folder, stored_key, fingerprint, report=None, now=None):
    """Record the key in the current transaction, the one that creates
    ``report`` (without one: that keeps the submission waiting for the
    e-mail confirmation)."""
    number = report.getId() if report is not None else ""
    state = (api.content.get_state(report, "") if report is not None else "") or ""
    now = time.time() if now is None else now
    _store(folder, create=True)[stored_key] = (number, fingerprint, now, state)


def prune(folder, now=None):
    """Forget the expired keys of ``folder``; returns how many."""
    store = _store(folder)
    if store is None:
        return 0
    limit = (time.time() if now is None else now) - LIFETIME
    expired = [name for name, found in store.items() if found[2] < limit]
    for name in expired:
        del store[name]
    return len(expired)

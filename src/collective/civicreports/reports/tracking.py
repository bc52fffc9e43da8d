"""Tracking numbers: ``YYYY-NNNNNN``, unique, without gaps.

The counter is incremented in the transaction of the report that takes the
number: the number is committed with its report, or given back when that
transaction aborts, so a failed request leaves no gap. Two transactions
that take a number at once both change the counter's entry for the year,
which BTrees cannot merge: the second to commit gets a ConflictError and
is done again with the next number (``reports/commits.py``), so no number
is given twice. Taking it in a transaction of its own instead cost each
report a second commit, and a gap for each request that failed later.
"""

from BTrees.OOBTree import OOBTree
from datetime import datetime
from persistent import Persistent
from ZODB.POSException import ConflictError
from ZODB.POSException import POSKeyError
from zope.annotation.interfaces import IAnnotations

import logging
import random
import time
import transaction


logger = logging.getLogger(__name__)

ANNOTATION_KEY = "collective.civicreports.tracking"
MAX_ATTEMPTS = 50


class TrackingCounter(Persistent):
    """The last number given, per year."""

    def __init__(self):
        self.last = OOBTree()

    def next(self, year):
        number = self.last.get(year, 0) + 1
        self.last[year] = number
        return number


def install_counter(site):
    """Create the counter once; called by the install profile."""
    annotations = IAnnotations(site)
    if ANNOTATION_KEY not in annotations:
        annotations[ANNOTATION_KEY] = TrackingCounter()
    return annotations[ANNOTATION_KEY]


def get_counter(site):
    return IAnnotations(site).get(ANNOTATION_KEY)


def format_number(year, number):
    return f"{year}-{number:06d}"


def allocate(site, year=None):
    """A new tracking number for a report of this site, taken in the
    current transaction (see the module's docstring)."""
    year = year or datetime.now().year
    counter = get_counter(site)
    if counter is None:
        counter = install_counter(site)
    return format_number(year, counter.next(year))


def apart(obj, change):
    """``change(obj)`` in a transaction of its own, on a separate
    connection, committed at once and retried on conflicts; returns what
    ``change`` returns: for what must be kept even when the request fails
    (the rate limits' counts). Only ever a few objects are written, so
    concurrent requests collide on this tiny transaction, which is retried
    here, and not on their own. An object created in the current transaction (a site
    being set up) has no copy elsewhere: nobody else can see it yet, so it
    is changed where it is."""
    if obj._p_jar is not None and obj._p_oid is not None:
        try:
            return _apart(obj, change)
        except POSKeyError:
            pass
    return change(obj)


def _apart(obj, change):
    db = obj._p_jar.db()
    manager = transaction.TransactionManager()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        connection = db.open(transaction_manager=manager)
        try:
            manager.begin()
            result = change(connection.get(obj._p_oid))
            manager.commit()
            return result
        except ConflictError:
            manager.abort()
            logger.debug("conflict on %r, attempt %d", obj, attempt)
        finally:
            connection.close()
        time.sleep(random.uniform(0, 0.005 * attempt))
    raise ConflictError(f"could not commit a change of {obj!r}")

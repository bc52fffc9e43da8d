"""Writes that must not fail when others write at the same time: a
citizen's submission, a moderator's or an office's action.

Left to Zope, two requests that change the same catalog buckets at once
end in a ConflictError, which Zope retries three times with growing delays
and then answers with an error: a burst of citizens lost a moderator's
approvals that way. Here a change runs from a fresh view of the database
to its commit one at a time in each process, so the threads of one process
never collide; a collision with another process (ZEO, RelStorage) is
retried here, with backoff and jitter, until it commits between the
others' commits. Zope never sees a conflict, and nothing is lost.

Holding the lock costs a few milliseconds of waiting per write: a
municipality receives a few reports a minute, and its staff act by hand.
"""

from plone.app.contentrules import handlers as rule_handlers
from ZODB.POSException import ConflictError

import random
import threading
import time
import transaction


# Reentrant: a staff form may submit a report for a citizen.
_WRITERS = threading.RLock()
ATTEMPTS = 20
BACKOFF = 0.02  # seconds, doubled at each attempt
MAX_BACKOFF = 0.5


def committed(change):
    """``change()`` in a transaction of its own, committed; returns what it
    returns. A transaction it dooms (a refusal) is aborted instead.

    ``change`` must do all its work again when called again: it is called
    on a fresh view of the database after a conflict, and whatever the
    request wrote before is dropped (nothing, for the routes that use
    this: they write only here)."""
    with _WRITERS:
        for attempt in range(1, ATTEMPTS + 1):
            transaction.begin()
            # The content rules run once per object and request: a change
            # done again after a conflict must send its mails again.
            rule_handlers.close(None)
            try:
                result = change()
                if transaction.get().isDoomed():
                    transaction.abort()
                else:
                    transaction.commit()
                return result
            except ConflictError:
                transaction.abort()
                if attempt == ATTEMPTS:
                    raise
                time.sleep(random.uniform(0, min(BACKOFF * 2**attempt, MAX_BACKOFF)))

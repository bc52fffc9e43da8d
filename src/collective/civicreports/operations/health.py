"""``<site>/@@health``: what a load balancer asks each Zope process before
sending it requests (HAProxy's ``option httpchk GET /Plone/@@health``).

It answers JSON, never cached::

    {"status": "ok",
     "database": {"reachable": true, "seconds": 0.0012},
     "mail_queue": {"enabled": true, "length": 0, "oldest_age": null,
                    "degraded_after": 3600}}

- ``503`` and ``"failing"`` when the database does not answer: the
  balancer should stop sending requests to this process.
- ``200`` and ``"degraded"`` when the oldest mail has waited in the queue
  longer than ``degraded_after`` seconds (``$CIVICREPORTS_HEALTH_MAIL_AGE``,
  3600 by default, 0 turns it off), or the queue folder cannot be read:
  somebody should look, but the process serves requests as well as ever.
- ``200`` and ``"ok"`` otherwise.

It costs one read of the storage and one listing of the queue folder: no
catalog, no report, and nobody's data in the answer.
"""

from Acquisition import aq_base
from Products.Five.browser import BrowserView
from ZODB.utils import z64

import json
import logging
import os
import time


logger = logging.getLogger(__name__)

MAIL_AGE_VARIABLE = "CIVICREPORTS_HEALTH_MAIL_AGE"
# An SMTP server that is down holds the mail of every process at once:
# were that "failing", the balancer would take every process out together
# and the site would go down for a mail server. So a late mail only makes
# the answer "degraded", still 200, and the limit is generous enough that
# a short SMTP outage or a slow relay passes without a word.
DEFAULT_MAIL_AGE = 3600


def mail_age_limit():
    """Seconds the oldest queued mail may wait before the answer is
    "degraded"; 0 for never."""
    value = os.environ.get(MAIL_AGE_VARIABLE, "").strip()
    try:
        return max(0, int(value)) if value else DEFAULT_MAIL_AGE
    except ValueError:
        logger.warning("%s=%r is not a number of seconds", MAIL_AGE_VARIABLE, value)
        return DEFAULT_MAIL_AGE


def check_database(connection):
    """Read from the storage itself, past every cache; seconds it took.

    Raises whatever the storage raises when it cannot be reached."""
    started = time.monotonic()
    shared = connection.db().storage
    is_connected = getattr(shared, "is_connected", None)
    if is_connected is not None and not is_connected():
        # ZEO: answered from the client's own state. A read while
        # disconnected would wait for the server for ``wait-timeout``,
        # longer than a balancer waits for its check.
        raise ConnectionError("the storage server is not connected")
    # The connection's own instance: with RelStorage it has its own
    # PostgreSQL connection, while the DB's storage is one object shared by
    # every thread. ``history`` is asked of the storage every time, where
    # ``load`` and ``lastTransaction`` may be answered from the ZEO client
    # cache or RelStorage's local cache, or from what the poll at the start
    # of the request saw: a query to PostgreSQL, a call to the ZEO server, a
    # read of Data.fs. The root object has very few revisions.
    connection._storage.history(z64, size=1)
    return time.monotonic() - started


def _queued_at(entry):
    # zope.sendmail names a queued mail "<time queued>.<pid>.<host>.<random>"
    # and its queue thread touches the file at each attempt to send it:
    # while the SMTP server is down, the file's time is the last attempt,
    # a few seconds ago, whatever the mail's real age.
    head = entry.name.split(".", 1)[0]
    if head.isascii() and head.isdigit():
        return int(head)
    return entry.stat().st_mtime


def mail_queue(directory, now=None):
    """The number of mails waiting in the Maildir ``directory`` and the age
    in seconds of the oldest (None when empty).

    Counted as the queue thread sees them: the files of ``new/`` and
    ``cur/``, not the ones starting with a dot (the thread's ``.sending-``
    and ``.rejected-`` links, which are the same mails or given up)."""
    now = time.time() if now is None else now
    length, oldest = 0, None
    for sub in ("new", "cur"):
        with os.scandir(os.path.join(directory, sub)) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                try:
                    if not entry.is_file():
                        continue
                    queued = _queued_at(entry)
                except FileNotFoundError:
                    continue  # sent while we were looking
                length += 1
                oldest = queued if oldest is None else min(oldest, queued)
    # A clock ahead on the process that queued it: not a negative age.
    age = None if oldest is None else max(0, int(now - oldest))
    return length, age


def mail_status(site):
    mailhost = getattr(aq_base(site), "MailHost", None)
    if mailhost is None or not getattr(mailhost, "smtp_queue", False):
        # Sent during the request: nothing waits anywhere.
        return {"enabled": False}, False
    limit = mail_age_limit()
    status = {"enabled": True, "degraded_after": limit or None}
    try:
        length, age = mail_queue(mailhost.smtp_queue_directory)
    except OSError as error:
        # Mail cannot be queued either: every commit that sends one fails.
        logger.warning("health: the mail queue cannot be read: %r", error)
        status.update(length=None, oldest_age=None, error="unreadable")
        return status, True
    status.update(length=length, oldest_age=age)
    return status, bool(limit and age is not None and age > limit)


def health(site):
    """The HTTP status and the answer's data."""
    try:
        seconds = check_database(aq_base(site)._p_jar)
    except Exception as error:
        logger.warning("health: the database does not answer: %r", error)
        # The kind of error only: its text may name hosts and users.
        database = {"reachable": False, "error": type(error).__name__}
    else:
        database = {"reachable": True, "seconds": round(seconds, 4)}
    mail, late = mail_status(site)
    if not database["reachable"]:
        code, status = 503, "failing"
    elif late:
        code, status = 200, "degraded"
    else:
        code, status = 200, "ok"
    return code, {"status": status, "database": database, "mail_queue": mail}


class HealthView(BrowserView):
    def __call__(self):
        code, data = health(self.context)
        response = self.request.response
        response.setStatus(code)
        response.setHeader("Content-Type", "application/json")
        # A proxy or the balancer must ask the process every time.
        response.setHeader("Cache-Control", "no-store")
        return json.dumps(data)

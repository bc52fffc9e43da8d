"""Limits of actions per client and hour, counted in the database, so
that every Zope process of the site (ZEO, RelStorage) shares one count.

Each (action, client) has a counter per hour; the count of the last hour
is estimated from the current hour's counter and the previous one's,
weighted by how much of the previous hour is still inside the window (the
"sliding window counter"): two integers per client, no timestamps, and no
burst of twice the limit at the turn of the hour. Clients are kept as a
keyed hash, never as their address or user id, and the counters of past
hours are deleted as the hours pass: the database holds no trace of who
did what.

The counters are written in a small transaction of their own
(``tracking.apart``): a refused request, or one that fails later, still
counts, and concurrent requests never conflict on the request's own
transaction.
"""

from BTrees.OOBTree import OOBTree
from collective.civicreports import _
from collective.civicreports.permissions import may_moderate
from collective.civicreports.reports.settings import setting
from collective.civicreports.reports.tracking import apart
from dataclasses import dataclass
from persistent import Persistent
from plone import api
from zope.annotation.interfaces import IAnnotations

import hashlib
import hmac
import math
import secrets
import time


ANNOTATION_KEY = "collective.civicreports.ratelimits"
WINDOW = 3600  # seconds


@dataclass
class Decision:
    allowed: bool
    # Seconds until the action would be allowed again (0 when allowed).
    retry_after: int = 0


ALLOWED = Decision(True)


class RateCounters(Persistent):
    """The counters of a site: (hour, action, client hash) -> count."""

    def __init__(self):
        self.secret = secrets.token_bytes(32)
        self.counts = OOBTree()
        self.purged_before = 0

    def client_key(self, client):
        digest = hmac.new(self.secret, client.encode("utf-8"), hashlib.sha256)
        return digest.hexdigest()[:32]

    def purge(self, hour):
        """Forget the hours before the previous one."""
        if self.purged_before >= hour - 1:
            return
        for key in list(self.counts.keys(max=(hour - 2, "\uffff"))):
            del self.counts[key]
        self.purged_before = hour - 1


def install_counters(site):
    annotations = IAnnotations(site)
    if ANNOTATION_KEY not in annotations:
        annotations[ANNOTATION_KEY] = RateCounters()
    return annotations[ANNOTATION_KEY]


def client_address(request):
    # Behind a proxy, Zope's getClientAddr honours the trusted proxies.
    return request.getClientAddr() or request.get("REMOTE_ADDR", "") or "unknown"


def client_of(request):
    """Who is counted: the account of a logged-in user, else the address."""
    if not api.user.is_anonymous():
        return "user:" + api.user.get_current().getId()
    return "address:" + client_address(request)


def _estimate(counts, hour, action, key, fraction):
    previous = counts.get((hour - 1, action, key), 0)
    current = counts.get((hour, action, key), 0)
    return previous, current, previous * (1 - fraction) + current


def _retry_after(previous, current, limit, elapsed):
    """Seconds until one more action fits: until the estimate is at most
    ``limit - 1``."""
    room = limit - 1
    if current > room:
        # Only in the next hour, once this hour's count weighs little enough.
        wait = WINDOW - elapsed + WINDOW * (current - room) / current
    else:
        # The previous hour still weighs too much.
        wait = WINDOW * (previous - room + current) / previous - elapsed
    return max(1, math.ceil(wait))


def _decide(counters, action, client, limit, now, record):
    hour, elapsed = divmod(now, WINDOW)
    hour = int(hour)
    key = counters.client_key(client)
    previous, current, estimate = _estimate(
        counters.counts, hour, action, key, elapsed / WINDOW
    )
    if estimate + 1 > limit:
        return Decision(False, _retry_after(previous, current, limit, elapsed))
    if record:
        counters.counts[(hour, action, key)] = current + 1
        counters.purge(hour)
    return ALLOWED


def _counted(action, client, limit, record, now):
    if not limit:
        return ALLOWED
    now = time.time() if now is None else now
    site = api.portal.get()
    counters = IAnnotations(site).get(ANNOTATION_KEY)
    if counters is None:
        counters = install_counters(site)
    return apart(
        counters, lambda counters: _decide(counters, action, client, limit, now, record)
    )


def hit(action, client, limit, now=None):
    """Count one ``action`` of ``client`` (see ``client_of``) if it is within
    ``limit`` an hour (0: no limit); the Decision says whether it was."""
    return _counted(action, client, limit, True, now)


def check(action, client, limit, now=None):
    """Whether one more ``action`` would be allowed, without counting it:
    to refuse early, before the work the count is for."""
    return _counted(action, client, limit, False, now)


TOO_MANY_REPORTS = _("Too many reports in the last hour. Try again later.")
TOO_MANY_ACTIONS = _("Too many requests from your address. Try again later.")


def reports_of(request, folder, record=True):
    """The limit of the reports of the current user in ``folder`` (those
    who type in reports for others have none): counts one with
    ``record``, else only looks."""
    if may_moderate(folder):
        return ALLOWED
    if api.user.is_anonymous():
        limit = setting("anonymous_rate_limit")
    else:
        limit = setting("citizen_rate_limit")
    counted = hit if record else check
    return counted("submit", client_of(request), limit)


def citizen_action(request):
    """Count one follow, support or answer from the private page."""
    return hit("engagement", client_of(request), setting("engagement_rate_limit"))


def refuse(request, decision):
    """What an answer says of a refused request: 429 and Retry-After."""
    response = request.response
    response.setStatus(429)
    response.setHeader("Retry-After", str(decision.retry_after))


def reset():
    """Forget every count of the site (tests)."""
    counters = IAnnotations(api.portal.get()).get(ANNOTATION_KEY)
    if counters is not None:
        apart(counters, lambda counters: counters.counts.clear())

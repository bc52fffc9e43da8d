"""A per-process limit of actions per client address and hour.

Kept in memory: it is a brake on floods from one address, not an account
of who did what. With several Zope processes, each counts on its own.
"""

from collections import defaultdict
from collections import deque

import threading
import time


_HITS = defaultdict(deque)
_LOCK = threading.Lock()
WINDOW = 3600.0


def client_address(request):
    # Behind a proxy, Zope's getClientAddr honours the trusted proxies.
    return request.getClientAddr() or request.get("REMOTE_ADDR", "") or "unknown"


def allow(action, address, limit, now=None):
    """Record one action of ``address``; False if over ``limit`` an hour.
    A limit of 0 means no limit."""
    if not limit:
        return True
    now = time.monotonic() if now is None else now
    with _LOCK:
        hits = _HITS[(action, address)]
        while hits and hits[0] <= now - WINDOW:
            hits.popleft()
        if len(hits) >= limit:
            return False
        hits.append(now)
        return True


def reset():
    """Forget every count (tests)."""
    with _LOCK:
        _HITS.clear()

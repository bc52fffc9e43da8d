"""The durable queue of the App IO messages.

A message is a JSON file in a spool folder, as a mail is in the MailHost's
queue: written in the commit of the transaction that caused it (nothing
when it aborts or is retried after a conflict), kept across restarts, and
sent by a background thread of the process. The folder is ``$APPIO_QUEUE``,
by default ``appio-queue`` in the instance's var folder; one per process,
like the mail queue.

    tmp/   written while the transaction votes
    new/   committed, waiting (each file knows when it is next due)
    cur/   being sent; back to new/ if its sender died

A file holds everything its sending needs (address, key, fiscal code, the
texts), so the worker never opens the database. It is deleted once sent,
dropped (the citizen is not on IO or turned the service off: they have the
e-mail) or given up (logged); the log never carries the fiscal code.
"""

from App.config import getConfiguration
from collective.civicreports.appio.client import Client
from collective.civicreports.appio.client import Drop
from collective.civicreports.appio.client import Failed
from collective.civicreports.appio.client import Sent
from transaction.interfaces import IDataManager
from zope.interface import implementer

import contextlib
import json
import logging
import os
import secrets
import threading
import time
import transaction


logger = logging.getLogger(__name__)

# Retries: 30 s doubled at each failure, at most an hour apart; a message
# not sent within three days is given up (the citizen has the e-mail).
BACKOFF = 30.0
MAX_BACKOFF = 3600.0
MAX_AGE = 3 * 24 * 3600.0
# How often the folder is looked at without being woken (messages written
# by another process, or left by a previous run).
POLL = 30.0
# A file in cur/ for this long has lost its sender (a crash mid-call: each
# call lasts at most the timeout setting, at most 120 s).
STALE = 600.0


def spool_directory():
    configured = os.environ.get("APPIO_QUEUE", "").strip()
    if configured:
        return os.path.abspath(configured)
    return os.path.join(getConfiguration().clienthome, "appio-queue")


class Spool:
    def __init__(self, directory):
        self.directory = directory

    def create(self):
        for sub in ("tmp", "new", "cur"):
            os.makedirs(self.path(sub, ""), mode=0o700, exist_ok=True)
        return self

    def path(self, sub, name):
        return os.path.join(self.directory, sub, name)

    def write(self, sub, name, record):
        """Write durably (fsync) to ``sub/name``, through tmp/."""
        tmp = self.path("tmp", name + ".part")
        # Fiscal codes and keys: readable by the process's user only.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump(record, stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, self.path(sub, name))

    def read(self, sub, name):
        with open(self.path(sub, name), encoding="utf-8") as stream:
            return json.load(stream)

    def names(self, sub):
        try:
            return sorted(
                n for n in os.listdir(self.path(sub, "")) if n.endswith(".json")
            )
        except FileNotFoundError:
            return []

    def remove(self, sub, name):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path(sub, name))


def new_name():
    # Oldest first when sorted; unique across threads and processes.
    return f"{time.time_ns():020d}-{secrets.token_hex(6)}.json"


# At commit


@implementer(IDataManager)
class PendingMessages:
    """The messages of one transaction: written to tmp/ when it votes, moved
    to new/ when it is finished, removed if it aborts. Errors are logged,
    never raised: a message lost is better than a citizen's request lost."""

    def __init__(self, manager):
        self.transaction_manager = manager
        self.records = []
        self.written = []
        self.directory = None

    def add(self, record):
        self.records.append(record)

    # After the ZODB's storages: nothing is written if they refuse to vote.
    def sortKey(self):
        return "~collective.civicreports.appio"

    def abort(self, txn):
        self.records = []

    def tpc_begin(self, txn):
        pass

    def commit(self, txn):
        pass

    def tpc_vote(self, txn):
        try:
            self.directory = spool_directory()
            spool = Spool(self.directory).create()
            for record in self.records:
                name = new_name()
                spool.write("tmp", name, record)
                self.written.append(name)
        except Exception:
            logger.exception("could not queue %d App IO messages", len(self.records))

    def tpc_finish(self, txn):
        try:
            if not self.written:
                return
            spool = Spool(self.directory)
            for name in self.written:
                os.replace(spool.path("tmp", name), spool.path("new", name))
            worker_for(self.directory).wake()
        except Exception:
            logger.exception("could not queue the App IO messages")
        finally:
            self.records, self.written = [], []

    def tpc_abort(self, txn):
        if self.written:
            spool = Spool(self.directory)
            for name in self.written:
                spool.remove("tmp", name)
        self.records, self.written = [], []


_KEY = "collective.civicreports.appio.pending"


def enqueue(record):
    """Queue ``record`` (see ``Worker.deliver``) with the current
    transaction: it is written when, and only if, the transaction commits."""
    txn = transaction.get()
    try:
        pending = txn.data(_KEY)
    except KeyError:
        pending = PendingMessages(transaction.manager)
        txn.set_data(_KEY, pending)
        txn.join(pending)
    pending.add(record)


# The sender


class Worker:
    """Sends the messages of one spool folder, in a daemon thread."""

    def __init__(
        self,
        directory,
        poll=POLL,
        backoff=BACKOFF,
        max_backoff=MAX_BACKOFF,
        max_age=MAX_AGE,
        stale=STALE,
    ):
        self.spool = Spool(directory).create()
        self.poll = poll
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_age = max_age
        self.stale = stale
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = None
        # When each message waiting in new/ is next due, as last read. Every
        # commit wakes the worker: reading every waiting file again each time
        # made a burst with App IO unreachable cost the square of the queue
        # (a third of the process's CPU at 1,000 waiting messages). A file
        # is read again only once it is due; what another process changed
        # meanwhile is then read as it is.
        self._due = {}
        # Until when each IO address is not asked again (by base_url): a
        # failure to be retried (unreachable, 429, 5xx) is the service's,
        # not its message's. Trying every waiting message each round cost,
        # in a burst with IO down, a refused connection, a warning and an
        # fsync'ed rewrite per message: a fifth of the process's CPU. Now
        # one message finds out when the service is back, and the others
        # follow it; meanwhile the folder is looked at every ``poll``
        # seconds, not at every commit.
        self._paused = {}

    @property
    def alive(self):
        return self._thread is not None and self._thread.is_alive()

    def start(self):
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._run, name="civicreports-appio", daemon=True
        )
        self._thread.start()
        return self

    def stop(self, timeout=30):
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self):
        self._wake.set()

    def _run(self):
        while not self._stopping.is_set():
            try:
                wait = self.run_once()
            except Exception:
                logger.exception("the App IO queue failed; trying again later")
                wait = self.poll
            wait = self.poll if wait is None else min(wait, self.poll)
            if self.paused():
                # The commits' wakes would only look at the folder again to
                # find their messages waiting for the same service.
                self._stopping.wait(wait)
            else:
                self._wake.wait(wait)
            self._wake.clear()

    def paused(self):
        """Whether some IO address is not to be asked yet."""
        now = time.time()
        return any(until > now for until in self._paused.values())

    def run_once(self):
        """Send what is due; the seconds until the next one is, or None."""
        self.recover()
        next_due = None
        # One clock for the round: a message waiting behind a paused address
        # is due at the same instant as the one that paused it, and with a
        # fresh clock per message it could become due between the two and
        # be sent first (seen once in CI).
        now = time.time()
        names = self.spool.names("new")
        self._due = {name: self._due[name] for name in names if name in self._due}
        for name in names:
            if self._stopping.is_set():
                return None
            wait = self._due.get(name, 0) - now
            if wait > 0:
                next_due = wait if next_due is None else min(next_due, wait)
                continue
            try:
                record = self.spool.read("new", name)
            except (OSError, ValueError):
                # Being moved by another sender, or unreadable: left alone
                # here, looked at again at the next round.
                continue
            due = max(record.get("due", 0), self._paused.get(record.get("base_url"), 0))
            self._due[name] = due
            wait = due - now
            if wait > 0:
                next_due = wait if next_due is None else min(next_due, wait)
                continue
            try:
                os.replace(self.spool.path("new", name), self.spool.path("cur", name))
                # cur/'s age is the claim's, not the message's (see recover).
                os.utime(self.spool.path("cur", name))
            except FileNotFoundError:
                continue  # another sender took it
            self.deliver(name, record)
        return next_due

    def recover(self):
        """Back to new/ what a dead sender left in cur/."""
        for name in self.spool.names("cur"):
            path = self.spool.path("cur", name)
            try:
                if time.time() - os.stat(path).st_mtime > self.stale:
                    os.replace(path, self.spool.path("new", name))
                    logger.warning("App IO message %s taken back to be sent", name)
            except FileNotFoundError:
                pass

    def deliver(self, name, record):
        """``record``: base_url, key, timeout, fiscal_code, subject, markdown;
        number and step (for the log); created, attempts, due."""
        what = f"App IO message {record.get('step')} of report {record.get('number')}"
        try:
            client = Client(
                record["base_url"], record["key"], record.get("timeout", 10)
            )
            outcome = client.send(
                record["fiscal_code"], record["subject"], record["markdown"]
            )
        except Exception:
            logger.exception("%s: not sent", what)
            outcome = Failed("unexpected error", retry=True)
        if not (isinstance(outcome, Failed) and outcome.retry):
            # The service answered.
            self._paused.pop(record.get("base_url"), None)
        if isinstance(outcome, Sent):
            logger.info("%s sent (IO id %s)", what, outcome.message_id)
        elif isinstance(outcome, Drop):
            logger.info("%s not sent: %s", what, outcome.reason)
        elif not outcome.retry:
            logger.error("%s given up: %s", what, outcome.reason)
        elif time.time() - record.get("created", 0) > self.max_age:
            logger.error(
                "%s given up after %d attempts: %s",
                what,
                record.get("attempts", 0) + 1,
                outcome.reason,
            )
        else:
            attempts = record.get("attempts", 0) + 1
            delay = min(self.backoff * 2 ** (attempts - 1), self.max_backoff)
            if outcome.retry_after is not None:
                delay = max(delay, min(outcome.retry_after, MAX_BACKOFF))
            record = dict(record, attempts=attempts, due=time.time() + delay)
            logger.warning(
                "%s: %s; attempt %d, next in %.1f s",
                what,
                outcome.reason,
                attempts,
                delay,
            )
            self.spool.write("new", name, record)
            self._due[name] = record["due"]
            self._paused[record.get("base_url")] = record["due"]
        self.spool.remove("cur", name)


_workers = {}
_workers_lock = threading.Lock()


def worker_for(directory, **options):
    """The running worker of ``directory``, started if needed; ``options``
    (Worker's) replace a running one (the tests' short backoff)."""
    directory = os.path.abspath(directory)
    with _workers_lock:
        worker = _workers.get(directory)
        if worker is not None and worker.alive and not options:
            return worker
        if worker is not None:
            worker.stop()
        worker = _workers[directory] = Worker(directory, **options).start()
        return worker


def stop_worker(directory):
    with _workers_lock:
        worker = _workers.pop(os.path.abspath(directory), None)
    if worker is not None:
        worker.stop()


def start_queue(event=None):
    """When Zope starts: what was queued before a restart leaves now."""
    try:
        directory = spool_directory()
        spool = Spool(directory)
        if spool.names("new") or spool.names("cur"):
            worker_for(directory)
            logger.info("started the App IO queue of %s", directory)
    except Exception:
        # Never keep Zope from starting because of the App IO queue.
        logger.exception("could not start the App IO queue")

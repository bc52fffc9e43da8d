"""The mail queue: started for every site when Zope starts, and retried
as soon as the SMTP server is back or the process that was sending a
mail has died.

Products.MailHost starts its queue thread on the first mail sent after a
restart: mails queued before a restart would wait for the next report.

zope.sendmail claims a queued message with a ``.sending-`` link before
sending it, so that several processes can share one queue and never send
a message twice, and treats a claim as someone else's sending for three
hours. Two cases left a mail waiting that long:

- when the SMTP server cannot be reached it leaves its claim behind: after
  an outage every mail would wait. ``QueueProcessor`` releases its own
  claim when its attempt failed, so the next round (every three seconds)
  tries again;
- a process killed while sending (``kill -9``, a crash) leaves its claim
  behind for good. Each claim of ours is signed with an ``.owner-`` file
  (host, process id, the process's start time); a claim signed by a
  process of this host that is no longer running is released by the next
  round of any process, one process at a time (a lock file in the queue),
  so the mail is sent again: at least once, never lost. A claim of another
  host is left to zope.sendmail's three hours.

While the SMTP server cannot be reached, zope.sendmail tried every queued
mail in every round, each with a connection of its own and a traceback in
the log: with 1,680 mails waiting (a burst during an outage) the queue
thread took half a core, away from the citizens' requests, and wrote 55 MB
of log in three minutes. ``QueueProcessor`` stops the round at the first
mail that could not reach the server, says so once, and until the server
answers again only knocks at its port each round: the mails wait in the
queue untouched, and go out in the first round after it is back.
"""

from Products.CMFPlone.Portal import PloneSite
from Products.MailHost import MailHost
from zope.component.hooks import setSite
from zope.sendmail.queue import QueueProcessorThread

import atexit
import contextlib
import fcntl
import logging
import os
import smtplib
import socket
import time
import transaction


logger = logging.getLogger(__name__)

# An owner signs its claim right after making it: a claim still unsigned
# after this long was made by a process that died in between.
UNSIGNED_CLAIM_SECONDS = 60


def _started(pid):
    """The process's start time since boot (Linux), so that a new process
    that reuses the id of a dead one is not taken for it; "" elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            # The name, in parentheses, may hold spaces: count after it.
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def signature():
    return f"{socket.gethostname()} {os.getpid()} {_started(os.getpid())}"


def running(signed):
    """Whether the process of a claim's signature may still be sending:
    always for another host's."""
    try:
        host, pid, started = (signed.split() + ["", "", ""])[:3]
        pid = int(pid)
    except ValueError:
        return False
    if host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return not started or _started(pid) == started


def _paths(filename):
    head, tail = os.path.split(filename)
    return (
        os.path.join(head, ".sending-" + tail),
        os.path.join(head, ".owner-" + tail),
        os.path.join(os.path.dirname(head), ".claims.lock"),
    )


def release_abandoned_claim(filename):
    """Release the claim on a queued message whose sender died; True if it
    did."""
    claim, owner, lock = _paths(filename)
    if not os.path.exists(claim):
        return False
    # One process at a time: nobody else removes a claim while we look at
    # it, and its dead owner cannot, so it cannot change under us.
    with open(lock, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        try:
            try:
                with open(owner) as signed:
                    abandoned = not running(signed.read())
            except FileNotFoundError:
                try:
                    age = time.time() - os.stat(claim).st_mtime
                except FileNotFoundError:
                    return False
                abandoned = age > UNSIGNED_CLAIM_SECONDS
            if not abandoned:
                return False
            with contextlib.suppress(FileNotFoundError):
                os.unlink(owner)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(claim)
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)
    logger.warning("sending %s again: the process sending it died", filename)
    return True


def unreachable(error):
    """Whether a failed send says that the server, not this message, is the
    problem: then every other mail would fail the same way."""
    if isinstance(error, (smtplib.SMTPConnectError, smtplib.SMTPHeloError)):
        return True
    if isinstance(
        error, (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)
    ):
        # An answer about this message: the next one may go through.
        return False
    # Refused, timed out, disconnected, no such host; or zope.sendmail's
    # RuntimeError for a failed HELO.
    return isinstance(error, (OSError, RuntimeError))


class _WatchedMailer:
    """The thread's mailer, telling the thread when the server could not be
    reached."""

    def __init__(self, mailer, processor):
        self.mailer = mailer
        self.processor = processor

    def __getattr__(self, name):
        return getattr(self.mailer, name)

    def send(self, fromaddr, toaddrs, message):
        try:
            return self.mailer.send(fromaddr, toaddrs, message)
        except Exception as error:
            if unreachable(error):
                self.processor.server_unreachable(error)
            raise


class QueueProcessor(QueueProcessorThread):
    # The error of the round's failed attempt to reach the server, and
    # whether the server has not answered since (the outage).
    _unreachable = None
    _outage = False

    def setMailer(self, mailer):
        super().setMailer(_WatchedMailer(mailer, self))

    def run(self, forever=True):
        atexit.register(self.stop)
        while not self._stopped:
            self._unreachable = None
            if self.server_answers():
                for filename in self.maildir:
                    if self._stopped or self._unreachable is not None:
                        break
                    self._process_one_file(filename)
            if not forever or self._stopped:
                break
            time.sleep(self.interval)

    def server_unreachable(self, error):
        self._unreachable = error
        if not self._outage:
            self._outage = True
            logger.warning(
                "the SMTP server %s:%s cannot be reached (%s): mails wait in "
                "the queue, and are sent once it answers again",
                self.mailer.hostname,
                self.mailer.port,
                error,
            )

    def server_answers(self):
        """Whether a round may try the queued mails: always, but during an
        outage only once the server's port takes a connection again."""
        host = getattr(self.mailer, "hostname", None)
        if not self._outage or host is None:
            return True
        try:
            socket.create_connection(
                (host, int(self.mailer.port)),
                timeout=self.mailer.timeout or 10,
            ).close()
        except OSError:
            return False
        self._outage = False
        logger.info(
            "the SMTP server %s:%s answers again: sending the queued mails",
            self.mailer.hostname,
            self.mailer.port,
        )
        return True

    def _process_one_file(self, filename):
        self._claimed = False
        claim, owner, _ = _paths(filename)
        self._owner_path = owner
        release_abandoned_claim(filename)
        try:
            super()._process_one_file(filename)
        finally:
            if self._claimed:
                # The signature first: a claim without one is released
                # only once it is old, a signature without a claim would
                # sign the next claimer's.
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(owner)
                if os.path.exists(filename):
                    # Claimed and read by us, neither sent nor rejected:
                    # failed. Released for the next round.
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(claim)

    def _parseMessage(self, message):
        # Called only once this thread holds the claim and read the message.
        self._claimed = True
        with open(self._owner_path, "w") as owner:
            owner.write(signature())
        return super()._parseMessage(message)


# Products.MailHost creates its thread from this name.
MailHost.QueueProcessorThread = QueueProcessor


def start_mail_queues(event):
    connection = event.database.open()
    try:
        app = connection.root()["Application"]
        for site in app.objectValues():
            if not isinstance(site, PloneSite):
                continue
            mailhost = getattr(site, "MailHost", None)
            if mailhost is not None and getattr(mailhost, "smtp_queue", False):
                # The SMTP settings come from the site's registry.
                setSite(site)
                mailhost._startQueueProcessorThread()
                logger.info("started the mail queue of %s", site.getId())
    except Exception:
        # Never keep Zope from starting because of the mail queue.
        logger.exception("could not start the mail queues")
    finally:
        setSite(None)
        transaction.abort()
        connection.close()

"""The mail queue's claims (``mail/queue.py``): a mail whose sender died
while sending it is sent again by the next round, through real SMTP; a
claim of a process still running, or of another host, is left alone; an
attempt that failed releases its claim."""

from collective.civicreports.mail import queue
from collective.civicreports.testing import smtp_sink
from collective.civicreports.tests import load
from collective.civicreports.tests.base import Captured
from pathlib import Path
from zope.sendmail.mailer import SMTPMailer

import logging
import os
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import unittest


MESSAGE = (
    b"X-Zope-From: urp@example.org\n"
    b"X-Zope-To: cittadino@example.org\n"
    b"Subject: Segnalazione ricevuta\n\n"
    b"La sua segnalazione e' stata ricevuta.\n"
)


def dead_process_id():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


class QueueCase(unittest.TestCase):
    """A queue with one mail, and an SMTP server that captures it."""

    def setUp(self):
        self.folder = tempfile.TemporaryDirectory(prefix="civicreports-queue-")
        self.addCleanup(self.folder.cleanup)
        root = Path(self.folder.name)
        self.queue = root / "queue"
        for sub in ("new", "cur", "tmp"):
            (self.queue / sub).mkdir(parents=True)
        self.sink = smtp_sink(root / "sink")
        self.sink.start()
        self.addCleanup(self.sink.stop)
        self.name = f"{int(time.time())}.1.{socket.gethostname()}.1"
        self.message = self.queue / "cur" / self.name
        self.message.write_bytes(MESSAGE)

    def claim(self, signed=None, age=0):
        os.link(self.message, self.queue / "cur" / f".sending-{self.name}")
        if signed is not None:
            (self.queue / "cur" / f".owner-{self.name}").write_text(signed)
        if age:
            then = time.time() - age
            os.utime(self.message, (then, then))

    def round(self, port=None):
        """One round of the queue thread, as Zope runs it."""
        processor = queue.QueueProcessor()
        processor.setQueuePath(str(self.queue))
        processor.setMailer(
            SMTPMailer(hostname="127.0.0.1", port=port or self.sink.port)
        )
        processor.run(forever=False)

    def left(self):
        return sorted(p.name for p in (self.queue / "cur").iterdir())


class ClaimsTest(QueueCase):
    def test_a_dead_senders_mail_is_sent_again(self):
        self.claim(f"{socket.gethostname()} {dead_process_id()} 1")
        self.round()
        self.assertEqual(len(self.sink.messages()), 1)
        self.assertEqual(self.left(), [])

    def test_a_new_process_with_the_dead_ones_id_is_not_it(self):
        # The id is ours, alive, but the start time is another process's.
        self.claim(f"{socket.gethostname()} {os.getpid()} 1")
        self.round()
        self.assertEqual(len(self.sink.messages()), 1)

    def test_a_running_senders_claim_is_left(self):
        sender = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        self.addCleanup(sender.kill)
        time.sleep(0.2)
        started = queue._started(sender.pid)
        self.claim(f"{socket.gethostname()} {sender.pid} {started}")
        self.round()
        self.assertEqual(self.sink.messages(), [])
        self.assertIn(self.name, self.left())

    def test_another_hosts_claim_is_left(self):
        self.claim(f"elsewhere.example.org {dead_process_id()} 1")
        self.round()
        self.assertEqual(self.sink.messages(), [])

    def test_an_unsigned_claim_waits_a_minute(self):
        # Its owner may be between claiming and signing.
        self.claim()
        self.round()
        self.assertEqual(self.sink.messages(), [])
        os.unlink(self.queue / "cur" / f".sending-{self.name}")
        self.claim(age=queue.UNSIGNED_CLAIM_SECONDS + 5)
        self.round()
        self.assertEqual(len(self.sink.messages()), 1)

    def test_a_failed_attempt_leaves_neither_claim_nor_signature(self):
        self.sink.stop()
        self.round()
        self.assertEqual(self.left(), [self.name])
        self.sink.start()
        self.round()
        self.assertEqual(len(self.sink.messages()), 1)
        self.assertEqual(self.left(), [])

    def test_a_sent_mail_leaves_nothing(self):
        self.round()
        self.assertEqual(len(self.sink.messages()), 1)
        self.assertEqual(self.left(), [])


class CountingMailer(SMTPMailer):
    """Counts the connections the queue opens to send."""

    attempts = 0

    def vote(self, fromaddr, toaddrs, message):
        self.attempts += 1
        return super().vote(fromaddr, toaddrs, message)


class OutageTest(QueueCase):
    """An SMTP server that cannot be reached costs one attempt and one
    traceback for the whole outage, not one per mail and round."""

    def setUp(self):
        super().setUp()
        for index in range(2, 6):
            (self.queue / "new" / f"{self.name}{index}").write_bytes(MESSAGE)
        self.mailer = CountingMailer(hostname="127.0.0.1", port=self.sink.port)
        self.processor = queue.QueueProcessor()
        self.processor.setQueuePath(str(self.queue))
        self.processor.setMailer(self.mailer)
        self.errors = Captured(logging.ERROR)
        log = logging.getLogger("QueueProcessorThread")
        log.addHandler(self.errors)
        self.addCleanup(log.removeHandler, self.errors)

    def test_an_outage_costs_one_attempt(self):
        self.sink.stop()
        for _round in range(3):
            self.processor.run(forever=False)
        self.assertEqual(self.mailer.attempts, 1)
        self.assertEqual(len(self.errors.records), 1)
        self.assertEqual(load.queued(self.queue), 5)
        self.assertEqual(self.left(), [self.name])
        self.sink.start()
        self.processor.run(forever=False)
        self.assertEqual(len(self.sink.messages()), 5)
        self.assertEqual(load.queued(self.queue), 0)
        self.assertEqual(len(self.errors.records), 1)

    def test_the_round_goes_on_while_the_server_answers(self):
        self.processor.run(forever=False)
        self.assertEqual(len(self.sink.messages()), 5)
        self.assertEqual(self.mailer.attempts, 5)


class UnreachableTest(unittest.TestCase):
    def test_the_server_is_the_problem(self):
        for error in (
            ConnectionRefusedError(111, "Connection refused"),
            TimeoutError(),
            socket.gaierror(-2, "Name or service not known"),
            smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
            smtplib.SMTPConnectError(421, b"Too busy"),
            RuntimeError("Error sending HELO to the SMTP server"),
        ):
            self.assertTrue(queue.unreachable(error), error)

    def test_the_message_is_the_problem(self):
        for error in (
            smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"No such user")}),
            smtplib.SMTPDataError(451, b"Try again later"),
            smtplib.SMTPSenderRefused(553, b"Sender refused", "urp@example.org"),
            ValueError("a broken message file"),
        ):
            self.assertFalse(queue.unreachable(error), error)

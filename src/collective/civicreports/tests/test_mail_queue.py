"""The mail queue's claims (``mail/queue.py``): a mail whose sender died
while sending it is sent again by the next round, through real SMTP; a
claim of a process still running, or of another host, is left alone; an
attempt that failed releases its claim."""

from collective.civicreports.mail import queue
from collective.civicreports.testing import smtp_sink
from pathlib import Path
from zope.sendmail.mailer import SMTPMailer

import os
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


class ClaimsTest(unittest.TestCase):
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

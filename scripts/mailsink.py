"""A local SMTP server that keeps every message as a file in a Maildir.

A tool of development, not of the add-on: ``make start`` runs it (mail
lands in ``var/mail/``) and the tests that go through real SMTP start it
(``testing.py``). Listens on 127.0.0.1 only.

Usage: python scripts/mailsink.py [--port 8025] [--maildir var/mail]
"""

from aiosmtpd.controller import Controller
from email import message_from_bytes

import argparse
import mailbox
import os
import signal
import threading


class _MaildirHandler:
    def __init__(self, maildir):
        self.maildir = maildir
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content)
        # Keep the envelope recipients: Bcc and rules with many recipients
        # are only visible there.
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self.lock:
            self.maildir.add(message)
        return "250 Message accepted for delivery"


class MailSink:
    def __init__(self, path, host="127.0.0.1", port=8025):
        # Maildir(create=True) leaves an existing, empty folder as it is.
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(path, sub), exist_ok=True)
        self.path = path
        self.maildir = mailbox.Maildir(path, create=False)
        self.controller = Controller(
            _MaildirHandler(self.maildir), hostname=host, port=port
        )

    def start(self):
        if getattr(self.controller, "_stopped_once", False):
            # aiosmtpd's controller does not start again once stopped: a
            # new one on the same port (a test of an SMTP outage).
            self.controller = Controller(
                self.controller.handler,
                hostname=self.controller.hostname,
                port=self.controller.port,
            )
        if self.controller.port == 0:
            # aiosmtpd cannot pick a free port itself: find one.
            import socket

            with socket.socket() as probe:
                probe.bind((self.controller.hostname, 0))
                self.controller.port = probe.getsockname()[1]
        self.controller.start()

    @property
    def port(self):
        return self.controller.port

    def stop(self):
        self.controller.stop()
        self.controller._stopped_once = True

    def clear(self):
        with self.controller.handler.lock:
            self.maildir.clear()

    def messages(self):
        """The messages received so far, oldest first."""
        with self.controller.handler.lock:
            items = list(self.maildir)
        return sorted(items, key=lambda m: m.get_date())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--maildir", default="var/mail")
    args = parser.parse_args(argv)
    sink = MailSink(args.maildir, host=args.host, port=args.port)
    sink.start()
    print(f"Capturing mail on {args.host}:{sink.port} into {args.maildir}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sink.stop()


if __name__ == "__main__":
    main()

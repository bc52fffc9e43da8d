"""App IO messages, against the stand-in of the IO API over real HTTP
(scripts/appio_standin.py), with the real spool and its worker thread."""

from collective.civicreports.appio import client
from collective.civicreports.appio import spool
from collective.civicreports.appio import steps
from collective.civicreports.appio.interfaces import PREFIX
from collective.civicreports.privacy.validators import fiscal_code_check_char
from collective.civicreports.reports.engagement import private_url
from collective.civicreports.testing import from_scripts
from collective.civicreports.testing import FUNCTIONAL_TESTING
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import admin_browser
from collective.civicreports.tests.base import Captured
from collective.civicreports.tests.base import parse_mail
from collective.civicreports.tests.base import payload
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import run_as
from collective.civicreports.tests.base import subject as mail_subject
from collective.civicreports.tests.base import submit
from email.utils import formatdate
from pathlib import Path
from plone import api
from plone.testing.zope import Browser

import logging
import os
import re
import requests
import tempfile
import time
import transaction
import unittest


StandIn = from_scripts("appio_standin").StandIn

DEFAULT_KEY = "default-service-key"
ROADS_KEY = "roads-service-key"
# Short, bounded backoff: the real one starts at 30 s.
FAST = {"poll": 0.05, "backoff": 0.05, "max_backoff": 0.4, "stale": 60}


RECEIVED_MAIL = r"Report \d{4}-\d+ received"


def fiscal_code(stem):
    return stem + fiscal_code_check_char(stem)


NOT_ON_IO = fiscal_code("NTNNIO80A01H501")
OPTED_OUT = fiscal_code("PTDOUT80A01H501")
OTHER = fiscal_code("LTRCTD80A41H501")


def wait_for(condition, timeout=15.0):
    """Poll ``condition`` until it is true or ``timeout`` seconds pass; its
    last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


class AppIOFixture:
    """A stand-in of IO on a free port, a spool of the test's own (as
    APPIO_QUEUE), its worker with a short backoff, the settings on."""

    def setUp(self):
        self.portal = self.layer["portal"]
        self._dir = tempfile.TemporaryDirectory(prefix="civicreports-appio-")
        base = Path(self._dir.name)
        self.queue = str(base / "queue")
        self._env = os.environ.get("APPIO_QUEUE")
        os.environ["APPIO_QUEUE"] = self.queue
        self.standin = StandIn(
            base / "received",
            keys={DEFAULT_KEY, ROADS_KEY},
            not_on_io={NOT_ON_IO},
            opted_out={OPTED_OUT},
        ).start()
        self.worker = spool.worker_for(self.queue, **FAST)
        self.log = Captured()
        logger = logging.getLogger("collective.civicreports.appio")
        self._level = logger.level
        logger.setLevel(logging.INFO)
        logger.addHandler(self.log)
        self.configure(enabled=True, base_url=self.standin.url, api_key=DEFAULT_KEY)

    def tearDown(self):
        logger = logging.getLogger("collective.civicreports.appio")
        logger.removeHandler(self.log)
        logger.setLevel(self._level)
        spool.stop_worker(self.queue)
        self.standin.stop()
        if self._env is None:
            os.environ.pop("APPIO_QUEUE", None)
        else:
            os.environ["APPIO_QUEUE"] = self._env
        self._dir.cleanup()

    def configure(self, **values):
        for name, value in values.items():
            api.portal.set_registry_record(f"{PREFIX}.{name}", value)
        transaction.commit()

    def spooled(self, sub="new"):
        return spool.Spool(self.queue).names(sub)

    def queue_empty(self):
        return not any(self.spooled(sub) for sub in ("tmp", "new", "cur"))

    def report(self, **reporter):
        """A committed report of the anonymous citizen with ``reporter``'s
        data (PERSONAL by default)."""
        report = submit(self.portal, reporter=dict(PERSONAL, **reporter))
        transaction.commit()
        return report

    def delivered(self, count, timeout=15.0):
        found = wait_for(lambda: len(self.standin.delivered()) >= count, timeout)
        self.assertTrue(found, self.standin.received())
        return self.standin.delivered()


class TestQueue(AppIOFixture, unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def test_sent_after_the_commit_not_before(self):
        report = submit(self.portal)
        # The transaction is open: nothing written, nothing sent.
        time.sleep(0.3)
        self.assertEqual(self.spooled("new") + self.spooled("tmp"), [])
        self.assertEqual(self.standin.received(), [])
        transaction.commit()
        [message] = self.delivered(1)
        body = message["body"]
        self.assertEqual(message["key"], DEFAULT_KEY)
        self.assertEqual(body["fiscal_code"], PERSONAL["fiscal_code"])
        self.assertEqual(
            body["content"]["subject"], f"Report {report.tracking_number}: received"
        )
        markdown = body["content"]["markdown"]
        self.assertIn(f"**{report.tracking_number}**", markdown)
        self.assertIn(f"]({private_url(report)})", markdown)
        self.assertIn(f"]({self.portal.absolute_url()}/@@my-reports)", markdown)
        # The profile is asked first, as the API requires.
        self.assertEqual(
            [r["endpoint"] for r in self.standin.received()], ["profiles", "messages"]
        )
        self.assertTrue(wait_for(self.queue_empty))

    def test_nothing_when_the_transaction_aborts(self):
        submit(self.portal)
        transaction.abort()
        self.assertTrue(self.queue_empty())
        # A message queued after it arrives alone.
        report = self.report(fiscal_code=OTHER)
        [message] = self.delivered(1)
        self.assertIn(report.tracking_number, message["body"]["content"]["subject"])
        self.assertEqual(message["body"]["fiscal_code"], OTHER)

    def test_not_on_io_or_opted_out_gets_the_mail_only(self):
        self.report(fiscal_code=NOT_ON_IO)
        self.report(fiscal_code=OPTED_OUT)
        self.report(fiscal_code="")
        last = self.report(fiscal_code=OTHER)
        [message] = self.delivered(1)
        self.assertIn(last.tracking_number, message["body"]["content"]["subject"])
        self.assertTrue(wait_for(self.queue_empty))
        # Three profiles asked (none for the report without a fiscal
        # code), one message; the other two dropped, not retried.
        self.assertEqual(len(self.standin.received("profiles")), 3)
        self.assertEqual(len(self.standin.received("messages")), 1)
        self.assertIn("not on IO", self.log.text())
        self.assertIn("turned the service off", self.log.text())
        # The mails still went.
        to_reporter = [
            m
            for m in map(parse_mail, self.portal.MailHost.messages)
            if re.fullmatch(RECEIVED_MAIL, mail_subject(m))
        ]
        self.assertEqual(len(to_reporter), 4)

    def test_disabled_sends_nothing(self):
        self.configure(enabled=False)
        self.report()
        self.configure(enabled=True)
        last = self.report(fiscal_code=OTHER)
        [message] = self.delivered(1)
        self.assertIn(last.tracking_number, message["body"]["content"]["subject"])

    def test_429_is_retried_after_its_retry_after(self):
        self.standin.throttle = 2
        self.standin.retry_after = 1
        started = time.monotonic()
        self.report()
        self.delivered(1)
        elapsed = time.monotonic() - started
        received = self.standin.received()
        self.assertEqual([r["status"] for r in received], [429, 429, 200, 201])
        # Each wait is Retry-After's 1 s, longer than the backoff (0.05 s,
        # then 0.1 s), and not much more.
        gaps = [
            b["time"] - a["time"]
            for a, b in zip(received[:2], received[1:3], strict=True)
        ]
        self.assertTrue(all(0.95 <= gap < 2 for gap in gaps), gaps)
        self.assertLess(elapsed, 10)
        self.assertIn("attempt 2", self.log.text(logging.WARNING))

    def test_5xx_and_connection_errors_are_retried(self):
        self.standin.fail = 500
        self.report()
        wait_for(lambda: len(self.standin.received("messages")) >= 2)
        self.standin.fail = None
        self.delivered(1)
        self.assertGreaterEqual(len(self.standin.received("messages", 500)), 2)

    def test_while_io_fails_one_message_asks_for_all(self):
        self.standin.fail = 503
        first = self.report()
        self.assertTrue(wait_for(lambda: self.standin.received()))
        others = [self.report(fiscal_code=OTHER) for _ in range(3)]
        # Several backoffs (0.05 s, doubled up to 0.4 s): each retry of
        # the first message, and none of the others.
        time.sleep(1.5)
        asked = {r["body"]["fiscal_code"] for r in self.standin.received()}
        self.assertEqual(asked, {PERSONAL["fiscal_code"]})
        self.assertGreaterEqual(len(self.standin.received()), 3)
        self.standin.fail = None
        delivered = self.delivered(4)
        self.assertEqual(
            sorted(m["body"]["content"]["subject"] for m in delivered),
            sorted(f"Report {r.tracking_number}: received" for r in [first, *others]),
        )
        self.assertTrue(wait_for(self.queue_empty))

    def test_given_up_when_too_old(self):
        spool.worker_for(self.queue, **dict(FAST, max_age=0.5))
        self.standin.fail = 503
        report = self.report()
        self.assertTrue(wait_for(self.queue_empty))
        tries = len(self.standin.received("messages"))
        self.assertGreaterEqual(tries, 1)
        time.sleep(0.5)  # several backoffs: no retry comes
        self.assertEqual(len(self.standin.received("messages")), tries)
        self.assertIn(
            f"report {report.tracking_number} given up after",
            self.log.text(logging.ERROR),
        )

    def test_400_is_given_up_and_logged(self):
        self.standin.fail = 400
        report = self.report()
        self.assertTrue(wait_for(lambda: self.standin.received("messages")))
        self.assertTrue(wait_for(self.queue_empty))
        time.sleep(0.5)  # several backoffs: no retry comes
        self.assertEqual(len(self.standin.received("messages")), 1)
        errors = self.log.text(logging.ERROR)
        self.assertIn(f"report {report.tracking_number} given up", errors)
        self.assertIn("HTTP 400", errors)
        self.assertNotIn(PERSONAL["fiscal_code"], self.log.text())

    def test_an_unknown_key_is_given_up(self):
        self.configure(api_key="revoked-key")
        self.report()
        self.assertTrue(wait_for(lambda: "given up" in self.log.text(logging.ERROR)))
        self.assertEqual([r["status"] for r in self.standin.received()], [401])

    def test_the_category_key(self):
        self.configure(category_keys=[f"roads | {ROADS_KEY}"])
        self.report()
        other = submit(self.portal, category="lighting", reporter=dict(PERSONAL))
        transaction.commit()
        first, second = self.delivered(2)
        by_number = {
            m["body"]["content"]["subject"].split(":")[0]: m["key"]
            for m in (first, second)
        }
        self.assertEqual(sorted(by_number.values()), sorted([ROADS_KEY, DEFAULT_KEY]))
        self.assertEqual(by_number[f"Report {other.tracking_number}"], DEFAULT_KEY)

    def test_every_step_without_personal_data_in_the_subject(self):
        report = self.report()
        for transition in ("approve", "assign"):
            run_as(self.portal, "moderator", transition, report)
            transaction.commit()
        steps.question_asked(report)
        transaction.commit()
        report.answer = "Riparata la buca."
        run_as(self.portal, "moderator", "close", report)
        transaction.commit()
        rejected = self.report()
        run_as(self.portal, "moderator", "reject", rejected, comment="Fuori zona")
        transaction.commit()
        messages = self.delivered(7)
        subjects = [m["body"]["content"]["subject"] for m in messages]
        number, other = report.tracking_number, rejected.tracking_number
        self.assertEqual(
            subjects,
            [
                f"Report {number}: received",
                f"Report {number}: published",
                f"Report {number}: taken in charge",
                f"Report {number}: a question for you",
                f"Report {number}: answered",
                f"Report {other}: received",
                f"Report {other}: not accepted",
            ],
        )
        texts = [report.title, report.description, "Riparata", "Fuori zona"]
        for message in messages:
            content = message["body"]["content"]
            self.assertTrue(10 <= len(content["subject"]) <= 120)
            self.assertTrue(80 <= len(content["markdown"]) <= 10000)
            for value in [*PERSONAL.values(), *texts]:
                self.assertNotIn(value.lower(), content["subject"].lower())
                self.assertNotIn(value.lower(), content["markdown"].lower())
        self.assertIn("Ufficio Strade", messages[2]["body"]["content"]["markdown"])

    def left_in_the_spool(self):
        """A message that could not be sent (IO down) when the process
        stopped: in new/, with the worker stopped; IO is back."""
        self.standin.stop()
        self.report()
        self.assertTrue(
            wait_for(lambda: "ConnectionError" in self.log.text(logging.WARNING))
        )
        spool.stop_worker(self.queue)
        [name] = self.spooled("new")
        self.assertGreaterEqual(
            spool.Spool(self.queue).read("new", name)["attempts"], 1
        )
        self.assertEqual(self.standin.delivered(), [])
        self.standin.start()
        return name

    def test_a_new_worker_sends_what_the_old_one_left(self):
        self.left_in_the_spool()
        time.sleep(0.5)
        self.assertEqual(self.standin.received(), [])
        spool.worker_for(self.queue, **FAST)
        self.delivered(1)
        self.assertTrue(wait_for(self.queue_empty))

    def test_a_sender_that_died_leaves_its_message_to_the_next(self):
        name = self.left_in_the_spool()
        queue = spool.Spool(self.queue)
        os.replace(queue.path("new", name), queue.path("cur", name))
        claimed = time.time() - 120
        os.utime(queue.path("cur", name), (claimed, claimed))
        spool.worker_for(self.queue, **dict(FAST, stale=60))
        self.delivered(1)
        self.assertTrue(wait_for(self.queue_empty))

    def test_the_queue_starts_with_zope(self):
        self.left_in_the_spool()
        spool.start_queue()
        self.delivered(1)


class TestClient(unittest.TestCase):
    def test_retry_after(self):
        class Answer:
            def __init__(self, value):
                self.headers = {"Retry-After": value}

        self.assertEqual(client.retry_after(Answer("7")), 7)
        later = client.retry_after(Answer(formatdate(time.time() + 60, usegmt=True)))
        self.assertTrue(55 <= later <= 61, later)
        self.assertIsNone(client.retry_after(Answer("soon")))

    def test_the_standin_validates(self):
        with tempfile.TemporaryDirectory() as folder:
            standin = StandIn(folder, keys={"k"}).start()
            url = standin.url
            try:
                io = client.Client(standin.url, "k", timeout=5)
                self.assertIsInstance(
                    io.submit("NOTACODE", "x" * 20, "y" * 80), client.Failed
                )
                short = io.submit(PERSONAL["fiscal_code"], "short", "y" * 80)
                self.assertFalse(short.retry)
                self.assertIn("HTTP 400", short.reason)
                self.assertIsInstance(
                    io.send(PERSONAL["fiscal_code"], "x" * 20, "y" * 80), client.Sent
                )
                denied = client.Client(standin.url, "nope").check_profile(
                    PERSONAL["fiscal_code"]
                )
                self.assertEqual(
                    (denied.retry, denied.reason[:15]), (False, "profile: HTTP 4")
                )
            finally:
                standin.stop()
            down = client.Client(url, "k", timeout=2).send(
                PERSONAL["fiscal_code"], "x" * 20, "y" * 80
            )
            self.assertTrue(down.retry)


class TestRound(unittest.TestCase):
    """The worker's round, with a clock that moves at every reading."""

    def test_a_message_behind_a_pause_waits_for_the_one_that_paused(self):
        url = "http://127.0.0.1:9/io"
        due = 1_000_000.0
        with tempfile.TemporaryDirectory() as folder:
            worker = spool.Worker(folder, **FAST)
            real = spool.time.time
            sent = []

            def deliver(name, record):
                # As a failure would: the address paused for a while.
                sent.append(record["number"])
                worker._paused[url] = real() + 60

            worker.deliver = deliver
            worker.spool.write(
                "new", "1-first.json", {"base_url": url, "number": 1, "due": due}
            )
            worker.spool.write("new", "2-next.json", {"base_url": url, "number": 2})
            # As the failure of the first left them.
            worker._paused[url] = worker._due["1-first.json"] = due
            # Just before the pause ends, then a millisecond per reading: the
            # pause ends while the round goes through the folder.
            ticks = iter(due - 0.0005 + n / 1000 for n in range(1000))
            spool.time.time = lambda: next(ticks)
            try:
                worker.run_once()
            finally:
                spool.time.time = real
            self.assertEqual(sent, [])
            worker.run_once()  # the real clock: long after
            self.assertEqual(sent, [1])


class TestCitizenRequest(AppIOFixture, unittest.TestCase):
    """Over HTTP: IO down never fails the citizen's request."""

    layer = SERVER_TESTING

    def test_io_down_the_request_succeeds_and_the_message_follows(self):
        port = self.standin.port
        self.standin.stop()
        response = requests.post(
            self.portal.absolute_url() + "/segnalazioni/@reports",
            json=payload(images=[]),
            headers={"Accept": "application/json"},
            timeout=60,
        )
        self.assertEqual(response.status_code, 201, response.text)
        number = response.json()["tracking_number"]
        # Tried, failed, kept for later.
        self.assertTrue(
            wait_for(lambda: "ConnectionError" in self.log.text(logging.WARNING))
        )
        # A restart: the worker stops, IO is back on the same address, a
        # new worker starts.
        spool.stop_worker(self.queue)
        self.assertEqual(len(self.spooled("new")), 1)
        self.standin.start()
        self.assertEqual(self.standin.port, port)
        spool.worker_for(self.queue, **FAST)
        [message] = self.delivered(1)
        self.assertEqual(
            message["body"]["content"]["subject"], f"Report {number}: received"
        )


class TestControlPanel(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.url = self.portal.absolute_url() + "/@@civicreports-appio-controlpanel"

    def record(self, name):
        return api.portal.get_registry_record(f"{PREFIX}.{name}")

    def save(self, **fields):
        browser = admin_browser(self.layer)
        browser.open(self.url)
        form = browser.getForm(id="form")
        for name, value in fields.items():
            form.getControl(name=f"form.widgets.{name}").value = value
        form.getControl(name="form.buttons.save").click()
        return browser

    def test_defaults(self):
        self.assertFalse(self.record("enabled"))
        self.assertEqual(self.record("base_url"), "https://api.io.pagopa.it/api/v1")
        self.assertEqual(self.record("category_keys"), [])

    def test_saves(self):
        self.save(api_key="abc123", category_keys="roads | k-roads\nlighting|k-light")
        transaction.begin()
        self.assertEqual(self.record("api_key"), "abc123")
        self.assertEqual(
            self.record("category_keys"), ["roads | k-roads", "lighting|k-light"]
        )

    def test_refuses_a_bad_line(self):
        for lines in ("roads k-roads", "nosuch | key", "roads | a\nroads | b"):
            browser = self.save(category_keys=lines)
            self.assertIn("invalid-feedback", browser.contents)
            self.assertIn('id="formfield-form-widgets-category_keys"', browser.contents)
            transaction.begin()
            self.assertEqual(self.record("category_keys"), [], lines)

    def test_refuses_plain_http_elsewhere(self):
        browser = self.save(base_url="http://io.example.org/api/v1")
        self.assertIn("https://", browser.contents)
        transaction.begin()
        self.assertEqual(self.record("base_url"), "https://api.io.pagopa.it/api/v1")

    def test_only_administrators(self):
        browser = admin_browser(self.layer)
        browser.open(self.portal.absolute_url() + "/@@overview-controlpanel")
        self.assertIn("@@civicreports-appio-controlpanel", browser.contents)
        anonymous = Browser(self.layer["app"])
        anonymous.open(self.url)
        self.assertIn("login", anonymous.url)

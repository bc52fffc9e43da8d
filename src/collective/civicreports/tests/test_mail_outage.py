"""The SMTP server down while citizens submit and the staff move reports
on: every request still succeeds, and once the server is back every mail
is delivered exactly once, also when several processes share the queue
(ZEO, RelStorage)."""

from collective.civicreports.testing import REAL_INSTANCE
from collective.civicreports.testing import RELSTORAGE_INSTANCES
from collective.civicreports.testing import ZEO_INSTANCES
from collective.civicreports.tests import load
from collective.civicreports.tests.base import payload
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import subject

import collections
import requests
import time
import unittest


REPORTS = 12


def check_outage(test, url, sink, queue, where):
    # What earlier tests queued goes first.
    load.drained(queue, limit=300)
    sink.stop()
    try:
        numbers, statuses = [], []
        for index in range(REPORTS):
            response = requests.post(
                url + "/segnalazioni/@reports",
                json=payload(images=[], title=f"Posta ferma {index}"),
                headers=load.JSON,
                timeout=120,
            )
            statuses.append(response.status_code)
            numbers.append(response.json().get("tracking_number"))
        for number in numbers[: REPORTS // 2]:
            statuses.append(load.transition(url, number, "approve", load.MODERATOR))
        for number in numbers[: REPORTS // 4]:
            statuses.append(
                load.transition(url, number, "assign", load.MODERATOR, comment="Vai")
            )
        # Several rounds of the queue fail meanwhile.
        time.sleep(8)
        waiting = load.queued(queue)
    finally:
        sink.start()
    # Submitted: the reporter, the office, the URP; approved: the reporter;
    # assigned: the reporter and the office.
    expected = {
        PERSONAL["email"]: REPORTS + REPORTS // 2 + REPORTS // 4,
        "strade@comune.example.it": REPORTS + REPORTS // 4,
        "urp@comune.example.it": REPORTS,
    }
    total = sum(expected.values())
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        mails = [m for m in sink.messages() if any(n in subject(m) for n in numbers)]
        if len(mails) >= total and load.queued(queue) == 0:
            break
        time.sleep(0.5)
    # Anything sent twice would arrive a little later.
    time.sleep(5)
    mails = [m for m in sink.messages() if any(n in subject(m) for n in numbers)]
    by_recipient = collections.Counter(m["X-Envelope-To"] for m in mails)
    ids = [m["Message-ID"] for m in mails]
    print(
        f"\nSMTP outage{where}: {len(statuses)} requests, "
        f"{sum(s not in (200, 201) for s in statuses)} failed; {waiting} mails "
        f"queued while down, {len(mails)} delivered after, "
        f"{len(ids) - len(set(ids))} twice, {load.queued(queue)} left"
    )
    test.assertEqual([s for s in statuses if s not in (200, 201)], [])
    test.assertGreaterEqual(waiting, total)
    test.assertEqual(dict(by_recipient), expected)
    test.assertEqual(len(ids), len(set(ids)))
    test.assertEqual(load.queued(queue), 0)


class FileStorageMailOutageTest(unittest.TestCase):
    layer = REAL_INSTANCE

    def test_mail_outage(self):
        layer = self.layer
        check_outage(
            self,
            layer["instance_url"],
            layer["mailsink"],
            layer["instance_var"] / "mailqueue",
            " on FileStorage",
        )


class ZEOMailOutageTest(unittest.TestCase):
    layer = ZEO_INSTANCES

    def test_mail_outage(self):
        layer = self.layer
        check_outage(
            self, layer["url"], layer["mailsink"], layer["mailqueue"], " on ZEO"
        )


class RelStorageMailOutageTest(unittest.TestCase):
    layer = RELSTORAGE_INSTANCES

    def test_mail_outage(self):
        layer = self.layer
        check_outage(
            self,
            layer["url"],
            layer["mailsink"],
            layer["mailqueue"],
            " on RelStorage",
        )

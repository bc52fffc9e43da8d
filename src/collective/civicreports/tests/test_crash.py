"""``kill -9`` on an instance in the middle of a burst, behind HAProxy on
RelStorage, and on the one FileStorage process: every report that got a
201 is there after the restart, none is half-stored, and the citizens'
retries of their unanswered requests, with the same ``Idempotency-Key``,
make no second report."""

from collective.civicreports.testing import REAL_INSTANCE
from collective.civicreports.testing import RELSTORAGE_INSTANCES
from collective.civicreports.tests import load
from collective.civicreports.tests.base import payload

import collections
import requests
import threading
import time
import unittest


CLIENTS = 8
REPORTS = 160


def crash_burst(test, url, kill, restart, where, queue):
    """The burst on ``url``; ``kill()`` once a quarter is stored, then
    ``restart()`` once the citizens are done retrying. ``queue``: the mail
    queue's folder, which must empty: a mail the dead process was sending
    is sent again, not left for hours."""
    answers = []

    def burst():
        answers.extend(
            load.citizens(
                [url],
                CLIENTS,
                REPORTS,
                f"Schianto {where}",
                images=payload()["images"],
                retry=True,
                limit=300,
            )[0]
        )

    citizens = threading.Thread(target=burst)
    citizens.start()
    # Once a fair share was answered, the instance dies.
    deadline = time.monotonic() + 120
    while len(load.catalogued(url, f"Schianto {where}")) < REPORTS // 4:
        test.assertLess(time.monotonic(), deadline)
        time.sleep(0.5)
    restarted_url = kill()
    citizens.join(400)
    restart()
    left = load.drained(queue)
    statuses = collections.Counter(a.status for a in answers)
    retried = sum(a.attempts > 1 for a in answers)
    # Seen by the instance that was killed, once restarted.
    found = load.catalogued(restarted_url, f"Schianto {where}")
    numbers = [a.number for a in answers if a.status == 201]
    photos = [
        len(
            requests.get(
                f"{restarted_url}/segnalazioni/{number}",
                auth=load.ADMIN,
                headers=load.JSON,
                timeout=60,
            ).json()["items"]
        )
        for number in numbers
    ]
    print(
        f"\nkill -9 mid-burst on {where}: {len(answers)} reports, "
        f"answers {dict(statuses)}, {retried} retried by their clients "
        f"with the same key, {len(found)} stored, "
        f"{len(found) - len(set(found))} twice, "
        f"{sum(p != 1 for p in photos)} without their photo, {left} mails "
        f"left in the queue"
    )
    # The crash cut requests in the middle: their clients had to retry.
    test.assertGreater(retried, 0)
    test.assertEqual(len(answers), REPORTS)
    test.assertEqual(statuses, {201: REPORTS})
    test.assertEqual(sorted(found), sorted(numbers))
    test.assertEqual(len(set(numbers)), REPORTS)
    test.assertEqual(photos, [1] * REPORTS)
    test.assertEqual(left, 0)


class CrashTest(unittest.TestCase):
    layer = RELSTORAGE_INSTANCES

    def test_kill_an_instance_mid_burst(self):
        cluster = self.layer["cluster"]

        def kill():
            cluster.kill(0)
            return cluster.urls[0]

        crash_burst(
            self,
            self.layer["url"],
            kill,
            lambda: cluster.start_instance(0),
            "RelStorage",
            self.layer["mailqueue"],
        )


class FileStorageCrashTest(unittest.TestCase):
    """One process: while it is down nobody answers, and the citizens'
    apps keep trying until it is back. FileStorage must come back from a
    transaction cut in the middle of its writing."""

    layer = REAL_INSTANCE

    def test_kill_the_instance_mid_burst(self):
        instance = self.layer["instance"]
        url = self.layer["instance_url"]
        # Back while the citizens still retry: they give up after 300 s.
        restarter = threading.Timer(5, instance.restart)

        def kill():
            instance.kill()
            restarter.start()
            return url

        crash_burst(
            self,
            url,
            kill,
            lambda: restarter.join(200),
            "FileStorage",
            self.layer["instance_var"] / "mailqueue",
        )

"""``kill -9`` on an instance in the middle of a burst, behind HAProxy on
RelStorage: every report that got a 201 is there after the restart, none
is half-stored, and the citizens' retries of their unanswered requests,
with the same ``Idempotency-Key``, make no second report."""

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


class CrashTest(unittest.TestCase):
    layer = RELSTORAGE_INSTANCES

    def test_kill_an_instance_mid_burst(self):
        cluster = self.layer["cluster"]
        url = self.layer["url"]
        answers = []

        def burst():
            answers.extend(
                load.citizens(
                    [url],
                    CLIENTS,
                    REPORTS,
                    "Schianto",
                    images=payload()["images"],
                    retry=True,
                    limit=300,
                )[0]
            )

        citizens = threading.Thread(target=burst)
        citizens.start()
        # Once a fair share was answered, the first instance dies.
        deadline = time.monotonic() + 120
        while len(load.catalogued(url, "Schianto")) < REPORTS // 4:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.5)
        cluster.kill(0)
        citizens.join(400)
        cluster.start_instance(0)
        statuses = collections.Counter(a.status for a in answers)
        retried = sum(a.attempts > 1 for a in answers)
        # Seen by the instance that was killed, once restarted.
        found = load.catalogued(cluster.urls[0], "Schianto")
        numbers = [a.number for a in answers if a.status == 201]
        photos = [
            len(
                requests.get(
                    f"{cluster.urls[0]}/segnalazioni/{number}",
                    auth=load.ADMIN,
                    headers=load.JSON,
                    timeout=60,
                ).json()["items"]
            )
            for number in numbers
        ]
        print(
            f"\nkill -9 mid-burst on RelStorage: {len(answers)} reports, "
            f"answers {dict(statuses)}, {retried} retried by their clients "
            f"with the same key, {len(found)} stored, "
            f"{len(found) - len(set(found))} twice, "
            f"{sum(p != 1 for p in photos)} without their photo"
        )
        self.assertEqual(len(answers), REPORTS)
        self.assertEqual(statuses, {201: REPORTS})
        self.assertEqual(sorted(found), sorted(numbers))
        self.assertEqual(len(set(numbers)), REPORTS)
        self.assertEqual(photos, [1] * REPORTS)

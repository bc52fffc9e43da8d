"""Two Zope processes on one RelStorage database in PostgreSQL, as a
production site runs: each process sees what the other stored, and they
share the rate limits (the bursts are in test_burst.py)."""

from collective.civicreports.testing import NO_RATE_LIMITS
from collective.civicreports.testing import RELSTORAGE_INSTANCES
from collective.civicreports.testing import set_registry
from collective.civicreports.tests.base import payload
from collective.civicreports.tests.load import JSON

import requests
import unittest


class TwoProcessesTest(unittest.TestCase):
    layer = RELSTORAGE_INSTANCES

    def setUp(self):
        self.urls = self.layer["instance_urls"]

    def test_one_database(self):
        response = requests.post(
            self.urls[0] + "/segnalazioni/@reports",
            json=payload(images=[]),
            headers=JSON,
            timeout=60,
        )
        self.assertEqual(response.status_code, 201, response.text)
        number = response.json()["tracking_number"]
        # The other process approves it, and the first sees it public.
        url = f"{self.urls[1]}/segnalazioni/{number}"
        approved = requests.post(
            url + "/@workflow/approve",
            auth=("moderator", "moderator"),
            headers=JSON,
            json={},
            timeout=60,
        )
        self.assertEqual(approved.status_code, 200, approved.text)
        seen = requests.get(
            f"{self.urls[0]}/segnalazioni/{number}", headers=JSON, timeout=30
        )
        self.assertEqual(seen.json()["review_state"], "approved")

    def test_rate_limits_are_shared_by_the_processes(self):
        """Five reports an hour from one address: the sixth and after are
        refused, whichever process they reach."""
        set_registry(self.urls[0], {"collective.civicreports.anonymous_rate_limit": 5})
        try:
            statuses = [
                requests.post(
                    self.urls[index % 2] + "/segnalazioni/@reports",
                    json=payload(images=[]),
                    headers=JSON,
                    timeout=60,
                )
                for index in range(8)
            ]
        finally:
            set_registry(self.urls[0], NO_RATE_LIMITS)
        self.assertEqual(
            [response.status_code for response in statuses], [201] * 5 + [429] * 3
        )
        self.assertTrue(all(int(r.headers["Retry-After"]) > 0 for r in statuses[5:]))

"""Two Zope processes on one RelStorage database in PostgreSQL, as a
production site runs: concurrent submissions to both must not fail nor
collide, and each process sees what the other stored."""

from collective.civicreports.testing import RELSTORAGE_INSTANCES
from collective.civicreports.tests.base import payload
from collective.civicreports.tests.test_instance import check_concurrent_submissions
from collective.civicreports.tests.test_instance import JSON

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

    def test_concurrent_submissions_on_two_processes(self):
        """16 clients, half on each process, 25 reports each at once."""
        check_concurrent_submissions(
            self,
            self.urls,
            self.layer["instance_vars"],
            f" on RelStorage, {len(self.urls)} processes",
        )

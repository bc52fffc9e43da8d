"""Bursts as production sees them: 16 citizens submitting 1,000 reports at
once while moderators and an office move reports through the workflow
(bulk approvals included), on one FileStorage process, and on two
processes behind HAProxy on ZEO and on RelStorage. Nothing may fail,
nothing be retried by Zope, no number repeat or be skipped, no transition
be lost; every acknowledged report is catalogued and in the queue."""

from collective.civicreports.testing import REAL_INSTANCE
from collective.civicreports.testing import RELSTORAGE_INSTANCES
from collective.civicreports.testing import ZEO_INSTANCES
from collective.civicreports.tests import load
from collective.civicreports.tests.base import payload

import requests
import unittest


CLIENTS = 16
REPORTS = 1000
# Submitted beforehand for the staff to work on during the burst.
STAFF_REPORTS = 40


def prepare_staff_reports(url, count):
    numbers = []
    for _ in range(count):
        response = requests.post(
            url + "/segnalazioni/@reports",
            json=payload(images=[], title="Lavoro dello staff"),
            headers=load.JSON,
            timeout=120,
        )
        response.raise_for_status()
        numbers.append(response.json()["tracking_number"])
    return numbers


def check_burst(test, url, urls, instance_vars, where):
    """The citizens' burst on ``urls`` and the staff's work on ``url``."""
    staff = load.Staff(url, prepare_staff_reports(url, STAFF_REPORTS))
    retried_before = load.zope_retries(instance_vars)
    staff.start()
    outcomes, seconds = load.citizens(urls, CLIENTS, REPORTS, "Raffica")
    staff.join()
    retried = load.zope_retries(instance_vars) - retried_before
    failures = [o.status for o in outcomes if o.status != 201]
    numbers = [o.number for o in outcomes if o.status == 201]
    duplicates = len(numbers) - len(set(numbers))
    skipped = load.gaps(numbers)
    queued = set(load.catalogued(url, "Raffica", review_state="submitted"))
    states = staff.states()
    expected = dict.fromkeys(staff.single, "closed") | dict.fromkeys(
        staff.in_bulk, "assigned"
    )
    lost = sum(states[n] != expected[n] for n in expected)
    refused = [a for a in staff.answers if a[2] != 200]
    print(
        f"\nburst{where}: {CLIENTS} clients, {len(outcomes)} requests in "
        f"{seconds:.1f} s ({len(outcomes) / seconds:.1f}/s), {len(failures)} "
        f"failed, {retried} retried by Zope, {duplicates} duplicate and {skipped} "
        f"skipped numbers, {len(queued)} in the queue; staff: "
        f"{len(staff.answers)} actions, {len(refused)} refused, {lost} "
        f"transitions lost"
    )
    test.assertEqual(len(outcomes), REPORTS)
    test.assertEqual(failures, [])
    # Writers take turns, in a process and between processes
    # (reports/commits.py): Zope never has to retry one.
    test.assertEqual(retried, 0)
    test.assertEqual(duplicates, 0)
    test.assertEqual(skipped, 0)
    test.assertEqual(queued, set(numbers))
    test.assertEqual(refused, [])
    test.assertEqual(lost, 0, states)
    # The queue lists them, newest first, as the moderators see it.
    page = requests.get(
        url + "/segnalazioni/@@moderation",
        params={"sort": "newest"},
        auth=load.MODERATOR,
        timeout=120,
    ).text
    test.assertIn(max(numbers), page)


class FileStorageBurstTest(unittest.TestCase):
    layer = REAL_INSTANCE

    def test_burst_with_staff_at_work(self):
        url = self.layer["instance_url"]
        check_burst(self, url, [url], [self.layer["instance_var"]], " on FileStorage")


class ZEOBurstTest(unittest.TestCase):
    layer = ZEO_INSTANCES

    def test_burst_with_staff_at_work(self):
        url = self.layer["url"]
        check_burst(
            self, url, [url], self.layer["instance_vars"], " on ZEO, 2 processes"
        )


class RelStorageBurstTest(unittest.TestCase):
    layer = RELSTORAGE_INSTANCES

    def test_burst_with_staff_at_work(self):
        url = self.layer["url"]
        check_burst(
            self,
            url,
            [url],
            self.layer["instance_vars"],
            " on RelStorage, 2 processes",
        )

"""Tracking numbers: format, sequence, no gap after a failure, and no
duplicate under threads."""

from collective.civicreports.reports import tracking
from collective.civicreports.reports.commits import committed
from collective.civicreports.testing import FUNCTIONAL_TESTING
from concurrent.futures import ThreadPoolExecutor
from plone.testing.zope import zopeApp
from zope.component.hooks import setSite

import transaction
import unittest


class TrackingTest(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]

    def test_format(self):
        self.assertEqual(tracking.format_number(2026, 123), "2026-000123")

    def test_sequence_per_year(self):
        first = tracking.allocate(self.portal, year=2031)
        second = tracking.allocate(self.portal, year=2031)
        self.assertEqual(first, "2031-000001")
        self.assertEqual(second, "2031-000002")
        self.assertEqual(tracking.allocate(self.portal, year=2032), "2032-000001")

    def test_an_aborted_request_gives_its_number_back(self):
        first = tracking.allocate(self.portal, year=2033)
        transaction.abort()
        # Its report was never stored: the next one takes the number.
        self.assertEqual(tracking.allocate(self.portal, year=2033), first)
        transaction.commit()
        self.assertEqual(tracking.allocate(self.portal, year=2033), "2033-000002")

    def test_threads_never_share_a_number(self):
        transaction.commit()
        portal_path = self.portal.getPhysicalPath()

        def take(_):
            with zopeApp() as app:
                site = app.unrestrictedTraverse(portal_path)
                setSite(site)
                try:
                    # Each in its own transaction, as each report is; the
                    # conflicts of concurrent ones are retried.
                    return [
                        committed(lambda: tracking.allocate(site, year=2040))
                        for _ in range(25)
                    ]
                finally:
                    setSite(None)

        with ThreadPoolExecutor(max_workers=8) as pool:
            numbers = [n for batch in pool.map(take, range(8)) for n in batch]
        self.assertEqual(len(numbers), 200)
        self.assertEqual(len(set(numbers)), 200)
        self.assertEqual(max(numbers), "2040-000200")

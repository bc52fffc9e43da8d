"""``@@my-office``, the office's work list, over real HTTP: only what the
office can act on, filtered, sorted and a page at a time."""

from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import report_in
from lxml import html

import requests
import transaction
import unittest


class MyOfficeTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        login_as(self.portal, "admin")
        self.waiting = report_in(self.portal, "submitted", title="In attesa")
        self.approved = report_in(self.portal, "approved", title="Da assegnare")
        self.open = [
            report_in(self.portal, "assigned", title=f"Buca {n}", images=[])
            for n in range(52)
        ]
        self.closed = report_in(self.portal, "closed", title="Buca chiusa")
        self.waste = report_in(
            self.portal, "assigned", title="Rifiuti", category="waste", images=[]
        )
        transaction.commit()
        self.url = self.portal.absolute_url() + "/@@my-office"

    def numbers(self, user="roads", **params):
        session = requests.Session()
        session.auth = (user, user)
        response = session.get(self.url, params=params, timeout=60)
        self.assertEqual(response.status_code, 200)
        page = html.fromstring(response.text)
        return page, [
            cell.text_content().strip()
            for cell in page.xpath("//td[@class='civicreports-number']")
        ]

    def test_open_reports_a_page_at_a_time(self):
        page, first = self.numbers()
        self.assertEqual(len(first), 50)
        _page, second = self.numbers(b_start="50")
        listed = set(first) | set(second)
        self.assertEqual(listed, {r.tracking_number for r in self.open})
        self.assertTrue(page.xpath("//nav//a[contains(@href, 'b_start=50')]"))

    def test_never_what_the_office_cannot_act_on(self):
        _page, every = self.numbers(scope="all", b_start="0")
        _page, rest = self.numbers(scope="all", b_start="50")
        listed = set(every) | set(rest)
        for report in (self.waiting, self.approved, self.waste):
            self.assertNotIn(report.tracking_number, listed)
        self.assertIn(self.closed.tracking_number, listed)
        _page, waste = self.numbers(user="waste")
        self.assertEqual(waste, [self.waste.tracking_number])

    def test_closed_ones(self):
        _page, closed = self.numbers(scope="closed")
        self.assertEqual(closed, [self.closed.tracking_number])

    def test_category_and_text(self):
        _page, found = self.numbers(user="waste", category="roads")
        self.assertEqual(found, [])
        _page, found = self.numbers(text="chiusa", scope="all")
        self.assertEqual(found, [self.closed.tracking_number])

    def test_sorts(self):
        _page, by_number = self.numbers(sort="number")
        self.assertEqual(by_number, sorted(by_number))
        self.assertEqual(by_number[0], self.open[0].tracking_number)
        _page, by_state = self.numbers(sort="state", scope="all", b_start="3")
        self.assertEqual(len(by_state), 50)

    def test_bad_filters_are_said(self):
        page, found = self.numbers(scope=["open", "closed"])
        self.assertEqual(len(found), 50)
        self.assertTrue(page.xpath("//div[contains(@class, 'alert-warning')]"))

"""The citizen's area (``@@my-reports``) and the reporter's private page
(``@@track``), over real HTTP: the state, the day the report was taken in
charge, the protocol number (typed by the office, or from a registered
adapter), the day the answer is due, and the receipt."""

from collective.civicreports.categories.registry import get_category
from collective.civicreports.interfaces import IReport
from collective.civicreports.reports import engagement
from collective.civicreports.reports.protocol import IProtocolNumber
from collective.civicreports.reports.workflow import APPROVE
from collective.civicreports.reports.workflow import first_time
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import run_as
from collective.civicreports.tests.base import submit
from datetime import date
from datetime import datetime
from datetime import timedelta
from lxml import html
from plone import api
from zope.component import getGlobalSiteManager
from zope.interface import implementer

import requests
import transaction
import unittest


CITIZEN = ("citizen", "citizen")
ROADS = ("roads", "roads")


@implementer(IProtocolNumber)
class RegisterNumber:
    """A records-management integration: the register gives the number."""

    def __init__(self, report):
        self.number = f"REG-{report.getId()}"
        self.date = date(2025, 1, 31)


class CitizenAreaTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        api.portal.set_registry_record("collective.civicreports.working_days", False)
        self.category = get_category("roads")
        self.category.answer_days = 10
        self.report = submit(self.portal, user="citizen")
        run_as(self.portal, "moderator", "approve", self.report)
        run_as(self.portal, "moderator", "assign", self.report)
        transaction.commit()

    def tearDown(self):
        self.category.answer_days = None
        transaction.commit()

    def page(self, url, auth=None, **params):
        response = requests.get(url, params=params, auth=auth, timeout=60)
        self.assertEqual(response.status_code, 200, response.text[:300])
        return html.fromstring(response.text)

    def my_card(self, report):
        page = self.page(self.portal.absolute_url() + "/@@my-reports", CITIZEN)
        cards = page.cssselect(f"#report-{report.getId()}")
        self.assertEqual(len(cards), 1)
        return cards[0]

    def new_report(self):
        """A report of the citizen still waiting for moderation: the area
        lists the public ones only once the catalog says whose they are
        (see the report of helper "area")."""
        report = submit(self.portal, user="citizen")
        transaction.commit()
        return report

    def private_page(self):
        return self.page(
            self.folder.absolute_url() + "/@@track",
            n=self.report.getId(),
            t=engagement.private_token(self.report),
        )

    def time_of(self, card, css):
        found = card.cssselect(f"{css} time")
        self.assertEqual(len(found), 1, css)
        return datetime.fromisoformat(found[0].get("datetime"))

    def due(self, report, days):
        created = report.created().asdatetime()
        return (created + timedelta(days=days)).replace(microsecond=0).astimezone()

    def test_public_and_closed_reports_stay_in_the_area(self):
        """Plone's security index forgets whose a public report is: the
        area asks an index of its own, which names nobody."""
        self.assertEqual(api.content.get_state(self.report), "assigned")
        card = self.my_card(self.report)
        self.assertIn(self.report.tracking_number, card.text_content())
        run_as(self.portal, "roads", "close", self.report)
        transaction.commit()
        self.assertIsNotNone(self.my_card(self.report))
        # Another account's area does not list it.
        page = self.page(
            self.portal.absolute_url() + "/@@my-reports", ("waste", "waste")
        )
        self.assertEqual(page.cssselect(f"#report-{self.report.getId()}"), [])
        # The index holds no user id: asking it by one finds nothing.
        for user_id in ("citizen", "user:citizen"):
            found = requests.get(
                self.portal.absolute_url() + "/@search",
                params={"report_reporter": user_id, "portal_type": "Report"},
                headers={"Accept": "application/json"},
                timeout=60,
            ).json()
            self.assertEqual(found["items_total"], 0, user_id)

    def test_the_dates_of_the_private_page(self):
        page = self.private_page()
        approved = first_time(self.report, APPROVE)
        self.assertEqual(
            self.time_of(page, ".civicreport-taken-in-charge"),
            approved.replace(microsecond=0),
        )
        # The category's 10 days, not the site's 30.
        self.assertEqual(
            self.time_of(page, ".civicreport-due"), self.due(self.report, 10)
        )
        self.category.answer_days = None
        transaction.commit()
        self.assertEqual(
            self.time_of(self.private_page(), ".civicreport-due"),
            self.due(self.report, 30),
        )

    def test_the_dates_of_the_area(self):
        report = self.new_report()
        card = self.my_card(report)
        self.assertEqual(
            card.cssselect(".civicreport-taken-in-charge")[0].text_content().strip(),
            "Not yet",
        )
        self.assertEqual(self.time_of(card, ".civicreport-due"), self.due(report, 10))
        self.assertEqual(
            self.time_of(card, ".civicreport-received"),
            report.created().asdatetime().replace(microsecond=0).astimezone(),
        )

    def test_the_office_and_the_citizen_see_the_same_due_date(self):
        """One term: the office's deadline (reminders, dashboard) is the
        citizen's due date, the category's 10 days, not the site's 30."""
        from collective.civicreports.sla.levels import report_sla

        report = self.new_report()
        deadline = report_sla(report, "submitted")["answer"].deadline
        card = self.my_card(report)
        self.assertEqual(self.time_of(card, ".civicreport-due"), self.due(report, 10))
        self.assertEqual(deadline.date(), self.due(report, 10).date())

    def test_the_same_facts_on_the_private_page(self):
        page = self.private_page()
        self.assertTrue(page.cssselect(".civicreport-taken-in-charge time"))
        self.assertTrue(page.cssselect(".civicreport-due time"))
        receipt = page.cssselect("a.civicreport-receipt")[0].get("href")
        response = requests.get(receipt, timeout=60)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        # The citizen's area links the receipt of the report's own route.
        report = self.new_report()
        receipt = self.my_card(report).cssselect("a.civicreport-receipt")[0].get("href")
        self.assertEqual(receipt, report.absolute_url() + "/@@ricevuta.pdf")
        response = requests.get(receipt, auth=CITIZEN, timeout=60)
        self.assertEqual(response.status_code, 200)

    def test_the_office_records_the_protocol_number(self):
        card = self.private_page()
        self.assertEqual(
            card.cssselect(".civicreport-protocol")[0].text_content().split(),
            ["Not", "recorded", "yet"],
        )
        url = self.report.absolute_url() + "/@@handle"
        with requests.Session() as session:
            session.auth = ROADS
            page = html.fromstring(session.get(url, timeout=60).text)
            token = page.cssselect("input[name=_authenticator]")[0].get("value")
            response = session.post(
                url,
                data={
                    "_authenticator": token,
                    "protocol_number": "PG/2025/0001234",
                    "protocol_date": "2025-03-05",
                    "form.buttons.protocol": "1",
                },
                timeout=60,
            )
            self.assertEqual(response.status_code, 200)
            self.assertIn("Protocol number saved.", response.text)
        transaction.begin()
        self.assertEqual(self.report.protocol_number, "PG/2025/0001234")
        self.assertEqual(self.report.protocol_date, date(2025, 3, 5))
        for where in (self.private_page(),):
            cell = where.cssselect(".civicreport-protocol")[0]
            self.assertIn("PG/2025/0001234", cell.text_content())
            self.assertEqual(cell.cssselect("time")[0].get("datetime"), "2025-03-05")
        # Nobody else reads it: another office, over REST either.
        response = requests.get(
            self.report.absolute_url(),
            auth=("waste", "waste"),
            headers={"Accept": "application/json"},
            timeout=60,
        )
        self.assertNotIn("PG/2025/0001234", response.text)

    def test_a_records_management_adapter_gives_the_number(self):
        registry = getGlobalSiteManager()
        registry.registerAdapter(RegisterNumber, (IReport,), IProtocolNumber)
        try:
            self.report.protocol_number = "typed by hand"
            transaction.commit()
            expected = f"REG-{self.report.getId()}"
            mine = self.new_report()
            for where, number in (
                (self.private_page(), expected),
                (self.my_card(mine), f"REG-{mine.getId()}"),
            ):
                cell = where.cssselect(".civicreport-protocol")[0]
                self.assertIn(number, cell.text_content())
                self.assertNotIn("typed by hand", cell.text_content())
                self.assertEqual(
                    cell.cssselect("time")[0].get("datetime"), "2025-01-31"
                )
            # The handling page shows the register's number, not a field.
            page = self.page(self.report.absolute_url() + "/@@handle", ROADS)
            self.assertFalse(page.cssselect("input[name=protocol_number]"))
            self.assertIn(
                expected,
                page.cssselect("fieldset.civicreport-protocol")[0].text_content(),
            )
        finally:
            registry.unregisterAdapter(RegisterNumber, (IReport,), IProtocolNumber)
        page = self.page(self.report.absolute_url() + "/@@handle", ROADS)
        self.assertTrue(page.cssselect("input[name=protocol_number]"))

    def test_a_closed_report_owes_no_answer(self):
        run_as(self.portal, "moderator", "close", self.report)
        transaction.commit()
        card = self.private_page()
        self.assertFalse(card.cssselect(".civicreport-due"))
        self.assertTrue(card.cssselect(".civicreport-closed time"))
        # And offers the rating.
        self.assertTrue(card.cssselect("[data-element=feedback] form"))

"""What the staff find where they work on a report, over real HTTP and real
SMTP: the way there (the report's page, their mails), and on ``@@moderate``
and ``@@handle`` the place, the photos, the contacts, the history and the
nearby reports."""

from collective.civicreports.privacy.validators import fiscal_code_check_char
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import body
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import report_in
from collective.civicreports.tests.base import run_as
from collective.civicreports.tests.base import submit
from lxml import html

import requests
import transaction
import unittest


def session(user=None):
    client = requests.Session()
    if user:
        client.auth = (user, user)
    return client


class StaffPagesTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.sink = self.layer["mailsink"]
        self.sink.clear()
        login_as(self.portal, "admin")
        self.report = submit(self.portal, title="Buca in via Roma")
        transaction.commit()

    def page(self, url, user):
        response = session(user).get(url, timeout=60)
        transaction.begin()
        self.assertEqual(response.status_code, 200, url)
        return html.fromstring(response.text)

    def staff_links(self, user):
        page = self.page(self.report.absolute_url(), user)
        return page.xpath("//p[@class='civicreport-staff-link']/a/@href")

    def test_the_report_page_leads_the_staff_to_their_page(self):
        url = self.report.absolute_url()
        self.assertEqual(self.staff_links("moderator"), [url + "/@@moderate"])
        run_as(self.portal, "moderator", "approve", self.report)
        run_as(self.portal, "moderator", "assign", self.report, "Alla squadra")
        transaction.commit()
        self.assertEqual(self.staff_links("roads"), [url + "/@@handle"])
        self.assertEqual(self.staff_links("waste"), [])
        self.assertEqual(self.staff_links(None), [])

    def test_staff_mails_link_to_the_staff_pages(self):
        url = self.report.absolute_url()
        moderators = [
            m
            for m in self.sink.messages()
            if m["X-Envelope-To"] == "urp@comune.example.it"
        ]
        self.assertIn(url + "/@@moderate", body(moderators[-1]))
        self.sink.clear()
        run_as(self.portal, "moderator", "approve", self.report)
        run_as(self.portal, "moderator", "assign", self.report)
        transaction.commit()
        office = [
            m
            for m in self.sink.messages()
            if m["X-Envelope-To"] == "strade@comune.example.it"
        ]
        self.assertIn(url + "/@@handle", body(office[-1]))
        # The citizen is sent the public page, never a staff one.
        for message in self.sink.messages():
            if message["X-Envelope-To"] == PERSONAL["email"]:
                self.assertNotIn("@@handle", body(message))

    def test_handle_shows_what_a_crew_needs(self):
        run_as(self.portal, "moderator", "approve", self.report)
        run_as(self.portal, "moderator", "assign", self.report, "Portare il cono")
        transaction.commit()
        page = self.page(self.report.absolute_url() + "/@@handle", "roads")
        self.assertEqual(
            page.xpath("//p[@class='civicreport-staff-address']/text()"),
            ["Via Roma 12"],
        )
        (map_,) = page.xpath("//div[contains(@class, 'civicreport-map')]")
        self.assertEqual(map_.get("data-latitude"), "39.22")
        self.assertIn(
            "39.22, 9.11", page.xpath("string(//p[@class='civicreport-coordinates'])")
        )
        self.assertEqual(
            page.xpath("//section[@class='civicreport-staff-photos']//img/@src"),
            [self.report.objectValues()[0].absolute_url() + "/@@images/image/preview"],
        )
        lines = [
            " ".join(li.text_content().split())
            for li in page.xpath(
                "//section[contains(@class, 'civicreport-contacts')]//li"
            )
        ]
        self.assertEqual(
            lines,
            [
                f"Name: {PERSONAL['fullname']}",
                f"E-mail: {PERSONAL['email']}",
                f"Phone: {PERSONAL['phone']}",
                f"Fiscal code: {PERSONAL['fiscal_code']}",
            ],
        )
        self.assertIn(
            f"mailto:{PERSONAL['email']}",
            page.xpath("//section[contains(@class, 'civicreport-contacts')]//a/@href"),
        )
        self.assertEqual(
            page.xpath("string(//p[@class='civicreport-assignment-comment'])"),
            "Portare il cono",
        )
        rows = page.xpath("//section[@class='civicreport-staff-history']//tbody/tr")
        self.assertEqual(len(rows), 3)
        last = [" ".join(td.text_content().split()) for td in rows[-1]]
        self.assertEqual(
            last[1:],
            [
                "Assign to the office",
                "Assigned",
                "Maria Moderatrice",
                "Portare il cono",
            ],
        )

    def test_moderate_shows_the_place_the_contacts_and_reports_nearby(self):
        nearby = report_in(self.portal, "approved", title="Buca vicina")
        far = report_in(
            self.portal,
            "approved",
            title="Buca lontana",
            latitude=39.23,
            longitude=9.12,
        )
        transaction.commit()
        page = self.page(self.report.absolute_url() + "/@@moderate", "moderator")
        self.assertTrue(page.xpath("//div[contains(@class, 'civicreport-map')]"))
        self.assertIn(
            f"tel:{PERSONAL['phone']}",
            page.xpath("//section[contains(@class, 'civicreport-contacts')]//a/@href"),
        )
        listed = " ".join(
            page.xpath("//section[@class='civicreport-nearby']//a/text()")
        )
        self.assertIn(nearby.tracking_number, listed)
        self.assertNotIn(far.tracking_number, listed)
        self.assertNotIn(self.report.tracking_number, listed)

    def test_findings_still_unresolved_and_codes_that_look_like_one(self):
        first15 = "QGLZBD80A01H501"
        wrong = "A" if fiscal_code_check_char(first15) != "A" else "B"
        report = submit(
            self.portal,
            title="Rifiuti",
            description=f"Il mio codice è {first15}{wrong}; telefono [omissis].",
        )
        transaction.commit()
        page = self.page(report.absolute_url() + "/@@moderate", "moderator")
        findings = [
            " ".join(li.text_content().split())
            for li in page.xpath("//section[@id='civicreport-findings']//li")
        ]
        self.assertEqual(len(findings), 1, findings)
        self.assertIn(first15 + wrong, findings[0])
        self.assertIn("looks like a fiscal code", findings[0])

    def test_only_the_staff_in_charge(self):
        for user in (None, "citizen", "waste"):
            response = session(user).get(
                self.report.absolute_url() + "/@@handle", timeout=60
            )
            self.assertNotIn(PERSONAL["email"], response.text)
            response = session(user).get(
                self.report.absolute_url() + "/@@moderate", timeout=60
            )
            self.assertNotIn(PERSONAL["email"], response.text)


class PublicUpdateTest(unittest.TestCase):
    """The office's public updates, in the report's public timeline between
    its steps, on the page and in REST."""

    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        login_as(self.portal, "admin")
        self.report = report_in(self.portal, "assigned", title="Buca")
        transaction.commit()
        self.url = self.report.absolute_url() + "/@@handle"

    def post(self, user, **data):
        client = session(user)
        page = html.fromstring(client.get(self.url, timeout=60).text)
        token = page.xpath("//input[@name='_authenticator']/@value")
        data["_authenticator"] = token[0] if token else ""
        data["form.buttons.update"] = "1"
        response = client.post(self.url, data=data, timeout=60)
        transaction.begin()
        return response

    def test_in_the_public_timeline(self):
        self.post("roads", public_update="I lavori iniziano lunedì.")
        page = html.fromstring(
            requests.get(self.report.absolute_url(), timeout=60).text
        )
        items = [
            " ".join(li.text_content().split())
            for li in page.xpath("//ol[@class='civicreport-timeline']/li")
        ]
        self.assertEqual(len(items), 4)
        self.assertIn("I lavori iniziano lunedì.", items[-1])
        data = requests.get(
            self.report.absolute_url(),
            headers={"Accept": "application/json"},
            timeout=60,
        ).json()
        self.assertEqual(data["timeline"][-1]["note"], "I lavori iniziano lunedì.")
        self.assertNotIn("note", data["timeline"][0])
        run_as(self.portal, "roads", "close", self.report, "Fatto.")
        transaction.commit()
        data = requests.get(
            self.report.absolute_url(),
            headers={"Accept": "application/json"},
            timeout=60,
        ).json()
        self.assertEqual(
            [step.get("note") for step in data["timeline"]][-2:],
            ["I lavori iniziano lunedì.", None],
        )

    def test_only_the_office_in_charge_and_not_empty(self):
        response = self.post("roads", public_update="")
        self.assertIn("Write the update first.", response.text)
        self.post("waste", public_update="Intruso")
        self.post(None, public_update="Intruso")
        public = requests.get(self.report.absolute_url(), timeout=60).text
        self.assertNotIn("Intruso", public)

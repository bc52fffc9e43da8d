"""The moderation queue and the moderation of a report, over real HTTP."""

from collective.civicreports.reports.moderation import is_published
from collective.civicreports.reports.moderation import original_text
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import submit
from lxml import html
from plone import api

import requests
import transaction
import unittest


class ModerationBase(unittest.TestCase):
    """Two submitted reports, and the demo moderator's session."""

    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        login_as(self.portal, "admin")
        self.first = submit(
            self.portal,
            title="Buca in via Roma",
            description=f"Chiamatemi al 347 000 1122, sono {PERSONAL['fullname']}.",
        )
        self.second = submit(self.portal, title="Rifiuti abbandonati", category="waste")
        transaction.commit()
        self.moderator = requests.Session()
        self.moderator.auth = ("moderator", "moderator")

    def page(self, session, url):
        response = session.get(url, timeout=60)
        transaction.begin()
        return response

    def post(self, url, **data):
        page = html.fromstring(self.moderator.get(url, timeout=60).text)
        data["_authenticator"] = page.xpath("//input[@name='_authenticator']/@value")[0]
        response = self.moderator.post(url, data=data, timeout=60)
        transaction.begin()
        return response

    def office(self):
        session = requests.Session()
        session.auth = ("roads", "roads")
        return session


class ModerationTest(ModerationBase):
    def test_queue_oldest_first_for_moderators_only(self):
        text = self.page(
            self.moderator, self.folder.absolute_url() + "/@@moderation"
        ).text
        self.assertLess(
            text.index(self.first.tracking_number),
            text.index(self.second.tracking_number),
        )
        for session in (requests.Session(), self.office()):
            response = session.get(
                self.folder.absolute_url() + "/@@moderation", timeout=60
            )
            self.assertNotIn(self.first.tracking_number, response.text)

    def test_personal_data_is_highlighted(self):
        text = self.page(self.moderator, self.first.absolute_url() + "/@@moderate").text
        page = html.fromstring(text)
        found = page.xpath("//section[@id='civicreport-findings']//mark/text()")
        self.assertIn("347 000 1122", found)
        self.assertIn(PERSONAL["fullname"], found)

    def test_redaction_keeps_the_original_for_the_staff(self):
        url = self.first.absolute_url()
        redacted = "Chiamatemi al [omissis], sono [omissis]."
        self.post(
            url + "/@@moderate",
            **{
                "title": "Buca in via Roma",
                "description": redacted,
                "form.buttons.approve": "1",
            },
        )
        self.assertEqual(api.content.get_state(self.first), "approved")
        self.assertEqual(self.first.description, redacted)
        self.assertIn("347 000 1122", original_text(self.first)["description"])
        # The public page and the REST API show the redacted text...
        anonymous = requests.get(url, timeout=60).text
        self.assertIn(redacted, anonymous)
        self.assertNotIn("347 000 1122", anonymous)
        rest = requests.get(
            url, headers={"Accept": "application/json"}, timeout=60
        ).json()
        self.assertEqual(rest["description"], redacted)
        # ...the staff find the original on the moderation page.
        self.assertIn(
            "347 000 1122", self.page(self.moderator, url + "/@@moderate").text
        )

    def test_photos_are_published_one_by_one(self):
        url = self.first.absolute_url()
        self.assertFalse(is_published(self.first["photo-1.jpg"]))
        self.post(
            url + "/@@moderate",
            **{
                "form.buttons.approve": "1",
                "publish_photos:list": "photo-1.jpg",
                "accept_findings": "1",
            },
        )
        self.assertTrue(is_published(self.first["photo-1.jpg"]))
        self.assertEqual(
            requests.get(url + "/photo-1.jpg/@@images/image", timeout=60).status_code,
            200,
        )
        self.post(
            self.second.absolute_url() + "/@@moderate", **{"form.buttons.approve": "1"}
        )
        self.assertFalse(is_published(self.second["photo-1.jpg"]))
        self.assertNotEqual(
            requests.get(
                self.second.absolute_url() + "/photo-1.jpg/@@images/image", timeout=60
            ).url,
            self.second.absolute_url() + "/photo-1.jpg/@@images/image",
        )

    def test_approve_as_confidential(self):
        self.post(
            self.first.absolute_url() + "/@@moderate",
            **{"form.buttons.confidential": "1", "accept_findings": "1"},
        )
        self.assertEqual(api.content.get_state(self.first), "approved")
        self.assertTrue(self.first.confidential)
        self.assertNotIn(
            "Buca in via Roma",
            requests.get(self.folder.absolute_url(), timeout=60).text,
        )

    def test_reject_with_a_reason(self):
        sink = self.layer["mailsink"]
        sink.clear()
        self.post(
            self.second.absolute_url() + "/@@moderate",
            **{"reason_text": "Segnalazione doppia.", "form.buttons.reject": "1"},
        )
        self.assertEqual(api.content.get_state(self.second), "rejected")
        mails = [m for m in sink.messages() if m["X-Envelope-To"] == PERSONAL["email"]]
        self.assertIn(
            "Segnalazione doppia.", mails[-1].get_payload(decode=True).decode()
        )

    def test_reject_needs_a_reason(self):
        response = self.post(
            self.second.absolute_url() + "/@@moderate", **{"form.buttons.reject": "1"}
        )
        self.assertEqual(api.content.get_state(self.second), "submitted")
        self.assertIn("Give the reason of the rejection.", response.text)

    def test_offices_cannot_moderate(self):
        session = self.office()
        response = session.get(self.first.absolute_url() + "/@@moderate", timeout=60)
        self.assertNotIn("Approve and publish", response.text)


class DuplicateTest(ModerationBase):
    def test_mark_as_duplicate(self):
        from collective.civicreports.reports.engagement import follower_emails

        self.post(
            self.second.absolute_url() + "/@@moderate", **{"form.buttons.approve": "1"}
        )
        self.post(
            self.first.absolute_url() + "/@@moderate",
            **{
                "duplicate_of": self.second.tracking_number,
                "form.buttons.duplicate": "1",
            },
        )
        self.assertEqual(api.content.get_state(self.first), "closed")
        self.assertTrue(self.first.confidential)
        self.assertIn(self.second.tracking_number, self.first.answer)
        self.assertIn(PERSONAL["email"], follower_emails(self.second))
        # Never public: its unmoderated text stays with the staff.
        self.assertNotIn(
            "Chiamatemi", requests.get(self.first.absolute_url(), timeout=60).text
        )

    def test_duplicate_needs_a_public_original(self):
        response = self.post(
            self.first.absolute_url() + "/@@moderate",
            **{
                "duplicate_of": self.second.tracking_number,
                "form.buttons.duplicate": "1",
            },
        )
        self.assertEqual(api.content.get_state(self.first), "submitted")
        self.assertIn("tracking number of a public report", response.text)


class QueuePagesTest(ModerationBase):
    """A storm fills the queue: every waiting report is reachable from it."""

    def setUp(self):
        super().setUp()
        self.storm = [
            submit(self.portal, title=f"Albero caduto {index}", images=[])
            for index in range(53)
        ]
        transaction.commit()
        self.url = self.folder.absolute_url() + "/@@moderation"

    def numbers(self, **params):
        response = self.moderator.get(self.url, params=params, timeout=60)
        transaction.begin()
        self.assertEqual(response.status_code, 200)
        page = html.fromstring(response.text)
        return page, [
            cell.text_content().strip()
            for cell in page.xpath(
                "//table[contains(@class, 'civicreports-queue')]//td[@class='civicreports-number']"
            )
        ]

    def test_the_newest_report_is_on_the_last_page(self):
        page, first = self.numbers()
        self.assertEqual(len(first), 50)
        self.assertEqual(first[0], self.first.tracking_number)
        self.assertNotIn(self.storm[-1].tracking_number, first)
        self.assertIn("1 / 2", page.text_content())
        following = page.xpath("//nav//a[contains(@href, 'b_start=50')]/@href")
        self.assertTrue(following)
        response = self.moderator.get(following[0], timeout=60)
        second = [
            cell.text_content().strip()
            for cell in html.fromstring(response.text).xpath(
                "//table[contains(@class, 'civicreports-queue')]//td[@class='civicreports-number']"
            )
        ]
        self.assertEqual(len(second), 5)
        self.assertEqual(second[-1], self.storm[-1].tracking_number)
        self.assertFalse(set(first) & set(second))

    def test_newest_first(self):
        _page, numbers = self.numbers(sort="newest")
        self.assertEqual(numbers[0], self.storm[-1].tracking_number)

    def test_filters(self):
        _page, numbers = self.numbers(category="waste")
        self.assertEqual(numbers, [self.second.tracking_number])
        _page, numbers = self.numbers(text="Rifiuti")
        self.assertEqual(numbers, [self.second.tracking_number])
        # A filter keeps its value in the pages' links.
        page, numbers = self.numbers(text="Albero")
        self.assertEqual(len(numbers), 50)
        links = page.xpath("//nav//a[contains(@href, 'b_start=50')]/@href")
        self.assertIn("text=Albero", links[0])

    def test_an_unknown_order_is_the_oldest_first(self):
        _page, numbers = self.numbers(sort="nonsense")
        self.assertEqual(numbers[0], self.first.tracking_number)

    def test_personal_data_found(self):
        _page, numbers = self.numbers(findings="yes")
        self.assertEqual(numbers, [self.first.tracking_number])
        _page, numbers = self.numbers(findings="no", category="waste")
        self.assertEqual(numbers, [self.second.tracking_number])
        # The most to review first; once redacted, none.
        _page, numbers = self.numbers(sort="findings")
        self.assertEqual(numbers[0], self.first.tracking_number)
        login_as(self.portal, "moderator")
        from collective.civicreports.reports.moderation import redact

        redact(self.first, "Buca in via Roma", "Chiamatemi al [omissis].")
        transaction.commit()
        _page, numbers = self.numbers(findings="yes")
        self.assertEqual(numbers, [])

    def test_area(self):
        login_as(self.portal, "admin")
        far = submit(
            self.portal, title="Albero lontano", latitude=39.25, longitude=9.15
        )
        transaction.commit()
        _page, numbers = self.numbers(bbox="9.14,39.24,9.16,39.26")
        self.assertEqual(numbers, [far.tracking_number])
        page, numbers = self.numbers(bbox="9.16,39.26,9.14")
        self.assertEqual(len(numbers), 50)
        self.assertIn(
            "bbox:", page.xpath("string(//div[contains(@class, 'alert-warning')])")
        )

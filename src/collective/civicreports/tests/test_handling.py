"""From the moderation queue to closing, through the staff's screens only:
assignment, the office dashboard, messages with the citizen, the answer."""

from collective.civicreports.reports.engagement import private_url
from collective.civicreports.reports.messages import messages
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import run_as
from collective.civicreports.tests.base import submit
from lxml import html
from plone import api

import requests
import transaction
import unittest


class HandlingTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        self.sink = self.layer["mailsink"]
        login_as(self.portal, "admin")
        self.report = submit(self.portal, title="Lampione spento", category="roads")
        transaction.commit()
        self.sink.clear()

    def session(self, user):
        session = requests.Session()
        if user:
            session.auth = (user, user)
        return session

    def post(self, session, page_url, action_url, **data):
        page = html.fromstring(session.get(page_url, timeout=60).text)
        data["_authenticator"] = page.xpath("//input[@name='_authenticator']/@value")[0]
        response = session.post(action_url, data=data, timeout=60)
        transaction.begin()
        return response

    def mails_to(self, address):
        return [m for m in self.sink.messages() if m["X-Envelope-To"] == address]

    def test_from_the_queue_to_closing(self):
        moderator, office = self.session("moderator"), self.session("roads")
        queue = self.folder.absolute_url() + "/@@moderation"
        url = self.report.absolute_url()
        # The moderator approves from the queue's page...
        self.post(
            moderator,
            url + "/@@moderate",
            url + "/@@moderate",
            **{"form.buttons.approve": "1"},
        )
        self.assertEqual(api.content.get_state(self.report), "approved")
        # ...and assigns it from the queue, with a comment.
        self.assertIn(
            self.report.tracking_number, moderator.get(queue, timeout=60).text
        )
        self.post(
            moderator,
            queue,
            url + "/@@assign",
            office="office-green",
            comment="Competenza del verde",
        )
        self.assertEqual(api.content.get_state(self.report), "assigned")
        self.assertEqual(self.report.office, "office-green")
        history = self.report.workflow_history["civicreport_workflow"][-1]
        self.assertEqual(
            (history["action"], history["comments"], history["office"]),
            ("assign", "Competenza del verde", "office-green"),
        )
        self.assertTrue(self.mails_to("verde@comune.example.it"))
        # Roads no longer handles it; green finds it on the dashboard.
        self.assertNotIn(
            self.report.tracking_number,
            office.get(self.portal.absolute_url() + "/@@my-office", timeout=60).text,
        )
        green = self.session("green")
        dashboard = green.get(
            self.portal.absolute_url() + "/@@my-office", timeout=60
        ).text
        self.assertIn(self.report.tracking_number, dashboard)
        # Notes, a question to the citizen, the citizen's answer, closing.
        handle = url + "/@@handle"
        self.post(
            green,
            handle,
            handle,
            **{"internal_notes": "Serve il cestello", "form.buttons.notes": "1"},
        )
        self.assertEqual(self.report.internal_notes, "Serve il cestello")
        self.sink.clear()
        self.post(
            green,
            handle,
            handle,
            **{"question": "Quale lampione, esattamente?", "form.buttons.ask": "1"},
        )
        question = self.mails_to(PERSONAL["email"])
        self.assertEqual(len(question), 1)
        link = private_url(self.report)
        self.assertIn(
            link.split("t=")[1], question[0].get_payload(decode=True).decode()
        )
        citizen = requests.Session()
        self.post(
            citizen,
            link,
            self.folder.absolute_url() + "/@@track-reply",
            n=self.report.getId(),
            t=link.split("t=")[1],
            message="Quello davanti al civico 8.",
        )
        self.assertEqual(
            [m["from"] for m in messages(self.report)], ["staff", "citizen"]
        )
        self.assertTrue(self.mails_to("verde@comune.example.it"))
        self.assertIn("Quello davanti al civico 8.", green.get(handle, timeout=60).text)
        self.sink.clear()
        self.post(
            green,
            handle,
            handle,
            **{"answer": "Lampione sostituito.", "form.buttons.close": "1"},
        )
        self.assertEqual(api.content.get_state(self.report), "closed")
        self.assertIn(
            "Lampione sostituito.",
            self.mails_to(PERSONAL["email"])[0].get_payload(decode=True).decode(),
        )

    def test_messages_and_notes_stay_private(self):
        green = self.session("moderator")
        handle = self.report.absolute_url() + "/@@handle"
        self.post(
            green,
            handle,
            handle,
            **{"question": "Domanda riservata", "form.buttons.ask": "1"},
        )
        self.post(
            green,
            handle,
            handle,
            **{"internal_notes": "Nota riservata", "form.buttons.notes": "1"},
        )
        self.post(
            green,
            self.report.absolute_url() + "/@@moderate",
            self.report.absolute_url() + "/@@moderate",
            **{"form.buttons.approve": "1"},
        )
        for session in (
            requests.Session(),
            self.session("citizen"),
            self.session("waste"),
        ):
            page = session.get(self.report.absolute_url(), timeout=60).text
            self.assertNotIn("Domanda riservata", page)
            self.assertNotIn("Nota riservata", page)
        # The reporter's private page shows the messages, not the notes.
        private = requests.get(private_url(self.report), timeout=60).text
        self.assertIn("Domanda riservata", private)
        self.assertNotIn("Nota riservata", private)

    def test_dashboard_sorts_and_refuses_others(self):
        run_as(self.portal, "moderator", "approve", self.report)
        run_as(self.portal, "moderator", "assign", self.report)
        transaction.commit()
        roads = self.session("roads")
        url = self.portal.absolute_url() + "/@@my-office"
        for sort in ("deadline", "age", "number", "state"):
            self.assertIn(
                self.report.tracking_number,
                roads.get(url, params={"sort": sort}, timeout=60).text,
            )
        self.assertNotIn(
            self.report.tracking_number, self.session("waste").get(url, timeout=60).text
        )
        self.assertNotIn(
            self.report.tracking_number,
            self.session("citizen").get(url, timeout=60).text,
        )
        self.assertNotIn(
            self.report.tracking_number, requests.get(url, timeout=60).text
        )

    def test_moderator_reassigns_from_the_handling_page(self):
        moderator = self.session("moderator")
        url = self.report.absolute_url()
        self.post(
            moderator,
            url + "/@@moderate",
            url + "/@@moderate",
            **{"form.buttons.approve": "1"},
        )
        self.post(
            moderator,
            self.folder.absolute_url() + "/@@moderation",
            url + "/@@assign",
            office="office-roads",
        )
        self.sink.clear()
        self.post(
            moderator,
            url + "/@@handle",
            url + "/@@assign",
            office="office-waste",
            comment="Rifiuti",
            came_from="handle",
        )
        self.assertEqual(api.content.get_state(self.report), "assigned")
        self.assertEqual(self.report.office, "office-waste")
        actions = [
            e["action"] for e in self.report.workflow_history["civicreport_workflow"]
        ]
        self.assertEqual(actions[-2:], ["assign", "reassign"])
        self.assertTrue(self.mails_to("rifiuti@comune.example.it"))
        # The office no longer in charge cannot handle it any more.
        self.assertNotIn(
            "Answer and close",
            self.session("roads").get(url + "/@@handle", timeout=60).text,
        )
        self.assertNotIn(
            "Reassign to", self.session("waste").get(url + "/@@handle", timeout=60).text
        )

    def test_office_cannot_handle_another_offices_report(self):
        waste = self.session("waste")
        response = waste.get(self.report.absolute_url() + "/@@handle", timeout=60)
        self.assertNotIn("Answer and close", response.text)

    def test_bad_reply_link(self):
        response = requests.post(
            self.folder.absolute_url() + "/@@track-reply",
            data={"n": self.report.getId(), "t": "wrong", "message": "x"},
            timeout=60,
        )
        transaction.begin()
        self.assertIn(response.status_code, (403, 404))
        self.assertEqual(messages(self.report), [])


class MenuLinksTest(unittest.TestCase):
    layer = SERVER_TESTING

    def test_my_office_link_for_office_members_only(self):
        url = self.layer["portal"].absolute_url()
        roads = requests.get(url, auth=("roads", "roads"), timeout=60).text
        citizen = requests.get(url, auth=("citizen", "citizen"), timeout=60).text
        self.assertIn("@@my-office", roads)
        self.assertNotIn("@@my-office", citizen)
        self.assertIn("@@my-reports", citizen)

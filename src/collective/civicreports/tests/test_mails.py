"""Every mail of the content rules: recipient, subject and body."""

from collective.civicreports.setuphandlers import translate_rules
from collective.civicreports.testing import INTEGRATION_TESTING
from collective.civicreports.tests.base import body
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import parse_mail
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import run_as
from collective.civicreports.tests.base import subject
from collective.civicreports.tests.base import submit
from plone import api

import unittest


class MailTest(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.mailhost = self.portal.MailHost
        self.mailhost.reset()
        login_as(self.portal, "admin")

    def sent(self):
        mails = [parse_mail(raw) for raw in self.mailhost.messages]
        self.mailhost.reset()
        return {message["To"]: message for message in mails}

    def test_submission(self):
        report = submit(self.portal, user=None)
        mails = self.sent()
        self.assertEqual(
            set(mails),
            {PERSONAL["email"], "strade@comune.example.it", "urp@comune.example.it"},
        )
        to_reporter = mails[PERSONAL["email"]]
        number = report.tracking_number
        self.assertEqual(subject(to_reporter), f"Report {number} received")
        text = body(to_reporter)
        self.assertIn(f"Dear {PERSONAL['fullname']},", text)
        self.assertIn(number, text)
        self.assertIn("Dissesto stradale", text)
        to_office = mails["strade@comune.example.it"]
        self.assertEqual(subject(to_office), f"New report {number}: Dissesto stradale")
        self.assertIn(report.absolute_url(), body(to_office))
        # The office mail is for staff: it has no reporter data.
        self.assertNotIn(PERSONAL["email"], body(to_office))
        self.assertEqual(
            subject(mails["urp@comune.example.it"]),
            f"Report {number} waits for moderation",
        )

    def test_category_addresses(self):
        submit(self.portal, category="waste", title="Cassonetto rotto")
        self.assertIn("ambiente@comune.example.it", self.sent())

    def test_lifecycle(self):
        report = submit(self.portal, user=None)
        number = report.tracking_number
        self.sent()

        run_as(self.portal, "moderator", "approve", report)
        mails = self.sent()
        self.assertEqual(set(mails), {PERSONAL["email"]})
        self.assertEqual(
            subject(mails[PERSONAL["email"]]),
            f"Your report {number} has been published",
        )
        self.assertIn(report.absolute_url(), body(mails[PERSONAL["email"]]))

        run_as(self.portal, "moderator", "assign", report, comment="Priorità alta")
        mails = self.sent()
        self.assertEqual(set(mails), {PERSONAL["email"], "strade@comune.example.it"})
        self.assertEqual(
            subject(mails[PERSONAL["email"]]), f"Your report {number} has been assigned"
        )
        self.assertIn("Ufficio Strade", body(mails[PERSONAL["email"]]))
        to_office = mails["strade@comune.example.it"]
        self.assertEqual(
            subject(to_office), f"Report {number} assigned to Ufficio Strade"
        )
        self.assertIn("Priorità alta", body(to_office))

        report.answer = "Buca riparata il 20 novembre."
        run_as(self.portal, "roads", "close", report)
        mails = self.sent()
        self.assertEqual(set(mails), {PERSONAL["email"]})
        self.assertEqual(
            subject(mails[PERSONAL["email"]]), f"Your report {number} has been closed"
        )
        self.assertIn("Buca riparata il 20 novembre.", body(mails[PERSONAL["email"]]))

    def test_reassignment_tells_the_new_office(self):
        report = submit(self.portal)
        run_as(self.portal, "moderator", "approve", report)
        run_as(self.portal, "moderator", "assign", report)
        self.sent()
        report.office = "office-waste"
        run_as(
            self.portal, "moderator", "reassign", report, comment="Competenza ambiente"
        )
        mails = self.sent()
        self.assertIn("rifiuti@comune.example.it", mails)
        self.assertNotIn("strade@comune.example.it", mails)
        self.assertIn("Ufficio Ambiente e Rifiuti", body(mails[PERSONAL["email"]]))

    def test_closing_comment_becomes_the_answer(self):
        report = submit(self.portal)
        for transition in ("approve", "assign"):
            run_as(self.portal, "moderator", transition, report)
        self.sent()
        run_as(self.portal, "roads", "close", report, comment="Intervento eseguito.")
        self.assertEqual(report.answer, "Intervento eseguito.")
        self.assertIn("Intervento eseguito.", body(self.sent()[PERSONAL["email"]]))

    def test_rejection(self):
        report = submit(self.portal, user=None)
        self.sent()
        run_as(
            self.portal,
            "moderator",
            "reject",
            report,
            comment="Segnalazione fuori competenza.",
        )
        mails = self.sent()
        self.assertEqual(set(mails), {PERSONAL["email"]})
        message = mails[PERSONAL["email"]]
        self.assertEqual(
            subject(message),
            f"Your report {report.tracking_number} has not been accepted",
        )
        self.assertIn("Segnalazione fuori competenza.", body(message))

    def test_no_reporter_address_no_mail(self):
        # An operator may record a report without the citizen's e-mail.
        report = submit(
            self.portal, user="moderator", reporter={"fullname": "Da telefono"}
        )
        self.assertEqual(
            set(self.sent()), {"strade@comune.example.it", "urp@comune.example.it"}
        )
        run_as(self.portal, "moderator", "approve", report)
        self.assertEqual(self.sent(), {})

    def test_italian_site(self):
        translate_rules("it")
        report = submit(self.portal, user=None)
        to_reporter = self.sent()[PERSONAL["email"]]
        self.assertIn(report.tracking_number, subject(to_reporter))
        self.assertNotIn("received", subject(to_reporter))
        self.assertIn(f"Gentile {PERSONAL['fullname']},", body(to_reporter))

    def test_rules_are_editable_content_rules(self):
        storage = api.portal.get_tool("portal_url").getPortalObject()
        from plone.contentrules.engine.interfaces import IRuleStorage
        from zope.component import getUtility

        rules = getUtility(IRuleStorage)
        ours = [key for key in rules if key.startswith("civicreports-")]
        self.assertEqual(len(ours), 9)
        for key in ours:
            self.assertEqual(rules[key].actions[0].__class__.__name__, "MailAction")
        self.assertTrue(storage)

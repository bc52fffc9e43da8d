"""The daily job: reminders of overdue reports and erasure of personal data."""

from collective.civicreports.behaviors.reporter import FIELDS
from collective.civicreports.jobs import daily
from collective.civicreports.privacy import retention
from collective.civicreports.reports import engagement
from collective.civicreports.reports.moderation import original_text
from collective.civicreports.reports.moderation import redact
from collective.civicreports.reports.workflow import CLOSE
from collective.civicreports.reports.workflow import last_time
from collective.civicreports.sla import reminders
from collective.civicreports.testing import INTEGRATION_TESTING
from collective.civicreports.tests.base import body
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import parse_mail
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import run_as
from collective.civicreports.tests.base import subject
from collective.civicreports.tests.base import submit
from contextlib import redirect_stderr
from contextlib import redirect_stdout
from DateTime import DateTime
from datetime import datetime
from datetime import timedelta
from plone import api
from Testing.makerequest import makerequest
from zope.annotation.interfaces import IAnnotations

import io
import unittest


MODERATORS = "urp@comune.example.it"
ROADS = "strade@comune.example.it"


class ReminderTest(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        login_as(self.portal, "admin")
        self.report = submit(self.portal)
        self.portal.MailHost.reset()

    def remind(self, now):
        """(count, [(To, subject, body)]) of one run at ``now``."""
        count = reminders.send_reminders(self.portal, now=now)
        mails = [parse_mail(raw) for raw in self.portal.MailHost.messages]
        self.portal.MailHost.reset()
        return count, [(m["To"], subject(m), body(m)) for m in mails]

    def test_overdue_assignment_reminds_the_moderators_once_a_day(self):
        # 48 hours to assign; mid-morning, so that half an hour later is the
        # same calendar day.
        later = (datetime.now() + timedelta(days=3)).replace(hour=10, minute=0)
        count, mails = self.remind(later)
        self.assertEqual(count, 1)
        self.assertEqual([to for to, _s, _b in mails], [MODERATORS])
        number = self.report.tracking_number
        _to, title, text = mails[0]
        self.assertEqual(title, f"Reminder: report {number} is waiting to be assigned")
        self.assertIn(self.report.title, text)
        self.assertIn(self.report.absolute_url(), text)
        # The staff mail carries no personal data.
        self.assertNotIn(PERSONAL["email"], text)

        self.assertEqual(self.remind(later + timedelta(minutes=30)), (0, []))
        count, mails = self.remind(later + timedelta(days=1))
        self.assertEqual((count, [to for to, _s, _b in mails]), (1, [MODERATORS]))

    def test_not_overdue(self):
        self.assertEqual(self.remind(datetime.now() + timedelta(hours=47)), (0, []))

    def test_overdue_answer_reminds_the_office(self):
        run_as(self.portal, "moderator", "approve", self.report)
        run_as(self.portal, "moderator", "assign", self.report)
        self.portal.MailHost.reset()
        self.assertEqual(self.remind(datetime.now() + timedelta(days=29)), (0, []))
        count, mails = self.remind(datetime.now() + timedelta(days=31))
        self.assertEqual((count, [to for to, _s, _b in mails]), (1, [ROADS]))
        number = self.report.tracking_number
        self.assertEqual(
            mails[0][1], f"Reminder: report {number} is waiting for an answer"
        )

    def test_closed_and_rejected_are_not_reminded(self):
        run_as(self.portal, "moderator", "reject", self.report, comment="Doppia")
        closed = submit(self.portal)
        run_as(self.portal, "moderator", "approve", closed)
        run_as(self.portal, "moderator", "assign", closed)
        closed.answer = "Fatto."
        run_as(self.portal, "roads", "close", closed)
        # Both made 60 days ago: the closed one was assigned and closed late.
        for report in (self.report, closed):
            report.creation_date = DateTime() - 60
        self.portal.MailHost.reset()
        self.assertEqual(self.remind(datetime.now()), (0, []))


class RetentionTest(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        login_as(self.portal, "admin")
        api.portal.set_registry_record("collective.civicreports.retention_months", 24)
        report = submit(
            self.portal,
            title=f"Buca segnalata da {PERSONAL['fullname']}",
            description=f"Scrivetemi a {PERSONAL['email']}.",
        )
        redact(report, "Buca in via Roma", "Una buca profonda.")
        engagement.follow(report, "fan@example.org")
        engagement.add_support(report, "citizen")
        run_as(self.portal, "moderator", "approve", report)
        run_as(
            self.portal,
            "moderator",
            "assign",
            report,
            comment=f"Sentito {PERSONAL['fullname'].upper()} al 347 000 1122 "
            f"({PERSONAL['fiscal_code']}).",
        )
        report.answer = "Buca riparata."
        run_as(self.portal, "roads", "close", report)
        self.report = report
        self.closed = last_time(report, CLOSE)

    def erase(self, months_later):
        now = self.closed + timedelta(days=round(months_later * 30.5))
        return retention.erase_personal_data(self.portal, now=now)

    def history_text(self):
        history = self.report.workflow_history["civicreport_workflow"]
        return " ".join(entry.get("comments") or "" for entry in history)

    def test_erased_after_the_retention_period(self):
        modified = self.report.modified()
        self.assertIn(PERSONAL["fullname"].upper(), self.history_text())
        self.assertEqual(self.erase(25), 1)

        for field in FIELDS:
            self.assertIsNone(getattr(self.report, field), field)
        self.assertEqual(engagement.follower_emails(self.report), [])
        self.assertFalse(engagement.has_supported(self.report, "citizen"))
        self.assertEqual(engagement.support_count(self.report), 1)
        history = self.history_text()
        for value in ("fullname", "phone", "fiscal_code"):
            self.assertNotIn(PERSONAL[value].lower(), history.lower())
        self.assertNotIn("347 000 1122", history)
        self.assertIn("Sentito [omissis] al [omissis] ([omissis]).", history)
        original = original_text(self.report)
        self.assertEqual(original["title"], "Buca segnalata da [omissis]")
        self.assertEqual(original["description"], "Scrivetemi a [omissis].")
        self.assertEqual(original["changes"][0]["title"], "Buca in via Roma")
        # The report itself stays as the public knows it.
        self.assertEqual(api.content.get_state(self.report), "closed")
        self.assertEqual(self.report.title, "Buca in via Roma")
        self.assertEqual(self.report.description, "Una buca profonda.")
        self.assertEqual(self.report.answer, "Buca riparata.")
        self.assertEqual(self.report.modified(), modified)

    def test_messages_are_erased_too(self):
        from collective.civicreports.reports import messages

        login_as(self.portal, "admin")
        messages.ask(self.report, f"Lei è {PERSONAL['fullname']}?")
        messages.reply(self.report, "Sì, abito in via Roma 3, scala B.")
        self.assertEqual(self.erase(25), 1)
        texts = [m["text"] for m in messages.messages(self.report)]
        self.assertEqual(texts, ["Lei è [omissis]?", "[omissis]"])

    def test_answers_are_erased_too(self):
        self.report.answers = [
            {"code": "dettagli", "question": "Dettagli?", "value": "x", "answer": "x"}
        ]
        self.assertEqual(self.erase(25), 1)
        self.assertIsNone(self.report.answers)

    def test_follow_requests_and_accepted_findings_too(self):
        from collective.civicreports.reports.moderation import accept_findings
        from collective.civicreports.reports.moderation import accepted_findings
        from collective.civicreports.reports.moderation import findings

        self.assertTrue(engagement.ask_to_follow(self.report, "curioso@example.org"))
        self.report.description = "Chiamate il 347 000 1122."
        login_as(self.portal, "moderator")
        accept_findings(self.report, findings(self.report))
        login_as(self.portal, "admin")
        self.assertEqual(self.erase(25), 1)
        requests = IAnnotations(self.report)[engagement.FOLLOW_REQUESTS]
        self.assertEqual(list(requests.values()), [])
        accepted = accepted_findings(self.report)
        self.assertEqual([item["text"] for item in accepted], ["[omissis]"])
        self.assertEqual(accepted[0]["by"], "moderator")

    def test_kept_within_the_retention_period(self):
        self.assertEqual(self.erase(23), 0)
        self.assertEqual(self.report.reporter_email, PERSONAL["email"])
        self.assertEqual(engagement.follower_emails(self.report), ["fan@example.org"])
        self.assertIn(PERSONAL["email"], original_text(self.report)["description"])

    def test_retention_zero_keeps_everything(self):
        api.portal.set_registry_record("collective.civicreports.retention_months", 0)
        self.assertEqual(self.erase(120), 0)
        self.assertEqual(self.report.reporter_fullname, PERSONAL["fullname"])

    def test_erased_once(self):
        self.assertEqual(self.erase(25), 1)
        self.assertEqual(self.erase(26), 0)

    def test_counts_from_the_last_closing(self):
        history = self.report.workflow_history["civicreport_workflow"]
        for entry in history:
            entry["time"] -= 3 * 365  # everything happened three years ago...
        self.report.workflow_history["civicreport_workflow"] = history
        self.closed = datetime.now()
        run_as(self.portal, "roads", "reopen", self.report)
        run_as(self.portal, "roads", "close", self.report)  # ...but closed again now
        self.assertEqual(self.erase(1), 0)
        self.assertEqual(self.erase(25), 1)

    def test_months_before(self):
        self.assertEqual(
            retention.months_before(datetime(2026, 3, 31, 6, 15), 1),
            datetime(2026, 2, 28, 6, 15),
        )
        self.assertEqual(
            retention.months_before(datetime(2026, 1, 15), 25), datetime(2023, 12, 15)
        )


class ScriptTest(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def test_help(self):
        out = io.StringIO()
        with redirect_stdout(out), self.assertRaises(SystemExit) as exit:
            daily.main(["--help"])
        self.assertEqual(exit.exception.code, 0)
        self.assertIn("zope_conf", out.getvalue())

    def test_missing_zope_conf(self):
        err = io.StringIO()
        with redirect_stderr(err), self.assertRaises(SystemExit) as exit:
            daily.main(["/nonexistent/zope.conf", "Plone"])
        self.assertEqual(exit.exception.code, 2)
        self.assertIn("no such file", err.getvalue())

    def test_public_url_in_the_links(self):
        for url in ("https://segnalazioni.example.it", "http://127.0.0.1:8080/Plone"):
            # A request of its own, as the script makes.
            app = makerequest(self.layer["app"])
            site = app[self.layer["portal"].getId()]
            daily.set_public_url(app.REQUEST, site, url)
            self.assertEqual(site["segnalazioni"].absolute_url(), f"{url}/segnalazioni")

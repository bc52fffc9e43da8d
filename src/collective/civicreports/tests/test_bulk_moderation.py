"""Bulk actions on the moderation queue, over real HTTP and real SMTP: each
report keeps its own history entry and its own mails."""

from collective.civicreports.reports import bulk
from collective.civicreports.reports import engagement
from collective.civicreports.reports.workflow import history
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import submit
from lxml import html
from plone import api

import requests
import transaction
import unittest


def reporter(n):
    return dict(PERSONAL, email=f"citizen{n}@example.org", fullname=f"Citizen {n}")


class BulkTest(unittest.TestCase):
    """Four submitted reports of four citizens; the first holds personal
    data nobody reviewed."""

    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        login_as(self.portal, "admin")
        self.reports = [
            submit(
                self.portal,
                title=f"Albero caduto {n}",
                description=(
                    "Chiamatemi al 347 000 1122." if n == 0 else "Un albero in strada."
                ),
                reporter=reporter(n),
            )
            for n in range(4)
        ]
        transaction.commit()
        self.sink = self.layer["mailsink"]
        self.sink.clear()
        self.moderator = requests.Session()
        self.moderator.auth = ("moderator", "moderator")
        self.queue = self.folder.absolute_url() + "/@@moderation"

    def bulk(self, session=None, reports=None, **data):
        session = session or self.moderator
        token = html.fromstring(session.get(self.queue, timeout=60).text).xpath(
            "//input[@name='_authenticator']/@value"
        )
        data["_authenticator"] = token[0] if token else ""
        reports = self.reports if reports is None else reports
        data["numbers:list"] = [r.tracking_number for r in reports]
        response = session.post(
            self.folder.absolute_url() + "/@@moderation-bulk", data=data, timeout=60
        )
        transaction.begin()
        return response

    def states(self):
        return [api.content.get_state(r) for r in self.reports]

    def mails_to(self, n):
        return [
            m
            for m in self.sink.messages()
            if m["X-Envelope-To"] == f"citizen{n}@example.org"
        ]

    def test_the_queue_offers_the_bulk_form(self):
        page = html.fromstring(self.moderator.get(self.queue, timeout=60).text)
        ticks = page.xpath("//form[contains(@action, '@@moderation-bulk')]//input")
        numbers = {i.get("value") for i in ticks if i.get("name") == "numbers:list"}
        self.assertEqual(numbers, {r.tracking_number for r in self.reports})

    def test_approve_leaves_unreviewed_findings_in_the_queue(self):
        response = self.bulk(**{"form.buttons.approve": "1"})
        self.assertEqual(self.states(), ["submitted"] + ["approved"] * 3)
        self.assertIn(self.reports[0].tracking_number, response.text)
        self.assertIn("personal data found by the detector", response.text)
        for n in (1, 2, 3):
            approvals = [s for s in history(self.reports[n]) if s.action == "approve"]
            self.assertEqual(len(approvals), 1)
            self.assertEqual(len(self.mails_to(n)), 1)
        self.assertEqual(self.mails_to(0), [])

    def test_accepted_findings_are_approved(self):
        login_as(self.portal, "admin")
        from collective.civicreports.reports import moderation

        moderation.accept_findings(
            self.reports[0], moderation.unresolved_findings(self.reports[0])
        )
        transaction.commit()
        self.bulk(**{"form.buttons.approve": "1"})
        self.assertEqual(self.states(), ["approved"] * 4)

    def test_reject_with_one_reason(self):
        self.bulk(
            reports=self.reports[1:3],
            **{"reason_text": "Fuori dal territorio.", "form.buttons.reject": "1"},
        )
        self.assertEqual(
            self.states(), ["submitted", "rejected", "rejected", "submitted"]
        )
        for n in (1, 2):
            self.assertEqual(
                history(self.reports[n])[-1].comment, "Fuori dal territorio."
            )
            (mail,) = self.mails_to(n)
            self.assertIn(
                "Fuori dal territorio.", mail.get_payload(decode=True).decode()
            )

    def test_reject_needs_a_reason(self):
        response = self.bulk(**{"form.buttons.reject": "1"})
        self.assertEqual(self.states(), ["submitted"] * 4)
        self.assertIn("Give the reason of the rejection.", response.text)

    def test_assign_approves_and_assigns_with_every_mail(self):
        login_as(self.portal, "admin")
        for report in self.reports[1:]:
            engagement.follow(report, "follower@example.org")
        transaction.commit()
        self.bulk(**{"office": "office-roads", "form.buttons.assign": "1"})
        self.assertEqual(self.states(), ["submitted"] + ["assigned"] * 3)
        for report in self.reports[1:]:
            self.assertEqual(report.office, "office-roads")
        for n in (1, 2, 3):
            # Published, then in the hands of the office.
            self.assertEqual(len(self.mails_to(n)), 2)
        # Both steps of each report reach its follower, although they
        # happen in one request (the content rules' per-request filter).
        follower = [
            m
            for m in self.sink.messages()
            if m["X-Envelope-To"] == "follower@example.org"
        ]
        self.assertEqual(len(follower), 6)

    def test_assign_needs_a_known_office(self):
        response = self.bulk(**{"office": "nobody", "form.buttons.assign": "1"})
        self.assertEqual(self.states(), ["submitted"] * 4)
        self.assertIn("Choose the office.", response.text)

    def test_close_as_duplicates_of_one_of_them(self):
        original = self.reports[1]
        self.bulk(
            **{
                "duplicate_of": original.tracking_number,
                "form.buttons.duplicate": "1",
            }
        )
        self.assertEqual(self.states(), ["closed", "approved", "closed", "closed"])
        for n in (0, 2, 3):
            self.assertEqual(self.reports[n].duplicate_of, original.getId())
            self.assertTrue(self.reports[n].confidential)
        self.assertEqual(
            sorted(engagement.follower_emails(original)),
            ["citizen0@example.org", "citizen2@example.org", "citizen3@example.org"],
        )

    def test_duplicates_need_a_public_original(self):
        response = self.bulk(
            reports=self.reports[2:],
            **{
                "duplicate_of": self.reports[1].tracking_number,
                "form.buttons.duplicate": "1",
            },
        )
        self.assertEqual(self.states(), ["submitted"] * 4)
        self.assertIn("tracking number of a public report", response.text)

    def test_the_queue_page_and_filters_are_kept(self):
        response = self.bulk(
            reports=self.reports[1:2],
            category="roads",
            sort="newest",
            **{"form.buttons.approve": "1"},
        )
        self.assertIn("category=roads", response.url)
        self.assertIn("sort=newest", response.url)

    def test_too_many_at_once(self):
        numbers = [r.tracking_number for r in self.reports] * 30
        token = html.fromstring(self.moderator.get(self.queue, timeout=60).text).xpath(
            "//input[@name='_authenticator']/@value"
        )[0]
        self.assertGreater(len(numbers), bulk.MAX_REPORTS)
        response = self.moderator.post(
            self.folder.absolute_url() + "/@@moderation-bulk",
            data={
                "_authenticator": token,
                "numbers:list": numbers,
                "form.buttons.approve": "1",
            },
            timeout=60,
        )
        transaction.begin()
        self.assertIn("At most 100 reports at a time.", response.text)
        self.assertEqual(self.states(), ["submitted"] * 4)

    def test_only_moderators(self):
        office = requests.Session()
        office.auth = ("roads", "roads")
        for session in (office, requests.Session()):
            self.bulk(session=session, **{"form.buttons.approve": "1"})
            self.assertEqual(self.states(), ["submitted"] * 4)

    def test_no_token_no_change(self):
        response = self.moderator.post(
            self.folder.absolute_url() + "/@@moderation-bulk",
            data={
                "numbers:list": [self.reports[1].tracking_number],
                "form.buttons.approve": "1",
            },
            timeout=60,
        )
        transaction.begin()
        self.assertNotEqual(response.status_code, 200)
        self.assertEqual(self.states(), ["submitted"] * 4)

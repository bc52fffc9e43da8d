"""Closing with a resolution, over real HTTP and real SMTP: the office
picks how the report ended on ``@@handle``; "not our competence" names the
body to turn to and can forward the report to it by mail. The resolution
shows on the public page, in the statistics and as Open311's extended
status."""

from collective.civicreports.reports.workflow import history
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import body
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import report_in
from collective.civicreports.tests.base import run_as
from lxml import html
from plone import api

import requests
import transaction
import unittest


class ResolutionTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        login_as(self.portal, "admin")
        self.report = report_in(self.portal, "assigned", title="Tombino rotto")
        transaction.commit()
        self.sink = self.layer["mailsink"]
        self.sink.clear()
        self.roads = requests.Session()
        self.roads.auth = ("roads", "roads")
        self.url = self.report.absolute_url() + "/@@handle"

    def close(self, **data):
        page = html.fromstring(self.roads.get(self.url, timeout=60).text)
        data["_authenticator"] = page.xpath("//input[@name='_authenticator']/@value")[0]
        data.setdefault("answer", "Il tombino è della società dell'acqua.")
        data["form.buttons.close"] = "1"
        response = self.roads.post(self.url, data=data, timeout=60)
        transaction.begin()
        return response

    def test_fixed_by_default(self):
        self.close(answer="Riparato.")
        self.assertEqual(api.content.get_state(self.report), "closed")
        self.assertEqual(self.report.resolution, "fixed")
        page = html.fromstring(
            requests.get(self.report.absolute_url(), timeout=60).text
        )
        self.assertEqual(
            page.xpath("//dl[contains(@class, 'civicreport-resolution')]/dd/text()"),
            ["Fixed"],
        )

    def test_not_our_competence_forwarded_to_the_body(self):
        self.close(
            resolution="not_competent",
            competent_body="Abbanoa S.p.A.",
            forward_to="segnalazioni@abbanoa.example.it",
        )
        self.assertEqual(api.content.get_state(self.report), "closed")
        self.assertEqual(self.report.resolution, "not_competent")
        self.assertEqual(self.report.competent_body, "Abbanoa S.p.A.")
        (forwarded,) = [
            m
            for m in self.sink.messages()
            if m["X-Envelope-To"] == "segnalazioni@abbanoa.example.it"
        ]
        text = body(forwarded)
        self.assertIn(self.report.tracking_number, text)
        self.assertIn("Via Roma 12", text)
        for value in PERSONAL.values():
            self.assertNotIn(value, text)
        self.assertIn(
            "segnalazioni@abbanoa.example.it", history(self.report)[-1].comment
        )
        public = requests.get(self.report.absolute_url(), timeout=60).text
        self.assertIn(
            "Not the municipality&#x27;s competence", public.replace("'", "&#x27;")
        )
        self.assertIn("Abbanoa S.p.A.", public)
        # The citizen is told the answer, as for every closing.
        self.assertTrue(
            [m for m in self.sink.messages() if m["X-Envelope-To"] == PERSONAL["email"]]
        )

    def test_the_body_is_needed_and_the_address_checked(self):
        for data in (
            {"resolution": "not_competent"},
            {
                "resolution": "referred",
                "competent_body": "Provincia",
                "forward_to": "no",
            },
        ):
            response = self.close(**data)
            self.assertEqual(api.content.get_state(self.report), "assigned")
            self.assertIn("Name the body the citizen should turn to", response.text)

    def test_an_unknown_resolution_is_fixed(self):
        self.close(resolution="whatever")
        self.assertEqual(self.report.resolution, "fixed")

    def test_reopening_forgets_it(self):
        self.close(resolution="no_action")
        run_as(self.portal, "moderator", "reopen", self.report)
        transaction.commit()
        self.assertIsNone(self.report.resolution)
        page = html.fromstring(
            requests.get(self.report.absolute_url(), timeout=60).text
        )
        self.assertEqual(
            page.xpath("//dl[contains(@class, 'civicreport-resolution')]"), []
        )

    def test_open311_extended_status(self):
        base = self.portal.absolute_url() + "/open311/v2/"
        number = self.report.tracking_number

        def status(**params):
            data = requests.get(
                base + f"requests/{number}.json", params=params, timeout=60
            ).json()
            return data[0].get("extended_attributes")

        self.assertIsNone(status())
        self.assertEqual(status(extensions="true"), {"detailed_status": "IN_PROGRESS"})
        self.close(resolution="not_competent", competent_body="Provincia")
        self.assertEqual(
            status(extensions="true"),
            {"detailed_status": "NOT_COUNCILS_RESPONSIBILITY"},
        )
        listing = requests.get(
            base + "requests.json", params={"extensions": "true"}, timeout=60
        ).json()
        self.assertEqual(
            [r["extended_attributes"]["detailed_status"] for r in listing],
            ["NOT_COUNCILS_RESPONSIBILITY"],
        )
        xml = requests.get(
            base + f"requests/{number}.xml", params={"extensions": "true"}, timeout=60
        ).text
        self.assertIn(
            "<detailed_status>NOT_COUNCILS_RESPONSIBILITY</detailed_status>", xml
        )

    def test_statistics_by_resolution(self):
        self.close(resolution="referred", competent_body="Provincia")
        moderator = requests.Session()
        moderator.auth = ("moderator", "moderator")
        page = moderator.get(
            self.portal["segnalazioni"].absolute_url() + "/@@report-statistics",
            timeout=60,
        ).text
        self.assertIn("Closed reports by resolution", page)
        self.assertIn("Referred to another body", page)

    def test_a_duplicate_ends_as_one(self):
        login_as(self.portal, "admin")
        from collective.civicreports.reports import moderation
        from collective.civicreports.tests.base import submit

        repeat = submit(self.portal, title="Tombino rotto di nuovo")
        moderation.mark_duplicate(repeat, self.report)
        transaction.commit()
        self.assertEqual(repeat.resolution, "duplicate")

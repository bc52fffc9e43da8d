"""No route publishes a report whose personal data, found by the
detector, nobody has looked at: the moderation page, plone.restapi's
``@workflow``, Plone's state menu and a script all ask the same rule."""

from collective.civicreports.reports import moderation
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import submit
from lxml import html
from plone import api
from Products.CMFCore.WorkflowCore import WorkflowException

import requests
import transaction
import unittest


JSON = {"Accept": "application/json"}


class FindingsTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        login_as(self.portal, "admin")
        self.report = submit(
            self.portal,
            title="Lampione spento",
            description="Per informazioni chiamatemi al 347 123 4567.",
        )
        transaction.commit()
        self.url = self.report.absolute_url()
        self.moderator = requests.Session()
        self.moderator.auth = ("moderator", "moderator")

    def state(self):
        transaction.begin()
        return api.content.get_state(self.report)

    def moderate(self, **data):
        page = html.fromstring(
            self.moderator.get(self.url + "/@@moderate", timeout=60).text
        )
        data["_authenticator"] = page.xpath("//input[@name='_authenticator']/@value")[0]
        return self.moderator.post(self.url + "/@@moderate", data=data, timeout=60)

    def history(self):
        transaction.begin()
        return self.report.workflow_history["civicreport_workflow"]

    def test_the_moderation_page_asks_first(self):
        response = self.moderate(**{"form.buttons.approve": "1"})
        self.assertEqual(self.state(), "submitted")
        self.assertIn("phone number", response.text)
        page = html.fromstring(response.text)
        self.assertTrue(page.xpath("//input[@name='accept_findings']"))
        # Accepted: published as it is, and the history says who looked.
        self.moderate(**{"form.buttons.approve": "1", "accept_findings": "1"})
        self.assertEqual(self.state(), "approved")
        entry = self.history()[-1]
        self.assertEqual(entry["actor"], "moderator")
        self.assertIn("Maria Moderatrice", entry["comments"])
        self.assertIn("phone number", entry["comments"])
        accepted = moderation.accepted_findings(self.report)
        self.assertEqual([item["text"] for item in accepted], ["347 123 4567"])
        self.assertEqual(accepted[0]["by"], "moderator")

    def test_redacted_findings_need_no_acceptance(self):
        self.moderate(
            **{
                "title": "Lampione spento",
                "description": "Per informazioni chiamatemi al [omissis].",
                "form.buttons.approve": "1",
            }
        )
        self.assertEqual(self.state(), "approved")
        self.assertEqual(moderation.accepted_findings(self.report), [])

    def test_the_address_is_public_text_too(self):
        login_as(self.portal, "admin")
        report = submit(
            self.portal, address=f"Presso {PERSONAL['fullname']}, via Roma 3"
        )
        transaction.commit()
        self.assertEqual(
            [name for name, _match in moderation.unresolved_findings(report)],
            ["address"],
        )

    def test_rest_refuses_until_accepted(self):
        response = self.moderator.post(
            self.url + "/@workflow/approve", json={}, headers=JSON, timeout=60
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"]["type"], "FindingsNotReviewed")
        self.assertIn("phone number", response.json()["error"]["message"])
        self.assertEqual(self.state(), "submitted")
        response = self.moderator.post(
            self.url + "/@workflow/approve",
            json={"accept_findings": True, "comment": "Visto."},
            headers=JSON,
            timeout=60,
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.state(), "approved")
        comment = self.history()[-1]["comments"]
        self.assertTrue(comment.startswith("Visto."))
        self.assertIn("Maria Moderatrice", comment)

    def test_only_a_moderator_accepts(self):
        for auth in (("citizen", "citizen"), ("roads", "roads"), None):
            response = requests.post(
                self.url + "/@workflow/approve",
                json={"accept_findings": True},
                auth=auth,
                headers=JSON,
                timeout=60,
            )
            self.assertGreaterEqual(response.status_code, 400, auth)
        self.assertEqual(self.state(), "submitted")
        self.assertEqual(moderation.accepted_findings(self.report), [])

    def test_no_other_way_round(self):
        # A script, or a Manager's state menu, meets the same rule.
        login_as(self.portal, "admin")
        with self.assertRaises(WorkflowException):
            api.portal.get_tool("portal_workflow").doActionFor(self.report, "approve")
        transaction.abort()
        # The state menu leads to the moderation page, not to Plone's
        # generic script, which is not published on reports at all.
        login_as(self.portal, "moderator")
        actions = api.portal.get_tool("portal_actions").listFilteredActionsFor(
            self.report
        )["workflow"]
        self.assertTrue(actions)
        for action in actions:
            self.assertNotIn("content_status_modify", action["url"])
        self.assertEqual(
            {a["id"]: a["url"] for a in actions}["approve"], self.url + "/@@moderate"
        )
        # "Advanced..." of the menu leads to the moderation page as well.
        response = self.moderator.get(
            self.url + "/content_status_history", timeout=60, allow_redirects=False
        )
        self.assertEqual(response.headers["Location"], self.url + "/@@moderate")
        response = self.moderator.post(
            self.url + "/content_status_modify",
            data={"workflow_action": "approve"},
            timeout=60,
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.state(), "submitted")

    def test_the_toolbar_leads_to_the_staff_pages(self):
        from plone.app.testing import SITE_OWNER_NAME
        from plone.app.testing import SITE_OWNER_PASSWORD

        folder = self.portal["segnalazioni"].absolute_url()
        for url, target in (
            (self.url + "/edit", self.url + "/@@moderate"),
            (self.url + "/folder_contents", self.url + "/@@moderate"),
        ):
            response = self.moderator.get(url, timeout=60, allow_redirects=False)
            self.assertEqual(response.headers.get("Location"), target, url)
        # A Manager gets Plone's own pages.
        admin = requests.Session()
        admin.auth = (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        for url in (self.url + "/edit", folder + "/folder_contents"):
            response = admin.get(url, timeout=60, allow_redirects=False)
            self.assertEqual(response.status_code, 200, url)
        self.assertIn(
            'name="form.buttons.save"', admin.get(self.url + "/edit", timeout=60).text
        )

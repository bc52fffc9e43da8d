"""Local roles on a report are the workflow's and the add-on's alone: the
office's role follows the assignment, and nobody (the reporter included)
shares a report through ``@sharing`` or the sharing page."""

from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import report_in
from collective.civicreports.tests.base import submit
from plone import api

import requests
import transaction
import unittest


JSON = {"Accept": "application/json"}
ROLES = (
    "ReportModerator",
    "Editor",
    "Contributor",
    "Reader",
    "Reviewer",
    "ReportOffice",
)


class LocalRolesTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        login_as(self.portal, "admin")
        self.own = submit(self.portal, user="citizen")
        self.public = report_in(self.portal, "assigned")
        transaction.commit()

    def local_roles(self, report):
        transaction.begin()
        return sorted(
            (who, tuple(sorted(roles))) for who, roles in report.get_local_roles()
        )

    def test_the_reporter_cannot_share_their_report(self):
        url = self.own.absolute_url()
        before = self.local_roles(self.own)
        entries = [
            {"id": "citizen", "type": "user", "roles": dict.fromkeys(ROLES, True)}
        ]
        response = requests.post(
            url + "/@sharing",
            json={"entries": entries},
            auth=("citizen", "citizen"),
            headers=JSON,
            timeout=60,
        )
        self.assertIn(response.status_code, (401, 403, 404), response.text)
        self.assertEqual(self.local_roles(self.own), before)
        # Without a role of the staff, no approval and no change.
        for method, path, data in (
            ("POST", "/@workflow/approve", {}),
            ("PATCH", "", {"title": "Cambiato"}),
        ):
            response = requests.request(
                method,
                url + path,
                json=data,
                auth=("citizen", "citizen"),
                headers=JSON,
                timeout=60,
            )
            # plone.restapi answers 400 for a transition the user does not have.
            self.assertIn(response.status_code, (400, 401, 403), path)
        transaction.begin()
        self.assertEqual(api.content.get_state(self.own), "submitted")

    def test_nobody_below_manager_shares_a_report(self):
        url = self.public.absolute_url()
        before = self.local_roles(self.public)
        for user in ("citizen", "moderator", "roads", "waste"):
            for method, path, kwargs in (
                ("GET", "/@@sharing", {}),
                ("POST", "/@@sharing", {"data": {"form.button.Save": "1"}}),
                (
                    "POST",
                    "/@sharing",
                    {
                        "json": {
                            "entries": [
                                {"id": user, "type": "user", "roles": {"Editor": True}}
                            ]
                        },
                        "headers": JSON,
                    },
                ),
                (
                    "GET",
                    "/manage_setLocalRoles?userid=" + user + "&roles:list=Manager",
                    {},
                ),
            ):
                response = requests.request(
                    method,
                    url + path,
                    auth=(user, user),
                    timeout=60,
                    allow_redirects=False,
                    **kwargs,
                )
                # Refused: not found, unauthorized, or off to the login form.
                refused = response.status_code in (401, 403, 404) or (
                    response.status_code == 302
                    and "login" in response.headers["Location"]
                )
                self.assertTrue(
                    refused, f"{user} {method} {path}: {response.status_code}"
                )
        self.assertEqual(self.local_roles(self.public), before)

    def test_the_office_role_follows_the_assignment(self):
        login_as(self.portal, "admin")
        self.public.office = "office-waste"
        from zope.lifecycleevent import Attributes
        from zope.lifecycleevent import modified

        modified(self.public, Attributes(None, "office"))
        transaction.commit()
        offices = [
            who
            for who, roles in self.local_roles(self.public)
            if "ReportOffice" in roles
        ]
        self.assertEqual(offices, ["office-waste"])

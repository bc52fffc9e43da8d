"""The permission matrix of every state of the workflow, for every kind of
user, and the confidential flag."""

from collective.civicreports.testing import INTEGRATION_TESTING
from collective.civicreports.tests.base import create_other_citizen
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import PATHS
from collective.civicreports.tests.base import run_as
from collective.civicreports.tests.base import submit
from plone import api

import unittest


USERS = ("anonymous", "reporter", "other", "moderator", "roads", "waste", "admin")
ALL = set(USERS)
STAFF = {"moderator", "roads", "admin"}
PRIVATE = STAFF | {"reporter"}

# state: expectations per permission and user; transitions per user.
MATRIX = {
    "submitted": {
        "View": PRIVATE,
        "Modify portal content": {"moderator", "admin"},
        "transitions": {
            "moderator": {"approve", "reject", "duplicate"},
            "admin": {"approve", "reject", "duplicate"},
        },
    },
    "approved": {
        "View": ALL,
        "Modify portal content": {"moderator", "admin"},
        "transitions": {
            "moderator": {"assign", "duplicate"},
            "admin": {"assign", "duplicate"},
        },
    },
    "assigned": {
        "View": ALL,
        "Modify portal content": {"moderator", "roads", "admin"},
        "transitions": {
            "moderator": {"reassign", "close"},
            "roads": {"close"},
            "admin": {"reassign", "close"},
        },
    },
    "closed": {
        "View": ALL,
        "Modify portal content": {"moderator", "roads", "admin"},
        "transitions": {
            "moderator": {"reopen"},
            "roads": {"reopen"},
            "admin": {"reopen"},
        },
    },
    "rejected": {
        "View": PRIVATE,
        "Modify portal content": {"admin"},
        "transitions": {},
    },
}


class PermissionMatrixTest(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        login_as(self.portal, "admin")
        create_other_citizen()
        self.reports = {}
        for state, path in PATHS.items():
            report = submit(self.portal, user="citizen", title=f"Report {state}")
            for transition in path:
                run_as(self.portal, "admin", transition, report, comment="step")
            self.assertEqual(api.content.get_state(report), state)
            self.reports[state] = report

    def check(self, user, permission, obj):
        login_as(self.portal, self._login_name(user))
        try:
            return bool(api.user.has_permission(permission, obj=obj))
        finally:
            login_as(self.portal, "admin")

    def _login_name(self, user):
        return {"reporter": "citizen", "anonymous": None}.get(user, user)

    def transitions(self, user, obj):
        login_as(self.portal, self._login_name(user))
        try:
            workflow = api.portal.get_tool("portal_workflow")
            return {t["id"] for t in workflow.getTransitionsFor(obj)}
        finally:
            login_as(self.portal, "admin")

    def test_matrix(self):
        for state, expected in MATRIX.items():
            report = self.reports[state]
            for permission in ("View", "Modify portal content"):
                allowed = {u for u in USERS if self.check(u, permission, report)}
                self.assertEqual(
                    allowed, expected[permission], f"{permission} in {state}"
                )
            for user in USERS:
                self.assertEqual(
                    self.transitions(user, report),
                    expected["transitions"].get(user, set()),
                    f"transitions of {user} in {state}",
                )

    def test_reporter_data_and_notes(self):
        for state, report in self.reports.items():
            allowed = {
                u
                for u in USERS
                if self.check(u, "collective.civicreports: View reporter data", report)
            }
            self.assertEqual(allowed, PRIVATE, f"reporter data in {state}")
            allowed = {
                u
                for u in USERS
                if self.check(u, "collective.civicreports: View internal notes", report)
            }
            self.assertEqual(allowed, STAFF, f"internal notes in {state}")

    def test_office_follows_the_assignment(self):
        report = self.reports["assigned"]
        self.assertFalse(self.check("waste", "Modify portal content", report))
        report.office = "office-waste"
        from collective.civicreports.content.report import IReportSchema
        from zope.event import notify
        from zope.lifecycleevent import Attributes
        from zope.lifecycleevent import ObjectModifiedEvent

        notify(ObjectModifiedEvent(report, Attributes(IReportSchema, "office")))
        self.assertTrue(self.check("waste", "Modify portal content", report))
        self.assertFalse(self.check("roads", "Modify portal content", report))
        self.assertEqual(self.transitions("waste", report), {"close"})
        # A submitted report of another office stays out of reach.
        self.assertFalse(self.check("waste", "View", self.reports["submitted"]))

    def test_photos_wait_for_the_moderator(self):
        from collective.civicreports.reports.moderation import set_photo_published

        submitted = self.reports["submitted"]["photo-1.jpg"]
        self.assertFalse(self.check("anonymous", "View", submitted))
        self.assertTrue(self.check("moderator", "View", submitted))
        self.assertTrue(self.check("reporter", "View", submitted))
        photo = self.reports["approved"]["photo-1.jpg"]
        # Approving the report does not publish its photos...
        self.assertFalse(self.check("anonymous", "View", photo))
        # ...the moderator does, one by one.
        set_photo_published(photo, True)
        self.assertTrue(self.check("anonymous", "View", photo))
        self.assertFalse(self.check("other", "View", submitted))

    def test_citizen_cannot_add_to_a_report(self):
        for state in ("submitted", "approved"):
            self.assertFalse(
                self.check("reporter", "Add portal content", self.reports[state])
            )


class ConfidentialTest(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        login_as(self.portal, "admin")
        create_other_citizen()

    def _make(self, path):
        report = submit(self.portal, user="citizen", title="Segnalazione riservata")
        report.confidential = True
        report.reindexObjectSecurity()
        for transition in path:
            run_as(self.portal, "admin", transition, report)
        return report

    def visible_to(self, report):
        seen = set()
        for user, name in (
            ("anonymous", None),
            ("reporter", "citizen"),
            ("other", "other"),
            ("moderator", "moderator"),
            ("roads", "roads"),
            ("admin", "admin"),
        ):
            login_as(self.portal, name)
            try:
                if api.user.has_permission("View", obj=report):
                    seen.add(user)
                if api.user.has_permission("View", obj=report["photo-1.jpg"]):
                    seen.add(user + ":photo")
            finally:
                login_as(self.portal, "admin")
        return seen

    def test_never_public_in_any_state(self):
        for path in (
            (),
            ("approve",),
            ("approve", "assign"),
            ("approve", "assign", "close"),
        ):
            report = self._make(path)
            seen = self.visible_to(report)
            self.assertNotIn("anonymous", seen, path)
            self.assertNotIn("other", seen, path)
            self.assertNotIn("anonymous:photo", seen, path)
            self.assertIn("reporter", seen, path)
            self.assertIn("moderator", seen, path)
            self.assertIn("roads:photo", seen, path)

    def test_not_in_anonymous_catalog_results(self):
        report = self._make(("approve", "assign"))
        public = submit(self.portal, user="citizen", title="Segnalazione pubblica")
        run_as(self.portal, "admin", "approve", public)
        login_as(self.portal, None)
        try:
            found = {b.getId for b in api.content.find(portal_type="Report")}
        finally:
            login_as(self.portal, "admin")
        self.assertIn(public.getId(), found)
        self.assertNotIn(report.getId(), found)

    def test_unflagging_publishes_again(self):
        report = self._make(("approve",))
        self.assertNotIn("anonymous", self.visible_to(report))
        report.confidential = False
        report.reindexObjectSecurity()
        self.assertIn("anonymous", self.visible_to(report))

    def test_survives_update_of_security_settings(self):
        report = self._make(("approve",))
        api.portal.get_tool("portal_workflow").updateRoleMappings()
        self.assertNotIn("anonymous", self.visible_to(report))

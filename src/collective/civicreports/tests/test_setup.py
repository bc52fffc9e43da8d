from collective.civicreports.interfaces import ICivicReportsLayer
from collective.civicreports.testing import INTEGRATION_TESTING
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from plone.browserlayer.utils import registered_layers

import unittest


class TestInstall(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]

    def test_installed(self):
        from Products.CMFPlone.utils import get_installer

        installer = get_installer(self.portal, self.layer["request"])
        self.assertTrue(installer.is_product_installed("collective.civicreports"))

    def test_browserlayer(self):
        self.assertIn(ICivicReportsLayer, registered_layers())

    def test_types(self):
        types = api.portal.get_tool("portal_types")
        self.assertIn("Report", types.objectIds())
        self.assertIn("ReportFolder", types.objectIds())
        behaviors = types["Report"].behaviors
        self.assertIn("collective.civicreports.reporter", behaviors)
        # Versioning would bring back the ConflictErrors on concurrent
        # submissions (portal_uidgenerator).
        self.assertNotIn("plone.versioning", behaviors)

    def test_workflow_bound(self):
        wf = api.portal.get_tool("portal_workflow")
        self.assertEqual(wf.getChainForPortalType("Report"), ("civicreport_workflow",))
        workflow = wf["civicreport_workflow"]
        self.assertEqual(
            sorted(workflow.states.objectIds()),
            ["approved", "assigned", "closed", "rejected", "submitted"],
        )
        self.assertEqual(
            sorted(workflow.transitions.objectIds()),
            ["approve", "assign", "close", "duplicate", "reassign", "reject", "reopen"],
        )

    def test_mail_rules(self):
        from plone.contentrules.engine.interfaces import IRuleStorage
        from zope.component import getUtility

        rules = getUtility(IRuleStorage)
        ours = sorted(k for k in rules if k.startswith("civicreports-"))
        self.assertEqual(len(ours), 9)
        for key in ours:
            self.assertTrue(rules[key].enabled)
            self.assertEqual(type(rules[key].actions[0]).__name__, "MailAction")
        # Assigned at the site root, so that they apply to every report folder.
        from plone.contentrules.engine.interfaces import IRuleAssignmentManager

        self.assertEqual(sorted(IRuleAssignmentManager(self.portal)), ours)

    def test_catalog_has_no_personal_columns(self):
        catalog = api.portal.get_tool("portal_catalog")
        for column in catalog.schema():
            self.assertNotIn("reporter", column.lower())

    def test_demo_folder(self):
        folder = self.portal["segnalazioni"]
        self.assertEqual(folder.portal_type, "ReportFolder")
        self.assertIn(
            "ReportModerator", folder.get_local_roles_for_userid("moderators")
        )


class TestUninstall(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        from Products.CMFPlone.utils import get_installer

        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        self.installer = get_installer(self.portal, self.layer["request"])
        self.installer.uninstall_product("collective.civicreports")

    def test_product_uninstalled(self):
        self.assertFalse(self.installer.is_product_installed("collective.civicreports"))

    def test_browserlayer_removed(self):
        self.assertNotIn(ICivicReportsLayer, registered_layers())

    def test_rules_removed(self):
        from plone.contentrules.engine.interfaces import IRuleStorage
        from zope.component import getUtility

        self.assertEqual(
            [k for k in getUtility(IRuleStorage) if k.startswith("civicreports-")], []
        )

    def test_workflow_and_types_removed(self):
        self.assertNotIn(
            "civicreport_workflow", api.portal.get_tool("portal_workflow").objectIds()
        )
        self.assertNotIn("Report", api.portal.get_tool("portal_types").objectIds())

    def test_settings_removed(self):
        self.assertIsNone(
            api.portal.get_registry_record(
                "collective.civicreports.moderators_group", default=None
            )
        )

    def test_tracking_counter_kept(self):
        # Numbers must never be reused, not even after a reinstall.
        from collective.civicreports.tracking import get_counter

        self.assertIsNotNone(get_counter(self.portal))


class TestUpgrade(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def test_upgrade_to_1001(self):
        from collective.civicreports.tests.base import login_as
        from collective.civicreports.tests.base import run_as
        from collective.civicreports.tests.base import submit
        from collective.civicreports.upgrades.v1001 import upgrade

        portal = self.layer["portal"]
        login_as(portal, "admin")
        report = submit(portal)
        run_as(portal, "moderator", "approve", report)
        catalog = api.portal.get_tool("portal_catalog")
        catalog.delIndex("report_cells")
        upgrade(None)
        self.assertIn("report_cells", catalog.indexes())
        found = catalog.unrestrictedSearchResults(report_cells="*")
        self.assertEqual([b.getId for b in found], [report.getId()])

    def test_upgrade_to_1002(self):
        from collective.civicreports.mapfeatures import HEAD
        from collective.civicreports.tests.base import login_as
        from collective.civicreports.tests.base import report_in
        from collective.civicreports.upgrades.v1002 import upgrade

        portal = self.layer["portal"]
        login_as(portal, "admin")
        public = report_in(portal, "approved")
        waiting = report_in(portal, "submitted")
        catalog = api.portal.get_tool("portal_catalog")
        catalog.delColumn("report_feature")
        upgrade(None)
        self.assertIn("report_feature", catalog.schema())
        features = {
            brain.tracking_number: brain.report_feature
            for brain in catalog.unrestrictedSearchResults(portal_type="Report")
        }
        self.assertIn(public.tracking_number, features[public.tracking_number][HEAD])
        self.assertIsNone(features[waiting.tracking_number])

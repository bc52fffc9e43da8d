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
        self.installer = api.portal.get_tool("portal_quickinstaller") if False else None

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
            ["approve", "assign", "close", "reassign", "reject", "reopen"],
        )

    def test_demo_folder(self):
        folder = self.portal["segnalazioni"]
        self.assertEqual(folder.portal_type, "ReportFolder")
        self.assertIn(
            "ReportModerator", folder.get_local_roles_for_userid("moderators")
        )

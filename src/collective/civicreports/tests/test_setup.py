from collective.civicreports.interfaces import ICivicReportsLayer
from collective.civicreports.testing import INTEGRATION_TESTING
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from plone.browserlayer.utils import registered_layers

import io
import tarfile
import unittest


def _untar(data, name):
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return archive.extractfile(name).read()


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

    def test_the_map_index_exports_and_imports(self):
        # Its own index type: GenericSetup finds it by its meta_type.
        from Products.CMFCore.exportimport.catalog import exportCatalogTool
        from Products.GenericSetup.context import TarballExportContext

        setup = api.portal.get_tool("portal_setup")
        context = TarballExportContext(setup)
        exportCatalogTool(context)
        exported = context.getArchive()
        self.assertIn(b'meta_type="ReportMapIndex"', _untar(exported, "catalog.xml"))
        catalog = api.portal.get_tool("portal_catalog")
        catalog.delIndex("report_map")
        setup.runImportStepFromProfile(
            "profile-collective.civicreports:default", "catalog"
        )
        self.assertEqual(
            catalog._catalog.getIndex("report_map").meta_type, "ReportMapIndex"
        )

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
        from collective.civicreports.reports.tracking import get_counter

        self.assertIsNotNone(get_counter(self.portal))


class TestUpgrade(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def test_upgrade_to_1001(self):
        from collective.civicreports.geo.mapindex import HEAD
        from collective.civicreports.geo.mapindex import records
        from collective.civicreports.tests.base import login_as
        from collective.civicreports.tests.base import report_in
        from collective.civicreports.upgrades.v1001 import upgrade

        portal = self.layer["portal"]
        login_as(portal, "admin")
        public = report_in(portal, "approved")
        report_in(portal, "submitted")
        catalog = api.portal.get_tool("portal_catalog")
        catalog.delIndex("report_map")
        upgrade(None)
        index = catalog._catalog.getIndex("report_map")
        self.assertEqual(index.meta_type, "ReportMapIndex")
        found = [record[HEAD] for record in records(catalog)]
        self.assertEqual(len(found), 1)
        self.assertIn(public.tracking_number, found[0])

    def test_upgrade_to_1002(self):
        from collective.civicreports.categories.registry import get_category
        from collective.civicreports.categories.registry import PREFIX
        from collective.civicreports.upgrades.v1002 import upgrade
        from plone.registry.interfaces import IRegistry
        from zope.component import getUtility

        registry = getUtility(IRegistry)
        del registry.records[f"{PREFIX}/lighting.questions"]
        with self.assertRaises(AttributeError):
            get_category("lighting").questions = ["a | string | A?"]
        upgrade(None)
        lighting = get_category("lighting")
        self.assertEqual(lighting.questions, [])
        self.assertEqual(lighting.title, "Illuminazione pubblica")
        self.assertEqual(len(get_category("roads").questions), 2)
        lighting.questions = ["a | string | A?"]
        self.assertEqual(get_category("lighting").questions, ["a | string | A?"])

    def test_upgrade_to_1003(self):
        from collective.civicreports.security.ratelimit import ANNOTATION_KEY
        from collective.civicreports.tests.base import login_as
        from collective.civicreports.tests.base import report_in
        from collective.civicreports.upgrades.v1003 import upgrade
        from plone.registry.interfaces import IRegistry
        from zope.annotation.interfaces import IAnnotations
        from zope.component import getUtility

        portal = self.layer["portal"]
        login_as(portal, "admin")
        report = report_in(portal, "approved")
        # As a report of 1002 was: sharing acquired (the Owner could
        # delegate), a poisoned title, no rate settings, no counters.
        delegate = "Sharing page: Delegate roles"
        report.manage_permission(delegate, ["Owner", "Manager"], acquire=True)
        report.title = "Buca\x00\ud800 pericolosa"
        registry = getUtility(IRegistry)
        del registry.records["collective.civicreports.open311_rate_limit"]
        del IAnnotations(portal)[ANNOTATION_KEY]
        upgrade(None)
        self.assertEqual(
            [r["name"] for r in report.rolesOfPermission(delegate) if r["selected"]],
            ["Manager"],
        )
        self.assertFalse(report.acquiredRolesAreUsedBy(delegate))
        self.assertEqual(report.title, "Buca pericolosa")
        self.assertEqual(registry["collective.civicreports.open311_rate_limit"], 200)
        self.assertIn(ANNOTATION_KEY, IAnnotations(portal))
        workflow = api.portal.get_tool("portal_workflow").getWorkflowById(
            "civicreport_workflow"
        )
        self.assertEqual(
            workflow.transitions["approve"].actbox_url, "%(content_url)s/@@moderate"
        )

    def test_upgrade_to_1004(self):
        from collective.civicreports.reports.tracking import allocate
        from collective.civicreports.upgrades.v1004 import upgrade
        from plone.registry.interfaces import IRegistry
        from zope.component import getUtility

        portal = self.layer["portal"]
        record = "collective.civicreports.holiday_province"
        registry = getUtility(IRegistry)
        del registry.records[record]
        before = allocate(portal, 2026)
        upgrade(None)
        self.assertIn(record, registry.records)
        self.assertIsNone(registry[record])
        number = int(before.split("-")[1])
        self.assertEqual(allocate(portal, 2026), f"2026-{number + 1:06d}")

    def test_upgrade_to_1005(self):
        """A site of 1004: no identity or App IO records, no reporter
        index, the folder out of the navigation, the old received mail."""
        from collective.civicreports.content.indexers import reporter_key
        from collective.civicreports.identity.plugin import get_plugin
        from collective.civicreports.setuphandlers import hide_from_navigation
        from collective.civicreports.tests.base import submit
        from collective.civicreports.upgrades.v1005 import RECEIVED
        from collective.civicreports.upgrades.v1005 import upgrade
        from plone.contentrules.engine.interfaces import IRuleStorage
        from plone.registry.interfaces import IRegistry
        from zope.component import getUtility

        portal = self.layer["portal"]
        setRoles(portal, TEST_USER_ID, ["Manager"])
        report = submit(portal, user="citizen")
        registry = getUtility(IRegistry)
        gone = [
            name
            for name in list(registry.records.keys())
            if name.startswith(
                ("collective.civicreports.identity.", "collective.civicreports.appio.")
            )
        ] + ["collective.civicreports.privacy_notice_url"]
        for name in gone:
            del registry.records[name]
        catalog = api.portal.get_tool("portal_catalog")
        catalog.delIndex("report_reporter")
        portal.acl_users.manage_delObjects([get_plugin().getId()])
        hide_from_navigation()
        action = getUtility(IRuleStorage)[RECEIVED].actions[0]
        action.message = "Old text"
        upgrade(api.portal.get_tool("portal_setup"))
        for name in gone:
            self.assertIn(name, registry.records)
        self.assertIsNotNone(get_plugin())
        found = catalog.unrestrictedSearchResults(
            report_reporter=reporter_key("citizen")
        )
        self.assertEqual([brain.getId for brain in found], [report.getId()])
        self.assertIn(
            "ReportFolder", api.portal.get_registry_record("plone.displayed_types")
        )
        self.assertIn("${report_summary}", action.message)

    def test_upgrade_to_1006(self):
        """A site of 1005: no response templates, the staff's mails linking
        to the report's page; a changed mail stays as it is."""
        from collective.civicreports.responses.templates import configured
        from collective.civicreports.tests.base import submit
        from collective.civicreports.upgrades.v1006 import STAFF_RULES
        from collective.civicreports.upgrades.v1006 import upgrade
        from plone.contentrules.engine.interfaces import IRuleStorage
        from plone.registry.interfaces import IRegistry
        from Products.CMFCore.indexing import processQueue
        from zope.component import getUtility

        report = submit(self.layer["portal"])
        processQueue()
        catalog = api.portal.get_tool("portal_catalog")
        catalog._catalog.getIndex("report_answer_due").clear()
        registry = getUtility(IRegistry)
        record = "collective.civicreports.responses.templates"
        del registry.records[record]
        storage = getUtility(IRuleStorage)
        moderators, office = (storage[rule].actions[0] for rule in STAFF_RULES)
        moderators.message = moderators.message.replace(
            "${report_staff_url}", "${report_url}"
        )
        office.message = "Changed by the administrator: ${report_url}"
        upgrade(api.portal.get_tool("portal_setup"))
        self.assertIn(record, registry.records)
        self.assertEqual({t.use for t in configured()}, {"answer", "question"})
        self.assertIn("${report_staff_url}", moderators.message)
        found = catalog.unrestrictedSearchResults(
            portal_type="Report", sort_on="report_answer_due"
        )
        self.assertIn(report.getId(), [brain.getId for brain in found])
        for column in ("report_received", "report_closed_at", "report_resolution"):
            self.assertIn(column, catalog.schema())
        self.assertEqual(office.message, "Changed by the administrator: ${report_url}")


class TestMovedClasses(unittest.TestCase):
    """A database made before 1004 names the old modules of two classes, in
    their objects' records and in their parents' references to them. It
    still loads, and after the upgrade step no record names them."""

    OLD_MODULES = {
        "TrackingCounter": "collective.civicreports.tracking",
        "ReportMapIndex": "collective.civicreports.mapfeatures",
    }

    def old_database(self):
        from BTrees.OOBTree import OOBTree
        from collective.civicreports.geo.mapindex import ReportMapIndex
        from collective.civicreports.reports.tracking import ANNOTATION_KEY
        from collective.civicreports.reports.tracking import TrackingCounter
        from collective.civicreports.upgrades import aliases  # noqa: F401
        from Products.ZCatalog.Catalog import Catalog

        import transaction

        classes = (TrackingCounter, ReportMapIndex)
        # Pickles name a class by its __module__: as the old code did.
        modules = [cls.__module__ for cls in classes]
        for cls in classes:
            cls.__module__ = self.OLD_MODULES[cls.__name__]
        try:
            db = self.open()
            manager = transaction.TransactionManager()
            root = db.open(manager).root()
            counter = TrackingCounter()
            counter.next(2026)
            root["annotations"] = OOBTree({ANNOTATION_KEY: counter})
            root["catalog"] = catalog = Catalog()
            catalog.addIndex("report_map", ReportMapIndex("report_map"))
            manager.commit()
            db.close()
        finally:
            for cls, module in zip(classes, modules, strict=True):
                cls.__module__ = module

    def setUp(self):
        import tempfile

        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.path = f"{folder.name}/Data.fs"

    def open(self):
        """A database of its own: nothing loaded from a cache."""
        from ZODB import DB
        from ZODB.FileStorage import FileStorage

        return DB(FileStorage(self.path))

    def naming_old_modules(self):
        from ZODB.FileStorage import FileStorage

        storage = FileStorage(self.path, read_only=True)
        try:
            oids = {record.oid for tx in storage.iterator() for record in tx}
            return sorted(
                name
                for oid in oids
                for name in self.OLD_MODULES.values()
                if name.encode() + b"\n" in storage.load(oid)[0]
            )
        finally:
            storage.close()

    def test_old_database_upgraded(self):
        from collective.civicreports.reports.tracking import ANNOTATION_KEY
        from collective.civicreports.upgrades.v1004 import store_counter_again
        from collective.civicreports.upgrades.v1004 import store_index_again

        import transaction

        self.old_database()
        # Each old name is in the object's record and its parent's.
        self.assertEqual(
            self.naming_old_modules(),
            sorted(2 * list(self.OLD_MODULES.values())),
        )
        db = self.open()
        manager = transaction.TransactionManager()
        root = db.open(manager).root()
        store_counter_again(root["annotations"])
        store_index_again(root["catalog"])
        manager.commit()
        db.close()
        self.assertEqual(self.naming_old_modules(), [])
        db = self.open()
        root = db.open(transaction.TransactionManager()).root()
        self.assertEqual(root["annotations"][ANNOTATION_KEY].next(2026), 2)
        self.assertEqual(
            root["catalog"].indexes["report_map"].meta_type, "ReportMapIndex"
        )
        db.close()

"""The categories and settings control panels, through the browser."""

from collective.civicreports.categories.registry import all_categories
from collective.civicreports.categories.registry import get_category
from collective.civicreports.testing import FUNCTIONAL_TESTING
from collective.civicreports.tests.base import admin_browser
from plone import api
from plone.testing.zope import Browser

import transaction
import unittest


class ControlPanelTest(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.browser = admin_browser(self.layer)
        self.url = self.portal.absolute_url()

    def test_listed_in_site_setup(self):
        self.browser.open(self.url + "/@@overview-controlpanel")
        self.assertIn("civicreports-categories", self.browser.contents)
        self.assertIn("civicreports-settings", self.browser.contents)

    def test_list_categories(self):
        self.browser.open(self.url + "/@@civicreports-categories")
        self.assertIn("Dissesto stradale", self.browser.contents)
        self.assertIn("office-roads", self.browser.contents)

    def test_add_edit_delete(self):
        browser = self.browser
        browser.open(self.url + "/@@civicreports-categories-add")
        browser.getControl(name="form.widgets.id").value = "signs"
        browser.getControl(name="form.widgets.title").value = "Segnaletica"
        browser.getControl(name="form.widgets.kind:list").value = ["malfunction"]
        browser.getControl(name="form.widgets.office:list").value = ["office-roads"]
        browser.getControl(
            name="form.widgets.notification_emails"
        ).value = "vigili@comune.example.it"
        browser.getControl(name="form.buttons.add").click()
        transaction.begin()
        category = get_category("signs")
        self.assertIsNotNone(category)
        self.assertEqual(category.title, "Segnaletica")
        self.assertEqual(category.office, "office-roads")
        self.assertEqual(category.notification_emails, ["vigili@comune.example.it"])

        browser.open(self.url + "/@@civicreports-categories-edit?id=signs")
        browser.getControl(name="form.widgets.title").value = "Segnaletica stradale"
        browser.getControl(name="form.widgets.active:list").value = []
        browser.getControl(name="form.buttons.save").click()
        transaction.begin()
        self.assertEqual(get_category("signs").title, "Segnaletica stradale")
        self.assertFalse(get_category("signs").active)

        browser.open(self.url + "/@@civicreports-categories")
        browser.getControl(name="delete", index=self._row("signs")).click()
        transaction.begin()
        self.assertIsNone(get_category("signs"))
        self.assertIsNotNone(get_category("roads"))

    def _row(self, category_id):
        return [key for key, _ in all_categories()].index(category_id)

    def test_bad_id_refused(self):
        browser = self.browser
        browser.open(self.url + "/@@civicreports-categories-add")
        browser.getControl(name="form.widgets.id").value = "Bad Id!"
        browser.getControl(name="form.widgets.title").value = "X"
        browser.getControl(name="form.buttons.add").click()
        self.assertIn("Use lowercase letters", browser.contents)
        transaction.begin()
        self.assertEqual(
            len(
                [
                    c
                    for c in api.portal.get_tool("portal_registry").records
                    if "Bad Id" in c
                ]
            ),
            0,
        )

    def test_settings_validate_the_territory(self):
        browser = self.browser
        browser.open(self.url + "/@@civicreports-settings")
        browser.getControl(
            name="form.widgets.territory"
        ).value = '{"type": "Point", "coordinates": [9, 39]}'
        browser.getControl(name="form.buttons.save").click()
        self.assertIn("GeoJSON", browser.contents)
        transaction.begin()
        self.assertIn(
            "Polygon",
            api.portal.get_registry_record("collective.civicreports.territory"),
        )

    def test_territory_from_an_uploaded_file(self):
        import io
        import json

        square = {
            "type": "Polygon",
            "coordinates": [
                [[8.0, 38.0], [8.5, 38.0], [8.5, 38.5], [8.0, 38.5], [8.0, 38.0]]
            ],
        }
        browser = self.browser
        browser.open(self.url + "/@@civicreports-settings")
        browser.getControl(name="form.widgets.territory_file").add_file(
            io.BytesIO(json.dumps(square).encode()),
            "application/geo+json",
            "comune.geojson",
        )
        browser.getControl(name="form.buttons.save").click()
        transaction.begin()
        self.assertEqual(
            json.loads(
                api.portal.get_registry_record("collective.civicreports.territory")
            ),
            square,
        )
        browser.open(self.url + "/@@civicreports-settings")
        browser.getControl(name="form.widgets.territory_file").add_file(
            io.BytesIO(b"not json"), "application/geo+json", "bad.geojson"
        )
        browser.getControl(name="form.buttons.save").click()
        self.assertIn("GeoJSON", browser.contents)

    def test_deadline_settings_are_in_the_panel(self):
        self.browser.open(self.url + "/@@civicreports-settings")
        for name in (
            "assignment_hours",
            "answer_days",
            "working_days",
            "holidays",
            "retention_months",
            "rejection_reasons",
        ):
            self.assertIn(f"form.widgets.{name}", self.browser.contents)

    def test_members_cannot_manage(self):
        browser = Browser(self.layer["app"])
        browser.addHeader("Authorization", "Basic moderator:moderator")
        browser.open(self.url + "/@@civicreports-categories")
        # Plone answers Unauthorized with its "insufficient privileges" page.
        self.assertIn("insufficient-privileges", browser.url)
        self.assertNotIn("Dissesto stradale", browser.contents)

"""The categories' control panel over real HTTP, as the site's administrator
uses it: the office chosen among the groups, the reports of each category,
the deletion of a category in use confirmed first."""

from collective.civicreports.categories.registry import get_category
from collective.civicreports.reports.offices import BUILTIN_GROUPS
from collective.civicreports.reports.offices import office_choices
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import create_site_admin
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import submit
from collective.civicreports.tests.chromium import axe_violations
from collective.civicreports.tests.test_browser import BrowserCase
from lxml import html
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from selenium.webdriver.common.by import By
from zope.globalrequest import getRequest

import requests
import transaction
import unittest


OFFICE = "form.widgets.office:list"


# Chromium for the whole module, started by the first test that needs it.
class PanelCase(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.url = self.portal.absolute_url()
        self.listing = self.url + "/@@civicreports-categories"
        login_as(self.portal, "admin")
        self.admin = requests.Session()
        self.admin.auth = (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)

    def page(self, url):
        response = self.admin.get(url, timeout=60)
        self.assertEqual(response.status_code, 200, url)
        return html.fromstring(response.text)

    def token(self):
        page = self.page(self.listing)
        return page.xpath("//input[@name='_authenticator']/@value")[0]

    def post(self, url, data):
        response = self.admin.post(url, data=data, timeout=60)
        transaction.begin()
        # What the test reads next stands for a new request: plone.registry
        # keeps the values it read in the request.
        getRequest().other.pop("_plone_registry_cache", None)
        return response

    def form_values(self, url, form_id):
        """The values the browser would send with the form, no button."""
        (form,) = self.page(url).xpath(f"//form[@id='{form_id}']")
        return list(form.form_values())

    def counts(self):
        page = self.page(self.listing)
        return {
            row.get("id").removeprefix("category-"): int(
                row.xpath("string(td[@class='category-reports'])").strip()
            )
            for row in page.xpath("//tr[starts-with(@id, 'category-')]")
        }

    def catalog_count(self, category_id):
        catalog = api.portal.get_tool("portal_catalog")
        return len(
            catalog.unrestrictedSearchResults(
                portal_type="Report", report_category=category_id
            )
        )

    def delete(self, category_id, **extra):
        return self.post(
            self.listing,
            dict(_authenticator=self.token(), delete=category_id, **extra),
        )


class OfficeTest(PanelCase):
    def test_the_select_lists_the_groups(self):
        page = self.page(self.url + "/@@civicreports-categories-add")
        (select,) = page.xpath(f"//select[@name='{OFFICE}']")
        offered = [v for v in select.xpath("option/@value") if v != "--NOVALUE--"]
        self.assertEqual(offered, [c["id"] for c in office_choices()])
        self.assertIn("office-roads", offered)
        self.assertIn("moderators", offered)
        self.assertFalse(BUILTIN_GROUPS & set(offered))
        # A category may still have no office.
        self.assertIn("--NOVALUE--", select.xpath("option/@value"))
        self.assertIn("Ufficio Strade", select.text_content())
        (label,) = page.xpath(f"//label[@for='{select.get('id')}']")
        self.assertIn("Responsible office", label.text_content())

    def test_the_edit_form_selects_the_office(self):
        page = self.page(self.url + "/@@civicreports-categories-edit?id=waste")
        (select,) = page.xpath(f"//select[@name='{OFFICE}']")
        self.assertEqual(select.xpath("option[@selected]/@value"), ["office-waste"])

    def test_a_new_group_can_be_chosen(self):
        api.group.create(groupname="office-traffic", title="Ufficio Traffico")
        transaction.commit()
        url = self.url + "/@@civicreports-categories-edit?id=roads"
        values = [
            (name, value)
            for name, value in self.form_values(url, "form")
            if name != OFFICE
        ]
        values += [(OFFICE, "office-traffic"), ("form.buttons.save", "Save")]
        self.post(url, values)
        self.assertEqual(get_category("roads").office, "office-traffic")
        # No office at all is still a choice, kept as the registry had it.
        values = [(k, v) for k, v in values if k != OFFICE] + [(OFFICE, "--NOVALUE--")]
        self.post(url, values)
        self.assertEqual(get_category("roads").office, "")

    def refused(self, response, office):
        self.assertEqual(response.status_code, 200)
        page = html.fromstring(response.text)
        (select,) = page.xpath(f"//select[@name='{OFFICE}']")
        # The error is the field's, and the select names it for screen
        # readers.
        self.assertEqual(select.get("aria-invalid"), "true")
        (error,) = page.xpath(f"//*[@id='{select.get('aria-describedby')}']")
        self.assertIn("Choose the office among the existing groups", error.text)
        (field,) = page.xpath(f"//div[@id='formfield-{select.get('id')}']")
        self.assertIn(error, field.iterdescendants())
        self.assertNotIn(f'value="{office}"', response.text)

    def test_an_unknown_office_is_refused_on_edit(self):
        url = self.url + "/@@civicreports-categories-edit?id=roads"
        values = self.form_values(url, "form")
        for office, name in (
            ("office-nowhere", OFFICE),
            # Without the :list the select's value is a plain string.
            ("office-nowhere", "form.widgets.office"),
            ("Administrators", OFFICE),
        ):
            with self.subTest(office=office, name=name):
                sent = [
                    (key, "Strade rotte" if key == "form.widgets.title" else value)
                    for key, value in values
                    if key != OFFICE
                ]
                sent += [(name, office), ("form.buttons.save", "Save")]
                self.refused(self.post(url, sent), office)
                category = get_category("roads")
                self.assertEqual(category.office, "office-roads")
                self.assertEqual(category.title, "Dissesto stradale")

    def test_an_unknown_office_is_refused_on_add(self):
        url = self.url + "/@@civicreports-categories-add"
        values = [
            (name, value)
            for name, value in self.form_values(url, "form")
            if name not in (OFFICE, "form.widgets.id", "form.widgets.title")
        ]
        values += [
            ("form.widgets.id", "signs"),
            ("form.widgets.title", "Segnaletica"),
            (OFFICE, "office-nowhere"),
            ("form.buttons.add", "Add"),
        ]
        self.refused(self.post(url, values), "office-nowhere")
        self.assertIsNone(get_category("signs"))
        registry = api.portal.get_tool("portal_registry")
        self.assertFalse([r for r in registry.records if "category/signs" in r])

    def test_a_missing_group_is_named_on_edit(self):
        api.portal.set_registry_record(
            "collective.civicreports.category/green.office", "office-gone"
        )
        transaction.commit()
        page = self.page(self.url + "/@@civicreports-categories-edit?id=green")
        self.assertIn("office-gone", page.text_content())
        self.assertIn("is not an existing group", page.text_content())
        row = self.page(self.listing).xpath("//tr[@id='category-green']")[0]
        self.assertIn("not an existing group", row.text_content())


class CountTest(PanelCase):
    def test_each_category_shows_its_reports(self):
        before = self.counts()
        for key in ("roads", "waste", "info"):
            self.assertEqual(before[key], self.catalog_count(key))
        self.assertEqual(
            self.page(self.listing).xpath("//th[normalize-space()='Reports']/@scope"),
            ["col"],
        )
        submit(self.portal, title="Buca uno")
        submit(self.portal, title="Buca due")
        submit(self.portal, category="waste", title="Cassonetto")
        transaction.commit()
        after = self.counts()
        self.assertEqual(after["roads"], before["roads"] + 2)
        self.assertEqual(after["waste"], before["waste"] + 1)
        self.assertEqual(after["info"], before["info"])

    def test_reports_the_admin_could_not_list_count_too(self):
        # A report nobody may see, the administrator neither, still counts.
        report = submit(self.portal, category="green", title="Ramo caduto")
        report.manage_permission("View", roles=[], acquire=False)
        report.manage_permission("Access contents information", roles=[], acquire=0)
        report.reindexObjectSecurity()
        transaction.commit()
        self.assertEqual(self.counts()["green"], self.catalog_count("green"))
        self.assertGreaterEqual(self.counts()["green"], 1)


class DeleteTest(PanelCase):
    def test_a_used_category_asks_first(self):
        report = submit(self.portal, category="lighting", title="Lampione spento")
        transaction.commit()
        used = self.catalog_count("lighting")
        response = self.delete("lighting")
        self.assertEqual(response.status_code, 200)
        self.assertIsNotNone(get_category("lighting"))
        page = html.fromstring(response.text)
        heading = page.xpath("string(//h1)")
        self.assertIn("Delete the category", heading)
        self.assertIn("Illuminazione pubblica", heading)
        self.assertIn(f"Reports that use this category: {used}", page.text_content())
        self.assertIn("Those reports keep the category", page.text_content())
        (form,) = page.xpath("//form[.//button[@name='confirm']]")
        self.assertEqual(form.get("method"), "post")

        # The listing's button again, without the confirmation: still asks.
        self.delete("lighting")
        self.assertIsNotNone(get_category("lighting"))

        values = list(form.form_values()) + [("confirm", "yes")]
        response = self.post(form.get("action"), values)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.url, self.listing)
        self.assertIsNone(get_category("lighting"))
        self.assertIn("Category deleted", response.text)
        self.assertNotIn("category-lighting", response.text)
        # The reports keep the category's id.
        self.assertEqual(
            self.portal["segnalazioni"][report.getId()].category, "lighting"
        )
        self.assertEqual(self.catalog_count("lighting"), used)

    def test_an_unused_category_goes_at_once(self):
        self.assertEqual(self.catalog_count("suggestion"), 0)
        response = self.delete("suggestion")
        self.assertEqual(response.url, self.listing)
        self.assertIsNone(get_category("suggestion"))
        self.assertIn("Category deleted", response.text)
        self.assertNotIn('name="confirm"', response.text)
        self.assertIsNotNone(get_category("roads"))

    def test_the_delete_buttons_are_named(self):
        page = self.page(self.listing)
        (button,) = page.xpath("//button[@name='delete' and @value='waste']")
        self.assertEqual(" ".join(button.text_content().split()), "Delete Rifiuti")

    def test_no_deletion_without_the_token(self):
        response = self.post(self.listing, {"delete": "suggestion", "confirm": "yes"})
        self.assertNotEqual(response.status_code, 200)
        self.assertIsNotNone(get_category("suggestion"))


class PanelAccessibilityTest(PanelCase, BrowserCase):
    """axe-core on the listing, a refused form and the confirmation, in
    Chromium at 1280 px."""

    def setUp(self):
        BrowserCase.setUp(self)
        PanelCase.setUp(self)
        create_site_admin(self.portal)

    def check_axe_but_toolbar(self, page):
        """The forms are Plone's page with the panel's fields: the script
        mending Plone's toolbar (civicreports-maps.js) is not on them, and
        the toolbar is not the panel's."""
        violations = axe_violations(self.driver, exclude=["#edit-zone"])
        self.assertEqual(violations, [], f"accessibility of {page}")

    def test_axe(self):
        submit(self.portal, category="waste", title="Cassonetto rotto")
        transaction.commit()
        self.login("siteadmin")
        self.open(self.listing)
        self.assertTrue(self.driver.find_elements(By.ID, "category-waste"))
        self.check_axe("the categories")

        button = self.driver.find_element(
            By.CSS_SELECTOR, "button[name=delete][value=waste]"
        )
        self.click(button)
        self.wait.until(lambda d: d.find_elements(By.NAME, "confirm"))
        self.check_axe("the confirmation of a deletion")

        self.open(self.url + "/@@civicreports-categories-add")
        # The browser itself stops a form without its required fields.
        self.driver.find_element(By.ID, "form-widgets-id").send_keys("Bad Id!")
        self.driver.find_element(By.ID, "form-widgets-title").send_keys("Segnaletica")
        self.click(self.driver.find_element(By.ID, "form-buttons-add"))
        self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".field.error"))
        field = self.driver.find_element(By.ID, "form-widgets-id")
        self.assertEqual(field.get_attribute("aria-invalid"), "true")
        error = self.driver.find_element(By.ID, field.get_attribute("aria-describedby"))
        self.assertIn("Use lowercase letters", error.text)
        self.assertTrue(error.is_displayed())
        self.check_axe_but_toolbar("the add form with errors")

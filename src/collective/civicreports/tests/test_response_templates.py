"""Response templates: written by the administrators in their control
panel, offered by category on ``@@handle``, inserted into the answer or a
question (also without JavaScript), over real HTTP and real SMTP."""

from collective.civicreports.responses.templates import parse
from collective.civicreports.responses.templates import TemplateSyntaxError
from collective.civicreports.testing import INTEGRATION_TESTING
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import admin_browser
from collective.civicreports.tests.base import body
from collective.civicreports.tests.base import create_site_admin
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import report_in
from collective.civicreports.tests.chromium import axe_violations
from collective.civicreports.tests.test_browser import BrowserCase
from lxml import html
from plone import api
from selenium.webdriver.common.by import By

import requests
import transaction
import unittest


TEMPLATES = """== Riparata | answer
La buca in ${address} (${number}) è stata riparata.

== Solo rifiuti | answer | waste
Rifiuti rimossi.

== Una foto | question
Può mandarci una foto di ${title}?
"""
RECORD = "collective.civicreports.responses.templates"


class ParseTest(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def test_blocks(self):
        found = parse(TEMPLATES)
        self.assertEqual(
            [t.title for t in found], ["Riparata", "Solo rifiuti", "Una foto"]
        )
        self.assertEqual([t.use for t in found], ["answer", "answer", "question"])
        self.assertEqual(found[1].categories, ("waste",))
        self.assertEqual(found[2].text, "Può mandarci una foto di ${title}?")

    def test_refused(self):
        for text in (
            "Testo senza intestazione",
            "== Titolo | altro\nTesto",
            "== Titolo | answer | nessuna\nTesto",
            "== Titolo | answer\n",
            "== Titolo | answer\nCiao ${reporter_email}",
            "==  | answer\nTesto",
        ):
            with self.assertRaises(TemplateSyntaxError, msg=text):
                parse(text)


class HandleTemplatesTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        login_as(self.portal, "admin")
        api.portal.set_registry_record(RECORD, TEMPLATES)
        self.report = report_in(self.portal, "assigned", title="Buca")
        transaction.commit()
        self.sink = self.layer["mailsink"]
        self.sink.clear()
        self.roads = requests.Session()
        self.roads.auth = ("roads", "roads")
        self.url = self.report.absolute_url() + "/@@handle"

    def page(self):
        response = self.roads.get(self.url, timeout=60)
        self.assertEqual(response.status_code, 200)
        return html.fromstring(response.text)

    def post(self, **data):
        data["_authenticator"] = self.page().xpath(
            "//input[@name='_authenticator']/@value"
        )[0]
        response = self.roads.post(self.url, data=data, timeout=60)
        transaction.begin()
        return html.fromstring(response.text)

    def test_offered_by_category_with_the_report_filled_in(self):
        page = self.page()
        answers = page.xpath("//select[@name='answer_template']/option[@data-text]")
        self.assertEqual([o.text for o in answers], ["Riparata"])
        self.assertEqual(
            answers[0].get("data-text"),
            f"La buca in Via Roma 12 ({self.report.tracking_number}) è stata riparata.",
        )
        questions = page.xpath("//select[@name='question_template']/option[@data-text]")
        self.assertEqual(
            [o.get("data-text") for o in questions], ["Può mandarci una foto di Buca?"]
        )
        # The JavaScript copies the option's text into this box.
        self.assertEqual(
            page.xpath("//select[@name='answer_template']/@data-fills"),
            ["civicreport-answer"],
        )

    def test_without_javascript_and_closing_with_it(self):
        page = self.post(
            **{"answer_template": "0", "form.buttons.answer_template": "1"}
        )
        (text,) = page.xpath("//textarea[@name='answer']/text()")
        self.assertIn("è stata riparata", text)
        self.assertIsNone(self.report.answer)
        self.post(answer=text, **{"form.buttons.close": "1"})
        self.assertEqual(api.content.get_state(self.report), "closed")
        mails = [
            m for m in self.sink.messages() if m["X-Envelope-To"] == PERSONAL["email"]
        ]
        self.assertIn("è stata riparata", body(mails[-1]))

    def test_a_bad_choice_changes_nothing(self):
        page = self.post(
            **{"question_template": "99", "form.buttons.question_template": "1"}
        )
        self.assertEqual(page.xpath("//textarea[@name='question']/text()"), [])


class ControlPanelTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.browser = admin_browser(self.layer)
        self.url = self.portal.absolute_url() + "/@@civicreports-responses"

    def save(self, text):
        self.browser.open(self.url)
        self.browser.getControl(name="form.widgets.templates").value = text
        self.browser.getControl(name="form.buttons.save").click()
        transaction.begin()
        return self.browser.contents

    def test_saved_and_refused(self):
        self.save(TEMPLATES)
        saved = api.portal.get_registry_record(RECORD)
        self.assertEqual(saved.split(), TEMPLATES.split())
        contents = self.save("== Titolo | answer | nessuna\nTesto")
        self.assertIn("there is no category nessuna", contents)
        self.assertEqual(api.portal.get_registry_record(RECORD), saved)

    def test_in_site_setup(self):
        self.browser.open(self.portal.absolute_url() + "/@@overview-controlpanel")
        self.assertIn("civicreports-responses", self.browser.contents)

    def test_for_administrators_only(self):
        for user in ("moderator", "roads"):
            session = requests.Session()
            session.auth = (user, user)
            response = session.get(self.url, timeout=60)
            self.assertNotIn("form.widgets.templates", response.text)


class ControlPanelInTheBrowserTest(BrowserCase):
    """The administrators' page of the templates, and a refused text."""

    def test_axe(self):
        create_site_admin(self.portal)
        d = self.driver
        self.login("siteadmin")
        self.open(self.portal.absolute_url() + "/@@civicreports-responses")
        self.assertEqual(axe_violations(d, exclude=["#edit-zone"]), [])
        field = d.find_element(By.ID, "form-widgets-templates")
        field.clear()
        field.send_keys("== Titolo | altro\nTesto")
        self.click(d.find_element(By.ID, "form-buttons-save"))
        self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".field.error"))
        # Plone's toolbar is Plone's: the page under test is the form.
        self.assertEqual(axe_violations(d, exclude=["#edit-zone"]), [])
        self.no_horizontal_scrolling()


class ControlPanelOnAPhoneTest(ControlPanelInTheBrowserTest):
    width, height = 390, 844

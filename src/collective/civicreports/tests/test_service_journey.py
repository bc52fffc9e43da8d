"""The service as a citizen meets it, in Chromium with axe-core: from the
home page's footer link through the model's four steps with a digital
identity from the local provider, the PDF receipt, the mail and the App IO
message (through the local stand-in), the due date in the citizen's area,
and the rating once the report is closed. At 1280 and 390 px, in Italian
and in English."""

from collective.civicreports.identity.claims import identity_from_claims
from collective.civicreports.portlets.reports import assign_on_home
from collective.civicreports.reports import engagement
from collective.civicreports.security import ratelimit
from collective.civicreports.testing import SMTP_SINK_FIXTURE
from collective.civicreports.testing import WSGI_SERVER_FIXTURE
from collective.civicreports.tests.base import run_as
from collective.civicreports.tests.chromium import axe_violations
from collective.civicreports.tests.chromium import start_chromium
from collective.civicreports.tests.test_appio import AppIOFixture
from collective.civicreports.tests.test_identity import IdentityLayer
from datetime import timedelta
from plone import api
from plone.app.testing import FunctionalTesting
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select
from selenium.webdriver.support.ui import WebDriverWait

import atexit
import re
import requests
import transaction
import unittest
import zlib


DRIVERS = {}


class JourneyLayer(IdentityLayer):
    """The identity layer's provider and category, with the mail through
    real SMTP."""

    defaultBases = (SMTP_SINK_FIXTURE,)


JOURNEY_FIXTURE = JourneyLayer()
JOURNEY_TESTING = FunctionalTesting(
    bases=(JOURNEY_FIXTURE, WSGI_SERVER_FIXTURE), name="CivicReports:Journey"
)
# What the pages say in each language, where the test must find a text.
TEXTS = {
    "it": {
        "footer": "Segnala disservizio",
        "steps": [
            "Autorizzazioni e condizioni",
            "Dati di segnalazione",
            "Riepilogo",
            "Conferma",
        ],
        "spid": "Entra con SPID o CIE",
        "declaration": "hanno valore di dichiarazione",
        "thanks": "Grazie, abbiamo ricevuto la tua segnalazione",
    },
    "en": {
        "footer": "Report inefficiency",
        "steps": [
            "Authorizations and conditions",
            "Report details",
            "Summary",
            "Confirmation",
        ],
        "spid": "Log in with SPID or CIE",
        "declaration": "counts as a declaration",
        "thanks": "Thank you, we have received your report",
    },
}


@atexit.register
def _quit_browsers():
    for driver in DRIVERS.values():
        driver.quit()
    DRIVERS.clear()


def pdf_text(data):
    """The text operators of a PDF's streams, uncompressed."""
    texts = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            texts.append(zlib.decompress(stream))
        except zlib.error:
            texts.append(stream)
    return b"".join(texts)


class JourneyCase(AppIOFixture, unittest.TestCase):
    layer = JOURNEY_TESTING
    width = 1280
    language = "it"

    def setUp(self):
        AppIOFixture.setUp(self)
        if self.width not in DRIVERS:
            DRIVERS[self.width] = start_chromium(self.width, 900)
        self.driver = DRIVERS[self.width]
        self.driver.delete_all_cookies()
        self.wait = WebDriverWait(self.driver, 30)
        self.folder = self.portal["segnalazioni"]
        self.provider = self.layer["oidc_provider"]
        from collective.civicreports.identity.plugin import get_plugin

        self.provider.add_redirect_uri(get_plugin(self.portal).get_redirect_uris()[0])
        ratelimit.reset()
        api.portal.set_registry_record("plone.default_language", self.language)
        api.portal.set_registry_record("plone.available_languages", [self.language])
        api.portal.set_registry_record(
            "plone.app.theming.interfaces.IThemeSettings.hostnameBlacklist", []
        )
        api.portal.set_registry_record(
            "collective.civicreports.tile_url", "http://127.0.0.1:9/{z}/{x}/{y}.png"
        )
        assign_on_home(self.portal)
        transaction.commit()
        self.texts = TEXTS[self.language]

    def tearDown(self):
        api.portal.set_registry_record("plone.default_language", "en")
        api.portal.set_registry_record("plone.available_languages", ["en"])
        transaction.commit()
        AppIOFixture.tearDown(self)

    def open(self, url):
        self.driver.get(url)
        self.loaded()

    def loaded(self):
        self.wait.until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )

    def click(self, element):
        self.driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})",
            element,
        )
        element.click()

    def go(self, element):
        """Click what leads to another page, and wait for it."""
        page = self.driver.find_element(By.TAG_NAME, "html")
        self.click(element)

        def gone(driver):
            # Chromium says so in more than one way while the page changes.
            try:
                page.is_enabled()
            except WebDriverException:
                return True
            return False

        self.wait.until(gone)
        self.loaded()

    def check_page(self, page):
        violations = axe_violations(self.driver)
        print(
            f"\naxe-core WCAG 2.1 AA, journey {self.language} {page} "
            f"({self.width} px): {len(violations)} serious or critical"
        )
        self.assertEqual(violations, [], page)
        width = self.driver.execute_script(
            "return document.documentElement.scrollWidth"
        )
        self.assertLessEqual(width, self.width + 1, f"horizontal scroll on {page}")

    def shown_step(self):
        return self.driver.find_element(
            By.CSS_SELECTOR, ".steppers-header li[aria-current] span"
        ).text

    def test_the_journey(self):
        d = self.driver
        texts = self.texts
        # The way in: the home page, its portlet and the footer's link.
        self.open(self.portal.absolute_url())
        self.check_page("home page")
        link = d.find_element(By.CSS_SELECTOR, "a[data-element='report-inefficiency']")
        self.assertEqual(link.text.strip(), texts["footer"])
        self.assertTrue(
            d.find_elements(
                By.CSS_SELECTOR, ".civicreport-portlet a[href$='@@segnala']"
            )
            or d.find_elements(By.XPATH, "//a[contains(@href, '@@segnala')]")
        )
        self.go(link)
        self.assertIn("@@segnala", d.current_url)

        # 1. Authorizations and conditions.
        self.assertEqual(self.shown_step(), texts["steps"][0])
        self.check_page("form, authorizations")
        self.click(d.find_element(By.ID, "civicreport-privacy-consent"))
        self.go(d.find_element(By.ID, "civicreport-next"))

        # 2. Report details: a category that wants SPID or CIE.
        self.assertEqual(self.shown_step(), texts["steps"][1])
        Select(d.find_element(By.ID, "civicreport-category")).select_by_value(
            "certificates"
        )
        spid = d.find_element(
            By.CSS_SELECTOR, ".civicreport-login-needed .civicreport-spid-link"
        )
        self.assertTrue(spid.is_displayed())
        self.assertEqual(spid.text.strip(), texts["spid"])
        d.find_element(By.ID, "civicreport-title").send_keys("Certificato di residenza")
        self.go(spid)
        # The broker's page: the citizen chooses their identity.
        self.go(
            d.find_element(By.CSS_SELECTOR, "button[name='demo_user'][value='mrossi']")
        )
        self.wait.until(
            EC.presence_of_element_located((By.ID, "civicreport-step-data"))
        )
        # Back in the step they left, the category still chosen, the
        # subject kept, the author's data from the identity provider.
        self.assertEqual(
            Select(
                d.find_element(By.ID, "civicreport-category")
            ).first_selected_option.get_attribute("value"),
            "certificates",
        )
        self.assertEqual(
            d.find_element(By.ID, "civicreport-title").get_attribute("value"),
            "Certificato di residenza",
        )
        fullname = d.find_element(By.ID, "civicreport-reporter-fullname")
        self.assertEqual(fullname.get_attribute("value"), "Mario Rossi")
        self.assertTrue(fullname.get_attribute("readonly"))
        mario = identity_from_claims(self.provider.identities["mrossi"])
        self.assertEqual(
            d.find_element(By.ID, "civicreport-reporter-fiscal-code").get_attribute(
                "value"
            ),
            mario.fiscal_code,
        )
        self.assertTrue(d.find_element(By.ID, "civicreport-verified").is_displayed())
        d.find_element(By.ID, "civicreport-description").send_keys(
            "Chiedo il certificato di residenza per la scuola."
        )
        self.check_page("form, report details")
        self.go(d.find_element(By.ID, "civicreport-next"))

        # 3. Summary, counted as a declaration.
        self.assertEqual(self.shown_step(), texts["steps"][2])
        summary = d.find_element(By.ID, "civicreport-step-summary").text
        self.assertIn("Certificato di residenza", summary)
        self.assertIn("Mario Rossi", summary)
        self.assertIn(texts["declaration"], d.page_source)
        self.check_page("form, summary")
        self.go(d.find_element(By.ID, "civicreport-send"))

        # 4. Confirmation: number, date, receipt, area.
        self.wait.until(EC.presence_of_element_located((By.ID, "civicreport-thanks")))
        self.assertEqual(self.shown_step(), texts["steps"][3])
        self.assertIn(texts["thanks"], d.find_element(By.ID, "civicreport-thanks").text)
        number = d.find_element(By.CSS_SELECTOR, ".civicreport-new-number").text
        self.check_page("confirmation")
        receipt = d.find_element(
            By.CSS_SELECTOR, "a[href*='ricevuta.pdf']"
        ).get_attribute("href")
        pdf = requests.get(receipt, timeout=60)
        self.assertEqual(pdf.status_code, 200)
        self.assertTrue(pdf.content.startswith(b"%PDF"))
        self.assertEqual(pdf.headers["Content-Type"], "application/pdf")
        self.assertIn(f"ricevuta-{number}.pdf", pdf.headers["Content-Disposition"])

        transaction.begin()
        report = self.folder[number]
        from collective.civicreports.identity.citizen import reporter_verified

        self.assertTrue(reporter_verified(report))
        # The mail to the reporter, and the same step on App IO.
        mails = [
            m
            for m in self.layer["mailsink"].messages()
            if m["X-Envelope-To"] == "mario.rossi@example.it"
        ]
        self.assertEqual(len(mails), 1, "the received mail")
        self.assertIn(number, mails[0].get_payload(decode=True).decode())
        delivered = self.delivered(1)
        fiscal_code = report.reporter_fiscal_code
        self.assertEqual(delivered[0]["body"]["fiscal_code"], fiscal_code)
        self.assertIn(number, delivered[0]["body"]["content"]["subject"])
        self.assertNotIn("Rossi", delivered[0]["body"]["content"]["subject"])

        # The citizen's area: the report, its due date.
        self.open(self.portal.absolute_url() + "/@@my-reports")
        card = d.find_element(By.ID, f"report-{number}")
        self.assertIn(number, card.text)
        # Due 15 days after, the term of the category (not the site's 30).
        due = (report.created().asdatetime() + timedelta(days=15)).date().isoformat()
        dates = [
            t.get_attribute("datetime")
            for t in card.find_elements(By.CSS_SELECTOR, "time")
        ]
        self.assertTrue(any(t.startswith(due) for t in dates), (due, dates))
        self.check_page("citizen's area")

        # Closed by the office: the citizen rates the service.
        run_as(self.portal, "moderator", "approve", report)
        run_as(self.portal, "moderator", "assign", report)
        run_as(self.portal, "moderator", "close", report)
        transaction.commit()
        self.open(self.portal.absolute_url() + "/@@my-reports")
        self.click(d.find_element(By.ID, f"civicreport-rating-{number}-5"))
        self.go(d.find_element(By.NAME, "form.buttons.rating-next"))
        self.check_page("rating, follow-up")
        self.click(d.find_element(By.ID, f"civicreport-followup-{number}-clear"))
        d.find_element(By.ID, f"civicreport-rating-comment-{number}").send_keys(
            "Rapido."
        )
        self.go(d.find_element(By.NAME, "form.buttons.rating-send"))
        transaction.begin()
        from collective.civicreports.reports import satisfaction

        rating = satisfaction.rating_of(self.folder[number])
        self.assertEqual(rating["rating"], 5)
        self.assertEqual(tuple(rating["followups"]), ("clear",))
        self.check_page("rated")
        self.assertTrue(engagement.private_url(self.folder[number]))


class JourneyEnglishPhoneTest(JourneyCase):
    width = 390
    language = "en"


class JourneyItalianPhoneTest(JourneyCase):
    width = 390
    language = "it"


class JourneyEnglishTest(JourneyCase):
    width = 1280
    language = "en"

"""The citizens' pages in headless Chromium: a report from the form to the
map, on a desktop and on a phone, with axe-core checking WCAG 2.1 AA.

The map tiles and the geocoder point at a closed port: the pages must work
without them, as they must when the Internet is unreachable."""

from collective.civicreports.security import ratelimit
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.chromium import axe_violations
from collective.civicreports.tests.chromium import ROOT
from collective.civicreports.tests.chromium import start_chromium
from plone import api
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select
from selenium.webdriver.support.ui import WebDriverWait

import atexit
import os
import re
import requests
import tempfile
import transaction
import unittest


SCREENSHOTS = os.environ.get("CIVICREPORTS_SCREENSHOTS")  # e.g. docs/images
AXE_RESULTS = {}
DRIVERS = {}


def photo_file():
    from PIL import Image

    path = os.path.join(tempfile.mkdtemp(), "buca.jpg")
    Image.new("RGB", (800, 600), (90, 90, 90)).save(path, "JPEG")
    return path


class BrowserCase(unittest.TestCase):
    layer = SERVER_TESTING
    width, height = 1280, 900

    def setUp(self):
        # One browser per window size for the whole module: starting
        # Chromium is the slow part.
        if (self.width, self.height) not in DRIVERS:
            DRIVERS[(self.width, self.height)] = start_chromium(self.width, self.height)
        self.driver = DRIVERS[(self.width, self.height)]
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        self.sink = self.layer["mailsink"]
        ratelimit.reset()
        api.portal.set_registry_record(
            "collective.civicreports.tile_url", "http://127.0.0.1:9/{z}/{x}/{y}.png"
        )
        api.portal.set_registry_record(
            "collective.civicreports.geocoder_url", "http://127.0.0.1:9/search"
        )
        transaction.commit()
        self.driver.delete_all_cookies()
        self.wait = WebDriverWait(self.driver, 30)

    def open(self, url):
        self.driver.get(url)
        self.wait.until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )

    def click(self, element):
        self.driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})",
            element,
        )
        element.click()

    def click_next(self, step):
        """Press the step's main button; the server answers with ``step``."""
        d = self.driver
        self.click(
            d.find_element(By.CSS_SELECTOR, "#civicreport-next, #civicreport-send")
        )
        self.wait.until(
            EC.presence_of_element_located((By.ID, f"civicreport-step-{step}"))
        )

    def check_axe(self, page):
        violations = axe_violations(self.driver)
        AXE_RESULTS[page] = violations
        print(
            f"\naxe-core WCAG 2.1 AA, {page} ({self.width} px): {len(violations)} serious or critical"
        )
        self.assertEqual(violations, [], f"accessibility of {page}")

    def no_horizontal_scrolling(self):
        width = self.driver.execute_script(
            "return document.documentElement.scrollWidth"
        )
        self.assertLessEqual(width, self.width + 1)

    def screenshot(self, name, element=None):
        if element is not None:
            self.driver.execute_script(
                "arguments[0].scrollIntoView({block: 'start', behavior: 'instant'})",
                element,
            )
        if SCREENSHOTS:
            target = ROOT / SCREENSHOTS
            target.mkdir(parents=True, exist_ok=True)
            self.driver.save_screenshot(str(target / f"{name}.png"))

    def login(self, user):
        self.open(self.portal.absolute_url() + "/login")
        self.driver.find_element(By.ID, "__ac_name").send_keys(user)
        self.driver.find_element(By.ID, "__ac_password").send_keys(user)
        self.driver.find_element(
            By.CSS_SELECTOR,
            "#login-form button[type=submit], #login-form input[type=submit]",
        ).click()
        self.wait.until(
            lambda d: "login" not in d.current_url or "logged" in d.current_url
        )

    def fill_form(self, anonymous=True, photo=True, pin=False):
        d = self.driver
        self.open(self.folder.absolute_url() + "/@@segnala")
        self.check_axe("form")
        # Checked in the browser first: nothing is sent without the notice read.
        self.click(d.find_element(By.ID, "civicreport-next"))
        self.assertTrue(
            d.find_element(
                By.ID, "civicreport-privacy-consent-browser-error"
            ).is_displayed()
        )
        self.click(d.find_element(By.ID, "civicreport-privacy-consent"))
        self.click_next("data")
        Select(d.find_element(By.ID, "civicreport-category")).select_by_value(
            "roads" if anonymous else "complaint"
        )
        d.find_element(By.ID, "civicreport-address").send_keys("Via Roma 12")
        if pin:
            # A click in the middle of the map drops the pin there.
            self.click(d.find_element(By.ID, "civicreport-form-map"))
            self.assertTrue(
                d.find_element(By.ID, "civicreport-latitude").get_attribute("value")
            )
        d.find_element(By.ID, "civicreport-title").send_keys("Buca davanti alla scuola")
        d.find_element(By.ID, "civicreport-description").send_keys(
            "Una buca larga mezzo metro."
        )
        # Only the chosen category's extra questions are shown, and sent.
        roads = d.find_element(By.ID, "civicreport-questions-roads")
        waste = d.find_element(By.ID, "civicreport-questions-waste")
        self.assertEqual(roads.is_displayed(), anonymous)
        self.assertFalse(waste.is_displayed())
        if anonymous:
            Select(
                d.find_element(By.ID, "civicreport-answers-roads-dimensione")
            ).select_by_value("media")
            self.screenshot("form-questions", roads)
        if photo:
            d.find_element(By.ID, "civicreport-images").send_keys(photo_file())
        if anonymous:
            d.find_element(By.ID, "civicreport-reporter-fullname").send_keys(
                "Mario Rossi"
            )
            d.find_element(By.ID, "civicreport-reporter-email").send_keys(
                "mario.rossi@example.org"
            )
        self.check_axe("form, report details")
        self.click_next("summary")
        summary = d.find_element(By.ID, "civicreport-step-summary").text
        self.assertIn("Buca davanti alla scuola", summary)
        if anonymous:
            self.assertIn("Quanto è grande la buca?", summary)
            self.assertIn("Da 30 cm a 1 m", summary)
            self.assertIn("mario.rossi@example.org", summary)
        self.check_axe("form, summary")
        self.screenshot("form-review")
        self.click(d.find_element(By.ID, "civicreport-send"))
        self.wait.until(EC.presence_of_element_located((By.ID, "civicreport-thanks")))
        self.check_axe("confirmation")
        return d.find_element(By.CSS_SELECTOR, ".civicreport-new-number").text


class CitizenJourneyTest(BrowserCase):
    def test_from_the_form_to_the_map(self):
        d = self.driver
        number = self.fill_form(pin=True)
        self.assertRegex(number, r"^\d{4}-\d{6}$")
        # The confirmation mail, through real SMTP, with the private link.
        mails = [
            m
            for m in self.sink.messages()
            if m["X-Envelope-To"] == "mario.rossi@example.org"
        ]
        self.assertEqual(len(mails), 1)
        self.assertIn(number, mails[0]["Subject"])
        token = re.search(r"t=([\w-]+)", d.current_url).group(1)
        self.assertIn(token, mails[0].get_payload(decode=True).decode())

        transaction.begin()
        report = self.folder[number]
        self.assertEqual(report.objectIds(), ["photo-1.jpg"])
        self.assertEqual([a["value"] for a in report.answers], ["media"])
        response = requests.post(
            report.absolute_url() + "/@workflow/approve",
            json={},
            auth=("moderator", "moderator"),
            headers={"Accept": "application/json"},
            timeout=60,
        )
        self.assertEqual(response.status_code, 200)

        # The list and the map of the archive.
        self.open(self.folder.absolute_url())
        self.assertIn(
            number, d.find_element(By.CSS_SELECTOR, "table.civicreports-list").text
        )
        try:
            self.wait.until(
                lambda d: (
                    d.find_element(By.ID, "civicreports-map").get_attribute(
                        "data-loaded"
                    )
                    == "1"
                )
            )
        except Exception:
            raise AssertionError(
                (
                    d.find_element(By.ID, "civicreports-map").get_attribute(
                        "data-loaded"
                    ),
                    d.find_element(By.ID, "civicreports-map-status").text,
                    [
                        e
                        for e in d.get_log("browser")
                        if "127.0.0.1:9" not in e["message"]
                    ],
                )
            ) from None
        markers = d.find_elements(
            By.CSS_SELECTOR,
            "#civicreports-map path.leaflet-interactive, #civicreports-map .marker-cluster",
        )
        self.assertEqual(len(markers), 1)
        self.check_axe("archive (list and map)")
        self.screenshot("map", d.find_element(By.ID, "civicreports-map-title"))

        # The report's own page.
        self.open(report.absolute_url())
        self.assertEqual(
            d.find_element(By.CSS_SELECTOR, ".civicreport-number").text, number
        )
        states = [
            e.text
            for e in d.find_elements(By.CSS_SELECTOR, ".civicreport-timeline li span")
        ]
        self.assertEqual(states, ["Submitted", "Approved"])
        self.assertTrue(
            d.find_elements(By.CSS_SELECTOR, ".civicreport-map-small.leaflet-container")
        )
        self.assertNotIn("mario.rossi", d.page_source.lower())
        self.check_axe("report page")
        self.screenshot("report")

    def test_logged_in_citizen_and_my_reports(self):
        d = self.driver
        self.login("citizen")
        self.open(self.folder.absolute_url() + "/@@segnala")
        self.click(d.find_element(By.ID, "civicreport-privacy-consent"))
        self.click_next("data")
        self.assertEqual(
            d.find_element(By.ID, "civicreport-reporter-email").get_attribute("value"),
            "carla.cittadina@example.org",
        )
        number = self.fill_form(anonymous=False, photo=False)
        self.open(self.portal.absolute_url() + "/@@my-reports")
        self.assertIn(number, d.find_element(By.ID, "content-core").text)
        self.check_axe("my reports")

    def test_an_anonymous_draft_stays_in_the_browser(self):
        d = self.driver
        self.open(self.folder.absolute_url() + "/@@segnala")
        self.click(d.find_element(By.ID, "civicreport-privacy-consent"))
        self.click_next("data")
        d.find_element(By.ID, "civicreport-title").send_keys("Rami sulla strada")
        d.find_element(By.ID, "civicreport-address").send_keys("Via Sassari 4")
        self.click(
            d.find_element(
                By.XPATH, "//button[normalize-space()='Save the draft in this browser']"
            )
        )
        self.assertIn(
            "saved in this browser",
            d.find_element(By.ID, "civicreport-browser-draft").text,
        )
        # The tab is closed; later the citizen comes back to the form.
        self.open(self.folder.absolute_url() + "/@@segnala")
        notice = d.find_element(By.ID, "civicreport-browser-draft")
        self.assertIn("saved in this browser", notice.text)
        self.check_axe("form, draft found")
        self.click(notice.find_element(By.XPATH, ".//button[1]"))
        self.wait.until(
            EC.presence_of_element_located((By.ID, "civicreport-step-data"))
        )
        self.assertEqual(
            d.find_element(By.ID, "civicreport-title").get_attribute("value"),
            "Rami sulla strada",
        )
        self.assertEqual(
            d.find_element(By.ID, "civicreport-address").get_attribute("value"),
            "Via Sassari 4",
        )
        d.execute_script("window.localStorage.clear()")
        # The server kept nothing of it.
        transaction.begin()
        from collective.civicreports.reports import drafts

        self.assertIsNone(drafts._store(self.folder))

    def test_the_map_is_not_needed(self):
        # A keyboard user never touches the map: the address is enough (the
        # journey above) and the coordinates can be typed.
        d = self.driver
        self.open(self.folder.absolute_url() + "/@@segnala")
        self.click(d.find_element(By.ID, "civicreport-privacy-consent"))
        self.click_next("data")
        self.assertTrue(
            d.find_element(By.ID, "civicreport-form-map").get_attribute("aria-hidden")
        )
        # The address search fails (no geocoder): the citizen is told so.
        d.find_element(By.ID, "civicreport-address").send_keys("Via Roma 12")
        d.find_element(By.CSS_SELECTOR, ".civicreport-search-address").click()
        self.wait.until(
            lambda d: d.find_element(By.CSS_SELECTOR, ".civicreport-map-message").text
        )
        self.assertIn(
            "not available",
            d.find_element(By.CSS_SELECTOR, ".civicreport-map-message").text,
        )
        # A click on the map sets the coordinates.
        self.click(d.find_element(By.ID, "civicreport-form-map"))
        self.assertTrue(
            d.find_element(By.ID, "civicreport-latitude").get_attribute("value")
        )


class PhoneTest(BrowserCase):
    width, height = 390, 844

    def test_form_on_a_phone(self):
        d = self.driver
        self.open(self.folder.absolute_url() + "/@@segnala")
        width = d.execute_script("return document.documentElement.scrollWidth")
        self.assertLessEqual(width, 390 + 1)
        self.screenshot("form-phone")
        number = self.fill_form()
        self.assertRegex(number, r"^\d{4}-\d{6}$")
        self.assertLessEqual(
            d.execute_script("return document.documentElement.scrollWidth"), 391
        )


class StaffBulkTest(BrowserCase):
    """A storm's worth of work from the queue alone: every report of the
    page ticked at once, approved and assigned in one step, then the
    office's list; axe-core on both, and no horizontal scrolling."""

    def test_bulk_from_the_queue(self):
        from collective.civicreports.tests.base import login_as
        from collective.civicreports.tests.base import submit

        d = self.driver
        login_as(self.portal, "admin")
        clean = [
            submit(self.portal, title=f"Albero caduto {n}", images=[]) for n in range(3)
        ]
        held = submit(
            self.portal, title="Albero caduto", description="Chiamate il 347 000 1122."
        )
        transaction.commit()
        self.login("moderator")
        self.open(self.folder.absolute_url() + "/@@moderation")
        self.check_axe("moderation queue with bulk actions")
        self.no_horizontal_scrolling()
        self.click(d.find_element(By.ID, "civicreports-tick-all"))
        ticked = d.find_elements(By.CSS_SELECTOR, "input[name='numbers:list']:checked")
        self.assertEqual(len(ticked), 4)
        Select(d.find_element(By.ID, "bulk-office")).select_by_value("office-roads")
        button = d.find_element(By.NAME, "form.buttons.assign")
        self.click(button)
        self.wait.until(EC.staleness_of(button))
        transaction.begin()
        self.assertEqual([api.content.get_state(r) for r in clean], ["assigned"] * 3)
        self.assertEqual(api.content.get_state(held), "submitted")
        self.assertIn(
            held.tracking_number, d.find_element(By.ID, "global_statusmessage").text
        )
        self.check_axe("moderation queue after bulk actions")

        d.delete_all_cookies()
        self.login("roads")
        self.open(self.portal.absolute_url() + "/@@my-office")
        numbers = {
            cell.text
            for cell in d.find_elements(By.CSS_SELECTOR, "td.civicreports-number")
        }
        self.assertEqual(numbers, {r.tracking_number for r in clean})
        self.check_axe("office list with filters")
        self.no_horizontal_scrolling()


class StaffBulkOnAPhoneTest(StaffBulkTest):
    width, height = 390, 844


class StaffPagesTest(BrowserCase):
    """The moderation page and the handling page with what the staff need
    (map, contacts, history), and an answer from a template, closed with
    its resolution: axe-core, no horizontal scrolling."""

    def test_moderate_then_handle_with_a_template(self):
        from collective.civicreports.tests.base import login_as
        from collective.civicreports.tests.base import report_in
        from collective.civicreports.tests.base import run_as
        from collective.civicreports.tests.base import submit

        d = self.driver
        login_as(self.portal, "admin")
        waiting = submit(self.portal, title="Lampione spento")
        report = report_in(self.portal, "approved", title="Buca profonda")
        run_as(self.portal, "moderator", "assign", report, "Con il cono")
        transaction.commit()
        self.login("moderator")
        self.open(waiting.absolute_url() + "/@@moderate")
        self.check_axe("moderation of a report, with its place and history")
        self.no_horizontal_scrolling()

        d.delete_all_cookies()
        self.login("roads")
        self.open(report.absolute_url() + "/@@handle")
        self.check_axe("handling of a report, with templates and resolutions")
        self.no_horizontal_scrolling()
        Select(d.find_element(By.ID, "civicreport-answer-template")).select_by_index(1)
        answer = d.find_element(By.ID, "civicreport-answer").get_attribute("value")
        self.assertIn(report.tracking_number, answer)
        Select(d.find_element(By.ID, "civicreport-resolution")).select_by_value("fixed")
        close = d.find_element(By.NAME, "form.buttons.close")
        self.click(close)
        self.wait.until(EC.staleness_of(close))
        transaction.begin()
        self.assertEqual(api.content.get_state(report), "closed")
        self.assertEqual(report.resolution, "fixed")
        self.assertEqual(report.answer, answer)


class StaffPagesOnAPhoneTest(StaffPagesTest):
    width, height = 390, 844


@atexit.register
def _quit_browsers():
    for driver in DRIVERS.values():
        driver.quit()
    DRIVERS.clear()


class StaffJourneyTest(BrowserCase):
    """The moderation queue and the office dashboard, in the browser."""

    def test_moderator_and_office(self):
        from collective.civicreports.tests.base import login_as
        from collective.civicreports.tests.base import PERSONAL
        from collective.civicreports.tests.base import submit

        d = self.driver
        login_as(self.portal, "admin")
        report = submit(
            self.portal,
            title="Buca in via Roma",
            description=f"Sono {PERSONAL['fullname']}, telefono 347 000 1122.",
        )
        transaction.commit()
        self.login("moderator")
        self.open(self.folder.absolute_url() + "/@@moderation")
        self.check_axe("moderation queue")
        self.click(
            d.find_element(
                By.CSS_SELECTOR, f"a[href='{report.absolute_url()}/@@moderate']"
            )
        )
        self.wait.until(EC.presence_of_element_located((By.ID, "civicreport-findings")))
        self.check_axe("moderation of a report")
        for button in d.find_elements(By.CSS_SELECTOR, ".civicreport-omissis"):
            self.click(button)
        description = d.find_element(
            By.ID, "civicreport-moderate-description"
        ).get_attribute("value")
        self.assertNotIn("347 000 1122", description)
        self.assertNotIn(PERSONAL["fullname"], description)
        self.click(d.find_element(By.NAME, "form.buttons.approve"))
        self.wait.until(lambda d: "@@moderation" in d.current_url)
        assign = d.find_element(
            By.CSS_SELECTOR, "form.civicreport-assign button[type=submit]"
        )
        self.click(assign)
        self.wait.until(EC.staleness_of(assign))
        transaction.begin()
        self.assertEqual(api.content.get_state(report), "assigned")
        self.assertIn("[omissis]", report.description)

        d.delete_all_cookies()
        self.login("roads")
        self.open(self.portal.absolute_url() + "/@@my-office")
        self.check_axe("office dashboard")
        self.click(
            d.find_element(
                By.CSS_SELECTOR, f"a[href='{report.absolute_url()}/@@handle']"
            )
        )
        self.wait.until(EC.presence_of_element_located((By.ID, "civicreport-answer")))
        self.check_axe("handling of a report")
        d.find_element(By.ID, "civicreport-answer").send_keys("Buca riparata.")
        close = d.find_element(By.NAME, "form.buttons.close")
        self.click(close)
        self.wait.until(EC.staleness_of(close))
        transaction.begin()
        self.assertEqual(api.content.get_state(report), "closed")
        self.assertEqual(report.answer, "Buca riparata.")

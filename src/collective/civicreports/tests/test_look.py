"""The citizens' pages under both looks: Barceloneta (the default) and the
optional Bootstrap Italia profile (``collective.civicreports:bootstrap_italia``).

In headless Chromium at 1280 and 390 px, the form, the archive and a
public report page have no serious or critical WCAG 2.1 AA violation
(axe-core), and at 390 px none scrolls sideways. The theme is on, as on
``make start``'s site (Plone leaves 127.0.0.1 unthemed by default); map
tiles and geocoder point at a closed port."""

from collective.civicreports.delivery.responses import MIN_COMPRESSED
from collective.civicreports.security import ratelimit
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import report_in
from collective.civicreports.tests.chromium import axe_violations
from collective.civicreports.tests.chromium import start_chromium
from plone import api
from plone.app.testing import applyProfile
from selenium.webdriver.support.ui import WebDriverWait

import atexit
import re
import requests
import transaction
import unittest


WIDTHS = ((1280, 900), (390, 844))
DRIVERS = {}
BOOTSTRAP_ITALIA_CSS = "vendor/bootstrap-italia/css/bootstrap-italia.min.css"


def driver_for(size):
    # One browser per window size for the module: starting it is slow.
    if size not in DRIVERS:
        DRIVERS[size] = start_chromium(*size)
    return DRIVERS[size]


@atexit.register
def _quit_browsers():
    for driver in DRIVERS.values():
        driver.quit()
    DRIVERS.clear()


class LookCase(unittest.TestCase):
    layer = SERVER_TESTING
    profile = None

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        ratelimit.reset()
        login_as(self.portal, "admin")
        if self.profile:
            applyProfile(self.portal, self.profile)
        for name, value in (
            ("collective.civicreports.tile_url", "http://127.0.0.1:9/{z}/{x}/{y}.png"),
            ("collective.civicreports.geocoder_url", "http://127.0.0.1:9/search"),
            ("plone.app.theming.interfaces.IThemeSettings.hostnameBlacklist", []),
        ):
            api.portal.set_registry_record(name, value)
        self.report = report_in(self.portal)
        transaction.commit()
        self.pages = {
            "form": self.folder.absolute_url() + "/@@segnala",
            "archive": self.folder.absolute_url(),
            "report page": self.report.absolute_url(),
        }

    def open(self, driver, url):
        driver.delete_all_cookies()
        driver.get(url)
        WebDriverWait(driver, 30).until(
            lambda d: d.execute_script(
                "return document.readyState === 'complete' && "
                "document.fonts.status === 'loaded'"
            )
        )

    def stylesheets(self, driver):
        return driver.execute_script(
            "return Array.from(document.querySelectorAll('link[rel=stylesheet]'))"
            ".map(function (l) { return l.href; });"
        )

    def check_pages(self):
        """Every page at every width: the look's own checks, axe-core and
        the width; all the failures at once."""
        failures = []
        for size in WIDTHS:
            driver = driver_for(size)
            for page, url in self.pages.items():
                self.open(driver, url)
                where = f"{page} at {size[0]} px"
                self.check_look(driver, where)
                violations = axe_violations(driver)
                print(
                    f"\naxe-core WCAG 2.1 AA, {self.__class__.__name__}, {where}: "
                    f"{len(violations)} serious or critical"
                )
                if violations:
                    failures.append((where, "axe", violations))
                scroll = driver.execute_script(
                    "return document.documentElement.scrollWidth"
                )
                if size[0] < 500 and scroll > size[0] + 1:
                    failures.append((where, "scrolls sideways", scroll))
        self.assertEqual(failures, [])


class BarcelonetaLookTest(LookCase):
    def check_look(self, driver, where):
        sheets = self.stylesheets(driver)
        self.assertTrue(any("barceloneta" in href for href in sheets), (where, sheets))
        self.assertFalse(
            any(BOOTSTRAP_ITALIA_CSS in href for href in sheets), (where, sheets)
        )

    def test_pages(self):
        self.check_pages()


class BootstrapItaliaLookTest(LookCase):
    profile = "collective.civicreports:bootstrap_italia"

    def check_look(self, driver, where):
        sheets = self.stylesheets(driver)
        self.assertTrue(
            any(BOOTSTRAP_ITALIA_CSS in href for href in sheets), (where, sheets)
        )
        # After the theme: Bootstrap Italia's rules win over Barceloneta's.
        theme = [i for i, href in enumerate(sheets) if "barceloneta" in href]
        italia = [i for i, href in enumerate(sheets) if BOOTSTRAP_ITALIA_CSS in href]
        self.assertLess(max(theme), min(italia), (where, sheets))
        family = driver.execute_script(
            "return getComputedStyle(document.body).fontFamily"
        )
        self.assertTrue(family.startswith('"Titillium Web"'), (where, family))
        # The font is served by the site, not fetched from elsewhere.
        self.assertTrue(
            driver.execute_script(
                "return document.fonts.check('16px \"Titillium Web\"') && "
                "Array.from(document.fonts).some(function (f) {"
                " return f.family.indexOf('Titillium Web') !== -1"
                " && f.status === 'loaded'; })"
            ),
            where,
        )

    def test_pages(self):
        self.check_pages()

    def test_files_are_served(self):
        static = self.portal.absolute_url() + "/++resource++collective.civicreports/"
        for path in (
            BOOTSTRAP_ITALIA_CSS,
            "vendor/bootstrap-italia/fonts/titillium-web-v10-latin-ext_latin-regular.woff2",
            "civicreports-bootstrap-italia.css",
        ):
            answer = requests.get(static + path, timeout=30)
            self.assertEqual(answer.status_code, 200, path)
            self.assertGreater(len(answer.content), 1000, path)


class DeliveryTest(unittest.TestCase):
    """delivery/responses.py: the pages' CSS and JavaScript compressed, the
    content-addressed ones cached for a year; HTML as it was (BREACH)."""

    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        api.portal.set_registry_record(
            "plone.app.theming.interfaces.IThemeSettings.hostnameBlacklist", []
        )
        transaction.commit()

    def get(self, url, encoding="gzip, deflate, br"):
        return requests.get(url, headers={"Accept-Encoding": encoding}, timeout=60)

    def test_stylesheets_and_scripts(self):
        page = self.get(self.portal["segnalazioni"].absolute_url())
        self.assertEqual(page.status_code, 200)
        self.assertIsNone(page.headers.get("Content-Encoding"))
        found = re.findall(r'(?:href|src)="([^"]+\+\+webresource\+\+[^"]+)"', page.text)
        self.assertTrue(found, "Plone's bundles are linked")
        compressed = 0
        for url in found:
            answer = self.get(url)
            self.assertEqual(answer.status_code, 200, url)
            small = len(answer.content) < MIN_COMPRESSED
            self.assertEqual(
                answer.headers.get("Content-Encoding"), None if small else "gzip", url
            )
            compressed += not small
            if not small:
                self.assertIn("Accept-Encoding", answer.headers.get("Vary", ""), url)
            self.assertEqual(
                answer.headers.get("Cache-Control"),
                "public, max-age=31536000, immutable",
                url,
            )
            # requests decodes it: the file is whole.
            plain = self.get(url, encoding="identity")
            self.assertIsNone(plain.headers.get("Content-Encoding"), url)
            self.assertEqual(answer.content, plain.content, url)
        self.assertGreater(compressed, 0)
        leaflet = self.get(
            self.portal.absolute_url()
            + "/++resource++collective.civicreports/vendor/leaflet/leaflet.js"
        )
        self.assertEqual(leaflet.headers.get("Content-Encoding"), "gzip")
        self.assertNotIn("immutable", leaflet.headers.get("Cache-Control", ""))

"""The ways in to the service from the rest of the site, over real HTTP:
the folder in the navigation and the site maps (its private reports not),
the footer's "Segnala disservizio" link (AgID C.SI.2.4), the home page's
portlet, and the folder's landing page as the model's service card."""

from collective.civicreports.portlets.reports import assign_on_home
from collective.civicreports.setuphandlers import show_in_navigation
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import run_as
from collective.civicreports.tests.base import submit
from lxml import html
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD

import gzip
import re
import requests
import transaction
import unittest


# What the AgID validator reads on a service page (pa-website-validator,
# storage/municipality/contentTypeItems.ts), in the model's order.
INDEX = [
    "A chi è rivolto",
    "Come fare",
    "Cosa serve",
    "Cosa si ottiene",
    "Tempi e scadenze",
    "Costi",
    "Accedi al servizio",
    "Condizioni di servizio",
    "Contatti",
]
TEXT_ELEMENTS = (
    "service-addressed",
    "service-how-to",
    "service-needed",
    "service-achieved",
    "service-calendar-text",
    "service-area",
)


def italian(portal):
    api.portal.set_registry_record("plone.available_languages", ["it", "en"])
    api.portal.set_registry_record("plone.default_language", "it")


class WayInTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        login_as(self.portal, "admin")
        self.public = submit(self.portal, title="Lampione spento in piazza")
        run_as(self.portal, "moderator", "approve", self.public)
        self.private = submit(self.portal, title="Segnalazione Riservatissima Ofelia")
        italian(self.portal)
        # As if made on the Italian site.
        self.folder.reindexObject()
        transaction.commit()

    def get(self, path="", **kwargs):
        url = self.portal.absolute_url() + path
        response = requests.get(url, timeout=60, **kwargs)
        self.assertEqual(response.status_code, 200, url)
        return response

    def page(self, path="", **kwargs):
        return html.fromstring(self.get(path, **kwargs).text)

    def test_install_puts_the_folder_in_the_navigation(self):
        displayed = api.portal.get_registry_record("plone.displayed_types")
        self.assertIn("ReportFolder", displayed)
        self.assertNotIn("Report", displayed)
        # Idempotent: a second run (the demo's) changes nothing.
        show_in_navigation()
        self.assertEqual(
            api.portal.get_registry_record("plone.displayed_types"), displayed
        )
        nav = self.page().xpath("//*[@id='portal-globalnav']//a/@href")
        self.assertIn(self.folder.absolute_url(), nav)

    def test_sitemaps(self):
        sitemap = self.get("/@@sitemap").text
        self.assertIn(self.folder.absolute_url(), sitemap)
        self.assertNotIn(self.private.absolute_url(), sitemap)
        self.assertNotIn("Ofelia", sitemap)
        api.portal.set_registry_record("plone.enable_sitemap", True)
        transaction.commit()
        index = gzip.decompress(self.get("/sitemap.xml.gz").content).decode()
        pages = re.findall(r"<loc>([^<]+)</loc>", index)
        self.assertTrue(pages)
        body = "".join(
            gzip.decompress(requests.get(page, timeout=60).content).decode()
            for page in pages[:10]
        )
        self.assertIn(f"<loc>{self.folder.absolute_url()}</loc>", body)
        self.assertNotIn(self.private.absolute_url(), body)
        # The public report is public anyway.
        self.assertIn(self.public.absolute_url(), body)

    def test_search_shows_no_private_report(self):
        found = self.get("/@@search", params={"SearchableText": "Ofelia"}).text
        self.assertNotIn(self.private.absolute_url(), found)
        self.assertNotIn("Riservatissima", found)
        found = self.get("/@@search", params={"SearchableText": "Lampione"}).text
        self.assertIn(self.public.absolute_url(), found)

    def footer_link(self, path):
        links = self.page(path).xpath(
            "//footer//*[@data-element='report-inefficiency']"
        )
        self.assertEqual(len(links), 1, path)
        return links[0]

    def test_footer_link_on_every_page(self):
        for path in ("", "/segnalazioni", "/segnalazioni/@@segnala", "/@@search"):
            link = self.footer_link(path)
            self.assertEqual(link.tag, "a")
            self.assertEqual(link.text_content().strip(), "Segnala disservizio")
            self.assertEqual(
                link.get("href"), self.folder.absolute_url() + "/@@segnala"
            )
        self.assertEqual(requests.get(link.get("href"), timeout=60).status_code, 200)

    def test_footer_link_without_a_folder_to_see(self):
        run_as(self.portal, "admin", "retract", self.folder)
        transaction.commit()
        self.assertEqual(
            self.page().xpath("//*[@data-element='report-inefficiency']"), []
        )

    def test_home_page_portlet(self):
        assign_on_home(self.portal, count=3)
        # Once, however many times the demo runs.
        assign_on_home(self.portal, count=3)
        transaction.commit()
        page = self.page()
        portlets = page.xpath("//section[contains(@class,'civicreports-portlet')]")
        self.assertEqual(len(portlets), 1)
        portlet = portlets[0]
        self.assertEqual(
            portlet.xpath(".//h2")[0].text_content().strip(), "Segnala un disservizio"
        )
        self.assertIn(
            self.folder.absolute_url() + "/@@segnala", portlet.xpath(".//a/@href")
        )
        listed = portlet.xpath(".//ul[contains(@class,'portlet-list')]//a/@href")
        self.assertEqual(listed, [self.public.absolute_url()])
        self.assertNotIn("Ofelia", html.tostring(portlet, encoding=str))
        feed = portlet.xpath(".//div[@data-geojson]/@data-geojson")[0]
        self.assertTrue(
            feed.startswith(self.folder.absolute_url() + "/@reports-geojson")
        )
        geojson = requests.get(
            feed, headers={"Accept": "application/json"}, timeout=60
        ).json()
        urls = [f["properties"].get("url") for f in geojson["features"]]
        self.assertIn(self.public.absolute_url(), urls)

    def test_the_portlet_lists_the_latest(self):
        for number in range(3):
            report = submit(self.portal, title=f"Buca numero {number}")
            run_as(self.portal, "moderator", "approve", report)
        assign_on_home(self.portal, count=2)
        transaction.commit()
        titles = self.page().xpath(
            "//ul[contains(@class,'civicreports-portlet-list')]//a/text()"
        )
        self.assertEqual(titles, ["Buca numero 2", "Buca numero 1"])

    def test_service_card(self):
        page = self.page("/segnalazioni")
        self.assertEqual(
            page.xpath("//h1[@data-element='service-title']")[0].text.strip(),
            "Segnalazioni",
        )
        self.assertGreater(
            len(page.xpath("string(//*[@data-element='service-description'])")), 3
        )
        self.assertTrue(page.xpath("//*[@data-element='service-status']"))
        index = [
            a.text_content().strip()
            for a in page.xpath("//*[@data-element='page-index']/li/a")
        ]
        self.assertEqual(index[: len(INDEX)], INDEX)
        for element in TEXT_ELEMENTS:
            text = page.xpath(f"string(//*[@data-element='{element}'])").strip()
            self.assertGreaterEqual(len(text), 3, element)
        access = page.xpath("//*[@data-element='service-online-access']")[0]
        self.assertEqual(access.get("href"), self.folder.absolute_url() + "/@@segnala")
        self.assertTrue(page.xpath("//*[@data-element='service-file']"))
        # Every entry of the index leads to its section.
        for href in page.xpath("//*[@data-element='page-index']/li/a/@href"):
            self.assertTrue(page.xpath(f"//*[@id='{href[1:]}']"), href)
        # The archive stays on the page, below the card.
        self.assertIn("Lampione spento in piazza", html.tostring(page, encoding=str))

    def test_the_administrators_edit_the_card(self):
        self.folder.how_to = "Primo passo.\n\n- uno\n- due"
        self.folder.topics = ["Ambiente", "Urbanizzazione"]
        self.folder.service_active = False
        transaction.commit()
        page = self.page("/segnalazioni")
        how_to = page.xpath("//*[@data-element='service-how-to']")[0]
        self.assertEqual(how_to.xpath("./p/text()"), ["Primo passo."])
        self.assertEqual(how_to.xpath("./ul/li/text()"), ["uno", "due"])
        topics = page.xpath("//*[@data-element='service-topic']/text()")
        self.assertEqual(topics, ["Ambiente", "Urbanizzazione"])
        self.assertEqual(
            page.xpath("string(//*[@data-element='service-status'])").strip(),
            "Servizio non attivo",
        )
        self.assertEqual(page.xpath("//*[@data-element='service-online-access']"), [])

    def test_the_card_on_the_edit_form(self):
        session = requests.Session()
        session.auth = (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        page = html.fromstring(
            session.get(self.folder.absolute_url() + "/edit", timeout=60).text
        )
        names = set(page.xpath("//form//textarea/@name"))
        for field in ("audience", "how_to", "needed", "outcome", "timing", "costs"):
            self.assertIn(f"form.widgets.{field}", names)
        # The defaults are in the site's language, ready to be rewritten.
        text = page.xpath("//textarea[@name='form.widgets.costs']/text()")[0]
        self.assertEqual(text.strip(), "Il servizio è gratuito.")

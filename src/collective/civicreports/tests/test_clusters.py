"""Possible duplicates among the waiting reports, grouped and merged in one
step, over real HTTP and in Chromium."""

from collective.civicreports.reports import engagement
from collective.civicreports.reports.clusters import clusters
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import submit
from collective.civicreports.tests.test_browser import BrowserCase
from lxml import html
from plone import api
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

import requests
import transaction
import unittest


# About 11 m of latitude apart: a crowd around one fallen tree.
STEP = 0.0001


def storm(portal, count, category="roads", latitude=39.22, longitude=9.11):
    return [
        submit(
            portal,
            title=f"Albero caduto in via Roma {n}",
            description="Un albero blocca la strada.",
            category=category,
            latitude=latitude + n * STEP,
            longitude=longitude,
            images=[],
            reporter=dict(PERSONAL, email=f"storm{n}@example.org"),
        )
        for n in range(count)
    ]


class ClustersTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        login_as(self.portal, "admin")
        self.tree = storm(self.portal, 20)
        # The same place, another category; another place, same category.
        self.waste = storm(self.portal, 2, category="waste")
        self.elsewhere = storm(self.portal, 2, latitude=39.23)
        # No place at all: never in a group, never in the way.
        submit(
            self.portal,
            title="Informazioni",
            latitude=None,
            longitude=None,
            address="",
            images=[],
            category="info",
        )
        transaction.commit()
        self.moderator = requests.Session()
        self.moderator.auth = ("moderator", "moderator")
        self.url = self.folder.absolute_url() + "/@@moderation-clusters"

    def test_groups_by_category_place_and_time(self):
        found = {tuple(c.numbers) for c in clusters(self.folder)}
        self.assertEqual(
            found,
            {
                tuple(r.tracking_number for r in self.tree),
                tuple(r.tracking_number for r in self.waste),
                tuple(r.tracking_number for r in self.elsewhere),
            },
        )
        self.assertEqual(clusters(self.folder, metres=5), [])
        self.assertEqual(clusters(self.folder, hours=0), [])

    def test_the_queue_says_how_many_groups(self):
        page = html.fromstring(
            self.moderator.get(
                self.folder.absolute_url() + "/@@moderation", timeout=60
            ).text
        )
        self.assertEqual(
            page.xpath(
                "//p[contains(@class, 'civicreports-duplicate-groups')]/a/@href"
            ),
            [self.url],
        )

    def test_merge_twenty_into_one_in_one_step(self):
        page = html.fromstring(self.moderator.get(self.url, timeout=60).text)
        (form,) = [
            f
            for f in page.xpath(
                "//section[contains(@class, 'civicreports-cluster')]//form"
            )
            if len(f.xpath(".//input[@name='numbers:list']")) == 20
        ]
        kept = self.tree[5]
        data = {
            "_authenticator": form.xpath(".//input[@name='_authenticator']/@value")[0],
            "came_from": "clusters",
            "numbers:list": form.xpath(".//input[@name='numbers:list']/@value"),
            "duplicate_of": kept.tracking_number,
            "form.buttons.duplicate": "1",
        }
        response = self.moderator.post(
            self.folder.absolute_url() + "/@@moderation-bulk", data=data, timeout=60
        )
        transaction.begin()
        self.assertTrue(response.url.endswith("/@@moderation-clusters"))
        self.assertEqual(api.content.get_state(kept), "approved")
        others = [r for r in self.tree if r is not kept]
        self.assertEqual({api.content.get_state(r) for r in others}, {"closed"})
        self.assertEqual(
            sorted(engagement.follower_emails(kept)),
            sorted(f"storm{n}@example.org" for n in range(20) if n != 5),
        )
        self.assertNotIn(
            tuple(r.tracking_number for r in self.tree),
            {tuple(c.numbers) for c in clusters(self.folder)},
        )

    def test_for_moderators_only(self):
        for auth in (None, ("roads", "roads"), ("citizen", "citizen")):
            session = requests.Session()
            session.auth = auth
            response = session.get(self.url, timeout=60)
            self.assertNotIn(self.tree[0].tracking_number, response.text)


class ClustersInTheBrowserTest(BrowserCase):
    def test_the_page_of_the_groups(self):
        d = self.driver
        login_as(self.portal, "admin")
        tree = storm(self.portal, 3)
        transaction.commit()
        self.login("moderator")
        self.open(self.folder.absolute_url() + "/@@moderation-clusters")
        self.wait.until(
            EC.presence_of_element_located(
                (By.CSS_SELECTOR, ".civicreport-map-points .leaflet-overlay-pane path")
            )
        )
        self.check_axe("possible duplicates")
        self.no_horizontal_scrolling()
        button = d.find_element(By.NAME, "form.buttons.duplicate")
        self.click(button)
        self.wait.until(EC.staleness_of(button))
        transaction.begin()
        self.assertEqual(api.content.get_state(tree[0]), "approved")
        self.assertEqual({api.content.get_state(r) for r in tree[1:]}, {"closed"})


class ClustersOnAPhoneTest(ClustersInTheBrowserTest):
    width, height = 390, 844

"""The public archive, a report's page, the reporter's private page, follow
and support, the feed and "my reports", over real HTTP."""

from collective.civicreports.reports.engagement import follower_emails
from collective.civicreports.reports.engagement import private_url
from collective.civicreports.reports.engagement import support_count
from collective.civicreports.reports.moderation import set_photo_published
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import body
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import run_as
from collective.civicreports.tests.base import submit
from lxml import html
from plone import api

import re
import requests
import transaction
import unittest
import xml.etree.ElementTree as ET


class PublicPagesTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        login_as(self.portal, "admin")
        self.public = submit(self.portal, title="Buca pubblica", category="roads")
        run_as(self.portal, "moderator", "approve", self.public)
        set_photo_published(self.public["photo-1.jpg"], True)
        self.waste = submit(self.portal, title="Cassonetto pubblico", category="waste")
        for transition in ("approve", "assign"):
            run_as(self.portal, "moderator", transition, self.waste)
        self.private = submit(
            self.portal, user="citizen", title="Buca ancora in moderazione"
        )
        transaction.commit()
        self.session = requests.Session()

    def get(self, url, **params):
        response = self.session.get(url, params=params, timeout=60)
        transaction.begin()
        return response

    def test_archive_lists_only_public_reports(self):
        page = self.get(self.folder.absolute_url()).text
        self.assertIn("Buca pubblica", page)
        self.assertIn("Cassonetto pubblico", page)
        self.assertNotIn("Buca ancora in moderazione", page)

    def test_archive_filters(self):
        url = self.folder.absolute_url()
        self.assertNotIn("Buca pubblica", self.get(url, category="waste").text)
        self.assertIn("Cassonetto pubblico", self.get(url, category="waste").text)
        self.assertNotIn("Cassonetto pubblico", self.get(url, state="approved").text)
        self.assertIn("Cassonetto pubblico", self.get(url, text="Cassonetto").text)
        self.assertNotIn("Buca pubblica", self.get(url, text="Cassonetto").text)
        self.assertNotIn("Buca pubblica", self.get(url, start="2099-01-01").text)
        self.assertIn("Buca pubblica", self.get(url, kind="malfunction").text)
        self.assertNotIn("Buca pubblica", self.get(url, kind="information").text)

    def test_rss(self):
        response = self.get(
            self.folder.absolute_url() + "/@@reports-rss", category="roads"
        )
        self.assertTrue(
            response.headers["Content-Type"].startswith("application/rss+xml")
        )
        root = ET.fromstring(response.content)
        titles = [item.findtext("title") for item in root.iter("item")]
        self.assertEqual(titles, [f"{self.public.tracking_number} Buca pubblica"])
        item = next(root.iter("item"))
        self.assertEqual(item.findtext("link"), self.public.absolute_url())
        self.assertTrue(item.findtext("pubDate"))

    def test_report_page(self):
        page = html.fromstring(self.get(self.public.absolute_url()).text)
        self.assertEqual(
            page.xpath("//dd[contains(@class,'civicreport-number')]")[0].text,
            self.public.tracking_number,
        )
        steps = page.xpath("//ol[@class='civicreport-timeline']/li/span/text()")
        self.assertEqual(steps, ["Submitted", "Approved"])
        self.assertTrue(page.xpath("//div[contains(@class,'civicreport-map-small')]"))
        self.assertTrue(page.xpath("//img[contains(@src,'photo-1.jpg')]"))

    def test_private_page_of_a_report_in_moderation(self):
        url = private_url(self.private)
        self.assertNotIn(
            "Buca ancora in moderazione", self.get(self.private.absolute_url()).text
        )
        page = self.get(url).text
        self.assertIn("Buca ancora in moderazione", page)
        self.assertIn(self.private.tracking_number, page)
        self.assertEqual(self.get(url.replace("t=", "t=wrong")).status_code, 404)
        self.assertEqual(self.get(url.split("&t=")[0]).status_code, 404)

    def token(self, url):
        page = html.fromstring(self.session.get(url, timeout=60).text)
        return page.xpath("//input[@name='_authenticator']/@value")[0]

    def test_support_counts_once(self):
        url = self.public.absolute_url()
        for _ in range(2):
            self.session.post(
                url + "/@@support", data={"_authenticator": self.token(url)}, timeout=60
            )
        transaction.begin()
        self.assertEqual(support_count(self.public), 1)
        other = requests.Session()
        other.auth = ("citizen", "citizen")
        for _ in range(2):
            token = html.fromstring(other.get(url, timeout=60).text).xpath(
                "//input[@name='_authenticator']/@value"
            )[0]
            other.post(url + "/@@support", data={"_authenticator": token}, timeout=60)
        transaction.begin()
        self.assertEqual(support_count(self.public), 2)
        self.assertIn("Citizens supporting this report:", self.get(url).text)

    def test_follow_and_the_mail_at_each_step(self):
        url = self.public.absolute_url()
        sink = self.layer["mailsink"]
        sink.clear()
        for _attempt in range(2):
            self.session.post(
                url + "/@@follow",
                data={"_authenticator": self.token(url), "email": "vicino@example.org"},
                timeout=60,
            )
        transaction.begin()
        # Nobody follows with an address they cannot read: a link comes first,
        # once however many times it is asked for within the hour.
        self.assertEqual(follower_emails(self.public), [])
        asked = [
            m for m in sink.messages() if m["X-Envelope-To"] == "vicino@example.org"
        ]
        self.assertEqual(len(asked), 1)
        link = re.search(r"https?://\S+@@follow\?confirm=\S+", body(asked[0])).group()
        self.assertEqual(requests.get(link, timeout=60).status_code, 200)
        transaction.begin()
        self.assertEqual(follower_emails(self.public), ["vicino@example.org"])
        # A link works once.
        requests.get(link, timeout=60)
        transaction.begin()
        self.assertEqual(follower_emails(self.public), ["vicino@example.org"])
        sink.clear()
        response = requests.post(
            url + "/@workflow/assign",
            json={},
            auth=("moderator", "moderator"),
            headers={"Accept": "application/json"},
            timeout=60,
        )
        self.assertEqual(response.status_code, 200)
        to_follower = [
            m for m in sink.messages() if m["X-Envelope-To"] == "vicino@example.org"
        ]
        self.assertEqual(len(to_follower), 1)
        # A follower's address is nobody else's business.
        self.assertNotIn("vicino@example.org", self.get(url).text)

    def test_follow_needs_a_valid_address(self):
        url = self.public.absolute_url()
        self.session.post(
            url + "/@@follow",
            data={"_authenticator": self.token(url), "email": "x"},
            timeout=60,
        )
        transaction.begin()
        self.assertEqual(follower_emails(self.public), [])

    def test_my_reports(self):
        session = requests.Session()
        session.auth = ("citizen", "citizen")
        page = session.get(
            self.portal.absolute_url() + "/@@my-reports", timeout=60
        ).text
        self.assertIn("Buca ancora in moderazione", page)
        self.assertIn(self.private.tracking_number, page)
        self.assertNotIn("Buca pubblica", page)
        other = requests.Session()
        other.auth = ("moderator", "moderator")
        self.assertNotIn(
            "Buca ancora in moderazione",
            other.get(self.portal.absolute_url() + "/@@my-reports", timeout=60).text,
        )
        anonymous = requests.get(
            self.portal.absolute_url() + "/@@my-reports", timeout=60
        )
        self.assertIn("login", anonymous.url)

    def test_my_reports_action(self):
        self.assertIn(
            "civicreports-my-reports",
            api.portal.get_tool("portal_actions").user.objectIds(),
        )


class MembersTest(unittest.TestCase):
    layer = SERVER_TESTING

    def test_a_citizen_name_is_nobody_elses_business(self):
        url = self.layer["portal"].absolute_url() + "/author/citizen"
        for auth in (("moderator", "moderator"), ("roads", "roads"), None):
            response = requests.get(url, auth=auth, timeout=60, allow_redirects=False)
            self.assertNotIn("Carla Cittadina", response.text)
            self.assertIn(response.status_code, (302, 404), auth)
        page = requests.get(url, auth=("citizen", "citizen"), timeout=60).text
        self.assertIn("Carla Cittadina", page)

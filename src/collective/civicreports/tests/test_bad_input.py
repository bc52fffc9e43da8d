"""Each crash and each stored poison the independent test found, as it
found it: the input is refused (400) or shown as an inline error, nothing
is stored, and every output route stays valid."""

from collective.civicreports.reports.engagement import private_url
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import payload
from collective.civicreports.tests.base import report_in
from lxml import html
from plone import api
from xml.etree import ElementTree

import csv
import io
import json
import openpyxl
import requests
import transaction
import unittest


JSON = {"Accept": "application/json", "Content-Type": "application/json"}


class BadInputCase(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        self.sink = self.layer["mailsink"]
        self.folder_url = self.folder.absolute_url()
        self.site_url = self.portal.absolute_url()
        api.portal.set_registry_record(
            "collective.civicreports.anonymous_rate_limit", 0
        )
        login_as(self.portal, "admin")
        self.public = report_in(self.portal, "assigned")
        transaction.commit()
        self.sink.clear()
        self.moderator = requests.Session()
        self.moderator.auth = ("moderator", "moderator")

    def count(self):
        transaction.begin()
        return len(self.folder.objectIds())

    def post_json(self, body, url=None, session=requests):
        return session.post(
            url or self.folder_url + "/@reports", data=body, headers=JSON, timeout=60
        )


class RestTest(BadInputCase):
    def test_deeply_nested_json(self):
        before = self.count()
        for body in ("[" * 5000 + "]" * 5000, '{"a":' * 100 + "1" + "}" * 100):
            response = self.post_json(body)
            self.assertEqual(response.status_code, 400, response.text)
            self.assertEqual(response.json()["error"]["type"], "BadRequest")
        # plone.restapi's own services, and its login, parse bodies too.
        body = "[" * 5000 + "]" * 5000
        for url, session in (
            (self.public.absolute_url(), self.moderator),
            (self.site_url + "/@login", requests),
        ):
            response = session.patch(url, data=body, headers=JSON, timeout=60)
            self.assertEqual(response.status_code, 400, url)
        self.assertEqual(self.count(), before)

    def test_huge_and_non_finite_numbers(self):
        before = self.count()
        for latitude in ("9" * 400, "1e999", "NaN", "Infinity", "-" + "9" * 5000):
            data = json.dumps(payload(images=[], latitude=0)).replace(
                '"latitude": 0', f'"latitude": {latitude}'
            )
            response = self.post_json(data)
            self.assertEqual(response.status_code, 400, latitude)
        self.assertEqual(self.count(), before)

    def test_lone_surrogate_stores_nothing_and_sends_nothing(self):
        before = self.count()
        data = json.dumps(payload(images=[], title="Buca \ud800 in via Roma"))
        response = self.post_json(data)
        self.assertEqual(response.status_code, 400)
        self.assertIn("title", response.json()["error"]["errors"][0]["field"])
        self.assertEqual(self.count(), before)
        self.assertEqual(self.sink.messages(), [])
        # The tracking number was not taken either: the next one follows on.
        good = self.post_json(json.dumps(payload(images=[])))
        self.assertEqual(good.status_code, 201)

    def test_invalid_utf8_in_json(self):
        response = self.post_json(b'{"title": "Buca \xff\xfe"}')
        self.assertEqual(response.status_code, 400)

    def test_controls_are_dropped_and_text_normalised(self):
        data = payload(
            images=[],
            title="Buca\x00 in\x1b via\r\nRoma",
            description="Cittá: e\u0301 pericolosa\x07.\r\nDavvero.",
        )
        response = self.post_json(json.dumps(data))
        self.assertEqual(response.status_code, 201, response.text)
        transaction.begin()
        report = self.folder[response.json()["tracking_number"]]
        self.assertEqual(report.title, "Buca in via Roma")
        self.assertEqual(report.description, "Cittá: \u00e9 pericolosa.\nDavvero.")

    def test_public_report_without_a_place(self):
        login_as(self.portal, "admin")
        report_in(
            self.portal,
            "approved",
            category="info",
            latitude=None,
            longitude=None,
            address="",
        )
        transaction.commit()
        for session in (requests, self.moderator):
            response = session.get(
                self.folder_url + "/@reports", headers=JSON, timeout=60
            )
            self.assertEqual(response.status_code, 200, response.text[:300])
            located = [item["latitude"] for item in response.json()["items"]]
            self.assertIn(None, located)


class FormTest(BadInputCase):
    def form(self):
        session = requests.Session()
        url = self.folder_url + "/@@segnala"
        token = html.fromstring(session.get(url, timeout=60).text).xpath(
            "//input[@name='_authenticator']/@value"
        )[0]
        return session, url, token

    def fields(self, token, **changes):
        values = {
            "privacy_consent": b"1",
            "category": b"roads",
            "address": b"Via Roma 12",
            "title": b"Buca",
            "description": b"Una buca.",
            "reporter_fullname": b"Mario Rossi",
            "reporter_email": b"mario.rossi@example.org",
            "nearby_seen": b"1",
            "_authenticator": token.encode(),
            "form.buttons.send": b"send",
        }
        values.update(changes)
        return list(values.items())

    def test_invalid_utf8_is_an_inline_error(self):
        session, url, token = self.form()
        before = self.count()
        response = session.post(
            url,
            data=self.fields(token, reporter_fullname=b"Mar\xffio"),
            files={"attachments:list": ("", b"")},
            timeout=60,
        )
        self.assertEqual(response.status_code, 200)
        page = html.fromstring(response.text)
        self.assertTrue(page.xpath("//*[@id='civicreport-reporter-fullname-error']"))
        self.assertEqual(self.count(), before)

    def test_a_field_sent_twice_is_an_inline_error(self):
        session, url, token = self.form()
        before = self.count()
        response = session.post(
            url,
            data=[*self.fields(token), ("title", b"Un altro titolo")],
            timeout=60,
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(
            html.fromstring(response.text).xpath("//*[@id='civicreport-title-error']")
        )
        self.assertEqual(self.count(), before)

    def test_open311_invalid_utf8(self):
        before = self.count()
        response = requests.post(
            self.site_url + "/open311/v2/requests.xml",
            data=b"api_key=demo-open311-key&service_code=roads&lat=39.22&long=9.11"
            b"&first_name=Mar%FFio&email=a%40example.org&description=Buca+grande%07",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=60,
        )
        self.assertEqual(response.status_code, 400)
        errors = ElementTree.fromstring(response.content)
        self.assertIn("first_name", errors.find("error/description").text)
        self.assertEqual(self.count(), before)

    def test_open311_errors_hold_no_control_character(self):
        response = requests.get(
            self.site_url + "/open311/v2/services/a%01b%0Bc.xml", timeout=60
        )
        self.assertEqual(response.status_code, 404)
        ElementTree.fromstring(response.content)


class TokenTest(BadInputCase):
    def test_non_ascii_tokens(self):
        number = self.public.getId()
        for url in (
            f"{self.folder_url}/@@track?n={number}&t=%C3%A8%C3%A8",
            f"{self.public.absolute_url()}/@@unfollow?t=%C3%A8",
            f"{self.public.absolute_url()}/@@follow?confirm=%C3%A8",
            f"{self.folder_url}/@@segnala-confirm?t=%C3%A8",
        ):
            response = requests.get(url, timeout=60, allow_redirects=False)
            self.assertLess(response.status_code, 500, url)
        session = requests.Session()
        track = private_url(self.public)
        token = html.fromstring(
            session.get(self.public.absolute_url(), timeout=60).text
        ).xpath("//input[@name='_authenticator']/@value")[0]
        response = session.post(
            self.folder_url + "/@@track-reply",
            data={
                "_authenticator": token,
                "n": number,
                "t": "\u00e8\u00e8",
                "message": "x",
            },
            timeout=60,
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 404)
        self.assertTrue(track)


class SearchTest(BadInputCase):
    def test_query_language_in_the_archive_and_its_feed(self):
        for text in ("NOT", "(foo", "a OR NOT b", '"', "AND", "*", "((("):
            page = requests.get(self.folder_url, params={"text": text}, timeout=60)
            self.assertEqual(page.status_code, 200, text)
            feed = requests.get(
                self.folder_url + "/@@reports-rss", params={"text": text}, timeout=60
            )
            self.assertEqual(feed.status_code, 200, text)
            ElementTree.fromstring(feed.content)
            rest = requests.get(
                self.folder_url + "/@reports",
                params={"text": text},
                headers=JSON,
                timeout=60,
            )
            self.assertLess(rest.status_code, 500, text)
        # Words are still found, whatever the punctuation around them.
        for text in ("(Buca", '"Buca', "Buca)*"):
            page = requests.get(self.folder_url, params={"text": text}, timeout=60)
            self.assertIn(self.public.tracking_number, page.text, text)


class StoredPoisonTest(BadInputCase):
    """Data stored before the edge cleaned it (or written by a script)
    must not break any writer."""

    def setUp(self):
        super().setUp()
        self.public.title = "Buca\x00\x0b\ud800 velenosa"
        self.public.description = "Testo\x1b[31m rosso \ufffe"
        self.public.answer = "Risposta\x07"
        self.public.reindexObject()
        transaction.commit()

    def test_every_writer_stays_valid(self):
        ElementTree.fromstring(
            requests.get(self.folder_url + "/@@reports-rss", timeout=60).content
        )
        ElementTree.fromstring(
            requests.get(self.site_url + "/open311/v2/requests.xml", timeout=60).content
        )
        json.loads(
            requests.get(
                self.site_url + "/open311/v2/requests.json", timeout=60
            ).content
        )
        for session in (requests, self.moderator):
            response = session.get(
                self.folder_url + "/@reports", headers=JSON, timeout=60
            )
            self.assertEqual(response.status_code, 200)
        data = self.moderator.get(
            self.folder_url + "/@@report-export?format=csv", timeout=60
        ).content
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        self.assertNotIn("\x00", "".join(rows[1]))
        data = self.moderator.get(
            self.folder_url + "/@@report-export?format=xlsx", timeout=60
        ).content
        openpyxl.load_workbook(io.BytesIO(data))


class AdministratorFormsTest(BadInputCase):
    """A value given twice where a form takes one: the form says so."""

    def test_values_given_twice(self):
        from plone.app.testing import SITE_OWNER_NAME
        from plone.app.testing import SITE_OWNER_PASSWORD

        admin = requests.Session()
        admin.auth = (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        site = self.site_url
        token = html.fromstring(
            admin.get(site + "/@@civicreports-apikeys", timeout=60).text
        ).xpath("//input[@name='_authenticator']/@value")[0]
        for path, fields in (
            (
                "/@@civicreports-settings",
                [("form.widgets.map_zoom", "13"), ("form.widgets.map_zoom", "14")],
            ),
            (
                "/@@civicreports-categories-add",
                [
                    ("form.widgets.id", "nuova"),
                    ("form.widgets.title", "Nuova"),
                    ("form.widgets.questions", "a | string | A?"),
                    ("form.widgets.questions", "b | string | B?"),
                ],
            ),
            (
                "/@@civicreports-apikeys",
                [("create", "1"), ("label", "A"), ("label", "B")],
            ),
        ):
            button = [("form.buttons.save", "Save"), ("form.buttons.add", "Add")]
            response = admin.post(
                site + path,
                data=[("_authenticator", token), *fields, *button],
                timeout=60,
            )
            self.assertEqual(response.status_code, 200, path)
        transaction.begin()
        self.assertEqual(
            api.portal.get_registry_record("collective.civicreports.map_zoom"), 13
        )
        from collective.civicreports.categories.registry import get_category

        self.assertIsNone(get_category("nuova"))

"""The citizens' form ``@@segnala``, over real HTTP without JavaScript:
everything must work as a plain HTML form."""

from collective.civicreports.security import ratelimit
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import run_as
from collective.civicreports.tests.base import submit
from lxml import html
from plone import api

import io
import piexif
import re
import requests
import transaction
import unittest


def jpeg(gps=None):
    from PIL import Image

    buffer = io.BytesIO()
    exif = b""
    if gps:
        lat, lon = gps
        exif = piexif.dump(
            {
                "GPS": {
                    piexif.GPSIFD.GPSLatitudeRef: b"N",
                    piexif.GPSIFD.GPSLatitude: (
                        (int(lat * 1000000), 1000000),
                        (0, 1),
                        (0, 1),
                    ),
                    piexif.GPSIFD.GPSLongitudeRef: b"E",
                    piexif.GPSIFD.GPSLongitude: (
                        (int(lon * 1000000), 1000000),
                        (0, 1),
                        (0, 1),
                    ),
                }
            }
        )
    Image.new("RGB", (60, 40), (10, 120, 200)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


class FormCase(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        self.sink = self.layer["mailsink"]
        ratelimit.reset()
        self.session = requests.Session()
        self.url = self.folder.absolute_url() + "/@@segnala"
        self.page = None

    def open(self, url=None):
        self.response = self.session.get(url or self.url, timeout=60)
        self.page = html.fromstring(self.response.text)
        return self.response

    def form_values(self):
        """The values the page's form would send back (hidden ones too)."""
        form = self.page.get_element_by_id("civicreport-form")
        values = []
        for element in form.xpath(".//input|.//textarea|.//select"):
            name = element.get("name")
            kind = element.get("type")
            if not name or kind in ("file", "submit") or name == "form.buttons.send":
                continue
            if kind in ("checkbox", "radio"):
                if element.get("checked") is not None:
                    values.append((name, element.get("value")))
            elif element.tag == "select":
                chosen = element.xpath(".//option[@selected]")
                values.append((name, chosen[0].get("value") if chosen else ""))
            elif element.tag == "textarea":
                values.append((name, element.text or ""))
            else:
                values.append((name, element.get("value") or ""))
        return values

    def send(self, photos=(), documents=(), **changes):
        """Submit the form as it is on the page, with some fields changed."""
        if self.page is None:
            self.open()
        values = [(k, v) for k, v in self.form_values() if k not in changes]
        for name, value in changes.items():
            if value is not None:
                values.append((name, value))
        values.append(("form.buttons.send", "send"))
        files = [
            ("photos:list", (f"foto{i}.jpg", data, "image/jpeg"))
            for i, data in enumerate(photos)
        ]
        files += [
            ("attachments:list", (f"doc{i}.pdf", data, "application/pdf"))
            for i, data in enumerate(documents)
        ]
        self.response = self.session.post(
            self.url, data=values, files=files or None, timeout=60
        )
        self.page = (
            html.fromstring(self.response.text) if self.response.text.strip() else None
        )
        transaction.begin()
        return self.response

    def reports(self):
        transaction.begin()
        return list(self.folder.objectValues())

    def value(self, name):
        return dict(self.form_values()).get(name)


GOOD = {
    "privacy_consent": "1",
    "category": "roads",
    "address": "Via Roma 12",
    "title": "Buca in via Roma",
    "description": "Una buca profonda davanti al civico 12.",
    "reporter_fullname": "Mario Rossi",
    "reporter_email": "mario.rossi@example.org",
}


class FormTest(FormCase):
    def test_the_form_has_every_step(self):
        self.open()
        for step in (
            "privacy",
            "category",
            "place",
            "text",
            "photos",
            "contact",
            "review",
        ):
            self.assertTrue(
                self.page.get_element_by_id(f"civicreport-step-{step}", None)
                is not None,
                step,
            )
        # Categories are grouped by kind.
        labels = [
            g.get("label")
            for g in self.page.xpath("//select[@name='category']/optgroup")
        ]
        self.assertIn("Malfunction", labels)
        self.assertIn("Information request", labels)

    def test_anonymous_citizen_sends_a_report(self):
        self.send(photos=[jpeg()], **GOOD)
        self.assertIn("@@track", self.response.url)
        number = re.search(r"n=([\d-]+)", self.response.url).group(1)
        self.assertIn("Thank you: your report has been received.", self.response.text)
        self.assertIn(number, self.response.text)
        report = self.folder[number]
        self.assertEqual(report.reporter_email, "mario.rossi@example.org")
        self.assertEqual(report.objectIds(), ["photo-1.jpg"])
        self.assertEqual(api.content.get_state(report), "submitted")
        # The private link arrived by mail, through real SMTP.
        token = re.search(r"t=([\w-]+)", self.response.url).group(1)
        mails = [
            m
            for m in self.sink.messages()
            if m["X-Envelope-To"] == "mario.rossi@example.org"
        ]
        self.assertEqual(len(mails), 1)
        self.assertIn(token, mails[0].get_payload(decode=True).decode())

    def test_documents_are_kept_across_an_error(self):
        pdf = b"%PDF-1.4\n% esposto\n%%EOF"
        self.send(documents=[pdf], **dict(GOOD, title=""))
        self.assertEqual(self.reports(), [])
        kept = [k for k, v in self.form_values() if k == "kept_attachments:list"]
        self.assertEqual(len(kept), 1)
        self.send(title="Buca")
        report = self.reports()[0]
        self.assertEqual(report["attachment-1.pdf"].file.data, pdf)

    def test_private_link_needs_the_token(self):
        self.send(**GOOD)
        good = self.response.url
        self.assertEqual(self.session.get(good, timeout=30).status_code, 200)
        self.assertEqual(
            self.session.get(good.replace("t=", "t=x"), timeout=30).status_code, 404
        )

    def test_errors_keep_what_was_typed(self):
        self.send(
            photos=[jpeg()], **dict(GOOD, title="", reporter_email="not-an-email")
        )
        self.assertIsNotNone(self.page.get_element_by_id("civicreport-errors", None))
        self.assertIn("Give the report a subject.", self.response.text)
        self.assertIn("This is not a valid e-mail address.", self.response.text)
        self.assertEqual(
            self.page.get_element_by_id("civicreport-title").get("aria-invalid"), "true"
        )
        self.assertEqual(self.value("address"), "Via Roma 12")
        self.assertEqual(self.value("reporter_email"), "not-an-email")
        self.assertEqual(self.reports(), [])
        # The photo is kept, re-encoded, for the next attempt.
        self.assertEqual(
            len([k for k, v in self.form_values() if k == "kept_photos:list"]), 1
        )
        self.send(title="Buca", reporter_email="mario@example.org")
        self.assertEqual(len(self.reports()), 1)
        self.assertEqual(self.reports()[0].objectIds(), ["photo-1.jpg"])

    def test_place_is_required_for_territory_categories(self):
        self.send(**dict(GOOD, address=""))
        self.assertIn("Give the place", self.response.text)
        self.assertEqual(self.reports(), [])

    def test_outside_the_territory(self):
        self.send(**dict(GOOD, latitude="45.4642", longitude="9.19"))
        self.assertIn("outside the municipal territory", self.response.text)
        self.assertEqual(self.reports(), [])

    def test_photo_position_is_offered(self):
        self.send(photos=[jpeg(gps=(39.2238, 9.1217))], **dict(GOOD, address=""))
        self.assertIsNotNone(
            self.page.get_element_by_id("civicreport-photo-position", None)
        )
        self.assertEqual(self.reports(), [])
        self.assertEqual(self.value("use_photo_position"), "yes")
        self.send()
        report = self.reports()[0]
        self.assertAlmostEqual(report.geolocation.latitude, 39.2238, places=4)
        # What is stored carries no position any more.
        self.assertNotIn(b"GPS", report["photo-1.jpg"].image.data)

    def test_nearby_open_reports(self):
        login_as(self.portal, "admin")
        existing = submit(self.portal, latitude=39.2200, longitude=9.1100)
        run_as(self.portal, "moderator", "approve", existing)
        transaction.commit()
        self.send(**dict(GOOD, latitude="39.2201", longitude="9.1101"))
        self.assertIn("Is it one of these?", self.response.text)
        self.assertIn(existing.tracking_number, self.response.text)
        self.assertEqual(len(self.reports()), 1)
        self.send()
        self.assertEqual(len(self.reports()), 2)

    def test_honeypot(self):
        self.send(**dict(GOOD, website="http://spam.example.com"))
        self.assertEqual(self.reports(), [])
        self.assertIn("could not be sent", self.response.text)

    def test_rate_limit(self):
        api.portal.set_registry_record(
            "collective.civicreports.anonymous_rate_limit", 2
        )
        transaction.commit()
        for title in ("Uno", "Due", "Tre"):
            self.page = None
            self.send(**dict(GOOD, title=title, address=f"Via {title}"))
        self.assertEqual(len(self.reports()), 2)
        self.assertIn("Too many reports", self.response.text)

    def test_category_needing_login(self):
        self.send(**dict(GOOD, category="complaint"))
        self.assertIn("Log in to send a report of this category.", self.response.text)
        self.assertIn("came_from=", self.response.text)
        self.assertEqual(self.reports(), [])

    def test_logged_in_citizen_is_prefilled(self):
        self.session.auth = ("citizen", "citizen")
        self.open()
        self.assertEqual(self.value("reporter_email"), "carla.cittadina@example.org")
        self.assertEqual(self.value("reporter_fullname"), "Carla Cittadina")
        self.send(
            **dict(
                {k: v for k, v in GOOD.items() if not k.startswith("reporter")},
                category="complaint",
            )
        )
        self.assertEqual(len(self.reports()), 1)
        self.assertIn("Owner", self.reports()[0].get_local_roles_for_userid("citizen"))

    def test_email_confirmation(self):
        api.portal.set_registry_record(
            "collective.civicreports.confirm_anonymous_email", True
        )
        transaction.commit()
        self.send(**GOOD)
        self.assertIn("segnala-confirm-sent", self.response.url)
        self.assertEqual(self.reports(), [])
        mail = [
            m
            for m in self.sink.messages()
            if m["X-Envelope-To"] == "mario.rossi@example.org"
        ][-1]
        text = mail.get_payload(decode=True).decode()
        link = re.search(r"(http://\S+@@segnala-confirm\?t=\S+)", text).group(1)
        response = self.session.get(link, timeout=60)
        self.assertEqual(len(self.reports()), 1)
        self.assertIn("Thank you", response.text)
        # The link works once.
        again = self.session.get(link, timeout=60).text
        self.assertIn("This link is not valid", again, again[-3000:])
        self.assertEqual(len(self.reports()), 1)

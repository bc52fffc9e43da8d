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
            if (
                not name
                or kind in ("file", "submit")
                or name.startswith("form.buttons.")
            ):
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

    def steps(self):
        """The steps the page shows (one, as its fieldset)."""
        return [
            fieldset.get("id").removeprefix("civicreport-step-")
            for fieldset in self.page.xpath("//fieldset[@class='civicreport-step']")
        ]

    def next(self, photos=(), **changes):
        return self.send(photos=photos, button="form.buttons.next", **changes)

    def send(self, photos=(), documents=(), button="form.buttons.send", **changes):
        """Submit the form as it is on the page, with some fields changed."""
        if self.page is None:
            self.open()
        values = [(k, v) for k, v in self.form_values() if k not in changes]
        for name, value in changes.items():
            if value is not None:
                values.append((name, value))
        values.append((button, button.rpartition(".")[2]))
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
        self.assertEqual(self.steps(), ["authorizations"])
        self.assertEqual(
            self.page.xpath(
                "//*[contains(@class, 'steppers-header')]//li/span[1]/text()"
            ),
            [
                "Authorizations and conditions",
                "Report details",
                "Summary",
                "Confirmation",
            ],
        )
        self.next(privacy_consent="1")
        self.assertEqual(self.steps(), ["data"])
        for section in ("report-place", "report-info", "report-author"):
            self.assertIsNotNone(self.page.get_element_by_id(section, None), section)
        # Categories are grouped by kind.
        labels = [
            g.get("label")
            for g in self.page.xpath("//select[@name='category']/optgroup")
        ]
        self.assertIn("Malfunction", labels)
        self.assertIn("Information request", labels)

    def test_anonymous_citizen_sends_a_report(self):
        self.send(photos=[jpeg()], **GOOD)
        self.assertIn("@@segnala-inviata", self.response.url)
        number = re.search(r"n=([\d-]+)", self.response.url).group(1)
        self.assertIn("Thank you, we have received your report", self.response.text)
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
        self.next(privacy_consent="1")
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


class StepsTest(FormCase):
    """The model's steps, each checked before the next, without JavaScript."""

    def summary(self):
        return {
            dt.text_content().strip(): dt.getnext().text_content().strip()
            for dt in self.page.xpath("//*[@id='civicreport-step-summary']//dt")
        }

    def test_the_notice_must_be_read_first(self):
        self.open()
        self.next()
        self.assertEqual(self.steps(), ["authorizations"])
        self.assertIn(
            "Confirm that you have read the privacy notice", self.response.text
        )
        self.next(privacy_consent="1")
        self.assertEqual(self.steps(), ["data"])
        # The acknowledgement travels with the next steps, out of sight.
        hidden = self.page.xpath("//input[@type='hidden'][@name='privacy_consent']")
        self.assertEqual([i.get("value") for i in hidden], ["1"])

    def test_each_step_is_checked_before_the_next(self):
        self.open()
        self.next(privacy_consent="1")
        data = {k: v for k, v in GOOD.items() if k != "privacy_consent"}
        self.next(photos=[jpeg()], **dict(data, title=""))
        self.assertEqual(self.steps(), ["data"])
        self.assertIn("Give the report a subject.", self.response.text)
        self.assertEqual(self.value("description"), GOOD["description"])
        self.next(title="Buca in via Roma")
        self.assertEqual(self.steps(), ["summary"])
        summary = self.summary()
        self.assertEqual(summary["Subject"], "Buca in via Roma")
        self.assertEqual(summary["E-mail"], "mario.rossi@example.org")
        self.assertEqual(summary["Photos"], "1")
        self.assertIn("counts as a declaration", self.response.text)
        self.assertEqual(self.reports(), [])
        # Back to the details: nothing is lost, the photo neither.
        self.send(button="form.buttons.back")
        self.assertEqual(self.steps(), ["data"])
        self.assertEqual(self.value("title"), "Buca in via Roma")
        self.assertEqual(self.value("reporter_fullname"), "Mario Rossi")
        self.assertEqual(len(dict(self.form_values())["kept_photos:list"]) > 0, True)
        self.send(button="form.buttons.back")
        self.assertEqual(self.steps(), ["authorizations"])
        self.next()
        self.next()
        self.assertEqual(self.steps(), ["summary"])
        self.send()
        self.assertIn("@@segnala-inviata", self.response.url)
        report = self.reports()[0]
        self.assertEqual(report.Title(), "Buca in via Roma")
        self.assertEqual(report.objectIds(), ["photo-1.jpg"])

    def test_a_changed_summary_is_checked_again(self):
        """What comes back from the summary page is checked as it is."""
        self.open()
        self.next(privacy_consent="1")
        self.next(**{k: v for k, v in GOOD.items() if k != "privacy_consent"})
        self.assertEqual(self.steps(), ["summary"])
        self.send(reporter_email="not-an-email")
        self.assertEqual(self.steps(), ["data"])
        self.assertIn("has not been sent yet", self.response.text)
        self.assertIn("This is not a valid e-mail address.", self.response.text)
        self.assertEqual(self.reports(), [])

    def test_the_nearby_question_is_asked_with_the_place(self):
        login_as(self.portal, "admin")
        existing = submit(self.portal, latitude=39.2200, longitude=9.1100)
        run_as(self.portal, "moderator", "approve", existing)
        transaction.commit()
        self.open()
        self.next(privacy_consent="1")
        data = {k: v for k, v in GOOD.items() if k != "privacy_consent"}
        self.next(**dict(data, latitude="39.2201", longitude="9.1101"))
        self.assertEqual(self.steps(), ["data"])
        nearby = self.page.get_element_by_id("civicreport-nearby")
        self.assertIsNotNone(nearby.xpath("ancestor::*[@id='report-place']"))
        self.assertIn(existing.tracking_number, nearby.text_content())
        self.next()
        self.assertEqual(self.steps(), ["summary"])
        self.assertEqual(len(self.reports()), 1)

    def test_the_confirmation(self):
        self.send(**GOOD)
        report = self.reports()[0]
        page = self.page
        self.assertEqual(
            page.xpath(
                "//*[contains(@class, 'steppers-header')]//li[@aria-current]/span[1]/text()"
            ),
            ["Confirmation"],
        )
        text = page.text_content()
        self.assertIn(report.tracking_number, text)
        self.assertIn("once the municipality has taken it in charge", text)
        self.assertIn("mario.rossi@example.org", text)
        links = {a.text_content().strip(): a.get("href") for a in page.xpath("//a")}
        receipt = links["Download the receipt (PDF)"]
        self.assertIn("@@ricevuta.pdf", receipt)
        # Anonymous: the personal area is the report's private page.
        self.assertIn("@@track", links["See the report in your personal area"])
        # Without the token there is nothing to see.
        self.assertEqual(
            self.session.get(self.response.url.split("&t=")[0], timeout=30).status_code,
            404,
        )


class DraftTest(FormCase):
    """Drafts on the site for citizens with an account (C.SE.1.6)."""

    def setUp(self):
        super().setUp()
        self.session.auth = ("citizen", "citizen")

    def test_save_and_resume(self):
        self.open()
        self.assertIsNone(self.page.get_element_by_id("civicreport-draft", None))
        self.next(privacy_consent="1")
        self.send(
            photos=[jpeg()],
            button="form.buttons.save",
            category="roads",
            title="Lampione spento",
            address="Via Roma 3",
        )
        self.assertEqual(self.steps(), ["data"])
        self.assertIn("The draft has been saved", self.response.text)
        self.assertEqual(self.reports(), [])
        # Later, in a new visit.
        self.page = None
        self.open()
        box = self.page.get_element_by_id("civicreport-draft")
        self.assertIsNotNone(box)
        token = box.xpath(".//input[@name='_authenticator']")[0].get("value")
        self.response = self.session.post(
            self.url,
            data={"_authenticator": token, "form.buttons.resume": "resume"},
            timeout=60,
        )
        self.page = html.fromstring(self.response.text)
        self.assertEqual(self.steps(), ["data"])
        self.assertEqual(self.value("title"), "Lampione spento")
        self.assertEqual(self.value("address"), "Via Roma 3")
        self.assertEqual(
            len([k for k, v in self.form_values() if k == "kept_photos:list"]), 1
        )
        self.next(description="Il lampione davanti al civico 3 è spento.")
        self.assertEqual(self.steps(), ["summary"])
        self.send()
        self.assertIn("@@segnala-inviata", self.response.url)
        self.assertEqual(self.reports()[0].objectIds(), ["photo-1.jpg"])
        # Sent: the draft is gone.
        self.page = None
        self.open()
        self.assertIsNone(self.page.get_element_by_id("civicreport-draft", None))

    def test_discard(self):
        self.open()
        self.next(privacy_consent="1")
        self.send(button="form.buttons.save", title="Bozza")
        self.page = None
        self.open()
        token = (
            self.page.get_element_by_id("civicreport-draft")
            .xpath(".//input[@name='_authenticator']")[0]
            .get("value")
        )
        self.session.post(
            self.url,
            data={"_authenticator": token, "form.buttons.discard": "discard"},
            timeout=60,
        )
        self.page = None
        self.open()
        self.assertIsNone(self.page.get_element_by_id("civicreport-draft", None))

    def test_anonymous_citizens_keep_no_draft_on_the_site(self):
        self.session.auth = None
        self.open()
        self.assertEqual(self.page.xpath("//button[@name='form.buttons.save']"), [])
        self.next(privacy_consent="1")
        self.send(button="form.buttons.save", title="Bozza")
        self.assertIn("Log in to keep a draft on the site.", self.response.text)
        transaction.begin()
        from collective.civicreports.reports import drafts

        self.assertIsNone(drafts._store(self.folder))

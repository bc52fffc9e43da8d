"""The reporter's receipt: the summary in the "received" mail, delivered by
real SMTP, and the PDF, served over real HTTP to the reporter only, read
back from its content streams."""

from collective.civicreports.browser.receipt import latin1
from collective.civicreports.browser.receipt import Receipt
from collective.civicreports.reports import engagement
from collective.civicreports.reports.summary import as_text
from collective.civicreports.reports.summary import summary
from collective.civicreports.testing import INTEGRATION_TESTING
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import body
from collective.civicreports.tests.base import create_other_citizen
from collective.civicreports.tests.base import payload
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import run_as
from collective.civicreports.tests.base import submit
from datetime import date

import re
import requests
import time
import transaction
import unittest
import zlib


ANSWERS = {"dimensione": "grande", "pericolo": "si"}
UNICODE_TITLE = "Perché “buca” in città — 42 ✓"

_STREAM_RE = re.compile(rb"<<(.*?)>>\s*stream\r?\n(.*?)\r?\nendstream", re.S)
_BFCHAR_RE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _streams(data):
    for header, content in _STREAM_RE.findall(data):
        yield zlib.decompress(content) if b"FlateDecode" in header else content


def _literal_strings(stream):
    """The bytes of each (...) string shown by Tj in a content stream."""
    found, index = [], 0
    while True:
        start = stream.find(b"(", index)
        if start < 0:
            return found
        depth, value, index = 1, bytearray(), start + 1
        while depth:
            char = stream[index : index + 1]
            if char == b"\\":
                following = stream[index + 1 : index + 2]
                if following.isdigit():
                    digits = re.match(rb"[0-7]{1,3}", stream[index + 1 : index + 4])
                    value.append(int(digits.group(), 8))
                    index += 1 + len(digits.group())
                    continue
                value += _ESCAPES.get(following, following)
                index += 2
                continue
            if char == b"(":
                depth += 1
            elif char == b")":
                depth -= 1
                if not depth:
                    break
            value += char
            index += 1
        found.append(bytes(value))
        index += 1


def pdf_text(data):
    """The text of a PDF made by fpdf2 with one font: through the font's
    ToUnicode map (an embedded TrueType font), or Latin-1 (a core font)."""
    streams = list(_streams(data))
    cmap = {}
    for stream in streams:
        if b"beginbfchar" in stream:
            for code, text in _BFCHAR_RE.findall(stream.split(b"beginbfchar", 1)[1]):
                cmap[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    lines = []
    for stream in streams:
        if b" Tj" not in stream:
            continue
        for raw in _literal_strings(stream):
            if cmap:
                codes = [int.from_bytes(raw[i : i + 2]) for i in range(0, len(raw), 2)]
                lines.append("".join(cmap.get(code, "") for code in codes))
            else:
                lines.append(raw.decode("latin-1"))
    return "\n".join(lines)


class SummaryTest(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]

    def test_the_summary_has_what_was_sent(self):
        report = submit(self.portal, answers=ANSWERS)
        text = as_text(summary(report), language="en")
        for expected in (
            report.tracking_number,
            "Category: Dissesto stradale",
            "Subject: Buca in via Roma",
            "Una buca profonda davanti al civico 12.",
            "Via Roma 12 · 39.220000, 9.110000",
            "Quanto è grande la buca?: Più di 1 m",
            "Photos: 1",
            "Documents: 0",
            f"Full name: {PERSONAL['fullname']}",
            f"E-mail: {PERSONAL['email']}",
            f"Phone: {PERSONAL['phone']}",
            f"Fiscal code: {PERSONAL['fiscal_code']}",
        ):
            self.assertIn(expected, text)
        created = report.created().asdatetime().astimezone()
        self.assertIn(f"Date: {created:%d/%m/%Y %H:%M}", text)

    def test_latin1_keeps_italian_and_plain_punctuation(self):
        self.assertEqual(
            latin1("Perché “sì” — l’ho visto…"), 'Perché "sì" - l\'ho visto...'
        )
        self.assertEqual(latin1("Łódź Šibenik 日本 €"), "?ódz Sibenik ?? EUR")

    def test_the_core_font_when_no_font_is_installed(self):
        report = submit(self.portal, title=UNICODE_TITLE)
        request = self.layer["request"]
        data = Receipt(report, request, font=None).render()
        self.assertTrue(data.startswith(b"%PDF-"))
        text = pdf_text(data)
        self.assertIn('Subject: Perché "buca" in città - 42 ?', text)
        self.assertIn(PERSONAL["fullname"], text)
        self.assertNotIn("FontFile2", data.decode("latin-1"))


class ReceiptHttpTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        self.sink = self.layer["mailsink"]

    def post_report(self, **overrides):
        response = requests.post(
            self.folder.absolute_url() + "/@reports",
            json=payload(**overrides),
            headers={"Accept": "application/json"},
            timeout=60,
        )
        self.assertEqual(response.status_code, 201, response.text)
        transaction.begin()  # see what the server committed
        return self.folder[response.json()["tracking_number"]]

    def mails(self, expected):
        deadline = time.monotonic() + 10
        while len(self.sink.messages()) < expected and time.monotonic() < deadline:
            time.sleep(0.05)
        messages = self.sink.messages()
        self.sink.clear()
        return {m["X-Envelope-To"]: m for m in messages}

    def get(self, url, auth=None, **params):
        return requests.get(
            url, params=params, auth=auth, timeout=60, allow_redirects=False
        )

    def assertRefused(self, response, who):
        """401, 403 or 404; Plone answers Unauthorized with a redirect to
        its login form (which tells a logged-in user they may not)."""
        if response.status_code == 302:
            self.assertIn("login", response.headers["Location"])
        else:
            self.assertIn(response.status_code, (401, 403, 404), who)
        self.assertNotIn(PERSONAL["fullname"].encode(), response.content)
        self.assertNotIn(b"%PDF", response.content[:10])

    def test_the_received_mail_carries_the_summary_to_the_reporter_only(self):
        report = self.post_report(answers=ANSWERS)
        mails = self.mails(3)
        text = body(mails[PERSONAL["email"]])
        for expected in (
            f"Tracking number: {report.tracking_number}",
            "Category: Dissesto stradale",
            "Subject: Buca in via Roma",
            "Place: Via Roma 12",
            "Quanto è grande la buca?: Più di 1 m",
            "Photos: 1",
            f"Fiscal code: {PERSONAL['fiscal_code']}",
            f"Phone: {PERSONAL['phone']}",
            "it becomes public once the municipality takes it in charge",
            engagement.private_url(report),
        ):
            self.assertIn(expected, text)
        # The staff's mails name the report, never the reporter's data.
        for address, mail in mails.items():
            if address != PERSONAL["email"]:
                self.assertNotIn(PERSONAL["fiscal_code"], body(mail), address)
                self.assertNotIn(PERSONAL["phone"], body(mail), address)

    def test_the_pdf_through_the_private_link(self):
        report = self.post_report(title=UNICODE_TITLE, answers=ANSWERS)
        token = engagement.private_token(report)
        response = self.get(
            self.folder.absolute_url() + "/@@ricevuta.pdf", n=report.getId(), t=token
        )
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertEqual(
            response.headers["Content-Disposition"],
            f'attachment; filename="ricevuta-{report.tracking_number}.pdf"',
        )
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        self.assertTrue(response.content.startswith(b"%PDF-"))
        text = pdf_text(response.content)
        for expected in (
            self.portal.Title(),
            f"Receipt of the report {report.tracking_number}",
            f"Subject: {UNICODE_TITLE}",
            "Quanto è grande la buca?: Più di 1 m",
            f"Full name: {PERSONAL['fullname']}",
            "becomes public, without your personal data, once the",
        ):
            self.assertIn(expected, text)

    def test_the_pdf_is_refused_without_the_token(self):
        report = self.post_report()
        url = self.folder.absolute_url() + "/@@ricevuta.pdf"
        for params in ({}, {"n": report.getId()}, {"n": report.getId(), "t": "x" * 32}):
            response = self.get(url, **params)
            self.assertEqual(response.status_code, 404, params)
            self.assertNotIn(PERSONAL["fullname"].encode(), response.content)

    def test_the_pdf_for_the_logged_in_reporter_only(self):
        create_other_citizen()
        transaction.commit()
        report = submit(self.portal, user="citizen")
        report.protocol_number = "PG/2025/0012345"
        report.protocol_date = date(2025, 3, 5)
        transaction.commit()
        url = report.absolute_url() + "/@@ricevuta.pdf"
        response = self.get(url, ("citizen", "citizen"))
        self.assertEqual(response.status_code, 200, response.text[:500])
        text = pdf_text(response.content)
        self.assertIn("Protocol number PG/2025/0012345 of 05/03/2025.", text)
        self.assertIn(f"Fiscal code: {PERSONAL['fiscal_code']}", text)
        # The staff in charge may print it too.
        self.assertEqual(self.get(url, ("moderator", "moderator")).status_code, 200)
        for auth in (None, ("other", "other-secret-1"), ("waste", "waste")):
            self.assertRefused(self.get(url, auth), auth)
        # Once public, another citizen may see the report but not its receipt.
        run_as(self.portal, "moderator", "approve", report)
        transaction.commit()
        self.assertEqual(
            self.get(report.absolute_url(), ("other", "other-secret-1")).status_code,
            200,
        )
        for auth in (None, ("other", "other-secret-1")):
            response = self.get(url, auth)
            self.assertRefused(response, auth)
            self.assertNotEqual(response.status_code, 404, auth)

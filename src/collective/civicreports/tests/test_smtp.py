"""Every mail, end to end: HTTP requests to a running Zope, real SMTP to a
local aiosmtpd server, messages read back from its Maildir."""

from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import body
from collective.civicreports.tests.base import payload
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import subject

import requests
import time
import unittest


class SmtpTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.sink = self.layer["mailsink"]
        self.folder_url = self.layer["portal"].absolute_url() + "/segnalazioni"

    def call(self, method, url, auth=None, json=None):
        response = requests.request(
            method,
            url,
            auth=auth,
            json=json,
            headers={"Accept": "application/json"},
            timeout=60,
        )
        self.assertLess(response.status_code, 300, response.text)
        return response

    def mails(self, expected):
        """The mails received since the last call, by envelope recipient."""
        deadline = time.monotonic() + 10
        while len(self.sink.messages()) < expected and time.monotonic() < deadline:
            time.sleep(0.05)
        messages = self.sink.messages()
        self.sink.clear()
        self.assertEqual(
            len(messages), expected, [m["X-Envelope-To"] for m in messages]
        )
        return {m["X-Envelope-To"]: m for m in messages}

    def test_lifecycle_mails(self):
        response = self.call("POST", self.folder_url + "/@reports", json=payload())
        url, number = response.json()["@id"], response.json()["tracking_number"]
        mails = self.mails(3)
        self.assertEqual(subject(mails[PERSONAL["email"]]), f"Report {number} received")
        self.assertIn(number, body(mails[PERSONAL["email"]]))
        self.assertEqual(
            subject(mails["strade@comune.example.it"]),
            f"New report {number}: Dissesto stradale",
        )
        self.assertEqual(
            subject(mails["urp@comune.example.it"]),
            f"Report {number} waits for moderation",
        )
        self.assertEqual(
            mails[PERSONAL["email"]]["From"],
            "Comune di Esempio <urp@comune.example.it>",
        )

        moderator = ("moderator", "moderator")
        self.call("POST", url + "/@workflow/approve", moderator, {})
        mail = self.mails(1)[PERSONAL["email"]]
        self.assertEqual(subject(mail), f"Your report {number} has been published")
        self.assertIn(url, body(mail))

        self.call("POST", url + "/@workflow/assign", moderator, {"comment": "Urgente"})
        mails = self.mails(2)
        self.assertIn("Ufficio Strade", body(mails[PERSONAL["email"]]))
        self.assertIn("Urgente", body(mails["strade@comune.example.it"]))

        self.call("PATCH", url, ("roads", "roads"), {"answer": "Riparata."})
        self.call("POST", url + "/@workflow/close", ("roads", "roads"), {})
        mail = self.mails(1)[PERSONAL["email"]]
        self.assertEqual(subject(mail), f"Your report {number} has been closed")
        self.assertIn("Riparata.", body(mail))

    def test_rejection_mail(self):
        url = self.call("POST", self.folder_url + "/@reports", json=payload()).json()[
            "@id"
        ]
        self.mails(3)
        self.call(
            "POST",
            url + "/@workflow/reject",
            ("moderator", "moderator"),
            {"comment": "Doppione."},
        )
        mail = self.mails(1)[PERSONAL["email"]]
        self.assertIn("has not been accepted", subject(mail))
        self.assertIn("Doppione.", body(mail))

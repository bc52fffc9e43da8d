"""Against a real instance as ``make start`` runs it: the demo accounts, the
whole path of a report with its mails (the bursts are in test_burst.py)."""

from collective.civicreports.testing import REAL_INSTANCE
from collective.civicreports.tests.base import payload
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import subject

import collections
import requests
import time
import unittest


JSON = {"Accept": "application/json"}


class InstanceTest(unittest.TestCase):
    layer = REAL_INSTANCE

    def setUp(self):
        self.url = self.layer["instance_url"]
        self.sink = self.layer["mailsink"]

    def wait_for_mails(self, marker, count, timeout=60):
        """The mails whose subject has the marker, once there are ``count``.

        The instance queues its mail, as ``make start`` does: delivery is
        asynchronous."""
        deadline = time.monotonic() + timeout
        while True:
            messages = [m for m in self.sink.messages() if marker in subject(m)]
            if len(messages) >= count or time.monotonic() > deadline:
                return messages
            time.sleep(0.2)

    def test_demo_accounts_log_in(self):
        for user in ("admin", "moderator", "roads", "waste", "citizen"):
            response = requests.post(
                self.url + "/@login",
                json={"login": user, "password": user},
                headers=JSON,
                timeout=30,
            )
            self.assertEqual(response.status_code, 200, user)
            self.assertIn("token", response.json())

    def test_theme_and_language(self):
        page = requests.get(self.url, timeout=30).text
        self.assertIn("++theme++barceloneta", page)
        self.assertIn('lang="it"', page)

    def test_staff_screens_are_italian(self):
        """The state menu, the toolbar's tabs and the default texts: Plone
        shows the first two in its own domain."""
        from lxml import html

        response = requests.post(
            self.url + "/segnalazioni/@reports",
            json=payload(),
            headers=JSON,
            timeout=60,
        )
        report = response.json()["@id"]
        moderator = ("moderator", "moderator")
        page = html.fromstring(requests.get(report, auth=moderator, timeout=60).text)
        menu = " ".join(
            page.xpath("//*[@id='plone-contentmenu-workflow']//text()")
        ).split()
        self.assertIn("Inviata", menu)
        self.assertNotIn("Submitted", menu)
        folder = requests.get(self.url + "/segnalazioni", auth=moderator, timeout=60)
        tabs = html.fromstring(folder.text).xpath("//*[@id='edit-zone']//a//text()")
        tabs = " ".join(tabs)
        self.assertIn("Moderazione", tabs)
        self.assertIn("Statistiche", tabs)
        self.assertNotIn("Moderation", tabs)
        moderate = requests.get(report + "/@@moderate", auth=moderator, timeout=60)
        reasons = html.fromstring(moderate.text).xpath(
            "//select[@name='reason']/option/text()"
        )
        self.assertIn("La segnalazione ripete una segnalazione già ricevuta.", reasons)
        templates = requests.get(
            self.url + "/@@civicreports-responses", auth=("admin", "admin"), timeout=60
        )
        (text,) = html.fromstring(templates.text).xpath(
            "//textarea[@name='form.widgets.templates']/text()"
        )
        self.assertIn("== Risolta | risposta", text)
        self.assertNotIn("Fixed", text)

    def test_report_path_with_mails(self):
        response = requests.post(
            self.url + "/segnalazioni/@reports",
            json=payload(),
            headers=JSON,
            timeout=60,
        )
        self.assertEqual(response.status_code, 201, response.text)
        report, number = response.json()["@id"], response.json()["tracking_number"]
        steps = [
            (("moderator", "moderator"), "approve", {}),
            (("moderator", "moderator"), "assign", {"comment": "Alla squadra"}),
            (
                ("roads", "roads"),
                "close",
                {"comment": "Buca chiusa con asfalto a freddo."},
            ),
        ]
        for auth, transition, data in steps:
            response = requests.post(
                f"{report}/@workflow/{transition}",
                json=data,
                auth=auth,
                headers=JSON,
                timeout=60,
            )
            self.assertEqual(response.status_code, 200, response.text)
        # submitted: reporter, office, URP; approved: reporter; assigned:
        # reporter, office; closed: reporter.
        messages = self.wait_for_mails(number, 7)
        by_recipient = collections.defaultdict(list)
        for message in messages:
            by_recipient[message["X-Envelope-To"]].append(subject(message))
        self.assertEqual(len(by_recipient[PERSONAL["email"]]), 4, by_recipient)
        self.assertEqual(len(by_recipient["strade@comune.example.it"]), 2, by_recipient)
        self.assertEqual(len(by_recipient["urp@comune.example.it"]), 1, by_recipient)
        # The demo site is Italian, and so are its mails.
        subjects = " ".join(by_recipient[PERSONAL["email"]])
        self.assertIn("ricevuta", subjects.lower())
        self.assertNotIn("received", subjects)
        answer = requests.get(report, headers=JSON, timeout=30).json()
        self.assertEqual(answer["review_state"], "closed")
        self.assertEqual(answer["answer"], "Buca chiusa con asfalto a freddo.")
        self.assertNotIn("reporter_email", answer)

    def test_open311_on_the_demo_site(self):
        base = self.url + "/open311/v2/"
        services = requests.get(base + "services.json", timeout=30).json()
        self.assertIn("roads", [service["service_code"] for service in services])
        # Errors speak the site's language, as the rest of the API does.
        error = requests.get(base + "services/nothing.json", timeout=30)
        self.assertEqual(error.status_code, 404)
        self.assertEqual(
            error.json()[0]["description"], "Servizio nothing non trovato."
        )
        refused = requests.post(
            base + "requests.json", data={"api_key": "wrong"}, timeout=30
        )
        self.assertEqual(refused.status_code, 403)
        self.assertIn("amministratori", refused.json()[0]["description"])
        # The demo key works.
        posted = requests.post(
            base + "requests.json",
            data={
                "api_key": "demo-open311-key",
                "service_code": "roads",
                "address_string": "Via Roma 12",
                "first_name": "Mario",
                "email": "mario.rossi@example.org",
                "description": "Buca in via Roma",
            },
            timeout=60,
        )
        self.assertEqual(posted.status_code, 200, posted.text)
        self.assertRegex(posted.json()[0]["service_request_id"], r"^\d{4}-\d{6}$")

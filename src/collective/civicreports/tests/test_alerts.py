"""Area alerts over real HTTP and real SMTP: the form, the double opt-in,
the alerts of the reports made public, the link that stops them; and the
page in Chromium, on a desktop and on a phone, with axe-core."""

from collective.civicreports.alerts import subscriptions
from collective.civicreports.alerts.subscriptions import Criteria
from collective.civicreports.security import ratelimit
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import body
from collective.civicreports.tests.base import create_other_citizen
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import subject
from collective.civicreports.tests.base import submit
from collective.civicreports.tests.routes import discover
from collective.civicreports.tests.test_browser import BrowserCase
from lxml import html
from plone import api
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from unittest import mock

import json
import re
import requests
import smtplib
import time
import transaction
import unittest


# The default place of the reports of tests/base.py, and points around it.
HERE = {"latitude": "39.2205", "longitude": "9.1105"}  # about 70 m away
FAR = {"latitude": 39.28, "longitude": 9.11}  # about 6.7 km away
LINK_RE = re.compile(r"https?://\S+@@alerts-(?:confirm|unsubscribe)\?token=[\w-]+")
# A square around the reports' place, as the settings' territory.
TERRITORY = json.dumps(
    {
        "type": "Polygon",
        "coordinates": [
            [[9.0, 39.1], [9.3, 39.1], [9.3, 39.4], [9.0, 39.4], [9.0, 39.1]]
        ],
    }
)


class AlertsTestCase(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        self.sink = self.layer["mailsink"]
        self.url = self.folder.absolute_url() + "/@@alerts"
        self.moderator = requests.Session()
        self.moderator.auth = ("moderator", "moderator")
        login_as(self.portal, "admin")
        transaction.commit()
        ratelimit.reset()
        self.sink.clear()

    # Helpers

    def subscribe(self, session=None, data=None, **fields):
        """Post the form as a visitor; ``data`` as pairs, to repeat a field."""
        session = session or requests.Session()
        page = html.fromstring(session.get(self.url, timeout=60).text)
        token = page.xpath("//input[@name='_authenticator']/@value")[0]
        pairs = [("_authenticator", token), ("form.buttons.subscribe", "1")]
        pairs += data if data is not None else list(fields.items())
        response = session.post(self.url, data=pairs, timeout=60)
        transaction.begin()
        return response

    def mails_to(self, address):
        return [m for m in self.sink.messages() if m["X-Envelope-To"] == address]

    def link(self, message):
        return LINK_RE.search(body(message)).group()

    def subscribed(self, email, **fields):
        """An alert asked for and confirmed through its mail."""
        self.assertEqual(self.subscribe(email=email, **fields).status_code, 200)
        (mail,) = self.mails_to(email)
        response = requests.get(self.link(mail), timeout=60)
        self.assertIn("Your alert is active", response.text)
        self.sink.clear()
        transaction.begin()

    def report(self, **overrides):
        login_as(self.portal, "admin")
        report = submit(self.portal, **overrides)
        transaction.commit()
        return report

    def moderate(self, report, button, **data):
        url = report.absolute_url() + "/@@moderate"
        page = html.fromstring(self.moderator.get(url, timeout=60).text)
        data["_authenticator"] = page.xpath("//input[@name='_authenticator']/@value")[0]
        data[f"form.buttons.{button}"] = "1"
        response = self.moderator.post(url, data=data, timeout=60)
        transaction.begin()
        return response

    def approve(self, report, confidential=False):
        self.moderate(report, "confidential" if confidential else "approve")
        self.assertEqual(api.content.get_state(report), "approved")

    def store(self):
        transaction.begin()
        return subscriptions._store(self.folder)

    def stored(self):
        """How many alerts are kept, pending or active."""
        store = self.store()
        return 0 if store is None else len(store.pending) + len(store.active)


class SubscribeTest(AlertsTestCase):
    def test_nothing_before_confirmation_then_one_alert(self):
        response = self.subscribe(email="Anna@Example.org", distance="500", **HERE)
        self.assertEqual(response.status_code, 200)
        self.assertIn("you will receive an e-mail in a few minutes", response.text)
        (mail,) = self.mails_to("anna@example.org")
        self.assertEqual(subject(mail), "Confirm your e-mail alert")
        self.assertIn("within 500 m of 39.220500, 9.110500", body(mail))
        link = self.link(mail)
        self.assertIn("@@alerts-confirm?token=", link)

        self.approve(self.report(title="Buca prima della conferma"))
        self.assertEqual(len(self.mails_to("anna@example.org")), 1)

        response = requests.get(link, timeout=60)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Your alert is active", response.text)
        # The link is spent.
        self.assertIn("not valid", requests.get(link, timeout=60).text)

        self.sink.clear()
        report = self.report(title="Buca dopo la conferma")
        self.approve(report)
        (alert,) = self.mails_to("anna@example.org")
        self.assertIn(report.tracking_number, subject(alert))
        self.assertIn("Buca dopo la conferma", subject(alert))
        self.assertIn(report.absolute_url(), body(alert))
        self.assertIn("@@alerts-unsubscribe?token=", body(alert))

    def test_expired_requests_are_not_confirmed(self):
        login_as(self.portal, "admin")
        eight_days_ago = time.time() - 8 * 24 * 3600
        token = subscriptions.ask(
            self.folder,
            "late@example.org",
            Criteria(category="roads"),
            "en",
            now=eight_days_ago,
        )
        transaction.commit()
        response = requests.get(
            self.folder.absolute_url() + f"/@@alerts-confirm?token={token}", timeout=60
        )
        self.assertIn("not valid or has expired", response.text)
        self.assertEqual(self.store().active.get(subscriptions.digest(token)), None)
        self.assertEqual(len(self.store().active), 0)

    def test_unknown_tokens(self):
        for query in ("", "?token=", "?token=nope", "?token=a&token=b"):
            response = requests.get(
                self.folder.absolute_url() + "/@@alerts-confirm" + query, timeout=60
            )
            self.assertEqual(response.status_code, 200, query)
            self.assertIn("not valid or has expired", response.text)
            response = requests.get(
                self.folder.absolute_url() + "/@@alerts-unsubscribe" + query,
                timeout=60,
            )
            self.assertEqual(response.status_code, 200, query)
            self.assertIn("no longer valid", response.text)

    def test_the_page_does_not_tell_who_subscribed(self):
        self.subscribed("known@example.org", category="roads")
        answers = [
            self.subscribe(email=email, category="roads")
            for email in ("known@example.org", "unknown@example.org")
        ]

        def shown(response):
            # The forms' CSRF tokens differ by session, nothing else may.
            return re.sub(r'value="[0-9a-f]{40,}"', "", response.text)

        self.assertEqual([a.status_code for a in answers], [200, 200])
        self.assertEqual(shown(answers[0]), shown(answers[1]))
        self.assertNotIn("known@example.org", answers[0].text)
        # Only the new address is sent a link.
        self.assertEqual(self.mails_to("known@example.org"), [])
        self.assertEqual(len(self.mails_to("unknown@example.org")), 1)
        # Asked twice within the hour: one link only.
        self.subscribe(email="unknown@example.org", category="roads")
        self.assertEqual(len(self.mails_to("unknown@example.org")), 1)

    def test_the_addresses_are_on_no_route(self):
        """Every name the folder publishes, found rather than listed (as in
        test_privacy_routes), never shows a subscriber's address."""
        self.subscribed("hidden.person@example.org", category="roads")
        self.subscribe(email="pending.person@example.org", category="waste")
        ratelimit.reset()
        create_other_citizen()
        transaction.commit()
        sessions = {"anonymous": requests.Session(), "a citizen": requests.Session()}
        sessions["a citizen"].auth = ("other", "other-secret-1")
        url = self.folder.absolute_url()
        problems = []
        routes = discover(self.folder)
        self.assertIn("alerts-unsubscribe", {r.path.lstrip("@") for r in routes})
        for route in routes:
            for role, session in sessions.items():
                # As test_privacy_routes calls them.
                headers = {"Accept": route.accept} if route.accept else {}
                if route.method == "PROPFIND":
                    headers["Depth"] = "1"
                if route.method in ("COPY", "MOVE"):
                    headers["Destination"] = url + "/moved"
                response = session.request(
                    route.method,
                    f"{url}/{route.path}" if route.path else url,
                    headers=headers,
                    json={} if route.method in ("POST", "PATCH", "PUT") else None,
                    allow_redirects=False,
                    timeout=120,
                )
                text = response.text + str(response.headers)
                if ".person@" in text or response.status_code >= 500:
                    problems.append(f"{route} for {role}: {response.status_code}")
        self.assertEqual(problems, [])


class MatchingTest(AlertsTestCase):
    def test_point_alerts(self):
        self.subscribed("near@example.org", distance="250", **HERE)
        self.approve(self.report(title="Lontano", **FAR))
        self.approve(self.report(title="Riservato"), confidential=True)
        rejected = self.report(title="Respinto")
        self.moderate(rejected, "reject", reason_text="Non pertinente")
        self.assertEqual(api.content.get_state(rejected), "rejected")
        self.approve(self.report(title="Senza luogo", latitude=None, longitude=None))
        self.assertEqual(self.mails_to("near@example.org"), [])
        self.approve(self.report(title="Vicino", category="waste"))
        (alert,) = self.mails_to("near@example.org")
        self.assertIn("Vicino", subject(alert))

    def test_category_alerts(self):
        self.subscribed("roads@example.org", category="roads")
        self.approve(self.report(title="Rifiuti", category="waste"))
        self.assertEqual(self.mails_to("roads@example.org"), [])
        self.approve(self.report(title="Buca lontana", **FAR))
        (alert,) = self.mails_to("roads@example.org")
        self.assertIn("Buca lontana", subject(alert))

    def test_a_category_and_a_point_need_both(self):
        self.subscribed("both@example.org", category="roads", distance="1000", **HERE)
        self.approve(self.report(title="Buca lontana", **FAR))
        self.approve(self.report(title="Rifiuti vicini", category="waste"))
        self.assertEqual(self.mails_to("both@example.org"), [])
        self.approve(self.report(title="Buca vicina"))
        self.assertEqual(len(self.mails_to("both@example.org")), 1)

    def test_one_mail_per_address_and_report(self):
        self.subscribed("twice@example.org", category="roads")
        self.subscribed("twice@example.org", distance="2000", **HERE)
        self.approve(self.report(title="Buca"))
        (alert,) = self.mails_to("twice@example.org")
        # Each matching alert has its own link to stop it.
        self.assertEqual(len(LINK_RE.findall(body(alert))), 2)

    def test_the_alert_has_only_public_data(self):
        self.subscribed("reader@example.org", category="roads")
        report = self.report(
            title="Buca davanti al civico",
            description="Testo originale del cittadino",
            address="Via Roma 12",
        )
        login_as(self.portal, "moderator")
        from collective.civicreports.reports import moderation

        moderation.redact(report, "Buca in via Roma", "Testo pubblico moderato")
        transaction.commit()
        self.approve(report)
        (alert,) = self.mails_to("reader@example.org")
        text = subject(alert) + "\n" + body(alert)
        for value in (*PERSONAL.values(), "Quagliarulo", "Testo originale"):
            self.assertNotIn(value, text)
        for value in (
            "Buca in via Roma",
            "Testo pubblico moderato",
            "Via Roma 12",
            "Category: Dissesto stradale",
            report.tracking_number,
        ):
            self.assertIn(value, text)
        self.assertNotIn("Zebedeo", alert.as_string())

    def test_unsubscribe(self):
        self.subscribed("leaving@example.org", category="roads")
        self.approve(self.report(title="Prima buca"))
        (alert,) = self.mails_to("leaving@example.org")
        link = self.link(alert)
        session = requests.Session()
        # Opening the link shows the alert and a button: a mail scanner
        # that opens every link stops nothing.
        page = session.get(link, timeout=60)
        self.assertIn("reports of the category Dissesto stradale", page.text)
        self.assertEqual(len(self.store().active), 1)
        form = html.fromstring(page.text).xpath(
            "//form[contains(@action, '@@alerts-unsubscribe')]"
        )[0]
        data = {i.get("name"): i.get("value") for i in form.xpath(".//input")}
        data["form.buttons.unsubscribe"] = "1"
        response = session.post(form.get("action"), data=data, timeout=60)
        self.assertEqual(response.status_code, 200)
        self.assertIn("The alert is stopped", response.text)
        self.assertEqual(len(self.store().active), 0)
        self.assertIn("no longer valid", requests.get(link, timeout=60).text)
        self.sink.clear()
        self.approve(self.report(title="Seconda buca"))
        self.assertEqual(self.mails_to("leaving@example.org"), [])

    def test_a_bad_address_does_not_fail_the_approval(self):
        self.subscribed("good@example.org", category="roads")
        self.subscribed("refused@example.org", category="roads")
        login_as(self.portal, "admin")
        # An address the form would refuse, as an import might have kept it.
        store = subscriptions._store(self.folder)
        store.active["bad"] = dict(
            next(iter(store.active.values())), email="bad\nBcc: x@example.org"
        )
        transaction.commit()
        real_send = subscriptions.send

        def send(recipient, subject, body):
            if recipient == "refused@example.org":
                raise smtplib.SMTPRecipientsRefused({recipient: (550, b"No")})
            real_send(recipient, subject, body)

        # The server runs in this process: its alerts go through this send.
        with mock.patch.object(subscriptions, "send", send):
            self.approve(self.report(title="Buca"))
        self.assertEqual(len(self.mails_to("good@example.org")), 1)
        self.assertEqual(self.mails_to("refused@example.org"), [])
        recipients = [m["X-Envelope-To"] for m in self.sink.messages()]
        self.assertFalse([r for r in recipients if "bad" in r or "x@" in r])


class BadInputTest(AlertsTestCase):
    def assertRefused(self, field, message, data=None, **fields):
        response = self.subscribe(data=data, **fields)
        self.assertEqual(response.status_code, 200)
        page = html.fromstring(response.text)
        inline = page.xpath(f"//*[@id='civicreport-alerts-{field}-error']")
        self.assertTrue(inline, f"no inline error for {field}")
        self.assertIn(message, inline[0].text_content())
        # The summary links to the field.
        self.assertTrue(
            page.xpath(
                f"//div[@id='civicreport-alerts-errors']//a[@href='#civicreport-alerts-{field}']"
            )
        )
        self.assertEqual(self.stored(), 0)
        self.assertEqual(self.sink.messages(), [])

    def test_bad_email(self):
        self.assertRefused(
            "email", "valid e-mail", email="not-an-email", category="roads"
        )
        self.assertRefused("email", "valid e-mail", email="", category="roads")

    def test_out_of_range_coordinates(self):
        self.assertRefused(
            "latitude",
            "between -90",
            email="a@example.org",
            latitude="95",
            longitude="9",
        )
        self.assertRefused(
            "longitude",
            "between -180",
            email="a@example.org",
            latitude="39",
            longitude="200",
        )
        self.assertRefused(
            "latitude",
            "not a number",
            email="a@example.org",
            latitude="nan",
            longitude="9",
        )
        self.assertRefused(
            "latitude", "Give both", email="a@example.org", latitude="39.22"
        )

    def test_outside_the_territory(self):
        api.portal.set_registry_record("collective.civicreports.territory", TERRITORY)
        transaction.commit()
        self.assertRefused(
            "latitude",
            "outside the municipal territory",
            email="a@example.org",
            latitude="45.46",
            longitude="9.19",
        )
        self.subscribe(email="inside@example.org", distance="500", **HERE)
        self.assertEqual(len(self.mails_to("inside@example.org")), 1)

    def test_unknown_category(self):
        self.assertRefused(
            "category", "from the list", email="a@example.org", category="nope"
        )
        self.assertRefused(
            "category", "from the list", email="a@example.org", category="../roads"
        )

    def test_nothing_chosen(self):
        self.assertRefused(
            "category", "Choose a category, or give a point", email="a@example.org"
        )

    def test_unknown_distance(self):
        self.assertRefused(
            "distance", "from the list", email="a@example.org", distance="300", **HERE
        )

    def test_duplicated_fields(self):
        self.assertRefused(
            "email",
            "more than once",
            data=[
                ("email", "a@example.org"),
                ("email", "b@example.org"),
                ("category", "roads"),
            ],
        )
        self.assertRefused(
            "category",
            "more than once",
            data=[
                ("email", "a@example.org"),
                ("category", "roads"),
                ("category", "waste"),
            ],
        )

    def test_text_that_is_not_utf8(self):
        response = self.subscribe(
            data=[("email", b"a\xff@example.org"), ("category", "roads")]
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(
            html.fromstring(response.text).xpath(
                "//*[@id='civicreport-alerts-email-error']"
            )
        )
        self.assertEqual(self.stored(), 0)

    def test_without_the_csrf_token(self):
        response = requests.post(
            self.url, data={"email": "a@example.org", "category": "roads"}, timeout=60
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.stored(), 0)


class RateLimitTest(AlertsTestCase):
    def test_per_client(self):
        api.portal.set_registry_record(
            "collective.civicreports.engagement_rate_limit", 2
        )
        transaction.commit()
        session = requests.Session()
        for n in range(2):
            response = self.subscribe(
                session, email=f"c{n}@example.org", category="roads"
            )
            self.assertEqual(response.status_code, 200)
        response = self.subscribe(session, email="c2@example.org", category="roads")
        self.assertEqual(response.status_code, 429)
        self.assertGreater(int(response.headers["Retry-After"]), 0)
        self.assertIn("Too many requests", response.text)
        self.assertEqual(self.mails_to("c2@example.org"), [])

    def test_per_address(self):
        api.portal.set_registry_record(
            "collective.civicreports.engagement_rate_limit", 0
        )
        transaction.commit()
        from collective.civicreports.alerts.views import ADDRESS_LIMIT

        categories = ["roads", "waste", "lighting", "green", "info", "suggestion"]
        statuses = [
            self.subscribe(email="flooded@example.org", category=category).status_code
            for category in categories[: ADDRESS_LIMIT + 1]
        ]
        self.assertEqual(statuses, [200] * ADDRESS_LIMIT + [429])
        self.assertEqual(len(self.mails_to("flooded@example.org")), ADDRESS_LIMIT)


class AlertsPageTest(BrowserCase):
    """The page in Chromium: accessible, no horizontal scrolling, and the
    map an addition to the typed coordinates."""

    def no_horizontal_scrolling(self):
        width = self.driver.execute_script(
            "return document.documentElement.scrollWidth"
        )
        self.assertLessEqual(width, self.width + 1)

    def test_the_alerts_page(self):
        d = self.driver
        self.open(self.folder.absolute_url() + "/@@alerts")
        self.check_axe("alerts")
        self.no_horizontal_scrolling()
        # Leaflet comes from the add-on's files: the map shows, and a click
        # on it sets the point (the tiles are unreachable: a grey map).
        self.wait.until(
            EC.visibility_of_element_located((By.ID, "civicreport-alerts-map"))
        )
        self.click(d.find_element(By.ID, "civicreport-alerts-map"))
        self.assertTrue(
            d.find_element(By.ID, "civicreport-alerts-latitude").get_attribute("value")
        )
        self.no_horizontal_scrolling()
        # Sent with a wrong address: the errors, inline, are accessible too.
        d.find_element(By.ID, "civicreport-alerts-email").send_keys("not-an-address")
        button = d.find_element(By.ID, "civicreport-alerts-send")
        self.click(button)
        self.wait.until(EC.staleness_of(button))
        self.assertTrue(
            d.find_element(By.ID, "civicreport-alerts-email-error").is_displayed()
        )
        self.check_axe("alerts with errors")
        self.no_horizontal_scrolling()


class AlertsPageOnAPhoneTest(AlertsPageTest):
    width, height = 390, 844

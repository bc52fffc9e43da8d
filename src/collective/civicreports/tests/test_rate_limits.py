"""Limits on every anonymous write route, counted in the database so that
every Zope process of a site shares them; a 429 with Retry-After."""

from collective.civicreports.security import ratelimit
from collective.civicreports.security.ratelimit import ANNOTATION_KEY
from collective.civicreports.security.ratelimit import WINDOW
from collective.civicreports.testing import INTEGRATION_TESTING
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import OPEN311_REQUEST
from collective.civicreports.tests.base import payload
from collective.civicreports.tests.base import report_in
from lxml import html
from PIL import Image
from plone import api
from zope.annotation.interfaces import IAnnotations

import base64
import io
import requests
import transaction
import unittest


JSON = {"Accept": "application/json"}
HOUR = 1_800_000 * WINDOW  # a whole hour, far from the epoch's first


class CounterTest(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        ratelimit.reset()

    def hits(self, count, now, client="address:10.0.0.1", limit=3):
        return [
            ratelimit.hit("test", client, limit, now=now).allowed for _ in range(count)
        ]

    def test_limit_and_retry_after(self):
        self.assertEqual(self.hits(4, HOUR + 60), [True, True, True, False])
        refused = ratelimit.hit("test", "address:10.0.0.1", 3, now=HOUR + 60)
        # Only next hour, once this hour's three weigh less than one spare.
        self.assertEqual(refused.retry_after, WINDOW - 60 + WINDOW // 3)
        # Another client, another action: counted apart.
        self.assertEqual(self.hits(1, HOUR + 60, client="address:10.0.0.2"), [True])
        self.assertTrue(
            ratelimit.hit("other", "address:10.0.0.1", 3, now=HOUR + 60).allowed
        )

    def test_the_window_slides(self):
        self.hits(3, HOUR + WINDOW - 10)
        # At the turn of the hour the previous one still weighs almost all.
        self.assertEqual(self.hits(1, HOUR + WINDOW + 10), [False])
        # Two thirds into the next hour it weighs one: two more fit.
        self.assertEqual(
            self.hits(3, HOUR + WINDOW + 2 * WINDOW // 3 + 1), [True, True, False]
        )
        # Two hours later nothing is left.
        self.assertEqual(self.hits(3, HOUR + 3 * WINDOW), [True, True, True])

    def test_check_does_not_count(self):
        for _ in range(5):
            self.assertTrue(
                ratelimit.check("test", "address:10.0.0.1", 1, now=HOUR).allowed
            )
        self.assertEqual(self.hits(2, HOUR, limit=1), [True, False])
        self.assertFalse(
            ratelimit.check("test", "address:10.0.0.1", 1, now=HOUR).allowed
        )

    def test_no_limit(self):
        self.assertEqual(self.hits(50, HOUR, limit=0), [True] * 50)

    def test_no_address_is_kept_and_old_hours_go(self):
        self.hits(2, HOUR)
        self.hits(1, HOUR + 5 * WINDOW, client="address:10.0.0.9")
        transaction.begin()  # see what the counters' own transactions wrote
        counters = IAnnotations(api.portal.get())[ANNOTATION_KEY]
        keys = list(counters.counts.keys())
        self.assertNotIn("10.0.0", repr(keys))
        self.assertEqual([key[0] for key in keys], [HOUR // WINDOW + 5])


class RoutesTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder_url = self.portal["segnalazioni"].absolute_url()
        for name in ("anonymous", "citizen", "open311", "engagement"):
            api.portal.set_registry_record(
                f"collective.civicreports.{name}_rate_limit", 2
            )
        login_as(self.portal, "admin")
        self.public = report_in(self.portal, "assigned")
        transaction.commit()
        ratelimit.reset()

    def count(self):
        transaction.begin()
        return len(self.portal["segnalazioni"].objectIds())

    def assertLimited(self, responses):
        self.assertEqual([r.status_code for r in responses][2], 429)
        self.assertGreater(int(responses[2].headers["Retry-After"]), 0)

    def test_rest(self):
        before = self.count()
        responses = [
            requests.post(
                self.folder_url + "/@reports",
                json=payload(images=[]),
                headers=JSON,
                timeout=60,
            )
            for _ in range(3)
        ]
        self.assertEqual([r.status_code for r in responses[:2]], [201, 201])
        self.assertLimited(responses)
        self.assertEqual(responses[2].json()["error"]["type"], "TooManyRequests")
        self.assertEqual(self.count(), before + 2)
        # A logged-in citizen has a limit of their own; the staff none.
        for auth, expected in (
            (("citizen", "citizen"), [201, 201, 429]),
            (("moderator", "moderator"), [201, 201, 201]),
        ):
            statuses = [
                requests.post(
                    self.folder_url + "/@reports",
                    json=payload(images=[]),
                    auth=auth,
                    headers=JSON,
                    timeout=60,
                ).status_code
                for _ in range(3)
            ]
            self.assertEqual(statuses, expected, auth)

    def test_form(self):
        session = requests.Session()
        url = self.folder_url + "/@@segnala"
        responses = []
        for title in ("Uno", "Due", "Tre"):
            token = html.fromstring(session.get(url, timeout=60).text).xpath(
                "//input[@name='_authenticator']/@value"
            )[0]
            data = {
                "_authenticator": token,
                "privacy_consent": "1",
                "category": "info",
                "title": title,
                "description": "Vorrei sapere gli orari.",
                "reporter_fullname": "Mario Rossi",
                "reporter_email": "mario.rossi@example.org",
                "form.buttons.send": "send",
            }
            responses.append(
                session.post(url, data=data, timeout=60, allow_redirects=False)
            )
        self.assertEqual([r.status_code for r in responses[:2]], [302, 302])
        self.assertLimited(responses)
        self.assertIn("Too many reports", responses[2].text)

    def test_open311_per_key(self):
        url = self.portal.absolute_url() + "/open311/v2/requests.json"
        data = OPEN311_REQUEST
        responses = [requests.post(url, data=data, timeout=60) for _ in range(3)]
        self.assertEqual([r.status_code for r in responses[:2]], [200, 200])
        self.assertLimited(responses)
        self.assertEqual(responses[2].json()[0]["code"], 429)

    def test_follow_support_and_replies(self):
        session = requests.Session()
        url = self.public.absolute_url()
        token = html.fromstring(session.get(url, timeout=60).text).xpath(
            "//input[@name='_authenticator']/@value"
        )[0]
        responses = [
            session.post(
                url + "/@@follow",
                data={"_authenticator": token, "email": f"vicino{n}@example.org"},
                timeout=60,
                allow_redirects=False,
            )
            for n in range(3)
        ]
        self.assertEqual([r.status_code for r in responses[:2]], [302, 302])
        self.assertLimited(responses)
        # The same count: support is refused now too.
        support = session.post(
            url + "/@@support",
            data={"_authenticator": token},
            timeout=60,
            allow_redirects=False,
        )
        self.assertEqual(support.status_code, 429)


class PixelBudgetTest(unittest.TestCase):
    layer = SERVER_TESTING

    def test_pixels_of_one_request(self):
        api.portal.set_registry_record(
            "collective.civicreports.anonymous_rate_limit", 0
        )
        api.portal.set_registry_record("collective.civicreports.photo_pixel_budget", 60)
        transaction.commit()
        buffer = io.BytesIO()
        # 36 megapixels of one colour: a PNG of a few kilobytes.
        Image.new("RGB", (6000, 6000), (10, 10, 10)).save(buffer, "PNG")
        image = {"data": base64.b64encode(buffer.getvalue()).decode()}
        self.assertLess(len(buffer.getvalue()), 500_000)
        portal = self.layer["portal"]
        url = portal["segnalazioni"].absolute_url() + "/@reports"
        response = requests.post(
            url, json=payload(images=[image, image]), headers=JSON, timeout=120
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("too large to process together", response.text)
        response = requests.post(
            url, json=payload(images=[image]), headers=JSON, timeout=120
        )
        self.assertEqual(response.status_code, 201)

"""``@reports`` (GET), ``@report-categories``, ``@report-stats`` and the
JSON of a report, over real HTTP."""

from collective.civicreports.reports import engagement
from collective.civicreports.reports import moderation
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import image_data
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import new_request
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import report_in
from collective.civicreports.tests.base import run_as
from collective.civicreports.tests.base import submit
from datetime import date
from datetime import timedelta
from plone import api
from urllib.parse import parse_qs
from urllib.parse import urlparse

import requests
import transaction
import unittest


# The transitions that bring a new report to each state.

ITEM_KEYS = {
    "@id",
    "tracking_number",
    "title",
    "description",
    "category",
    "category_title",
    "kind",
    "review_state",
    "state_title",
    "created",
    "modified",
    "latitude",
    "longitude",
    "office",
}

MODERATOR = ("moderator", "moderator")
WASTE = ("waste", "waste")
CITIZEN = ("citizen", "citizen")


class EndpointCase(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        login_as(self.portal, "admin")
        self.folder_url = self.portal.absolute_url() + "/segnalazioni"

    def report(self, state="approved", **overrides):
        return report_in(self.portal, state, **overrides)

    def get(self, url, params=None, auth=None):
        response = requests.get(
            url,
            params=params,
            auth=auth,
            headers={"Accept": "application/json"},
            timeout=60,
        )
        transaction.begin()  # see what the server committed
        return response

    def search(self, params=None, auth=None):
        return self.get(self.folder_url + "/@reports", params, auth)

    def numbers(self, params=None, auth=None):
        response = self.search(params, auth)
        self.assertEqual(response.status_code, 200, response.text)
        return sorted(item["tracking_number"] for item in response.json()["items"])


class SearchAnonymousTest(EndpointCase):
    def test_only_public_reports(self):
        public = [self.report(state) for state in ("approved", "assigned", "closed")]
        for state in ("submitted", "rejected"):
            self.report(state)
        confidential = self.report("approved")
        confidential.confidential = True
        confidential.reindexObject()
        confidential.reindexObjectSecurity()
        transaction.commit()
        expected = sorted(report.tracking_number for report in public)
        self.assertEqual(self.numbers(), expected)
        self.assertEqual(self.numbers(auth=CITIZEN), expected)

    def test_item_shape_without_personal_data(self):
        report = self.report("assigned", latitude=39.2212, longitude=9.1187)
        transaction.commit()
        response = self.search()
        self.assertEqual(response.status_code, 200, response.text)
        data = response.json()
        self.assertEqual(data["@id"], self.folder_url + "/@reports")
        self.assertEqual(data["items_total"], 1)
        self.assertNotIn("batching", data)
        (item,) = data["items"]
        self.assertEqual(set(item), ITEM_KEYS)
        self.assertEqual(item["@id"], report.absolute_url())
        self.assertEqual(item["tracking_number"], report.tracking_number)
        self.assertEqual(item["title"], "Buca in via Roma")
        self.assertEqual(item["category"], "roads")
        self.assertEqual(item["category_title"], "Dissesto stradale")
        self.assertEqual(item["kind"], "malfunction")
        self.assertEqual(item["review_state"], "assigned")
        self.assertEqual(item["state_title"], "Assigned")
        self.assertEqual(item["office"], "office-roads")
        self.assertAlmostEqual(item["latitude"], 39.2212)
        self.assertAlmostEqual(item["longitude"], 9.1187)
        self.assertRegex(item["created"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
        for value in PERSONAL.values():
            self.assertNotIn(value, response.text)

    def test_filters(self):
        roads = self.report("approved")
        waste = self.report("assigned", category="waste", title="Sacchi abbandonati")
        info = self.report("approved", category="info", title="Orari dell'anagrafe")
        transaction.commit()
        self.assertEqual(self.numbers({"category": "waste"}), [waste.tracking_number])
        self.assertEqual(self.numbers({"kind": "information"}), [info.tracking_number])
        self.assertEqual(self.numbers({"state": "assigned"}), [waste.tracking_number])
        self.assertEqual(self.numbers({"text": "anagrafe"}), [info.tracking_number])
        today = date.today()
        everything = sorted(r.tracking_number for r in (roads, waste, info))
        self.assertEqual(self.numbers({"start": today.isoformat()}), everything)
        self.assertEqual(self.numbers({"end": today.isoformat()}), everything)
        tomorrow = (today + timedelta(days=1)).isoformat()
        yesterday = (today - timedelta(days=1)).isoformat()
        self.assertEqual(self.numbers({"start": tomorrow}), [])
        self.assertEqual(self.numbers({"end": yesterday}), [])

    def test_batching(self):
        reports = [self.report("approved") for _index in range(3)]
        transaction.commit()
        response = self.search({"b_size": 2})
        self.assertEqual(response.status_code, 200, response.text)
        data = response.json()
        self.assertEqual(data["items_total"], 3)
        self.assertEqual(len(data["items"]), 2)
        next_url = data["batching"]["next"]
        self.assertEqual(parse_qs(urlparse(next_url).query)["b_start"], ["2"])
        second = self.get(next_url).json()
        self.assertEqual(second["items_total"], 3)
        self.assertEqual(len(second["items"]), 1)
        self.assertNotIn("next", second["batching"])
        # Newest first, each report once over the two pages.
        numbers = [item["tracking_number"] for item in data["items"] + second["items"]]
        self.assertEqual(numbers, [r.tracking_number for r in reversed(reports)])
        data = self.search({"b_size": 2, "b_start": 2}).json()
        self.assertEqual(
            [item["tracking_number"] for item in data["items"]],
            [reports[0].tracking_number],
        )

    def test_bad_parameters(self):
        self.report("approved")
        transaction.commit()
        for params in (
            {"start": "yesterday"},
            {"end": "2024-13-45"},
            # ISO 8601 dates fromisoformat would take, and nobody means.
            {"start": "2026-W48-1"},
            {"end": "20261130"},
            {"b_size": "many"},
            {"b_start": "-1"},
            {"state": "submitted"},
            {"state": "nonsense"},
            {"kind": "nonsense"},
            {"category": "Not A Category!"},
            {"channel": "carrier pigeon"},
            {"bbox": "9.1,39.2,9.0"},
            {"bbox": "9.2,39.2,9.1,39.3"},
            {"sort": "random"},
        ):
            with self.subTest(params=params):
                response = self.search(params)
                self.assertEqual(response.status_code, 400, response.text)
                error = response.json()["error"]
                self.assertEqual(error["type"], "BadRequest")
                self.assertIn(next(iter(params)), error["message"])


class QueueFiltersTest(EndpointCase):
    """The moderation queue's filters and orders, over REST too."""

    def test_channel_area_findings_and_order(self):
        near = self.report("approved")
        far = self.report("approved", latitude=39.25, longitude=9.15)
        held = self.report(
            "submitted", description="Chiamatemi al 347 000 1122, grazie."
        )
        transaction.commit()
        self.assertEqual(
            self.numbers({"bbox": "9.14,39.24,9.16,39.26"}), [far.tracking_number]
        )
        self.assertEqual(self.numbers({"channel": "phone"}), [])
        self.assertEqual(
            self.numbers({"channel": "web"}),
            sorted([near.tracking_number, far.tracking_number]),
        )
        oldest = self.search({"sort": "oldest"}).json()["items"]
        self.assertEqual(oldest[0]["tracking_number"], near.tracking_number)
        self.assertEqual(
            self.numbers({"findings": "yes"}, auth=MODERATOR), [held.tracking_number]
        )
        # Not a filter for the public: it would tell nothing, and is ignored.
        self.assertEqual(
            self.numbers({"findings": "yes"}),
            sorted([near.tracking_number, far.tracking_number]),
        )


class SearchStaffTest(EndpointCase):
    def test_moderator_sees_submitted_reports(self):
        public = self.report("approved")
        submitted = self.report("submitted")
        rejected = self.report("rejected")
        transaction.commit()
        self.assertEqual(self.numbers(), [public.tracking_number])
        every = sorted(r.tracking_number for r in (public, submitted, rejected))
        self.assertEqual(self.numbers(auth=MODERATOR), every)
        self.assertEqual(
            self.numbers({"state": "submitted"}, auth=MODERATOR),
            [submitted.tracking_number],
        )
        response = self.search({"state": "nonsense"}, auth=MODERATOR)
        self.assertEqual(response.status_code, 400, response.text)

    def test_office_sees_only_its_own_reports(self):
        roads = self.report("submitted")
        waste = self.report("submitted", category="waste")
        public = self.report("approved")
        transaction.commit()
        # The waste office handles its submitted report, not the roads one.
        self.assertEqual(
            self.numbers(auth=WASTE),
            sorted([waste.tracking_number, public.tracking_number]),
        )
        self.assertEqual(
            self.numbers({"state": "submitted"}, auth=WASTE), [waste.tracking_number]
        )
        self.assertNotIn(roads.tracking_number, self.search(auth=WASTE).text)


class CategoriesTest(EndpointCase):
    def test_active_categories(self):
        api.portal.set_registry_record(
            "collective.civicreports.category/green.active", False
        )
        transaction.commit()
        response = self.get(self.portal.absolute_url() + "/@report-categories")
        self.assertEqual(response.status_code, 200, response.text)
        items = {item["id"]: item for item in response.json()["items"]}
        self.assertNotIn("green", items)
        self.assertIn("roads", items)
        self.assertEqual(
            set(items["roads"]),
            {
                "id",
                "title",
                "description",
                "kind",
                "kind_title",
                "identification",
                "allow_anonymous",
                "answer_days",
                "within_territory",
                "questions",
            },
        )
        self.assertEqual(items["roads"]["title"], "Dissesto stradale")
        self.assertEqual(items["roads"]["kind"], "malfunction")
        self.assertEqual(items["roads"]["kind_title"], "Malfunction")
        # The demo's questions (test_questions.py checks their shape).
        self.assertEqual(
            [q["code"] for q in items["roads"]["questions"]], ["dimensione", "pericolo"]
        )
        self.assertEqual(items["lighting"]["questions"], [])
        self.assertIs(items["roads"]["allow_anonymous"], True)
        self.assertIs(items["complaint"]["allow_anonymous"], False)
        self.assertEqual(items["roads"]["identification"], "anonymous")
        self.assertEqual(items["complaint"]["identification"], "account")
        # The office is the staff's business.
        self.assertNotIn("office-roads", response.text)


class StatsTest(EndpointCase):
    def url(self):
        return self.folder_url + "/@report-stats"

    def test_moderator_gets_the_figures(self):
        self.report("submitted")
        self.report("approved")
        self.report("assigned", category="waste")
        self.report("closed", category="waste")
        transaction.commit()
        response = self.get(self.url(), auth=MODERATOR)
        self.assertEqual(response.status_code, 200, response.text)
        data = response.json()
        self.assertEqual(data["total"], 4)
        self.assertEqual(data["by_category"], {"roads": 2, "waste": 2})
        self.assertEqual(
            data["by_state"],
            {"approved": 1, "assigned": 1, "closed": 1, "submitted": 1},
        )
        self.assertEqual(data["by_channel"], {"web": 4})
        self.assertEqual(sum(data["by_month"].values()), 4)
        self.assertEqual(data["closed_within_deadline"], 1)
        self.assertEqual(data["overdue_now"], 0)
        self.assertIsNotNone(data["median_hours_to_assignment"])
        self.assertIsNotNone(data["median_days_to_closing"])
        for value in PERSONAL.values():
            self.assertNotIn(value, response.text)
        filtered = self.get(self.url(), {"category": "waste"}, MODERATOR).json()
        self.assertEqual(filtered["total"], 2)
        tomorrow = (date.today() + timedelta(days=1)).isoformat()
        later = self.get(self.url(), {"start": tomorrow}, MODERATOR).json()
        self.assertEqual(later["total"], 0)
        bad = self.get(self.url(), {"start": "soon"}, MODERATOR)
        self.assertEqual(bad.status_code, 400, bad.text)

    def test_others_are_refused(self):
        self.report("approved")
        transaction.commit()
        for auth in (None, CITIZEN):
            with self.subTest(auth=auth):
                response = self.get(self.url(), auth=auth)
                self.assertEqual(response.status_code, 401, response.text)
                self.assertNotIn("by_state", response.text)


class ReportJSONTest(EndpointCase):
    def setUp(self):
        super().setUp()
        photo = {"content-type": "image/jpeg", "data": image_data()}
        self.obj = submit(
            self.portal,
            images=[
                dict(photo, filename="buca.jpg"),
                dict(photo, filename="targa.jpg"),
            ],
        )
        new_request()
        # The second photo shows a number plate: it stays with the staff.
        moderation.approve(self.obj, published_photos=("photo-1.jpg",))
        engagement.add_support(self.obj)
        engagement.add_support(self.obj, "citizen")
        transaction.commit()
        self.url = self.obj.absolute_url()

    def test_timeline_and_support(self):
        data = self.get(self.url).json()
        steps = data["timeline"]
        self.assertEqual([step["state"] for step in steps], ["submitted", "approved"])
        self.assertEqual([step["title"] for step in steps], ["Submitted", "Approved"])
        self.assertRegex(steps[0]["date"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
        self.assertEqual(data["support_count"], 2)
        run_as(self.portal, "moderator", "assign", self.obj)
        transaction.commit()
        steps = self.get(self.url).json()["timeline"]
        self.assertEqual(steps[-1]["state"], "assigned")

    def test_anonymous_gets_published_photos_only(self):
        response = self.get(self.url)
        self.assertEqual(response.status_code, 200, response.text)
        data = response.json()
        self.assertEqual(
            data["photos"],
            [
                {
                    "@id": self.url + "/photo-1.jpg",
                    "url": self.url + "/photo-1.jpg/@@images/image",
                }
            ],
        )
        children = [item["@id"] for item in data["items"]]
        self.assertEqual(children, [self.url + "/photo-1.jpg"])
        self.assertNotIn("photo-2.jpg", response.text)
        image = requests.get(self.url + "/photo-1.jpg/@@images/image", timeout=60)
        self.assertEqual(image.status_code, 200)

    def test_reporter_gets_published_photos_only(self):
        """The reporter may open their unpublished photos, yet the report
        lists what the public sees, as its page does."""
        photo = {"content-type": "image/jpeg", "data": image_data()}
        own = submit(
            self.portal,
            "citizen",
            reporter={},
            images=[dict(photo, filename="a.jpg"), dict(photo, filename="b.jpg")],
        )
        new_request()
        moderation.approve(own, published_photos=("photo-2.jpg",))
        transaction.commit()
        url = own.absolute_url()
        unpublished = self.get(url + "/photo-1.jpg", auth=CITIZEN)
        self.assertEqual(unpublished.status_code, 200)
        data = self.get(url, auth=CITIZEN).json()
        self.assertEqual(
            [photo["@id"] for photo in data["photos"]], [url + "/photo-2.jpg"]
        )
        self.assertNotIn("published", data["photos"][0])

    def test_staff_get_every_photo_with_its_flag(self):
        data = self.get(self.url, auth=MODERATOR).json()
        self.assertEqual(
            [(photo["@id"], photo["published"]) for photo in data["photos"]],
            [(self.url + "/photo-1.jpg", True), (self.url + "/photo-2.jpg", False)],
        )
        children = sorted(item["@id"] for item in data["items"])
        self.assertEqual(
            children, [self.url + "/photo-1.jpg", self.url + "/photo-2.jpg"]
        )

    def test_personal_data_only_for_the_staff(self):
        for auth in (None, CITIZEN, WASTE):
            with self.subTest(auth=auth):
                response = self.get(self.url, auth=auth)
                self.assertEqual(response.status_code, 200, response.text)
                keys = [key for key in response.json() if key.startswith("reporter_")]
                self.assertEqual(keys, [])
                for value in PERSONAL.values():
                    self.assertNotIn(value, response.text)
        data = self.get(self.url, auth=MODERATOR).json()
        self.assertEqual(data["reporter_email"], PERSONAL["email"])
        self.assertEqual(data["reporter_fullname"], PERSONAL["fullname"])

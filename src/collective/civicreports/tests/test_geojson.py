"""``GET @reports-geojson``: the public reports on a map, over real HTTP."""

from collective.civicreports.categories.registry import get_category
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import new_request
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import report_in
from collective.civicreports.tests.base import run_as
from DateTime import DateTime
from plone import api
from zope.event import notify
from zope.lifecycleevent import ObjectModifiedEvent

import requests
import transaction
import unittest


# The transitions that bring a new report to each state.

PROPERTIES = {
    "tracking_number",
    "title",
    "category",
    "category_title",
    "state",
    "state_title",
    "created",
    "url",
}


class GeoJSONCase(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        login_as(self.portal, "admin")
        self.url = self.portal.absolute_url() + "/segnalazioni/@reports-geojson"

    def report(self, state="approved", **overrides):
        return report_in(self.portal, state, **overrides)

    def get(self, params=None, auth=None, headers=None):
        response = requests.get(
            self.url,
            params=params,
            auth=auth,
            headers={"Accept": "application/json", **(headers or {})},
            timeout=60,
        )
        transaction.begin()  # see what the server committed
        return response

    def numbers(self, params=None, auth=None):
        response = self.get(params, auth=auth)
        self.assertEqual(response.status_code, 200, response.text)
        return sorted(feature["id"] for feature in response.json()["features"])


class PublicReportsTest(GeoJSONCase):
    def test_only_public_reports_with_a_place(self):
        for state in ("submitted", "rejected"):
            self.report(state)
        public = [self.report(state) for state in ("approved", "assigned", "closed")]
        confidential = self.report("approved")
        confidential.confidential = True
        confidential.reindexObject()
        confidential.reindexObjectSecurity()
        self.report("approved", category="info", latitude=None, longitude=None)
        transaction.commit()
        expected = sorted(report.tracking_number for report in public)
        # The staff may see the others, so they tell whether the query
        # leaves them out; anonymous users, whether permissions are applied.
        for auth in (None, ("moderator", "moderator")):
            with self.subTest(auth=auth):
                response = self.get(auth=auth)
                self.assertEqual(response.status_code, 200, response.text)
                self.assertEqual(
                    response.headers["Content-Type"],
                    "application/geo+json; charset=utf-8",
                )
                data = response.json()
                self.assertEqual(data["type"], "FeatureCollection")
                numbers = sorted(feature["id"] for feature in data["features"])
                self.assertEqual(numbers, expected)

    def test_feature_shape(self):
        report = self.report(latitude=39.2212345678, longitude=9.1187654321)
        transaction.commit()
        response = self.get()
        self.assertEqual(response.status_code, 200, response.text)
        (feature,) = response.json()["features"]
        self.assertEqual(feature["type"], "Feature")
        self.assertEqual(feature["id"], report.tracking_number)
        # GeoJSON puts the longitude first.
        self.assertEqual(
            feature["geometry"], {"type": "Point", "coordinates": [9.118765, 39.221235]}
        )
        properties = feature["properties"]
        self.assertEqual(set(properties), PROPERTIES)
        self.assertEqual(properties["tracking_number"], report.tracking_number)
        self.assertEqual(properties["title"], "Buca in via Roma")
        self.assertEqual(properties["category"], "roads")
        self.assertEqual(properties["category_title"], "Dissesto stradale")
        self.assertEqual(properties["state"], "approved")
        self.assertEqual(properties["state_title"], "Approved")
        self.assertEqual(properties["url"], report.absolute_url())
        self.assertRegex(
            properties["created"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$"
        )
        self.assertEqual(properties["created"], report.created().ISO8601())
        # Neither the reporter nor the description, in any form.
        for value in PERSONAL.values():
            self.assertNotIn(value, response.text)
        self.assertNotIn("Una buca profonda", response.text)
        self.assertNotIn("Via Roma 12", response.text)

    def test_anonymous_and_staff_get_the_same_reports(self):
        public = self.report("approved")
        submitted = self.report("submitted")
        transaction.commit()
        # The moderator may see the submitted report, but not here.
        response = self.get(auth=("moderator", "moderator"))
        transaction.begin()
        self.assertTrue(response.ok, response.text)
        self.assertEqual(response.headers["Cache-Control"], "private, no-cache")
        staff = sorted(feature["id"] for feature in response.json()["features"])
        response = self.get()
        self.assertEqual(response.headers["Cache-Control"], "public, max-age=60")
        anonymous = sorted(feature["id"] for feature in response.json()["features"])
        self.assertEqual(staff, [public.tracking_number])
        self.assertEqual(anonymous, staff)
        self.assertNotIn(submitted.tracking_number, response.text)


class FiltersTest(GeoJSONCase):
    def test_bbox(self):
        west = self.report(latitude=39.20, longitude=9.05)
        east = self.report(latitude=39.28, longitude=9.20)
        transaction.commit()
        self.assertEqual(
            self.numbers({"bbox": "9.0,39.18,9.1,39.25"}), [west.tracking_number]
        )
        self.assertEqual(
            self.numbers({"bbox": "9.15,39.26,9.21,39.29"}), [east.tracking_number]
        )
        # The edges belong to the box.
        self.assertEqual(
            self.numbers({"bbox": "9.05,39.20,9.20,39.28"}),
            sorted([west.tracking_number, east.tracking_number]),
        )
        self.assertEqual(self.numbers({"bbox": "10,40,11,41"}), [])

    def test_category_and_state(self):
        roads = self.report("approved")
        waste = self.report("assigned", category="waste")
        info = self.report("approved", category="info")
        transaction.commit()
        self.assertEqual(self.numbers({"category": "roads"}), [roads.tracking_number])
        self.assertEqual(self.numbers({"state": "assigned"}), [waste.tracking_number])
        self.assertEqual(
            self.numbers({"state": "approved"}),
            sorted([roads.tracking_number, info.tracking_number]),
        )
        self.assertEqual(self.numbers({"category": "waste", "state": "approved"}), [])
        self.assertEqual(self.numbers({"category": "lighting"}), [])

    def test_since(self):
        old = self.report()
        new = self.report()
        # Nothing in the workflow touches the date set here.
        old.setModificationDate(DateTime("2020-01-01T12:00:00+00:00"))
        old.reindexObject(idxs=["modified"])
        transaction.commit()
        both = sorted([old.tracking_number, new.tracking_number])
        self.assertEqual(self.numbers({"since": "2019-12-31"}), both)
        self.assertEqual(self.numbers({"since": "2021-01-01"}), [new.tracking_number])
        self.assertEqual(self.numbers({"since": "2020-01-01T11:00:00+00:00"}), both)
        self.assertEqual(
            self.numbers({"since": "2020-01-01T13:00:00+00:00"}),
            [new.tracking_number],
        )

    def test_bad_parameters(self):
        bad = [
            ({"bbox": "9.0,39.1,9.3"}, "bbox"),
            ({"bbox": "9.0,39.1,9.3,39.4,1"}, "bbox"),
            ({"bbox": "a,b,c,d"}, "bbox"),
            ({"bbox": "9.0,39.1,9.3,nan"}, "bbox"),
            ({"bbox": "9.0,39.1,9.3,95"}, "bbox"),
            ({"bbox": "181,39.1,182,39.4"}, "bbox"),
            ({"bbox": "9.3,39.1,9.0,39.4"}, "bbox"),
            ({"bbox": "9.0,39.4,9.3,39.1"}, "bbox"),
            ({"state": "submitted"}, "state"),
            ({"state": "rejected"}, "state"),
            ({"category": "Not an id!"}, "category"),
            ({"since": "garbage"}, "since"),
            ({"since": "2024-13-45"}, "since"),
            ({"since": "2026-W48-1"}, "since"),
            ({"since": "US/Eastern"}, "since"),
            ({"state": ["approved", "closed"]}, "state"),
        ]
        for params, name in bad:
            with self.subTest(params=params):
                response = self.get(params)
                self.assertEqual(response.status_code, 400, response.text)
                error = response.json()["error"]
                self.assertEqual(error["type"], "BadRequest")
                self.assertTrue(error["message"].startswith(name + ": "), error)

    def test_empty_parameters_are_ignored(self):
        report = self.report()
        transaction.commit()
        params = {"bbox": "", "category": "", "state": "", "since": ""}
        self.assertEqual(self.numbers(params), [report.tracking_number])


class ReadyFeaturesTest(GeoJSONCase):
    """Each feature is kept ready in the catalog: it must follow every
    change of what it shows, and stay valid JSON whatever the text."""

    def feature(self, number):
        response = self.get()
        self.assertEqual(response.status_code, 200, response.text)
        found = [f for f in response.json()["features"] if f["id"] == number]
        self.assertEqual(len(found), 1, response.text)
        return found[0]["properties"]

    def test_text_that_json_must_escape(self):
        title = 'Buca "grande" \\ a\tb \u2028 </script> città ☂'
        # As a moderator may write it: a submission's title is on one line.
        report = self.report()
        report.title = title
        report.reindexObject()
        transaction.commit()
        self.assertEqual(self.feature(report.tracking_number)["title"], title)

    def test_moderated_title(self):
        from collective.civicreports.reports.moderation import redact

        report = self.report()
        new_request()
        redact(report, "Buca stradale", report.description)
        transaction.commit()
        self.assertEqual(self.feature(report.tracking_number)["title"], "Buca stradale")

    def test_category_title_from_the_registry(self):
        report = self.report()
        transaction.commit()
        self.feature(report.tracking_number)
        get_category("roads").title = "Strade e marciapiedi"
        transaction.commit()
        properties = self.feature(report.tracking_number)
        self.assertEqual(properties["category_title"], "Strade e marciapiedi")

    def test_deleted_and_made_confidential(self):
        deleted, hidden, kept = (self.report() for _ in range(3))
        transaction.commit()
        api.content.delete(deleted)
        hidden.confidential = True
        notify(ObjectModifiedEvent(hidden))
        transaction.commit()
        self.assertEqual(self.numbers(), [kept.tracking_number])

    def test_the_index_is_rebuilt_with_the_catalog(self):
        public = [self.report(), self.report("closed")]
        self.report("submitted")
        transaction.commit()
        catalog = api.portal.get_tool("portal_catalog")
        catalog.manage_catalogClear()
        transaction.commit()
        self.assertEqual(self.numbers(), [])
        catalog.clearFindAndRebuild()
        transaction.commit()
        self.assertEqual(self.numbers(), sorted(r.tracking_number for r in public))

    def test_only_the_folder_asked(self):
        report = self.report()
        other = api.content.create(
            container=self.portal, type="ReportFolder", id="altro", title="Altro"
        )
        api.content.transition(obj=other, transition="publish")
        api.content.move(source=report, target=other)
        kept = self.report()
        transaction.commit()
        self.assertEqual(self.numbers(), [kept.tracking_number])
        self.url = other.absolute_url() + "/@reports-geojson"
        self.assertEqual(self.numbers(), [report.tracking_number])
        self.assertEqual(
            self.feature(report.tracking_number)["url"],
            other.absolute_url() + "/" + report.getId(),
        )


class CachingTest(GeoJSONCase):
    def test_etag(self):
        self.report()
        later = self.report("submitted")
        transaction.commit()
        first = self.get()
        self.assertEqual(first.status_code, 200)
        etag = first.headers["ETag"]
        self.assertRegex(etag, r'^"[0-9a-f]+"$')
        again = self.get(headers={"If-None-Match": etag})
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")
        self.assertEqual(again.headers["ETag"], etag)
        # A changed list is a new version.
        run_as(self.portal, "moderator", "approve", later)
        transaction.commit()
        changed = self.get(headers={"If-None-Match": etag})
        self.assertEqual(changed.status_code, 200)
        self.assertNotEqual(changed.headers["ETag"], etag)
        self.assertIn(later.tracking_number, changed.text)

    def test_state_change_is_a_new_version(self):
        report = self.report("assigned")
        transaction.commit()
        etag = self.get().headers["ETag"]
        run_as(self.portal, "moderator", "close", report)
        transaction.commit()
        response = self.get(headers={"If-None-Match": etag})
        self.assertEqual(response.status_code, 200)
        (feature,) = response.json()["features"]
        self.assertEqual(feature["properties"]["state"], "closed")

    def test_filters_have_their_own_etag(self):
        self.report()
        transaction.commit()
        everything = self.get().headers["ETag"]
        nothing = self.get({"bbox": "10,40,11,41"})
        self.assertEqual(nothing.status_code, 200)
        self.assertNotEqual(nothing.headers["ETag"], everything)
        self.assertEqual(nothing.json()["features"], [])

    def test_last_modified(self):
        report = self.report()
        transaction.commit()
        first = self.get()
        last_modified = first.headers["Last-Modified"]
        self.assertEqual(DateTime(last_modified).timeTime(), int(report.modified()))
        again = self.get(headers={"If-Modified-Since": last_modified})
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")
        older = self.get(headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
        self.assertEqual(older.status_code, 200)
        self.assertEqual(len(older.json()["features"]), 1)

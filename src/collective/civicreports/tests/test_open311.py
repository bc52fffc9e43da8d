"""The Open311 GeoReport v2 server, ``<site>/open311/v2/``, over real HTTP,
as an Open311 client uses it."""

from collective.civicreports.categories.registry import get_category
from collective.civicreports.content.report import Report
from collective.civicreports.inputs.text import printable
from collective.civicreports.open311.keys import create_key
from collective.civicreports.open311.keys import key_records
from collective.civicreports.open311.keys import revoke_key
from collective.civicreports.open311.query import search
from collective.civicreports.open311.query import service_request
from collective.civicreports.open311.serialize import errors
from collective.civicreports.open311.serialize import ITEMS
from collective.civicreports.open311.serialize import render
from collective.civicreports.reports.dates import iso
from collective.civicreports.reports.moderation import approve
from collective.civicreports.reports.moderation import photos
from collective.civicreports.reports.moderation import redact
from collective.civicreports.reports.moderation import set_photo_published
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import PATHS
from collective.civicreports.tests.base import payload
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import run_as
from collective.civicreports.tests.base import submit
from DateTime import DateTime
from datetime import datetime
from plone import api
from plone.app.contenttypes.content import Image
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from Products.ZCatalog.CatalogBrains import AbstractCatalogBrain as CatalogBrain
from unittest import mock
from xml.etree import ElementTree
from ZODB.Connection import Connection

import json
import re
import requests
import transaction
import unittest


DEMO_KEY = "demo-open311-key"
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
# ISO 8601 with a time zone (Z or an offset).
ZONED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
ADMIN = (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)


def client_form(**overrides):
    form = {
        "api_key": DEMO_KEY,
        "service_code": "roads",
        "lat": "39.22",
        "long": "9.11",
        "address_string": "Via Roma 12",
        "description": "Una buca profonda davanti al civico 12, pericolosa per i motorini.",
        "email": PERSONAL["email"],
        "first_name": PERSONAL["fullname"].split()[0],
        "last_name": PERSONAL["fullname"].split()[1],
        "phone": PERSONAL["phone"],
        "device_id": "device-1",
    }
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}


class Open311Case(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        login_as(self.portal, "admin")
        self.base = self.portal.absolute_url() + "/open311/v2/"

    def get(self, path, params=None, auth=None):
        response = requests.get(self.base + path, params=params, auth=auth, timeout=60)
        transaction.begin()  # see what the server committed
        return response

    def post(self, fmt="json", **overrides):
        response = requests.post(
            self.base + f"requests.{fmt}", data=client_form(**overrides), timeout=60
        )
        transaction.begin()
        return response

    def json(self, response, status=200):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(
            response.headers["Content-Type"], "application/json; charset=utf-8"
        )
        return response.json()

    def xml(self, response, status=200):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(response.headers["Content-Type"], "text/xml; charset=utf-8")
        self.assertTrue(
            response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
        )
        return ElementTree.fromstring(response.content)

    def assertJSONError(self, response, code):
        data = self.json(response, code)
        self.assertEqual(len(data), 1, data)
        self.assertEqual(set(data[0]), {"code", "description"})
        self.assertEqual(data[0]["code"], code)
        self.assertTrue(data[0]["description"])
        return data[0]["description"]

    def assertXMLError(self, response, code):
        root = self.xml(response, code)
        self.assertEqual(root.tag, "errors")
        self.assertEqual([child.tag for child in root], ["error"])
        error = root[0]
        self.assertEqual([child.tag for child in error], ["code", "description"])
        self.assertEqual(error.findtext("code"), str(code))
        self.assertTrue(error.findtext("description"))
        return error.findtext("description")

    def count(self):
        transaction.begin()
        return len(self.portal["segnalazioni"].objectIds())

    def report(self, state="approved", **overrides):
        report = submit(self.portal, **overrides)
        for transition in PATHS[state]:
            if transition == "close":
                report.answer = "Buca riparata."
            run_as(self.portal, "moderator", transition, report)
        return report


class DiscoveryAndServicesTest(Open311Case):
    def test_discovery(self):
        data = self.json(self.get("discovery.json"))
        self.assertTrue(data["changeset"])
        self.assertIn("urp@comune.example.it", data["contact"])
        self.assertTrue(data["key_service"])
        endpoint = data["endpoints"][0]
        self.assertEqual(
            endpoint["specification"], "http://wiki.open311.org/GeoReport_v2"
        )
        self.assertEqual(endpoint["url"], self.base)
        self.assertEqual(endpoint["type"], "production")
        self.assertEqual(endpoint["formats"], ["text/xml", "application/json"])
        # Clients look for it above the versions too.
        response = requests.get(
            self.portal.absolute_url() + "/open311/discovery.json", timeout=60
        )
        self.assertEqual(self.json(response)["endpoints"][0]["url"], self.base)
        root = self.xml(self.get("discovery.xml"))
        self.assertEqual(root.tag, "discovery")
        endpoint = root.find("endpoints/endpoint")
        self.assertEqual(endpoint.findtext("url"), self.base)
        self.assertEqual(
            [f.text for f in endpoint.findall("formats/format")],
            ["text/xml", "application/json"],
        )

    def test_no_format_is_not_found_in_xml(self):
        for path in ("services", "services.html", "discovery.txt", ""):
            with self.subTest(path=path):
                self.assertXMLError(self.get(path), 404)
        self.assertJSONError(self.get("nowhere.json"), 404)

    def test_services_only_active(self):
        get_category("green").active = False
        transaction.commit()
        data = self.json(self.get("services.json"))
        codes = [service["service_code"] for service in data]
        self.assertIn("roads", codes)
        self.assertIn("complaint", codes)
        self.assertNotIn("green", codes)
        roads = next(service for service in data if service["service_code"] == "roads")
        self.assertEqual(
            set(roads),
            {
                "service_code",
                "service_name",
                "description",
                "metadata",
                "type",
                "keywords",
                "group",
            },
        )
        self.assertEqual(roads["service_name"], get_category("roads").title)
        # The demo's roads ask two questions (test_questions.py has more).
        self.assertIs(roads["metadata"], True)
        self.assertEqual(roads["type"], "realtime")
        self.assertEqual(roads["keywords"], "malfunction")
        root = self.xml(self.get("services.xml"))
        self.assertEqual(root.tag, "services")
        self.assertEqual({child.tag for child in root}, {"service"})
        xml_codes = [service.findtext("service_code") for service in root]
        self.assertEqual(xml_codes, codes)
        self.assertEqual(
            [service.findtext("metadata") for service in root],
            ["true" if service["metadata"] else "false" for service in data],
        )
        self.assertIn("false", [service.findtext("metadata") for service in root])

    def test_service_definition(self):
        data = self.json(self.get("services/lighting.json"))
        self.assertEqual(data, {"service_code": "lighting", "attributes": []})
        root = self.xml(self.get("services/roads.xml"))
        self.assertEqual(root.tag, "service_definition")
        self.assertEqual(root.findtext("service_code"), "roads")
        self.assertEqual(
            [a.findtext("code") for a in root.find("attributes")],
            ["dimensione", "pericolo"],
        )
        self.assertJSONError(self.get("services/nothing.json"), 404)
        get_category("green").active = False
        transaction.commit()
        self.assertXMLError(self.get("services/green.xml"), 404)

    def test_unknown_tokens(self):
        for token in ("abc", "0" * 32):
            self.assertJSONError(self.get(f"tokens/{token}.json"), 404)
        self.assertXMLError(self.get("tokens/abc.xml"), 404)


class PostRequestTest(Open311Case):
    def test_post_json(self):
        before = self.count()
        data = self.json(self.post())
        self.assertEqual(len(data), 1)
        self.assertEqual(
            set(data[0]),
            {"service_request_id", "token", "service_notice", "account_id"},
        )
        number = data[0]["service_request_id"]
        self.assertRegex(number, r"^\d{4}-\d{6}$")
        self.assertEqual(self.count(), before + 1)
        report = self.portal["segnalazioni"][number]
        self.assertEqual(api.content.get_state(report), "submitted")
        self.assertEqual(report.channel, "api")
        self.assertEqual(report.category, "roads")
        self.assertEqual(report.reporter_fullname, PERSONAL["fullname"])
        self.assertEqual(report.reporter_email, PERSONAL["email"])
        self.assertEqual(report.reporter_phone, PERSONAL["phone"])
        self.assertEqual(report.address, "Via Roma 12")
        self.assertAlmostEqual(report.geolocation.latitude, 39.22)
        self.assertEqual(report.title, client_form()["description"][:60])
        self.assertEqual(report.office, "office-roads")

    def test_post_xml_and_channel_of_the_key(self):
        create_key("Chiosco", "desk", key="desk-key-123", key_id="desk")
        transaction.commit()
        root = self.xml(self.post("xml", api_key="desk-key-123"))
        self.assertEqual(root.tag, "service_requests")
        request = root.find("request")
        self.assertEqual(
            [child.tag for child in request],
            ["service_request_id", "token", "service_notice", "account_id"],
        )
        report = self.portal["segnalazioni"][request.findtext("service_request_id")]
        self.assertEqual(report.channel, "desk")

    def test_the_token_leads_to_the_request(self):
        posted = self.json(self.post())[0]
        for fmt in ("json", "xml"):
            response = self.get(f"tokens/{posted['token']}.{fmt}")
            if fmt == "json":
                self.assertEqual(
                    self.json(response),
                    [
                        {
                            "service_request_id": posted["service_request_id"],
                            "token": posted["token"],
                        }
                    ],
                )
            else:
                request = self.xml(response).find("request")
                self.assertEqual(
                    request.findtext("service_request_id"),
                    posted["service_request_id"],
                )
        # Known as soon as it is posted, long before it is public.
        self.assertJSONError(
            self.get(f"requests/{posted['service_request_id']}.json"), 404
        )

    def test_media_url_is_noted_not_fetched(self):
        data = self.json(self.post(media_url="http://example.org/buca.jpg"))
        report = self.portal["segnalazioni"][data[0]["service_request_id"]]
        self.assertEqual(report.objectIds(), [])
        self.assertIn("http://example.org/buca.jpg", report.internal_notes)

    def test_category_closed_to_anonymous_users(self):
        # "complaint" needs a login on the site; a key may use it.
        data = self.json(self.post(service_code="complaint", lat=None, long=None))
        report = self.portal["segnalazioni"][data[0]["service_request_id"]]
        self.assertEqual(report.category, "complaint")
        self.assertEqual(report.office, "moderators")

    def test_key_required(self):
        before = self.count()
        self.assertJSONError(self.post(api_key=None), 403)
        self.assertXMLError(self.post("xml", api_key="wrong"), 403)
        self.assertJSONError(self.post(api_key=DEMO_KEY + "x"), 403)
        self.assertEqual(self.count(), before)

    def test_revoked_key(self):
        self.json(self.post())
        revoke_key("demo")
        transaction.commit()
        before = self.count()
        self.assertJSONError(self.post(), 403)
        self.assertXMLError(self.post("xml"), 403)
        self.assertEqual(self.count(), before)

    def test_unknown_service(self):
        before = self.count()
        self.assertIn(
            "service_code", self.assertJSONError(self.post(service_code="nothing"), 400)
        )
        get_category("green").active = False
        transaction.commit()
        self.assertXMLError(self.post("xml", service_code="green"), 400)
        self.assertEqual(self.count(), before)

    def test_location_required(self):
        before = self.count()
        self.assertJSONError(self.post(lat=None, long=None, address_string=None), 400)
        self.assertXMLError(
            self.post("xml", lat="39.22", long=None, address_string=None), 400
        )
        self.assertEqual(self.count(), before)
        # An address alone is a place.
        self.json(self.post(lat=None, long=None))

    def test_description_at_most_4000_characters(self):
        before = self.count()
        self.assertXMLError(self.post("xml", description="x" * 4001), 400)
        self.assertJSONError(self.post(description="x" * 4001), 400)
        self.assertEqual(self.count(), before)
        self.json(self.post(description="x" * 4000))

    def test_our_rules_become_errors(self):
        before = self.count()
        description = self.assertJSONError(self.post(email="not-an-address"), 400)
        self.assertTrue(description.startswith("email: "), description)
        root = self.xml(
            self.post("xml", email=None, first_name=None, last_name=None), 400
        )
        self.assertEqual(root.tag, "errors")
        self.assertEqual(len(root), 2)
        self.assertEqual({e.findtext("code") for e in root}, {"400"})
        self.assertEqual(self.count(), before)


class GetRequestsTest(Open311Case):
    def numbers(self, params=None):
        data = self.json(self.get("requests.json", params))
        return sorted(item["service_request_id"] for item in data)

    def test_only_public_reports(self):
        for state in ("submitted", "rejected"):
            self.report(state)
        public = [self.report(state) for state in ("approved", "assigned", "closed")]
        confidential = self.report("approved")
        confidential.confidential = True
        confidential.reindexObject()
        confidential.reindexObjectSecurity()
        transaction.commit()
        expected = sorted(report.tracking_number for report in public)
        self.assertEqual(self.numbers(), expected)
        # Staff see more on the site, never here.
        response = self.get("requests.json", auth=("moderator", "moderator"))
        self.assertEqual(
            sorted(item["service_request_id"] for item in self.json(response)),
            expected,
        )
        root = self.xml(self.get("requests.xml"))
        self.assertEqual(root.tag, "service_requests")
        self.assertEqual(
            sorted(r.findtext("service_request_id") for r in root.findall("request")),
            expected,
        )

    def test_fields_dates_and_no_personal_data(self):
        closed = self.report("closed")
        transaction.commit()
        response = self.get("requests.json")
        for value in PERSONAL.values():
            self.assertNotIn(value, response.text)
        item = self.json(response)[0]
        self.assertEqual(list(item), REQUEST_FIELDS)
        self.assertEqual(item["service_request_id"], closed.tracking_number)
        self.assertEqual(item["status"], "closed")
        self.assertEqual(item["status_notes"], "Buca riparata.")
        self.assertEqual(item["service_code"], "roads")
        self.assertEqual(item["agency_responsible"], "Ufficio Strade")
        self.assertEqual(item["description"], closed.description)
        self.assertEqual(item["address"], "Via Roma 12")
        self.assertAlmostEqual(item["lat"], 39.22)
        self.assertAlmostEqual(item["long"], 9.11)
        for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
            self.assertRegex(item[name], ZONED, name)
        self.assertGreater(
            datetime.fromisoformat(item["expected_datetime"]),
            datetime.fromisoformat(item["requested_datetime"]),
        )
        root = self.xml(self.get("requests.xml"))
        self.assertEqual([child.tag for child in root[0]], REQUEST_FIELDS)
        for value in PERSONAL.values():
            self.assertNotIn(value, self.get("requests.xml").text)

    def test_media_url_only_for_a_published_photo(self):
        report = self.report("approved")
        transaction.commit()
        self.assertEqual(self.json(self.get("requests.json"))[0]["media_url"], "")
        set_photo_published(photos(report)[0], True)
        transaction.commit()
        self.assertEqual(
            self.json(self.get("requests.json"))[0]["media_url"],
            report.absolute_url() + "/photo-1.jpg/@@images/image",
        )

    def test_filters(self):
        roads = self.report("approved")
        green = self.report("assigned", category="green")
        closed = self.report("closed")
        old = self.report("approved")
        old.creation_date = DateTime() - 200
        old.reindexObject()
        transaction.commit()
        self.assertEqual(
            self.numbers(),
            sorted(r.tracking_number for r in (roads, green, closed)),
        )
        self.assertEqual(
            self.numbers({"service_code": "green"}), [green.tracking_number]
        )
        self.assertEqual(
            self.numbers({"service_code": "green,roads", "status": "open"}),
            sorted([roads.tracking_number, green.tracking_number]),
        )
        self.assertEqual(self.numbers({"status": "closed"}), [closed.tracking_number])
        # Ids override every other argument, the default 90 days too.
        self.assertEqual(
            self.numbers(
                {
                    "service_request_id": f"{old.tracking_number},{green.tracking_number}",
                    "service_code": "roads",
                    "status": "closed",
                }
            ),
            sorted([old.tracking_number, green.tracking_number]),
        )
        start = (DateTime() - 250).ISO8601()
        end = (DateTime() - 150).ISO8601()
        self.assertEqual(
            self.numbers({"start_date": start, "end_date": end}), [old.tracking_number]
        )
        self.assertEqual(
            self.numbers({"start_date": start}),
            sorted(r.tracking_number for r in (roads, green, closed, old)),
        )
        self.assertEqual(self.numbers({"end_date": end}), [old.tracking_number])
        self.assertJSONError(self.get("requests.json", {"status": "pending"}), 400)
        self.assertXMLError(self.get("requests.xml", {"start_date": "yesterday"}), 400)

    def test_newest_first(self):
        first = self.report("approved")
        first.creation_date = DateTime() - 2
        first.reindexObject()
        second = self.report("approved")
        transaction.commit()
        data = self.json(self.get("requests.json"))
        self.assertEqual(
            [item["service_request_id"] for item in data],
            [second.tracking_number, first.tracking_number],
        )

    def test_single_request(self):
        public = self.report("assigned")
        submitted = self.report("submitted")
        transaction.commit()
        data = self.json(self.get(f"requests/{public.tracking_number}.json"))
        self.assertEqual(len(data), 1)
        self.assertEqual(data[0]["service_request_id"], public.tracking_number)
        self.assertEqual(data[0]["status"], "open")
        root = self.xml(self.get(f"requests/{public.tracking_number}.xml"))
        self.assertEqual(root.find("request").findtext("status"), "open")
        self.assertJSONError(
            self.get(f"requests/{submitted.tracking_number}.json"), 404
        )
        self.assertXMLError(self.get(f"requests/{submitted.tracking_number}.xml"), 404)
        self.assertJSONError(self.get("requests/nothing.json"), 404)


class CatalogAnswerTest(Open311Case):
    """``GET requests`` reads the catalog: it wakes no report, and answers
    what the reports themselves say."""

    def varied(self):
        """Public reports in the states and shapes the answer must render,
        and reports it must leave out; newest last."""
        api.portal.set_registry_record("collective.civicreports.working_days", True)
        get_category("green").answer_days = 5
        two = payload()["images"] * 2
        approved = self.report("approved", images=two)
        approved.description = "Prima riga\nseconda riga\r\nterza."
        approved.reindexObject()
        # The second photo published, the first not: the first published
        # one is the media.
        assigned = self.report("assigned", category="green", images=two)
        set_photo_published(photos(assigned)[1], True)
        assigned.received = datetime(2026, 3, 20, 10, 30)
        assigned.reindexObject()
        fixed = self.report("closed")
        fixed.resolution = "fixed"
        fixed.reindexObject()
        not_competent = self.report("closed", category="green")
        not_competent.resolution = "not_competent"
        not_competent.reindexObject()
        reopened = self.report("closed")
        reopened.resolution = "no_action"
        reopened.reindexObject()
        run_as(self.portal, "roads", "reopen", reopened)
        # Redacted by the moderator, then approved with its photo.
        redacted = self.report(
            "submitted",
            description=f"Chiamatemi al {PERSONAL['phone']}, la buca è enorme.",
        )
        login_as(self.portal, "moderator")
        redact(redacted, redacted.title, "Chiamatemi [omissis], la buca è enorme.")
        approve(redacted, published_photos=["photo-1.jpg"])
        login_as(self.portal, "admin")
        confidential = self.report("approved")
        confidential.confidential = True
        confidential.reindexObject()
        confidential.reindexObjectSecurity()
        submitted = self.report("submitted")
        transaction.commit()
        public = [approved, assigned, fixed, not_competent, reopened, redacted]
        return public, [confidential, submitted]

    def test_the_answer_is_what_the_reports_say(self):
        public, private = self.varied()
        numbers = {report.tracking_number for report in public}
        for extensions in ("", "true"):
            params = {"extensions": extensions}
            data = self.json(self.get("requests.json", params))
            self.assertEqual({item["service_request_id"] for item in data}, numbers)
            # What the answer was when it was read from each report.
            by_number = {
                report.tracking_number: service_request(report, bool(extensions))
                for report in public
            }
            expected = [by_number[item["service_request_id"]] for item in data]
            self.assertEqual(data, expected)
            xml = requests.get(self.base + "requests.xml", params=params, timeout=60)
            self.assertEqual(
                xml.content, render("xml", "service_requests", expected)[0]
            )
            for report in public:
                number = report.tracking_number
                single = self.json(self.get(f"requests/{number}.json", params))
                self.assertEqual(single, [by_number[number]])
        for report in private:
            self.assertJSONError(
                self.get(f"requests/{report.tracking_number}.json"), 404
            )
        # The reports are as varied as they should be, for the comparison
        # above to mean something.
        approved, assigned, fixed, not_competent, reopened, redacted = (
            by_number[report.tracking_number] for report in public
        )
        self.assertIn("\n", approved["description"])
        self.assertEqual(approved["media_url"], "")
        self.assertTrue(assigned["media_url"].endswith("/photo-2.jpg/@@images/image"))
        self.assertTrue(redacted["media_url"].endswith("/photo-1.jpg/@@images/image"))
        self.assertIn("[omissis]", redacted["description"])
        self.assertNotIn(PERSONAL["phone"], json.dumps(data))
        self.assertEqual(
            [
                item["extended_attributes"]["detailed_status"]
                for item in (approved, assigned, fixed, not_competent, reopened)
            ],
            [
                "OPEN",
                "IN_PROGRESS",
                "FIXED",
                "NOT_COUNCILS_RESPONSIBILITY",
                "IN_PROGRESS",
            ],
        )
        self.assertEqual(fixed["status_notes"], "Buca riparata.")
        self.assertNotEqual(assigned["agency_responsible"], fixed["agency_responsible"])
        self.assertTrue(
            assigned["expected_datetime"].startswith("2026-03-27T10:30:00"),
            assigned["expected_datetime"],
        )

    def test_no_report_is_woken(self):
        public, _private = self.varied()
        for _ in range(6):
            public.append(self.report("assigned"))
        transaction.commit()
        loaded = []
        setstate = Connection.setstate

        def counting(connection, obj):
            if isinstance(obj, (Report, Image)):
                loaded.append(obj._p_oid)
            return setstate(connection, obj)

        queries = [
            ("requests.json", {}),
            ("requests.xml", {"extensions": "true"}),
            (f"requests/{public[0].tracking_number}.json", {}),
        ]
        for path, params in queries:
            # Every connection forgets the objects, the server's too (it
            # waits in the pool between requests).
            self.portal._p_jar.db().cacheMinimize()
            with mock.patch.object(Connection, "setstate", counting):
                response = requests.get(self.base + path, params=params, timeout=60)
            self.assertEqual(response.status_code, 200, response.text)
            self.assertEqual(loaded, [], path)
        self.assertEqual(len(json.loads(self.get("requests.json").text)), 12)
        # The check can fail: waking a report is seen.
        self.portal._p_jar.db().cacheMinimize()
        with mock.patch.object(Connection, "setstate", counting):
            requests.get(
                self.portal.absolute_url() + f"/segnalazioni/{public[0].getId()}",
                timeout=60,
            )
        self.assertTrue(loaded)

    def test_the_column_holds_only_public_reports(self):
        catalog = api.portal.get_tool("portal_catalog")
        report = self.report(
            "submitted",
            description=f"Chiamatemi al {PERSONAL['phone']}, la buca è enorme.",
        )
        transaction.commit()

        def column():
            transaction.begin()
            (brain,) = catalog.unrestrictedSearchResults(
                tracking_number=report.tracking_number
            )
            return brain.report_public

        self.assertIsNone(column())
        login_as(self.portal, "moderator")
        redact(report, report.title, "Chiamatemi [omissis], la buca è enorme.")
        approve(report)
        login_as(self.portal, "admin")
        transaction.commit()
        self.assertEqual(
            column(),
            {
                "description": "Chiamatemi [omissis], la buca è enorme.",
                "answer": None,
                "address": "Via Roma 12",
                "latitude": 39.22,
                "longitude": 9.11,
                "photos": ("photo-1.jpg",),
                "created": iso(report.created()),
                "modified": iso(report.modified()),
            },
        )
        report.confidential = True
        report.reindexObject()
        transaction.commit()
        self.assertIsNone(column())

    def test_upgrade_to_1007(self):
        from collective.civicreports.upgrades.v1007 import upgrade

        public, _private = self.varied()
        catalog = api.portal.get_tool("portal_catalog")
        answer = search(self.portal, {"extensions": "true"})
        # A site of 1006: no column. The answer is the same, from the
        # reports, until the upgrade fills it.
        catalog.delColumn("report_public")
        transaction.commit()
        self.assertEqual(search(self.portal, {"extensions": "true"}), answer)
        upgrade(api.portal.get_tool("portal_setup"))
        transaction.commit()
        self.assertIn("report_public", catalog.schema())
        brains = catalog.unrestrictedSearchResults(portal_type="Report")
        filled = {
            brain.getId for brain in brains if isinstance(brain.report_public, dict)
        }
        self.assertEqual(filled, {report.getId() for report in public})
        with mock.patch.object(CatalogBrain, "getObject", side_effect=AssertionError):
            self.assertEqual(search(self.portal, {"extensions": "true"}), answer)


class XMLWriterTest(unittest.TestCase):
    """The XML is written as text, as ElementTree wrote it before."""

    def element_tree(self, root, data):
        def fill(element, name, value):
            if isinstance(value, dict):
                for key, item in value.items():
                    fill(ElementTree.SubElement(element, key), key, item)
            elif isinstance(value, (list, tuple)):
                child = ITEMS.get(name, "item")
                for item in value:
                    fill(ElementTree.SubElement(element, child), child, item)
            elif isinstance(value, bool):
                element.text = "true" if value else "false"
            elif value is not None:
                element.text = printable(str(value))

        element = ElementTree.Element(root)
        fill(element, root, data)
        body = ElementTree.tostring(element, encoding="unicode")
        return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")

    def test_as_element_tree_wrote_it(self):
        request = {
            "service_request_id": "2026-000001",
            "description": "Buca & <tombino> \"rotto\" 'qui'\r\ne là\x00\x1f\ufffe\ud800",
            "status_notes": "",
            "lat": 39.22,
            "long": None,
            "zero": 0,
            "empty": {},
            "extended_attributes": {"detailed_status": "FIXED"},
        }
        documents = [
            ("service_requests", [request, dict(request, description="")]),
            ("service_requests", []),
            ("errors", errors(400, "Errore: <niente> & tutto")),
            (
                "service_definition",
                {
                    "service_code": "roads",
                    "attributes": [
                        {"variable": True, "required": False, "values": []},
                        {"values": [{"key": "a", "name": "A"}], "order": 2},
                    ],
                },
            ),
            (
                "discovery",
                {"endpoints": [{"formats": ["text/xml", "application/json"]}]},
            ),
        ]
        for root, data in documents:
            body, content_type = render("xml", root, data)
            self.assertEqual(content_type, "text/xml; charset=utf-8")
            self.assertEqual(body, self.element_tree(root, data), root)


class RoundTripTest(Open311Case):
    def http(self, method, url, auth, **kwargs):
        response = requests.request(
            method,
            url,
            auth=auth,
            headers={"Accept": "application/json"},
            timeout=60,
            **kwargs,
        )
        transaction.begin()
        return response

    def test_round_trip(self):
        number = self.json(self.post())[0]["service_request_id"]
        self.assertJSONError(self.get(f"requests/{number}.json"), 404)
        url = self.portal.absolute_url() + f"/segnalazioni/{number}"
        moderator, office = ("moderator", "moderator"), ("roads", "roads")
        response = self.http("POST", url + "/@workflow/approve", moderator, json={})
        self.assertEqual(response.json()["review_state"], "approved", response.text)
        item = self.json(self.get(f"requests/{number}.json"))[0]
        self.assertEqual((item["status"], item["status_notes"]), ("open", ""))
        response = self.http("POST", url + "/@workflow/assign", moderator, json={})
        self.assertEqual(response.json()["review_state"], "assigned", response.text)
        response = self.http("PATCH", url, office, json={"answer": "Buca chiusa ieri."})
        self.assertEqual(response.status_code, 204, response.text)
        response = self.http("POST", url + "/@workflow/close", office, json={})
        self.assertEqual(response.json()["review_state"], "closed", response.text)
        item = self.json(self.get(f"requests/{number}.json"))[0]
        self.assertEqual(item["status"], "closed")
        self.assertEqual(item["status_notes"], "Buca chiusa ieri.")
        self.assertEqual(item["agency_responsible"], "Ufficio Strade")


class ApiKeysControlPanelTest(Open311Case):
    def setUp(self):
        super().setUp()
        self.url = self.portal.absolute_url() + "/@@civicreports-apikeys"

    def token(self, auth=ADMIN):
        page = requests.get(self.url, auth=auth, timeout=60)
        self.assertEqual(page.status_code, 200)
        return re.search(
            r'name="_authenticator"\s+type="hidden"\s+value="([^"]+)"', page.text
        ).group(1)

    def keys(self):
        transaction.begin()
        records = key_records()
        return {key_id: records[key_id] for key_id in records}

    def test_create_and_revoke(self):
        page = requests.get(self.url, auth=ADMIN, timeout=60)
        self.assertIn(DEMO_KEY, page.text)
        response = requests.post(
            self.url,
            auth=ADMIN,
            data={
                "_authenticator": self.token(),
                "label": "App del Comune",
                "channel": "api",
                "create": "1",
            },
            timeout=60,
        )
        self.assertEqual(response.status_code, 200, response.text)
        created = [k for k in self.keys().values() if k.label == "App del Comune"]
        self.assertEqual(len(created), 1)
        secret = created[0].key
        self.assertGreaterEqual(len(secret), 24)
        self.assertIn(secret, requests.get(self.url, auth=ADMIN, timeout=60).text)
        self.json(self.post(api_key=secret))
        key_id = next(i for i, k in self.keys().items() if k.key == secret)
        response = requests.post(
            self.url,
            auth=ADMIN,
            data={"_authenticator": self.token(), "revoke": key_id},
            timeout=60,
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(self.keys()[key_id].active)
        self.assertJSONError(self.post(api_key=secret), 403)
        self.json(self.post())  # the other keys still work

    def test_revoke_an_unknown_key(self):
        for key_id in ("0bad-id!", "nothing"):
            response = requests.post(
                self.url,
                auth=ADMIN,
                data={"_authenticator": self.token(), "revoke": key_id},
                timeout=60,
            )
            self.assertEqual(response.status_code, 200, response.text)
        self.assertTrue(self.keys()["demo"].active)

    def test_create_needs_a_known_channel(self):
        before = len(self.keys())
        requests.post(
            self.url,
            auth=ADMIN,
            data={
                "_authenticator": self.token(),
                "label": "X",
                "channel": "carrier-pigeon",
                "create": "1",
            },
            timeout=60,
        )
        self.assertEqual(len(self.keys()), before)

    def test_without_authenticator_nothing_changes(self):
        before = len(self.keys())
        requests.post(
            self.url, auth=ADMIN, data={"label": "X", "create": "1"}, timeout=60
        )
        requests.post(self.url, auth=ADMIN, data={"revoke": "demo"}, timeout=60)
        self.assertEqual(len(self.keys()), before)
        self.assertTrue(self.keys()["demo"].active)

    def test_non_managers_refused(self):
        for auth in (None, ("moderator", "moderator"), ("citizen", "citizen")):
            with self.subTest(auth=auth):
                response = requests.get(
                    self.url, auth=auth, timeout=60, allow_redirects=False
                )
                self.assertNotEqual(response.status_code, 200)
                self.assertNotIn(DEMO_KEY, response.text)
                response = requests.post(
                    self.url,
                    auth=auth,
                    data={"revoke": "demo"},
                    timeout=60,
                    allow_redirects=False,
                )
                self.assertNotEqual(response.status_code, 200)
        self.assertTrue(self.keys()["demo"].active)

    def test_configlet(self):
        configlets = api.portal.get_tool("portal_controlpanel").listActions()
        self.assertIn("civicreports-apikeys", [action.id for action in configlets])

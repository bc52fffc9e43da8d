"""``POST @reports`` and the staff's standard endpoints, over real HTTP."""

from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import image_data
from collective.civicreports.tests.base import payload
from collective.civicreports.tests.base import PERSONAL
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD

import base64
import requests
import transaction
import unittest


class RestCase(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        self.folder_url = self.portal_url + "/segnalazioni"

    def http(self, method, url, auth=None, **kwargs):
        response = requests.request(
            method,
            url,
            auth=auth,
            headers={"Accept": "application/json"},
            timeout=60,
            **kwargs,
        )
        transaction.begin()  # see what the server committed
        return response

    def post(self, data, auth=None):
        return self.http("POST", self.folder_url + "/@reports", auth=auth, json=data)

    def count(self):
        transaction.begin()
        return len(self.portal["segnalazioni"].objectIds())


ADMIN = (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)


class SubmissionTest(RestCase):
    def test_anonymous_submission(self):
        response = self.post(payload())
        self.assertEqual(response.status_code, 201, response.text)
        data = response.json()
        self.assertEqual(set(data), {"@id", "tracking_number", "review_state"})
        self.assertEqual(data["review_state"], "submitted")
        self.assertRegex(data["tracking_number"], r"^\d{4}-\d{6}$")
        self.assertEqual(response.headers["Location"], data["@id"])
        report = self.portal["segnalazioni"][data["tracking_number"]]
        self.assertEqual(report.tracking_number, data["tracking_number"])
        self.assertEqual(report.reporter_email, PERSONAL["email"])
        self.assertEqual(report.office, "office-roads")
        self.assertEqual(report.channel, "web")
        self.assertAlmostEqual(report.geolocation.latitude, 39.22)
        self.assertEqual(report.objectIds(), ["photo-1.jpg"])
        self.assertEqual(report["photo-1.jpg"].image.contentType, "image/jpeg")
        # Nobody is the owner of an anonymous report.
        self.assertEqual(report.creators, ())

    def test_attachments_are_never_public(self):
        pdf = base64.b64encode(b"%PDF-1.4\n% a document\n%%EOF").decode()
        response = self.post(
            payload(attachments=[{"filename": "esposto.pdf", "data": pdf}])
        )
        self.assertEqual(response.status_code, 201, response.text)
        url = response.json()["@id"]
        self.http(
            "POST", url + "/@workflow/approve", auth=("moderator", "moderator"), json={}
        )
        report = self.portal["segnalazioni"][response.json()["tracking_number"]]
        self.assertEqual(report["attachment-1.pdf"].file.contentType, "application/pdf")
        # The report is public, its document is not.
        self.assertEqual(self.http("GET", url).status_code, 200)
        self.assertEqual(self.http("GET", url + "/attachment-1.pdf").status_code, 401)
        self.assertNotIn("attachment-1.pdf", self.http("GET", url).text)
        staff = self.http("GET", url + "/attachment-1.pdf", auth=("roads", "roads"))
        self.assertEqual(staff.status_code, 200)

    def test_numbers_are_sequential_and_unique(self):
        first = self.post(payload()).json()["tracking_number"]
        second = self.post(payload()).json()["tracking_number"]
        year, number = first.split("-")
        self.assertEqual(second, f"{year}-{int(number) + 1:06d}")

    def test_logged_in_citizen(self):
        data = payload(reporter={})
        response = self.post(data, auth=("citizen", "citizen"))
        self.assertEqual(response.status_code, 201, response.text)
        report = self.portal["segnalazioni"][response.json()["tracking_number"]]
        # Name and e-mail come from the member's profile.
        self.assertEqual(report.reporter_email, "carla.cittadina@example.org")
        self.assertEqual(report.reporter_fullname, "Carla Cittadina")
        self.assertIn("Owner", report.get_local_roles_for_userid("citizen"))
        response = self.http("GET", response.json()["@id"], auth=("citizen", "citizen"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json()["reporter_email"], "carla.cittadina@example.org"
        )

    def test_category_closed_to_anonymous_users(self):
        before = self.count()
        response = self.post(payload(category="complaint"))
        self.assertEqual(response.status_code, 400)
        self.assertIn("Log in", response.json()["error"]["message"])
        self.assertEqual(self.count(), before)
        response = self.post(payload(category="complaint"), auth=("citizen", "citizen"))
        self.assertEqual(response.status_code, 201, response.text)

    def test_operator_records_the_channel(self):
        data = payload(
            channel="phone", privacy_consent=None, reporter={"fullname": "Anna Bianchi"}
        )
        response = self.post(data, auth=("moderator", "moderator"))
        self.assertEqual(response.status_code, 201, response.text)
        report = self.portal["segnalazioni"][response.json()["tracking_number"]]
        self.assertEqual(report.channel, "phone")
        self.assertIsNone(report.reporter_email)

    def test_territory_does_not_bind_information_requests(self):
        response = self.post(payload(category="info", latitude=45.46, longitude=9.19))
        self.assertEqual(response.status_code, 201, response.text)


BAD_INPUT = [
    ("unknown category", {"category": "nope"}, "category"),
    ("inactive category", {"category": "inactive"}, "category"),
    ("no category", {"category": ""}, "category"),
    ("no title", {"title": "  "}, "title"),
    ("no description", {"description": ""}, "description"),
    ("title too long", {"title": "x" * 201}, "title"),
    ("no consent", {"privacy_consent": False}, "privacy_consent"),
    ("consent as a string", {"privacy_consent": "yes"}, "privacy_consent"),
    ("no e-mail", {"reporter": {"fullname": "Mario Rossi"}}, "reporter.email"),
    (
        "bad e-mail",
        {"reporter": {"fullname": "Mario", "email": "mario@"}},
        "reporter.email",
    ),
    ("no name", {"reporter": {"email": "mario@example.org"}}, "reporter.fullname"),
    (
        "bad fiscal code",
        {
            "reporter": dict(
                PERSONAL,
                fiscal_code=PERSONAL["fiscal_code"][:15] + "Z"
                if PERSONAL["fiscal_code"][15] != "Z"
                else PERSONAL["fiscal_code"][:15] + "A",
            )
        },
        "reporter.fiscal_code",
    ),
    ("bad phone", {"reporter": dict(PERSONAL, phone="123")}, "reporter.phone"),
    ("latitude out of range", {"latitude": 91, "longitude": 9.1}, "latitude"),
    ("longitude out of range", {"latitude": 39.2, "longitude": -181}, "latitude"),
    ("latitude not a number", {"latitude": "abc", "longitude": 9.1}, "latitude"),
    ("only one coordinate", {"latitude": 39.2, "longitude": None}, "latitude"),
    ("outside the territory", {"latitude": 45.46, "longitude": 9.19}, "latitude"),
    (
        "not an image",
        {
            "images": [
                {
                    "filename": "x.jpg",
                    "data": base64.b64encode(b"not an image").decode(),
                }
            ]
        },
        "images",
    ),
    ("not base64", {"images": [{"filename": "x.jpg", "data": "***"}]}, "images"),
    ("too many images", {"images": [{"data": image_data()}] * 11}, "images"),
    ("staff-only channel", {"channel": "phone"}, "channel"),
    (
        "attachment not a PDF",
        {"attachments": [{"data": base64.b64encode(b"MZ not a pdf").decode()}]},
        "attachments",
    ),
    (
        "too many attachments",
        {"attachments": [{"data": "JVBERi0="}] * 4},
        "attachments",
    ),
]


class BadInputTest(RestCase):
    def setUp(self):
        super().setUp()
        from collective.civicreports.categories.registry import category_records
        from types import SimpleNamespace

        category_records()["inactive"] = SimpleNamespace(
            title="Vecchia categoria", kind="malfunction", office="", active=False
        )
        transaction.commit()

    def test_bad_input(self):
        for name, change, field in BAD_INPUT:
            with self.subTest(name):
                before = self.count()
                response = self.post(payload(**change))
                self.assertEqual(response.status_code, 400, f"{name}: {response.text}")
                error = response.json()["error"]
                self.assertEqual(error["type"], "BadRequest")
                self.assertTrue(error["message"])
                self.assertIn(field, [item["field"] for item in error["errors"]], name)
                self.assertEqual(self.count(), before, f"{name} stored something")

    def test_not_json(self):
        response = requests.post(
            self.folder_url + "/@reports",
            data=b"{not json",
            headers={"Accept": "application/json", "Content-Type": "application/json"},
            timeout=30,
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"]["type"], "BadRequest")

    def test_errors_are_translated(self):
        api.portal.set_registry_record("plone.use_request_negotiation", True)
        api.portal.set_registry_record("plone.available_languages", ["en", "it"])
        transaction.commit()
        response = requests.post(
            self.folder_url + "/@reports",
            json=payload(title=""),
            headers={"Accept": "application/json", "Accept-Language": "it"},
            timeout=30,
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json()["error"]["message"],
            "Indicare l'oggetto della segnalazione.",
        )


class StaffEndpointsTest(RestCase):
    def submitted(self):
        return self.post(payload()).json()["@id"]

    def test_full_path_over_rest(self):
        url = self.submitted()
        moderator = ("moderator", "moderator")
        response = self.http(
            "POST", url + "/@workflow/approve", auth=moderator, json={"comment": "ok"}
        )
        self.assertEqual(response.status_code, 200, response.text)
        response = self.http(
            "PATCH", url, auth=moderator, json={"office": "office-green"}
        )
        self.assertEqual(response.status_code, 204, response.text)
        response = self.http(
            "POST", url + "/@workflow/assign", auth=moderator, json={"comment": "Verde"}
        )
        self.assertEqual(response.json()["review_state"], "assigned")
        report = self.portal.unrestrictedTraverse(
            url.replace(self.portal_url + "/", "")
        )
        self.assertIn("ReportOffice", report.get_local_roles_for_userid("office-green"))
        self.assertNotIn(
            "ReportOffice", report.get_local_roles_for_userid("office-roads")
        )
        # Roads is no longer in charge; green is.
        response = self.http(
            "PATCH", url, auth=("roads", "roads"), json={"answer": "x"}
        )
        self.assertIn(response.status_code, (401, 403))
        response = self.http(
            "PATCH", url, auth=("green", "green"), json={"answer": "Potatura fatta."}
        )
        self.assertEqual(response.status_code, 204, response.text)
        response = self.http(
            "POST", url + "/@workflow/close", auth=("green", "green"), json={}
        )
        self.assertEqual(response.json()["review_state"], "closed")
        public = self.http("GET", url).json()
        self.assertEqual(public["answer"], "Potatura fatta.")
        self.assertEqual(public["review_state"], "closed")

    def test_citizens_cannot_change_a_report(self):
        url = self.post(payload(reporter={}), auth=("citizen", "citizen")).json()["@id"]
        for data in (
            {"title": "Altro"},
            {"answer": "x"},
            {"office": "office-waste"},
            {"confidential": True},
        ):
            response = self.http("PATCH", url, auth=("citizen", "citizen"), json=data)
            self.assertIn(response.status_code, (401, 403), data)
        response = self.http(
            "POST", url + "/@workflow/approve", auth=("citizen", "citizen"), json={}
        )
        self.assertIn(response.status_code, (400, 401, 403))
        transaction.begin()
        self.assertEqual(
            api.content.get_state(self.portal["segnalazioni"][url.rsplit("/", 1)[1]]),
            "submitted",
        )

    def test_office_cannot_approve(self):
        url = self.submitted()
        response = self.http(
            "POST", url + "/@workflow/approve", auth=("roads", "roads"), json={}
        )
        self.assertNotEqual(response.status_code, 200)

    def test_moderator_sets_confidential(self):
        url = self.submitted()
        moderator = ("moderator", "moderator")
        self.http("POST", url + "/@workflow/approve", auth=moderator, json={})
        self.assertEqual(self.http("GET", url).status_code, 200)
        response = self.http("PATCH", url, auth=moderator, json={"confidential": True})
        self.assertEqual(response.status_code, 204, response.text)
        self.assertEqual(self.http("GET", url).status_code, 401)
        search = self.http(
            "GET", self.portal_url + "/@search", params={"portal_type": "Report"}
        ).json()
        self.assertNotIn(url, [item["@id"] for item in search["items"]])

    def test_report_cannot_be_added_bypassing_the_service(self):
        response = self.http(
            "POST",
            self.folder_url,
            auth=("citizen", "citizen"),
            json={"@type": "Report", "title": "x", "category": "roads"},
        )
        self.assertIn(response.status_code, (401, 403))
        response = self.http(
            "POST",
            self.folder_url,
            json={"@type": "Report", "title": "x", "category": "roads"},
        )
        self.assertIn(response.status_code, (401, 403))

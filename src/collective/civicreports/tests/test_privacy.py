"""Reporter data reaches only the moderators, the assigned office, Managers
and the reporter, on every route: pages, REST, search, catalog, history."""

from collective.civicreports.categories.registry import get_category
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import create_other_citizen
from collective.civicreports.tests.base import payload
from collective.civicreports.tests.base import PERSONAL
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD

import requests
import transaction
import unittest


ADMIN = (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
SECRETS = tuple(PERSONAL.values()) + (
    "Quagliarulo",
    "zebedeo",
    "carla.cittadina",
    "Carla Cittadina",
)
NOTE = "Nota interna: richiamare il geometra"
# The reporter's answer to an extra question of the category.
ANSWER = "Abito al terzo piano del civico 12"


class PrivacyTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        create_other_citizen()
        get_category("roads").questions = ["dettagli | text | Altri dettagli"]
        transaction.commit()
        # One report by an anonymous citizen, one by a logged-in citizen,
        # both approved and assigned, with an internal note.
        self.urls = []
        for auth, reporter in ((None, PERSONAL), (("citizen", "citizen"), {})):
            response = requests.post(
                self.portal_url + "/segnalazioni/@reports",
                json=payload(reporter=dict(reporter), answers={"dettagli": ANSWER}),
                auth=auth,
                headers={"Accept": "application/json"},
                timeout=60,
            )
            self.assertEqual(response.status_code, 201, response.text)
            url = response.json()["@id"]
            for transition in ("approve", "assign"):
                self.request(
                    "POST",
                    f"{url}/@workflow/{transition}",
                    ("moderator", "moderator"),
                    json={},
                )
            self.request(
                "PATCH", url, ("moderator", "moderator"), json={"internal_notes": NOTE}
            )
            self.urls.append(url)

    def request(self, method, url, auth=None, json_api=True, **kwargs):
        headers = {"Accept": "application/json"} if json_api else {}
        response = requests.request(
            method, url, auth=auth, headers=headers, timeout=60, **kwargs
        )
        return response

    def assertClean(self, text, where):
        for secret in SECRETS + (NOTE, ANSWER):
            self.assertNotIn(
                secret.lower(), text.lower(), f"{secret!r} leaks in {where}"
            )

    def routes(self, url):
        """Every way a user can ask about the report."""
        number = url.rsplit("/", 1)[1]
        return [
            ("page", url, False, {}),
            ("view", url + "/view", False, {}),
            ("folder page", self.portal_url + "/segnalazioni", False, {}),
            (
                "search page",
                self.portal_url + "/@@search",
                False,
                {"SearchableText": number},
            ),
            ("REST report", url, True, {}),
            ("REST folder", self.portal_url + "/segnalazioni", True, {}),
            (
                "REST search",
                self.portal_url + "/@search",
                True,
                {"portal_type": "Report", "metadata_fields": "_all"},
            ),
            (
                "REST search, full objects",
                self.portal_url + "/@search",
                True,
                {"portal_type": "Report", "fullobjects": "1"},
            ),
            ("REST workflow", url + "/@workflow", True, {}),
            ("REST history", url + "/@history", True, {}),
            ("REST photo", url + "/photo-1.jpg", True, {}),
            ("RSS feed", self.portal_url + "/segnalazioni/@@reports-rss", False, {}),
            (
                "GeoJSON feed",
                self.portal_url + "/segnalazioni/@reports-geojson",
                True,
                {},
            ),
            ("my reports", self.portal_url + "/@@my-reports", False, {}),
            ("report form", self.portal_url + "/segnalazioni/@@segnala", False, {}),
            (
                "REST search of reports",
                self.portal_url + "/segnalazioni/@reports",
                True,
                {},
            ),
            (
                "Open311 requests (JSON)",
                self.portal_url + "/open311/v2/requests.json",
                False,
                {},
            ),
            (
                "Open311 requests (XML)",
                self.portal_url + "/open311/v2/requests.xml",
                False,
                {},
            ),
            (
                "Open311 request",
                self.portal_url + f"/open311/v2/requests/{number}.json",
                False,
                {},
            ),
            (
                "Open311 service definition",
                self.portal_url + "/open311/v2/services/roads.xml",
                False,
                {},
            ),
            ("REST categories", self.portal_url + "/@report-categories", True, {}),
            (
                "REST statistics",
                self.portal_url + "/segnalazioni/@report-stats",
                True,
                {},
            ),
        ]

    def test_anonymous_and_other_citizens_see_no_personal_data(self):
        for auth, who in (
            (None, "anonymous"),
            (("other", "other-secret-1"), "another citizen"),
        ):
            for url in self.urls:
                for name, route, json_api, params in self.routes(url):
                    response = self.request(
                        "GET", route, auth, json_api=json_api, params=params
                    )
                    self.assertIn(
                        response.status_code, (200, 401, 403), f"{name} for {who}"
                    )
                    self.assertClean(response.text, f"{name} for {who}")
                # The report itself is public: the check above read it.
                self.assertEqual(self.request("GET", url, auth).status_code, 200)

    def test_other_office_sees_no_personal_data(self):
        for url in self.urls:
            for name, route, json_api, params in self.routes(url):
                response = self.request(
                    "GET", route, ("waste", "waste"), json_api=json_api, params=params
                )
                self.assertClean(response.text, f"{name} for another office")

    def test_search_by_personal_data_finds_nothing(self):
        for auth in (None, ("moderator", "moderator"), ADMIN):
            for secret in ("Quagliarulo", PERSONAL["fiscal_code"], PERSONAL["phone"]):
                response = self.request(
                    "GET",
                    self.portal_url + "/@search",
                    auth,
                    params={"SearchableText": secret},
                )
                self.assertEqual(response.json()["items_total"], 0, secret)

    def test_archive_search_by_personal_data_finds_nothing(self):
        for secret in ("Quagliarulo", PERSONAL["fiscal_code"], PERSONAL["phone"]):
            page = self.request(
                "GET",
                self.portal_url + "/segnalazioni",
                json_api=False,
                params={"text": secret},
            ).text
            self.assertIn("There are no reports to show.", page)
        # The same search by the public text does find them.
        page = self.request(
            "GET",
            self.portal_url + "/segnalazioni",
            json_api=False,
            params={"text": "Buca"},
        ).text
        self.assertNotIn("There are no reports to show.", page)

    def test_catalog_metadata_holds_no_personal_data(self):
        transaction.begin()
        catalog = api.portal.get_tool("portal_catalog")
        brains = catalog.unrestrictedSearchResults(portal_type=["Report", "Image"])
        self.assertGreaterEqual(len(brains), 4)
        for brain in brains:
            metadata = catalog.getMetadataForRID(brain.getRID())
            self.assertClean(repr(metadata), f"metadata of {brain.getPath()}")
        # Nor the map's index, which keeps features of its own.
        from collective.civicreports.geo.mapindex import records

        features = list(records(catalog))
        self.assertEqual(len(features), 2)
        self.assertClean(repr(features), "the map's index")

    def test_entitled_users_see_it(self):
        # The same routes do carry the data to those allowed: the checks
        # above could fail.
        anonymous_report, citizen_report = self.urls
        for auth in (("moderator", "moderator"), ("roads", "roads"), ADMIN):
            data = self.request("GET", anonymous_report, auth).json()
            self.assertEqual(data["reporter_email"], PERSONAL["email"])
            self.assertEqual(data["reporter_fiscal_code"], PERSONAL["fiscal_code"])
            self.assertEqual(data["internal_notes"], NOTE)
            self.assertEqual(data["answers"][0]["answer"], ANSWER)
            page = self.request("GET", anonymous_report, auth, json_api=False).text
            self.assertIn(PERSONAL["fullname"], page)
            self.assertIn(ANSWER, page)
        data = self.request("GET", citizen_report, ("citizen", "citizen")).json()
        self.assertEqual(data["reporter_email"], "carla.cittadina@example.org")
        self.assertEqual(data["answers"][0]["answer"], ANSWER)
        self.assertNotIn("internal_notes", data)
        self.assertNotIn(
            NOTE,
            self.request(
                "GET", citizen_report, ("citizen", "citizen"), json_api=False
            ).text,
        )

    def test_private_page_shows_no_personal_data(self):
        # The reporter's private link shows the report, never their data:
        # a forwarded link must not expose them.
        from collective.civicreports.reports.engagement import private_url

        transaction.begin()
        for url in self.urls:
            report = self.portal.unrestrictedTraverse(
                url.replace(self.portal_url + "/", "")
            )
            page = requests.get(private_url(report), timeout=60)
            self.assertEqual(page.status_code, 200)
            self.assertClean(page.text, "private page")

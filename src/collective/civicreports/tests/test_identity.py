"""SPID and CIE through OpenID Connect, and the categories' identification
levels: real HTTP through Zope (plone.testing's WSGI server) and a real
OpenID Connect provider on 127.0.0.1 (``scripts/oidc_provider.py``, pyop).
"""

from collective.civicreports.categories.registry import ACCOUNT
from collective.civicreports.categories.registry import ANONYMOUS
from collective.civicreports.categories.registry import category_records
from collective.civicreports.categories.registry import DIGITAL_IDENTITY
from collective.civicreports.categories.registry import get_category
from collective.civicreports.categories.registry import identification
from collective.civicreports.categories.registry import PREFIX as CATEGORY_PREFIX
from collective.civicreports.categories.registry import upgrade_categories
from collective.civicreports.identity.citizen import known_reporter
from collective.civicreports.identity.citizen import login_url
from collective.civicreports.identity.citizen import reporter_verified
from collective.civicreports.identity.claims import FISCAL_NUMBER
from collective.civicreports.identity.claims import identity_from_claims
from collective.civicreports.identity.claims import InvalidIdentity
from collective.civicreports.identity.interfaces import PREFIX
from collective.civicreports.identity.plugin import get_plugin
from collective.civicreports.privacy.validators import fiscal_code_check_char
from collective.civicreports.reports.submission import Entry
from collective.civicreports.reports.submission import SubmissionError
from collective.civicreports.reports.submission import validate
from collective.civicreports.security import ratelimit
from collective.civicreports.testing import from_scripts
from collective.civicreports.testing import FUNCTIONAL_TESTING
from collective.civicreports.testing import INTEGRATION_TESTING
from collective.civicreports.testing import MOCK_MAIL_FIXTURE
from collective.civicreports.testing import WSGI_SERVER_FIXTURE
from collective.civicreports.tests.base import admin_browser
from collective.civicreports.tests.base import image_data
from collective.civicreports.tests.base import OPEN311_REQUEST
from lxml import html
from plone import api
from plone.app.testing import FunctionalTesting
from plone.app.testing import login
from plone.app.testing import logout
from plone.app.testing import PloneSandboxLayer
from plone.registry.interfaces import IRegistry
from plone.testing.zope import Browser
from types import SimpleNamespace
from urllib.parse import parse_qs
from urllib.parse import urlsplit
from zope.component import getUtility

import requests
import transaction
import unittest


MARIO = "RSSMRA80A01B354" + fiscal_code_check_char("RSSMRA80A01B354")
CITIZEN = ("citizen", "citizen")
NEEDS_SPID = "This category requires SPID or CIE"
NEEDS_LOGIN = "Log in to send a report of this category."


def code(first15):
    return first15 + fiscal_code_check_char(first15)


class ClaimsTest(unittest.TestCase):
    """The identity provider's claims, as SPID and CIE name them."""

    def claims(self, **overrides):
        claims = {
            "sub": "abc",
            "given_name": "Mario",
            "family_name": "Rossi",
            "email": "mario.rossi@example.it",
            FISCAL_NUMBER: "TINIT-" + MARIO,
        }
        claims.update(overrides)
        return {key: value for key, value in claims.items() if value is not None}

    def test_fiscal_number_without_its_prefix(self):
        identity = identity_from_claims(self.claims())
        self.assertEqual(identity.fiscal_code, MARIO)
        self.assertEqual(identity.fullname, "Mario Rossi")
        self.assertEqual(identity.email, "mario.rossi@example.it")

    def test_prefix_and_case_of_a_broker(self):
        claims = self.claims(**{FISCAL_NUMBER: None})
        claims["fiscal_number"] = " tinit-" + MARIO.lower()
        self.assertEqual(identity_from_claims(claims).fiscal_code, MARIO)

    def test_invalid_fiscal_code_refused(self):
        wrong = MARIO[:15] + ("A" if MARIO[15] != "A" else "B")
        with self.assertRaises(InvalidIdentity):
            identity_from_claims(self.claims(**{FISCAL_NUMBER: "TINIT-" + wrong}))
        # A company's 11 digits are no citizen's.
        with self.assertRaises(InvalidIdentity):
            identity_from_claims(self.claims(**{FISCAL_NUMBER: "TINIT-97735020584"}))

    def test_missing_fiscal_code_or_name_refused(self):
        with self.assertRaises(InvalidIdentity):
            identity_from_claims(self.claims(**{FISCAL_NUMBER: None}))
        with self.assertRaises(InvalidIdentity):
            identity_from_claims(self.claims(family_name=None))

    def test_claims_named_by_the_settings(self):
        claims = self.claims(**{FISCAL_NUMBER: None})
        claims["cf"] = MARIO
        with self.assertRaises(InvalidIdentity):
            identity_from_claims(claims)
        self.assertEqual(identity_from_claims(claims, ("cf",)).fiscal_code, MARIO)

    def test_a_bad_email_is_left_out(self):
        self.assertEqual(identity_from_claims(self.claims(email="nope")).email, "")


class LevelsTest(unittest.TestCase):
    """The level of a category, old records included."""

    def test_stricter_of_the_two_fields(self):
        level = identification
        self.assertEqual(level(SimpleNamespace(allow_anonymous=True)), ANONYMOUS)
        self.assertEqual(level(SimpleNamespace(allow_anonymous=False)), ACCOUNT)
        self.assertEqual(
            level(SimpleNamespace(identification=None, allow_anonymous=False)), ACCOUNT
        )
        self.assertEqual(
            level(SimpleNamespace(identification="anonymous", allow_anonymous=False)),
            ACCOUNT,
        )
        self.assertEqual(
            level(
                SimpleNamespace(identification="digital_identity", allow_anonymous=True)
            ),
            DIGITAL_IDENTITY,
        )


class CategoryRecordsTest(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def test_old_category_reads_and_upgrades(self):
        registry = getUtility(IRegistry)
        # A category saved before identification and answer_days existed.
        for name in ("identification", "answer_days"):
            del registry.records[f"{CATEGORY_PREFIX}/complaint.{name}"]
        complaint = get_category("complaint")
        self.assertIsNone(complaint.identification)
        self.assertEqual(identification(complaint), ACCOUNT)
        self.assertIn("complaint", upgrade_categories())
        complaint = get_category("complaint")
        self.assertEqual(complaint.identification, ACCOUNT)
        self.assertIsNone(complaint.answer_days)
        self.assertEqual(get_category("roads").identification, ANONYMOUS)

    def test_upgrade_of_an_existing_site(self):
        from collective.civicreports.identity.upgrade import upgrade

        portal = self.layer["portal"]
        registry = getUtility(IRegistry)
        portal.acl_users._delObject("spid_cie")
        for name in [n for n in registry.records if n.startswith(PREFIX + ".")]:
            del registry.records[name]
        del registry.records[f"{CATEGORY_PREFIX}/complaint.identification"]
        upgrade(api.portal.get_tool("portal_setup"))
        self.assertIsNotNone(get_plugin(portal))
        self.assertIs(api.portal.get_registry_record(f"{PREFIX}.enabled"), False)
        self.assertEqual(get_category("complaint").identification, ACCOUNT)
        actions = [
            a.id for a in api.portal.get_tool("portal_controlpanel").listActions()
        ]
        self.assertIn("civicreports-identity", actions)

    def test_control_panel_keeps_the_old_field_in_step(self):
        from collective.civicreports.controlpanels.categories import store

        store("roads", {"identification": DIGITAL_IDENTITY, "answer_days": 10})
        roads = get_category("roads")
        self.assertEqual(roads.identification, DIGITAL_IDENTITY)
        self.assertIs(roads.allow_anonymous, False)
        self.assertEqual(roads.answer_days, 10)
        store("roads", {"identification": ANONYMOUS})
        self.assertIs(get_category("roads").allow_anonymous, True)


class IdentityLayer(PloneSandboxLayer):
    """The demo site with the login through a local OpenID Connect provider,
    and a category that requires SPID or CIE."""

    defaultBases = (MOCK_MAIL_FIXTURE,)

    def setUp(self):
        self.provider = from_scripts("oidc_provider").DemoProvider().start()
        self["oidc_provider"] = self.provider
        try:
            super().setUp()
        except Exception:
            self.provider.stop()
            raise

    def tearDown(self):
        super().tearDown()
        self.provider.stop()
        del self["oidc_provider"]

    def setUpPloneSite(self, portal):
        for name, value in {
            "enabled": True,
            "issuer": self.provider.url,
            "client_id": self.provider.client_id,
            "client_secret": self.provider.client_secret,
        }.items():
            api.portal.set_registry_record(f"{PREFIX}.{name}", value)
        category_records()["certificates"] = SimpleNamespace(
            title="Certificati anagrafici",
            description="",
            kind="information",
            office="moderators",
            notification_emails=[],
            identification=DIGITAL_IDENTITY,
            allow_anonymous=False,
            within_territory=False,
            active=True,
            questions=[],
            answer_days=15,
        )
        for name in (
            "anonymous_rate_limit",
            "citizen_rate_limit",
            "engagement_rate_limit",
        ):
            api.portal.set_registry_record(f"collective.civicreports.{name}", 0)


IDENTITY_FIXTURE = IdentityLayer()
IDENTITY_SERVER_TESTING = FunctionalTesting(
    bases=(IDENTITY_FIXTURE, WSGI_SERVER_FIXTURE), name="CivicReports:Identity"
)


class IdentityCase(unittest.TestCase):
    layer = IDENTITY_SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        self.provider = self.layer["oidc_provider"]
        self.plugin = get_plugin(self.portal)
        self.provider.add_redirect_uri(self.plugin.get_redirect_uris()[0])
        ratelimit.reset()
        self.form_url = self.folder.absolute_url() + "/@@segnala"

    def spid_login(self, session, came_from, user="mrossi"):
        """The whole round trip, as a browser makes it; the last answer."""
        response = session.get(login_url(came_from), allow_redirects=False, timeout=60)
        self.assertEqual(response.status_code, 302, response.text)
        authorize = response.headers["Location"]
        self.assertTrue(authorize.startswith(self.provider.url + "/authorize?"))
        request = parse_qs(urlsplit(authorize).query)
        self.assertEqual(request["scope"], ["openid profile email fiscal_number"])
        self.assertEqual(request["code_challenge_method"], ["S256"])
        # The provider's page offers its citizens; one is chosen.
        page = session.get(authorize, timeout=60)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Mario Rossi", page.text)
        query = html.fromstring(page.text).xpath("//input[@name='query']/@value")[0]
        response = session.post(
            self.provider.url + "/authorize",
            data={"query": query, "demo_user": user},
            allow_redirects=False,
            timeout=60,
        )
        self.assertEqual(response.status_code, 302, response.text)
        callback = response.headers["Location"]
        self.assertTrue(callback.startswith(self.plugin.absolute_url() + "/callback?"))
        response = session.get(callback, allow_redirects=False, timeout=60)
        transaction.begin()  # see what the server committed
        return response

    def logged_in_session(self, came_from=None):
        session = requests.Session()
        response = self.spid_login(session, came_from or self.form_url)
        self.assertEqual(response.status_code, 302, response.text)
        return session

    def user_id(self):
        return self.plugin.user_id_for(identity_from_claims(self.mario()))

    def mario(self):
        return self.provider.identities["mrossi"]

    def rest(self, data, session=None, auth=None):
        body = {
            "category": "certificates",
            "title": "Certificato di residenza",
            "description": "Chiedo il certificato di residenza.",
            "reporter": {"email": "mario.rossi@example.it"},
            "privacy_consent": True,
        }
        body.update(data)
        response = (session or requests).post(
            self.folder.absolute_url() + "/@reports",
            json=body,
            auth=auth,
            headers={"Accept": "application/json"},
            timeout=60,
        )
        transaction.begin()
        return response

    def count(self):
        transaction.begin()
        return len(self.folder.objectIds())


class LoginTest(IdentityCase):
    def test_round_trip_lands_back_in_the_form(self):
        came_from = self.form_url + "?category=certificates&step=data"
        session = requests.Session()
        response = self.spid_login(session, came_from)
        self.assertEqual(response.status_code, 302, response.text)
        self.assertEqual(response.headers["Location"], came_from)
        # Logged in: Plone's session cookie, a member with the IdP's data.
        user = api.user.get(userid=self.user_id())
        self.assertIsNotNone(user)
        self.assertEqual(user.getProperty("fullname"), "Mario Rossi")
        self.assertEqual(user.getProperty("email"), "mario.rossi@example.it")
        self.assertEqual(self.plugin.identity_of(self.user_id()).fiscal_code, MARIO)
        me = session.get(
            self.portal.absolute_url() + "/@users/" + self.user_id(),
            headers={"Accept": "application/json"},
            timeout=60,
        )
        self.assertEqual(me.status_code, 200, me.text)
        self.assertEqual(me.json()["fullname"], "Mario Rossi")
        # The account is no identity provider's sub, nor the fiscal code.
        self.assertNotIn(MARIO, self.user_id())
        self.assertNotEqual(self.user_id(), "mrossi")

        login(self.portal, self.user_id())
        self.assertEqual(
            known_reporter(self.layer["request"]),
            {
                "fullname": "Mario Rossi",
                "email": "mario.rossi@example.it",
                "fiscal_code": MARIO,
                "verified": True,
            },
        )

    def test_password_account_is_not_verified(self):
        login(self.portal, "citizen")
        found = known_reporter(self.layer["request"])
        self.assertEqual(found["fullname"], "Carla Cittadina")
        self.assertIs(found["verified"], False)
        self.assertEqual(found["fiscal_code"], "")
        logout()
        self.assertIs(known_reporter(self.layer["request"])["verified"], False)

    def test_same_account_at_the_next_login(self):
        self.logged_in_session()
        users = len(api.user.get_users())
        self.logged_in_session()
        self.assertEqual(len(api.user.get_users()), users)

    def test_invalid_fiscal_code_makes_no_account(self):
        claims = dict(self.mario(), sub="bad")
        claims[FISCAL_NUMBER] = "TINIT-" + MARIO[:15] + "X"
        self.provider.identities["bad"] = claims
        try:
            users = len(api.user.get_users())
            response = self.spid_login(requests.Session(), self.form_url, user="bad")
        finally:
            del self.provider.identities["bad"]
        self.assertEqual(response.status_code, 302)
        self.assertNotIn("__ac=", response.headers.get("Set-Cookie", ""))
        self.assertEqual(len(api.user.get_users()), users)

    def test_outside_address_is_not_followed(self):
        response = self.spid_login(requests.Session(), "http://example.org/x")
        self.assertEqual(response.headers["Location"], self.portal.absolute_url())

    def test_login_off(self):
        api.portal.set_registry_record(f"{PREFIX}.enabled", False)
        self.assertIsNone(login_url(self.form_url))


class LevelsHttpTest(IdentityCase):
    def test_rest_refuses_anonymous_and_password_accounts(self):
        before = self.count()
        for auth in (None, CITIZEN):
            response = self.rest(
                {"reporter": {"fullname": "Carla Cittadina"}}, auth=auth
            )
            self.assertEqual(response.status_code, 400, response.text)
            error = response.json()["error"]
            self.assertIn(NEEDS_SPID, error["message"])
            self.assertEqual(error["errors"][0]["field"], "category")
        self.assertEqual(self.count(), before)

    def test_rest_accepts_an_identified_citizen(self):
        session = self.logged_in_session()
        response = self.rest({}, session=session)
        self.assertEqual(response.status_code, 201, response.text)
        report = self.folder[response.json()["tracking_number"]]
        self.assertEqual(report.reporter_fullname, "Mario Rossi")
        self.assertEqual(report.reporter_fiscal_code, MARIO)
        self.assertTrue(reporter_verified(report))
        self.assertIn("Owner", report.get_local_roles_for_userid(self.user_id()))

    def test_other_data_in_a_category_that_requires_spid(self):
        session = self.logged_in_session()
        other = code("VRDLCU75M41B354")
        response = self.rest({"reporter": {"fiscal_code": other}}, session=session)
        self.assertEqual(response.status_code, 400, response.text)
        fields = [item["field"] for item in response.json()["error"]["errors"]]
        self.assertEqual(fields, ["reporter.fiscal_code"])

    def roads(self, session, reporter):
        response = self.rest(
            {
                "category": "roads",
                "latitude": 39.22,
                "longitude": 9.11,
                "reporter": reporter,
                "images": [
                    {
                        "filename": "buca.jpg",
                        "content-type": "image/jpeg",
                        "data": image_data(),
                    }
                ],
            },
            session=session,
        )
        self.assertEqual(response.status_code, 201, response.text)
        return self.folder[response.json()["tracking_number"]]

    def test_other_data_elsewhere_is_not_verified(self):
        session = self.logged_in_session()
        report = self.roads(session, {"fullname": "Maria Rossi", "fiscal_code": MARIO})
        self.assertEqual(report.reporter_fullname, "Maria Rossi")
        self.assertFalse(reporter_verified(report))

    def test_fiscal_code_is_the_citizens_choice_elsewhere(self):
        session = self.logged_in_session()
        # Left out: not taken from the identity provider, and not verified.
        report = self.roads(session, {})
        self.assertEqual(report.reporter_fullname, "Mario Rossi")
        self.assertIsNone(report.reporter_fiscal_code)
        self.assertFalse(reporter_verified(report))
        report = self.roads(session, {"fiscal_code": MARIO.lower()})
        self.assertEqual(report.reporter_fiscal_code, MARIO)
        self.assertTrue(reporter_verified(report))

    def test_password_account_report_is_not_verified(self):
        response = self.rest({"category": "complaint"}, auth=CITIZEN)
        self.assertEqual(response.status_code, 201, response.text)
        report = self.folder[response.json()["tracking_number"]]
        self.assertFalse(reporter_verified(report))

    def test_account_level_refuses_anonymous(self):
        response = self.rest(
            {"category": "complaint", "reporter": {"fullname": "Carla Cittadina"}}
        )
        self.assertEqual(response.status_code, 400, response.text)
        self.assertIn(NEEDS_LOGIN, response.json()["error"]["message"])

    def test_open311_key_is_no_digital_identity(self):
        before = self.count()
        response = requests.post(
            self.portal.absolute_url() + "/open311/v2/requests.json",
            data=dict(OPEN311_REQUEST, service_code="certificates"),
            timeout=60,
        )
        self.assertEqual(response.status_code, 400, response.text)
        self.assertIn(NEEDS_SPID, response.json()[0]["description"])
        self.assertEqual(self.count(), before)
        # The account level is the key's to vouch for, as before.
        response = requests.post(
            self.portal.absolute_url() + "/open311/v2/requests.json",
            data=dict(OPEN311_REQUEST, service_code="complaint"),
            timeout=60,
        )
        self.assertEqual(response.status_code, 200, response.text)

    def test_categories_service_tells_the_level(self):
        response = requests.get(
            self.portal.absolute_url() + "/@report-categories",
            headers={"Accept": "application/json"},
            timeout=60,
        )
        items = {item["id"]: item for item in response.json()["items"]}
        self.assertEqual(items["certificates"]["identification"], DIGITAL_IDENTITY)
        self.assertEqual(items["certificates"]["answer_days"], 15)
        self.assertIs(items["certificates"]["allow_anonymous"], False)
        self.assertEqual(items["complaint"]["identification"], ACCOUNT)
        self.assertEqual(items["roads"]["identification"], ANONYMOUS)
        self.assertIsNone(items["roads"]["answer_days"])

    def test_validate_as_the_form_calls_it(self):
        entry = Entry(
            category="certificates",
            title="Certificato",
            description="Chiedo un certificato.",
            fullname="Carla Cittadina",
            email="carla.cittadina@example.org",
            privacy_consent=True,
        )
        for user in (None, "citizen"):
            if user:
                login(self.portal, user)
            with self.assertRaises(SubmissionError) as raised:
                validate(self.folder, entry)
            self.assertEqual(raised.exception.errors[0][0], "category")
            self.assertIn(NEEDS_SPID, raised.exception.errors[0][1])
        self.logged_in_session()
        login(self.portal, self.user_id())
        submission = validate(
            self.folder, Entry(**dict(vars(entry), fullname="", email=""))
        )
        self.assertEqual(submission.fullname, "Mario Rossi")
        self.assertEqual(submission.fiscal_code, MARIO)
        self.assertIs(submission.verified, True)


class FormTest(IdentityCase):
    """The citizens' form, over HTTP: its errors come from validate."""

    FIELDS = {
        "privacy_consent": "1",
        "category": "certificates",
        "title": "Certificato di residenza",
        "description": "Chiedo il certificato di residenza.",
        "reporter_email": "mario.rossi@example.it",
    }

    def send(self, session, **changes):
        page = html.fromstring(session.get(self.form_url, timeout=60).text)
        form = page.get_element_by_id("civicreport-form")
        values = {}
        for element in form.xpath(".//input[@type='hidden']"):
            if element.get("name"):
                values[element.get("name")] = element.get("value") or ""
        values.update(self.FIELDS, **changes)
        values["form.buttons.send"] = "send"
        response = session.post(self.form_url, data=values, timeout=60)
        transaction.begin()
        return response

    def test_form_refuses_then_accepts(self):
        before = self.count()
        anonymous = self.send(requests.Session(), reporter_fullname="Carla Cittadina")
        self.assertIn(NEEDS_SPID, anonymous.text)
        citizen = requests.Session()
        citizen.auth = CITIZEN
        self.assertIn(NEEDS_SPID, self.send(citizen).text)
        self.assertEqual(self.count(), before)
        response = self.send(self.logged_in_session())
        self.assertNotIn(NEEDS_SPID, response.text)
        self.assertEqual(self.count(), before + 1, response.url)
        (report,) = [
            report
            for report in self.folder.objectValues()
            if report.category == "certificates"
        ]
        self.assertEqual(report.reporter_fiscal_code, MARIO)
        self.assertTrue(reporter_verified(report))


class ControlPanelsTest(unittest.TestCase):
    """The categories' level and the broker's settings, in Site Setup."""

    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.browser = admin_browser(self.layer)
        self.url = self.portal.absolute_url()

    def test_category_level_and_term(self):
        browser = self.browser
        browser.open(self.url + "/@@civicreports-categories-add")
        self.assertNotIn("form.widgets.allow_anonymous", browser.contents)
        browser.getControl(name="form.widgets.id").value = "permits"
        browser.getControl(name="form.widgets.title").value = "Permessi"
        browser.getControl(name="form.widgets.identification:list").value = [
            DIGITAL_IDENTITY
        ]
        browser.getControl(name="form.widgets.answer_days").value = "20"
        browser.getControl(name="form.buttons.add").click()
        transaction.begin()
        permits = get_category("permits")
        self.assertEqual(permits.identification, DIGITAL_IDENTITY)
        self.assertIs(permits.allow_anonymous, False)
        self.assertEqual(permits.answer_days, 20)
        browser.open(self.url + "/@@civicreports-categories")
        self.assertIn("SPID or CIE", browser.contents)
        self.assertIn("20", browser.contents)

        # The demo's complaint predates identification: shown as "account".
        browser.open(self.url + "/@@civicreports-categories-edit?id=complaint")
        self.assertEqual(
            browser.getControl(name="form.widgets.identification:list").value,
            [ACCOUNT],
        )
        browser.getControl(name="form.widgets.identification:list").value = [ANONYMOUS]
        browser.getControl(name="form.buttons.save").click()
        transaction.begin()
        self.assertEqual(identification(get_category("complaint")), ANONYMOUS)

    def test_broker_settings(self):
        browser = self.browser
        browser.open(self.url + "/@@overview-controlpanel")
        self.assertIn("civicreports-identity", browser.contents)
        browser.open(self.url + "/@@civicreports-identity")
        self.assertIn("/acl_users/spid_cie/callback", browser.contents)
        browser.getControl(name="form.widgets.issuer").value = "https://id.example.it"
        browser.getControl(name="form.widgets.client_id").value = "comune"
        browser.getControl(name="form.widgets.client_secret").value = "s3cret"
        browser.getControl(name="form.buttons.save").click()
        transaction.begin()
        plugin = get_plugin(self.portal)
        self.assertEqual(plugin.getProperty("issuer"), "https://id.example.it")
        self.assertEqual(plugin.getProperty("client_secret"), "s3cret")
        # The secret is not shown, and an empty field keeps it.
        browser.open(self.url + "/@@civicreports-identity")
        self.assertFalse("s3cret" in browser.contents)
        browser.getControl(name="form.widgets.client_id").value = "comune2"
        browser.getControl(name="form.buttons.save").click()
        transaction.begin()
        self.assertEqual(plugin.getProperty("client_secret"), "s3cret")
        self.assertEqual(plugin.getProperty("client_id"), "comune2")

    def test_plugin_is_no_challenge(self):
        # Staff keep Plone's login form: the plugin takes no interface.
        plugins = self.portal.acl_users.plugins
        for info in plugins.listPluginTypeInfo():
            self.assertNotIn("spid_cie", plugins.listPluginIds(info["interface"]))
        response = Browser(self.layer["app"])
        response.raiseHttpErrors = False
        response.open(self.url + "/@@civicreports-categories")
        self.assertTrue(response.url.startswith(self.url + "/login?"), response.url)

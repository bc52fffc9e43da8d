"""Generated hostile input on every write route and every filter of every
read route, over HTTP: no answer is a 500, a refused request stores
nothing, and afterwards every output route is still valid (JSON parses,
XML is well-formed, CSV and XLSX open, pages render).

The values come from hypothesis (derandomised, so that a run can be
repeated): lone surrogates, control characters, invalid UTF-8 bytes,
numbers of hundreds of digits and non-finite ones, JSON nested thousands
deep, the text-index query language, formulas, and parameters given twice.
"""

from collections import Counter
from collective.civicreports.categories.registry import get_category
from collective.civicreports.inputs.text import printable
from collective.civicreports.reports import pending
from collective.civicreports.reports.engagement import private_url
from collective.civicreports.reports.tracking import get_counter
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import OPEN311_REQUEST
from collective.civicreports.tests.base import payload
from collective.civicreports.tests.base import report_in
from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
from lxml import html
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from urllib.parse import urlencode
from xml.etree import ElementTree

import csv
import io
import json
import openpyxl
import requests
import transaction
import unicodedata
import unittest


EXAMPLES = 40
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
NASTY = [
    "",
    " ",
    "NOT",
    "(foo",
    "a OR NOT b",
    '"',
    "*",
    "AND OR",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://evil.example")',
    "Buca;=1+1",
    "\x00",
    "\x07\x08\x1b[31m",
    "\x7f\x85",
    "\r\n\r",
    "\u2028\u2029",
    "\ufeff\ufffe\uffff",
    "\ud800",
    "a\udfffb",
    "e\u0301",
    "9" * 400,
    "-" + "9" * 400,
    "1e999",
    "-1e999",
    "nan",
    "inf",
    "0x1F",
    "2026-13-45",
    "2026-02-30",
    "9999-99-99T99:99:99",
    "../../etc/passwd",
    "%00%ff",
    "a" * 10001,
]
# Every kind of character, surrogates and controls included.
TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(alphabet=st.characters(codec=None), max_size=40),
    st.text(
        alphabet=st.characters(categories=["Cc", "Cs", "Cf", "Zl", "Zp"]), max_size=10
    ),
)
# What a form can carry that a str cannot: bytes that are not UTF-8.
RAW = st.one_of(TEXT, st.binary(max_size=30))
NUMBER = st.one_of(
    st.integers(),
    st.integers(min_value=10**300, max_value=10**400),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=3),
)
JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBER, TEXT),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(TEXT, children, max_size=4),
    ),
    max_leaves=12,
)


def deep(depth, kind):
    return (
        ("[" * depth + "]" * depth) if kind else ('{"a":' * depth + "1" + "}" * depth)
    )


# Bodies no JSON encoder writes: nesting, non-finite numbers, bad bytes.
RAW_JSON = st.one_of(
    st.builds(deep, st.integers(1, 5000), st.booleans()),
    st.sampled_from(
        [
            b'{"latitude": NaN}',
            b'{"latitude": Infinity}',
            b'{"latitude": 1e999}',
            b'{"title": "\\ud800"}',
            b'{"title": "\xff\xfe"}',
            b"\xef\xbb\xbf{}",
            b"[]",
            b"null",
            b'{"a": 1',
            b'{"latitude": ' + b"9" * 5000 + b"}",
        ]
    ),
    st.binary(max_size=40),
)


def encoded(value):
    """A form value as a client sends it: bytes go as they are."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return value


def fields_with(good, name, value, twice):
    """The good fields of a form, with ``name`` given the hostile value
    (twice with ``twice``)."""
    fields = [(k.encode(), v.encode()) for k, v in good.items() if k != name]
    return fields + [(encoded(name), encoded(value))] * (2 if twice else 1)


class Session(requests.Session):
    """Each request bounded in time, and its own answer (no redirects)."""

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", 60)
        kwargs.setdefault("allow_redirects", False)
        return super().request(method, url, **kwargs)


class HostileInputTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        # The limits have tests of their own; here they would answer 429.
        for name in ("anonymous", "citizen", "engagement", "open311"):
            api.portal.set_registry_record(
                f"collective.civicreports.{name}_rate_limit", 0
            )
        get_category("roads").questions = ["dettagli | text | Altri dettagli"]
        login_as(self.portal, "admin")
        self.public = report_in(self.portal, "assigned")
        self.submitted = report_in(self.portal, "submitted")
        transaction.commit()
        self.anonymous = Session()
        self.moderator = Session()
        self.moderator.auth = ("moderator", "moderator")
        self.office = Session()
        self.office.auth = ("roads", "roads")
        self.generated = Counter()
        self.errors = []

    # What every check shares

    def snapshot(self):
        """What a refused request must leave as it was."""
        transaction.begin()
        catalog = api.portal.get_tool("portal_catalog")
        counter = get_counter(self.portal)
        return (
            len(catalog.unrestrictedSearchResults(portal_type="Report")),
            len(pending._store(self.folder)),
            dict(counter.last) if counter is not None else {},
        )

    def check(self, route, response, before=None):
        self.generated[route] += 1
        if response.status_code >= 500:
            self.errors.append(
                f"{response.status_code} from {route}: {response.text[:300]}"
            )
        if before is not None and response.status_code >= 400:
            after = self.snapshot()
            if after != before:
                self.errors.append(
                    f"{route} answered {response.status_code} but stored {before} -> {after}"
                )

    def token(self, session, url):
        page = html.fromstring(session.get(url, timeout=60).text)
        return page.xpath("//input[@name='_authenticator']/@value")[0]

    def generate(self, route, request, **strategies):
        """Run ``request(**values)`` (an HTTP answer) on generated values."""

        @SETTINGS
        @given(**strategies)
        def run(**values):
            self.check(route, request(**values))

        run()

    def tearDown(self):
        print(
            f"\n  hostile inputs: {sum(self.generated.values())} requests, {dict(self.generated)}"
        )

    # Write routes

    def test_rest_submission(self):
        url = self.folder.absolute_url() + "/@reports"
        fields = (
            "title",
            "description",
            "address",
            "category",
            "latitude",
            "longitude",
            "reporter",
            "answers",
            "images",
            "privacy_consent",
        )

        @SETTINGS
        @given(field=st.sampled_from(fields), value=JSON_VALUE)
        def structured(field, value):
            data = payload(images=[])
            data[field] = value
            before = self.snapshot()
            self.check(
                "POST @reports",
                self.anonymous.post(
                    url,
                    data=json.dumps(data),
                    headers={
                        "Accept": "application/json",
                        "Content-Type": "application/json",
                    },
                    timeout=60,
                ),
                before,
            )

        @SETTINGS
        @given(body=RAW_JSON)
        def raw(body):
            before = self.snapshot()
            self.check(
                "POST @reports (raw body)",
                self.anonymous.post(
                    url,
                    data=encoded(body),
                    headers={
                        "Accept": "application/json",
                        "Content-Type": "application/json",
                    },
                    timeout=60,
                ),
                before,
            )

        structured()
        raw()
        self.assertStoredClean()
        self.assertOutputsValid()
        self.assertEqual(self.errors, [], "\n".join(self.errors[:20]))

    def test_form_submission(self):
        url = self.folder.absolute_url() + "/@@segnala"
        token = self.token(self.anonymous, url)
        good = {
            "privacy_consent": "1",
            "category": "roads",
            "address": "Via Roma 12",
            "title": "Buca",
            "description": "Una buca.",
            "reporter_fullname": "Mario Rossi",
            "reporter_email": "mario.rossi@example.org",
            "nearby_seen": "1",
        }
        names = (
            *good,
            "latitude",
            "longitude",
            "answer-roads-dettagli",
            "kept_photos:list",
            "photo_position",
            "use_photo_position",
            "step",
        )
        # Each of the steps' buttons: a step checked, going back, a draft
        # (refused to anonymous citizens), the sending.
        buttons = ("next", "back", "save", "resume", "discard", "send")

        @SETTINGS
        @given(
            name=st.sampled_from(names),
            value=RAW,
            twice=st.booleans(),
            button=st.sampled_from(buttons),
        )
        def send(name, value, twice, button):
            fields = fields_with(good, name, value, twice) + [
                (b"_authenticator", token.encode()),
                (f"form.buttons.{button}".encode(), button.encode()),
            ]
            before = self.snapshot()
            # An empty upload, so that the form goes as multipart, as browsers send it.
            response = self.anonymous.post(
                url,
                data=fields,
                files={"attachments:list": ("", b"")},
                timeout=60,
                allow_redirects=False,
            )
            self.check(
                "POST @@segnala",
                response,
                before if response.status_code != 302 else None,
            )

        send()
        self.assertStoredClean()
        self.assertOutputsValid()
        self.assertEqual(self.errors, [], "\n".join(self.errors[:20]))

    def test_open311_submission(self):
        url = self.portal.absolute_url() + "/open311/v2/requests.json"
        good = OPEN311_REQUEST
        names = (
            *good,
            "last_name",
            "address_string",
            "phone",
            "media_url",
            "attribute[dettagli]",
            "attribute[\ud800]",
        )

        @SETTINGS
        @given(name=st.sampled_from(names), value=RAW, twice=st.booleans())
        def send(name, value, twice):
            fields = fields_with(good, name, value, twice)
            before = self.snapshot()
            response = self.anonymous.post(
                url,
                data=urlencode(fields).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                timeout=60,
            )
            self.check("POST open311 requests", response, before)
            # Zope itself refuses a field name that is not UTF-8 (400),
            # before anything of ours; the rest is answered as Open311 says.
            if response.status_code == 400 and name.isascii():
                self.assertIsInstance(response.json(), list)

        send()
        self.assertStoredClean()
        self.assertOutputsValid()
        self.assertEqual(self.errors, [], "\n".join(self.errors[:20]))

    def test_citizen_actions(self):
        report = self.public.absolute_url()
        folder = self.folder.absolute_url()
        # An anonymous visitor's token is the same on every page.
        token = self.token(self.anonymous, report).encode()
        track = private_url(self.submitted)
        number = self.submitted.getId().encode()
        secret = track.rsplit("t=", 1)[1].encode()
        get, post = self.anonymous.get, self.anonymous.post
        actions = {
            "POST @@follow": lambda v: post(
                report + "/@@follow", data=[(b"_authenticator", token), (b"email", v)]
            ),
            "POST @@support": lambda v: post(
                report + "/@@support", data=[(b"_authenticator", token), (b"x", v)]
            ),
            "GET @@unfollow": lambda v: get(
                report + "/@@unfollow?" + urlencode({b"t": v})
            ),
            "GET @@follow (confirm)": lambda v: get(
                report + "/@@follow?" + urlencode({b"confirm": v})
            ),
            "GET @@track": lambda v: get(
                folder + "/@@track?" + urlencode([(b"n", v), (b"t", v)])
            ),
            "GET @@track (token)": lambda v: get(
                folder + "/@@track?" + urlencode([(b"n", number), (b"t", v)])
            ),
            "POST @@track-reply": lambda v: post(
                folder + "/@@track-reply",
                data=[
                    (b"_authenticator", token),
                    (b"n", number),
                    (b"t", secret),
                    (b"message", v),
                ],
            ),
            "POST @@track-reply (twice)": lambda v: post(
                folder + "/@@track-reply",
                data=[
                    (b"_authenticator", token),
                    (b"n", number),
                    (b"t", secret),
                    (b"message", v),
                    (b"message", v),
                ],
            ),
            "GET @@segnala-confirm": lambda v: get(
                folder + "/@@segnala-confirm?" + urlencode({b"t": v})
            ),
            "GET @@segnala-inviata": lambda v: get(
                folder + "/@@segnala-inviata?" + urlencode([(b"n", number), (b"t", v)])
            ),
            "GET @@ricevuta.pdf": lambda v: get(
                folder + "/@@ricevuta.pdf?" + urlencode([(b"n", v), (b"t", secret)])
            ),
            "POST @@track (rating)": lambda v: post(
                folder + "/@@track",
                data=[
                    (b"_authenticator", token),
                    (b"n", number),
                    (b"t", secret),
                    (b"rating", v),
                    (b"followups", v),
                    (b"comment", v),
                    (b"form.buttons.rating-send", b"1"),
                ],
            ),
            "POST @@civicreports-feedback": lambda v: post(
                self.portal.absolute_url() + "/@@civicreports-feedback",
                data=[
                    (b"_authenticator", token),
                    (b"folder", self.folder.UID().encode()),
                    (b"page", b"form"),
                    (b"rating", v),
                    (b"answer", v),
                    (b"detail", v),
                    (b"came_from", v),
                ],
            ),
        }
        for route, act in actions.items():
            self.generate(route, lambda value, act=act: act(encoded(value)), value=RAW)
        self.assertOutputsValid()
        self.assertEqual(self.errors, [], "\n".join(self.errors[:20]))

    def test_staff_forms(self):
        public = self.public.absolute_url()
        moderate = self.token(
            self.moderator, self.submitted.absolute_url() + "/@@moderate"
        ).encode()
        handle = self.token(self.office, public + "/@@handle").encode()
        json_headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
        }

        def body(value, *names):
            # A str goes as JSON, escaped; bytes as they are (invalid JSON).
            if isinstance(value, str):
                return json.dumps(dict.fromkeys(names, value))
            return value

        def moderation(field):
            def act(v, values):
                fields = [(field, x) for x in values]
                if field != b"description":
                    fields.append((b"description", b"Descrizione"))
                url = self.submitted.absolute_url() + "/@@moderate"
                return self.moderator.post(
                    url,
                    data=[
                        (b"_authenticator", moderate),
                        *fields,
                        (b"form.buttons.redact", b"1"),
                    ],
                )

            return act

        def handling(field, button):
            def act(v, values):
                fields = [(field, x) for x in values]
                return self.office.post(
                    public + "/@@handle",
                    data=[(b"_authenticator", handle), *fields, (button, b"1")],
                )

            return act

        def patch(v, values):
            return self.moderator.patch(
                public, data=body(v, "internal_notes", "answer"), headers=json_headers
            )

        def reject(v, values):
            url = self.submitted.absolute_url() + "/@workflow/reject"
            response = self.moderator.post(
                url, data=body(v, "comment"), headers=json_headers
            )
            if response.status_code == 200:
                # Another one for the next example to reject.
                transaction.begin()
                login_as(self.portal, "admin")
                self.submitted = report_in(self.portal, "submitted")
                transaction.commit()
            return response

        def reject_on_page(v, values):
            fields = [(b"reason_text", x) for x in values]
            url = self.submitted.absolute_url() + "/@@moderate"
            response = self.moderator.post(
                url,
                data=[
                    (b"_authenticator", moderate),
                    *fields,
                    (b"form.buttons.reject", b"1"),
                ],
            )
            transaction.begin()
            if api.content.get_state(self.submitted) == "rejected":
                login_as(self.portal, "admin")
                self.submitted = report_in(self.portal, "submitted")
                transaction.commit()
            return response

        actions = {
            "POST @@moderate (title)": moderation(b"title"),
            "POST @@moderate (description)": moderation(b"description"),
            "POST @@moderate (address)": moderation(b"address"),
            "POST @@moderate (rejection)": reject_on_page,
            "POST @@handle (notes)": handling(b"internal_notes", b"form.buttons.notes"),
            "POST @@handle (question)": handling(b"question", b"form.buttons.ask"),
            "POST @@handle (answer)": handling(b"answer", b"form.buttons.answer"),
            "PATCH report": patch,
            "POST @workflow/reject": reject,
        }
        # PATCH and the workflow take JSON: the value as it is; the forms, bytes.
        raw_json = ("PATCH report", "POST @workflow/reject")

        def request(act, route, value, twice):
            sent = value if route in raw_json else encoded(value)
            return act(sent, [encoded(value)] * (2 if twice else 1))

        for route, act in actions.items():
            self.generate(
                route,
                lambda value, twice, act=act, route=route: request(
                    act, route, value, twice
                ),
                value=RAW,
                twice=st.booleans(),
            )
        self.assertStoredClean()
        self.assertOutputsValid()
        self.assertEqual(self.errors, [], "\n".join(self.errors[:20]))

    def test_operator_and_administrator_forms(self):
        folder = self.folder.absolute_url()
        site = self.portal.absolute_url()
        admin = Session()
        admin.auth = (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        moderator_token = self.token(
            self.moderator, self.submitted.absolute_url() + "/@@moderate"
        ).encode()
        admin_token = self.token(admin, site + "/@@civicreports-apikeys").encode()
        report = {
            "form.widgets.IBasic.title": "Buca",
            "form.widgets.IBasic.description": "Telefonata di un cittadino.",
            "form.widgets.category:list": "roads",
            "form.widgets.channel:list": "phone",
            "form.widgets.address": "Via Roma 3",
            "form.widgets.IReporter.reporter_fullname": "Mario Rossi",
            "form.widgets.IReporter.reporter_email": "mario.rossi@example.org",
            "form.buttons.save": "Save",
        }
        category = {
            "form.widgets.id": "nuova",
            "form.widgets.title": "Nuova",
            "form.widgets.kind:list": "malfunction",
            "form.widgets.questions": "size | string | Quanto?",
            "form.buttons.add": "Add",
        }
        settings = {
            "form.widgets.moderators_group": "moderators",
            "form.widgets.map_center_latitude": "39.2238",
            "form.widgets.map_center_longitude": "9.1217",
            "form.widgets.map_zoom": "13",
            "form.widgets.tile_url": "https://tile.example.org/{z}/{x}/{y}.png",
            "form.widgets.tile_attribution": "OSM",
            "form.widgets.photo_max_count": "5",
            "form.widgets.photo_max_megabytes": "10",
            "form.buttons.save": "Save",
        }
        forms = [
            (
                "POST ++add++Report",
                self.moderator,
                folder + "/++add++Report",
                report,
                moderator_token,
            ),
            (
                "POST @@assign",
                self.moderator,
                self.public.absolute_url() + "/@@assign",
                {"office": "office-roads", "comment": "Alla squadra"},
                moderator_token,
            ),
            (
                "POST @@civicreports-categories-add",
                admin,
                site + "/@@civicreports-categories-add",
                category,
                admin_token,
            ),
            (
                "POST @@civicreports-categories-edit",
                admin,
                site + "/@@civicreports-categories-edit?id=roads",
                {
                    "form.widgets.title": "Strade",
                    "form.widgets.kind:list": "malfunction",
                    "form.buttons.save": "Save",
                },
                admin_token,
            ),
            (
                "POST @@civicreports-categories",
                admin,
                site + "/@@civicreports-categories",
                {"delete": "nessuna"},
                admin_token,
            ),
            (
                "POST @@civicreports-apikeys",
                admin,
                site + "/@@civicreports-apikeys",
                {"create": "1", "label": "App", "channel": "api"},
                admin_token,
            ),
            (
                "POST @@civicreports-apikeys (revoke)",
                admin,
                site + "/@@civicreports-apikeys",
                {"revoke": "k00000000"},
                admin_token,
            ),
            (
                "POST @@civicreports-settings",
                admin,
                site + "/@@civicreports-settings",
                settings,
                admin_token,
            ),
        ]

        def send(session, url, good, token, name, value, twice):
            fields = fields_with(good, name, value, twice) + [
                (b"_authenticator", token)
            ]
            return session.post(url, data=fields)

        for route, session, url, good, token in forms:
            self.generate(
                route,
                lambda name, value, twice, form=(session, url, good, token): send(
                    *form, name, value, twice
                ),
                name=st.sampled_from([*good, "form.widgets.id", "id"]),
                value=RAW,
                twice=st.booleans(),
            )
        self.assertStoredClean()
        self.assertOutputsValid()
        for path in ("/open311/v2/services.xml", "/@report-categories"):
            response = self.anonymous.get(
                site + path, headers={"Accept": "application/json"}
            )
            self.assertEqual(response.status_code, 200, path)
        ElementTree.fromstring(
            self.anonymous.get(site + "/open311/v2/services.xml").content
        )
        self.assertEqual(self.errors, [], "\n".join(self.errors[:20]))

    # Read routes

    def test_filters_of_read_routes(self):
        folder = self.folder.absolute_url()
        site = self.portal.absolute_url()
        routes = [
            (
                self.anonymous,
                folder,
                ("category", "kind", "state", "text", "start", "end", "b_start"),
                None,
            ),
            (
                self.anonymous,
                folder + "/@@reports-rss",
                ("category", "kind", "state", "text", "start", "end"),
                None,
            ),
            (
                self.anonymous,
                folder + "/@reports",
                (
                    "category",
                    "kind",
                    "state",
                    "text",
                    "start",
                    "end",
                    "b_start",
                    "b_size",
                ),
                "application/json",
            ),
            (
                self.moderator,
                folder + "/@reports",
                ("state", "text", "b_size"),
                "application/json",
            ),
            (
                self.anonymous,
                folder + "/@reports-geojson",
                ("bbox", "category", "state", "since"),
                "application/json",
            ),
            (
                self.anonymous,
                site + "/open311/v2/requests.xml",
                (
                    "service_request_id",
                    "service_code",
                    "status",
                    "start_date",
                    "end_date",
                ),
                None,
            ),
            (
                self.anonymous,
                site + "/open311/v2/requests.json",
                (
                    "service_request_id",
                    "service_code",
                    "status",
                    "start_date",
                    "end_date",
                ),
                None,
            ),
            (
                self.moderator,
                folder + "/@@report-statistics",
                ("start", "end", "category"),
                None,
            ),
            (
                self.moderator,
                folder + "/@@report-export",
                ("start", "end", "category", "format"),
                None,
            ),
            (
                self.moderator,
                folder + "/@report-stats",
                ("start", "end", "category"),
                "application/json",
            ),
            (self.moderator, folder + "/@@moderation", ("sort", "b_start"), None),
            (self.office, site + "/@@my-office", ("sort",), None),
            (
                self.anonymous,
                site + "/@report-categories",
                ("kind",),
                "application/json",
            ),
        ]

        def read(session, url, names, accept, data):
            chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3))
            query = [(encoded(name), encoded(data.draw(RAW))) for name in chosen]
            headers = {"Accept": accept} if accept else {}
            return session.get(
                url + "?" + urlencode(query),
                headers=headers,
                timeout=60,
                allow_redirects=False,
            )

        for session, url, names, accept in routes:
            self.generate(
                "GET " + url.replace(site, ""),
                lambda data, route=(session, url, names, accept): read(*route, data),
                data=st.data(),
            )
        # Percent-encoded: a lone surrogate, invalid UTF-8, NUL, a non-ASCII token.
        for path in (
            "services/%ED%A0%80.xml",
            "services/%FF.json",
            "requests/%00.xml",
            "tokens/%C3%A8.json",
            "requests/" + "9" * 400 + ".json",
        ):
            self.check(
                "GET open311 path",
                self.anonymous.get(site + "/open311/v2/" + path, timeout=60),
            )
        self.assertOutputsValid()
        self.assertEqual(self.errors, [], "\n".join(self.errors[:20]))

    # Afterwards

    def assertStoredClean(self):
        """What the staff stored is text the writers can write."""
        transaction.begin()
        for report in self.folder.objectValues():
            for name in ("title", "description", "address", "internal_notes", "answer"):
                value = getattr(report, name, None) or ""
                self.assertEqual(printable(value), value, f"{name} of {report.getId()}")
                self.assertEqual(unicodedata.normalize("NFC", value), value)

    def assertOutputsValid(self):
        folder = self.folder.absolute_url()
        site = self.portal.absolute_url()
        transaction.begin()
        for report in self.folder.objectValues():
            for session in (self.anonymous, self.moderator):
                self.assertLess(
                    session.get(report.absolute_url(), timeout=60).status_code, 500
                )
        ElementTree.fromstring(
            self.anonymous.get(folder + "/@@reports-rss", timeout=60).content
        )
        ElementTree.fromstring(
            self.anonymous.get(site + "/open311/v2/requests.xml", timeout=60).content
        )
        json.loads(
            self.anonymous.get(site + "/open311/v2/requests.json", timeout=60).content
        )
        for session in (self.anonymous, self.moderator):
            response = session.get(
                folder + "/@reports", headers={"Accept": "application/json"}, timeout=60
            )
            self.assertEqual(response.status_code, 200, response.text[:300])
            json.loads(response.content)
            json.loads(
                session.get(
                    folder + "/@reports-geojson",
                    headers={"Accept": "application/json"},
                    timeout=60,
                ).content
            )
            self.assertEqual(session.get(folder, timeout=60).status_code, 200)
        data = self.moderator.get(
            folder + "/@@report-export?format=csv", timeout=60
        ).content
        list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        data = self.moderator.get(
            folder + "/@@report-export?format=xlsx", timeout=60
        ).content
        openpyxl.load_workbook(io.BytesIO(data))
        self.assertEqual(
            self.moderator.get(folder + "/@@moderation", timeout=60).status_code, 200
        )

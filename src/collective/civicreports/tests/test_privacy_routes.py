"""The privacy rules on every route, found rather than listed: every name
``routes.discover`` finds publishable on the report folder, on a report in
each state (and confidential), on its photos and on its document, called
over HTTP by everyone who must not read the reporter's data.

Nothing of the reporter (name, e-mail, phone, fiscal code, answers,
messages, the original text before moderation, the unpublished photo and
the document) nor the internal notes, nor the title or text of a report
that is not public, may come back, in a body or in a header; and no call
may answer 500.
"""

from collections import Counter
from collective.civicreports.categories.registry import get_category
from collective.civicreports.reports import messages
from collective.civicreports.reports import moderation
from collective.civicreports.security.ratelimit import reset as reset_rate_limits
from collective.civicreports.testing import SERVER_TESTING
from collective.civicreports.tests.base import create_other_citizen
from collective.civicreports.tests.base import image_data
from collective.civicreports.tests.base import login_as
from collective.civicreports.tests.base import PERSONAL
from collective.civicreports.tests.base import run_as
from collective.civicreports.tests.base import submit
from collective.civicreports.tests.routes import discover
from plone import api

import base64
import re
import requests
import time
import transaction
import unittest


NOTE = "Nota interna: richiamare il geometra Pettorossi"
ANSWER = "Abito al terzo piano del civico 12, interno Farfallone"
QUESTION = "Domanda riservata: a che ora passa il camion Strombolino?"
REPLY = "Risposta riservata: verso le sette, chiedete di Gervasia"
ORIGINAL = "Testo originale con il cortile di casa Bisbetici"
DOCUMENT_MARKER = b"DOCUMENTO-RISERVATO-4417"
DOCUMENT = b"%PDF-1.4\n% " + DOCUMENT_MARKER + b"\n%%EOF\n"
SECRET_VALUES = (
    *PERSONAL.values(),
    "Quagliarulo",
    NOTE,
    ANSWER,
    QUESTION,
    REPLY,
    ORIGINAL,
)

# Who must never read any of it.
ROLES = {
    "anonymous": None,
    "another citizen": ("other", "other-secret-1"),
    "another office": ("waste", "waste"),
    "a plain member": ("member", "member-secret-1"),
}
STATES = ("submitted", "approved", "assigned", "closed", "rejected", "confidential")
PRIVATE_STATES = ("submitted", "rejected", "confidential")
AFTER_APPROVAL = {"assigned": ("assign",), "closed": ("assign", "close")}


def summary(problems):
    """The problems by route, each with how many roles and states met it."""
    by_route = Counter(re.sub(r" \(\w+\) for .*$", "", problem) for problem in problems)
    lines = [f"{count:4d} x {route}" for route, count in by_route.most_common()]
    return f"{len(problems)} problems:\n" + "\n".join(lines)


class RouteDiscoveryPrivacyTest(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = self.portal["segnalazioni"]
        create_other_citizen()
        api.user.create(
            username="member", email="member@example.org", password="member-secret-1"
        )
        get_category("roads").questions = ["dettagli | text | Altri dettagli"]
        login_as(self.portal, "admin")
        self.reports = {state: self.make_report(state) for state in STATES}
        transaction.commit()
        reset_rate_limits()
        self.hidden_texts = [
            text
            for state in PRIVATE_STATES
            for text in (self.reports[state].title, self.reports[state].description)
        ]
        self.hidden_bytes = [DOCUMENT_MARKER] + [
            # Pixels of the unpublished photos, as they are stored.
            report["photo-2.jpg"].image.data[200:264]
            for report in self.reports.values()
        ]

    def make_report(self, state):
        private = state in PRIVATE_STATES
        title = f"Titolo riservato {state} Zanzibar" if private else "Buca in via Roma"
        report = submit(
            self.portal,
            title=title,
            description=f"{ORIGINAL}: descrizione {state} Cormorano",
            answers={"dettagli": ANSWER},
            images=[
                {"data": image_data(size=(40, 30))},
                {"data": image_data(size=(64, 48))},
            ],
            attachments=[{"data": base64.b64encode(DOCUMENT).decode()}],
        )
        report.internal_notes = NOTE
        messages.ask(report, QUESTION)
        messages.reply(report, REPLY)
        if state == "rejected":
            run_as(self.portal, "moderator", "reject", report, "Non pertinente")
        if state in ("submitted", "rejected"):
            return report
        # The moderator replaces the reporter's text: the original is kept.
        login_as(self.portal, "moderator")
        public = "riservata Pellicano" if private else "pubblica"
        moderation.redact(report, f"{title} {public}", f"Descrizione {public} {state}")
        moderation.approve(
            report,
            confidential=state == "confidential",
            published_photos=["photo-1.jpg"],
        )
        login_as(self.portal, "admin")
        for transition in AFTER_APPROVAL.get(state, ()):
            run_as(self.portal, "moderator", transition, report)
        return report

    def targets(self):
        """(what, state, object) of everything probed."""
        yield "report folder", "", self.folder
        for state, report in self.reports.items():
            yield "report", state, report
            yield "published photo", state, report["photo-1.jpg"]
            yield "unpublished photo", state, report["photo-2.jpg"]
            yield "document", state, report["attachment-1.pdf"]

    def test_no_route_leaks(self):
        forbidden = re.compile(
            "|".join(re.escape(text) for text in (*SECRET_VALUES, *self.hidden_texts)),
            re.IGNORECASE,
        )
        sessions = {}
        for role, auth in ROLES.items():
            sessions[role] = requests.Session()
            sessions[role].auth = auth
        problems = []
        counts = Counter()
        routes_of = Counter()
        started = time.monotonic()
        for what, state, obj in self.targets():
            url = obj.absolute_url()
            routes = discover(obj)
            routes_of[what] = max(routes_of[what], len(routes))
            for route in routes:
                for role, session in sessions.items():
                    counts[role] += 1
                    where = f"{route} on the {what} ({state or 'public'}) for {role}"
                    try:
                        response = self.call(session, url, route, obj)
                    except requests.RequestException as error:
                        problems.append(f"{error!r} from {where}")
                        sessions[role] = requests.Session()
                        sessions[role].auth = ROLES[role]
                        continue
                    if response.status_code >= 500:
                        problems.append(f"{response.status_code} from {where}")
                    text = response.text + "\n" + str(response.headers)
                    found = forbidden.search(text)
                    if found:
                        problems.append(f"{found.group()!r} leaks from {where}")
                    for data in self.hidden_bytes:
                        if data in response.content:
                            problems.append(f"hidden file content leaks from {where}")
        total = sum(counts.values())
        leaks = sum(" leaks from " in problem for problem in problems)
        print(
            f"\n  privacy routes: {dict(routes_of)} routes per object kind, "
            f"{len(STATES)} states, {len(ROLES)} roles: {total} requests in "
            f"{time.monotonic() - started:.0f} s; {leaks} leaks, "
            f"{len(problems) - leaks} errors"
        )
        self.assertEqual(problems, [], summary(problems))

    def call(self, session, url, route, obj):
        headers = {"Accept": route.accept} if route.accept else {}
        kwargs = {}
        if route.method in ("POST", "PATCH", "PUT") and route.accept:
            kwargs["json"] = {}
        if route.method == "PROPFIND":
            headers["Depth"] = "1"
        if route.method in ("COPY", "MOVE"):
            headers["Destination"] = self.folder.absolute_url() + "/moved"
        target = f"{url}/{route.path}" if route.path else url
        return session.request(
            route.method,
            target,
            headers=headers,
            allow_redirects=False,
            timeout=120,
            **kwargs,
        )

"""Helpers shared by the tests."""

from collective.civicreports.privacy.validators import fiscal_code_check_char
from collective.civicreports.reports.submission import create_report
from collective.civicreports.reports.submission import validate
from collective.civicreports.services.reports.post import entry_from_json
from email import message_from_bytes
from email.header import decode_header
from email.header import make_header
from plone import api
from plone.app.testing import login
from plone.app.testing import logout
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from plone.testing.zope import Browser
from plone.testing.zope import login as zope_login
from zope.annotation.interfaces import IAnnotations

import base64
import io
import logging
import transaction


# Distinctive values, so that a leak shows up in any page or response.
PERSONAL = {
    "fullname": "Zebedeo Quagliarulo",
    "email": "zebedeo.quagliarulo@example.org",
    "phone": "3470001122",
    "fiscal_code": "QGLZBD80A01H501" + fiscal_code_check_char("QGLZBD80A01H501"),
}


# A good Open311 service request with the demo key, as a form sends it.
OPEN311_REQUEST = {
    "api_key": "demo-open311-key",
    "service_code": "roads",
    "lat": "39.22",
    "long": "9.11",
    "first_name": "Mario",
    "email": "mario@example.org",
    "description": "Buca grande",
}


def image_data(fmt="JPEG", size=(40, 30)):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def payload(**overrides):
    data = {
        "category": "roads",
        "title": "Buca in via Roma",
        "description": "Una buca profonda davanti al civico 12.",
        "latitude": 39.22,
        "longitude": 9.11,
        "address": "Via Roma 12",
        "reporter": dict(PERSONAL),
        "images": [
            {"filename": "buca.jpg", "content-type": "image/jpeg", "data": image_data()}
        ],
        "privacy_consent": True,
    }
    data.update(overrides)
    return data


def admin_browser(layer):
    """A test browser logged in as the site's administrator."""
    browser = Browser(layer["app"])
    browser.handleErrors = False
    browser.addHeader("Authorization", f"Basic {SITE_OWNER_NAME}:{SITE_OWNER_PASSWORD}")
    return browser


def login_as(portal, name):
    """Log in a demo account; None is anonymous. In the tests "admin" is
    the Zope manager above the site, as a Manager of the site."""
    # Local roles are cached on the request: a test that changes them and
    # asks again within the same request would read the old ones.
    annotations = IAnnotations(portal.REQUEST)
    for key in [k for k in annotations if "borg.localrole" in str(k)]:
        del annotations[key]
    if name is None:
        logout()
    elif name == "admin":
        zope_login(portal.getPhysicalRoot()["acl_users"], SITE_OWNER_NAME)
    else:
        login(portal, name)


def create_other_citizen():
    """A registered citizen who did not make the reports of the test."""
    return api.user.create(
        username="other", email="other@example.org", password="other-secret-1"
    )


def create_site_admin(portal):
    """A Manager of the site whose password is its name, as
    ``BrowserCase.login`` types it: the tests' "admin" is Zope's, above the
    site, which the site's login form does not know."""
    login_as(portal, "admin")
    api.user.create(
        username="siteadmin",
        email="siteadmin@comune.example.it",
        password="siteadmin",
        roles=("Member", "Manager"),
    )
    transaction.commit()


def submit(portal, user=None, **overrides):
    """Create a report as ``user`` (None: anonymous) the way the REST
    service does; returns it."""
    folder = portal["segnalazioni"]
    new_request()
    login_as(portal, user)
    try:
        entry, errors = entry_from_json(payload(**overrides))
        return create_report(folder, validate(folder, entry, errors=errors))
    finally:
        login_as(portal, "admin")


def new_request():
    """Content rules run once per object and rule in a request; each step of
    a test stands for a request of its own."""
    from plone.app.contentrules.handlers import close

    close(None)


def run_as(portal, user, transition, obj, comment=""):
    new_request()
    login_as(portal, user)
    try:
        api.content.transition(obj=obj, transition=transition, comment=comment)
    finally:
        login_as(portal, "admin")


def parse_mail(raw):
    return message_from_bytes(raw if isinstance(raw, bytes) else raw.encode())


def subject(message):
    return str(make_header(decode_header(message.get("Subject", ""))))


def body(message):
    data = message.get_payload(decode=True)
    return data.decode(message.get_content_charset() or "utf-8")


# The transitions that bring a new report to each state.
PATHS = {
    "submitted": (),
    "approved": ("approve",),
    "assigned": ("approve", "assign"),
    "closed": ("approve", "assign", "close"),
    "rejected": ("reject",),
}


def report_in(portal, state="approved", **overrides):
    """A report submitted and moved, by the moderator, to ``state``."""
    report = submit(portal, **overrides)
    for transition in PATHS[state]:
        run_as(portal, "moderator", transition, report)
    return report


def count_in_log(var, text):
    """How many times ``text`` is in the event log of an instance."""
    log = var / "log" / "event.log"
    return log.read_text(errors="replace").count(text) if log.exists() else 0


class Captured(logging.Handler):
    """The records of a logger, to read what a test made it say."""

    def __init__(self, level=logging.DEBUG):
        super().__init__(level)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    def text(self, level=logging.DEBUG):
        return "\n".join(r.getMessage() for r in self.records if r.levelno >= level)

"""Test layers.

- ``INTEGRATION_TESTING`` and ``FUNCTIONAL_TESTING``: a site with the add-on,
  the demo categories, offices and accounts, and a MockMailHost.
- ``SERVER_TESTING``: the same site served over real HTTP on 127.0.0.1, with
  the real MailHost sending through SMTP to a local aiosmtpd sink.
"""

from collective.civicreports import demo
from collective.civicreports.mailsink import MailSink
from plone import api
from plone.app.testing import applyProfile
from plone.app.testing import FunctionalTesting
from plone.app.testing import IntegrationTesting
from plone.app.testing import PLONE_FIXTURE
from plone.app.testing import PloneSandboxLayer
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from plone.testing.zope import WSGI_SERVER_FIXTURE
from Products.CMFPlone.tests.utils import MockMailHost
from Products.MailHost.interfaces import IMailHost
from zope.component import getSiteManager

import os
import tempfile


# Compile the .po catalogs, as the instance made by `make start` does.
os.environ.setdefault("zope_i18n_compile_mo_files", "true")


def configure_mail(portal, host="127.0.0.1", port=25):
    # Plone reads the SMTP server from the registry (Site Setup > Mail).
    api.portal.set_registry_record("plone.smtp_host", host)
    api.portal.set_registry_record("plone.smtp_port", port)
    api.portal.set_registry_record("plone.email_from_address", "urp@comune.example.it")
    api.portal.set_registry_record("plone.email_from_name", "Comune di Esempio")


class CivicReportsLayer(PloneSandboxLayer):
    defaultBases = (PLONE_FIXTURE,)

    def setUpZope(self, app, configurationContext):
        import collective.civicreports
        import plone.restapi

        self.loadZCML(package=plone.restapi)
        self.loadZCML(package=collective.civicreports)

    def setUpPloneSite(self, portal):
        # As on a site made with the Classic UI distribution.
        portal.portal_workflow.setDefaultChain("simple_publication_workflow")
        applyProfile(portal, "collective.civicreports:default")
        applyProfile(portal, "collective.civicreports:demo")
        configure_mail(portal)
        setRoles(portal, TEST_USER_ID, ["Manager"])
        demo.setup_demo(portal)
        setRoles(portal, TEST_USER_ID, ["Member"])


CIVICREPORTS_FIXTURE = CivicReportsLayer()


class MockMailLayer(PloneSandboxLayer):
    """The site's MailHost is a MockMailHost that keeps the messages."""

    defaultBases = (CIVICREPORTS_FIXTURE,)

    def setUpPloneSite(self, portal):
        mailhost = MockMailHost("MailHost")
        mailhost.smtp_host = "127.0.0.1"
        portal._delObject("MailHost")
        portal._setObject("MailHost", mailhost)
        getSiteManager(portal).registerUtility(portal.MailHost, provided=IMailHost)


MOCK_MAIL_FIXTURE = MockMailLayer()


class SmtpSinkLayer(PloneSandboxLayer):
    """A real SMTP server on 127.0.0.1 that writes every mail to a Maildir;
    the site's real MailHost sends to it."""

    defaultBases = (CIVICREPORTS_FIXTURE,)

    def setUp(self):
        self._dir = tempfile.TemporaryDirectory(prefix="civicreports-mail-")
        self.sink = MailSink(self._dir.name, host="127.0.0.1", port=0)
        self.sink.start()
        self["mailsink"] = self.sink
        super().setUp()

    def tearDown(self):
        super().tearDown()
        self.sink.stop()
        self._dir.cleanup()
        del self["mailsink"]

    def setUpPloneSite(self, portal):
        configure_mail(portal, port=self.sink.port)

    def testSetUp(self):
        self.sink.clear()


SMTP_SINK_FIXTURE = SmtpSinkLayer()

INTEGRATION_TESTING = IntegrationTesting(
    bases=(MOCK_MAIL_FIXTURE,), name="CivicReports:Integration"
)
FUNCTIONAL_TESTING = FunctionalTesting(
    bases=(MOCK_MAIL_FIXTURE,), name="CivicReports:Functional"
)
SERVER_TESTING = FunctionalTesting(
    bases=(SMTP_SINK_FIXTURE, WSGI_SERVER_FIXTURE), name="CivicReports:Server"
)

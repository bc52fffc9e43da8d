"""Test layers.

- ``INTEGRATION_TESTING`` and ``FUNCTIONAL_TESTING``: a site with the add-on,
  the demo categories, offices and accounts, and a MockMailHost.
- ``SERVER_TESTING``: the same site served over real HTTP on 127.0.0.1, with
  the real MailHost sending through SMTP to a local aiosmtpd sink.
"""

from collective.civicreports import demo
from collective.civicreports.mailsink import MailSink
from pathlib import Path
from plone import api
from plone.app.testing import applyProfile
from plone.app.testing import FunctionalTesting
from plone.app.testing import IntegrationTesting
from plone.app.testing import PLONE_FIXTURE
from plone.app.testing import PloneSandboxLayer
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from plone.testing import Layer
from plone.testing.zope import WSGI_SERVER_FIXTURE
from Products.CMFPlone.tests.utils import MockMailHost
from Products.MailHost.interfaces import IMailHost
from zope.component import getSiteManager

import os
import requests
import socket
import subprocess
import sys
import tempfile
import time


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


class RealInstanceLayer(Layer):
    """A Zope instance as ``make start`` makes it: FileStorage, the Italian
    demo site, 4 waitress threads on 127.0.0.1, the mail queue delivering
    through SMTP to a local aiosmtpd sink. Started in a process of its own."""

    threads = 4

    def setUp(self):
        root = Path(__file__).resolve().parents[3]
        scripts = root / "scripts"
        if not (scripts / "create_site.py").exists():
            raise RuntimeError(f"run the tests from a checkout: {scripts} is missing")
        bin_dir = Path(sys.executable).parent
        self._dir = tempfile.TemporaryDirectory(prefix="civicreports-instance-")
        var = Path(self._dir.name)
        self.sink = MailSink(str(var / "mail"), host="127.0.0.1", port=0)
        self.sink.start()
        port = _free_port()
        sys.path.insert(0, str(scripts))
        try:
            from instance import write_instance
        finally:
            sys.path.remove(str(scripts))
        instance = write_instance(var, port, threads=self.threads)
        env = dict(
            os.environ,
            SMTP_PORT=str(self.sink.port),
            MAIL_QUEUE=str(var / "mailqueue"),
            DEMO_LANGUAGE="it",
        )
        subprocess.run(
            [
                bin_dir / "zconsole",
                "run",
                instance / "zope.conf",
                scripts / "create_site.py",
            ],
            check=True,
            env=env,
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=600,
        )
        self.process = subprocess.Popen(
            [bin_dir / "runwsgi", instance / "zope.ini"],
            env=env,
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}/Plone"
        deadline = time.monotonic() + 180
        while True:
            try:
                if requests.get(url, timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.tearDown()
                raise RuntimeError("the Zope instance did not start")
            time.sleep(0.5)
        self["instance_url"] = url
        self["instance_var"] = var
        self["mailsink"] = self.sink

    def tearDown(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.sink.stop()
        self._dir.cleanup()


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


REAL_INSTANCE = RealInstanceLayer(name="CivicReports:RealInstance")

"""Test layers.

- ``INTEGRATION_TESTING`` and ``FUNCTIONAL_TESTING``: a site with the add-on,
  the demo categories, offices and accounts, and a MockMailHost.
- ``SERVER_TESTING``: the same site served over real HTTP on 127.0.0.1, with
  the real MailHost sending through SMTP to a local aiosmtpd sink.
- ``REAL_INSTANCE``: a Zope instance as ``make start`` runs it, FileStorage.
- ``ZEO_INSTANCES``: a ZEO server and two Zope processes behind HAProxy.
- ``RELSTORAGE_INSTANCES``: two Zope processes sharing RelStorage in a
  PostgreSQL server of the tests' own (``POSTGRESQL``), behind HAProxy.
"""

from collective.civicreports.demo import accounts
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
from plone.testing.zope import WSGIServer
from Products.CMFPlone.tests.utils import MockMailHost
from Products.MailHost.interfaces import IMailHost
from zope.component import getSiteManager

import importlib
import os
import requests
import socket
import subprocess
import sys
import tempfile
import time


# Compile the .po catalogs, as the instance made by `make start` does.
os.environ.setdefault("zope_i18n_compile_mo_files", "true")


ROOT = Path(__file__).resolve().parents[3]
SCRIPTS = ROOT / "scripts"
BIN = Path(sys.executable).parent


def from_scripts(name):
    """A module of ``scripts/``, the tools of ``make start`` (the instance's
    configuration, the SMTP sink), which the tests use too."""
    if not (SCRIPTS / f"{name}.py").exists():
        raise RuntimeError(f"run the tests from a checkout: {SCRIPTS} is missing")
    sys.path.insert(0, str(SCRIPTS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(SCRIPTS))


def smtp_sink(maildir):
    """An SMTP server on 127.0.0.1 and a free port, writing to ``maildir``."""
    return from_scripts("mailsink").MailSink(str(maildir), host="127.0.0.1", port=0)


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
        accounts.setup_demo(portal)
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
        self.sink = smtp_sink(self._dir.name)
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


class CivicWSGIServer(WSGIServer):
    """plone.testing's server, with the WSGI filter of the instances."""

    pipeline = [
        *WSGIServer.pipeline,
        ("collective.civicreports", "paste.filter_app_factory", "strict_paths", {}),
    ]


WSGI_SERVER_FIXTURE = CivicWSGIServer(name="CivicReports:WSGIServer")

SERVER_TESTING = FunctionalTesting(
    bases=(SMTP_SINK_FIXTURE, WSGI_SERVER_FIXTURE), name="CivicReports:Server"
)


def _write_instance(var, port, threads, storage=None):
    return from_scripts("instance").write_instance(
        var, port, threads=threads, storage=storage
    )


def _mail_sink(var):
    """A running SMTP sink writing to ``var/mail``, and the environment in
    which the scripts create the Italian demo site sending to it through a
    mail queue in ``var/mailqueue``."""
    sink = smtp_sink(var / "mail")
    sink.start()
    env = dict(
        os.environ,
        SMTP_PORT=str(sink.port),
        MAIL_QUEUE=str(var / "mailqueue"),
        DEMO_LANGUAGE="it",
    )
    return sink, env


def _create_site(instance, env):
    subprocess.run(
        [BIN / "zconsole", "run", instance / "zope.conf", SCRIPTS / "create_site.py"],
        check=True,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=600,
    )


def _serve(instance, env, url):
    """Start ``runwsgi`` and wait until the site answers; the process."""
    process = subprocess.Popen(
        [BIN / "runwsgi", instance / "zope.ini"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 180
    while True:
        try:
            # The first page renders slowly on a busy machine: a timeout is
            # no answer yet.
            if requests.get(url, timeout=30).status_code == 200:
                return process
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError(f"the Zope instance of {instance} did not start")
        time.sleep(0.5)


def _stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


# The tests' clients all come from 127.0.0.1: the limits per address of the
# demo site would stop them. The tests of the limits set their own.
NO_RATE_LIMITS = {
    "collective.civicreports.anonymous_rate_limit": 0,
    "collective.civicreports.citizen_rate_limit": 0,
    "collective.civicreports.engagement_rate_limit": 0,
}


def set_registry(url, values):
    """Set registry records of a running demo site, as its administrator."""
    response = requests.patch(
        url + "/@registry",
        json=values,
        auth=("admin", "admin"),
        headers={"Accept": "application/json"},
        timeout=60,
    )
    response.raise_for_status()


class RealInstanceLayer(Layer):
    """A Zope instance as ``make start`` makes it: FileStorage, the Italian
    demo site, 4 waitress threads on 127.0.0.1, the mail queue delivering
    through SMTP to a local aiosmtpd sink. Started in a process of its own."""

    threads = 4

    def setUp(self):
        self._dir = tempfile.TemporaryDirectory(prefix="civicreports-instance-")
        var = Path(self._dir.name)
        self.sink, env = _mail_sink(var)
        port = _free_port()
        instance = _write_instance(var, port, self.threads)
        url = f"http://127.0.0.1:{port}/Plone"
        try:
            _create_site(instance, env)
            self.process = _serve(instance, env, url)
            set_registry(url, NO_RATE_LIMITS)
        except Exception:
            self.sink.stop()
            self._dir.cleanup()
            raise
        self._serving = (instance, env, url)
        self["instance_url"] = url
        self["instance_var"] = var
        self["mailsink"] = self.sink
        self["instance"] = self

    def kill(self):
        """``kill -9``, as a crash would."""
        self.process.kill()
        self.process.wait(timeout=30)

    def restart(self):
        """Start the instance again, on the same database."""
        self.process = _serve(*self._serving)

    def tearDown(self):
        _stop(self.process)
        self.sink.stop()
        self._dir.cleanup()


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


REAL_INSTANCE = RealInstanceLayer(name="CivicReports:RealInstance")


class PostgreSQLLayer(Layer):
    """A PostgreSQL server of the tests' own (``scripts/cluster.py``): a new
    cluster in a temporary folder, listening on 127.0.0.1 on a free port,
    with a database for RelStorage."""

    def setUp(self):
        self._dir = tempfile.TemporaryDirectory(prefix="civicreports-postgresql-")
        self.server = from_scripts("cluster").PostgreSQL(
            Path(self._dir.name) / "postgresql", _free_port(), durable=False
        )
        self["postgresql_dsn"] = self.server.start()
        self["postgresql"] = self.server

    def tearDown(self):
        self.server.stop()
        self._dir.cleanup()


POSTGRESQL = PostgreSQLLayer(name="CivicReports:PostgreSQL")

RELSTORAGE = from_scripts("cluster").RELSTORAGE
_postgresql_bin = from_scripts("cluster").postgresql_bin


class ClusterLayer(Layer):
    """Two Zope processes, as a production site runs them, on one database
    (and one blob folder), each with 4 waitress threads on 127.0.0.1,
    behind HAProxy (``scripts/cluster.py``, as ``make start-zeo`` and
    ``make start-relstorage`` run them); the Italian demo site; the mail
    queue, shared by the processes, delivering through SMTP to a local
    aiosmtpd sink.

    ``url`` is the balancer's address of the site, ``instance_urls`` the
    instances' own; ``cluster`` can kill and restart an instance."""

    kind = None
    processes = 2
    threads = 4

    def dsn(self):
        return None

    def setUp(self):
        self._dir = tempfile.TemporaryDirectory(prefix=f"civicreports-{self.kind}-")
        var = Path(self._dir.name)
        self.sink, env = _mail_sink(var)
        self.cluster = from_scripts("cluster").Cluster(
            self.kind,
            var / self.kind,
            _free_port(),
            processes=self.processes,
            threads=self.threads,
            dsn=self.dsn(),
            env=env,
            durable=False,
        )
        try:
            self.cluster.start()
            set_registry(self.cluster.url, NO_RATE_LIMITS)
        except Exception:
            self.sink.stop()
            self._dir.cleanup()
            raise
        self["cluster"] = self.cluster
        self["url"] = self.cluster.url
        self["instance_urls"] = self.cluster.urls
        self["instance_vars"] = [
            self.cluster.instance_folder(n) for n in range(self.processes)
        ]
        self["mailsink"] = self.sink
        self["mailqueue"] = var / "mailqueue"

    def tearDown(self):
        self.cluster.stop()
        self.sink.stop()
        self._dir.cleanup()


class ZEOClusterLayer(ClusterLayer):
    kind = "zeo"


class RelStorageClusterLayer(ClusterLayer):
    kind = "relstorage"
    defaultBases = (POSTGRESQL,)

    def dsn(self):
        return self["postgresql_dsn"]


ZEO_INSTANCES = ZEOClusterLayer(name="CivicReports:ZEO")
RELSTORAGE_INSTANCES = RelStorageClusterLayer(name="CivicReports:RelStorage")

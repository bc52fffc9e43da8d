"""Backups and restores of a running site (``scripts/backup.py``): repozo
on FileStorage, pg_dump on RelStorage, the blobs after the database; and
``@@health``, the check a load balancer asks each Zope process.

Each restore is opened in a process of its own, on the restored files or
database only, and must hold every report submitted before the backup with
the same photo bytes as the running site, and every report it holds
complete; reports are submitted while the backup runs.
"""

from collective.civicreports.operations import health
from collective.civicreports.testing import _create_site
from collective.civicreports.testing import _free_port
from collective.civicreports.testing import _serve
from collective.civicreports.testing import _stop
from collective.civicreports.testing import _write_instance
from collective.civicreports.testing import from_scripts
from collective.civicreports.testing import INTEGRATION_TESTING
from collective.civicreports.testing import NO_RATE_LIMITS
from collective.civicreports.testing import POSTGRESQL
from collective.civicreports.testing import REAL_INSTANCE
from collective.civicreports.testing import RELSTORAGE
from collective.civicreports.testing import ROOT
from collective.civicreports.testing import set_registry
from collective.civicreports.tests.base import payload
from pathlib import Path
from plone.testing import Layer
from unittest import mock
from ZODB.FileStorage import FileStorage

import base64
import contextlib
import hashlib
import io
import itertools
import json
import os
import re
import requests
import subprocess
import sys
import tempfile
import threading
import time
import transaction
import unittest
import ZODB


JSON = {"Accept": "application/json"}
ADMIN = ("admin", "admin")
BACKUP = ROOT / "scripts" / "backup.py"
# The oldest mail's age that makes the RelStorage instance "degraded"
# (production keeps the default, an hour).
MAIL_AGE = 5

# Run in a process of its own: the restored storage, read-only, and
# nothing of the running site. Prints, for each report asked that it
# holds, its title and the sha256 of each photo asked (or why not).
VERIFY = """\
import hashlib, json, sys
import ZODB, ZODB.config
from Acquisition import aq_base

with open(sys.argv[1]) as config:
    db = ZODB.DB(ZODB.config.storageFromFile(config))
wanted = json.loads(sys.argv[2])
found = {}
try:
    folder = db.open().root()["Application"]["Plone"]["segnalazioni"]
    for number, names in wanted.items():
        # _getOb: the folder's ordering needs the component registry.
        report = folder._getOb(number, None)
        if report is None:
            continue
        photos = {}
        for name in names:
            photo = report._getOb(name, None)
            try:
                with aq_base(photo).image.open() as blob:
                    photos[name] = hashlib.sha256(blob.read()).hexdigest()
            except Exception as error:
                photos[name] = "unreadable: " + repr(error)
        found[number] = {"title": aq_base(report).title, "photos": photos}
finally:
    db.close()
print(json.dumps(found))
"""

FILESTORAGE_CONF = """\
<filestorage>
  path {data_fs}
  blob-dir {blobs}
  read-only true
</filestorage>
"""

RELSTORAGE_CONF = """\
%import relstorage
<relstorage>
  blob-dir {blobs}
  shared-blob-dir true
  read-only true
  <postgresql>
    dsn {dsn}
  </postgresql>
</relstorage>
"""


def photo(seed, which):
    """A JPEG of its own colour, base64, as a citizen's phone sends it."""
    from PIL import Image

    buffer = io.BytesIO()
    colour = (seed * 37 % 256, which * 90 % 256, 255 - seed * 11 % 256)
    Image.new("RGB", (48, 36), colour).save(buffer, "JPEG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def submit(url, seed, timeout=60):
    """A report with two photos over REST; its tracking number."""
    images = [
        {
            "filename": f"foto-{w}.jpg",
            "content-type": "image/jpeg",
            "data": photo(seed, w),
        }
        for w in (1, 2)
    ]
    response = requests.post(
        url + "/segnalazioni/@reports",
        json=payload(title=f"Salvataggio {seed}", images=images),
        headers=JSON,
        timeout=timeout,
    )
    if response.status_code != 201:
        raise AssertionError(f"{response.status_code}: {response.text[:300]}")
    return response.json()["tracking_number"]


def live_photos(url, number):
    """{photo name: sha256} of a report, as the running site stores them."""
    report = f"{url}/segnalazioni/{number}"
    data = requests.get(report, headers=JSON, auth=ADMIN, timeout=60).json()
    photos = {}
    for item in data["items"]:
        if item["@type"] != "Image":
            continue
        name = item["@id"].rsplit("/", 1)[1]
        download = requests.get(
            f"{report}/{name}/@@download/image", auth=ADMIN, timeout=60
        )
        download.raise_for_status()
        photos[name] = hashlib.sha256(download.content).hexdigest()
    return photos


def backup_script(*arguments, timeout=600, check=True):
    completed = subprocess.run(
        [sys.executable, BACKUP, *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    if check and completed.returncode:
        raise AssertionError(
            f"backup.py {arguments[0]} failed:\n{completed.stdout}{completed.stderr}"
        )
    return completed


def stamps(folder):
    return sorted(p for p in folder.iterdir() if (p / "manifest.json").exists())


def read_restored(config_text, wanted, folder):
    """What the restored storage holds of ``wanted`` ({number: photo names})."""
    config = folder / "verify.conf"
    config.write_text(config_text)
    script = folder / "verify.py"
    script.write_text(VERIFY)
    completed = subprocess.run(
        [sys.executable, script, config, json.dumps(wanted)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if completed.returncode:
        raise AssertionError(f"the restored storage:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def size_of(folder):
    """Bytes of the files under ``folder``, each hard-linked file once."""
    seen, total = set(), 0
    for path in Path(folder).rglob("*"):
        if path.is_file():
            stat = path.stat()
            if (stat.st_dev, stat.st_ino) not in seen:
                seen.add((stat.st_dev, stat.st_ino))
                total += stat.st_size
    return total


class Submitter(threading.Thread):
    """Citizens submitting reports one after the other while a backup runs;
    ``done`` has (when the answer came, number) of each."""

    def __init__(self, url, first_seed):
        super().__init__(daemon=True)
        self.url = url
        self.seed = first_seed
        self.done = []
        self.errors = []
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            self.seed += 1
            try:
                number = submit(self.url, self.seed)
                self.done.append((time.monotonic(), number))
            except Exception as error:
                self.errors.append(repr(error))
                time.sleep(0.5)

    def wait_for(self, count, timeout=120):
        deadline = time.monotonic() + timeout
        while len(self.done) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        if len(self.done) < count:
            raise AssertionError(f"no report went through: {self.errors[-3:]}")

    def finish(self):
        self.stopping.set()
        self.join(timeout=120)


class BackupChecks:
    """What every restore must show."""

    def backup_while_submitting(self, url, seed, *arguments):
        """Run backup.py with reports being submitted meanwhile; the numbers
        answered before it started, those answered while it ran, and how
        long it took."""
        submitter = Submitter(url, seed)
        submitter.start()
        try:
            submitter.wait_for(1)
            started = time.monotonic()
            backup_script("backup", *arguments)
            elapsed = time.monotonic() - started
            submitter.wait_for(len(submitter.done) + 1)
        finally:
            submitter.finish()
        self.assertEqual(submitter.errors, [], "the site failed during the backup")
        before = [n for answered, n in submitter.done if answered < started]
        during = [n for answered, n in submitter.done if answered >= started]
        return before, during, elapsed

    def assert_restored(self, url, restored, present, absent=(), maybe=()):
        """``present`` reports with their live photos, none of ``absent``,
        and whichever of ``maybe`` there is complete."""
        live = {number: live_photos(url, number) for number in (*present, *maybe)}
        for number in present:
            self.assertEqual(len(live[number]), 2, number)
        wanted = {number: sorted(live.get(number, ())) for number in live}
        wanted.update({number: [] for number in absent})
        found = restored(wanted)
        for number in present:
            self.assertIn(number, found, "a report submitted before the backup")
            self.assertEqual(found[number]["photos"], live[number], number)
            self.assertTrue(found[number]["title"].startswith("Salvataggio"))
        for number in absent:
            self.assertNotIn(number, found, "a report submitted after the backup")
        for number in maybe:
            if number in found:
                # In the database: its blobs must have been copied too.
                self.assertEqual(found[number]["photos"], live[number], number)
        return found


class FileStorageBackupTest(BackupChecks, unittest.TestCase):
    """repozo while the instance of ``make start`` serves and takes reports."""

    layer = REAL_INSTANCE

    def setUp(self):
        self.url = self.layer["instance_url"]
        self.var = self.layer["instance_var"]
        self._dir = tempfile.TemporaryDirectory(prefix="civicreports-backups-")
        self.folder = Path(self._dir.name)
        self.backups = self.folder / "backups"

    def tearDown(self):
        self._dir.cleanup()

    def restore(self, stamp, name):
        var = self.folder / name
        backup_script("restore", "--from", stamp, "--var", var)
        config = FILESTORAGE_CONF.format(
            data_fs=var / "filestorage" / "Data.fs", blobs=var / "blobstorage"
        )
        return lambda wanted: read_restored(config, wanted, var)

    def test_repozo_full_then_incremental_restored_each_at_its_date(self):
        first = [submit(self.url, seed) for seed in range(1, 4)]
        started = time.monotonic()
        backup_script("backup", "--var", self.var, "--to", self.backups)
        full_seconds = time.monotonic() - started
        before, during, incremental_seconds = self.backup_while_submitting(
            self.url, 100, "--var", self.var, "--to", self.backups
        )
        late = [submit(self.url, 200)]
        first_stamp, second_stamp = stamps(self.backups)
        repository = sorted(p.name for p in (self.backups / "filestorage").iterdir())
        self.assertEqual(len([n for n in repository if n.endswith(".fs")]), 1)
        self.assertEqual(len([n for n in repository if n.endswith(".deltafs")]), 1)

        self.assert_restored(
            self.url,
            self.restore(first_stamp, "restored-1"),
            present=first,
            absent=[*before, *during, *late],
        )
        self.assert_restored(
            self.url,
            self.restore(second_stamp, "restored-2"),
            present=[*first, *before],
            absent=late,
            maybe=during,
        )
        # The second backup's unchanged blobs are the first one's files.
        blob = next((first_stamp / "blobstorage").rglob("*.blob"))
        again = (
            second_stamp / "blobstorage" / blob.relative_to(first_stamp / "blobstorage")
        )
        self.assertEqual(blob.stat().st_ino, again.stat().st_ino)
        # Restoring over a restored instance is refused.
        refused = backup_script(
            "restore",
            *("--from", second_stamp, "--var", self.folder / "restored-2"),
            check=False,
        )
        self.assertEqual(refused.returncode, 1)
        self.assertIn("exists: restore into a new folder", refused.stderr)
        manifest = json.loads((second_stamp / "manifest.json").read_text())
        repository = self.backups / "filestorage"
        # Counted once each, the hard links of the second backup are free.
        second_own = size_of(self.backups) - size_of(first_stamp) - size_of(repository)
        print(
            f"\n  backup (FileStorage): Data.fs {self.data_fs_size()} bytes, "
            f"{manifest['blobs']['files']} blob files; full {full_seconds:.1f} s, "
            f"incremental {incremental_seconds:.1f} s while {len(during)} reports "
            f"were submitted; repozo repository {size_of(repository)} bytes, "
            f"the second backup's blobs {second_own} bytes of their own"
        )

    def data_fs_size(self):
        return (self.var / "filestorage" / "Data.fs").stat().st_size


class RepozoDatesTest(unittest.TestCase):
    """A full backup and an incremental one taken right after it."""

    def test_the_incremental_is_restored_at_its_own_date(self):
        # repozo names a backup by the second it starts in: two backups in
        # the same second shared a name and the restore lost the second.
        backup = from_scripts("backup")
        with tempfile.TemporaryDirectory(prefix="civicreports-repozo-") as name:
            folder = Path(name)
            data_fs, repository = folder / "Data.fs", folder / "repository"
            db = ZODB.DB(FileStorage(str(data_fs)))
            try:
                connection = db.open()
                dates = []
                for step in (1, 2):
                    connection.root()["step"] = step
                    transaction.commit()
                    dates.append(
                        backup.backup_filestorage(data_fs, repository, step == 1)
                    )
                connection.close()
            finally:
                db.close()
            self.assertLess(dates[0], dates[1])
            for step, date in enumerate(dates, 1):
                restored = folder / f"restored-{step}" / "Data.fs"
                backup.restore_filestorage(repository, date, restored)
                db = ZODB.DB(FileStorage(str(restored), read_only=True))
                try:
                    self.assertEqual(db.open().root()["step"], step)
                finally:
                    db.close()


class RelStorageInstanceLayer(Layer):
    """One Zope process on RelStorage in a PostgreSQL server of this
    layer's own, which the tests may stop, and restore into the shared
    ``POSTGRESQL`` server; its mail goes to an SMTP port where nobody
    listens, so it stays queued."""

    defaultBases = (POSTGRESQL,)

    def setUp(self):
        self._dir = tempfile.TemporaryDirectory(prefix="civicreports-backup-rs-")
        var = Path(self._dir.name)
        if os.geteuid() == 0:
            # PostgreSQL runs as ``postgres``, which must reach its folder.
            var.chmod(0o711)
        self.server = from_scripts("cluster").PostgreSQL(
            var / "postgresql", _free_port(), durable=False
        )
        dsn = self.server.start()
        port = _free_port()
        url = f"http://127.0.0.1:{port}/Plone"
        env = dict(
            os.environ,
            SMTP_PORT=str(_free_port()),
            MAIL_QUEUE=str(var / "mailqueue"),
            DEMO_LANGUAGE="it",
            **{health.MAIL_AGE_VARIABLE: str(MAIL_AGE)},
        )
        storage = RELSTORAGE.format(blobs=var / "blobstorage", dsn=dsn)
        try:
            instance = _write_instance(var, port, 4, storage=storage)
            _create_site(instance, env)
            self.process = _serve(instance, env, url)
            set_registry(url, NO_RATE_LIMITS)
        except BaseException:
            self.server.stop()
            self._dir.cleanup()
            raise
        self["rs_url"] = url
        self["rs_var"] = var
        self["rs_dsn"] = dsn
        self["rs_server"] = self.server

    def tearDown(self):
        _stop(self.process)
        self.server.stop()
        self._dir.cleanup()
        for key in ("rs_url", "rs_var", "rs_dsn", "rs_server"):
            del self[key]


RELSTORAGE_INSTANCE = RelStorageInstanceLayer(name="CivicReports:BackupRelStorage")


# The restores' databases, new each time.
RESTORED = itertools.count(1)


def other_database(dsn, name):
    return re.sub(r"dbname=\S+", f"dbname={name}", dsn)


def crash(server):
    """Stop the PostgreSQL server at once, as a crash would."""
    server._run(
        server.bindir / "pg_ctl",
        "stop",
        "-m",
        "immediate",
        "-D",
        server.folder / "data",
    )
    server.process.wait(timeout=60)


def health_of(url):
    response = requests.get(url + "/@@health", timeout=30)
    return response.status_code, response


class RelStorageBackupTest(BackupChecks, unittest.TestCase):
    """pg_dump while the instance serves, restored on another server."""

    layer = RELSTORAGE_INSTANCE

    def setUp(self):
        self.url = self.layer["rs_url"]
        self.var = self.layer["rs_var"]
        self._dir = tempfile.TemporaryDirectory(prefix="civicreports-backups-")
        self.folder = Path(self._dir.name)

    def tearDown(self):
        self._dir.cleanup()

    def test_pg_dump_restored_into_another_server(self):
        first = [submit(self.url, seed) for seed in range(1, 4)]
        backups = self.folder / "backups"
        before, during, seconds = self.backup_while_submitting(
            self.url,
            100,
            *("--var", self.var, "--dsn", self.layer["rs_dsn"], "--to", backups),
        )
        late = [submit(self.url, 200)]
        (stamp,) = stamps(backups)
        name = f"restored_{next(RESTORED)}"
        target = other_database(self.layer["postgresql_dsn"], name)
        var = self.folder / "restored"
        backup_script("restore", "--from", stamp, "--var", var, "--dsn", target)
        config = RELSTORAGE_CONF.format(blobs=var / "blobstorage", dsn=target)
        self.assert_restored(
            self.url,
            lambda wanted: read_restored(config, wanted, var),
            present=[*first, *before],
            absent=late,
            maybe=during,
        )
        # A database with tables already is never restored into.
        refused = backup_script(
            "restore",
            *("--from", stamp, "--var", self.folder / "again", "--dsn", target),
            check=False,
        )
        self.assertEqual(refused.returncode, 1)
        self.assertIn("is not empty", refused.stderr)
        manifest = json.loads((stamp / "manifest.json").read_text())
        print(
            f"\n  backup (RelStorage): dump {manifest['database']['bytes']} bytes, "
            f"{manifest['blobs']['files']} blob files "
            f"({manifest['blobs']['bytes']} bytes), {seconds:.1f} s while "
            f"{len(during)} reports were submitted"
        )


def queued_files(queue):
    return sorted(
        name
        for sub in ("new", "cur")
        for name in os.listdir(queue / sub)
        if not name.startswith(".")
    )


class RelStorageHealthTest(unittest.TestCase):
    layer = RELSTORAGE_INSTANCE

    def setUp(self):
        self.url = self.layer["rs_url"]
        self.server = self.layer["rs_server"]

    def test_mails_waiting_for_an_unreachable_smtp_server(self):
        queue = self.layer["rs_var"] / "mailqueue"
        before = requests.get(self.url + "/@@health", timeout=30).json()
        submitted = time.time()
        submit(self.url, 300)
        deadline = time.monotonic() + 60
        while True:
            code, response = health_of(self.url)
            mail = response.json()["mail_queue"]
            waited = time.time() - submitted
            if (
                mail["length"] > before["mail_queue"]["length"]
                and waited > MAIL_AGE + 1
            ) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        # Nothing leaves: the files stay, and are counted as the queue
        # thread sees them.
        self.assertEqual(mail["length"], len(queued_files(queue)))
        self.assertGreater(mail["length"], before["mail_queue"]["length"])
        self.assertGreaterEqual(mail["oldest_age"], int(waited) - 1)
        self.assertEqual(mail["degraded_after"], MAIL_AGE)
        # Late mail is for a person to look at, not for the balancer.
        self.assertEqual(code, 200)
        self.assertEqual(response.json()["status"], "degraded")
        self.assertTrue(response.json()["database"]["reachable"])

    def test_the_check_reaches_postgresql_past_the_caches(self):
        """A connection that has polled and loaded the root still loads it
        from RelStorage's cache once the server is gone; the check fails."""
        import ZODB.config

        db = ZODB.config.databaseFromString(
            "<zodb>\n"
            + RELSTORAGE_CONF.format(
                blobs=self.layer["rs_var"] / "blobstorage", dsn=self.layer["rs_dsn"]
            )
            + "</zodb>\n"
        )
        try:
            connection = db.open()
            self.assertIn("Application", connection.root())
            site = mock.Mock(spec=["_p_jar"], _p_jar=connection)
            self.assertEqual(health.health(site)[0], 200)
            crash(self.server)
            try:
                connection._storage.load(b"\0" * 8)  # the cache answers
                code, data = health.health(site)
            finally:
                self.server.start()
            self.assertEqual(code, 503)
            self.assertEqual(data["status"], "failing")
            self.assertFalse(data["database"]["reachable"])
            self.assertEqual(data["database"]["error"], "OperationalError")
        finally:
            db.close()

    def test_an_instance_without_its_database_leaves_the_balancer(self):
        crash(self.server)
        try:
            code, response = health_of(self.url)
        finally:
            self.server.start()
        # RelStorage asks PostgreSQL for the changes at the start of every
        # request: Zope answers 500 before the view is reached. HAProxy
        # takes out whatever is not 200.
        self.assertIn(code, (500, 503), response.text[:300])
        deadline = time.monotonic() + 60
        while health_of(self.url)[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        code, response = health_of(self.url)
        self.assertEqual(code, 200, "back in the balancer once the database is")
        self.assertTrue(response.json()["database"]["reachable"])


class InstanceHealthTest(unittest.TestCase):
    """The instance of ``make start``, its mail delivered."""

    layer = REAL_INSTANCE

    def setUp(self):
        self.url = self.layer["instance_url"]
        self.queue = self.layer["instance_var"] / "mailqueue"

    def wait_for_empty_queue(self, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            data = requests.get(self.url + "/@@health", timeout=30).json()
            if data["mail_queue"]["length"] == 0 or time.monotonic() > deadline:
                return data
            time.sleep(0.5)

    def test_ok(self):
        response = requests.get(self.url + "/@@health", timeout=30)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/json")
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        data = self.wait_for_empty_queue()
        self.assertEqual(data["status"], "ok")
        self.assertTrue(data["database"]["reachable"])
        self.assertLess(data["database"]["seconds"], 1)
        self.assertEqual(
            data["mail_queue"],
            {"enabled": True, "length": 0, "oldest_age": None, "degraded_after": 3600},
        )

    def test_a_mail_held_for_two_hours(self):
        """A mail whose sending failed stays locked by zope.sendmail for up
        to three hours: it is counted, with the age of its name."""
        self.wait_for_empty_queue()
        name = f"{int(time.time()) - 7200}.{os.getpid()}.test.1"
        held = self.queue / "tmp" / name
        held.write_bytes(b"X-Zope-From: a@example.org\nX-Zope-To: b@example.org\n\nx\n")
        # The lock first, so that the queue thread never tries to send it.
        os.link(held, self.queue / "cur" / f".sending-{name}")
        os.rename(held, self.queue / "cur" / name)
        try:
            response = requests.get(self.url + "/@@health", timeout=30)
        finally:
            for path in (name, f".sending-{name}"):
                (self.queue / "cur" / path).unlink()
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(data["status"], "degraded")
        self.assertEqual(data["mail_queue"]["length"], 1)
        self.assertGreaterEqual(data["mail_queue"]["oldest_age"], 7200)
        self.assertEqual(self.wait_for_empty_queue()["status"], "ok")


class MailQueueTest(unittest.TestCase):
    def setUp(self):
        self._dir = tempfile.TemporaryDirectory()
        self.queue = Path(self._dir.name)
        for sub in ("new", "cur", "tmp"):
            (self.queue / sub).mkdir()

    def tearDown(self):
        self._dir.cleanup()

    def mail(self, sub, name, mtime=None):
        path = self.queue / sub / name
        path.write_text("x")
        if mtime is not None:
            os.utime(path, (mtime, mtime))
        return path

    def test_empty(self):
        self.assertEqual(health.mail_queue(self.queue), (0, None))

    def test_counted_as_the_queue_thread_sees_them(self):
        now = 1_800_000_000
        self.mail("new", f"{now - 10}.1.host.1")
        self.mail("cur", f"{now - 30}.1.host.2")
        self.mail("cur", f".sending-{now - 30}.1.host.2")
        self.mail("cur", f".rejected-{now - 900}.1.host.3")
        self.mail("tmp", f"{now - 600}.1.host.4")
        (self.queue / "new" / "folder").mkdir()
        self.assertEqual(health.mail_queue(self.queue, now=now), (2, 30))

    def test_the_age_is_the_names_not_the_last_attempts(self):
        # The queue thread touched it a second ago, trying to send it.
        now = time.time()
        self.mail("new", f"{int(now) - 5000}.1.host.1", mtime=now - 1)
        self.assertEqual(health.mail_queue(self.queue, now=now)[1], 5000)

    def test_other_names_by_their_time(self):
        now = time.time()
        self.mail("new", "queued-by-hand", mtime=now - 120)
        self.assertEqual(health.mail_queue(self.queue, now=now), (1, 120))

    def test_a_clock_ahead_is_no_negative_age(self):
        now = 1_800_000_000
        self.mail("new", f"{now + 60}.1.host.1")
        self.assertEqual(health.mail_queue(self.queue, now=now), (1, 0))

    def test_a_missing_folder(self):
        with self.assertRaises(OSError):
            health.mail_queue(self.queue / "nowhere")

    def test_the_limit(self):
        variable = health.MAIL_AGE_VARIABLE
        for value, limit in (("", 3600), ("600", 600), ("0", 0), ("soon", 3600)):
            with mock.patch.dict(os.environ, {variable: value}):
                self.assertEqual(health.mail_age_limit(), limit, value)


class DatabaseCheckTest(unittest.TestCase):
    def test_file_storage_read_past_the_object_cache(self):
        from ZODB import DB
        from ZODB.FileStorage import FileStorage

        with tempfile.TemporaryDirectory() as folder:
            storage = FileStorage(os.path.join(folder, "Data.fs"))
            db = DB(storage)
            try:
                connection = db.open()
                connection.root()["x"] = 1
                transaction.commit()
                self.assertLess(health.check_database(connection), 1)
                storage._file.close()  # as a failing disk would
                self.assertEqual(connection.root()["x"], 1)
                with self.assertRaises(ValueError):
                    health.check_database(connection)
            finally:
                # Closing writes the index; the data file is closed already.
                with contextlib.suppress(Exception):
                    db.close()

    def test_a_disconnected_zeo_client_is_not_waited_for(self):
        connection = mock.Mock()
        connection.db.return_value.storage.is_connected.return_value = False
        with self.assertRaises(ConnectionError):
            health.check_database(connection)
        connection._storage.history.assert_not_called()


class HealthViewTest(unittest.TestCase):
    """The view as registered, on the test site (DemoStorage, the mock
    MailHost without queue)."""

    layer = INTEGRATION_TESTING

    def setUp(self):
        from collective.civicreports.interfaces import ICivicReportsLayer
        from zope.interface import alsoProvides

        self.portal = self.layer["portal"]
        self.request = self.layer["request"]
        alsoProvides(self.request, ICivicReportsLayer)

    def call(self):
        from zope.component import getMultiAdapter

        view = getMultiAdapter((self.portal, self.request), name="health")
        data = json.loads(view())
        return self.request.response.getStatus(), data

    def test_ok_without_a_mail_queue(self):
        code, data = self.call()
        self.assertEqual(code, 200)
        self.assertEqual(data["status"], "ok")
        self.assertEqual(data["mail_queue"], {"enabled": False})
        self.assertEqual(self.request.response.getHeader("Cache-Control"), "no-store")

    def test_503_when_the_storage_fails(self):
        from ZODB.POSException import StorageError

        storage = self.portal._p_jar._storage
        with mock.patch.object(storage, "history", side_effect=StorageError("gone")):
            code, data = self.call()
        self.assertEqual(code, 503)
        self.assertEqual(data["status"], "failing")
        self.assertEqual(
            data["database"], {"reachable": False, "error": "StorageError"}
        )

    def test_an_unreadable_queue_folder(self):
        mailhost = self.portal.MailHost
        with mock.patch.multiple(
            mailhost, smtp_queue=True, smtp_queue_directory="/nonexistent/queue"
        ):
            code, data = self.call()
        self.assertEqual(code, 200)
        self.assertEqual(data["status"], "degraded")
        self.assertEqual(data["mail_queue"]["error"], "unreadable")

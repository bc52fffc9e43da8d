"""Several Zope processes on one database behind HAProxy, as a
municipality runs the site in production: ``make start-zeo`` (a ZEO
server) and ``make start-relstorage`` (RelStorage on PostgreSQL), and the
tests of both (``testing.py``).

Usage::

    python scripts/cluster.py zeo VAR_DIR --port 8080
    python scripts/cluster.py relstorage VAR_DIR --port 8080 [--dsn DSN]

Everything lives under ``VAR_DIR/<kind>/``: the ZEO server's FileStorage or
the local PostgreSQL cluster (when no DSN is given, from Debian's
packages), the shared blob folder, one folder per Zope instance
(``zope0``, ``zope1``, ...), a client configuration for the jobs
(``jobs/``: the daily job runs on it while the site is served) and
``haproxy.cfg``. The demo site is created or updated on the database
before the instances start. Runs until interrupted, then stops what it
started.
"""

from pathlib import Path

import argparse
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request


HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

from instance import write_instance  # noqa: E402


ZEO_SERVER = """\
<zeo>
  address 127.0.0.1:{port}
</zeo>
<filestorage 1>
  path {folder}/Data.fs
  blob-dir {folder}/blobs
</filestorage>
<eventlog>
  <logfile>
    path {folder}/zeo.log
  </logfile>
</eventlog>
"""

# The instances and the ZEO server share one machine, so they share the
# blob folder too (``shared-blob-dir``) instead of copying blobs over the
# network into a cache of each. ``server-sync`` (ZEO's own section has it,
# ZODB's ``zeoclient`` does not): a transaction begins with a call to the
# server, so that it sees the invalidations of the commit another instance
# finished just before it (the writers' lock hands over in that order);
# without it a writer could start from a view without that commit and
# conflict with it.
ZEO_CLIENT = """\
%import ZEO
<zodb_db main>
  <clientstorage>
    server 127.0.0.1:{port}
    storage 1
    server-sync on
    blob-dir {folder}/blobs
    shared-blob-dir on
    cache-size 128MB
  </clientstorage>
  mount-point /
  cache-size 30000
</zodb_db>
"""

RELSTORAGE = """\
%import relstorage
<zodb_db main>
  <relstorage>
    blob-dir {blobs}
    shared-blob-dir true
    <postgresql>
      dsn {dsn}
    </postgresql>
  </relstorage>
  mount-point /
  cache-size 30000
</zodb_db>
"""

# Each instance takes as many requests as it has threads; HAProxy queues
# the rest and gives each to the first instance free (leastconn), so a
# burst waits in the balancer, not in a busy instance's socket. It sends
# nothing to an instance whose health check fails, and a request whose
# connection was refused is tried on another (``redispatch``): it never
# reached Zope. A request that did reach one is never sent twice.
HAPROXY = """\
global
    maxconn 512

defaults
    mode http
    timeout connect 5s
    timeout client 300s
    timeout server 300s
    timeout queue 300s
    # A busy instance answers its check late, behind the requests its
    # threads hold: a slow answer is not a dead instance.
    timeout check 10s
    retries 3
    option redispatch
    option forwardfor

frontend zope
    bind 127.0.0.1:{port}
    default_backend instances

backend instances
    balance leastconn
    option httpchk GET /{site}/{health}
    http-check expect status 200
    retry-on conn-failure
    default-server inter 2s fall 3 rise 2 maxconn {threads}
{servers}
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, what, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start on port {port}")
        time.sleep(0.2)


def wait_for_url(url, process, what, timeout=180):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer on {url}")
        time.sleep(0.5)


def stop(process, timeout=30):
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


def postgresql_bin():
    """The programs of the newest PostgreSQL server installed (Debian keeps
    them out of the PATH)."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda path: int(path.parent.parent.name),
    )
    if not found:
        raise RuntimeError(
            "PostgreSQL is not installed: `make system-packages` installs "
            "Debian's postgresql package."
        )
    return found[-1].parent


class PostgreSQL:
    """A PostgreSQL cluster of our own in ``folder``, on 127.0.0.1, with a
    database for RelStorage; made on the first start, kept afterwards.
    PostgreSQL refuses to run as root: under root it runs as Debian's
    ``postgres`` user."""

    def __init__(self, folder, port, durable=True):
        self.folder = Path(folder)
        self.port = port
        self.durable = durable
        self.bindir = postgresql_bin()
        self.process = None
        self.dsn = f"dbname=civicreports user=zope host=127.0.0.1 port={port}"

    def _as_owner(self):
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *command):
        subprocess.run(
            [*self._as_owner(), *command],
            check=True,
            timeout=120,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self):
        data = self.folder / "data"
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in (self.folder, *self.folder.rglob("*")):
                os.chown(path, owner.pw_uid, owner.pw_gid)
            # A temporary folder above it is root's alone (0700): the
            # server's user must be able to pass through it.
            for parent in self.folder.parents:
                mode = parent.stat().st_mode
                if not mode & 0o001:
                    parent.chmod(mode | 0o001)
        new = not (data / "PG_VERSION").exists()
        if new:
            initdb = self.bindir / "initdb"
            self._run(initdb, "-D", data, "-U", "zope", "-A", "trust")
        options = ["-c", "max_connections=200"]
        if not self.durable:
            # The tests measure behaviour, not durability of the disk.
            options += ["-c", "fsync=off"]
        postgres = self.bindir / "postgres"
        self.process = subprocess.Popen(
            [*self._as_owner(), postgres, "-D", data, "-h", "127.0.0.1"]
            + ["-p", str(self.port), "-k", self.folder, *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        ready = [self.bindir / "pg_isready", "-h", "127.0.0.1", "-p", str(self.port)]
        deadline = time.monotonic() + 60
        while subprocess.run(ready, capture_output=True).returncode != 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the PostgreSQL server did not start")
            time.sleep(0.2)
        if new:
            createdb = self.bindir / "createdb"
            self._run(
                createdb,
                *("-h", "127.0.0.1", "-p", str(self.port), "-U", "zope"),
                "civicreports",
            )
        return self.dsn

    def stop(self):
        stop(self.process)


class Cluster:
    """The database, ``processes`` Zope instances and HAProxy in front.

    ``kind`` is ``zeo`` or ``relstorage``; ``dsn`` an existing PostgreSQL
    database for RelStorage (otherwise a cluster of our own under the
    folder). ``env`` is the environment of the instances and of the
    scripts that create the site (SMTP_PORT, MAIL_QUEUE, ...)."""

    def __init__(
        self,
        kind,
        folder,
        port,
        processes=2,
        threads=4,
        dsn=None,
        site_id="Plone",
        instance_ports=None,
        storage_port=None,
        env=None,
        durable=True,
        quiet=True,
        health="@@health",
    ):
        if kind not in ("zeo", "relstorage"):
            raise ValueError(f"unknown kind {kind!r}")
        self.kind = kind
        self.folder = Path(folder).resolve()
        self.port = port
        self.processes = processes
        self.threads = threads
        self.dsn = dsn
        self.site_id = site_id
        self.instance_ports = instance_ports or [free_port() for _ in range(processes)]
        self.storage_port = storage_port or free_port()
        self.env = dict(env or os.environ)
        self.durable = durable
        self.health = health
        self.output = subprocess.DEVNULL if quiet else None
        self.storage_process = None
        self.postgresql = None
        self.instances = []
        self.servers = {}
        self.balancer = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/{self.site_id}"

    @property
    def urls(self):
        """The instances' own addresses, past the balancer."""
        return [f"http://127.0.0.1:{p}/{self.site_id}" for p in self.instance_ports]

    def instance_folder(self, number):
        return self.folder / f"zope{number}"

    @property
    def jobs_conf(self):
        """The configuration for scripts and jobs run beside the instances."""
        return self.folder / "jobs" / "instance" / "zope.conf"

    def storage_config(self):
        if self.kind == "zeo":
            return ZEO_CLIENT.format(port=self.storage_port, folder=self.folder)
        return RELSTORAGE.format(blobs=self.folder / "blobs", dsn=self.dsn)

    def start_storage(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.kind == "zeo":
            conf = self.folder / "zeo.conf"
            conf.write_text(
                ZEO_SERVER.format(port=self.storage_port, folder=self.folder)
            )
            (self.folder / "blobs").mkdir(exist_ok=True)
            self.storage_process = subprocess.Popen(
                [BIN / "runzeo", "-C", conf],
                stdout=self.output,
                stderr=self.output,
            )
            wait_for_port(self.storage_port, self.storage_process, "the ZEO server")
        elif self.dsn is None:
            self.postgresql = PostgreSQL(
                self.folder / "postgresql", self.storage_port, durable=self.durable
            )
            self.dsn = self.postgresql.start()

    def shared_environment(self):
        """What every process on the database shares: the lock its writers
        take turns on (``reports/commits.py``), PostgreSQL's own for
        RelStorage, a file for ZEO's processes on this machine."""
        lock = self.env.get("WRITERS_LOCK") or (
            str(self.folder / "writers.lock") if self.kind == "zeo" else self.dsn
        )
        return {"WRITERS_LOCK": lock}

    def write_instances(self):
        storage = self.storage_config()
        environment = self.shared_environment()
        for number, port in enumerate(self.instance_ports):
            write_instance(
                self.instance_folder(number),
                port,
                self.threads,
                storage=storage,
                environment=environment,
            )
        write_instance(
            self.folder / "jobs", 0, 1, storage=storage, environment=environment
        )

    def create_site(self):
        subprocess.run(
            [BIN / "zconsole", "run", self.jobs_conf, HERE / "create_site.py"],
            check=True,
            env=self.env,
            cwd=ROOT,
            stdout=self.output,
            stderr=self.output,
            timeout=900,
        )

    def start_instance(self, number):
        instance = self.instance_folder(number) / "instance"
        process = subprocess.Popen(
            [BIN / "runwsgi", instance / "zope.ini"],
            env=self.env,
            cwd=ROOT,
            stdout=self.output,
            stderr=self.output,
        )
        self.servers[number] = process
        wait_for_url(self.urls[number], process, f"the Zope instance {number}")
        return process

    def start_balancer(self):
        servers = "\n".join(
            f"    server zope{number} 127.0.0.1:{port} check"
            for number, port in enumerate(self.instance_ports)
        )
        conf = self.folder / "haproxy.cfg"
        conf.write_text(
            HAPROXY.format(
                port=self.port,
                site=self.site_id,
                health=self.health,
                threads=self.threads,
                servers=servers,
            )
        )
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not Path(haproxy).exists():
            raise RuntimeError(
                "HAProxy is not installed: `make system-packages` installs "
                "Debian's haproxy package."
            )
        # -db: in the foreground, stopped with us.
        self.balancer = subprocess.Popen(
            [haproxy, "-db", "-f", conf], stdout=self.output, stderr=self.output
        )
        wait_for_url(self.url, self.balancer, "HAProxy")

    def start(self, create=True):
        try:
            self.start_storage()
            self.write_instances()
            if create:
                self.create_site()
            for number in range(self.processes):
                self.start_instance(number)
            self.start_balancer()
        except BaseException:
            self.stop()
            raise
        return self

    def kill(self, number):
        """``kill -9`` on an instance, as a crash would."""
        process = self.servers[number]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def stop(self):
        stop(self.balancer)
        for process in self.servers.values():
            stop(process)
        stop(self.storage_process)
        if self.postgresql is not None:
            self.postgresql.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=["zeo", "relstorage"])
    parser.add_argument("var", type=Path)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--instance-port",
        type=int,
        default=8090,
        help="the first instance's port; the others follow",
    )
    parser.add_argument(
        "--storage-port",
        type=int,
        default=None,
        help="the ZEO server's or the local PostgreSQL's port (8100, 8432)",
    )
    parser.add_argument("--dsn", default=os.environ.get("RELSTORAGE_DSN") or None)
    parser.add_argument("--site", default=os.environ.get("SITE_ID", "Plone"))
    arguments = parser.parse_args()
    default_storage = 8100 if arguments.kind == "zeo" else 8432
    cluster = Cluster(
        arguments.kind,
        arguments.var / arguments.kind,
        arguments.port,
        processes=arguments.processes,
        threads=arguments.threads,
        dsn=arguments.dsn,
        site_id=arguments.site,
        instance_ports=[
            arguments.instance_port + n for n in range(arguments.processes)
        ],
        storage_port=arguments.storage_port or default_storage,
        quiet=False,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    cluster.start()
    print(
        f"Serving {cluster.url} through HAProxy: {arguments.processes} instances "
        f"on {arguments.kind} (ports {', '.join(map(str, cluster.instance_ports))}); "
        f"jobs: {cluster.jobs_conf}",
        flush=True,
    )
    try:
        while all(
            p.poll() is None for p in [cluster.balancer, *cluster.servers.values()]
        ):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()

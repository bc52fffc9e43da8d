"""The throughput stage of ``make bench`` (``BURST=0`` skips it); also runs
alone: ``python scripts/bench_burst.py``.

Side by side in one run, on throw-away instances (FileStorage, 4 waitress
threads, 127.0.0.1):

- plain Plone: a site with plone.app.contenttypes and plone.restapi only
  (bench_plain_site.py), its Zope manager creating Documents with ``POST
  /Plone``;
- the add-on on one FileStorage process (the demo site of create_site.py),
  anonymous citizens posting ``@reports``;
- the add-on on two RelStorage processes behind HAProxy (cluster.py, a
  PostgreSQL of its own).

Figures: 16 clients submitting BURST_COUNT requests (default 400) between
them, in BURST_PAIRS rounds (default 2) of plain Plone, then the add-on on
FileStorage, then on RelStorage, so that each round compares runs made
under the same load of the machine; then one client's latency, 50
submissions one after the other. Each figure is printed with the load
average of that moment and as a ratio to its baseline: the add-on to plain
Plone, two RelStorage processes to one FileStorage process.
"""

from contextlib import ExitStack
from pathlib import Path

import collections
import os
import requests
import statistics
import subprocess
import sys
import tempfile
import threading
import time


ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "src"))

from cluster import Cluster  # noqa: E402
from cluster import free_port  # noqa: E402
from cluster import stop  # noqa: E402
from cluster import wait_for_url  # noqa: E402
from collective.civicreports.tests.base import payload  # noqa: E402
from instance import write_instance  # noqa: E402


CLIENTS = 16
SEQUENTIAL = 50
# Sequential submissions to each process before anything is timed: the
# first requests of a process compile templates and fill the caches, which
# a burst should not be charged for.
WARM_UP = 10
JSON = {"Accept": "application/json"}
ADMIN = ("admin", "admin")
# Every client comes from 127.0.0.1: the limits per address would refuse
# most of a burst.
NO_RATE_LIMITS = {
    "collective.civicreports.anonymous_rate_limit": 0,
    "collective.civicreports.citizen_rate_limit": 0,
    "collective.civicreports.engagement_rate_limit": 0,
}
REQUEST_TIMEOUT = 120
BURST_LIMIT = 900


def zope_env(var):
    # Mail is queued and never sent: nothing listens on port 9. App IO's
    # messages neither: a stand-in of `make start` may be listening on its
    # default port, and must not get the bench's.
    return dict(
        os.environ,
        SMTP_PORT="9",
        APPIO_PORT="9",
        MAIL_QUEUE=str(Path(var) / "mailqueue"),
        DEMO_LANGUAGE="it",
    )


def zconsole(instance, script, env):
    subprocess.run(
        [BIN / "zconsole", "run", instance / "zope.conf", ROOT / "scripts" / script],
        check=True,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=1800,
    )


def serve(stack, instance, env, url):
    """runwsgi on ``instance``, stopped when ``stack`` closes."""
    process = subprocess.Popen(
        [BIN / "runwsgi", instance / "zope.ini"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    stack.callback(stop, process)
    wait_for_url(url, process, f"the Zope instance of {instance}")
    return process


def conflicts(logs):
    """Requests Zope retried after a ConflictError: it logs each retry once
    (a request that fails after its last retry is counted among the
    failures, by its status)."""
    return sum(
        log.read_text(errors="replace").count("Request will be retried")
        for log in logs
        if log.exists()
    )


class Target:
    """Where a burst goes and what one submission is."""

    def __init__(self, label, url, logs, kind):
        self.label = label
        self.url = url
        self.logs = logs
        self.kind = kind
        self.text = payload(images=[])

    def submit(self, session, title, url=None):
        url = url or self.url
        if self.kind == "plain":
            description = self.text["description"]
            return session.post(
                url,
                json={
                    "@type": "Document",
                    "title": title,
                    "description": description,
                    "text": {
                        "data": f"<p>{description}</p>",
                        "content-type": "text/html",
                        "encoding": "utf-8",
                    },
                },
                headers=JSON,
                auth=ADMIN,
                timeout=REQUEST_TIMEOUT,
            )
        return session.post(
            url + "/segnalazioni/@reports",
            json=dict(self.text, title=title),
            headers=JSON,
            timeout=REQUEST_TIMEOUT,
        )

    def acknowledged(self, response):
        """A report counts once the citizen has its number."""
        if self.kind == "plain":
            return True
        try:
            return bool(response.json().get("tracking_number"))
        except ValueError:
            return False


def outcome(target, session, title, url=None):
    """201, another status, or the name of the error that left no answer."""
    try:
        response = target.submit(session, title, url)
    except requests.RequestException as error:
        return type(error).__name__
    if response.status_code == 201 and not target.acknowledged(response):
        return "201 without a number"
    return response.status_code


def burst(target, count, tag):
    """``CLIENTS`` threads, a session each, take the next of ``count``
    submissions until none is left; returns (Counter of outcomes, seconds,
    requests Zope retried meanwhile)."""
    taken = iter(range(count))
    lock = threading.Lock()
    deadline = time.monotonic() + BURST_LIMIT
    results = []

    def client():
        mine = []
        with requests.Session() as session:
            while time.monotonic() < deadline:
                with lock:
                    number = next(taken, None)
                if number is None:
                    break
                mine.append(
                    outcome(target, session, f"Buca in via Roma {tag}-{number}")
                )
        with lock:
            results.extend(mine)

    before = conflicts(target.logs)
    threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0, deadline + REQUEST_TIMEOUT - time.monotonic()))
    seconds = time.monotonic() - started
    with lock:
        found = collections.Counter(results)
    return found, seconds, conflicts(target.logs) - before


def sequential(target, urls, count, tag):
    """Seconds of each of ``count`` submissions one after the other, sent
    in turn to ``urls``, and the outcomes that were not 201."""
    timings, failed = [], collections.Counter()
    with requests.Session() as session:
        for number in range(count):
            started = time.monotonic()
            result = outcome(
                target,
                session,
                f"Buca in via Roma {tag}-{number}",
                urls[number % len(urls)],
            )
            timings.append(time.monotonic() - started)
            if result != 201:
                failed[result] += 1
    return timings, failed


def failures(found):
    failed = {k: v for k, v in found.items() if k != 201}
    if not failed:
        return "0 failed"
    detail = ", ".join(f"{v} {k}" for k, v in sorted(failed.items(), key=str))
    return f"{sum(failed.values())} failed ({detail})"


def load():
    return f"load average {os.getloadavg()[0]:.2f}"


def set_registry(url, values):
    response = requests.patch(
        url + "/@registry", json=values, auth=ADMIN, headers=JSON, timeout=60
    )
    response.raise_for_status()


def burst_stage(count=None, pairs=None):
    count = count or int(os.environ.get("BURST_COUNT", "400"))
    pairs = pairs or int(os.environ.get("BURST_PAIRS", "2"))
    with ExitStack() as stack:
        var = Path(
            stack.enter_context(
                tempfile.TemporaryDirectory(prefix="civicreports-burst-")
            )
        )
        # Under root, cluster.py runs PostgreSQL as the postgres user, who
        # must be able to reach its folder inside this one.
        var.chmod(0o755)
        started = time.monotonic()

        plain_port = free_port()
        plain_var = var / "plain"
        plain_env = zope_env(plain_var)
        plain_instance = write_instance(plain_var, plain_port)
        zconsole(plain_instance, "bench_plain_site.py", plain_env)

        ours_port = free_port()
        ours_var = var / "filestorage"
        ours_env = zope_env(ours_var)
        ours_instance = write_instance(ours_var, ours_port)
        zconsole(ours_instance, "create_site.py", ours_env)

        # PostgreSQL with fsync on, as production runs it: FileStorage
        # fsyncs each commit too, so both pay for durability.
        cluster = Cluster(
            "relstorage",
            var / "relstorage",
            free_port(),
            processes=2,
            env=zope_env(var / "relstorage"),
            durable=True,
        )
        stack.callback(cluster.stop)
        cluster.start()

        plain_url = f"http://127.0.0.1:{plain_port}/Plone"
        ours_url = f"http://127.0.0.1:{ours_port}/Plone"
        serve(stack, plain_instance, plain_env, plain_url)
        serve(stack, ours_instance, ours_env, ours_url)
        set_registry(ours_url, NO_RATE_LIMITS)
        set_registry(cluster.url, NO_RATE_LIMITS)
        print(
            f"burst: instances ready in {time.monotonic() - started:.0f} s ({load()})",
            flush=True,
        )

        plain = Target(
            "plain Plone", plain_url, [plain_var / "log" / "event.log"], "plain"
        )
        ours = Target(
            "ours on 1 FileStorage process",
            ours_url,
            [ours_var / "log" / "event.log"],
            "ours",
        )
        relstorage = Target(
            "ours on 2 RelStorage processes",
            cluster.url,
            [cluster.instance_folder(n) / "log" / "event.log" for n in range(2)],
            "ours",
        )
        for target, urls in (
            (plain, [plain_url]),
            (ours, [ours_url]),
            (relstorage, cluster.urls),
        ):
            _, failed = sequential(target, urls, WARM_UP * len(urls), "warm-up")
            if failed:
                raise RuntimeError(f"{target.label}: warm-up failed: {dict(failed)}")

        ratios = {"ours": [], "relstorage": []}
        for pair in range(1, pairs + 1):
            throughput = {}
            for key, target, baseline in (
                ("plain", plain, None),
                ("ours", ours, "plain"),
                ("relstorage", relstorage, "ours"),
            ):
                found, seconds, logged = burst(target, count, f"{key}{pair}")
                throughput[key] = found[201] / seconds
                ratio = ""
                # A baseline that failed every request has no ratio to give.
                if baseline and throughput[baseline]:
                    ratios[key].append(throughput[key] / throughput[baseline])
                    ratio = (
                        f", {ratios[key][-1]:.2f} of {baseline_label(baseline)} "
                        f"in this round"
                    )
                print(
                    f"burst: {target.label}, round {pair}: {CLIENTS} clients, "
                    f"{sum(found.values())} requests in {seconds:.1f} s, "
                    f"{throughput[key]:.1f} successful/s, {failures(found)}, "
                    f"{logged} retried by Zope after a ConflictError{ratio} ({load()})",
                    flush=True,
                )
        for key in ratios:
            ratios[key] = ratios[key] or [float("nan")]
        print(
            f"burst: ours on FileStorage / plain Plone, median of {pairs} rounds: "
            f"{statistics.median(ratios['ours']):.2f} "
            f"({', '.join(f'{r:.2f}' for r in ratios['ours'])}) ({load()})",
            flush=True,
        )
        print(
            f"burst: 2 RelStorage processes / 1 FileStorage process (ours), median "
            f"of {pairs} rounds: {statistics.median(ratios['relstorage']):.2f} "
            f"({', '.join(f'{r:.2f}' for r in ratios['relstorage'])}) ({load()})",
            flush=True,
        )

        medians = {}
        for key, target, urls, baseline in (
            ("plain", plain, [plain_url], None),
            ("ours", ours, [ours_url], "plain"),
            ("relstorage", relstorage, [cluster.url], "ours"),
        ):
            timings, failed = sequential(target, urls, SEQUENTIAL, f"single-{key}")
            medians[key] = statistics.median(timings)
            ratio = (
                f", {medians[key] / medians[baseline]:.2f} of {baseline_label(baseline)}"
                if baseline
                else ""
            )
            print(
                f"single client: {target.label}, {SEQUENTIAL} submissions one after "
                f"the other: median {medians[key] * 1000:.1f} ms (fastest "
                f"{min(timings) * 1000:.1f}, slowest {max(timings) * 1000:.1f}), "
                f"{sum(failed.values())} failed{ratio} ({load()})",
                flush=True,
            )


def baseline_label(key):
    return {"plain": "plain Plone's", "ours": "ours on FileStorage"}[key]


if __name__ == "__main__":
    burst_stage()

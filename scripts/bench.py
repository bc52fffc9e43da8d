"""``make bench``: how the site copes with many reports.

First Lighthouse's mobile performance score of the form, the archive and a
report page of the demo site as ``make start`` makes it (lighthouse.py;
``LIGHTHOUSE=0`` skips it). Then builds a throw-away instance as ``make
start`` does, fills it with COUNT reports (default 10,000; one in ten
waiting for moderation), then measures in headless Chromium how long the
archive page takes from navigation to all the pins on the map, the
staff's moderation queue and statistics page,
and the GeoJSON feed against a plain-catalog baseline in the same run;
with 10,000 or more, again after adding nine times as many (``BENCH_LARGE=0``
skips that stage). Prints the figures (docs/performance.rst).

The staff's and the public lists at scale: the moderation queue, "My
office", the archive, ``GET @reports`` and the statistics page, timed at
1,000 reports (before the rest is filled), at COUNT and at ten times COUNT,
each printed as a ratio to the same page at 1,000, with the machine's load
average: the lists must cost what their page costs, not what the site holds.
"""

from pathlib import Path

import os
import requests
import socket
import subprocess
import sys
import tempfile
import time


ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "src"))

from instance import write_instance  # noqa: E402


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def zconsole(instance, script, *args):
    # Mail is queued and never sent: nothing listens on port 9.
    queue = str(instance.parent / "mailqueue")
    env = dict(os.environ, SMTP_PORT="9", MAIL_QUEUE=queue, DEMO_LANGUAGE="it")
    subprocess.run(
        [
            BIN / "zconsole",
            "run",
            instance / "zope.conf",
            ROOT / "scripts" / script,
            *args,
        ],
        check=True,
        env=env,
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
        timeout=3600,
    )


def baseline(instance):
    """Features, and seconds to build the plain-Plone GeoJSON, best of 3
    and first in a new process (see bench_baseline.py)."""
    env = dict(os.environ)
    output = subprocess.run(
        [
            BIN / "zconsole",
            "run",
            instance / "zope.conf",
            ROOT / "scripts" / "bench_baseline.py",
        ],
        check=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    ).stdout
    line = next(row for row in output.splitlines() if row.startswith("BASELINE"))
    _, features, best, first = line.split()
    return int(features), float(best), float(first)


class Server:
    def __init__(self, instance, var, port):
        for lock in (Path(var) / "mailqueue").glob("*/.sending-*"):
            lock.unlink()
        self.process = subprocess.Popen(
            [BIN / "runwsgi", instance / "zope.ini"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{port}/Plone/segnalazioni"
        deadline = time.monotonic() + 180
        while True:
            try:
                if requests.get(self.url, timeout=10).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the instance did not start")
            time.sleep(0.5)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)


def timed_feed(url, params=None):
    """Seconds of the first answer (cold process), of an answer built anew
    in a warm process (best of 3; a parameter the feed ignores makes each
    query new to its cache), and of a cached answer (best of 3); and the
    number of features."""
    feed = url + "/@reports-geojson"
    headers = {"Accept": "application/json"}

    def get(extra=None):
        started = time.monotonic()
        answer = requests.get(
            feed,
            params=dict(params or {}, **(extra or {})),
            headers=headers,
            timeout=300,
        )
        return time.monotonic() - started, answer

    first, response = get()
    rebuilt = min(get({"nocache": str(n)})[0] for n in range(3))
    cached = min(get()[0] for _ in range(3))
    return first, rebuilt, cached, len(response.json()["features"])


# (name, path below the folder or the site, who asks, Accept)
SCALE_PAGES = (
    ("moderation queue, first page", "@@moderation", ("moderator", "moderator"), None),
    (
        "moderation queue, newest first",
        "@@moderation?sort=newest",
        ("moderator", "moderator"),
        None,
    ),
    ("my office (Ufficio Strade)", "../@@my-office", ("roads", "roads"), None),
    ("archive, first page", "?b_start=0", None, None),
    ("GET @reports, first batch", "@reports", None, "application/json"),
    ("statistics page", "@@report-statistics", ("moderator", "moderator"), None),
    ("Open311 GET requests.json", "../open311/v2/requests.json", None, None),
    ("Open311 GET requests.xml", "../open311/v2/requests.xml", None, None),
)


def scale_figures(url):
    """Best of 3 seconds of each page of SCALE_PAGES (one warm-up first)."""
    figures = {}
    for name, path, auth, accept in SCALE_PAGES:
        target = f"{url}/{path}" if not path.startswith("?") else url + path
        headers = {"Accept": accept} if accept else {}
        timings = []
        for run in range(4):
            started = time.monotonic()
            answer = requests.get(target, auth=auth, headers=headers, timeout=600)
            if run:
                timings.append(time.monotonic() - started)
        if answer.status_code != 200:
            raise RuntimeError(f"{name}: HTTP {answer.status_code}")
        figures[name] = min(timings)
    return figures


def scale_stage(instance, var, port, count, at_thousand):
    """Time SCALE_PAGES with ``count`` reports; print them as ratios to the
    figures ``at_thousand`` (None: these are the 1,000 figures)."""
    server = Server(instance, var, port)
    try:
        figures = scale_figures(server.url)
    finally:
        server.stop()
    load = os.getloadavg()[0]
    for name, seconds in figures.items():
        ratio = (
            f", {seconds / at_thousand[name]:.2f} of the same at 1,000"
            if at_thousand
            else ""
        )
        print(
            f"scale: {name} with {count} reports: {seconds:.3f} s{ratio} "
            f"(load average {load:.2f})",
            flush=True,
        )
    return figures


def feed_stage(instance, var, port, label, boxes):
    features, base, base_first = baseline(instance)
    server = Server(instance, var, port)
    try:
        first, rebuilt, cached, count = timed_feed(server.url)
        print(
            f"{label}: baseline (plain catalog + getURL, in process) {features} features "
            f"in {base:.3f} s (first run in a new process {base_first:.3f} s); "
            f"@reports-geojson over HTTP, {count} features: first answer after start "
            f"{first:.3f} s ({first / base:.2f} of the baseline, {first / base_first:.2f} "
            f"of its first run), built anew "
            f"{rebuilt:.3f} s ({rebuilt / base:.2f}), cached {cached:.3f} s "
            f"({cached / base:.3f})"
        )
        for name, bbox in boxes:
            first, rebuilt, cached, count = timed_feed(server.url, {"bbox": bbox})
            print(
                f"{label}: bbox {name} ({bbox}): {count} features, first answer "
                f"{first:.3f} s, built anew {rebuilt:.3f} s, cached {cached:.3f} s"
            )
    finally:
        server.stop()


# Around the demo map's centre: the fill spreads reports over about
# 0.036 x 0.09 degrees; this box is 1/100 of that area.
SMALL_BOX = "9.1172,39.2220,9.1262,39.2256"
TEN_TIMES_BOX = "9.1075,39.2183,9.1359,39.2293"


def main(count):
    from collective.civicreports.tests.chromium import start_chromium

    if os.environ.get("LIGHTHOUSE", "1") != "0":
        import lighthouse

        lighthouse.measure_demo()
    if os.environ.get("BURST", "1") != "0":
        import bench_burst

        bench_burst.burst_stage()
    with tempfile.TemporaryDirectory(prefix="civicreports-bench-") as var:
        port = free_port()
        instance = write_instance(Path(var), port)
        zconsole(instance, "create_site.py")
        scale = os.environ.get("SCALE", "1") != "0" and count > 1000
        at_thousand = None
        if scale:
            zconsole(instance, "bench_fill.py", "1000")
            at_thousand = scale_stage(instance, var, port, 1000, None)
            zconsole(instance, "bench_fill.py", str(count - 1000))
        else:
            zconsole(instance, "bench_fill.py", str(count))
        if scale:
            scale_stage(instance, var, port, count, at_thousand)
        server = Server(instance, var, port)
        try:
            url = server.url
            feed = url + "/@reports-geojson"
            requests.get(feed, headers={"Accept": "application/json"}, timeout=120)
            timings = []
            for _ in range(3):
                started = time.monotonic()
                response = requests.get(
                    feed, headers={"Accept": "application/json"}, timeout=120
                )
                timings.append(time.monotonic() - started)
            features = len(response.json()["features"])
            for page in ("@@moderation", "@@report-statistics"):
                page_timings = []
                for _ in range(3):
                    started = time.monotonic()
                    answer = requests.get(
                        f"{url}/{page}", auth=("moderator", "moderator"), timeout=300
                    )
                    page_timings.append(time.monotonic() - started)
                print(
                    f"{page} with {count} reports: HTTP {answer.status_code}, "
                    f"best of 3 {min(page_timings):.2f} s"
                )
            print(
                f"GeoJSON feed: {features} features, {len(response.content) / 1e6:.1f} MB, "
                f"best of 3 {min(timings):.2f} s"
            )
            driver = start_chromium(1280, 900)
            try:
                driver.execute_cdp_cmd("Network.enable", {})
                driver.execute_cdp_cmd(
                    "Network.setBlockedURLs", {"urls": ["*tile.openstreetmap.org*"]}
                )
                results = []
                for _ in range(3):
                    started = time.monotonic()
                    driver.get(url)
                    while True:
                        loaded = driver.execute_script(
                            "var m = document.getElementById('civicreports-map');"
                            "return m && m.getAttribute('data-loaded');"
                        )
                        if loaded and int(loaded) >= features:
                            break
                        if time.monotonic() - started > 120:
                            raise RuntimeError(f"the map showed {loaded} pins in 120 s")
                        time.sleep(0.05)
                    results.append(time.monotonic() - started)
                    # Still responsive: a zoom and a pan answer at once.
                    responsive = driver.execute_script(
                        "var map = document.getElementById('civicreports-map').civicreportsMap;"
                        "var t = performance.now(); map.setZoom(map.getZoom() + 1, {animate: false});"
                        "map.panBy([200, 100], {animate: false}); return performance.now() - t;"
                    )
                print(
                    f"Map page with {features} pins: best of 3 {min(results):.2f} s from "
                    f"navigation to all pins clustered (runs: "
                    f"{', '.join(f'{r:.2f}' for r in results)}); zoom and pan took "
                    f"{responsive:.0f} ms"
                )
            finally:
                driver.quit()
        finally:
            server.stop()
        if count >= 10000:
            feed_stage(
                instance,
                var,
                port,
                f"{count} reports",
                [
                    ("holding about 1/10 of them", TEN_TIMES_BOX),
                    ("holding about 1/100", SMALL_BOX),
                ],
            )
            if os.environ.get("BENCH_LARGE", "1") == "0":
                return
            zconsole(instance, "bench_fill.py", "--fast", str(count * 9))
            feed_stage(
                instance,
                var,
                port,
                f"{count * 10} reports",
                [("holding about 1/100 of them", SMALL_BOX)],
            )
            if scale:
                scale_stage(instance, var, port, count * 10, at_thousand)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)

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
    with tempfile.TemporaryDirectory(prefix="civicreports-bench-") as var:
        port = free_port()
        instance = write_instance(Path(var), port)
        zconsole(instance, "create_site.py")
        zconsole(instance, "bench_fill.py", str(count))
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


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)

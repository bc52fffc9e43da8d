"""Lighthouse's mobile performance score of the citizens' pages.

Usage: python scripts/lighthouse.py [SITE_URL] [--runs N]

Measures the form (``<folder>/@@segnala``), the archive (``<folder>``) and
a public report page with the ``lighthouse`` npm package (node_modules,
package-lock.json) in Debian's Chromium: mobile form factor, performance
category only, N runs each (default 3). Prints each page's best and median
score with the median run's main metrics. The validator's threshold is 0.5
(C.SI.4.1); the add-on's own target is 0.8.

With SITE_URL (e.g. http://127.0.0.1:8080/Plone) it measures that running
site as it is. Without, it builds a throw-away instance as ``make start``
does, with its own var folder and a free port, and points the map's tiles
at a local tile server and the geocoder at a closed port: nothing leaves
this machine (``make bench`` measures so).
"""

from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path

import argparse
import contextlib
import io
import json
import os
import requests
import socket
import subprocess
import sys
import tempfile
import threading
import time


ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
FOLDER = "segnalazioni"
TARGET = 0.8
METRICS = (
    ("first-contentful-paint", "FCP", "ms"),
    ("largest-contentful-paint", "LCP", "ms"),
    ("total-blocking-time", "TBT", "ms"),
    ("cumulative-layout-shift", "CLS", ""),
    ("total-byte-weight", "bytes", "B"),
)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tile_png():
    """A 256 px tile of a few kB, as a street map's tile weighs."""
    from PIL import Image
    from PIL import ImageDraw

    image = Image.new("RGB", (256, 256), (242, 239, 233))
    draw = ImageDraw.Draw(image)
    for offset in range(0, 256, 32):
        draw.line((offset, 0, 256 - offset, 256), fill=(255, 255, 255), width=6)
        draw.line((0, offset, 256, offset + 40), fill=(200, 215, 190), width=3)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


class TileServer:
    """Map tiles on 127.0.0.1, so that the map loads as it does online."""

    def __init__(self):
        tile = _tile_png()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(tile)))
                self.send_header("Cache-Control", "max-age=86400")
                self.end_headers()
                # Lighthouse closes the page while tiles are still on their
                # way: a tile nobody waits for is no error.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(tile)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def public_report_url(folder_url):
    """The page of the first public report of the folder's archive."""
    answer = requests.get(
        folder_url + "/@reports",
        params={"b_size": 1},
        headers={"Accept": "application/json"},
        timeout=60,
    )
    answer.raise_for_status()
    items = answer.json()["items"]
    if not items:
        raise RuntimeError(f"{folder_url} has no public report")
    return items[0]["@id"]


def run_lighthouse(url, output):
    subprocess.run(
        [
            LIGHTHOUSE,
            url,
            f"--chrome-path={CHROMIUM}",
            f"--chrome-flags={CHROME_FLAGS}",
            "--form-factor=mobile",
            "--only-categories=performance",
            "--output=json",
            f"--output-path={output}",
            "--quiet",
            # Offline: no update checks, no external URL of Lighthouse's own.
            "--no-enable-error-reporting",
        ],
        check=True,
        cwd=ROOT,
        timeout=300,
    )
    report = json.loads(Path(output).read_text())
    audits = report["audits"]
    runtime = report.get("runtimeError")
    if runtime:
        raise RuntimeError(f"Lighthouse on {url}: {runtime}")
    return {
        "score": report["categories"]["performance"]["score"],
        **{key: audits[key]["numericValue"] for key, _, _ in METRICS},
        "audits": audits,
    }


def _format(run):
    parts = []
    for key, label, unit in METRICS:
        value = run[key]
        if key == "cumulative-layout-shift":
            parts.append(f"{label} {value:.3f}")
        elif unit == "B":
            parts.append(f"{label} {value / 1024:.0f} KiB")
        else:
            parts.append(f"{label} {value:.0f} {unit}")
    return ", ".join(parts)


def measure(site_url, folder=FOLDER, runs=3, details=False):
    """Measure the three pages; a list of (name, url, best, median run)."""
    folder_url = f"{site_url}/{folder}"
    pages = [
        ("form", folder_url + "/@@segnala"),
        ("archive", folder_url),
        ("report", public_report_url(folder_url)),
    ]
    results = []
    with tempfile.TemporaryDirectory(prefix="civicreports-lighthouse-") as out:
        for name, url in pages:
            # A first request warms Zope's caches, as a visited site has them.
            requests.get(url, timeout=60)
            measured = [
                run_lighthouse(url, Path(out) / f"{name}-{n}.json") for n in range(runs)
            ]
            measured.sort(key=lambda run: run["score"])
            median = measured[len(measured) // 2]
            best = measured[-1]["score"]
            print(
                f"Lighthouse mobile performance, {name} ({url}): best {best:.2f}, "
                f"median {median['score']:.2f} of {runs} runs "
                f"(validator C.SI.4.1 >= 0.5, target >= {TARGET}); median run: "
                f"{_format(median)}",
                flush=True,
            )
            if details:
                _print_opportunities(median["audits"])
            results.append((name, url, best, median))
    return results


def _print_opportunities(audits):
    for key in (
        "render-blocking-resources",
        "render-blocking-insight",
        "unused-javascript",
        "unused-css-rules",
        "uses-long-cache-ttl",
        "cache-insight",
        "largest-contentful-paint-element",
        "lcp-breakdown-insight",
        "layout-shifts",
        "cls-culprits-insight",
        "network-requests",
    ):
        audit = audits.get(key)
        if not audit or audit.get("score") == 1:
            continue
        items = (audit.get("details") or {}).get("items") or []
        print(f"  {key}: {audit.get('displayValue', '')}")
        for item in items[:25]:
            if key == "network-requests":
                print(
                    f"    {item.get('url', '')[-90:]} {item.get('transferSize', 0)} B "
                    f"{item.get('resourceType', '')} "
                    f"{item.get('networkEndTime', 0) - item.get('networkRequestTime', 0):.0f} ms"
                )
            else:
                print(f"    {json.dumps(item, default=str)[:200]}")


def demo_site(var):
    """A demo instance as ``make start`` makes it, served on a free port;
    its (process, site URL)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from instance import write_instance

    port = free_port()
    instance = write_instance(var, port)
    env = dict(
        os.environ,
        SMTP_PORT="9",
        MAIL_QUEUE=str(Path(var) / "mailqueue"),
        DEMO_LANGUAGE="it",
    )
    subprocess.run(
        [BIN / "zconsole", "run", instance / "zope.conf", "scripts/create_site.py"],
        check=True,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=900,
    )
    return start_site(instance, port, env)


def start_site(instance, port, env=None):
    process = subprocess.Popen(
        [BIN / "runwsgi", Path(instance) / "zope.ini"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    site_url = f"http://127.0.0.1:{port}/Plone"
    deadline = time.monotonic() + 180
    while True:
        try:
            if requests.get(f"{site_url}/{FOLDER}", timeout=10).status_code == 200:
                return process, site_url
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.terminate()
            raise RuntimeError("the instance did not start")
        time.sleep(0.5)


def offline_settings(site_url, tiles_url):
    """Tiles from the local tile server, the geocoder on a closed port."""
    answer = requests.patch(
        site_url + "/@registry",
        json={
            "collective.civicreports.tile_url": tiles_url + "/{z}/{x}/{y}.png",
            "collective.civicreports.geocoder_url": "http://127.0.0.1:9/search",
        },
        auth=("admin", "admin"),
        headers={"Accept": "application/json"},
        timeout=60,
    )
    answer.raise_for_status()


def measure_demo(runs=3, details=False):
    """Build a demo instance, measure it, and remove it."""
    tiles = TileServer()
    try:
        with tempfile.TemporaryDirectory(prefix="civicreports-lh-site-") as var:
            process, site_url = demo_site(var)
            try:
                offline_settings(site_url, tiles.url)
                return measure(site_url, runs=runs, details=details)
            finally:
                process.terminate()
                process.wait(timeout=60)
    finally:
        tiles.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site_url", nargs="?")
    parser.add_argument("--folder", default=FOLDER)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--details", action="store_true", help="print what Lighthouse suggests"
    )
    args = parser.parse_args()
    if args.site_url:
        measure(args.site_url.rstrip("/"), args.folder, args.runs, args.details)
    else:
        measure_demo(args.runs, args.details)


if __name__ == "__main__":
    main()

"""Headless Chromium for the browser tests (Debian's chromium and
chromium-driver), and axe-core to check accessibility in the page."""

from pathlib import Path
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

import json
import os
import tempfile


ROOT = Path(__file__).resolve().parents[4]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def start_chromium(width=1280, height=900):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        # This machine's network is closed: no background connections.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--window-size={width},{height}",
        f"--user-data-dir={tempfile.mkdtemp(prefix='civicreports-chromium-')}",
    ):
        options.add_argument(flag)
    options.add_argument("--lang=en")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    if width < 500:
        # A desktop window cannot be narrower than 500 px: emulate a phone.
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True},
        )
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


def axe_violations(driver, impacts=("serious", "critical"), exclude=()):
    """The WCAG 2.1 A/AA violations of the current page, as (rule, impact,
    number of elements, first target); ``exclude``: CSS selectors of parts
    left out (a part that is not the page's under test)."""
    if not driver.execute_script("return typeof window.axe !== 'undefined'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "var context = arguments[1].length ? {exclude: arguments[1]} : document;"
        "axe.run(context, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(function (r) { done(JSON.stringify(r.violations)); })"
        ".catch(function (e) { done(JSON.stringify({error: String(e)})); });",
        WCAG_AA,
        [[selector] for selector in exclude],
    )
    violations = json.loads(result)
    if isinstance(violations, dict):
        raise RuntimeError(violations["error"])
    return [
        (
            v["id"],
            v["impact"],
            len(v["nodes"]),
            v["nodes"][0]["target"] if v["nodes"] else None,
        )
        for v in violations
        if v["impact"] in impacts
    ]

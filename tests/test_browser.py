"""One real-browser run: Debian's headless Chromium, driven by Playwright, against `streamlit run`.

Moves the subsidy slider on the Region page, waits for the headline figure and the chart to change,
checks that the page shows no error and saves a screenshot to tests/artifacts/. Skipped when
Chromium is not installed, except in CI (CI=true), where .ci/run installs it and a skip would hide
a failure.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def server():
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
           "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    env = {**os.environ, "SIMULATOR_PATHS": os.environ.get("SIMULATOR_PATHS", "200")}  # the cache the AppTests warm
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=20)


def test_region_slider_changes_the_chart(server):
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing in CI: .ci/run should have installed it")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    artifacts = ROOT / "tests" / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        page.goto(f"{server}/wilayah", timeout=120_000)
        headline = page.get_by_test_id("stMetricValue").first
        headline.wait_for(timeout=180_000)
        chart = page.locator("[data-testid='stVegaLiteChart']").first
        chart.wait_for(timeout=60_000)
        metrics = "() => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')].map(m => m.innerText).join('|')"
        before = page.evaluate(metrics)
        thumb = page.get_by_role("slider").first
        thumb.focus()
        for _ in range(10):
            page.keyboard.press("PageUp")
        page.wait_for_function(
            "before => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')]"
            ".map(m => m.innerText).join('|') !== before",
            arg=before,
            timeout=120_000,
        )
        page.wait_for_timeout(1500)
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.evaluate(metrics) != before
        page.screenshot(path=str(artifacts / "region-page.png"), full_page=True)
        browser.close()

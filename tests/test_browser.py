"""Real-browser runs: Debian's headless Chromium, driven by Playwright, against one `streamlit run`.

The first moves the subsidy slider on the Region page, waits for the headline figure to change, checks that
the fan chart's picture changed too and that the page shows no error, downloads the fan chart's CSV
(built on click), and saves screenshots to
tests/artifacts/ (one of the page on failure). Skipped when Chromium is not installed, except in CI
(CI=true), where .ci/run installs it and a skip would hide a failure.

The others (issue 20) type a budget the Indonesian way, check that a lever does not leak to another
region, open a copied Region address in a fresh browser, compare the app's headline with the command
line's `run`, and save screenshots of every page at 1440 px and 390 px in both languages.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app_warm import answers, free_port, serve_command

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server():
    port = free_port()
    cmd = serve_command(port)
    env = {
        **os.environ,
        "SIMULATOR_PATHS": os.environ.get("SIMULATOR_PATHS", "200"),
    }  # the cache the AppTests warm
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    answers(port, 600.0, poll=0.5)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(timeout=120)  # a loaded machine can take a while to shut Streamlit down
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_region_slider_changes_the_chart(server):
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing in CI: .ci/run should have installed it")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    artifacts = ROOT / "tests" / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        try:
            _move_slider_and_check(page, server, artifacts)
        except Exception:
            page.screenshot(path=str(artifacts / "region-page-failure.png"), timeout=120_000)
            raise
        finally:
            browser.close()


def _move_slider_and_check(page, server: str, artifacts: Path) -> None:
    # Generous waits: the first visit loads the data and the (disk-cached) baseline, which takes
    # minutes on a loaded 2-core machine; the timings themselves are in bench/bench_app.py.
    page.goto(f"{server}/wilayah", timeout=300_000)
    page.locator("[data-k]").first.wait_for(timeout=900_000)  # the headline card's figures
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    chart.wait_for(timeout=300_000)
    page.wait_for_timeout(2000)  # let Vega finish drawing before the "before" picture
    metrics = "() => [...document.querySelectorAll('[data-k]')].map(m => m.innerText).join('|')"
    before = page.evaluate(metrics)
    chart_before = chart.screenshot(timeout=120_000)
    thumb = _subsidy_slider(page)
    thumb.focus()
    for _ in range(10):
        page.keyboard.press("PageUp")
    page.wait_for_function(
        "before => [...document.querySelectorAll('[data-k]')].map(m => m.innerText).join('|') !== before",
        arg=before,
        timeout=300_000,
    )
    chart.wait_for(timeout=120_000)
    page.wait_for_timeout(2000)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.evaluate(metrics) != before
    chart_after = chart.screenshot(timeout=120_000)  # a locator is re-resolved on every use
    assert chart_after != chart_before, "the fan chart looks the same after the subsidy slider moved"
    # the fan chart's CSV is written on click (deferred download) and carries the illustrative note
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Unduh CSV").first.click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename.startswith("fan-")
    assert text.startswith("# catatan: data ilustratif, bukan angka resmi / note: illustrative data"), text[
        :80
    ]
    assert text.splitlines()[1].startswith("month,"), text.splitlines()[:2]
    (artifacts / "region-chart-before.png").write_bytes(chart_before)
    (artifacts / "region-chart-after.png").write_bytes(chart_after)
    page.screenshot(path=str(artifacts / "region-page.png"), full_page=True, timeout=120_000)


ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-zygote",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FIGURE = (
    "() => Object.fromEntries([...document.querySelectorAll('[data-k]')]"
    ".map(e => [e.dataset.k, e.innerText]))"
)
RUNNING = "() => document.querySelector('[data-testid=\"stStatusWidget\"]') !== null"
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing in CI: .ci/run should have installed it")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _page(browser, width: int = 1440):
    """A fresh browser context (no cookies, no session): what a colleague opening a link gets."""
    context = browser.new_context(viewport={"width": width, "height": 1800 if width > 500 else 1400})
    return context, context.new_page()


def _settled(page, timeout: int = 900_000) -> None:
    """Until the page's figures are drawn and Streamlit has finished its rerun."""
    page.wait_for_timeout(300)
    page.wait_for_function(f"!({RUNNING})()", timeout=timeout)
    page.wait_for_timeout(300)


def _figures(page, timeout: int = 900_000) -> dict:
    page.locator("[data-k]").first.wait_for(timeout=timeout)
    _settled(page, timeout)
    return page.evaluate(FIGURE)


def _subsidy_slider(page):
    """The new-subsidy slider of the Region page (the programme in force has sliders above it)."""
    return page.get_by_test_id("stSlider").filter(has_text="Bantuan iuran (orang)").get_by_role("slider")


def _cli_row(scenario: str, code: str, name: str, year: int) -> list[str]:
    """Target, median, probability, gap ... as `run` prints them for ``code`` and ``year``."""
    import re

    paths = os.environ.get("SIMULATOR_PATHS", "200")
    out = subprocess.run(
        [sys.executable, "-m", "simulator", "run", f"scenarios/{scenario}.yaml", "--paths", paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        check=True,
    ).stdout
    line = next(row for row in out.splitlines() if re.match(rf"{re.escape(code)}\s+{name}\s+{year}\s", row))
    return re.findall(r"\d+(?:\.\d{3})*(?:,\d+)? %|\d+(?:\.\d{3})+|\d+", line.split(str(year), 1)[1])


def _type(page, label: str, text: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")
    _settled(page)


def test_budget_typed_the_indonesian_way_is_read_as_meant(server, browser):
    context, page = _page(browser)
    try:
        page.goto(f"{server}/anggaran?tanya=allocate", timeout=300_000)
        page.get_by_test_id("stMetricValue").first.wait_for(timeout=900_000)
        _type(page, "Pagu anggaran (Rp)", "10.000.000.000")
        reached = page.get_by_test_id("stMetric").filter(has_text="Wilayah mencapai target")
        first = reached.get_by_test_id("stMetricValue").inner_text()
        assert first.endswith("/ 14") and int(first.split(" / ")[0]) > 0, first
        assert page.get_by_text("Rp10.000.000.000", exact=True).count() == 1
        assert "pagu=10000000000" in page.url
        _type(page, "Pagu anggaran (Rp)", "Rp10 M")
        assert reached.get_by_test_id("stMetricValue").inner_text() == first
        _type(page, "Pagu anggaran (Rp)", "10.5")
        alert = page.get_by_test_id("stAlertContentError").first.inner_text()
        assert alert.startswith("«10.5» bisa dibaca dua cara"), alert
        # the old answer is gone with the input it answered (Streamlit removes it when the rerun ends)
        page.wait_for_function(
            "() => ![...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
            ".some(m => m.innerText.includes('Wilayah mencapai target'))",
            timeout=120_000,
        )
        assert reached.count() == 0
        page.screenshot(path=str(ARTIFACTS / "budget-refused-1440.png"), full_page=True)
    finally:
        context.close()


def test_a_lever_does_not_leak_to_another_region(server, browser):
    context, page = _page(browser)
    try:
        page.goto(f"{server}/wilayah?wilayah=61.72", timeout=300_000)
        alone = _figures(page)
        page.goto(f"{server}/wilayah?wilayah=61&bantuan=86000", timeout=300_000)
        kalbar = _figures(page)
        select = page.get_by_test_id("stSelectbox").first
        select.click()
        page.keyboard.type("61.72")
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "wilayah=61.72" in url, timeout=300_000)
        moved = _figures(page)
        assert moved["median"] == alone["median"] and moved["probability"] == alone["probability"], (
            moved,
            alone,
        )
        assert moved["median"] != kalbar["median"]
        assert "bantuan=0" in page.url
    finally:
        context.close()


def test_a_copied_region_address_reproduces_its_numbers(server, browser):
    context, page = _page(browser)
    try:
        page.goto(f"{server}/wilayah?wilayah=61", timeout=300_000)
        _figures(page)
        thumb = _subsidy_slider(page)
        thumb.focus()
        for _ in range(5):
            page.keyboard.press("PageUp")
        page.wait_for_url(lambda url: "bantuan=0&" not in url, timeout=300_000)
        shown = _figures(page)
        address = page.url
    finally:
        context.close()
    context, page = _page(browser)  # a colleague's fresh browser
    try:
        page.goto(address, timeout=300_000)
        assert _figures(page) == shown, address
        page.screenshot(path=str(ARTIFACTS / "region-shared-1440.png"), full_page=True)
    finally:
        context.close()


def test_app_and_command_line_give_the_same_answer(server, browser):
    import re

    paths = os.environ.get("SIMULATOR_PATHS", "200")
    out = subprocess.run(
        [sys.executable, "-m", "simulator", "run", "scenarios/kalbar-subsidy-2025.yaml", "--paths", paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        check=True,
    ).stdout
    line = next(row for row in out.splitlines() if re.match(r"61\s+Kalimantan Barat\s+2025\s", row))
    cli = re.findall(r"\d+(?:\.\d{3})*(?:,\d+)? %|\d+(?:\.\d{3})+|\d+|–", line.split("2025", 1)[1])
    context, page = _page(browser)
    try:
        page.goto(f"{server}/?provinsi=61&skenario=kalbar-subsidy-2025&tahun=2025", timeout=300_000)
        _figures(page)
        cards = page.locator(".sim-card")
        kalbar = cards.nth(1)
        assert kalbar.locator(".sim-card-name").inner_text() == "Kalimantan Barat"
        app = {
            k: kalbar.locator(f"[data-k={k}]").inner_text().split("\n")[0]
            for k in ("target", "median", "probability", "gap")
        }
    finally:
        context.close()
    assert app["target"].startswith(cli[0]), (app, line)
    # the probability, then its level's tested reliability (the CLI's 'teruji' column) beside it
    assert app["median"].startswith(cli[1]) and app["probability"].startswith(cli[2] + " "), (app, line)
    assert f"teruji {cli[3]}" in app["probability"] or (
        "belum teruji" in app["probability"] and cli[3] == "–"
    ), (app, line)
    assert app["gap"] in line, (app, line)


def test_what_is_lost_if_the_programme_in_force_stops_is_one_click(server, browser):
    """Kalbar's Pergub 4/2023 subsidy is in the baseline; 'Dihentikan' (from January 2026, 35 % keep
    paying) shows the persons lost, the cost saved and the coverage before -> after, the latter equal
    to `run scenarios/kalbar-subsidy-stop-2026.yaml` for Kalbar in 2026."""
    cli = _cli_row("kalbar-subsidy-stop-2026", "61", "Kalimantan Barat", 2026)
    context, page = _page(browser)
    try:
        page.goto(f"{server}/wilayah?wilayah=61", timeout=300_000)
        _figures(page)
        assert page.get_by_text("26.373 orang, Rp16.800 per orang per bulan", exact=False).count() == 1
        page.get_by_test_id("stSidebar").get_by_text("Dihentikan", exact=True).click()
        page.wait_for_url(lambda url: "program=stop" in url, timeout=300_000)
        page.locator("[data-p]").first.wait_for(timeout=300_000)
        _settled(page)
        metrics = page.evaluate(
            "() => Object.fromEntries([...document.querySelectorAll('[data-p]')].map("
            "e => [e.previousElementSibling.innerText, e.innerText]))"
        )
        page.screenshot(path=str(ARTIFACTS / "region-programme-stop-1440.png"), full_page=True)
        assert "program_mulai=2026-01" in page.url and "program_bertahan=35" in page.url
    finally:
        context.close()
    lost = metrics["Perubahan peserta, Des 2026 (median)"]
    assert lost.startswith("-") and 17_142 < int(lost[1:].replace(".", "")) < 26_373, metrics
    assert metrics["Biaya dihemat s.d. Des 2030"] == "Rp26,58 M"  # 60 months x 26.373 x Rp16.800
    before, after = metrics["Median cakupan, Des 2026"].split(" → ")
    assert after == cli[1] and before != after, (metrics, cli)


def test_the_brief_downloaded_from_the_overview_is_the_one_page_leadership_brief(server, browser):
    """Overview, Kalbar, 'stop in 2026': the HTML brief's page 1 has the nation and the province
    together, fan charts with the recorded history, the scenario's Indonesian title and no ISO date;
    printed, page 1 alone is one A4 page (tests/artifacts/brief-app.pdf)."""
    import re

    context, page = _page(browser)
    try:
        page.goto(f"{server}/?provinsi=61&skenario=kalbar-subsidy-stop-2026&tahun=2026", timeout=300_000)
        _figures(page)
        page.get_by_text("Laporan untuk pimpinan", exact=False).click()
        with page.expect_download(timeout=300_000) as download:
            page.get_by_role("button", name="Unduh ringkasan (HTML, siap cetak)").click()
        text = Path(download.value.path()).read_text(encoding="utf-8")
    finally:
        context.close()
    cover = text.split("<section class='page cover'>")[1].split("</section>")[0]
    assert "Kalbar: bantuan iuran Pergub 4/2023 dihentikan mulai Januari 2026" in cover
    assert re.findall(r"<div class='card card-[a-z-]+'><b>([^<]+)</b>", cover) == [
        "Indonesia",
        "Kalimantan Barat",
    ]
    assert cover.count('class="history"') == 2 and "Teruji*" in cover
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text.split("<footer>")[0])
    (ARTIFACTS / "brief-app.html").write_text(text, encoding="utf-8")
    from simulator.report import brief_pdf, find_pdf_engine

    if find_pdf_engine():
        first = text.split("<section class='page'>")[0] + "</body></html>"
        pdf = brief_pdf(first)
        (ARTIFACTS / "brief-app-page1.pdf").write_bytes(pdf)
        assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1


@pytest.mark.parametrize("lang", ["id", "en"])
def test_screenshots_of_every_page_at_desktop_and_phone_width(server, browser, lang):
    suffix = "" if lang == "id" else "?lang=en"
    for width in (1440, 390):
        context, page = _page(browser, width)
        try:
            for path in ("", "wilayah", "bandingkan", "anggaran", "data"):
                page.goto(f"{server}/{path}{suffix}", timeout=300_000)
                page.get_by_test_id("stMain").wait_for(timeout=300_000)
                if path in ("", "wilayah"):
                    _figures(page)
                else:
                    page.wait_for_timeout(1500)
                    _settled(page)
                assert page.get_by_test_id("stException").count() == 0, path
                # no Deploy button or developer menu (client.toolbarMode = "minimal")
                assert page.get_by_text("Deploy", exact=True).count() == 0
                if path == "data":
                    words = "Seret berkas ke sini" if lang == "id" else "Drag and drop a file here"
                    drop = page.get_by_test_id("stFileUploaderDropzoneInstructions").first
                    content = page.evaluate(
                        "e => getComputedStyle(e.firstElementChild, '::before').content",
                        drop.element_handle(),
                    )
                    assert words in content, content
                page.screenshot(
                    path=str(ARTIFACTS / f"{path or 'ringkasan'}-{lang}-{width}.png"), full_page=True
                )
            if (
                width == 390
            ):  # the headline cards fit the phone's width: nothing cut, nothing to scroll sideways
                page.goto(f"{server}/{suffix}", timeout=300_000)
                _figures(page)
                overflow = page.evaluate(
                    "() => [...document.querySelectorAll('.sim-card')].some(c => c.scrollWidth > "
                    "c.clientWidth + 1)"
                )
                assert not overflow
        finally:
            context.close()


def test_the_per_segment_panel_opens_on_the_region_page(server, browser):
    """Closed, the Region page draws no segment table (it is computed only when opened); opened,
    the table and its explanation appear in the expander, without an error."""
    context, page = _page(browser)
    try:
        page.goto(f"{server}/wilayah?wilayah=61", timeout=300_000)
        _figures(page)
        _settled(page)
        panel = page.get_by_test_id("stExpander").filter(has_text="Per segmen peserta")
        assert panel.count() == 1 and panel.get_by_test_id("stDataFrame").count() == 0
        panel.get_by_text("Per segmen peserta", exact=True).click()
        panel.get_by_test_id("stDataFrame").first.wait_for(timeout=300_000)
        _settled(page)
        assert panel.get_by_text("Porsi: bagian segmen", exact=False).count() == 1
        assert page.locator("[data-testid='stException']").count() == 0
        panel.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "region-segments-1440.png"), full_page=True)
    finally:
        context.close()

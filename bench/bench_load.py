"""Ten users at once (issue 24, point 11): what each waits for, beside one user alone, in one run.

Starts `streamlit run app.py` on 127.0.0.1 and drives Debian's headless Chromium through
Playwright: one browser, one context per user (nothing cached: every user loads and compiles the
app's code, as on a first visit) or, with --tabs, one tab per user in one context (the code cached,
as for a returning user); either way one Streamlit session per user. Two
phases, each on a freshly started server (so one phase's cached scenario runs never answer the
other's), each after one unmeasured warm-up visit (the server maps the disk-cached baseline):

1. the users open the first page (Ringkasan, the address everybody is sent) at the same moment;
   timed from the request until the headline cards' figures are drawn;
2. each user opens the Region page of their own region and moves the subsidy slider up (arrow key:
   1.000 persons a step; every step a new scenario, never answered from another user's cache); each
   move timed from the key press until new headline figures are drawn and Streamlit reports the
   rerun finished.

Phase "1 user" runs user 0 alone; phase "10 users" runs all of them together. Printed per phase:
median and worst of both times, the server's and the browser's CPU seconds, and the load average;
then the ratios. The server and the browser are stopped at the end, whatever happens.

    nice python bench/bench_load.py                  # 1.000 paths, as the app serves them
    nice python bench/bench_load.py --users 5 --moves 3
    SIMULATOR_PATHS=200 python bench/bench_load.py   # the tests' smaller baseline

Needs `chromium` on PATH (.ci/run installs Debian's). Heavy: ten renderers and the server share
the machine's cores; run it on a quiet machine and read the load average printed beside the
figures. A benchmark, not a test: nothing here runs in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
#: One region per user, a mix of provinces and kabupaten/kota (a province's page reports its
#: children too, so it costs more); user 0 is also the one who runs alone.
REGIONS = ("61", "61.01", "33", "61.72", "35.78", "12", "73.71", "63", "64.72", "51")
FIGURES = "[data-k]"  # the headline cards' values (Overview, Region)
METRICS = f"() => [...document.querySelectorAll('{FIGURES}')].map(m => m.innerText).join('|')"
RUNNING = "() => document.querySelector('[data-testid=\"stStatusWidget\"]') !== null"
ERROR = "[data-testid='stException']"
TIMEOUT = 300_000
VIEWPORT = {
    "width": 1400,
    "height": 1600,
}  # [ms] a loaded 2-core machine is slow, never wrong: wait, and report the time
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-zygote",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and all its children (psutil)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return float("nan")
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


class Server:
    """`streamlit run app.py` on a free port; stopped (terminate, then kill) on exit."""

    def __init__(self, extra: list[str] | None = None) -> None:
        self.port = _port()
        self.extra = list(extra or [])
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        cmd = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(self.port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            *self.extra,
        ]
        import tempfile

        self.log = Path(tempfile.mkstemp(prefix="bench-load-server-", suffix=".log")[1])
        with open(self.log, "wb") as log:  # the server's messages: read them when a page fails
            self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        for _ in range(1200):
            if self.proc.poll() is not None:
                raise SystemExit(f"streamlit exited with code {self.proc.returncode}")
            try:
                urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2)
                return self
            except OSError:
                time.sleep(0.5)
        raise SystemExit("streamlit did not start within 10 minutes")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if exc[0] is None:
            self.log.unlink(missing_ok=True)
        else:
            print(f"server log kept: {self.log}", file=sys.stderr)


async def _settled(page) -> None:
    await page.wait_for_timeout(50)  # the status widget shows once a rerun has started
    await page.wait_for_function(f"!({RUNNING})()", timeout=TIMEOUT)


def _watch_cards(page) -> tuple[list[float], list[float]]:
    """Times at which the browser sends a websocket message (the page asking for a rerun), and at
    which the server's messages carrying a headline card (its HTML holds ``data-k``) reach it:
    the server's answer, before the browser has drawn it."""
    requests: list[float] = []
    arrivals: list[float] = []

    def on_socket(ws) -> None:
        def on_frame(payload) -> None:
            if b"data-k" in (payload if isinstance(payload, bytes) else payload.encode()):
                arrivals.append(time.perf_counter())

        ws.on("framereceived", on_frame)
        ws.on("framesent", lambda payload: requests.append(time.perf_counter()))

    page.on("websocket", on_socket)
    return requests, arrivals


def _after(arrivals: list[float], t0: float) -> float:
    return next((t - t0 for t in arrivals if t >= t0), float("nan"))


async def _first_figures(opener, url: str) -> tuple[float, float, object]:
    """A new user opens ``url`` in a new page of ``opener`` (a browser: a fresh context, nothing
    cached; or a context: a tab of a browser that has the app's code cached): seconds until the
    server's headline cards arrived, and until the browser has drawn their figures; and the page."""
    if hasattr(opener, "new_context"):
        opener = await opener.new_context(viewport=VIEWPORT)
    page = await opener.new_page()
    page.requests, page.arrivals = _watch_cards(page)
    t0 = time.perf_counter()
    await page.goto(url, timeout=TIMEOUT)
    await page.locator(FIGURES).first.wait_for(timeout=TIMEOUT)
    drawn = time.perf_counter() - t0
    asked = t0 + _after(page.requests, t0)  # the app's first rerun request, once its code has loaded
    return _after(page.arrivals, asked), drawn, page


async def _moves(page, url: str, code: str, moves: int) -> list[tuple[float, float, float]]:
    """Open the Region page of ``code`` and press the right arrow on the subsidy slider ``moves`` times:
    per move (seconds from the browser sending the new value until the server's card arrived; from
    the key press until new figures are drawn, and until the rerun has finished)."""
    await page.goto(f"{url}/wilayah?wilayah={code}", timeout=TIMEOUT)
    await page.locator(FIGURES).first.wait_for(timeout=TIMEOUT)
    await _settled(page)
    from simulator.i18n import t

    thumb = page.get_by_test_id("stSlider").filter(has_text=t("subsidy", "id")).get_by_role("slider")
    out = []
    for i in range(moves):
        before = await page.evaluate(METRICS)
        await thumb.focus()
        t0 = time.perf_counter()
        await page.keyboard.press("ArrowRight")  # one step: 1.000 persons more
        try:
            await page.wait_for_function(f"b => ({METRICS})() !== b", arg=before, timeout=TIMEOUT)
            shown = time.perf_counter() - t0
            await page.wait_for_function(f"!({RUNNING})()", timeout=TIMEOUT)
        except Exception:
            shot = Path(f"/tmp/bench-load-{code}.png")
            await page.screenshot(path=str(shot), full_page=True)
            raise SystemExit(
                f"Region page of {code}, move {i + 1}: no new figures within {TIMEOUT / 1e3:.0f} s "
                f"(figures {before!r}, address {page.url}, screenshot {shot})"
            ) from None
        asked = t0 + _after(page.requests, t0)  # the browser sent the new value
        out.append((_after(page.arrivals, asked), shown, time.perf_counter() - t0))
        if await page.locator(ERROR).count():
            text = " ".join((await page.locator(ERROR).first.inner_text()).split())[:2000]
            raise SystemExit(f"the Region page of {code} shows an error after move {i + 1}: {text}")
    return out


def _load() -> str:
    a, b, c = os.getloadavg()
    return f"{a:.1f} / {b:.1f} / {c:.1f}"


def _niced(chromium: str, niceness: int, folder: Path) -> str:
    """A launcher that runs ``chromium`` at ``niceness`` (its renderers inherit it)."""
    if niceness <= os.nice(0):
        return chromium
    launcher = folder / "chromium-niced"
    launcher.write_text(f'#!/bin/sh\nexec nice -n {niceness - os.nice(0)} {chromium} "$@"\n')
    launcher.chmod(0o755)
    return str(launcher)


async def _phase(
    users: int,
    moves: int,
    chromium: str,
    tabs: bool,
    server_args: list[str],
    servers: int = 1,
    profile: str | None = None,
) -> dict:
    """One phase on ``servers`` freshly started server processes; user i goes to server i mod
    ``servers`` (as a proxy with sticky sessions, e.g. nginx ``ip_hash``, would send them)."""
    import contextlib

    import psutil
    from playwright.async_api import async_playwright

    with contextlib.ExitStack() as stack:
        started = [stack.enter_context(Server(server_args)) for _ in range(servers)]
        pids = [s.proc.pid for s in started]
        url = [started[i % servers].url for i in range(users)]
        spy = None
        if profile:  # py-spy samples the first server's threads while the users work (collapsed stacks)
            spy = subprocess.Popen(
                [
                    shutil.which("py-spy") or "py-spy",
                    "record",
                    "--idle",
                    "--threads",
                    "-r",
                    "50",
                    "--format",
                    "raw",
                    "-o",
                    profile,
                    "-p",
                    str(pids[0]),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=chromium, args=ARGS)
            try:
                shared = await browser.new_context(viewport=VIEWPORT) if tabs else None
                for server in started:  # each process maps the cached baseline
                    _, warm, page = await _first_figures(shared or browser, server.url)
                    await page.close()
                    if not tabs:
                        await page.context.close()
                load_before = _load()
                cpu0 = sum(map(_cpu_seconds, pids)), _cpu_seconds(os.getpid())
                t0 = time.perf_counter()
                opened = await asyncio.gather(
                    *[_first_figures(shared or browser, url[i]) for i in range(users)]
                )
                wall_first = time.perf_counter() - t0
                t0 = time.perf_counter()
                per_user = await asyncio.gather(
                    *[
                        _moves(page, url[i], REGIONS[i % len(REGIONS)], moves)
                        for i, (_, _, page) in enumerate(opened)
                    ]
                )
                wall_moves = time.perf_counter() - t0
                cpu1 = sum(map(_cpu_seconds, pids)), _cpu_seconds(os.getpid())
                # resident memory of the servers; the baseline's pages are mapped from the same
                # cache files, so processes share them (counted once in PSS)
                rss = sum(psutil.Process(pid).memory_full_info().pss for pid in pids)
                for _, _, page in opened:
                    await (page.close() if tabs else page.context.close())
            finally:
                await browser.close()
                if spy is not None:
                    spy.send_signal(2)  # SIGINT: py-spy writes its file and exits
                    spy.wait(timeout=120)
    moved = np.array([m for user in per_user for m in user]).reshape(-1, 3)
    return {
        "users": users,
        "servers": servers,
        "warm": warm,
        "sent": np.array([s for s, _, _ in opened]),
        "first": np.array([f for _, f, _ in opened]),
        "answered": moved[:, 0],
        "shown": moved[:, 1],
        "done": moved[:, 2],
        "server_cpu": cpu1[0] - cpu0[0],
        "browser_cpu": cpu1[1] - cpu0[1],
        "rss": rss,
        "wall": wall_first + wall_moves,
        "load_before": load_before,
        "load_after": _load(),
    }


def _line(r: dict) -> None:
    f, d, s, a, e = r["first"], r["done"], r["shown"], r["answered"], r["sent"]
    print(
        f"{r['users']:>2} user(s): first headline figures median {np.median(f):5.1f} s, worst {f.max():5.1f} s"
        f" | slider move median {np.median(d) * 1e3:6.0f} ms, worst {d.max() * 1e3:6.0f} ms ({len(d)} moves, until"
        f" the rerun has finished; new figures drawn after a median {np.median(s) * 1e3:.0f} ms)",
        flush=True,
    )
    print(
        f"   the server's part (from the page's rerun request until its message with the cards arrived): first figures median "
        f"{np.nanmedian(e):.1f} s, worst {np.nanmax(e):.1f} s; slider move median {np.nanmedian(a) * 1e3:.0f} ms, "
        f"worst {np.nanmax(a) * 1e3:.0f} ms",
        flush=True,
    )
    print(
        f"   warm-up visit (server maps the cached baseline) {r['warm']:.1f} s; phase wall {r['wall']:.0f} s, "
        f"CPU seconds: server {r['server_cpu']:.0f}, this script + Chromium {r['browser_cpu']:.0f}; server memory "
        f"(PSS, {r['servers']} process(es)) {r['rss'] / 2**20:.0f} MiB; "
        f"load average before {r['load_before']}, after {r['load_after']}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--moves", type=int, default=4, help="slider moves per user")
    parser.add_argument(
        "--profile", help="py-spy the server in the many-users phase into this file (raw stacks)"
    )
    parser.add_argument(
        "--tabs",
        action="store_true",
        help="users as tabs of one browser context (the app's code cached, as for a returning "
        "user) instead of fresh contexts (first visit: every user loads and compiles it)",
    )
    parser.add_argument(
        "--server-arg",
        action="append",
        default=[],
        help="extra `streamlit run` option, e.g. --server-arg=--server.fileWatcherType=auto",
    )
    parser.add_argument(
        "--browser-nice",
        type=int,
        default=19,
        help="niceness of the browsers (default 19: the server gets the cores first, as when "
        "every user's browser runs on their own machine); the script's own to share equally",
    )
    parser.add_argument(
        "--servers",
        type=int,
        default=1,
        help="server processes (users spread over them as a sticky proxy would; README)",
    )
    parser.add_argument("--skip-alone", action="store_true", help="only the many-users phase (no ratio)")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium): no load benchmark")
    import tempfile

    launcher_dir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    chromium = _niced(chromium, args.browser_nice, launcher_dir)
    print(
        f"paths: {os.environ.get('SIMULATOR_PATHS', '1000')}, cores: {os.cpu_count()}, users: {args.users}, "
        f"moves per user: {args.moves}, users as {'tabs of one context' if args.tabs else 'fresh contexts'}, "
        f"server processes: {args.servers}, server options: {' '.join(args.server_arg) or '-'}, niceness: server {os.nice(0)}, browsers "
        f"{max(args.browser_nice, os.nice(0))}, load average: {_load()}",
        flush=True,
    )
    print(
        f"goal (issue 24): {args.users} users see the first figures in under 5 s each (median), "
        "actions under 1 s",
        flush=True,
    )
    try:
        alone = (
            None
            if args.skip_alone
            else asyncio.run(_phase(1, args.moves, chromium, args.tabs, args.server_arg, args.servers))
        )
        if alone is not None:
            _line(alone)
        many = asyncio.run(
            _phase(args.users, args.moves, chromium, args.tabs, args.server_arg, args.servers, args.profile)
        )
        _line(many)
    finally:
        shutil.rmtree(launcher_dir, ignore_errors=True)
    if alone is None:
        return
    print(
        f"ratio {args.users} users / 1 user: first figures {np.median(many['first']) / np.median(alone['first']):.1f}x "
        f"(worst {many['first'].max() / alone['first'].max():.1f}x), slider move "
        f"{np.median(many['done']) / np.median(alone['done']):.1f}x (worst {many['done'].max() / alone['done'].max():.1f}x)",
        flush=True,
    )


if __name__ == "__main__":
    main()

"""Ten users at once (issue 24, point 11): what each waits for from the server, beside one user alone.

Starts `streamlit run app.py` on 127.0.0.1 and drives it with clients that speak Streamlit's own
websocket protocol and render nothing (bench/stream_client.py): in a real deployment every user's
browser runs on the user's machine, so only the server shares this machine's cores. Each user
first fetches the page and the script files its HTML names (as a browser's first visit does, so
the server's static serving is counted), opens a session on the first page (Ringkasan, the address
everybody is sent), switches to the Region page of their own region and moves its subsidy slider
one step at a time (1.000 persons a step: every step a new scenario, never answered from another
user's cache). Timed on the client: from the request until the message carrying the headline card
arrives ("figures") and until the server reports the script finished ("done").

Phase "1 user" runs user 0 alone, phase "10 users" runs all of them at the same moment, each on a
freshly started server after one unmeasured warm-up visit (the server's first session imports the
code and maps the disk-cached baseline; its time is printed). Printed per phase: median and worst,
the server's CPU seconds (per user: independent of other work on the machine, unlike wall times),
its memory and the load average; then the ratios 10 users / 1 user, which other work on the
machine affects much less than the times themselves.

    python bench/bench_load.py                       # 10 users, 1.000 paths, as the app serves them
    python bench/bench_load.py --users 5 --moves 3
    python bench/bench_load.py --browsers            # the same with 10 headless Chromium sessions
    SIMULATOR_PATHS=200 python bench/bench_load.py   # the tests' smaller baseline

--browsers keeps the earlier measurement (Debian's headless Chromium through Playwright, one
context per user, browsers at niceness 19): there the ten renderers share the server's 2 cores and
most of a user's wait is their own page being drawn by a starved browser; read it as a reference,
not as the server's speed. A benchmark, not a test: nothing here runs in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from app_warm import answers, free_port, serve_command  # noqa: E402

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
        self.port = free_port()
        self.extra = list(extra or [])
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        cmd = serve_command(self.port, *self.extra)
        import tempfile

        self.log = Path(tempfile.mkstemp(prefix="bench-load-server-", suffix=".log")[1])
        with open(self.log, "wb") as log:  # the server's messages: read them when a page fails
            self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        if answers(self.port, 600.0, poll=0.5, proc=self.proc):
            return self
        if self.proc.poll() is not None:
            raise SystemExit(f"streamlit exited with code {self.proc.returncode}")
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


# ---- the server alone: protocol clients (bench/stream_client.py) ------------------------------
def _assets(url: str) -> int:
    """A browser's first request: the page, then the files its HTML names over six connections
    (gzip accepted); bytes read."""
    import concurrent.futures
    import re

    def get(path: str) -> bytes:
        req = urllib.request.Request(f"{url}/{path.lstrip('./')}", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req, timeout=TIMEOUT / 1e3) as r:
            return r.read()

    html = get("")
    names = re.findall(rb'(?:src|href)="(\./static/[^"]+)"', html)
    with concurrent.futures.ThreadPoolExecutor(6) as pool:  # six connections, as a browser opens
        return len(html) + sum(pool.map(lambda n: len(get(n.decode())), names))


async def _user(url: str, code: str, moves: int, assets: bool) -> dict:
    """One user: (the page's files), the first page, the switch to their Region page, ``moves``
    slider steps. Seconds until the headline card arrived and until the script finished."""
    from stream_client import Session

    from simulator.i18n import t

    t0 = time.perf_counter()
    if assets:
        await asyncio.to_thread(_assets, url)
    fetched = time.perf_counter() - t0
    session, first = await Session.open(url, "", "", timeout=TIMEOUT / 1e3)
    opened = time.perf_counter() - t0 - first.finished  # the files and the websocket's opening
    try:
        switch = await session.switch("wilayah", f"wilayah={code}", timeout=TIMEOUT / 1e3)
        steps = [
            await session.set_select_slider(t("subsidy", "id"), timeout=TIMEOUT / 1e3) for _ in range(moves)
        ]
    finally:
        await session.close()
    errors = [e for r in (first, switch, *steps) for e in r.errors]
    if errors or any(r.card != r.card for r in (first, switch, *steps)):
        raise SystemExit(f"user on {code}: a rerun without headline figures or with an error: {errors[:2]}")
    return {
        "first": opened + first.card,
        "first_done": opened + first.finished,
        "assets": fetched,
        "rerun": first.card,
        "switch": switch.finished,
        "moves": [(r.card, r.finished) for r in steps],
        "bytes": [r.nbytes for r in (first, switch, *steps)],
    }


async def _ws_phase(
    users: int, moves: int, server_args: list[str], servers: int, assets: bool, profile: str | None = None
) -> dict:
    """One phase on ``servers`` freshly started processes (user i on server i mod ``servers``)."""
    import concurrent.futures
    import contextlib

    import psutil

    # every user's files at once, as ten browsers fetch them (the default pool has cores + 4 threads)
    asyncio.get_running_loop().set_default_executor(concurrent.futures.ThreadPoolExecutor(users + 2))
    with contextlib.ExitStack() as stack:
        started = [stack.enter_context(Server(server_args)) for _ in range(servers)]
        pids = [s.proc.pid for s in started]
        warm = []
        for server in started:  # each process imports the code and maps the cached baseline once
            w0 = time.perf_counter()
            await _user(server.url, REGIONS[0], 0, assets)
            warm.append(time.perf_counter() - w0)
        load_before = _load()
        spy = None
        if profile:  # py-spy samples the first server's threads while the users work (raw stacks)
            spy = subprocess.Popen(
                [shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy")), "record"]
                + ["--threads", "-r", "100", "--format", "raw", "-o", profile, "-p", str(pids[0])],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        cpu0 = sum(map(_cpu_seconds, pids))
        t0 = time.perf_counter()
        out = await asyncio.gather(
            *[_user(started[i % servers].url, REGIONS[i % len(REGIONS)], moves, assets) for i in range(users)]
        )
        wall = time.perf_counter() - t0
        if spy is not None:
            spy.send_signal(2)  # SIGINT: py-spy writes its file and exits
            spy.wait(timeout=120)
        cpu = sum(map(_cpu_seconds, pids)) - cpu0
        pss = sum(psutil.Process(pid).memory_full_info().pss for pid in pids)
    moved = np.array([m for u in out for m in u["moves"]]).reshape(-1, 2)
    return {
        "users": users,
        "servers": servers,
        "warm": max(warm),
        "first": np.array([u["first"] for u in out]),
        "first_done": np.array([u["first_done"] for u in out]),
        "assets": np.array([u["assets"] for u in out]),
        "rerun": np.array([u["rerun"] for u in out]),
        "switch": np.array([u["switch"] for u in out]),
        "move": moved[:, 0],
        "move_done": moved[:, 1],
        "server_cpu": cpu,
        "pss": pss,
        "wall": wall,
        "kib": np.median([b for u in out for b in u["bytes"]]) / 1024,
        "load_before": load_before,
        "load_after": _load(),
    }


def _ms(values: np.ndarray) -> str:
    return f"{np.median(values) * 1e3:,.0f} / {values.max() * 1e3:,.0f} ms".replace(",", ".")


def _ws_row(r: dict) -> None:
    f, fd = r["first"], r["first_done"]
    print(
        f"| {r['users']} user{'s' if r['users'] > 1 else ''} | {np.median(f):.2f} / {f.max():.2f} s".replace(
            ".", ","
        )
        + f" | {np.median(fd):.2f} / {fd.max():.2f} s".replace(".", ",")
        + f" | {_ms(r['switch'])} | {_ms(r['move'])} | {_ms(r['move_done'])} | "
        + f"{r['server_cpu']:.1f} s ({r['server_cpu'] / r['users']:.2f} s per user)".replace(".", ",")
        + f" | {r['pss'] / 2**20:.0f} MiB | {r['load_before']} -> {r['load_after']} |".replace(".", ","),
        flush=True,
    )


def _ws_main(args) -> None:
    print(
        f"server alone: {args.users} protocol clients (bench/stream_client.py, nothing rendered), "
        f"paths {os.environ.get('SIMULATOR_PATHS', '1000')}, cores {os.cpu_count()}, moves per user "
        f"{args.moves}, server processes {args.servers}, the page's files fetched: "
        f"{'no' if args.no_assets else 'yes'}, load average {_load()}",
        flush=True,
    )
    print(
        f"goal (issue 24): {args.users} users see the first figures in under 5 s each (median), actions "
        "under 1 s",
        flush=True,
    )
    head = (
        "| users at once | first headline figures, median / worst | first page done | switch to the Region "
        "page "
        "(done) | slider move: figures | slider move: done | server CPU during the phase | server memory "
        "(PSS) "
        "| load average before -> after |"
    )
    print(head, "|" + "---|" * head.count(" | ") + "---|", sep="\n", flush=True)
    phases = [] if args.skip_alone else [1]
    rows = []
    for users in [*phases, args.users]:
        r = asyncio.run(
            _ws_phase(
                users,
                args.moves,
                args.server_arg,
                args.servers,
                not args.no_assets,
                args.profile if users == args.users else None,
            )
        )
        _ws_row(r)
        rows.append(r)
    for r in rows:
        print(
            f"{r['users']} user(s): warm-up visit on the freshly started server (imports, data, baseline "
            f"mapped) {r['warm']:.1f} s; phase wall {r['wall']:.1f} s; median message volume per rerun "
            f"{r['kib']:.0f} KiB; of the first figures: the page's files median "
            f"{np.median(r['assets']):.2f} s "
            f"(worst {r['assets'].max():.2f}), the first rerun until its card median "
            f"{np.median(r['rerun']):.2f} s "
            f"(worst {r['rerun'].max():.2f})".replace(".", ","),
            flush=True,
        )
    if len(rows) == 2:
        a, m = rows
        print(
            f"ratio {m['users']} users / 1 user (same run, same machine): first figures "
            f"{np.median(m['first']) / np.median(a['first']):.1f}x, slider move done "
            f"{np.median(m['move_done']) / np.median(a['move_done']):.1f}x, server CPU per user "
            f"{m['server_cpu'] / m['users'] / (a['server_cpu'] / a['users']):.2f}x".replace(".", ","),
            flush=True,
        )


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
        f"{r['users']:>2} user(s): first headline figures median {np.median(f):5.1f} s, worst "
        f"{f.max():5.1f} s"
        f" | slider move median {np.median(d) * 1e3:6.0f} ms, worst {d.max() * 1e3:6.0f} ms ({len(d)} "
        "moves, until"
        f" the rerun has finished; new figures drawn after a median {np.median(s) * 1e3:.0f} ms)",
        flush=True,
    )
    print(
        "   the server's part (from the page's rerun request until its message with the cards arrived): "
        "first figures median "
        f"{np.nanmedian(e):.1f} s, worst {np.nanmax(e):.1f} s; slider move median "
        f"{np.nanmedian(a) * 1e3:.0f} ms, "
        f"worst {np.nanmax(a) * 1e3:.0f} ms",
        flush=True,
    )
    print(
        f"   warm-up visit (server maps the cached baseline) {r['warm']:.1f} s; phase wall {r['wall']:.0f} "
        "s, "
        f"CPU seconds: server {r['server_cpu']:.0f}, this script + Chromium {r['browser_cpu']:.0f}; server "
        "memory "
        f"(PSS, {r['servers']} process(es)) {r['rss'] / 2**20:.0f} MiB; "
        f"load average before {r['load_before']}, after {r['load_after']}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--moves", type=int, default=4, help="slider moves per user")
    parser.add_argument(
        "--profile", help="py-spy the (first) server in the many-users phase into this file (raw stacks)"
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
    parser.add_argument(
        "--browsers",
        action="store_true",
        help="headless Chromium sessions instead of protocol clients (they share the server's cores)",
    )
    parser.add_argument(
        "--no-assets", action="store_true", help="protocol clients skip fetching the page's files"
    )
    args = parser.parse_args()
    if not args.browsers:
        _ws_main(args)
        return
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium): no load benchmark")
    import tempfile

    launcher_dir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    chromium = _niced(chromium, args.browser_nice, launcher_dir)
    print(
        f"paths: {os.environ.get('SIMULATOR_PATHS', '1000')}, cores: {os.cpu_count()}, users: {args.users}, "
        f"moves per user: {args.moves}, users as {'tabs of one context' if args.tabs else 'fresh contexts'}, "
        f"server processes: {args.servers}, server options: {' '.join(args.server_arg) or '-'}, niceness: "
        f"server {os.nice(0)}, browsers "
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
        f"ratio {args.users} users / 1 user: first figures "
        f"{np.median(many['first']) / np.median(alone['first']):.1f}x "
        f"(worst {many['first'].max() / alone['first'].max():.1f}x), slider move "
        f"{np.median(many['done']) / np.median(alone['done']):.1f}x (worst "
        f"{many['done'].max() / alone['done'].max():.1f}x)",
        flush=True,
    )


if __name__ == "__main__":
    main()

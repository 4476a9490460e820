"""Warm the app so its first user does not wait for what every server start or install does once.

    python app_warm.py serve --server.port 8501   # streamlit run app.py, warmed as soon as it answers
    python app_warm.py visit --port 8501  # after the server started: one session on the first pages
    python app_warm.py prepare            # the data and the baseline on disk (CI, tests; serve runs it)

``prepare`` loads the bundled data (kept on disk, simulator/data_cache.py) and the baseline the app
uses (the same settings: app_pages/baseline_job.py's HORIZON and PATHS), computing it when the disk
cache does not have it (the first start after an install) with its progress on the terminal and in
``.cache/prepare-progress.json``, under ``.cache/prepare.lock`` (never two at once); when both are
on disk it takes well under a second. ``serve`` starts it as a child process on a first start, so
the baseline is computed while the server starts and the first page shows its progress. ``visit``
waits until the server answers its health check, then opens the Overview and the Region page as a
browser does (Streamlit's own websocket protocol, bench/stream_client.py), so the server has
imported the code, mapped the data and the baseline and run the national and Kalimantan Barat
scenarios before a user arrives. Both print one line per step in Bahasa Indonesia and English;
nothing is changed in the app.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def answers(port: int, seconds: float, poll: float = 0.2, proc=None) -> bool:
    """Whether the server on 127.0.0.1:``port`` answers its health check with "ok" within
    ``seconds``, asked every ``poll`` seconds (each ask waits up to 2 s); False as soon as ``proc``
    (the server's process, when given) has ended. The one home of this wait for the warm-up, the
    tests and the benchmarks."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return True
        except OSError:
            pass
        if (proc is not None and proc.poll() is not None) or time.monotonic() >= deadline:
            return False
        time.sleep(poll)


def free_port() -> int:
    """A TCP port nothing listens on now, for a server started by a test or a benchmark."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command(port: int, *extra: str) -> list[str]:
    """The command `make run` serves the app with (headless on 127.0.0.1:``port``), plus ``extra``
    Streamlit options: the one home of the app's server command for tests and benchmarks. It is
    ``streamlit run app.py`` with the process warmed as soon as it answers (``serve``)."""
    return [
        sys.executable,
        str(ROOT / "app_warm.py"),
        "serve",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        *extra,
    ]


def prepare() -> int:
    """The data and the bundled baseline on disk, under ``.cache/prepare.lock`` (a second prepare
    waits for the first, then finds the baseline there), with its progress on the terminal and in
    ``.cache/prepare-progress.json`` (the first page's bar). No streamlit import: it runs beside
    the server's own start on a first start."""
    t0 = time.perf_counter()
    from app_pages import baseline_job as job

    def waiting(pid: int) -> None:
        who = f" (pid {pid})" if pid else ""
        print(f"menunggu persiapan lain / waiting for another prepare{who}", flush=True)

    try:
        fd = job.acquire(job.CACHE, on_wait=waiting)
    except OSError as err:  # no .cache/ to write in: compute anyway (the cache write only logs)
        print(f"{job.CACHE}: {err.strerror or err}: tanpa kunci / without the lock", file=sys.stderr)
        fd = None
    try:
        return _prepare(t0, job)
    finally:
        job.release(fd)


#: Where each step of ``project_baseline`` (its own fractions) puts the whole prepare's bar: roughly
#: the share of the time spent before it on this machine (the data take the first 8 %, the
#: forecasts most of the rest).
_STEPS = ((0.0, 0.0), (0.05, 0.08), (0.6, 0.7), (0.85, 0.9), (0.9, 0.95), (1.0, 1.0))


def _overall(fraction: float) -> float:
    for (f0, g0), (f1, g1) in zip(_STEPS, _STEPS[1:], strict=False):
        if fraction <= f1:
            return g0 + (g1 - g0) * (fraction - f0) / (f1 - f0)
    return 1.0


def _prepare(t0: float, job) -> int:
    from simulator.data_cache import load_data_cached
    from simulator.errors import InputError
    from simulator.projection import project_baseline
    from simulator.regions import DATA_DIR

    loading = "memuat data / loading data"
    job.write_progress(job.CACHE, "running", 0.0, loading, next_fraction=_STEPS[1][1])
    try:
        panel = load_data_cached(DATA_DIR)
    except InputError as err:
        print(f"data/: {err}", file=sys.stderr)
        job.write_progress(job.CACHE, "failed", 0.0, loading, error=f"data/: {err}")
        return 2
    print(f"data dimuat / data loaded: {time.perf_counter() - t0:.1f} s", flush=True)
    shown = [-1.0]

    def progress(fraction: float, message: str) -> None:
        if fraction - shown[0] >= 0.05 or fraction >= 1.0:  # a line per 5 %
            shown[0] = fraction
            print(f"  baseline {100 * min(max(fraction, 0.0), 1.0):3.0f} %  {message}", flush=True)
        later = [g for f, g in _STEPS if f > fraction + 1e-9]
        job.write_progress(
            job.CACHE, "running", _overall(fraction), message, next_fraction=later[0] if later else 1.0
        )

    try:
        project_baseline(
            panel.history, panel.workforce, horizon=job.HORIZON, paths=job.PATHS, progress=progress
        )
    except InputError as err:
        print(f"baseline: {err}", file=sys.stderr)
        job.write_progress(job.CACHE, "failed", 0.0, "baseline", error=str(err))
        return 2
    except Exception as err:  # a fault in the code: the page says so, the terminal has the traceback
        job.write_progress(job.CACHE, "failed", 0.0, "baseline", error=f"{type(err).__name__}: {err}")
        raise
    job.write_progress(job.CACHE, "done", 1.0, "selesai / done")
    print(f"baseline siap / ready: {time.perf_counter() - t0:.1f} s", flush=True)
    return 0


async def _visit(url: str, timeout: float) -> None:
    from stream_client import Session

    session, first = await Session.open(url, "", "", timeout=timeout)
    switch = await session.switch("wilayah", "wilayah=61", timeout=timeout)
    await session.close()
    errors = first.errors + switch.errors
    if errors:
        raise RuntimeError(errors[0])


def visit(port: int, wait: float) -> int:
    url = f"http://127.0.0.1:{port}"
    if not answers(port, wait):
        print(f"{url}: server tidak menjawab / not answering after {wait:.0f} s", file=sys.stderr)
        return 1
    from app_pages import baseline_job

    # a first start: the pages wait for the prepare anyway; this process's imports and session would
    # only take the cores from it meanwhile
    baseline_job.wait()
    from websockets.exceptions import WebSocketException

    t1 = time.perf_counter()
    try:
        asyncio.run(_visit(url, timeout=600.0))
    except (OSError, RuntimeError, TimeoutError, WebSocketException) as err:
        print(f"{url}: kunjungan pemanasan gagal / warm-up visit failed: {err}", file=sys.stderr)
        return 1
    print(f"app siap / ready: {url} (pemanasan / warm-up {time.perf_counter() - t1:.1f} s)", flush=True)
    return 0


def serve(options: list[str]) -> int:
    """``streamlit run app.py`` with Streamlit ``options`` in this process, and a thread that warms
    the process once the server answers its health check (app_pages.state.warm_process: imports
    and data; it waits so that it does not slow the server's own start). The first user's page is
    then not the one paying for them. Anything failing in the warm-up is left to the first page.

    On a first start (no baseline of these settings on disk, ``baseline_job.probably_cached``) it
    first starts ``app_warm.py prepare`` as a child process, so the baseline is computed while the
    server starts; the first page shows its progress and loads it from disk when it is there."""
    import threading

    from app_pages import baseline_job

    if not baseline_job.probably_cached():
        baseline_job.start()
    port = "8501"
    for i, option in enumerate(options):
        if option == "--server.port" and i + 1 < len(options):
            port = options[i + 1]
        elif option.startswith("--server.port="):
            port = option.split("=", 1)[1]

    def warm() -> None:
        answers(int(port) if port.isdigit() else 0, 60.0, poll=0.1)  # up to a minute to answer
        try:
            from app_pages.state import warm_process

            warm_process()
        except Exception:  # the first page does the same work and reports its errors
            pass

    threading.Thread(target=warm, name="warm-process", daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *options]
    return cli.main(prog_name="streamlit")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    sub.add_parser("prepare", help="the data and the baseline on disk (serve starts it on a first start)")
    one = sub.add_parser("visit", help="one session on the first pages (after the server started)")
    one.add_argument("--port", type=int, default=8501)
    one.add_argument("--wait", type=float, default=120.0, help="seconds to wait for the server")
    sub.add_parser(
        "serve",
        help="streamlit run app.py with these Streamlit options, warmed once it answers",
        add_help=False,
    )
    args, rest = parser.parse_known_args(argv)
    if args.step == "serve":
        return serve(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    return prepare() if args.step == "prepare" else visit(args.port, args.wait)


if __name__ == "__main__":
    raise SystemExit(main())

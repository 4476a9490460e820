"""Warm the app so its first user does not wait for what every server start or install does once.

    python app_warm.py prepare            # before the server: the data and the baseline on disk
    python app_warm.py serve --server.port 8501   # streamlit run app.py, warmed as soon as it answers
    python app_warm.py visit --port 8501  # after the server started: one session on the first pages

``prepare`` loads the bundled data (kept on disk, simulator/data_cache.py) and the baseline the app
uses (the same settings: app_pages/state.py's HORIZON and PATHS), computing it when the disk cache
does not have it (the first start after an install) with its progress on the terminal; when both
are on disk it takes well under a second. ``visit`` waits until the server answers its health
check, then opens the Overview and the Region page as a browser does (Streamlit's own websocket
protocol, bench/stream_client.py), so the server has imported the code, mapped the data and the
baseline and run the national and Kalimantan Barat scenarios before a user arrives. Both print
one line per step in Bahasa Indonesia and English; nothing is changed in the app.
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
    t0 = time.perf_counter()
    import logging

    from streamlit.logger import get_logger

    # no "No runtime found" warning: the caches are not used here, only the module's settings
    get_logger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
    from app_pages.state import HORIZON, PATHS  # the app's own settings: the same disk cache key
    from simulator.data_cache import load_data_cached
    from simulator.errors import InputError
    from simulator.projection import project_baseline
    from simulator.regions import DATA_DIR

    try:
        panel = load_data_cached(DATA_DIR)
    except InputError as err:
        print(f"data/: {err}", file=sys.stderr)
        return 2
    print(f"data dimuat / data loaded: {time.perf_counter() - t0:.1f} s", flush=True)
    shown = [-1.0]

    def progress(fraction: float, message: str) -> None:
        if fraction - shown[0] >= 0.05 or fraction >= 1.0:  # a line per 5 %
            shown[0] = fraction
            print(f"  baseline {100 * min(max(fraction, 0.0), 1.0):3.0f} %  {message}", flush=True)

    project_baseline(panel.history, panel.workforce, horizon=HORIZON, paths=PATHS, progress=progress)
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
    t0 = time.perf_counter()
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if time.perf_counter() - t0 > wait:
            print(f"{url}: server tidak menjawab / not answering after {wait:.0f} s", file=sys.stderr)
            return 1
        time.sleep(0.2)
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
    then not the one paying for them. Anything failing in the warm-up is left to the first page."""
    import threading

    port = "8501"
    for i, option in enumerate(options):
        if option == "--server.port" and i + 1 < len(options):
            port = options[i + 1]
        elif option.startswith("--server.port="):
            port = option.split("=", 1)[1]

    def warm() -> None:
        for _ in range(600):  # up to a minute for the server to answer
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
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
    sub.add_parser("prepare", help="the data and the baseline on disk (before the server)")
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

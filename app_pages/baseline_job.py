"""The bundled baseline is computed once after an install by a child process (``app_warm.py
prepare``), never in the app's server: its settings, its lock, its progress file, and how the
server starts it.

``app_warm.py serve`` starts ``python app_warm.py prepare`` at once, as a child process (a new
program started with subprocess, never a fork of the threaded server), while its own server starts;
a page that finds no baseline on disk starts one too (``streamlit run app.py`` alone, or a cache
removed while the server runs). The prepare takes ``.cache/prepare.lock``, an advisory lock
(``fcntl.flock``) that the system releases when the holder ends, killed or not: a lock left by a
killed prepare is free at once. Two sessions, two servers, or a ``make run`` beside a running
server therefore never compute the baseline twice: a second prepare waits for the first and then
finds it on disk. While it works it writes ``.cache/prepare-progress.json`` (whole every time: a
temporary file renamed over it), which the first page shows as its progress bar; a missing or
unreadable progress file only means no figure to show.

Light on purpose (no pandas, no streamlit): ``prepare`` and ``serve`` import it first.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on POSIX: no lock (a second prepare may then compute it again)
    fcntl = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parent.parent
#: ``simulator.projection.CACHE_DIR`` (tested equal), without importing pandas to know it.
CACHE = ROOT / ".cache"
HORIZON = 66  # months after the last observed month: reaches December 2030 from mid-2025
#: Sample paths of the baseline; SIMULATOR_PATHS lowers it (tests use 200) without code changes.
PATHS = int(os.environ.get("SIMULATOR_PATHS", "1000"))
LOCK_NAME = "prepare.lock"
PROGRESS_NAME = "prepare-progress.json"
STATES = ("running", "done", "failed")


# ---- the lock ---------------------------------------------------------------------------------
def acquire(cache: Path | None = None, on_wait=None) -> int:
    """Hold ``cache/prepare.lock`` (created when absent) and return its file descriptor; when another
    process holds it, call ``on_wait(pid)`` once (pid: the holder's, 0 when unknown) and wait until
    it is free. Released by ``release`` or when this process ends in any way."""
    cache = CACHE if cache is None else cache
    cache.mkdir(parents=True, exist_ok=True)
    fd = os.open(cache / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    if fcntl is not None:
        try:
            for attempt in range(5):  # a reader's brief test (``running``) is not a prepare
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if attempt < 4:
                        time.sleep(0.02)
            else:
                if on_wait is not None:
                    on_wait(_holder(fd))
                fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
    os.ftruncate(fd, 0)  # the holder's process id, for people reading the file
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def _holder(fd: int) -> int:
    try:
        return int(os.pread(fd, 32, 0).decode("ascii").strip() or 0)
    except (OSError, ValueError):
        return 0


def release(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)


def locked(cache: Path | None = None) -> bool:
    """Whether a process holds the lock now (a prepare is running), tested without waiting."""
    cache = CACHE if cache is None else cache
    if fcntl is None:
        return False
    try:
        fd = os.open(cache / LOCK_NAME, os.O_RDONLY)
    except OSError:  # no lock file: no prepare ever ran here
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # releases the shared lock taken for the test
    return False


# ---- the progress file ------------------------------------------------------------------------
@dataclass(frozen=True)
class Progress:
    """What the prepare last wrote: ``state`` (running, done, failed), ``fraction`` (0-1) of the
    work done when its step ``message`` (Bahasa / English) began at ``since`` (seconds since the
    epoch), where the next step begins (``next``), the writer's ``pid`` and, when it failed,
    ``error``."""

    state: str
    fraction: float
    message: str
    pid: int
    error: str = ""
    next: float = 0.0
    since: float = 0.0

    def shown(self, now: float | None = None) -> float:
        """The bar's place: the step's start moved on with the time spent in it (half the way to
        the next step per 2 s, never more than 90 % of it): the forecasts are one step of several
        seconds, and a bar that does not move looks stuck."""
        if self.state != "running" or self.next <= self.fraction or self.since <= 0:
            return self.fraction
        spent = max((time.time() if now is None else now) - self.since, 0.0)
        return self.fraction + 0.9 * (self.next - self.fraction) * (1.0 - 0.5 ** (spent / 2.0))


def write_progress(
    cache: Path, state: str, fraction: float, message: str, error: str = "", next_fraction: float = 0.0
) -> None:
    """Write the progress file whole (a temporary file renamed over it: a reader sees the old or
    the new one); a file that cannot be written is skipped (progress is only shown)."""
    body = {
        "state": state,
        "fraction": round(min(max(float(fraction), 0.0), 1.0), 4),
        "next": round(min(max(float(next_fraction), 0.0), 1.0), 4),
        "since": time.time(),
        "message": message,
        "pid": os.getpid(),
        "error": error,
    }
    tmp = cache / f".{PROGRESS_NAME}.{os.getpid()}.tmp"
    try:
        tmp.write_text(json.dumps(body), encoding="utf-8")
        os.replace(tmp, cache / PROGRESS_NAME)
    except OSError:
        tmp.unlink(missing_ok=True)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def read_progress(cache: Path | None = None) -> Progress | None:
    """The progress file's content, or None when it is absent or unreadable (not JSON, another
    layout, a value of the wrong kind): then there is no figure to show, and nothing else changes."""
    cache = CACHE if cache is None else cache
    try:
        body = json.loads((cache / PROGRESS_NAME).read_text(encoding="utf-8"))
        state, message, error = body["state"], body["message"], body.get("error", "")
        fraction, pid = body["fraction"], body["pid"]
        following, since = body.get("next", fraction), body.get("since", 0.0)
        if (
            state not in STATES
            or not isinstance(message, str)
            or not isinstance(error, str)
            or not all(_number(v) for v in (fraction, following, since))
            or isinstance(pid, bool)
            or not isinstance(pid, int)
        ):
            return None
        return Progress(
            state,
            min(max(float(fraction), 0.0), 1.0),
            message[:300],
            pid,
            error[:2000],
            min(max(float(following), 0.0), 1.0),
            float(since),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


# ---- the child process ------------------------------------------------------------------------
_CHILDREN: dict[int, subprocess.Popen] = {}  # prepares this process started, by pid
_START_LOCK = threading.Lock()


def _child_running() -> bool:
    return any(child.poll() is None for child in _CHILDREN.values())


def running(cache: Path | None = None) -> bool:
    """Whether a prepare is at work: one this process started that has not ended (it may still be
    starting, before it holds the lock) or any process holding the lock."""
    cache = CACHE if cache is None else cache
    return _child_running() or locked(cache)


def start(cache: Path | None = None) -> bool:
    """Start ``python app_warm.py prepare`` as a child process unless a prepare is running; True when
    one was started. Its output goes where this process's goes (the server's terminal)."""
    cache = CACHE if cache is None else cache
    with _START_LOCK:
        if running(cache):
            return False
        child = subprocess.Popen(
            [sys.executable, str(ROOT / "app_warm.py"), "prepare"],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            close_fds=True,
        )
        _CHILDREN[child.pid] = child
        return True


@dataclass(frozen=True)
class Status:
    """``running``: a prepare is at work; ``progress``: its progress file (None when unreadable);
    ``failed``: the error of a prepare this process started that has ended without the baseline."""

    running: bool
    progress: Progress | None
    failed: str = ""


def status(cache: Path | None = None) -> Status:
    cache = CACHE if cache is None else cache
    busy = running(cache)
    progress = read_progress(cache)
    failed = ""
    if not busy and progress is not None and progress.state == "failed" and progress.pid in _CHILDREN:
        failed = progress.error or progress.message
    return Status(busy, progress, failed)


def wait(cache: Path | None = None, poll: float = 0.2) -> None:
    """Return once no prepare is running."""
    cache = CACHE if cache is None else cache
    while running(cache):
        time.sleep(poll)


def probably_cached(cache: Path | None = None, data: Path = ROOT / "data") -> bool:
    """A quick guess, before anything is imported, whether the baseline of these settings is on disk:
    an entry with this horizon and these paths written after every file under ``data`` last
    changed. Only decides whether ``serve`` starts a prepare at once; the first page checks the
    real entry (data hash, method version, checksums) and starts one when it is missing."""
    cache = CACHE if cache is None else cache
    try:
        newest_data = max((p.stat().st_mtime for p in data.rglob("*") if p.is_file()), default=0.0)
        for meta in cache.glob("baseline-*/meta.json"):
            body = json.loads(meta.read_text(encoding="utf-8"))
            settings = body["meta"]["meta"]
            if (
                settings.get("horizon") == HORIZON
                and settings.get("paths") == PATHS
                and meta.stat().st_mtime > newest_data
            ):
                return True
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
    return False

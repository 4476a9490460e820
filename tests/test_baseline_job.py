"""The first start's prepare lock and progress file (app_pages/baseline_job.py): a lock left by a
killed prepare is free, a held one is waited for, and a progress file that cannot be read only
means no figure to show."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from app_pages import baseline_job as job

ROOT = Path(__file__).resolve().parent.parent


def _holder(cache: Path) -> subprocess.Popen:
    """A process holding ``cache``'s prepare lock until it is stopped (it prints once it holds it)."""
    code = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from app_pages import baseline_job as job
        job.acquire(Path({str(cache)!r}))
        print("held", flush=True)
        time.sleep(600)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_the_cache_folder_is_the_projections():
    from app_pages import state
    from simulator.projection import CACHE_DIR

    assert job.CACHE == CACHE_DIR
    assert (state.HORIZON, state.PATHS) == (job.HORIZON, job.PATHS)


def test_a_lock_is_held_while_its_process_lives_and_free_once_it_is_killed(tmp_path):
    assert not job.locked(tmp_path)  # no lock file: no prepare ever ran here
    holder = _holder(tmp_path)
    try:
        assert job.locked(tmp_path)
        assert job.running(tmp_path)
        assert (tmp_path / job.LOCK_NAME).read_text().strip() == str(holder.pid)
    finally:
        holder.send_signal(signal.SIGKILL)  # a prepare killed mid-way: its lock file stays behind
        holder.wait()
    assert (tmp_path / job.LOCK_NAME).exists()
    assert not job.locked(tmp_path)
    waited: list[int] = []
    fd = job.acquire(tmp_path, on_wait=waited.append)
    try:
        assert waited == []  # taken at once
        assert job.locked(tmp_path)  # another descriptor, as another process sees it
        assert (tmp_path / job.LOCK_NAME).read_text().strip() == str(os.getpid())
    finally:
        job.release(fd)
    assert not job.locked(tmp_path)


def test_a_second_prepare_waits_for_the_lock_and_is_told_who_holds_it(tmp_path):
    holder = _holder(tmp_path)
    waited: list[int] = []
    got = threading.Event()

    def take() -> None:
        job.release(job.acquire(tmp_path, on_wait=waited.append))
        got.set()

    taker = threading.Thread(target=take)
    try:
        taker.start()
        assert not got.wait(1.0)  # still waiting while the holder lives
        assert waited == [holder.pid]
    finally:
        holder.terminate()
        holder.wait()
        taker.join(timeout=60)
    assert got.is_set()


@pytest.mark.parametrize(
    "content",
    [
        "",  # empty
        "0",
        "not a number\n",
        "99999999\n",  # a pid nobody has
    ],
    ids=["empty", "zero", "text", "dead-pid"],
)
def test_a_lock_file_without_a_holder_is_free_whatever_it_says(tmp_path, content):
    (tmp_path / job.LOCK_NAME).write_text(content)
    assert not job.locked(tmp_path)
    fd = job.acquire(tmp_path, on_wait=lambda pid: pytest.fail("waited for a lock nobody holds"))
    job.release(fd)


GOOD = {"state": "running", "fraction": 0.4, "next": 0.7, "since": 1000.0, "message": "m", "pid": 7}


@pytest.mark.parametrize(
    "content",
    [
        None,  # no file
        b"",
        b"{",
        b"[1, 2]",
        b'"running"',
        b"\xff\xfe\x00garbage",
        json.dumps({**GOOD, "state": "sleeping"}).encode(),
        json.dumps({**GOOD, "fraction": "0,4"}).encode(),
        json.dumps({**GOOD, "fraction": True}).encode(),
        json.dumps({**GOOD, "fraction": float("nan")}).encode(),
        json.dumps({**GOOD, "since": float("inf")}).encode(),
        json.dumps({**GOOD, "pid": "7"}).encode(),
        json.dumps({**GOOD, "message": 3}).encode(),
        json.dumps({k: v for k, v in GOOD.items() if k != "state"}).encode(),
        "directory",
    ],
    ids=[
        "missing",
        "empty",
        "truncated",
        "list",
        "string",
        "binary",
        "unknown-state",
        "fraction-text",
        "fraction-bool",
        "fraction-nan",
        "since-infinite",
        "pid-text",
        "message-number",
        "no-state",
        "a-directory",
    ],
)
def test_an_unreadable_progress_file_gives_no_progress(tmp_path, content):
    path = tmp_path / job.PROGRESS_NAME
    if content == "directory":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    assert job.read_progress(tmp_path) is None
    status = job.status(tmp_path)
    assert status == job.Status(running=False, progress=None, failed="")


def test_progress_is_written_whole_and_read_back(tmp_path):
    job.write_progress(tmp_path, "running", 1.7, "menarik jalur / drawing paths", next_fraction=0.9)
    progress = job.read_progress(tmp_path)
    assert progress is not None
    assert (progress.state, progress.fraction, progress.next) == ("running", 1.0, 0.9)  # clamped
    assert progress.message == "menarik jalur / drawing paths" and progress.pid == os.getpid()
    assert sorted(p.name for p in tmp_path.iterdir()) == [job.PROGRESS_NAME]  # no temporary file left
    job.write_progress(tmp_path / "missing", "running", 0.5, "x")  # nowhere to write: skipped


def test_the_bar_moves_on_with_the_time_but_never_to_the_next_step():
    step = job.Progress("running", 0.1, "m", 1, next=0.7, since=1000.0)
    assert step.shown(1000.0) == 0.1
    assert step.shown(1002.0) == pytest.approx(0.1 + 0.9 * 0.6 * 0.5)
    assert step.shown(1e9) == pytest.approx(0.1 + 0.9 * 0.6)
    assert step.shown(900.0) == 0.1  # a clock behind the writer's
    assert job.Progress("done", 1.0, "m", 1, next=0.0, since=1000.0).shown(1e9) == 1.0


def test_a_stale_running_progress_file_is_not_a_running_prepare(tmp_path):
    """Left by a prepare killed mid-way: no process holds the lock, so nothing is running and a new
    prepare may start; a failure is reported only for a prepare this process started."""
    (tmp_path / job.PROGRESS_NAME).write_text(json.dumps({**GOOD, "pid": 99999999}))
    status = job.status(tmp_path)
    assert not status.running and status.progress is not None and status.progress.fraction == 0.4
    (tmp_path / job.PROGRESS_NAME).write_text(
        json.dumps({**GOOD, "state": "failed", "error": "data/: bad", "pid": 99999999})
    )
    assert job.status(tmp_path).failed == ""


def test_probably_cached_is_only_a_guess_from_the_entries_settings(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "history.csv").write_text("x\n")
    os.utime(data / "history.csv", (1e9, 1e9))  # the data older than any entry written below
    assert not job.probably_cached(tmp_path / "cache", data)
    entry = tmp_path / "cache" / "baseline-abc"
    entry.mkdir(parents=True)
    meta = {"meta": {"meta": {"horizon": job.HORIZON, "paths": job.PATHS}}}
    (entry / "meta.json").write_text(json.dumps(meta))
    assert job.probably_cached(tmp_path / "cache", data)
    other = {"meta": {"meta": {"horizon": job.HORIZON, "paths": job.PATHS + 1}}}
    (entry / "meta.json").write_text(json.dumps(other))
    assert not job.probably_cached(tmp_path / "cache", data)
    (entry / "meta.json").write_text("{")  # unreadable: not there
    assert not job.probably_cached(tmp_path / "cache", data)


@pytest.fixture
def fresh_app_caches():
    """The app's process-wide caches emptied before and after a test that runs the app: a baseline
    or run another test left there would be found without a prepare."""
    from app_pages import state

    def clear() -> None:
        for cached in (state._baseline, state._run):
            cached.clear()
        state._ON_DISK.clear()

    clear()
    yield
    clear()


@pytest.mark.slow
def test_the_first_page_waits_for_a_prepare_child_and_shows_the_baseline_it_wrote(
    monkeypatch, fresh_app_caches
):
    """A baseline not on disk (30 paths here): the first page starts ``app_warm.py prepare`` as a
    child process, waits for it and shows the headline cards from the baseline it wrote; the page's
    process computes none itself."""
    import shutil

    from streamlit.testing.v1 import AppTest

    from app_pages import state
    from simulator import projection

    paths = 30
    for meta in job.CACHE.glob("baseline-*/meta.json"):  # this test's own entry of an earlier run
        if json.loads(meta.read_text(encoding="utf-8"))["meta"]["meta"].get("paths") == paths:
            shutil.rmtree(meta.parent)
    monkeypatch.setenv("SIMULATOR_PATHS", str(paths))  # the child's setting
    monkeypatch.setattr(state, "PATHS", paths)
    computed: list[int] = []
    real = projection.project_baseline

    def counted(*args, **kwargs):
        baseline, table = real(*args, **kwargs)
        if baseline.meta.get("paths") == paths and kwargs.get("progress") is not state._only_cached:
            computed.append(1)
        return baseline, table

    monkeypatch.setattr(projection, "project_baseline", counted)
    children = dict(job._CHILDREN)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900).run()
    assert not at.exception
    assert [m.value for m in at.markdown if "data-k" in m.value]  # the headline cards
    started = [child for pid, child in job._CHILDREN.items() if pid not in children]
    assert len(started) == 1 and started[0].wait(timeout=60) == 0
    assert computed == []  # loaded from the disk cache the child wrote, not computed here
    progress = job.read_progress()
    assert progress is not None and progress.state == "done"
    assert state._baseline(state.data_key(), None, None, "id")[0].active.shape[1] == paths


def test_a_failed_prepare_is_reported_on_the_page_not_computed_there(monkeypatch, tmp_path, fresh_app_caches):
    """The prepare the first page started failed (here: a stand-in that ends at once and writes a
    failed progress, as a data error would): the page says so in a red message naming the error,
    and the server computes nothing itself."""
    from streamlit.testing.v1 import AppTest

    from app_pages import state
    from simulator import projection

    monkeypatch.setattr(job, "CACHE", tmp_path)  # the lock and the progress file of this test
    monkeypatch.setattr(state, "PATHS", 31)  # a baseline nothing has on disk
    started: list[int] = []

    def failing_prepare(cache=None) -> bool:
        child = subprocess.Popen([sys.executable, "-c", "pass"])
        child.wait()
        job._CHILDREN[child.pid] = child
        body = {**GOOD, "state": "failed", "pid": child.pid, "error": "history: kolom 'active' hilang"}
        (tmp_path / job.PROGRESS_NAME).write_text(json.dumps(body))
        started.append(child.pid)
        return True

    def never(*args, **kwargs):
        raise AssertionError("the server computed the bundled baseline")

    monkeypatch.setattr(job, "start", failing_prepare)
    real = projection.project_baseline
    monkeypatch.setattr(
        projection,
        "project_baseline",
        lambda *a, **k: real(*a, **k) if k.get("progress") is state._only_cached else never(),
    )
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900).run()
    assert not at.exception
    assert len(started) == 1
    assert [e.value.replace("\\", "") for e in at.error] == [  # shown as plain text (escaped)
        "Proyeksi dasar tidak dapat disiapkan: history: kolom 'active' hilang"
    ]
    assert not [m.value for m in at.markdown if "data-k" in m.value]

"""`make run` serves the app: start `streamlit run app.py` on 127.0.0.1 and ask /_stcore/health; on a
first start the server answers at once while a child process prepares the baseline."""

import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from app_warm import answers, free_port, serve_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_streamlit_serves_health():
    port = free_port()
    cmd = serve_command(port)
    env = {**os.environ, "SIMULATOR_PATHS": os.environ.get("SIMULATOR_PATHS", "200")}  # the tests' baseline
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    try:
        assert answers(port, 300.0, poll=0.5)  # "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            assert r.status == 200
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=120)  # a loaded machine can take a while to shut Streamlit down
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_the_warm_up_prepares_the_caches_and_visits_the_first_pages(capsys):
    """`app_warm.py prepare` then `visit` (what `make run` does around the server): the baseline
    ready on disk, then one session on the Overview and the Region page without an error."""
    import os

    sys.path.insert(0, str(ROOT))
    import app_warm

    os.environ.setdefault("SIMULATOR_PATHS", "200")  # the tests' baseline, cached on disk
    from app_pages import baseline_job

    assert app_warm.prepare() == 0
    assert "baseline siap / ready" in capsys.readouterr().out
    progress = baseline_job.read_progress()
    assert progress is not None and (progress.state, progress.fraction) == ("done", 1.0)
    assert not baseline_job.locked()  # released
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1"]
    cmd += ["--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert app_warm.visit(port, wait=300) == 0
        assert "app siap / ready" in capsys.readouterr().out
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_a_first_start_prepares_the_baseline_in_a_child_while_the_first_page_waits(tmp_path):
    """`make run`'s server in a fresh checkout (no .cache/): it answers while a prepare it started
    as a child process computes the baseline; the first page (a protocol client) gets its headline
    cards from the baseline on disk, without an error; a second `prepare` run meanwhile (another
    `make run`) computes nothing again; the progress file says done and the lock is free."""
    import asyncio

    sys.path.insert(0, str(ROOT))
    from bench_browser import fresh_checkout
    from stream_client import Session

    from app_pages import baseline_job
    from app_warm import serve_command

    app = fresh_checkout(tmp_path)
    cache = app / ".cache"
    env = {**os.environ, "SIMULATOR_PATHS": "200"}
    port = free_port()
    cmd = [sys.executable, str(app / "app_warm.py"), *serve_command(port)[2:]]
    proc = subprocess.Popen(
        cmd, cwd=app, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        assert answers(port, 300.0, proc=proc), "the server stopped or did not answer within 300 s"
        second = subprocess.run(
            [sys.executable, "app_warm.py", "prepare"], cwd=app, env=env, capture_output=True, text=True
        )
        assert second.returncode == 0, second.stderr
        assert "baseline siap / ready" in second.stdout
        assert "memodelkan" not in second.stdout  # loaded from the disk cache, not computed again

        async def first_page():
            session, first = await Session.open(f"http://127.0.0.1:{port}", "", "", timeout=600)
            await session.close()
            return first

        first = asyncio.run(first_page())
        assert first.errors == [] and first.cards
        progress = baseline_job.read_progress(cache)
        assert progress is not None and progress.state == "done"
        assert not baseline_job.locked(cache)
        assert len(list(cache.glob("baseline-*"))) == 1
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
    assert b"baseline siap / ready" in out  # the server's child printed its progress on its terminal


def test_answers_is_false_for_a_port_nothing_serves_and_at_once_for_an_ended_server():
    port = free_port()
    assert not answers(port, 0.3, poll=0.1)
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    assert not answers(port, 600.0, proc=ended)  # returns at once: the server's process has ended

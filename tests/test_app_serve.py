"""`make run` serves the app: start `streamlit run app.py` on 127.0.0.1 and ask /_stcore/health."""

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app_warm import free_port, serve_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_streamlit_serves_health():
    port = free_port()
    cmd = serve_command(port)
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        body = b""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    body = r.read()
                    break
            except OSError:
                time.sleep(0.5)
        assert body == b"ok"
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
    assert app_warm.prepare() == 0
    assert "baseline siap / ready" in capsys.readouterr().out
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

"""Faults while writing: a process killed at every step of saving a result or writing a CSV, a
full disk, two runs into one folder, and formula-like text in exports. Nothing left behind may
read as valid but be wrong, and the previous result is never destroyed."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator import results_io, safe_files
from simulator.errors import InputError
from simulator.results_io import (
    atomic_write,
    claim_folder,
    clean_stale,
    csv_text,
    load_saved,
    release_folder,
    save_result,
    write_csv,
)

ROOT = Path(__file__).resolve().parent.parent

HEADS = {"old": 1000, "new": 9000}


def _text(name: str) -> str:
    return (
        f"name: {name}\nhorizon: 2026-12\nlevers:\n  - kind: contribution_subsidy\n    label: '=1+1'\n"
        f"    region: '61'\n    headcount: {HEADS[name]}\n    start: 2025-08\n    months: 6\n"
        "    payer: apbd_provinsi\ntargets:\n  - {region: '61', year: 2025, coverage: 0.3}\n"
    )


@pytest.fixture(scope="module")
def results():
    from simulator.baseline import fake_baseline
    from simulator.engine import run_scenario
    from simulator.regions import load_regions
    from simulator.scenario import parse_scenario

    tree = load_regions()
    base = fake_baseline(tree, ("2025-07", "2026-12"), 4, 30_000.0, 100_000.0, noise=0.01, seed=3)
    return {
        name: run_scenario(base, parse_scenario(_text(name), source="s.yaml", tree=tree), tree=tree)
        for name in HEADS
    }


#: File-system steps of a save; the forked child dies (os._exit: no cleanup, like SIGKILL) right
#: before the K-th call of any of them.
STEPS = (
    (os, "replace"),
    (os, "rename"),
    (os, "fsync"),
    (os, "mkdir"),
    (safe_files, "_exchange"),
    (safe_files, "write_csv"),
    (safe_files, "atomic_write"),
    (results_io, "write_csv"),  # the names results_io calls through its own namespace
    (results_io, "atomic_write"),
)


def _killer(kill_at: int):
    """A wrapper maker: every function it wraps counts into one shared step counter, and the
    process exits with 137 at step ``kill_at`` (0: never)."""
    steps = [0]

    def killing(func):
        def wrapped(*args, **kwargs):
            steps[0] += 1
            if steps[0] == kill_at:
                os._exit(137)
            return func(*args, **kwargs)

        return wrapped

    return killing


def _save(folder: Path, results, name: str, kill_at: int = 0) -> int:
    """Save ``name`` into ``folder`` in a forked child killed before step ``kill_at`` (0: never).
    Returns the child's exit status: 137 killed, 0 saved."""
    pid = os.fork()
    if pid == 0:  # the child
        try:
            killing = _killer(kill_at)
            for module, attr in STEPS:
                setattr(module, attr, killing(getattr(module, attr)))
            save_result(results[name], folder, scenario_text=_text(name))
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _which(folder: Path) -> str:
    """ "old" or "new": the folder loads (hashes checked) and every table agrees with its scenario."""
    saved = load_saved(folder)
    name = saved.result.scenario.name
    heads = HEADS[name]
    assert saved.result.scenario.levers[0].headcount == heads
    cost_csv = results_io._read_csv(folder / "cost.csv")
    np.testing.assert_allclose(cost_csv["cost_idr"].sum(), saved.result.cost["cost_idr"].sum())
    np.testing.assert_allclose(cost_csv["cost_idr"].sum(), heads * 16800 * 6, rtol=1e-9)
    assert json.loads((folder / "provenance.json").read_text())["scenario_name"] == name
    return name


@pytest.mark.slow  # a forked save killed at every step, ~20 s
def test_a_kill_at_every_step_of_saving_leaves_the_old_or_the_new_result_whole(tmp_path, results):
    folder = tmp_path / "out"
    assert _save(folder, results, "old") == 0
    seen = []
    for kill_at in range(1, 500):
        code = _save(folder, results, "new", kill_at)
        if code == 0:
            break
        assert code == 137
        seen.append(_which(folder))
        if seen[-1] == "new":  # put the old one back for the next kill point
            assert _save(folder, results, "old") == 0
    else:
        pytest.fail("the save never finished")
    assert len(seen) >= 20 and "old" in seen and "new" in seen, seen
    assert _which(folder) == "new"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name not in ("out", ".out.lock")]
    assert leftovers == [], leftovers  # the last save cleaned what the killed ones left


def test_a_kill_while_writing_a_csv_leaves_the_previous_file(tmp_path):
    path = tmp_path / "baseline.csv"
    old = pd.DataFrame({"region_code": ["61"] * 3, "coverage": [0.1, 0.2, 0.3]})
    write_csv(old, path, False)
    before = path.read_bytes()
    for kill_at in (1, 2):  # before the fsync, before the rename
        pid = os.fork()
        if pid == 0:
            killing = _killer(kill_at)
            for module, attr in ((os, "fsync"), (os, "replace")):
                setattr(module, attr, killing(getattr(module, attr)))
            write_csv(pd.concat([old] * 1000), path, False)
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 137
        assert path.read_bytes() == before  # never a shorter file that still reads as a table


def test_two_runs_into_one_folder_cannot_both_claim_it(tmp_path):
    folder = tmp_path / "out"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from simulator.results_io import claim_folder; "
            f"claim_folder({str(folder)!r}); print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(
            InputError,
            match=r"out: another run is writing this folder \(lock \.out\.lock held by process \d+\)",
        ):
            claim_folder(folder)
        scenario = ROOT / "scenarios" / "kalbar-subsidy-2025.yaml"
        from simulator.cli import main

        assert main(["run", str(scenario), "--output", str(folder), "--horizon", "30", "--paths", "20"]) == 2
        assert not (folder / "provenance.json").exists()
    finally:
        holder.kill()
        holder.wait()
    claim_folder(folder)  # free again once the holder is gone (the OS dropped its lock)
    release_folder(folder)


def test_stale_work_folders_are_cleaned_and_a_half_switched_folder_restored(tmp_path):
    folder = tmp_path / "out"
    (tmp_path / ".out.saving-abc").mkdir()
    (tmp_path / ".out.saving-abc" / "result.npz").write_bytes(b"x" * 1000)
    (tmp_path / ".out.old-xyz").mkdir()  # killed between the two renames of the fallback switch
    (tmp_path / ".out.old-xyz" / "provenance.json").write_text("{}")
    removed = clean_stale(folder)
    assert [p.name for p in removed] == [".out.saving-abc"]
    assert (folder / "provenance.json").read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("failing_step", ["write", "fsync", "replace"])
def test_a_failed_csv_write_keeps_the_previous_file(tmp_path, monkeypatch, failing_step):
    """A full disk (ENOSPC) or a kill while writing leaves the old file, and no partial one."""
    path = tmp_path / "baseline.csv"
    write_csv(pd.DataFrame({"region_code": ["61"], "coverage": [0.5]}), path, False)
    before = path.read_bytes()

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if failing_step == "write":
        real = os.fdopen

        def fdopen(fd, mode="r", *args, **kwargs):
            handle = real(fd, mode, *args, **kwargs)
            handle.write = full
            return handle

        monkeypatch.setattr(os, "fdopen", fdopen)
    else:
        monkeypatch.setattr(os, failing_step, full)
    big = pd.DataFrame({"region_code": ["61"] * 1000, "coverage": np.linspace(0, 1, 1000)})
    with pytest.raises(OSError, match="No space left"):
        write_csv(big, path, False)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["baseline.csv"]


def test_atomic_write_keeps_permissions_readable(tmp_path):
    path = atomic_write(tmp_path / "a.txt", "hello")
    assert path.read_text() == "hello" and (path.stat().st_mode & 0o777) == 0o644


def test_formula_like_text_is_written_as_text_in_csv_and_xlsx():
    frame = pd.DataFrame(
        {
            "lever": ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "Bantuan iuran"],
            "cost_idr": [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    text = csv_text(frame, False)
    back = pd.read_csv(io.StringIO(text))
    assert back["lever"].tolist() == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tx", "Bantuan iuran"]
    assert back["cost_idr"].tolist() == [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0]  # numbers stay numbers
    from openpyxl import Workbook, load_workbook

    from simulator.report.workbook import put

    wb = Workbook()
    for j, value in enumerate(["=1+1", '=HYPERLINK("http://x")', "@a", "plain", 7], start=1):
        put(wb.active, 1, j, value)
    buffer = io.BytesIO()
    wb.save(buffer)
    row = [(c.value, c.data_type) for c in load_workbook(io.BytesIO(buffer.getvalue())).active[1]]
    assert row == [("=1+1", "s"), ('=HYPERLINK("http://x")', "s"), ("@a", "s"), ("plain", "s"), (7, "n")]


def test_saved_cost_table_and_workbook_hold_a_formula_label_as_text(tmp_path):
    from simulator.baseline import fake_baseline
    from simulator.engine import run_scenario
    from simulator.regions import load_regions
    from simulator.report import workbook_bytes
    from simulator.scenario import parse_scenario

    tree = load_regions()
    base = fake_baseline(tree, ("2025-07", "2026-12"), 2, 30_000.0, 100_000.0)
    text = (
        "name: '=cmd|calc'\ndescription: '=2+2'\nhorizon: 2026-12\nlevers:\n  - kind: contribution_subsidy\n"
        "    label: '=1+1'\n    region: '61'\n    headcount: 100\n    start: 2025-08\n    months: 6\n"
        "    payer: apbd_provinsi\n"
    )
    result = run_scenario(base, parse_scenario(text, tree=tree), tree=tree)
    folder = save_result(result, tmp_path / "r", scenario_text=text)
    first = [line for line in (folder / "cost.csv").read_text().splitlines() if not line.startswith("#")][1]
    assert first.startswith("'=1+1,")
    saved = load_saved(folder)
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(workbook_bytes(saved.result, saved.status, provenance=saved.provenance)))
    formulas = [
        c.coordinate for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"
    ]
    assert formulas == []
    texts = [
        c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    ]
    assert "=1+1" in texts and "=2+2" in texts


def test_lock_is_reentrant_in_one_process(tmp_path):
    folder = tmp_path / "o"
    claim_folder(folder)
    claim_folder(folder)
    assert str(results_io._lock_path(folder)) in results_io._HELD
    release_folder(folder)
    assert str(results_io._lock_path(folder)) not in results_io._HELD


# ---- stale locks ---------------------------------------------------------------------------------
def _holder(folder: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from simulator.results_io import claim_folder; "
            f"claim_folder({str(folder)!r}); print('held', flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_lock_left_by_a_killed_run_does_not_block_the_next(tmp_path):
    folder = tmp_path / "out"
    holder = _holder(folder)
    lock = tmp_path / ".out.lock"
    assert lock.read_text().strip() == str(holder.pid)
    with pytest.raises(InputError, match=rf"held by process {holder.pid}\)"):
        claim_folder(folder)
    holder.send_signal(9)  # SIGKILL: no cleanup, the lock file stays behind
    holder.wait()
    assert lock.read_text().strip() == str(holder.pid)
    claim_folder(folder)
    try:
        assert lock.read_text().strip() == str(os.getpid())
    finally:
        release_folder(folder)


def test_without_a_working_flock_a_dead_runs_lock_is_taken_over_and_a_live_one_refused(tmp_path, monkeypatch):
    """Some network and FUSE file systems refuse flock (ENOLCK): the process id written in the lock
    file decides, so a killed run's lock never blocks the next run forever."""
    import errno
    import fcntl

    def no_flock(fd, op):
        raise OSError(errno.ENOLCK, "No locks available")

    folder = tmp_path / "out"
    lock = tmp_path / ".out.lock"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        monkeypatch.setattr(fcntl, "flock", no_flock)
        lock.write_text(f"{live.pid}\n")
        with pytest.raises(
            InputError,
            match=rf"another run is writing this folder \(lock \.out\.lock held by "
            rf"process {live.pid}\)",
        ):
            claim_folder(folder)
        lock.write_text(f"{dead.pid}\n")  # the run that wrote it was killed
        claim_folder(folder)
        assert lock.read_text().strip() == str(os.getpid())
        release_folder(folder)
    finally:
        live.kill()
        live.wait()


# ---- project --output: both tables switched in together ------------------------------------------
def _tables(n: int) -> dict[str, pd.DataFrame]:
    return {
        "baseline.csv": pd.DataFrame(
            {"region_code": ["61"] * n, "month": [f"v{n}"] * n, "p50": np.arange(n, dtype=float)}
        ),
        "backtest.csv": pd.DataFrame({"unique_id": ["61"], "model": [f"v{n}"], "mase": [float(n)]}),
    }


def _version(folder: Path) -> int:
    """Which save the folder holds: both tables must come from the same one."""
    base = results_io._read_csv(folder / "baseline.csv")
    back = results_io._read_csv(folder / "backtest.csv")
    n = len(base)
    assert set(base["month"]) == {f"v{n}"} and base["p50"].tolist() == list(range(n))
    assert back["model"].tolist() == [f"v{n}"], (
        n,
        back["model"].tolist(),
    )  # never a new table beside an old one
    return n


def test_a_kill_at_every_step_of_saving_tables_leaves_both_old_or_both_new(tmp_path):
    folder = tmp_path / "out"
    results_io.save_tables(folder, _tables(3), False)
    (folder / "notes.txt").write_text("mine")  # a user's own file in the folder stays
    seen = []
    for kill_at in range(1, 200):
        pid = os.fork()
        if pid == 0:
            try:
                killing = _killer(kill_at)
                for module, attr in STEPS:
                    setattr(module, attr, killing(getattr(module, attr)))
                results_io.save_tables(folder, _tables(500), False)
                os._exit(0)
            except BaseException:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        seen.append(_version(folder))
        assert (folder / "notes.txt").read_text() == "mine"
        if code == 0:
            break
        assert code == 137
        if seen[-1] == 500:
            results_io.save_tables(folder, _tables(3), False)
    assert seen[-1] == 500 and 3 in seen and len(seen) >= 8, seen
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out"]


def _project(out: Path, horizon: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "simulator",
        "project",
        "--horizon",
        str(horizon),
        "--paths",
        "20",
        "--output",
        str(out),
    ]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.slow
def test_project_output_killed_end_to_end_leaves_the_old_or_the_new_tables_whole(tmp_path):
    """`python -m simulator project --output` killed (SIGKILL) at intervals across its whole run:
    the folder always holds the previous pair of tables or the new pair, byte for byte."""
    import time

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    old_dir, new_dir, folder = tmp_path / "old", tmp_path / "new", tmp_path / "out"
    for out, horizon in ((old_dir, 3), (new_dir, 12), (folder, 3)):
        subprocess.run(_project(out, horizon), cwd=ROOT, env=env, check=True, capture_output=True)
    old, new = _files(old_dir), _files(new_dir)
    assert old.keys() == new.keys() == {"baseline.csv", "backtest.csv"} and old != new
    assert _files(folder) == old
    t0 = time.perf_counter()
    subprocess.run(_project(tmp_path / "timing", 12), cwd=ROOT, env=env, check=True, capture_output=True)
    whole = time.perf_counter() - t0
    outcomes = []
    for fraction in (0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0):
        proc = subprocess.Popen(
            _project(folder, 12), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(whole * fraction)
        proc.kill()
        proc.wait()
        now = _files(folder)
        assert now in (old, new), {k: len(v) for k, v in now.items()}
        outcomes.append("new" if now == new else "old")
        if now == new:  # put the previous tables back for the next kill point
            subprocess.run(_project(folder, 3), cwd=ROOT, env=env, check=True, capture_output=True)
        leftovers = sorted(
            p.name for p in tmp_path.iterdir() if p.name.startswith(".out.") and p.name != ".out.lock"
        )
        assert all(".saving-" in p or ".old-" in p for p in leftovers), leftovers
    assert "old" in outcomes, outcomes  # some kills did land before the switch
    done = subprocess.run(_project(folder, 12), cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr  # the killed runs' lock file does not block it
    assert _files(folder) == new
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")) == [".out.lock"]


# ---- a full disk: a small tmpfs (root only, where mounting is allowed) -----------------------------
@pytest.fixture
def small_disk(tmp_path):
    """mount(size) -> a folder on a tmpfs of that many bytes; skipped where mounting is not allowed
    (the simulated ENOSPC tests above still run there)."""
    mounts = []

    def mount(size: int) -> Path:
        where = tmp_path / f"disk{len(mounts)}"
        where.mkdir()
        if os.geteuid() != 0:
            pytest.skip("mounting a small tmpfs needs root")
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size // 1024}k", "tmpfs", str(where)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounts.append(where)
        return where

    yield mount
    for where in mounts:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir())


def _cli(argv: list[str], capsys) -> tuple[int, str]:
    from simulator.cli import main

    code = main(argv)
    return code, capsys.readouterr().err


@pytest.mark.slow
def test_project_output_on_a_full_disk_keeps_the_previous_tables(tmp_path, small_disk, capsys):
    args = ["--paths", "20"]
    _cli(["project", "--horizon", "3", *args, "--output", str(tmp_path / "old")], capsys)
    _cli(["project", "--horizon", "12", *args, "--output", str(tmp_path / "new")], capsys)
    old_size, new_size = _size(tmp_path / "old"), _size(tmp_path / "new")
    for room in (
        old_size + new_size // 3,
        old_size + new_size * 2 // 3,
    ):  # the new tables never fit beside the old
        disk = small_disk(room + 64 * 1024)
        folder = disk / "out"
        assert _cli(["project", "--horizon", "3", *args, "--output", str(folder)], capsys)[0] == 0
        before = _files(folder)
        code, err = _cli(["project", "--horizon", "12", *args, "--output", str(folder)], capsys)
        assert code == 2 and "No space left on device" in err and len(err.strip().splitlines()) == 1, err
        assert _files(folder) == before  # the previous tables, whole
        assert sorted(p.name for p in disk.iterdir()) == [".out.lock", "out"]  # no partial file left


@pytest.mark.slow
def test_run_output_on_a_full_disk_keeps_the_previous_result(tmp_path, small_disk, capsys):
    scenario = str(ROOT / "scenarios" / "kalbar-subsidy-2025.yaml")
    common = [scenario, "--horizon", "30"]
    _cli(["run", *common, "--paths", "20", "--output", str(tmp_path / "old")], capsys)
    _cli(["run", *common, "--paths", "60", "--output", str(tmp_path / "new")], capsys)
    old_size, new_size = _size(tmp_path / "old"), _size(tmp_path / "new")
    disk = small_disk(old_size + new_size // 2 + 64 * 1024)
    folder = disk / "out"
    assert _cli(["run", *common, "--paths", "20", "--output", str(folder)], capsys)[0] == 0
    before = _files(folder)
    code, err = _cli(["run", *common, "--paths", "60", "--output", str(folder)], capsys)
    assert code == 2 and "No space left on device" in err and len(err.strip().splitlines()) == 1, err
    assert _files(folder) == before
    assert load_saved(folder).result.paths == 20  # still reads, as the previous result
    assert sorted(p.name for p in disk.iterdir()) == [".out.lock", "out"]

"""Command line output folders and the illustrative-data mark: bad --output values fail fast with
one line naming the option and path, and only the illustrative history is called illustrative."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from simulator.cli import main
from simulator.regions import DATA_DIR

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "kalbar-subsidy-2025.yaml"
SMALL = ["--horizon", "30", "--paths", "20"]  # the scenario runs to 2027-12
NOTE = "# catatan: data ilustratif, bukan angka resmi / note: illustrative data, not official figures"


def _bad_output(tmp_path: Path, case: str) -> tuple[Path, str]:
    """(an --output value, the start of the error it must give)."""
    if case == "an existing file":
        a_file = tmp_path / "notes.txt"
        a_file.write_text("keep me\n", encoding="utf-8")
        return a_file, "is a file: expected a folder"
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder would go\n", encoding="utf-8")
    return blocked / "out", "cannot create the folder"


def _data_folder(tmp_path: Path, history_name: str) -> Path:
    """The bundled data with its history file under ``history_name``."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("workforce.csv", "targets.csv"):
        shutil.copy(DATA_DIR / name, data / name)
    shutil.copy(DATA_DIR / "history_illustrative.csv", data / history_name)
    return data


@pytest.mark.parametrize("case", ["an existing file", "under a file"])
@pytest.mark.parametrize("command", [["project"], ["run", str(SCENARIO)]], ids=["project", "run"])
def test_bad_output_folder_is_one_line_and_nothing_is_written(tmp_path, capsys, command, case):
    output, expected = _bad_output(tmp_path, case)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    code = main([*command, *SMALL, "--output", str(output)])
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err
    assert lines[0].startswith(f"error: --output {output}: {expected}"), lines[0]
    assert captured.out == ""  # failed before any work
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before  # nothing lost


@pytest.mark.parametrize("history_name,marked", [("history_illustrative.csv", True), ("history.csv", False)])
def test_run_calls_only_the_illustrative_history_illustrative(tmp_path, capsys, history_name, marked):
    out = tmp_path / "result"
    data = _data_folder(tmp_path, history_name)
    assert main(["run", str(SCENARIO), *SMALL, "--data", str(data), "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert ("(data ilustratif)" in printed) is marked
    assert ("data ilustratif" in printed) is marked  # no note line either
    assert (out / "status.csv").read_text(encoding="utf-8").startswith(NOTE + "\n") is marked
    assert (out / "README.txt").read_text(encoding="utf-8").startswith("ILLUSTRATIVE DATA") is marked


@pytest.mark.parametrize("history_name,noted", [("history_illustrative.csv", True), ("history.csv", False)])
def test_project_writes_the_baseline_with_the_note_only_for_illustrative_history(
    tmp_path, capsys, history_name, noted
):
    out = tmp_path / "baseline"
    data = _data_folder(tmp_path, history_name)
    assert (
        main(["project", "--horizon", "3", "--paths", "20", "--data", str(data), "--output", str(out)]) == 0
    )
    captured = capsys.readouterr()
    assert captured.err == ""
    for name in ("baseline.csv", "backtest.csv"):
        assert (out / name).read_text(encoding="utf-8").startswith(NOTE + "\n") is noted, name
    assert (NOTE[2:] in captured.out) is noted
    frame = pd.read_csv(out / "baseline.csv", skiprows=int(noted), dtype={"region_code": str})
    assert len(frame) == 553 * 3 * 3  # regions x months x quantiles 10/50/90
    assert frame["coverage"].between(0, 1).all()


@pytest.mark.parametrize("option,value", [("--horizon", "0"), ("--paths", "0"), ("--paths", "-5")])
@pytest.mark.parametrize("command", [["project"], ["run", str(SCENARIO)]], ids=["project", "run"])
def test_bad_horizon_or_paths_is_refused_before_the_output_folder_is_made(
    tmp_path, capsys, command, option, value
):
    args = {"--horizon": "30", "--paths": "20", option: value}
    out = tmp_path / "new"
    code = main([*command, *[x for kv in args.items() for x in kv], "--output", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"error: {option}: expected a whole number of at least 1, got {value}\n"
    assert not out.exists()

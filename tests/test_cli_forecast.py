"""Command line forecast and backtest: real values on small files, and one table of bad inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator.cli import main

MONTHS = pd.period_range("2020-01", periods=36, freq="M")  # history 2020-01 .. 2022-12
LINE = 100.0 + 5.0 * np.arange(36)  # y = 100 + 5 t


def long_csv(folder: Path, name: str = "history.csv") -> Path:
    """'line' (100, 105, ... monthly, written as YYYY-MM) and 'flat' (42, written as YYYY-MM-DD)."""
    rows = ["unique_id,ds,y"]
    for t, month in enumerate(MONTHS):
        rows.append(f"line,{month},{LINE[t]:g}")
        rows.append(f"flat,{month.start_time:%Y-%m-%d},42")
    path = folder / name
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def history_csv(folder: Path, name: str = "participation.csv") -> Path:
    """Participation history: 61.01 PU grows 100 a month, 61.01 BPU stays 500, 61.02 PU stays 300."""
    rows = ["region_code,segment,ds,active"]
    for t, month in enumerate(MONTHS):
        rows += [f"61.01,PU,{month},{1000 + 100 * t}", f"61.01,BPU,{month},500", f"61.02,PU,{month},300"]
    path = folder / name
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def forecast_frame(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"unique_id": str})


# ---- the illustrative-data note --------------------------------------------------------------------
NOTE = "# catatan: data ilustratif, bukan angka resmi / note: illustrative data, not official figures"


@pytest.mark.parametrize("command", ["forecast", "backtest"])
@pytest.mark.parametrize(
    "source,noted",
    [
        ("history_illustrative.csv", True),  # named like the bundled synthetic history
        ("participation.csv", False),  # a real history
        ("noted_long.csv", True),  # a long file that carries the note (e.g. our own output)
        ("long.csv", False),
    ],
)
def test_outputs_from_illustrative_data_carry_the_note(tmp_path, capsys, command, source, noted):
    if source.endswith("long.csv"):
        path = long_csv(tmp_path, source)
        if noted:
            path.write_text(NOTE + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    else:
        path = history_csv(tmp_path, source)
    out = tmp_path / "out.csv"
    code, stdout, err = run(capsys, command, "--input", path, "--horizon", 6, "--output", out)
    assert (code, err) == (0, "")
    first = out.read_text(encoding="utf-8").splitlines()[0]
    assert (first == NOTE) is noted
    assert (NOTE[2:] in stdout) is noted
    table = pd.read_csv(out, comment="#", dtype={"unique_id": str})
    assert len(table) > 0 and "unique_id" in table.columns


def test_a_noted_forecast_reads_back_as_input(tmp_path, capsys):
    first = tmp_path / "first.csv"
    assert (
        run(
            capsys,
            "forecast",
            "--input",
            history_csv(tmp_path, "history_illustrative.csv"),
            "--horizon",
            12,
            "--output",
            first,
        )[0]
        == 0
    )
    again = tmp_path / "long.csv"
    fc = pd.read_csv(first, comment="#")
    fc.rename(columns={"mean": "y"})[["unique_id", "ds", "y"]].to_csv(again, index=False)
    again.write_text(NOTE + "\n" + again.read_text(encoding="utf-8"), encoding="utf-8")
    code, stdout, err = run(
        capsys, "forecast", "--input", again, "--horizon", 3, "--output", tmp_path / "second.csv"
    )
    assert (code, err) == (0, "") and NOTE[2:] in stdout


# ---- forecast ------------------------------------------------------------------------------------
def test_forecast_continues_a_line_and_keeps_a_constant_flat(tmp_path, capsys):
    out = tmp_path / "forecast.csv"
    code, stdout, err = run(
        capsys,
        "forecast",
        "--input",
        long_csv(tmp_path),
        "--horizon",
        18,
        "--output",
        out,
        "--level",
        80,
        "--level",
        95,
    )
    assert (code, err) == (0, "")
    fc = forecast_frame(out)
    assert fc.columns.tolist() == ["unique_id", "ds", "model", "mean", "lo_80", "hi_80", "lo_95", "hi_95"]
    assert fc["unique_id"].tolist() == ["flat"] * 18 + ["line"] * 18
    line = fc[fc["unique_id"] == "line"]
    expected_ds = [f"{m.start_time:%Y-%m-%d}" for m in pd.period_range("2023-01", periods=18, freq="M")]
    assert line["ds"].tolist() == expected_ds
    np.testing.assert_allclose(line["mean"], 100.0 + 5.0 * np.arange(36, 54), atol=1e-6)  # 280, 285, ... 365
    flat = fc[fc["unique_id"] == "flat"]
    for column in ["mean", "lo_80", "hi_80", "lo_95", "hi_95"]:
        np.testing.assert_array_equal(flat[column], 42.0)
    assert np.all(fc["lo_95"] <= fc["lo_80"] + 1e-9) and np.all(fc["lo_80"] <= fc["mean"] + 1e-9)
    assert np.all(fc["mean"] <= fc["hi_80"] + 1e-9) and np.all(fc["hi_80"] <= fc["hi_95"] + 1e-9)
    assert "2 series x 18 periods" in stdout and "flat: constant series" in stdout


def test_forecast_of_a_noisy_series_has_widening_intervals_and_one_level_column_pair(tmp_path, capsys):
    rng = np.random.default_rng(4)
    y = 200 + 2.0 * np.arange(60) + rng.normal(0, 4, 60)
    months = pd.period_range("2019-01", periods=60, freq="M")
    frame = pd.DataFrame({"unique_id": "noisy", "ds": [str(m) for m in months], "y": y})
    frame.to_csv(tmp_path / "in.csv", index=False)
    out = tmp_path / "fc.csv"
    assert (
        run(
            capsys,
            "forecast",
            "--input",
            tmp_path / "in.csv",
            "--horizon",
            12,
            "--output",
            out,
            "--level",
            90,
        )[0]
        == 0
    )
    fc = forecast_frame(out)
    assert fc.columns.tolist() == ["unique_id", "ds", "model", "mean", "lo_90", "hi_90"]
    width = (fc["hi_90"] - fc["lo_90"]).to_numpy()
    assert width[0] > 0 and np.all(np.diff(width) >= -1e-9)
    assert 250 < fc["mean"].iloc[0] < 350  # the trend continues from about 318


def test_forecast_writes_sample_paths_in_the_order_of_the_csv(tmp_path, capsys):
    out, paths = tmp_path / "forecast.csv", tmp_path / "paths.npy"
    code, stdout, _ = run(
        capsys,
        "forecast",
        "--input",
        long_csv(tmp_path),
        "--horizon",
        6,
        "--output",
        out,
        "--paths",
        50,
        "--paths-output",
        paths,
        "--seed",
        3,
    )
    assert code == 0
    draws = np.load(paths)
    assert draws.shape == (2, 50, 6) and draws.dtype == np.float32
    ids = pd.read_csv(tmp_path / "paths.ids.csv")
    assert ids["unique_id"].tolist() == ["flat", "line"]
    np.testing.assert_array_equal(draws[0], 42.0)  # zero-width intervals: every path is the mean
    np.testing.assert_allclose(draws[1], np.broadcast_to(100.0 + 5.0 * np.arange(36, 42), (50, 6)), rtol=1e-6)
    assert "(2, 50, 6)" in stdout


def test_blank_y_is_a_missing_month_filled_and_noted(tmp_path, capsys):
    path = long_csv(tmp_path)
    lines = path.read_text().splitlines()
    lines[21] = "line,2020-11,"  # row 22 of the file: line's 11th month, 150
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "fc.csv"
    code, stdout, err = run(capsys, "forecast", "--input", path, "--horizon", 3, "--output", out)
    assert (code, err) == (0, "")
    assert "line: 1 missing or non-finite y value(s)" in stdout
    np.testing.assert_allclose(
        forecast_frame(out).query("unique_id == 'line'")["mean"], [280, 285, 290], atol=1e-6
    )


def test_participation_history_by_region_sums_segments(tmp_path, capsys):
    out = tmp_path / "fc.csv"
    code, stdout, err = run(
        capsys, "forecast", "--input", history_csv(tmp_path), "--horizon", 4, "--output", out
    )
    assert (code, err) == (0, "")
    fc = forecast_frame(out)
    assert sorted(fc["unique_id"].unique()) == ["61.01", "61.02"]  # codes stay text
    kab = fc[fc["unique_id"] == "61.01"]
    np.testing.assert_allclose(kab["mean"], 1500 + 100 * np.arange(36, 40), atol=1e-6)  # PU line + BPU 500
    np.testing.assert_array_equal(fc[fc["unique_id"] == "61.02"]["mean"], 300.0)
    assert "unique_id = region_code, y = active summed over segments" in stdout


def test_participation_history_by_segment(tmp_path, capsys):
    out = tmp_path / "fc.csv"
    code, _, _ = run(
        capsys,
        "forecast",
        "--input",
        history_csv(tmp_path),
        "--horizon",
        2,
        "--output",
        out,
        "--by",
        "segment",
    )
    assert code == 0
    fc = forecast_frame(out).set_index(["unique_id", "ds"])["mean"]
    assert sorted(fc.index.get_level_values(0).unique()) == ["61.01/BPU", "61.01/PU", "61.02/PU"]
    assert fc.loc[("61.01/PU", "2023-01-01")] == pytest.approx(1000 + 100 * 36)
    assert fc.loc[("61.01/BPU", "2023-02-01")] == 500.0


# ---- backtest ------------------------------------------------------------------------------------
def test_backtest_scores_by_hand_beside_naive_and_seasonal_naive(tmp_path, capsys):
    out = tmp_path / "scores.csv"
    code, stdout, err = run(
        capsys, "backtest", "--input", long_csv(tmp_path), "--horizon", 6, "--folds", 3, "--output", out
    )
    assert (code, err) == (0, "")
    scores = pd.read_csv(out).set_index("model")
    assert scores.columns.tolist() == [
        "unique_id",
        "mase",
        "smape",
        "coverage_80",
        "coverage_95",
        "folds",
        "steps",
    ]
    assert set(scores["unique_id"]) == {"line"}  # a constant series is not backtested
    assert {"naive", "seasonal_naive", "drift", "auto"} <= set(scores.index)
    # Test window 6 steps; scale = in-sample seasonal naive MAE = 12 x 5 = 60. Naive misses by
    # 5, 10, ... 30 (mean 17,5); seasonal naive by 60 at every step; drift is exact.
    assert scores.loc["naive", "mase"] == pytest.approx(17.5 / 60)
    assert scores.loc["seasonal_naive", "mase"] == pytest.approx(1.0)
    assert scores.loc["seasonal_naive", "smape"] > scores.loc["naive", "smape"] > 0
    assert scores.loc["drift", "mase"] == pytest.approx(0.0, abs=1e-9)
    assert scores.loc["auto", "mase"] == pytest.approx(0.0, abs=1e-9)
    assert scores.loc["naive", ["folds", "steps"]].tolist() == [3, 6]
    assert (
        ((scores[["coverage_80", "coverage_95"]] >= 0) & (scores[["coverage_80", "coverage_95"]] <= 1))
        .all()
        .all()
    )
    assert "not backtested (constant or fewer than 8 points): 1 series" in stdout


# ---- bad input -----------------------------------------------------------------------------------
GOOD = "unique_id,ds,y\na,2020-01,1\na,2020-02,2\na,2020-03,4\n"
BAD_INPUT = [
    # (id, file content or None for a missing file, extra arguments, fragments of the one-line message)
    ("missing file", None, [], ["in.csv", "file not found"]),
    ("empty file", "", [], ["in.csv", "empty"]),
    ("missing column", "unique_id,ds,value\na,2020-01,1\n", [], ["in.csv", "row 1", "missing column 'y'"]),
    (
        "unknown columns",
        "name,when,value\na,2020-01,1\n",
        [],
        ["in.csv", "cannot tell the format", "name, when"],
    ),
    ("non-numeric y", GOOD + "a,2020-04,abc\n", [], ["in.csv", "row 5", "column 'y'", "'abc'"]),
    ("infinite y", GOOD + "a,2020-04,inf\n", [], ["in.csv", "row 5", "column 'y'", "'inf'"]),
    (
        "bad date",
        "unique_id,ds,y\na,2020-01,1\na,2020-13,2\n",
        [],
        ["in.csv", "row 3", "column 'ds'", "'2020-13'"],
    ),
    ("blank date", "unique_id,ds,y\na,2020-01,1\na,,2\n", [], ["in.csv", "row 3", "column 'ds'", "empty"]),
    ("blank id", "unique_id,ds,y\n,2020-01,1\n", [], ["in.csv", "row 2", "column 'unique_id'"]),
    ("ragged row", GOOD + "a,2020-04,5,6\n", [], ["in.csv", "cannot read the CSV", "line 5"]),
    ("horizon 0", GOOD, ["--horizon", "0"], ["--horizon", "whole number >= 1", "'0'"]),
    ("horizon negative", GOOD, ["--horizon", "-3"], ["--horizon", "'-3'"]),
    ("horizon text", GOOD, ["--horizon", "abc"], ["--horizon", "'abc'"]),
    ("horizon too long", GOOD, ["--horizon", "5000"], ["--horizon", "<= 1200", "'5000'"]),
    ("level 100", GOOD, ["--level", "100"], ["--level", "between 0 and 100", "'100'"]),
    ("level 0", GOOD, ["--level", "80", "--level", "0"], ["--level", "'0'"]),
    ("level text", GOOD, ["--level", "high"], ["--level", "'high'"]),
    ("folds 0", GOOD, ["--folds", "0"], ["--folds", "'0'"]),
    ("unknown model", GOOD, ["--models", "naive,prophet"], ["--models", "'prophet'"]),
    ("output folder missing", GOOD, ["--output", "{tmp}/nowhere/out.csv"], ["--output", "not found"]),
    ("paths without a file", GOOD, ["--paths", "10"], ["--paths", "--paths-output"]),
    (
        "history non-numeric active",
        "region_code,segment,ds,active\n61.01,PU,2020-01,10\n61.01,PU,2020-02,lots\n",
        [],
        ["in.csv", "row 3", "active", "'lots'"],
    ),
    (
        "history unknown region",
        "region_code,segment,ds,active\n99.99,PU,2020-01,10\n",
        [],
        ["in.csv", "row 2", "region_code", "99.99"],
    ),
    (
        "history missing column",
        "region_code,segment,ds\n61.01,PU,2020-01\n",
        [],
        ["in.csv", "missing column 'active'"],
    ),
]


@pytest.mark.parametrize("command", ["forecast", "backtest"])
@pytest.mark.parametrize(
    "content,extra,fragments", [case[1:] for case in BAD_INPUT], ids=[c[0] for c in BAD_INPUT]
)
def test_bad_input_gives_one_line_and_exit_2(tmp_path, capsys, command, content, extra, fragments):
    if command == "backtest" and extra[:1] == ["--paths"]:
        pytest.skip("backtest has no --paths")
    source = tmp_path / "in.csv"
    if content is not None:
        source.write_text(content, encoding="utf-8")
    out = tmp_path / "out.csv"
    args = {"--input": str(source), "--horizon": "3", "--output": str(out)}
    for key, value in zip(extra[::2], extra[1::2], strict=True):
        if key in args:
            args[key] = value.format(tmp=tmp_path)
    argv = [command, *[x for kv in args.items() for x in kv]]
    pairs = zip(extra[::2], extra[1::2], strict=True)
    argv += [x for key, value in pairs if key not in args for x in (key, value)]
    code, stdout, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith("error: ") and err.endswith("\n") and err.count("\n") == 1, err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert "Traceback" not in err and stdout == ""
    assert not out.exists()  # nothing written

"""Assumption sweeps: Sobol' indices against Ishigami and a one-assumption lever, thresholds by hand,
Dask with 1 and 2 workers giving the same numbers, resumption after a killed run, bad input."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator.baseline import Baseline, fake_baseline
from simulator.errors import InputError
from simulator.regions import load_regions
from simulator.scenario import Uncertain, dump_scenario, parse_scenario
from simulator.sweep import (
    Dimension,
    Ishigami,
    analyse,
    close_client,
    dimensions,
    fixed_scenario,
    make_design,
    open_client,
    read_result,
    run_design,
    scenario_model,
    sobol_indices,
    tornado,
    write_result,
)

ROOT = Path(__file__).resolve().parents[1]


def _recorder(seen: list):
    """A progress callback that appends each (done, total) to ``seen``."""
    return lambda done, total: seen.append((done, total))


@lru_cache(maxsize=1)
def flat_baseline() -> Baseline:
    """Identical paths: every kabupaten/kota 1.000 active of 10.000 employed, 2025-01 .. 2027-12."""
    return fake_baseline(load_regions(), ("2025-01", "2027-12"), 20, 1_000, 10_000)


@lru_cache(maxsize=1)
def noisy_baseline() -> Baseline:
    return fake_baseline(load_regions(), ("2025-01", "2027-12"), 50, 3_000, 10_000, noise=0.02, seed=3)


RETENTION = textwrap.dedent("""\
    name: retention-only
    horizon: 2027-12
    levers:
      - kind: contribution_subsidy
        region: "61.71"
        headcount: 2000
        start: 2025-01
        months: 6
        ramp_months: 1
        retention_after: [0.1, 0.6]
        payer: apbd_provinsi
    targets:
      - {region: "61.71", year: 2026, coverage: 0.15}
    """)

KALBAR = textwrap.dedent("""\
    name: kalbar-small
    horizon: 2027-12
    levers:
      - kind: contribution_subsidy
        region: "61"
        headcount: 6000
        start: 2025-01
        months: 12
        ramp_months: 3
        already_covered: [0.05, 0.15]
        retention_after: {dist: beta, a: 3.5, b: 6.5}
        payer: apbd_provinsi
      - kind: village_officials
        region: "61.*"
        officials_per_village: 1
        enrolled_share: {dist: triangular, low: 0.6, mode: 0.8, high: 0.9}
        start: 2025-07
        payer: apbdes
    targets:
      - {region: "61", year: 2026, coverage: 0.33}
    sweep: {samples: 8, grid: 3, batch: 8}
    """)


def test_ishigami_indices_through_the_sweep_path(tmp_path):
    model = Ishigami()
    design = make_design(model.dims(), 2048, seed=1, grid=3)
    y, stats = run_design(model, design, tmp_path, batch=4096)
    assert stats.computed == 2048 * 5 + 1 + 9 and stats.reused == 0
    ind = sobol_indices(y, design, boot=100, seed=0)
    first, total = model.analytic()
    np.testing.assert_allclose(first, [0.3139, 0.4424, 0.0], atol=1e-4)
    np.testing.assert_allclose(total, [0.5576, 0.4424, 0.2437], atol=1e-4)
    np.testing.assert_allclose(ind["first"][:, 0, 0], first, atol=0.04)
    np.testing.assert_allclose(ind["total"][:, 0, 0], total, atol=0.04)
    # the analytic values lie inside the bootstrap intervals (widened by a little for the quasi-random design)
    assert np.all(ind["total_lo"][:, 0, 0] - 0.02 <= total) and np.all(
        total <= ind["total_hi"][:, 0, 0] + 0.02
    )
    assert np.all(ind["first_lo"][:, 0, 0] - 0.02 <= first) and np.all(
        first <= ind["first_hi"][:, 0, 0] + 0.02
    )


def test_design_layout_and_values():
    dims = (Dimension("r", Uncertain("uniform", (0.2, 0.4))), Dimension("b", Uncertain("beta", (2.0, 2.0))))
    design = make_design(dims, 8, seed=0, grid=5)
    assert design.values.shape == (8 * 4 + 1 + 2 * 5, 2)
    a, b = design.values[:8], design.values[8:16]
    ab0 = design.values[16:24]
    np.testing.assert_array_equal(ab0[:, 0], b[:, 0])  # AB_0: A with column 0 from B
    np.testing.assert_array_equal(ab0[:, 1], a[:, 1])
    assert ((a[:, 0] >= 0.2) & (a[:, 0] <= 0.4)).all()
    np.testing.assert_allclose(design.values[design.central_row], [0.3, 0.5])
    np.testing.assert_allclose(design.values[design.scan_rows(0), 0], [0.2, 0.25, 0.3, 0.35, 0.4])
    np.testing.assert_allclose(design.values[design.scan_rows(0), 1], 0.5)
    np.testing.assert_allclose(
        design.values[design.scan_rows(1), 1], [0, 0.3263518, 0.5, 0.6736482, 1], atol=1e-6
    )
    again = make_design(dims, 8, seed=0, grid=5)
    np.testing.assert_array_equal(design.values, again.values)


def test_retention_only_total_index_one_and_threshold_by_hand(tmp_path):
    tree = load_regions()
    scenario = parse_scenario(RETENTION, "retention.yaml", tree)
    baseline = flat_baseline()
    model = scenario_model(scenario, baseline, None, tree=tree)
    assert [d.name for d in model.dims] == ["contribution_subsidy: retention_after"]
    assert model.regions == ("61.71",) and len(model.targets) == 1
    design = make_design(model.dims, 64, seed=2, grid=21)
    y, _ = run_design(model, design, tmp_path, context=model.context(baseline), batch=64)
    result = analyse(y, design, model.rows(), model.outputs, level=0.5, boot=50)
    median = result.indices[result.indices["output"] == "median"].iloc[0]
    # one assumption decides everything: first-order and total index 1
    assert median["total"] == pytest.approx(1.0, abs=0.03)
    assert median["first"] == pytest.approx(1.0, abs=0.03)
    # coverage Dec 2026 = (1.000 + 2.000 r) / 10.000 >= 0.15 exactly when r >= 0.25 (all paths alike)
    row = result.thresholds.iloc[0]
    assert row["side"] == "lost below"
    spacing = 0.5 / 20
    assert abs(row["threshold"] - 0.25) <= spacing / 2 + 1e-9
    np.testing.assert_allclose(y[design.central_row, 0, 2], (1000 + 2000 * 0.35) / 10000, rtol=1e-6)
    # cost: 2.000 persons x Rp16.800 x 6 months, whatever the retention
    np.testing.assert_allclose(y[:, 0, 3], 2000 * 16800 * 6)


def test_fixed_scenario_is_a_new_object():
    tree = load_regions()
    scenario = parse_scenario(KALBAR, "k.yaml", tree)
    dims = dimensions(scenario)
    assert [d.key for d in dims] == ["already_covered", "retention_after", "enrolled_share"]
    fixed = fixed_scenario(scenario, dims, [0.1, 0.3, 0.7])
    assert fixed.levers[0].retention_after == Uncertain.fixed(0.3)
    assert fixed.levers[1].enrolled_share == Uncertain.fixed(0.7)
    assert scenario.levers[0].retention_after == Uncertain("beta", (3.5, 6.5))  # unchanged


def test_sweep_section_round_trip():
    tree = load_regions()
    scenario = parse_scenario(KALBAR, "k.yaml", tree)
    assert scenario.sweep.samples == 8 and scenario.sweep.grid == 3 and scenario.sweep.seed is None
    assert parse_scenario(dump_scenario(scenario), "k.yaml", tree) == scenario


@pytest.mark.slow
def test_dask_one_and_two_workers_same_numbers_as_here(tmp_path):
    tree = load_regions()
    scenario = parse_scenario(KALBAR, "k.yaml", tree)
    baseline = noisy_baseline()
    model = scenario_model(scenario, baseline, None, tree=tree)
    assert model.tree.codes[0] == "61" and len(model.tree.codes) == 15  # Kalbar and its 14 kabupaten/kota
    whole = scenario_model(scenario, baseline, None, tree=tree, trim=False)
    design = make_design(model.dims, 8, seed=0, grid=3)
    # here on the whole baseline and tree; on the workers on Kalbar's rows only: the same numbers
    here, _ = run_design(whole, design, tmp_path / "here", context=baseline, batch=8)
    outs = {}
    for workers in (2, 1):
        client = open_client(workers=workers)
        try:
            seen: list[tuple[int, int]] = []
            outs[workers], stats = run_design(
                model,
                design,
                tmp_path / f"w{workers}",
                context=model.context(baseline),
                client=client,
                batch=8,
                progress=_recorder(seen),
            )
            assert len(client.scheduler_info()["workers"]) == workers
        finally:
            close_client(client)
        assert stats.computed == len(design.values) == 8 * 5 + 1 + 3 * 3
        assert seen[0] == (0, 50) and seen[-1] == (50, 50)
        assert len(stats.peak_rss) <= workers and max(stats.peak_rss.values()) < 2 * 2**30
    np.testing.assert_array_equal(outs[1], outs[2])
    np.testing.assert_array_equal(outs[2], here)
    # the probability of the 33 % target moves with the assumptions, and the indices come out
    assert np.ptp(here[: 2 * 8, 0, 0]) > 0
    result = analyse(here, design, model.rows(), model.outputs, boot=20)
    table = tornado(result, "61", 2026)
    assert list(table["assumption"].str.split(": ").str[1]) != []
    assert set(table["assumption"]) == {d.name for d in model.dims}
    write_result(result, tmp_path / "here", illustrative=False)
    back = read_result(tmp_path / "here")
    pd.testing.assert_frame_equal(back.indices, result.indices, check_dtype=False)


KILLED = textwrap.dedent("""\
    import sys
    from simulator.sweep import Ishigami, make_design, open_client, run_design
    if __name__ == "__main__":
        model = Ishigami(delay=0.05)
        design = make_design(model.dims(), 16, seed=4, grid=3)
        client = open_client(workers=2)
        run_design(model, design, sys.argv[1], client=client, batch=4)
    """)


@pytest.mark.slow
def test_resumes_after_a_killed_run(tmp_path):
    folder = tmp_path / "sweep"
    script = tmp_path / "killed.py"
    script.write_text(KILLED)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(folder)],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if len(list((folder / "points").glob("points-*.npz"))) >= 3:
                break
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its cluster's processes, mid-sweep
        proc.wait()
    files = list((folder / "points").glob("points-*.npz"))
    assert 3 <= len(files) < 23  # 16 x 5 + 1 + 3 x 3 = 90 points in batches of 4
    saved = sum(int(f.name.split("-")[2].split(".")[0]) for f in files)
    model = Ishigami()
    design = make_design(model.dims(), 16, seed=4, grid=3)
    y, stats = run_design(model, design, folder, batch=4)
    assert stats.reused == saved and stats.computed == 90 - saved  # nothing twice, nothing lost
    assert not list((folder / "points").glob(".*.tmp"))  # a batch the kill cut short is removed
    fresh, _ = run_design(model, design, tmp_path / "fresh", batch=90)
    np.testing.assert_array_equal(y, fresh)
    y2, stats2 = run_design(model, design, folder, batch=4)  # finished: everything read back
    assert stats2.computed == 0 and stats2.reused == 90
    np.testing.assert_array_equal(y2, fresh)


def test_folder_of_another_design_is_refused(tmp_path):
    model = Ishigami()
    run_design(model, make_design(model.dims(), 4, seed=0, grid=3), tmp_path)
    with pytest.raises(InputError, match="holds a sweep of another design"):
        run_design(model, make_design(model.dims(), 4, seed=1, grid=3), tmp_path)


BAD_SWEEPS = [
    (
        "not a mapping",
        "sweep: 12\n",
        "bad.yaml: key 'sweep': expected a mapping with keys samples, seed, probability, grid, batch, got 12",
    ),
    (
        "unknown key",
        "sweep: {sample: 12}\n",
        "bad.yaml: sweep, key 'sample': unknown key; expected one of samples, seed, probability, grid, batch",
    ),
    (
        "samples too few",
        "sweep: {samples: 1}\n",
        "bad.yaml: sweep, key 'samples': expected a whole number from 2 to 1,000,000, got 1",
    ),
    (
        "samples fractional",
        "sweep: {samples: 12.5}\n",
        "bad.yaml: sweep, key 'samples': expected a whole number from 2 to 1,000,000, got 12.5",
    ),
    (
        "samples text",
        "sweep: {samples: many}\n",
        "bad.yaml: sweep, key 'samples': expected a whole number from 2 to 1,000,000, got 'many'",
    ),
    (
        "probability 1",
        "sweep: {probability: 1}\n",
        "bad.yaml: sweep, key 'probability': expected a share between 0 and 1 (exclusive), got 1",
    ),
    (
        "grid 2",
        "sweep: {grid: 2}\n",
        "bad.yaml: sweep, key 'grid': expected a whole number from 3 to 1,001, got 2",
    ),
    (
        "negative seed",
        "sweep: {seed: -1}\n",
        "bad.yaml: sweep, key 'seed': expected a whole number from 0 to 4,294,967,295, got -1",
    ),
]


@pytest.mark.parametrize("text, message", [c[1:] for c in BAD_SWEEPS], ids=[c[0] for c in BAD_SWEEPS])
def test_bad_sweep_section_refused(text, message):
    with pytest.raises(InputError) as err:
        parse_scenario(RETENTION + text, "bad.yaml", load_regions())
    assert str(err.value) == message


def _cli(args: list[str], monkeypatch, capsys):
    import simulator.cli_sweep as cli_sweep
    from simulator.cli import main

    class FakePanel:
        targets = None
        workforce = None
        illustrative = False

    monkeypatch.setattr(
        cli_sweep, "_bundled", lambda horizon, paths, data: (FakePanel(), flat_baseline(), None)
    )
    code = main(["sweep", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_sweep_in_this_process(tmp_path, monkeypatch, capsys):
    path = tmp_path / "retention.yaml"
    path.write_text(RETENTION + "sweep: {samples: 8, grid: 5}\n")
    code, out, err = _cli(
        [str(path), "--output", str(tmp_path / "out"), "--workers", "0", "--boot", "10"], monkeypatch, capsys
    )
    assert code == 0, err
    assert "1 asumsi / assumptions, 30 titik desain / design points (8 x (1 + 2) + 1 + 1 x 5)" in out
    assert "61.71" in out and "contribution_subsidy: retention_after" in out
    assert "30/30 titik" in err
    thresholds = pd.read_csv(tmp_path / "out" / "thresholds.csv", dtype={"region_code": str})
    assert thresholds["side"].tolist() == ["lost below"]
    assert abs(thresholds["threshold"].iloc[0] - 0.25) <= 0.0625 + 1e-9  # grid 5 over 0.1..0.6
    code, out, err = _cli(
        [str(path), "--output", str(tmp_path / "out"), "--workers", "0"], monkeypatch, capsys
    )
    assert code == 0 and "dihitung / computed 0, dari disk / from disk 30" in out


BAD_OPTIONS = [
    (["--samples", "1"], "error: --samples: expected a whole number of at least 2, got 1"),
    (["--grid", "2"], "error: --grid: expected a whole number of at least 3, got 2"),
    (["--batch", "0"], "error: --batch: expected a whole number of at least 1, got 0"),
    (["--probability", "1.5"], "error: --probability: expected a share between 0 and 1 (exclusive), got 1.5"),
    (["--workers", "-1"], "error: --workers: expected 0 (this process) or more worker processes, got -1"),
    (
        ["--scheduler", "localhost:8786"],
        "error: --scheduler localhost:8786: expected an address such as tcp://HOST:8786",
    ),
    (["--paths", "0"], "error: --paths: expected a whole number of at least 1, got 0"),
]


@pytest.mark.parametrize("extra, message", BAD_OPTIONS, ids=[o[0][0] for o in BAD_OPTIONS])
def test_cli_bad_options(tmp_path, monkeypatch, capsys, extra, message):
    path = tmp_path / "retention.yaml"
    path.write_text(RETENTION)
    code, out, err = _cli([str(path), "--output", str(tmp_path / "out"), *extra], monkeypatch, capsys)
    assert code == 2 and err.strip() == message
    assert not (tmp_path / "out").exists()


def test_cli_refuses_a_bad_sweep_file_and_nothing_to_sweep(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(RETENTION + "sweep: {samples: 0}\n")
    code, _, err = _cli([str(bad), "--output", str(tmp_path / "out")], monkeypatch, capsys)
    assert code == 2
    assert (
        err.strip()
        == "error: bad.yaml: sweep, key 'samples': expected a whole number from 2 to 1,000,000, got 0"
    )
    fixed = tmp_path / "fixed.yaml"
    fixed.write_text(RETENTION.replace("[0.1, 0.6]", "0.35"))
    code, _, err = _cli([str(fixed), "--output", str(tmp_path / "out")], monkeypatch, capsys)
    assert code == 2
    assert err.strip() == (
        "error: fixed.yaml: no assumption is given as a range or distribution "
        "(e.g. retention_after: [0.25, 0.45]); nothing to sweep"
    )
    assert not (tmp_path / "out").exists()


def test_a_broken_batch_file_is_computed_again(tmp_path):
    model = Ishigami()
    design = make_design(model.dims(), 4, seed=0, grid=3)
    fresh, _ = run_design(model, design, tmp_path, batch=8)
    broken = sorted((tmp_path / "points").glob("points-*.npz"))[0]
    broken.write_bytes(b"not a zip file")
    y, stats = run_design(model, design, tmp_path, batch=8)
    assert stats.computed == 8 and stats.reused == len(design.values) - 8
    np.testing.assert_array_equal(y, fresh)

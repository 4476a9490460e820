"""Saved results: round trip with identical numbers, provenance, readable tables, corrupt folders."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from simulator import __version__
from simulator.baseline import Baseline, fake_baseline
from simulator.engine import run_scenario
from simulator.errors import InputError
from simulator.regions import load_regions
from simulator.results_io import load_provenance, load_result, load_saved, save_result
from simulator.scenario import parse_scenario

SCENARIO_TEXT = """# Kalbar subsidy for the round trip (comments are kept)
name: roundtrip
description: Subsidy and village officials on a noisy fake baseline.
horizon: 2026-12
levers:
  - kind: contribution_subsidy
    label: Bantuan iuran
    region: "61"
    headcount: 26373                  # [persons]
    start: 2025-01
    months: 12
    ramp_months: 3
    already_covered: [0.05, 0.15]
    retention_after: {dist: beta, a: 3.5, b: 6.5}
    lapse: 0.03
    payer: apbd_provinsi
    reference: Pergub Kalbar No. 4/2023
  - kind: village_officials
    region: "61.*"
    officials_per_village: 15
    enrolled_share: [0.7, 0.9]
    start: 2025-07
    ramp_months: 6
    payer: apbdes
targets:
  - region: "61"
    year: 2025
    coverage: 0.36
"""
TARGETS = pd.DataFrame(
    {"region_code": ["00", "61", "61"], "year": [2025, 2025, 2026], "coverage": [0.34, 0.36, 0.37]}
)


@lru_cache(maxsize=1)
def tree():
    return load_regions()


@lru_cache(maxsize=1)
def baseline() -> Baseline:
    base = fake_baseline(
        tree(), ("2025-01", "2026-12"), 5, 50_000.0, 150_000.0, growth=0.002, noise=0.02, seed=7
    )
    return dataclasses.replace(base, meta={**base.meta, "data_hash": "d" * 64, "horizon": 24})


@lru_cache(maxsize=1)
def result():
    scenario = parse_scenario(SCENARIO_TEXT, source="roundtrip.yaml", tree=tree())
    return run_scenario(baseline(), scenario, seed=11, tree=tree())


@pytest.fixture()
def saved(tmp_path) -> Path:
    return save_result(
        result(),
        tmp_path / "run",
        scenario_text=SCENARIO_TEXT,
        targets=TARGETS,
        backtest=pd.DataFrame({"unique_id": ["61.01"], "model": ["naive"], "mase": [1.5074131654767995]}),
    )  # read back to the same bits


# ---- round trip ------------------------------------------------------------------------------------
def test_loading_a_saved_result_gives_identical_numbers(saved):
    original, loaded = result(), load_result(saved, tree=tree())
    np.testing.assert_array_equal(loaded.active, original.active)
    np.testing.assert_array_equal(loaded.employed, original.employed)
    assert loaded.active.dtype == np.float32 and loaded.employed.dtype == np.float32
    assert loaded.regions == original.regions
    assert loaded.months.equals(original.months)
    pd.testing.assert_frame_equal(loaded.cost, original.cost)
    pd.testing.assert_frame_equal(loaded.contributions, original.contributions)
    assert loaded.seed == 11
    assert loaded.meta == original.meta
    assert loaded.scenario == original.scenario
    np.testing.assert_array_equal(loaded.coverage, original.coverage)


def test_provenance_records_hash_scenario_text_seed_version_and_date(saved):
    prov = load_provenance(saved)
    assert prov["data_hash"] == "d" * 64
    assert prov["scenario_text"] == SCENARIO_TEXT
    assert (saved / "scenario.yaml").read_text(encoding="utf-8") == SCENARIO_TEXT
    assert (prov["seed"], prov["paths"], prov["package_version"]) == (11, 5, __version__)
    created = dt.datetime.fromisoformat(prov["created"])
    assert abs((dt.datetime.now(dt.UTC) - created).total_seconds()) < 3600
    assert prov["illustrative"] is True  # a fake baseline is never real data


NOTE = "# catatan: data ilustratif, bukan angka resmi / note: illustrative data, not official figures"


def table(path: Path, **options) -> pd.DataFrame:
    """A saved table of an illustrative result: the note line, then the CSV."""
    assert path.read_text(encoding="utf-8").splitlines()[0] == NOTE, path.name
    return pd.read_csv(path, skiprows=1, **options)


def test_saved_folder_has_readable_tables(saved):
    for name in (
        "status.csv",
        "cost.csv",
        "coverage_quantiles.csv",
        "scenario.yaml",
        "provenance.json",
        "result.npz",
        "targets.csv",
        "backtest.csv",
        "README.txt",
    ):
        assert (saved / name).is_file(), name
    status = table(saved / "status.csv", dtype={"region_code": str})
    assert list(zip(status["region_code"], status["year"], strict=True)) == [
        ("00", 2025),
        ("61", 2025),
        ("61", 2026),
    ]
    cost = table(saved / "cost.csv")
    assert set(cost["payer"]) == {"apbd_provinsi", "apbdes"}
    quantiles = table(saved / "coverage_quantiles.csv", dtype={"region_code": str})
    assert set(quantiles["region_code"]) == {"00", "61"}
    assert len(quantiles) == 2 * 7 * 24
    with np.load(saved / "result.npz", allow_pickle=False) as z:  # no pickle needed
        assert z["active"].shape == (len(tree().codes), 5, 24)


def test_saved_status_equals_the_reloaded_assessment(saved):
    loaded = load_saved(saved, tree=tree())
    written = table(saved / "status.csv", dtype={"region_code": str})
    np.testing.assert_allclose(written["probability"], loaded.status["probability"])
    np.testing.assert_allclose(written["median"], loaded.status["median"], rtol=1e-12)
    assert loaded.backtest is not None and loaded.backtest["mase"].tolist() == [1.5074131654767995]


@pytest.mark.parametrize(
    "illustrative, first_line",
    [
        (True, "ILLUSTRATIVE DATA: the participation history"),
        (False, "Saved scenario result: roundtrip"),
    ],
)
def test_readme_opens_with_the_illustrative_note_only_for_illustrative_data(
    tmp_path, illustrative, first_line
):
    folder = save_result(
        result(),
        tmp_path / "x",
        scenario_text=SCENARIO_TEXT,
        illustrative=illustrative,
        targets=TARGETS,
        backtest=pd.DataFrame({"unique_id": ["61.01"], "mase": [1.0]}),
    )
    assert (folder / "README.txt").read_text(encoding="utf-8").splitlines()[0].startswith(first_line)
    assert load_provenance(folder)["illustrative"] is illustrative
    # every table carries the note as its first line too, and still loads back
    for name in (
        "status.csv",
        "cost.csv",
        "cost_by_payer.csv",
        "coverage_quantiles.csv",
        "targets.csv",
        "backtest.csv",
    ):
        first = (folder / name).read_text(encoding="utf-8").splitlines()[0]
        assert (first == NOTE) is illustrative, name
    loaded = load_saved(folder, tree=tree())
    pd.testing.assert_frame_equal(loaded.targets, TARGETS, check_dtype=False)
    assert loaded.backtest["mase"].tolist() == [1.0]


def test_scenario_text_defaults_to_the_dumped_scenario_and_targets_to_the_scenario_targets(tmp_path):
    folder = save_result(result(), tmp_path / "y")
    loaded = load_saved(folder, tree=tree())
    assert loaded.result.scenario == result().scenario
    assert list(zip(loaded.status["region_code"], loaded.status["year"], strict=True)) == [("61", 2025)]


def test_saving_again_replaces_the_earlier_files(tmp_path):
    folder = save_result(result(), tmp_path / "z", scenario_text=SCENARIO_TEXT)
    save_result(result(), folder, scenario_text=SCENARIO_TEXT + "# again\n")
    assert load_provenance(folder)["scenario_text"].endswith("# again\n")
    assert load_result(folder, tree=tree()).scenario == result().scenario
    assert not [p for p in folder.iterdir() if p.name.startswith(".saving-")]


def test_scenario_text_of_another_scenario_is_refused(tmp_path):
    with pytest.raises(InputError, match="scenario_text: does not describe the result's scenario"):
        save_result(result(), tmp_path / "w", scenario_text="name: other\nhorizon: 2026-12\nlevers: []\n")
    assert not (tmp_path / "w").exists()


# ---- incomplete or corrupt folders -----------------------------------------------------------------
def _drop(folder: Path, name: str) -> None:
    (folder / name).unlink()


def _edit_json(key: str, value=None, delete: bool = False):
    def edit(folder: Path) -> None:
        data = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
        if delete:
            del data[key]
        else:
            data[key] = value
        (folder / "provenance.json").write_text(json.dumps(data), encoding="utf-8")

    return edit


def _rewrite_npz(drop: str | None = None, change: dict | None = None):
    """Rewrite result.npz and record its new hash, so the content checks (not the hash) must catch it."""

    def edit(folder: Path) -> None:
        import hashlib

        with np.load(folder / "result.npz", allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files if k != drop}
        arrays.update(change or {})
        np.savez(folder / "result.npz", **arrays)
        data = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
        data["files"]["result.npz"] = hashlib.sha256((folder / "result.npz").read_bytes()).hexdigest()
        (folder / "provenance.json").write_text(json.dumps(data), encoding="utf-8")

    return edit


CORRUPT = [
    ("provenance missing", lambda f: _drop(f, "provenance.json"), r"run/provenance\.json: file not found"),
    (
        "provenance not json",
        lambda f: (f / "provenance.json").write_text("{oops", encoding="utf-8"),
        r"run/provenance\.json: not valid JSON \(line 1",
    ),
    ("provenance without seed", _edit_json("seed", delete=True), r"run/provenance\.json: key 'seed' missing"),
    (
        "provenance of another format",
        _edit_json("format", "something"),
        r"run/provenance\.json: key 'format': expected 'simulator-result'",
    ),
    (
        "newer format version",
        _edit_json("format_version", 99),
        r"run/provenance\.json: key 'format_version': expected 1\.\.1, got 99",
    ),
    ("arrays missing", lambda f: _drop(f, "result.npz"), r"run/result\.npz: file not found; .*incomplete"),
    (
        "arrays truncated",
        lambda f: (f / "result.npz").write_bytes((f / "result.npz").read_bytes()[:1000]),
        r"run/result\.npz: contents differ from the hash in provenance\.json",
    ),
    (
        "scenario edited",
        lambda f: (f / "scenario.yaml").write_text(SCENARIO_TEXT.replace("26373", "9"), "utf-8"),
        r"run/scenario\.yaml: contents differ from the hash",
    ),
    ("scenario missing", lambda f: _drop(f, "scenario.yaml"), r"run/scenario\.yaml: file not found"),
    ("array key missing", _rewrite_npz(drop="active"), r"run/result\.npz: key 'active' missing"),
    (
        "array of the wrong shape",
        _rewrite_npz(change={"employed": np.zeros((2, 5, 24), dtype=np.float32)}),
        r"run/result\.npz: key 'employed': expected float32 of shape",
    ),
    (
        "paths disagree",
        _edit_json("paths", 4),
        r"run/result\.npz: key 'active': expected float32 of shape \(\d+, 4, 24\)",
    ),
    (
        "bad month",
        _rewrite_npz(change={"months": np.array(["2025-13"] * 24)}),
        r"run/result\.npz: key 'months'",
    ),
]


@pytest.mark.parametrize("case, damage, message", CORRUPT, ids=[c[0] for c in CORRUPT])
def test_incomplete_or_corrupt_folder_is_one_clear_error(saved, case, damage, message):
    damage(saved)
    with pytest.raises(InputError, match=message):
        load_result(saved, tree=tree())


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match=r"nope: no such folder; expected a saved result"):
        load_result(tmp_path / "nope")


# ---- the run command saves through save_result -------------------------------------------------------
def test_run_command_saves_a_loadable_result(tmp_path, monkeypatch, capsys):
    from simulator import cli

    file = tmp_path / "roundtrip.yaml"
    file.write_text(SCENARIO_TEXT, encoding="utf-8")
    panel = SimpleNamespace(
        targets=TARGETS,
        workforce=None,
        sources=("history_illustrative.csv", "workforce.csv"),
        data_hash="f" * 64,
        illustrative=True,
    )
    table = pd.DataFrame({"unique_id": ["61.01", "61.01"], "model": ["naive", "auto"], "mase": [1.0, 0.8]})
    monkeypatch.setattr(cli, "_bundled", lambda horizon, paths, data: (panel, baseline(), table))
    code = cli.main(["run", str(file), "--output", str(tmp_path / "out"), "--seed", "11"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "61      Kalimantan Barat" in printed and "biaya apbd_provinsi: Rp" in printed
    loaded = load_saved(tmp_path / "out", tree=tree())
    np.testing.assert_array_equal(loaded.result.active, result().active)
    assert loaded.provenance["scenario_text"] == SCENARIO_TEXT
    assert loaded.provenance["extra"] == {
        "data_sources": ["history_illustrative.csv", "workforce.csv"],
        "data_files_hash": "f" * 64,
    }
    assert loaded.provenance["illustrative"] is True
    assert (tmp_path / "out" / "README.txt").read_text(encoding="utf-8").startswith("ILLUSTRATIVE DATA")
    assert loaded.backtest["model"].tolist() == ["naive", "auto"]

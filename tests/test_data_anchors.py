"""The bundled data files hold the public anchors they claim to hold.

history_illustrative.csv is ILLUSTRATIVE (synthetic); these tests check that its aggregates match
the public anchors it was calibrated to, that the workforce table adds up and keeps the public
BPS figures, and that ``python -m simulator.synth`` regenerates the files exactly.
"""

from __future__ import annotations

import pandas as pd
import pytest

from simulator.regions import DATA_DIR, load_regions
from simulator.synth import (
    MONTHS,
    PROVINCE_ACTIVE_2023,
    SEED,
    make_illustrative_history,
    make_workforce,
)

TOL = 0.005  # 0,5 % [fraction]
SEGMENTS_2023 = {"PU": 25_000_000, "BPU": 9_190_000, "JAKON": 7_360_000}


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    frame = pd.read_csv(DATA_DIR / "history_illustrative.csv", dtype={"region_code": str, "ds": str})
    return frame.assign(province=frame["region_code"].str[:2])


@pytest.fixture(scope="module")
def workforce() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "workforce.csv", dtype={"region_code": str, "period": str})


def _close(value: float, target: float) -> bool:
    return abs(value / target - 1.0) <= TOL


# ---- history anchors -----------------------------------------------------------------------
def test_columns_and_types(history):
    assert list(history.columns[:4]) == ["region_code", "segment", "ds", "active"]
    assert pd.api.types.is_integer_dtype(history["active"])
    assert (history["active"] >= 0).all()


def test_full_panel_without_duplicates(history):
    regions = load_regions()
    leaves = set(regions.of_level("kabkota"))
    assert set(history["region_code"]) == leaves and len(leaves) == 514
    assert set(history["segment"]) == {"PU", "BPU", "JAKON", "PMI"}
    assert sorted(set(history["ds"])) == MONTHS and len(MONTHS) == 90
    assert len(history) == 514 * 4 * 90
    assert not history.duplicated(["region_code", "segment", "ds"]).any()


def test_national_dec_2023(history):
    dec = history[history["ds"] == "2023-12"]
    assert _close(dec["active"].sum(), 41_560_000)
    by_seg = dec.groupby("segment")["active"].sum()
    for seg, target in SEGMENTS_2023.items():
        assert _close(by_seg[seg], target), (seg, by_seg[seg])
    assert by_seg["PMI"] <= 50_000  # small by design


def test_province_anchors_dec_2023(history):
    by_prov = history[history["ds"] == "2023-12"].groupby("province")["active"].sum()
    assert len(PROVINCE_ACTIVE_2023) == 28
    for code, target in PROVINCE_ACTIVE_2023.items():
        assert _close(by_prov[code], target), (code, by_prov[code], target)
    assert by_prov["61"] == 729_270


def test_kanwil_kalimantan_dec_2024(history):
    dec = history[(history["ds"] == "2024-12") & history["province"].isin(["61", "62", "63", "64", "65"])]
    assert _close(dec["active"].sum(), 3_200_000)


def test_national_feb_2025_loose(history):
    total = history.loc[history["ds"] == "2025-02", "active"].sum()
    assert abs(total / 41_380_000 - 1.0) <= 0.03


def test_kalbar_subsidy_step(history):
    bpu = history[(history["province"] == "61") & (history["segment"] == "BPU")].groupby("ds")["active"].sum()
    assert bpu["2023-01"] - bpu["2022-12"] >= 26_373 * 0.8


# ---- workforce -----------------------------------------------------------------------------
def test_workforce_shape(workforce):
    regions = load_regions()
    assert list(workforce.columns) == ["region_code", "period", "employed", "estimate", "source"]
    assert set(workforce["region_code"]) == set(regions.codes)
    assert sorted(set(workforce["period"])) == [f"{y}-08" for y in range(2018, 2026)]
    assert not workforce.duplicated(["region_code", "period"]).any()
    assert (workforce["employed"] > 0).all()
    assert workforce.loc[workforce["estimate"] == 1, "source"].str.startswith("estimate:").all()


def test_workforce_sums(workforce):
    regions = load_regions()
    emp = workforce.set_index(["region_code", "period"])["employed"]
    leaves = workforce[workforce["region_code"].isin(regions.of_level("kabkota"))]
    prov_sum = leaves.assign(p=leaves["region_code"].str[:2]).groupby(["p", "period"])["employed"].sum()
    for (p, period), total in prov_sum.items():
        assert emp[(p, period)] == total, (p, period)
    provs = workforce[workforce["region_code"].isin(regions.of_level("provinsi"))]
    for period, total in provs.groupby("period")["employed"].sum().items():
        assert emp[("00", period)] == total, period


def test_workforce_public_rows_kept(workforce):
    emp = workforce.set_index(["region_code", "period"])
    assert emp.loc[("00", "2023-08"), "employed"] == 139_850_000
    assert emp.loc[("61", "2024-08"), "employed"] == 2_860_000
    assert emp.loc[("61.01", "2022-08"), "employed"] == 282_918
    assert emp.loc[("75", "2023-08"), "employed"] == 631_521
    for key in [("00", "2023-08"), ("61", "2024-08"), ("61.01", "2022-08"), ("62", "2021-08")]:
        assert emp.loc[key, "estimate"] == 0
    assert emp.loc[("00", "2025-08"), "estimate"] == 1
    assert (workforce["estimate"] == 0).sum() == 17


def test_active_not_above_employed(history, workforce):
    aug = history[history["ds"].str.endswith("-08")]
    leaf = aug.groupby(["region_code", "ds"])["active"].sum()
    prov = aug.groupby(["province", "ds"])["active"].sum()
    nat = aug.groupby("ds")["active"].sum()
    active = pd.concat([leaf, prov, pd.concat({"00": nat})]).rename("active")
    active.index.names = ["region_code", "period"]
    merged = active.reset_index().merge(workforce, on=["region_code", "period"], how="left")
    assert merged["employed"].notna().all()
    assert len(merged) == (514 + 38 + 1) * 7
    assert (merged["active"] <= merged["employed"]).all()
    cov = merged.set_index(["region_code", "period"])
    cov = cov["active"] / cov["employed"]
    assert 0.27 <= cov[("00", "2023-08")] <= 0.32
    assert 0.25 <= cov[("61", "2024-08")] <= 0.36


# ---- determinism ---------------------------------------------------------------------------
def test_regeneration_matches_files(history, workforce):
    regions = load_regions()
    fresh = make_illustrative_history(regions, seed=SEED)
    on_disk = history.drop(columns="province")
    pd.testing.assert_frame_equal(fresh.reset_index(drop=True), on_disk, check_dtype=False)
    fresh_wf = make_workforce(regions, on_disk)
    pd.testing.assert_frame_equal(fresh_wf.reset_index(drop=True), workforce, check_dtype=False)

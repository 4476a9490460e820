"""The bundled data files hold the public anchors they claim to hold.

history_illustrative.csv is ILLUSTRATIVE (synthetic); these tests check that its aggregates match
the public anchors it was calibrated to, that the workforce table adds up and keeps the public
BPS figures, and that ``python -m data_gen.synth`` regenerates the files exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_gen.synth import (
    ANCHORS,
    KALBAR_2024_11,
    MONTHS,
    PROVINCE_ACTIVE_2023,
    PROVINCE_ACTIVE_FEB_2025,
    SEED,
    fit_anchor,
    make_illustrative_history,
    make_workforce,
)
from simulator.regions import DATA_DIR, load_regions

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
    assert dec["active"].sum() == 41_560_000
    by_seg = dec.groupby("segment")["active"].sum()
    # reported BPU includes PMI (the three reported segments add up to the total)
    by_seg["BPU"] += by_seg["PMI"]
    for seg, target in SEGMENTS_2023.items():
        assert _close(by_seg[seg], target), (seg, by_seg[seg])


def test_province_anchors_dec_2023(history):
    by_prov = history[history["ds"] == "2023-12"].groupby("province")["active"].sum()
    assert len(PROVINCE_ACTIVE_2023) == 28
    for code, target in PROVINCE_ACTIVE_2023.items():
        assert by_prov[code] == target, (code, by_prov[code], target)


@pytest.mark.parametrize(
    "month, total",
    [
        ("2022-09", 35_684_564),
        ("2023-12", 41_560_000),
        ("2024-12", 45_220_000),
        ("2025-02", 41_380_000),
        ("2025-03", 40_200_000),
        ("2025-04", 39_700_000),
    ],
)
def test_national_totals_as_reported(history, month, total):
    assert history.loc[history["ds"] == month, "active"].sum() == total


def test_december_peak_and_first_quarter_drop(history):
    """Dec 2024 45,22 juta is the year's highest month; Q1 2025 falls to 39,7 juta in April."""
    total = history.groupby("ds")["active"].sum()
    assert total["2024-01":"2024-12"].idxmax() == "2024-12"
    assert total["2024-12"] > total["2025-01"] > total["2025-02"] > total["2025-03"] > total["2025-04"]


def test_feb_2025_segments_and_pmi(history):
    feb = history[history["ds"] == "2025-02"].groupby("segment")["active"].sum()
    assert _close(feb["PU"], 26_260_000) and _close(feb["JAKON"], 5_530_000)
    assert _close(feb["BPU"] + feb["PMI"], 9_580_000)
    apr = history[history["ds"] == "2025-04"].groupby("segment")["active"].sum()
    assert _close(apr["PMI"], 640_000)


def test_province_anchors_feb_2025_and_kalbar_nov_2024(history):
    by_prov = history[history["ds"] == "2025-02"].groupby("province")["active"].sum()
    assert len(PROVINCE_ACTIVE_FEB_2025) == 10
    for code, target in PROVINCE_ACTIVE_FEB_2025.items():
        assert by_prov[code] == target, (code, by_prov[code], target)
    kalbar = history[(history["ds"] == "2024-11") & (history["province"] == "61")]["active"].sum()
    assert kalbar == KALBAR_2024_11 == round(0.3535 * 0.78 * 2_860_000) == 788_588


def test_no_province_split_by_population_where_a_figure_exists(history):
    """Sulawesi Barat and Maluku have Feb 2025 figures only: their Dec 2023 level comes from those
    (within 15 %), not from a population share (Sulbar was 3,5x its figure that way)."""
    dec = history[history["ds"] == "2023-12"].groupby("province")["active"].sum()
    for code in ("76", "81"):
        assert abs(dec[code] / PROVINCE_ACTIVE_FEB_2025[code] - 1.0) < 0.15, (code, dec[code])


def test_no_artificial_falls(history):
    """No province falls from one December to the next in 2022-2024 (the earlier Kanwil pin forced
    -16..-19 % in four Kalimantan provinces in 2024), and outside January (the reported Q1 drop)
    no province moves more than 7 % in a month."""
    prov = history.groupby(["province", "ds"])["active"].sum().unstack()
    for year in (2022, 2023, 2024):
        growth = prov[f"{year}-12"] / prov[f"{year - 1}-12"] - 1.0
        assert (growth > 0).all(), growth[growth <= 0]
    moves = prov.pct_change(axis=1).iloc[:, 1:]
    later = moves[[c for c in moves.columns if not c.endswith("-01")]]
    assert later.abs().max().max() < 0.07


def test_kanwil_kalimantan_is_compared_not_pinned(history):
    """Kanwil Kalimantan reports 3.287.020 active in mid-Nov 2024; the Kemnaker province series is
    higher (another count): ours stays on the Kemnaker series, 10-20 % above the Kanwil figure."""
    nov = history[(history["ds"] == "2024-11") & history["province"].isin(["61", "62", "63", "64", "65"])]
    assert 1.10 <= nov["active"].sum() / 3_287_020 <= 1.20


def test_fit_anchor_by_hand():
    """Two provinces x two segments: row 0 fixed at 60, total 100, first column 70.
    Start [[10, 10], [20, 20]]: row 0 -> [30, 30]; the free row takes 40 -> [20, 20]; column 0
    -> 70 then rows again... converges to rows 60 / 40 and column 0 = 70."""
    x = fit_anchor(np.array([[10.0, 10.0], [20.0, 20.0]]), {0: 60.0}, 100.0, np.array([70.0, np.nan]))
    np.testing.assert_allclose(x.sum(axis=1), [60.0, 40.0], rtol=1e-9)
    np.testing.assert_allclose(x[:, 0].sum(), 70.0, rtol=1e-9)


def test_every_anchor_has_a_source():
    assert all(a.source for a in ANCHORS)


def test_kalbar_subsidy_step(history):
    bpu = history[(history["province"] == "61") & (history["segment"] == "BPU")].groupby("ds")["active"].sum()
    assert bpu["2023-01"] - bpu["2022-12"] >= 26_373 * 0.8


# ---- workforce -----------------------------------------------------------------------------
def test_workforce_shape(workforce):
    regions = load_regions()
    assert list(workforce.columns) == [
        "region_code",
        "period",
        "employed",
        "estimate",
        "source",
        "potential",
        "potential_source",
    ]
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
    assert emp.loc[("00", "2025-08"), "employed"] == 146_540_000  # BPS Aug 2025 (5 Nov 2025)
    assert emp.loc[("00", "2018-08"), "estimate"] == 1
    assert (workforce["estimate"] == 0).sum() == 18


def test_published_ucj_denominator(workforce):
    """Kalbar 2022: 1.786.809 potential workers (BPJS TK Pontianak) of 2.562.000 employed."""
    pot = workforce.dropna(subset=["potential"]).set_index(["region_code", "period"])
    assert pot["potential"].to_dict() == {("61", "2022-08"): 1_786_809}
    assert pot.loc[("61", "2022-08"), "potential_source"].startswith("BPJS TK Cabang Pontianak")
    from simulator.targets import denominator_factors

    f, notes = denominator_factors(["61", "61"], [2022, 2024], ["ucj", "ucj"], workforce)
    np.testing.assert_allclose(f, [1_786_809 / 2_562_000, 0.78])
    assert "published" in notes[0] and "assumption" in notes[1]


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
    assert 0.25 <= cov[("00", "2023-08")] <= 0.32
    assert 0.25 <= cov[("61", "2024-08")] <= 0.36


# ---- determinism ---------------------------------------------------------------------------
def test_regeneration_matches_files(history, workforce):
    regions = load_regions()
    fresh = make_illustrative_history(regions, seed=SEED)
    on_disk = history.drop(columns="province")
    pd.testing.assert_frame_equal(fresh.reset_index(drop=True), on_disk, check_dtype=False)
    fresh_wf = make_workforce(regions, on_disk)
    fresh_wf["potential_source"] = fresh_wf["potential_source"].replace("", np.nan)  # as pandas reads it
    pd.testing.assert_frame_equal(fresh_wf.reset_index(drop=True), workforce, check_dtype=False)

"""Scenario engine on a synthetic baseline: hand-checked numbers, coherence, cap, properties, files."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from baselines import ACTIVE_PER_LEAF, EMPLOYED_PER_LEAF, noisy, with_employed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.baseline import Baseline, fake_baseline
from simulator.engine import run_scenario
from simulator.errors import InputError
from simulator.regions import load_regions
from simulator.scenario import dump_scenario, load_scenario, parse_scenario
from simulator.targets import assess

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

KALBAR = "61"


@lru_cache(maxsize=4)
def flat_baseline(paths: int = 4, first: str = "2025-01", last: str = "2027-12") -> Baseline:
    """Identical flat paths: every kabupaten/kota has 50.000 active of 150.000 employed."""
    return fake_baseline(load_regions(), (first, last), paths, ACTIVE_PER_LEAF, EMPLOYED_PER_LEAF)


@lru_cache(maxsize=2)
def noisy_baseline() -> Baseline:
    return noisy(seed=3)


def scenario(levers: str, horizon: str = "2027-12", extra: str = ""):
    return parse_scenario(f"name: test\nhorizon: {horizon}\n{extra}levers:\n{levers}", source="test.yaml")


def subsidy(
    headcount: float = 26373,
    start: str = "2025-01",
    months: int = 12,
    ramp: int = 1,
    already: str = "0",
    retention: str = "0",
    lapse: str = "0",
    region: str = '"61"',
) -> str:
    return f"""  - kind: contribution_subsidy
    region: {region}
    headcount: {headcount}
    start: {start}
    months: {months}
    ramp_months: {ramp}
    already_covered: {already}
    retention_after: {retention}
    lapse: {lapse}
    payer: apbd_provinsi
"""


def added(result, code: str, month: str) -> np.ndarray:
    """Persons added over the baseline in region ``code`` at ``month``, per path."""
    base = flat_baseline(result.paths)
    r, t = result.index_of(code), result.months.get_loc(pd.Period(month, freq="M"))
    return result.active[r, :, t].astype(np.float64) - base.active[base.index_of(code), : result.paths, t]


# ---- hand-checked numbers -------------------------------------------------------------------------
def test_one_year_of_kalbar_subsidy_costs_5_316_796_800():
    result = run_scenario(flat_baseline(), scenario(subsidy(ramp=1)))
    cost = result.cost.set_index(["lever", "payer", "year"])["cost_idr"]
    assert cost.to_dict() == pytest.approx({("contribution_subsidy", "apbd_provinsi", 2025): 5_316_796_800.0})


def test_subsidy_cost_counts_enrolled_headcount_during_the_ramp():
    # ramp 3: N/3 + 2N/3 + 10 N = 11 N enrolled person-months in 2025
    result = run_scenario(flat_baseline(), scenario(subsidy(ramp=3)))
    np.testing.assert_allclose(result.cost["cost_idr"].to_numpy(), [11 * 26373 * 16800.0])
    np.testing.assert_allclose(added(result, KALBAR, "2025-02"), 26373 * 2 / 3, rtol=1e-6)


def test_subsidy_adds_uncovered_share_after_the_ramp_and_lifts_coverage():
    n, d = 26373, 0.1
    result = run_scenario(flat_baseline(), scenario(subsidy(headcount=n, ramp=3, already=str(d))))
    np.testing.assert_allclose(added(result, KALBAR, "2025-03"), (1 - d) * n, rtol=1e-6)
    np.testing.assert_allclose(added(result, KALBAR, "2025-12"), (1 - d) * n, rtol=1e-6)
    np.testing.assert_allclose(added(result, "00", "2025-06"), (1 - d) * n, atol=4)  # float32 at 2,6e7
    r, t = result.index_of(KALBAR), result.months.get_loc(pd.Period("2025-06", freq="M"))
    workforce = 14 * EMPLOYED_PER_LEAF  # Kalbar has 14 kabupaten/kota
    np.testing.assert_allclose(
        result.coverage[r, :, t], (14 * ACTIVE_PER_LEAF + (1 - d) * n) / workforce, rtol=1e-6
    )


def test_retention_after_the_subsidy_ends_decays_at_the_lapse_rate():
    n, d, r, lapse = 26373, 0.1, 0.35, 0.05
    result = run_scenario(
        flat_baseline(),
        scenario(subsidy(headcount=n, already=str(d), retention=str(r), lapse=str(lapse))),
    )
    for month, k in [("2025-12", None), ("2026-01", 0), ("2026-02", 1), ("2026-03", 2), ("2026-12", 11)]:
        if k is None:  # last subsidized month
            np.testing.assert_allclose(added(result, KALBAR, month), (1 - d) * n, rtol=1e-6)
            continue
        np.testing.assert_allclose(
            added(result, KALBAR, month), (1 - d) * n * r * (1 - lapse) ** k, rtol=1e-5
        )
    assert result.cost["year"].tolist() == [2025]  # nothing is paid after the end


# Distributions whose means are the hand-checked values: d = 0,1, r = 0,35, l = 0,05.
MEANS = dict(
    already="{dist: triangular, low: 0.0, mode: 0.1, high: 0.2}",
    retention="{dist: beta, a: 7, b: 13}",
    lapse="[0.04, 0.06]",
)


def test_uncertainty_off_subsidy_adds_exactly_the_uncovered_share_and_coverage_rises_by_it():
    n, d = 26373, 0.1
    result = run_scenario(flat_baseline(), scenario(subsidy(headcount=n, ramp=3, **MEANS)), uncertainty=False)
    workforce = 14 * EMPLOYED_PER_LEAF  # Kalbar: 14 kabupaten/kota of 150.000 employed
    base = flat_baseline()
    for month in ["2025-03", "2025-07", "2025-12"]:  # the ramp is complete from the third month
        np.testing.assert_allclose(added(result, KALBAR, month), (1 - d) * n, rtol=1e-6)
        np.testing.assert_allclose(added(result, "61.05", month), (1 - d) * n / 14, rtol=1e-6)  # even split
        t = result.months.get_loc(pd.Period(month, freq="M"))
        r, b = result.index_of(KALBAR), base.index_of(KALBAR)
        rise = result.coverage[r, :, t] - base.active[b, :4, t] / base.employed[b, :4, t]
        np.testing.assert_allclose(rise, (1 - d) * n / workforce, rtol=1e-5)
    np.testing.assert_allclose(added(result, KALBAR, "2025-02"), (1 - d) * n * 2 / 3, rtol=1e-6)


@pytest.mark.parametrize("month,k", [("2026-01", 0), ("2026-02", 1), ("2026-07", 6), ("2027-12", 23)])
def test_uncertainty_off_retention_then_lapse_leaves_the_decayed_share(month, k):
    n, d, r, lapse = 26373, 0.1, 0.35, 0.05
    result = run_scenario(flat_baseline(), scenario(subsidy(headcount=n, **MEANS)), uncertainty=False)
    np.testing.assert_allclose(added(result, KALBAR, month), (1 - d) * n * r * (1 - lapse) ** k, rtol=1e-5)
    np.testing.assert_allclose(added(result, KALBAR, "2025-12"), (1 - d) * n, rtol=1e-6)


def test_kalbar_village_officials_reach_24_552_after_the_ramp_desa_only():
    """2.046 desa (kelurahan excluded: no perangkat desa) x 15 x 0,8 = 24.552 persons."""
    levers = """  - kind: village_officials
    region: "61.*"
    officials_per_village: 15
    enrolled_share: 0.8
    start: 2025-07
    ramp_months: 6
"""
    result = run_scenario(flat_baseline(), scenario(levers))
    np.testing.assert_allclose(added(result, KALBAR, "2025-06"), 0.0)
    np.testing.assert_allclose(added(result, KALBAR, "2025-09"), 24_552 * 3 / 6, rtol=1e-6)
    np.testing.assert_allclose(added(result, KALBAR, "2025-12"), 24_552, rtol=1e-6)
    np.testing.assert_allclose(added(result, "61.01", "2026-06"), 195 * 15 * 0.8, rtol=1e-6)  # Sambas
    cost = result.cost.set_index("year")["cost_idr"]
    assert cost.loc[2026] == pytest.approx(24_552 * 16_800 * 12)
    assert result.cost["payer"].unique().tolist() == ["apbdes"]


def test_informal_outreach_stock_and_employer_compliance_by_hand():
    levers = """  - kind: informal_outreach
    region: "61.71"
    monthly_enrollments: 1000
    months: 3
    lapse: 0.1
    start: 2025-01
    payer: worker
  - kind: employer_compliance
    region: "61.72"
    workers: 1200
    ramp_months: 4
    start: 2025-01
"""
    result = run_scenario(flat_baseline(), scenario(levers))
    stock = [1000, 1900, 2710, 2439, 2195.1]
    for t, expected in enumerate(stock):
        np.testing.assert_allclose(added(result, "61.71", f"2025-0{t + 1}"), expected, rtol=1e-5)
    for t, expected in enumerate([300, 600, 900, 1200, 1200]):
        np.testing.assert_allclose(added(result, "61.72", f"2025-0{t + 1}"), expected, rtol=1e-6)
    outreach = result.cost[result.cost["lever"] == "informal_outreach"]["cost_idr"].sum()
    assert outreach == pytest.approx((1000 + 1900 + 2710) * 16800)
    assert result.cost["lever"].tolist() == ["informal_outreach"]  # compliance costs the state 0


def test_workforce_shock_moves_the_denominator_only():
    levers = """  - kind: workforce_shock
    region: "61"
    change: -0.02
    start: 2025-03
    ramp_months: 2
"""
    result = run_scenario(flat_baseline(), scenario(levers))
    r = result.index_of(KALBAR)
    np.testing.assert_allclose(
        result.employed[r, 0, :5], 14 * EMPLOYED_PER_LEAF * np.array([1, 1, 0.99, 0.98, 0.98])
    )
    np.testing.assert_allclose(result.active[r], 14 * ACTIVE_PER_LEAF)
    assert result.cost.empty


def test_a_shock_below_the_active_count_caps_active_at_the_new_workforce():
    levers = """  - kind: workforce_shock
    region: "61.71"
    change: -0.7
    start: 2025-03
"""
    result = run_scenario(flat_baseline(), scenario(levers))
    r, kalbar = result.index_of("61.71"), result.index_of(KALBAR)
    np.testing.assert_allclose(result.active[r, :, :2], ACTIVE_PER_LEAF)
    np.testing.assert_allclose(result.active[r, :, 2:], 0.3 * EMPLOYED_PER_LEAF)  # 45.000 < 50.000
    np.testing.assert_allclose(result.employed[r, :, 2:], 0.3 * EMPLOYED_PER_LEAF)
    np.testing.assert_allclose(result.active[kalbar, :, 2:], 13 * ACTIVE_PER_LEAF + 45_000)
    frame = result.contributions
    step = frame[(frame["region_code"] == KALBAR) & (frame["lever"] == "workforce_shock")]["persons"]
    np.testing.assert_allclose(step.to_numpy(), [0, 0] + [-5_000] * 34)


def test_a_shock_after_a_capping_subsidy_lowers_the_capped_active():
    levers = (
        subsidy(headcount=10_000_000, region='"61.71"', months=36)
        + """  - kind: workforce_shock
    region: "61.71"
    change: -0.5
    start: 2026-01
"""
    )
    # levers fill the leaf up to its potential workers (0,78 x 150.000 = 117.000); the shock halves
    # the workforce, so the cap becomes 0,78 x 75.000 = 58.500 and the shock takes 58.500 away
    result = run_scenario(flat_baseline(), scenario(levers))
    r = result.index_of("61.71")
    np.testing.assert_allclose(result.active[r, :, :12], 117_000, rtol=1e-6)
    np.testing.assert_allclose(result.active[r, :, 12:], 58_500, rtol=1e-6)
    steps = result.contributions[(result.contributions["region_code"] == "61.71")].pivot(
        index="month", columns="lever", values="persons"
    )
    np.testing.assert_allclose(steps["contribution_subsidy"], 117_000 - ACTIVE_PER_LEAF, rtol=1e-6)
    np.testing.assert_allclose(steps["workforce_shock"], [0] * 12 + [-58_500] * 24, rtol=1e-6)
    assert np.all(result.active <= result.employed * (1 + 1e-6))
    # cap_share=1 caps at BPS employed, as before potential workers were the cap
    at_employed = run_scenario(flat_baseline(), scenario(levers), cap_share=1.0)
    np.testing.assert_allclose(at_employed.active[r, :, :12], EMPLOYED_PER_LEAF)
    np.testing.assert_allclose(at_employed.active[r, :, 12:], 0.5 * EMPLOYED_PER_LEAF)


def test_subsidy_for_a_province_is_split_by_uncovered_workers():
    # Sambas has twice the uncovered workers of every other Kalbar kabupaten/kota.
    tree = load_regions()
    employed = {c: EMPLOYED_PER_LEAF for c in tree.of_level("kabkota")}
    employed["61.01"] = 250_000.0
    base = fake_baseline(tree, ("2025-01", "2025-12"), 2, ACTIVE_PER_LEAF, employed)
    result = run_scenario(base, scenario(subsidy(headcount=15_000), horizon="2025-12"))
    gain = result.active[:, 0, 5] - base.active[:, 0, 5]
    np.testing.assert_allclose(gain[result.index_of("61.01")], 2_000, rtol=1e-6)
    np.testing.assert_allclose(gain[result.index_of("61.02")], 1_000, rtol=1e-6)
    np.testing.assert_allclose(gain[result.index_of("62.01")], 0.0)


# ---- structure ------------------------------------------------------------------------------------
def test_result_is_coherent_in_every_path_and_month():
    tree = load_regions()
    text = subsidy(already="[0.05, 0.2]", retention="{dist: beta, a: 2, b: 5}", lapse="[0.01, 0.1]")
    text += subsidy(headcount=300_000, region='"00"', start="2025-06", months=6, ramp=3, already="0.1")
    result = run_scenario(noisy_baseline(), scenario(text), seed=7)
    for parent in ["00", *tree.of_level("provinsi")]:
        kids = [result.index_of(c) for c in tree.children(parent)]
        np.testing.assert_allclose(
            result.active[result.index_of(parent)],
            result.active[kids].astype(np.float64).sum(axis=0),
            rtol=1e-6,
        )
        np.testing.assert_allclose(
            result.employed[result.index_of(parent)],
            result.employed[kids].astype(np.float64).sum(axis=0),
            rtol=1e-6,
        )
    assert result.active.shape == (len(tree.codes), 6, 36) and result.active.dtype == np.float32
    assert list(result.regions) == tree.codes
    assert result.months[0] == pd.Period("2025-01", freq="M") and result.months[-1] == pd.Period(
        "2027-12", freq="M"
    )


def test_active_is_capped_at_the_potential_workers_at_kabupaten_kota():
    # a huge subsidy fills Kota Pontianak to its potential workers, employed x 0,78 (ASN, TNI and
    # Polri are outside the levers' reach): 117.000, so UCJ coverage 117.000 / 117.000 = 100 %
    result = run_scenario(flat_baseline(), scenario(subsidy(headcount=10_000_000, region='"61.71"')))
    r, kalbar = result.index_of("61.71"), result.index_of(KALBAR)
    np.testing.assert_allclose(result.active[r, :, :12], 117_000, rtol=1e-6)
    np.testing.assert_allclose(result.active[kalbar, :, :12], 13 * ACTIVE_PER_LEAF + 117_000, rtol=1e-6)
    assert np.nanmax(result.coverage) <= 0.78 + 1e-6
    assert np.nanmax(result.coverage[r] / 0.78) <= 1.0 + 1e-6


def test_levers_never_remove_members_above_the_potential_workers():
    # a leaf already above its potential workers (active 130.000 of 150.000 employed > 117.000)
    # gets no lever persons, and keeps every member it has
    tree = load_regions()
    active = {c: ACTIVE_PER_LEAF for c in tree.of_level("kabkota")}
    active["61.71"] = 130_000.0
    base = fake_baseline(tree, ("2025-01", "2025-12"), 2, active, EMPLOYED_PER_LEAF)
    result = run_scenario(base, scenario(subsidy(headcount=5_000, region='"61.71"'), horizon="2025-12"))
    np.testing.assert_allclose(result.active[result.index_of("61.71")], 130_000)


@pytest.mark.parametrize("share", [0.0, -0.1, 1.5, float("nan")])
def test_a_cap_share_outside_zero_to_one_is_refused(share):
    with pytest.raises(InputError, match="cap_share"):
        run_scenario(flat_baseline(), scenario(subsidy(headcount=1_000, region='"61.71"')), cap_share=share)


def test_horizon_truncates_and_paths_take_the_first_ones():
    base = noisy_baseline()
    result = run_scenario(base, scenario(subsidy(), horizon="2026-06"), paths=3)
    assert result.active.shape == (len(base.regions), 3, 18)
    np.testing.assert_array_equal(result.employed, base.employed[:, :3, :18])


def test_waterfall_adds_up_to_the_median_scenario():
    text = subsidy(already="[0.05, 0.2]", retention="0.3", lapse="0.05")
    text += """  - kind: village_officials
    region: "61.*"
    officials_per_village: 15
    enrolled_share: [0.6, 0.9]
    start: 2025-07
    ramp_months: 6
"""
    result = run_scenario(noisy_baseline(), scenario(text), seed=1)
    frame = result.contributions
    assert frame.columns.tolist() == ["region_code", "month", "lever", "segment", "persons"]
    assert frame["lever"].unique().tolist() == ["baseline", "contribution_subsidy", "village_officials"]
    assert frame.drop_duplicates("lever")["segment"].tolist() == ["ALL", "BPU", "PU"]
    total = frame.groupby(["region_code", "month"], sort=False)["persons"].sum()
    median = np.median(result.active, axis=1)
    expected = pd.Series(
        median.reshape(-1), index=pd.MultiIndex.from_product([result.regions, result.months])
    )
    np.testing.assert_allclose(total.to_numpy(), expected.loc[total.index].to_numpy(), rtol=1e-5)
    kalbar = frame[(frame["region_code"] == KALBAR) & (frame["month"] == pd.Period("2026-01", freq="M"))]
    assert kalbar.set_index("lever").loc["village_officials", "persons"] > 15_000


def test_waterfall_for_some_regions_and_months_equals_those_rows_of_the_whole():
    # computed on its own (a fresh result) and after the whole frame (sliced from it)
    s = scenario(EVERY_KIND)
    codes, months = ["61.71", KALBAR, "61.01"], ["2025-03", "2026-12", "2025-01"]
    part = run_scenario(noisy_baseline(), s, seed=2).waterfall(codes, months)
    whole_result = run_scenario(noisy_baseline(), s, seed=2)
    whole = whole_result.contributions.set_index(["region_code", "month", "lever"])["persons"]
    key = pd.MultiIndex.from_arrays([part["region_code"], part["month"], part["lever"]])
    assert len(part) == len(codes) * len(months) * len(whole_result.labels)
    np.testing.assert_array_equal(part["persons"].to_numpy(), whole.loc[key].to_numpy())
    pd.testing.assert_frame_equal(whole_result.waterfall(codes, months), part)


@pytest.mark.parametrize(
    "codes, months, message",
    [
        (["61"], ["2031-01"], "month 2031-01 is not in the projection (2025-01 to 2027-12)"),
        (["61"], ["januari"], "month januari is not in the projection"),
        (["99.99"], ["2025-01"], "unknown region code '99.99'"),
    ],
)
def test_waterfall_of_an_unknown_region_or_month_is_refused(codes, months, message):
    result = run_scenario(flat_baseline(), scenario(subsidy()))
    with pytest.raises(InputError, match=re.escape(message)):
        result.waterfall(codes, months)


# ---- properties -----------------------------------------------------------------------------------
UNCERTAIN = dict(already="[0.0, 0.3]", retention="[0.2, 0.5]", lapse="[0.01, 0.08]")


@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(low=st.integers(0, 400_000), extra=st.integers(0, 400_000), seed=st.integers(0, 3))
def test_more_headcount_never_lowers_coverage(low, extra, seed):
    runs = [
        run_scenario(noisy_baseline(), scenario(subsidy(headcount=n, ramp=2, **UNCERTAIN)), seed=seed)
        for n in (low, low + extra)
    ]
    assert np.all(runs[1].coverage >= runs[0].coverage - 1e-6)


@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(first=st.integers(0, 10), delay=st.integers(0, 10), target=st.floats(0.34, 0.40))
def test_later_start_never_reaches_the_target_sooner(first, delay, target):
    months = pd.period_range("2025-01", periods=24, freq="M")
    targets = pd.DataFrame({"region_code": [KALBAR], "year": [2026], "coverage": [target]})
    crossing = []
    for start in (months[first], months[first + delay]):
        result = run_scenario(flat_baseline(), scenario(subsidy(headcount=120_000, start=str(start), ramp=3)))
        crossing.append(assess(result, targets)["first_month"].iloc[0])
    if pd.isna(crossing[0]):
        assert pd.isna(crossing[1])
    else:
        assert pd.isna(crossing[1]) or crossing[1] >= crossing[0]


def test_same_seed_gives_identical_results_and_another_seed_differs():
    s = scenario(subsidy(**UNCERTAIN))
    a, b, c = (run_scenario(noisy_baseline(), s, seed=seed) for seed in (5, 5, 6))
    np.testing.assert_array_equal(a.active, b.active)
    pd.testing.assert_frame_equal(a.cost, b.cost)
    pd.testing.assert_frame_equal(a.contributions, b.contributions)
    assert not np.array_equal(a.active, c.active)


EVERY_KIND = (
    subsidy(already="[0.05, 0.2]", retention="{dist: beta, a: 2, b: 5}", lapse="[0.01, 0.1]", ramp=3)
    + subsidy(headcount=10_000_000, region='"61.71"', start="2025-06", months=6)
    + """  - kind: village_officials
    region: "61.*"
    officials_per_village: 15
    enrolled_share: [0.6, 0.9]
    start: 2025-07
    ramp_months: 6
  - kind: employer_compliance
    region: ["61.72", "62"]
    workers: 12000
    ramp_months: 4
    start: 2025-02
  - kind: informal_outreach
    region: "61.01"
    monthly_enrollments: 1000
    months: 6
    lapse: [0.02, 0.1]
    start: 2024-11
    payer: worker
  - kind: workforce_shock
    region: "61"
    change: -0.02
    start: 2025-09
    ramp_months: 3
"""
)


def rows_of(result, codes) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    idx = [result.index_of(c) for c in codes]
    contributions = result.contributions[result.contributions["region_code"].isin(codes)].reset_index(
        drop=True
    )
    return result.active[idx], result.employed[idx], contributions


@lru_cache(maxsize=1)
def full_run():
    return run_scenario(noisy_baseline(), scenario(EVERY_KIND), seed=11)


@pytest.mark.parametrize(
    "subset",
    [["61"], ["00", "61.71"], ["11", "61.01", "62.01", "61"], ["62"], []],
    ids=["Kalbar", "nation+capped kab", "mixed", "untouched province", "none"],
)
def test_reported_regions_give_exactly_the_rows_of_the_full_run(subset):
    full = full_run()
    part = run_scenario(noisy_baseline(), scenario(EVERY_KIND), seed=11, regions=subset)
    tree = load_regions()
    assert list(part.regions) == [c for c in tree.codes if c in subset]  # tree order
    for mine, theirs in zip(rows_of(part, part.regions), rows_of(full, part.regions), strict=True):
        if isinstance(mine, pd.DataFrame):
            pd.testing.assert_frame_equal(mine, theirs)
        else:
            np.testing.assert_array_equal(mine, theirs)
    pd.testing.assert_frame_equal(part.cost, full.cost)
    assert part.active.dtype == part.employed.dtype == np.float32


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(picks=st.lists(st.integers(0, 552), min_size=1, max_size=6, unique=True))
def test_any_subset_of_regions_gives_the_full_runs_rows(picks):
    codes = [load_regions().codes[i] for i in picks]
    part = run_scenario(noisy_baseline(), scenario(EVERY_KIND), seed=11, regions=codes)
    full = full_run()
    for code in codes:
        np.testing.assert_array_equal(part.active[part.index_of(code)], full.active[full.index_of(code)])
        np.testing.assert_array_equal(part.employed[part.index_of(code)], full.employed[full.index_of(code)])


def test_levers_outside_the_reported_regions_change_nothing_there():
    elsewhere = """  - kind: contribution_subsidy
    label: Kalteng
    region: "62"
    headcount: 50000
    months: 12
    start: 2025-01
    already_covered: [0.0, 0.3]
    payer: apbd_provinsi
  - kind: contribution_subsidy
    label: Banjarmasin (capped)
    region: "63.71"
    headcount: 10000000
    months: 36
    start: 2025-01
    payer: apbd_kabkota
  - kind: workforce_shock
    label: Kalsel shock
    region: "63"
    change: -0.6
    start: 2025-04
"""
    kalbar = [KALBAR, *load_regions().descendants(KALBAR)]
    alone = run_scenario(noisy_baseline(), scenario(EVERY_KIND), seed=11, regions=kalbar)
    more = run_scenario(noisy_baseline(), scenario(EVERY_KIND + elsewhere), seed=11, regions=kalbar)
    np.testing.assert_array_equal(more.active, alone.active)
    np.testing.assert_array_equal(more.employed, alone.employed)
    mine = more.contributions[more.contributions["lever"].isin(alone.contributions["lever"].unique())]
    pd.testing.assert_frame_equal(mine.reset_index(drop=True), alone.contributions)
    theirs = more.contributions[~more.contributions["lever"].isin(alone.contributions["lever"].unique())]
    assert len(theirs) == 3 * len(kalbar) * 36 and (theirs["persons"] == 0).all()
    pd.testing.assert_frame_equal(more.cost.iloc[: len(alone.cost)], alone.cost)  # their own rows come after
    # and the nation, which holds both, does see them
    nation = run_scenario(noisy_baseline(), scenario(EVERY_KIND + elsewhere), seed=11, regions=["00"])
    assert not np.array_equal(nation.active, full_run().active[[0]])


@settings(max_examples=5, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), headcount=st.integers(0, 2_000_000))
def test_same_seed_same_result_property(seed, headcount):
    s = scenario(subsidy(headcount=headcount, **UNCERTAIN) + EVERY_KIND)
    a, b = (run_scenario(noisy_baseline(), s, seed=seed) for _ in range(2))
    np.testing.assert_array_equal(a.active, b.active)
    np.testing.assert_array_equal(a.employed, b.employed)
    pd.testing.assert_frame_equal(a.contributions, b.contributions)
    pd.testing.assert_frame_equal(a.cost, b.cost)


def test_lever_effects_are_weights_times_a_path_profile():
    from simulator.levers import contribution_subsidy, village_officials

    offset = np.arange(-2, 10)
    d, r, lapse = np.array([0.1, 0.2]), np.array([0.5, 0.3]), np.array([0.05, 0.0])
    effect = contribution_subsidy(1200.0, 6, 3, offset, np.array([0.25, 0.75]), d, r, lapse, 16800.0)
    assert effect.persons.shape == (2, 2, 12) and effect.persons.dtype == np.float32
    np.testing.assert_allclose(
        effect.persons, 0.0 + effect.weights[:, None, None] * effect.per_path[None], rtol=1e-7
    )
    np.testing.assert_allclose(effect.per_path[0, 2:5], 0.9 * 1200 * np.array([1, 2, 3]) / 3)
    np.testing.assert_allclose(effect.per_path[1, 8:], 0.8 * 1200 * 0.3)  # lapse 0: retention stays
    village = village_officials(
        np.array([195.0, 10.0]), 15.0, np.array([0.8]), 1, None, np.arange(3), 16800.0
    )
    np.testing.assert_allclose(village.persons[:, 0, 0], [195 * 15 * 0.8, 10 * 15 * 0.8], rtol=1e-6)


def test_uncertainty_off_uses_the_means():
    result = run_scenario(flat_baseline(), scenario(subsidy(already="[0.0, 0.2]")), uncertainty=False)
    np.testing.assert_allclose(added(result, KALBAR, "2025-05"), 0.9 * 26373, rtol=1e-6)


# ---- targets --------------------------------------------------------------------------------------
def test_assess_probability_gap_first_month_and_status():
    result = run_scenario(
        flat_baseline(), scenario(subsidy(headcount=300_000, ramp=6, start="2025-01", months=36))
    )
    targets = pd.DataFrame(
        {
            "region_code": [KALBAR, KALBAR, "00", KALBAR],
            "year": [2025, 2026, 2025, 2031],
            "coverage": [0.40, 0.50, 0.40, 0.5],
        }
    )
    out = assess(result, targets)
    assert len(out) == 3  # 2031 lies beyond the horizon
    kalbar = out.iloc[0]
    coverage = (700_000 + 300_000) / 2_100_000
    assert kalbar["median"] == pytest.approx(coverage, rel=1e-6)
    assert kalbar["probability"] == 1.0 and kalbar["status"] == "on track"
    assert kalbar["deadline"] == pd.Period("2025-12", freq="M")
    # month i of the ramp: (700.000 + 50.000 (i + 1)) / 2.100.000 >= 0,40 from i = 2 (2025-03)
    assert kalbar["first_month"] == pd.Period("2025-03", freq="M")
    assert kalbar["gap_persons"] == 0.0
    miss = out.iloc[1]
    assert miss["probability"] == 0.0 and miss["status"] == "off track" and pd.isna(miss["first_month"])
    assert miss["gap_persons"] == pytest.approx(0.5 * 2_100_000 - 1_000_000, rel=1e-6)


def test_assess_equals_a_row_by_row_reference_with_missing_coverage():
    # a noisy run; one region's workforce set to 0 in some paths and months (coverage NaN there)
    base = noisy_baseline()
    employed = base.employed.copy()
    k = base.regions.index("61.72")
    employed[k, :3, :5] = 0.0
    base = with_employed(base, employed)
    result = run_scenario(base, scenario(subsidy(headcount=120_000, ramp=3, **UNCERTAIN)), seed=3)
    targets = pd.DataFrame(
        {
            "region_code": ["61.72", KALBAR, "00", KALBAR, "61.72", "61.01"],
            "year": [2025, 2026, 2025, 2031, 2027, 2025],
            "coverage": [0.30, 0.36, 0.33, 0.5, 0.2, 0.9],
        }
    )
    out = assess(result, targets)
    assert out["region_code"].tolist() == ["61.72", KALBAR, "00", "61.72", "61.01"]
    for row in out.itertuples():
        r, t = result.index_of(row.region_code), result.months.get_loc(row.deadline)
        cov = result.coverage[r, :, t]
        assert row.probability == (np.nan_to_num(cov, nan=-np.inf) >= row.target).mean()
        assert row.median == np.nanmedian(cov)
        assert (row.p10, row.p90) == (np.nanquantile(cov, 0.1), np.nanquantile(cov, 0.9))
        path = np.nanmedian(result.coverage[r], axis=0)
        crossed = np.flatnonzero(path >= row.target)
        assert row.first_month == result.months[crossed[0]] if len(crossed) else pd.isna(row.first_month)
        gap = row.target * float(np.median(result.employed[r, :, t])) - float(
            np.median(result.active[r, :, t])
        )
        assert row.gap_persons == max(0.0, gap)
    assert np.isnan(result.coverage[result.index_of("61.72"), :3, 4]).all()  # the NaN case is exercised


def test_assess_uses_the_last_month_when_the_year_ends_after_the_horizon():
    result = run_scenario(flat_baseline(), scenario("  []\n", horizon="2026-06"))
    out = assess(result, pd.DataFrame({"region_code": ["00"], "year": [2026], "coverage": [0.3]}))
    assert out["deadline"].tolist() == [pd.Period("2026-06", freq="M")]
    assert out["status"].tolist() == ["on track"]


# ---- scenario files -------------------------------------------------------------------------------
@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_scenario_file_loads_round_trips_and_runs(path):
    tree = load_regions()
    loaded = load_scenario(path)
    assert parse_scenario(dump_scenario(loaded)) == loaded
    for lever in loaded.levers:
        assert lever.reference, f"{path.name}: lever {lever.kind} has no reference"
    base = fake_baseline(tree, ("2025-01", "2030-06"), 3, ACTIVE_PER_LEAF, EMPLOYED_PER_LEAF, noise=0.01)
    result = run_scenario(base, loaded, tree=tree)
    assert result.months[-1] == loaded.horizon
    # levers only add persons, except a running programme stopped or cut: it loses at most its members
    lost = sum(
        lv.headcount * (1 - lv.scale) for lv in loaded.levers if lv.kind == "programme" and lv.scale < 1
    )
    assert np.all(result.active >= base.active[:, :, : len(result.months)] - 16.0 - lost)  # float32 rounding
    assert (result.cost["cost_idr"] > 0).all()
    targets = loaded.targets_frame()
    if targets is not None:
        assert len(assess(result, targets)) == len(targets)


def test_scenario_files_exist():
    names = {p.name for p in SCENARIOS.glob("*.yaml")}
    assert {
        "baseline.yaml",
        "kalbar-subsidy-2025.yaml",
        "kalbar-village-officials.yaml",
        "kalbar-pergub-2025.yaml",
        "national-plan.yaml",
    } <= names


def test_dump_then_load_gives_the_same_scenario_for_every_kind():
    text = subsidy(already="{dist: triangular, low: 0.0, mode: 0.1, high: 0.3}", retention="[0.2, 0.4]")
    text += """  - kind: village_officials
    label: Desa
    region: ["61.*", "Kota Singkawang", 62]
    officials_per_village: 12.5
    enrolled_share: {dist: beta, a: 8, b: 2}
    start: 2025-07
    end: 2026-06
  - kind: employer_compliance
    region: Kalbar
    workers: 1000
    start: 2026-01
  - kind: informal_outreach
    region: "61.71"
    monthly_enrollments: 250
    months: 6
    payer: worker
    start: 2025-02
  - kind: workforce_shock
    region: "00"
    change: -0.02
    start: 2026-01
    ramp_months: 0
"""
    extra = (
        "description: all kinds\ntargets:\n"
        "  - {region: Kalbar, year: 2026, coverage: 0.5956, source: Pergub}\n"
    )
    loaded = scenario(text, extra=extra)
    assert loaded.levers[1].region == ("61.*", "61.72", "62") and loaded.levers[1].months == 12
    assert loaded.levers[2].region == ("61",) and loaded.levers[2].payer == "employer"
    again = parse_scenario(dump_scenario(loaded), source="test.yaml")
    assert again == loaded
    assert dump_scenario(again) == dump_scenario(loaded)
    assert loaded.targets_frame()[["region_code", "year", "coverage"]].values.tolist() == [
        ["61", 2026, 0.5956]
    ]

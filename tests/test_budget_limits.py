"""Budget answers within eligible pools and enrolment capacity, sustained through later targets, and
the two allocate objectives: every expected figure computed by hand on small fake baselines."""

from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest
from lever_templates import subsidy as template

from simulator.baseline import Baseline, aggregate, fake_baseline, summing_matrix
from simulator.budget import allocate, frontier, solve
from simulator.budget.words import solve_lines
from simulator.engine import desa_counts
from simulator.regions import load_regions

ACTIVE, EMPLOYED = 50_000.0, 150_000.0


@lru_cache(maxsize=1)
def tree():
    return load_regions()


@lru_cache(maxsize=1)
def flat() -> Baseline:
    return fake_baseline(tree(), ("2025-01", "2026-12"), 4, ACTIVE, EMPLOYED)


def sambas(coverage: float, lever: dict | None = None, **options):
    """``solve`` for Kabupaten Sambas (61.01) by Dec 2025 at 80 % on the flat baseline without
    uncertainty; ``lever`` defaults to ``subsidy()``; ``options`` are solve's keywords."""
    lever = subsidy() if lever is None else lever
    return solve(flat(), lever, "61.01", coverage, "2025-12", 0.8, tree=tree(), uncertainty=False, **options)


def subsidy(**keys) -> dict:
    return template(**{"kind": "subsidy", **keys})  # the short kind name, as users type it


def test_a_pool_that_binds_caps_the_answer_and_says_so():
    # pool of 61.01: 0,5795 x 150.000 - 0,2211 x 50.000 = 75.870 uncovered non-wage workers; with 10 %
    # deadweight at most 75.870 / 0,9 = 84.300 subsidised. 0,90 needs 85.000 more persons: beyond it.
    sol = sambas(0.90, capacity=math.inf, cap_share=1.0)  # BPS employed as the cap: the pool binds first
    assert sol.pool == pytest.approx(75_870 / 0.9)
    assert not sol.reachable and sol.limit == "pool" and sol.size is None
    assert sol.best["size"] == 84_300 and sol.best["probability"] == 0.0
    assert sol.best["median"] == pytest.approx((50_000 + 0.9 * 84_300) / 150_000, abs=1e-6)
    lines = solve_lines(sol, "Kabupaten Sambas")
    assert lines[0] == "tidak tercapai: kelompok sasaran (pool) habis (butuh 94.445, pool 84.300)"
    text = "\n".join(lines)  # Indonesian formats only: no "2,262,047", no "P = 0.083"
    assert not re.search(r"\d,\d{3}\b|P = |\d\.\d+ ?%", text) and "83,91 %" in text
    # 0,80 needs 70.000 persons: 77.778 subsidised, within the pool
    ok = sambas(0.80, capacity=math.inf, cap_share=1.0)
    assert ok.reachable and ok.size == 77_778
    # BPU share from the history (50 % of active): pool 86.925 - 25.000 = 61.925 persons
    own = sambas(0.80, capacity=math.inf, bpu_share={"61.01": 0.5}, cap_share=1.0)
    assert own.pool == pytest.approx(61_925 / 0.9) and own.limit == "pool"


def test_capacity_that_binds_spreads_enrolment_over_months():
    # 0,36 of 61.01 needs 4.000 persons: 4.445 subsidised; 1.000 a month enrol them in 5 months
    sol = sambas(0.36, lever=subsidy(months=12), capacity=1_000, pool=math.inf)
    assert sol.reachable and sol.size == 4_445 and sol.ramp_months == 5 and sol.months == 12
    assert all(lv.ramp_months == 5 for lv in sol.plan.levers)
    # paid as enrolled: 0,2 + 0,4 + 0,6 + 0,8 + 8 x 1 = 10 full months of 4.445 x Rp16.800
    assert sol.budget_idr == pytest.approx(4_445 * 16_800 * 10)
    assert sol.envelope_idr == pytest.approx(4_445 * 16_800 * 12)
    # by March (3 months) at most 3.000 enrolled, 2.700 persons: the deadline is too close
    close = solve(
        flat(),
        subsidy(months=12),
        "61.01",
        0.36,
        "2025-03",
        0.8,
        tree=tree(),
        uncertainty=False,
        capacity=1_000,
        pool=math.inf,
    )
    assert not close.reachable and close.limit == "capacity"
    assert close.best["size"] == 3_000 and close.best["ramp_months"] == 3


def test_the_potential_workers_bound_what_any_plan_can_reach():
    # levers fill 61.01 up to its potential workers, 0,78 x 150.000 = 117.000: a 0,90 target (135.000
    # active) is out of reach whatever the pool, and the best plan's median is 117.000 / 150.000
    sol = sambas(0.90, capacity=math.inf)
    assert not sol.reachable and sol.limit == "workforce" and sol.best["probability"] == 0.0
    assert sol.best["median"] == pytest.approx(0.78, abs=1e-6)
    assert "pekerja potensial" in solve_lines(sol, "Kabupaten Sambas")[0]


def test_a_sustained_target_needs_a_longer_funding_period():
    targets = pd.DataFrame(
        {"region_code": ["61.01", "61.01"], "year": [2025, 2026], "coverage": [0.36, 0.36]}
    )
    alone = sambas(0.36, capacity=math.inf, pool=math.inf, targets=targets, sustain=False)
    assert alone.size == 4_445 and alone.months == 12
    # with no retention, persons funded to Dec 2025 are gone in 2026: funding runs to Dec 2026
    kept = sambas(0.36, capacity=math.inf, pool=math.inf, targets=targets)
    assert kept.sustained and kept.size == 4_445 and kept.months == 24
    assert kept.budget_idr == pytest.approx(4_445 * 16_800 * 24)
    assert kept.years["year"].tolist() == [2025, 2026] and kept.years["reached"].all()
    # participant-years: 4.000 persons for 24 months = 8.000 (4.000,5 with the rounding to whole persons)
    assert kept.participant_years == pytest.approx(4_445 * 0.9 * 2, rel=1e-6)
    # a 2026 target beyond the pool: 2025 is met, 2026 fails and says why
    high = targets.assign(coverage=[0.36, 0.95])
    part = sambas(0.36, capacity=math.inf, targets=high, cap_share=1.0)
    assert part.reachable and not part.sustained
    assert part.years.set_index("year").loc[2026, "limit"] == "pool"


def test_a_kota_without_desa_and_the_village_lever():
    assert desa_counts(tree(), ["61.71"])[0] == 0  # Kota Pontianak: kelurahan only
    sol = solve(flat(), "village", "61.71", 0.36, "2025-12", 0.8, tree=tree(), uncertainty=False)
    assert not sol.reachable and sol.limit == "pool" and sol.pool == 0
    assert "hanya kelurahan, tanpa desa" in solve_lines(sol, "Kota Pontianak")[0]
    assert sol.combination is not None and sol.combination["kinds"][0] == "contribution_subsidy"
    # Sambas: desa x 15 officials (none enrolled yet) is the pool; at most 15 per desa
    desa = desa_counts(tree(), ["61.01"])[0]
    sambas = solve(flat(), "village", "61.01", 0.34, "2025-12", 0.8, tree=tree(), uncertainty=False)
    assert sambas.pool == desa * 15
    assert sambas.reachable and sambas.officials_per_village <= 15


def _two_path_baseline() -> Baseline:
    """61.01: 100.000 employed, 99.000 active in path 1 and 90.000 in path 2; 61.02: 50.000 of 100.000."""
    codes, leaves, s = summing_matrix(tree())
    months = pd.period_range("2025-01", "2025-12", freq="M")
    act = np.full((len(leaves), 2, len(months)), ACTIVE, dtype=np.float32)
    emp = np.full((len(leaves), 2, len(months)), EMPLOYED, dtype=np.float32)
    i, j = leaves.index("61.01"), leaves.index("61.02")
    emp[i], emp[j] = 100_000, 100_000
    act[i, 0], act[i, 1], act[j] = 99_000, 90_000, 50_000
    return Baseline(
        regions=codes,
        months=months,
        active=aggregate(s, act),
        employed=aggregate(s, emp),
        last_observed=months[0] - 1,
    )


def test_the_two_objectives_differ_where_they_should():
    base, unit = _two_path_baseline(), 16_800 * 6
    keys = dict(
        tree=tree(),
        uncertainty=False,
        target=0.95,
        deadline="2025-06",
        capacity=math.inf,
        pool=math.inf,
        cap_share=1.0,
    )
    # 61.01 needs 5.556 (path 2 lacks 5.000 persons), but in path 1 only 1.000 fit: 3.000 expected
    regions = allocate(base, 5_556 * unit, ["61.01", "61.02"], subsidy(months=6), "regions", **keys)
    assert regions.table["size"].tolist() == [5_556, 0] and regions.regions_reached == 1
    assert regions.expected_new_persons == pytest.approx((1_000 + 0.9 * 5_556) / 2)
    # the same money in 61.02 adds 0,9 per person in both paths: 5.000, and no region reaches
    workers = allocate(base, 5_556 * unit, ["61.01", "61.02"], subsidy(months=6), "workers", **keys)
    assert workers.expected_new_persons == pytest.approx(0.9 * 5_556, rel=1e-4)
    assert workers.regions_reached == 0 and workers.table["size"].iloc[0] <= 1_112


def test_frontier_is_what_allocate_gives_a_region():
    base = _two_path_baseline()
    front = frontier(
        base,
        ["61.01", "61.02"],
        subsidy(months=6),
        deadline="2025-06",
        target=0.95,
        tree=tree(),
        uncertainty=False,
        capacity=math.inf,
        pool=math.inf,
        cap_share=1.0,
    )
    assert len(front) == 40 and front.groupby("region_code")["level"].max().tolist() == [19, 19]
    a = front[front["region_code"] == "61.01"]
    assert a["probability"].is_monotonic_increasing and a["expected_new_persons"].is_monotonic_increasing
    np.testing.assert_allclose(a["cost_idr"], a["size"] * 16_800 * 6)
    # past 1.112 subsidised, path 1 adds nothing more: money buys half as much there
    reach = a[a["reached"]]
    assert reach["size"].min() >= 5_556

"""Paths computed on request: a part equals those rows and months of the whole, exactly."""

from __future__ import annotations

from functools import cache, lru_cache

import numpy as np
import pandas as pd
import pytest
from baselines import ACTIVE_PER_LEAF, EMPLOYED_PER_LEAF, with_employed
from baselines import noisy as noisy_baseline

from simulator.baseline import Baseline, fake_baseline
from simulator.engine import run_scenario
from simulator.errors import InputError
from simulator.regions import load_regions
from simulator.results_io import load_result, save_result
from simulator.scenario import parse_scenario
from simulator.targets import assess


@lru_cache(maxsize=1)
def noisy() -> Baseline:
    return noisy_baseline(seed=5)


def subsidy(region: str, headcount: float, start: str = "2025-02", months: int = 12) -> str:
    return f"""  - kind: contribution_subsidy
    region: {region}
    headcount: {headcount}
    start: {start}
    months: {months}
    ramp_months: 3
    already_covered: [0.05, 0.2]
    retention_after: {{dist: beta, a: 2, b: 5}}
    lapse: [0.01, 0.1]
    payer: apbd_provinsi
"""


def shock(region: str, change: float, start: str = "2025-06") -> str:
    return f"""  - kind: workforce_shock
    region: {region}
    change: {change}
    start: {start}
    ramp_months: 3
"""


OUTREACH = """  - kind: informal_outreach
    region: ["61.01", "62"]
    monthly_enrollments: 1000
    months: 6
    lapse: [0.02, 0.1]
    start: 2024-11
    payer: worker
"""

# name: (levers, whether a leaf is capped path by path)
SCENARIOS = {
    "free": (subsidy('"61"', 26373) + OUTREACH, False),
    "capped": (
        subsidy('"61"', 26373)
        + subsidy('"61.71"', 10_000_000, start="2025-06", months=6)
        + subsidy('["61.72", "61.01"]', 5_000_000, start="2025-09", months=4),
        True,
    ),
    "shocked": (
        subsidy('"61"', 26373) + shock('"61"', -0.03) + shock('"61.01"', 0.05, start="2025-03") + OUTREACH,
        False,
    ),
    "shocked and capped": (
        subsidy('"61.71"', 10_000_000, start="2025-06", months=6)
        + shock('"61"', -0.03)
        + subsidy('"61.72"', 5_000_000, start="2025-09", months=4)
        + shock('["61.01", "62.01"]', -0.4, start="2025-03")
        + OUTREACH,
        True,
    ),
    "no levers": ("  []\n", False),
}


def run(name: str, regions=None):
    text = f"name: lazy {name}\nhorizon: 2027-06\nlevers:\n{SCENARIOS[name][0]}"
    return run_scenario(noisy(), parse_scenario(text, source="lazy.yaml"), seed=7, regions=regions)


@cache
def whole(name: str, regions: tuple[str, ...] | None = None):
    """A run whose arrays are computed whole (the reference for the parts)."""
    result = run(name, list(regions) if regions is not None else None)
    result.active, result.employed  # noqa: B018 - computed on first use
    return result


# (rows, months): codes or positions, single ones drop their axis as numpy indexing does
SELECTIONS = {
    "one leaf": (["61.71"], None),
    "one leaf, single": ("61.71", None),
    "a province": (["61"], [0, 5, 11]),
    "the nation": (["00"], None),
    "the nation, last month": ("00", -1),
    "non-contiguous rows": (["62.01", "11", "61.01", "61", "61.72", "00"], None),
    "a single month": (["61", "61.71", "62"], "2025-12"),
    "unsorted months": (["61", "61.01", "61.72"], [20, 3, 11, 3, 0]),
    "periods": (["61.71"], [pd.Period("2026-01", freq="M"), "2025-07"]),
    "row positions": ([0, 5, 300, 2], [1, 2]),
    "a slice": (slice(10, 40, 3), slice(4, 9)),
}


def positions(result, rows, months):
    """Reference indices on the whole arrays for a selection."""

    def row(x):
        return result.index_of(x) if isinstance(x, str) else x

    def month(x):
        return x if isinstance(x, (int, np.integer)) else result.month_index(x)

    r = (
        rows
        if isinstance(rows, slice)
        else row(rows)
        if isinstance(rows, (str, int))
        else [row(x) for x in rows]
    )
    t = (
        slice(None)
        if months is None
        else months
        if isinstance(months, slice)
        else month(months)
        if isinstance(months, (str, int))
        else [month(x) for x in months]
    )
    return r, t


@pytest.mark.parametrize("name", list(SCENARIOS))
@pytest.mark.parametrize("selection", list(SELECTIONS))
def test_a_part_equals_those_rows_and_months_of_the_whole(name, selection):
    rows, months = SELECTIONS[selection]
    full = whole(name)
    r, t = positions(full, rows, months)
    expected_active, expected_employed = full.active[r][..., t], full.employed[r][..., t]
    expected_coverage = full.coverage[r][..., t]
    lazy = run(name)
    for when in ("before", "after"):  # the whole arrays computed or not yet
        if when == "after":
            lazy.active, lazy.employed  # noqa: B018
        active, employed = lazy.paths_of(rows, months)
        assert active.dtype == employed.dtype == np.float32
        assert active.shape == expected_active.shape == employed.shape
        assert np.array_equal(active, expected_active), when
        assert np.array_equal(employed, expected_employed), when
        assert np.array_equal(lazy.active_of(rows, months), expected_active)
        assert np.array_equal(lazy.employed_of(rows, months), expected_employed)
        np.testing.assert_array_equal(lazy.coverage_of(rows, months), expected_coverage)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_cases_are_exercised_and_a_lazy_run_matches_the_whole_one(name):
    lazy, full = run(name), whole(name)
    plan = lazy.paths_at.__self__
    assert (len(plan.capped) > 0) == SCENARIOS[name][1]
    shocked = "shock" in name
    assert np.array_equal(full.employed, noisy().employed[:, :, : len(full.months)]) == (not shocked)
    assert lazy.paths == 6 and "active" not in lazy.__dict__ and "employed" not in lazy.__dict__
    np.testing.assert_array_equal(lazy.active, full.active)
    np.testing.assert_array_equal(lazy.employed, full.employed)
    assert lazy.active.shape == (len(load_regions().codes), 6, 30)


def test_nothing_changed_is_a_read_only_view_of_the_baseline():
    result = run("no levers")
    assert not result.active.flags.writeable and not result.employed.flags.writeable
    assert np.shares_memory(result.active, noisy().active)
    part = result.active_of(["61"])  # a part is a copy the caller may change
    assert part.flags.writeable and not np.shares_memory(part, noisy().active)
    levers_only = run("free")  # levers but no workforce shock
    assert not levers_only.employed.flags.writeable and levers_only.active.flags.writeable


@pytest.mark.parametrize("name", ["capped", "shocked and capped"])
@pytest.mark.parametrize("regions", [("61.71", "62", "00"), ("61", "61.72", "61.01"), ("11", "12")])
def test_reported_regions_parts_equal_the_full_run(name, regions):
    part, full = run(name, list(regions)), whole(name)
    for k, code in enumerate(part.regions):
        np.testing.assert_array_equal(part.active_of(k, [2, 9]), full.active[full.index_of(code)][:, [2, 9]])
        np.testing.assert_array_equal(part.employed_of(code), full.employed[full.index_of(code)])
    np.testing.assert_array_equal(part.active, full.active[[full.index_of(c) for c in part.regions]])


def test_one_path_at_one_month_sums_capped_leaves_in_the_same_order():
    base = fake_baseline(
        load_regions(),
        ("2025-01", "2025-12"),
        1,
        ACTIVE_PER_LEAF,
        EMPLOYED_PER_LEAF,
        growth=0.002,
        noise=0.02,
        seed=2,
    )
    text = "name: one path\nhorizon: 2025-12\nlevers:\n" + subsidy('"61"', 5_000_000)
    result = run_scenario(base, parse_scenario(text, source="one.yaml"), seed=1)
    assert len(result.paths_at.__self__.capped) > 8  # more than numpy's pairwise block of 8
    parts = [result.active_of(["61", "00"], [t]) for t in range(len(result.months))]
    np.testing.assert_array_equal(np.concatenate(parts, axis=2), result.active[[result.index_of("61"), 0]])


def test_leaf_sums_of_one_path_at_one_month_are_those_of_more_months():
    # numpy sums pairwise when only the summed axis is longer than 1; _sum_leaves keeps the order
    from simulator.engine import _sum_leaves

    rng = np.random.default_rng(0)
    for k in (9, 40, 300):
        x = (rng.random((k, 1, 3)) * 10 ** rng.uniform(0, 8, (k, 1, 3))).astype(np.float32)
        whole_sum = _sum_leaves(x)
        for t in range(3):
            np.testing.assert_array_equal(_sum_leaves(np.ascontiguousarray(x[:, :, [t]])), whole_sum[:, [t]])


@pytest.mark.parametrize("name", ["capped", "shocked and capped", "no levers"])
def test_target_inputs_compare_numpys_median_and_read_deadlines_of_changed_and_unchanged_regions(
    name, tmp_path
):
    full = whole(name)
    medians = np.median(full.coverage, axis=1)  # (regions, months); no NaN here
    unchanged = full.paths_at.__self__.unchanged
    assert unchanged.any() and (name == "no levers") == unchanged.all()  # both kinds exercised
    rows = np.repeat(np.arange(len(full.regions)), 3)
    goals = np.stack(
        [medians[:, 4], np.nextafter(medians[:, 4], 1.0), np.full(len(full.regions), 0.33)], axis=1
    )
    goals = goals.reshape(-1)  # on a median, just above it, and a plain target
    expected = medians[rows] >= goals[:, None]
    assert expected.any() and not expected.all()
    loaded = load_result(save_result(full, tmp_path / "run"))  # no plan: every region counted
    assert loaded.medians_at is None
    months = np.resize([0, 5, len(full.months) - 1, 5], len(rows))
    for result in (run(name), run(name), loaded):  # the second run reads the per-baseline medians
        reached, active, employed = result.target_inputs(rows, goals, months)
        np.testing.assert_array_equal(reached, expected)
        np.testing.assert_array_equal(active, full.active[rows, :, months])
        np.testing.assert_array_equal(employed, full.employed[rows, :, months])
    reached, active, _ = full.target_inputs(["61"], [0.33], [2])
    np.testing.assert_array_equal(reached[0], medians[full.index_of("61")] >= 0.33)
    np.testing.assert_array_equal(active[0], full.active_of("61", 2))


@pytest.mark.filterwarnings("ignore:All-NaN slice:RuntimeWarning")
@pytest.mark.parametrize("paths", [1, 2, 5, 6, 1000])
def test_paths_reaching_and_nanmedian_are_numpys_median_with_ties_and_missing_values(paths):
    from simulator.engine import paths_reaching
    from simulator.orderstats import nanmedian

    rng = np.random.default_rng(paths)
    cov = rng.choice(np.linspace(0.2, 0.4, 9), size=(paths, 40))  # repeated values: ties at the median
    cov[:, :10] = rng.uniform(0.2, 0.4, size=(paths, 10))
    median = np.median(cov, axis=0)
    ordered = np.sort(cov, axis=0)
    goals = [
        *median[::3],
        *ordered[max(paths // 2 - 1, 0), ::4],
        *ordered[paths // 2, ::5],
        *((ordered[max(paths // 2 - 1, 0)] + ordered[paths // 2]) / 2)[::2],
        *np.nextafter(median[::3], 1.0),
        *np.nextafter(median[::3], 0.0),
        0.0,
        0.3,
        1.0,
        np.nan,
    ]
    two = np.stack([cov, cov[::-1] * 0.9])  # two regions, each goal asked of both
    which = np.repeat([0, 1], len(goals))
    reached = paths_reaching(two, which, np.tile(goals, 2))
    np.testing.assert_array_equal(reached, np.median(two, axis=1)[which] >= np.tile(goals, 2)[:, None])
    np.testing.assert_array_equal(paths_reaching(two, [0, 1], [0.3, 0.3]), np.median(two, axis=1) >= 0.3)
    np.testing.assert_array_equal(nanmedian(cov[None], axis=1), median[None])
    cov[0, :5] = np.nan
    expected = np.nanmedian(cov, axis=0)
    assert np.isnan(expected).any() == (paths == 1)
    np.testing.assert_array_equal(nanmedian(cov[None], axis=1)[0], expected)
    np.testing.assert_array_equal(paths_reaching(cov[None], [0], [0.3])[0], expected >= 0.3)


def targets_everywhere(result) -> pd.DataFrame:
    codes = list(result.regions)
    years = sorted({m.year for m in result.months})
    rng = np.random.default_rng(3)
    goal = rng.uniform(0.3, 0.4, len(codes) * len(years))
    goal[::7] = 0.35  # repeated goals in a region, and goals on a median
    goal[1::11] = np.median(result.coverage_of(0), axis=0)[3]
    return pd.DataFrame(
        {"region_code": codes * len(years), "year": np.repeat(years, len(codes)), "coverage": goal}
    )


@pytest.mark.parametrize("name", ["capped", "shocked and capped", "no levers"])
def test_assess_is_the_same_on_a_lazy_and_on_a_materialised_result(name):
    lazy, full = run(name), run(name)
    full.coverage  # noqa: B018 - every array computed first
    targets = targets_everywhere(lazy)
    out = assess(lazy, targets)
    assert "active" not in lazy.__dict__ and "coverage" not in lazy.__dict__  # nothing computed whole
    pd.testing.assert_frame_equal(out, assess(full, targets))
    assert len(out) == len(targets)
    # the first month is where each region's median coverage path first reaches the target
    medians = np.median(full.coverage, axis=1)  # (regions, months)
    reached = medians[[full.index_of(c) for c in out["region_code"]]] >= out["target"].to_numpy()[:, None]
    expected = [full.months[row.argmax()] if row.any() else pd.NaT for row in reached]
    assert out["first_month"].tolist() == expected
    assert 0 < out["first_month"].notna().sum() < len(out)  # both cases exercised


def test_assess_with_missing_coverage_is_the_same_lazy_and_materialised():
    base = noisy()
    employed = base.employed.copy()
    employed[base.regions.index("61.72"), :3, :5] = 0.0
    base = with_employed(base, employed)
    text = f"name: nan\nhorizon: 2027-06\nlevers:\n{SCENARIOS['shocked and capped'][0]}"
    scenario = parse_scenario(text, source="nan.yaml")
    lazy, full = (run_scenario(base, scenario, seed=3) for _ in range(2))
    full.coverage  # noqa: B018
    targets = pd.DataFrame(
        {
            "region_code": ["61.72", "61", "00", "61.72", "61.71"],
            "year": [2025, 2026, 2025, 2027, 2025],
            "coverage": [0.30, 0.36, 0.33, 0.2, 0.9],
        }
    )
    pd.testing.assert_frame_equal(assess(lazy, targets), assess(full, targets))
    assert np.isnan(lazy.coverage_of("61.72", 4)[:3]).all()


def test_a_saved_and_loaded_result_gives_the_same_parts(tmp_path):
    original = run("shocked and capped")
    loaded = load_result(save_result(original, tmp_path / "run"))
    for rows, months in SELECTIONS.values():
        np.testing.assert_array_equal(loaded.active_of(rows, months), original.active_of(rows, months))
        np.testing.assert_array_equal(loaded.employed_of(rows, months), original.employed_of(rows, months))
    np.testing.assert_array_equal(loaded.active, original.active)
    np.testing.assert_array_equal(loaded.employed, original.employed)
    assert loaded.paths == original.paths == 6


@pytest.mark.parametrize(
    "rows, months, message",
    [
        (["99.99"], None, "unknown region code '99.99'"),
        ([100_000], None, "unknown region 100000"),
        (np.array([3, -100_000]), None, "unknown region -100000"),
        ("61", ["2031-01"], "month 2031-01 is not in the projection"),
        ("61", 99, "month position 99 is not in the projection"),
        ("61", ["not a month"], "month not a month is not in the projection"),
    ],
)
def test_an_unknown_row_or_month_is_refused_naming_it(rows, months, message):
    result = run("capped")
    with pytest.raises(InputError, match=message):
        result.active_of(rows, months)
    with pytest.raises(InputError, match=message):
        result.coverage_of(rows, months)


@pytest.mark.parametrize("name", ["capped", "shocked and capped"])
def test_a_run_on_a_baseline_seen_before_is_the_same(name):
    # the per-Baseline headroom and uncovered medians are reused; nothing changes
    base = noisy()
    fresh = Baseline(
        regions=base.regions,
        months=base.months,
        active=base.active,
        employed=base.employed,
        last_observed=base.last_observed,
        meta=base.meta,
    )
    text = f"name: again\nhorizon: 2027-06\nlevers:\n{SCENARIOS[name][0]}"
    runs = [run_scenario(b, parse_scenario(text, source="again.yaml"), seed=7) for b in (fresh, fresh)]
    full = whole(name)
    for result in runs:
        assert np.array_equal(result.paths_at.__self__.capped, full.paths_at.__self__.capped)
        np.testing.assert_array_equal(result.active, full.active)
        np.testing.assert_array_equal(result.employed, full.employed)
        pd.testing.assert_frame_equal(result.cost, full.cost)

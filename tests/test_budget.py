"""Budget sizing on synthetic baselines: closed form by hand, exactness against the engine,
monotonicity, a hand-solved allocation, bad inputs, and the command line."""

from __future__ import annotations

import math
from dataclasses import replace
from functools import lru_cache
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from lever_templates import subsidy

import simulator.cli as cli
from simulator.baseline import Baseline, fake_baseline
from simulator.budget import (
    allocate,
    goals_for,
    make_template,
    needed_sizes,
    solve,
)
from simulator.engine import run_scenario
from simulator.errors import InputError
from simulator.regions import load_regions
from simulator.scenario import Scenario

ACTIVE, EMPLOYED = 50_000.0, 150_000.0  # [persons] per kabupaten/kota
KALBAR = "61"
KALBAR_KAB = [
    "61.01",
    "61.02",
    "61.03",
    "61.04",
    "61.05",
    "61.06",
    "61.07",
    "61.08",
    "61.09",
    "61.10",
    "61.11",
    "61.12",
    "61.71",
    "61.72",
]


@lru_cache(maxsize=1)
def tree():
    return load_regions()


@lru_cache(maxsize=2)
def flat(paths: int = 4) -> Baseline:
    """Identical flat paths: every kabupaten/kota has 50.000 active of 150.000 employed."""
    return fake_baseline(tree(), ("2025-01", "2026-12"), paths, ACTIVE, EMPLOYED)


@lru_cache(maxsize=1)
def noisy() -> Baseline:
    return fake_baseline(
        tree(), ("2025-01", "2026-12"), 40, ACTIVE, EMPLOYED, growth=0.002, noise=0.03, seed=3
    )


@lru_cache(maxsize=1)
def uneven() -> Baseline:
    """Three Kalbar kabupaten 40.000, 38.000 and 35.000 active of 100.000; identical paths."""
    active = {c: ACTIVE for c in tree().of_level("kabkota")}
    active.update({"61.01": 40_000.0, "61.02": 38_000.0, "61.03": 35_000.0})
    employed = {c: EMPLOYED for c in tree().of_level("kabkota")}
    employed.update({"61.01": 100_000.0, "61.02": 100_000.0, "61.03": 100_000.0})
    return fake_baseline(tree(), ("2025-01", "2026-12"), 2, active, employed)


NO_LIMITS = dict(capacity=math.inf, pool=math.inf)


def engine_probability(base, sol, region, target, deadline, size, seed=0, uncertainty=True) -> float:
    """P(reach) from run_scenario with the solution's plan scaled to ``size``."""
    scale = size / sol.size
    levers = tuple(
        replace(lv, officials_per_village=lv.officials_per_village * scale)
        if lv.kind == "village_officials"
        else replace(lv, headcount=lv.headcount * scale)
        for lv in sol.plan.levers
    )
    result = run_scenario(
        base,
        Scenario(name="check", horizon=sol.plan.horizon, levers=levers),
        seed=seed,
        tree=tree(),
        uncertainty=uncertainty,
        regions=[region],
    )
    cov = result.coverage[0, :, result.months.get_loc(pd.Period(deadline, freq="M"))]
    return float(np.mean(cov >= target))


# ---- the closed form -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "room, slope, deficit, expected",
    [
        ([10, 30], [1, 1], 30, 20.0),  # first leaf full at 10 (sum 20), then one more per unit
        ([10, 30], [1, 1], 40, 30.0),  # everything covered
        ([10, 30], [1, 1], 41, math.inf),  # beyond the workforce
        ([10, 30], [1, 1], -5, 0.0),  # already reached
        ([10, 30], [2, 0.5], 12, 4.8),  # before any kink: 12 / 2.5
        ([10, 30], [2, 0.5], 20, 20.0),  # after the first kink: 10 + 0.5 x
        ([10, 30], [0, 1], 25, 25.0),  # a leaf the lever does not reach adds nothing
        ([0, 30], [1, 1], 15, 15.0),  # a full leaf adds nothing
    ],
)
def test_needed_sizes_by_hand(room, slope, deficit, expected):
    out = needed_sizes(
        np.array(room, float)[:, None], np.array(slope, float)[:, None], np.array([deficit], float)
    )
    assert out.shape == (1,)
    assert out[0] == pytest.approx(expected)


CLOSED_FORM = [
    # region, target, lever keys, deadline, gain per subsidized person at the deadline
    (
        KALBAR,
        0.5,
        dict(start="2025-10", ramp_months=6, months=12, already_covered=[0.05, 0.15]),
        "2025-12",
        0.9 * 3 / 6,
    ),
    ("61.71", 0.4, dict(start="2025-01", ramp_months=3, months=12), "2025-06", 0.9),
    (
        KALBAR,
        0.40,
        dict(start="2025-01", months=6, retention_after=0.35, lapse=0.03),
        "2025-12",
        0.9 * 0.35 * 0.97**5,
    ),
]


@pytest.mark.parametrize("region, target, keys, deadline, gain", CLOSED_FORM)
def test_solve_equals_the_closed_form_with_uncertainty_off(region, target, keys, deadline, gain):
    leaves = len(tree().leaves(region))
    employed, active = leaves * EMPLOYED, leaves * ACTIVE
    expected = math.ceil((target * employed - active) / gain)
    sol = solve(
        flat(), subsidy(**keys), region, target, deadline, 0.8, tree=tree(), uncertainty=False, **NO_LIMITS
    )
    assert sol.reachable and sol.size == expected
    assert sol.probability == 1.0 and sol.probability_below == 0.0 and sol.mc_error == 0.0
    assert sol.envelope_idr == pytest.approx(expected * 16_800 * sol.months)
    assert sum(lv.headcount for lv in sol.plan.levers) == pytest.approx(expected)
    assert [lv.region for lv in sol.plan.levers] == [(c,) for c in tree().leaves(region)]


def test_solve_reports_cost_per_year_and_payer_split():
    sol = solve(
        flat(),
        subsidy(start="2025-07", months=12, ramp_months=1),
        KALBAR,
        0.4,
        "2025-12",
        0.8,
        tree=tree(),
        payers={"apbd_provinsi": 0.6, "apbd_kabkota": 0.4},
        **NO_LIMITS,
    )
    n = sol.size
    assert n == math.ceil((0.4 * 14 * EMPLOYED - 14 * ACTIVE) / 0.9)
    cost = sol.cost.set_index(["payer", "year"])["cost_idr"]
    assert cost[("apbd_provinsi", 2025)] == pytest.approx(0.6 * n * 16_800 * 6)
    assert cost[("apbd_kabkota", 2026)] == pytest.approx(0.4 * n * 16_800 * 6)
    assert sol.annual_cost["cost_idr"].tolist() == pytest.approx([n * 16_800 * 6] * 2)
    assert sol.payer_split["share"].tolist() == pytest.approx([0.6, 0.4])
    assert sol.budget_idr == pytest.approx(n * 16_800 * 12)  # ramp 1: the card's figure is the table's sum


def test_template_defaults_come_from_the_parameters_file():
    lever = make_template({"kind": "subsidy"}, KALBAR, pd.Period("2025-12", freq="M"), flat(), tree())
    assert (lever.ramp_months, lever.unit_cost, lever.payer) == (3, 16_800, "apbd_provinsi")
    assert lever.already_covered.mean() == 0.10 and lever.retention_after.mean() == 0.35
    assert lever.lapse.mean() == 0.03
    assert lever.start == pd.Period("2025-01", freq="M") and lever.months == 12
    village = make_template("village", "61.01", pd.Period("2025-12", freq="M"), flat(), tree())
    assert village.enrolled_share.mean() == 0.8 and village.payer == "apbdes"


# ---- exactness and monotonicity ------------------------------------------------------------------
@pytest.mark.parametrize(
    "region, template, target",
    [
        (KALBAR, subsidy(already_covered=[0.0, 0.3], ramp_months=3), 0.38),
        ("61.71", subsidy(already_covered={"dist": "beta", "a": 2, "b": 8}), 0.40),
        (KALBAR, {"kind": "village", "start": "2025-03", "enrolled_share": [0.6, 0.9]}, 0.335),
    ],
)
def test_solve_is_exact_to_one_person_against_the_engine(region, template, target):
    sol = solve(noisy(), template, region, target, "2025-12", 0.8, seed=2, tree=tree())
    assert sol.reachable and sol.size > 0
    at = engine_probability(noisy(), sol, region, target, "2025-12", sol.size, seed=2)
    below = engine_probability(noisy(), sol, region, target, "2025-12", sol.size - 1, seed=2)
    assert at >= 0.8 > below
    assert (sol.probability, sol.probability_below) == (at, below)
    assert sol.mc_error == pytest.approx(math.sqrt(at * (1 - at) / 40))
    assert abs(sol.size - sol.estimate) < 2  # the closed form was right to float rounding


def test_higher_target_or_probability_never_needs_less():
    template = subsidy(already_covered=[0.0, 0.2], ramp_months=4)
    sizes = [
        solve(noisy(), template, KALBAR, t, "2025-12", 0.7, tree=tree()).size for t in (0.34, 0.36, 0.38, 0.4)
    ]
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
    sizes = [
        solve(noisy(), template, KALBAR, 0.37, "2025-12", p, tree=tree()).size for p in (0.2, 0.5, 0.8, 0.95)
    ]
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]


def test_a_target_already_reached_needs_nobody():
    sol = solve(noisy(), subsidy(), KALBAR, 0.2, "2025-12", 0.8, tree=tree())
    assert (
        sol.size == 0 and sol.budget_idr == 0.0 and sol.probability == 1.0 and sol.probability_below is None
    )


def test_unreachable_names_the_limit():
    # a 12-month ramp starting one month before the deadline enrols 2/12 of the headcount by then:
    # 0,95 of 61.01 needs 92.500 more persons, 616.667 subsidised, beyond its pool of 84.306
    sol = solve(
        noisy(),
        subsidy(start="2025-11", ramp_months=12, months=12),
        "61.01",
        0.95,
        "2025-12",
        0.8,
        tree=tree(),
        capacity=math.inf,
        cap_share=1.0,  # BPS employed as the cap: the pool binds first
    )
    assert not sol.reachable and sol.size is None and sol.budget_idr is None
    assert sol.limit == "pool" and sol.best["size"] == sol.cap and sol.best["probability"] < 0.8
    late = solve(noisy(), subsidy(start="2026-03"), KALBAR, 0.4, "2025-12", 0.8, tree=tree())
    assert not late.reachable and late.limit == "deadline"  # a lever starting after the deadline


# ---- allocate ------------------------------------------------------------------------------------
UNEVEN = ["61.01", "61.02", "61.03"]
# needs at target 0,45 with 0,9 added per subsidized person: 5.556, 7.778, 11.112 persons
UNIT = 16_800 * 6  # [IDR/person] six months, 2025-01..2025-06


def _allocate_15000(objective: str, **options):
    """Allocate 15.000 persons' worth over the three uneven regions, 6-month subsidy, target 45 %
    by June 2025, no uncertainty and no pool or capacity limits."""
    template = subsidy(months=6)
    return allocate(
        uneven(),
        15_000 * UNIT,
        UNEVEN,
        template,
        objective,
        deadline="2025-06",
        target=0.45,
        tree=tree(),
        uncertainty=False,
        **NO_LIMITS,
        **options,
    )


def test_allocate_small_case_solved_by_hand():
    alloc = _allocate_15000("regions")
    table = alloc.table.set_index("region_code")
    assert table["needed"].tolist() == [5_556, 7_778, 11_112]
    assert alloc.objective_value == 2 and alloc.regions_reached == 2
    assert table["reached"].tolist() == [True, True, False]  # the two cheapest: 13.334 of 15.000 persons
    assert table["size"].tolist() == [5_556, 7_778, 1_666]  # the rest goes to the region not reached
    assert alloc.spent == 15_000 * UNIT
    np.testing.assert_allclose(table["cost_idr"], table["size"] * UNIT)
    assert table["probability"].tolist() == [1.0, 1.0, 0.0]

    # 5.000 for 61.03 first: one more region fits (the cheaper 61.01), the rest 4.444 goes to 61.02
    forced = _allocate_15000("regions", minimums={"61.03": 5_000})
    assert forced.objective_value == 1
    assert forced.table["size"].tolist() == [5_556, 4_444, 5_000]

    workers = _allocate_15000("workers")
    assert workers.objective_value == pytest.approx(0.9 * 15_000, abs=0.01)
    assert workers.regions_reached == 2  # at the best worker count, as many regions as possible
    assert workers.expected_new_persons == pytest.approx(0.9 * 15_000)


def test_a_region_already_at_its_target_needs_nothing():
    """needed is 0, never negative (np.ceil of a small negative need printed "-0" in the table)."""
    alloc = allocate(
        uneven(),
        15_000 * UNIT,
        UNEVEN,
        subsidy(months=6),
        "regions",
        deadline="2025-06",
        target=0.01,
        tree=tree(),
        uncertainty=False,
        **NO_LIMITS,
    )
    needed = alloc.table["needed"].to_numpy()
    assert needed.tolist() == [0, 0, 0] and not np.signbit(needed).any()
    assert alloc.regions_reached == 3


@pytest.mark.parametrize("objective", ["regions", "workers"])
def test_more_budget_never_lowers_the_objective(objective):
    template = subsidy(already_covered=[0.0, 0.2], months=12)
    values = []
    for budget in (0, 5e8, 1.5e9, 3e9, 6e9, 1.2e10):
        alloc = allocate(
            noisy(),
            budget,
            KALBAR_KAB,
            template,
            objective,
            deadline="2025-12",
            target=0.36,
            probability=0.8,
            tree=tree(),
            capacity=math.inf,
        )
        assert alloc.spent <= budget
        assert (alloc.table["size"] <= alloc.table["cap"]).all()
        values.append(alloc.objective_value)
    assert values == sorted(values) and values[-1] > values[0]


def test_allocation_scenario_reproduces_the_probabilities_in_the_engine():
    template = subsidy(already_covered=[0.0, 0.3], ramp_months=2, months=12)
    regions = ["61.01", "61.71", "61.72", "62.01"]
    alloc = allocate(
        noisy(),
        3e9,
        regions,
        template,
        "regions",
        deadline="2025-12",
        target=0.36,
        seed=4,
        tree=tree(),
        capacity=math.inf,
    )
    result = run_scenario(noisy(), alloc.scenario(), seed=4, tree=tree(), regions=regions)
    t = result.months.get_loc(pd.Period("2025-12", freq="M"))
    engine = [float(np.mean(result.coverage[result.index_of(c), :, t] >= 0.36)) for c in regions]
    np.testing.assert_allclose(engine, alloc.table["probability"].to_numpy())


def test_targets_own_row_then_value_then_parent():
    targets = pd.DataFrame({"region_code": ["61", "61.01"], "year": [2025, 2025], "coverage": [0.5, 0.3]})
    assert goals_for(["61.01", "61.02"], 2025, targets, None, tree()) == {
        "61.01": (0.3, 1.0),
        "61.02": (0.5, 1.0),
    }
    assert goals_for(["61.01", "61.02"], 2025, targets, 0.4, tree()) == {
        "61.01": (0.3, 1.0),
        "61.02": (0.4, 1.0),
    }
    with pytest.raises(InputError, match="no target for region 62.01 in 2025"):
        goals_for(["62.01"], 2025, targets, None, tree())


# ---- bad inputs ----------------------------------------------------------------------------------
SOLVE_BAD = [
    (dict(target=1.5), "target: expected a coverage fraction between 0 and 1, got 1.5"),
    (dict(target=-0.1), "target: expected a coverage fraction between 0 and 1"),
    (dict(target="half"), "target: expected a number"),
    (dict(probability=1.0), "probability: expected a fraction strictly between 0 and 1, got 1"),
    (dict(probability=0), "probability: expected a fraction strictly between 0 and 1"),
    (
        dict(deadline="2027-01"),
        r"deadline: expected a month within the projection 2025-01..2026-12, got 2027-01",
    ),
    (dict(deadline="2025-13"), "deadline: expected a month 'YYYY-MM'"),
    (dict(region="99.99"), "region: unknown region code '99.99'"),
    (dict(template={"kind": "workforce_shock"}), "lever: key 'kind': expected contribution_subsidy"),
    (dict(template=subsidy(colour="red")), "lever template: lever 1 .*key 'colour': unknown key"),
    (dict(template=subsidy(already_covered=2)), "key 'already_covered': expected a share between 0 and 1"),
    (dict(payers={"apbd_provinsi": 0.5}), "payers: shares must add up to 1, got 0.5"),
    (dict(payers={"bank": 1.0}), "payers: unknown payer 'bank'"),
    (dict(paths=41), "paths: expected a whole number from 1 to 40"),
]


@pytest.mark.parametrize("change, message", SOLVE_BAD, ids=[m[:40] for _, m in SOLVE_BAD])
def test_solve_rejects_bad_input(change, message):
    args = dict(template=subsidy(), region=KALBAR, target=0.4, deadline="2025-12", probability=0.8) | change
    extra = {k: args.pop(k) for k in ("payers", "paths") if k in args}
    with pytest.raises(InputError, match=message):
        solve(
            noisy(),
            args["template"],
            args["region"],
            args["target"],
            args["deadline"],
            args["probability"],
            tree=tree(),
            **extra,
        )


ALLOCATE_BAD = [
    (dict(budget=-1), "budget: expected a non-negative amount of rupiah, got -1"),
    (dict(objective="votes"), "objective: expected one of regions, workers, got 'votes'"),
    (dict(regions=[]), "regions: expected a non-empty list"),
    (dict(regions=["61", "61.01"]), "regions: 61.01 overlaps 61"),
    (dict(regions=["61.01", "61.01"]), "regions: 61.01 listed twice"),
    (dict(regions=["61.99"]), "regions: unknown region code '61.99'"),
    (dict(minimums={"62.01": 10}), "minimums: region '62.01' is not among the regions"),
    (dict(minimums={"61.01": 1e7}), "minimums: 61.01: 10.000.000 exceeds its cap"),
    (dict(minimums={"61.01": 2.5}), "minimums: 61.01: expected a whole number of persons"),
    (dict(minimums={"61.01": 50_000}), "minimums: they cost .* more than the budget"),
    (dict(target=None), "target: no target for region 61.01 in 2025; give a target value"),
]


@pytest.mark.parametrize("change, message", ALLOCATE_BAD, ids=[m[:40] for _, m in ALLOCATE_BAD])
def test_allocate_rejects_bad_input(change, message):
    args = (
        dict(budget=1e9, regions=["61.01", "61.02"], objective="regions", target=0.4, capacity=math.inf)
        | change
    )
    with pytest.raises(InputError, match=message):
        allocate(
            noisy(),
            args.pop("budget"),
            args.pop("regions"),
            subsidy(),
            args.pop("objective"),
            deadline="2025-12",
            tree=tree(),
            **args,
        )


# ---- command line --------------------------------------------------------------------------------
@pytest.fixture
def fake_data(monkeypatch):
    targets = pd.DataFrame({"region_code": ["61"], "year": [2025], "coverage": [0.36]})
    monkeypatch.setattr(
        cli,
        "_bundled",
        lambda horizon, paths, data: (
            SimpleNamespace(targets=targets, workforce=None, illustrative=True),
            noisy(),
            None,
        ),
    )


def test_cli_solve_prints_headcount_cost_and_payers(fake_data, capsys):
    code = cli.main(
        [
            "solve",
            "--region",
            "61",
            "--target",
            "0.38",
            "--deadline",
            "2025-12",
            "--probability",
            "0.8",
            "--lever",
            "subsidy",
            "--payer",
            "apbd_provinsi=0.5,apbd_kabkota=0.5",
        ]
    )
    out = capsys.readouterr().out
    sol = solve(
        noisy(),
        {"kind": "subsidy", "payer": "apbd_provinsi"},
        "61",
        0.38,
        "2025-12",
        0.8,
        tree=tree(),
        targets=pd.DataFrame({"region_code": ["61"], "year": [2025], "coverage": [0.36]}),
    )
    assert code == 0
    assert f"pekerja disubsidi: {sol.size:,} orang".replace(",", ".") in out
    assert "APBD provinsi" in out and "APBD kabupaten/kota" in out and "2025" in out


def test_cli_allocate_prints_the_split_per_kabupaten_kota(fake_data, capsys):
    code = cli.main(["allocate", "--budget", "10000000000", "--under", "61", "--objective", "regions"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Kabupaten Sambas" in out and "Kota Singkawang" in out
    assert "wilayah mencapai target:" in out and "batas 2025-12" in out  # deadline from the targets


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["solve", "--region", "61", "--target", "0.4", "--probability", "1.5"],
            "probability: expected a fraction",
        ),
        (["solve", "--region", "Atlantis"], "unknown region 'Atlantis'"),
        (["allocate", "--budget", "-5", "--under", "61"], "budget: expected a non-negative"),
        (
            ["allocate", "--budget", "1e9", "--under", "61", "--minimum", "61.01"],
            "--minimum: expected CODE=SIZE",
        ),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(fake_data, capsys, argv, message):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err

"""Each lever's effect and cost: the engine's bridge to the pure functions in ``simulator.levers``."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from simulator.errors import InputError
from simulator.levers import (
    LeverEffect,
    contribution_subsidy,
    employer_compliance,
    informal_outreach,
    running_programme,
    split_weights,
    village_officials,
)
from simulator.parameters import value_at
from simulator.regions import RegionTree
from simulator.scenario import (
    ContributionSubsidy,
    EmployerCompliance,
    InformalOutreach,
    Lever,
    RunningProgramme,
    Scenario,
    VillageOfficials,
)

log = logging.getLogger(__name__)


def lever_names(levers: tuple[Lever, ...]) -> list[str]:
    """Display name per lever: its label, else its kind; repeats get "#n" (n = position from 1)."""
    base = [lever.label or lever.kind for lever in levers]
    return [name if base.count(name) == 1 else f"{name}#{i + 1}" for i, name in enumerate(base)]


def _offset(axis: pd.PeriodIndex, start: pd.Period) -> np.ndarray:
    return np.asarray(axis.asi8 - start.ordinal, dtype=np.int64)


def desa_counts(tree: RegionTree, codes: list[str]) -> np.ndarray:
    """Desa per region of ``codes`` [villages] (the village lever's eligible villages;
    ``RegionTree.desa``)."""
    return np.array([tree.desa(c) for c in codes], dtype=np.float64)


def _effect(
    lever: Lever,
    rng: np.random.Generator,
    paths: int,
    axis: pd.PeriodIndex,
    leaves: list[str],
    uncovered: np.ndarray,
    tree: RegionTree,
    uncertainty: bool,
) -> LeverEffect:
    """One lever's effect on the extended month axis, for the leaves in its scope."""

    def draw(param) -> np.ndarray:
        return param.sample(rng, paths) if uncertainty else np.full(paths, param.mean())

    offset = _offset(axis, lever.start)
    if isinstance(lever, ContributionSubsidy):
        d, r, lapse = draw(lever.already_covered), draw(lever.retention_after), draw(lever.lapse)
        return contribution_subsidy(
            lever.headcount,
            lever.months,
            lever.ramp_months,
            offset,
            split_weights(uncovered),
            d,
            r,
            lapse,
            lever.unit_cost,
        )
    if isinstance(lever, VillageOfficials):
        villages = desa_counts(tree, leaves)
        return village_officials(
            villages,
            lever.officials_per_village,
            draw(lever.enrolled_share),
            lever.ramp_months,
            lever.months,
            offset,
            lever.unit_cost,
            already_enrolled=draw(lever.already_enrolled),
        )
    if isinstance(lever, EmployerCompliance):
        return employer_compliance(
            lever.workers, lever.ramp_months, offset, split_weights(uncovered), paths, lever.unit_cost
        )
    if isinstance(lever, InformalOutreach):
        return informal_outreach(
            lever.monthly_enrollments,
            lever.months,
            lever.ramp_months,
            offset,
            split_weights(uncovered),
            draw(lever.lapse),
            lever.unit_cost,
        )
    if isinstance(lever, RunningProgramme):
        return running_programme(
            lever.headcount,
            lever.scale,
            lever.ramp_months,
            offset,
            split_weights(uncovered),
            draw(lever.already_covered),
            draw(lever.retention_after),
            draw(lever.lapse),
            lever.unit_cost,
        )
    raise InputError(f"lever kind {lever.kind!r} has no effect function")  # pragma: no cover


def continuing_costs(
    scenario: Scenario, months: pd.PeriodIndex, tree: RegionTree, programmes: list | None = None
) -> list[tuple[str, str, int, float]]:
    """Cost rows ``(label, payer, year, cost_idr)`` of the running programmes (data/programmes.yaml)
    the scenario does not name: they keep running as in the history, so they cost headcount x unit
    cost in every projected month from their start and add no persons."""
    from simulator.programmes import in_force

    named = {lever.programme for lever in scenario.levers if isinstance(lever, RunningProgramme)}
    running = in_force(set(tree.codes), months[0], months[-1]) if programmes is None else programmes
    rows = []
    for name, entry in running:
        if name in named:
            continue
        start = pd.Period(entry["start"], freq="M")
        paid = months[months >= start]
        years, counts = np.unique(np.asarray(paid.year), return_counts=True)
        monthly = float(entry["headcount"]) * float(entry["unit_cost"])
        rows += [
            (str(entry["label"]), str(entry["payer"]), int(y), monthly * int(c))
            for y, c in zip(years, counts, strict=True)
        ]
    return rows


def lever_cap_shares(months, cap_share: float | None = None) -> np.ndarray:
    """Per month of ``months`` (periods): the share of BPS employed levers can fill, the potential
    workers (employed less ASN, TNI and Polri) [fraction], float64: ``cap_share`` when given, else
    ``ucj_potential_share`` (data/parameters.yaml) in force that month. The one rule the engine
    and the budget tools cap lever persons by."""
    if cap_share is None:
        share_of = {p: float(value_at("ucj_potential_share", str(p))) for p in sorted(set(months))}
        shares = np.array([share_of[p] for p in months], dtype=np.float64)
    else:
        shares = np.full(len(months), float(cap_share))
    if not (np.isfinite(shares).all() and (shares > 0).all() and (shares <= 1).all()):
        bad = shares[~(np.isfinite(shares) & (shares > 0) & (shares <= 1))][0]
        raise InputError(f"cap_share: expected a share of employed in (0, 1], got {bad}")
    return shares


def _cost_frame(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    """``lever, payer, year, cost_idr`` from (lever, payer, year, cost) tuples, in their order."""
    lever, payer, year, cost = (list(col) for col in zip(*rows, strict=True)) if rows else ([], [], [], [])
    return pd.DataFrame(
        {
            "lever": pd.Series(lever, dtype=object),
            "payer": pd.Series(payer, dtype=object),
            "year": np.array(year, dtype=np.int64),
            "cost_idr": np.array(cost, dtype=np.float64),
        }
    )

"""Run a scenario on a baseline: levers added at kabupaten/kota, capped, aggregated; costs; waterfall.

``run_scenario`` is the one orchestrator: it owns codes, months and frames and hands numpy arrays
to the pure functions in ``simulator.levers``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from simulator.baseline import Baseline, aggregate, summing_matrix
from simulator.errors import InputError
from simulator.levers import (
    LeverEffect,
    contribution_subsidy,
    employer_compliance,
    informal_outreach,
    split_weights,
    village_officials,
    workforce_factor,
)
from simulator.regions import RegionTree, load_regions
from simulator.scenario import (
    ContributionSubsidy,
    CostedLever,
    EmployerCompliance,
    InformalOutreach,
    Lever,
    Scenario,
    VillageOfficials,
    WorkforceShock,
    scope_leaves,
)

log = logging.getLogger(__name__)

BASELINE_LABEL = "baseline"


@dataclass(frozen=True, eq=False)
class Result:
    """A scenario run.

    Attributes
    ----------
    scenario : Scenario
    regions : tuple of str
        All region codes in RegionTree order.
    months : pandas.PeriodIndex
        Projection months up to the scenario horizon.
    active : numpy.ndarray
        Active participants with levers [persons], float32, (regions, paths, months); capped at the
        workforce at kabupaten/kota and summed up, so parents equal the sum of their children.
    employed : numpy.ndarray
        Workforce after workforce shocks [persons], same shape.
    cost : pandas.DataFrame
        ``lever, payer, year, cost_idr``: expected cost [IDR] (mean over paths) per lever and
        calendar year, including lever months before the projection starts, up to the horizon.
    contributions : pandas.DataFrame
        ``region_code, month, lever, persons``: a waterfall of medians [persons]. The row with
        lever "baseline" is the median baseline; each lever's row is the change in the median
        when that lever is added on top of the ones before it (file order, with the cap applied).
        The rows telescope: baseline + sum of lever rows = median scenario active, exactly up to
        float rounding.
    seed : int
    meta : dict
        Provenance: baseline meta, seed, paths.
    """

    scenario: Scenario
    regions: tuple[str, ...]
    months: pd.PeriodIndex
    active: np.ndarray
    employed: np.ndarray
    cost: pd.DataFrame
    contributions: pd.DataFrame
    seed: int
    meta: dict = field(default_factory=dict)

    @property
    def paths(self) -> int:
        return int(self.active.shape[1])

    @cached_property
    def coverage(self) -> np.ndarray:
        """active / employed [fraction], float64, (regions, paths, months); NaN where employed is 0."""
        act = self.active.astype(np.float64)
        emp = self.employed.astype(np.float64)
        return np.divide(act, emp, out=np.full(act.shape, np.nan), where=emp > 0)

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.regions)}

    def index_of(self, code: str) -> int:
        """Row of region ``code``; InputError when unknown."""
        try:
            return self._positions[code]
        except KeyError:
            raise InputError(f"result: unknown region code {code!r}") from None


def lever_names(levers: tuple[Lever, ...]) -> list[str]:
    """Display name per lever: its label, else its kind; repeats get "#n" (n = position from 1)."""
    base = [lever.label or lever.kind for lever in levers]
    return [name if base.count(name) == 1 else f"{name}#{i + 1}" for i, name in enumerate(base)]


def _offset(axis: pd.PeriodIndex, start: pd.Period) -> np.ndarray:
    return np.asarray(axis.asi8 - start.ordinal, dtype=np.int64)


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
    weights = split_weights(uncovered)
    if isinstance(lever, ContributionSubsidy):
        d, r, lapse = draw(lever.already_covered), draw(lever.retention_after), draw(lever.lapse)
        return contribution_subsidy(
            lever.headcount, lever.months, lever.ramp_months, offset, weights, d, r, lapse, lever.unit_cost
        )
    if isinstance(lever, VillageOfficials):
        villages = tree.table.set_index("code").loc[leaves, "villages"].to_numpy(dtype=np.float64)
        return village_officials(
            villages, lever.officials_per_village, draw(lever.enrolled_share), lever.ramp_months,
            lever.months, offset, lever.unit_cost,
        )
    if isinstance(lever, EmployerCompliance):
        return employer_compliance(lever.workers, lever.ramp_months, offset, weights, paths, lever.unit_cost)
    if isinstance(lever, InformalOutreach):
        return informal_outreach(
            lever.monthly_enrollments, lever.months, lever.ramp_months, offset, weights, draw(lever.lapse),
            lever.unit_cost,
        )
    raise InputError(f"lever kind {lever.kind!r} has no effect function")  # pragma: no cover


def _median(x: np.ndarray) -> np.ndarray:
    return np.median(x, axis=1)


def run_scenario(
    baseline: Baseline,
    scenario: Scenario,
    paths: int | None = None,
    seed: int = 0,
    tree: RegionTree | None = None,
    uncertainty: bool = True,
) -> Result:
    """Apply a scenario's levers to a baseline.

    Parameters
    ----------
    baseline : Baseline
        Coherent sample paths [persons]; its regions must be the tree's codes in order.
    scenario : Scenario
        Levers and horizon; the horizon must lie after ``baseline.last_observed`` and within
        the projection.
    paths : int, optional
        Use the first ``paths`` baseline paths (all by default).
    seed : int
        Seed for ``numpy.random.default_rng``; lever i draws its behavioural parameters from the
        i-th spawned child, so the same seed gives identical results and adding a lever later in
        the file leaves earlier levers' draws unchanged.
    tree : RegionTree, optional
        The bundled region tree by default.
    uncertainty : bool
        False replaces every behavioural distribution by its mean.

    Returns
    -------
    Result
    """
    tree = tree if tree is not None else load_regions()
    scenario.validate_against(baseline)
    if tuple(baseline.regions) != tuple(tree.codes):
        raise InputError("baseline: regions differ from the region tree (expected all codes in tree order)")
    n_paths = baseline.paths if paths is None else int(paths)
    if not 1 <= n_paths <= baseline.paths:
        raise InputError(f"paths: expected 1 to {baseline.paths}, got {paths}")
    keep = np.asarray(baseline.months <= scenario.horizon)
    months = baseline.months[keep]
    n_months = len(months)
    codes, leaves, s = summing_matrix(tree)
    leaf_rows = np.array([baseline.index_of(c) for c in leaves])
    leaf_pos = {c: i for i, c in enumerate(leaves)}

    base_active = baseline.active[leaf_rows][:, :n_paths][:, :, :n_months].astype(np.float32)
    employed = baseline.employed[leaf_rows][:, :n_paths][:, :, :n_months].astype(np.float32)
    uncovered_median = np.median(employed - base_active, axis=1)  # (L, T)

    levers = scenario.levers
    names = lever_names(levers)
    first = min([months[0], *(lever.start for lever in levers)])
    axis = pd.period_range(first, months[-1], freq="M")
    cut = len(axis) - n_months  # months of the axis before the projection
    rngs = np.random.default_rng(seed).spawn(len(levers)) if levers else []

    cumulative = base_active.copy()
    medians = [_median(aggregate(s, np.minimum(cumulative, employed)))]
    cost_rows: list[pd.DataFrame] = []
    years = axis.year
    for lever, name, rng in zip(levers, names, rngs):
        scope = np.array([leaf_pos[c] for c in scope_leaves(lever.region, tree)])
        if isinstance(lever, WorkforceShock):
            factor = workforce_factor(lever.change, lever.ramp_months, _offset(axis, lever.start))[cut:]
            employed = employed.copy()
            employed[scope] *= factor[None, None, :].astype(np.float32)
        else:
            at = int(np.clip((lever.start - months[0]).n, 0, n_months - 1))
            effect = _effect(lever, rng, n_paths, axis, [leaves[i] for i in scope],
                             uncovered_median[scope, at], tree, uncertainty)
            cumulative[scope] += effect.persons[:, :, cut:]
            if isinstance(lever, CostedLever):
                expected = effect.cost.mean(axis=0)
                frame = pd.DataFrame({"year": years, "cost_idr": expected})
                frame = frame[axis <= scenario.horizon].groupby("year", as_index=False)["cost_idr"].sum()
                frame = frame[frame["cost_idr"] != 0]
                cost_rows.append(frame.assign(lever=name, payer=lever.payer))
        medians.append(_median(aggregate(s, np.minimum(cumulative, employed))))
        log.debug("lever %s applied", name)

    active = aggregate(s, np.minimum(cumulative, employed))
    employed_all = aggregate(s, employed)
    return Result(
        scenario=scenario,
        regions=tuple(codes),
        months=months,
        active=active,
        employed=employed_all,
        cost=_cost_frame(cost_rows),
        contributions=_waterfall(codes, months, [BASELINE_LABEL, *names], medians),
        seed=seed,
        meta={"baseline": dict(baseline.meta), "seed": seed, "paths": n_paths, "uncertainty": uncertainty},
    )


def _cost_frame(rows: list[pd.DataFrame]) -> pd.DataFrame:
    columns = ["lever", "payer", "year", "cost_idr"]
    if not rows:
        return pd.DataFrame({"lever": pd.Series(dtype=str), "payer": pd.Series(dtype=str),
                             "year": pd.Series(dtype=np.int64), "cost_idr": pd.Series(dtype=np.float64)})
    out = pd.concat(rows, ignore_index=True)[columns]
    out["year"] = out["year"].astype(np.int64)
    return out.reset_index(drop=True)


def _waterfall(
    codes: tuple[str, ...], months: pd.PeriodIndex, names: list[str], medians: list[np.ndarray]
) -> pd.DataFrame:
    steps = [medians[0], *(b - a for a, b in zip(medians[:-1], medians[1:]))]  # each (R, T)
    n_regions, n_months = medians[0].shape
    return pd.DataFrame({
        "region_code": np.tile(np.repeat(np.asarray(codes, dtype=object), n_months), len(names)),
        "month": pd.PeriodIndex(np.tile(np.asarray(months), n_regions * len(names)), freq="M"),
        "lever": np.repeat(np.asarray(names, dtype=object), n_regions * n_months),
        "persons": np.concatenate([step.reshape(-1) for step in steps]).astype(np.float64),
    })

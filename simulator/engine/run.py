"""Run a scenario on a baseline: levers added at kabupaten/kota, capped, aggregated; costs; waterfall.

``run_scenario`` is the one orchestrator: it owns codes, months and frames and hands numpy arrays
to the pure functions in ``simulator.levers``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.baseline import Baseline
from simulator.engine.arrays import _over_paths, _window
from simulator.engine.effects import (
    _cost_frame,
    _effect,
    _offset,
    continuing_costs,
    lever_cap_shares,
    lever_names,
)
from simulator.engine.memo import _baseline_headroom, _baseline_uncovered
from simulator.engine.plan import _Plan, _Step
from simulator.engine.result import BASELINE_LABEL, Result
from simulator.errors import InputError
from simulator.levers import (
    payer_shares,
    workforce_factor,
)
from simulator.regions import RegionTree, load_regions, summing_matrix
from simulator.scenario import (
    CostedLever,
    Scenario,
    WorkforceShock,
    scope_leaves,
)

log = logging.getLogger(__name__)


def run_scenario(
    baseline: Baseline,
    scenario: Scenario,
    paths: int | None = None,
    seed: int = 0,
    tree: RegionTree | None = None,
    uncertainty: bool = True,
    regions: list[str] | tuple[str, ...] | None = None,
    programmes: list | None = None,
    cap_share: float | None = None,
) -> Result:
    """Apply a scenario's levers to a baseline.

    Levers act on the kabupaten/kota in their scope only, so the work is done on those leaves:
    each region's result is its (coherent) baseline plus the capped change of the leaves under
    it. A one-province scenario therefore costs a fraction of a national one.

    How (the numbers are those of adding every lever at every leaf, capping at the workforce and
    summing up the tree; only the work is arranged to be small):

    * each lever's added persons are a per-leaf weight times one (paths, months) profile;
    * a leaf whose cap can never bind (the sum of the levers' largest additions stays below its
      smallest headroom, employed x the lowest workforce factor - active, in every month) gets
      exactly the sum of its levers, so a region's change from such leaves is a short weighted sum
      of the lever profiles, computed straight from the profiles; only the other ("capped")
      leaves are held and capped path by path;
    * unreported regions are not computed;
    * the waterfall (a median over paths after every lever, the costliest part) is computed when
      it is asked for, for the regions and months asked for (``Result.waterfall``), or for
      everything on first use of ``Result.contributions``; there, regions untouched by a lever
      keep the previous median, and where a lever adds the same persons in every path of a month
      the median moves by exactly that amount, so medians are only recomputed where needed;
    * the baseline's own median per region and month (the first waterfall row) is computed once
      per Baseline object and reused by later runs on it (a Baseline must not be changed in place).

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
    regions : sequence of str, optional
        Region codes to report (default: every region, in tree order). Results for the others
        are not computed; the numbers of the reported ones do not depend on this choice.
    programmes : list of (id, entry), optional
        Running programmes (default: those of ``data/programmes.yaml`` in force in the tree within
        the projection). Those the scenario does not name with a ``programme`` lever keep running:
        their cost is added (``continuing_costs``), no persons (their members are in the baseline).
    cap_share : float, optional
        Levers fill a kabupaten/kota up to its potential workers, employed x ``cap_share`` (x any
        workforce shock), never beyond: ASN, TNI and Polri are outside the levers' reach, and
        coverage on the UCJ basis (active / potential workers) then stays within 100 %. Default:
        ``ucj_potential_share`` (data/parameters.yaml) in force in each month. 1 caps at BPS employed.

    Returns
    -------
    Result
    """
    tree = tree if tree is not None else load_regions()
    frame = _frame(baseline, scenario, tree, paths, regions)
    names = lever_names(scenario.levers)
    steps, cost_parts = _lever_steps(frame, scenario, names, seed, tree, uncertainty)
    running = _cost_frame(continuing_costs(scenario, frame.months, tree, programmes))
    factor_now, factors_after, capped, shares = _capped_leaves(frame, steps, cap_share)
    plan = _plan(frame, steps, factor_now, factors_after, capped, shares)
    # the paths and the waterfall are computed on request, for the rows and months asked for
    log.debug("scenario %s: %d levers, %d capped leaves", scenario.name, len(scenario.levers), len(capped))
    return Result(
        scenario=scenario,
        regions=frame.out_codes,
        months=frame.months,
        paths=frame.n_paths,
        paths_at=plan.paths,
        cost=_cost_frame(cost_parts),
        running_cost=running,
        seed=seed,
        meta={
            "baseline": dict(baseline.meta),
            "seed": seed,
            "paths": frame.n_paths,
            "uncertainty": uncertainty,
        },
        labels=(BASELINE_LABEL, *names),
        steps_at=plan.waterfall,
        medians_at=plan.known_medians,
    )


@dataclass(frozen=True, eq=False)
class _Frame:
    """Where a run works: the tree's summing matrix, the months and paths used, the reported rows,
    the kabupaten/kota the levers touch and the baseline windows (views, nothing copied)."""

    baseline: Baseline
    leaves: tuple[str, ...]
    s: np.ndarray  # (regions, leaves) summing matrix, tree order
    n_paths: int
    months: pd.PeriodIndex  # the projection months up to the horizon
    out_codes: tuple[str, ...]
    out_rows: np.ndarray  # (R,) baseline rows reported
    scopes: list[np.ndarray]  # per lever: positions in ``leaves``
    touched: np.ndarray  # (L,) positions in ``leaves`` any lever touches
    touched_rows: np.ndarray  # (L,) their baseline rows
    local_scopes: list[np.ndarray]  # per lever: positions in ``touched``
    active_all: np.ndarray  # (regions, n_paths, n_months) float32 window
    employed_all: np.ndarray
    axis: pd.PeriodIndex  # from the first lever start (or the first month) to the horizon
    cut: int  # months of ``axis`` before the projection

    @property
    def n_months(self) -> int:
        return len(self.months)


def _frame(
    baseline: Baseline,
    scenario: Scenario,
    tree: RegionTree,
    paths: int | None,
    regions: list[str] | tuple[str, ...] | None,
) -> _Frame:
    """Step 0: check the inputs against each other and lay out rows, months and lever scopes."""
    scenario.validate_against(baseline)
    codes, leaves, s = summing_matrix(tree)  # cached per tree
    if tuple(baseline.regions) != codes:
        raise InputError("baseline: regions differ from the region tree (expected all codes in tree order)")
    n_paths = baseline.paths if paths is None else int(paths)
    if not 1 <= n_paths <= baseline.paths:
        raise InputError(f"paths: expected 1 to {baseline.paths}, got {paths}")
    keep = np.asarray(baseline.months <= scenario.horizon)
    months = baseline.months[keep]
    n_months = len(months)
    if regions is None:
        out_codes = tuple(codes)
    else:
        unknown = [c for c in regions if c not in tree]
        if unknown:
            raise InputError(f"regions: unknown region code {unknown[0]!r}")
        wanted = set(regions)
        out_codes = tuple(c for c in codes if c in wanted)
    out_rows = (
        np.arange(len(codes))
        if regions is None
        else np.array([baseline.index_of(c) for c in out_codes], dtype=np.int64)
    )
    leaf_pos = {c: i for i, c in enumerate(leaves)}
    levers = scenario.levers
    scopes = [
        np.array([leaf_pos[c] for c in scope_leaves(lever.region, tree)], dtype=np.int64) for lever in levers
    ]
    touched = np.unique(np.concatenate(scopes)) if scopes else np.array([], dtype=np.int64)
    local = {int(j): i for i, j in enumerate(touched)}
    first = min([months[0], *(lever.start for lever in levers)])
    axis = pd.period_range(first, months[-1], freq="M")
    return _Frame(
        baseline=baseline,
        leaves=tuple(leaves),
        s=s,
        n_paths=n_paths,
        months=months,
        out_codes=out_codes,
        out_rows=out_rows,
        scopes=scopes,
        touched=touched,
        touched_rows=np.array([baseline.index_of(leaves[j]) for j in touched], dtype=np.int64),
        local_scopes=[np.array([local[int(j)] for j in scope_all], dtype=np.int64) for scope_all in scopes],
        active_all=_window(baseline.active, n_paths, n_months),  # views: nothing is copied here
        employed_all=_window(baseline.employed, n_paths, n_months),
        axis=axis,
        cut=len(axis) - n_months,
    )


def _lever_steps(
    frame: _Frame, scenario: Scenario, names: list[str], seed: int, tree: RegionTree, uncertainty: bool
) -> tuple[list[_Step], list[tuple[str, str, int, float]]]:
    """Step 1: each lever's effect, factored (weights x one profile per path), and its cost rows
    ``(lever, payer, year, cost_idr)``."""
    levers = scenario.levers
    months, n_months, axis, cut = frame.months, frame.n_months, frame.axis, frame.cut
    rngs = np.random.default_rng(seed).spawn(len(levers)) if levers else []
    year_codes, year_index = np.unique(np.asarray(axis.year), return_inverse=True)
    local_scopes = frame.local_scopes
    adding = [i for i, lever in enumerate(levers) if not isinstance(lever, WorkforceShock)]
    # median over paths of the uncovered workforce at each lever's start month, in float32
    uncovered_of = dict(
        zip(
            adding,
            _baseline_uncovered(
                frame.baseline,
                frame.active_all,
                frame.employed_all,
                [
                    (
                        frame.touched_rows[local_scopes[i]],
                        int(np.clip((levers[i].start - months[0]).n, 0, n_months - 1)),
                    )
                    for i in adding
                ],
            ),
            strict=True,
        )
    )
    steps: list[_Step] = []
    cost_parts: list[tuple[str, str, int, float]] = []  # lever, payer, year, cost_idr
    for i, (lever, name, rng, scope_all) in enumerate(zip(levers, names, rngs, frame.scopes, strict=True)):
        scope = local_scopes[i]
        if isinstance(lever, WorkforceShock):
            factor = workforce_factor(lever.change, lever.ramp_months, _offset(axis, lever.start))[cut:]
            steps.append(_Step(scope, factor=np.asarray(factor, dtype=np.float64)))
            log.debug("lever %s prepared", name)
            continue
        effect = _effect(
            lever,
            rng,
            frame.n_paths,
            axis,
            [frame.leaves[j] for j in scope_all],
            uncovered_of[i],
            tree,
            uncertainty,
        )
        steps.append(
            _Step(
                scope,
                weights=np.asarray(effect.weights, dtype=np.float64),
                per_path=np.ascontiguousarray(effect.per_path[:, cut:], dtype=np.float64),
            )
        )
        if isinstance(lever, CostedLever):
            expected = np.asarray(effect.cost, dtype=np.float64).mean(axis=0)  # (axis months,)
            by_year = np.bincount(year_index, weights=expected, minlength=len(year_codes))
            for payer, share in payer_shares(lever.payer, getattr(lever, "dana_desa_share", 0.0)):
                for year, value in zip(year_codes.tolist(), by_year.tolist(), strict=True):
                    if value != 0:
                        cost_parts.append((name, payer, int(year), float(value) * share))
        log.debug("lever %s prepared", name)
    return steps, cost_parts


def _capped_leaves(
    frame: _Frame, steps: list[_Step], cap_share: float | None
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray, np.ndarray]:
    """Step 2: which touched leaves can reach their cap (they are capped path by path; the others
    get exactly the sum of their levers). Returns the workforce factor after the last step, the
    factor after each step, the capped leaves (positions in ``frame.touched``) and the cap share
    per month."""
    n_touched, n_months = len(frame.touched), frame.n_months
    adds = [st for st in steps if st.factor is None]
    for k, st in enumerate(adds):
        st.column = k
    factor_now = np.ones((n_touched, n_months))
    factor_low = np.ones((n_touched, n_months))  # lowest workforce factor over the steps
    factors_after: list[np.ndarray] = []
    for st in steps:
        if st.factor is not None:
            factor_now = factor_now.copy()
            factor_now[st.scope] *= st.factor[None, :]
            np.minimum(factor_low, factor_now, out=factor_low)
        factors_after.append(factor_now)
    bound = np.zeros((n_touched, n_months))  # largest total addition per leaf and month
    exact = np.zeros(n_touched, dtype=bool)  # leaves that must be capped path by path
    for st in adds:
        if (st.weights < 0).any() or (st.per_path < 0).any() or not np.isfinite(st.per_path).all():
            exact[st.scope] = True
        np.add.at(bound, st.scope, st.weights[:, None] * st.per_path.max(axis=0)[None, :])
    shares = lever_cap_shares(frame.months, cap_share)
    cap_low = factor_low * shares[None, :]  # lowest cap as a share of employed, per leaf and month
    check = np.flatnonzero(~exact & ((bound > 0).any(axis=1) | (cap_low < 1).any(axis=1)))
    if len(check):
        _check_headroom(frame, check, bound, cap_low, exact)
    return factor_now, factors_after, np.flatnonzero(exact), shares


def _check_headroom(
    frame: _Frame, check: np.ndarray, bound: np.ndarray, cap_low: np.ndarray, exact: np.ndarray
) -> None:
    """Mark in ``exact`` the leaves ``check`` whose largest addition ``bound`` may pass their cap.

    One person of slack covers float32 rounding; leaves nearer their cap take the exact path.
    Unshocked leaves: the smallest headroom per month is kept per Baseline. Shocked leaves:
    factor x smallest employed - largest active (float32, as the headroom) is at most the
    smallest headroom (rounding is monotone), so a leaf passing with it passes exactly too;
    the others are computed path by path."""
    active_all, employed_all, touched_rows = frame.active_all, frame.employed_all, frame.touched_rows
    shocked_low = (cap_low[check] < 1).any(axis=1)
    rows_check = touched_rows[check]
    lows = _baseline_headroom(frame.baseline, active_all, employed_all, rows_check, shocked_low)
    free = check[~shocked_low]
    exact[free] = (bound[free] > lows["head"][~shocked_low] - 1.0).any(axis=1)
    maybe = np.flatnonzero(shocked_low)
    if len(maybe):
        f32 = cap_low[check[maybe]].astype(np.float32)
        low = f32 * lows["employed"][maybe] - lows["active"][maybe]  # float32
        passes = ~(bound[check[maybe]] > low - 1.0).any(axis=1) & (cap_low[check[maybe]] >= 0).all(axis=1)
        exact[check[maybe[passes]]] = False
        head = np.empty((frame.n_paths, frame.n_months), dtype=np.float32)
        for leaf in check[maybe[~passes]]:
            row = touched_rows[leaf]
            np.multiply(employed_all[row], cap_low[leaf].astype(np.float32), out=head)
            np.subtract(head, active_all[row], out=head)
            exact[leaf] = bool(np.any(bound[leaf] > _over_paths(np.minimum, head) - 1.0))


def _plan(
    frame: _Frame,
    steps: list[_Step],
    factor_now: np.ndarray,
    factors_after: list[np.ndarray],
    capped: np.ndarray,
    shares: np.ndarray,
) -> _Plan:
    """Step 3: a region's change = coefficients x lever profiles + its capped leaves.

    Sums here run over a region's own leaves in tree order (numpy, not BLAS), so a region's
    numbers do not depend on which other regions are reported or on levers elsewhere."""
    out_rows, touched, s = frame.out_rows, frame.touched, frame.s
    n_touched = len(touched)
    exact = np.zeros(n_touched, dtype=bool)
    exact[capped] = True
    adds = [st for st in steps if st.factor is None]
    under = s[np.ix_(out_rows, touched)] > 0 if n_touched else np.zeros((len(out_rows), 0), dtype=bool)
    coef = np.zeros((len(out_rows), len(adds)))  # (R, K): units of each lever profile per region
    for st in adds:
        free_weights = np.where(exact[st.scope], 0.0, st.weights)
        coef[:, st.column] = np.where(under[:, st.scope], free_weights[None, :], 0.0).sum(axis=1)
    under_capped = under[:, capped]  # (R, C)
    capped_pos = {int(c): i for i, c in enumerate(capped)}
    hits = [[(m, capped_pos[int(j)]) for m, j in enumerate(st.scope) if int(j) in capped_pos] for st in steps]
    return _Plan(
        baseline=frame.baseline,
        active_all=frame.active_all,
        employed_all=frame.employed_all,
        out_rows=out_rows,
        steps=steps,
        factors_after=factors_after,
        coef=coef,
        under_capped=under_capped,
        capped=capped,
        capped_rows=frame.touched_rows[capped],
        hits=hits,
        n_paths=frame.n_paths,
        n_months=frame.n_months,
        under=under,
        touched_rows=frame.touched_rows,
        factor_now=factor_now,
        cap_share=shares,
        leaf_counts=np.asarray(s[out_rows].sum(axis=1)).reshape(-1),
    )

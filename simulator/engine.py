"""Run a scenario on a baseline: levers added at kabupaten/kota, capped, aggregated; costs; waterfall.

``run_scenario`` is the one orchestrator: it owns codes, months and frames and hands numpy arrays
to the pure functions in ``simulator.levers``.
"""

from __future__ import annotations

import logging
import threading
import weakref
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd

from simulator.baseline import Baseline, summing_matrix
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
        The reported region codes in RegionTree order: all codes unless ``run_scenario`` was given
        ``regions``.
    months : pandas.PeriodIndex
        Projection months up to the scenario horizon.
    active : numpy.ndarray
        Active participants with levers [persons], float32, (regions, paths, months); capped at the
        workforce at kabupaten/kota and summed up, so parents equal the sum of their children (up
        to float32 rounding: a region's change is summed in float64 and added to its baseline
        with one rounding). When no lever changes any reported region this is a read-only view
        of the baseline's array.
    employed : numpy.ndarray
        Workforce after workforce shocks [persons], same shape; a read-only view of the
        baseline's array when no shock reaches a reported region.
    cost : pandas.DataFrame
        ``lever, payer, year, cost_idr``: expected cost [IDR] (mean over paths) per lever and
        calendar year, including lever months before the projection starts, up to the horizon.
    contributions : pandas.DataFrame
        ``region_code, month, lever, persons``: a waterfall of medians over paths [persons],
        float64 (for an even number of paths the mean of the two middle ones, as
        ``numpy.median``). The row with lever "baseline" is the median baseline; each lever's row
        is the change in the median when that lever is added on top of the ones before it (file
        order, with the cap applied); it is exactly 0 in regions the lever does not reach. The
        rows telescope: baseline + sum of lever rows = median scenario active, exactly up to
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


@lru_cache(maxsize=8)
def _villages(tree: RegionTree) -> dict[str, float]:
    """Villages (desa + kelurahan) per region code."""
    return dict(zip(tree.table["code"].tolist(), tree.table["villages"].astype(np.float64).tolist()))


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
            lever.headcount, lever.months, lever.ramp_months, offset, split_weights(uncovered), d, r, lapse,
            lever.unit_cost,
        )
    if isinstance(lever, VillageOfficials):
        villages = np.array([_villages(tree)[c] for c in leaves], dtype=np.float64)
        return village_officials(
            villages, lever.officials_per_village, draw(lever.enrolled_share), lever.ramp_months,
            lever.months, offset, lever.unit_cost,
        )
    if isinstance(lever, EmployerCompliance):
        return employer_compliance(
            lever.workers, lever.ramp_months, offset, split_weights(uncovered), paths, lever.unit_cost
        )
    if isinstance(lever, InformalOutreach):
        return informal_outreach(
            lever.monthly_enrollments, lever.months, lever.ramp_months, offset, split_weights(uncovered),
            draw(lever.lapse), lever.unit_cost,
        )
    raise InputError(f"lever kind {lever.kind!r} has no effect function")  # pragma: no cover


#: Values per work chunk (rows x paths x months) for medians and sums: about 2 MiB in float64.
_CHUNK_VALUES = 1 << 18


@dataclass
class _Step:
    """One lever in file order: an additive effect (weights x per_path) or a workforce factor."""

    scope: np.ndarray  # positions among the touched leaves
    weights: np.ndarray | None = None  # (len(scope),) float64
    per_path: np.ndarray | None = None  # (P, T) float64, projection months only
    factor: np.ndarray | None = None  # (T,) float64, workforce shocks only
    column: int = -1  # column of the additive effect in the coefficient matrix


def _window(array: np.ndarray, paths: int, months: int) -> np.ndarray:
    """First ``paths`` paths and ``months`` months as float32, a view when already float32."""
    return np.asarray(array[:, :paths, :months], dtype=np.float32)


def _take(array: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``array[rows]``: a view for a contiguous run of rows, else a copy."""
    if len(rows) and rows[-1] - rows[0] == len(rows) - 1 and np.all(np.diff(rows) == 1):
        return array[rows[0] : rows[-1] + 1]
    return array[rows]


def _unchanged_view(array: np.ndarray, rows: np.ndarray) -> np.ndarray | None:
    """Read-only view of ``array[rows]`` when the rows are one contiguous run (else None).

    Reported rows that no lever changes are the baseline itself; sharing its memory read-only
    saves a copy of up to (regions, paths, months) float32 per run.
    """
    if not len(rows) or rows[-1] - rows[0] != len(rows) - 1 or not np.all(np.diff(rows) == 1):
        return None
    view = array[rows[0] : rows[-1] + 1].view()
    view.flags.writeable = False
    return view


def _chunks(n: int, per_row: int):
    step = max(1, _CHUNK_VALUES // max(per_row, 1))
    for a in range(0, n, step):
        yield np.arange(a, min(a + step, n))


def _median_last(values: np.ndarray) -> np.ndarray:
    """Median over the last axis [persons], float64, partitioning ``values`` in place.

    For an even count the mean of the two middle values (as ``numpy.median``), taken in float64.
    """
    p = values.shape[-1]
    if p % 2:
        values.partition(p // 2, axis=-1)
        return values[..., p // 2].astype(np.float64)
    values.partition([p // 2 - 1, p // 2], axis=-1)
    return (values[..., p // 2 - 1].astype(np.float64) + values[..., p // 2]) / 2


#: Baseline medians over paths per Baseline object (held weakly): {(paths, months): (medians, known)}.
_MEDIAN_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_MEDIAN_LOCK = threading.Lock()


def _baseline_medians(baseline: Baseline, window: np.ndarray, rows: np.ndarray, buffer) -> np.ndarray:
    """Median over paths of the baseline ``window`` (R, P, T) at ``rows`` [persons], float64 (n, T).

    Computed once per Baseline object, paths and months and kept while the Baseline lives: the
    app and the budget solver run many scenarios on one baseline, and this is the one median
    every run needs for every reported region. A Baseline is immutable; its arrays must not be
    changed in place.
    """
    _, n_paths, n_months = window.shape
    with _MEDIAN_LOCK:
        store = _MEDIAN_CACHE.setdefault(baseline, {})
        medians, known = store.setdefault(
            (n_paths, n_months), (np.zeros((window.shape[0], n_months)), np.zeros(window.shape[0], dtype=bool))
        )
    missing = np.unique(rows[~known[rows]])
    for c in _chunks(len(missing), n_paths * n_months):
        values = buffer("values", (len(c), n_months, n_paths), np.float32)
        np.copyto(values, np.swapaxes(_take(window, missing[c]), 1, 2))
        medians[missing[c]] = _median_last(values)
    known[missing] = True
    return medians[rows]


def run_scenario(
    baseline: Baseline,
    scenario: Scenario,
    paths: int | None = None,
    seed: int = 0,
    tree: RegionTree | None = None,
    uncertainty: bool = True,
    regions: list[str] | tuple[str, ...] | None = None,
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
    * unreported regions are not computed; regions untouched by a lever keep the previous
      waterfall median, and where a lever adds the same persons in every path of a month the
      median moves by exactly that amount, so medians are only recomputed where needed;
    * the baseline's own median per region (the first waterfall row) is computed once per
      Baseline object and reused by later runs on it (a Baseline must not be changed in place).

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

    Returns
    -------
    Result
    """
    tree = tree if tree is not None else load_regions()
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
    out_rows = np.arange(len(codes)) if regions is None else np.array(
        [baseline.index_of(c) for c in out_codes], dtype=np.int64)
    leaf_pos = {c: i for i, c in enumerate(leaves)}

    levers = scenario.levers
    names = lever_names(levers)
    scopes = [np.array([leaf_pos[c] for c in scope_leaves(lever.region, tree)], dtype=np.int64) for lever in levers]
    touched = np.unique(np.concatenate(scopes)) if scopes else np.array([], dtype=np.int64)
    local = {int(j): i for i, j in enumerate(touched)}
    touched_rows = np.array([baseline.index_of(leaves[j]) for j in touched], dtype=np.int64)

    active_all = _window(baseline.active, n_paths, n_months)  # views: nothing is copied here
    employed_all = _window(baseline.employed, n_paths, n_months)

    first = min([months[0], *(lever.start for lever in levers)])
    axis = pd.period_range(first, months[-1], freq="M")
    cut = len(axis) - n_months  # months of the axis before the projection
    rngs = np.random.default_rng(seed).spawn(len(levers)) if levers else []
    year_codes, year_index = np.unique(np.asarray(axis.year), return_inverse=True)

    # ---- 1. each lever's effect, factored, and its cost ---------------------------------------
    steps: list[_Step] = []
    cost_parts: list[tuple[str, str, int, float]] = []  # lever, payer, year, cost_idr
    for lever, name, rng, scope_all in zip(levers, names, rngs, scopes):
        scope = np.array([local[int(j)] for j in scope_all], dtype=np.int64)
        if isinstance(lever, WorkforceShock):
            factor = workforce_factor(lever.change, lever.ramp_months, _offset(axis, lever.start))[cut:]
            steps.append(_Step(scope, factor=np.asarray(factor, dtype=np.float64)))
            log.debug("lever %s prepared", name)
            continue
        at = int(np.clip((lever.start - months[0]).n, 0, n_months - 1))
        rows = touched_rows[scope]
        # median over paths of the uncovered workforce at the lever's start month, in float32
        uncovered = np.median(employed_all[rows, :, at] - active_all[rows, :, at], axis=1)
        effect = _effect(lever, rng, n_paths, axis, [leaves[j] for j in scope_all], uncovered, tree, uncertainty)
        steps.append(_Step(scope, weights=np.asarray(effect.weights, dtype=np.float64),
                           per_path=np.ascontiguousarray(effect.per_path[:, cut:], dtype=np.float64)))
        if isinstance(lever, CostedLever):
            expected = np.asarray(effect.cost, dtype=np.float64).mean(axis=0)  # (axis months,)
            by_year = np.bincount(year_index, weights=expected, minlength=len(year_codes))
            for year, value in zip(year_codes.tolist(), by_year.tolist()):
                if value != 0:
                    cost_parts.append((name, lever.payer, int(year), float(value)))
        log.debug("lever %s prepared", name)

    # ---- 2. which touched leaves can reach their cap --------------------------------------------
    n_touched = len(touched)
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
    check = np.flatnonzero(~exact & ((bound > 0).any(axis=1) | (factor_low < 1).any(axis=1)))
    if len(check):
        head = np.empty((n_paths, n_months), dtype=np.float32)
        for leaf in check:
            row = touched_rows[leaf]
            if (factor_low[leaf] < 1).any():
                np.multiply(employed_all[row], factor_low[leaf].astype(np.float32), out=head)
                np.subtract(head, active_all[row], out=head)
            else:
                np.subtract(employed_all[row], active_all[row], out=head)
            # one person of slack covers float32 rounding; leaves nearer their cap take the exact path
            exact[leaf] = bool(np.any(bound[leaf] > head.min(axis=0) - 1.0))
    capped = np.flatnonzero(exact)

    # ---- 3. a region's change = coefficients x lever profiles + its capped leaves ----------------
    # Sums here run over a region's own leaves in tree order (numpy, not BLAS), so a region's
    # numbers do not depend on which other regions are reported or on levers elsewhere.
    under = s[np.ix_(out_rows, touched)] > 0 if n_touched else np.zeros((len(out_rows), 0), dtype=bool)
    coef = np.zeros((len(out_rows), len(adds)))  # (R, K): units of each lever profile per region
    for st in adds:
        free_weights = np.where(exact[st.scope], 0.0, st.weights)
        coef[:, st.column] = np.where(under[:, st.scope], free_weights[None, :], 0.0).sum(axis=1)
    under_capped = under[:, capped]  # (R, C)
    capped_pos = {int(c): i for i, c in enumerate(capped)}
    n_capped = len(capped)
    capped_rows = touched_rows[capped]
    base_capped = active_all[capped_rows]  # copies (C, P, T)
    room_capped = employed_all[capped_rows] - base_capped
    added_capped = np.zeros_like(base_capped)
    change_capped = np.zeros_like(base_capped)  # min(added, room): the capped leaves' change
    capped_under: list[slice | np.ndarray | None] = []  # per out row: its capped leaves
    for r in range(len(out_rows)):
        idx = np.flatnonzero(under_capped[r])
        if not len(idx):
            capped_under.append(None)
        elif idx[-1] - idx[0] == len(idx) - 1:
            capped_under.append(slice(int(idx[0]), int(idx[-1]) + 1))  # a view, summed in place
        else:
            capped_under.append(idx)

    chunk_rows = max(1, _CHUNK_VALUES // (n_paths * n_months))
    scratch: dict[str, np.ndarray] = {}  # work buffers, allocated once per run

    def buffer(name: str, shape: tuple[int, ...], dtype=np.float64) -> np.ndarray:
        if name not in scratch or scratch[name].shape[1:] != shape[1:] or scratch[name].shape[0] < shape[0]:
            scratch[name] = np.empty((max(shape[0], chunk_rows), *shape[1:]), dtype=dtype)
        return scratch[name][: shape[0]]

    def change_of(rows: np.ndarray, n_applied: int) -> np.ndarray | None:
        """Change [persons] float64 (n, P, T) of out rows ``rows`` after ``n_applied`` additive
        levers (the profiles in file order, then the capped leaves in tree order); None if zero."""
        shape = (len(rows), n_paths, n_months)
        change = None
        for st in adds[:n_applied]:
            c = coef[rows, st.column]
            if c.any():
                if change is None:
                    change = np.multiply(c[:, None, None], st.per_path[None, :, :], out=buffer("change", shape))
                else:
                    term = np.multiply(c[:, None, None], st.per_path[None, :, :], out=buffer("term", shape))
                    np.add(change, term, out=change)
        for i, r in enumerate(rows):
            mine = capped_under[r]
            if mine is not None:
                if change is None:
                    change = buffer("change", shape)
                    change[:] = 0.0
                change[i] += change_capped[mine].sum(axis=0, dtype=np.float64)
        return change

    def medians(rows: np.ndarray, n_applied: int, months_mask: np.ndarray | None = None) -> np.ndarray:
        """Waterfall medians [persons] float64 (n, T or the months in ``months_mask``)."""
        width = n_months if months_mask is None else int(months_mask.sum())
        out = np.empty((len(rows), width))
        for c in _chunks(len(rows), n_paths * n_months):
            base = _take(active_all, out_rows[rows[c]])
            change = change_of(rows[c], n_applied)
            if months_mask is not None:
                base = base[:, :, months_mask]
                change = None if change is None else change[:, :, months_mask]
            # scenario values written straight into a (n, T, P) buffer, partitioned in place
            values = buffer("values", (len(c), width, n_paths), np.float32)
            if change is None:
                np.copyto(values, np.swapaxes(base, 1, 2))
            else:
                np.add(np.swapaxes(base, 1, 2), np.swapaxes(change, 1, 2), out=values, casting="unsafe")
            out[c] = _median_last(values)
        return out

    # ---- 4. the waterfall: medians after each lever, recomputed only where they can move --------
    median_now = _baseline_medians(baseline, active_all, out_rows, buffer)
    waterfall = [median_now]
    n_applied = 0
    for st, factor_after in zip(steps, factors_after):
        median_now = median_now.copy()
        where = [(m, capped_pos[int(j)]) for m, j in enumerate(st.scope) if int(j) in capped_pos]
        hit = np.array([i for _, i in where], dtype=np.int64)
        if st.factor is None:
            n_applied += 1
            for m, i in where:
                added_capped[i] += (st.weights[m] * st.per_path).astype(np.float32)
                np.minimum(added_capped[i], room_capped[i], out=change_capped[i])
            rows_capped = under_capped[:, hit].any(axis=1) if len(hit) else np.zeros(len(out_rows), dtype=bool)
            rows_free = (coef[:, st.column] != 0) & ~rows_capped
            same = st.per_path.min(axis=0) == st.per_path.max(axis=0)  # months equal in every path
            if rows_free.any():
                r = np.flatnonzero(rows_free)
                median_now[np.ix_(r, same)] += coef[r, st.column][:, None] * st.per_path[0, same][None, :]
                if not same.all():
                    median_now[np.ix_(r, ~same)] = medians(r, n_applied, ~same)
        else:
            for i in hit:
                leaf_row = capped_rows[i]
                room = (employed_all[leaf_row] * factor_after[capped[i]].astype(np.float32)) - base_capped[i]
                room_capped[i] = room
                np.minimum(added_capped[i], room_capped[i], out=change_capped[i])
            rows_capped = under_capped[:, hit].any(axis=1) if len(hit) else np.zeros(len(out_rows), dtype=bool)
        if rows_capped.any():
            r = np.flatnonzero(rows_capped)
            median_now[r] = medians(r, n_applied)
        waterfall.append(median_now)

    # ---- 5. reported arrays: baseline rows copied (or viewed), changed rows recomputed -----------
    shocked = np.flatnonzero((factor_now != 1).any(axis=1))
    active_changes = bool((coef != 0).any() or under_capped.any())
    active = _unchanged_view(active_all, out_rows) if not active_changes else None
    if active is None:
        active = np.empty((len(out_rows), n_paths, n_months), dtype=np.float32)
        for c in _chunks(len(out_rows), n_paths * n_months):
            rows = slice(int(c[0]), int(c[-1]) + 1)
            change = change_of(c, n_applied)
            base = _take(active_all, out_rows[c])
            if change is None:
                np.copyto(active[rows], base)
            else:  # baseline plus the change summed in float64, rounded once
                np.add(base, change, out=active[rows], casting="unsafe")
    employed = _unchanged_view(employed_all, out_rows) if not under[:, shocked].any() else None
    if employed is None:
        employed = np.empty((len(out_rows), n_paths, n_months), dtype=np.float32)
        for c in _chunks(len(out_rows), n_paths * n_months):
            np.copyto(employed[int(c[0]) : int(c[-1]) + 1], _take(employed_all, out_rows[c]))
    if under[:, shocked].any():
        groups, group_of = np.unique(factor_now[shocked], axis=0, return_inverse=True)
        group_of = np.asarray(group_of).reshape(-1)
        for r in np.flatnonzero(under[:, shocked].any(axis=1)):
            mine = np.flatnonzero(under[r, shocked])
            kinds = np.unique(group_of[mine])
            if len(kinds) == 1 and len(mine) == int(s[out_rows[r]].sum()):
                # every leaf under the region is shocked alike: scale the region itself
                delta = employed[r] * (groups[kinds[0]] - 1.0)[None, :]
            else:
                delta = np.zeros((n_paths, n_months))
                for j in shocked[mine]:
                    leaf = employed_all[touched_rows[j]]
                    delta += leaf * factor_now[j].astype(np.float32)[None, :] - leaf
            np.add(employed[r], delta, out=employed[r], casting="unsafe")
    log.debug("scenario %s: %d levers, %d capped leaves", scenario.name, len(levers), n_capped)
    return Result(
        scenario=scenario,
        regions=out_codes,
        months=months,
        active=active,
        employed=employed,
        cost=_cost_frame(cost_parts),
        contributions=_waterfall(out_codes, months, [BASELINE_LABEL, *names], waterfall),
        seed=seed,
        meta={"baseline": dict(baseline.meta), "seed": seed, "paths": n_paths, "uncertainty": uncertainty},
    )


def _cost_frame(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    """``lever, payer, year, cost_idr`` from (lever, payer, year, cost) tuples, in their order."""
    lever, payer, year, cost = (list(col) for col in zip(*rows)) if rows else ([], [], [], [])
    return pd.DataFrame({
        "lever": pd.Series(lever, dtype=object), "payer": pd.Series(payer, dtype=object),
        "year": np.array(year, dtype=np.int64), "cost_idr": np.array(cost, dtype=np.float64),
    })


def _waterfall(
    codes: tuple[str, ...], months: pd.PeriodIndex, names: list[str], medians: list[np.ndarray]
) -> pd.DataFrame:
    steps = [medians[0], *(b - a for a, b in zip(medians[:-1], medians[1:]))]  # each (R, T)
    n_regions, n_months = medians[0].shape
    return pd.DataFrame({
        "region_code": np.tile(np.repeat(np.asarray(codes, dtype=object), n_months), len(names)),
        "month": pd.PeriodIndex.from_ordinals(np.tile(months.asi8, n_regions * len(names)), freq="M"),
        "lever": np.repeat(np.asarray(names, dtype=object), n_regions * n_months),
        "persons": np.concatenate([step.reshape(-1) for step in steps]).astype(np.float64),
    })

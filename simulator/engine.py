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
from typing import Callable

import numpy as np
import pandas as pd

from simulator import orderstats
from simulator.baseline import Baseline, coverage_ratio, summing_matrix
from simulator.errors import InputError
from simulator.levers import (
    LeverEffect,
    contribution_subsidy,
    employer_compliance,
    informal_outreach,
    payer_shares,
    running_programme,
    split_weights,
    village_officials,
    workforce_factor,
)
from simulator.parallel import in_blocks
from simulator.parameters import value_at
from simulator.regions import RegionTree, load_regions
from simulator.scenario import (
    ContributionSubsidy,
    CostedLever,
    EmployerCompliance,
    InformalOutreach,
    Lever,
    RunningProgramme,
    Scenario,
    VillageOfficials,
    WorkforceShock,
    scope_leaves,
)

log = logging.getLogger(__name__)

BASELINE_LABEL = "baseline"


@dataclass(frozen=True, eq=False, kw_only=True)
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
    paths : int
        Number of sample paths.
    active : numpy.ndarray (property, computed on first use; ``active_of`` for a part)
        Active participants with levers [persons], float32, (regions, paths, months); capped at the
        workforce at kabupaten/kota and summed up, so parents equal the sum of their children (up
        to float32 rounding: a region's change is summed in float64 and added to its baseline
        with one rounding). When no lever changes any reported region this is a read-only view
        of the baseline's array.
    employed : numpy.ndarray (property, computed on first use; ``employed_of`` for a part)
        Workforce after workforce shocks [persons], same shape; a read-only view of the
        baseline's array when no shock reaches a reported region.
    cost : pandas.DataFrame
        ``lever, payer, year, cost_idr``: expected cost [IDR] (mean over paths) per lever and
        calendar year, including lever months before the projection starts, up to the horizon.
    contributions : pandas.DataFrame (property, computed on first use; ``waterfall`` for a part)
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
    running_cost : pandas.DataFrame
        ``lever, payer, year, cost_idr``: cost [IDR] of the running programmes
        (data/programmes.yaml) the scenario leaves running (not named by a ``programme`` lever):
        their members are in the baseline, so they add no persons; kept apart from ``cost`` (what
        the scenario's own levers cost). A scenario that stops a programme has no such row and
        its lever's cost stops at the stop month: the saving is the difference.
    labels : tuple of str
        Waterfall steps: "baseline", then each lever's display name in file order.
    steps_at : callable, optional
        ``steps_at(rows, months) -> (len(labels), n, m)`` float64: the waterfall at reported row
        and month positions. ``run_scenario`` hands over its computation (the waterfall costs
        more than the run itself and is mostly needed for one region at a few months);
        ``stored_steps`` wraps a known waterfall.
    paths_at : callable
        ``paths_at(name, rows, months) -> (n, P, m)`` float32, ``name`` "active" or "employed":
        the paths at reported row and month positions (index arrays), or every row and month
        when both are None (then possibly a read-only view of the baseline). ``run_scenario``
        hands over its computation (writing every region's paths costs more than the run and
        most readers need a few regions or months); ``stored_paths`` wraps known arrays.
    """

    scenario: Scenario
    regions: tuple[str, ...]
    months: pd.PeriodIndex
    paths: int
    paths_at: Callable[[str, np.ndarray | None, np.ndarray | None], np.ndarray] = field(repr=False)
    cost: pd.DataFrame
    seed: int
    meta: dict = field(default_factory=dict)
    labels: tuple[str, ...] = (BASELINE_LABEL,)
    steps_at: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = field(default=None, repr=False)
    medians_at: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = field(default=None, repr=False)
    running_cost: pd.DataFrame = field(default_factory=lambda: _cost_frame([]))

    def waterfall(self, codes: list[str] | None = None, months: list | None = None) -> pd.DataFrame:
        """The waterfall (as ``contributions``) for ``codes`` and ``months`` only (default all).

        Computed on request for just those regions and months, the same numbers as the full
        frame: the app needs one region at one deadline, which is a small part of the work.
        """
        rows = (
            np.arange(len(self.regions))
            if codes is None
            else np.array([self.index_of(c) for c in codes], dtype=np.int64)
        )
        at = (
            np.arange(len(self.months))
            if months is None
            else np.array([self.month_index(m) for m in months], dtype=np.int64)
        )
        full = self.__dict__.get("_all_steps")
        steps = full[:, rows][:, :, at] if full is not None else self._steps(rows, at)
        return _waterfall_frame(
            [self.regions[i] for i in rows], self.months[at], self.labels, steps, self.segments
        )

    def _steps(self, rows: np.ndarray, at: np.ndarray) -> np.ndarray:
        if self.steps_at is None:
            raise InputError("result: no waterfall was kept with this result")
        return self.steps_at(rows, at)

    @cached_property
    def _all_steps(self) -> np.ndarray:
        return self._steps(np.arange(len(self.regions)), np.arange(len(self.months)))

    @cached_property
    def contributions(self) -> pd.DataFrame:
        """``region_code, month, lever, persons``: a waterfall of medians over paths [persons],
        float64, for every reported region and month (see the class notes); computed on first use."""
        return _waterfall_frame(list(self.regions), self.months, self.labels, self._all_steps, self.segments)

    @property
    def segments(self) -> tuple[str, ...]:
        """Participant segment of each waterfall step (``labels``): "ALL" for the baseline and for a
        workforce shock (it moves every segment's denominator), else the lever's segment (contribution
        subsidy and outreach BPU, employer compliance and village officials PU, a running programme
        its own); "" when the scenario's levers do not match the steps (a hand-made Result)."""
        levers = getattr(self.scenario, "levers", ())
        if len(levers) + 1 != len(self.labels):
            return ("ALL",) + ("",) * (len(self.labels) - 1)
        return ("ALL", *(lever.segment or "ALL" for lever in levers))

    def month_index(self, month) -> int:
        """Position of ``month`` (a Period or "YYYY-MM") on ``months``; InputError when outside."""
        try:
            return int(self.months.get_loc(pd.Period(month, freq="M")))
        except (KeyError, ValueError, TypeError):
            raise InputError(
                f"result: month {month} is not in the projection ({self.months[0]} to {self.months[-1]})"
            ) from None

    @cached_property
    def active(self) -> np.ndarray:
        """Every reported region's active paths [persons], float32 (regions, paths, months),
        computed on first use (see the class notes); ``active_of`` computes a part only."""
        return self.paths_at("active", None, None)

    @cached_property
    def employed(self) -> np.ndarray:
        """Every reported region's workforce paths [persons], float32 (regions, paths, months),
        computed on first use; ``employed_of`` computes a part only."""
        return self.paths_at("employed", None, None)

    def active_of(self, rows, months=None) -> np.ndarray:
        """``active[rows][..., months]`` [persons], float32, computing only those regions and
        months unless ``active`` is already computed: the same numbers.

        ``rows``: a reported row position, a region code, a slice or a list/array of those;
        ``months``: a month position, a Period or "YYYY-MM", a slice or a list/array of those
        (default all). A single row or month drops its axis, as numpy indexing does. Unknown
        regions and months outside the projection raise InputError naming them.
        """
        return self._part("active", rows, months)

    def employed_of(self, rows, months=None) -> np.ndarray:
        """``employed[rows][..., months]`` [persons], float32; see ``active_of``."""
        return self._part("employed", rows, months)

    def paths_of(self, rows, months=None) -> tuple[np.ndarray, np.ndarray]:
        """``(active_of(rows, months), employed_of(rows, months))``."""
        return self.active_of(rows, months), self.employed_of(rows, months)

    def _part(self, name: str, rows, months) -> np.ndarray:
        """``name`` ("active", "employed" or "coverage") at ``rows`` and ``months`` as the public
        accessors take them; single ones drop their axis."""
        r, one_row = self._row_positions(rows)
        t, one_month = self._month_positions(months)
        return _squeeze(self._block(name, r, t), one_row, one_month)

    def _block(self, name: str, r: np.ndarray, t: np.ndarray) -> np.ndarray:
        """(n, P, m) of ``name`` at row and month positions: cut from the whole array when it is
        already computed, else computed for these rows and months only."""
        full = self.__dict__.get(name)
        if full is not None:
            return full[r][:, :, t]
        if name == "coverage":
            return coverage_ratio(self._block("active", r, t), self._block("employed", r, t))
        if len(t) == len(self.months) and (t == np.arange(len(t))).all():
            t = None  # every month in order: slices, not copies, inside the computation
        return self.paths_at(name, r, t)

    def _row_positions(self, rows) -> tuple[np.ndarray, bool]:
        """Row positions (int64 array) of ``rows`` and whether one row was asked for."""
        n = len(self.regions)
        if isinstance(rows, slice):
            return np.arange(n, dtype=np.int64)[rows], False
        one = isinstance(rows, (str, int, np.integer))
        if isinstance(rows, np.ndarray) and rows.dtype.kind in "iu" and rows.ndim == 1:
            if len(rows) and not (-n <= rows.min() and rows.max() < n):
                bad = rows[(rows < -n) | (rows >= n)][0]
                raise InputError(
                    f"result: unknown region {int(bad)!r} (expected a code or a row position 0 to {n - 1})"
                )
            return rows.astype(np.int64) % n, False
        out = np.empty(1 if one else len(rows), dtype=np.int64)
        for k, row in enumerate([rows] if one else list(np.asarray(rows, dtype=object).reshape(-1))):
            if isinstance(row, str):
                out[k] = self.index_of(row)
            elif isinstance(row, (int, np.integer)) and not isinstance(row, bool) and -n <= int(row) < n:
                out[k] = int(row) % n
            else:
                raise InputError(
                    f"result: unknown region {row!r} (expected a code or a row position 0 to {n - 1})"
                )
        return out, one

    def _month_positions(self, months) -> tuple[np.ndarray, bool]:
        """Month positions (int64 array) of ``months`` and whether one month was asked for."""
        n = len(self.months)
        if months is None or isinstance(months, slice):
            return np.arange(n, dtype=np.int64)[months if months is not None else slice(None)], False
        one = isinstance(months, (str, int, np.integer, pd.Period))
        out = np.empty(1 if one else len(months), dtype=np.int64)
        for k, month in enumerate([months] if one else list(np.asarray(months, dtype=object).reshape(-1))):
            if isinstance(month, (int, np.integer)) and not isinstance(month, bool):
                if not -n <= int(month) < n:
                    raise InputError(
                        f"result: month position {int(month)} is not in the projection "
                        f"(0 to {n - 1}: {self.months[0]} to {self.months[-1]})"
                    )
                out[k] = int(month) % n
            else:
                out[k] = self.month_index(month)
        return out, one

    @cached_property
    def coverage(self) -> np.ndarray:
        """active / employed [fraction], float64, (regions, paths, months); NaN where employed is 0."""
        return coverage_ratio(self.active, self.employed)

    def target_inputs(self, rows, goals, months) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What ``assess`` needs of targets i = 0..n-1 (region ``rows[i]``, a code or position;
        ``goals[i]`` [fraction]; deadline month position ``months[i]``), in one pass:

        * reached (n, T) bool: whether the median over paths of the region's coverage is at least
          the goal in each month, as ``numpy.nanmedian(coverage_of(rows[i]), axis=0) >= goals[i]``
          (a NaN median or goal: False);
        * active, employed (n, P) float32: the paths at the deadline month.

        Regions no lever changes compare their baseline medians, computed once per Baseline
        object (``medians_at``), and read only the deadline months; the others are computed
        whole a few at a time, counting paths (``paths_reaching``).
        """
        r, _ = self._row_positions(rows)
        goals = np.asarray(goals, dtype=np.float64).reshape(-1)
        at = np.asarray(months, dtype=np.int64).reshape(-1)
        regions, which = np.unique(r, return_inverse=True)
        which = np.asarray(which).reshape(-1)
        n, n_months = len(r), len(self.months)
        reached = np.zeros((n, n_months), dtype=bool)
        active = np.empty((n, self.paths), dtype=np.float32)
        employed = np.empty((n, self.paths), dtype=np.float32)
        if self.medians_at is not None:
            medians, known = self.medians_at(regions)
        else:
            medians, known = np.empty((len(regions), n_months)), np.zeros(len(regions), dtype=bool)
        easy = np.flatnonzero(known[which])
        if len(easy):
            reached[easy] = medians[which[easy]] >= goals[easy, None]
            picked, place = np.unique(at[easy], return_inverse=True)
            act, emp = self.paths_of(regions[known], picked)  # (k, P, m)
            among = (np.cumsum(known) - 1)[which[easy]]  # each target's region among the known ones
            place = np.asarray(place).reshape(-1)
            active[easy] = np.swapaxes(act, 1, 2)[among, place]
            employed[easy] = np.swapaxes(emp, 1, 2)[among, place]
        rest = np.flatnonzero(~known)  # positions in regions
        per_row = self.paths * n_months
        # the targets of each region, grouped: targets order[start[j]:start[j + 1]] are region j's
        order = np.argsort(which, kind="stable")
        start = np.searchsorted(which[order], np.arange(len(regions) + 1))

        def block(lo: int, hi: int) -> None:
            for c in _chunks(hi - lo, per_row // 4):  # about 16 MiB of paths and coverage at a time
                part = rest[c + lo]
                act, emp = self.paths_of(regions[part])  # (k, P, T)
                mine = np.concatenate([order[start[j] : start[j + 1]] for j in part])  # targets
                local = np.repeat(np.arange(len(part)), start[part + 1] - start[part])  # their region
                pairs, pair_of = np.unique(np.stack([local, goals[mine]]), axis=1, return_inverse=True)
                reached[mine] = paths_reaching(coverage_ratio(act, emp), pairs[0].astype(np.int64), pairs[1])[
                    np.asarray(pair_of).reshape(-1)
                ]
                active[mine] = np.swapaxes(act, 1, 2)[local, at[mine]]
                employed[mine] = np.swapaxes(emp, 1, 2)[local, at[mine]]

        in_blocks(len(rest), block, per_row)
        return reached, active, employed

    def coverage_of(self, rows, months=None) -> np.ndarray:
        """``coverage[rows][..., months]`` [fraction], float64, without computing every region:
        the same numbers as ``coverage``. ``rows`` and ``months`` as in ``active_of`` (positions,
        codes, months, slices or lists of those; months default to all)."""
        return self._part("coverage", rows, months)

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.regions)}

    def index_of(self, code: str) -> int:
        """Row of region ``code``; InputError when unknown."""
        try:
            return self._positions[code]
        except KeyError:
            raise InputError(f"result: unknown region code {code!r}") from None


def _squeeze(part: np.ndarray, one_row: bool, one_month: bool) -> np.ndarray:
    """(n, P, m) without the row axis when one row was asked for, without the month axis when one month."""
    return part[(0 if one_row else slice(None), slice(None), 0 if one_month else slice(None))]


def paths_reaching(coverage: np.ndarray, which: np.ndarray, goals: np.ndarray) -> np.ndarray:
    """``numpy.nanmedian(coverage[which[i]], axis=0) >= goals[i]`` (bool (n, T)) for (k, paths,
    months) ``coverage``, counting paths instead of sorting them where the count decides.

    With c paths >= goal in a month and P paths: for odd P the median is >= goal exactly when
    c >= (P + 1) / 2. For even P the median is the mean of the middle two values a <= b: c >=
    P/2 + 1 puts both at or above goal, so their mean (rounded) is too; c <= P/2 - 1 puts both
    below goal, so their rounded sum is at most 2 x the float below goal and the mean stays
    below; only c = P/2 needs the median itself, computed for those months. Coverage with NaN
    takes numpy's NaN-aware median.
    """
    which = np.asarray(which, dtype=np.int64).reshape(-1)
    goals = np.asarray(goals, dtype=np.float64).reshape(-1)
    if np.isnan(coverage).any():  # a month without any workforce has no median: NaN, not reached
        return orderstats.nanmedian(coverage[which], axis=1) >= goals[:, None]
    p = coverage.shape[1]
    if np.array_equal(which, np.arange(len(coverage))):
        above = coverage >= goals[:, None, None]
    else:
        above = coverage[which] >= goals[:, None, None]
    count = _count_paths(above)
    if p % 2:
        return count >= (p + 1) // 2
    out = count >= p // 2 + 1
    for i, t in zip(*np.nonzero(count == p // 2)):
        out[i, t] = np.median(coverage[which[i], :, t]) >= goals[i]
    return out


def _count_paths(mask: np.ndarray) -> np.ndarray:
    """``numpy.count_nonzero(mask, axis=1)`` for a C-ordered (k, P, T) bool ``mask``, (k, T)
    int64, about 4x faster: paths are first summed in groups of ``_path_group`` rows seen as one
    long row, in uint16."""
    k, n_paths, n_months = mask.shape
    g = _path_group(n_paths)
    wide = np.ascontiguousarray(mask).view(np.uint8).reshape(k, n_paths // g, g * n_months)
    return (
        wide.sum(axis=1, dtype=np.uint16 if n_paths // g < 1 << 16 else np.int64)
        .reshape(k, g, n_months)
        .sum(axis=1, dtype=np.int64)
    )


def lever_names(levers: tuple[Lever, ...]) -> list[str]:
    """Display name per lever: its label, else its kind; repeats get "#n" (n = position from 1)."""
    base = [lever.label or lever.kind for lever in levers]
    return [name if base.count(name) == 1 else f"{name}#{i + 1}" for i, name in enumerate(base)]


def _offset(axis: pd.PeriodIndex, start: pd.Period) -> np.ndarray:
    return np.asarray(axis.asi8 - start.ordinal, dtype=np.int64)


@lru_cache(maxsize=8)
def _villages(tree: RegionTree) -> dict[str, float]:
    """Desa per region code [villages]: the village-officials lever acts on desa only (a kelurahan
    is an urban administrative unit with civil-servant staff: no perangkat desa, no APBDes). Trees
    without a ``desa`` column count every village."""
    column = "desa" if "desa" in tree.table.columns else "villages"
    return dict(zip(tree.table["code"].tolist(), tree.table[column].astype(np.float64).tolist()))


def desa_counts(tree: RegionTree, codes: list[str]) -> np.ndarray:
    """Desa per region of ``codes`` [villages] (the village lever's eligible villages)."""
    table = _villages(tree)
    return np.array([table[c] for c in codes], dtype=np.float64)


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
        villages = np.array([_villages(tree)[c] for c in leaves], dtype=np.float64)
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
            for y, c in zip(years, counts)
        ]
    return rows


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


def _is_run(rows: np.ndarray) -> bool:
    """Whether ``rows`` are one contiguous increasing run of positions."""
    return bool(len(rows)) and rows[-1] - rows[0] == len(rows) - 1 and bool(np.all(np.diff(rows) == 1))


def _take(array: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``array[rows]``: a view for a contiguous run of rows, else a copy."""
    if _is_run(rows):
        return array[rows[0] : rows[-1] + 1]
    return array[rows]


def _unchanged_view(array: np.ndarray, rows: np.ndarray) -> np.ndarray | None:
    """Read-only view of ``array[rows]`` when the rows are one contiguous run (else None).

    Reported rows that no lever changes are the baseline itself; sharing its memory read-only
    saves a copy of up to (regions, paths, months) float32 per run.
    """
    if not _is_run(rows):
        return None
    view = array[rows[0] : rows[-1] + 1].view()
    view.flags.writeable = False
    return view


def _chunks(n: int, per_row: int):
    step = max(1, _CHUNK_VALUES // max(per_row, 1))
    for a in range(0, n, step):
        yield np.arange(a, min(a + step, n))


#: Baseline medians over paths per Baseline object (held weakly): {(paths, months): (medians, known)}.
_MEDIAN_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_MEDIAN_LOCK = threading.Lock()


def _baseline_medians(
    baseline: Baseline, window: np.ndarray, rows: np.ndarray, months: np.ndarray, buffer
) -> np.ndarray:
    """Median over paths of the baseline ``window`` (R, P, T) at ``rows`` and ``months`` [persons],
    float64 (n, m).

    Computed once per Baseline object, paths, months, region and month, and kept while the
    Baseline lives: the app and the budget solver run many scenarios on one baseline, and this is
    the one median every waterfall needs for every reported region. A Baseline is immutable; its
    arrays must not be changed in place.
    """
    _, n_paths, n_months = window.shape
    with _MEDIAN_LOCK:
        store = _MEDIAN_CACHE.setdefault(baseline, {})
        medians, known = store.setdefault(
            (n_paths, n_months),
            (np.zeros((window.shape[0], n_months)), np.zeros((window.shape[0], n_months), dtype=bool)),
        )
    missing = np.unique(rows[~known[np.ix_(rows, months)].all(axis=1)])

    def block(lo: int, hi: int) -> None:
        scratch = buffer if lo == 0 else _buffers(1)  # a block's own work arrays
        for c in _chunks(hi - lo, n_paths * len(months)):
            c = missing[c + lo]
            values = scratch("base values", (len(c), len(months), n_paths), np.float32)
            np.copyto(values, np.swapaxes(_take(window, c)[:, :, months], 1, 2))
            medians[np.ix_(c, months)] = orderstats.median_float64(values)
            known[np.ix_(c, months)] = True

    in_blocks(len(missing), block, n_paths * len(months))
    return medians[np.ix_(rows, months)]


#: Per Baseline object (held weakly): {(paths, months): {name: (values (R, T) float32, known (R,) bool)}}
#: with, per region and month over paths, "head" = min(employed - active) (float32),
#: "employed" = min(employed) and "active" = max(active).
_HEADROOM_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _baseline_headroom(
    baseline: Baseline, active: np.ndarray, employed: np.ndarray, rows: np.ndarray, shocked: np.ndarray
) -> dict[str, np.ndarray]:
    """For baseline rows ``rows`` of the windows ``active``/``employed`` (R, P, T) float32: "head"
    (rows not ``shocked``), "employed" and "active" (``shocked`` rows) per month, (len(rows), T)
    float32; other entries are not filled in. Kept per Baseline object, like the medians: the
    run's check of which leaves can reach their cap reads each leaf's paths once per Baseline.
    """
    _, n_paths, n_months = active.shape
    with _MEDIAN_LOCK:
        store = _HEADROOM_CACHE.setdefault(baseline, {}).setdefault((n_paths, n_months), {})
        for name in ("head", "employed", "active"):
            store.setdefault(
                name,
                (
                    np.zeros((active.shape[0], n_months), dtype=np.float32),
                    np.zeros(active.shape[0], dtype=bool),
                ),
            )
    head, head_known = store["head"]
    low_emp, emp_known = store["employed"]
    high_act, act_known = store["active"]
    free = np.unique(rows[~shocked & ~head_known[rows]])
    hit = np.unique(rows[shocked & ~(emp_known[rows] & act_known[rows])])

    def block(lo: int, hi: int) -> None:  # rows free[lo:hi] then hit[...]: one list, two kinds
        diff = np.empty((n_paths, n_months), dtype=np.float32)
        for k in range(lo, hi):
            if k < len(free):
                row = free[k]
                np.subtract(employed[row], active[row], out=diff)
                head[row] = _over_paths(np.minimum, diff)
                head_known[row] = True
            else:
                row = hit[k - len(free)]
                low_emp[row] = _over_paths(np.minimum, employed[row])
                high_act[row] = _over_paths(np.maximum, active[row])
                emp_known[row] = act_known[row] = True

    in_blocks(len(free) + len(hit), block, 2 * n_paths * n_months)
    return {"head": head[rows], "employed": low_emp[rows], "active": high_act[rows]}


def _path_group(n_paths: int) -> int:
    """Rows of paths reduced together as one long row by ``_over_paths`` and ``_count_paths``: a
    divisor of ``n_paths`` near 20 (numpy's reduction over a short first axis runs one row at a
    time; 20 rows of 60 months make rows long enough to vectorise)."""
    return next(g for g in (20, 25, 16, 10, 8, 5, 4, 2, 1) if n_paths % g == 0)


def _over_paths(ufunc: np.ufunc, values: np.ndarray) -> np.ndarray:
    """``ufunc.reduce(values, axis=0)`` for ``np.minimum``/``np.maximum`` over (paths, months),
    the same numbers (the order does not matter to them) about 4x faster: paths are first reduced
    in groups of ``_path_group`` rows seen as one long row."""
    n_paths, n_months = values.shape
    g = _path_group(n_paths)
    wide = ufunc.reduce(values.reshape(n_paths // g, g * n_months), axis=0)
    return ufunc.reduce(wide.reshape(g, n_months), axis=0)


def _baseline_uncovered(
    baseline: Baseline, active: np.ndarray, employed: np.ndarray, requests: list[tuple[np.ndarray, int]]
) -> list[np.ndarray]:
    """For each request (rows, month position): ``numpy.median(employed[rows, :, at] -
    active[rows, :, at], axis=1)`` [persons], float32, kept per Baseline object, paths, months,
    region and month (each region's median is its own, whatever other rows are computed with
    it): levers split by it. Reading one month of every path of many regions is slow for its
    size (a cache line per path): each month is read once for all the levers starting then."""
    _, n_paths, n_months = active.shape
    with _MEDIAN_LOCK:
        store = _HEADROOM_CACHE.setdefault(baseline, {}).setdefault((n_paths, n_months), {})
        values, known = store.setdefault(
            "uncovered",
            (
                np.zeros((active.shape[0], n_months), dtype=np.float32),
                np.zeros((active.shape[0], n_months), dtype=bool),
            ),
        )
    for at in sorted({at for _, at in requests}):
        rows = np.unique(np.concatenate([r for r, a in requests if a == at]))
        missing = rows[~known[rows, at]]

        def block(lo: int, hi: int) -> None:
            for c in _chunks(hi - lo, n_paths):
                r = missing[c + lo]
                values[r, at] = orderstats.median(employed[r, :, at] - active[r, :, at])
                known[r, at] = True

        in_blocks(len(missing), block, 64 * n_paths)  # one month of every path: a cache line each
    return [values[rows, at] for rows, at in requests]


#: Per Baseline object (held weakly): {(paths, months): (medians (R, T) float64, known (R,) bool)},
#: the median over paths of each region's baseline coverage per month.
_COVERAGE_MEDIANS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _baseline_coverage_medians(
    baseline: Baseline, active: np.ndarray, employed: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """Median coverage over paths (``orderstats.nanmedian``) of the baseline windows
    ``active``/``employed`` (R, P, T) at ``rows``: (n, T) float64, computed once per Baseline
    object, paths, months and region (a region's numbers are its own, whatever other rows are
    computed with it). Regions a scenario leaves
    alone read them here: the status of every region under a provincial plan then costs little
    more than the plan's own regions."""
    _, n_paths, n_months = active.shape
    with _MEDIAN_LOCK:
        medians, known = _COVERAGE_MEDIANS.setdefault(baseline, {}).setdefault(
            (n_paths, n_months),
            (np.zeros((active.shape[0], n_months)), np.zeros(active.shape[0], dtype=bool)),
        )
    missing = np.unique(rows[~known[rows]])

    def block(lo: int, hi: int) -> None:
        for c in _chunks(hi - lo, n_paths * n_months):
            r = missing[c + lo]
            medians[r] = orderstats.nanmedian(coverage_ratio(_take(active, r), _take(employed, r)), axis=1)
            known[r] = True

    in_blocks(len(missing), block, n_paths * n_months)
    return medians[rows]


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


def _lever_room(employed: np.ndarray, cap: np.ndarray, workforce: np.ndarray, base: np.ndarray) -> np.ndarray:
    """The change levers may make to ``base`` active [persons], float32: up to the potential workers
    ``employed x cap`` (``cap`` = workforce factor x cap share, float32), never negative on that
    account, but down to ``workforce`` (employed x workforce factor) when a shock takes the
    workforce below the active count: ``max(employed x cap - base, min(workforce - base, 0))``.
    The lever change is ``min(added, room)``."""
    potential = employed * cap - base
    return np.maximum(potential, np.minimum(workforce - base, 0.0), out=potential)


def _buffers(chunk_rows: int):
    """A ``buffer(name, shape, dtype)`` function handing out work arrays, reused between calls.

    Each call of a public entry point takes its own, so concurrent readers of one Result (the
    app's sessions share cached results) never share scratch memory.
    """
    scratch: dict[str, np.ndarray] = {}

    def buffer(name: str, shape: tuple[int, ...], dtype=np.float64) -> np.ndarray:
        if name not in scratch or scratch[name].shape[1:] != shape[1:] or scratch[name].shape[0] < shape[0]:
            scratch[name] = np.empty((max(shape[0], chunk_rows), *shape[1:]), dtype=dtype)
        return scratch[name][: shape[0]]

    return buffer


@dataclass(eq=False)
class _Plan:
    """Everything ``run_scenario`` prepared: the scenario paths (``paths``) and the waterfall
    come from it on request, for the regions and months asked for.

    Months are independent of each other in every step (levers add per month, the cap is per
    month, medians are per month), so the waterfall restricted to some months equals those
    months of the full waterfall exactly.
    """

    baseline: Baseline
    active_all: np.ndarray  # (all regions, P, T) float32, a view of the baseline
    employed_all: np.ndarray
    out_rows: np.ndarray  # baseline row of each reported region
    steps: list[_Step]
    factors_after: list[np.ndarray]  # per step: workforce factor per touched leaf (n_touched, T)
    coef: np.ndarray  # (R, K) units of each additive lever profile per reported region
    under_capped: np.ndarray  # (R, C) bool: capped leaves under each reported region
    capped: np.ndarray  # positions of the capped leaves among the touched leaves
    capped_rows: np.ndarray  # their baseline rows
    hits: list[list[tuple[int, int]]]  # per step: (position in its scope, capped index)
    n_paths: int
    n_months: int
    under: np.ndarray  # (R, n_touched) bool: touched leaves under each reported region
    touched_rows: np.ndarray  # baseline row of each touched leaf
    factor_now: np.ndarray  # (n_touched, T) workforce factor after every step
    cap_share: np.ndarray  # (T,) float64: levers fill a leaf up to employed x factor x cap_share
    leaf_counts: np.ndarray  # (R,) kabupaten/kota under each reported region (all, touched or not)

    def __post_init__(self) -> None:
        self.adds = [st for st in self.steps if st.factor is None]
        self.chunk_rows = max(1, _CHUNK_VALUES // (self.n_paths * self.n_months))
        # per reported row: its capped leaves
        self.capped_under = self._capped_under(np.arange(len(self.out_rows)), np.arange(len(self.capped)))
        self.changes = bool((self.coef != 0).any() or self.under_capped.any())

    def _capped_under(self, rows: np.ndarray, which: np.ndarray) -> dict[int, slice | np.ndarray | None]:
        """For each reported row in ``rows``: positions in ``which`` (sorted capped indices,
        covering the row's capped leaves) of its capped leaves, a slice when contiguous (a view,
        summed in place), None when it has none."""
        local = np.full(len(self.capped), -1, dtype=np.int64)
        local[which] = np.arange(len(which))
        out: dict[int, slice | np.ndarray | None] = {}
        for r in rows.tolist():
            idx = local[np.flatnonzero(self.under_capped[r])]
            if not len(idx):
                out[r] = None
            elif idx[-1] - idx[0] == len(idx) - 1:
                out[r] = slice(int(idx[0]), int(idx[-1]) + 1)
            else:
                out[r] = idx
        return out

    def capped_changes(self, months, which: np.ndarray | None = None):
        """After each step in file order, the capped leaves' change min(added, room) [persons],
        float32 (C, P, m) at ``months`` (a slice or month positions), and the capped indices the
        step touched. Yields the same array object, updated in place.

        With ``which`` (sorted capped indices) only those leaves are computed: row k of the
        array is capped leaf ``which[k]`` (every leaf's numbers are its own, whatever else is
        computed); the yielded indices stay indices among all capped leaves.
        """
        local = None
        if which is not None:
            local = np.full(len(self.capped), -1, dtype=np.int64)
            local[which] = np.arange(len(which))
        rows = self.capped_rows if which is None else self.capped_rows[which]
        base = self.active_all[rows][:, :, months]
        share = self.cap_share[months]
        employed = self.employed_all[rows][:, :, months]
        room = _lever_room(employed, share.astype(np.float32)[None, None, :], employed, base)
        added = np.zeros_like(base)
        change = np.zeros_like(base)
        for st, hits, factor_after in zip(self.steps, self.hits, self.factors_after):
            for m, i in hits:
                k = i if local is None else int(local[i])
                if k < 0:
                    continue
                if st.factor is None:
                    added[k] += (st.weights[m] * st.per_path[:, months]).astype(np.float32)
                else:
                    leaf_row = self.capped_rows[i]
                    f = factor_after[self.capped[i]][months]
                    workforce = self.employed_all[leaf_row][:, months] * f.astype(np.float32)
                    room[k] = _lever_room(
                        self.employed_all[leaf_row][:, months],
                        (f * share).astype(np.float32),
                        workforce,
                        base[k],
                    )
                np.minimum(added[k], room[k], out=change[k])
            yield np.array([i for _, i in hits], dtype=np.int64), change

    def change_of(
        self,
        rows: np.ndarray,
        n_applied: int,
        months,
        change_capped: np.ndarray,
        buffer,
        capped_under: list | None = None,
    ) -> np.ndarray | None:
        """Change [persons] float64 (n, P, m) of reported rows ``rows`` at ``months`` after
        ``n_applied`` additive levers (the profiles in file order, then the capped leaves in tree
        order); None if zero. ``capped_under`` (from ``_capped_under``) when ``change_capped``
        holds some capped leaves only."""
        capped_under = self.capped_under if capped_under is None else capped_under
        width = change_capped.shape[2]
        shape = (len(rows), self.n_paths, width)
        change = None
        for st in self.adds[:n_applied]:
            c = self.coef[rows, st.column]
            if c.any():
                profile = st.per_path[:, months]
                if change is None:
                    change = np.multiply(c[:, None, None], profile[None, :, :], out=buffer("change", shape))
                else:
                    term = np.multiply(c[:, None, None], profile[None, :, :], out=buffer("term", shape))
                    np.add(change, term, out=change)
        for i, r in enumerate(rows):
            mine = capped_under[r]
            if mine is not None:
                if change is None:
                    change = buffer("change", shape)
                    change[:] = 0.0
                change[i] += _sum_leaves(change_capped[mine])
        return change

    def _medians(
        self,
        rows: np.ndarray,
        n_applied: int,
        months: np.ndarray,
        change_capped: np.ndarray,
        buffer,
        sub: np.ndarray | None = None,
    ) -> np.ndarray:
        """Scenario medians [persons] float64 (n, m) after ``n_applied`` additive levers at
        ``months`` (month positions), or at ``months[sub]`` when ``sub`` is given."""
        picked = months if sub is None else months[sub]
        out = np.empty((len(rows), len(picked)))

        def block(lo: int, hi: int) -> None:
            scratch = buffer if lo == 0 else _buffers(self.chunk_rows)  # a block's own work arrays
            for c in _chunks(hi - lo, self.n_paths * len(months)):
                c = c + lo
                base = _take(self.active_all, self.out_rows[rows[c]])[:, :, picked]
                change = self.change_of(rows[c], n_applied, months, change_capped, scratch)
                if change is not None and sub is not None:
                    change = change[:, :, sub]
                # scenario values written straight into a (n, m, P) buffer, partitioned in place
                values = scratch("values", (len(c), len(picked), self.n_paths), np.float32)
                if change is None:
                    np.copyto(values, np.swapaxes(base, 1, 2))
                else:
                    np.add(np.swapaxes(base, 1, 2), np.swapaxes(change, 1, 2), out=values, casting="unsafe")
                out[c] = orderstats.median_float64(values)

        in_blocks(len(rows), block, self.n_paths * len(months))
        return out

    def waterfall(self, rows: np.ndarray, months: np.ndarray) -> np.ndarray:
        """Waterfall steps [persons] float64 (steps + 1, n, m) for reported rows ``rows`` at month
        positions ``months``: the baseline median, then each step's change in the median.

        Medians are recomputed only where they can move: regions a step does not reach keep the
        previous median, and where a lever adds the same persons in every path of a month the
        median moves by exactly that amount.
        """
        rows, months = np.asarray(rows, dtype=np.int64), np.asarray(months, dtype=np.int64)
        buffer = _buffers(self.chunk_rows)
        median_now = _baseline_medians(self.baseline, self.active_all, self.out_rows[rows], months, buffer)
        cumulative = [median_now]
        n_applied = 0
        for st, (hit, change_capped) in zip(self.steps, self.capped_changes(months)):
            median_now = median_now.copy()
            if len(hit):
                rows_capped = self.under_capped[np.ix_(rows, hit)].any(axis=1)
            else:
                rows_capped = np.zeros(len(rows), dtype=bool)
            if st.factor is None:
                n_applied += 1
                rows_free = (self.coef[rows, st.column] != 0) & ~rows_capped
                profile = st.per_path[:, months]
                same = profile.min(axis=0) == profile.max(axis=0)  # months equal in every path
                if rows_free.any():
                    k = np.flatnonzero(rows_free)
                    median_now[np.ix_(k, same)] += (
                        self.coef[rows[k], st.column][:, None] * profile[0, same][None, :]
                    )
                    if not same.all():
                        median_now[np.ix_(k, ~same)] = self._medians(
                            rows[k], n_applied, months, change_capped, buffer, ~same
                        )
            if rows_capped.any():
                k = np.flatnonzero(rows_capped)
                median_now[k] = self._medians(rows[k], n_applied, months, change_capped, buffer)
            cumulative.append(median_now)
        return np.stack([cumulative[0], *(b - a for a, b in zip(cumulative[:-1], cumulative[1:]))])

    def _where(
        self, rows: np.ndarray | None, months: np.ndarray | None
    ) -> tuple[np.ndarray, slice | np.ndarray, int]:
        """(row positions, month index for the arrays' last axis, number of months): every row
        and month where None."""
        rows = np.arange(len(self.out_rows)) if rows is None else np.asarray(rows, dtype=np.int64)
        at = slice(None) if months is None else np.asarray(months, dtype=np.int64)
        return rows, at, self.n_months if months is None else len(at)

    def paths(self, name: str, rows: np.ndarray | None, months: np.ndarray | None) -> np.ndarray:
        """``Result.paths_at``: "active" or "employed" [persons], float32 (n, P, m) at reported
        row positions ``rows`` and month positions ``months``; every row and month when both are
        None (then a read-only view of the baseline when nothing changes)."""
        if name == "active":
            return self.active(rows, months)
        if name == "employed":
            return self.employed(rows, months)
        raise ValueError(f"paths: unknown array {name!r}")  # pragma: no cover

    def active(self, rows: np.ndarray | None = None, months: np.ndarray | None = None) -> np.ndarray:
        """Reported active participants with every lever [persons], float32 (n, P, m) at row
        positions ``rows`` and month positions ``months`` (default all): the baseline plus the
        change summed in float64, rounded once. Every element depends on its own row and month
        only, so a part equals those rows and months of the whole exactly."""
        full = rows is None and months is None
        if full and not self.changes:
            unchanged = _unchanged_view(self.active_all, self.out_rows)
            if unchanged is not None:
                return unchanged
        rows, at, width = self._where(rows, months)
        # only the capped leaves under the rows asked for
        which = (
            np.flatnonzero(self.under_capped[rows].any(axis=0)) if len(rows) else np.zeros(0, dtype=np.int64)
        )
        capped_under = (
            self.capped_under if len(which) == len(self.capped) else self._capped_under(rows, which)
        )
        change_capped = np.zeros((len(which), self.n_paths, width), dtype=np.float32)
        if len(which):
            for _, change_capped in self.capped_changes(at, which):
                pass
        active = np.empty((len(rows), self.n_paths, width), dtype=np.float32)

        def block(lo: int, hi: int) -> None:
            buffer = _buffers(self.chunk_rows)
            for c in _chunks(hi - lo, self.n_paths * width):
                c = c + lo
                out = slice(int(c[0]), int(c[-1]) + 1)
                change = self.change_of(rows[c], len(self.adds), at, change_capped, buffer, capped_under)
                base = _take(self.active_all, self.out_rows[rows[c]])
                if months is not None:
                    base = np.take(base, at, axis=2)  # faster than base[:, :, at], the same
                if change is None:
                    np.copyto(active[out], base)
                else:
                    np.add(base, change, out=active[out], casting="unsafe")

        in_blocks(len(rows), block, self.n_paths * width)
        return active

    @cached_property
    def unchanged(self) -> np.ndarray:
        """(R,) bool: reported rows no lever changes (their paths are the baseline's)."""
        hit_rows, _, _ = self._shocks
        same = ~(self.coef != 0).any(axis=1) & ~self.under_capped.any(axis=1)
        same[hit_rows] = False
        return same

    def known_medians(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``Result.medians_at``: (median coverage per month [fraction] float64 (n, T), known (n,)
        bool) at reported row positions ``rows``: known for the rows no lever changes (the
        per-baseline medians), not computed for the others."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.full((len(rows), self.n_months), np.nan)
        same = self.unchanged[rows]
        if same.any():
            out[same] = _baseline_coverage_medians(
                self.baseline, self.active_all, self.employed_all, self.out_rows[rows[same]]
            )
        return out, same

    @cached_property
    def _shocks(self) -> tuple[np.ndarray, dict[int, np.ndarray], dict[int, np.ndarray]]:
        """(reported rows a workforce shock reaches, {row: factor (T,)} for rows whose every leaf
        is shocked alike (scaled), {row: touched leaves shocked} for the others (changed))."""
        shocked = np.flatnonzero((self.factor_now != 1).any(axis=1))
        hit_rows = np.flatnonzero(self.under[:, shocked].any(axis=1))
        scale: dict[int, np.ndarray] = {}
        mixed: dict[int, np.ndarray] = {}
        if len(hit_rows):
            groups, group_of = np.unique(self.factor_now[shocked], axis=0, return_inverse=True)
            group_of = np.asarray(group_of).reshape(-1)
            mine = self.under[np.ix_(hit_rows, shocked)]  # (hit rows, shocked leaves)
            lowest = np.where(mine, group_of[None, :], len(groups)).min(axis=1)
            highest = np.where(mine, group_of[None, :], -1).max(axis=1)
            alike = (lowest == highest) & (mine.sum(axis=1) == self.leaf_counts[hit_rows])
            for k, r in enumerate(hit_rows.tolist()):
                if alike[k]:
                    scale[r] = groups[lowest[k]]
                else:
                    mixed[r] = shocked[mine[k]]
        return hit_rows, scale, mixed

    def employed(self, rows: np.ndarray | None = None, months: np.ndarray | None = None) -> np.ndarray:
        """Reported workforce after workforce shocks [persons], float32 (n, P, m) at row positions
        ``rows`` and month positions ``months`` (default all): per region copied, scaled (every
        leaf under it shocked alike; the product in float64, rounded once), or copied and given
        the sum of its shocked leaves' changes. A read-only view of the baseline for everything
        when no shock reaches a reported region."""
        hit_rows, scale, mixed = self._shocks
        if rows is None and months is None and not len(hit_rows):
            unchanged = _unchanged_view(self.employed_all, self.out_rows)
            if unchanged is not None:
                return unchanged
        rows, at, width = self._where(rows, months)
        employed = np.empty((len(rows), self.n_paths, width), dtype=np.float32)
        plain = ~np.isin(rows, hit_rows)  # copies of the baseline: read together

        def block(lo: int, hi: int) -> None:
            for c in _chunks(hi - lo, self.n_paths * width):
                c = c[plain[c + lo]] + lo
                if not len(c):
                    continue
                source = _take(self.employed_all, self.out_rows[rows[c]])
                if months is not None:
                    source = np.take(source, at, axis=2)
                if _is_run(c):
                    np.copyto(employed[int(c[0]) : int(c[-1]) + 1], source)
                else:
                    employed[c] = source
            for k in range(lo, hi):
                if plain[k]:
                    continue
                r = int(rows[k])
                source = self.employed_all[self.out_rows[r]]
                if months is not None:
                    source = source[:, at]
                if r in scale:  # product in float64, rounded once
                    np.multiply(source, scale[r][at][None, :], out=employed[k], casting="unsafe")
                else:
                    np.copyto(employed[k], source)
                if r in mixed:
                    delta = np.zeros((self.n_paths, width))
                    for j in mixed[r]:
                        leaf = self.employed_all[self.touched_rows[j]]
                        if months is not None:
                            leaf = leaf[:, at]
                        delta += leaf * self.factor_now[j][at].astype(np.float32)[None, :] - leaf
                    np.add(employed[k], delta, out=employed[k], casting="unsafe")

        in_blocks(len(rows), block, self.n_paths * width)
        return employed


def _sum_leaves(change: np.ndarray) -> np.ndarray:
    """Sum over the first axis [persons] in float64, leaf after leaf in order.

    numpy adds slices one after the other unless only the summed axis is longer than 1 (one
    path at one month), where it sums pairwise; that case is summed in order here, so a region's
    numbers never depend on how many paths or months are computed with them.
    """
    if change.ndim == 3 and change.shape[1] * change.shape[2] == 1 and len(change) > 1:
        out = np.zeros(change.shape[1:])
        for leaf in change:
            out += leaf
        return out
    return change.sum(axis=0, dtype=np.float64)


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
    names = lever_names(levers)
    scopes = [
        np.array([leaf_pos[c] for c in scope_leaves(lever.region, tree)], dtype=np.int64) for lever in levers
    ]
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
    local_scopes = [np.array([local[int(j)] for j in scope_all], dtype=np.int64) for scope_all in scopes]
    adding = [i for i, lever in enumerate(levers) if not isinstance(lever, WorkforceShock)]
    # median over paths of the uncovered workforce at each lever's start month, in float32
    uncovered_of = dict(
        zip(
            adding,
            _baseline_uncovered(
                baseline,
                active_all,
                employed_all,
                [
                    (
                        touched_rows[local_scopes[i]],
                        int(np.clip((levers[i].start - months[0]).n, 0, n_months - 1)),
                    )
                    for i in adding
                ],
            ),
        )
    )
    steps: list[_Step] = []
    cost_parts: list[tuple[str, str, int, float]] = []  # lever, payer, year, cost_idr
    for i, (lever, name, rng, scope_all) in enumerate(zip(levers, names, rngs, scopes)):
        scope = local_scopes[i]
        if isinstance(lever, WorkforceShock):
            factor = workforce_factor(lever.change, lever.ramp_months, _offset(axis, lever.start))[cut:]
            steps.append(_Step(scope, factor=np.asarray(factor, dtype=np.float64)))
            log.debug("lever %s prepared", name)
            continue
        uncovered = uncovered_of[i]
        effect = _effect(
            lever, rng, n_paths, axis, [leaves[j] for j in scope_all], uncovered, tree, uncertainty
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
                for year, value in zip(year_codes.tolist(), by_year.tolist()):
                    if value != 0:
                        cost_parts.append((name, payer, int(year), float(value) * share))
        log.debug("lever %s prepared", name)

    running = _cost_frame(continuing_costs(scenario, months, tree, programmes))

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
    shares = lever_cap_shares(months, cap_share)
    cap_low = factor_low * shares[None, :]  # lowest cap as a share of employed, per leaf and month
    check = np.flatnonzero(~exact & ((bound > 0).any(axis=1) | (cap_low < 1).any(axis=1)))
    if len(check):
        # one person of slack covers float32 rounding; leaves nearer their cap take the exact path.
        # Unshocked leaves: the smallest headroom per month is kept per Baseline. Shocked leaves:
        # factor x smallest employed - largest active (float32, as the headroom) is at most the
        # smallest headroom (rounding is monotone), so a leaf passing with it passes exactly too;
        # the others are computed path by path.
        shocked_low = (cap_low[check] < 1).any(axis=1)
        rows_check = touched_rows[check]
        lows = _baseline_headroom(baseline, active_all, employed_all, rows_check, shocked_low)
        free = check[~shocked_low]
        exact[free] = (bound[free] > lows["head"][~shocked_low] - 1.0).any(axis=1)
        maybe = np.flatnonzero(shocked_low)
        if len(maybe):
            f32 = cap_low[check[maybe]].astype(np.float32)
            low = f32 * lows["employed"][maybe] - lows["active"][maybe]  # float32
            passes = ~(bound[check[maybe]] > low - 1.0).any(axis=1) & (cap_low[check[maybe]] >= 0).all(axis=1)
            exact[check[maybe[passes]]] = False
            head = np.empty((n_paths, n_months), dtype=np.float32)
            for leaf in check[maybe[~passes]]:
                row = touched_rows[leaf]
                np.multiply(employed_all[row], cap_low[leaf].astype(np.float32), out=head)
                np.subtract(head, active_all[row], out=head)
                exact[leaf] = bool(np.any(bound[leaf] > _over_paths(np.minimum, head) - 1.0))
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
    hits = [[(m, capped_pos[int(j)]) for m, j in enumerate(st.scope) if int(j) in capped_pos] for st in steps]
    plan = _Plan(
        baseline=baseline,
        active_all=active_all,
        employed_all=employed_all,
        out_rows=out_rows,
        steps=steps,
        factors_after=factors_after,
        coef=coef,
        under_capped=under_capped,
        capped=capped,
        capped_rows=touched_rows[capped],
        hits=hits,
        n_paths=n_paths,
        n_months=n_months,
        under=under,
        touched_rows=touched_rows,
        factor_now=factor_now,
        cap_share=shares,
        leaf_counts=np.asarray(s[out_rows].sum(axis=1)).reshape(-1),
    )

    # ---- 4. the paths and the waterfall are computed on request, for the rows and months asked --
    log.debug("scenario %s: %d levers, %d capped leaves", scenario.name, len(levers), len(capped))
    return Result(
        scenario=scenario,
        regions=out_codes,
        months=months,
        paths=n_paths,
        paths_at=plan.paths,
        cost=_cost_frame(cost_parts),
        running_cost=running,
        seed=seed,
        meta={"baseline": dict(baseline.meta), "seed": seed, "paths": n_paths, "uncertainty": uncertainty},
        labels=(BASELINE_LABEL, *names),
        steps_at=plan.waterfall,
        medians_at=plan.known_medians,
    )


def _cost_frame(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    """``lever, payer, year, cost_idr`` from (lever, payer, year, cost) tuples, in their order."""
    lever, payer, year, cost = (list(col) for col in zip(*rows)) if rows else ([], [], [], [])
    return pd.DataFrame(
        {
            "lever": pd.Series(lever, dtype=object),
            "payer": pd.Series(payer, dtype=object),
            "year": np.array(year, dtype=np.int64),
            "cost_idr": np.array(cost, dtype=np.float64),
        }
    )


def stored_paths(active: np.ndarray, employed: np.ndarray):
    """``paths_at`` for a Result whose paths are known: ``active`` and ``employed`` (regions,
    paths, months) float32, returned as they are when everything is asked for."""
    arrays = {"active": active, "employed": employed}

    def paths_at(name: str, rows, months) -> np.ndarray:
        array = arrays[name]
        if rows is None and months is None:
            return array
        rows = slice(None) if rows is None else rows
        months = slice(None) if months is None else months
        return array[rows][:, :, months]

    return paths_at


def stored_steps(steps: np.ndarray):
    """``steps_at`` for a Result whose waterfall is known: ``steps`` (steps + 1, regions, months)."""
    steps = np.asarray(steps, dtype=np.float64)
    return lambda rows, months: steps[:, rows][:, :, months]


def _waterfall_frame(
    codes: list[str],
    months: pd.PeriodIndex,
    names: tuple[str, ...],
    steps: np.ndarray,
    segments: tuple[str, ...],
) -> pd.DataFrame:
    """The long waterfall frame from steps (len(names), regions, months), lever-major, with each
    step's participant ``segment``."""
    n_regions, n_months = len(codes), len(months)
    return pd.DataFrame(
        {
            "region_code": np.tile(np.repeat(np.asarray(codes, dtype=object), n_months), len(names)),
            "month": pd.PeriodIndex.from_ordinals(np.tile(months.asi8, n_regions * len(names)), freq="M"),
            "lever": np.repeat(np.asarray(names, dtype=object), n_regions * n_months),
            "segment": np.repeat(np.asarray(segments, dtype=object), n_regions * n_months),
            "persons": np.asarray(steps, dtype=np.float64).reshape(-1),
        }
    )

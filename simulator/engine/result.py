"""Result of a scenario run: paths and waterfall computed on request from the plan."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from simulator import orderstats
from simulator.baseline import RegionRows, coverage_ratio
from simulator.engine.arrays import _chunks, _path_group
from simulator.engine.effects import _cost_frame
from simulator.errors import InputError
from simulator.parallel import in_blocks
from simulator.scenario import (
    Scenario,
)

log = logging.getLogger(__name__)


BASELINE_LABEL = "baseline"


@dataclass(frozen=True, eq=False, kw_only=True)
class Result(RegionRows):
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
    _what = "result"  # names a Result in index_of's message

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
        every = len(t) == len(self.months) and bool((t == np.arange(len(t))).all())
        # every month in order: None, so slices, not copies, are used inside the computation
        return self.paths_at(name, r, None if every else t)

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
    for i, t in zip(*np.nonzero(count == p // 2), strict=True):
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

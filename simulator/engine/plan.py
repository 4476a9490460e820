"""The plan ``run_scenario`` prepares: lever steps and the capped leaves, from which the scenario paths
and the waterfall are computed on request.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from simulator import orderstats
from simulator.baseline import Baseline
from simulator.engine.arrays import (
    _CHUNK_VALUES,
    _buffers,
    _chunks,
    _is_run,
    _sum_leaves,
    _take,
    _unchanged_view,
    lever_room,
)
from simulator.engine.memo import _baseline_coverage_medians, _baseline_medians
from simulator.parallel import in_blocks

log = logging.getLogger(__name__)


@dataclass
class _Step:
    """One lever in file order: an additive effect (weights x per_path) or a workforce factor."""

    scope: np.ndarray  # positions among the touched leaves
    # an additive effect: weights (len(scope),) float64 x per_path (P, T) float64 over the projected
    # months; both empty for a workforce shock
    weights: np.ndarray = field(default_factory=lambda: np.empty(0))
    per_path: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    factor: np.ndarray | None = None  # (T,) float64, workforce shocks only
    column: int = -1  # column of the additive effect in the coefficient matrix


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
        room = lever_room(employed, share.astype(np.float32)[None, None, :], employed, base)
        added = np.zeros_like(base)
        change = np.zeros_like(base)
        for st, hits, factor_after in zip(self.steps, self.hits, self.factors_after, strict=True):
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
                    room[k] = lever_room(
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
        capped_under: Any = None,
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
        for st, (hit, change_capped) in zip(self.steps, self.capped_changes(months), strict=True):
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
        return np.stack(
            [cumulative[0], *(b - a for a, b in zip(cumulative[:-1], cumulative[1:], strict=True))]
        )

    def _where(
        self, rows: np.ndarray | None, months: np.ndarray | None
    ) -> tuple[np.ndarray, slice | np.ndarray, int]:
        """(row positions, month index for the arrays' last axis, number of months): every row
        and month where None."""
        rows = np.arange(len(self.out_rows)) if rows is None else np.asarray(rows, dtype=np.int64)
        at = slice(None) if months is None else np.asarray(months, dtype=np.int64)
        return rows, at, self.n_months if months is None else len(months)

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
            last = deque(self.capped_changes(at, which), maxlen=1)  # the change after every step
            if last:
                change_capped = last[0][1]
        active = np.empty((len(rows), self.n_paths, width), dtype=np.float32)

        def block(lo: int, hi: int) -> None:
            buffer = _buffers(self.chunk_rows)
            for c in _chunks(hi - lo, self.n_paths * width):
                c = c + lo
                out = slice(int(c[0]), int(c[-1]) + 1)
                change = self.change_of(rows[c], len(self.adds), at, change_capped, buffer, capped_under)
                base = _take(self.active_all, self.out_rows[rows[c]])
                if isinstance(at, np.ndarray):  # months asked for
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

    def employed(self, rows: np.ndarray | None = None, months: np.ndarray | None = None) -> np.ndarray:  # noqa: C901 -- outlier listed in #23 (complexity 15): split, then drop this
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

        def block(lo: int, hi: int) -> None:  # noqa: C901 -- outlier listed in #23 (complexity 12): split, then drop this
            for c in _chunks(hi - lo, self.n_paths * width):
                c = c[plain[c + lo]] + lo
                if not len(c):
                    continue
                source = _take(self.employed_all, self.out_rows[rows[c]])
                if isinstance(at, np.ndarray):  # months asked for
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

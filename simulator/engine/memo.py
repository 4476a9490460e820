"""The per-baseline memo: medians, headroom and uncovered workforce of a Baseline object, computed once
and reused by later runs on it (held weakly; a Baseline's arrays are read-only, so they cannot go stale).
"""

from __future__ import annotations

import functools
import logging
import threading
import weakref

import numpy as np

from simulator import orderstats
from simulator.baseline import Baseline, coverage_ratio
from simulator.engine.arrays import _buffers, _chunks, _over_paths, _take
from simulator.parallel import in_blocks

log = logging.getLogger(__name__)


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
        block = functools.partial(
            _uncovered_block, rows=missing, at=at, out=(values, known), windows=(active, employed)
        )
        in_blocks(len(missing), block, 64 * n_paths)  # one month of every path: a cache line each
    return [values[rows, at] for rows, at in requests]


def _uncovered_block(lo: int, hi: int, *, rows: np.ndarray, at: int, out: tuple, windows: tuple) -> None:
    """Median over paths of employed - active at month ``at`` for ``rows[lo:hi]``, into ``out``
    (values, known); ``windows`` (active, employed) (R, P, T) float32."""
    values, known = out
    active, employed = windows
    for c in _chunks(hi - lo, active.shape[1]):
        r = rows[c + lo]
        values[r, at] = orderstats.median(employed[r, :, at] - active[r, :, at])
        known[r, at] = True


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

"""Array helpers of the engine: work chunks, scratch buffers, windows and row selections, in-order sums."""

from __future__ import annotations

import logging

import numpy as np

log = logging.getLogger(__name__)


#: Values per work chunk (rows x paths x months) for medians and sums: about 2 MiB in float64.
_CHUNK_VALUES = 1 << 18


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


def lever_room(employed: np.ndarray, cap: np.ndarray, workforce: np.ndarray, base: np.ndarray) -> np.ndarray:
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

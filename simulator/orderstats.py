"""Medians and linear quantiles over the last axis, equal to numpy's, from one-position partitions.

``numpy.partition`` with a single position selects with a vectorised routine (numpy 2 on x86-64
with AVX2 or AVX-512); with several positions, as ``numpy.median`` (even counts) and
``numpy.quantile`` always ask for, it takes a scalar path about six times slower
(3.318 rows x 1.000 paths: 7 ms against 44 ms on the development machine). Here each requested
order statistic is found by partitioning once at one position, splitting the rest around it, and
reading a neighbouring position as the largest (smallest) value of the part below (above). The
numbers are numpy's exactly: the same order statistics and the same arithmetic on them.

The functions partition their input in place. Where a value is NaN they hand the whole array
to numpy (NaN rows give NaN, as numpy's median and quantile do); ``select`` must not see NaN.
``nanmedian`` and ``nanquantile`` are numpy's NaN-ignoring ones along any axis, on a copy.
"""

from __future__ import annotations

import warnings

import numpy as np


def select(values: np.ndarray, positions) -> np.ndarray:
    """The k-th smallest value along the last axis for each k in ``positions`` (0-based), stacked
    first: shape (len(positions), *values.shape[:-1]), the dtype of ``values``. Partitions
    ``values`` in place (it must be writeable and hold no NaN)."""
    n = values.shape[-1]
    wanted = sorted({int(k) for k in positions})
    if wanted and not 0 <= wanted[0] <= wanted[-1] < n:
        raise ValueError(f"positions must lie in 0..{n - 1}, got {wanted[0]}..{wanted[-1]}")
    found: dict[int, np.ndarray] = {}
    _select(values, 0, n, wanted, found)
    if not wanted:
        return np.empty((0, *values.shape[:-1]), dtype=values.dtype)
    return np.stack([found[int(k)] for k in positions])


def _select(values: np.ndarray, lo: int, hi: int, wanted: list[int], found: dict) -> None:
    """Fill ``found`` for the positions ``wanted`` (sorted) within the segment [lo, hi), whose
    values are those order statistics' candidates (everything below lo is smaller, above hi
    larger)."""
    if not wanted:
        return
    mid = wanted[len(wanted) // 2]
    segment = values[..., lo:hi]
    segment.partition(mid - lo, axis=-1)
    found[mid] = values[..., mid].copy()
    below = [k for k in wanted if k < mid]
    above = [k for k in wanted if k > mid]
    if below and below[-1] == mid - 1:  # the largest of the part below
        found[mid - 1] = values[..., lo:mid].max(axis=-1)
        below.pop()
    if above and above[0] == mid + 1:  # the smallest of the part above
        found[mid + 1] = values[..., mid + 1 : hi].min(axis=-1)
        above.pop(0)
    _select(values, lo, mid, below, found)
    _select(values, mid + 1, hi, above, found)


def median(values: np.ndarray) -> np.ndarray:
    """``numpy.median(values, axis=-1)`` for float ``values``, the same numbers and dtype;
    partitions ``values`` in place. For an even count the mean of the two middle values in the
    values' dtype, as numpy's ``mean`` of the pair."""
    mid = median_and_quantiles(values, ())[0]
    assert mid is not None  # asked for with the median
    return mid


def median_float64(values: np.ndarray) -> np.ndarray:
    """Median along the last axis in float64: for an even count (low + high) / 2 taken in float64
    (differs from ``numpy.median`` of float32 values, which rounds the pair's sum to float32).
    Partitions ``values`` in place."""
    n = values.shape[-1]
    if n == 0 or np.isnan(values).any():
        return np.median(values.astype(np.float64), axis=-1)
    if n % 2:
        return select(values, [n // 2])[0].astype(np.float64)
    low, high = select(values, [n // 2 - 1, n // 2])
    return (low.astype(np.float64) + high) / 2


def quantiles(values: np.ndarray, qs) -> np.ndarray:
    """``numpy.quantile(values, qs, axis=-1)`` (method "linear") for float ``values``: shape
    (len(qs), *values.shape[:-1]), the same numbers. Partitions ``values`` in place.

    numpy's rule: virtual index v = (n - 1) x q, neighbours floor(v) and floor(v) + 1 (both the
    last value when v >= n - 1), gamma = v - floor(v), a + (b - a) x gamma, or b - (b - a) x
    (1 - gamma) when gamma >= 0.5.
    """
    return median_and_quantiles(values, qs, with_median=False)[1]


def median_and_quantiles(
    values: np.ndarray, qs, with_median: bool = True
) -> tuple[np.ndarray | None, np.ndarray]:
    """(``median(values)``, ``quantiles(values, qs)``) from one selection (the median None
    without ``with_median``); partitions ``values`` in place."""
    n = values.shape[-1]
    qs = np.asarray(qs, dtype=np.float64).reshape(-1)
    if n == 0 or ((qs < 0) | (qs > 1)).any() or np.isnan(values).any():  # numpy's message, NaN or empty
        return (np.median(values, axis=-1) if with_median else None), np.quantile(values, qs, axis=-1)
    virtual = (n - 1) * qs
    floor = np.floor(virtual)
    gamma = virtual - floor
    top = virtual >= n - 1
    low_at = np.where(top, n - 1, floor).astype(np.int64).tolist()
    high_at = np.where(top, n - 1, floor + 1).astype(np.int64).tolist()
    middle = ([n // 2] if n % 2 else [n // 2 - 1, n // 2]) if with_median else []
    positions = sorted({*middle, *low_at, *high_at})
    found = dict(zip(positions, select(values, positions), strict=True))
    mid = None
    if with_median:
        mid = (
            found[n // 2]
            if n % 2
            else np.true_divide(np.add(found[n // 2 - 1], found[n // 2]), 2, dtype=values.dtype)
        )
    out = np.empty((len(qs), *values.shape[:-1]), dtype=np.result_type(values.dtype, np.float64))
    for j, (lo, hi, g) in enumerate(zip(low_at, high_at, gamma.tolist(), strict=True)):
        a, b = found[lo], found[hi]
        diff = b - a
        g = np.float64(g)  # a numpy scalar: float32 values interpolate in float64, as numpy does
        out[j] = b - diff * (1 - g) if g >= 0.5 else a + diff * g
    return mid, out


def nanmedian(values: np.ndarray, axis: int = -1) -> np.ndarray:
    """``numpy.nanmedian(values, axis)``, the same numbers; ``values`` is not changed. Without
    NaN a copy with ``axis`` last goes through ``median``; with NaN numpy computes it (a slice with
    nothing but NaN gives NaN, without numpy's warning)."""
    if np.isnan(values).any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmedian(values, axis=axis)
    return median(np.moveaxis(values, axis, -1).copy())


def nanquantile(values: np.ndarray, qs, axis: int = -1) -> np.ndarray:
    """``numpy.nanquantile(values, qs, axis)`` (method "linear"), the same numbers; ``values`` is
    not changed. Without NaN a copy with ``axis`` last goes through ``quantiles``; with NaN numpy
    computes it (a slice with nothing but NaN gives NaN, without numpy's warning)."""
    if np.isnan(values).any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanquantile(values, qs, axis=axis)
    return quantiles(np.moveaxis(values, axis, -1).copy(), qs)

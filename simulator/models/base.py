"""Arrays, simple models and seasonal adjustment shared by the models of :mod:`simulator.models`
(the data layout and the model signature are described there)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

Model = Callable[[np.ndarray, int, int], tuple[np.ndarray, np.ndarray]]

# ---------------------------------------------------------------------------------------- helpers


def pad_left(series: Sequence[np.ndarray], width: int | None = None) -> np.ndarray:
    """Stack 1-D arrays of different lengths into a left-NaN-padded ``(series, width)`` array."""
    width = max((len(s) for s in series), default=0) if width is None else width
    out = np.full((len(series), width), np.nan)
    for i, s in enumerate(series):
        s = np.asarray(s, dtype=float)[-width:] if width else np.asarray([], dtype=float)
        if len(s):
            out[i, width - len(s) :] = s
    return out


def _prep(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (y as 2-D float, valid mask, first valid column, number of valid points)."""
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        y = y[None, :]
    valid = ~np.isnan(y)
    T = y.shape[1]
    first = np.where(valid.any(axis=1), valid.argmax(axis=1), T)
    return y, valid, first, T - first


def _rms(x: np.ndarray) -> np.ndarray:
    """Row-wise root mean square ignoring NaN; NaN for rows with nothing."""
    cnt = (~np.isnan(x)).sum(axis=1)
    ss = np.nansum(x * x, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, np.sqrt(ss / np.maximum(cnt, 1)), np.nan)


def _first_values(y: np.ndarray, first: np.ndarray) -> np.ndarray:
    idx = np.minimum(first, y.shape[1] - 1)
    return y[np.arange(len(y)), idx]


def _steps(h: int) -> np.ndarray:
    return np.arange(1, h + 1, dtype=float)


# ------------------------------------------------------------------------------- simple models


def naive(y: np.ndarray, h: int, m: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Last value repeated."""
    y, _, _, _ = _prep(y)
    mean = np.repeat(y[:, -1:], h, axis=1)
    return mean, _rms(np.diff(y, axis=1))


def seasonal_naive(y: np.ndarray, h: int, m: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Value from the same phase of the last season; naive for rows shorter than ``m`` or m <= 1."""
    y, _, _, n = _prep(y)
    T = y.shape[1]
    if m <= 1 or T < m:
        return naive(y, h, m)
    idx = T - m + (np.arange(h) % m)
    mean = y[:, idx]
    short = n < m
    if short.any():
        mean[short] = y[short, -1:]
    resid = y[:, m:] - y[:, :-m]
    scale = _rms(resid)
    scale = np.where(short, _rms(np.diff(y, axis=1)), scale)
    return mean, scale


def drift(y: np.ndarray, h: int, m: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Random walk with drift: the line through the first and last observation, continued."""
    y, _, first, n = _prep(y)
    last = y[:, -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(n > 1, (last - _first_values(y, first)) / np.maximum(n - 1, 1), 0.0)
    mean = last[:, None] + slope[:, None] * _steps(h)[None, :]
    return mean, _rms(np.diff(y, axis=1) - slope[:, None])


# ---------------------------------------------------------------------------------- seasonality


def seasonality(
    y: np.ndarray, m: int, test: bool = True, additive: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Seasonal test and classical decomposition, row by row.

    Returns ``(index, multiplicative)``: ``index`` has shape ``(series, m)`` by column phase
    ``c % m`` (all ones / zeros for non-seasonal rows) and ``multiplicative`` is a bool per row.
    A row is seasonal when it has at least ``2 m`` points and ``|r_m| > 1.645 sqrt((1 + 2
    sum_{k<m} r_k^2) / n)`` (the test of ``forecast::thetaf``). Multiplicative when all values > 0,
    else additive. ``test=False`` decomposes every row with at least ``2 m`` points;
    ``additive=True`` makes every row additive.
    """
    y, valid, first, n = _prep(y)
    N, T = y.shape
    mult = np.all(np.where(valid, y > 0, True), axis=1) & (not additive)
    if m <= 1:
        return np.ones((N, max(m, 1))), mult
    seasonal = n >= 2 * m
    if seasonal.any() and test:
        y0 = np.where(valid, y, 0.0)
        mu = y0.sum(axis=1, keepdims=True) / np.maximum(n, 1)[:, None]
        d = np.where(valid, y - mu, 0.0)
        denom = np.sum(d * d, axis=1)
        r = np.stack([np.sum(d[:, k:] * d[:, :-k], axis=1) for k in range(1, m + 1)], axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = r / denom[:, None]
            limit = 1.645 * np.sqrt((1 + 2 * np.sum(r[:, :-1] ** 2, axis=1)) / np.maximum(n, 1))
        seasonal &= (denom > 0) & (np.abs(r[:, -1]) > limit)
    index = np.where(mult[:, None], 1.0, 0.0) * np.ones((N, m))
    if not seasonal.any():
        return index, mult
    rows = np.flatnonzero(seasonal)
    ys = y[rows]
    # centred moving average: 2 x m for even m, m for odd m
    if m % 2 == 0:
        w = np.r_[0.5, np.ones(m - 1), 0.5] / m
    else:
        w = np.ones(m) / m
    half = len(w) // 2
    trend = np.full_like(ys, np.nan)
    if T > 2 * half:
        acc = np.zeros((len(rows), T - 2 * half))
        for j, wj in enumerate(w):
            acc += wj * ys[:, j : T - 2 * half + j]
        trend[:, half : T - half] = acc
    ratio = np.where(mult[rows, None], ys / trend, ys - trend)
    # mean ratio per phase (column % m): pad on the left to whole seasons and fold
    lead = (-T) % m
    ok = ~np.isnan(ratio)
    folded = np.concatenate([np.zeros((len(rows), lead)), np.where(ok, ratio, 0.0)], axis=1)
    counts = np.concatenate([np.zeros((len(rows), lead)), ok.astype(float)], axis=1)
    sums = folded.reshape(len(rows), -1, m).sum(axis=1)
    cnts = counts.reshape(len(rows), -1, m).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        idx = sums / cnts
    idx = np.roll(idx, -lead, axis=1)  # back to phase of the original column index
    idx = np.where(np.isnan(idx), np.where(mult[rows, None], 1.0, 0.0), idx)
    with np.errstate(invalid="ignore", divide="ignore"):  # np.where computes both branches
        idx = np.where(
            mult[rows, None], idx / idx.mean(axis=1, keepdims=True), idx - idx.mean(axis=1, keepdims=True)
        )
    index[rows] = idx
    return index, mult


def _adjust(y: np.ndarray, index: np.ndarray, mult: np.ndarray) -> np.ndarray:
    m = index.shape[1]
    s = index[:, np.arange(y.shape[1]) % m]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mult[:, None], y / s, y - s)


def _readjust(x: np.ndarray, index: np.ndarray, mult: np.ndarray, start: int) -> np.ndarray:
    """Put the seasonal component back on values whose first column is ``start``."""
    m = index.shape[1]
    s = index[:, (start + np.arange(x.shape[1])) % m]
    return np.where(mult[:, None], x * s, x + s)

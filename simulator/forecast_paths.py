"""What :func:`simulator.forecast.forecast` hands back, from its per-series records
(``_SeriesForecast``): the long frame of means and interval bounds (``_frame``) and the sample
paths, a random-walk Gaussian copula on the error quantile tables (``_simulate``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

_U = np.arange(1, 400) / 400.0  # quantile grid for paths: 0.0025 ... 0.9975


@dataclass(frozen=True)
class _SeriesForecast:
    """One series' forecast as :func:`forecast` assembles it, for the frame and the paths."""

    uid: object
    dates: np.ndarray  # (H,) datetime64[ns]
    model: str  # the model chosen (or "naive" / "drift" for the special series)
    mean: np.ndarray  # (H,)
    band: np.ndarray  # (H, 2L): the levels' lower bounds, then their upper bounds
    table: np.ndarray  # (H, U): scaled error quantiles on the path grid _U (shared within a group)
    mult: float  # the table's scale for this series
    nonneg: bool  # clipped at 0


def _col(level) -> str:
    lv = float(level)
    return str(int(lv)) if lv.is_integer() else str(lv)


def _frame(per_series: list[_SeriesForecast], level, H) -> pd.DataFrame:
    L = len(level)
    n = len(per_series)
    if not n:
        return pd.DataFrame(columns=["unique_id", "ds", "model", "mean"])
    cols = {
        "unique_id": np.repeat(np.array([r.uid for r in per_series], dtype=object), H),
        "ds": np.concatenate([r.dates for r in per_series]),
        "model": np.repeat(np.array([r.model for r in per_series], dtype=object), H),
        "mean": np.concatenate([r.mean for r in per_series]),
    }
    bands = np.stack([r.band for r in per_series])  # (n, H, 2L)
    for li, lv in enumerate(level):
        cols[f"lo_{_col(lv)}"] = bands[:, :, li].ravel()
        cols[f"hi_{_col(lv)}"] = bands[:, :, L + li].ravel()
    frame = pd.DataFrame(cols)
    frame["ds"] = pd.to_datetime(frame["ds"])
    return frame


_WGRID = np.linspace(-3.0, 3.0, 1201)  # normal scores; beyond +-2.81 the 0.25 % tails are clipped


def _simulate(per_series: list[_SeriesForecast], P: int, H: int, seed: int) -> np.ndarray:
    """Sample paths (series, P, H) via a random-walk Gaussian copula on the quantile tables.

    ``W_k = sum_{j<=k} z_j / sqrt(k)`` is standard normal at every step; the path value is
    ``mean_k + mult * Q_k(Phi(W_k))``. For speed each distinct table (series of a frequency group
    share one) is first evaluated on a fixed grid of 1201 normal scores (spacing 0.005) and every
    draw takes the value at the nearest grid score, so no Phi or interpolation is evaluated per
    draw; the series' mean and scale are applied to the draws. Draws are float32.
    """
    rng = np.random.default_rng(seed)
    N = len(per_series)
    out = np.empty((N, P, H), dtype=np.float32)
    if not N:
        return out
    U = len(_U)
    # table columns (u grid) -> normal-score grid, once: u = Phi(w)
    u_w = np.array([0.5 * (1.0 + math.erf(w / math.sqrt(2.0))) for w in _WGRID])
    pos_u = np.clip(u_w * (U + 1) - 1.0, 0.0, U - 1.0)  # _U[j] = (j + 1) / (U + 1)
    ju = np.minimum(pos_u.astype(np.int64), U - 2)
    wu = pos_u - ju
    G = len(_WGRID)
    w0, dw = _WGRID[0], _WGRID[1] - _WGRID[0]
    # distinct tables (K, H, U) -> values on the normal-score grid (K, H, G), scaled errors
    slot: dict[int, int] = {}
    distinct: list[np.ndarray] = []
    tab = np.empty(N, dtype=np.int64)
    for i, rec in enumerate(per_series):
        k = slot.get(id(rec.table))
        if k is None:
            k = slot[id(rec.table)] = len(distinct)
            distinct.append(rec.table)
        tab[i] = k
    tabs = np.stack(distinct)
    grid = (tabs[:, :, ju] * (1 - wu) + tabs[:, :, ju + 1] * wu).astype(np.float32).ravel()
    means = np.stack([r.mean for r in per_series]).astype(np.float32)  # (N, H)
    mults = np.array([r.mult for r in per_series], dtype=np.float32)
    nonneg = np.array([r.nonneg for r in per_series], dtype=bool)
    # grid position of W_k, rounded: z_cum * factor_k + shift
    factor = (1.0 / (np.sqrt(np.arange(1, H + 1)) * dw)).astype(np.float32)[None, None, :]
    shift = np.float32(-w0 / dw + 0.5)
    h_off = np.arange(H, dtype=np.int64)[None, None, :]
    chunk = max(1, min(N, 1_000_000 // max(P * H, 1)))
    # work buffers reused across chunks (fresh memory is a large cost at 10^7 draws)
    zb = np.empty((chunk, P, H), dtype=np.float32)
    jb = np.empty((chunk, P, H), dtype=np.int32)
    for s in range(0, N, chunk):
        c = min(chunk, N - s)
        z, j, o = zb[:c], jb[:c], out[s : s + c]
        rng.standard_normal(out=z, dtype=np.float32)
        np.cumsum(z, axis=2, out=z)
        z *= factor
        z += shift
        np.clip(z, 0.0, G - 1.0, out=z)
        np.copyto(j, z, casting="unsafe")  # floor of (position + 0.5): nearest grid score
        j += ((tab[s : s + c, None, None] * H + h_off) * G).astype(np.int32)
        grid.take(j, out=o)
        o *= mults[s : s + c, None, None]
        o += means[s : s + c, None, :]
        for r in np.flatnonzero(nonneg[s : s + c]):
            np.maximum(o[r], 0.0, out=o[r])
    return out

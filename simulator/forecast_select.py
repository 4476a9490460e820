"""Backtest, model choice and error tables of :mod:`simulator.forecast`, on the numpy arrays of one
frequency group: the rolling-origin backtest (``_run_backtest``), the two-level choice among the
models (``_choose``, ``_fold_picks``), the errors of that choice (``_auto_errors``), and the pooled
quantile tables of scaled errors that give the intervals (``_calibrate``, ``_fold_out_coverage``).
The method is described in :mod:`simulator.forecast`'s docstring."""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from simulator.models import MODELS, combo

_MIN_POOL = 20


class _quiet:
    """Silence numpy's 'mean of empty slice' warnings for rows without data."""

    def __enter__(self):
        import warnings

        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def _mase_scale(Y: np.ndarray, m: int) -> np.ndarray:
    """In-sample MAE of the seasonal naive (naive when m == 1 or zero); then mean |y|; then 1."""

    def mae(lag):
        if Y.shape[1] <= lag:
            return np.full(len(Y), np.nan)
        d = np.abs(Y[:, lag:] - Y[:, :-lag])
        cnt = (~np.isnan(d)).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(cnt > 0, np.nansum(d, axis=1) / np.maximum(cnt, 1), np.nan)

    out = mae(m) if m > 1 else mae(1)
    alt = mae(1)
    out = np.where(np.isfinite(out) & (out > 0), out, alt)
    absmean = np.nanmean(np.abs(Y), axis=1) if Y.shape[1] else np.zeros(len(Y))
    out = np.where(np.isfinite(out) & (out > 0), out, absmean)
    return np.where(np.isfinite(out) & (out > 0), out, 1.0)


# --------------------------------------------------------------------------------------- backtest


@dataclass
class _BT:
    names: list
    E: dict  # model -> (N, F, Hb) scaled errors (NaN where no test point)
    S: dict  # model -> (N, F, Hb) sMAPE terms in percent
    nfolds: np.ndarray  # (N,) folds with data


def _run_backtest(Y, n, m, horizon, folds, names, nonneg) -> _BT:
    N, T = Y.shape
    hb = np.minimum(horizon, np.maximum(1, n // 4))
    min_train = np.maximum(4, n // 3)
    spacing = np.maximum(1, np.minimum(hb, (n - hb - min_train) // max(folds - 1, 1)))
    Hb = int(hb.max()) if N else 1
    E = {k: np.full((N, folds, Hb), np.nan) for k in names}
    S = {k: np.full((N, folds, Hb), np.nan) for k in names}
    nfolds = np.zeros(N, dtype=int)
    first = T - n
    for j in range(folds):
        L = n - hb - j * spacing
        rows = np.flatnonzero(L >= 3)
        if not len(rows):
            continue
        nfolds[rows] += 1
        cut = n[rows] - L[rows]
        W = int(L[rows].max())
        src = np.arange(W)[None, :] + (T - W) - cut[:, None]
        ok = src >= first[rows, None]
        train = np.where(ok, Y[rows[:, None], np.clip(src, 0, T - 1)], np.nan)
        tcol = T - cut[:, None] + np.arange(Hb)[None, :]
        tok = np.arange(Hb)[None, :] < hb[rows, None]
        actual = np.where(tok, Y[rows[:, None], np.clip(tcol, 0, T - 1)], np.nan)
        scale = _mase_scale(train, m)
        # the combination's ETS and Theta members are the models of those names on the same
        # training data: fitted once (the same numbers; they are most of the combination's time)
        known: dict = {}
        for name in names:
            if name == "combo":
                mean, _ = combo(train, Hb, m, known=known)
            else:
                fitted = MODELS[name](train, Hb, m)
                if name in ("ets", "theta"):
                    known[name] = fitted
                mean = fitted[0]
            mean = np.where(nonneg[rows, None], np.maximum(mean, 0.0), mean)
            err = actual - mean
            E[name][rows, j] = err / scale[:, None]
            den = np.abs(actual) + np.abs(mean)
            with np.errstate(invalid="ignore", divide="ignore"):
                S[name][rows, j] = np.where(den > 0, 200.0 * np.abs(err) / den, 0.0) + err * 0.0
    return _BT(list(names), E, S, nfolds)


def _calibrate(E: np.ndarray, probs: np.ndarray, H: int):
    """Pooled empirical quantiles of scaled errors.

    ``E`` is (N, F, Hb). Returns ``(Q, rho)``: Q has shape (H, len(probs)) or is None when there are
    too few errors; rho (N,) is the shrunk per-series spread factor.
    """
    N, F, Hb = E.shape
    absE = np.abs(E)
    cnt_k = (~np.isnan(E)).sum(axis=(0, 1))
    total = int(cnt_k.sum())
    if total < 10:
        return None, np.ones(N)
    with np.errstate(invalid="ignore", divide="ignore"):
        a_k = np.array([np.nanmedian(absE[:, :, k]) if cnt_k[k] else np.nan for k in range(Hb)])
        a_k = np.where(a_k > 0, a_k, np.nan)
        z = absE / a_k[None, None, :]
        zc = (~np.isnan(z)).sum(axis=(1, 2))
        rho_raw = np.where(zc > 0, np.nansum(z, axis=(1, 2)) / np.maximum(zc, 1), np.nan)
        ref = np.nanmedian(rho_raw) if np.isfinite(rho_raw).any() else np.nan
        rho_raw = rho_raw / ref if np.isfinite(ref) and ref > 0 else np.ones(N)
        fcnt = (~np.isnan(E)).any(axis=2).sum(axis=1)
        rho = np.where(np.isfinite(rho_raw), (fcnt * rho_raw + 1.0) / (fcnt + 1.0), 1.0)
    rho = np.clip(rho, 0.05, 20.0)
    Z = E / rho[:, None, None]
    steps = np.arange(1, Hb + 1, dtype=float)
    allz = (Z / np.sqrt(steps)[None, None, :]).ravel()
    allz = allz[~np.isnan(allz)]
    q_all = np.quantile(allz, probs)
    Q = np.empty((H, len(probs)))
    for k in range(H):
        if k < Hb and cnt_k[k] >= _MIN_POOL:
            zk = Z[:, :, k].ravel()
            Q[k] = np.quantile(zk[~np.isnan(zk)], probs)
        else:
            Q[k] = q_all * math.sqrt(k + 1)
    lower = probs < 0.5
    Q[:, lower] = np.minimum(np.minimum.accumulate(Q[:, lower], axis=0), 0.0)
    Q[:, ~lower] = np.maximum(np.maximum.accumulate(Q[:, ~lower], axis=0), 0.0)
    order = np.argsort(probs, kind="stable")
    Q[:, order] = np.maximum.accumulate(Q[:, order], axis=1)  # quantiles non-decreasing in p
    return Q, rho


def _normal_table(probs: np.ndarray, H: int) -> np.ndarray:
    nd = NormalDist()
    zq = np.array([nd.inv_cdf(float(p)) for p in probs])
    return zq[None, :] * np.sqrt(np.arange(1, H + 1))[:, None]


def _level_probs(level) -> np.ndarray:
    lv = np.array([float(x) for x in level])
    return np.concatenate([(1 - lv / 100) / 2, (1 + lv / 100) / 2])


def _fold_out_coverage(E: np.ndarray, probs: np.ndarray, L: int) -> np.ndarray:
    """(N, F, Hb, L) 1/0/NaN: is fold j's scaled error inside the interval calibrated on the
    other folds only (all folds when there is one)?"""
    N, F, Hb = E.shape
    cover = np.full((N, F, Hb, L), np.nan)
    for j in range(F):
        Q, rho = _calibrate(np.delete(E, j, axis=1) if F > 1 else E, probs, Hb)
        if Q is None:
            continue
        e = E[:, j, :][:, :, None]
        lo = rho[:, None, None] * Q[None, :, :L]
        hi = rho[:, None, None] * Q[None, :, L:]
        c = ((e >= lo - 1e-12) & (e <= hi + 1e-12)).astype(float)
        cover[:, j] = np.where(np.isnan(e), np.nan, c)
    return cover


def _fold_mae(bt: _BT, sel_names: list) -> np.ndarray:
    """(N, K, F) mean absolute scaled backtest error per series, candidate model and fold."""
    with np.errstate(invalid="ignore"), _quiet():
        return np.stack([np.nanmean(np.abs(bt.E[k]), axis=2) for k in sel_names], axis=1)


def _per_series(mae: np.ndarray, keep: list) -> np.ndarray:
    with np.errstate(invalid="ignore"), _quiet():
        score = np.nanmean(mae[:, :, keep], axis=2)
    return np.argmin(np.where(np.isnan(score), np.inf, score), axis=1)


def _choose(mae: np.ndarray, keep: list) -> np.ndarray:
    """Model position per series (N,), chosen on backtest folds ``keep`` of ``mae`` (N, K, F).

    Two levels. Per series, the model with the lowest mean error on those folds. But that choice
    is noisy on short series (a few folds of a few points each), so it is kept only if it pays: its
    own error, each fold judged by a choice made on the other folds, pooled over the series of the
    group, must be below the pooled error of the best single model for every series. Otherwise
    every series gets that single model (where it has backtest errors). With one fold there is
    nothing to judge the per-series choice on, and it is kept.
    """
    per_series = _per_series(mae, keep)
    if len(keep) < 2:
        return per_series
    rows = np.arange(mae.shape[0])
    judged = np.stack([mae[rows, _per_series(mae, [f for f in keep if f != j]), j] for j in keep], axis=1)
    with np.errstate(invalid="ignore"), _quiet():
        single = np.nanmean(mae[:, :, keep], axis=(0, 2))  # (K,)
        selection = np.nanmean(judged)
    single = np.where(np.isnan(single), np.inf, single)
    best = int(np.argmin(single))
    if not single[best] < selection:
        return per_series
    has = np.isfinite(mae[:, best, keep]).any(axis=1)
    return np.where(has, best, per_series)


def _fold_picks(mae: np.ndarray) -> list[np.ndarray]:
    """Per backtest fold j, the model position per series chosen on the OTHER folds (``_choose``;
    with one fold, on that fold), from ``mae`` (N, K, F) of ``_fold_mae``."""
    F = mae.shape[2]
    return [_choose(mae, [f for f in range(F) if f != j] or [j]) for j in range(F)]


def _auto_errors(values: dict, sel_names: list, picks: list[np.ndarray]) -> np.ndarray:
    """(N, F, Hb) errors of the model choice itself: in fold j, those of the model ``picks[j]``
    (``_fold_picks``) chosen without the fold; ``values`` is ``bt.E`` or ``bt.S``.

    The chosen model's own backtest errors understate its future errors (it was chosen for being
    small on exactly those folds), so intervals calibrated on them are too narrow; these are out of
    sample for the choice.
    """
    out = np.full_like(values[sel_names[0]], np.nan)
    for j, pick in enumerate(picks):
        for s_i, name in enumerate(sel_names):
            r = pick == s_i
            out[r, j] = values[name][r, j]
    return out

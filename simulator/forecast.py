"""Forecast many series at once: backtest-based model selection, calibrated intervals, sample paths.

This module is the one place that knows about frames, ids and dates; the models in
:mod:`simulator.models` see only left-NaN-padded numpy arrays.

Input: a long frame with columns ``unique_id, ds, y``. ``ds`` are dates of yearly, quarterly or
monthly data; the frequency is inferred per series (greatest common step between consecutive
observations, in calendar months: a multiple of 12 -> yearly, of 3 -> quarterly, otherwise
monthly). Series may have different lengths and frequencies. ``horizon`` is in each series' own
periods.

Method
------
* **Preparation.** Per series: sort by ``ds``, drop rows with missing/non-finite ``y``, keep the
  last of duplicated dates, put the values on a regular grid and fill missing periods by linear
  interpolation (with a note).
* **Backtest** (rolling origin). For a series of n points the test window is
  ``hb = min(horizon, max(1, n // 4))`` steps; ``folds`` origins are spaced
  ``min(hb, (n - hb - max(4, n // 3)) // (folds - 1))`` apart (at least 1) ending at ``n - hb``,
  so the earliest training window keeps about a third of the series. Errors ``y - forecast`` are
  scaled by the training window's MASE denominator (in-sample MAE of the seasonal naive, or of the
  naive when that is zero).
* **Default model**: ``combo`` (:data:`DEFAULT_MODELS`): for quarterly and monthly data the
  equal-weight mean of ETS (AICc-weighted over its state-space forms), Theta and ARIMA(p,1,0) on
  the seasonally adjusted series; for yearly data the median of ETS, Theta, ARIMA(p,d,0) with d
  by a KPSS test, damped Holt and drift (see :mod:`simulator.models`). No per-series choice. On the
  development sets of ``bench/bench_forecast_real.py`` (M3, M1 and the statsmodels windows; 9
  collection x frequency sets) its mean MASE is below every member's on 3 sets (M3 quarterly and
  monthly, M1 quarterly) and never the worst member's; single members win where one family
  dominates a set (damped Holt on the yearly fertility rates). An exact straight line is
  continued by drift with zero-width intervals (noted), like a constant.
* **Selection** among the ``models`` a caller names, in two levels (``_choose``). Per series, the
  model with the lowest backtest MASE (mean over folds of the mean over steps; ties go to the
  earlier model in the list, simpler first). That choice is noisy on short series, so it is kept
  only when it pays: judged fold by fold with the choice made on the other folds, its error pooled
  over the series of one frequency must be below the pooled error of the best single model;
  otherwise every series gets that single model.
* **Intervals** are empirical, from the errors of the selection itself: in each backtest fold, the
  model chosen on the OTHER folds and its error on this one (the chosen model's own backtest errors
  are too small, since it was chosen for them). For each horizon step these scaled errors are
  pooled across the series of one frequency; a per-series spread factor ``rho`` (the series' mean
  absolute scaled error relative to the pool, shrunk towards 1 by ``(F rho + 1) / (F + 1)`` with F
  the number of folds) rescales them. Interval at step k: ``mean + scale * rho * q_k(p)`` with
  ``q_k`` the pooled quantiles of ``error / rho``; steps with fewer than 20 pooled errors (beyond
  the backtest window) use the quantiles of ``error / sqrt(step)`` pooled over all steps, times
  ``sqrt(k)`` (random-walk growth). Widths never shrink with the horizon and always contain the
  mean. With no usable backtest errors at all, normal intervals from the model's one-step residual
  RMSE times sqrt(k) are used (noted).
* **Paths** (when ``paths > 0``): a Gaussian copula with random-walk dependence. Standard normal
  innovations are accumulated over steps (``W_k = sum_{j<=k} z_j / sqrt(k)``), mapped to uniforms
  and then through the same per-step empirical quantile function as the intervals, so the paths'
  marginal quantiles match the intervals (to the 0.25 % tails, which are clipped). Paths are
  float32; seeded with ``numpy.random.default_rng(seed)``.
* **Special series** (each gets a note): constant -> flat forecast with zero-width intervals, no
  backtest; fewer than 8 points -> naive with pooled naive intervals (a single point gets
  zero-width intervals); fewer than two seasons -> no seasonal model can apply; intermittent
  (>= 30 % zeros) or with zeros -> forecasts, intervals and paths of non-negative series are clipped
  at 0; flat (most periods unchanged) -> noted only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import pandas as pd

from simulator.errors import InputError
from simulator.models import MODELS, pad_left

REQUIRED = ("unique_id", "ds", "y")
BENCHMARKS = ("naive", "seasonal_naive")
#: what forecast() uses (and backtest()'s ``auto`` scores) when no ``models`` are given
DEFAULT_MODELS = ("combo",)
_FREQ = {12: ("yearly", 1), 3: ("quarterly", 4), 1: ("monthly", 12)}  # step in months -> (name, m)
_MIN_POOL = 20
_U = np.arange(1, 400) / 400.0  # quantile grid for paths: 0.0025 ... 0.9975
_MIN_POINTS = 8


@dataclass
class Forecast:
    """Result of :func:`forecast`.

    ``frame``: tidy ``unique_id, ds, model, mean, lo_80, hi_80, lo_95, hi_95`` (one ``lo_L/hi_L``
    pair per level), sorted by ``unique_id`` then ``ds``.
    ``paths``: ``None`` or a float32 array ``(series, paths, horizon)`` whose first axis follows
    ``ids`` (float32 halves the memory of e.g. 552 x 1000 x 60 draws to 126 MiB).
    ``ids``: the forecast series' ids, sorted (the order of ``frame`` and ``paths``).
    ``notes``: frame ``unique_id, note`` (zero or more notes per series).
    """

    frame: pd.DataFrame
    paths: np.ndarray | None
    ids: list
    notes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["unique_id", "note"]))


# ------------------------------------------------------------------------------------ preparation


@dataclass
class _Group:
    step: int  # months per period
    m: int
    ids: list
    Y: np.ndarray  # (N, T) left NaN padded
    n: np.ndarray
    last_month: np.ndarray  # month index (year*12 + month-1) of each series' last observation
    day: np.ndarray  # day of month of the last observation
    month_end: np.ndarray  # all dates of the series are month ends


def _validate(df, horizon, level, folds, models) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise InputError("forecast input: expected a DataFrame with columns unique_id, ds, y")
    for col in REQUIRED:
        if col not in df.columns:
            raise InputError(f"forecast input: missing column '{col}' (expected unique_id, ds, y)")
    if len(df) == 0:
        raise InputError("forecast input: no rows (expected columns unique_id, ds, y with data)")
    if not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise InputError(f"horizon: expected a positive whole number, got {horizon!r}")
    if not isinstance(folds, (int, np.integer)) or folds < 1:
        raise InputError(f"folds: expected a positive whole number, got {folds!r}")
    for lv in level:
        if not 0 < float(lv) < 100:
            raise InputError(f"level: expected percentages between 0 and 100, got {lv!r}")
    for name in models or ():
        if name not in MODELS:
            raise InputError(f"models: unknown model '{name}' (known: {', '.join(MODELS)})")
    out = df[list(REQUIRED)].copy()
    try:
        out["ds"] = pd.to_datetime(out["ds"])
    except (ValueError, TypeError) as err:
        raise InputError(f"forecast input: column 'ds' must hold dates ({err})") from None
    out["y"] = pd.to_numeric(out["y"], errors="coerce").astype(float)
    return out


def _prepare(df: pd.DataFrame, notes: list) -> list[_Group]:
    def note(uid, text):
        notes.append((uid, text))

    df = df.sort_values(["unique_id", "ds"], kind="stable")
    bad = ~np.isfinite(df["y"].to_numpy())
    if bad.any():
        for uid, cnt in df.loc[bad].groupby("unique_id", sort=True).size().items():
            note(uid, f"{cnt} missing or non-finite y value(s) treated as missing periods")
        df = df.loc[~bad]
    dup = df.duplicated(["unique_id", "ds"], keep="last")
    if dup.any():
        for uid, cnt in df.loc[dup].groupby("unique_id").size().items():
            note(uid, f"{cnt} duplicated date(s): kept the last value")
        df = df.loc[~dup]
    ds = df["ds"]
    month = (ds.dt.year.to_numpy() * 12 + ds.dt.month.to_numpy() - 1).astype(np.int64)
    day = ds.dt.day.to_numpy()
    mend = ds.dt.is_month_end.to_numpy()
    ids = df["unique_id"].to_numpy()
    yv = df["y"].to_numpy()
    bounds = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1], True]) if len(ids) else np.array([0])
    series = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        uid, mi = ids[a], month[a:b]
        if b - a > 1:
            dm = np.diff(mi)
            if (dm == 0).any():
                raise InputError(
                    f"ds: series '{uid}' has more than one date in a month; expected yearly, "
                    "quarterly or monthly data"
                )
            g = int(np.gcd.reduce(dm))
            step = 12 if g % 12 == 0 else 3 if g % 3 == 0 else 1
        else:
            step = None
        series.append((uid, step, mi, yv[a:b], day[b - 1], bool(mend[a:b].all())))
    steps = [s[1] for s in series if s[1] is not None]
    default = max(set(steps), key=steps.count) if steps else 1
    by_step: dict[int, list] = {}
    for uid, step, mi, vals, dlast, mend_all in series:
        if step is None:
            step = default
            note(uid, f"single observation: frequency assumed {_FREQ[step][0]}")
        pos = (mi - mi[0]) // step
        length = int(pos[-1]) + 1
        full = np.full(length, np.nan)
        full[pos] = vals
        missing = length - len(vals)
        if missing:
            grid = np.arange(length)
            full = np.interp(grid, pos, vals)
            note(uid, f"{missing} missing period(s) filled by linear interpolation")
        by_step.setdefault(step, []).append((uid, full, int(mi[-1]), int(dlast), mend_all))
    groups = []
    for step, rows in sorted(by_step.items()):
        groups.append(
            _Group(
                step=step,
                m=_FREQ[step][1],
                ids=[r[0] for r in rows],
                Y=pad_left([r[1] for r in rows]),
                n=np.array([len(r[1]) for r in rows]),
                last_month=np.array([r[2] for r in rows]),
                day=np.array([r[3] for r in rows]),
                month_end=np.array([r[4] for r in rows]),
            )
        )
    return groups


def _future_dates(g: _Group, horizon: int) -> np.ndarray:
    """(N, horizon) datetime64[ns] of the next periods, keeping month ends or the day of month."""
    mi = g.last_month[:, None] + g.step * np.arange(1, horizon + 1)[None, :] - 1970 * 12
    start = mi.astype("datetime64[M]").astype("datetime64[D]")
    nxt = (mi + 1).astype("datetime64[M]").astype("datetime64[D]")
    dim = (nxt - start).astype(int)
    day = np.where(g.month_end[:, None], dim, np.minimum(g.day[:, None], dim))
    return (start + (day - 1).astype("timedelta64[D]")).astype("datetime64[ns]")


# ---------------------------------------------------------------------------------------- helpers


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


def _flags(Y: np.ndarray, n: np.ndarray, m: int):
    valid = ~np.isnan(Y)
    ymax = np.nanmax(Y, axis=1)
    ymin = np.nanmin(Y, axis=1)
    tol = 1e-12 * np.maximum(1.0, np.nanmax(np.abs(Y), axis=1))
    const = (ymax - ymin) <= tol
    nonneg = ymin >= 0
    zeros = ((Y == 0) & valid).sum(axis=1)
    intermittent = nonneg & (zeros >= 0.3 * n) & ~const
    d = np.diff(Y, axis=1)
    unchanged = (d == 0).sum(axis=1)
    flat = ~const & ~intermittent & (n >= 3) & (unchanged >= 0.5 * np.maximum(n - 1, 1))
    short = n < _MIN_POINTS
    few_seasons = (m > 1) & (n < 2 * m)
    return const, nonneg, zeros, intermittent, flat, short, few_seasons


def _straight(Y: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Rows that are an exact straight line (second differences zero to rounding)."""
    d2 = np.abs(np.diff(Y, n=2, axis=1))
    tol = 1e-9 * np.maximum(1.0, np.nanmax(np.abs(Y), axis=1))
    with np.errstate(invalid="ignore"):
        return (n >= 3) & ~(d2 > tol[:, None]).any(axis=1)


def _col(level) -> str:
    lv = float(level)
    return str(int(lv)) if lv.is_integer() else str(lv)


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
        for name in names:
            mean, _ = MODELS[name](train, Hb, m)
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


def _bt_names(models) -> list:
    names = list(models) if models else list(MODELS)
    return [k for k in MODELS if k in set(names) | set(BENCHMARKS)]


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


def backtest(df: pd.DataFrame, horizon: int, folds: int = 3, models=None, level=(80, 95)) -> pd.DataFrame:
    """Rolling-origin backtest per series and model.

    Returns ``unique_id, model, mase, smape, coverage_80, coverage_95, folds, steps``: MASE and
    sMAPE (percent, 0..200) averaged over folds and steps; coverage of the calibrated intervals,
    where fold j's interval is calibrated on the OTHER folds only (leave-one-fold-out, so coverage
    is out of sample). ``naive`` and ``seasonal_naive`` are always included. Row ``model='auto'``
    is the per-series selection, also made without the evaluated fold. Constant series and series
    shorter than 8 points are not backtested (see :func:`forecast`'s notes).
    """
    data = _validate(df, horizon, level, folds, models)
    names = _bt_names(models)
    sel_names = [k for k in MODELS if k in set(models or DEFAULT_MODELS)]
    probs = _level_probs(level)
    L = len(level)
    rows_out = []
    for g in _prepare(data, []):
        const, nonneg, *_rest = _flags(g.Y, g.n, g.m)
        short = g.n < _MIN_POINTS
        act = np.flatnonzero(~const & ~short)
        if not len(act):
            continue
        bt = _run_backtest(g.Y[act], g.n[act], g.m, horizon, folds, names, nonneg[act])
        # coverage with leave-one-fold-out calibration
        cover = {k: _fold_out_coverage(bt.E[k], probs, L) for k in names}
        # auto: chosen on the other folds; its intervals calibrated on the auto errors of the other
        # folds, as forecast() calibrates on them
        picks = _fold_picks(_fold_mae(bt, sel_names))
        auto = {"E": _auto_errors(bt.E, sel_names, picks), "S": _auto_errors(bt.S, sel_names, picks)}
        line = np.flatnonzero(_straight(g.Y[act], g.n[act]))
        if len(line):  # forecast() continues a straight line with drift
            drift = _run_backtest(
                g.Y[act[line]], g.n[act[line]], g.m, horizon, folds, ["drift"], nonneg[act[line]]
            )
            auto["E"][line], auto["S"][line] = drift.E["drift"], drift.S["drift"]
        auto_cov = _fold_out_coverage(auto["E"], probs, L)
        # per series and model: the means over folds and steps, one vectorised reduction per model
        # (each row reduced as its own contiguous block: the same numbers as per series)
        scores = []
        with _quiet():
            for name, E, S, C in [(k, bt.E[k], bt.S[k], cover[k]) for k in names] + [
                ("auto", auto["E"], auto["S"], auto_cov)
            ]:
                n_rows = len(act)
                mase = np.nanmean(np.abs(E).reshape(n_rows, -1), axis=1)
                smape = np.nanmean(np.ascontiguousarray(S).reshape(n_rows, -1), axis=1)
                cov = [
                    np.nanmean(np.ascontiguousarray(C[..., li]).reshape(n_rows, -1), axis=1)
                    for li in range(len(level))
                ]
                scores.append((name, mase, smape, cov))
        for i, row in enumerate(act):
            uid = g.ids[row]
            steps = int(np.sum(~np.isnan(bt.E[names[0]][i, 0])))
            for name, mase, smape, cov in scores:
                rec = {"unique_id": uid, "model": name, "mase": float(mase[i]), "smape": float(smape[i])}
                for li, lv in enumerate(level):
                    rec[f"coverage_{_col(lv)}"] = float(cov[li][i])
                rec["folds"] = int(bt.nfolds[i])
                rec["steps"] = steps
                rows_out.append(rec)
    cols = ["unique_id", "model", "mase", "smape"] + [f"coverage_{_col(lv)}" for lv in level]
    return pd.DataFrame(rows_out, columns=cols + ["folds", "steps"])


class _quiet:
    """Silence numpy's 'mean of empty slice' warnings for rows without data."""

    def __enter__(self):
        import warnings

        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


# --------------------------------------------------------------------------------------- forecast


def forecast(
    df: pd.DataFrame,
    horizon: int,
    level=(80, 95),
    paths: int = 0,
    models=None,
    seed: int = 0,
    folds: int = 3,
) -> Forecast:
    """Forecast every series of ``df`` (columns ``unique_id, ds, y``) ``horizon`` periods ahead.

    ``models``: names from :data:`simulator.models.MODELS` to select among (default: all).
    ``paths``: number of sample paths per series (0: none). See the module docstring for the
    method. Raises :class:`simulator.errors.InputError` for empty input or a missing column.
    """
    data = _validate(df, horizon, level, folds, models)
    if not isinstance(paths, (int, np.integer)) or paths < 0:
        raise InputError(f"paths: expected a whole number >= 0, got {paths!r}")
    sel_names = [k for k in MODELS if k in set(models or DEFAULT_MODELS)]
    notes: list = []
    groups = _prepare(data, notes)
    probs = _level_probs(level)
    L = len(level)
    all_probs = np.concatenate([probs, _U])
    H = horizon

    per_series = []  # (uid, dates, model, mean, lo (L,H), hi (L,H), table (H,U), mult, nonneg)
    for g in groups:
        N = len(g.ids)
        const, nonneg, zeros, intermittent, flat, short, few = _flags(g.Y, g.n, g.m)
        line = _straight(g.Y, g.n) & ~const & ~short
        for i, uid in enumerate(g.ids):
            freq = _FREQ[g.step][0]
            if const[i] and g.n[i] > 1:
                notes.append((uid, "constant series: flat forecast with zero-width intervals"))
            elif line[i]:
                notes.append((uid, "straight line: continued exactly, zero-width intervals"))
            elif short[i]:
                notes.append(
                    (
                        uid,
                        f"short series ({g.n[i]} {freq} points < {_MIN_POINTS}): naive forecast, no backtest",
                    )
                )
            if few[i] and not const[i]:
                text = f"fewer than two seasons ({g.n[i]} < {2 * g.m}): no seasonal pattern used"
                notes.append((uid, text))
            if intermittent[i]:
                notes.append((uid, f"intermittent ({zeros[i]} of {g.n[i]} zeros): forecasts clipped at 0"))
            elif zeros[i] and not const[i]:
                notes.append(
                    (
                        uid,
                        f"{zeros[i]} zero value(s): additive seasonality, forecasts clipped at 0"
                        if nonneg[i]
                        else f"{zeros[i]} zero value(s)",
                    )
                )
            if flat[i]:
                notes.append((uid, "flat series (most periods unchanged)"))
        dates = _future_dates(g, H)
        scale_full = _mase_scale(g.Y, g.m)
        act = np.flatnonzero(~const & ~short & ~line)
        chosen = np.array(["naive"] * N, dtype=object)
        mean = np.repeat(g.Y[:, -1:], H, axis=1)  # naive / constant default
        if line.any():  # like a constant: continued exactly, with the zero table below
            mean[line] = MODELS["drift"](g.Y[line], H, 1)[0]
            chosen[line] = "drift"
        mult = np.zeros(N)
        tab_of = np.full(N, -1)
        tables: list[np.ndarray] = []
        Qnaive = None
        if len(act):
            names = list(dict.fromkeys(sel_names + ["naive"]))
            names = [k for k in MODELS if k in names]
            bt = _run_backtest(g.Y[act], g.n[act], g.m, H, folds, names, nonneg[act])
            mae = _fold_mae(bt, sel_names)
            pick = _choose(mae, list(range(folds)))
            # intervals from the errors of the selection itself (model chosen without the fold)
            Q, rho = _calibrate(_auto_errors(bt.E, sel_names, _fold_picks(mae)), all_probs, H)
            if Q is not None:
                tables.append(Q)
            for s_i, name in enumerate(sel_names):
                r = pick == s_i
                rows = act[r]
                if not len(rows):
                    continue
                fmean, sigma = MODELS[name](g.Y[rows], H, g.m)
                mean[rows] = fmean
                chosen[rows] = name
                if Q is not None:
                    tab_of[rows] = len(tables) - 1
                    mult[rows] = scale_full[rows] * rho[r]
                else:
                    tables.append(_normal_table(all_probs, H))
                    tab_of[rows] = len(tables) - 1
                    mult[rows] = np.nan_to_num(sigma)
                    for row in rows:
                        notes.append((g.ids[row], "too few backtest errors: normal intervals from residuals"))
            Qnaive, _ = _calibrate(bt.E["naive"], all_probs, H)
        # short non-constant series: naive with pooled naive intervals (or normal fallback)
        sh = np.flatnonzero(short & ~const)
        if len(sh):
            if Qnaive is not None:
                tables.append(Qnaive)
                mult[sh] = np.where(g.n[sh] > 1, _mase_scale(g.Y[sh], 1), 0.0)
            else:
                tables.append(_normal_table(all_probs, H))
                _, sig = MODELS["naive"](g.Y[sh], 1, 1)
                mult[sh] = np.nan_to_num(sig)
            tab_of[sh] = len(tables) - 1
            for row in sh[g.n[sh] == 1]:
                notes.append((g.ids[row], "single observation: zero-width intervals"))
        mean = np.where(nonneg[:, None], np.maximum(mean, 0.0), mean)
        tables.append(np.zeros((H, len(all_probs))))  # constant series
        tab_of[tab_of < 0] = len(tables) - 1
        mult = np.where(np.isfinite(mult), mult, 0.0)
        # one object per distinct table: _simulate evaluates each distinct table once
        path_tables = [t[:, 2 * L :] for t in tables]
        for i, uid in enumerate(g.ids):
            q = tables[tab_of[i]]
            band = mean[i][:, None] + mult[i] * q[:, : 2 * L]
            if nonneg[i]:
                band = np.maximum(band, 0.0)
            per_series.append(
                (uid, dates[i], chosen[i], mean[i], band, path_tables[tab_of[i]], mult[i], nonneg[i])
            )

    per_series.sort(key=lambda r: _sort_key(r[0]))
    ids = [r[0] for r in per_series]
    frame = _frame(per_series, level, H)
    out_paths = _simulate(per_series, paths, H, seed) if paths else None
    note_df = pd.DataFrame(notes, columns=["unique_id", "note"])
    if len(note_df):
        note_df = note_df.drop_duplicates().reset_index(drop=True)
    return Forecast(frame=frame, paths=out_paths, ids=ids, notes=note_df)


def _sort_key(uid):
    return (0, uid, "") if isinstance(uid, (int, float, np.integer, np.floating)) else (1, 0, str(uid))


def _frame(per_series, level, H) -> pd.DataFrame:
    L = len(level)
    n = len(per_series)
    if not n:
        return pd.DataFrame(columns=["unique_id", "ds", "model", "mean"])
    cols = {
        "unique_id": np.repeat(np.array([r[0] for r in per_series], dtype=object), H),
        "ds": np.concatenate([r[1] for r in per_series]),
        "model": np.repeat(np.array([r[2] for r in per_series], dtype=object), H),
        "mean": np.concatenate([r[3] for r in per_series]),
    }
    bands = np.stack([r[4] for r in per_series])  # (n, H, 2L)
    for li, lv in enumerate(level):
        cols[f"lo_{_col(lv)}"] = bands[:, :, li].ravel()
        cols[f"hi_{_col(lv)}"] = bands[:, :, L + li].ravel()
    frame = pd.DataFrame(cols)
    frame["ds"] = pd.to_datetime(frame["ds"])
    return frame


_WGRID = np.linspace(-3.0, 3.0, 1201)  # normal scores; beyond +-2.81 the 0.25 % tails are clipped


def _simulate(per_series, P: int, H: int, seed: int) -> np.ndarray:
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
    distinct = []
    tab = np.empty(N, dtype=np.int64)
    for i, r in enumerate(per_series):
        k = slot.get(id(r[5]))
        if k is None:
            k = slot[id(r[5])] = len(distinct)
            distinct.append(r[5])
        tab[i] = k
    tabs = np.stack(distinct)
    grid = (tabs[:, :, ju] * (1 - wu) + tabs[:, :, ju + 1] * wu).astype(np.float32).ravel()
    means = np.stack([r[3] for r in per_series]).astype(np.float32)  # (N, H)
    mults = np.array([r[6] for r in per_series], dtype=np.float32)
    nonneg = np.array([r[7] for r in per_series], dtype=bool)
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

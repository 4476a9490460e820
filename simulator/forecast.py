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
  weighted mean of ETS (AICc-weighted over its state-space forms; weight 2), Theta and
  ARIMA(p,1,0) on the seasonally adjusted series and, for series of at least three seasons,
  ARIMA(p,d,0)(0,1,0)_m on seasonal differences (weight 1 each); for yearly data the median of
  ETS, Theta, ARIMA(p,d,0) with d by a KPSS test, damped Holt and drift (see
  :mod:`simulator.models`). No per-series choice. On the seasonal development sets of
  ``bench/bench_forecast_real.py`` (M3, M1 and the statsmodels windows x monthly, quarterly) its
  mean MASE is below every member's on 5 of 6 sets (not on the 57 statsmodels quarterly windows,
  where ARIMA on adjusted data is best); on the yearly sets single members win where one family
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

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simulator.errors import InputError
from simulator.forecast_paths import _U, _col, _frame, _SeriesForecast, _simulate
from simulator.forecast_select import (  # noqa: F401 (_BT, _fold_picks: tests import them from here)
    _BT,
    _auto_errors,
    _calibrate,
    _choose,
    _fold_mae,
    _fold_out_coverage,
    _fold_picks,
    _level_probs,
    _mase_scale,
    _normal_table,
    _quiet,
    _run_backtest,
)
from simulator.models import MODELS, pad_left

REQUIRED = ("unique_id", "ds", "y")
BENCHMARKS = ("naive", "seasonal_naive")
#: what forecast() uses (and backtest()'s ``auto`` scores) when no ``models`` are given
DEFAULT_MODELS = ("combo",)
_FREQ = {12: ("yearly", 1), 3: ("quarterly", 4), 1: ("monthly", 12)}  # step in months -> (name, m)
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


def _validate(df, horizon, level, folds, models) -> pd.DataFrame:  # noqa: C901 (a flat list of checks)
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


def _prepare(df: pd.DataFrame, notes: list) -> list[_Group]:  # noqa: C901 (one pass, a check per case)
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
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
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


def _bt_names(models) -> list:
    names = list(models) if models else list(MODELS)
    return [k for k in MODELS if k in set(names) | set(BENCHMARKS)]


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


# --------------------------------------------------------------------------------------- forecast


@dataclass
class _GroupFit:
    """The per-series results of one frequency group while :func:`forecast` fills them."""

    mean: np.ndarray  # (N, H)
    chosen: np.ndarray  # (N,) model names
    mult: np.ndarray  # (N,) scale of the error table
    tab_of: np.ndarray  # (N,) position in ``tables`` (-1: not yet given)
    tables: list[np.ndarray] = field(default_factory=list)  # (H, 2L + U) error quantile tables


def forecast(
    df: pd.DataFrame,
    horizon: int,
    level=(80, 95),
    paths: int = 0,
    models=None,
    seed: int = 0,
    folds: int = 3,
    intervals: bool = True,
) -> Forecast:
    """Forecast every series of ``df`` (columns ``unique_id, ds, y``) ``horizon`` periods ahead.

    ``models``: names from :data:`simulator.models.MODELS` to select among (default:
    :data:`DEFAULT_MODELS`, the combination alone). ``paths``: number of sample paths per series
    (0: none). ``intervals=False``: point forecasts only (no interval columns, no paths); with one
    model to select among (the default) the backtest then has nothing to set, the choice being
    that model whatever it says, and is skipped: the same means for about half the time. See the
    module docstring for the method. Raises :class:`simulator.errors.InputError` for empty input or
    a missing column.
    """
    if not intervals:
        if paths:
            raise InputError(f"paths: sample paths need intervals (intervals=False), got paths={paths!r}")
        level = ()
    data = _validate(df, horizon, level, folds, models)
    if not isinstance(paths, (int, np.integer)) or paths < 0:
        raise InputError(f"paths: expected a whole number >= 0, got {paths!r}")
    sel_names = [k for k in MODELS if k in set(models or DEFAULT_MODELS)]
    notes: list = []
    groups = _prepare(data, notes)
    all_probs = np.concatenate([_level_probs(level), _U])
    H = horizon
    per_series: list[_SeriesForecast] = []
    for g in groups:
        per_series += _forecast_group(g, sel_names, H, folds, len(level), all_probs, notes, intervals)
    per_series.sort(key=lambda r: _sort_key(r.uid))
    ids = [r.uid for r in per_series]
    frame = _frame(per_series, level, H)
    out_paths = _simulate(per_series, paths, H, seed) if paths else None
    note_df = pd.DataFrame(notes, columns=["unique_id", "note"])
    if len(note_df):
        note_df = note_df.drop_duplicates().reset_index(drop=True)
    return Forecast(frame=frame, paths=out_paths, ids=ids, notes=note_df)


def _series_notes(g: _Group, flags: tuple, line: np.ndarray, notes: list) -> None:
    """The notes on the special series of group ``g`` (``flags`` from :func:`_flags`)."""
    const, nonneg, zeros, intermittent, flat, short, few = flags
    freq = _FREQ[g.step][0]
    for i, uid in enumerate(g.ids):
        if const[i] and g.n[i] > 1:
            notes.append((uid, "constant series: flat forecast with zero-width intervals"))
        elif line[i]:
            notes.append((uid, "straight line: continued exactly, zero-width intervals"))
        elif short[i]:
            text = f"short series ({g.n[i]} {freq} points < {_MIN_POINTS}): naive forecast, no backtest"
            notes.append((uid, text))
        if few[i] and not const[i]:
            text = f"fewer than two seasons ({g.n[i]} < {2 * g.m}): no seasonal pattern used"
            notes.append((uid, text))
        if intermittent[i]:
            notes.append((uid, f"intermittent ({zeros[i]} of {g.n[i]} zeros): forecasts clipped at 0"))
        elif zeros[i] and not const[i]:
            text = f"{zeros[i]} zero value(s)"
            notes.append(
                (uid, text + ": additive seasonality, forecasts clipped at 0" if nonneg[i] else text)
            )
        if flat[i]:
            notes.append((uid, "flat series (most periods unchanged)"))


def _forecast_group(
    g: _Group,
    sel_names: list,
    H: int,
    folds: int,
    L: int,
    all_probs: np.ndarray,
    notes: list,
    intervals: bool = True,
) -> list[_SeriesForecast]:
    """The forecasts of one frequency group: special series first, then backtest, choice and fit
    of the rest, then the intervals from the error tables."""
    N = len(g.ids)
    flags = _flags(g.Y, g.n, g.m)
    const, nonneg, _, _, _, short, _ = flags
    line = _straight(g.Y, g.n) & ~const & ~short
    _series_notes(g, flags, line, notes)
    dates = _future_dates(g, H)
    act = np.flatnonzero(~const & ~short & ~line)
    fit = _GroupFit(
        mean=np.repeat(g.Y[:, -1:], H, axis=1),  # naive / constant default
        chosen=np.array(["naive"] * N, dtype=object),
        mult=np.zeros(N),
        tab_of=np.full(N, -1),
    )
    if line.any():  # like a constant: continued exactly, with the zero table below
        fit.mean[line] = MODELS["drift"](g.Y[line], H, 1)[0]
        fit.chosen[line] = "drift"
    Qnaive = None
    if len(act) and not intervals and len(sel_names) == 1:
        # the only candidate: ``_choose`` picks it for every series whatever the backtest says,
        # and the backtest's other product, the intervals, is not asked for
        fit.mean[act], _ = MODELS[sel_names[0]](g.Y[act], H, g.m)
        fit.chosen[act] = sel_names[0]
    elif len(act):
        Qnaive = _fit_selected(g, act, sel_names, H, folds, nonneg, all_probs, fit, notes)
    # short non-constant series: naive with pooled naive intervals (or normal fallback)
    sh = np.flatnonzero(short & ~const)
    if len(sh):
        if Qnaive is not None:
            fit.tables.append(Qnaive)
            fit.mult[sh] = np.where(g.n[sh] > 1, _mase_scale(g.Y[sh], 1), 0.0)
        else:
            fit.tables.append(_normal_table(all_probs, H))
            _, sig = MODELS["naive"](g.Y[sh], 1, 1)
            fit.mult[sh] = np.nan_to_num(sig)
        fit.tab_of[sh] = len(fit.tables) - 1
        for row in sh[g.n[sh] == 1]:
            notes.append((g.ids[row], "single observation: zero-width intervals"))
    mean = np.where(nonneg[:, None], np.maximum(fit.mean, 0.0), fit.mean)
    tables = fit.tables
    tables.append(np.zeros((H, len(all_probs))))  # constant series
    tab_of = fit.tab_of
    tab_of[tab_of < 0] = len(tables) - 1
    mult = np.where(np.isfinite(fit.mult), fit.mult, 0.0)
    # one object per distinct table: _simulate evaluates each distinct table once
    path_tables = [t[:, 2 * L :] for t in tables]
    out = []
    for i, uid in enumerate(g.ids):
        q = tables[tab_of[i]]
        band = mean[i][:, None] + mult[i] * q[:, : 2 * L]
        if nonneg[i]:
            band = np.maximum(band, 0.0)
        out.append(
            _SeriesForecast(
                uid, dates[i], fit.chosen[i], mean[i], band, path_tables[tab_of[i]], mult[i], nonneg[i]
            )
        )
    return out


def _fit_selected(
    g: _Group,
    act: np.ndarray,
    sel_names: list,
    H: int,
    folds: int,
    nonneg: np.ndarray,
    all_probs: np.ndarray,
    fit: _GroupFit,
    notes: list,
) -> np.ndarray | None:
    """Backtest, choose and fit the models for the rows ``act`` of group ``g``, writing their
    means, models, tables and scales into ``fit``; returns the pooled naive table (None: too few
    errors) for the short series."""
    names = list(dict.fromkeys(sel_names + ["naive"]))
    names = [k for k in MODELS if k in names]
    bt = _run_backtest(g.Y[act], g.n[act], g.m, H, folds, names, nonneg[act])
    mae = _fold_mae(bt, sel_names)
    pick = _choose(mae, list(range(folds)))
    scale_full = _mase_scale(g.Y, g.m)
    # intervals from the errors of the selection itself (model chosen without the fold)
    Q, rho = _calibrate(_auto_errors(bt.E, sel_names, _fold_picks(mae)), all_probs, H)
    if Q is not None:
        fit.tables.append(Q)
    for s_i, name in enumerate(sel_names):
        r = pick == s_i
        rows = act[r]
        if not len(rows):
            continue
        fmean, sigma = MODELS[name](g.Y[rows], H, g.m)
        fit.mean[rows] = fmean
        fit.chosen[rows] = name
        if Q is not None:
            fit.tab_of[rows] = len(fit.tables) - 1
            fit.mult[rows] = scale_full[rows] * rho[r]
        else:
            fit.tables.append(_normal_table(all_probs, H))
            fit.tab_of[rows] = len(fit.tables) - 1
            fit.mult[rows] = np.nan_to_num(sigma)
            for row in rows:
                notes.append((g.ids[row], "too few backtest errors: normal intervals from residuals"))
    return _calibrate(bt.E["naive"], all_probs, H)[0]


def _sort_key(uid):
    return (0, uid, "") if isinstance(uid, (int, float, np.integer, np.floating)) else (1, 0, str(uid))

"""The projection's own rolling-origin backtest and what it sets: the direct log forecasts of
every region (``_direct_log_means``), their backtest errors (``_backtest_errors``), the drift bias
those errors show (``drift_bias``) and the error variance per region and step
(``error_variance``: a monotone pooled curve, each region's own scale, widened for the few
origins it rests on). :mod:`simulator.projection` puts them together into the Baseline."""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

#: The forecaster's model choice and backtest window see at least this many steps whatever
#: horizon is asked, so the answer for a month does not depend on how far ahead one asks.
SELECTION_STEPS = 24
#: The projection's own rolling-origin backtest, whose joint errors set every region's band:
#: origins every BACKTEST_SPACING months, the latest BACKTEST_SPACING months before the end, as
#: far back as MIN_TRAIN allows (8 x 7 months: over four years, so that long-horizon errors come
#: from several distinct periods; 7 shares no factor with 12, so the origins fall in different
#: calendar months and the errors of every season are sampled, not only December's and June's).
BACKTEST_ORIGINS = 8
BACKTEST_SPACING = 7
#: Student-t 90 % quantiles for 1..30 degrees of freedom (t_{0.9, nu}); beyond 30 the normal's.
_T90 = (
    3.078,
    1.886,
    1.638,
    1.533,
    1.476,
    1.440,
    1.415,
    1.397,
    1.383,
    1.372,
    1.363,
    1.356,
    1.350,
    1.345,
    1.341,
    1.337,
    1.333,
    1.330,
    1.328,
    1.325,
    1.323,
    1.321,
    1.319,
    1.318,
    1.316,
    1.315,
    1.314,
    1.313,
    1.311,
    1.310,
)
_Z90 = 1.2815516


def predictive_inflation(origins: np.ndarray) -> np.ndarray:
    """Variance factor for a scale estimated from ``origins`` distinct backtest origins per step:
    ``(t_{0.9, n-1} / z_{0.9})^2``, so the 80 % band allows for the scale itself being uncertain
    (1,22 with 8 origins, 1,43 with 4, 1 with many)."""
    nu = np.clip(np.asarray(origins) - 1, 1, None)
    t90 = np.where(nu <= len(_T90), np.asarray(_T90)[np.clip(nu, 1, len(_T90)) - 1], _Z90)
    return (t90 / _Z90) ** 2


#: Months of history a backtest origin needs before it.
MIN_TRAIN = 24


def _fit_steps(n_months: int, steps: int) -> int:
    return max(steps, SELECTION_STEPS, n_months // 4)


def _direct_log_means(
    totals: np.ndarray, months: pd.PeriodIndex, codes: list[str], steps: int, memo: dict | None = None
):
    """Point forecasts of log(1 + active) for every region (regions, steps), each region forecast
    directly with the generic forecaster, and its Forecast. ``memo`` (a dict the caller owns, e.g.
    ``calibrate`` over several origins) keeps forecasts by their data: the same history cut at the
    same month is forecast once."""
    fit = _fit_steps(totals.shape[1], steps)
    key = None
    if memo is not None:
        key = _memo_key(totals, months, codes, fit)
        if key in memo:
            means, fc = memo[key]
            return means[:, :steps], fc
    means, fc = _forecast_means(totals, months, codes, fit)
    if memo is not None:
        memo[key] = (means, fc)
    return means[:, :steps], fc


def _memo_key(totals: np.ndarray, months: pd.PeriodIndex, codes: list[str], fit: int) -> tuple:
    return (
        hashlib.sha256(np.ascontiguousarray(totals).tobytes()).hexdigest(),
        str(months[0]),
        totals.shape[1],
        fit,
        tuple(codes),
    )


def backtest_cuts(n_months: int, origins: int = BACKTEST_ORIGINS) -> list[int]:
    """Lengths of the history cuts the backtest forecasts from (``_backtest_errors``' origins):
    every BACKTEST_SPACING months back from the end, while MIN_TRAIN months remain."""
    cuts = [n_months - (k + 1) * BACKTEST_SPACING for k in range(origins)]
    return [n for n in cuts if n >= MIN_TRAIN]


def _forecast_cut(totals: np.ndarray, months: pd.PeriodIndex, codes: list[str], fit: int):
    from simulator.projection import one_blas_thread

    with one_blas_thread():
        return _forecast_means(totals, months, codes, fit)


def prefetch_forecasts(
    totals: np.ndarray,
    months: pd.PeriodIndex,
    codes: list[str],
    cuts: list[tuple[int, int]],
    memo: dict,
) -> Callable[[], None]:
    """Start forecasting the history cut to each ``(months kept, steps)`` of ``cuts`` on forked
    worker processes (``parallel.process_pool``), as ``_direct_log_means`` would one after another;
    cuts already in ``memo`` are skipped. Returns ``finish()``: it waits and puts the forecasts
    into ``memo``; call it before using ``memo``, and always (it shuts the pool). The caller may do
    other work in between. Every forecast depends on its data only, so the numbers are the same
    either way (test). Where no pool is available (one core, or threads running, as in the app's
    server) nothing starts and ``finish()`` does nothing: the forecasts are then made when asked
    for."""
    from simulator.parallel import process_pool

    todo = {}
    for n, steps in cuts:
        fit = _fit_steps(n, steps)
        key = _memo_key(totals[:, :n], months[:n], codes, fit)
        if key not in memo and key not in todo:
            todo[key] = (n, fit)
    pool = process_pool(len(todo))
    if pool is None:
        return lambda: None
    try:
        # the longest cuts first: they take the longest, so the workers finish together
        order = sorted(todo.items(), key=lambda item: -item[1][0])
        futures = {
            key: pool.submit(_forecast_cut, totals[:, :n], months[:n], codes, fit) for key, (n, fit) in order
        }
    except BaseException:
        pool.shutdown(cancel_futures=True)
        raise

    def finish() -> None:
        try:
            for key, future in futures.items():
                memo[key] = future.result()
        finally:
            pool.shutdown(cancel_futures=True)

    return finish


def _forecast_means(totals: np.ndarray, months: pd.PeriodIndex, codes: list[str], fit: int):
    from simulator.forecast import forecast

    n_r, n_t = totals.shape
    keep = np.isfinite(totals)
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(np.asarray(codes, dtype=object), n_t)[keep.ravel()],
            "ds": np.tile(months.to_timestamp(), n_r)[keep.ravel()],
            "y": np.log1p(totals[keep]),
        }
    )
    fc = forecast(frame, horizon=fit, paths=0, intervals=False)  # means and model names only
    means = fc.frame["mean"].to_numpy(dtype=np.float64).reshape(len(fc.ids), fit)
    row = {uid: i for i, uid in enumerate(fc.ids)}
    return means[[row[c] for c in codes]], fc


def monotone_fit(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted least-squares non-decreasing fit of ``y`` (pool adjacent violators): where a value
    falls below the one before, the two are replaced by their ``w``-weighted mean, repeatedly.
    E.g. y = (1, 3, 2, 4) with equal weights gives (1, 2,5, 2,5, 4)."""
    values: list[float] = []
    weights: list[float] = []
    sizes: list[int] = []
    for v, wt in zip(np.asarray(y, dtype=np.float64), np.asarray(w, dtype=np.float64), strict=True):
        values.append(float(v))
        weights.append(float(wt))
        sizes.append(1)
        while len(values) > 1 and values[-2] > values[-1]:
            wsum = weights[-2] + weights[-1]
            merged = (values[-2] * weights[-2] + values[-1] * weights[-1]) / wsum if wsum > 0 else values[-1]
            values[-2:] = [merged]
            weights[-2:] = [wsum]
            sizes[-2:] = [sizes[-2] + sizes[-1]]
    return np.repeat(np.asarray(values), sizes)


def _extend_curve(h_obs: np.ndarray, fitted: np.ndarray, hs: np.ndarray) -> np.ndarray:
    """A variance curve known at the steps ``h_obs`` (non-decreasing ``fitted``) at every step of
    ``hs``: interpolated inside, before the first step proportional to the step (a random walk from
    the origin), beyond the last step growing on the mean slope of its second half, at least as
    fast as a random walk through the last value (``V(H) / H`` per step)."""
    last_h, last_v = float(h_obs[-1]), float(fitted[-1])
    mid = h_obs <= last_h / 2
    slope = last_v / last_h
    if mid.any() and last_h > h_obs[mid][-1]:
        slope = max(slope, (last_v - float(fitted[mid][-1])) / (last_h - float(h_obs[mid][-1])))
    inside = np.interp(hs, h_obs, fitted)
    before = fitted[0] * hs / h_obs[0]
    beyond = last_v + slope * (hs - last_h)
    return np.where(hs < h_obs[0], before, np.where(hs > last_h, beyond, inside))


def drift_bias(errors: np.ndarray, group: np.ndarray, steps: int) -> np.ndarray:
    """Log-scale bias of the direct forecasts per region and step (regions, steps), from the
    backtest errors (regions, origins, backtest steps), shrunk by its own uncertainty.

    Per group of regions, each origin's errors give one value per step (the median over the
    group's regions, so one region's break does not set it); a line through the origin,
    ``beta h`` (a trend the forecaster misses), is fitted to them by least squares: ``beta_k =
    sum_h h e_kh / sum_h h^2`` per origin k, beta their mean weighted by ``W_k = sum_h h^2``. The
    origins' scatter gives its standard error ``se^2 = K / (K - 1) sum_k W_k^2 (beta_k - beta)^2 /
    (sum_k W_k)^2`` and the bias used is ``beta h`` shrunk by ``beta^2 / (beta^2 + se^2)`` (a bias
    no larger than its own noise is mostly dropped), with fewer than 3 origins none. Beyond the
    backtest's steps the bias is held at its last value: there is no evidence of it further ahead.
    Positive: the forecasts were too low.
    """
    out = np.zeros((errors.shape[0], steps))
    n_bt = errors.shape[2]
    h_all = np.arange(1, n_bt + 1, dtype=np.float64)
    hs = np.minimum(np.arange(1, steps + 1, dtype=np.float64), n_bt)
    for g in np.unique(group):
        rows = np.flatnonzero(group == g)
        with warnings.catch_warnings():  # an origin-step without errors is NaN, not a warning
            warnings.simplefilter("ignore", RuntimeWarning)
            per_origin = np.nanmedian(errors[rows], axis=0)  # (origins, steps)
        have = np.isfinite(per_origin)
        w = (np.where(have, h_all, 0.0) ** 2).sum(axis=1)
        used = w > 0
        if used.sum() < 3:
            continue
        beta_k = (np.where(have, per_origin * h_all, 0.0)).sum(axis=1)[used] / w[used]
        wk = w[used]
        beta = float((wk * beta_k).sum() / wk.sum())
        k = len(wk)
        se2 = k / (k - 1) * float((wk**2 * (beta_k - beta) ** 2).sum()) / float(wk.sum()) ** 2
        shrink = beta**2 / (beta**2 + se2) if beta**2 + se2 > 0 else 0.0
        out[rows] = shrink * beta * hs[None, :]
    return out


def _backtest_errors(
    totals: np.ndarray, months: pd.PeriodIndex, codes: list[str], memo: dict | None = None
) -> np.ndarray:
    """Log errors of the direct forecasts from rolling origins (regions, origins, SELECTION_STEPS),
    NaN where the month lies beyond the history. All regions share the same origins, so the
    errors keep their dependence across the tree."""
    n_r, n_t = totals.shape
    errors = np.full((n_r, BACKTEST_ORIGINS, SELECTION_STEPS), np.nan)
    logs = np.log1p(totals)
    for k, origin in enumerate(backtest_cuts(n_t)):
        means, _ = _direct_log_means(totals[:, :origin], months[:origin], codes, SELECTION_STEPS, memo)
        h = min(n_t - origin, SELECTION_STEPS)
        errors[:, k, :h] = logs[:, origin : origin + h] - means[:, :h]
    return errors


def effective_origins(z: np.ndarray, origins: int) -> float:
    """How many independent errors ``origins`` backtest origins are worth for a pooled scale, given
    the standardised errors ``z`` (regions, origins, steps) of a group: each origin counts as
    ``m / (1 + (m - 1) rho)`` (Kish's design effect), ``rho`` the average correlation between the
    group's m regions in one origin and step, estimated from the cells where every region has an
    error as ``(m mean(zbar^2) - mean(z^2)) / ((m - 1) mean(z^2))`` (zbar: a cell's mean over the
    regions), clipped to 0-1. Identical regions leave ``origins``; independent ones multiply it by
    m. E.g. two regions with z (2, 1) and (1, 2) in two cells: mean(z^2) = 2,5, zbar = 1,5 in
    both, rho = (2 x 2,25 - 2,5) / 2,5 = 0,8, each origin worth 2 / 1,8 = 1,11 errors."""
    z = np.asarray(z, dtype=np.float64)
    z = z[np.isfinite(z).any(axis=(1, 2))]  # regions without any error do not count
    m = z.shape[0]
    full = np.isfinite(z).all(axis=0)
    if m < 2 or full.sum() < 2:
        return float(origins)
    cells = z[:, full]
    s2 = float(np.mean(cells**2))
    if s2 <= 0:
        return float(origins)
    rho = float(np.clip((m * np.mean(cells.mean(axis=0) ** 2) - s2) / ((m - 1) * s2), 0.0, 1.0))
    return origins * m / (1.0 + (m - 1) * rho)


def error_variance(errors: np.ndarray, group: np.ndarray, steps: int, fallback: np.ndarray) -> np.ndarray:
    """Log-scale forecast error variance per region and step (regions, steps).

    Per group of regions (aggregates, kabupaten/kota) and step, the backtest errors give a robust
    scale (the 80 % quantile of |error|, bias included, read as a normal's 1,2816 sd), made
    non-decreasing in the step by a count-weighted monotone fit (``monotone_fit``: the variance
    grows as the backtest says, without imposing a shape such as ``a h + b h^2``, which put too
    little at short and too much at long horizons) and extended beyond the backtest window as a
    random walk on the slope of its second half (``_extend_curve``). Each region scales it by its
    own errors relative to the pool (shrunk towards 1 by the number of origins it has), and the
    result is widened for the few origins the scale rests on (``predictive_inflation`` with the
    origins behind the whole curve, each worth as many independent errors as the correlation of
    the group's regions leaves: ``effective_origins``). ``fallback`` (regions,) is a per-step variance
    used as ``h * fallback`` where a group has no backtest error at all (too short a history).
    """
    sq = errors**2
    hs = np.arange(1, steps + 1, dtype=np.float64)
    out = hs[None, :] * fallback[:, None]
    for g in np.unique(group):
        rows = np.flatnonzero(group == g)
        block = sq[rows]
        count = np.isfinite(block).sum(axis=(0, 1))
        ok = count > 0
        if not ok.any():
            continue
        # a robust pooled scale: the 80 % quantile of |error| read as a normal's (1,2816 sd), so
        # one regime break in the backtest window does not set everyone's band by its square
        absolute = np.sqrt(block).reshape(-1, block.shape[2])[:, ok]
        pooled = (np.nanquantile(absolute, 0.8, axis=0) / _Z90) ** 2
        h_obs = np.arange(1, block.shape[2] + 1, dtype=np.float64)[ok]
        fitted_obs = monotone_fit(pooled, count[ok].astype(np.float64))
        curve = _extend_curve(h_obs, fitted_obs, hs)
        fitted = _extend_curve(h_obs, fitted_obs, np.arange(1, block.shape[2] + 1, dtype=np.float64))
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.sqrt(block / np.where(fitted > 0, fitted, np.nan)).reshape(len(rows), -1)
            ratio = (np.nanquantile(z, 0.8, axis=1) / _Z90) ** 2 if z.shape[1] else np.full(len(rows), np.nan)
        origins = np.isfinite(block).any(axis=2).sum(axis=1)
        rho = np.where(np.isfinite(ratio), (origins * np.nan_to_num(ratio) + 1.0) / (origins + 1.0), 1.0)
        # the curve rests on every origin of the backtest (all steps are fitted together), each
        # origin worth as many independent errors as its regions' correlation leaves
        with np.errstate(invalid="ignore", divide="ignore"):
            z = errors[rows] / np.sqrt(np.where(fitted > 0, fitted, np.nan))[None, None, :]
        origins_used = int(np.isfinite(block).any(axis=(0, 2)).sum())
        n_eff = int(np.floor(effective_origins(z, origins_used)))
        out[rows] = rho[:, None] * (curve * predictive_inflation(np.array([n_eff])))[None, :]
    return out


def _monthly_change_variance(totals: np.ndarray) -> np.ndarray:
    """Variance of each region's month-on-month log change (regions,), 0 where undefined."""
    with np.errstate(invalid="ignore"):
        d = np.diff(np.log1p(totals), axis=1)
    n = np.isfinite(d).sum(axis=1)
    var = np.where(n > 1, np.nanvar(np.where(np.isfinite(d), d, np.nan), axis=1) if d.size else 0.0, 0.0)
    return np.nan_to_num(var)

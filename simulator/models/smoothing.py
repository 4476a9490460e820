"""Exponential smoothing models of :mod:`simulator.models`: damped Holt, Theta (simple
exponential smoothing with drift) and ETS with its own state-space choice."""

from __future__ import annotations

import numpy as np

from simulator.models.base import _adjust, _first_values, _prep, _readjust, _rms, _steps, seasonality

# ---------------------------------------------------------------------------------- Holt damped


def holt_damped_filter(x, alpha, beta, phi, l0, b0, fitted: bool = False):
    """Run the damped-trend Holt recursions over the valid part of each row: the one home of the
    Holt recursion and, with ``beta = 0, phi = 1``, of simple exponential smoothing (Theta).

    ``x`` is ``(series, time)`` (left NaN padding); ``alpha, beta, phi`` broadcast to
    ``(series, grid)`` and ``l0, b0`` (the states before the first observation) to ``(series, 1)``
    or ``(series, grid)``. Parameterisation as statsmodels' ``ExponentialSmoothing``::

        pred = l + phi b;  e = x_t - pred
        l'   = pred + alpha e
        b'   = phi b + alpha beta e        (= beta (l' - l) + (1 - beta) phi b)

    Returns final ``(level, trend, sse)`` each ``(series, grid)``; ``fitted=True`` (one parameter
    set per row, grid 1) adds the one-step predictions ``pred`` ``(series, time)``, NaN where ``x``
    is.
    """
    x = np.asarray(x, dtype=float)
    alpha, beta, phi = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (alpha, beta, phi)))
    shape = np.broadcast_shapes(alpha.shape, (x.shape[0], 1))
    level = np.broadcast_to(np.asarray(l0, dtype=float), shape).copy()
    trend = np.broadcast_to(np.asarray(b0, dtype=float), shape).copy()
    sse = np.zeros(shape)
    ab = alpha * beta
    preds = np.full(x.shape, np.nan) if fitted else None
    # simple exponential smoothing (no trend, none added): the trend terms are skipped
    ses = not ab.any() and not trend.any() and bool((phi == 1.0).all())
    for t in range(x.shape[1]):
        col = x[:, t : t + 1]
        ok = ~np.isnan(col)
        full = bool(ok.all())
        if not full and not ok.any():
            continue
        pred = level if ses else level + phi * trend
        if preds is not None:
            preds[:, t] = np.where(ok[:, 0], pred[:, 0], np.nan)
        err = col - pred if full else np.where(ok, col - pred, 0.0)
        level = pred + alpha * err if full else np.where(ok, pred + alpha * err, level)
        if not ses:
            trend = np.where(ok, phi * trend + ab * err, trend)
        sse += err * err
    return (level, trend, sse, preds) if fitted else (level, trend, sse)


def holt_damped_forecast(x, h, alpha, beta, phi, l0, b0) -> np.ndarray:
    """Point forecasts ``(series, h)`` of damped Holt with FIXED parameters (one set per row)."""
    x, _, _, _ = _prep(x)
    col = lambda v: np.broadcast_to(np.asarray(v, dtype=float).reshape(-1, 1), (len(x), 1))  # noqa: E731
    level, trend, _ = holt_damped_filter(x, col(alpha), col(beta), col(phi), col(l0), col(b0))
    return _damped_path(level[:, 0], trend[:, 0], col(phi)[:, 0], h)


def _damped_path(level, trend, phi, h):
    k = _steps(h)[None, :]
    phi = phi[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        mult = np.where(np.abs(1 - phi) < 1e-12, k, phi * (1 - phi**k) / (1 - phi))
    return level[:, None] + trend[:, None] * mult


_ALPHAS = np.array([0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9])
_BETAS = np.array([0.01, 0.05, 0.1, 0.2, 0.4])
_PHIS = np.array([0.8, 0.88, 0.94, 0.98])
_A, _B, _P = (g.ravel() for g in np.meshgrid(_ALPHAS, _BETAS, _PHIS, indexing="ij"))
_HOLT_GRID = np.stack([_A, _B, _P])  # beta here is statsmodels' smoothing_trend (fraction of alpha)


def _initial_states(x, first, n, m):
    f0 = _first_values(x, first)
    q = np.clip(np.minimum(n - 1, max(2, m)), 1, None)
    xq = x[np.arange(len(x)), np.minimum(first + q, x.shape[1] - 1)]
    b0 = np.where(n > 1, (xq - f0) / q, 0.0)
    return f0 - b0, b0


def holt_damped(y: np.ndarray, h: int, m: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Damped-trend Holt with a per-series grid search (see module docstring)."""
    y, _, first, n = _prep(y)
    index, mult = seasonality(y, m)
    x = _adjust(y, index, mult)
    l0, b0 = _initial_states(x, first, n, m)
    a, b, p = _HOLT_GRID
    _, _, sse = holt_damped_filter(x, a[None, :], b[None, :], p[None, :], l0[:, None], b0[:, None])
    best = np.argmin(np.where(np.isnan(sse), np.inf, sse), axis=1)
    pa, pb, pp = a[best], b[best], p[best]
    level, trend, _, fitted = holt_damped_filter(
        x, pa[:, None], pb[:, None], pp[:, None], l0[:, None], b0[:, None], fitted=True
    )
    mean = _readjust(_damped_path(level[:, 0], trend[:, 0], pp, h), index, mult, y.shape[1])
    # RMS one-step residuals in original units for the chosen parameters
    return mean, _rms(y - _readjust(fitted, index, mult, 0))


# ----------------------------------------------------------------------------------------- Theta

_SES_ALPHAS = np.r_[0.01, 0.02, 0.05, np.arange(0.1, 1.0, 0.05), 0.99]


def _ses(x: np.ndarray, first: np.ndarray, alphas: np.ndarray):
    """SES with initial level = first observation; returns (level, sse, alpha) for the best alpha."""
    f0 = _first_values(x, first)
    level, _, sse = holt_damped_filter(x, alphas[None, :], 0.0, 1.0, f0[:, None], 0.0)
    best = np.argmin(sse, axis=1)
    rows = np.arange(len(x))
    return level[rows, best], sse[rows, best], alphas[best]


def _ols_slope(x: np.ndarray) -> np.ndarray:
    valid = ~np.isnan(x)
    t = np.where(valid, np.arange(x.shape[1])[None, :], np.nan)
    cnt = valid.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        tc = t - np.nanmean(t, axis=1, keepdims=True)
        xc = x - np.nanmean(x, axis=1, keepdims=True)
        slope = np.nansum(tc * xc, axis=1) / np.nansum(tc * tc, axis=1)
    return np.where(cnt > 1, slope, 0.0)


def theta(y: np.ndarray, h: int, m: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Standard Theta method (SES with drift = half the linear trend slope)."""
    y, valid, first, n = _prep(y)
    index, mult = seasonality(y, m)
    x = _adjust(y, index, mult)
    level, _, alpha = _ses(x, first, _SES_ALPHAS)
    half_slope = 0.5 * _ols_slope(x)
    k = np.arange(h, dtype=float)[None, :]
    tail = (1 - (1 - alpha) ** n) / alpha
    mean_x = level[:, None] + half_slope[:, None] * (k + tail[:, None])
    mean = _readjust(mean_x, index, mult, y.shape[1])
    # one-step residual scale from the SES part, in original units
    f0 = _first_values(x, first)
    *_, pred = holt_damped_filter(x, alpha[:, None], 0.0, 1.0, f0[:, None], 0.0, fitted=True)
    return mean, _rms(y - _readjust(pred + half_slope[:, None], index, mult, 0))


# ------------------------------------------------------------------------- exponential smoothing


def ets_filter(x, alpha, beta, phi, gamma, l0, b0, s0, season: str, relative: bool = False):  # noqa: C901 (one hot loop; helpers would cost a call per step)
    """Run the ETS state recursions (additive errors) over the valid part of each row.

    ``x`` is ``(series, time)`` (left NaN padding); ``alpha, beta, phi, gamma`` broadcast to
    ``(series, grid)``; ``l0, b0`` (states before the first observation) to ``(series, 1)`` or
    ``(series, grid)``; ``s0`` is ``(series, m)``, the seasonal state by column phase ``c % m``;
    ``season`` is ``"none"``, ``"add"`` or ``"mul"``. Parameterisation and recursions of
    statsmodels' ``ETSModel`` (error="add", damped additive trend; phi = 1 and beta = 0 give no
    trend)::

        base = l + phi b;  pred = base + s | base * s;  e = x_t - pred;  r = e | e / s
        l'   = base + alpha r
        b'   = phi b + beta r
        s'   = s + gamma e                                   (additive seasonality)
        s'   = g x_t / l' + (1 - g) s,  g = gamma / (1 - alpha)   (multiplicative, as ETSModel)

    The same recursions give the point forecasts of the multiplicative-error models.
    Returns ``(level, trend, season, sse)``: ``(series, grid)``, ``season`` ``(series, grid, m)``.
    ``relative=True`` adds ``(sum (e / pred)^2, sum log|pred|)``, each ``(series, grid)``: the
    parts of the multiplicative-error likelihood (Hyndman et al. 2008, eq. 5.3).
    """
    x = np.asarray(x, dtype=float)
    N, T = x.shape
    alpha, beta, phi, gamma = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (alpha, beta, phi, gamma))
    )
    shape = np.broadcast_shapes(alpha.shape, (N, 1))
    level = np.broadcast_to(np.asarray(l0, dtype=float), shape).copy()
    trend = np.broadcast_to(np.asarray(b0, dtype=float), shape).copy()
    m = s0.shape[1]
    # seasonal states phase-major (m, series, grid): each step reads and writes one contiguous block
    S = np.array(np.broadcast_to(np.asarray(s0, dtype=float).T[:, :, None], (m,) + shape), order="C")
    sse = np.zeros(shape)
    if relative:
        # sum log|pred| as the log of running products of |pred| / (row's mean |x|), taken every
        # 16 steps (one log per 16 steps instead of one per step: the filter's largest cost)
        sre, slog, prod = np.zeros(shape), np.zeros(shape), np.ones(shape)
        with np.errstate(invalid="ignore", divide="ignore"):
            ref = np.nanmean(np.abs(x), axis=1, keepdims=True) if T else np.ones((N, 1))
        ref = np.where(np.isfinite(ref) & (ref > 0), ref, 1.0)
        inv_ref = 1.0 / ref
        nobs = (~np.isnan(x)).sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        g_mul = gamma / (1.0 - alpha)
    with np.errstate(all="ignore"):  # a diverging grid point ends with SSE inf or NaN, never chosen
        for t in range(T):
            col = x[:, t : t + 1]
            ok = ~np.isnan(col)
            full = bool(ok.all())
            if not full and not ok.any():
                continue
            s = S[t % m]
            base = phi * trend
            base += level
            pred = base * s if season == "mul" else base + s if season == "add" else base
            err = col - pred if full else np.where(ok, col - pred, 0.0)
            r = err / s if season == "mul" else err
            new_level = alpha * r
            new_level += base
            if season == "mul":
                upd = g_mul * (pred + err) / new_level + (1 - g_mul) * s
                s[...] = upd if full else np.where(ok, upd, s)
            elif season == "add":
                s += gamma * err
            new_trend = phi * trend
            new_trend += beta * r
            if full:
                level, trend = new_level, new_trend
            else:
                level = np.where(ok, new_level, level)
                trend = np.where(ok, new_trend, trend)
            sse += err * err
            if relative:
                q = err / pred
                q *= q
                if full:
                    sre += q
                    prod *= pred
                    prod *= inv_ref
                else:
                    sre += np.where(ok, q, 0.0)
                    prod *= np.where(ok, pred * inv_ref, 1.0)
                if t % 16 == 15:  # |product| = product of |pred|
                    slog += np.log(np.abs(prod))
                    prod[...] = 1.0
    if relative:
        with np.errstate(all="ignore"):
            slog += np.log(np.abs(prod)) + nobs * np.log(ref)
        return level, trend, np.moveaxis(S, 0, -1), sse, sre, slog
    return level, trend, np.moveaxis(S, 0, -1), sse


def _ets_path(level, trend, S, phi, h, T, season):
    """Point forecasts ``(series, h)`` from final states; the first forecast is column ``T``."""
    base = _damped_path(level, trend, phi, h)
    s = S[:, (T + np.arange(h)) % S.shape[1]]
    return base * s if season == "mul" else base + s if season == "add" else base


def ets_forecast(x, h, m, alpha, beta, phi, gamma, l0, b0, s0, season: str) -> np.ndarray:
    """Point forecasts ``(series, h)`` of :func:`ets_filter` with FIXED parameters and states
    (one set per row; ``s0`` one row of ``m`` values per series or one for all)."""
    x, _, _, _ = _prep(x)
    N, mm = len(x), max(m, 1)
    col = lambda v: np.broadcast_to(np.asarray(v, dtype=float).reshape(-1, 1), (N, 1))  # noqa: E731
    s0 = np.broadcast_to(np.asarray(s0, dtype=float).reshape(-1, mm), (N, mm))
    level, trend, S, _ = ets_filter(
        x, col(alpha), col(beta), col(phi), col(gamma), col(l0), col(b0), s0, season
    )
    return _ets_path(level[:, 0], trend[:, 0], S[:, 0], col(phi)[:, 0], h, x.shape[1], season)


_ETS_ALPHAS = np.array([0.03, 0.1, 0.2, 0.35, 0.55, 0.8])
_ETS_BETAS = np.array([0.03, 0.15, 0.4])  # as a fraction of alpha
_ETS_PHIS = np.array([0.85, 0.94, 0.98])
_ETS_GAMMAS = np.array([0.02, 0.1, 0.3])  # as a fraction of 1 - alpha


def _ets_grid(trend: bool, seasonal: bool):
    b = _ETS_BETAS if trend else np.zeros(1)
    p = _ETS_PHIS if trend else np.ones(1)
    g = _ETS_GAMMAS if seasonal else np.zeros(1)
    a, b, p, g = (v.ravel() for v in np.meshgrid(_ETS_ALPHAS, b, p, g, indexing="ij"))
    return a, a * b, p, (1 - a) * g


def _ets_initial(y, first, n, index, season, trend):
    """Initial level and trend ``(series,)``: least-squares line through the first ``max(2m, 6)``
    seasonally adjusted points, taken one step before the first observation (no trend: slope 0)."""
    N, T = y.shape
    m = index.shape[1]
    adj = _adjust(y, index, np.full(N, season == "mul")) if season != "none" else y
    w = max(2 * m, 6)
    k = np.arange(w)[None, :]
    use = k < np.minimum(n, w)[:, None]
    v = np.where(use, adj[np.arange(N)[:, None], np.minimum(first[:, None] + k, T - 1)], np.nan)
    slope = _ols_slope(v) if trend else np.zeros(N)
    slope = np.where(np.isfinite(slope) & (n > 2), slope, 0.0)
    cnt = use.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        vmean = np.nansum(v, axis=1) / cnt
        kmean = np.sum(np.where(use, k, 0), axis=1) / cnt
    inter = vmean - slope * kmean
    return inter - slope, slope


#: multiplicative-error forms only up to this season length (yearly and quarterly): on the 2118
#: monthly development series (M3, M1, statsmodels windows) they left the combination of that time
#: (ETS, Theta, ARIMA on adjusted data) unchanged (0,981 of AutoETS's mean MASE) while adding about
#: 40 % to the ETS grid's time (and 1-2 s CPU to the national baseline); on the held-out Tourism
#: monthly series, run once with them, that combination was 1,062 x AutoETS against 1,046 without.
#: Not tried again with the later members (the held-out set has been seen).
MERR_MAX_SEASON = 4


def ets(y: np.ndarray, h: int, m: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Exponential smoothing with its own state-space choice, AIC-weighted (see module docstring)."""
    y, _, first, n = _prep(y)
    N, T = y.shape
    mm = max(m, 1)
    rows = np.arange(N)
    ics, means, sigmas = [], [], []
    positive = np.all(np.where(np.isnan(y), True, y > 0), axis=1)
    seasons = ["none"] + (["add", "mul"] if m > 1 else [])
    for season in seasons:
        if season == "none":
            s0, ok = np.zeros((N, mm)), np.ones(N, dtype=bool)
        else:
            s0, mult = seasonality(y, m, test=False, additive=season == "add")
            ok = (n >= 2 * m) & (mult if season == "mul" else True)
            if not ok.any():
                continue
        for trend in (False, True):
            a, b, p, g = _ets_grid(trend, season != "none")
            l0, b0 = _ets_initial(y, first, n, s0, season, trend)
            merr = m <= MERR_MAX_SEASON
            level, tr, S, sse, *rel = ets_filter(
                y, a[None], b[None], p[None], g[None], l0[:, None], b0[:, None], s0, season, relative=merr
            )
            k = 2 + 3 * trend + (m if season != "none" else 0)  # parameters incl. initial states, sigma
            with np.errstate(divide="ignore", invalid="ignore"):
                # additive errors: n log(SSE / n); multiplicative (positive series only):
                # n log(sum (e / pred)^2 / n) + 2 sum log|pred|, both up to the same constant
                crits = [n[:, None] * np.log(np.maximum(sse, 1e-300) / n[:, None])]
                if merr:
                    crits.append(n[:, None] * np.log(np.maximum(rel[0], 1e-300) / n[:, None]) + 2 * rel[1])
            err_ok = [ok, ok & positive]
            for crit, okk in zip(crits, err_ok[: len(crits)], strict=True):
                crit = np.where(np.isfinite(crit), crit, np.inf)
                j = np.argmin(crit, axis=1)
                best = crit[rows, j]
                with np.errstate(divide="ignore", invalid="ignore"):
                    aicc = best + 2 * k + 2 * k * (k + 1) / (n - k - 1)
                ics.append(np.where(okk & (n - k - 1 > 0) & np.isfinite(aicc), aicc, np.inf))
                means.append(_ets_path(level[rows, j], tr[rows, j], S[rows, j], p[j], h, T, season))
                sigmas.append(np.sqrt(sse[rows, j] / np.maximum(n, 1)))
    ic = np.stack(ics)
    low = ic.min(axis=0)
    with np.errstate(invalid="ignore"):
        w = np.where(np.isfinite(ic), np.exp(-0.5 * (ic - low)), 0.0)
    fitted = np.isfinite(low)
    w[:, ~fitted] = 0.0
    w /= np.where(fitted, w.sum(axis=0), 1.0)
    mean = np.einsum("kn,knh->nh", w, np.nan_to_num(np.stack(means)))
    mean[~fitted] = y[~fitted, -1:]
    sigma = np.stack(sigmas)[np.argmin(ic, axis=0), rows]
    return mean, np.where(fitted, sigma, np.nan)

"""Forecasting models vectorised over many series at once; they see only numpy arrays.

Data layout (every model)
-------------------------
``y`` is a 2-D float array of shape ``(series, time)``. Shorter series are padded with NaN on the
LEFT, so every row ends at the last column and column ``T - 1`` is each series' last observation.
After its first valid value a row must have no NaN (the orchestrator in :mod:`simulator.forecast`
interpolates gaps first). A list of 1-D arrays can be turned into this layout with :func:`pad_left`.

Each model is ``model(y, h, m) -> (mean, scale)``:

* ``mean``  - point forecasts, shape ``(series, h)``; step ``k`` (1-based) is column ``k - 1``.
* ``scale`` - root mean square of the model's one-step in-sample residuals in the units of ``y``,
  shape ``(series,)``; NaN where it cannot be estimated (a single observation). The orchestrator
  calibrates intervals from backtest errors and uses this only as a fallback.

``m`` is the season length (12 monthly, 4 quarterly, 1 yearly / non-seasonal). Seasonal phase is
taken from the column index, which is consistent because all rows end in the same column.

Models (registry :data:`MODELS`, in tie-break order):

``naive``            last value.
``seasonal_naive``   value one season earlier; rows shorter than one season fall back to naive.
``drift``            random walk with drift: last value + k * (last - first) / (n - 1).
``holt_damped``      additive damped-trend exponential smoothing (Holt damped, ETS(A,Ad,N)) with
                     alpha, beta, phi chosen per series by a grid search minimising one-step SSE,
                     vectorised over series x grid; applied to seasonally adjusted data when the
                     series is seasonal (same test and decomposition as Theta).
``theta``            standard Theta method (Assimakopoulos & Nikolopoulos 2000, in the
                     Hyndman & Billah 2003 form used by R's ``forecast::thetaf``): SES on the
                     deseasonalised series plus a drift of half the OLS trend slope; seasonality by
                     the 90 % ACF test at lag m and classical multiplicative decomposition
                     (additive when a series has values <= 0). SES alpha by grid search and the
                     initial level is the first observation (thetaf optimises both).
``arima_p10_ls``     ARIMA(p,1,0) with drift, fitted by ordinary least squares on first differences
                     (conditional least squares, NOT exact maximum likelihood), p in {0,1,2,3}
                     (plus m when seasonal and long enough) chosen per series by AIC on a common
                     sample. If sum(|phi|) >= 0.99 the coefficients are shrunk to 0.99 to keep the
                     forecast stationary in differences, with the constant reset to keep the
                     sample mean drift.
``arima_d_ls``       ARIMA(p,d,0) by the same least squares, d = 2 without a constant when the
                     KPSS test (:func:`kpss_stat`, 5 %) rejects level stationarity of the first
                     differences, else d = 1 with drift (as ``arima_p10_ls``); non-seasonal.
``ets``              exponential smoothing with its own state-space choice: no / additive /
                     multiplicative seasonality (multiplicative only for positive series) x no /
                     damped additive trend, the recursions of statsmodels' ``ETSModel``
                     (:func:`ets_filter`); alpha, beta, phi, gamma by a grid search minimising
                     one-step SSE, vectorised over series x grid; initial seasonal states from the
                     classical decomposition, level and trend from a line through the first
                     ``max(2m, 6)`` adjusted points. Each form is fitted with additive errors
                     (lowest SSE) and, for positive yearly and quarterly series
                     (:data:`MERR_MAX_SEASON`), also with multiplicative errors (highest
                     multiplicative-error likelihood: relative errors, Hyndman et al. 2008), the
                     forms AutoETS chooses from. The forms' forecasts are averaged with Akaike
                     weights from their AICc (Kolassa 2011), which beat picking the lowest AICc on
                     M3 and M1.
``combo``            yearly (m == 1): the median of ``ets``, ``theta``, ``arima_d_ls``,
                     ``holt_damped`` and ``drift`` (the median keeps one member's bad extrapolation
                     out, e.g. drift or Theta on smooth curved fertility-rate series); seasonal
                     frequencies: the equal-weight mean of ``ets``, ``theta`` and ``arima_p10_ls``
                     on the seasonally adjusted series (same test and decomposition as Theta).
                     Combinations of ETS, ARIMA and Theta beat each member on large real
                     collections (Makridakis et al. 2020, M4; Petropoulos & Svetunkov 2020).
"""

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


# ---------------------------------------------------------------------------------- Holt damped


def holt_damped_filter(x, alpha, beta, phi, l0, b0):
    """Run the damped-trend Holt recursions over the valid part of each row.

    ``x`` is ``(series, time)`` (left NaN padding); ``alpha, beta, phi`` broadcast to
    ``(series, grid)`` and ``l0, b0`` (the states before the first observation) to ``(series, 1)``
    or ``(series, grid)``. Parameterisation as statsmodels' ``ExponentialSmoothing``::

        pred = l + phi b;  e = x_t - pred
        l'   = pred + alpha e
        b'   = phi b + alpha beta e        (= beta (l' - l) + (1 - beta) phi b)

    Returns final ``(level, trend, sse)`` each ``(series, grid)``.
    """
    x = np.asarray(x, dtype=float)
    alpha, beta, phi = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (alpha, beta, phi)))
    shape = np.broadcast_shapes(alpha.shape, (x.shape[0], 1))
    level = np.broadcast_to(np.asarray(l0, dtype=float), shape).copy()
    trend = np.broadcast_to(np.asarray(b0, dtype=float), shape).copy()
    sse = np.zeros(shape)
    ab = alpha * beta
    for t in range(x.shape[1]):
        col = x[:, t : t + 1]
        ok = ~np.isnan(col)
        if not ok.any():
            continue
        pred = level + phi * trend
        err = np.where(ok, col - pred, 0.0)
        level = np.where(ok, pred + alpha * err, level)
        trend = np.where(ok, phi * trend + ab * err, trend)
        sse += err * err
    return level, trend, sse


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
    level, trend, _ = holt_damped_filter(x, pa[:, None], pb[:, None], pp[:, None], l0[:, None], b0[:, None])
    mean = _readjust(_damped_path(level[:, 0], trend[:, 0], pp, h), index, mult, y.shape[1])
    scale = _holt_residual_scale(y, x, index, mult, pa, pb, pp, l0, b0)
    return mean, scale


def _holt_residual_scale(y, x, index, mult, alpha, beta, phi, l0, b0):
    """RMS one-step residuals in original units for the chosen parameters."""
    level, trend = l0.copy(), b0.copy()
    fitted = np.full_like(x, np.nan)
    for t in range(x.shape[1]):
        col = x[:, t]
        ok = ~np.isnan(col)
        pred = level + phi * trend
        fitted[:, t] = np.where(ok, pred, np.nan)
        err = np.where(ok, col - pred, 0.0)
        level = np.where(ok, pred + alpha * err, level)
        trend = np.where(ok, phi * trend + alpha * beta * err, trend)
    return _rms(y - _readjust(fitted, index, mult, 0))


# ----------------------------------------------------------------------------------------- Theta

_SES_ALPHAS = np.r_[0.01, 0.02, 0.05, np.arange(0.1, 1.0, 0.05), 0.99]


def _ses(x: np.ndarray, first: np.ndarray, alphas: np.ndarray):
    """SES with initial level = first observation; returns (level, sse, alpha) for the best alpha."""
    f0 = _first_values(x, first)
    level = np.repeat(f0[:, None], len(alphas), axis=1)
    sse = np.zeros_like(level)
    a = alphas[None, :]
    for t in range(x.shape[1]):
        col = x[:, t : t + 1]
        ok = ~np.isnan(col)
        err = np.where(ok, col - level, 0.0)
        level = level + a * err
        sse += err * err
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
    fitted = np.full_like(x, np.nan)
    lev = _first_values(x, first)
    for t in range(x.shape[1]):
        col = x[:, t]
        ok = ~np.isnan(col)
        fitted[:, t] = np.where(ok, lev + half_slope, np.nan)
        lev = np.where(ok, lev + alpha * (col - lev), lev)
    return mean, _rms(y - _readjust(fitted, index, mult, 0))


# ------------------------------------------------------------------------------ ARIMA(p,1,0) LS


def arima_p10_ls(y: np.ndarray, h: int, m: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """ARIMA(p,1,0) with drift by least squares on first differences (see module docstring)."""
    return _arima_ls(y, h, m, consts=(True,))


def _arima_ls(y, h, m, consts):
    """ARIMA(p,1,0) by least squares; ``consts`` the drift choices tried ((True,) always drift)."""
    y, _, first, n = _prep(y)
    N, T = y.shape
    d = np.diff(y, axis=1)  # (N, T-1), left NaN padding
    nd = np.maximum(n - 1, 0)
    cands = [0, 1, 2, 3] + ([m] if m > 3 else [])
    # a candidate p is allowed when the common sample leaves >= 3 (p + 2) + 4 rows
    allowed = np.array([[nd - p >= 3 * (p + 2) + 4 for p in cands]]).reshape(len(cands), N).T
    pmax = np.array([max([p for p, ok in zip(cands, row) if ok], default=0) for row in allowed])
    with np.errstate(invalid="ignore", divide="ignore"):
        cnt_d = (~np.isnan(d)).sum(axis=1)
        mean_d = np.where(cnt_d > 0, np.nansum(d, axis=1) / np.maximum(cnt_d, 1), 0.0)
    best_aic = np.full(N, np.inf)
    best_coef = np.zeros((N, max(cands) + 1))
    best_p = np.zeros(N, dtype=int)
    best_sigma = np.full(N, np.nan)
    cols = np.arange(T - 1)
    start = first + pmax  # first usable target column in d (d column c = y[c+1]-y[c]; first valid c = first)
    best_const = np.ones(N, dtype=bool)
    for j, p, const in [(j, p, c) for j, p in enumerate(cands) for c in consts]:
        if T - 1 <= p:
            continue
        target = d[:, p:]
        X = ([np.ones_like(target)] if const else []) + [d[:, p - i : T - 1 - i] for i in range(1, p + 1)]
        if not X:  # no constant, no lag: the forecast is the last value, residuals the differences
            X = [np.zeros_like(target)]
        X = np.stack(X, axis=2)  # (N, rows, p + const)
        use = (cols[p:][None, :] >= start[:, None]) & ~np.isnan(target) & ~np.isnan(X).any(axis=2)
        use &= allowed[:, j][:, None]
        w = use.astype(float)
        Xz = np.where(use[:, :, None], X, 0.0)
        tz = np.where(use, target, 0.0)
        XtX = np.einsum("nri,nrj->nij", Xz, Xz)
        Xty = np.einsum("nri,nr->ni", Xz, tz)
        ridge = 1e-9 * (np.trace(XtX, axis1=1, axis2=2) + 1.0)
        XtX = XtX + ridge[:, None, None] * np.eye(X.shape[2])[None]
        coef = np.linalg.solve(XtX, Xty[:, :, None])[:, :, 0]
        resid = (tz - np.einsum("nri,ni->nr", Xz, coef)) * w
        cnt = w.sum(axis=1)
        sse = (resid**2).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            aic = cnt * np.log(np.maximum(sse, 1e-300) / np.maximum(cnt, 1)) + 2 * (p + const + 1)
        aic = np.where((cnt > 0) & allowed[:, j], aic, np.inf)
        better = aic < best_aic - 1e-12
        best_aic = np.where(better, aic, best_aic)
        best_p = np.where(better, p, best_p)
        best_const = np.where(better, const, best_const)
        full = np.zeros((N, best_coef.shape[1]))
        if const:
            full[:, : p + 1] = coef
        else:
            full[:, 1 : p + 1] = coef[:, :p]
        best_coef = np.where(better[:, None], full, best_coef)
        best_sigma = np.where(better, np.sqrt(sse / np.maximum(cnt, 1)), best_sigma)
    # rows without any allowed candidate: drift (p = 0, constant = mean difference)
    none = ~np.isfinite(best_aic)
    best_coef[none] = 0.0
    best_coef[none, 0] = mean_d[none]
    best_sigma[none] = _rms(d - mean_d[:, None])[none]
    # stationarity safeguard
    phis = best_coef[:, 1:]
    s = np.abs(phis).sum(axis=1)
    shrink = s >= 0.99
    if shrink.any():
        phis[shrink] *= (0.99 / s[shrink])[:, None]
        best_coef[shrink, 0] = np.where(
            best_const[shrink], mean_d[shrink] * (1 - phis[shrink].sum(axis=1)), 0.0
        )
    P = phis.shape[1]
    hist = np.zeros((N, P))
    if P:
        take = min(P, T - 1)
        if take:
            hist[:, P - take :] = np.nan_to_num(d[:, T - 1 - take :])
    fut = np.empty((N, h))
    for k in range(h):
        step = best_coef[:, 0] + np.einsum("np,np->n", phis, hist[:, ::-1])
        fut[:, k] = step
        if P:
            hist = np.concatenate([hist[:, 1:], step[:, None]], axis=1)
    mean = y[:, -1:] + np.cumsum(fut, axis=1)
    return mean, best_sigma


# ------------------------------------------------------------------------- ARIMA(p,d,0), d by KPSS

#: 5 % critical value of the KPSS level-stationarity test (Kwiatkowski et al. 1992, table 1)
KPSS_CRIT_5 = 0.463


def kpss_stat(x: np.ndarray) -> np.ndarray:
    """KPSS level-stationarity statistic per row (left NaN padding), NaN for rows under 3 points.

    ``eta = sum_t S_t^2 / (n^2 s2)``, ``S_t`` the partial sums of ``x - mean``, ``s2`` the
    Newey-West long-run variance with Bartlett weights ``1 - s / (l + 1)`` and the "short" lag
    ``l = floor(4 (n / 100)^(1/4))`` of R's ``urca::ur.kpss`` / ``forecast::ndiffs``
    (statsmodels' ``kpss(x, "c", nlags=l)`` gives the same statistic).
    """
    x, valid, _, n = _prep(x)
    cnt = np.maximum(n, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = np.where(valid, x, 0.0).sum(axis=1) / cnt
        e = np.where(valid, x - mu[:, None], 0.0)
        S = np.cumsum(e, axis=1)
        lags = np.floor(4.0 * (n / 100.0) ** 0.25).astype(int)
        s2 = (e * e).sum(axis=1) / cnt
        for s in range(1, int(lags.max(initial=0)) + 1):
            w = np.where(s <= lags, 1.0 - s / (lags + 1.0), 0.0)
            s2 = s2 + 2.0 * w * (e[:, s:] * e[:, :-s]).sum(axis=1) / cnt
        eta = (S * S).sum(axis=1) / (cnt.astype(float) ** 2 * s2)
    return np.where((n >= 3) & (s2 > 0), eta, np.nan)


def arima_d_ls(y: np.ndarray, h: int, m: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """ARIMA(p,d,0) by least squares with d in {1, 2} per series: d = 2 (no constant) when the
    KPSS test at 5 % rejects level stationarity of the first differences (the second step of
    ``forecast::ndiffs``), else d = 1 with drift; p by AIC as in :func:`arima_p10_ls`.
    Non-seasonal (``m`` is ignored). The first step (d = 0 when the levels pass) is left out: on
    short trending series the test lacks power, and allowing d = 0 raised the mean MASE of the
    ARIMA member on M3 yearly from 2,87 to 3,02."""
    y, _, _, _ = _prep(y)
    mean, scale = _arima_ls(y, h, 1, consts=(True,))
    two = np.flatnonzero(kpss_stat(np.diff(y, axis=1)) > KPSS_CRIT_5)
    if len(two):
        d = np.diff(y[two], axis=1)
        fd, sig = _arima_ls(d, h, 1, consts=(False,))
        mean[two] = y[two, -1:] + np.cumsum(fd, axis=1)
        scale[two] = sig
    return mean, scale


# ------------------------------------------------------------------------- exponential smoothing


def ets_filter(x, alpha, beta, phi, gamma, l0, b0, s0, season: str, relative: bool = False):
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
#: monthly development series (M3, M1, statsmodels windows) they left the combination's mean MASE
#: unchanged (0,981 of AutoETS's) while adding about 40 % to the ETS grid's time (and 1-2 s CPU to
#: the national baseline); on the held-out Tourism monthly series, run once with them, the
#: combination was 1,062 x AutoETS against 1,046 without. Monthly forecasts are as before issue 21
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
            for crit, okk in zip(crits, err_ok):
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


# ---------------------------------------------------------------------------------- combination


def _on_adjusted(model: Model, y: np.ndarray, h: int, m: int) -> np.ndarray:
    """Point forecasts of a non-seasonal ``model`` run on the seasonally adjusted series (the
    test and decomposition of :func:`seasonality`), with the seasonal index put back."""
    index, mult = seasonality(y, m)
    mean, _ = model(_adjust(y, index, mult), h, 1)
    return _readjust(mean, index, mult, y.shape[1])


def combo(y: np.ndarray, h: int, m: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Yearly (m == 1): median of ETS, Theta, ARIMA(p,d,0), damped Holt and drift; seasonal
    frequencies: equal-weight mean of ETS, Theta and ARIMA(p,1,0) on adjusted data."""
    y, _, _, _ = _prep(y)
    e_mean, e_scale = ets(y, h, m)
    t_mean, t_scale = theta(y, h, m)
    scale = np.sqrt(0.5 * (e_scale**2 + t_scale**2))
    if m <= 1:
        members = [e_mean, t_mean, arima_d_ls(y, h)[0], holt_damped(y, h)[0], drift(y, h)[0]]
        return np.median(members, axis=0), scale
    members = [e_mean, t_mean, _on_adjusted(arima_p10_ls, y, h, m)]
    return np.mean(members, axis=0), scale


MODELS: dict[str, Model] = {
    "naive": naive,
    "seasonal_naive": seasonal_naive,
    "drift": drift,
    "holt_damped": holt_damped,
    "theta": theta,
    "arima_p10_ls": arima_p10_ls,
    "arima_d_ls": arima_d_ls,
    "ets": ets,
    "combo": combo,
}

"""ARIMA models of :mod:`simulator.models` fitted by least squares: ARIMA(p,1,0) with drift,
ARIMA(p,d,0) with d chosen by a KPSS test, and ARIMA(p,d,0)(0,1,0)_m on seasonal differences."""

from __future__ import annotations

import numpy as np

from simulator.models.base import _adjust, _prep, _readjust, _rms, seasonality

# ------------------------------------------------------------------------------ ARIMA(p,1,0) LS


def arima_p10_ls(y: np.ndarray, h: int, m: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """ARIMA(p,1,0) with drift by least squares on first differences (see module docstring)."""
    return _arima_ls(y, h, m, consts=(True,))


def _arima_ls(y, h, m, consts):
    """ARIMA(p,1,0) by least squares; ``consts`` the drift choices tried ((True,) always drift)."""
    y, _, _, _ = _prep(y)
    fut, sigma = _ar_ls(np.diff(y, axis=1), h, m, consts)
    return y[:, -1:] + np.cumsum(fut, axis=1), sigma


def _ar_ls(d, h, m, consts):
    """AR(p) (with a constant when chosen) by least squares on the rows of ``d`` (left NaN
    padding), p in {0, 1, 2, 3} (plus m when m > 3) by AIC on a common sample; returns the
    forecasts ``(series, h)`` of ``d`` itself and the residual RMS. ``consts`` the constant
    choices tried."""
    d, _, first, nd = _prep(d)
    N, T1 = d.shape
    T = T1 + 1
    cands = [0, 1, 2, 3] + ([m] if m > 3 else [])
    # a candidate p is allowed when the common sample leaves >= 3 (p + 2) + 4 rows
    allowed = np.array([[nd - p >= 3 * (p + 2) + 4 for p in cands]]).reshape(len(cands), N).T
    pmax = np.array([max([p for p, ok in zip(cands, row, strict=True) if ok], default=0) for row in allowed])
    with np.errstate(invalid="ignore", divide="ignore"):
        cnt_d = (~np.isnan(d)).sum(axis=1)
        mean_d = np.where(cnt_d > 0, np.nansum(d, axis=1) / np.maximum(cnt_d, 1), 0.0)
    best_aic = np.full(N, np.inf)
    best_coef = np.zeros((N, max(cands) + 1))
    best_sigma = np.full(N, np.nan)
    cols = np.arange(T - 1)
    start = first + pmax  # first usable target column in d (the common sample of the candidates)
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
    return fut, best_sigma


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


# ---------------------------------------------------------- ARIMA(p,d,0)(0,1,0)_m, seasonal differences


def arima_sdiff_ls(y: np.ndarray, h: int, m: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """ARIMA(p,d,0)(0,1,0)_m by least squares on the seasonal differences ``w_t = y_t - y_{t-m}``:
    d = 0 with a constant (AR(p) + c on ``w``: a seasonal pattern that moves with the last season
    and a constant yearly change) unless the KPSS test at 5 % rejects level stationarity of ``w``,
    then d = 1 without a constant (ARIMA(p,1,0) on ``w``), the step ``forecast::ndiffs`` takes
    after seasonal differencing; p in {0, 1, 2, 3} by AIC as in :func:`arima_p10_ls`. Forecasts
    are summed back season by season, ``y_{T+k} = y_{T+k-m} + w_{T+k}``. The seasonal pattern is
    the last season's, not the history's average as in the classical decomposition, which makes it
    a different member from the models run on seasonally adjusted data. Rows with fewer than
    ``3 m`` points (and every row when m <= 1): ARIMA(p,1,0) with drift on the seasonally adjusted
    series (:func:`seasonality`)."""
    y, _, _, n = _prep(y)
    N, T = y.shape
    mean, sigma = np.empty((N, h)), np.empty(N)
    long = (n >= 3 * m) & (m > 1)
    short = np.flatnonzero(~long)
    if len(short):
        index, mult = seasonality(y[short], m)
        adj, sigma[short] = _arima_ls(_adjust(y[short], index, mult), h, 1, consts=(True,))
        mean[short] = _readjust(adj, index, mult, T)
    rows = np.flatnonzero(long)
    if not len(rows):
        return mean, sigma
    ys = y[rows]
    w = ys[:, m:] - ys[:, :-m]
    fw, sig = _ar_ls(w, h, 1, consts=(True,))
    two = np.flatnonzero(kpss_stat(w) > KPSS_CRIT_5)
    if len(two):
        fw2, sig2 = _arima_ls(w[two], h, 1, consts=(False,))
        fw[two], sig[two] = fw2, sig2
    last = ys[:, -m:].copy()  # the latest value of each phase, by column phase k % m
    fut = np.empty((len(rows), h))
    for k in range(h):
        fut[:, k] = last[:, k % m] + fw[:, k]
        last[:, k % m] = fut[:, k]
    mean[rows], sigma[rows] = fut, sig
    return mean, sigma

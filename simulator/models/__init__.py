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
                     frequencies: the weighted mean of ``ets`` (weight 2), ``theta``,
                     ``arima_p10_ls`` on the seasonally adjusted series (same test and
                     decomposition as Theta) and, for series of at least three seasons,
                     ``arima_sdiff_ls`` (weight 1 each; :data:`SEASONAL_WEIGHTS`). The last
                     member takes its seasonal pattern from the last season instead of the
                     history's average, the members' most different view of seasonality: adding
                     it took the mean MASE over the monthly development series from 0,981 to
                     0,966 x AutoETS's although alone it scores 1,14. Combinations of ETS, ARIMA
                     and Theta beat each member on large real collections (Makridakis et al.
                     2020, M4; Petropoulos & Svetunkov 2020).

``arima_sdiff_ls``   (a member of ``combo``, not in :data:`MODELS`) ARIMA(p,d,0)(0,1,0)_m by least
                     squares on the seasonal differences ``y_t - y_{t-m}``: AR(p) with a constant,
                     or ARIMA(p,1,0) without one when the KPSS test rejects their stationarity;
                     rows under three seasons: ARIMA(p,1,0) on the seasonally adjusted series.
"""

from __future__ import annotations

import numpy as np

from simulator.models.arima import KPSS_CRIT_5, arima_d_ls, arima_p10_ls, arima_sdiff_ls, kpss_stat
from simulator.models.base import (
    Model,
    _adjust,
    _prep,
    _readjust,
    drift,
    naive,
    pad_left,
    seasonal_naive,
    seasonality,
)
from simulator.models.smoothing import (
    MERR_MAX_SEASON,
    ets,
    ets_filter,
    ets_forecast,
    holt_damped,
    holt_damped_filter,
    holt_damped_forecast,
    theta,
)

__all__ = [
    "KPSS_CRIT_5",
    "MERR_MAX_SEASON",
    "MODELS",
    "Model",
    "arima_d_ls",
    "arima_p10_ls",
    "arima_sdiff_ls",
    "combo",
    "drift",
    "ets",
    "ets_filter",
    "ets_forecast",
    "holt_damped",
    "holt_damped_filter",
    "holt_damped_forecast",
    "kpss_stat",
    "naive",
    "pad_left",
    "seasonal_naive",
    "seasonality",
    "theta",
]

# ---------------------------------------------------------------------------------- combination


def _on_adjusted(model: Model, y: np.ndarray, h: int, m: int) -> np.ndarray:
    """Point forecasts of a non-seasonal ``model`` run on the seasonally adjusted series (the
    test and decomposition of :func:`seasonality`), with the seasonal index put back."""
    index, mult = seasonality(y, m)
    mean, _ = model(_adjust(y, index, mult), h, 1)
    return _readjust(mean, index, mult, y.shape[1])


#: weights of the seasonal combination's members: ETS, Theta, ARIMA(p,1,0) on adjusted data, ARIMA
#: on seasonal differences. ETS, the strongest single member on each of the six seasonal
#: development sets (M3, M1, statsmodels windows x monthly, quarterly), counts twice: mean MASE /
#: AutoETS's over the 2118 monthly (1016 quarterly) series 0,966 (0,936) with equal weights, 0,960
#: (0,934) with these; ETS three times 0,959 (0,936).
SEASONAL_WEIGHTS = (2.0, 1.0, 1.0, 1.0)


def combo(
    y: np.ndarray, h: int, m: int = 1, *, known: dict[str, tuple[np.ndarray, np.ndarray]] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Yearly (m == 1): median of ETS, Theta, ARIMA(p,d,0), damped Holt and drift; seasonal
    frequencies: weighted mean (:data:`SEASONAL_WEIGHTS`) of ETS, Theta, ARIMA(p,1,0) on adjusted
    data and, for series of at least three seasons, ARIMA(p,d,0)(0,1,0)_m on seasonal differences.
    ``known``: the ``ets`` and ``theta`` results already computed on this same ``y``, ``h`` and
    ``m`` (a backtest that runs them as models of their own), used instead of fitting them again."""
    y, _, _, _ = _prep(y)
    known = known or {}
    e_mean, e_scale = known["ets"] if "ets" in known else ets(y, h, m)
    t_mean, t_scale = known["theta"] if "theta" in known else theta(y, h, m)
    scale = np.sqrt(0.5 * (e_scale**2 + t_scale**2))
    if m <= 1:
        members = [e_mean, t_mean, arima_d_ls(y, h)[0], holt_damped(y, h)[0], drift(y, h)[0]]
        return np.median(members, axis=0), scale
    # ETS counts twice (SEASONAL_WEIGHTS); the ARIMA on seasonal differences only where it applies
    # (at least three seasons; on shorter rows it would repeat the adjusted ARIMA member)
    w_ets, w_theta, w_arima, w_sdiff = SEASONAL_WEIGHTS
    total = w_ets * e_mean + w_theta * t_mean + w_arima * _on_adjusted(arima_p10_ls, y, h, m)
    weight = np.full((len(y), 1), float(w_ets + w_theta + w_arima))
    rows = np.flatnonzero(np.sum(~np.isnan(y), axis=1) >= 3 * m)
    if len(rows):
        total[rows] += w_sdiff * arima_sdiff_ls(y[rows], h, m)[0]
        weight[rows] += w_sdiff
    return total / weight, scale


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

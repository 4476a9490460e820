"""Hand-checked cases for simulator.models and simulator.forecast (statsmodels only as a reference)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from simulator.errors import InputError
from simulator.forecast import Forecast, backtest, forecast
from simulator.models import MODELS, drift, ets_forecast, holt_damped_forecast, pad_left, seasonal_naive

PATTERN = np.array([10.0, 12, 15, 13, 11, 9, 8, 9, 14, 18, 20, 16])


def frame(uid, values, start="2015-01-01", freq="MS"):
    values = np.asarray(values, dtype=float)
    return pd.DataFrame(
        {"unique_id": uid, "ds": pd.date_range(start, periods=len(values), freq=freq), "y": values}
    )


def noisy(uid, n, seed, start="2015-01-01"):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return frame(uid, 200 + 0.8 * t + 15 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 3, n), start)


def check_order(fr: pd.DataFrame):
    tol = 1e-9
    assert np.all(fr["lo_95"] <= fr["lo_80"] + tol)
    assert np.all(fr["lo_80"] <= fr["mean"] + tol)
    assert np.all(fr["mean"] <= fr["hi_80"] + tol)
    assert np.all(fr["hi_80"] <= fr["hi_95"] + tol)
    assert not fr[["mean", "lo_80", "hi_80", "lo_95", "hi_95"]].isna().any().any()


# ------------------------------------------------------------------------------------------ models


def test_drift_continues_a_line_exactly():
    t = np.arange(30)
    y = 2.0 * t + 5
    mean, scale = drift(y[None, :], 6, 12)
    np.testing.assert_allclose(mean[0], 2.0 * np.arange(30, 36) + 5, rtol=0, atol=1e-12)
    assert scale[0] == pytest.approx(0.0, abs=1e-12)
    # the same through the orchestrator, drift only
    fc = forecast(frame("line", y), horizon=6, models=["drift"])
    np.testing.assert_allclose(fc.frame["mean"], 2.0 * np.arange(30, 36) + 5, atol=1e-9)
    assert set(fc.frame["model"]) == {"drift"}
    check_order(fc.frame)


def test_left_padding_equals_separate_rows():
    rng = np.random.default_rng(3)
    a, b = rng.normal(50, 5, 40).cumsum(), rng.normal(50, 5, 27).cumsum()
    both = pad_left([a, b])
    for name, model in MODELS.items():
        joint, _ = model(both, 7, 12)
        alone_a, _ = model(a[None, :], 7, 12)
        alone_b, _ = model(b[None, :], 7, 12)
        np.testing.assert_allclose(joint[0], alone_a[0], rtol=1e-9, err_msg=name)
        np.testing.assert_allclose(joint[1], alone_b[0], rtol=1e-9, err_msg=name)


def test_arima_p10_ls_continues_a_line():
    y = 2.0 * np.arange(40) + 5
    mean, _ = MODELS["arima_p10_ls"](y[None, :], 5, 1)
    np.testing.assert_allclose(mean[0], 2.0 * np.arange(40, 45) + 5, atol=1e-6)


@pytest.mark.parametrize("alpha,beta,phi", [(0.4, 0.2, 0.9), (0.8, 0.05, 0.98), (0.1, 0.5, 0.8)])
def test_damped_holt_matches_statsmodels_with_fixed_parameters(alpha, beta, phi):
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    rng = np.random.default_rng(7)
    y = 100 + np.cumsum(rng.normal(0.5, 2.0, 60))
    l0, b0 = y[0], 0.3
    ref = (
        ExponentialSmoothing(
            y,
            trend="add",
            damped_trend=True,
            initialization_method="known",
            initial_level=l0,
            initial_trend=b0,
        )
        .fit(smoothing_level=alpha, smoothing_trend=beta, damping_trend=phi, optimized=False)
        .forecast(12)
    )
    ours = holt_damped_forecast(y[None, :], 12, alpha, beta, phi, l0, b0)[0]
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-6)
    # and for a left-padded second row with its own parameters
    y2 = y[15:] * 1.5
    ref2 = (
        ExponentialSmoothing(
            y2,
            trend="add",
            damped_trend=True,
            initialization_method="known",
            initial_level=y2[0],
            initial_trend=-0.1,
        )
        .fit(smoothing_level=0.3, smoothing_trend=0.1, damping_trend=0.85, optimized=False)
        .forecast(12)
    )
    both = holt_damped_forecast(
        pad_left([y, y2]), 12, [alpha, 0.3], [beta, 0.1], [phi, 0.85], [l0, y2[0]], [b0, -0.1]
    )
    np.testing.assert_allclose(both[0], ref, atol=1e-6)
    np.testing.assert_allclose(both[1], ref2, atol=1e-6)


@pytest.mark.parametrize("season", ["add", "mul", None])
@pytest.mark.parametrize("damped", [True, False])
def test_ets_matches_statsmodels_etsmodel_with_fixed_parameters(season, damped):
    # our vectorised recursions against statsmodels' ETSModel (state-space form) on the same data,
    # parameters and initial states; no trend is phi = 1, beta = 0 in ours; a second, shorter row
    # (left-padded) with its own parameters gets its own forecast
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    rng = np.random.default_rng(12)
    t = np.arange(72)
    y = 100 + 0.4 * t + np.tile([3.0, -4, 6, -5], 18) * (1 + t / 100) + rng.normal(0, 1.5, 72)
    m = 4 if season else 1

    def reference(values, alpha, beta, gamma, phi, l0, b0, s0):
        kw = {"trend": "add", "damped_trend": True, "initial_trend": b0} if damped else {}
        if season:
            kw.update(seasonal=season, seasonal_periods=m, initial_seasonal=s0)
        mod = ETSModel(values, error="add", initialization_method="known", initial_level=l0, **kw)
        params = (
            [alpha] + ([beta] if damped else []) + ([gamma] if season else []) + ([phi] if damped else [])
        )
        return np.asarray(mod.smooth(params).forecast(10))

    s0 = {
        "add": np.array([2.5, -3.5, 5.0, -4.0]),
        "mul": np.array([1.03, 0.96, 1.06, 0.95]),
        None: np.zeros(1),
    }[season]
    rows = [(y, 0.3, 0.05, 0.2, 0.9, 99.0, 0.35), (y[20:] * 1.2, 0.6, 0.1, 0.1, 0.8, 130.0, -0.2)]
    refs = [reference(v, a, b, g, p, l0, b0, s0) for v, a, b, g, p, l0, b0 in rows]
    kind = season or "none"
    for (v, a, b, g, p, l0, b0), ref in zip(rows, refs, strict=True):
        p, b = (p, b) if damped else (1.0, 0.0)
        b0 = b0 if damped else 0.0
        # the seasonal phase is the column: a series that starts later keeps the phase of its start
        ours = ets_forecast(v[None, :], 10, m, a, b, p, g, l0, b0, s0, kind)[0]
        np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-9)
    both = pad_left([rows[0][0], rows[1][0]])
    lag = (len(rows[0][0]) - len(rows[1][0])) % m  # the short row's first column in the padded array
    s0_rows = np.stack([s0, np.roll(s0, lag)])
    params = [(a, b, p, g, l0, b0) if damped else (a, 0.0, 1.0, g, l0, 0.0) for _, a, b, g, p, l0, b0 in rows]
    a, b, p, g, l0, b0 = (np.array(col) for col in zip(*params, strict=True))
    joint = ets_forecast(both, 10, m, a, b, p, g, l0, b0, s0_rows, kind)
    np.testing.assert_allclose(joint[0], refs[0], rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(joint[1], refs[1], rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("season", ["add", "mul", None])
def test_ets_multiplicative_error_likelihood_matches_statsmodels(season):
    # the multiplicative-error forms share the recursions; their log-likelihood from our
    # (sum (e / pred)^2, sum log|pred|) equals statsmodels' ETSModel(error="mul") llf with the same
    # parameters and initial states, and the additive one from our SSE its error="add" llf (1e-9)
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    from simulator.models import ets_filter

    rng = np.random.default_rng(31)
    t = np.arange(60)
    y = (100 + 0.5 * t) * np.tile([1.04, 0.97, 1.05, 0.94], 15) + rng.normal(0, 1.5, 60)
    m = 4 if season else 1
    s0 = {"add": np.array([3.0, -2.0, 4.0, -5.0]), "mul": np.array([1.03, 0.98, 1.04, 0.95]), None: None}
    alpha, beta, gamma, phi, l0, b0 = 0.3, 0.05, 0.1, 0.9, 99.0, 0.4
    n = len(y)
    for error in ("add", "mul"):
        kw = {"seasonal": season, "seasonal_periods": m, "initial_seasonal": s0[season]} if season else {}
        mod = ETSModel(
            y,
            error=error,
            trend="add",
            damped_trend=True,
            initialization_method="known",
            initial_level=l0,
            initial_trend=b0,
            **kw,
        )
        ref = mod.smooth([alpha, beta] + ([gamma] if season else []) + [phi]).llf
        *_, sse, sre, slog = ets_filter(
            y[None, :],
            alpha,
            beta,
            phi,
            gamma if season else 0.0,
            l0,
            b0,
            (s0[season] if season else np.zeros(1))[None, :],
            season or "none",
            relative=True,
        )
        ss = sse[0, 0] if error == "add" else sre[0, 0]
        ours = -0.5 * n * (np.log(2 * np.pi * ss / n) + 1) - (slog[0, 0] if error == "mul" else 0.0)
        np.testing.assert_allclose(ours, ref, rtol=1e-9)


def test_ets_chooses_multiplicative_seasonality_and_combo_averages_its_members():
    # a growing series with a seasonal swing proportional to its level: ETS reproduces it closely,
    # and the combination is the weighted mean of ETS (twice), Theta, ARIMA on adjusted data and
    # ARIMA on seasonal differences
    import simulator.models as models

    swing = np.array([1.0, 1.1, 1.25, 1.1, 0.95, 0.8, 0.75, 0.85, 1.0, 1.05, 1.1, 1.05])
    swing = swing / swing.mean()
    y = (100 + 2.0 * np.arange(96)) * np.tile(swing, 8)
    truth = (100 + 2.0 * np.arange(96, 108)) * swing
    ets_mean, sigma = models.ets(y[None, :], 12, 12)
    assert np.max(np.abs(ets_mean[0] / truth - 1)) < 0.03
    assert sigma[0] > 0
    assert models.SEASONAL_WEIGHTS == (2.0, 1.0, 1.0, 1.0)
    members = [
        models.ets(y[None, :], 12, 12)[0],
        models.theta(y[None, :], 12, 12)[0],
        models._on_adjusted(models.arima_p10_ls, y[None, :], 12, 12),
        models.arima_sdiff_ls(y[None, :], 12, 12)[0],
    ]
    expected = (2 * members[0] + members[1] + members[2] + members[3]) / 5
    np.testing.assert_allclose(models.combo(y[None, :], 12, 12)[0], expected, rtol=1e-12)
    # under three seasons the seasonal-difference ARIMA is left out: ETS twice and the other two
    short = y[None, -30:]
    members = [
        models.ets(short, 12, 12)[0],
        models.theta(short, 12, 12)[0],
        models._on_adjusted(models.arima_p10_ls, short, 12, 12),
    ]
    expected = (2 * members[0] + members[1] + members[2]) / 4
    np.testing.assert_allclose(models.combo(short, 12, 12)[0], expected, rtol=1e-12)
    # stacked (left padding), each row gets its own combination
    both = models.combo(pad_left([y, y[-30:]]), 12, 12)[0]
    np.testing.assert_allclose(both[1], expected[0], rtol=1e-12)
    yearly = 50 + 3.0 * np.arange(30) + np.sin(np.arange(30))  # m = 1: the median of five members
    members = [
        models.ets(yearly[None], 5, 1)[0],
        models.theta(yearly[None], 5, 1)[0],
        models.arima_d_ls(yearly[None], 5, 1)[0],
        models.holt_damped(yearly[None], 5, 1)[0],
        drift(yearly[None], 5, 1)[0],
    ]
    np.testing.assert_allclose(models.combo(yearly[None], 5, 1)[0], np.median(members, axis=0), rtol=1e-12)
    # the median is a member's forecast at every step, not a mean of them
    for k in range(5):
        assert (
            np.min(np.abs(np.array([mm[0, k] for mm in members]) - models.combo(yearly[None], 5, 1)[0][0, k]))
            == 0
        )


@pytest.mark.parametrize("seed,n,integrated", [(1, 37, True), (2, 60, False), (3, 24, True), (4, 90, False)])
def test_kpss_statistic_matches_statsmodels(seed, n, integrated):
    # KPSS level-stationarity statistic with the "short" Bartlett lag floor(4 (n/100)^0.25) of
    # urca / forecast::ndiffs: statsmodels' kpss(x, "c", nlags=l) on the same data, to 1e-10;
    # rows of different lengths (left padding) each get their own statistic
    import warnings

    from statsmodels.tsa.stattools import kpss

    from simulator.models import kpss_stat

    rng = np.random.default_rng(seed)
    e = rng.normal(size=n)
    x = np.cumsum(e) if integrated else e
    lag = int(np.floor(4 * (n / 100) ** 0.25))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels warns when the statistic is off its table
        ref = kpss(x, "c", nlags=lag)[0]
        ref_short = kpss(x[5:], "c", nlags=int(np.floor(4 * ((n - 5) / 100) ** 0.25)))[0]
    got = kpss_stat(pad_left([x, x[5:]]))
    np.testing.assert_allclose(got, [ref, ref_short], rtol=1e-10)


@pytest.mark.parametrize("seed", [21, 22, 24])
def test_arima_d_ls_matches_statsmodels_autoreg_on_second_differences(seed):
    # a series whose differences drift (integrated twice): KPSS rejects stationarity of the
    # differences, so d = 2 without a constant; statsmodels: ar_select_order (lags 0-3, no trend,
    # AIC, one common sample) and AutoReg by OLS on the second differences, summed back twice
    import warnings

    from statsmodels.tsa.ar_model import AutoReg, ar_select_order
    from statsmodels.tsa.stattools import kpss

    from simulator.models import KPSS_CRIT_5, arima_d_ls, arima_p10_ls

    rng = np.random.default_rng(seed)
    y = 100 + np.cumsum(np.cumsum(rng.normal(0, 1, 60)))
    d1, d2 = np.diff(y), np.diff(y, n=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert kpss(d1, "c", nlags=int(np.floor(4 * (len(d1) / 100) ** 0.25)))[0] > KPSS_CRIT_5
    lags = ar_select_order(d2, maxlag=3, trend="n", ic="aic").ar_lags
    p = 0 if lags is None else len(lags)
    fc2 = AutoReg(d2, lags=p, trend="n", hold_back=3).fit().forecast(8) if p else np.zeros(8)
    ref = y[-1] + np.cumsum(d1[-1] + np.cumsum(fc2))
    mean, _ = arima_d_ls(y[None, :], 8)
    np.testing.assert_allclose(mean[0], ref, rtol=1e-9)
    # a trend-stationary series with noise (differences stationary): d = 1, as arima_p10_ls
    z = 50 + 0.5 * np.arange(60) + rng.normal(0, 1, 60)
    np.testing.assert_allclose(arima_d_ls(z[None, :], 8)[0], arima_p10_ls(z[None, :], 8)[0], rtol=1e-12)


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_theta_matches_statsmodels_theta_model_at_its_alpha(seed, monkeypatch):
    # statsmodels' ThetaModel estimates SES alpha its own way; given that alpha, our vectorised
    # Theta (SES level + half the OLS slope, Hyndman & Billah's drift term) gives its forecast;
    # stacked with a shorter series (left-padded), each row still gets its own forecast
    from statsmodels.tsa.forecasting.theta import ThetaModel

    import simulator.models as models

    rng = np.random.default_rng(seed)
    y = 100 + np.cumsum(rng.normal(0.3, 1.0, 80)) + rng.normal(0, 2, 80)
    fit = ThetaModel(y, period=1, deseasonalize=False).fit(use_mle=False)
    ref = np.asarray(fit.forecast(12))
    monkeypatch.setattr(models.smoothing, "_SES_ALPHAS", np.array([float(fit.params["alpha"])]))
    mean, scale = models.theta(y[None, :], 12, 1)
    np.testing.assert_allclose(mean[0], ref, rtol=1e-12)
    padded, _ = models.theta(pad_left([y, y[30:]]), 12, 1)
    short, _ = models.theta(y[None, 30:], 12, 1)
    np.testing.assert_allclose(padded[0], ref, rtol=1e-12)
    np.testing.assert_allclose(padded[1], short[0], rtol=1e-12)
    assert scale[0] > 0


@pytest.mark.parametrize("seed,phi", [(8, 0.6), (9, -0.3), (10, 0.2), (11, 0.0)])
def test_arima_p10_ls_matches_statsmodels_autoreg_on_differences(seed, phi):
    # ARIMA(p,1,0) with drift: statsmodels picks p by AIC over lags 0-3 on one common sample
    # (ar_select_order) and fits AutoReg by OLS on the differences; our vectorised least squares
    # picks the same p and forecasts the same path (a 1e-9 ridge keeps singular rows solvable)
    from statsmodels.tsa.ar_model import AutoReg, ar_select_order

    rng = np.random.default_rng(seed)
    d = np.zeros(90)
    for t in range(1, 90):
        d[t] = 0.2 + phi * (d[t - 1] - 0.2) + rng.normal()
    y = 500 + np.cumsum(d)
    diffs = np.diff(y)
    lags = ar_select_order(diffs, maxlag=3, trend="c", ic="aic").ar_lags
    p = 0 if lags is None else len(lags)
    fit = AutoReg(diffs, lags=p, trend="c", hold_back=3).fit()
    ref = y[-1] + np.cumsum(fit.forecast(12) if p else np.full(12, fit.params[0]))
    mean, sigma = MODELS["arima_p10_ls"](y[None, :], 12, 1)
    np.testing.assert_allclose(mean[0], ref, rtol=1e-9)
    np.testing.assert_allclose(sigma[0], np.sqrt(fit.sigma2), rtol=1e-9)


def _seasonal_series(seed, n, integrated):
    # a seasonal pattern plus seasonal differences that are AR(1) around a constant (stationary)
    # or a random walk (integrated)
    rng = np.random.default_rng(seed)
    w = np.zeros(n - 12)
    for t in range(1, n - 12):
        w[t] = (w[t - 1] if integrated else 0.5 + 0.4 * (w[t - 1] - 0.5)) + rng.normal()
    y = np.empty(n)
    y[:12] = 100 + 10 * np.sin(2 * np.pi * np.arange(12) / 12)
    for t in range(12, n):
        y[t] = y[t - 12] + w[t - 12]
    return y


def _summed_back(y, fw, m):
    out = list(y[-m:])
    for k, v in enumerate(fw):
        out.append(out[k] + v)
    return np.array(out[m:])


@pytest.mark.parametrize("seed", [31, 32, 33])
def test_arima_sdiff_ls_matches_statsmodels_autoreg_on_seasonal_differences(seed):
    # stationary seasonal differences (KPSS does not reject): AR(p) with a constant on
    # w_t = y_t - y_{t-12}; statsmodels: ar_select_order (lags 0-3, constant, AIC, one common
    # sample) and AutoReg by OLS on w, its forecasts summed back season by season
    import warnings

    from statsmodels.tsa.ar_model import AutoReg, ar_select_order
    from statsmodels.tsa.stattools import kpss

    from simulator.models import KPSS_CRIT_5, arima_sdiff_ls

    y = _seasonal_series(seed, 96, integrated=False)
    w = y[12:] - y[:-12]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert kpss(w, "c", nlags=int(np.floor(4 * (len(w) / 100) ** 0.25)))[0] <= KPSS_CRIT_5
    lags = ar_select_order(w, maxlag=3, trend="c", ic="aic").ar_lags
    p = 0 if lags is None else len(lags)
    fit = AutoReg(w, lags=p, trend="c", hold_back=3).fit()
    ref = _summed_back(y, fit.forecast(20) if p else np.full(20, fit.params[0]), 12)
    mean, sigma = arima_sdiff_ls(y[None, :], 20, 12)
    np.testing.assert_allclose(mean[0], ref, rtol=1e-9)
    np.testing.assert_allclose(sigma[0], np.sqrt(fit.sigma2), rtol=1e-9)


@pytest.mark.parametrize("seed", [34, 37])
def test_arima_sdiff_ls_differences_again_when_kpss_rejects(seed):
    # integrated seasonal differences: KPSS rejects, so ARIMA(p,1,0) without a constant on w;
    # statsmodels: AutoReg without trend on the differences of w, summed back twice. A shorter
    # copy stacked below (left padding) gets its own forecast; under three seasons the model is
    # ARIMA(p,1,0) on the seasonally adjusted series.
    import warnings

    from statsmodels.tsa.ar_model import AutoReg, ar_select_order
    from statsmodels.tsa.stattools import kpss

    import simulator.models as models

    y = _seasonal_series(seed, 96, integrated=True)
    w = y[12:] - y[:-12]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert kpss(w, "c", nlags=int(np.floor(4 * (len(w) / 100) ** 0.25)))[0] > models.KPSS_CRIT_5
    dw = np.diff(w)
    lags = ar_select_order(dw, maxlag=3, trend="n", ic="aic").ar_lags
    p = 0 if lags is None else len(lags)
    fdw = AutoReg(dw, lags=p, trend="n", hold_back=3).fit().forecast(20) if p else np.zeros(20)
    ref = _summed_back(y, w[-1] + np.cumsum(fdw), 12)
    stacked, _ = models.arima_sdiff_ls(pad_left([y, y[40:], y[70:]]), 20, 12)
    np.testing.assert_allclose(stacked[0], ref, rtol=1e-9)
    alone, _ = models.arima_sdiff_ls(y[None, 40:], 20, 12)
    np.testing.assert_allclose(stacked[1], alone[0], rtol=1e-12)
    adjusted = models._on_adjusted(models.arima_p10_ls, y[None, 70:], 20, 12)
    np.testing.assert_allclose(stacked[2], adjusted[0], rtol=1e-12)


def test_seasonal_naive_repeats_last_season():
    y = np.tile(PATTERN, 4)
    mean, _ = seasonal_naive(y[None, :], 30, 12)
    np.testing.assert_array_equal(mean[0], np.tile(PATTERN, 3)[:30])


# ------------------------------------------------------------------------------------ orchestrator


def test_pure_seasonal_series_is_reproduced_and_selected():
    y = np.tile(PATTERN, 6)
    fc = forecast(frame("season", y), horizon=24)
    expected = np.tile(PATTERN, 2)
    np.testing.assert_allclose(fc.frame["mean"], expected, atol=1e-6)
    assert fc.frame["model"].iloc[0] in MODELS
    check_order(fc.frame)


def test_constant_series_flat_with_zero_width_intervals():
    fc = forecast(frame("c", np.full(36, 42.0)), horizon=10, paths=50)
    fr = fc.frame
    np.testing.assert_allclose(fr["mean"], 42.0)
    for col in ("lo_80", "hi_80", "lo_95", "hi_95"):
        np.testing.assert_allclose(fr[col], 42.0, atol=1e-9)
    np.testing.assert_allclose(fc.paths, 42.0)
    assert fc.notes["note"].str.contains("constant").any()


def test_same_seed_same_paths_and_paths_match_intervals():
    df = pd.concat([noisy(f"s{i}", 60 + i, i) for i in range(25)])
    a = forecast(df, horizon=12, paths=400, seed=5)
    b = forecast(df, horizon=12, paths=400, seed=5)
    c = forecast(df, horizon=12, paths=400, seed=6)
    assert isinstance(a, Forecast)
    assert a.paths.shape == (25, 400, 12)
    np.testing.assert_array_equal(a.paths, b.paths)
    assert not np.array_equal(a.paths, c.paths)
    assert a.ids == sorted(a.ids)
    assert list(a.frame["unique_id"].drop_duplicates()) == a.ids
    # the paths' 10 % / 90 % quantiles agree with the 80 % interval (Monte Carlo tolerance)
    fr = a.frame
    lo = np.quantile(a.paths, 0.1, axis=1).ravel()
    hi = np.quantile(a.paths, 0.9, axis=1).ravel()
    width = (fr["hi_80"] - fr["lo_80"]).to_numpy()
    assert np.median(np.abs(lo - fr["lo_80"].to_numpy()) / width) < 0.1
    assert np.median(np.abs(hi - fr["hi_80"].to_numpy()) / width) < 0.1
    check_order(fr)


def test_each_series_paths_follow_its_own_interval_across_frequency_groups():
    # series of three frequencies and very different scales each get their own quantile table
    # and scale: every series' path quantiles sit on its own 80 % interval, and a constant or
    # short series does not borrow another series' spread
    rng = np.random.default_rng(11)
    yearly = frame("Y", 1e6 + 3e4 * np.arange(30.0) + rng.normal(0, 2e4, 30), start="1995-01-01", freq="YS")
    quarterly = frame(
        "Q", 50 + np.tile([1.0, 3, 2, 5], 10) + rng.normal(0, 0.5, 40), start="2015-03-31", freq="QE"
    )
    parts = [
        yearly,
        quarterly,
        noisy("M1", 72, 1),
        frame("M2", 0.01 * (1 + 0.1 * rng.normal(size=60)).cumprod()),
        frame("const", np.full(30, 7.0)),
        frame("short", [5.0, 6, 7, 6, 8]),
    ]
    fc = forecast(pd.concat(parts), horizon=6, paths=4000, seed=2)
    fr = fc.frame
    for i, uid in enumerate(fc.ids):
        rows = fr[fr["unique_id"] == uid]
        lo, hi = rows["lo_80"].to_numpy(), rows["hi_80"].to_numpy()
        width = hi - lo
        q10, q90 = np.quantile(fc.paths[i], [0.1, 0.9], axis=0)
        if uid == "const":
            np.testing.assert_allclose(fc.paths[i], 7.0)
            continue
        assert (width > 0).all(), uid
        assert np.max(np.abs(q10 - lo) / width) < 0.1, uid
        assert np.max(np.abs(q90 - hi) / width) < 0.1, uid


def test_short_zero_missing_intermittent_series_get_forecasts_and_notes():
    rng = np.random.default_rng(1)
    missing = frame("missing", np.arange(40.0) + 100).drop(index=17)
    parts = [
        frame("short", [5.0, 6, 7, 6, 8]),
        frame("one", [3.0]),
        frame("zeros", np.r_[np.zeros(5), np.arange(1.0, 31)]),
        frame("interm", rng.poisson(0.4, 48).astype(float)),
        frame("allzero", np.zeros(30)),
        frame("flat", np.r_[np.full(20, 5.0), np.full(20, 6.0)]),
        missing,
        frame("twoseasons", np.arange(20.0)),
    ]
    df = pd.concat(parts)
    fc = forecast(df, horizon=6, paths=20)
    fr = fc.frame
    assert sorted(fr["unique_id"].unique()) == sorted(p["unique_id"].iloc[0] for p in parts)
    assert len(fr) == 6 * len(parts)
    check_order(fr)
    notes = fc.notes.groupby("unique_id")["note"].apply(" | ".join)
    assert "short" in notes["short"]
    assert "single observation" in notes["one"]
    assert "zero" in notes["zeros"]
    assert "intermittent" in notes["interm"]
    assert "constant" in notes["allzero"]
    assert "interpolation" in notes["missing"]
    assert "flat" in notes["flat"]
    assert "two seasons" in notes["twoseasons"]
    # the interpolated series is a line, so its monthly grid is intact and forecasts go on upward
    m = fr[fr["unique_id"] == "missing"]
    assert list(m["ds"]) == list(pd.date_range("2018-05-01", periods=6, freq="MS"))
    assert m["mean"].iloc[0] >= 139 - 1e-6
    # non-negative series are never forecast below zero
    assert (fr.loc[fr["unique_id"].isin(["interm", "zeros", "allzero"]), "lo_95"] >= 0).all()
    assert (fc.paths[fc.ids.index("interm")] >= 0).all()


def test_mixed_frequencies_in_one_frame():
    yearly = frame("Y", 1000 + 30 * np.arange(15.0), start="2008-01-01", freq="YS")
    monthly = noisy("M", 72, 2)
    quarterly = frame("Q", 50 + np.tile([1.0, 3, 2, 5], 8), start="2016-03-31", freq="QE")
    fc = forecast(pd.concat([yearly, monthly, quarterly]), horizon=4)
    fr = fc.frame.set_index("unique_id")
    assert list(fr.loc["Y", "ds"]) == list(pd.date_range("2023-01-01", periods=4, freq="YS"))
    assert list(fr.loc["M", "ds"]) == list(pd.date_range("2021-01-01", periods=4, freq="MS"))
    assert list(fr.loc["Q", "ds"]) == list(pd.date_range("2024-03-31", periods=4, freq="QE"))
    np.testing.assert_allclose(fr.loc["Q", "mean"], 50 + np.array([1.0, 3, 2, 5]), atol=1e-6)
    check_order(fc.frame)


def test_backtest_reports_benchmarks_and_reasonable_coverage():
    df = pd.concat([noisy(f"s{i}", 84, 100 + i) for i in range(40)])
    bt = backtest(df, horizon=12, models=["theta", "holt_damped"])
    assert {"naive", "seasonal_naive", "theta", "holt_damped", "auto"} == set(bt["model"])
    assert list(bt.columns[:6]) == ["unique_id", "model", "mase", "smape", "coverage_80", "coverage_95"]
    means = bt.groupby("model")[["mase", "coverage_80", "coverage_95"]].mean()
    assert means.loc["auto", "mase"] < means.loc["naive", "mase"]
    assert 0.6 < means.loc["auto", "coverage_80"] <= 1.0
    assert means.loc["auto", "coverage_80"] <= means.loc["auto", "coverage_95"]


@pytest.mark.parametrize(
    "fold_mae_a, fold_mae_b, expected",
    [
        # fold j takes the model with the lower mean error on the other folds
        ([1.0, 1.0, 5.0], [2.0, 2.0, 0.1], [2.0, 2.0, 5.0]),  # B chosen on folds 1+2 and 0+2; A on 0+1
        ([1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [1.0, 1.0, 1.0]),  # A everywhere
        ([3.0, 1.0, np.nan], [2.0, 2.0, 2.0], [3.0, 2.0, np.nan]),  # no fold 2: A on fold 1 alone, B on 0
    ],
)
def test_selection_errors_choose_without_the_fold(fold_mae_a, fold_mae_b, expected):
    from simulator.forecast import _BT, _auto_errors, _fold_mae, _fold_picks

    def errors(maes):  # one series, 3 folds, 2 steps of equal absolute error
        return np.array(maes)[None, :, None] * np.array([1.0, -1.0])[None, None, :]

    E = {"a": errors(fold_mae_a), "b": errors(fold_mae_b)}
    bt = _BT(names=["a", "b"], E=E, S=E, nfolds=np.array([3]))
    got = np.abs(_auto_errors(bt.E, ["a", "b"], _fold_picks(_fold_mae(bt, ["a", "b"]))))[0, :, 0]
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(
    "mae, keep, expected",
    [
        # two series, models A and B, three folds; each series clearly better with its own model on
        # every fold: choosing per series pays, each keeps its own model
        ([[[1, 1, 1], [3, 3, 3]], [[3, 3, 3], [1, 1, 1]]], [0, 1, 2], [0, 1]),
        # series 0 alone would take A (mean 1.83 vs 2), but a choice made on two folds is judged on the
        # third at 2.75 pooled, worse than B for everyone (2 pooled, A 2.08): both get B
        ([[[1, 1, 3.5], [2, 2, 2]], [[5, 1, 1], [2, 2, 2]]], [0, 1, 2], [1, 1]),
        # one fold: nothing to judge the choice on, per series it is
        ([[[1, 1, 3.5], [2, 2, 2]], [[5, 1, 1], [2, 2, 2]]], [2], [1, 0]),
        # B has no backtest errors on series 1, which keeps its own choice (A); series 0 gets B
        ([[[1, 1, 3.5], [2, 2, 2]], [[5, 1, 1], [np.nan, np.nan, np.nan]]], [0, 1, 2], [1, 0]),
    ],
)
def test_choice_per_series_only_when_it_pays(mae, keep, expected):
    from simulator.forecast import _choose

    np.testing.assert_array_equal(_choose(np.array(mae, dtype=float), keep), expected)


@pytest.mark.parametrize("missing", ["unique_id", "ds", "y"])
def test_missing_column_is_an_input_error_naming_it(missing):
    df = frame("a", np.arange(12.0)).drop(columns=missing)
    with pytest.raises(InputError, match=f"'{missing}'"):
        forecast(df, horizon=3)
    with pytest.raises(InputError, match=f"'{missing}'"):
        backtest(df, horizon=3)


def test_empty_input_is_an_input_error():
    with pytest.raises(InputError, match="no rows"):
        forecast(pd.DataFrame(columns=["unique_id", "ds", "y"]), horizon=3)


def test_daily_data_is_rejected_with_one_line():
    df = frame("d", np.arange(40.0), freq="D")
    with pytest.raises(InputError) as err:
        forecast(df, horizon=3)
    assert "\n" not in str(err.value) and "ds" in str(err.value)


def test_import_does_not_load_heavy_libraries():
    code = (
        "import sys, simulator.forecast, simulator.models; "
        "print(any(m.startswith(('statsmodels', 'scipy.stats')) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("models", [None, ["ets", "theta"]])
def test_point_forecasts_without_intervals_are_the_same_means_and_models(models):
    """``intervals=False`` (the projection's means): with one candidate model the backtest is
    skipped (the choice is that model whatever it says), with several it still chooses; either way
    the means and the models are those of the full forecast, to the bit, for ordinary and special
    series and several frequencies; no interval columns."""
    rng = np.random.default_rng(5)
    df = pd.concat(
        [
            noisy("a", 90, 1),
            noisy("b", 60, 2),
            frame("trend", 50 + 2.0 * np.arange(40) + rng.normal(0, 1, 40)),
            frame("short", [5.0, 6, 7, 6, 8]),
            frame("const", np.full(30, 4.0)),
            frame("line", 10 + 3.0 * np.arange(30)),
            frame("zeros", np.r_[np.zeros(5), np.arange(1.0, 31)]),
            frame(
                "Q", 50 + np.tile([1.0, 3, 2, 5], 8) + rng.normal(0, 0.2, 32), start="2016-03-31", freq="QE"
            ),
        ]
    )
    full = forecast(df, horizon=24, models=models)
    means = forecast(df, horizon=24, models=models, intervals=False)
    assert means.ids == full.ids
    np.testing.assert_array_equal(means.frame["mean"].to_numpy(), full.frame["mean"].to_numpy())
    assert means.frame["model"].tolist() == full.frame["model"].tolist()
    assert list(means.frame.columns) == ["unique_id", "ds", "model", "mean"]
    # the ordinary series got the candidates, the special ones naive (short) or drift (line)
    used = dict(zip(full.ids, full.frame.drop_duplicates("unique_id")["model"], strict=True))
    assert used["short"] == "naive" and used["line"] == "drift"
    assert used["a"] in (["combo"] if models is None else models)


def test_point_forecasts_cannot_have_paths():
    with pytest.raises(InputError, match="paths: sample paths need intervals"):
        forecast(noisy("a", 40, 1), horizon=3, paths=10, intervals=False)


def test_the_backtest_reuses_ets_and_theta_inside_the_combination_with_the_same_errors(monkeypatch):
    """A backtest that runs ETS and Theta as models of their own hands their fits to the
    combination instead of fitting them again: the combination's errors are those of a backtest
    of the combination alone, to the bit."""
    from simulator.forecast_select import _run_backtest

    rng = np.random.default_rng(3)
    t = np.arange(60)
    Y = np.stack(
        [5 + 0.01 * t + 0.1 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.02, 60) for _ in range(6)]
    )
    Y[1, :14] = np.nan  # a shorter row, left-padded
    n = np.sum(~np.isnan(Y), axis=1)
    nonneg = np.ones(len(Y), dtype=bool)
    import simulator.models as models

    fits = []  # the ETS fits the combination makes itself (MODELS["ets"] is not counted)
    real = models.ets
    monkeypatch.setattr(models, "ets", lambda *a, **k: fits.append(1) or real(*a, **k))
    shared = _run_backtest(Y, n, 12, 12, 3, ["theta", "ets", "combo"], nonneg)
    assert fits == []
    alone = _run_backtest(Y, n, 12, 12, 3, ["combo"], nonneg)
    assert len(fits) == 3  # one per fold
    np.testing.assert_array_equal(shared.E["combo"], alone.E["combo"])
    np.testing.assert_array_equal(shared.S["combo"], alone.S["combo"])
    assert np.isfinite(shared.E["combo"]).sum() > 100

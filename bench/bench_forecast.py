"""Benchmark simulator.forecast on 552 synthetic monthly series (about one per kabupaten/kota).

Prints wall and CPU seconds of forecast(horizon=60, paths=1000) (the default combination), peak
memory, the backtest's mean MASE / sMAPE / coverage for the selected model ('auto') versus naive,
and a held-out check on the last 18 months. If statsforecast is importable, AutoETS(season_length=12)
with n_jobs=2 is timed on the same series and compared.

    python bench/bench_forecast.py
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import pandas as pd

from simulator.forecast import backtest, forecast

N_SERIES, HORIZON, PATHS, HOLDOUT, SEED = 552, 60, 1000, 18, 20240601


def make_series(n_series: int = N_SERIES, seed: int = SEED) -> pd.DataFrame:
    """Trend + multiplicative-ish seasonality + AR(1) noise, 84..96 monthly points per series."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_series):
        n = int(rng.integers(84, 97))
        t = np.arange(n)
        level = rng.uniform(2e3, 2e5)
        growth = rng.normal(0.004, 0.004)
        amp = rng.uniform(0.0, 0.12)
        phase = rng.uniform(0, 2 * np.pi)
        e = np.zeros(n)
        sd = rng.uniform(0.01, 0.05)
        for k in range(1, n):
            e[k] = 0.5 * e[k - 1] + rng.normal(0, sd)
        y = level * (1 + growth) ** t * (1 + amp * np.sin(2 * np.pi * t / 12 + phase)) * np.exp(e)
        ds = pd.date_range(end="2025-12-01", periods=n, freq="MS")
        frames.append(pd.DataFrame({"unique_id": f"kab{i:03d}", "ds": ds, "y": y}))
    return pd.concat(frames, ignore_index=True)


def holdout_mase(train: pd.DataFrame, test: pd.DataFrame, pred: pd.DataFrame, col: str) -> float:
    """Mean over series of MASE on the held-out months (scale: in-sample seasonal naive MAE)."""

    def seasonal_mae(s: pd.Series) -> float:
        v = s.to_numpy()
        return float(np.mean(np.abs(v[12:] - v[:-12])))

    scale = train.groupby("unique_id")["y"].apply(seasonal_mae)
    merged = test.merge(pred[["unique_id", "ds", col]], on=["unique_id", "ds"])
    err = (merged["y"] - merged[col]).abs().groupby(merged["unique_id"]).mean()
    return float((err / scale.loc[err.index]).mean())


def _cpu_jiffies() -> tuple[int, int] | None:
    """(steal, total) jiffies from /proc/stat: how much of the machine a hypervisor took away."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return (fields[7] if len(fields) > 7 else 0), sum(fields)


def main() -> None:
    df = make_series()
    print(
        f"series: {df['unique_id'].nunique()}, points: {len(df)}, cores: {os.cpu_count()}, "
        f"load average: {os.getloadavg()[0]:.1f}"
    )
    forecast(df[df["unique_id"].isin(["kab000", "kab001"])], horizon=3, paths=10)  # warm imports
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    timings = []
    j0 = _cpu_jiffies()
    for _ in range(3):
        w0, c0 = time.perf_counter(), time.process_time()
        fc = forecast(df, horizon=HORIZON, paths=PATHS, seed=1)
        timings.append((time.perf_counter() - w0, time.process_time() - c0))
    j1 = _cpu_jiffies()
    if j0 and j1 and j1[1] > j0[1]:
        steal = 100 * (j1[0] - j0[0]) / (j1[1] - j0[1])
        print(f"CPU steal by the hypervisor during the timed runs: {steal:.0f} %")
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    wall, cpu = min(timings)
    print(
        f"forecast(horizon={HORIZON}, paths={PATHS}), default combination: "
        f"best of 3 {wall:.2f} s wall, {cpu:.2f} s CPU (all runs wall: "
        f"{', '.join(f'{w:.2f}' for w, _ in timings)} s)"
    )
    print(
        f"paths array: {fc.paths.shape} {fc.paths.dtype}, {fc.paths.nbytes / 2**20:.0f} MiB; "
        f"peak RSS {rss1:.0f} MiB (before the runs {rss0:.0f} MiB)"
    )
    print("models chosen:", fc.frame.drop_duplicates("unique_id")["model"].value_counts().to_dict())

    w0 = time.perf_counter()
    bt = backtest(df, horizon=HORIZON)
    print(f"backtest(horizon={HORIZON}, folds=3): {time.perf_counter() - w0:.2f} s")
    summary = bt.groupby("model")[["mase", "smape", "coverage_80", "coverage_95"]].mean()
    print(summary.round(3).to_string())
    a, n = summary.loc["auto"], summary.loc["naive"]
    print(
        f"auto vs naive: MASE {a.mase:.3f} vs {n.mase:.3f}, sMAPE {a.smape:.2f} vs {n.smape:.2f}, "
        f"coverage_80 {a.coverage_80:.3f}, coverage_95 {a.coverage_95:.3f}"
    )

    last = df.groupby("unique_id")["ds"].transform("max")
    cutoff = last - pd.DateOffset(months=HOLDOUT)
    train, test = df[df["ds"] <= cutoff], df[df["ds"] > cutoff]
    w0 = time.perf_counter()
    ours = forecast(train, horizon=HOLDOUT).frame
    t_ours18 = time.perf_counter() - w0
    inside80 = test.merge(ours, on=["unique_id", "ds"])
    cov80 = float(((inside80["y"] >= inside80["lo_80"]) & (inside80["y"] <= inside80["hi_80"])).mean())
    cov95 = float(((inside80["y"] >= inside80["lo_95"]) & (inside80["y"] <= inside80["hi_95"])).mean())
    mase_ours = holdout_mase(train, test, ours, "mean")
    naive = train.groupby("unique_id").tail(1)[["unique_id", "y"]].rename(columns={"y": "naive"})
    mase_naive = holdout_mase(train, test, test[["unique_id", "ds"]].merge(naive, on="unique_id"), "naive")
    print(
        f"held-out last {HOLDOUT} months: simulator MASE {mase_ours:.3f} (naive {mase_naive:.3f}), "
        f"coverage_80 {cov80:.3f}, coverage_95 {cov95:.3f}, fit+forecast {t_ours18:.2f} s"
    )

    try:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS
    except ImportError:
        print("statsforecast is not installed: no AutoETS comparison")
        return
    sf = StatsForecast(models=[AutoETS(season_length=12)], freq="MS", n_jobs=2)
    w0 = time.perf_counter()
    sf.forecast(df=df[df["unique_id"].isin(["kab000", "kab001"])], h=3)  # numba compilation
    compile_s = time.perf_counter() - w0
    w0 = time.perf_counter()
    sf.forecast(df=df, h=HORIZON, level=[80, 95])
    t_sf = time.perf_counter() - w0
    print(
        f"statsforecast AutoETS(season_length=12), n_jobs=2, h={HORIZON} with 80/95 intervals: "
        f"{t_sf:.2f} s (+{compile_s:.1f} s one-off compilation); "
        f"ratio AutoETS / simulator = {t_sf / wall:.2f}"
    )
    # the issue states AutoETS at about 100 ms per series on the reference machine (2 jobs: 50 ms
    # of wall per series); the same-run ratio says what our time would be there
    slow = t_sf / (0.05 * df["unique_id"].nunique())
    print(
        f"this machine ran AutoETS {slow:.1f}x slower than the issue's reference (100 ms per series); "
        f"the simulator's {wall:.2f} s at that speed: {wall / slow:.2f} s (goal 10 s)"
    )
    w0 = time.perf_counter()
    sf_pred = sf.forecast(df=train, h=HOLDOUT).reset_index()
    t_sf18 = time.perf_counter() - w0
    mase_sf = holdout_mase(train, test, sf_pred, "AutoETS")
    print(
        f"held-out last {HOLDOUT} months MASE: simulator {mase_ours:.3f} ({t_ours18:.2f} s), "
        f"AutoETS {mase_sf:.3f} ({t_sf18:.2f} s)"
    )


if __name__ == "__main__":
    main()

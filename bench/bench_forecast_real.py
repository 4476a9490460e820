"""Forecast accuracy on real public series the forecaster was never tuned on.

The series ship inside the installed statsmodels and statsforecast packages (no network needed):

* monthly: 28 US macro series from FRED as used by the New York Fed nowcast (payrolls, CPI,
  industrial production, housing starts, retail sales, ... 1985-2016; statsmodels' test data),
  housing starts not seasonally adjusted (HOUSTNSA, 1959-2018), Mauna Loa CO2 (weekly, averaged per
  month), El Nino sea surface temperatures (1950-2010) and the airline passengers (1949-1960);
* quarterly: US macro data (statsmodels ``macrodata``, 1959-2009), Danish money demand data,
  interest and inflation;
* yearly: fertility rate of every country in statsmodels ``fertility`` (World Bank, 1960-2013),
  sunspots and the Nile flow.

Long series are cut into non-overlapping windows of about the length the simulator sees (monthly:
90 points of history + 18 held out; quarterly: 40 + 8; yearly: 40 + 6; the newest window last), so
every window is a forecast from an origin it has not seen. Each window's held-out points are
scored for ``simulator.forecast`` (backtest selection among its models), naive, seasonal naive
and, when statsforecast is installed, AutoETS with the same season length: mean MASE (scale:
in-sample seasonal naive, as M4), mean sMAPE and the share of held-out points inside the 80 % and
95 % intervals.

    python bench/bench_forecast_real.py            # prints the table
    python bench/bench_forecast_real.py --csv out.csv   # also writes per-window scores
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from simulator.forecast import forecast  # noqa: E402

#: (history, held out, season length) per frequency
SETUP = {"monthly": (90, 18, 12), "quarterly": (40, 8, 4), "yearly": (40, 6, 1)}
FREQ = {"monthly": "MS", "quarterly": "QS", "yearly": "YS"}


def _package_dir(name: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{name} is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def raw_series() -> list[tuple[str, str, pd.Series]]:
    """(name, frequency, series indexed by period start) from the installed packages."""
    warnings.simplefilter("ignore")
    from statsmodels import datasets as sd

    out: list[tuple[str, str, pd.Series]] = []
    sm_dir = _package_dir("statsmodels")
    nowcast = sm_dir / "tsa/statespace/tests/results/frbny_nowcast/Nowcasting/data/US/2016-06-29.csv"
    frame = pd.read_csv(nowcast)
    frame.index = pd.to_datetime(frame.pop("Date"), format="%m/%d/%y")
    for col in frame.columns:
        s = frame[col].dropna()
        if len(s) and s.index.to_series().diff().dt.days.dropna().max() < 40:  # monthly columns only
            out.append((f"fred_{col}", "monthly", s))
    housing = pd.read_csv(sm_dir / "tsa/holtwinters/tests/results/housing-data.csv", index_col=0, parse_dates=True)
    out.append(("fred_HOUSTNSA", "monthly", housing.iloc[:, 0].dropna()))
    co2 = sd.co2.load_pandas().data["co2"].resample("MS").mean().interpolate()
    out.append(("co2_mauna_loa", "monthly", co2))
    nino = sd.elnino.load_pandas().data.set_index("YEAR")
    nino_s = pd.Series(nino.to_numpy().reshape(-1),
                       index=pd.date_range(f"{int(nino.index[0])}-01-01", periods=nino.size, freq="MS"))
    out.append(("elnino_sst", "monthly", nino_s))
    try:
        from statsforecast.utils import AirPassengersDF

        air = AirPassengersDF.set_index("ds")["y"]
        out.append(("air_passengers", "monthly", pd.Series(air.to_numpy(), index=pd.DatetimeIndex(air.index))))
    except ImportError:
        pass

    macro = sd.macrodata.load_pandas().data
    q_index = pd.PeriodIndex.from_fields(year=macro["year"].astype(int), quarter=macro["quarter"].astype(int),
                                         freq="Q").to_timestamp()
    for col in macro.columns.drop(["year", "quarter"]):
        out.append((f"macro_{col}", "quarterly", pd.Series(macro[col].to_numpy(), index=q_index)))
    danish = sd.danish_data.load_pandas().data
    for col in danish.columns:
        out.append((f"danish_{col}", "quarterly", danish[col]))
    ii = sd.interest_inflation.load_pandas().data
    ii_index = pd.PeriodIndex.from_fields(year=ii["year"].astype(int), quarter=ii["quarter"].astype(int),
                                          freq="Q").to_timestamp()
    for col in ("Dp", "R"):
        out.append((f"interest_{col}", "quarterly", pd.Series(ii[col].to_numpy(), index=ii_index)))

    fert = sd.fertility.load_pandas().data
    years = [c for c in fert.columns if c.isdigit()]
    for _, row in fert.iterrows():
        s = pd.Series(row[years].to_numpy(dtype=float), index=pd.to_datetime([f"{y}-01-01" for y in years]))
        out.append((f"fertility_{row['Country Code']}", "yearly", s.dropna()))
    sun = sd.sunspots.load_pandas().data
    out.append(("sunspots", "yearly", pd.Series(sun["SUNACTIVITY"].to_numpy(),
                                                index=pd.to_datetime(sun["YEAR"].astype(int).astype(str)))))
    nile = sd.nile.load_pandas().data
    out.append(("nile", "yearly", pd.Series(nile["volume"].to_numpy(),
                                            index=pd.to_datetime(nile["year"].astype(int).astype(str)))))
    return out


def windows(series: list[tuple[str, str, pd.Series]]) -> pd.DataFrame:
    """Long frame ``unique_id, freq, ds, y, held_out`` of non-overlapping windows, newest last."""
    rows = []
    for name, freq, s in series:
        hist, hold, _ = SETUP[freq]
        width = hist + hold
        v = s.to_numpy(dtype=float)
        if len(v) < width or not np.isfinite(v).all():
            continue
        s = s.set_axis(pd.DatetimeIndex(s.index).to_period(FREQ[freq][0]).to_timestamp())  # period starts
        for k, end in enumerate(range(len(v), width - 1, -width)):
            part = s.iloc[end - width:end]
            rows.append(pd.DataFrame({
                "unique_id": f"{name}#{k}", "freq": freq, "ds": part.index, "y": part.to_numpy(dtype=float),
                "held_out": np.arange(width) >= hist,
            }))
    return pd.concat(rows, ignore_index=True)


def scores(train: pd.DataFrame, test: pd.DataFrame, pred: pd.DataFrame, m: int, col: str,
           lo80=None, hi80=None, lo95=None, hi95=None) -> pd.DataFrame:
    """Per window: MASE, sMAPE [%] and the share of held-out points inside the intervals."""
    def scale(v: np.ndarray) -> float:
        lag = m if len(v) > m else 1
        return float(np.mean(np.abs(v[lag:] - v[:-lag])))

    sc = train.groupby("unique_id")["y"].apply(lambda s: scale(s.to_numpy()))
    cols = [c for c in (col, lo80, hi80, lo95, hi95) if c]
    merged = test[["unique_id", "ds", "y"]].merge(pred[["unique_id", "ds", *cols]], on=["unique_id", "ds"])
    err = (merged["y"] - merged[col]).abs()
    denom = (merged["y"].abs() + merged[col].abs()).replace(0, np.nan)
    merged["ae"], merged["sape"] = err, 200 * err / denom
    if lo80:
        merged["in80"] = (merged["y"] >= merged[lo80]) & (merged["y"] <= merged[hi80])
        merged["in95"] = (merged["y"] >= merged[lo95]) & (merged["y"] <= merged[hi95])
    g = merged.groupby("unique_id")
    out = pd.DataFrame({"mase": g["ae"].mean() / sc.loc[g["ae"].mean().index], "smape": g["sape"].mean()})
    if lo80:
        out["cov80"], out["cov95"] = g["in80"].mean(), g["in95"].mean()
    return out


def benchmarks(train: pd.DataFrame, test: pd.DataFrame, m: int) -> dict[str, pd.DataFrame]:
    """Naive and seasonal naive predictions for the held-out dates."""
    last = train.groupby("unique_id")["y"].last().rename("naive")
    naive = test[["unique_id", "ds"]].merge(last, left_on="unique_id", right_index=True)
    step = test.groupby("unique_id").cumcount()
    season = train.groupby("unique_id")["y"].apply(lambda s: s.to_numpy()[-m:] if len(s) >= m else s.to_numpy()[-1:])
    snaive = test[["unique_id", "ds"]].copy()
    snaive["snaive"] = [season[u][k % len(season[u])] for u, k in zip(test["unique_id"], step)]
    return {"naive": naive, "seasonal naive": snaive}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--csv", help="write per-window scores here")
    ap.add_argument("--no-peer", action="store_true", help="skip statsforecast AutoETS")
    args = ap.parse_args()
    data = windows(raw_series())
    print(f"real windows: {data['unique_id'].nunique()} "
          f"({', '.join(f'{f} {n}' for f, n in data.drop_duplicates('unique_id')['freq'].value_counts().items())}); "
          f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    per_window = []
    for freq, part in data.groupby("freq", sort=False):
        _, hold, m = SETUP[freq]
        train = part.loc[~part["held_out"], ["unique_id", "ds", "y"]]
        test = part.loc[part["held_out"], ["unique_id", "ds", "y"]]
        t0 = time.perf_counter()
        fc = forecast(train, horizon=hold)
        t_ours = time.perf_counter() - t0
        found = {"simulator": scores(train, test, fc.frame, m, "mean", "lo_80", "hi_80", "lo_95", "hi_95")}
        chosen = fc.frame.drop_duplicates("unique_id")["model"].value_counts().to_dict()
        for name, pred in benchmarks(train, test, m).items():
            found[name] = scores(train, test, pred, m, pred.columns[-1])
        t_peer = None
        if not args.no_peer:
            try:
                from statsforecast import StatsForecast
                from statsforecast.models import AutoETS
            except ImportError:
                print("statsforecast is not installed: no AutoETS comparison")
                args.no_peer = True
            else:
                sf = StatsForecast(models=[AutoETS(season_length=m)], freq=FREQ[freq], n_jobs=2)
                t0 = time.perf_counter()
                pred = sf.forecast(df=train, h=hold, level=[80, 95]).reset_index()
                t_peer = time.perf_counter() - t0
                found["AutoETS"] = scores(train, test, pred, m, "AutoETS", "AutoETS-lo-80", "AutoETS-hi-80",
                                          "AutoETS-lo-95", "AutoETS-hi-95")
        print(f"\n{freq}: {train['unique_id'].nunique()} windows, h = {hold}, m = {m}; simulator "
              f"{t_ours:.1f} s" + (f", AutoETS {t_peer:.1f} s" if t_peer is not None else "")
              + f"; models chosen {chosen}")
        for method, sc in found.items():
            per_window.append(sc.assign(method=method, freq=freq))
    table = pd.concat(per_window).reset_index().rename(columns={"index": "unique_id"})
    print()
    for title, sub in [("all windows", table), *((f, g) for f, g in table.groupby("freq", sort=False))]:
        summary = sub.groupby("method", sort=False)[["mase", "smape", "cov80", "cov95"]].mean()
        n = sub["unique_id"].nunique()
        print(f"{title} ({n}): mean MASE / sMAPE % / 80 % coverage / 95 % coverage")
        print(summary.round(3).to_string())
        if "AutoETS" in summary.index:
            ours, peer = summary.loc["simulator", "mase"], summary.loc["AutoETS", "mase"]
            print(f"  simulator / AutoETS MASE = {ours / peer:.3f} "
                  f"({'no worse' if ours <= peer else 'worse'}); simulator / naive = "
                  f"{ours / summary.loc['naive', 'mase']:.3f}")
        print()
    if args.csv:
        table.to_csv(args.csv, index=False)
        print(f"per-window scores -> {args.csv}")


if __name__ == "__main__":
    main()

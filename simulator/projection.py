"""Domain projection: the Baseline of active participants and workforce per region, as sample paths.

Active participants are forecast per kabupaten/kota (sum of segments) with the generic forecaster
on the log scale (so counts stay non-negative and uncertainty is multiplicative), the workforce is
interpolated from annual Sakernas figures to months and extended on its log-linear trend with
per-path growth uncertainty. Active is capped at the workforce at the leaves, then every path is
summed up the region tree (bottom-up), so kabupaten/kota add up to their province and provinces to
the nation in every path, and coverage stays within 0-100 %.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from simulator import orderstats
from simulator.baseline import Baseline, coverage_ratio
from simulator.errors import InputError
from simulator.regions import RegionTree, load_regions

log = logging.getLogger(__name__)

CACHE_DIR = Path(__file__).resolve().parent.parent / ".cache"
#: Bump when the projection method changes so old caches are not reused.
METHOD_VERSION = "4"  # 2: intervals from selection errors; 3: per-series choice only when it pays;
# 4: sample paths scaled in float32 (differ from 3 by float32 rounding, about 1e-7 of the series scale)

Progress = Callable[[float, str], None]


def _noop(_fraction: float, _message: str) -> None:
    return None


def monthly_workforce(workforce: pd.DataFrame, leaves: list[str], months: pd.PeriodIndex) -> np.ndarray:
    """Employed persons per leaf and month [persons], log-linear between annual observations.

    Months before the first or after the last observation keep the log-linear trend of the
    nearest two observations. Returns an array (leaves, months).
    """
    wf = workforce[workforce["region_code"].isin(leaves)]
    out = np.empty((len(leaves), len(months)))
    x_new = np.array([p.ordinal for p in months], dtype=float)
    grouped = {code: g for code, g in wf.groupby("region_code")}
    for i, code in enumerate(leaves):
        g = grouped.get(code)
        if g is None or g.empty:
            raise InputError(f"workforce: no employed figures for region {code!r}")
        periods = pd.PeriodIndex(g["period"].astype(str), freq="M")
        order = np.argsort(periods.asi8)
        x = periods.asi8[order].astype(float)
        y = np.log(np.maximum(g["employed"].to_numpy(dtype=float)[order], 1.0))
        if len(x) == 1:
            out[i] = np.exp(y[0])
            continue
        inside = np.interp(x_new, x, y)
        lo_slope = (y[1] - y[0]) / (x[1] - x[0])
        hi_slope = (y[-1] - y[-2]) / (x[-1] - x[-2])
        inside = np.where(x_new < x[0], y[0] + lo_slope * (x_new - x[0]), inside)
        inside = np.where(x_new > x[-1], y[-1] + hi_slope * (x_new - x[-1]), inside)
        out[i] = np.exp(inside)
    return out


def _workforce_paths(
    workforce: pd.DataFrame, leaves: list[str], months: pd.PeriodIndex, paths: int, rng: np.random.Generator
) -> np.ndarray:
    """Workforce paths (leaves, paths, months) [persons]: trend plus per-path growth uncertainty.

    Annual growth of employment varies by about 1,5 percentage points from year to year (BPS
    national series 2019-2024, with the 2020 break); each path draws its own deviation of the
    annual growth rate, so the band widens linearly in log terms with the horizon.
    """
    trend = monthly_workforce(workforce, leaves, months).astype(np.float32)
    last_obs = pd.Period(str(workforce["period"].astype(str).max()), freq="M")
    steps = np.maximum(np.array([(m - last_obs).n for m in months], dtype=np.float32), 0.0) / 12.0
    deviation = rng.normal(0.0, 0.015, size=(len(leaves), paths, 1)).astype(np.float32)
    return trend[:, None, :] * np.exp(deviation * steps[None, None, :])


def data_hash(*frames: pd.DataFrame) -> str:
    """sha256 over the canonical CSV text of the frames: same data, same hash."""
    digest = hashlib.sha256()
    for frame in frames:
        digest.update(pd.util.hash_pandas_object(frame, index=False).values.tobytes())
    return digest.hexdigest()


def project_baseline(
    history: pd.DataFrame,
    workforce: pd.DataFrame,
    horizon: int = 60,
    paths: int = 1000,
    seed: int = 0,
    tree: RegionTree | None = None,
    cache_dir: Path | None = CACHE_DIR,
    progress: Progress | None = None,
) -> tuple[Baseline, pd.DataFrame]:
    """Project active participants and the workforce for every region.

    Parameters
    ----------
    history : DataFrame
        ``region_code, segment, ds, active`` per kabupaten/kota and month [persons].
    workforce : DataFrame
        ``region_code, period, employed`` [persons] per kabupaten/kota (other levels ignored).
    horizon : int
        Months to project after the last observed month.
    paths : int
        Sample paths per region.
    seed : int
        Seed of the ``numpy.random.Generator`` used for every draw.
    cache_dir : Path or None
        Where the result is cached, keyed by a hash of the data and settings; None disables.
    progress : callable(fraction, message) or None
        Called while fitting.

    Returns
    -------
    (Baseline, DataFrame)
        The baseline and the backtest table (per kabupaten/kota and model: MASE, sMAPE, interval
        coverage, and which model was chosen).
    """
    from simulator.forecast import backtest, forecast

    progress = progress or _noop
    tree = tree or load_regions()
    if horizon < 1 or paths < 1:
        raise InputError(f"project: horizon and paths must be at least 1, got horizon={horizon}, paths={paths}")
    settings = {"horizon": horizon, "paths": paths, "seed": seed, "method": METHOD_VERSION}
    key = data_hash(history, workforce) + hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()
    key = hashlib.sha256(key.encode()).hexdigest()[:20]
    cached = _read_cache(cache_dir, key)
    if cached is not None:
        progress(1.0, "baseline loaded from cache")
        return cached

    leaves = tree.of_level("kabkota")
    missing = sorted(set(leaves) - set(history["region_code"]))
    if missing:
        raise InputError(f"history: no rows for kabupaten/kota {missing[0]!r} ({len(missing)} missing)")
    progress(0.05, "menyiapkan data / preparing data")
    totals = history.groupby(["region_code", "ds"], as_index=False)["active"].sum()
    series = pd.DataFrame(
        {
            "unique_id": totals["region_code"],
            "ds": pd.PeriodIndex(totals["ds"].astype(str), freq="M").to_timestamp(),
            "y": np.log1p(totals["active"].to_numpy(dtype=float)),
        }
    )
    last_observed = pd.Period(series["ds"].max(), freq="M")
    months = pd.period_range(last_observed + 1, periods=horizon, freq="M")
    rng = np.random.default_rng(seed)

    progress(0.15, "memodelkan peserta aktif / fitting active participants")
    fc = forecast(series, horizon=horizon, paths=paths, seed=int(rng.integers(2**31)))
    order = [list(fc.ids).index(c) for c in leaves]
    active_leaf = np.expm1(np.asarray(fc.paths, dtype=np.float32)[order]).clip(min=0.0)

    progress(0.75, "memproyeksikan angkatan kerja / projecting the workforce")
    employed_leaf = _workforce_paths(workforce, leaves, months, paths, rng)
    active_leaf = np.minimum(active_leaf, employed_leaf)

    progress(0.85, "menjumlahkan wilayah / summing up the region tree")
    codes, s = tree.aggregation_matrix(leaves)
    s = s.astype(np.float32)
    flat = (len(leaves), paths * horizon)
    active = (s @ active_leaf.reshape(flat)).reshape(len(codes), paths, horizon)
    employed = (s @ employed_leaf.reshape(flat)).reshape(len(codes), paths, horizon)
    del active_leaf, employed_leaf

    progress(0.9, "menguji akurasi model / backtesting the models")
    table = backtest(series, horizon=horizon, folds=3)
    chosen = fc.frame.drop_duplicates("unique_id").set_index("unique_id")["model"]
    table["chosen"] = table["model"].eq(table["unique_id"].map(chosen))
    table.insert(0, "scale", "log1p(active)")
    baseline = Baseline(
        regions=tuple(codes),
        months=months,
        active=active,
        employed=employed,
        last_observed=last_observed,
        meta={"data_hash": data_hash(history, workforce), **settings, "key": key},
    )
    _write_cache(cache_dir, key, baseline, table)
    progress(1.0, "selesai / done")
    return baseline, table


def _read_cache(cache_dir: Path | None, key: str) -> tuple[Baseline, pd.DataFrame] | None:
    """The cached baseline, its arrays memory-mapped read-only (pages are read when used, so a
    300 MB baseline opens at once instead of being copied into memory), or None when absent or
    unreadable."""
    if cache_dir is None:
        return None
    folder = cache_dir / f"baseline-{key}"
    if not (folder / "meta.json").exists():
        return None
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        # plain read-only ndarray views of the maps (the memmap subclass would leak into results)
        active = np.asarray(np.load(folder / "active.npy", mmap_mode="r", allow_pickle=False))
        employed = np.asarray(np.load(folder / "employed.npy", mmap_mode="r", allow_pickle=False))
        if active.shape != employed.shape or active.shape[0] != len(meta["regions"]):
            raise ValueError(f"array shapes {active.shape} and {employed.shape} do not match the meta")
        baseline = Baseline(
            regions=tuple(meta["regions"]),
            months=pd.period_range(meta["first_month"], periods=int(active.shape[2]), freq="M"),
            active=active,
            employed=employed,
            last_observed=pd.Period(meta["last_observed"], freq="M"),
            meta=meta["meta"],
        )
        table = pd.read_csv(folder / "backtest.csv", dtype={"unique_id": str}, float_precision="round_trip")
        return baseline, table
    except (OSError, ValueError, KeyError, TypeError, InputError) as err:
        log.warning("ignoring unreadable baseline cache %s: %s", folder, err)
        return None


def _write_cache(cache_dir: Path | None, key: str, baseline: Baseline, table: pd.DataFrame) -> None:
    """Write the baseline as plain .npy arrays, a meta.json and the backtest table into
    ``baseline-KEY/``, built in a temporary folder and renamed into place (never half written)."""
    if cache_dir is None:
        return
    import shutil
    import tempfile

    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f"baseline-{key}.", suffix=".tmp", dir=cache_dir))
        np.save(tmp / "active.npy", np.ascontiguousarray(baseline.active, dtype=np.float32))
        np.save(tmp / "employed.npy", np.ascontiguousarray(baseline.employed, dtype=np.float32))
        table.to_csv(tmp / "backtest.csv", index=False)
        (tmp / "meta.json").write_text(json.dumps({
            "regions": list(baseline.regions), "first_month": str(baseline.months[0]),
            "last_observed": str(baseline.last_observed), "meta": baseline.meta,
        }), encoding="utf-8")
        target = cache_dir / f"baseline-{key}"
        try:
            tmp.rename(target)
        except OSError:  # another process wrote the same key first: keep theirs
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as err:
        log.warning("could not write the baseline cache in %s: %s", cache_dir, err)


#: Values (regions x paths x months) per pass of ``baseline_frame``: 32 MiB per float64 array.
_FRAME_CHUNK_VALUES = 1 << 22


def baseline_frame(baseline: Baseline, quantiles: tuple[float, ...] = (0.1, 0.5, 0.9)) -> pd.DataFrame:
    """Tidy summary of a baseline: ``region_code, month, quantile, active, employed, coverage``.

    Quantiles are taken per region and month over paths ([persons], [persons], [fraction]);
    coverage quantiles are those of the per-path ratio, not ratios of quantiles.
    """
    n_r, n_p, n_t = baseline.active.shape
    qs = list(quantiles)
    out = {name: np.empty((len(qs), n_r, n_t)) for name in ("active", "employed", "coverage")}
    # a few regions at a time in float64 (the whole baseline in float64 would be 3 x 265 MB for
    # 553 x 1.000 x 60); numpy's NaN-aware quantile (a Python loop over region-months) only where
    # a zero workforce leaves coverage undefined (orderstats.nanquantile)
    step = max(1, _FRAME_CHUNK_VALUES // max(n_p * n_t, 1))
    for a in range(0, n_r, step):
        b = min(a + step, n_r)
        act = baseline.active[a:b].astype(np.float64)
        emp = baseline.employed[a:b].astype(np.float64)
        for name, values in (("active", act), ("employed", emp), ("coverage", coverage_ratio(act, emp))):
            out[name][:, a:b] = orderstats.nanquantile(values, qs, axis=1)
    frames = []
    for k, q in enumerate(qs):
        frames.append(pd.DataFrame({
            "region_code": np.repeat(np.asarray(baseline.regions, dtype=object), n_t),
            "month": np.tile(baseline.months.astype(str), n_r),
            "quantile": q,
            "active": out["active"][k].reshape(-1),
            "employed": out["employed"][k].reshape(-1),
            "coverage": out["coverage"][k].reshape(-1),
        }))
    return pd.concat(frames, ignore_index=True)

"""Domain projection: the Baseline of active participants and workforce per region, as sample paths.

Every region (nation, provinces, kabupaten/kota) has its active participants (sum of segments)
forecast directly with the generic forecaster on the log scale (counts stay non-negative and
uncertainty is multiplicative), less the drift bias those forecasts showed in the projection's
own backtest (shrunk by its standard error); the direct medians are reconciled over the tree and the
kabupaten/kota paths carry joint errors whose variances come from the projection's own
rolling-origin backtest, so every level has the spread of its own errors (``simulator.hierarchy``).
The workforce is interpolated from annual Sakernas figures to months and extended on its
log-linear trend with jointly drawn growth shocks. Active is capped at the workforce at the
leaves, then every path is summed up the region tree, so kabupaten/kota add up to their province
and provinces to the nation in every path, and coverage stays within 0-100 %. The baseline also
carries its calibration (``simulator.calibrate``), measured with the same forecasts.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulator import orderstats
from simulator.baseline import Baseline, coverage_ratio
from simulator.errors import InputError
from simulator.projection_errors import (  # noqa: F401 (the backtest's names, importable from here as before)
    BACKTEST_ORIGINS,
    BACKTEST_SPACING,
    MIN_TRAIN,
    SELECTION_STEPS,
    _backtest_errors,
    _direct_log_means,
    _extend_curve,
    _monthly_change_variance,
    drift_bias,
    effective_origins,
    error_variance,
    monotone_fit,
    predictive_inflation,
    prefetch_forecasts,
)
from simulator.regions import RegionTree, load_regions

log = logging.getLogger(__name__)

CACHE_DIR = Path(__file__).resolve().parent.parent / ".cache"
#: Bump when the projection method changes so old caches are not reused.
METHOD_VERSION = "15"  # 2: intervals from selection errors; 3: per-series choice only when it pays;
# 4: sample paths scaled in float32 (differ from 3 by float32 rounding, about 1e-7 of the series scale)
# 5: every level forecast directly, medians reconciled, joint tree-factor errors from the backtest
# 6: the forecaster's default is the ETS/Theta/ARIMA combination (issue 21); checksummed cache entries
# 7: the baseline carries its calibration table (meta['calibration'])
# 8: backtest origins 7 months apart; the t widening from the origins behind the whole curve
# 9: the carried calibration's origins 7 months apart too (its cuts share the backtest's forecasts)
# 10: the error variance's growth over the horizon fitted monotone (pool adjacent violators) instead
#     of a h + b h^2; the backtest's drift bias, shrunk by its own standard error, removed from the
#     medians and from the errors that set the spread (issue 17)
# 11: the spread measured on the errors with the bias left in (centring on it: nation too narrow)
# 12: the Student-t widening counts each origin as its regions' effective number (design effect)
# 13: issue 21's ETS with multiplicative-error forms (paths differ from 12 by about 1e-6 in log)
# 14: issue 21's seasonal combination with an ARIMA member on seasonal differences
# 15: its weights (ETS 2, the other three members 1 each)

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


#: Standard deviation of one year's employment growth shock [fraction/year], split into a
#: national, a provincial and a kabupaten/kota part (together about 1,5 points: BPS national
#: series 2019-2024 with the 2020 break; the split is an assumption, so that the nation is as
#: uncertain as its own history and not sqrt(514) times less).
WORKFORCE_GROWTH_SD = {"nasional": 0.012, "provinsi": 0.006, "kabkota": 0.006}


def _last_measured(workforce: pd.DataFrame) -> pd.Period:
    """The last period with a measured (not estimated) employed figure; the last period when the
    file says nothing about estimates. Uncertainty grows from there, so an estimated year has a band."""
    wf = workforce
    if "estimate" in wf.columns:
        measured = wf[pd.to_numeric(wf["estimate"], errors="coerce").fillna(0).eq(0)]
        if len(measured):
            wf = measured
    return pd.Period(str(wf["period"].astype(str).max()), freq="M")


def _workforce_paths(
    workforce: pd.DataFrame,
    tree: RegionTree,
    leaves: list[str],
    months: pd.PeriodIndex,
    paths: int,
    seed: int,
) -> np.ndarray:
    """Workforce paths (leaves, paths, months) [persons]: trend times jointly drawn deviations.

    Yearly growth shocks accumulate as a random walk from the last measured period (an estimated
    year already has a band): a path's log deviation after y years has sd ``WORKFORCE_GROWTH_SD x
    sqrt(y)``, drawn once per path for the nation, each province and each kabupaten/kota and
    summed, so the aggregates keep their share of it.
    """
    trend = monthly_workforce(workforce, leaves, months).astype(np.float32)
    last = _last_measured(workforce)
    years = np.maximum(np.array([(m - last).n for m in months], dtype=np.float32), 0.0) / 12.0
    rng = np.random.default_rng([seed, 1 << 20])
    provinces = sorted({tree.parent(c) or c for c in leaves})
    prov_of = np.array([provinces.index(tree.parent(c) or c) for c in leaves])
    nation = rng.standard_normal((1, paths)) * WORKFORCE_GROWTH_SD["nasional"]
    province = rng.standard_normal((len(provinces), paths)) * WORKFORCE_GROWTH_SD["provinsi"]
    own = rng.standard_normal((len(leaves), paths)) * WORKFORCE_GROWTH_SD["kabkota"]
    deviation = (nation + province[prov_of] + own).astype(np.float32)
    return trend[:, None, :] * np.exp(deviation[:, :, None] * np.sqrt(years)[None, None, :])


def data_hash(*frames: pd.DataFrame) -> str:
    """sha256 over the canonical CSV text of the frames: same data, same hash."""
    digest = hashlib.sha256()
    for frame in frames:
        digest.update(pd.util.hash_pandas_object(frame, index=False).values.tobytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class _Nodes:
    """The region tree as arrays: every code (tree order), the leaves, S and each row's parent."""

    codes: list[str]
    leaves: list[str]
    s: np.ndarray  # (regions, leaves) 0/1
    parent: np.ndarray  # (regions,) row of the parent, -1 for the nation
    leaf_rows: np.ndarray  # (leaves,) row of each leaf

    @classmethod
    def of(cls, tree: RegionTree) -> _Nodes:
        from simulator.baseline import summing_matrix

        codes, leaves, s = summing_matrix(tree)
        pos = {c: i for i, c in enumerate(codes)}
        parent = np.array([pos.get(tree.parent(c) or "", -1) for c in codes], dtype=np.int64)
        return cls(list(codes), list(leaves), s, parent, np.array([pos[c] for c in leaves], dtype=np.int64))


def _node_totals(history: pd.DataFrame, nodes: _Nodes) -> tuple[pd.PeriodIndex, np.ndarray]:
    """Months of history and active participants of every region (regions, months) [persons],
    all segments; an aggregate is NaN in a month where any of its leaves is missing."""
    totals = history.groupby(["region_code", "ds"])["active"].sum().unstack("ds")
    totals = totals.reindex(nodes.leaves)
    months = pd.PeriodIndex(pd.DatetimeIndex(totals.columns), freq="M")
    leaf = totals.to_numpy(dtype=np.float64)
    missing = np.isnan(leaf)
    out = nodes.s @ np.where(missing, 0.0, leaf)
    out[(nodes.s @ missing.astype(np.float64)) > 0] = np.nan
    return months, out


def one_blas_thread():
    """A context in which BLAS/LAPACK use one thread: a sum split over threads adds in another
    order, so without it the same seed could give different numbers on machines with different
    core counts. Our matrices are small; one thread costs nothing measurable."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def project_active(
    history: pd.DataFrame,
    tree: RegionTree,
    horizon: int,
    paths: int,
    seed: int,
    joint: bool = True,
    memo: dict | None = None,
) -> tuple[np.ndarray, list[str], pd.PeriodIndex, dict]:
    """See ``_project_active``; computed with one BLAS thread (numbers independent of the cores)."""
    with one_blas_thread():
        return _project_active(history, tree, horizon, paths, seed, joint, memo)


def _project_active(
    history: pd.DataFrame,
    tree: RegionTree,
    horizon: int,
    paths: int,
    seed: int,
    joint: bool = True,
    memo: dict | None = None,
) -> tuple[np.ndarray, list[str], pd.PeriodIndex, dict]:
    """Joint sample paths of active participants per kabupaten/kota (leaves, paths, months) [persons].

    Every region is forecast directly on log(1 + active) and corrected by its group's backtest drift
    bias (``drift_bias``); the medians are reconciled (MinT,
    diagonal); the leaf paths carry tree-factor errors whose variances reproduce each region's own
    backtest error variance (``simulator.hierarchy``). ``joint=False`` draws every leaf
    independently instead (what the projection did before; kept as the benchmarks' peer).
    ``memo``: see ``_direct_log_means``. Returns the paths, the leaves, the history's months and a
    summary (per region: direct and reconciled medians, log error variance, the Forecast).
    """
    from simulator import hierarchy

    nodes = _Nodes.of(tree)
    months, totals = _node_totals(history, nodes)
    means, fc = _direct_log_means(totals, months, nodes.codes, horizon, memo)
    errors = _backtest_errors(totals, months, nodes.codes, memo)
    group = np.array([0 if tree.level(c) == "kabkota" else 1 for c in nodes.codes])
    # the forecasts' own backtest bias (shrunk) is removed from the medians (it depends on the step
    # only, so a month's answer keeps not depending on the horizon); the spread is measured on the
    # errors with the bias left in: a bias estimated from overlapping backtest windows can be the
    # trace of shocks that do not persist, and centring on it left the nation's band too narrow
    # (shared-shock histories, 16 seeds: 80 % band held 69 % at 13-24 months)
    means = means + drift_bias(errors, group, horizon)
    log_var = error_variance(errors, group, horizon, _monthly_change_variance(totals))
    direct = np.expm1(means)
    leaf_median = hierarchy.reconcile_medians(direct, (direct * np.sqrt(log_var)) ** 2 + 1.0, nodes.s)
    agg = nodes.s @ leaf_median
    parent_total = np.where(nodes.parent[:, None] >= 0, agg[np.maximum(nodes.parent, 0)], agg)
    shares = np.divide(agg, parent_total, out=np.ones_like(agg), where=parent_total > 0)
    factors = hierarchy.solve_factors(log_var, shares, nodes.parent)
    if not joint:  # the benchmarks' peer: independent leaves, each with its own variance only
        leaf = np.zeros(len(nodes.codes), dtype=bool)
        leaf[nodes.leaf_rows] = True
        factors = hierarchy.TreeFactors(
            shared=factors.shared,
            loading=np.zeros_like(log_var),
            own=np.where(leaf[:, None], np.maximum.accumulate(log_var, axis=1), 0.0),
        )
    err, rows = hierarchy.leaf_log_errors(factors, nodes.parent, paths, seed)
    if not np.array_equal(rows, nodes.leaf_rows):
        raise AssertionError("leaf order of the error model differs from the tree's")
    err += np.log1p(leaf_median).astype(np.float32)[:, None, :]
    active_leaf = np.expm1(err, out=err)
    np.maximum(active_leaf, 0.0, out=active_leaf)
    summary = {"codes": nodes.codes, "direct": direct, "reconciled": agg, "log_var": log_var, "forecast": fc}
    return active_leaf, nodes.leaves, months, summary


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
        Seed of every draw (numpy generators seeded from it).
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
    from simulator.baseline import aggregate

    progress = progress or _noop
    tree = tree or load_regions()
    if horizon < 1 or paths < 1:
        raise InputError(
            f"project: horizon and paths must be at least 1, got horizon={horizon}, paths={paths}"
        )
    settings = {"horizon": horizon, "paths": paths, "seed": seed, "method": METHOD_VERSION}
    key = (
        data_hash(history, workforce)
        + hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()
    )
    key = hashlib.sha256(key.encode()).hexdigest()[:20]
    cached = _read_cache(cache_dir, key)
    if cached is not None:
        progress(1.0, "baseline loaded from cache")
        return cached

    leaves = tree.of_level("kabkota")
    missing = sorted(set(leaves) - set(history["region_code"]))
    if missing:
        raise InputError(f"history: no rows for kabupaten/kota {missing[0]!r} ({len(missing)} missing)")
    progress(0.05, "memodelkan peserta aktif dan angkatan kerja / fitting participants and the workforce")
    memo: dict = {}
    series = _model_series(history)
    # every forecast below (the projection's, its backtest's, the calibration's) at once on the
    # machine's cores; the same numbers as one by one
    from simulator.calibrate import calibration_cuts

    def cuts(n: int) -> list[tuple[int, int]]:  # the projection's own and the default calibration's
        return [(n, horizon), *calibration_cuts(n)]

    finish = prefetch(history, tree, cuts, memo)
    try:  # the workforce while the forecasts are made
        last_observed = pd.Period(pd.Timestamp(history["ds"].max()), freq="M")
        months = pd.period_range(last_observed + 1, periods=horizon, freq="M")
        leaves = _Nodes.of(tree).leaves
        employed_leaf = _workforce_paths(workforce, tree, leaves, months, paths, seed)
        from simulator.baseline import summing_matrix

        codes, _, s = summing_matrix(tree)
        employed = aggregate(s, employed_leaf)  # summed up the tree here: the cores are busy later
    finally:
        finish()
    progress(0.6, "menarik jalur sampel / drawing sample paths")
    from simulator.parallel import process_pool

    # the calibration and the Model page's backtest table on worker processes beside the
    # projection's own draws: nothing waits for the table before the cache is written (it waited
    # with the forecasts, on one core, about 2 s before the draws began)
    pool = process_pool(2)
    calibrating = pool.submit(_calibration_records, history, tree, memo) if pool is not None else None
    tabling = pool.submit(_model_backtest, series) if pool is not None else None
    try:
        active_leaf, active_leaves, hist_months, summary = project_active(
            history, tree, horizon, paths, seed, memo=memo
        )
    except BaseException:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        raise
    if hist_months[-1] != last_observed or list(active_leaves) != list(leaves):
        raise AssertionError("the projection's months or leaves differ from the workforce's")

    np.minimum(active_leaf, employed_leaf, out=active_leaf)

    progress(0.85, "menjumlahkan wilayah / summing up the region tree")
    active = aggregate(s, active_leaf)
    del active_leaf, employed_leaf

    progress(0.88, "menguji proyeksi dari titik awal lampau / calibrating the projection")
    if pool is not None and calibrating is not None and tabling is not None:
        with pool:
            calibration = calibrating.result()
            progress(0.9, "menguji akurasi model / backtesting the models")
            table = tabling.result()
    else:
        calibration = _calibration_records(history, tree, memo)
        progress(0.9, "menguji akurasi model / backtesting the models")
        table = _model_backtest(series)
    # the model each kabupaten/kota's projection used (from the direct forecasts of every region)
    chosen = summary["forecast"].frame.drop_duplicates("unique_id").set_index("unique_id")["model"]
    table["chosen"] = table["model"].eq(table["unique_id"].map(chosen))
    table.insert(0, "scale", "log1p(active)")
    baseline = Baseline(
        regions=tuple(codes),
        months=months,
        active=active,
        employed=employed,
        last_observed=last_observed,
        meta={"data_hash": data_hash(history, workforce), **settings, "key": key, "calibration": calibration},
    )
    _write_cache(cache_dir, key, baseline, table)
    progress(1.0, "selesai / done")
    return baseline, table


def _model_series(history: pd.DataFrame) -> pd.DataFrame:
    """``unique_id, ds, y`` per kabupaten/kota: log(1 + active) as the Model page's backtest reads it."""
    totals = history.groupby(["region_code", "ds"], as_index=False)["active"].sum()
    return pd.DataFrame(
        {
            "unique_id": totals["region_code"],
            # month starts, as the loaders give them (vectorised: parsing 100.000 strings took ~0,8 s)
            "ds": pd.to_datetime(totals["ds"]).dt.to_period("M").dt.to_timestamp(),
            "y": np.log1p(totals["active"].to_numpy(dtype=float)),
        }
    )


def _model_backtest(series: pd.DataFrame) -> pd.DataFrame:
    """The Model page's table: every model's backtest accuracy per kabupaten/kota (one BLAS thread)."""
    from simulator.forecast import backtest

    with one_blas_thread():
        return backtest(series, horizon=SELECTION_STEPS, folds=3)


def prefetch(history: pd.DataFrame, tree: RegionTree, cuts, memo: dict):
    """Start the forecasts of ``history`` cut to each ``(months kept, steps)`` of ``cuts``
    (``cuts(n_months)`` gives them from the history's length) on several cores at once
    (``projection_errors.prefetch_forecasts``); the returned ``finish()`` puts them into ``memo``,
    where later ``project_active`` calls find them."""
    nodes = _Nodes.of(tree)
    months, totals = _node_totals(history, nodes)
    return prefetch_forecasts(totals, months, nodes.codes, cuts(totals.shape[1]), memo)


def _calibration_records(history: pd.DataFrame, tree: RegionTree, memo: dict) -> list[dict] | None:
    """The calibration table (``calibrate.DEFAULT_SETTINGS``) as records for the baseline's meta,
    None when the history is too short for its origins."""
    from simulator.calibrate import DEFAULT_SETTINGS, calibrate

    try:
        table = calibrate(history, tree=tree, memo=memo, **DEFAULT_SETTINGS).table
    except InputError as err:
        log.info("no calibration: %s", err)
        return None
    return [
        {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        for row in table.to_dict("records")
    ]


def _read_cache(cache_dir: Path | None, key: str) -> tuple[Baseline, pd.DataFrame] | None:
    """The cached baseline, its arrays memory-mapped read-only (pages are read when used, so a
    300 MB baseline opens at once instead of being copied into memory), or None when absent or
    broken. Every file is checked against its sha256 first (``cache_store``): an edited row or a
    truncated table is not trusted; the broken entry is removed, so it is computed and written
    again."""
    from simulator import cache_store

    entry = cache_store.read_entry(cache_dir, f"baseline-{key}", dtypes={"backtest": {"unique_id": str}})
    if entry is None:
        return None
    try:
        meta = entry.meta
        active, employed = entry.arrays["active"], entry.arrays["employed"]
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
        return baseline, entry.tables["backtest"]
    except (ValueError, KeyError, TypeError, InputError) as err:
        log.warning("removing unreadable baseline cache %s: %s", entry.folder, err)
        cache_store.remove_entry(entry.folder)
        return None


def _write_cache(cache_dir: Path | None, key: str, baseline: Baseline, table: pd.DataFrame) -> None:
    """Write the baseline as plain .npy arrays, the backtest table and a meta.json with every
    file's checksum into ``baseline-KEY/``, built in a temporary folder and renamed into place
    (never half written; ``cache_store.write_entry``)."""
    from simulator import cache_store

    cache_store.write_entry(
        cache_dir,
        f"baseline-{key}",
        arrays={
            "active": np.ascontiguousarray(baseline.active, dtype=np.float32),
            "employed": np.ascontiguousarray(baseline.employed, dtype=np.float32),
        },
        meta={
            "regions": list(baseline.regions),
            "first_month": str(baseline.months[0]),
            "last_observed": str(baseline.last_observed),
            "meta": baseline.meta,
        },
        tables={"backtest": table},
    )


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
        frames.append(
            pd.DataFrame(
                {
                    "region_code": np.repeat(np.asarray(baseline.regions, dtype=object), n_t),
                    "month": np.tile(baseline.months.astype(str), n_r),
                    "quantile": q,
                    "active": out["active"][k].reshape(-1),
                    "employed": out["employed"][k].reshape(-1),
                    "coverage": out["coverage"][k].reshape(-1),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)

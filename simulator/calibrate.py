"""How sure has the projection been before: a rolling-origin holdout of the whole projection.

The history is cut at several past origins; from each, the projection (``project_active``: every
region forecast, reconciled, joint paths) is run as it would have been then and compared with
what happened, at every level of the region tree. Per level (kabupaten/kota, province, nation) and
horizon band (1-6, 7-12, 13-24 months ahead) the table gives

* the share of held-out points inside the central 50/80/95 % bands of the paths,
* the median relative error of the median, median / truth - 1 (negative: the projection was too low),
* the continuous ranked probability score (CRPS) relative to the truth, beside that of the naive
  forecast (last value carried forward, a point forecast whose CRPS is its absolute error), and
  the skill ``1 - CRPS / CRPS_naive`` (above 0: better than naive).

Only active participants are scored: they are observed monthly; the workforce is annual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulator.errors import InputError
from simulator.regions import RegionTree, load_regions

#: Horizon bands as (first, last) months ahead, inclusive.
BANDS = ((1, 6), (7, 12), (13, 24))
#: Settings of the calibration every baseline carries (``project_baseline`` computes it with the
#: same forecasts it makes for itself, so it costs little more than the baseline).
DEFAULT_SETTINGS: dict[str, Any] = {"origins": 4, "horizon": 24, "paths": 200, "spacing": None, "seed": 0}
LEVELS = ("kabkota", "provinsi", "nasional")
COVERAGES = (0.5, 0.8, 0.95)


@dataclass(frozen=True)
class Calibration:
    """Result of :func:`calibrate`: ``table`` per level and band, ``points`` per region, origin
    and month (the scored detail), and the origins used."""

    table: pd.DataFrame
    points: pd.DataFrame
    origins: tuple[str, ...]

    def held(self, level: str, coverage: float = 0.8) -> float | None:
        """Share of held-out points inside the central ``coverage`` band at ``level``, over all
        horizons scored, or None when nothing was scored at that level."""
        rows = self.points[self.points["level"] == level]
        if rows.empty:
            return None
        return float(rows[f"in_{round(coverage * 100)}"].mean())


def crps_from_samples(samples: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """CRPS of an empirical distribution: ``samples`` (..., m) against ``truth`` (...).

    ``E|X - y| - E|X - X'| / 2`` with both expectations over the samples (the second from the
    sorted samples: ``sum_ij |x_i - x_j| = 2 sum_i (2i - m - 1) x_(i)``).
    """
    x = np.sort(np.asarray(samples, dtype=np.float64), axis=-1)
    m = x.shape[-1]
    first = np.abs(x - np.asarray(truth, dtype=np.float64)[..., None]).mean(axis=-1)
    weights = 2.0 * np.arange(1, m + 1) - m - 1
    second = (x * weights).sum(axis=-1) / (m * m)
    return first - second


def origin_months(last: pd.Period, count: int, spacing: int) -> list[pd.Period]:
    return [last - spacing * k for k in range(count, 0, -1)]


def calibration_cuts(
    n_months: int,
    origins: int = DEFAULT_SETTINGS["origins"],
    horizon: int = DEFAULT_SETTINGS["horizon"],
    spacing: int | None = DEFAULT_SETTINGS["spacing"],
) -> list[tuple[int, int]]:
    """The history cuts ``(months kept, steps)`` that ``calibrate`` on ``n_months`` of history
    forecasts from: each origin's projection and its backtest's cuts (for ``prefetch_forecasts``)."""
    from simulator.projection import BACKTEST_SPACING, SELECTION_STEPS
    from simulator.projection_errors import backtest_cuts

    spacing = BACKTEST_SPACING if spacing is None else spacing
    cuts = []
    for k in range(origins, 0, -1):
        n = n_months - spacing * k
        cuts += [(n, horizon), *((b, SELECTION_STEPS) for b in backtest_cuts(n))]
    return cuts


def calibrate(
    history: pd.DataFrame,
    origins: int = 4,
    horizon: int = 24,
    paths: int = 400,
    seed: int = 0,
    spacing: int | None = None,
    tree: RegionTree | None = None,
    joint: bool = True,
    memo: dict | None = None,
) -> Calibration:
    """Run the projection from ``origins`` past months (every ``spacing`` months, the latest
    ``spacing`` months before the last observation) ``horizon`` months ahead and score it.
    ``spacing`` defaults to the projection's own backtest spacing, so the cuts and their backtest
    origins coincide and each cut of the history is forecast once.

    Parameters
    ----------
    history : DataFrame
        ``region_code, segment, ds, active`` per kabupaten/kota and month [persons].
    origins, horizon, paths, seed, spacing : int
        Number of origins, months ahead, sample paths per run, seed, months between origins.
    joint : bool
        False scores independent leaf draws instead (the benchmarks' peer).
    memo : dict or None
        Forecasts already made of cuts of this history (``project_baseline`` passes its own).
    """
    from simulator.baseline import aggregate, summing_matrix
    from simulator.projection import BACKTEST_SPACING, MIN_TRAIN, prefetch, project_active

    tree = tree or load_regions()
    spacing = BACKTEST_SPACING if spacing is None else spacing
    if origins < 1 or horizon < 1 or paths < 2 or spacing < 1:
        raise InputError(
            f"calibrate: origins, horizon and spacing must be at least 1 and paths at least 2, got "
            f"origins={origins}, horizon={horizon}, paths={paths}, spacing={spacing}"
        )
    codes, _, s = summing_matrix(tree)
    month = pd.PeriodIndex(pd.DatetimeIndex(history["ds"]), freq="M")
    last = month.max()
    first = month.min()
    cut = origin_months(last, origins, spacing)
    if (cut[0] - first).n < MIN_TRAIN:
        raise InputError(
            f"calibrate: {origins} origins {spacing} months apart need history from "
            f"{cut[0] - MIN_TRAIN} (at least {MIN_TRAIN} months before the first origin), it starts {first}"
        )
    totals = history.groupby(["region_code", "ds"])["active"].sum().unstack("ds")
    leaves_all = tree.of_level("kabkota")
    truth_leaf = totals.reindex(leaves_all).to_numpy(dtype=np.float64)
    truth = s @ np.nan_to_num(truth_leaf)
    truth_months = pd.PeriodIndex(pd.DatetimeIndex(totals.columns), freq="M")
    level = np.array([tree.level(c) for c in codes])
    frames = []
    memo = {} if memo is None else memo  # origins share backtest origins: each cut forecast once
    prefetch(history, tree, lambda n: calibration_cuts(n, origins, horizon, spacing), memo)()
    for k, origin in enumerate(cut):
        past = history[month <= origin]
        leaf_paths, leaves, _, _ = project_active(
            past, tree, horizon, paths, seed + 1000 * k, joint=joint, memo=memo
        )
        paths_all = aggregate(s, leaf_paths)  # (regions, paths, horizon)
        at = int(truth_months.get_loc(origin))
        ahead = min(horizon, len(truth_months) - 1 - at)
        if ahead < 1:
            continue
        sims = paths_all[:, :, :ahead].astype(np.float64)
        y = truth[:, at + 1 : at + 1 + ahead]
        last_value = truth[:, at]
        q = np.quantile(sims, [0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975], axis=1)
        crps = crps_from_samples(np.moveaxis(sims, 1, -1), y)
        naive = np.abs(last_value[:, None] - y)
        n_r = len(codes)
        frames.append(
            pd.DataFrame(
                {
                    "origin": str(origin),
                    "region_code": np.repeat(np.asarray(codes, dtype=object), ahead),
                    "level": np.repeat(level, ahead),
                    "step": np.tile(np.arange(1, ahead + 1), n_r),
                    "truth": y.ravel(),
                    "median": q[3].ravel(),
                    "in_50": ((y >= q[2]) & (y <= q[4])).ravel(),
                    "in_80": ((y >= q[1]) & (y <= q[5])).ravel(),
                    "in_95": ((y >= q[0]) & (y <= q[6])).ravel(),
                    "crps": (crps / np.maximum(y, 1.0)).ravel(),
                    "crps_naive": (naive / np.maximum(y, 1.0)).ravel(),
                }
            )
        )
    points = pd.concat(frames, ignore_index=True)
    points["error_of_median"] = points["median"] / points["truth"].clip(lower=1.0) - 1.0
    return Calibration(table=summarize(points), points=points, origins=tuple(str(o) for o in cut))


def summarize(points: pd.DataFrame, bands: tuple[tuple[int, int], ...] = BANDS) -> pd.DataFrame:
    """Per level and horizon band (``bands``: (first, last) months ahead): points, band coverage,
    median error of the median, CRPS."""
    rows = []
    for lev in LEVELS:
        for lo, hi in bands:
            sel = points[(points["level"] == lev) & points["step"].between(lo, hi)]
            if sel.empty:
                continue
            crps, naive = float(sel["crps"].mean()), float(sel["crps_naive"].mean())
            rows.append(
                {
                    "level": lev,
                    "months_ahead": f"{lo}-{hi}",
                    "points": len(sel),
                    "held_50": float(sel["in_50"].mean()),
                    "held_80": float(sel["in_80"].mean()),
                    "held_95": float(sel["in_95"].mean()),
                    "median_error": float(sel["error_of_median"].median()),
                    "crps": crps,
                    "crps_naive": naive,
                    "skill": 1.0 - crps / naive if naive > 0 else float("nan"),
                }
            )
    return pd.DataFrame(rows)


# ---- the calibration of the baseline in use and the sentence shown beside a probability ------


def table_of(source) -> pd.DataFrame | None:
    """The calibration table a baseline carries (``meta["calibration"]``), or a result run on it
    (``meta["baseline"]["calibration"]``, also after saving and loading); None when the history was
    too short to calibrate or the baseline predates it."""
    meta = getattr(source, "meta", None) or {}
    records = meta.get("calibration") or (meta.get("baseline") or {}).get("calibration")
    return pd.DataFrame(records) if records else None


def status_with_reliability(status: pd.DataFrame, result, tree: RegionTree) -> pd.DataFrame:
    """A result's status table with ``held_80`` (see ``with_reliability``), the distance counted
    from the month before the result's first projected month."""
    if "held_80" in status.columns:
        return status
    return with_reliability(status, table_of(result), tree, result.months[0] - 1)


def held(table: pd.DataFrame | None, level: str, band: str | None = None, coverage: int = 80) -> float | None:
    """Share of points inside the ``coverage`` % band at ``level`` (all bands pooled by points,
    or one band such as "13-24"), None when not measured."""
    if table is None or table.empty:
        return None
    rows = table[table["level"] == level]
    if band is not None:
        rows = rows[rows["months_ahead"] == band]
    if rows.empty or rows["points"].sum() == 0:
        return None
    return float((rows[f"held_{coverage}"] * rows["points"]).sum() / rows["points"].sum())


def band_of(months_ahead: int) -> str | None:
    """The horizon band ("1-6", "7-12", "13-24") of a month so many months after the last
    observation, None beyond the last band."""
    for lo, hi in BANDS:
        if lo <= months_ahead <= hi:
            return f"{lo}-{hi}"
    return None


def reliability(
    table: pd.DataFrame | None, level: str, months_ahead: int | None = None, lang: str = "id"
) -> str:
    """The sentence shown beside a probability: how often the 80 % band of this level (and
    horizon band, when measured) held the truth in the backtest, e.g. "pita 80 % memuat angka
    sebenarnya 78 % kali dalam uji mundur (provinsi, 7-12 bulan)"."""
    from simulator.fmt import percent

    band = band_of(months_ahead) if months_ahead is not None else None
    value = held(table, level, band) if band is not None else None
    if value is None:
        value, band = held(table, level), None
    names = {
        "id": {"kabkota": "kab/kota", "provinsi": "provinsi", "nasional": "nasional"},
        "en": {"kabkota": "regency/city", "provinsi": "province", "nasional": "national"},
    }[lang]
    if value is None:
        return (
            "keandalan belum diukur (riwayat terlalu pendek untuk uji mundur)"
            if lang == "id"
            else "reliability not measured (history too short for a backtest)"
        )
    where = names.get(level, level) + (f", {band} {'bulan' if lang == 'id' else 'months'}" if band else "")
    if lang == "id":
        return f"pita 80 % memuat angka sebenarnya {percent(value, 0)} kali dalam uji mundur ({where})"
    return f"80% band held the truth {percent(value, 0, lang='en')} of the time in backtests ({where})"


def reliability_at(baseline, level: str, deadline, lang: str = "id") -> str:
    """``reliability`` for ``level`` at ``deadline`` (a month), counted from the baseline's last
    observed month, with the calibration the baseline carries."""
    ahead = (pd.Period(str(deadline), freq="M") - baseline.last_observed).n
    return reliability(table_of(baseline), level, ahead, lang)


def with_reliability(
    status: pd.DataFrame, table: pd.DataFrame | None, tree: RegionTree, last_observed: pd.Period
) -> pd.DataFrame:
    """``status`` (one row per region and target year) with ``held_80``: how often the 80 % band
    of the region's level held the truth in the backtest at the deadline's distance (December of
    the year, counted from the last observed month). NaN beyond the measured distances or when
    not measured: a deadline further ahead than the backtest reached has no measured reliability."""
    out = status.copy()
    values = []
    for code, year in zip(out["region_code"], out["year"], strict=True):
        ahead = (pd.Period(f"{int(year)}-12", freq="M") - last_observed).n
        band = band_of(ahead) if ahead >= 1 else None
        value = held(table, tree.level(str(code)), band) if band is not None else None
        values.append(np.nan if value is None else value)
    out["held_80"] = values
    return out

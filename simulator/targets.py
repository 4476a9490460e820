"""Targets against a scenario result: probability of reaching them, gap in persons, status."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.engine import Result
from simulator.errors import InputError

STATUS_ON_TRACK = "on track"
STATUS_AT_RISK = "at risk"
STATUS_OFF_TRACK = "off track"
ASSESS_COLUMNS = [
    "region_code", "year", "target", "deadline", "probability", "median", "p10", "p90",
    "gap_persons", "first_month", "status",
]


def deadline_for(year: int, months: pd.PeriodIndex) -> pd.Period | None:
    """Deadline month for a target year: December of ``year`` when projected; the last projected
    month when the projection ends inside ``year``; None when ``year`` lies outside the projection."""
    december = pd.Period(year=int(year), month=12, freq="M")
    if months[0] <= december <= months[-1]:
        return december
    if months[-1].year == int(year) and months[0] <= months[-1]:
        return months[-1]
    return None


def status_of(probability: float, thresholds: tuple[float, float] = (0.8, 0.5)) -> str:
    """"on track" when probability >= thresholds[0], "at risk" when >= thresholds[1], else "off track"."""
    on_track, at_risk = thresholds
    if probability >= on_track:
        return STATUS_ON_TRACK
    if probability >= at_risk:
        return STATUS_AT_RISK
    return STATUS_OFF_TRACK


def assess(
    result: Result, targets: pd.DataFrame, thresholds: tuple[float, float] = (0.8, 0.5)
) -> pd.DataFrame:
    """Assess coverage targets on a scenario result.

    Parameters
    ----------
    result : Result
        From ``run_scenario``.
    targets : pandas.DataFrame
        ``region_code, year, coverage`` with coverage the target [fraction] by December of year.
    thresholds : (float, float)
        Probability thresholds for "on track" and "at risk".

    Returns
    -------
    pandas.DataFrame
        One row per target whose deadline lies in the projection and whose region the result
        reports (see ``run_scenario(regions=...)``), with columns
        ``region_code, year, target, deadline, probability`` (share of paths with coverage >=
        target at the deadline [fraction]), ``median, p10, p90`` (coverage at the deadline
        [fraction]), ``gap_persons`` (max(0, target x median employed - median active)
        [persons]), ``first_month`` (first month the median coverage reaches the target, NaT if
        never) and ``status``.
    """
    missing = [c for c in ("region_code", "year", "coverage") if c not in targets.columns]
    if missing:
        raise InputError(f"targets: missing column {missing[0]!r}; expected region_code, year, coverage")
    on_track, at_risk = thresholds
    if not 0 <= at_risk <= on_track <= 1:
        raise InputError(f"thresholds: expected 0 <= at risk <= on track <= 1, got {thresholds}")
    coverage = result.coverage
    median_paths: dict[int, np.ndarray] = {}  # per region: median coverage over paths, by month
    rows = []
    reported = set(result.regions)
    for code, year, target in targets[["region_code", "year", "coverage"]].itertuples(index=False):
        deadline = deadline_for(int(year), result.months)
        if deadline is None or str(code) not in reported:
            continue
        r = result.index_of(str(code))
        t = int(result.months.get_loc(deadline))
        cov = coverage[r, :, t]
        reached = np.nan_to_num(cov, nan=-np.inf) >= target
        probability = float(reached.mean())
        if r not in median_paths:
            # np.median (a partition in C) when nothing is missing: np.nanmedian's path over a
            # (paths, months) block is a slow Python-level loop, and the answer is the same
            block = coverage[r]
            median_paths[r] = np.nanmedian(block, axis=0) if np.isnan(block).any() else np.median(block, axis=0)
        median_path = median_paths[r]
        crossed = np.flatnonzero(median_path >= target)
        gap = target * float(np.median(result.employed[r, :, t])) - float(np.median(result.active[r, :, t]))
        rows.append({
            "region_code": str(code),
            "year": int(year),
            "target": float(target),
            "deadline": deadline,
            "probability": probability,
            "median": float(np.nanmedian(cov)),
            "p10": float(np.nanquantile(cov, 0.1)),
            "p90": float(np.nanquantile(cov, 0.9)),
            "gap_persons": max(0.0, gap),
            "first_month": result.months[crossed[0]] if crossed.size else pd.NaT,
            "status": status_of(probability, thresholds),
        })
    out = pd.DataFrame(rows, columns=ASSESS_COLUMNS)
    for col in ("deadline", "first_month"):
        out[col] = pd.PeriodIndex(out[col] if len(out) else [], freq="M")
    return out

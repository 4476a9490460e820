"""Targets against a scenario result: probability of reaching them, gap in persons, status."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator import orderstats
from simulator.engine import Result, coverage_ratio
from simulator.errors import InputError
from simulator.parallel import in_blocks

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
    frame = targets[["region_code", "year", "coverage"]]
    codes = [str(c) for c in frame["region_code"].tolist()]
    years = [int(y) for y in frame["year"].tolist()]
    deadlines = {y: deadline_for(y, result.months) for y in set(years)}
    reported = set(result.regions)
    keep = [deadlines[y] is not None and c in reported for c, y in zip(codes, years)]
    codes = [c for c, k in zip(codes, keep) if k]
    years = [y for y, k in zip(years, keep) if k]
    goal = frame["coverage"].to_numpy(dtype=np.float64)[np.asarray(keep, dtype=bool)]
    n = len(codes)
    month_at = {p: i for i, p in enumerate(result.months.asi8.tolist())}
    r = np.array([result.index_of(c) for c in codes], dtype=np.int64)
    t = np.array([month_at[deadlines[y].ordinal] for y in years], dtype=np.int64)
    # whether each target region's median coverage reaches the target, per month (for the first
    # month reaching it), and each target's (paths,) at its deadline; only these regions and
    # months are computed, and regions the scenario leaves alone compare their baseline's medians
    reached, act, emp = result.target_inputs(r, goal, t)
    probability, median, p10, p90, gap = (np.empty(n) for _ in range(5))

    def block(lo: int, hi: int) -> None:  # the deadline figures; each target's own numbers
        cov = coverage_ratio(act[lo:hi], emp[lo:hi])
        reaching = np.where(np.isnan(cov), -np.inf, cov) >= goal[lo:hi, None]  # NaN: not reached
        probability[lo:hi] = reaching.mean(axis=1)
        if np.isnan(cov).any():
            median[lo:hi] = orderstats.nanmedian(cov, axis=1)
            p10[lo:hi], p90[lo:hi] = orderstats.nanquantile(cov, (0.1, 0.9), axis=1)
        else:  # numpy's numbers, partitioning cov, emp and act in place (they are not used after)
            median[lo:hi], (p10[lo:hi], p90[lo:hi]) = orderstats.median_and_quantiles(cov, (0.1, 0.9))
        gap[lo:hi] = (goal[lo:hi] * orderstats.median(emp[lo:hi]).astype(np.float64)
                      - orderstats.median(act[lo:hi]).astype(np.float64))

    in_blocks(n, block, 4 * result.paths)  # coverage and the partitions: about 4 passes per value
    # first month the median coverage path reaches the target
    first = np.full(n, pd.NaT.value, dtype=np.int64)
    if n:
        hit = reached.any(axis=1)
        first[hit] = result.months.asi8[reached[hit].argmax(axis=1)]
    return pd.DataFrame({
        "region_code": pd.Series(codes, dtype=object),
        "year": np.array(years, dtype=np.int64),
        "target": goal,
        "deadline": pd.PeriodIndex.from_ordinals(result.months.asi8[t], freq="M"),
        "probability": probability.astype(np.float64),
        "median": median,
        "p10": p10,
        "p90": p90,
        "gap_persons": np.maximum(gap, 0.0),
        "first_month": pd.PeriodIndex.from_ordinals(first, freq="M"),
        "status": pd.Series([status_of(float(p), thresholds) for p in probability], dtype=object),
    }, columns=ASSESS_COLUMNS)

"""Tidy frames that shells render: coverage history, fan-chart quantiles, overview and costs.

Pure functions over a Panel, a Result and targets; no plotting and no Streamlit here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.engine import Result
from simulator.regions import RegionTree

FAN_QUANTILES = (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)


def history_coverage(history: pd.DataFrame, workforce: pd.DataFrame, tree: RegionTree, code: str) -> pd.DataFrame:
    """Observed monthly active participants, workforce and coverage for region ``code``.

    Active is the sum of the kabupaten/kota under ``code`` (all segments); the workforce is the
    annual Sakernas figure for ``code`` interpolated log-linearly to months.

    Returns ``month, active, employed, coverage`` ([persons], [persons], [fraction]).
    """
    from simulator.projection import monthly_workforce

    leaves = set(tree.leaves(code))
    rows = history[history["region_code"].isin(leaves)]
    active = rows.groupby("ds")["active"].sum()
    months = pd.PeriodIndex(active.index.astype(str), freq="M")
    own = workforce[workforce["region_code"] == code]
    if own.empty:
        employed = monthly_workforce(workforce, sorted(leaves), months).sum(axis=0)
    else:
        employed = monthly_workforce(own, [code], months)[0]
    frame = pd.DataFrame({"month": months, "active": active.to_numpy(dtype=float), "employed": employed})
    frame["coverage"] = frame["active"] / frame["employed"]
    return frame


def fan(result: Result, code: str, quantiles: tuple[float, ...] = FAN_QUANTILES) -> pd.DataFrame:
    """Quantiles of projected coverage per month for region ``code``.

    Returns a tidy frame ``month, quantile, coverage`` [fraction].
    """
    r = result.index_of(code)
    q = np.nanquantile(result.coverage[r], quantiles, axis=0)  # (Q, T)
    return pd.DataFrame({
        "month": np.tile(np.asarray(result.months), len(quantiles)),
        "quantile": np.repeat(quantiles, len(result.months)),
        "coverage": q.reshape(-1),
    })


def fan_wide(result: Result, code: str) -> pd.DataFrame:
    """Fan quantiles as columns ``month, q2.5, q10, q25, q50, q75, q90, q97.5`` (for band charts)."""
    tidy = fan(result, code)
    wide = tidy.pivot(index="month", columns="quantile", values="coverage")
    wide.columns = [f"q{100 * q:g}" for q in wide.columns]
    return wide.reset_index()


def cost_by_payer_year(result: Result) -> pd.DataFrame:
    """Expected cost ``payer, year, cost_idr`` [IDR], summed over levers."""
    if result.cost.empty:
        return pd.DataFrame({"payer": pd.Series(dtype=str), "year": pd.Series(dtype=np.int64), "cost_idr": pd.Series(dtype=float)})
    return result.cost.groupby(["payer", "year"], as_index=False)["cost_idr"].sum()


def waterfall_at(result: Result, code: str, month: pd.Period) -> pd.DataFrame:
    """Median persons per step (baseline, then each lever) for ``code`` at ``month`` [persons]."""
    c = result.contributions
    rows = c[(c["region_code"] == code) & (c["month"] == month)]
    return rows[["lever", "persons"]].reset_index(drop=True)


def overview(result: Result, status: pd.DataFrame, tree: RegionTree, codes: list[str]) -> pd.DataFrame:
    """One row per region and target year: name, target, median, probability, gap, status."""
    names = {c: tree.name(c) for c in codes}
    rows = status[status["region_code"].isin(codes)].copy()
    rows.insert(1, "name", rows["region_code"].map(names))
    return rows.reset_index(drop=True)

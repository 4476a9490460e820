"""The answer: Sobol' first-order and total indices with bootstrap intervals, thresholds, the written
result and the tornado table.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.errors import InputError
from simulator.sweep.design import DEFAULTS, Design


def _estimates(ya: np.ndarray, yb: np.ndarray, yab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First-order (Saltelli 2010) and total (Jansen 1999) indices; ya, yb (n, ...), yab (d, n, ...).
    NaN where the output does not vary."""
    variance = np.var(np.concatenate([ya, yb]), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(variance > 0, variance, np.nan)
        first = np.mean(yb[None] * (yab - ya[None]), axis=1) / scale
        total = 0.5 * np.mean((ya[None] - yab) ** 2, axis=1) / scale
    return first, total


def sobol_indices(
    y: np.ndarray, design: Design, boot: int = 200, level: float = 0.95, seed: int = 0
) -> dict[str, np.ndarray]:
    """First-order and total Sobol' indices of every output column with bootstrap intervals.

    Parameters
    ----------
    y : ndarray, shape (points, ...)
        The outputs at every design point (rows as in ``design``; only the Saltelli rows are read).
    design : Design
    boot : int
        Bootstrap resamples of the n rows (the same rows of A, B and every AB_j).
    level : float
        Confidence level of the percentile intervals.

    Returns
    -------
    dict of ndarray, each (d, ...)
        ``first, first_lo, first_hi, total, total_lo, total_hi``.

    References
    ----------
    Saltelli, A. et al. (2010), Variance based sensitivity analysis of model output. Design and
    estimator for the total sensitivity index, Computer Physics Communications 181, 259-270 (table 2:
    first order (b), total (f), Jansen).
    """
    n, d = design.n, len(design.dims)
    y = np.asarray(y, dtype=np.float64)
    ya, yb = y[:n], y[n : 2 * n]
    yab = y[2 * n : (2 + d) * n].reshape(d, n, *y.shape[1:])
    first, total = _estimates(ya, yb, yab)
    rng = np.random.default_rng(seed)
    firsts, totals = np.empty((boot, *first.shape)), np.empty((boot, *total.shape))
    for b in range(boot):
        rows = rng.integers(0, n, n)
        firsts[b], totals[b] = _estimates(ya[rows], yb[rows], yab[:, rows])
    tail = 100 * (1 - level) / 2
    import warnings

    with warnings.catch_warnings():  # an output that never varies has NaN indices: no warning
        warnings.simplefilter("ignore", RuntimeWarning)
        f_lo, f_hi = np.nanpercentile(firsts, [tail, 100 - tail], axis=0) if boot else (first, first)
        t_lo, t_hi = np.nanpercentile(totals, [tail, 100 - tail], axis=0) if boot else (total, total)
    return {
        "first": first,
        "first_lo": f_lo,
        "first_hi": f_hi,
        "total": total,
        "total_lo": t_lo,
        "total_hi": t_hi,
    }


def thresholds(probability: np.ndarray, design: Design, level: float) -> tuple[np.ndarray, list[list[str]]]:
    """Per assumption and target: the value where the probability of reaching the target crosses
    ``level`` in the scan (the others central), interpolated linearly between grid values; of
    several crossings the one nearest the central value.

    Returns
    -------
    values : ndarray (d, targets), NaN where there is no crossing
    sides : list (d) of lists (targets) of "lost below", "lost above", "never lost" or "never reached"
    """
    probability = np.asarray(probability, dtype=np.float64)
    d = len(design.dims)
    out = np.full((d, probability.shape[1]), np.nan)
    sides: list[list[str]] = []
    for j, dim in enumerate(design.dims):
        x = design.values[design.scan_rows(j), j]
        p = probability[design.scan_rows(j)]  # (grid, targets)
        reached = p >= level
        row = []
        for k in range(p.shape[1]):
            change = np.flatnonzero(reached[1:, k] != reached[:-1, k])
            if not len(change):
                row.append("never lost" if reached[0, k] else "never reached")
                continue
            cross = []
            for i in change:
                p0, p1 = p[i, k], p[i + 1, k]
                w = (level - p0) / (p1 - p0) if p1 != p0 else 0.5
                cross.append(x[i] + w * (x[i + 1] - x[i]))
            best = int(np.argmin(np.abs(np.array(cross) - dim.central)))
            out[j, k] = cross[best]
            row.append("lost below" if reached[change[best] + 1, k] else "lost above")
        sides.append(row)
    return out, sides


@dataclass(frozen=True)
class SweepResult:
    """Tables of a finished sweep (each tidy, one row per target and what is described):

    * ``summary``: per target, the probability at the central values and its spread over the
      assumption sets (A and B rows: mean, p10, p50, p90), the share of sets with probability
      >= ``level``, the gap and cost spread;
    * ``indices``: per target, output and assumption: first-order and total Sobol' indices with
      bootstrap intervals;
    * ``thresholds``: per target and assumption: central value, the value beyond which the target
      is lost (probability below ``level``, the others central) and on which side.
    """

    summary: pd.DataFrame
    indices: pd.DataFrame
    thresholds: pd.DataFrame
    design: pd.DataFrame
    level: float


def analyse(
    y: np.ndarray,
    design: Design,
    rows: pd.DataFrame,
    outputs: Sequence[str],
    level: float = 0.5,
    boot: int = 200,
    seed: int = 0,
) -> SweepResult:
    """Indices, thresholds and summaries from the outputs ``y`` (points, rows, outputs)."""
    keys = rows.reset_index(drop=True)
    n = design.n
    sets = y[: 2 * n]
    ind = sobol_indices(y, design, boot=boot, seed=seed)  # each (d, rows, outputs)
    records = []
    for j, dim in enumerate(design.dims):
        for k, out in enumerate(outputs):
            part = keys.copy()
            part["output"], part["assumption"] = out, dim.name
            for name, arr in ind.items():
                part[name] = arr[j, :, k]
            records.append(part)
    indices = pd.concat(records, ignore_index=True)
    summary = keys.copy()
    central = y[design.central_row]
    for k, out in enumerate(outputs):
        summary[f"{out}_central"] = central[:, k]
        summary[f"{out}_mean"] = sets[:, :, k].mean(axis=0)
        for q in (10, 50, 90):
            summary[f"{out}_p{q}"] = np.percentile(sets[:, :, k], q, axis=0)
    if "probability" in outputs:
        p = sets[:, :, list(outputs).index("probability")]
        summary["share_reaching"] = (p >= level).mean(axis=0)
        values, sides = thresholds(y[:, :, list(outputs).index("probability")], design, level)
        parts = []
        for j, dim in enumerate(design.dims):
            part = keys.copy()
            part["assumption"], part["central"] = dim.name, dim.central
            part["lowest"], part["highest"] = design.values[design.scan_rows(j), j][[0, -1]]
            part["threshold"], part["side"] = values[j], sides[j]
            parts.append(part)
        table = pd.concat(parts, ignore_index=True)
    else:
        table = pd.DataFrame()
    return SweepResult(summary=summary, indices=indices, thresholds=table, design=design.frame(), level=level)


def write_result(
    result: SweepResult, folder: str | Path, illustrative: bool, extra: dict | None = None
) -> list[Path]:
    """``summary.csv``, ``indices.csv``, ``thresholds.csv``, ``design.csv`` and ``analysis.json``
    (the probability level and ``extra``) in ``folder``, each written atomically."""
    from simulator.results_io import atomic_write, write_csv

    folder = Path(folder)
    files = [
        write_csv(getattr(result, name), folder / f"{name}.csv", illustrative)
        for name in ("summary", "indices", "thresholds", "design")
    ]
    meta = {"level": result.level, "illustrative": bool(illustrative), **(extra or {})}
    files.append(atomic_write(folder / "analysis.json", json.dumps(meta, indent=1)))
    return files


def read_result(folder: str | Path) -> SweepResult:
    """The tables of a finished sweep folder (``write_result``); InputError when it has none."""
    folder = Path(folder)
    tables = {}
    for name in ("summary", "indices", "thresholds", "design"):
        path = folder / f"{name}.csv"
        if not path.exists():
            raise InputError(f"{folder}: no finished sweep here ({name}.csv missing)")
        with path.open(encoding="utf-8") as fh:
            skip = 1 if fh.readline().startswith("#") else 0
        tables[name] = pd.read_csv(path, skiprows=skip, dtype={"region_code": str, "applied_from": str})
    meta_file = folder / "analysis.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.exists() else {}
    return SweepResult(**tables, level=float(meta.get("level", DEFAULTS["probability"])))


def tornado(
    result: SweepResult,
    region: str,
    year: int | None = None,
    output: str = "probability",
    scheme: str | None = None,
) -> pd.DataFrame:
    """One target's assumptions by total index (largest first) with their intervals and thresholds:
    ``assumption, first, first_lo, first_hi, total, total_lo, total_hi, central, threshold, side,
    year, target, scheme``. ``year`` defaults to the target's first year in the sweep."""
    ind = result.indices[
        (result.indices["region_code"].astype(str) == region) & (result.indices["output"] == output)
    ]
    if not len(ind):
        return pd.DataFrame()
    year = int(ind["year"].min()) if year is None else int(year)
    ind = ind[ind["year"] == year]
    if scheme is not None and "scheme" in ind.columns:
        ind = ind[ind["scheme"] == scheme]
    elif "scheme" in ind.columns and len(ind):
        ind = ind[ind["scheme"] == ind["scheme"].iloc[0]]
    cols = ["assumption", "first", "first_lo", "first_hi", "total", "total_lo", "total_hi", "year", "target"]
    table = ind[[c for c in [*cols, "scheme"] if c in ind.columns]].copy()
    th = result.thresholds
    if len(th):
        th = th[(th["region_code"].astype(str) == region) & (th["year"] == year)]
        if "scheme" in th.columns and len(table) and "scheme" in table.columns:
            th = th[th["scheme"] == table["scheme"].iloc[0]]
        table = table.merge(th[["assumption", "central", "threshold", "side"]], on="assumption", how="left")
    return table.sort_values("total", ascending=False, na_position="last").reset_index(drop=True)

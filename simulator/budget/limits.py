"""Eligible pools and enrolment capacity per kabupaten/kota: how many a lever can reach at all, and
how fast it can enrol them.

* contribution subsidy: uncovered non-wage (BPU-eligible) workers,
  ``informal_share x employed - BPU active`` (at most the uncovered workforce);
* village officials: officials of the desa in scope (kelurahan have none) less those already
  enrolled, ``desa x officials_per_village x (1 - officials_already_enrolled)``;
* employer compliance: uncovered wage earners, ``(1 - informal_share) x employed - (active - BPU
  active)`` (at most the uncovered workforce);
* capacity: ``enrolment_points_per_kabkota x enrolment_per_point_month`` persons a month per
  kabupaten/kota, shared by every lever.

Every default comes from ``data/parameters.yaml`` in force at the lever's start (sources and
assumption flags there); BPU active per kabupaten/kota comes from the history's BPU segment when
given, else ``bpu_share_of_active``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulator import orderstats
from simulator.baseline import Baseline
from simulator.budget.common import COMPLIANCE, SUBSIDY, number
from simulator.errors import InputError
from simulator.parameters import parameter, value_at
from simulator.regions import RegionTree


@dataclass(frozen=True)
class Limits:
    """Eligible pool and enrolment capacity per kabupaten/kota for one lever kind.

    Attributes
    ----------
    kind : str
    leaves : tuple of str
        Kabupaten/kota codes, in the order of the arrays.
    pool : numpy.ndarray
        Eligible pool per kabupaten/kota [persons; officials for the village lever], inf where
        unlimited.
    capacity : numpy.ndarray
        Enrolment capacity per kabupaten/kota [persons/month], inf where unlimited.
    sources : dict
        ``name -> (value, unit, assumption, reference)`` of every parameter used (for display).
    cap_share : float or None
        Share of employed levers can fill (``engine.lever_cap_shares``); None: the parameter.
    """

    kind: str
    leaves: tuple[str, ...]
    pool: np.ndarray
    capacity: np.ndarray
    sources: dict
    cap_share: float | None = None


def bpu_shares(history: pd.DataFrame | None) -> dict[str, float]:
    """BPU active / all active per region in the last month of a history with segments
    (``region_code, segment, ds, active``) [fraction]; {} when it has no BPU segment."""
    if history is None or not len(history) or "segment" not in history.columns:
        return {}
    frame = history[history["segment"].astype(str).str.upper() != "ALL"]
    if not (frame["segment"].astype(str).str.upper() == "BPU").any():
        return {}
    last = frame[frame["ds"] == frame["ds"].max()]
    total = last.groupby(last["region_code"].astype(str))["active"].sum()
    bpu = (
        last[last["segment"].astype(str).str.upper() == "BPU"]
        .groupby(last["region_code"].astype(str))["active"]
        .sum()
    )
    share = (bpu.reindex(total.index).fillna(0.0) / total.where(total > 0)).dropna()
    return {str(k): float(v) for k, v in share.items()}


def _source(name: str, date: Any) -> tuple[float, str, bool, str]:
    p = parameter(name)
    v = p.at(date)
    return (float(v.value), p.unit, p.assumption, v.reference)


def _per_leaf(value: Any, leaves: Sequence[str], default: np.ndarray, what: str) -> np.ndarray:
    """A scalar, a mapping code -> value (missing codes keep the default) or None (the default)."""
    if value is None:
        return default
    if isinstance(value, Mapping):
        out = default.copy()
        pos = {c: i for i, c in enumerate(leaves)}
        for code, v in value.items():
            if str(code) in pos:
                v = float("inf") if v == math.inf else number(v, f"{what}: {code}")
                if v < 0:
                    raise InputError(f"{what}: {code}: expected a non-negative number, got {v:g}")
                out[pos[str(code)]] = v
        return out
    if value == math.inf:
        return np.full(len(leaves), np.inf)
    v = number(value, what)
    if v < 0:
        raise InputError(f"{what}: expected a non-negative number, got {v:g}")
    return np.full(len(leaves), v)


def limits_for(
    kind: str,
    baseline: Baseline,
    tree: RegionTree,
    leaves: Sequence[str],
    at: pd.Period,
    paths: int,
    *,
    pool: Any = None,
    capacity: Any = None,
    bpu_share: Mapping[str, float] | float | None = None,
    informal_share: Any = None,
    cap_share: float | None = None,
) -> Limits:
    """Pools and capacity of ``leaves`` for a lever of ``kind`` starting at ``at``.

    Parameters
    ----------
    pool : None, number, mapping code -> number, or math.inf
        Override of the eligible pool per kabupaten/kota [persons] (inf: the workforce is the
        only limit).
    capacity : None, number, mapping, or math.inf
        Override of the enrolment capacity per kabupaten/kota [persons/month] (inf: unlimited).
    bpu_share : mapping code -> fraction or number, optional
        BPU share of active participants (``bpu_shares(history)``); missing codes take
        ``bpu_share_of_active``.
    informal_share : number or mapping, optional
        Informal share of employed persons; default ``informal_share``.

    The uncovered figures are medians over paths at the start month (as the engine splits a lever).
    """
    from simulator.engine import desa_counts

    leaves = list(leaves)
    date = at
    sources: dict[str, tuple] = {}
    t = int(np.clip((at - baseline.months[0]).n, 0, len(baseline.months) - 1))
    rows = np.array([baseline.index_of(c) for c in leaves], dtype=np.int64)
    if kind in (SUBSIDY, COMPLIANCE):
        emp = baseline.employed[rows, :paths, t].astype(np.float64)
        act = baseline.active[rows, :paths, t].astype(np.float64)
        sources["informal_share"] = _source("informal_share", date)
        informal = _per_leaf(
            informal_share, leaves, np.full(len(leaves), sources["informal_share"][0]), "informal_share"
        )
        default_bpu = _source("bpu_share_of_active", date)
        given = bpu_share if isinstance(bpu_share, Mapping) else {}
        bpu = _per_leaf(
            None if isinstance(bpu_share, Mapping) else bpu_share,
            leaves,
            np.full(len(leaves), default_bpu[0]),
            "bpu_share",
        )
        from_history = 0
        for i, c in enumerate(leaves):
            if c in given:
                bpu[i], from_history = float(given[c]), from_history + 1
        if from_history < len(leaves):
            sources["bpu_share_of_active"] = default_bpu
        uncovered = np.maximum(emp - act, 0.0)
        if kind == SUBSIDY:
            eligible = informal[:, None] * emp - bpu[:, None] * act
        else:
            eligible = (1.0 - informal[:, None]) * emp - (1.0 - bpu[:, None]) * act
        default_pool = orderstats.median(np.clip(eligible, 0.0, uncovered)).astype(np.float64)
    else:
        per_village = _source("officials_per_village", date)
        already = _source("officials_already_enrolled", date)
        sources["officials_per_village"], sources["officials_already_enrolled"] = per_village, already
        default_pool = desa_counts(tree, leaves) * per_village[0] * (1.0 - already[0])
    pools = _per_leaf(pool, leaves, default_pool, "pool")
    points, per_point = (
        _source("enrolment_points_per_kabkota", date),
        _source("enrolment_per_point_month", date),
    )
    sources["enrolment_points_per_kabkota"], sources["enrolment_per_point_month"] = points, per_point
    caps = _per_leaf(capacity, leaves, np.full(len(leaves), points[0] * per_point[0]), "capacity")
    return Limits(
        kind=kind, leaves=tuple(leaves), pool=pools, capacity=caps, sources=sources, cap_share=cap_share
    )


def default_capacity(date: Any = None) -> float:
    """Enrolment capacity of one kabupaten/kota [persons/month] in force at ``date``."""
    return float(value_at("enrolment_points_per_kabkota", date)) * float(
        value_at("enrolment_per_point_month", date)
    )


def panel_inputs(panel: Any) -> dict[str, Any]:
    """What the budget tools take from a loaded panel: official ``targets``, ``workforce`` (UCJ
    denominators) and ``bpu_share`` per kabupaten/kota from the history's BPU segment. The command
    line and the app both call this, so they give the same answer."""
    history = getattr(panel, "history", None)
    return {
        "targets": getattr(panel, "targets", None),
        "workforce": getattr(panel, "workforce", None),
        "bpu_share": bpu_shares(history) or None,
    }

"""The Baseline contract: coherent sample paths of active participants and of the workforce.

Forecasts produce a Baseline; scenarios run on top of one. ``fake_baseline`` builds a synthetic,
coherent Baseline from kabupaten/kota leaves for tests and benchmarks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from simulator.errors import InputError

# summing_matrix lives in regions (the tree owns it); callers may still import it from here
from simulator.regions import RegionTree, summing_matrix


class RegionRows:
    """``index_of`` for objects with ``regions`` (Baseline, engine.Result): the row of a region code
    in their arrays; ``_what`` names the object in the message for an unknown code."""

    regions: tuple[str, ...]
    _what = "baseline"

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.regions)}

    def index_of(self, code: str) -> int:
        """Row of region ``code`` in the arrays; InputError when unknown."""
        try:
            return self._positions[code]
        except KeyError:
            raise InputError(f"{self._what}: unknown region code {code!r}") from None


@dataclass(frozen=True, eq=False)
class Baseline(RegionRows):
    """Projected sample paths per region and month, coherent across the region tree.

    Attributes
    ----------
    regions : tuple of str
        All region codes in RegionTree order (nation, provinces, kabupaten/kota).
    months : pandas.PeriodIndex
        Projection months (freq "M"), e.g. 2025-07 .. 2030-06.
    active : numpy.ndarray
        Active participants [persons], float32, shape (regions, paths, months). Every parent
        equals the sum of its children in every path.
    employed : numpy.ndarray
        Workforce (employed population) [persons], same shape; ``active <= employed``.
    last_observed : pandas.Period
        Last month of history.
    meta : dict
        Data hash, settings and other provenance.
    """

    regions: tuple[str, ...]
    months: pd.PeriodIndex
    active: np.ndarray
    employed: np.ndarray
    last_observed: pd.Period
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        shape = (len(self.regions), self.active.shape[1] if self.active.ndim == 3 else -1, len(self.months))
        if self.active.ndim != 3 or self.active.shape != shape:
            raise InputError(f"baseline: active has shape {self.active.shape}, expected {shape}")
        if self.employed.shape != self.active.shape:
            raise InputError(
                f"baseline: employed has shape {self.employed.shape}, expected {self.active.shape}"
            )
        # read-only views: the engine keeps per-baseline medians and headroom (simulator.engine.memo)
        # that would silently go stale if the paths were changed in place
        for name in ("active", "employed"):
            view = getattr(self, name).view()
            view.flags.writeable = False
            object.__setattr__(self, name, view)

    @property
    def paths(self) -> int:
        """Number of sample paths."""
        return int(self.active.shape[1])

    def month_index(self, month: str | pd.Period) -> int:
        """Column of ``month`` (a "YYYY-MM" string or Period) in the month axis."""
        period = pd.Period(month, freq="M")
        pos = self.months.get_indexer([period])[0]
        if pos < 0:
            raise InputError(
                f"baseline: month {period} outside the projection {self.months[0]}..{self.months[-1]}"
            )
        return int(pos)


def coverage_ratio(active: np.ndarray, employed: np.ndarray) -> np.ndarray:
    """active / employed [fraction] in float64, NaN where employed is 0."""
    # float32 inputs are divided in float64 (each converted exactly), no float64 copies made
    act, emp = np.asarray(active), np.asarray(employed)
    if emp.size and emp.min() > 0:  # nothing masked: one plain division (twice as fast)
        return np.divide(act, emp, dtype=np.float64, casting="same_kind")
    out = np.full(np.broadcast_shapes(act.shape, emp.shape), np.nan)
    return np.divide(act, emp, out=out, where=emp > 0, dtype=np.float64, casting="same_kind")


def aggregate(s: np.ndarray, leaf: np.ndarray) -> np.ndarray:
    """Sum leaves up the tree: S (R, L) x leaf (L, P, T) -> (R, P, T) float32, added in float64.

    Uses the 0/1 structure of S (a row with one leaf is a copy, others are sums over their leaves),
    which is far cheaper than a dense product for a tree.
    """
    regions, (_, paths, months) = s.shape[0], leaf.shape
    out = np.empty((regions, paths, months), dtype=np.float32)
    for i in range(regions):
        idx = np.flatnonzero(s[i])
        if idx.size == 1:
            out[i] = leaf[idx[0]]
        elif idx.size == 0:
            out[i] = 0.0
        else:
            out[i] = np.sum(leaf[idx], axis=0, dtype=np.float64)
    return out


def _per_leaf(
    values: float | Sequence[float] | Mapping[str, float], leaves: list[str], what: str
) -> np.ndarray:
    if isinstance(values, Mapping):
        missing = [c for c in leaves if c not in values]
        if missing:
            raise InputError(f"fake_baseline: {what} has no value for kabupaten/kota {missing[0]!r}")
        out = np.array([float(values[c]) for c in leaves])
    else:
        out = np.broadcast_to(np.asarray(values, dtype=np.float64), (len(leaves),)).copy()
    if (out < 0).any():
        raise InputError(f"fake_baseline: {what} must be non-negative")
    return out


def fake_baseline(
    tree: RegionTree,
    months: pd.PeriodIndex | Sequence[str] | tuple[str, str],
    paths: int,
    active_per_leaf: float | Sequence[float] | Mapping[str, float],
    employed_per_leaf: float | Sequence[float] | Mapping[str, float],
    growth: float = 0.0,
    noise: float = 0.0,
    seed: int = 0,
) -> Baseline:
    """Synthetic coherent Baseline built from kabupaten/kota leaves through the summing matrix S.

    Parameters
    ----------
    tree : RegionTree
        Region tree; every kabupaten/kota is a leaf.
    months : PeriodIndex, sequence of "YYYY-MM", or (first, last) pair
        Projection months; ``last_observed`` is the month before the first.
    paths : int
        Number of sample paths.
    active_per_leaf, employed_per_leaf : float, sequence or mapping code -> value
        Active participants and workforce per leaf in the first month [persons].
    growth : float
        Monthly growth of both series [fraction/month].
    noise : float
        Standard deviation of a multiplicative log random walk on active [fraction/sqrt(month)];
        0 gives identical paths.
    seed : int
        Seed for ``numpy.random.default_rng``.

    Returns
    -------
    Baseline
        With ``active <= employed`` at every leaf and parents equal to sums of children.
    """
    if isinstance(months, tuple) and len(months) == 2 and not isinstance(months, pd.PeriodIndex):
        months = pd.period_range(months[0], months[1], freq="M")
    months = pd.PeriodIndex(months, freq="M")
    if paths < 1 or len(months) < 1:
        raise InputError("fake_baseline: need at least one path and one month")
    codes, leaf_codes, s = summing_matrix(tree)
    leaves = list(leaf_codes)
    act0 = _per_leaf(active_per_leaf, leaves, "active_per_leaf")
    emp0 = _per_leaf(employed_per_leaf, leaves, "employed_per_leaf")
    steps = np.arange(len(months), dtype=np.float64)
    trend = (1.0 + growth) ** steps  # (T,)
    emp = np.broadcast_to(emp0[:, None, None] * trend[None, None, :], (len(leaves), paths, len(months)))
    act = act0[:, None, None] * trend[None, None, :]
    if noise > 0:
        rng = np.random.default_rng(seed)
        shocks = rng.normal(0.0, noise, size=(len(leaves), paths, len(months)))
        act = act * np.exp(np.cumsum(shocks, axis=2))
    act = np.minimum(np.broadcast_to(act, emp.shape), emp)
    active = aggregate(s, act.astype(np.float32))
    employed = aggregate(s, emp.astype(np.float32))
    return Baseline(
        regions=tuple(codes),
        months=months,
        active=active,
        employed=employed,
        last_observed=months[0] - 1,
        meta={"source": "fake_baseline", "growth": growth, "noise": noise, "seed": seed, "paths": paths},
    )

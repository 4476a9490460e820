"""A budget plan as the engine runs it: one lever per kabupaten/kota in scope, the region's size
split over them in proportion to their eligible pools, all enrolling over the same ramp and funded
for the same months; and the closed form of what such a plan adds at each deadline.

Kabupaten/kota ``l`` of region ``i`` gets ``w_il x N_i`` (its share of the pool); in path ``p`` at
deadline ``d`` its lever adds ``min(w_il g_ilpd N_i, room_ilpd)`` persons, with ``g`` the persons
added per unit (ramp, deadweight, retention after the end: the lever's own effect function with
size 1) and ``room`` the uncovered workforce. Capacity ``c_il`` [persons/month] bounds the ramp:
``w_il N_i / ramp <= c_il``. Lever ``j`` of the plan (regions in order, their kabupaten/kota in
tree order) draws its behavioural parameters from the ``j``-th child of the seed, as
``run_scenario`` does, so the closed form and the engine see the same draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulator.baseline import Baseline
from simulator.budget.common import COMPLIANCE, SUBSIDY, VILLAGE, needed_sizes, sized
from simulator.budget.limits import Limits, limits_for
from simulator.levers import contribution_subsidy, employer_compliance, village_officials
from simulator.regions import RegionTree, summing_matrix
from simulator.scenario import ContributionSubsidy, Lever, Scenario, VillageOfficials


def _draws(lever: Lever, rng: np.random.Generator, paths: int, uncertainty: bool) -> list[np.ndarray]:
    """Behavioural draws in the engine's order (``simulator.engine.effects._effect``)."""

    def draw(param) -> np.ndarray:
        return param.sample(rng, paths) if uncertainty else np.full(paths, param.mean())

    if isinstance(lever, ContributionSubsidy):
        return [draw(lever.already_covered), draw(lever.retention_after), draw(lever.lapse)]
    if isinstance(lever, VillageOfficials):
        return [draw(lever.enrolled_share)]
    return []


def _uncertain(lever: Lever) -> list:
    if isinstance(lever, ContributionSubsidy):
        return [lever.already_covered, lever.retention_after, lever.lapse]
    if isinstance(lever, VillageOfficials):
        return [lever.enrolled_share]
    return []


def peak_of(lever: Lever) -> float:
    """Mean persons added per unit at full size: 1 - already_covered, enrolled_share, or 1."""
    if isinstance(lever, ContributionSubsidy):
        return 1.0 - float(lever.already_covered.mean())
    if isinstance(lever, VillageOfficials):
        return float(lever.enrolled_share.mean())
    return 1.0


@dataclass(frozen=True, eq=False)
class Frame:
    """Arrays for sizing one lever kind in R disjoint regions at D deadlines (float64).

    ``W`` is the largest number of kabupaten/kota under one region; padding is masked out.
    """

    template: Lever
    codes: tuple[str, ...]
    deadlines: tuple[pd.Period, ...]
    goals: np.ndarray  # (D, R) targets on the engine's BPS basis [fraction]
    leaves: tuple[tuple[str, ...], ...]  # per region, tree order
    mask: np.ndarray  # (R, W)
    weights: np.ndarray  # (R, W) share of the region's size per kabupaten/kota
    desa: np.ndarray  # (R, W)
    pool: np.ndarray  # (R, W) eligible pool [persons / officials]
    capacity: np.ndarray  # (R, W) [persons/month]
    draws: tuple[np.ndarray, ...]  # each (R, W, P)
    room: np.ndarray  # (D, R, W, P) uncovered per kabupaten/kota at each deadline
    deficit: np.ndarray  # (D, R, P) target x employed - active of the region
    emp: np.ndarray  # (D, R, P) employed of the region
    act: np.ndarray  # (D, R, P) active of the region
    limits: tuple[Limits, ...]
    baseline_end: pd.Period
    first_month: pd.Period

    @property
    def kind(self) -> str:
        return self.template.kind

    @property
    def paths(self) -> int:
        return self.room.shape[-1]

    def pool_size(self) -> np.ndarray:
        """Largest region size [units] within every kabupaten/kota's eligible pool, (R,).

        A subsidy's pool counts uncovered workers and (1 - already_covered) of the subsidised are
        uncovered, so its size can be pool / (1 - already_covered)."""
        scale = peak_of(self.template) if self.kind == SUBSIDY else 1.0
        scale = scale if scale > 0 else 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            per = np.where(self.weights > 0, self.pool / scale / self.weights, np.inf)
        out = per.min(axis=1)
        return np.where(self.weights.sum(axis=1) > 0, out, 0.0)

    def capacity_rate(self) -> np.ndarray:
        """Largest region size enrolled per month within every kabupaten/kota's capacity, (R,)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            per = np.where(self.weights > 0, self.capacity / self.weights, np.inf)
        return per.min(axis=1)

    def size_cap(self, ramp: int) -> np.ndarray:
        """Largest whole region size within the pools and, over ``ramp`` months, the capacity (R,)."""
        cap = np.minimum(self.pool_size(), self.capacity_rate() * max(int(ramp), 1))
        return np.floor(np.where(np.isfinite(cap), cap, 1e15) + 1e-6)

    def offsets(self) -> np.ndarray:
        return np.array([(d - self.template.start).n for d in self.deadlines], dtype=np.int64)

    def _unit(self, ramp: int, months: int | None, offset: np.ndarray, cost: bool = False) -> np.ndarray:
        """Per unit of a kabupaten/kota lever's size: persons (or cost [IDR]) per path at ``offset``,
        shape (R, W, P, len(offset))."""
        shape = self.draws[0].shape if self.draws else (1, 1, 1)
        flat = [d.reshape(-1) for d in self.draws]
        one = np.ones(1)
        unit_cost = float(getattr(self.template, "unit_cost", 0.0)) if cost else 0.0
        if self.kind == SUBSIDY:
            assert months is not None  # a subsidy always runs for a number of months
            covered, retention, lapse = flat
            effect = contribution_subsidy(
                1.0, months, ramp, offset, one, covered, retention, lapse, unit_cost
            )
        elif self.kind == VILLAGE:
            effect = village_officials(one, 1.0, flat[0], ramp, months, offset, unit_cost)
        else:
            effect = employer_compliance(1.0, ramp, offset, one, 1, unit_cost)
        out = np.asarray(effect.cost if cost else effect.per_path, dtype=np.float64)
        return np.broadcast_to(out, (int(np.prod(shape)), len(offset))).reshape(*shape, len(offset))

    def slope(self, ramp: int, months: int | None) -> np.ndarray:
        """Persons added per unit of region size before the caps, (D, R, W, P)."""
        g = self._unit(ramp, months, self.offsets())  # (R|1, W|1, P|1, D)
        return np.moveaxis(self.weights[:, :, None, None] * g, -1, 0)

    def needed(self, ramp: int, months: int | None) -> np.ndarray:
        """Region size each path needs at each deadline, (D, R, P) (inf: never)."""
        return needed_sizes(self.room, self.slope(ramp, months), self.deficit)

    def horizon(self, months: int | None) -> pd.Period:
        end = self.deadlines[-1] if months is None else self.template.start + (int(months) - 1)
        return max(self.deadlines[-1], min(end, self.baseline_end))

    def cost_per_unit(self, ramp: int, months: int | None) -> np.ndarray:
        """Expected spending per unit of region size within the horizon [IDR], (R,), as the engine
        counts it (enrolled each month x unit cost, mean over paths)."""
        first = min(self.first_month, self.template.start)
        axis = pd.period_range(first, self.horizon(months), freq="M")
        offset = np.asarray(axis.asi8 - self.template.start.ordinal, dtype=np.int64)
        c = self._unit(ramp, months, offset, cost=True).sum(axis=-1).mean(axis=2)  # (R|1, W|1)
        return (self.weights * c).sum(axis=1)

    def levers(self, sizes: np.ndarray, ramp: int, months: int | None) -> tuple[Lever, ...]:
        """The plan's levers: one per kabupaten/kota, regions in order (zero sizes kept)."""
        out = []
        changes: dict[str, Any] = {"ramp_months": int(ramp)}
        if self.kind == SUBSIDY and months is None:  # a subsidy is always funded for some months
            months = max((self.deadlines[-1] - self.template.start).n + 1, 1)
        if self.kind != COMPLIANCE:
            changes["months"] = None if months is None else int(months)
        for i, leaves in enumerate(self.leaves):
            for j, leaf in enumerate(leaves):
                out.append(
                    sized(
                        self.template, leaf, float(sizes[i]) * self.weights[i, j], self.desa[i, j], **changes
                    )
                )
        return tuple(out)

    def scenario(self, sizes: np.ndarray, ramp: int, months: int | None, name: str = "budget") -> Scenario:
        return Scenario(name=name, horizon=self.horizon(months), levers=self.levers(sizes, ramp, months))


def build_frame(  # noqa: C901 -- outlier listed in #23 (complexity 12): split, then drop this
    baseline: Baseline,
    template: Lever,
    codes: list[str],
    deadlines: list[pd.Period],
    goals: np.ndarray,
    paths: int,
    seed: int,
    tree: RegionTree,
    uncertainty: bool,
    limits: dict | None = None,
) -> Frame:
    """The arrays of ``Frame`` for ``template`` in the regions ``codes`` at ``deadlines``.

    ``goals`` (D, R): targets on the BPS basis [fraction]. ``limits``: keyword arguments of
    ``limits_for`` (pool, capacity, bpu_share, informal_share).
    """
    from simulator.engine import desa_counts, lever_cap_shares
    from simulator.engine.arrays import lever_room

    all_codes, tree_leaves, s = summing_matrix(tree)
    pos = {c: i for i, c in enumerate(all_codes)}
    per_region = [tuple(tree_leaves[j] for j in np.flatnonzero(s[pos[c]])) for c in codes]
    r, w = len(codes), max(1, max(len(x) for x in per_region))
    mask = np.zeros((r, w), dtype=bool)
    for i, leaves in enumerate(per_region):
        mask[i, : len(leaves)] = True
    flat = [leaf for leaves in per_region for leaf in leaves]

    def spread(values: np.ndarray) -> np.ndarray:
        out, k = np.zeros((r, w)), 0
        for i, leaves in enumerate(per_region):
            out[i, : len(leaves)] = values[k : k + len(leaves)]
            k += len(leaves)
        return out

    lim = limits_for(template.kind, baseline, tree, flat, template.start, paths, **(limits or {}))
    pool, capacity = spread(lim.pool), spread(lim.capacity)
    desa = spread(desa_counts(tree, flat))
    if template.kind == VILLAGE:
        basis = desa  # one officials-per-desa figure over the region (the engine's village lever)
    elif np.isfinite(pool[mask]).all():
        basis = pool
    else:  # no pool limit: split as the engine splits a region's lever, by uncovered workers
        t = int(np.clip((template.start - baseline.months[0]).n, 0, len(baseline.months) - 1))
        rows = np.array([baseline.index_of(c) for c in flat], dtype=np.int64)
        from simulator import orderstats

        gap = baseline.employed[rows, :paths, t].astype(np.float32) - baseline.active[rows, :paths, t].astype(
            np.float32
        )
        basis = spread(np.clip(orderstats.median(gap).astype(np.float64), 0.0, None))
    basis = np.where(mask, basis, 0.0)
    total = basis.sum(axis=1, keepdims=True)
    weights = np.where(total > 0, basis / np.where(total > 0, total, 1.0), 0.0)

    rngs = np.random.default_rng(seed).spawn(max(len(flat), 1))
    if not uncertainty or all(p.is_fixed for p in _uncertain(template)):
        one = _draws(template, rngs[0], paths, uncertainty)
        draws = tuple(np.broadcast_to(d, (1, 1, paths)) for d in one)
    else:
        per = [_draws(template, rng, paths, uncertainty) for rng in rngs[: len(flat)]]
        stacked = []
        for k in range(len(per[0])):
            arr = np.zeros((r, w, paths))
            n = 0
            for i, leaves in enumerate(per_region):
                for j in range(len(leaves)):
                    arr[i, j] = per[n][k]
                    n += 1
            stacked.append(arr)
        draws = tuple(stacked)

    ts = [baseline.month_index(d) for d in deadlines]
    leaf_rows = np.zeros((r, w), dtype=np.int64)
    k = 0
    for i, leaves in enumerate(per_region):
        leaf_rows[i, : len(leaves)] = [pos[c] for c in leaves]
        k += len(leaves)
    region_rows = np.array([pos[c] for c in codes], dtype=np.int64)
    room = np.empty((len(ts), r, w, paths))
    emp = np.empty((len(ts), r, paths))
    act = np.empty((len(ts), r, paths))
    shares = lever_cap_shares(baseline.months[ts], lim.cap_share)
    for d, t in enumerate(ts):
        a = baseline.active[:, :paths, t][leaf_rows].astype(np.float64)
        e = baseline.employed[:, :paths, t][leaf_rows].astype(np.float64)
        # the engine's rule: levers fill a leaf up to its potential workers, and remove nobody
        room[d] = np.where(mask[:, :, None], lever_room(e, shares[d], e, a), 0.0)
        emp[d] = baseline.employed[region_rows, :paths, t].astype(np.float64)
        act[d] = baseline.active[region_rows, :paths, t].astype(np.float64)
    deficit = np.asarray(goals, dtype=np.float64)[:, :, None] * emp - act
    return Frame(
        template=template,
        codes=tuple(codes),
        deadlines=tuple(deadlines),
        goals=np.asarray(goals, dtype=np.float64),
        leaves=tuple(per_region),
        mask=mask,
        weights=weights,
        desa=desa,
        pool=pool,
        capacity=capacity,
        draws=draws,
        room=room,
        deficit=deficit,
        emp=emp,
        act=act,
        limits=(lim,),
        baseline_end=baseline.months[-1],
        first_month=baseline.months[0],
    )

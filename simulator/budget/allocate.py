"""``allocate``: split a rupiah budget across regions (scipy.optimize.milp / linprog) within each
region's eligible pool and enrolment capacity; ``frontier``: per region, the probability of reaching
its target and the persons added as functions of rupiah spent.

A region's plan is the one ``solve`` builds (one lever per kabupaten/kota, split by eligible pool;
``simulator.budget.plan``), with the lever's own ramp and months: capacity caps the size at
capacity x ramp months (give a longer ramp to enrol more). Cost is expected spending as enrolled
within the projection, the same figure ``solve`` and the engine report.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulator.baseline import Baseline
from simulator.budget.common import (
    COMPLIANCE,
    OBJECTIVES,
    added_persons,
    check_disjoint,
    check_paths,
    check_probability,
    check_region,
    check_tree,
    goals_for,
    make_template,
    number,
    parse_deadline,
    smallest_size,
)
from simulator.budget.plan import Frame, build_frame
from simulator.errors import InputError
from simulator.regions import RegionTree, load_regions
from simulator.scenario import Lever, Scenario

log = logging.getLogger(__name__)

ALLOCATION_COLUMNS = [
    "region_code",
    "name",
    "target",
    "needed",
    "cap",
    "pool",
    "capacity",
    "limit",
    "minimum",
    "size",
    "cost_idr",
    "probability",
    "mc_error",
    "reached",
    "expected_new_persons",
]
FRONTIER_COLUMNS = [
    "region_code",
    "name",
    "level",
    "size",
    "cost_idr",
    "probability",
    "expected_new_persons",
    "reached",
]
_SEGMENTS = 16  # pieces of each region's concave expected-persons curve in the workers objective


@dataclass(frozen=True, eq=False)
class Allocation:
    """Answer of ``allocate``.

    Attributes
    ----------
    objective : str
        "regions" or "workers".
    objective_value : float
        Optimum of the model solved: regions reaching their target with the required probability,
        or expected newly covered persons at the deadline.
    budget, spent : float
        Envelope and expected spending as enrolled [IDR] (spent <= budget).
    deadline, required, kind
    lever : Lever
        The template (ramp, months, behaviour).
    table : DataFrame
        One row per region, in the order given: ``region_code, name, target`` [fraction],
        ``needed`` (size reaching the target with the required probability within the limits;
        NaN when not), ``cap`` (largest size within pool and capacity), ``pool`` (eligible pool
        [persons]), ``capacity`` [persons/month], ``limit`` ("" or what keeps the region from its
        target: pool, capacity, workforce), ``minimum``, ``size`` (whole persons), ``cost_idr``,
        ``probability``, ``mc_error``, ``reached``, ``expected_new_persons`` (mean over paths at
        the deadline, after the workforce cap).
    horizon : Period
    seed : int
    frame : Frame
        The arrays behind the answer (for ``scenario`` and ``frontier``).
    """

    objective: str
    objective_value: float
    budget: float
    spent: float
    deadline: pd.Period
    required: float
    kind: str
    lever: Lever
    table: pd.DataFrame
    horizon: pd.Period
    seed: int
    frame: Frame

    @property
    def sources(self) -> dict:
        """Parameters behind the pools and capacity: ``name -> (value, unit, assumption, reference)``."""
        return self.frame.limits[0].sources

    @property
    def regions_reached(self) -> int:
        return int(self.table["reached"].sum())

    @property
    def expected_new_persons(self) -> float:
        return float(self.table["expected_new_persons"].sum())

    def scenario(self, name: str = "allocation") -> Scenario:
        """The allocation as the engine runs it: one lever per kabupaten/kota, regions in table order
        (zero sizes kept, so every lever draws from the same seed child as in ``allocate``)."""
        months = getattr(self.lever, "months", None)
        return self.frame.scenario(
            self.table["size"].to_numpy(dtype=np.float64), self.lever.ramp_months, months, name
        )


def _prepare(
    baseline,
    lever,
    regions,
    deadline,
    probability,
    target,
    targets,
    paths,
    seed,
    tree,
    uncertainty,
    basis,
    workforce,
    limits,
):
    tree = tree if tree is not None else load_regions()
    if isinstance(regions, str) or not regions:
        raise InputError(f"regions: expected a non-empty list of region codes, got {regions!r}")
    check_tree(baseline, tree)
    codes = [check_region(c, baseline, tree, "regions") for c in regions]
    check_disjoint(codes, tree)
    deadline = parse_deadline(deadline, baseline)
    required = check_probability(probability)
    n_paths = check_paths(paths, baseline)
    goals = goals_for(codes, deadline.year, targets, target, tree, basis=basis, workforce=workforce)
    # one envelope split over the regions: paid by the budget of the region holding them all
    template = make_template(lever, codes[0], deadline, baseline, tree, funded=codes)
    frame = build_frame(
        baseline,
        template,
        codes,
        [deadline],
        np.array([[goals[c][0] * goals[c][1] for c in codes]]),
        n_paths,
        seed,
        tree,
        uncertainty,
        limits,
    )
    return tree, codes, deadline, required, n_paths, goals, template, frame


def _months(template: Lever) -> int | None:
    return None if template.kind == COMPLIANCE else getattr(template, "months", None)


def _ramp(template: Lever, lever: Any, deadline: pd.Period) -> int:
    """The lever's ramp when given; else enrolment spread over the months from the start to the
    deadline (as many as capacity can enrol by then; everyone enrolled by the deadline adds the
    same there, and later enrolment costs less), at least the default ramp."""
    given = isinstance(lever, Lever) or (isinstance(lever, Mapping) and "ramp_months" in lever)
    r0 = max(int(template.ramp_months), 1)
    if given:
        return r0
    months = _months(template)
    span = (deadline - template.start).n + 1
    if months is not None:
        span = min(span, int(months))
    return max(r0, span)


def _limits_words(frame: Frame, need: np.ndarray, cap: np.ndarray, free: np.ndarray) -> list[str]:
    out = []
    pool = frame.pool_size()
    for i in range(len(frame.codes)):
        if np.isfinite(need[i]) and need[i] <= cap[i]:
            out.append("")
        elif not np.isfinite(free[i]):
            out.append("pool" if pool[i] <= 0 else "workforce")
        elif free[i] > pool[i]:
            out.append("pool")
        else:
            out.append("capacity")
    return out


def allocate(
    baseline: Baseline,
    budget: float,
    regions: Sequence[str],
    lever: Any,
    objective: str = "regions",
    *,
    deadline: str | pd.Period,
    probability: float = 0.8,
    target: float | None = None,
    targets: pd.DataFrame | None = None,
    minimums: Mapping[str, float] | None = None,
    paths: int | None = None,
    seed: int = 0,
    tree: RegionTree | None = None,
    uncertainty: bool = True,
    basis: str | None = None,
    workforce: pd.DataFrame | None = None,
    pool: Any = None,
    capacity: Any = None,
    bpu_share: Any = None,
    informal_share: Any = None,
    cap_share: float | None = None,
) -> Allocation:
    """Split a rupiah budget across regions.

    Parameters
    ----------
    budget : float
        Envelope [IDR], >= 0, for expected spending as enrolled within the projection.
    regions : sequence of str
        Disjoint regions (none under another), e.g. the kabupaten/kota of a province.
    lever : mapping, str or Lever
        Template as in ``solve``; its ramp and months apply to every region.
    objective : "regions" or "workers"
        "regions": maximise the regions whose P(reach) >= ``probability`` (MILP with a binary
        reach variable per region); of the ways to reach that many, the cheapest set; what is left
        goes to the regions not reached, the one needing the least first, then to expected persons.
        "workers": maximise the expected newly covered persons at the deadline, a concave curve per
        region (persons stop adding where a kabupaten/kota's workforce fills up in some paths),
        then, at that value, the regions reached. The two differ where money reaching a target buys
        fewer persons than money elsewhere.
    deadline, probability, target, targets, basis, workforce
        As ``solve``; each region's target is its own row, else ``target``, else its ancestor's.
    minimums : mapping region -> size, optional
        Whole persons each region gets at least.
    pool, capacity, bpu_share, informal_share
        Overrides of eligible pools and enrolment capacity (``limits.limits_for``).
    cap_share : float, optional
        Share of employed levers can fill (``engine.lever_cap_shares``; default the potential
        workers' share, ``ucj_potential_share``); 1 fills up to BPS employed.

    Returns
    -------
    Allocation
        Whole sizes within [minimum, cap]; spending never exceeds the budget.
    """

    budget = number(budget, "budget")
    if budget < 0:
        raise InputError(f"budget: expected a non-negative amount of rupiah, got {budget:g}")
    if objective not in OBJECTIVES:
        raise InputError(f"objective: expected one of {', '.join(OBJECTIVES)}, got {objective!r}")
    tree, codes, deadline, required, n_paths, goals, template, frame = _prepared(locals())
    ramp, months = _ramp(template, lever, deadline), _months(template)
    template = dataclasses.replace(template, ramp_months=ramp)
    slope = frame.slope(ramp, months)[0]  # (R, W, P)
    room = frame.room[0]
    needed = frame.needed(ramp, months)[0]  # (R, P)
    free = np.ceil(smallest_size(needed, required) - 1e-9)
    free = np.where(free > 0, free, 0.0)  # a region already there needs nothing (not -0 or less)
    cap = frame.size_cap(ramp)
    need = free.copy()
    reachable = np.isfinite(need) & (need <= cap)
    cpp = np.maximum(frame.cost_per_unit(ramp, months), 0.0)  # [IDR per unit of size]
    lows = _minimums(minimums, codes, cap)
    if lows @ cpp > budget + 1e-6:
        raise InputError(
            f"minimums: they cost Rp{lows @ cpp:,.0f}, more than the budget Rp{budget:,.0f}".replace(",", ".")
        )
    n = len(codes)
    needs = np.where(reachable, need, 0.0)
    free_cost = cpp <= 0  # a lever nobody pays for (compliance): every region gets its cap

    # concave expected persons per region: breakpoints up to where every path's room is full
    top = np.minimum(
        cap,
        np.nanmax(np.where(slope > 0, np.maximum(room, 0) / np.where(slope > 0, slope, 1), 0), axis=(1, 2)),
    )
    top = np.maximum(top, lows)
    xs = top[:, None] * np.linspace(0.0, 1.0, _SEGMENTS + 1)[None, :]  # (R, K+1)
    persons = np.stack(
        [added_persons(room, slope, xs[:, k]) for k in range(_SEGMENTS + 1)], axis=1
    )  # (R,K+1,P)
    curve = persons.mean(axis=-1)
    width = np.diff(xs, axis=1)  # (R, K)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(width > 0, np.diff(curve, axis=1) / np.where(width > 0, width, 1.0), 0.0)
    rate = np.minimum.accumulate(np.maximum(rate, 0.0), axis=1)  # concave (guards float noise)

    money = np.where(free_cost, 0.0, cpp)
    model = _Model(lows, cap, money, budget, rate, width, needs, reachable)
    if objective == "regions":
        value = float(round(model.most_regions()))
        chosen = model.cheapest_set(value)
        open_need = np.where(reachable & ~chosen & (needs > 0), needs, np.inf)
        scale = float(np.min(open_need)) if np.isfinite(open_need).any() else 1.0
        progress = np.where(np.isfinite(open_need), scale / open_need, 0.0)
        size = model.fill(np.maximum(lows, np.where(chosen, needs, 0.0)), progress)
    else:
        size = model.fill(lows, np.zeros(n))
        value = float(model.persons(size))
        size = model.most_regions_at(value, size)
    size = _whole(size, lows, cap, money, budget)
    p = (needed <= size[:, None] + 1e-9).mean(axis=1)
    added = _expected(room, slope, size)
    table = pd.DataFrame(
        {
            "region_code": codes,
            "name": np.array([tree.name(c) for c in codes], dtype=object),
            "target": [goals[c][0] for c in codes],
            "needed": np.where(reachable, need, np.nan),
            "cap": cap,
            "pool": frame.pool_size(),
            "capacity": np.where(frame.mask, frame.capacity, 0.0).sum(axis=1),
            "limit": _limits_words(frame, need, cap, free),
            "minimum": lows,
            "size": size.astype(np.int64),
            "cost_idr": size * cpp,
            "probability": p,
            "mc_error": np.sqrt(p * (1 - p) / n_paths),
            "reached": p >= required,
            "expected_new_persons": added,
        },
        columns=ALLOCATION_COLUMNS,
    )
    return Allocation(
        objective=objective,
        objective_value=value,
        budget=budget,
        spent=float(table["cost_idr"].sum()),
        deadline=deadline,
        required=required,
        kind=template.kind,
        lever=template,
        table=table,
        horizon=frame.horizon(months),
        seed=seed,
        frame=frame,
    )


def _expected(room: np.ndarray, slope: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Mean over paths of the persons each region's size adds, (R,)."""
    return (
        np.minimum(slope * np.asarray(size, dtype=np.float64)[:, None, None], np.maximum(room, 0.0))
        .sum(axis=1)
        .mean(axis=-1)
    )


class _Model:
    """The allocation as a linear model: per region the concave expected-persons curve cut into
    segments (filled in order, as their rates fall), a remainder past the curve that adds nobody,
    and for the regions objective a binary "reached" per region (size >= needed size)."""

    def __init__(self, lows, cap, money, budget, rate, width, needs, reachable):
        from scipy import sparse

        self.n, self.k = rate.shape
        self.lows, self.money, self.budget, self.needs = lows, money, budget, needs
        self.rate, self.width = rate, width
        self.beyond = np.maximum(cap - width.sum(axis=1), 0.0)
        n, k = self.n, self.k
        self.sum = sparse.hstack([sparse.kron(sparse.eye(n), np.ones((1, k))), sparse.eye(n)], format="csr")
        self.cost_row = np.concatenate([np.repeat(money, k), money])
        self.persons_row = np.concatenate([rate.reshape(-1), np.zeros(n)])
        self.upper = np.concatenate([width.reshape(-1), self.beyond])
        self.reachable = reachable
        self.options = {"disp": False, "time_limit": 30.0}

    def sizes(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.sum @ x[: self.n * self.k + self.n]).reshape(-1)

    def persons(self, size: np.ndarray) -> float:
        start = np.concatenate([np.zeros((self.n, 1)), np.cumsum(self.width, axis=1)[:, :-1]], axis=1)
        return float((self.rate * np.clip(size[:, None] - start, 0.0, self.width)).sum())

    def _milp(self, c_y: np.ndarray, c_z: np.ndarray, extra: list) -> Any:
        from scipy import sparse
        from scipy.optimize import Bounds, LinearConstraint, milp

        n = self.n
        width = self.n * self.k + n
        zeros = sparse.csr_matrix((n, n))
        cons = [
            LinearConstraint(np.concatenate([self.cost_row, np.zeros(n)])[None, :], -np.inf, self.budget),
            LinearConstraint(sparse.hstack([self.sum, zeros], format="csr"), self.lows, np.inf),
            LinearConstraint(sparse.hstack([self.sum, sparse.diags(-self.needs)], format="csr"), 0.0, np.inf),
        ]
        for row, lo in extra:
            cons.append(LinearConstraint(row[None, :], lo, np.inf))
        bounds = Bounds(np.zeros(width + n), np.concatenate([self.upper, self.reachable.astype(float)]))
        integrality = np.concatenate([np.zeros(width), np.ones(n)])
        res = milp(
            -np.concatenate([c_y, c_z]),
            constraints=cons,
            bounds=bounds,
            integrality=integrality,
            options=self.options,
        )
        if res.x is None:
            raise RuntimeError(f"allocate: the optimiser found no solution ({res.message})")
        if res.status != 0:
            log.warning("allocate: optimiser stopped early (%s); the split may not be optimal", res.message)
        return res

    def most_regions(self) -> float:
        res = self._milp(np.zeros(self.n * self.k + self.n), np.ones(self.n), [])
        return -res.fun

    def cheapest_set(self, value: float) -> np.ndarray:
        count = np.concatenate([np.zeros(self.n * self.k + self.n), np.ones(self.n)])
        res = self._milp(
            np.zeros(self.n * self.k + self.n),
            -self.needs * np.maximum(self.money, 1e-9),
            [(count, value - 0.5)],
        )
        return np.round(res.x[-self.n :]) > 0.5

    def most_regions_at(self, value: float, size: np.ndarray) -> np.ndarray:
        """Of the splits giving (nearly) ``value`` expected persons, one reaching the most regions."""
        tol = 1e-6 * max(1.0, abs(value))
        row = np.concatenate([self.persons_row, np.zeros(self.n)])
        try:
            res = self._milp(1e-9 * self.persons_row, np.ones(self.n), [(row, value - tol)])
        except RuntimeError:
            return size
        out = self.sizes(res.x)
        return out if self.persons(out) >= value - 2 * tol else size

    def fill(self, lo: np.ndarray, progress: np.ndarray) -> np.ndarray:
        """Sizes >= lo within the budget: toward unreached targets first (``progress`` per unit),
        then expected persons."""
        from scipy import sparse
        from scipy.optimize import linprog

        scale = max(float(self.rate.max()) if self.rate.size else 0.0, 1e-12)
        c = -(np.concatenate([np.repeat(progress, self.k), progress]) + 1e-3 * self.persons_row / scale)
        a_ub = sparse.vstack([sparse.csr_matrix(self.cost_row[None, :]), -self.sum], format="csr")
        b_ub = np.concatenate([[self.budget], -lo])
        res = linprog(
            c,
            A_ub=a_ub,
            b_ub=b_ub,
            bounds=np.stack([np.zeros_like(self.upper), self.upper], axis=1),
            method="highs",
        )
        if res.x is None:
            raise RuntimeError(f"allocate: the optimiser found no solution ({res.message})")
        return self.sizes(res.x)


def _whole(size, lows, cap, money, budget) -> np.ndarray:
    """Whole persons within [lows, cap] and the budget (rounded down where rounding would overspend)."""
    out = np.clip(np.round(size), lows, cap)
    if float(out @ money) > budget + 1e-6:
        out = np.clip(np.floor(size + 1e-6), lows, cap)
    return out


def _minimums(minimums: Mapping[str, float] | None, codes: list[str], cap: np.ndarray) -> np.ndarray:
    lows = np.zeros(len(codes))
    if not minimums:
        return lows
    if not isinstance(minimums, Mapping):
        raise InputError(f"minimums: expected a mapping region -> size, got {minimums!r}")
    index = {c: i for i, c in enumerate(codes)}
    for code, value in minimums.items():
        if code not in index:
            raise InputError(f"minimums: region {code!r} is not among the regions allocated to")
        value = number(value, f"minimums: {code}")
        if value < 0 or value != int(value):
            raise InputError(f"minimums: {code}: expected a whole number of persons >= 0, got {value:g}")
        i = index[code]
        if value > cap[i]:
            raise InputError(
                f"minimums: {code}: {value:,.0f} exceeds its cap {cap[i]:,.0f} (eligible pool and "
                "capacity)".replace(",", ".")
            )
        lows[i] = value
    return lows


def _prepared(args: Mapping[str, Any]):
    """``_prepare`` with the arguments ``allocate`` and ``frontier`` share, from their ``locals()``."""
    limits = {k: args[k] for k in ("pool", "capacity", "bpu_share", "informal_share", "cap_share")}
    keys: tuple[str, ...] = ("baseline", "lever", "regions", "deadline", "probability", "target", "targets")
    keys += ("paths", "seed", "tree", "uncertainty", "basis", "workforce")
    given: dict[str, Any] = {k: args[k] for k in keys}
    return _prepare(**given, limits=limits)


def frontier(
    baseline: Baseline,
    regions: Sequence[str],
    lever: Any,
    *,
    deadline: str | pd.Period,
    probability: float = 0.8,
    levels: int = 20,
    target: float | None = None,
    targets: pd.DataFrame | None = None,
    paths: int | None = None,
    seed: int = 0,
    tree: RegionTree | None = None,
    uncertainty: bool = True,
    basis: str | None = None,
    workforce: pd.DataFrame | None = None,
    pool: Any = None,
    capacity: Any = None,
    bpu_share: Any = None,
    informal_share: Any = None,
    cap_share: float | None = None,
    top: float | None = None,
) -> pd.DataFrame:
    """Per region, P(reach) and expected persons added at ``levels`` rupiah amounts from 0 to the
    cost of its cap (or ``top`` [IDR] for every region): where money stops buying coverage.

    Returns
    -------
    DataFrame
        ``FRONTIER_COLUMNS``, ``levels`` rows per region; the same numbers ``allocate`` gives a
        region that receives that size.
    """
    if isinstance(levels, bool) or not isinstance(levels, int) or not 2 <= levels <= 200:
        raise InputError(f"levels: expected a whole number from 2 to 200, got {levels!r}")
    tree, codes, deadline, required, n_paths, goals, template, frame = _prepared(locals())
    ramp, months = _ramp(template, lever, deadline), _months(template)
    slope, room = frame.slope(ramp, months)[0], frame.room[0]
    needed = frame.needed(ramp, months)[0]
    cap = frame.size_cap(ramp)
    cpp = frame.cost_per_unit(ramp, months)
    names = np.array([tree.name(c) for c in codes], dtype=object)
    frac = np.linspace(0.0, 1.0, levels)
    if top is not None:
        top = number(top, "top")
        sizes = np.minimum(
            np.floor(np.where(cpp > 0, top / np.where(cpp > 0, cpp, 1.0), cap)[:, None] * frac), cap[:, None]
        )
    else:
        upper = np.minimum(
            cap,
            np.ceil(
                np.nanmax(
                    np.where(slope > 0, np.maximum(room, 0) / np.where(slope > 0, slope, 1), 0), axis=(1, 2)
                )
            ),
        )
        sizes = np.floor(upper[:, None] * frac)
    p = (needed[:, None, :] <= sizes[:, :, None] + 1e-9).mean(axis=-1)  # (R, levels)
    added = np.stack([_expected(room, slope, sizes[:, k]) for k in range(levels)], axis=1)
    out = pd.DataFrame(
        {
            "region_code": np.repeat(codes, levels),
            "name": np.repeat(names, levels),
            "level": np.tile(np.arange(levels), len(codes)),
            "size": sizes.reshape(-1).astype(np.int64),
            "cost_idr": (sizes * cpp[:, None]).reshape(-1),
            "probability": p.reshape(-1),
            "expected_new_persons": added.reshape(-1),
            "reached": p.reshape(-1) >= required,
        },
        columns=FRONTIER_COLUMNS,
    )
    return out

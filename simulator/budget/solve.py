"""``solve``: the smallest plan (size, ramp, funded months) of one lever that reaches a region's
target at a deadline and keeps every later official target of the region within the projection,
each with the asked probability, within the eligible pool and the enrolment capacity; or why not.

Search: for each ramp from the lever's own upward (capacity may demand a slower enrolment) and each
funding length (through each target's deadline, unless the lever fixes its months), the closed
form gives the size every path needs at every deadline; the plan is the first ramp at which the
size fits the pool and the capacity, funded for the cheapest of those lengths. The size is then
checked against ``run_scenario`` and stepped to be exact to one person.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulator import orderstats
from simulator.baseline import Baseline
from simulator.budget.common import (
    COMPLIANCE,
    KINDS,
    SIZE_NAMES,
    VILLAGE,
    check_paths,
    check_payers,
    check_probability,
    check_region,
    check_target,
    check_tree,
    later_goals,
    make_template,
    parse_deadline,
    smallest_integer,
    smallest_size,
)
from simulator.budget.plan import Frame, build_frame
from simulator.regions import RegionTree, load_regions
from simulator.scenario import Lever, Scenario

#: Why a target cannot be reached: the limit that binds.
LIMITS = ("pool", "capacity", "deadline", "workforce")
_MAX_ENGINE_RUNS = 60


@dataclass(frozen=True, eq=False)
class Solution:
    """Answer of ``solve``.

    Attributes
    ----------
    region, target, deadline, required, kind, basis, factor
        The question: region code, target [fraction] on ``basis`` (denominator factor ``factor``
        of BPS employed), deadline month, probability asked for [fraction], lever kind.
    reachable : bool
        True when the target at ``deadline`` is met with the asked probability.
    sustained : bool
        True when every later official target of the region within the projection is met too.
    size : int or None
        Region size of the plan [persons]: subsidised headcount, officials enrolled in total, or
        wage earners registered; None when not reachable.
    ramp_months, months : int, int or None
        Months to enrol everyone (at least the lever's ramp; longer where capacity binds) and
        funded months from the start (None: compliance, which runs on).
    plan : Scenario
        The plan as the engine runs it: one lever per kabupaten/kota in scope, sized by its share
        of the eligible pool (the best feasible plan when not reachable).
    probability, probability_below, mc_error, paths
        P(reach) at the deadline with the plan (``run_scenario``), with one person fewer (None when
        size 0 or not reachable), sqrt(p (1 - p) / paths).
    pool : float
        Largest size within the eligible pools [persons].
    capacity : float
        Enrolment capacity of the region's plan [persons/month]: the most of its size enrolled in a
        month without any kabupaten/kota exceeding its own capacity (all enrol over the same ramp,
        so the kabupaten/kota with the largest share of the pool per unit of capacity sets it).
    cap : int
        Largest size within the pools and, over ``ramp_months``, the capacity [persons].
    villages : int
        Desa in scope (village lever), else 0.
    cost : DataFrame
        ``payer, year, cost_idr``: expected spending as enrolled [IDR] per payer and year within
        the projection (the one cost figure; ``budget_idr`` is its sum).
    budget_idr : float or None
        Total expected spending [IDR]; None when not reachable.
    envelope_idr : float
        size x unit cost x funded months [IDR]: what it would cost if everyone were paid from the
        first month; above ``budget_idr`` by the ramp.
    participant_years : float
        Additional active participant-years in the region up to the plan's horizon (mean over
        paths, after the workforce cap) [person-years].
    years : DataFrame
        Per target year: ``year, deadline, target, probability, median`` (coverage on the target's
        basis), ``reached``, ``limit`` (what binds when a year cannot be met), ``needed`` (size that
        year alone needs within the limits, NaN if none), ``needed_free`` (size it needs with no
        pool or capacity limit, NaN beyond the workforce).
    limit : str
        "" or the limit that binds at the deadline: pool, capacity, deadline, workforce.
    best : dict or None
        Not reachable: the best feasible plan (``size, ramp_months, months, probability, median``).
    combination : dict or None
        Not reachable or not sustained: the first combination of levers at their whole eligible
        pools that reaches every target (``kinds, sizes, ramp_months, probability, cost_idr``).
    sources : dict
        Parameters behind the pools and capacity: ``name -> (value, unit, assumption, reference)``.
    """

    region: str
    target: float
    deadline: pd.Period
    required: float
    kind: str
    reachable: bool
    sustained: bool
    size: int | None
    ramp_months: int
    months: int | None
    plan: Scenario
    template: Lever
    probability: float
    probability_below: float | None
    mc_error: float
    paths: int
    pool: float
    capacity: float
    cap: int
    villages: int
    cost: pd.DataFrame
    budget_idr: float | None
    envelope_idr: float
    participant_years: float
    years: pd.DataFrame
    limit: str = ""
    best: dict | None = None
    combination: dict | None = None
    sources: dict = field(default_factory=dict)
    estimate: float = math.nan
    engine_runs: int = 0
    basis: str = "bps"
    factor: float = 1.0

    @property
    def size_name(self) -> str:
        return SIZE_NAMES[self.kind]

    @property
    def lever(self) -> Lever:
        """The plan's first lever (the template with the ramp and months chosen)."""
        return self.plan.levers[0] if self.plan.levers else self.template

    @property
    def officials_per_village(self) -> float | None:
        if self.kind != VILLAGE or self.size is None or not self.villages:
            return None
        return self.size / self.villages

    @property
    def annual_cost(self) -> pd.DataFrame:
        return self.cost.groupby("year", as_index=False)["cost_idr"].sum()

    @property
    def payer_split(self) -> pd.DataFrame:
        out = self.cost.groupby("payer", as_index=False, sort=False)["cost_idr"].sum()
        total = out["cost_idr"].sum()
        return out.assign(share=out["cost_idr"] / total if total > 0 else 0.0)

    @property
    def cost_per_participant_year(self) -> float | None:
        """Total cost / additional active participant-years [IDR/person-year]."""
        if self.budget_idr is None or self.participant_years <= 0:
            return None
        return self.budget_idr / self.participant_years


def _fixed_months(template: Any) -> bool:
    if isinstance(template, Lever):
        return True
    return isinstance(template, Mapping) and ("months" in template or "end" in template)


class _Runs:
    """Engine runs of plans, cached by (sizes, ramp, months), with P and median per deadline."""

    def __init__(self, baseline, frames, goals, factors, paths, seed, tree, uncertainty):
        self.baseline, self.frames, self.goals, self.factors = baseline, frames, goals, factors
        self.paths, self.seed, self.tree, self.uncertainty = paths, seed, tree, uncertainty
        self.cache: dict = {}

    def __len__(self) -> int:
        return len(self.cache)

    def run(self, sizes: tuple[float, ...], ramp: int, months: int | None) -> dict:
        key = (sizes, ramp, months)
        if key not in self.cache:
            from simulator.engine import run_scenario

            levers = tuple(
                lv
                for frame, n in zip(self.frames, sizes, strict=True)
                for lv in frame.levers(np.array([n]), ramp, months)
            )
            frame = self.frames[0]
            scenario = Scenario(name="solve", horizon=frame.horizon(months), levers=levers)
            result = run_scenario(
                self.baseline,
                scenario,
                paths=self.paths,
                seed=self.seed,
                tree=self.tree,
                uncertainty=self.uncertainty,
                regions=[frame.codes[0]],
                cap_share=frame.limits[0].cap_share,
            )
            p, med = [], []
            for d, goal, f in zip(frame.deadlines, self.goals, self.factors, strict=True):
                cov = np.nan_to_num(result.coverage_of(0, result.months.get_loc(d)), nan=-np.inf)
                p.append(float(np.mean(cov >= goal)))
                med.append(float(orderstats.median(np.asarray(cov, dtype=np.float64)[None, :])[0]) / f)
            self.cache[key] = {
                "result": result,
                "p": np.array(p),
                "median": np.array(med),
                "scenario": scenario,
            }
        return self.cache[key]


def solve(  # noqa: C901 -- outlier listed in #23 (complexity 23): split, then drop this
    baseline: Baseline,
    template_lever: Any,
    region: str,
    target: float,
    deadline: str | pd.Period,
    probability: float,
    *,
    paths: int | None = None,
    seed: int = 0,
    tree: RegionTree | None = None,
    uncertainty: bool = True,
    payers: Mapping[str, float] | None = None,
    basis: str = "bps",
    workforce: pd.DataFrame | None = None,
    targets: pd.DataFrame | None = None,
    sustain: bool = True,
    pool: Any = None,
    capacity: Any = None,
    bpu_share: Any = None,
    informal_share: Any = None,
    combine: bool = True,
    cap_share: float | None = None,
) -> Solution:
    """The smallest plan of one lever reaching ``target`` at ``deadline`` with ``probability``,
    kept through the region's later official targets.

    Parameters
    ----------
    baseline : Baseline
    template_lever : mapping, str or Lever
        "subsidy" (size: headcount), "village" (officials in total, spread over the desa in scope)
        or "compliance" (wage earners registered by employers), or a mapping as in a scenario file;
        missing keys take the defaults of data/parameters.yaml. Giving ``months`` fixes the funding
        length; otherwise it is part of the answer.
    region : str
        Kemendagri code; the plan covers every kabupaten/kota under it.
    target : float
        Coverage target [fraction] on ``basis`` at ``deadline``.
    deadline : "YYYY-MM" or Period
    probability : float
        Asked for, at the deadline and at every later target, strictly between 0 and 1.
    paths, seed, tree, uncertainty
        As ``run_scenario``; lever j of the plan draws from the j-th child of ``seed``.
    payers : mapping payer -> share, optional
        Split of the cost (shares adding up to 1); the lever's payer by default.
    basis, workforce
        Denominator of ``target`` ("bps" or "ucj") and the workforce data (published UCJ
        denominators).
    targets : DataFrame, optional
        Official targets (``data/targets.csv``); the region's own or inherited targets in later
        years within the projection must be kept too (``sustain``).
    pool, capacity, bpu_share, informal_share
        Overrides of the eligible pools and enrolment capacity (see ``limits.limits_for``);
        ``math.inf`` removes a limit.
    cap_share : float, optional
        Share of employed levers can fill (``engine.lever_cap_shares``; default the potential
        workers' share, ``ucj_potential_share``); 1 fills up to BPS employed.
    combine : bool
        When not reachable, look for a combination of levers that would reach it.

    Returns
    -------
    Solution
        Exact to one person: every target's P(size) >= probability in ``run_scenario``, and some
        target's P(size - 1) < probability.
    """
    from simulator.targets import basis_of, denominator_factors

    tree = tree if tree is not None else load_regions()
    check_tree(baseline, tree)
    region = check_region(region, baseline, tree)
    target = check_target(target)
    deadline = parse_deadline(deadline, baseline)
    required = check_probability(probability)
    n_paths = check_paths(paths, baseline)
    lever = make_template(template_lever, region, deadline, baseline, tree)
    shares = check_payers(payers, lever)
    basis = basis_of("", basis, "basis")
    factor = float(denominator_factors([region], [deadline.year], [basis], workforce)[0][0])
    goals = [(deadline.year, deadline, target, factor)]
    if sustain:
        goals += later_goals(region, deadline, baseline, targets, tree, workforce)
    limits = {
        "pool": pool,
        "capacity": capacity,
        "bpu_share": bpu_share,
        "informal_share": informal_share,
        "cap_share": cap_share,
    }
    deadlines = [g[1] for g in goals]
    engine_goals = np.array([g[2] * g[3] for g in goals])
    frame = build_frame(
        baseline, lever, [region], deadlines, engine_goals[:, None], n_paths, seed, tree, uncertainty, limits
    )
    runs = _Runs(baseline, [frame], engine_goals, [g[3] for g in goals], n_paths, seed, tree, uncertainty)

    if lever.kind == COMPLIANCE:
        month_options: list[int | None] = [None]
    elif _fixed_months(template_lever):
        month_options = [getattr(lever, "months", None)]
    else:
        month_options = sorted({(d - lever.start).n + 1 for d in deadlines if d >= lever.start}) or [1]
    r0 = max(int(lever.ramp_months), 1)
    r_max = max(r0, (deadlines[-1] - lever.start).n + 1)
    needed_cache: dict = {}

    def needed(ramp: int, months: int | None) -> np.ndarray:  # (D, P)
        if (ramp, months) not in needed_cache:
            needed_cache[(ramp, months)] = frame.needed(ramp, months)[:, 0]
        return needed_cache[(ramp, months)]

    def sizes_for(js, ramp, months) -> float:
        n = smallest_size(needed(ramp, months)[js], required)
        return float(np.max(np.ceil(n - 1e-9))) if np.all(np.isfinite(n)) else math.inf

    def search(js: list[int], start_ramp: int = r0):
        for ramp in range(start_ramp, r_max + 1):
            cap = float(frame.size_cap(ramp)[0])
            options = []
            for m in month_options:
                n = sizes_for(js, ramp, m)
                if n <= cap:
                    options.append(
                        (n * float(frame.cost_per_unit(ramp, m)[0]), m if m is not None else 0, n, m)
                    )
            if options:
                _, _, n, m = min(options)
                return ramp, m, n
        return None

    def exact(js: list[int]):
        """(size, ramp, months) exact against the engine for the targets ``js``, or None."""
        start = r0
        while True:
            found = search(js, start)
            if found is None:
                return None
            ramp, m, n = found
            cap = int(frame.size_cap(ramp)[0])

            ok = functools.partial(_reaches, runs=runs, ramp=ramp, months=m, js=js, required=required)
            size = smallest_integer(ok, int(min(n, cap)), cap)
            if size is not None:
                return size, ramp, m, n
            start = ramp + 1

    def why(j: int) -> str:
        if deadlines[j] < lever.start:
            return "deadline"
        free = sizes_for([j], r0, month_options[-1])
        if not math.isfinite(free):
            return "pool" if frame.pool_size()[0] <= 0 else "workforce"
        return "pool" if free > frame.pool_size()[0] else "capacity"

    all_js = list(range(len(goals)))
    found = exact(all_js)
    sustained = found is not None
    if found is None and len(goals) > 1:
        found = exact([0])
    limit, best, combination = "", None, None
    if found is not None:
        size, ramp, months, estimate = found
        run = runs.run((float(size),), ramp, months)
        js_met = all_js if sustained else [0]
        below = None
        if size > 0:
            below = float(min(runs.run((float(size - 1),), ramp, months)["p"][js_met]))
    else:
        limit = why(0)
        size, estimate = None, math.inf
        k0 = (deadline - lever.start).n
        rate = float(frame.capacity_rate()[0])
        pool_size = float(frame.pool_size()[0])
        ramp = (
            r0
            if not math.isfinite(rate) or rate <= 0
            else int(min(max(math.ceil(min(pool_size / rate, 1e6) - 1e-9), r0), max(r0, k0 + 1)))
        )
        months = month_options[-1]
        best_size = float(frame.size_cap(ramp)[0]) if math.isfinite(pool_size) or math.isfinite(rate) else 0.0
        run = runs.run((best_size,), ramp, months)
        best = {
            "size": int(best_size),
            "ramp_months": ramp,
            "months": months,
            "probability": float(run["p"][0]),
            "median": float(run["median"][0]),
        }
        below = None
    if combine and (found is None or not sustained):
        combination = _combination(
            baseline,
            lever,
            region,
            deadlines,
            engine_goals,
            [g[3] for g in goals],
            required,
            n_paths,
            seed,
            tree,
            uncertainty,
            limits,
            frame,
        )

    result = run["result"]
    p = float(run["p"][0])
    cost = _payer_cost(result.cost, shares)
    years = _years(goals, run, required, frame, sizes_for, why, found is not None, sustained)
    unit = float(getattr(lever, "unit_cost", 0.0))
    envelope = (
        (size or 0) * unit * (months if months is not None else (frame.horizon(None) - lever.start).n + 1)
    )
    return Solution(
        region=region,
        target=target,
        deadline=deadline,
        required=required,
        kind=lever.kind,
        reachable=found is not None,
        sustained=sustained and found is not None,
        size=size,
        ramp_months=ramp,
        months=months,
        plan=run["scenario"],
        template=lever,
        probability=p,
        probability_below=below,
        mc_error=math.sqrt(p * (1 - p) / n_paths),
        paths=n_paths,
        pool=float(frame.pool_size()[0]),
        capacity=float(min(frame.capacity_rate()[0], 1e15)),
        cap=int(frame.size_cap(ramp)[0]),
        villages=int(frame.desa.sum()) if lever.kind == VILLAGE else 0,
        cost=cost,
        budget_idr=float(cost["cost_idr"].sum()) if found is not None else None,
        envelope_idr=float(envelope),
        participant_years=_participant_years(baseline, result, region, n_paths),
        years=years,
        limit=limit,
        best=best,
        combination=combination,
        sources=frame.limits[0].sources,
        estimate=float(estimate),
        engine_runs=len(runs),
        basis=basis,
        factor=factor,
    )


def _reaches(size: int, *, runs: _Runs, ramp: int, months, js: list[int], required: float) -> bool:
    """True when ``size`` persons reach every target ``js`` with probability ``required`` in the engine."""
    if len(runs) >= _MAX_ENGINE_RUNS:
        raise RuntimeError("solve: the engine check did not settle; please report this case")
    return bool(np.all(runs.run((float(size),), ramp, months)["p"][js] >= required))


def _attempt(
    share: float, *, full: list[float], fs: list[Frame], capacity: float, r0: int, runs: _Runs, months
):
    """(sizes, ramp, engine run) with ``share`` of every pool in ``full``, ramped over the months the
    enrolment capacity needs (at least ``r0``)."""
    sizes = tuple(float(np.floor(share * n)) for n in full)
    enrol = sum(n * f.weights[0] for n, f in zip(sizes, fs, strict=True))
    with np.errstate(divide="ignore", invalid="ignore"):
        need_months = np.where(enrol > 0, enrol / capacity, 0.0)
    ramp = (
        int(max(r0, math.ceil(float(np.max(need_months)) - 1e-9))) if np.isfinite(need_months).all() else r0
    )
    return sizes, ramp, runs.run(sizes, ramp, months)


def _payer_cost(cost: pd.DataFrame, shares: dict[str, float]) -> pd.DataFrame:
    by_year = cost.groupby("year", as_index=False)["cost_idr"].sum()
    return pd.DataFrame(
        [
            {"payer": payer, "year": int(year), "cost_idr": float(value) * share}
            for payer, share in shares.items()
            for year, value in zip(by_year["year"], by_year["cost_idr"], strict=True)
        ],
        columns=["payer", "year", "cost_idr"],
    )


def _participant_years(baseline: Baseline, result, region: str, paths: int) -> float:
    """Mean over paths of the persons the plan adds in the region, summed over months / 12."""
    row = baseline.index_of(region)
    scn = np.asarray(result.active_of(0), dtype=np.float64)  # (P, T)
    base = baseline.active[row, :paths, : scn.shape[-1]].astype(np.float64)
    return float((scn - base).sum(axis=-1).mean() / 12.0)


def _years(goals, run, required, frame: Frame, sizes_for, why, found: bool, sustained: bool) -> pd.DataFrame:
    rows = []
    for j, (year, when, target, _) in enumerate(goals):
        reached = bool(run["p"][j] >= required)
        free = sizes_for(
            [j],
            max(int(frame.template.ramp_months), 1),
            None if frame.kind == COMPLIANCE else max((when - frame.template.start).n + 1, 1),
        )
        rows.append(
            {
                "year": year,
                "deadline": when,
                "target": target,
                "probability": float(run["p"][j]),
                "median": float(run["median"][j]),
                "reached": reached,
                "limit": "" if reached else why(j),
                "needed_free": free if math.isfinite(free) else math.nan,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["year", "deadline", "target", "probability", "median", "reached", "limit", "needed_free"],
    )


def _combination(
    baseline,
    lever,
    region,
    deadlines,
    goals,
    factors,
    required,
    paths,
    seed,
    tree,
    uncertainty,
    limits,
    frame,
) -> dict | None:
    """The first combination of levers (the asked one first) that, each at its whole eligible pool
    and enrolling within the shared capacity, reaches every target; None when none does."""
    others = [k for k in KINDS if k != lever.kind]
    frames = {lever.kind: frame}
    lever_months = getattr(lever, "months", None)
    for kind in others:
        tpl = make_template({"kind": kind, "start": str(lever.start)}, region, deadlines[0], baseline, tree)
        if kind != COMPLIANCE and lever_months is not None:
            import dataclasses

            months_of: dict[str, Any] = {"months": int(lever_months)}
            tpl = dataclasses.replace(tpl, **months_of)
        frames[kind] = build_frame(
            baseline, tpl, [region], list(deadlines), goals[:, None], paths, seed, tree, uncertainty, limits
        )
    combos = [[lever.kind, k] for k in others] + [[lever.kind, *others]]
    r0 = max(int(lever.ramp_months), 1)
    months = getattr(lever, "months", None)
    months = (
        None
        if lever.kind == COMPLIANCE
        else (months if months is not None else max((deadlines[-1] - lever.start).n + 1, 1))
    )
    for kinds in combos:
        fs = [frames[k] for k in kinds if frames[k].pool_size()[0] > 0]  # nothing eligible adds nothing
        if not fs or (fs[0] is frame and len(fs) < 2):
            continue
        full = [float(np.floor(min(f.pool_size()[0], 1e12))) for f in fs]
        runs = _Runs(baseline, fs, goals, factors, paths, seed, tree, uncertainty)
        attempt = functools.partial(
            _attempt, full=full, fs=fs, capacity=frame.capacity[0], r0=r0, runs=runs, months=months
        )

        sizes, ramp, run = attempt(1.0)
        if not np.all(run["p"] >= required):
            continue
        lo, hi = 0.0, 1.0  # the smallest common share of the pools that still reaches (8 halvings)
        for _ in range(8):
            mid = (lo + hi) / 2
            trial = attempt(mid)
            if np.all(trial[2]["p"] >= required):
                hi, (sizes, ramp, run) = mid, trial
            else:
                lo = mid
        return {
            "kinds": [f.kind for f in fs],
            "sizes": [int(n) for n in sizes],
            "ramp_months": ramp,
            "months": months,
            "probability": float(run["p"][0]),
            "share_of_pools": hi,
            "cost_idr": float(run["result"].cost["cost_idr"].sum()),
        }
    return None

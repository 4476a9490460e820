"""Budget sizing: the smallest lever that reaches a coverage target (``solve``) and the split of a
rupiah budget across regions (``allocate``).

Both rest on one observation about the engine (``simulator.engine.run_scenario``): a contribution
subsidy or a village-officials lever adds, at kabupaten/kota ``l`` in path ``p`` at the deadline,
``min(w_l g_p x, e_lp - a_lp)`` persons, where ``x`` is the lever size (headcount, or officials in
total), ``w_l`` the share of the size that lands in ``l`` (uncovered workers for a subsidy,
villages for village officials), ``g_p`` the persons added per unit size at the deadline (ramp,
deadweight, retention after the end) and ``e - a`` the uncovered workforce (the cap). The region's
coverage is therefore monotone and piecewise linear in ``x`` in every path, so the size each path
needs is found exactly (``needed_sizes``), P(reach | x) is the share of paths needing at most
``x``, and the smallest size for a probability is an order statistic. ``solve`` then checks that
answer (and the answer minus one) with ``run_scenario``, stepping a few persons when float32
rounding in the engine moves the boundary, so it is exact to one person against the engine.

Lever templates are a mapping as in a scenario file (``kind`` plus any keys; missing behavioural
keys take the defaults in ``data/parameters.yaml``), a kind name ("subsidy", "village",
"contribution_subsidy", "village_officials") or a ``ContributionSubsidy`` / ``VillageOfficials``
object (its own values are kept). The region scope and the size are always set here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator import orderstats
from simulator.baseline import Baseline, summing_matrix
from simulator.errors import InputError
from simulator.levers import contribution_subsidy, village_officials
from simulator.parameters import lever_defaults
from simulator.regions import RegionTree, load_regions
from simulator.scenario import ContributionSubsidy, Lever, Scenario, VillageOfficials, scenario_from_dict
from simulator.vocabulary import PAYER_BY_LEVEL, PAYERS

log = logging.getLogger(__name__)

SUBSIDY = "contribution_subsidy"
VILLAGE = "village_officials"
#: Short names accepted for the lever kind (command line, app).
KIND_ALIASES = {"subsidy": SUBSIDY, "village": VILLAGE, SUBSIDY: SUBSIDY, VILLAGE: VILLAGE}
#: What the size of each lever kind counts [persons].
SIZE_NAMES = {SUBSIDY: "headcount", VILLAGE: "officials"}
OBJECTIVES = ("regions", "workers")
NOT_REACHABLE = "not reachable within the workforce"
_MAX_ENGINE_RUNS = 48


# ---- results -------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Solution:
    """Answer of ``solve``.

    Attributes
    ----------
    region : str
        Region code whose coverage is targeted; the lever covers every kabupaten/kota under it.
    target : float
        Coverage target [fraction] at ``deadline``.
    deadline : pandas.Period
        Month at which coverage is compared with the target.
    required : float
        Probability asked for [fraction].
    kind : str
        "contribution_subsidy" or "village_officials".
    reachable : bool
        False when even the whole uncovered workforce (``cap``) does not give ``required``.
    size : int or None
        Smallest size with P(reach) >= required [persons]: subsidized headcount, or village
        officials enrolled in total (``officials_per_village`` = size / villages). None when not
        reachable.
    lever : Lever
        The template with the region and the size set (sized to ``cap`` when not reachable).
    probability : float
        P(reach) at ``size`` (at ``cap`` when not reachable) from ``run_scenario`` [fraction].
    probability_below : float or None
        P(reach) at ``size - 1`` [fraction]; below ``required`` by construction (None when size 0
        or not reachable).
    mc_error : float
        Monte Carlo standard error of ``probability``, sqrt(p (1 - p) / paths) [fraction].
    paths : int
    cap : int
        Largest size within the workforce [persons]: median uncovered workforce of the region at
        the deadline / the lever's persons added per unit at full size ((1 - already_covered)
        for a subsidy, enrolled_share for village officials).
    villages : int
        Villages in the lever's scope (village officials), else 0.
    budget_idr : float or None
        Size x unit cost x funded months [IDR] (funded months: the lever's months, or from its
        start to the deadline when it has none).
    cost : pandas.DataFrame
        ``payer, year, cost_idr``: expected spending [IDR] per payer and calendar year at the
        answer (at the cap when not reachable), within the projection; split by ``payers`` when
        given. During the ramp fewer workers are paid, so the sum can be below ``budget_idr``.
    estimate : float
        Continuous closed-form size before rounding and the engine check [persons] (inf when
        some paths can never reach the target).
    engine_runs : int
        ``run_scenario`` calls used to check the answer.
    message : str
        "" or "not reachable within the workforce: ...".
    """

    region: str
    target: float
    deadline: pd.Period
    required: float
    kind: str
    reachable: bool
    size: int | None
    lever: Lever
    probability: float
    probability_below: float | None
    mc_error: float
    paths: int
    cap: int
    villages: int
    budget_idr: float | None
    cost: pd.DataFrame
    estimate: float
    engine_runs: int
    message: str = ""
    basis: str = "bps"
    factor: float = 1.0

    @property
    def size_name(self) -> str:
        """"headcount" (subsidy) or "officials" (village officials)."""
        return SIZE_NAMES[self.kind]

    @property
    def officials_per_village(self) -> float | None:
        """Officials per village [persons/village] for a village lever, else None."""
        if self.kind != VILLAGE or self.size is None or not self.villages:
            return None
        return self.size / self.villages

    @property
    def annual_cost(self) -> pd.DataFrame:
        """``year, cost_idr`` [IDR] summed over payers."""
        return self.cost.groupby("year", as_index=False)["cost_idr"].sum()

    @property
    def payer_split(self) -> pd.DataFrame:
        """``payer, cost_idr, share`` [IDR, fraction] summed over years."""
        out = self.cost.groupby("payer", as_index=False, sort=False)["cost_idr"].sum()
        total = out["cost_idr"].sum()
        return out.assign(share=out["cost_idr"] / total if total > 0 else 0.0)


ALLOCATION_COLUMNS = [
    "region_code", "name", "target", "needed", "cap", "minimum", "size", "cost_idr", "probability",
    "mc_error", "reached", "expected_new_persons",
]


@dataclass(frozen=True, eq=False)
class Allocation:
    """Answer of ``allocate``.

    Attributes
    ----------
    objective : str
        "regions" or "workers".
    objective_value : float
        Optimum of the model solved: regions reaching their target with the required probability,
        or expected newly covered persons at the deadline (linear model, headcounts not rounded).
    budget : float
        Budget envelope [IDR].
    spent : float
        Sum of ``cost_idr`` [IDR] (<= budget).
    deadline : pandas.Period
    required : float
        Probability asked for [fraction].
    kind : str
    lever : Lever
        The template (region scope and size are set per region by ``scenario()``).
    table : pandas.DataFrame
        One row per region, in the order given: ``region_code, name, target`` [fraction],
        ``needed`` (size reaching the target with the required probability; NaN when not reachable
        within the workforce), ``cap`` (largest size within the workforce), ``minimum``, ``size``
        (allocated, whole persons), ``cost_idr`` (size x unit cost x funded months [IDR]),
        ``probability`` (P(reach) at the allocated size), ``mc_error``, ``reached``
        (probability >= required), ``expected_new_persons`` (mean over paths of the persons added
        at the deadline, with the cap).
    horizon : pandas.Period
        Scenario horizon used for the levers (for ``scenario()``).
    seed : int
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
    unit_budget: float = 0.0
    villages: tuple[int, ...] = field(default=())

    @property
    def regions_reached(self) -> int:
        return int(self.table["reached"].sum())

    @property
    def expected_new_persons(self) -> float:
        return float(self.table["expected_new_persons"].sum())

    def scenario(self, name: str = "allocation") -> Scenario:
        """The allocation as a scenario: one lever per region in table order (zero sizes kept, so
        every lever draws from the same seed child as in ``allocate``); ``run_scenario`` with the
        same seed and paths reproduces ``probability``."""
        levers = [
            _sized(self.lever, region, float(size), villages)
            for region, size, villages in zip(self.table["region_code"], self.table["size"], self.villages)
        ]
        return Scenario(name=name, horizon=self.horizon, levers=tuple(levers), source=name)


# ---- parameters and templates --------------------------------------------------------------------
def _kind_of(template: Any) -> str:
    if isinstance(template, ContributionSubsidy):
        return SUBSIDY
    if isinstance(template, VillageOfficials):
        return VILLAGE
    kind = template.get("kind") if isinstance(template, Mapping) else template
    if isinstance(kind, Lever):
        kind = kind.kind
    if not isinstance(kind, str) or kind not in KIND_ALIASES:
        raise InputError(
            "lever: key 'kind': expected contribution_subsidy (subsidy) or village_officials (village), "
            f"got {kind!r}"
        )
    return KIND_ALIASES[kind]


def _month(value: Any, what: str) -> pd.Period:
    if isinstance(value, pd.Period):
        return pd.Period(value, freq="M")
    if isinstance(value, dt.date):
        return pd.Period(year=value.year, month=value.month, freq="M")
    try:
        text = str(value).strip()
        if len(text) != 7 or text[4] != "-":
            raise ValueError
        return pd.Period(text, freq="M")
    except (ValueError, TypeError):
        raise InputError(f"{what}: expected a month 'YYYY-MM', got {value!r}") from None


def _month_or_first(value: Any, baseline: Baseline) -> pd.Period:
    """The lever's start month for its parameter defaults (the first projected month when bad;
    the scenario parser names a bad start)."""
    try:
        return _month(value, "lever: key 'start'")
    except InputError:
        return baseline.months[0]


def make_template(
    template: Any, region: str, deadline: pd.Period, baseline: Baseline, tree: RegionTree
) -> Lever:
    """A full lever from a template for ``region`` (size 0), with defaults filled in.

    Missing keys of a mapping: ``start`` the first projected month; ``months`` from the start
    to ``deadline``; ``ramp_months``, ``unit_cost``, ``already_covered``, ``retention_after``,
    ``lapse``, ``enrolled_share`` from data/parameters.yaml; a subsidy's ``payer`` from the region's
    level (apbn, apbd_provinsi, apbd_kabkota). Everything is validated by the scenario parser.
    """
    kind = _kind_of(template)
    size_key = "headcount" if kind == SUBSIDY else "officials_per_village"
    if isinstance(template, Lever):
        return dataclasses.replace(template, region=(region,), **{size_key: 0.0})
    item = dict(template) if isinstance(template, Mapping) else {}
    item["kind"] = kind
    item.setdefault("start", str(baseline.months[0]))
    for key, value in lever_defaults(kind, _month_or_first(item["start"], baseline)).items():
        if key != size_key:
            item.setdefault(key, value)
    if isinstance(item["start"], pd.Period):
        item["start"] = str(item["start"])
    if "months" not in item and "end" not in item:
        try:
            start = _month(item["start"], "lever: key 'start'")
            item["months"] = max((deadline - start).n + 1, 1)
        except InputError:
            pass  # the scenario parser names the bad start
    if kind == SUBSIDY:
        item.setdefault("payer", PAYER_BY_LEVEL[tree.level(region)])
    item["region"] = region
    item[size_key] = 0
    parsed = scenario_from_dict(
        {"name": "budget", "horizon": str(deadline), "levers": [item]}, source="lever template", tree=tree
    )
    return parsed.levers[0]


def _sized(lever: Lever, region: str, size: float, villages: int) -> Lever:
    if isinstance(lever, VillageOfficials):
        per_village = size / villages if villages else 0.0
        return dataclasses.replace(lever, region=(region,), officials_per_village=per_village)
    return dataclasses.replace(lever, region=(region,), headcount=size)


def _funded_months(lever: Lever, deadline: pd.Period) -> int:
    months = getattr(lever, "months", None)
    return int(months) if months is not None else max((deadline - lever.start).n + 1, 0)


def _lever_end(lever: Lever, deadline: pd.Period) -> pd.Period:
    months = getattr(lever, "months", None)
    return deadline if months is None else lever.start + (int(months) - 1)


# ---- validation ----------------------------------------------------------------------------------
def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InputError(f"{what}: expected a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise InputError(f"{what}: expected a finite number, got {value!r}")
    return value


def _check_target(value: Any, what: str = "target") -> float:
    value = _number(value, what)
    if not 0 <= value <= 1:
        raise InputError(f"{what}: expected a coverage fraction between 0 and 1, got {value:g}")
    return value


def _check_probability(value: Any) -> float:
    value = _number(value, "probability")
    if not 0 < value < 1:
        raise InputError(f"probability: expected a fraction strictly between 0 and 1, got {value:g}")
    return value


def parse_deadline(value: Any, baseline: Baseline) -> pd.Period:
    """A deadline month ("YYYY-MM" or Period) within the baseline's projection; InputError otherwise."""
    return _check_deadline(value, baseline)


def _check_deadline(value: Any, baseline: Baseline) -> pd.Period:
    deadline = value if isinstance(value, pd.Period) else _month(value, "deadline")
    deadline = pd.Period(deadline, freq="M")
    first, last = baseline.months[0], baseline.months[-1]
    if not first <= deadline <= last:
        raise InputError(f"deadline: expected a month within the projection {first}..{last}, got {deadline}")
    return deadline


def _check_region(value: Any, baseline: Baseline, tree: RegionTree, what: str = "region") -> str:
    code = str(value).strip()
    if code not in tree:
        raise InputError(
            f"{what}: unknown region code {value!r}; expected a Kemendagri code such as '61' or '61.01'"
        )
    return code


def _check_tree(baseline: Baseline, tree: RegionTree) -> None:
    if tuple(baseline.regions) != tuple(summing_matrix(tree)[0]):
        raise InputError("baseline: regions differ from the region tree (expected all codes in tree order)")


def _check_paths(paths: int | None, baseline: Baseline) -> int:
    n = baseline.paths if paths is None else paths
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 1 <= n <= baseline.paths:
        raise InputError(f"paths: expected a whole number from 1 to {baseline.paths}, got {paths!r}")
    return int(n)


def _check_payers(payers: Mapping[str, float] | None, lever: Lever) -> dict[str, float]:
    if payers is None:
        return {lever.payer: 1.0}
    if not isinstance(payers, Mapping) or not payers:
        raise InputError(f"payers: expected a mapping payer -> share, got {payers!r}")
    out = {}
    for payer, share in payers.items():
        if payer not in PAYERS:
            raise InputError(f"payers: unknown payer {payer!r}; expected one of {', '.join(PAYERS)}")
        share = _number(share, f"payers: share of {payer}")
        if share < 0:
            raise InputError(f"payers: share of {payer} must be non-negative, got {share:g}")
        out[payer] = share
    total = sum(out.values())
    if abs(total - 1.0) > 1e-9:
        raise InputError(f"payers: shares must add up to 1, got {total:g}")
    return out


# ---- the closed form -----------------------------------------------------------------------------
def needed_sizes(room: np.ndarray, slope: np.ndarray, deficit: np.ndarray) -> np.ndarray:
    """Smallest size x >= 0 per path with ``sum_l min(slope_l x, room_l) >= deficit``.

    Parameters
    ----------
    room : ndarray (..., L, P)
        Uncovered workforce per kabupaten/kota, employed - active [persons] (the cap).
    slope : ndarray (..., L, P)
        Persons added per unit size before the cap, >= 0 [persons/unit].
    deficit : ndarray (..., P)
        target x employed - active of the region [persons].

    Returns
    -------
    ndarray (..., P) float64
        The size [units]; inf where no size reaches the deficit. The left side is piecewise linear
        and nondecreasing in x with a kink where each leaf fills up, so the answer is exact: sort
        the kinks, find the first one at which the sum reaches the deficit, and interpolate on the
        segment that ends there.
    """
    room = np.asarray(room, dtype=np.float64)
    slope = np.asarray(slope, dtype=np.float64)
    # a leaf with no room (active >= employed) adds min(0, room) whatever the size
    deficit = np.asarray(deficit, dtype=np.float64) - np.minimum(room, 0.0).sum(axis=-2)
    room = np.maximum(room, 0.0)
    room = np.where(slope > 0, room, 0.0)  # a leaf the lever never reaches adds nothing
    with np.errstate(divide="ignore", invalid="ignore"):
        kink = np.where(room <= 0, 0.0, room / slope)
    order = np.argsort(kink, axis=-2, kind="stable")
    kink = np.take_along_axis(kink, order, axis=-2)
    room = np.take_along_axis(room, order, axis=-2)
    slope = np.take_along_axis(slope, order, axis=-2)
    full_before = np.cumsum(room, axis=-2) - room  # leaves j < k are full on segment k
    rising = np.flip(np.cumsum(np.flip(slope, axis=-2), axis=-2), axis=-2)  # leaves j >= k still rise
    at_kink = full_before + kink * rising  # the sum at the end of segment k
    reach = at_kink >= deficit[..., None, :]
    k = np.argmax(reach, axis=-2)[..., None, :]
    base = np.take_along_axis(full_before, k, axis=-2)[..., 0, :]
    rate = np.take_along_axis(rising, k, axis=-2)[..., 0, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(rate > 0, (deficit - base) / np.where(rate > 0, rate, 1.0), 0.0)
    return np.where(reach.any(axis=-2), np.maximum(x, 0.0), np.inf)


def added_persons(room: np.ndarray, slope: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Persons added per path, ``sum_l min(slope_l x, room_l)`` (..., P) for sizes x (...)."""
    x = np.asarray(size, dtype=np.float64)[..., None, None]
    return np.minimum(slope * x, room).sum(axis=-2)


def smallest_size(needed: np.ndarray, probability: float) -> float:
    """Smallest x with mean(needed <= x) >= probability: the ceil(probability x P)-th smallest."""
    paths = needed.shape[-1]
    k = max(int(math.ceil(probability * paths - 1e-9)), 1)
    return np.partition(needed, k - 1, axis=-1)[..., k - 1]


@dataclass(frozen=True)
class _Setup:
    """Arrays for sizing the lever in R disjoint regions at the deadline (float64 unless said)."""

    codes: tuple[str, ...]
    room: np.ndarray  # (R, L, P) uncovered per leaf, zero-padded
    slope: np.ndarray  # (R, L, P) persons per unit size per leaf
    deficit: np.ndarray  # (R, P) target x employed - active of the region
    uncovered: np.ndarray  # (R,) median uncovered workforce of the region
    peak: np.ndarray  # (R,) mean persons per unit at full size (1 - d, or enrolled share)
    gain: np.ndarray  # (R,) mean persons per unit at the deadline (before the cap)
    villages: tuple[int, ...]
    horizon: pd.Period


def _draws(lever: Lever, rng: np.random.Generator, paths: int, uncertainty: bool) -> list[np.ndarray]:
    """Behavioural draws in the engine's order (``simulator.engine._effect``)."""

    def draw(param) -> np.ndarray:
        return param.sample(rng, paths) if uncertainty else np.full(paths, param.mean())

    if isinstance(lever, ContributionSubsidy):
        return [draw(lever.already_covered), draw(lever.retention_after), draw(lever.lapse)]
    return [draw(lever.enrolled_share)]


def _unit_gain(lever: Lever, draws: list[np.ndarray], offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Persons per unit size at month ``offset`` since the start, and at full size, per path.

    Calls the lever's own effect function with size 1 on one leaf of weight 1.
    """
    at = np.array([offset])
    one = np.ones(1)
    if isinstance(lever, ContributionSubsidy):
        d, r, lapse = draws
        effect = contribution_subsidy(1.0, lever.months, lever.ramp_months, at, one, d, r, lapse, 0.0)
        full = 1.0 - d
    else:
        (full,) = draws
        effect = village_officials(one, 1.0, full, lever.ramp_months, lever.months, at, 0.0)
    per_path = getattr(effect, "per_path", None)  # float64 (P, T) where the effect is factored
    gain = per_path[:, 0] if per_path is not None else effect.persons[0, :, 0]
    return np.array(gain, dtype=np.float64), np.asarray(full, dtype=np.float64)


def _setup(
    baseline: Baseline,
    lever: Lever,
    codes: Sequence[str],
    targets: Sequence[float],
    deadline: pd.Period,
    paths: int,
    seed: int,
    tree: RegionTree,
    uncertainty: bool,
) -> _Setup:
    """Per region: the leaves under it, their share of the size, the gain per unit and the caps.

    Lever i (region i) draws from the i-th child of ``seed``, as ``run_scenario`` does for the
    i-th lever of a scenario, so a scenario with these levers in this order reproduces the numbers.
    """
    all_codes, leaves, s = summing_matrix(tree)
    horizon = max(deadline, min(_lever_end(lever, deadline), baseline.months[-1]))
    t = baseline.month_index(deadline)
    n_months = baseline.month_index(horizon) + 1
    at = int(np.clip((lever.start - baseline.months[0]).n, 0, n_months - 1))
    pos = {c: i for i, c in enumerate(all_codes)}
    leaf_rows = np.array([pos[c] for c in leaves], dtype=np.int64)
    scopes = [np.flatnonzero(s[pos[c]]) for c in codes]
    n, width = len(codes), max(1, max(len(sc) for sc in scopes))
    index = np.zeros((n, width), dtype=np.int64)  # leaf number, padded with leaf 0 ...
    mask = np.zeros((n, width), dtype=bool)  # ... and masked out
    for i, scope in enumerate(scopes):
        index[i, : len(scope)] = scope
        mask[i, : len(scope)] = True

    if isinstance(lever, ContributionSubsidy):
        # as the engine: float32 median over paths of the uncovered at the lever's start month,
        # split in proportion (evenly when nothing is uncovered)
        used = np.unique(index[mask])
        gap = (baseline.employed[leaf_rows[used], :paths, at].astype(np.float32)
               - baseline.active[leaf_rows[used], :paths, at].astype(np.float32))
        median = np.zeros(len(leaves))
        median[used] = np.clip(orderstats.median(gap).astype(np.float64), 0.0, None)
        u = np.where(mask, median[index], 0.0)
        total = u.sum(axis=1, keepdims=True)
        even = mask / mask.sum(axis=1, keepdims=True)
        weights = np.where(total > 0, u / np.where(total > 0, total, 1.0), even)
        villages = np.zeros(n, dtype=np.int64)
    else:
        from simulator.engine import desa_counts

        counts = desa_counts(tree, list(leaves))  # desa only, as the engine
        c = np.where(mask, counts[index], 0.0)
        villages = c.sum(axis=1)
        weights = c / np.where(villages > 0, villages, 1.0)[:, None]

    rngs = np.random.default_rng(seed).spawn(n)
    offset = (deadline - lever.start).n
    if not uncertainty or all(p.is_fixed for p in _uncertain_params(lever)):
        gain, full = _unit_gain(lever, _draws(lever, rngs[0], paths, uncertainty), offset)  # no draws used
        gain, full = np.broadcast_to(gain, (n, paths)), np.broadcast_to(full, (n, paths))
    else:
        pairs = [_unit_gain(lever, _draws(lever, rng, paths, uncertainty), offset) for rng in rngs]
        gain, full = np.array([g for g, _ in pairs]), np.array([f for _, f in pairs])

    rows = leaf_rows[index]  # (n, width) baseline rows
    act = baseline.active[:, :paths, t][rows].astype(np.float64)  # (n, width, P)
    room = np.where(mask[:, :, None], baseline.employed[:, :paths, t][rows].astype(np.float64) - act, 0.0)
    slope = weights[:, :, None] * gain[:, None, :]
    region_rows = np.array([pos[c] for c in codes], dtype=np.int64)
    region_act = baseline.active[region_rows, :paths, t].astype(np.float64)
    region_emp = baseline.employed[region_rows, :paths, t].astype(np.float64)
    deficit = np.asarray(targets, dtype=np.float64)[:, None] * region_emp - region_act
    uncovered = orderstats.median(region_emp - region_act)
    return _Setup(tuple(codes), room, slope, deficit, uncovered, full.mean(axis=1), gain.mean(axis=1),
                  tuple(int(v) for v in villages), horizon)


def _uncertain_params(lever: Lever) -> list:
    if isinstance(lever, ContributionSubsidy):
        return [lever.already_covered, lever.retention_after, lever.lapse]
    return [lever.enrolled_share]


def _caps(setup: _Setup) -> np.ndarray:
    """Largest whole size within the uncovered workforce per region [persons]."""
    with np.errstate(divide="ignore", invalid="ignore"):
        cap = np.where(setup.peak > 0, np.maximum(setup.uncovered, 0.0) / setup.peak, 0.0)
    return np.floor(cap + 1e-9)


# ---- solve ---------------------------------------------------------------------------------------
def solve(
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
) -> Solution:
    """Smallest lever size such that P(coverage of ``region`` >= ``target`` at ``deadline``) >=
    ``probability``.

    Parameters
    ----------
    baseline : Baseline
    template_lever : mapping, str or Lever
        contribution_subsidy (size: headcount [persons]) or village_officials (size: officials in
        total [persons], spread over the villages in scope); see the module docstring for defaults.
    region : str
        Kemendagri code; the lever covers every kabupaten/kota under it.
    target : float
        Coverage target [fraction], 0..1.
    deadline : "YYYY-MM" or Period
        Month within the projection.
    probability : float
        Required probability of reaching the target, strictly between 0 and 1.
    paths : int, optional
        Use the first ``paths`` baseline paths (all by default).
    seed : int
        As in ``run_scenario``: the lever draws its behavioural parameters from the first child.
    tree : RegionTree, optional
        The bundled one by default.
    uncertainty : bool
        False uses the mean of every behavioural parameter.
    payers : mapping payer -> share, optional
        Split of the cost between payers (shares adding up to 1); the lever's payer by default.
    basis : "bps" or "ucj"
        The denominator ``target`` is stated on (``simulator.targets.BASES``): a UCJ target T is
        reached when active / employed >= T x the UCJ share of the region in the deadline's year.
    workforce : DataFrame, optional
        The workforce data (published UCJ denominators, column ``potential``).

    Returns
    -------
    Solution
        Exact to one person: P(size) >= probability > P(size - 1) in ``run_scenario``. With
        uncertainty off and identical paths, size = ceil((target x employed - active) /
        (gain per person at the deadline)), gain = (1 - already_covered) x ramp factor while a
        subsidy runs.
    """
    from simulator.engine import run_scenario

    tree = tree if tree is not None else load_regions()
    _check_tree(baseline, tree)
    region = _check_region(region, baseline, tree)
    target = _check_target(target)
    deadline = _check_deadline(deadline, baseline)
    required = _check_probability(probability)
    n_paths = _check_paths(paths, baseline)
    lever = make_template(template_lever, region, deadline, baseline, tree)
    shares = _check_payers(payers, lever)
    from simulator.targets import basis_of, denominator_factors

    basis = basis_of("", basis, "basis")
    factor = float(denominator_factors([region], [deadline.year], [basis], workforce)[0][0])
    goal = target * factor  # the target on the engine's BPS basis

    setup = _setup(baseline, lever, [region], [goal], deadline, n_paths, seed, tree, uncertainty)
    needed = needed_sizes(setup.room, setup.slope, setup.deficit)[0]  # (P,)
    estimate = float(smallest_size(needed, required))
    cap = int(_caps(setup)[0])
    villages = setup.villages[0]
    runs: dict[int, tuple[float, Any]] = {}

    def engine(size: int) -> float:
        if size not in runs:
            sized = _sized(lever, region, float(size), villages)
            scenario = Scenario(name="solve", horizon=setup.horizon, levers=(sized,))
            result = run_scenario(baseline, scenario, paths=n_paths, seed=seed, tree=tree,
                                  uncertainty=uncertainty, regions=[region])
            cov = result.coverage_of(0, result.months.get_loc(deadline))
            runs[size] = (float(np.mean(np.nan_to_num(cov, nan=-np.inf) >= goal)), result)
        return runs[size][0]

    def ok(size: int) -> bool:
        if len(runs) >= _MAX_ENGINE_RUNS and size not in runs:
            raise RuntimeError("solve: the engine check did not settle; please report this case")
        return engine(size) >= required

    guess = min(int(math.ceil(estimate)), cap) if math.isfinite(estimate) else cap
    size = _smallest_integer(ok, guess, cap)
    if size is None:
        p_cap = engine(cap)
        message = (f"{NOT_REACHABLE}: even a {SIZE_NAMES[lever.kind]} of {cap:,} (the whole uncovered "
                   f"workforce of {region} at {deadline}) gives P = {p_cap:.3f} < {required:g}")
        return _solution(region, target, deadline, required, lever, False, None, cap, p_cap, None, n_paths,
                         villages, runs[cap][1], shares, estimate, len(runs), message, basis, factor)
    below = engine(size - 1) if size > 0 else None
    return _solution(region, target, deadline, required, lever, True, size, cap, engine(size), below, n_paths,
                     villages, runs[size][1], shares, estimate, len(runs), "", basis, factor)


def _smallest_integer(ok, guess: int, cap: int) -> int | None:
    """Smallest n in [0, cap] with ok(n) (ok monotone), searching outward from ``guess`` (None if
    not even ok(cap)); about two calls when the guess is right."""
    guess = min(max(guess, 0), cap)
    if ok(guess):
        hi, step = guess, 1
        while hi > 0:
            lo = max(hi - step, 0)
            if not ok(lo):
                break
            hi, step = lo, step * 2
        else:
            return 0
        # ok(hi), not ok(lo)
    else:
        lo, step = guess, 1
        while True:
            hi = min(lo + step, cap)
            if hi <= lo:
                return None
            if ok(hi):
                break
            lo, step = hi, step * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi


def _solution(region, target, deadline, required, lever, reachable, size, cap, p, below, paths, villages,
              result, shares, estimate, runs, message, basis="bps", factor=1.0) -> Solution:
    sized = _sized(lever, region, float(size if size is not None else cap), villages)
    cost = result.cost.groupby("year", as_index=False)["cost_idr"].sum()
    split = pd.DataFrame(
        [{"payer": payer, "year": int(year), "cost_idr": float(value) * share}
         for payer, share in shares.items() for year, value in zip(cost["year"], cost["cost_idr"])],
        columns=["payer", "year", "cost_idr"],
    )
    budget = None if size is None else float(size) * lever.unit_cost * _funded_months(lever, deadline)
    return Solution(
        region=region, target=target, deadline=deadline, required=required, kind=lever.kind,
        reachable=reachable, size=size, lever=sized, probability=p, probability_below=below,
        mc_error=math.sqrt(p * (1 - p) / paths), paths=paths, cap=cap, villages=villages,
        budget_idr=budget, cost=split, estimate=estimate, engine_runs=runs, message=message,
        basis=basis, factor=factor,
    )


# ---- targets per region --------------------------------------------------------------------------
def goals_for(
    regions: Sequence[str],
    year: int,
    targets: pd.DataFrame | None = None,
    target: float | None = None,
    tree: RegionTree | None = None,
    *,
    basis: str | None = None,
    workforce: pd.DataFrame | None = None,
) -> dict[str, tuple[float, float]]:
    """Coverage target [fraction] and its denominator factor per region for ``year``, through
    the one resolver (``simulator.targets.resolve``).

    A region's own official row wins; else ``target`` when given (on ``basis``: default the basis
    of the target the region inherits, else bps); else the nearest ancestor's row (a
    kabupaten/kota inherits its province's target, on the province's definition). InputError
    names the first region left without one, or a target whose definition cannot be computed.
    """
    from simulator.targets import denominator_factors, resolve

    tree = tree if tree is not None else load_regions()
    if target is not None:
        target = _check_target(target)
    resolved = resolve(list(regions), targets, None, tree, workforce)
    rows = resolved[resolved["year"] == int(year)]
    first: dict[str, Any] = {}
    for row in rows.itertuples(index=False):
        first.setdefault(row.region_code, row)
    out = {}
    for code in regions:
        row = first.get(code)
        if row is not None and (row.applied_from == code or target is None):
            out[code] = (_check_target(row.coverage, f"targets: coverage of {code} in {year}"), float(row.factor))
        elif target is not None:
            b = basis or (row.basis if row is not None else "bps")
            factor = denominator_factors([code], [int(year)], [b], workforce)[0][0]
            out[code] = (target, float(factor))
        else:
            raise InputError(f"target: no target for region {code} in {year}; give a target value")
    return out


# ---- allocate ------------------------------------------------------------------------------------
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
) -> Allocation:
    """Split a rupiah budget across regions with scipy.optimize.milp.

    Parameters
    ----------
    baseline : Baseline
    budget : float
        Envelope [IDR], >= 0; a size costs size x unit cost x funded months.
    regions : sequence of str
        Disjoint regions (none under another), e.g. the kabupaten/kota of a province.
    lever : mapping, str or Lever
        Template as in ``solve``; one lever per region, covering that region.
    objective : "regions" or "workers"
        "regions": maximise the number of regions whose P(reach) >= ``probability`` (MILP with a
        binary reach variable per region: reached => size >= needed size); of the ways to reach
        that many, the cheapest set of regions; what is left goes to the regions not reached, the
        one needing the least first (raising its probability), then to expected persons.
        "workers": maximise the expected newly covered
        persons at the deadline (LP, linear in size up to the cap: mean persons added per unit at
        the deadline, (1 - already_covered) x ramp factor for a subsidy), then, at that value, the
        number of regions reached.
    deadline : "YYYY-MM" or Period
    probability : float
        Required probability per region, strictly between 0 and 1.
    target, targets
        Per region: its row for ``deadline.year`` in ``targets`` if any, else ``target``, else its
        nearest ancestor's row (see ``goals_for``), each on its own definition (a UCJ-basis target
        T is reached when active / employed >= T x the UCJ share).
    basis, workforce
        The basis of ``target`` ("bps" or "ucj"; default that of the region's official target) and
        the workforce data (published UCJ denominators).
    minimums : mapping region -> size, optional
        Whole persons each region gets at least.
    paths, seed, tree, uncertainty
        As in ``solve``; region i's lever draws from the i-th child of ``seed``.

    Returns
    -------
    Allocation
        Sizes are whole persons within [minimum, cap]; the cost never exceeds the budget.
        Deterministic for the same inputs.
    """
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp

    tree = tree if tree is not None else load_regions()
    budget = _number(budget, "budget")
    if budget < 0:
        raise InputError(f"budget: expected a non-negative amount of rupiah, got {budget:g}")
    if objective not in OBJECTIVES:
        raise InputError(f"objective: expected one of {', '.join(OBJECTIVES)}, got {objective!r}")
    if isinstance(regions, str) or not regions:
        raise InputError(f"regions: expected a non-empty list of region codes, got {regions!r}")
    _check_tree(baseline, tree)
    codes = [_check_region(c, baseline, tree, "regions") for c in regions]
    _check_disjoint(codes, tree)
    deadline = _check_deadline(deadline, baseline)
    required = _check_probability(probability)
    n_paths = _check_paths(paths, baseline)
    goals = goals_for(codes, deadline.year, targets, target, tree, basis=basis, workforce=workforce)
    template = make_template(lever, codes[0], deadline, baseline, tree)
    unit_budget = template.unit_cost * _funded_months(template, deadline)  # [IDR/person]

    setup = _setup(baseline, template, codes, [goals[c][0] * goals[c][1] for c in codes], deadline, n_paths,
                   seed, tree, uncertainty)
    needed = needed_sizes(setup.room, setup.slope, setup.deficit)  # (R, P)
    need = np.ceil(smallest_size(needed, required))  # (R,) inf when never
    cap = _caps(setup)
    lows = _minimums(minimums, codes, cap)
    if lows @ np.full(len(codes), unit_budget) > budget:
        raise InputError(
            f"minimums: they cost {lows.sum() * unit_budget:,.0f} IDR, more than the budget {budget:,.0f}"
        )
    reachable = np.isfinite(need) & (need <= cap)

    n = len(codes)
    gain = setup.gain  # persons per unit at the deadline (linear model)
    # Sizes are whole persons; every person costs unit_budget, so the budget row counts persons.
    persons = max(math.floor(budget / unit_budget + 1e-9), lows.sum()) if unit_budget > 0 else 1e15
    budget_row = np.concatenate([np.full(n, 1.0), np.zeros(n)])
    link = sparse.hstack([sparse.eye(n), sparse.diags(-np.where(reachable, need, 0.0))], format="csr")
    constraints = [LinearConstraint(budget_row[None, :], -np.inf, persons),
                   LinearConstraint(link, 0.0, np.inf)]
    bounds = Bounds(np.concatenate([lows, np.zeros(n)]), np.concatenate([cap, reachable.astype(float)]))
    # only the reach variables need to be whole: sizes come from the final LP below, whose one
    # budget row has unit coefficients and whole bounds, so its optimum is whole
    integrality = np.concatenate([np.zeros(n), np.ones(n)])
    count = np.concatenate([np.zeros(n), np.ones(n)])
    persons_added = np.concatenate([gain, np.zeros(n)])
    options = {"disp": False, "time_limit": 60.0}

    def run(c: np.ndarray, extra: list) -> Any:
        """Maximise c @ [y, z]."""
        res = milp(-c, constraints=constraints + extra, bounds=bounds, integrality=integrality,
                   options=options)
        if res.x is None:
            raise RuntimeError(f"allocate: the optimiser found no solution ({res.message})")
        if res.status != 0:
            log.warning("allocate: optimiser stopped early (%s); the split may not be optimal", res.message)
        return res

    def spend(chosen: np.ndarray, weight: np.ndarray) -> np.ndarray:
        """Sizes with the reach set ``chosen`` fixed: maximise weight @ y within the budget."""
        lo = np.maximum(lows, np.where(chosen, np.where(reachable, need, 0.0), 0.0))
        res = linprog(-weight, A_ub=np.ones((1, n)), b_ub=[persons], bounds=list(zip(lo, cap)),
                      method="highs")
        if res.x is None:
            raise RuntimeError(f"allocate: the optimiser found no solution ({res.message})")
        return res.x

    if objective == "regions":
        first = run(count, [])
        value = float(round(-first.fun))
        # of the ways to reach that many regions, the cheapest set ...
        cheapest = run(-np.concatenate([np.zeros(n), np.where(reachable, need, 0.0)]),
                       [LinearConstraint(count[None, :], value - 0.5, np.inf)])
        chosen = np.round(cheapest.x[n:]) > 0.5
        # ... and what is left goes to the regions not reached in order of the smallest needed size
        # (the closest to one more region), then to expected persons: persons weigh 1e-3 of a unit
        # of progress, so they only decide where no progress is possible
        open_need = np.where(reachable & ~chosen & (need > 0), need, np.inf)
        scale = float(np.min(open_need)) if np.isfinite(open_need).any() else 1.0
        progress = np.where(np.isfinite(open_need), scale / open_need, 0.0)
        x = spend(chosen, progress + 1e-3 * gain)
    else:
        lp = linprog(-gain, A_ub=np.ones((1, n)), b_ub=[persons], bounds=list(zip(lows, cap)), method="highs")
        if lp.x is None:
            raise RuntimeError(f"allocate: the optimiser found no solution ({lp.message})")
        value = float(-lp.fun)
        # at (nearly) that many persons, as many regions as possible reach their target
        floor = value - 1e-6 * max(1.0, abs(value))
        most = run(count, [LinearConstraint(persons_added[None, :], floor, np.inf)])
        x = spend(np.round(most.x[n:]) > 0.5, gain)
    size = np.clip(np.round(x[:n]), lows, cap)
    log.debug("allocate %s: objective %s, %d regions", objective, value, n)

    p = (needed <= size[:, None]).mean(axis=1)
    added = added_persons(setup.room, setup.slope, size).mean(axis=-1)
    table = pd.DataFrame({
        "region_code": codes,
        "name": tree.table.set_index("code").loc[codes, "name"].astype(str).to_numpy(),
        "target": [goals[c][0] for c in codes],
        "needed": np.where(reachable, need, np.nan),
        "cap": cap,
        "minimum": lows,
        "size": size.astype(np.int64),
        "cost_idr": size * unit_budget,
        "probability": p,
        "mc_error": np.sqrt(p * (1 - p) / n_paths),
        "reached": p >= required,
        "expected_new_persons": added,
    }, columns=ALLOCATION_COLUMNS)
    return Allocation(
        objective=objective, objective_value=value, budget=budget, spent=float(table["cost_idr"].sum()),
        deadline=deadline, required=required, kind=template.kind, lever=template, table=table,
        horizon=setup.horizon, seed=seed, unit_budget=unit_budget, villages=setup.villages,
    )


def _check_disjoint(codes: list[str], tree: RegionTree) -> None:
    all_codes, _, s = summing_matrix(tree)
    pos = {c: i for i, c in enumerate(all_codes)}
    seen: dict[int, str] = {}
    for code in codes:
        for leaf in np.flatnonzero(s[pos[code]]):
            if int(leaf) in seen:
                other = seen[int(leaf)]
                what = "listed twice" if other == code else f"overlaps {other}"
                raise InputError(f"regions: {code} {what}; expected regions none of which lies under another")
            seen[int(leaf)] = code


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
        value = _number(value, f"minimums: {code}")
        if value < 0 or value != int(value):
            raise InputError(f"minimums: {code}: expected a whole number of persons >= 0, got {value:g}")
        i = index[code]
        if value > cap[i]:
            raise InputError(
                f"minimums: {code}: {value:,.0f} exceeds its uncovered workforce cap {cap[i]:,.0f}"
            )
        lows[i] = value
    return lows

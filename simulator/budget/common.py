"""Shared parts of the budget tools: lever kinds and templates, input checks, the closed form
(persons added are ``min(slope x, room)`` per kabupaten/kota and path) and the targets per region."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from simulator.baseline import Baseline
from simulator.errors import InputError
from simulator.parameters import lever_defaults, payer_for
from simulator.regions import RegionTree, load_regions, summing_matrix
from simulator.scenario import (
    ContributionSubsidy,
    CostedLever,
    EmployerCompliance,
    Lever,
    VillageOfficials,
    parse_month,
    scenario_from_dict,
)
from simulator.vocabulary import PAYERS

SUBSIDY = "contribution_subsidy"
VILLAGE = "village_officials"
COMPLIANCE = "employer_compliance"
KINDS = (SUBSIDY, VILLAGE, COMPLIANCE)
#: Short names accepted for the lever kind (command line, app).
KIND_ALIASES = {
    "subsidy": SUBSIDY,
    "village": VILLAGE,
    "compliance": COMPLIANCE,
    SUBSIDY: SUBSIDY,
    VILLAGE: VILLAGE,
    COMPLIANCE: COMPLIANCE,
}
SHORT = {SUBSIDY: "subsidy", VILLAGE: "village", COMPLIANCE: "compliance"}
#: What the size of each lever kind counts [persons].
SIZE_NAMES = {SUBSIDY: "headcount", VILLAGE: "officials", COMPLIANCE: "workers"}
_SIZE_KEYS = {SUBSIDY: "headcount", VILLAGE: "officials_per_village", COMPLIANCE: "workers"}
OBJECTIVES = ("regions", "workers")


# ---- lever templates -----------------------------------------------------------------------------
def kind_of(template: Any) -> str:
    """The lever kind of a template (mapping, kind name or Lever); InputError otherwise."""
    if isinstance(template, ContributionSubsidy):
        return SUBSIDY
    if isinstance(template, VillageOfficials):
        return VILLAGE
    if isinstance(template, EmployerCompliance):
        return COMPLIANCE
    kind = template.get("kind") if isinstance(template, Mapping) else template
    if isinstance(kind, Lever):
        kind = kind.kind
    if not isinstance(kind, str) or kind not in KIND_ALIASES:
        raise InputError(
            "lever: key 'kind': expected contribution_subsidy (subsidy), village_officials (village) or "
            f"employer_compliance (compliance), got {kind!r}"
        )
    return KIND_ALIASES[kind]


def month(value: Any, what: str) -> pd.Period:
    """A month from a Period, date or "YYYY-MM" text; InputError naming ``what`` otherwise."""
    if isinstance(value, pd.Period):
        return pd.Period(value, freq="M")
    try:
        return parse_month(value)  # the scenario files' month rule: one home
    except Exception:
        raise InputError(f"{what}: expected a month 'YYYY-MM', got {value!r}") from None


def _month_or_first(value: Any, baseline: Baseline) -> pd.Period:
    try:
        return month(value, "lever: key 'start'")
    except InputError:
        return baseline.months[0]


def make_template(
    template: Any,
    region: str,
    deadline: pd.Period,
    baseline: Baseline,
    tree: RegionTree,
    funded: Sequence[str] | None = None,
) -> Lever:
    """A full lever from a template for ``region`` (size 0), with defaults filled in.

    Missing keys of a mapping: ``start`` the first projected month; ``months`` from the start to
    ``deadline``; ``ramp_months``, ``unit_cost``, ``already_covered``, ``retention_after``,
    ``lapse``, ``enrolled_share`` from data/parameters.yaml (in force at the start); a subsidy's
    ``payer`` by ``parameters.payer_for`` (the budget of the lowest region holding ``funded``, default
    ``region``: data/parameters.yaml, ``payer_by_level``). Validated by the scenario parser (InputError
    names the key).
    """
    kind = kind_of(template)
    size_key = _SIZE_KEYS[kind]
    if isinstance(template, Lever):
        zero: dict[str, Any] = {size_key: 0.0}
        return dataclasses.replace(template, region=(region,), **zero)
    item = dict(template) if isinstance(template, Mapping) else {}
    item["kind"] = kind
    item.setdefault("start", str(baseline.months[0]))
    for key, value in lever_defaults(kind, _month_or_first(item["start"], baseline)).items():
        if key != size_key:
            item.setdefault(key, value)
    if isinstance(item["start"], pd.Period):
        item["start"] = str(item["start"])
    if kind != COMPLIANCE and "months" not in item and "end" not in item:
        try:
            start = month(item["start"], "lever: key 'start'")
            item["months"] = max((deadline - start).n + 1, 1)
        except InputError:
            pass  # the scenario parser names the bad start
    if kind == SUBSIDY:
        item.setdefault("payer", payer_for(list(funded or [region]), tree, item["start"]))
    item["region"] = region
    item[size_key] = 0
    parsed = scenario_from_dict(
        {
            "name": "budget",
            "horizon": str(max(deadline, _month_or_first(item["start"], baseline))),
            "levers": [item],
        },
        source="lever template",
        tree=tree,
    )
    return parsed.levers[0]


def sized(lever: Lever, region: str, size: float, villages: float, **changes: Any) -> Lever:
    """``lever`` for ``region`` with ``size`` (village officials: spread over ``villages`` desa)."""
    if isinstance(lever, VillageOfficials):
        per_village = size / villages if villages else 0.0
        return dataclasses.replace(lever, region=(region,), officials_per_village=per_village, **changes)
    if isinstance(lever, EmployerCompliance):
        return dataclasses.replace(lever, region=(region,), workers=size, **changes)
    changes["headcount"] = size
    return dataclasses.replace(lever, region=(region,), **changes)


def funded_months(lever: Lever, deadline: pd.Period) -> int:
    """Months the lever is paid for: its ``months``, else from its start to ``deadline``."""
    months = getattr(lever, "months", None)
    return int(months) if months is not None else max((deadline - lever.start).n + 1, 0)


def lever_end(lever: Lever, deadline: pd.Period) -> pd.Period:
    months = getattr(lever, "months", None)
    return deadline if months is None else lever.start + (int(months) - 1)


# ---- validation ----------------------------------------------------------------------------------
def number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InputError(f"{what}: expected a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise InputError(f"{what}: expected a finite number, got {value!r}")
    return value


def check_target(value: Any, what: str = "target") -> float:
    value = number(value, what)
    if not 0 <= value <= 1:
        raise InputError(f"{what}: expected a coverage fraction between 0 and 1, got {value:g}")
    return value


def check_probability(value: Any) -> float:
    value = number(value, "probability")
    if not 0 < value < 1:
        raise InputError(f"probability: expected a fraction strictly between 0 and 1, got {value:g}")
    return value


def parse_deadline(value: Any, baseline: Baseline) -> pd.Period:
    """A deadline month ("YYYY-MM" or Period) within the baseline's projection; InputError otherwise."""
    deadline = value if isinstance(value, pd.Period) else month(value, "deadline")
    deadline = pd.Period(deadline, freq="M")
    first, last = baseline.months[0], baseline.months[-1]
    if not first <= deadline <= last:
        raise InputError(f"deadline: expected a month within the projection {first}..{last}, got {deadline}")
    return deadline


def check_region(value: Any, baseline: Baseline, tree: RegionTree, what: str = "region") -> str:
    code = str(value).strip()
    if code not in tree:
        raise InputError(
            f"{what}: unknown region code {value!r}; expected a Kemendagri code such as '61' or '61.01'"
        )
    return code


def check_tree(baseline: Baseline, tree: RegionTree) -> None:
    if tuple(baseline.regions) != tuple(summing_matrix(tree)[0]):
        raise InputError("baseline: regions differ from the region tree (expected all codes in tree order)")


def check_paths(paths: int | None, baseline: Baseline) -> int:
    n = baseline.paths if paths is None else paths
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 1 <= n <= baseline.paths:
        raise InputError(f"paths: expected a whole number from 1 to {baseline.paths}, got {paths!r}")
    return int(n)


def check_payers(payers: Mapping[str, float] | None, lever: Lever) -> dict[str, float]:
    if payers is None:
        assert isinstance(lever, CostedLever)  # only costed levers are sized by a budget
        return {lever.payer: 1.0}
    if not isinstance(payers, Mapping) or not payers:
        raise InputError(f"payers: expected a mapping payer -> share, got {payers!r}")
    out = {}
    for payer, share in payers.items():
        if payer not in PAYERS:
            raise InputError(f"payers: unknown payer {payer!r}; expected one of {', '.join(PAYERS)}")
        share = number(share, f"payers: share of {payer}")
        if share < 0:
            raise InputError(f"payers: share of {payer} must be non-negative, got {share:g}")
        out[payer] = share
    total = sum(out.values())
    if abs(total - 1.0) > 1e-9:
        raise InputError(f"payers: shares must add up to 1, got {total:g}")
    return out


def check_disjoint(codes: list[str], tree: RegionTree) -> None:
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


# ---- the closed form -----------------------------------------------------------------------------
def needed_sizes(room: np.ndarray, slope: np.ndarray, deficit: np.ndarray) -> np.ndarray:
    """Smallest size x >= 0 per path with ``sum_l min(slope_l x, room_l) >= deficit``.

    Parameters
    ----------
    room : ndarray (..., L, P)
        What each kabupaten/kota can still add [persons] (uncovered workforce, or less).
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
    return np.minimum(slope * x, np.maximum(room, 0.0)).sum(axis=-2)


def smallest_size(needed: np.ndarray, probability: float) -> np.ndarray:
    """Smallest x with mean(needed <= x) >= probability: the ceil(probability x P)-th smallest."""
    paths = needed.shape[-1]
    k = max(int(math.ceil(probability * paths - 1e-9)), 1)
    return np.partition(needed, k - 1, axis=-1)[..., k - 1]


def smallest_integer(ok, guess: int, cap: int) -> int | None:
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
        target = check_target(target)
    resolved = resolve(list(regions), targets, None, tree, workforce)
    rows = resolved[resolved["year"] == int(year)]
    first: dict[str, Any] = {}
    for row in rows.itertuples(index=False):
        first.setdefault(row.region_code, row)
    out = {}
    for code in regions:
        row = first.get(code)
        if row is not None and (row.applied_from == code or target is None):
            out[code] = (
                check_target(row.coverage, f"targets: coverage of {code} in {year}"),
                float(row.factor),
            )
        elif target is not None:
            b = basis or (row.basis if row is not None else "bps")
            factor = denominator_factors([code], [int(year)], [b], workforce)[0][0]
            out[code] = (target, float(factor))
        else:
            raise InputError(f"target: no target for region {code} in {year}; give a target value")
    return out


def later_goals(
    region: str,
    deadline: pd.Period,
    baseline: Baseline,
    targets: pd.DataFrame | None,
    tree: RegionTree,
    workforce: pd.DataFrame | None,
) -> list[tuple[int, pd.Period, float, float]]:
    """The region's official targets (own or inherited, ``targets.resolve``) after ``deadline``'s
    year whose deadline lies in the projection: ``(year, deadline, coverage, factor)``, by year."""
    from simulator.targets import OFFICIAL, deadline_for, resolve

    if targets is None or not len(targets):
        return []
    rows = resolve([region], targets, None, tree, workforce)
    rows = rows[(rows["origin"] == OFFICIAL) & (rows["year"] > deadline.year)]
    out, seen = [], set()
    for row in rows.sort_values("year", kind="stable").itertuples(index=False):
        when = deadline_for(int(row.year), baseline.months)
        if when is None or int(row.year) in seen or when <= deadline:
            continue
        seen.add(int(row.year))
        out.append(
            (
                int(row.year),
                when,
                check_target(row.coverage, f"targets: coverage of {region} in {row.year}"),
                float(row.factor),
            )
        )
    return out

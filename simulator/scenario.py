"""Scenario files: strict YAML loading into lever dataclasses, validation, and dumping back to YAML.

A scenario lists only what it changes against the baseline. Every problem in a file is an
InputError with one line naming the file, the lever and the key. Loading goes through
``simulator.safe_yaml`` (no tags, anchors or aliases; size, depth and node budgets), so no text can
build a Python object or expand beyond its size.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import yaml

from simulator.baseline import summing_matrix
from simulator.errors import InputError, clip
from simulator.regions import RegionTree, load_regions
from simulator.vocabulary import PAYERS

#: Largest scenario file accepted [bytes]; checked before parsing.
MAX_FILE_BYTES = 1_000_000
#: Largest number accepted anywhere in a scenario; beyond it a value is a typo or an attack.
MAX_NUMBER = 1e15
#: Largest count of persons in one lever: more than Indonesia's population (about 282 million, 2024).
MAX_PERSONS = 300_000_000
#: Largest unit cost [IDR/person/month]: far above any BPJS Ketenagakerjaan contribution.
MAX_UNIT_COST = 100_000_000
#: Months a scenario may name (start, end, horizon): the data begin after 2000, plans end by 2100.
FIRST_MONTH = pd.Period("2000-01", freq="M")
LAST_MONTH = pd.Period("2100-12", freq="M")
#: JKK + JKM minimum contribution for a BPU worker [IDR/person/month], PP 44/2015 as amended.
DEFAULT_UNIT_COST = 16800.0

TOP_KEYS = ("name", "title", "description", "base", "horizon", "levers", "targets", "sweep")
#: Languages of a scenario's ``title`` and ``description`` mappings (Bahasa Indonesia first).
LANGUAGES = ("id", "en")
TARGET_KEYS = ("region", "year", "coverage", "definition", "source")
DISTRIBUTIONS = {"uniform": ("low", "high"), "beta": ("a", "b"), "triangular": ("low", "mode", "high")}
#: Keys of a scenario's ``sweep`` section (settings of ``python -m simulator sweep``, simulator.sweep).
SWEEP_KEYS = ("samples", "seed", "probability", "grid", "batch")


# ---- uncertain behavioural parameters ------------------------------------------------------------
@dataclass(frozen=True)
class Uncertain:
    """A behavioural parameter [fraction]: fixed, or a distribution sampled once per path.

    ``dist`` is "fixed" (params: value), "uniform" (low, high), "beta" (a, b) or
    "triangular" (low, mode, high).
    """

    dist: str
    params: tuple[float, ...]

    @classmethod
    def fixed(cls, value: float) -> Uncertain:
        return cls("fixed", (float(value),))

    @property
    def is_fixed(self) -> bool:
        return self.dist == "fixed"

    def mean(self) -> float:
        """Expected value [fraction]."""
        p = self.params
        if self.dist == "fixed":
            return p[0]
        if self.dist == "uniform":
            return (p[0] + p[1]) / 2
        if self.dist == "beta":
            return p[0] / (p[0] + p[1])
        return (p[0] + p[1] + p[2]) / 3

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws [fraction] as float64; a fixed value draws nothing from ``rng``."""
        p = self.params
        if self.dist == "fixed":
            return np.full(n, p[0])
        if self.dist == "uniform":
            return rng.uniform(p[0], p[1], size=n)
        if self.dist == "beta":
            return rng.beta(p[0], p[1], size=n)
        if p[0] == p[2]:
            return np.full(n, p[0])
        return rng.triangular(p[0], p[1], p[2], size=n)


def _fixed(value: float) -> Any:
    return field(default_factory=lambda: Uncertain.fixed(value))


# ---- levers --------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Lever:
    """Fields every lever has.

    ``region`` holds Kemendagri codes and "NN.*" patterns (every kabupaten/kota under NN);
    ``start`` is the first month; ``ramp_months`` the months to full size (0 or 1: at once).
    """

    kind: ClassVar[str] = ""
    #: Participant segment the lever adds to (vocabulary.SEGMENTS); "" for the workforce shock,
    #: which moves the denominator of every segment.
    segment: ClassVar[str] = ""
    region: tuple[str, ...]
    start: pd.Period
    ramp_months: int = 1
    reference: str = ""
    label: str = ""


@dataclass(frozen=True, kw_only=True)
class CostedLever(Lever):
    """A lever that costs money: ``unit_cost`` [IDR/person/month] paid by ``payer``."""

    unit_cost: float = DEFAULT_UNIT_COST
    payer: str


@dataclass(frozen=True, kw_only=True)
class ContributionSubsidy(CostedLever):
    """A budget pays the JKK+JKM contribution of ``headcount`` workers for ``months`` months.

    ``already_covered`` [fraction] were active anyway (deadweight: cost, no coverage);
    ``retention_after`` [fraction] keep paying after the end and then lapse at ``lapse``
    [fraction/month].
    """

    kind: ClassVar[str] = "contribution_subsidy"
    segment: ClassVar[str] = "BPU"
    headcount: float
    months: int
    already_covered: Uncertain = _fixed(0.0)
    retention_after: Uncertain = _fixed(0.0)
    lapse: Uncertain = _fixed(0.0)


@dataclass(frozen=True, kw_only=True)
class VillageOfficials(CostedLever):
    """Desa enroll ``officials_per_village`` [persons] with ``enrolled_share`` [fraction].

    ``already_enrolled`` [fraction] of them were active participants already (no new coverage,
    still paid for); ``dana_desa_share`` [fraction] of the cost is paid from Dana Desa (payer
    "dana_desa"), the rest by ``payer`` (APBDes/ADD). ``months`` None means the enrollment lasts
    to the horizon. Officials are counted as PU (wage earners: the village government pays their
    fixed income, Siltap, and registers them as their employer).
    """

    kind: ClassVar[str] = "village_officials"
    segment: ClassVar[str] = "PU"
    officials_per_village: float
    enrolled_share: Uncertain = _fixed(1.0)
    already_enrolled: Uncertain = _fixed(0.0)
    dana_desa_share: float = 0.0
    months: int | None = None
    payer: str = "apbdes"


@dataclass(frozen=True, kw_only=True)
class EmployerCompliance(CostedLever):
    """Compliance drive: ``workers`` [persons] wage earners registered, ramping in, staying."""

    kind: ClassVar[str] = "employer_compliance"
    segment: ClassVar[str] = "PU"
    workers: float
    unit_cost: float = 0.0
    payer: str = "employer"


@dataclass(frozen=True, kw_only=True)
class InformalOutreach(CostedLever):
    """Outreach: ``monthly_enrollments`` [persons/month] for ``months``, lapsing at ``lapse``."""

    kind: ClassVar[str] = "informal_outreach"
    segment: ClassVar[str] = "BPU"
    monthly_enrollments: float
    months: int
    lapse: Uncertain = _fixed(0.0)


@dataclass(frozen=True, kw_only=True)
class WorkforceShock(Lever):
    """The workforce (denominator) changes by ``change`` [fraction], e.g. -0.02, ramping in."""

    kind: ClassVar[str] = "workforce_shock"
    change: float


@dataclass(frozen=True, kw_only=True)
class RunningProgramme(CostedLever):
    """A running programme of ``data/programmes.yaml`` (members already in the baseline), from
    ``start``: ``action`` "continue" (scale 1: costs, adds no persons), "stop" (scale 0: loses
    headcount x (1 - retention_after), the retained lapsing at ``lapse``) or "scale" (``scale`` x
    headcount; extra members ramp in with deadweight ``already_covered``). Region, headcount, unit
    cost, payer, label and reference come from the programme's entry unless given.
    """

    kind: ClassVar[str] = "programme"
    programme: str
    headcount: float
    action: str = "continue"
    scale: float = 1.0
    already_covered: Uncertain = _fixed(0.0)
    retention_after: Uncertain = _fixed(0.0)
    lapse: Uncertain = _fixed(0.0)

    @property
    def segment(self) -> str:  # type: ignore[override]
        """The programme's segment (data/programmes.yaml, key ``segment``; BPU when not given)."""
        from simulator.programmes import load_programmes

        return str(load_programmes().get(self.programme, {}).get("segment", "BPU"))


LEVER_TYPES: dict[str, type[Lever]] = {
    t.kind: t
    for t in (
        ContributionSubsidy,
        VillageOfficials,
        EmployerCompliance,
        InformalOutreach,
        WorkforceShock,
        RunningProgramme,
    )
}
#: Scale of a running programme per action (``scale`` needs its own value).
PROGRAMME_ACTIONS = {"continue": 1.0, "stop": 0.0, "scale": None}


def _programme_item(item: dict, where: str) -> dict:
    """A programme lever's mapping with the programme's entry filled in and ``scale`` set from
    ``action``; InputError naming the lever and key otherwise."""
    from simulator.programmes import programme_keys

    out = {**programme_keys(item.get("programme"), where), **item}
    action = out.get("action", "continue")
    if action not in PROGRAMME_ACTIONS:
        raise InputError(
            f"{where}, key 'action': expected one of {', '.join(PROGRAMME_ACTIONS)}, got {_show(action)}"
        )
    fixed = PROGRAMME_ACTIONS[action]
    if fixed is None and "scale" not in out:
        raise InputError(f"{where}, key 'scale': required with action scale")
    if fixed is not None and "scale" in out and out["scale"] != fixed:
        raise InputError(
            f"{where}, key 'scale': action {action} means scale {fixed:g}, got {_show(out['scale'])}"
        )
    if fixed is not None:
        out["scale"] = fixed
    return out


@dataclass(frozen=True)
class Target:
    """Coverage target [fraction] for a region by December of ``year``."""

    region_code: str
    year: int
    coverage: float
    definition: str = ""
    source: str = ""


@dataclass(frozen=True)
class SweepSettings:
    """A scenario's ``sweep`` section: defaults for an assumption sweep (``simulator.sweep``).

    ``samples`` base samples N of the Saltelli design (N x (assumptions + 2) engine runs);
    ``seed`` of the scrambled Sobol' sequence; ``probability`` [fraction] below which a target
    counts as lost (thresholds); ``grid`` values per assumption in the threshold scan; ``batch``
    design points per task. None: the command line's default.
    """

    samples: int | None = None
    seed: int | None = None
    probability: float | None = None
    grid: int | None = None
    batch: int | None = None


@dataclass(frozen=True)
class Scenario:
    """A named set of levers on top of the baseline, up to ``horizon`` (inclusive)."""

    name: str
    horizon: pd.Period
    levers: tuple[Lever, ...] = ()
    description: str = ""
    base: str = "baseline"
    #: Title per language ("id", "en"): ``title: {id: ..., en: ...}`` in the file; empty when none.
    title_id: str = ""
    title_en: str = ""
    targets: tuple[Target, ...] | None = None
    source: str = field(default="<scenario>", compare=False)
    sweep: SweepSettings | None = None

    def title(self, lang: str = "id") -> str:
        """The title in ``lang`` ("id" or "en"), else the other language's, else the name."""
        first, second = (self.title_en, self.title_id) if lang == "en" else (self.title_id, self.title_en)
        return first or second or self.name

    def validate_against(self, baseline: Any) -> None:
        """Check the horizon against a Baseline: after its history, within its projection."""
        last = pd.Period(baseline.last_observed, freq="M")
        if self.horizon <= last:
            raise InputError(
                f"{self.source}: key 'horizon': expected a month after the last observed month {last}, "
                f"got {self.horizon}"
            )
        end = baseline.months[-1]
        if self.horizon > end:
            raise InputError(
                f"{self.source}: key 'horizon': expected a month up to the end of the baseline {end}, "
                f"got {self.horizon}"
            )
        for number, lever in enumerate(self.levers, start=1):
            _check_plausible(lever, number, self, baseline)

    def targets_frame(self) -> pd.DataFrame | None:
        """The targets override as a frame ``region_code, year, coverage`` (None when absent)."""
        if self.targets is None:
            return None
        return pd.DataFrame(
            [dataclasses.asdict(t) for t in self.targets],
            columns=["region_code", "year", "coverage", "definition", "source"],
        )


#: Keys whose value is a number of persons, checked against the workforce of the lever's scope.
_HEADCOUNT_KEYS = ("headcount", "workers")


def _check_plausible(lever: Lever, number: int, scenario: Scenario, baseline: Any) -> None:
    """A lever that starts after the horizon would do nothing: refused, saying so."""
    if lever.start > scenario.horizon:
        raise InputError(
            f"{scenario.source}: lever {number} ({lever.kind}), key 'start': {lever.start} is after the "
            f"horizon {scenario.horizon}, so the lever would do nothing: expected a start up to "
            f"{scenario.horizon}"
        )


def lever_warnings(scenario: Scenario, baseline: Any) -> tuple[str, ...]:
    """One line per lever that puts more persons into its scope than the scope's largest projected
    workforce (any path and month): the engine caps coverage at the workforce, but the cost is
    still booked for every person, so the shells show these lines beside the result."""
    regions = tuple(getattr(baseline, "regions", ()))
    employed = getattr(baseline, "employed", None)
    out: list[str] = []
    if employed is None:
        return ()
    for number, lever in enumerate(scenario.levers, start=1):
        keys = [k for k in _HEADCOUNT_KEYS if hasattr(lever, k)]
        codes = [token.removesuffix(".*") for token in lever.region]
        if not keys or not all(c in regions for c in codes):
            continue
        # rows may overlap (a province and one of its kabupaten/kota): a loose upper bound
        largest = float(sum(float(np.max(employed[regions.index(c)])) for c in codes))
        for key in keys:
            value = float(getattr(lever, key))
            if value > largest:
                out.append(
                    f"{scenario.source}: lever {number} ({lever.kind}), key {key!r}: {value:,.0f} "
                    "persons is more "
                    f"than the largest projected workforce of {', '.join(lever.region)} "
                    f"({largest:,.0f} employed); "
                    "coverage is capped at the workforce but the cost counts every person"
                )
    return tuple(out)


# ---- value parsers -------------------------------------------------------------------------------
class _Bad(Exception):
    """A value problem; the caller adds where it happened."""


def _show(value: Any) -> str:
    """A value as echoed in a message: on one line and at most 60 characters."""
    if isinstance(value, str):
        return repr(clip(value))
    if isinstance(value, float) and value.is_integer():
        return clip(str(int(value)))
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**60:
        return f"a {len(str(abs(value)))}-digit number"
    return clip(str(value))


def _is_number(value: Any) -> bool:
    """A finite int or float within +-``MAX_NUMBER`` (a 400-digit integer is not a number here)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value) and abs(value) <= MAX_NUMBER
    except OverflowError:
        return False


def _nonneg(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and not _is_number(value) and value > 0:
        raise _Bad(f"expected a number up to {MAX_NUMBER:.0e}, got {_show(value)}")
    if not _is_number(value) or value < 0:
        raise _Bad(f"expected a non-negative number, got {_show(value)}")
    return float(value)


def _persons(value: Any) -> float:
    """A count of persons: non-negative and at most ``MAX_PERSONS`` (more than Indonesia's population)."""
    x = _nonneg(value)
    if x > MAX_PERSONS:
        raise _Bad(
            f"expected at most {MAX_PERSONS:,} persons (more than Indonesia's population), got {_show(value)}"
        )
    return x


def _unit_cost(value: Any) -> float:
    x = _nonneg(value)
    if x > MAX_UNIT_COST:
        raise _Bad(f"expected at most {MAX_UNIT_COST:,} IDR per person per month, got {_show(value)}")
    return x


def _whole_months(value: Any) -> int:
    if not _is_number(value) or value < 1 or float(value) != int(value):
        raise _Bad(f"expected a whole number of months >= 1, got {_show(value)}")
    return int(value)


def _optional_months(value: Any) -> int | None:
    return None if value is None else _whole_months(value)


def _ramp(value: Any) -> int:
    if not _is_number(value) or value < 0 or float(value) != int(value):
        raise _Bad(f"expected a whole number of months >= 0, got {_show(value)}")
    return int(value)


def _text(value: Any) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise _Bad(f"expected text, got {_show(value)}")
    return str(value)


def _payer(value: Any) -> str:
    if not isinstance(value, str) or value not in PAYERS:
        raise _Bad(f"expected one of {', '.join(PAYERS)}, got {_show(value)}")
    return str(value)


def _titles(value: Any) -> dict[str, str]:
    """A scenario title: a mapping with a text per language of ``LANGUAGES`` (both required)."""
    if not isinstance(value, dict) or set(value) != set(LANGUAGES):
        raise _Bad(
            f"expected a mapping with keys {', '.join(LANGUAGES)} (Bahasa and English), got {_show(value)}"
        )
    return {k: _text(value[k]).strip() for k in LANGUAGES}


def _change(value: Any) -> float:
    if not _is_number(value) or not -1 < value <= 1:
        raise _Bad(f"expected a fraction between -1 (exclusive) and 1, got {_show(value)}")
    return float(value)


def parse_month(value: Any) -> pd.Period:
    """A month from "YYYY-MM" (or a YAML date) as a monthly Period."""
    if isinstance(value, dt.date):
        value = f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, str) and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value.strip()):
        month = pd.Period(value.strip(), freq="M")
    else:
        raise _Bad(f"expected a month 'YYYY-MM', got {_show(value)}")
    if not FIRST_MONTH <= month <= LAST_MONTH:
        raise _Bad(f"expected a month between {FIRST_MONTH} and {LAST_MONTH}, got {month}")
    return month


def _share(value: Any) -> float:
    if not _is_number(value) or not 0 <= value <= 1:
        raise _Bad(f"expected a share between 0 and 1, got {_show(value)}")
    return float(value)


def _uncertain_share(value: Any) -> Uncertain:
    if isinstance(value, list):
        ok = len(value) == 2 and all(_is_number(v) for v in value) and 0 <= value[0] <= value[1] <= 1
        if not ok:
            raise _Bad(f"expected a range [low, high] with 0 <= low <= high <= 1, got {_show(value)}")
        return Uncertain("uniform", (float(value[0]), float(value[1])))
    if isinstance(value, dict):
        dist = value.get("dist")
        if not isinstance(dist, str) or dist not in DISTRIBUTIONS:
            raise _Bad(f"expected 'dist' one of {', '.join(DISTRIBUTIONS)}, got {_show(dist)}")
        names = DISTRIBUTIONS[dist]
        if set(value) != {"dist", *names} or not all(_is_number(value[k]) for k in names):
            wanted = ", ".join(names)
            raise _Bad(f"expected {dist} with numbers {wanted} and nothing else, got {_show(value)}")
        params = tuple(float(value[k]) for k in names)
        if dist == "beta" and min(params) <= 0:
            raise _Bad(f"expected beta a > 0 and b > 0, got {_show(value)}")
        middle = params[1] if dist == "triangular" else params[0]
        if dist != "beta" and not 0 <= params[0] <= middle <= params[-1] <= 1:
            raise _Bad(f"expected 0 <= {' <= '.join(names)} <= 1, got {_show(value)}")
        return Uncertain(dist, params)
    return Uncertain.fixed(_share(value))


_PARSERS = {
    "start": parse_month,
    "ramp_months": _ramp,
    "reference": _text,
    "label": _text,
    "unit_cost": _unit_cost,
    "payer": _payer,
    "headcount": _persons,
    "workers": _persons,
    "officials_per_village": _persons,
    "monthly_enrollments": _persons,
    "months": _whole_months,
    "already_covered": _uncertain_share,
    "retention_after": _uncertain_share,
    "lapse": _uncertain_share,
    "enrolled_share": _uncertain_share,
    "already_enrolled": _uncertain_share,
    "dana_desa_share": _share,
    "change": _change,
    "programme": _text,
    "action": _text,
    "scale": _nonneg,
}


def parse_region(value: Any, tree: RegionTree) -> tuple[str, ...]:
    """Region scope: a code, a name, "NN.*" or a list of these, as codes and "NN.*" patterns."""
    items = value if isinstance(value, list) else [value]
    if not items:
        raise _Bad("expected a region code, name, 'NN.*' or a list of these, got []")
    out: list[str] = []
    for item in items:
        if isinstance(item, float) or isinstance(item, bool) or not isinstance(item, str | int):
            raise _Bad(f"expected a quoted region code or name such as '61' or '61.10', got {_show(item)}")
        text = str(item).strip()
        if text.endswith(".*"):
            head = text[:-2]
            head = head.zfill(2) if head.isdigit() else head
            if head not in tree or tree.level(head) == "kabkota":
                raise _Bad(f"expected 'NN.*' with NN a province or '00', got {_show(text)}")
            token = f"{head}.*"
        else:
            try:
                token = tree.resolve(text)
            except InputError as err:
                raise _Bad(str(err)) from None
        if token not in out:
            out.append(token)
    return tuple(out)


def scope_leaves(region: tuple[str, ...], tree: RegionTree) -> list[str]:
    """Kabupaten/kota codes covered by a lever's region scope, in tree order, without repeats."""
    codes, leaves, s = summing_matrix(tree)
    rows = [codes.index(token.removesuffix(".*")) for token in region]
    return [leaves[k] for k in np.flatnonzero(s[rows].any(axis=0))]


# ---- loading -------------------------------------------------------------------------------------
def _parse_yaml(text: str, source: str) -> Any:
    """Plain data from scenario text, within the budgets of ``simulator.safe_yaml`` (no aliases,
    no tags, no duplicate keys, bounded size, depth and node count)."""
    from simulator import safe_yaml

    return safe_yaml.load(text, source)


def load_scenario(path: str | Path, tree: RegionTree | None = None) -> Scenario:
    """Load and validate a scenario YAML file.

    Parameters
    ----------
    path : str or Path
        Scenario file, at most ``MAX_FILE_BYTES`` [bytes].
    tree : RegionTree, optional
        Region tree for region names and codes; the bundled one by default.

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        One line naming the file, the lever and the key, for any problem.
    """
    file = Path(path)
    source = file.name
    try:
        size = file.stat().st_size
    except OSError as err:
        raise InputError(f"{source}: cannot read the file ({err.strerror})") from None
    if size > MAX_FILE_BYTES:
        raise InputError(f"{source}: file is {size} bytes; scenario files are limited to 1 MB")
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{source}: expected UTF-8 text") from None
    return parse_scenario(text, source=source, tree=tree)


def parse_scenario(text: str, source: str = "<scenario>", tree: RegionTree | None = None) -> Scenario:
    """Parse and validate scenario YAML ``text``; ``source`` names it in error messages."""
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise InputError(f"{source}: file is {size} bytes; scenario files are limited to 1 MB")
    data = _parse_yaml(text, source)
    if data is None:
        raise InputError(f"{source}: file is empty; expected a mapping with keys name, horizon, levers")
    return scenario_from_dict(data, source=source, tree=tree)


def scenario_from_dict(data: Any, source: str = "<scenario>", tree: RegionTree | None = None) -> Scenario:  # noqa: C901 -- outlier listed in #23 (complexity 12): split, then drop this
    """Validate a plain mapping (as read from YAML) into a Scenario."""
    tree = tree if tree is not None else load_regions()
    if not isinstance(data, dict):
        got = type(data).__name__
        raise InputError(f"{source}: expected a mapping with keys name, horizon, levers, got {got}")
    for key in data:
        if key not in TOP_KEYS:
            raise InputError(f"{source}: unknown key {_show(key)}; expected one of {', '.join(TOP_KEYS)}")
    for key in ("name", "horizon"):
        if key not in data:
            raise InputError(f"{source}: key {key!r}: required key is missing")

    def top(key: str, parse: Any) -> Any:
        try:
            return parse(data[key])
        except _Bad as bad:
            raise InputError(f"{source}: key {key!r}: {bad}") from None

    name = top("name", _text)
    titles = top("title", _titles) if data.get("title") is not None else {}
    description = top("description", _text) if data.get("description") is not None else ""
    base = data.get("base", "baseline")
    if base != "baseline":
        raise InputError(f"{source}: key 'base': expected 'baseline', got {_show(base)}")
    horizon = top("horizon", parse_month)
    raw_levers = data.get("levers") or []
    if not isinstance(raw_levers, list):
        raise InputError(f"{source}: key 'levers': expected a list of levers, got {_show(raw_levers)}")
    levers = tuple(_lever(item, i + 1, source, tree) for i, item in enumerate(raw_levers))
    targets = None
    if data.get("targets") is not None:
        if not isinstance(data["targets"], list):
            got = _show(data["targets"])
            raise InputError(f"{source}: key 'targets': expected a list of targets, got {got}")
        targets = tuple(_target(item, i + 1, source, tree) for i, item in enumerate(data["targets"]))
    sweep = _sweep_section(data["sweep"], source) if data.get("sweep") is not None else None
    return Scenario(
        name=name,
        horizon=horizon,
        levers=levers,
        description=description,
        base=base,
        targets=targets,
        source=source,
        sweep=sweep,
        title_id=titles.get("id", ""),
        title_en=titles.get("en", ""),
    )


#: Bounds of the ``sweep`` section's whole numbers: (lowest, highest).
_SWEEP_BOUNDS = {"samples": (2, 1_000_000), "seed": (0, 2**32 - 1), "grid": (3, 1001), "batch": (1, 100_000)}


def _sweep_section(value: Any, source: str) -> SweepSettings:
    """The ``sweep`` mapping as SweepSettings; InputError naming the key otherwise."""
    if not isinstance(value, dict):
        raise InputError(
            f"{source}: key 'sweep': expected a mapping with keys {', '.join(SWEEP_KEYS)}, got {_show(value)}"
        )
    out: dict[str, Any] = {}
    for key, raw in value.items():
        if key not in SWEEP_KEYS:
            raise InputError(
                f"{source}: sweep, key {_show(key)}: unknown key; expected one of {', '.join(SWEEP_KEYS)}"
            )
        if key == "probability":
            if not _is_number(raw) or not 0 < raw < 1:
                raise InputError(
                    f"{source}: sweep, key 'probability': expected a share between 0 and 1 "
                    f"(exclusive), got {_show(raw)}"
                )
            out[key] = float(raw)
            continue
        low, high = _SWEEP_BOUNDS[key]
        if not _is_number(raw) or float(raw) != int(raw) or not low <= raw <= high:
            raise InputError(
                f"{source}: sweep, key {key!r}: expected a whole number from {low:,} to {high:,}, "
                f"got {_show(raw)}"
            )
        out[key] = int(raw)
    return SweepSettings(**out)


def _lever(item: Any, number: int, source: str, tree: RegionTree) -> Lever:  # noqa: C901 -- outlier listed in #23 (complexity 18): split, then drop this
    if not isinstance(item, dict):
        raise InputError(f"{source}: lever {number}: expected a mapping with a 'kind' key, got {_show(item)}")
    kind = item.get("kind")
    if not isinstance(kind, str) or kind not in LEVER_TYPES:
        raise InputError(
            f"{source}: lever {number}, key 'kind': expected one of {', '.join(LEVER_TYPES)}, "
            f"got {_show(kind)}"
        )
    cls = LEVER_TYPES[kind]
    where = f"{source}: lever {number} ({kind})"
    if cls is RunningProgramme:
        item = _programme_item(item, where)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    allowed = ["kind", *fields, *(["end"] if "months" in fields else [])]
    for key in item:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise InputError(f"{where}, key {_show(key)}: unknown key; expected one of {known}")
    values: dict[str, Any] = {}
    for key, raw in item.items():
        if key in ("kind", "end"):
            continue
        try:
            if key == "region":
                values[key] = parse_region(raw, tree)
            elif key == "months" and cls is VillageOfficials:
                values[key] = _optional_months(raw)
            else:
                values[key] = _PARSERS[key](raw)
        except _Bad as bad:
            raise InputError(f"{where}, key {key!r}: {bad}") from None
    if "end" in item:
        try:
            end = parse_month(item["end"])
        except _Bad as bad:
            raise InputError(f"{where}, key 'end': {bad}") from None
        if "start" in values:
            if end < values["start"]:
                first = values["start"]
                raise InputError(f"{where}, key 'end': expected a month not before start {first}, got {end}")
            span = (end - values["start"]).n + 1
            if "months" in values and values["months"] != span:
                raise InputError(
                    f"{where}, key 'end': {end} gives {span} months but 'months' says {values['months']}"
                )
            values["months"] = span
    for name, f in fields.items():
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if name not in values and required:
            raise InputError(f"{where}, key {name!r}: required key is missing")
    return cls(**values)


def _target(item: Any, number: int, source: str, tree: RegionTree) -> Target:
    where = f"{source}: target {number}"
    if not isinstance(item, dict):
        raise InputError(f"{where}: expected a mapping with keys region, year, coverage, got {_show(item)}")
    for key in item:
        if key not in TARGET_KEYS:
            known = ", ".join(TARGET_KEYS)
            raise InputError(f"{where}, key {_show(key)}: unknown key; expected one of {known}")
    for key in ("region", "year", "coverage"):
        if key not in item:
            raise InputError(f"{where}, key {key!r}: required key is missing")
    try:
        region = parse_region(item["region"], tree)
    except _Bad as bad:
        raise InputError(f"{where}, key 'region': {bad}") from None
    if len(region) != 1 or region[0].endswith(".*"):
        raise InputError(f"{where}, key 'region': expected one region code, got {_show(item['region'])}")
    year = item["year"]
    if not _is_number(year) or float(year) != int(year) or not 1900 <= year <= 2200:
        raise InputError(f"{where}, key 'year': expected a year such as 2029, got {_show(year)}")
    try:
        coverage = _share(item["coverage"])
    except _Bad as bad:
        raise InputError(f"{where}, key 'coverage': {bad}") from None
    extra = {
        key: _keyed(_text, item[key], where, key)
        for key in ("definition", "source")
        if item.get(key) is not None
    }
    return Target(region_code=region[0], year=int(year), coverage=coverage, **extra)


def _keyed(parse: Callable[[Any], Any], value: Any, where: str, key: str) -> Any:
    """``parse(value)``; its complaint becomes an InputError naming ``where`` and ``key``."""
    try:
        return parse(value)
    except _Bad as bad:
        raise InputError(f"{where}, key {key!r}: {bad}") from None


# ---- dumping -------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, pd.Period):
        return str(value)
    if isinstance(value, Uncertain):
        if value.dist == "fixed":
            return _plain(value.params[0])
        if value.dist == "uniform":
            return [_plain(v) for v in value.params]
        return {
            "dist": value.dist,
            **{k: _plain(v) for k, v in zip(DISTRIBUTIONS[value.dist], value.params, strict=True)},
        }
    if isinstance(value, tuple):
        return value[0] if len(value) == 1 else list(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: Key order in dumped levers: name and scope first, kind-specific keys (5), money and source last.
_DUMP_ORDER = {
    "label": 0,
    "region": 1,
    "start": 2,
    "ramp_months": 3,
    "unit_cost": 7,
    "payer": 8,
    "reference": 9,
}


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """Plain mapping for YAML; lever fields equal to their defaults are left out."""
    out: dict[str, Any] = {"name": scenario.name}
    if scenario.title_id or scenario.title_en:
        out["title"] = {"id": scenario.title_id, "en": scenario.title_en}
    if scenario.description:
        out["description"] = scenario.description
    out["base"] = scenario.base
    out["horizon"] = str(scenario.horizon)
    levers = []
    for lever in scenario.levers:
        item: dict[str, Any] = {"kind": lever.kind}
        ordered = sorted(dataclasses.fields(lever), key=lambda f: _DUMP_ORDER.get(f.name, 5))
        for f in ordered:
            value = getattr(lever, f.name)
            default = f.default if f.default_factory is dataclasses.MISSING else f.default_factory()
            if f.name in ("region", "start") or default is dataclasses.MISSING or value != default:
                item[f.name] = _plain(value)
        levers.append(item)
    out["levers"] = levers
    if scenario.targets is not None:
        out["targets"] = [
            {"region": t.region_code, "year": t.year, "coverage": t.coverage}
            | ({"definition": t.definition} if t.definition else {})
            | ({"source": t.source} if t.source else {})
            for t in scenario.targets
        ]
    if scenario.sweep is not None:
        out["sweep"] = {k: v for k, v in dataclasses.asdict(scenario.sweep).items() if v is not None}
    return out


def dump_scenario(scenario: Scenario) -> str:
    """YAML text for ``scenario`` such that ``parse_scenario(dump_scenario(s)) == s``."""
    return yaml.safe_dump(scenario_to_dict(scenario), sort_keys=False, allow_unicode=True, width=100)

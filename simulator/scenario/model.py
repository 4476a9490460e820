"""What a scenario is: uncertain behavioural parameters, the lever classes, targets, sweep settings and
the Scenario itself, with its checks against a baseline.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from simulator.errors import InputError
from simulator.parameters import value_at

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


#: JKK + JKM minimum contribution for a BPU worker [IDR/person/month] in force today, from
#: data/parameters.yaml (``contribution_jkk_jkm_min``, PP 44/2015 as amended): the default of a lever
#: built in code; a scenario file's lever takes the value in force at its start (``lever_defaults``).
DEFAULT_UNIT_COST = float(value_at("contribution_jkk_jkm_min"))


TOP_KEYS = ("name", "title", "description", "base", "horizon", "levers", "targets", "sweep")


#: Languages of a scenario's ``title`` and ``description`` mappings (Bahasa Indonesia first).
LANGUAGES = ("id", "en")


TARGET_KEYS = ("region", "year", "coverage", "definition", "source")


DISTRIBUTIONS = {"uniform": ("low", "high"), "beta": ("a", "b"), "triangular": ("low", "mode", "high")}


#: Keys of a scenario's ``sweep`` section (settings of ``python -m simulator sweep``, simulator.sweep).
SWEEP_KEYS = ("samples", "seed", "probability", "grid", "batch")


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

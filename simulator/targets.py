"""Targets: the one resolver (which targets apply to a region, on what definition) and the one
status builder (probability of reaching them, gap in persons, status) used by ``run``, ``compare``,
the app, the budget tools and the reports.

Every target carries its definition: the numerator (active participants, all segments) and the
denominator, its ``basis``:

* ``bps``: BPS Sakernas employed persons (August round);
* ``ucj``: BPJS Ketenagakerjaan "pekerja potensial", BPS employed less ASN, TNI and Polri (the
  Universal Coverage Jamsostek denominator): the published figure where the workforce data has
  one (column ``potential``), else BPS employed x ``ucj_potential_share`` from
  ``data/parameters.yaml`` (an assumption, labelled as such).

Coverage on the UCJ basis is active / (employed x share), so a UCJ target T is reached exactly when
active / employed >= T x share; the engine's BPS-basis paths are compared with T x share and the
figures shown are divided by the share again (same paths, no second projection).

Official targets (``data/targets.csv``: RPJMN, Pergub) are never replaced: a scenario's own
targets are added beside them, labelled ``origin = "scenario"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from simulator import orderstats
from simulator.engine import Result, coverage_ratio
from simulator.errors import InputError
from simulator.parallel import in_blocks

STATUS_ON_TRACK = "on track"
STATUS_AT_RISK = "at risk"
STATUS_OFF_TRACK = "off track"
ASSESS_COLUMNS = [
    "region_code",
    "year",
    "target",
    "deadline",
    "probability",
    "median",
    "p10",
    "p90",
    "gap_persons",
    "first_month",
    "status",
]
#: Columns of a resolved target (``resolve``); ``assess`` passes all but ``coverage`` through.
TARGET_COLUMNS = [
    "region_code",
    "year",
    "coverage",
    "basis",
    "factor",
    "denominator",
    "definition",
    "source",
    "scheme",
    "origin",
    "applied_from",
]
#: Denominator bases a target can be assessed on: basis -> (Bahasa, English) definition.
BASES = {
    "bps": (
        "peserta aktif / penduduk bekerja (BPS Sakernas Agustus)",
        "active participants / employed persons (BPS Sakernas August)",
    ),
    "ucj": (
        "peserta aktif / pekerja potensial (penduduk bekerja BPS dikurangi ASN, TNI, Polri)",
        "active participants / potential workers (BPS employed less ASN, TNI and Polri)",
    ),
}
#: Words in a free-text definition that name each basis (checked in this order).
_BASIS_WORDS = (
    ("ucj", ("potensial", "potential", "asn", "tni", "polri", "ucj denominator", "penyebut ucj")),
    ("bps", ("employed", "bekerja", "sakernas", "workers (bps", "bps")),
)
OFFICIAL = "official"
SCENARIO = "scenario"


def basis_of(definition: Any, basis: Any = None, where: str = "target") -> str:
    """The denominator basis ("bps" or "ucj") of a target from its ``basis`` (when given) or its
    free-text ``definition``; an empty definition means the BPS basis (DESIGN: coverage = active /
    employed unless a target says otherwise). InputError when the definition names neither: such a
    target cannot be computed and is never silently compared on another basis."""
    text = (
        "" if basis is None or (isinstance(basis, float) and np.isnan(basis)) else str(basis).strip().lower()
    )
    if text:
        if text not in BASES:
            raise InputError(
                f"{where}: basis {basis!r} cannot be computed; expected one of {', '.join(BASES)}"
            )
        return text
    words = (
        ""
        if definition is None or (isinstance(definition, float) and np.isnan(definition))
        else str(definition)
    )
    words = words.strip().lower()
    if not words:
        return "bps"
    for name, keys in _BASIS_WORDS:
        if any(k in words for k in keys):
            return name
    raise InputError(
        f"{where}: definition {definition!r} cannot be computed: expected active participants divided "
        "by BPS employed (basis bps) or by potential workers, BPS employed less ASN/TNI/Polri (basis ucj)"
    )


def _column(frame: pd.DataFrame, name: str, default: Any = "") -> pd.Series:
    if name in frame.columns:
        return frame[name].where(frame[name].notna(), default)
    return pd.Series([default] * len(frame), index=frame.index, dtype=object)


def normalise(
    targets: pd.DataFrame | None, origin: str, scheme: str = "", where: str = "targets"
) -> pd.DataFrame:
    """A targets frame (``region_code, year, coverage`` and optional ``basis, definition, source,
    scheme``) as the resolver's rows, the basis of each checked, ``origin`` set."""
    cols = ["region_code", "year", "coverage", "basis", "definition", "source", "scheme", "origin"]
    if targets is None or len(targets) == 0:
        return pd.DataFrame(
            {
                c: pd.Series(dtype=np.int64 if c == "year" else float if c == "coverage" else object)
                for c in cols
            }
        )
    missing = [c for c in ("region_code", "year", "coverage") if c not in targets.columns]
    if missing:
        raise InputError(f"{where}: missing column {missing[0]!r}; expected region_code, year, coverage")
    codes = targets["region_code"].astype(str).tolist()
    years = [int(y) for y in targets["year"].tolist()]
    definition, basis = _column(targets, "definition"), _column(targets, "basis", None)
    bases = [
        basis_of(d, b, f"{where}: target {c} {y}")
        for c, y, d, b in zip(codes, years, definition, basis, strict=True)
    ]
    schemes = _column(targets, "scheme").astype(str).tolist()
    return pd.DataFrame(
        {
            "region_code": pd.Series(codes, dtype=object),
            "year": np.array(years, dtype=np.int64),
            "coverage": targets["coverage"].to_numpy(dtype=np.float64),
            "basis": pd.Series(bases, dtype=object),
            "definition": [str(d) if str(d) else BASES[b][1] for d, b in zip(definition, bases, strict=True)],
            "source": _column(targets, "source").astype(str).tolist(),
            "scheme": [s or scheme for s in schemes],
            "origin": origin,
        },
        columns=cols,
    )


def scenario_targets(scenario: Any) -> pd.DataFrame | None:
    """A scenario's own targets as a frame (None when it has none), scheme "skenario <name>"."""
    if scenario is None:
        return None
    frame = scenario.targets_frame() if hasattr(scenario, "targets_frame") else scenario
    return frame if frame is not None and len(frame) else None


def denominator_factors(
    codes: Sequence[str], years: Sequence[int], bases: Sequence[str], workforce: pd.DataFrame | None
) -> tuple[np.ndarray, list[str]]:
    """Per target: the factor f with coverage on its basis = active / (employed x f) [fraction], and
    a note on where f comes from.

    ``bps``: f = 1. ``ucj``: the published "pekerja potensial" / employed of the region in August of
    the year when the workforce data has it (column ``potential``), else ``ucj_potential_share``
    (data/parameters.yaml, an assumption) in force in December of the year.
    """
    from simulator.parameters import value_at

    published: dict[tuple[str, int], float] = {}
    if workforce is not None and "potential" in workforce.columns:
        pot = pd.to_numeric(workforce["potential"], errors="coerce")
        rows = workforce[pot.notna() & (pot > 0)]
        for code, period, emp, p in zip(
            rows["region_code"].astype(str),
            rows["period"].astype(str),
            rows["employed"],
            pot[pot.notna() & (pot > 0)],
            strict=False,
        ):
            if float(emp) > 0:
                published[(code, int(period[:4]))] = float(p) / float(emp)
    factors, notes = np.ones(len(codes)), []
    for i, (code, year, basis) in enumerate(zip(codes, years, bases, strict=True)):
        if basis == "bps":
            notes.append("BPS Sakernas")
        elif (code, int(year)) in published:
            factors[i] = published[(code, int(year))]
            notes.append(f"pekerja potensial published ({factors[i]:.4f} of BPS employed)")
        else:
            factors[i] = float(value_at("ucj_potential_share", f"{int(year)}-12"))
            notes.append(f"assumption: {factors[i]:.2f} of BPS employed (ucj_potential_share)")
    return factors, notes


def resolve(
    codes: Iterable[str],
    official: pd.DataFrame | None,
    scenario: Any = None,
    tree: Any = None,
    workforce: pd.DataFrame | None = None,
    scenario_name: str = "",
) -> pd.DataFrame:
    """The targets that apply to each region of ``codes``: the one target resolver.

    Parameters
    ----------
    codes : iterable of str
        Region codes, in the order wanted.
    official : DataFrame or None
        Official targets (``data/targets.csv``: RPJMN, Pergub), ``region_code, year, coverage``
        with optional ``basis, definition, source, scheme``.
    scenario : Scenario or DataFrame, optional
        A scenario (its ``targets``) or a frame of its own targets: added beside the official ones,
        labelled ``origin = "scenario"``, never replacing them.
    tree : RegionTree, optional
        The bundled tree by default.
    workforce : DataFrame, optional
        The workforce data (its ``potential`` column gives published UCJ denominators).

    Returns
    -------
    DataFrame
        ``TARGET_COLUMNS``, one row per region and target that applies: a region's own targets of
        each origin, else those of its nearest ancestor that has any of that origin (a
        kabupaten/kota is assessed against its province's, a province against the nation's); a
        scenario's own targets apply to the regions they name only; ``applied_from`` is the code whose
        target is used. ``factor`` is the denominator factor
        (see ``denominator_factors``), ``denominator`` says where it comes from.
    """
    from simulator.regions import load_regions

    codes = list(codes)
    tree = tree if tree is not None else load_regions()
    name = scenario_name or getattr(scenario, "name", "")
    frames = [normalise(official, OFFICIAL, where="targets")]
    own = scenario_targets(scenario)
    if own is not None:
        where = f"{getattr(scenario, 'source', 'scenario')}: targets"
        frames.append(normalise(own, SCENARIO, f"skenario {name}".strip(), where))
    pairs = []
    for frame in frames:
        having = set(frame["region_code"])
        inherit = len(frame) and frame["origin"].iloc[0] == OFFICIAL  # a scenario's targets name their region
        for code in codes:
            node = code
            while inherit and node and node not in having:
                node = tree.parent(node)
            if node and node in having:
                pairs.append((code, node, frame["origin"].iloc[0]))
    empty = pd.DataFrame(
        {
            c: pd.Series(dtype=np.int64 if c == "year" else float if c in ("coverage", "factor") else object)
            for c in TARGET_COLUMNS
        }
    )
    if not pairs:
        return empty
    rows = pd.concat([f for f in frames if len(f)], ignore_index=True).rename(
        columns={"region_code": "applied_from"}
    )
    wanted = pd.DataFrame(pairs, columns=["region_code", "applied_from", "origin"])
    out = wanted.merge(rows, on=["applied_from", "origin"], how="inner", sort=False)
    position = {c: i for i, c in enumerate(dict.fromkeys(codes))}
    order = np.lexsort((out["origin"].ne(OFFICIAL).to_numpy(), out["region_code"].map(position).to_numpy()))
    out = out.iloc[order]  # the order of ``codes``; official targets before the scenario's
    factors, notes = denominator_factors(
        out["region_code"].tolist(), out["year"].tolist(), out["basis"].tolist(), workforce
    )
    out["factor"], out["denominator"] = factors, notes
    return out[TARGET_COLUMNS].reset_index(drop=True)


def targets_in_year(
    resolved: pd.DataFrame,
    codes: Sequence[str],
    year: int,
    target: float | None = None,
    basis: str | None = None,
    workforce: pd.DataFrame | None = None,
) -> dict[str, tuple[float, float]]:
    """``code -> (coverage [fraction], factor)`` for ``year``, for the budget tools: ``target`` (on
    ``basis``, default the basis of the code's official target that year, else bps) when given,
    else the code's official target that year. InputError names the first code left without one."""
    rows = resolved[(resolved["year"] == int(year)) & (resolved["origin"] == OFFICIAL)]
    first: dict[str, Any] = {}
    for code, row in zip(rows["region_code"], rows.itertuples(index=False), strict=True):
        first.setdefault(code, row)
    out = {}
    for code in codes:
        row = first.get(code)
        if target is not None:
            b = basis or (row.basis if row is not None else "bps")
            if b not in BASES:
                raise InputError(f"basis: expected one of {', '.join(BASES)}, got {b!r}")
            if row is not None and row.basis == b:
                out[code] = (float(target), float(row.factor))
            else:
                f, _ = denominator_factors([code], [int(year)], [b], workforce)
                out[code] = (float(target), float(f[0]))
        elif row is not None:
            out[code] = (float(row.coverage), float(row.factor))
        else:
            raise InputError(f"target: no target for region {code} in {year}; give a target value")
    return out


def deadline_for(year: int, months: pd.PeriodIndex) -> pd.Period | None:
    """Deadline month for a target year: December of ``year`` when projected; the last projected
    month when the projection ends inside ``year``; None when ``year`` lies outside the projection."""
    december = pd.Period(year=int(year), month=12, freq="M")
    if months[0] <= december <= months[-1]:
        return december
    if months[-1].year == int(year) and months[0] <= months[-1]:
        return months[-1]
    return None


def status_of(probability: float, thresholds: tuple[float, float] = (0.8, 0.5)) -> str:
    """ "on track" when probability >= thresholds[0], "at risk" when >= thresholds[1], else "off track"."""
    on_track, at_risk = thresholds
    if probability >= on_track:
        return STATUS_ON_TRACK
    if probability >= at_risk:
        return STATUS_AT_RISK
    return STATUS_OFF_TRACK


def assess(
    result: Result, targets: pd.DataFrame, thresholds: tuple[float, float] = (0.8, 0.5)
) -> pd.DataFrame:
    """Assess coverage targets on a scenario result.

    Parameters
    ----------
    result : Result
        From ``run_scenario``.
    targets : pandas.DataFrame
        ``region_code, year, coverage`` with coverage the target [fraction] by December of year.
    thresholds : (float, float)
        Probability thresholds for "on track" and "at risk".

    Returns
    -------
    pandas.DataFrame
        One row per target whose deadline lies in the projection and whose region the result
        reports (see ``run_scenario(regions=...)``), with columns
        ``region_code, year, target, deadline, probability`` (share of paths with coverage >=
        target at the deadline [fraction]), ``median, p10, p90`` (coverage at the deadline
        [fraction]), ``gap_persons`` (max(0, target x median employed - median active)
        [persons]), ``first_month`` (first month the median coverage reaches the target, NaT if
        never) and ``status``.
    """
    missing = [c for c in ("region_code", "year", "coverage") if c not in targets.columns]
    if missing:
        raise InputError(f"targets: missing column {missing[0]!r}; expected region_code, year, coverage")
    on_track, at_risk = thresholds
    if not 0 <= at_risk <= on_track <= 1:
        raise InputError(f"thresholds: expected 0 <= at risk <= on track <= 1, got {thresholds}")
    frame = targets.reset_index(drop=True)
    codes = [str(c) for c in frame["region_code"].tolist()]
    years = [int(y) for y in frame["year"].tolist()]
    deadlines = {y: deadline_for(y, result.months) for y in set(years)}
    reported = set(result.regions)
    keep = [deadlines[y] is not None and c in reported for c, y in zip(codes, years, strict=True)]
    codes = [c for c, k in zip(codes, keep, strict=True) if k]
    years = [y for y, k in zip(years, keep, strict=True) if k]
    kept = np.asarray(keep, dtype=bool)
    stated = frame["coverage"].to_numpy(dtype=np.float64)[kept]
    # a target on another denominator (UCJ: employed x share) is compared on the BPS basis at
    # target x factor, and its figures are divided by the factor again
    factor = (
        frame["factor"].to_numpy(dtype=np.float64)[kept]
        if "factor" in frame.columns
        else np.ones(len(stated))
    )
    goal = stated * factor
    n = len(codes)
    month_at = {p: i for i, p in enumerate(result.months.asi8.tolist())}
    r = np.array([result.index_of(c) for c in codes], dtype=np.int64)
    due = {y: d for y, d in deadlines.items() if d is not None}  # every kept year has one
    t = np.array([month_at[due[y].ordinal] for y in years], dtype=np.int64)
    # whether each target region's median coverage reaches the target, per month (for the first
    # month reaching it), and each target's (paths,) at its deadline; only these regions and
    # months are computed, and regions the scenario leaves alone compare their baseline's medians
    reached, act, emp = result.target_inputs(r, goal, t)
    probability, median, p10, p90, gap = (np.empty(n) for _ in range(5))

    def block(lo: int, hi: int) -> None:  # the deadline figures; each target's own numbers
        cov = coverage_ratio(act[lo:hi], emp[lo:hi])
        reaching = np.where(np.isnan(cov), -np.inf, cov) >= goal[lo:hi, None]  # NaN: not reached
        probability[lo:hi] = reaching.mean(axis=1)
        if np.isnan(cov).any():
            median[lo:hi] = orderstats.nanmedian(cov, axis=1)
            p10[lo:hi], p90[lo:hi] = orderstats.nanquantile(cov, (0.1, 0.9), axis=1)
        else:  # numpy's numbers, partitioning cov, emp and act in place (they are not used after)
            median[lo:hi], (p10[lo:hi], p90[lo:hi]) = orderstats.median_and_quantiles(cov, (0.1, 0.9))
        gap[lo:hi] = goal[lo:hi] * orderstats.median(emp[lo:hi]).astype(np.float64) - orderstats.median(
            act[lo:hi]
        ).astype(np.float64)

    in_blocks(n, block, 4 * result.paths)  # coverage and the partitions: about 4 passes per value
    if "factor" in frame.columns:
        median, p10, p90 = median / factor, p10 / factor, p90 / factor
    # first month the median coverage path reaches the target
    first = np.full(n, pd.NaT.value, dtype=np.int64)
    if n:
        hit = reached.any(axis=1)
        first[hit] = result.months.asi8[reached[hit].argmax(axis=1)]
    return pd.DataFrame(
        {
            "region_code": pd.Series(codes, dtype=object),
            "year": np.array(years, dtype=np.int64),
            "target": stated,
            "deadline": pd.PeriodIndex.from_ordinals(result.months.asi8[t], freq="M"),
            "probability": probability.astype(np.float64),
            "median": median,
            "p10": p10,
            "p90": p90,
            "gap_persons": np.maximum(gap, 0.0),
            "first_month": pd.PeriodIndex.from_ordinals(first, freq="M"),
            "status": pd.Series([status_of(float(p), thresholds) for p in probability], dtype=object),
        },
        columns=ASSESS_COLUMNS,
    ).join(_passed(frame[kept]))


def _passed(frame: pd.DataFrame) -> pd.DataFrame:
    """The resolved targets' own columns that ``assess`` carries into its rows."""
    extra = [c for c in TARGET_COLUMNS if c in frame.columns and c not in ("region_code", "year", "coverage")]
    return frame[extra].reset_index(drop=True)


def status_table(
    result: Result,
    official: pd.DataFrame | None,
    *,
    scenario: Any = None,
    codes: Sequence[str] | None = None,
    tree: Any = None,
    workforce: pd.DataFrame | None = None,
    thresholds: tuple[float, float] = (0.8, 0.5),
    resolved: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The one status builder: resolve the targets of ``codes`` (default: every region the result
    reports) and assess them on ``result``.

    ``scenario`` defaults to ``result.scenario``: its own targets are added beside the official
    ones. Returns ``assess``'s columns plus ``name`` (after ``region_code``); rows in the order of
    ``codes``, official targets before the scenario's, each origin's rows by year.

    ``resolved``: ``resolve(codes, official, scenario, tree, workforce)`` when the caller already
    has it (the app keeps it per data and regions: it is the same for every slider move); it is
    only read.
    """
    from simulator.regions import load_regions

    tree = tree if tree is not None else load_regions()
    scenario = result.scenario if scenario is None else scenario
    wanted = list(result.regions if codes is None else codes)
    if resolved is None:
        resolved = resolve(wanted, official, scenario, tree, workforce)
    status = assess(result, resolved, thresholds)
    status.insert(1, "name", [tree.name(c) for c in status["region_code"]])
    return status

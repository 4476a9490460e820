"""Dated parameters from ``data/parameters.yaml``: the one home of every lever default and unit cost.

Each entry holds a value with the date from which it applies (``valid_from``), a unit, a reference
and whether it is a project assumption. An entry may carry several dated values (``values:``, a
list of ``value, valid_from, reference``); ``value_at(name, date)`` returns the one in force at
``date``, so a new contribution rate from a new regulation is one more line of data, not code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from simulator.errors import InputError

PARAMETERS_FILE = Path(__file__).resolve().parent.parent / "data" / "parameters.yaml"

#: Scenario lever key -> parameter name, per lever kind: the defaults a lever takes when the
#: scenario, the app or the budget tools leave the key out.
LEVER_DEFAULTS: dict[str, dict[str, str]] = {
    "contribution_subsidy": {
        "unit_cost": "contribution_jkk_jkm_min",
        "ramp_months": "ramp_months",
        "already_covered": "already_covered",
        "retention_after": "retention_after",
        "lapse": "monthly_lapse",
    },
    "village_officials": {
        "unit_cost": "contribution_jkk_jkm_min",
        "ramp_months": "ramp_months",
        "officials_per_village": "officials_per_village",
        "enrolled_share": "enrolled_share",
        "already_enrolled": "officials_already_enrolled",
        "dana_desa_share": "village_share_dana_desa",
    },
    "informal_outreach": {
        "unit_cost": "contribution_jkk_jkm_min",
        "ramp_months": "ramp_months",
        "lapse": "monthly_lapse",
    },
    "employer_compliance": {"ramp_months": "ramp_months"},
}


@dataclass(frozen=True)
class DatedValue:
    """One value of a parameter [its unit] in force from ``valid_from``."""

    value: Any
    valid_from: dt.date
    reference: str


@dataclass(frozen=True)
class Parameter:
    """A parameter: its dated values (oldest first), unit and whether it is a project assumption."""

    name: str
    unit: str
    assumption: bool
    values: tuple[DatedValue, ...]

    def at(self, date: Any = None) -> DatedValue:
        """The value in force at ``date`` (a date, "YYYY-MM[-DD]", a Period; None: today)."""
        when = as_date(date)
        valid = [v for v in self.values if v.valid_from <= when]
        if not valid:
            raise InputError(
                f"{PARAMETERS_FILE.name}: parameter {self.name!r} has no value before "
                f"{self.values[0].valid_from:%Y-%m-%d} (asked for {when:%Y-%m-%d})"
            )
        return valid[-1]


def as_date(value: Any = None) -> dt.date:
    """A date from a date, Period, Timestamp or "YYYY-MM[-DD]" text (None: today)."""
    if value is None:
        return dt.date.today()
    if isinstance(value, pd.Period):
        return value.start_time.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        text = str(value).strip()
        return pd.Timestamp(text + "-01" if len(text) == 7 else text).date()
    except (ValueError, TypeError):
        raise InputError(f"date: expected 'YYYY-MM' or 'YYYY-MM-DD', got {value!r}") from None


def _dated(raw: Any, where: str) -> DatedValue:
    if not isinstance(raw, dict) or "value" not in raw or "valid_from" not in raw:
        raise InputError(f"{where}: expected 'value' and 'valid_from'")
    try:
        since = as_date(raw["valid_from"])
    except InputError:
        raise InputError(
            f"{where}, key 'valid_from': expected a date 'YYYY-MM-DD', got {raw['valid_from']!r}"
        ) from None
    return DatedValue(value=raw["value"], valid_from=since, reference=str(raw.get("reference", "")).strip())


def read_yaml_section(file: Path, key: str) -> dict:
    """The mapping under ``key`` of a project YAML data file (parameters, programmes); InputError
    naming the file when it cannot be read, is not YAML or has no such mapping."""
    import yaml

    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(f"{file}: cannot read ({err.strerror})") from None
    except yaml.YAMLError as err:
        raise InputError(f"{file.name}: not valid YAML ({err})") from None
    if not isinstance(data, dict) or not isinstance(data.get(key), dict):
        raise InputError(f"{file.name}: expected a mapping {key!r}")
    return data[key]


@lru_cache(maxsize=4)
def load_parameters(path: str | None = None) -> dict[str, Parameter]:
    """Every parameter of ``data/parameters.yaml`` (or ``path``), checked; InputError names the
    file and the entry on a bad one."""
    file = Path(path) if path else PARAMETERS_FILE
    out = {}
    for name, entry in read_yaml_section(file, "parameters").items():
        where = f"{file.name}: parameter {name!r}"
        if not isinstance(entry, dict) or "unit" not in entry:
            raise InputError(f"{where}: expected a mapping with 'unit' and 'value'/'valid_from' or 'values'")
        raws = entry["values"] if "values" in entry else [entry]
        if not isinstance(raws, list) or not raws:
            raise InputError(f"{where}, key 'values': expected a list of dated values")
        values = sorted((_dated(r, where) for r in raws), key=lambda v: v.valid_from)
        out[str(name)] = Parameter(
            name=str(name),
            unit=str(entry["unit"]),
            assumption=bool(entry.get("assumption", False)),
            values=tuple(values),
        )
    return out


def parameter(name: str, path: str | None = None) -> Parameter:
    """The parameter ``name``; InputError when ``data/parameters.yaml`` has no such entry."""
    table = load_parameters(path)
    if name not in table:
        raise InputError(f"{PARAMETERS_FILE.name}: no parameter {name!r}; expected one of {', '.join(table)}")
    return table[name]


def value_at(name: str, date: Any = None, path: str | None = None) -> Any:
    """The value of parameter ``name`` in force at ``date`` (None: today) [its unit].

    Examples
    --------
    >>> value_at("contribution_jkk_jkm_min", "2025-01")
    16800
    """
    return parameter(name, path).at(date).value


def lever_defaults(kind: str, date: Any = None, path: str | None = None) -> dict[str, Any]:
    """Default keys of a lever of ``kind`` in force at ``date`` (its start): ``key -> value``."""
    names = LEVER_DEFAULTS.get(kind)
    if names is None:
        raise InputError(f"lever kind: expected one of {', '.join(LEVER_DEFAULTS)}, got {kind!r}")
    return {key: value_at(name, date, path) for key, name in names.items()}


def payer_for(regions: Any, tree: Any, date: Any = None, path: str | None = None) -> str:
    """Who pays a lever funded for ``regions`` (a code or codes) [payer code, vocabulary.PAYERS]:
    the budget of the lowest region holding all of them, by its level (``payer_by_level`` in force
    at ``date``). One region pays from its own budget; Kalbar's 14 kabupaten/kota split one
    envelope from APBD provinsi. The one rule the app, the command line and the budget tools use.

    Examples
    --------
    >>> from simulator.regions import load_regions
    >>> payer_for(["61.01", "61.72"], load_regions()), payer_for("61.01", load_regions())
    ('apbd_provinsi', 'apbd_kabkota')
    """
    codes = [regions] if isinstance(regions, str) else list(regions)
    if not codes:
        raise InputError("payer: expected at least one region code")
    common = [h for h in tree.lineage(codes[0]) if all(h in tree.lineage(c) for c in codes)]
    if not common:
        raise InputError(f"payer: regions {', '.join(codes)} have no common region")
    holder = common[0]
    rule = value_at("payer_by_level", date, path)
    level = tree.level(holder)
    if not isinstance(rule, dict) or level not in rule:
        raise InputError(
            f"{PARAMETERS_FILE.name}: parameter 'payer_by_level' names no payer for level {level!r}"
        )
    return str(rule[level])

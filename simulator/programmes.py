"""Running programmes (``data/programmes.yaml``): dated, sourced policies already in force whose
members are in the participation history, so the baseline projection continues them.

A scenario acts on one with a lever ``kind: programme`` (``simulator.scenario.RunningProgramme``):
``action: continue`` (costs money, adds no persons), ``stop`` (from ``start``: loses headcount x
(1 - retention_after), the retained then lapsing at ``lapse``) or ``scale`` (``scale`` x the
headcount: more members ramp in like a new subsidy, fewer are lost like a stop). A programme a
scenario does not name keeps running: the engine adds its cost (``continuing_cost``), no persons.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from simulator.errors import InputError

PROGRAMMES_FILE = Path(__file__).resolve().parent.parent / "data" / "programmes.yaml"
#: Keys a programme entry must have, and the lever keys they fill.
_FILLS = {
    "region": "region",
    "headcount": "headcount",
    "unit_cost": "unit_cost",
    "payer": "payer",
    "reference": "reference",
    "label": "label",
}
_REQUIRED = ("label", "region", "headcount", "unit_cost", "payer", "start", "reference")


@lru_cache(maxsize=4)
def load_programmes(path: str | None = None) -> dict[str, dict[str, Any]]:
    """``id -> entry`` from ``data/programmes.yaml`` (or ``path``); InputError names the file and
    entry on a bad one."""
    from simulator.parameters import read_yaml_section

    file = Path(path) if path else PROGRAMMES_FILE
    out = {}
    for name, entry in read_yaml_section(file, "programmes").items():
        if not isinstance(entry, dict):
            raise InputError(f"{file.name}: programme {name!r}: expected a mapping")
        for key in _REQUIRED:
            if key not in entry:
                raise InputError(f"{file.name}: programme {name!r}, key {key!r}: required key is missing")
        if not isinstance(entry["headcount"], int | float) or entry["headcount"] < 0:
            raise InputError(f"{file.name}: programme {name!r}, key 'headcount': expected persons >= 0")
        out[str(name)] = {**entry, "region": str(entry["region"]), "start": str(entry["start"])}
    return out


def programme_keys(name: Any, where: str) -> dict[str, Any]:
    """The lever keys a programme fills (region, headcount, unit_cost, payer, reference, label)
    for the scenario parser; InputError naming ``where`` for an unknown programme."""
    table = load_programmes()
    if not isinstance(name, str) or name not in table:
        raise InputError(
            f"{where}, key 'programme': unknown programme {name!r}; expected one of "
            f"{', '.join(table)} (data/programmes.yaml)"
        )
    entry = table[name]
    return {lever_key: entry[key] for key, lever_key in _FILLS.items()}


def in_force(
    codes: set[str], first: Any, last: Any, path: str | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """Programmes whose region is among ``codes`` and which are in force at some month of
    ``first``..``last`` (Periods): ``(id, entry)`` in file order."""
    import pandas as pd

    out = []
    for name, entry in load_programmes(path).items():
        start = pd.Period(entry["start"], freq="M")
        end = pd.Period(entry["end"], freq="M") if entry.get("end") else None
        if entry["region"] in codes and start <= last and (end is None or end >= first):
            out.append((name, entry))
    return out

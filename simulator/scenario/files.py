"""Scenario files: strict loading from YAML (every key checked before anything is built) and dumping back."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from simulator.errors import InputError
from simulator.regions import RegionTree, load_regions
from simulator.scenario.model import (
    DISTRIBUTIONS,
    LEVER_TYPES,
    MAX_FILE_BYTES,
    PROGRAMME_ACTIONS,
    SWEEP_KEYS,
    TARGET_KEYS,
    TOP_KEYS,
    Lever,
    RunningProgramme,
    Scenario,
    SweepSettings,
    Target,
    Uncertain,
    VillageOfficials,
)
from simulator.scenario.values import (
    _PARSERS,
    _Bad,
    _is_number,
    _optional_months,
    _share,
    _show,
    _text,
    _titles,
    parse_month,
    parse_region,
)


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

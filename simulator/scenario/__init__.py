"""Scenario files: strict YAML loading into lever dataclasses, validation, and dumping back to YAML.

A scenario lists only what it changes against the baseline. Every problem in a file is an
InputError with one line naming the file, the lever and the key. Loading goes through
``simulator.safe_yaml`` (no tags, anchors or aliases; size, depth and node budgets), so no text can
build a Python object or expand beyond its size.

``model`` (the dataclasses) <- ``values`` (value parsers) <- ``files`` (loading and dumping).
"""

from simulator.scenario.files import (
    dump_scenario,
    load_scenario,
    parse_scenario,
    scenario_from_dict,
    scenario_to_dict,
)
from simulator.scenario.model import (
    DEFAULT_UNIT_COST,
    DISTRIBUTIONS,
    FIRST_MONTH,
    LANGUAGES,
    LAST_MONTH,
    LEVER_TYPES,
    MAX_FILE_BYTES,
    MAX_NUMBER,
    MAX_PERSONS,
    MAX_UNIT_COST,
    PROGRAMME_ACTIONS,
    SWEEP_KEYS,
    TARGET_KEYS,
    TOP_KEYS,
    ContributionSubsidy,
    CostedLever,
    EmployerCompliance,
    InformalOutreach,
    Lever,
    RunningProgramme,
    Scenario,
    SweepSettings,
    Target,
    Uncertain,
    VillageOfficials,
    WorkforceShock,
    lever_warnings,
)
from simulator.scenario.values import parse_month, parse_region, scope_leaves

__all__ = [
    "ContributionSubsidy",
    "CostedLever",
    "DEFAULT_UNIT_COST",
    "DISTRIBUTIONS",
    "EmployerCompliance",
    "FIRST_MONTH",
    "InformalOutreach",
    "LANGUAGES",
    "LAST_MONTH",
    "LEVER_TYPES",
    "Lever",
    "MAX_FILE_BYTES",
    "MAX_NUMBER",
    "MAX_PERSONS",
    "MAX_UNIT_COST",
    "PROGRAMME_ACTIONS",
    "RunningProgramme",
    "SWEEP_KEYS",
    "Scenario",
    "SweepSettings",
    "TARGET_KEYS",
    "TOP_KEYS",
    "Target",
    "Uncertain",
    "VillageOfficials",
    "WorkforceShock",
    "dump_scenario",
    "lever_warnings",
    "load_scenario",
    "parse_month",
    "parse_region",
    "parse_scenario",
    "scenario_from_dict",
    "scenario_to_dict",
    "scope_leaves",
]

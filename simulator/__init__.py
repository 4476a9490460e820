"""Coverage simulator for BPJS Ketenagakerjaan: load data, project, run scenarios, assess targets.

The public API, in the order data flows (files -> frames -> baseline -> scenario result ->
targets / budget -> reports)::

    from simulator import load_data, project_baseline, load_scenario, run_scenario, assess

Every name below is imported on first use (PEP 562), so ``import simulator`` stays cheap and
the command line starts quickly; heavy libraries (statsmodels, scipy.stats) load only when a
function that needs them is called.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

from simulator.errors import InputError

#: public name -> module that defines it
_API = {
    # data in
    "load_regions": "simulator.regions",
    "RegionTree": "simulator.regions",
    "load_data": "simulator.loaders",
    "load_table": "simulator.loaders",
    "Panel": "simulator.loaders",
    "value_at": "simulator.parameters",
    # baseline projection
    "Baseline": "simulator.baseline",
    "fake_baseline": "simulator.baseline",
    "project_baseline": "simulator.projection",
    # scenarios
    "Scenario": "simulator.scenario",
    "load_scenario": "simulator.scenario",
    "parse_scenario": "simulator.scenario",
    "run_scenario": "simulator.engine",
    "Result": "simulator.engine",
    # targets, budgets, sweeps
    "assess": "simulator.targets",
    "solve": "simulator.budget",
    "allocate": "simulator.budget",
    "frontier": "simulator.budget",
    "make_design": "simulator.sweep",
    "run_design": "simulator.sweep",
    "analyse": "simulator.sweep",
    # outputs
    "save_result": "simulator.results_io",
    "load_result": "simulator.results_io",
    "workbook_bytes": "simulator.report",
    "brief_html": "simulator.report",
    "what_changed": "simulator.report",
}

__all__ = ["InputError", "__version__", *_API]


def __getattr__(name: str) -> object:  # no typing import: it would double the import time
    """Import a public name's module on first use."""
    if name not in _API:
        raise AttributeError(f"module 'simulator' has no attribute {name!r}")
    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

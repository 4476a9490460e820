"""The house rules of issue #23 that code can check: a cheap ``import simulator`` with the public API
behind it, read-only baselines, and the old import paths of split modules still working."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import simulator
from simulator.baseline import fake_baseline
from simulator.regions import load_regions


def test_import_simulator_loads_no_heavy_library():
    code = "import sys, simulator; print(sorted(m for m in ('numpy', 'pandas', 'scipy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_public_name_resolves_to_its_module():
    for name, module in simulator._API.items():
        value = getattr(simulator, name)
        assert getattr(sys.modules[module], name) is value
    assert set(simulator.__all__) == {"InputError", "__version__", *simulator._API}
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        simulator.nothing  # noqa: B018


def test_baseline_arrays_are_read_only_and_the_callers_arrays_are_not():
    tree = load_regions()
    base = fake_baseline(tree, ("2025-01", "2025-03"), 2, 100.0, 1_000.0)
    with pytest.raises(ValueError, match="read-only"):
        base.active[0, 0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        base.employed[...] *= 2
    mine = np.ones_like(base.active)
    again = type(base)(
        regions=base.regions, months=base.months, active=mine, employed=mine, last_observed=base.last_observed
    )
    mine[0, 0, 0] = 5.0  # the caller's own array stays writable; the Baseline holds a read-only view
    assert again.active[0, 0, 0] == 5.0 and not again.active.flags.writeable


@pytest.mark.parametrize(
    "module, names",
    [
        (
            "simulator.engine",
            ["run_scenario", "Result", "lever_names", "desa_counts", "stored_paths", "_sum_leaves"],
        ),
        ("simulator.loaders", ["load_data", "load_table", "load_upload", "upload_name", "SCHEMAS", "Panel"]),
        (
            "simulator.scenario",
            ["Scenario", "parse_scenario", "scope_leaves", "DEFAULT_UNIT_COST", "Uncertain"],
        ),
        ("simulator.sweep", ["make_design", "run_design", "analyse", "tornado", "_run_batch"]),
        ("simulator.report", ["brief_html", "brief_pdf", "fan_svg", "workbook_bytes", "what_changed"]),
        ("simulator.results_io", ["save_result", "atomic_write", "claim_folder", "write_csv", "csv_text"]),
        ("simulator.baseline", ["Baseline", "summing_matrix", "aggregate"]),
    ],
)
def test_split_modules_keep_their_import_paths(module, names):
    imported = __import__(module, fromlist=names)
    assert all(hasattr(imported, name) for name in names)

"""Run a scenario on a baseline: levers added at kabupaten/kota, capped, aggregated; costs; waterfall.

``run_scenario`` (``simulator.engine.run``) is the one orchestrator: it owns codes, months and
frames and hands numpy arrays to the pure functions in ``simulator.levers``. Its parts:

* ``effects`` - each lever's effect and cost (the bridge to ``simulator.levers``);
* ``memo`` - per-Baseline medians and headroom, computed once per Baseline object;
* ``plan`` - what a run prepares (lever steps, capped leaves); paths and waterfall on request;
* ``result`` - ``Result``, what a run returns;
* ``arrays`` - chunking, scratch buffers and in-order sums shared by the above.
"""

from simulator.baseline import coverage_ratio
from simulator.engine.arrays import _sum_leaves
from simulator.engine.effects import continuing_costs, desa_counts, lever_cap_shares, lever_names
from simulator.engine.result import BASELINE_LABEL, Result, paths_reaching, stored_paths, stored_steps
from simulator.engine.run import run_scenario

__all__ = [
    "BASELINE_LABEL",
    "Result",
    "_sum_leaves",
    "continuing_costs",
    "coverage_ratio",
    "desa_counts",
    "lever_cap_shares",
    "lever_names",
    "paths_reaching",
    "run_scenario",
    "stored_paths",
    "stored_steps",
]

"""Assumption sweeps: which behavioural assumption decides whether a target is reached.

Every assumption a scenario gives as a range or distribution is a dimension of a quasi-random
design (scrambled Sobol' points, Saltelli's scheme); each design point is the scenario with those
assumptions fixed, run on the shared baseline. Per region and target: probability of reaching it,
gap and cost; first-order and total Sobol' indices with bootstrap intervals; a threshold per
assumption (the others at their central values). Points run in batches on Dask (or in this
process), each batch written to disk as it finishes, so a stopped sweep resumes from what is there.

``design`` (dimensions, Saltelli design) <- ``models`` (what a point computes) <- ``run`` (batches,
Dask, resume); ``answer`` (indices, thresholds, the written result, tornado).
"""

from simulator.sweep.answer import (
    SweepResult,
    analyse,
    read_result,
    sobol_indices,
    thresholds,
    tornado,
    write_result,
)
from simulator.sweep.design import (
    DEFAULTS,
    FORMAT,
    OUTPUTS,
    Design,
    Dimension,
    dimensions,
    fixed_scenario,
    make_design,
    sobol_unit,
)
from simulator.sweep.models import (
    Ishigami,
    ScenarioModel,
    point_seeds,
    scenario_model,
    subtree,
    trimmed_baseline,
)
from simulator.sweep.run import RunStats, _run_batch, close_client, open_client, run_design

__all__ = [
    "DEFAULTS",
    "Design",
    "Dimension",
    "FORMAT",
    "Ishigami",
    "OUTPUTS",
    "RunStats",
    "ScenarioModel",
    "SweepResult",
    "_run_batch",
    "analyse",
    "close_client",
    "dimensions",
    "fixed_scenario",
    "make_design",
    "open_client",
    "point_seeds",
    "read_result",
    "run_design",
    "scenario_model",
    "sobol_indices",
    "sobol_unit",
    "subtree",
    "thresholds",
    "tornado",
    "trimmed_baseline",
    "write_result",
]

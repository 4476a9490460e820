"""What one design point computes: a scenario model (the scenario with its assumptions fixed, on the
regions it needs) or the Ishigami test function.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulator.errors import InputError
from simulator.scenario import Scenario, Uncertain
from simulator.sweep.design import OUTPUTS, Dimension, dimensions, fixed_scenario


class Ishigami:
    """The Ishigami function, a test case with known Sobol' indices (inputs uniform on [-pi, pi]):
    y = sin x1 + a sin^2 x2 + b x3^4 sin x1. One target row, one output."""

    outputs = ("y",)

    def __init__(self, a: float = 7.0, b: float = 0.1, delay: float = 0.0) -> None:
        self.a, self.b, self.delay = a, b, delay

    @staticmethod
    def dims() -> tuple[Dimension, ...]:
        return tuple(Dimension(f"x{i}", Uncertain("uniform", (-np.pi, np.pi))) for i in (1, 2, 3))

    def rows(self) -> pd.DataFrame:
        return pd.DataFrame({"region_code": ["-"], "year": [0], "target": [np.nan], "scheme": ["ishigami"]})

    def key(self) -> str:
        return f"ishigami a={self.a!r} b={self.b!r}"

    def analytic(self) -> tuple[np.ndarray, np.ndarray]:
        """(first, total) indices of x1, x2, x3 (Ishigami and Homma 1990; Sobol' and Levitan 1999)."""
        a, b, pi = self.a, self.b, np.pi
        v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
        v2 = a**2 / 8
        v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
        v = v1 + v2 + v13
        return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v

    def evaluate(self, context: Any, values: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        if self.delay:
            import time

            time.sleep(self.delay * len(values))
        x1, x2, x3 = values[:, 0], values[:, 1], values[:, 2]
        y = np.sin(x1) + self.a * np.sin(x2) ** 2 + self.b * x3**4 * np.sin(x1)
        return y[:, None, None]


@dataclass(frozen=True)
class ScenarioModel:
    """One design point = ``run_scenario`` of the scenario with the swept assumptions fixed, on the
    baseline handed in as ``context``, and ``assess`` of ``targets`` (resolved once, every deadline
    inside the run); ``regions`` are the reported regions."""

    scenario: Scenario
    dims: tuple[Dimension, ...]
    targets: pd.DataFrame
    regions: tuple[str, ...]
    paths: int | None = None
    data_key: str = ""
    tree: Any = None

    outputs = OUTPUTS

    def context(self, baseline: Any) -> Any:
        """The baseline the points run on: its rows of ``tree`` (the provinces the sweep touches)
        when the model has a trimmed tree, else the baseline itself."""
        return baseline if self.tree is None else trimmed_baseline(baseline, self.tree)

    def rows(self) -> pd.DataFrame:
        cols = [
            c
            for c in ("region_code", "year", "coverage", "basis", "scheme", "origin", "applied_from")
            if c in self.targets.columns
        ]
        return self.targets[cols].rename(columns={"coverage": "target"}).reset_index(drop=True)

    def key(self) -> str:
        from simulator.scenario import dump_scenario

        text = dump_scenario(dataclasses.replace(self.scenario, sweep=None))
        return json.dumps(
            [text, self.rows().to_csv(index=False), list(self.regions), self.paths, self.data_key]
        )

    def evaluate(self, baseline: Any, values: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        from simulator.engine import run_scenario
        from simulator.regions import load_regions
        from simulator.targets import assess

        tree = self.tree if self.tree is not None else load_regions()
        years = self.targets["year"].to_numpy(dtype=np.int64)
        out = np.empty((len(values), len(self.targets), len(OUTPUTS)))
        for m, (row, seed) in enumerate(zip(values, seeds, strict=True)):
            scenario = fixed_scenario(self.scenario, self.dims, row)
            result = run_scenario(
                baseline, scenario, paths=self.paths, seed=int(seed), tree=tree, regions=list(self.regions)
            )
            status = assess(result, self.targets)
            if len(status) != len(self.targets):
                raise InputError("sweep: a target's deadline lies outside the run")  # pragma: no cover
            cost = result.cost
            by_year = cost.groupby("year")["cost_idr"].sum() if len(cost) else pd.Series(dtype=float)
            spent = np.array([by_year[by_year.index <= y].sum() for y in years], dtype=np.float64)
            out[m, :, 0] = status["probability"].to_numpy()
            out[m, :, 1] = status["gap_persons"].to_numpy()
            out[m, :, 2] = status["median"].to_numpy()
            out[m, :, 3] = spent
        return out


def point_seeds(seed: int, points: np.ndarray) -> np.ndarray:
    """One engine seed per design point from (sweep seed, point number): a point's numbers do not
    depend on which worker, batch or run computed it."""
    return np.array(
        [np.random.SeedSequence([int(seed), int(i)]).generate_state(1)[0] for i in points], dtype=np.uint64
    )


def subtree(tree: Any, codes: Sequence[str]) -> Any:
    """The provinces holding ``codes`` (none of them the nation) and every kabupaten/kota under
    them, as a RegionTree (rows in the tree's order; the provinces' parent left out)."""
    provinces = {c if tree.level(c) == "provinsi" else tree.parent(c) for c in codes}
    return tree.subtree(provinces)


def trimmed_baseline(baseline: Any, tree: Any) -> Any:
    """The baseline's rows of ``tree``'s regions (copied, contiguous): what the workers are sent.

    The engine computes each reported region from its own baseline and its own kabupaten/kota, so
    for regions and levers inside these provinces the numbers are those of the whole baseline
    (tested), while a province's paths are a few MiB instead of the nation's 278 MiB."""
    from simulator.baseline import Baseline

    rows = np.array([baseline.index_of(c) for c in tree.codes], dtype=np.int64)
    return Baseline(
        regions=tuple(tree.codes),
        months=baseline.months,
        active=np.ascontiguousarray(baseline.active[rows]),
        employed=np.ascontiguousarray(baseline.employed[rows]),
        last_observed=baseline.last_observed,
        meta=dict(baseline.meta),
    )


def scenario_model(
    scenario: Scenario,
    baseline: Any,
    official: pd.DataFrame | None,
    *,
    tree: Any = None,
    workforce: pd.DataFrame | None = None,
    regions: Sequence[str] | None = None,
    paths: int | None = None,
    trim: bool = True,
) -> ScenarioModel:
    """The model of a scenario sweep: its dimensions, the regions (default: every region a lever
    names and every kabupaten/kota under it, and the regions of the scenario's own targets) and
    their targets (official, inherited, and the scenario's own) whose deadline lies in the run.

    With ``trim`` (and no lever or region at the nation) the points run on the provinces the
    levers and regions lie in (``subtree``, ``ScenarioModel.context``): same numbers, a fraction
    of the data to send to each worker."""
    from simulator.regions import load_regions
    from simulator.scenario import scope_leaves
    from simulator.targets import deadline_for, resolve

    tree = tree if tree is not None else load_regions()
    dims = dimensions(scenario)
    scenario.validate_against(baseline)
    if regions is None:
        wanted: set[str] = set()
        for lever in scenario.levers:
            wanted.update(code.removesuffix(".*") for code in lever.region)
            wanted.update(scope_leaves(lever.region, tree))
        own = scenario.targets_frame()
        if own is not None:
            wanted.update(own["region_code"].astype(str))
        regions = [c for c in tree.codes if c in wanted]
    regions = tuple(regions)
    targets = resolve(regions, official, scenario, tree, workforce)
    months = baseline.months[baseline.months <= scenario.horizon]
    inside = [deadline_for(int(y), months) is not None for y in targets["year"]]
    targets = targets[np.asarray(inside, dtype=bool)].reset_index(drop=True)
    if not len(targets):
        raise InputError(
            f"{scenario.source}: no target of the swept regions has its deadline within the "
            f"horizon {scenario.horizon}"
        )
    needed = set(regions)
    for lever in scenario.levers:
        needed.update(scope_leaves(lever.region, tree))
    small = subtree(tree, sorted(needed)) if trim and "00" not in needed else None
    return ScenarioModel(
        scenario=scenario,
        dims=dims,
        targets=targets,
        regions=regions,
        paths=paths,
        data_key=str(baseline.meta.get("data_hash", baseline.meta.get("key", ""))),
        tree=small,
    )

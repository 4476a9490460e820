"""The sweep's dimensions (every assumption given as a range) and its design: Saltelli's A, B and
A_B^(i) Sobol' points plus a one-at-a-time grid per dimension.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulator.errors import InputError
from simulator.scenario import Scenario, Uncertain

#: What each design point yields per target: probability of reaching it [fraction], gap at the
#: deadline [persons], median coverage at the deadline on the target's basis [fraction], cost of
#: the scenario's levers from their start to the end of the target year [IDR].
OUTPUTS = ("probability", "gap_persons", "median", "cost_idr")


#: Version of the on-disk layout of a sweep folder.
FORMAT = 1


#: Defaults of ``python -m simulator sweep`` (a scenario's ``sweep`` section overrides them).
DEFAULTS = {"samples": 256, "seed": 0, "probability": 0.5, "grid": 21, "batch": 16}


@dataclass(frozen=True)
class Dimension:
    """One swept assumption: ``key`` of lever ``lever`` (position in the scenario, None for a test
    function's input) with its distribution ``dist`` (an Uncertain, not fixed)."""

    name: str
    dist: Uncertain
    lever: int | None = None
    key: str = ""

    def values(self, u: np.ndarray) -> np.ndarray:
        """The assumption's values at probabilities ``u`` in [0, 1] (its inverse CDF)."""
        u = np.asarray(u, dtype=np.float64)
        p = self.dist.params
        if self.dist.dist == "uniform":
            return p[0] + u * (p[1] - p[0])
        if self.dist.dist == "beta":
            from scipy.stats import beta

            return beta.ppf(u, p[0], p[1])
        if self.dist.dist == "triangular":
            low, mode, high = p
            if high == low:
                return np.full(u.shape, low)
            from scipy.stats import triang

            return triang.ppf(u, (mode - low) / (high - low), loc=low, scale=high - low)
        return np.full(u.shape, p[0])

    @property
    def central(self) -> float:
        """The value held while another assumption is scanned: the mean (as ``uncertainty=False``)."""
        return float(self.dist.mean())


def dimensions(scenario: Scenario) -> tuple[Dimension, ...]:
    """The scenario's assumptions given as a range or distribution, in file order; InputError when
    there is none (nothing to sweep)."""
    from simulator.engine import lever_names

    names = lever_names(scenario.levers)
    out = []
    for i, (lever, name) in enumerate(zip(scenario.levers, names, strict=True)):
        for f in dataclasses.fields(lever):
            value = getattr(lever, f.name)
            if isinstance(value, Uncertain) and not value.is_fixed:
                out.append(Dimension(name=f"{name}: {f.name}", dist=value, lever=i, key=f.name))
    if not out:
        raise InputError(
            f"{scenario.source}: no assumption is given as a range or distribution "
            "(e.g. retention_after: [0.25, 0.45]); nothing to sweep"
        )
    return tuple(out)


def fixed_scenario(scenario: Scenario, dims: Sequence[Dimension], values: Sequence[float]) -> Scenario:
    """A new Scenario with each swept assumption fixed to its value (the given one is not changed)."""
    levers = list(scenario.levers)
    for dim, value in zip(dims, values, strict=True):
        assert dim.lever is not None  # a swept dimension always names its lever
        change: dict[str, Any] = {dim.key: Uncertain.fixed(float(value))}
        levers[dim.lever] = dataclasses.replace(levers[dim.lever], **change)
    return dataclasses.replace(scenario, levers=tuple(levers))


@dataclass(frozen=True)
class Design:
    """Design points [assumption values], shape (points, d): Saltelli's matrices A (rows 0..n-1),
    B (n..2n-1) and AB_j (A with column j from B; rows (2 + j) n ..), then the central point, then
    ``grid`` values per assumption with the others central (the threshold scan)."""

    dims: tuple[Dimension, ...]
    n: int
    grid: int
    values: np.ndarray
    seed: int

    @property
    def saltelli_points(self) -> int:
        return self.n * (len(self.dims) + 2)

    @property
    def central_row(self) -> int:
        return self.saltelli_points

    def scan_rows(self, j: int) -> slice:
        """Rows of assumption ``j``'s scan."""
        start = self.saltelli_points + 1 + j * self.grid
        return slice(start, start + self.grid)

    def parts(self) -> list[str]:
        """Per row: "A", "B", "AB:j", "central" or "scan:j"."""
        d = len(self.dims)
        out = ["A"] * self.n + ["B"] * self.n
        for j in range(d):
            out += [f"AB:{j}"] * self.n
        out.append("central")
        for j in range(d):
            out += [f"scan:{j}"] * self.grid
        return out

    def frame(self) -> pd.DataFrame:
        """``point, part`` and one column per assumption."""
        table = pd.DataFrame(self.values, columns=[dim.name for dim in self.dims])
        table.insert(0, "part", self.parts())
        table.insert(0, "point", np.arange(len(table)))
        return table


def sobol_unit(d: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Saltelli's A and B, (n, d) each, in [0, 1): the two halves of n scrambled Sobol' points in
    2d dimensions (the first n of 2^ceil(log2 n), so any n is a prefix of the balanced sequence)."""
    from scipy.stats import qmc

    m = max(int(np.ceil(np.log2(max(n, 2)))), 1)
    points = qmc.Sobol(d=2 * d, scramble=True, seed=np.random.default_rng(seed)).random_base2(m)[:n]
    return points[:, :d], points[:, d:]


def make_design(dims: Sequence[Dimension], n: int, seed: int = 0, grid: int = 21) -> Design:
    """The design over ``dims``: n (d + 2) Saltelli points, the central point and d x ``grid`` scan
    points (each assumption from its lowest to its highest value, 0 and 1 on the probability scale)."""
    dims = tuple(dims)
    d = len(dims)
    if n < 2:
        raise InputError(f"samples: expected at least 2, got {n}")
    if grid < 3:
        raise InputError(f"grid: expected at least 3 values per assumption, got {grid}")
    ua, ub = sobol_unit(d, n, seed)
    blocks = [ua, ub]
    for j in range(d):
        ab = ua.copy()
        ab[:, j] = ub[:, j]
        blocks.append(ab)
    unit = np.vstack(blocks)
    values = np.column_stack([dim.values(unit[:, j]) for j, dim in enumerate(dims)])
    central = np.array([[dim.central for dim in dims]])
    scans = []
    u = np.linspace(0.0, 1.0, grid)
    for j, dim in enumerate(dims):
        block = np.repeat(central, grid, axis=0)
        block[:, j] = dim.values(u)
        scans.append(block)
    return Design(
        dims=dims, n=int(n), grid=int(grid), values=np.vstack([values, central, *scans]), seed=int(seed)
    )

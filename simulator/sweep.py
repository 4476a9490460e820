"""Assumption sweeps: which behavioural assumption decides whether a target is reached.

Every assumption a scenario gives as a range or distribution is a dimension of a quasi-random
design (scrambled Sobol' points, Saltelli's scheme); each design point is the scenario with those
assumptions fixed, run on the shared baseline. Per region and target: probability of reaching it,
gap and cost; first-order and total Sobol' indices with bootstrap intervals; a threshold per
assumption (the others at their central values). Points run in batches on Dask (or in this
process), each batch written to disk as it finishes, so a stopped sweep resumes from what is there.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import resource
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
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


# ---- dimensions -----------------------------------------------------------------------------------
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


# ---- the design -----------------------------------------------------------------------------------
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


# ---- Sobol' indices ----------------------------------------------------------------------------
def _estimates(ya: np.ndarray, yb: np.ndarray, yab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First-order (Saltelli 2010) and total (Jansen 1999) indices; ya, yb (n, ...), yab (d, n, ...).
    NaN where the output does not vary."""
    variance = np.var(np.concatenate([ya, yb]), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(variance > 0, variance, np.nan)
        first = np.mean(yb[None] * (yab - ya[None]), axis=1) / scale
        total = 0.5 * np.mean((ya[None] - yab) ** 2, axis=1) / scale
    return first, total


def sobol_indices(
    y: np.ndarray, design: Design, boot: int = 200, level: float = 0.95, seed: int = 0
) -> dict[str, np.ndarray]:
    """First-order and total Sobol' indices of every output column with bootstrap intervals.

    Parameters
    ----------
    y : ndarray, shape (points, ...)
        The outputs at every design point (rows as in ``design``; only the Saltelli rows are read).
    design : Design
    boot : int
        Bootstrap resamples of the n rows (the same rows of A, B and every AB_j).
    level : float
        Confidence level of the percentile intervals.

    Returns
    -------
    dict of ndarray, each (d, ...)
        ``first, first_lo, first_hi, total, total_lo, total_hi``.

    References
    ----------
    Saltelli, A. et al. (2010), Variance based sensitivity analysis of model output. Design and
    estimator for the total sensitivity index, Computer Physics Communications 181, 259-270 (table 2:
    first order (b), total (f), Jansen).
    """
    n, d = design.n, len(design.dims)
    y = np.asarray(y, dtype=np.float64)
    ya, yb = y[:n], y[n : 2 * n]
    yab = y[2 * n : (2 + d) * n].reshape(d, n, *y.shape[1:])
    first, total = _estimates(ya, yb, yab)
    rng = np.random.default_rng(seed)
    firsts, totals = np.empty((boot, *first.shape)), np.empty((boot, *total.shape))
    for b in range(boot):
        rows = rng.integers(0, n, n)
        firsts[b], totals[b] = _estimates(ya[rows], yb[rows], yab[:, rows])
    tail = 100 * (1 - level) / 2
    import warnings

    with warnings.catch_warnings():  # an output that never varies has NaN indices: no warning
        warnings.simplefilter("ignore", RuntimeWarning)
        f_lo, f_hi = np.nanpercentile(firsts, [tail, 100 - tail], axis=0) if boot else (first, first)
        t_lo, t_hi = np.nanpercentile(totals, [tail, 100 - tail], axis=0) if boot else (total, total)
    return {
        "first": first,
        "first_lo": f_lo,
        "first_hi": f_hi,
        "total": total,
        "total_lo": t_lo,
        "total_hi": t_hi,
    }


def thresholds(probability: np.ndarray, design: Design, level: float) -> tuple[np.ndarray, list[list[str]]]:
    """Per assumption and target: the value where the probability of reaching the target crosses
    ``level`` in the scan (the others central), interpolated linearly between grid values; of
    several crossings the one nearest the central value.

    Returns
    -------
    values : ndarray (d, targets), NaN where there is no crossing
    sides : list (d) of lists (targets) of "lost below", "lost above", "never lost" or "never reached"
    """
    probability = np.asarray(probability, dtype=np.float64)
    d = len(design.dims)
    out = np.full((d, probability.shape[1]), np.nan)
    sides: list[list[str]] = []
    for j, dim in enumerate(design.dims):
        x = design.values[design.scan_rows(j), j]
        p = probability[design.scan_rows(j)]  # (grid, targets)
        reached = p >= level
        row = []
        for k in range(p.shape[1]):
            change = np.flatnonzero(reached[1:, k] != reached[:-1, k])
            if not len(change):
                row.append("never lost" if reached[0, k] else "never reached")
                continue
            cross = []
            for i in change:
                p0, p1 = p[i, k], p[i + 1, k]
                w = (level - p0) / (p1 - p0) if p1 != p0 else 0.5
                cross.append(x[i] + w * (x[i + 1] - x[i]))
            best = int(np.argmin(np.abs(np.array(cross) - dim.central)))
            out[j, k] = cross[best]
            row.append("lost below" if reached[change[best] + 1, k] else "lost above")
        sides.append(row)
    return out, sides


# ---- models: what one design point computes ---------------------------------------------------------
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
    from simulator.regions import RegionTree

    provinces = {c if tree.level(c) == "provinsi" else tree.parent(c) for c in codes}
    table = tree.table
    keep = table["code"].isin(provinces) | (
        (table["level"] == "kabkota") & table["parent_code"].isin(provinces)
    )
    return RegionTree(table=table[keep].reset_index(drop=True))


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


# ---- running: batches on Dask or here, streamed to disk ----------------------------------------------
def _run_batch(
    model: Any, context: Any, values: np.ndarray, points: np.ndarray, seed: int, single_thread: bool = True
) -> tuple[np.ndarray, np.ndarray, float, int, int, float]:
    """Evaluate one batch: (points, outputs, seconds of work, peak RSS [bytes] of this process,
    process id, CPU seconds of the work's thread). On a worker the engine's own row blocks stay on
    the task's thread: the points are the parallel unit, and the numbers do not depend on it
    (``simulator.parallel``)."""
    import time

    _keep_freed_memory()
    if single_thread:
        from simulator import parallel

        parallel.WORKERS = 0
    start, cpu = time.perf_counter(), time.thread_time()
    y = model.evaluate(context, values, point_seeds(seed, points))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return points, y, time.perf_counter() - start, peak, os.getpid(), time.thread_time() - cpu


_MALLOC_TUNED = False


def _keep_freed_memory() -> None:
    """Let this process's allocator keep freed blocks up to 32 MiB on its heap (glibc; once).

    A Dask nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, which also switches off glibc's
    adaptive mmap threshold: every engine temporary over 128 KiB is then a fresh mmap, paid for in
    page faults (measured: 2,5 times the CPU time per design point). The same setting made here
    at run time serves outside clusters started with ``dask worker`` too.
    """
    global _MALLOC_TUNED
    if _MALLOC_TUNED:
        return
    _MALLOC_TUNED = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: blocks up to 32 MiB from the heap
        libc.mallopt(-1, 128 << 20)  # M_TRIM_THRESHOLD: give memory back beyond 128 MiB free
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


def _batch_name(points: np.ndarray) -> str:
    return f"points-{int(points[0]):07d}-{len(points)}.npz"


def _read_done(folder: Path) -> dict[int, np.ndarray]:
    """Point -> outputs from the batch files already in ``folder/points`` (each written whole)."""
    import zipfile

    done: dict[int, np.ndarray] = {}
    for file in sorted((folder / "points").glob("points-*.npz")):
        try:
            with np.load(file, allow_pickle=False) as data:
                found = dict(zip(data["points"].tolist(), data["y"], strict=True))
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            continue  # not one of ours whole (files are written atomically): its points are computed again
        done.update({int(i): row for i, row in found.items()})
    return done


def _write_batch(folder: Path, points: np.ndarray, y: np.ndarray) -> None:
    import io

    from simulator.results_io import atomic_write

    buffer = io.BytesIO()
    np.savez(buffer, points=points.astype(np.int64), y=y)
    atomic_write(folder / "points" / _batch_name(points), buffer.getvalue())


def _manifest(model: Any, design: Design, seed: int) -> dict:
    digest = hashlib.sha256()
    digest.update(model.key().encode("utf-8"))
    digest.update(np.ascontiguousarray(design.values).tobytes())
    digest.update(str(seed).encode())
    return {
        "format": FORMAT,
        "design_hash": digest.hexdigest(),
        "points": int(len(design.values)),
        "assumptions": [dim.name for dim in design.dims],
        "n": design.n,
        "grid": design.grid,
        "seed": int(seed),
        "outputs": list(model.outputs),
    }


@dataclass
class RunStats:
    """What a run did: points computed now and found on disk, batches, seconds to scatter the
    baseline and model, work seconds (wall and CPU of the task's thread) per batch, largest peak
    RSS seen per worker process [bytes]."""

    computed: int = 0
    reused: int = 0
    batches: int = 0
    scatter_seconds: float = 0.0
    work_seconds: list[float] = dataclasses.field(default_factory=list)
    cpu_seconds: list[float] = dataclasses.field(default_factory=list)
    peak_rss: dict[int, int] = dataclasses.field(default_factory=dict)


def run_design(  # noqa: C901 -- outlier listed in #23 (complexity 13): split, then drop this
    model: Any,
    design: Design,
    folder: str | Path,
    *,
    context: Any = None,
    client: Any = None,
    batch: int = 16,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, RunStats]:
    """Evaluate every design point, batch by batch, each batch saved in ``folder/points`` as it finishes.

    Parameters
    ----------
    model : ScenarioModel or Ishigami
        ``evaluate(context, values, seeds) -> (m, rows, outputs)``, ``key()``, ``outputs``.
    design : Design
    folder : path
        Created when missing. Points already saved there by an earlier run of the same design (same
        model key, values and seed: ``sweep.json``) are read, not computed again; a folder holding
        another design is refused.
    context : object
        Handed to every ``evaluate`` (the Baseline); with a client it is scattered to the workers once.
    client : dask.distributed.Client, optional
        Run the batches on its cluster; None runs them one after another in this process.
    batch : int
        Design points per task.
    seed : int
        Sweep seed: point i's engine seed comes from (seed, i).
    progress : callable(done, total), optional
        Called after each batch with the points done so far (saved ones included).

    Returns
    -------
    y : ndarray (points, rows, outputs)
    stats : RunStats
    """
    folder = Path(folder)
    (folder / "points").mkdir(parents=True, exist_ok=True)
    manifest = _manifest(model, design, seed)
    meta_file = folder / "sweep.json"
    if meta_file.exists():
        try:
            old = json.loads(meta_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise InputError(
                f"{meta_file}: unreadable sweep manifest; remove the folder or use another --output"
            ) from None
        if old.get("design_hash") != manifest["design_hash"]:
            raise InputError(
                f"{folder}: holds a sweep of another design (scenario, targets, samples, grid or "
                "seed differ); use another --output or remove the folder"
            )
    else:
        from simulator.results_io import atomic_write

        atomic_write(meta_file, json.dumps(manifest, indent=1))
    total = len(design.values)
    done = _read_done(folder)
    stats = RunStats(reused=len(done))
    pending = np.array([i for i in range(total) if i not in done], dtype=np.int64)
    chunks = [pending[k : k + batch] for k in range(0, len(pending), max(int(batch), 1))]
    count = len(done)
    if progress is not None:
        progress(count, total)

    def finished(points: np.ndarray, y: np.ndarray, seconds: float, peak: int, pid: int, cpu: float) -> None:
        nonlocal count
        _write_batch(folder, points, y)
        for i, row in zip(points.tolist(), y, strict=True):
            done[int(i)] = row
        count += len(points)
        stats.computed += len(points)
        stats.batches += 1
        stats.work_seconds.append(seconds)
        stats.cpu_seconds.append(cpu)
        stats.peak_rss[pid] = max(stats.peak_rss.get(pid, 0), peak)
        if progress is not None:
            progress(count, total)

    if chunks and client is None:
        for points in chunks:
            finished(*_run_batch(model, context, design.values[points], points, seed, single_thread=False))
    elif chunks:
        import time

        from distributed import as_completed

        begin = time.perf_counter()
        shared = client.scatter(context, broadcast=True) if context is not None else None
        shipped = client.scatter(model, broadcast=True)
        stats.scatter_seconds = time.perf_counter() - begin
        futures = [
            client.submit(_run_batch, shipped, shared, design.values[points], points, seed, pure=False)
            for points in chunks
        ]
        try:
            for future in as_completed(futures):
                finished(*future.result())
                future.release()
        finally:
            client.cancel(futures)
    first = next(iter(done.values()))
    y = np.empty((total, *np.shape(first)))
    for i, row in done.items():
        y[i] = row
    return y, stats


def open_client(scheduler: str | None = None, workers: int = 2, threads: int = 1, memory: str | None = None):
    """A Dask client: of the cluster at ``scheduler`` ("tcp://HOST:8786"), else of a new
    LocalCluster of ``workers`` processes with ``threads`` threads each. Close it (and its cluster)
    with ``close_client``."""
    import logging

    from distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout="20s")
        except OSError as err:
            raise InputError(f"--scheduler {scheduler}: cannot reach the scheduler ({err})") from None
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=threads,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
        memory_limit=memory or 0,
    )
    return Client(cluster)


def close_client(client: Any) -> None:
    """Close a client from ``open_client`` and the LocalCluster it started (an outside cluster keeps
    running)."""
    cluster = getattr(client, "cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()


# ---- the answer ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SweepResult:
    """Tables of a finished sweep (each tidy, one row per target and what is described):

    * ``summary``: per target, the probability at the central values and its spread over the
      assumption sets (A and B rows: mean, p10, p50, p90), the share of sets with probability
      >= ``level``, the gap and cost spread;
    * ``indices``: per target, output and assumption: first-order and total Sobol' indices with
      bootstrap intervals;
    * ``thresholds``: per target and assumption: central value, the value beyond which the target
      is lost (probability below ``level``, the others central) and on which side.
    """

    summary: pd.DataFrame
    indices: pd.DataFrame
    thresholds: pd.DataFrame
    design: pd.DataFrame
    level: float


def analyse(
    y: np.ndarray,
    design: Design,
    rows: pd.DataFrame,
    outputs: Sequence[str],
    level: float = 0.5,
    boot: int = 200,
    seed: int = 0,
) -> SweepResult:
    """Indices, thresholds and summaries from the outputs ``y`` (points, rows, outputs)."""
    keys = rows.reset_index(drop=True)
    n = design.n
    sets = y[: 2 * n]
    ind = sobol_indices(y, design, boot=boot, seed=seed)  # each (d, rows, outputs)
    records = []
    for j, dim in enumerate(design.dims):
        for k, out in enumerate(outputs):
            part = keys.copy()
            part["output"], part["assumption"] = out, dim.name
            for name, arr in ind.items():
                part[name] = arr[j, :, k]
            records.append(part)
    indices = pd.concat(records, ignore_index=True)
    summary = keys.copy()
    central = y[design.central_row]
    for k, out in enumerate(outputs):
        summary[f"{out}_central"] = central[:, k]
        summary[f"{out}_mean"] = sets[:, :, k].mean(axis=0)
        for q in (10, 50, 90):
            summary[f"{out}_p{q}"] = np.percentile(sets[:, :, k], q, axis=0)
    if "probability" in outputs:
        p = sets[:, :, list(outputs).index("probability")]
        summary["share_reaching"] = (p >= level).mean(axis=0)
        values, sides = thresholds(y[:, :, list(outputs).index("probability")], design, level)
        parts = []
        for j, dim in enumerate(design.dims):
            part = keys.copy()
            part["assumption"], part["central"] = dim.name, dim.central
            part["lowest"], part["highest"] = design.values[design.scan_rows(j), j][[0, -1]]
            part["threshold"], part["side"] = values[j], sides[j]
            parts.append(part)
        table = pd.concat(parts, ignore_index=True)
    else:
        table = pd.DataFrame()
    return SweepResult(summary=summary, indices=indices, thresholds=table, design=design.frame(), level=level)


def write_result(
    result: SweepResult, folder: str | Path, illustrative: bool, extra: dict | None = None
) -> list[Path]:
    """``summary.csv``, ``indices.csv``, ``thresholds.csv``, ``design.csv`` and ``analysis.json``
    (the probability level and ``extra``) in ``folder``, each written atomically."""
    from simulator.results_io import atomic_write, write_csv

    folder = Path(folder)
    files = [
        write_csv(getattr(result, name), folder / f"{name}.csv", illustrative)
        for name in ("summary", "indices", "thresholds", "design")
    ]
    meta = {"level": result.level, "illustrative": bool(illustrative), **(extra or {})}
    files.append(atomic_write(folder / "analysis.json", json.dumps(meta, indent=1)))
    return files


def read_result(folder: str | Path) -> SweepResult:
    """The tables of a finished sweep folder (``write_result``); InputError when it has none."""
    folder = Path(folder)
    tables = {}
    for name in ("summary", "indices", "thresholds", "design"):
        path = folder / f"{name}.csv"
        if not path.exists():
            raise InputError(f"{folder}: no finished sweep here ({name}.csv missing)")
        with path.open(encoding="utf-8") as fh:
            skip = 1 if fh.readline().startswith("#") else 0
        tables[name] = pd.read_csv(path, skiprows=skip, dtype={"region_code": str, "applied_from": str})
    meta_file = folder / "analysis.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.exists() else {}
    return SweepResult(**tables, level=float(meta.get("level", DEFAULTS["probability"])))


def tornado(
    result: SweepResult,
    region: str,
    year: int | None = None,
    output: str = "probability",
    scheme: str | None = None,
) -> pd.DataFrame:
    """One target's assumptions by total index (largest first) with their intervals and thresholds:
    ``assumption, first, first_lo, first_hi, total, total_lo, total_hi, central, threshold, side,
    year, target, scheme``. ``year`` defaults to the target's first year in the sweep."""
    ind = result.indices[
        (result.indices["region_code"].astype(str) == region) & (result.indices["output"] == output)
    ]
    if not len(ind):
        return pd.DataFrame()
    year = int(ind["year"].min()) if year is None else int(year)
    ind = ind[ind["year"] == year]
    if scheme is not None and "scheme" in ind.columns:
        ind = ind[ind["scheme"] == scheme]
    elif "scheme" in ind.columns and len(ind):
        ind = ind[ind["scheme"] == ind["scheme"].iloc[0]]
    cols = ["assumption", "first", "first_lo", "first_hi", "total", "total_lo", "total_hi", "year", "target"]
    table = ind[[c for c in [*cols, "scheme"] if c in ind.columns]].copy()
    th = result.thresholds
    if len(th):
        th = th[(th["region_code"].astype(str) == region) & (th["year"] == year)]
        if "scheme" in th.columns and len(table) and "scheme" in table.columns:
            th = th[th["scheme"] == table["scheme"].iloc[0]]
        table = table.merge(th[["assumption", "central", "threshold", "side"]], on="assumption", how="left")
    return table.sort_values("total", ascending=False, na_position="last").reset_index(drop=True)

"""Benchmark simulator.engine.run_scenario against a plain numpy reference doing the same arithmetic.

Baseline: ``fake_baseline`` over the real region tree (553 regions: the nation, 38 provinces and
514 kabupaten/kota) with realistic sizes: employed = 51 % of each kabupaten/kota's population
(BPS: about 145 of 285 million), active = a seeded 12-45 % of that (about 29 % nationally),
0,1 %/month growth and a 0,4 %/sqrt(month) log random walk per path. With ``--real`` the newest
``.cache/baseline-*/`` (written by ``python -m simulator project``) is used instead, when there is one.

Scenario: one lever of every kind (contribution subsidy and village officials with uncertain
behaviour, employer compliance, informal outreach with uncertain lapse, a workforce shock), 60
months, 1.000 paths. Cases and targets (on an unloaded machine):

* one region: levers in Kalimantan Barat, report "61" only (``regions=["61"]``) - under 20 ms;
  also one kabupaten/kota (61.01, levers there);
* all regions (the "552": 38 provinces and 514 kabupaten/kota, plus the nation): the Kalbar
  levers reported for every region, and the same levers over all 514 kabupaten/kota (national
  scope) - under 300 ms.

Each engine run gets a new Baseline object (cold: the per-baseline medians and headroom are
computed), except "run warm" (the same Baseline again, as in the app). Timed: "run"
(``run_scenario`` alone: paths and waterfall are computed on request), "run + status"
(``assess`` with a target for every reported region at each December and the last month, as the
app's status table), "run warm + status" (the same on the Baseline seen before: the median
coverage of regions a plan leaves alone is kept, as in the app), "run + all paths"
(``Result.active`` and ``Result.employed`` whole), "run + waterfall at deadlines" (every reported
region at those months, as reports show it) and "full waterfall" (``Result.contributions``, every
month), with the reference; wall and CPU time, best of the runs and median, and the ratios
reference / (run + status) and reference / (run + all paths). Work on many regions runs in two
blocks on two cores (``simulator.parallel``), so CPU time exceeds wall time there; the reference
runs on one core.

The reference (``reference_run``) is the straightforward way: materialise each lever's
(leaves, paths, months) persons, accumulate, cap at the workforce, sum the leaves up the tree
(``simulator.baseline.aggregate``) and take ``numpy.median`` after every lever. It runs in the same
process on the same data, so the ratio reference / engine is meaningful on a slow or busy machine
where absolute times are not; the two results are compared too. The machine's speed at the time is
printed as the time of a fixed numpy workload and of a pure Python loop, with the CPU steal.

    python bench/bench_engine.py [--paths 1000] [--months 60] [--repeat 5] [--real]
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from simulator.baseline import Baseline, aggregate, fake_baseline, summing_matrix  # noqa: E402
from simulator.engine import run_scenario  # noqa: E402
from simulator.regions import load_regions  # noqa: E402
from simulator.scenario import (  # noqa: E402
    ContributionSubsidy,
    EmployerCompliance,
    InformalOutreach,
    VillageOfficials,
    WorkforceShock,
    parse_scenario,
    scope_leaves,
)
from simulator.targets import assess  # noqa: E402

FIRST_MONTH = "2025-07"
SEED = 20250701


# ---- machine ------------------------------------------------------------------------------------
def _jiffies() -> tuple[int, int] | None:
    """(steal, total) CPU jiffies from /proc/stat."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return (fields[7] if len(fields) > 7 else 0), sum(fields)


def machine_speed() -> str:
    """Time of a fixed numpy workload and a pure Python loop (best of 3)."""
    rng = np.random.default_rng(0)
    x = rng.random((2_000, 1_000), dtype=np.float32)

    def numpy_work() -> None:
        y = x * np.float32(1.5) + x  # 2.10^6 multiply-adds
        y.partition(500, axis=1)  # 2.000 medians of 1.000

    def python_work() -> None:
        total = 0
        for i in range(1_000_000):
            total += i

    out = []
    for name, work in (
        ("numpy (2.10^6 float32 multiply-add + 2.000 partitions of 1.000)", numpy_work),
        ("pure Python (10^6-step loop)", python_work),
    ):
        best = min(_timed(work) for _ in range(3))
        out.append(f"{name}: {best * 1e3:.0f} ms")
    return "; ".join(out)


def _timed(func) -> float:
    t0 = time.perf_counter()
    func()
    return time.perf_counter() - t0


class Clock:
    """Wall and process CPU seconds of each call. CPU time leaves out the time other processes
    and the hypervisor take (steal), so on a busy machine it is the steadier of the two."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __call__(self, func):
        w0, c0 = time.perf_counter(), time.process_time()
        out = func()
        self.wall.append(time.perf_counter() - w0)
        self.cpu.append(time.process_time() - c0)
        return out

    def line(self, name: str) -> str:
        return (
            f"  {name:<28} CPU best {min(self.cpu) * 1e3:9.1f} ms, median "
            f"{np.median(self.cpu) * 1e3:9.1f} ms;"
            f"  wall best {min(self.wall) * 1e3:9.1f} ms, median {np.median(self.wall) * 1e3:9.1f} ms"
            f"  ({len(self.wall)} runs)"
        )


# ---- data ---------------------------------------------------------------------------------------
def make_baseline(tree, paths: int, months: int) -> Baseline:
    _, leaves, _ = summing_matrix(tree)
    pop = tree.table.set_index("code").loc[list(leaves), "population"].to_numpy(dtype=np.float64)
    employed = 0.51 * pop
    share = np.random.default_rng(SEED).uniform(0.12, 0.45, len(leaves))
    month_range = pd.period_range(FIRST_MONTH, periods=months, freq="M")
    return fake_baseline(
        tree, month_range, paths, share * employed, employed, growth=0.001, noise=0.004, seed=SEED
    )


def real_baseline(paths: int, months: int) -> Baseline | None:
    """The newest cached baseline (``.cache/baseline-KEY/``), cut to ``paths`` and ``months``."""
    from simulator.projection import _read_cache

    folders = sorted((ROOT / ".cache").glob("baseline-*/meta.json"), key=lambda p: p.stat().st_mtime)
    if not folders:
        return None
    cached = _read_cache(ROOT / ".cache", folders[-1].parent.name.removeprefix("baseline-"))
    if cached is None:
        return None
    base = cached[0]
    n_months, n_paths = min(months, len(base.months)), min(paths, base.paths)
    return Baseline(
        regions=base.regions,
        months=base.months[:n_months],
        active=np.ascontiguousarray(base.active[:, :n_paths, :n_months], dtype=np.float32),
        employed=np.ascontiguousarray(base.employed[:, :n_paths, :n_months], dtype=np.float32),
        last_observed=base.last_observed,
        meta={"source": folders[-1].parent.name, **base.meta},
    )


def scenario_text(region: str, horizon: pd.Period, start: pd.Period, scale: float) -> str:
    """One lever of every kind in ``region`` ("61", "61.01" or "00"); sizes times ``scale``."""

    def month(k: int) -> str:
        return str(start + k)

    return f"""name: bench {region}
horizon: {horizon}
levers:
  - kind: contribution_subsidy
    region: "{region}"
    headcount: {26373 * scale:.0f}
    start: {month(0)}
    months: 24
    ramp_months: 3
    already_covered: [0.05, 0.2]
    retention_after: {{dist: beta, a: 2, b: 5}}
    lapse: [0.01, 0.05]
    payer: apbd_provinsi
  - kind: village_officials
    region: "{region}"
    officials_per_village: 15
    enrolled_share: [0.6, 0.9]
    start: {month(3)}
    ramp_months: 6
  - kind: employer_compliance
    region: "{region}"
    workers: {5000 * scale:.0f}
    ramp_months: 12
    start: {month(1)}
  - kind: informal_outreach
    region: "{region}"
    monthly_enrollments: {1000 * scale:.0f}
    months: 24
    lapse: [0.01, 0.05]
    start: {month(2)}
    payer: apbd_kabkota
  - kind: workforce_shock
    region: "{region}"
    change: -0.02
    start: {month(6)}
    ramp_months: 6
"""


# ---- the reference ------------------------------------------------------------------------------
def _draw(param, *, rng, n_paths: int, uncertainty: bool) -> np.ndarray:
    """``n_paths`` draws of an uncertain lever parameter, or its mean on every path."""
    return param.sample(rng, n_paths) if uncertainty else np.full(n_paths, param.mean())


def reference_run(baseline: Baseline, scenario, tree, seed: int = 0, regions=None, uncertainty: bool = True):  # noqa: C901 -- outlier listed in #23 (complexity 11): split, then drop this
    """Plain numpy: dense lever persons, cumulative sum, cap, tree sums, numpy.median per lever.

    Returns (active, employed, medians (steps, R, T), cost {(lever index, year): IDR}).
    """
    codes, leaves, s = summing_matrix(tree)
    months = baseline.months[np.asarray(baseline.months <= scenario.horizon)]
    n_paths, n_months = baseline.paths, len(months)
    wanted = set(codes if regions is None else regions)
    out_rows = np.array([i for i, c in enumerate(codes) if c in wanted])
    act = baseline.active[:, :, :n_months]
    emp_all = baseline.employed[:, :, :n_months]
    leaf_pos = {c: i for i, c in enumerate(leaves)}
    levers = scenario.levers
    scopes = [np.array([leaf_pos[c] for c in scope_leaves(lever.region, tree)]) for lever in levers]
    touched = np.unique(np.concatenate(scopes))
    rows = np.array([codes.index(leaves[j]) for j in touched])
    where = {int(j): i for i, j in enumerate(touched)}
    base = act[rows].astype(np.float32)
    emp = emp_all[rows].astype(np.float32)
    emp0 = emp.copy()
    cumulative = base.copy()
    s_out = s[np.ix_(out_rows, touched)]
    villages = tree.table.set_index("code")["villages"]

    def report() -> np.ndarray:
        return act[out_rows] + aggregate(s_out, np.minimum(cumulative, emp) - base)

    medians = [np.median(act[out_rows], axis=1)]
    first = min([months[0], *(lever.start for lever in levers)])
    axis = pd.period_range(first, months[-1], freq="M")
    cut = len(axis) - n_months
    rngs = np.random.default_rng(seed).spawn(len(levers))
    cost: dict[tuple[int, int], float] = {}
    for i, (lever, rng, scope) in enumerate(zip(levers, rngs, scopes, strict=True)):
        loc = np.array([where[int(j)] for j in scope])
        off = axis.asi8 - lever.start.ordinal
        ramp = np.where(off >= 0, np.clip((off + 1) / max(lever.ramp_months, 1), 0.0, 1.0), 0.0)

        draw = functools.partial(_draw, rng=rng, n_paths=n_paths, uncertainty=uncertainty)

        if isinstance(lever, WorkforceShock):
            emp[loc] *= (1.0 + lever.change * ramp[cut:]).astype(np.float32)
            medians.append(np.median(report(), axis=1))
            continue
        at = int(np.clip((lever.start - months[0]).n, 0, n_months - 1))
        gap = np.median(emp0[loc, :, at] - base[loc, :, at], axis=1).astype(np.float64).clip(0.0)
        weights = gap / gap.sum() if gap.sum() > 0 else np.full(len(loc), 1.0 / len(loc))
        if isinstance(lever, ContributionSubsidy):
            d, r, lapse = draw(lever.already_covered), draw(lever.retention_after), draw(lever.lapse)
            enrolled = lever.headcount * ramp * ((off >= 0) & (off < lever.months))
            last = lever.headcount * min(lever.months / max(lever.ramp_months, 1), 1.0)
            k = off - lever.months
            tail = np.where(k >= 0, last * r[:, None] * (1.0 - lapse[:, None]) ** np.maximum(k, 0), 0.0)
            per_path = (1.0 - d[:, None]) * (enrolled[None, :] + tail)
            paid = np.broadcast_to(enrolled * lever.unit_cost, per_path.shape)
        elif isinstance(lever, VillageOfficials):
            share = draw(lever.enrolled_share)
            running = (off >= 0) if lever.months is None else (off >= 0) & (off < lever.months)
            weights = (
                villages.loc[[leaves[j] for j in scope]].to_numpy(dtype=np.float64)
                * lever.officials_per_village
            )
            per_path = share[:, None] * (ramp * running)[None, :]
            paid = weights.sum() * per_path * lever.unit_cost
        elif isinstance(lever, EmployerCompliance):
            per_path = np.broadcast_to(lever.workers * ramp, (n_paths, len(axis)))
            paid = per_path * lever.unit_cost
        elif isinstance(lever, InformalOutreach):
            lapse = draw(lever.lapse)
            running = (off >= 0) & (off < lever.months)
            inflow = lever.monthly_enrollments * ramp * running
            per_path = np.zeros((n_paths, len(axis)))
            level = np.zeros(n_paths)
            for t in range(len(axis)):
                level = level * (1.0 - lapse) + inflow[t]
                per_path[:, t] = level
            paid = per_path * running[None, :] * lever.unit_cost
        else:  # pragma: no cover
            raise TypeError(lever.kind)
        cumulative[loc] += (weights[:, None, None] * per_path[None, :, cut:]).astype(np.float32)
        for year, value in pd.Series(paid.mean(axis=0)).groupby(np.asarray(axis.year)).sum().items():
            if value:
                cost[(i, int(year))] = float(value)
        medians.append(np.median(report(), axis=1))
    active = report()
    employed = emp_all[out_rows] + aggregate(s_out, emp - emp0)
    return active, employed, np.stack(medians), cost


def compare(result, reference) -> str:
    """Largest differences between the engine and the reference, relative to the values."""
    active, employed, medians, cost = reference
    engine_medians = np.cumsum(
        result.contributions["persons"].to_numpy().reshape(len(medians), *medians.shape[1:]), axis=0
    )
    scale_a = np.abs(active).max()
    d_active = np.abs(result.active.astype(np.float64) - active).max() / scale_a
    d_employed = np.abs(result.employed.astype(np.float64) - employed).max() / np.abs(employed).max()
    d_median = np.abs(engine_medians - medians).max() / scale_a
    engine_cost = {
        (
            int(np.flatnonzero(np.array(result.contributions["lever"].unique()[1:]) == r.lever)[0]),
            int(r.year),
        ): r.cost_idr
        for r in result.cost.itertuples()
    }
    d_cost = max(
        abs(engine_cost.get(k, 0.0) - cost.get(k, 0.0)) / max(abs(cost.get(k, 1.0)), 1.0)
        for k in set(engine_cost) | set(cost)
    )
    return (
        f"max relative difference engine vs reference: active {d_active:.1e}, employed {d_employed:.1e}, "
        f"waterfall medians {d_median:.1e}, cost {d_cost:.1e}"
    )


# ---- timing -------------------------------------------------------------------------------------
def fresh(baseline: Baseline) -> Baseline:
    """The same arrays in a new Baseline object: the engine's per-baseline median cache is empty."""
    return Baseline(
        regions=baseline.regions,
        months=baseline.months,
        active=baseline.active,
        employed=baseline.employed,
        last_observed=baseline.last_observed,
        meta=baseline.meta,
    )


def deadline_months(months: pd.PeriodIndex) -> list[pd.Period]:
    """The months a status table and a report ask the waterfall for: each December, and the last month."""
    picked = [m for m in months if m.month == 12]
    return picked + ([months[-1]] if months[-1] not in picked else [])


def status_targets(regions: tuple[str, ...], months: pd.PeriodIndex) -> pd.DataFrame:
    """A target for every reported region in every year with a deadline month (each December and
    the last month): what the app's status table asks for when it lists every region."""
    years = sorted({m.year for m in deadline_months(months)})
    codes = list(regions)
    return pd.DataFrame(
        {
            "region_code": codes * len(years),
            "year": np.repeat(years, len(codes)),
            "coverage": np.full(len(codes) * len(years), 0.35),
        }
    )


def time_case(  # noqa: C901 -- outlier listed in #23 (complexity 14): split, then drop this
    label, baseline, scenario, tree, regions, repeat: int, ref_repeat: int, target_ms: float
) -> dict:
    """The engine and the reference, best of the runs; each engine run on a new Baseline object
    (cold: no per-baseline medians cached).

    "run" is ``run_scenario`` alone (cost and the plan; paths and waterfall are computed on
    request); "run warm" the same on a Baseline object seen before (its per-baseline headroom
    and medians kept, as in the app); "run + status" adds ``assess`` with a target for every reported
    region at each deadline month (each December and the last month), as the app's status table ("run warm +
    status" on the Baseline seen before); "run + all
    paths" adds ``Result.active`` and ``Result.employed`` whole; "full waterfall" is
    ``Result.contributions``, every region and month, as the reference computes.
    """
    months = baseline.months[baseline.months <= scenario.horizon]
    deadlines = deadline_months(months)

    def run(base):
        return lambda: run_scenario(base, scenario, seed=1, tree=tree, regions=regions)

    def run_and_status(base):
        def go():
            result = run_scenario(base, scenario, seed=1, tree=tree, regions=regions)
            return assess(result, status_targets(result.regions, result.months))

        return go

    def run_and_paths(base):
        def go():
            result = run_scenario(base, scenario, seed=1, tree=tree, regions=regions)
            return result.active, result.employed

        return go

    def full(base):
        return lambda: run_scenario(base, scenario, seed=1, tree=tree, regions=regions).contributions

    def at_deadlines(base):
        def go():
            result = run_scenario(base, scenario, seed=1, tree=tree, regions=regions)
            return result.waterfall(list(result.regions), [str(m) for m in deadlines])

        return go

    def reference():
        return reference_run(baseline, scenario, tree, seed=1, regions=regions)

    result = run_scenario(fresh(baseline), scenario, seed=1, tree=tree, regions=regions)  # warm-up
    status = assess(result, status_targets(result.regions, result.months))
    clocks = {name: Clock() for name in NAMES}
    warm_base = fresh(baseline)
    run_scenario(warm_base, scenario, seed=1, tree=tree, regions=regions)
    for _ in range(repeat):
        clocks["run"](run(fresh(baseline)))
        clocks["run warm"](run(warm_base))
        clocks["run + status"](run_and_status(fresh(baseline)))
        clocks["run warm + status"](run_and_status(warm_base))
        clocks["run + all paths"](run_and_paths(fresh(baseline)))
        clocks["run + waterfall at deadlines"](at_deadlines(fresh(baseline)))
    for _ in range(ref_repeat):
        clocks["full waterfall"](full(fresh(baseline)))
        ref_out = clocks["reference"](reference)  # timed too: the reference is the slow part of the benchmark
    print(
        f"\n{label}: {len(result.regions)} region(s) reported, {len(scenario.levers)} levers, status of "
        f"{len(status)} targets at {len(deadlines)} deadline months (target {target_ms:.0f} ms on an "
        "unloaded "
        "machine)"
    )
    for name, clock in clocks.items():
        print(clock.line(name))
    ref = clocks["reference"]
    for name in ("run + status", "run + all paths", "full waterfall"):
        print(
            f"  ratio reference / {name:<15}: CPU {min(ref.cpu) / min(clocks[name].cpu):7.1f}x, "
            f"wall {min(ref.wall) / min(clocks[name].wall):7.1f}x"
        )
    print("  " + compare(result, ref_out))
    return {"case": label, **clocks, "target_ms": target_ms}


NAMES = (
    "run",
    "run warm",
    "run + status",
    "run warm + status",
    "run + all paths",
    "run + waterfall at deadlines",
    "full waterfall",
    "reference",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paths", type=int, default=1000)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5, help="engine runs per case (best is reported)")
    parser.add_argument(
        "--real", action="store_true", help="use the newest cached baseline (.cache/baseline-*/) if any"
    )
    args = parser.parse_args()

    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}, numpy {np.__version__}")
    print("machine speed now:", machine_speed())
    tree = load_regions()
    t0 = time.perf_counter()
    baseline = real_baseline(args.paths, args.months) if args.real else None
    if not args.real and list((ROOT / ".cache").glob("baseline-*/meta.json")):
        print("(a cached real baseline exists in .cache/: add --real to time on it)")
    if baseline is None:
        if args.real:
            print("no cached baseline in .cache/: using the synthetic baseline")
        baseline = make_baseline(tree, args.paths, args.months)
    print(
        f"baseline ({baseline.meta.get('source')}): {len(baseline.regions)} regions x "
        f"{baseline.paths} paths x "
        f"{len(baseline.months)} months ({baseline.months[0]}..{baseline.months[-1]}), "
        f"{(baseline.active.nbytes + baseline.employed.nbytes) / 2**20:.0f} MiB, built in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    horizon, start = baseline.months[-1], baseline.months[0] + 1

    def scenario(region: str, scale: float):
        return parse_scenario(scenario_text(region, horizon, start, scale), source=f"bench-{region}.yaml")

    heavy = max(1, args.repeat // 2)
    n_all = len(baseline.regions)
    j0 = _jiffies()
    rows = [
        time_case(
            "one region: Kalbar levers, report 61",
            baseline,
            scenario("61", 1.0),
            tree,
            ["61"],
            args.repeat,
            args.repeat,
            20,
        ),
        time_case(
            "one kabupaten/kota: levers in 61.01, report 61.01",
            baseline,
            scenario("61.01", 0.1),
            tree,
            ["61.01"],
            args.repeat,
            args.repeat,
            20,
        ),
        time_case(
            f"all {n_all} regions: Kalbar levers",
            baseline,
            scenario("61", 1.0),
            tree,
            None,
            args.repeat,
            heavy,
            300,
        ),
        time_case(
            f"all {n_all} regions: national levers (514 kabupaten/kota)",
            baseline,
            scenario("00", 30.0),
            tree,
            None,
            args.repeat,
            1,
            300,
        ),
    ]
    j1 = _jiffies()
    if j0 and j1 and j1[1] > j0[1]:
        print(
            "\nCPU steal by the hypervisor during the timed runs: "
            f"{100 * (j1[0] - j0[0]) / (j1[1] - j0[1]):.0f} %"
        )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print("machine speed after:", machine_speed())
    for kind in ("wall", "cpu"):
        label = "CPU" if kind == "cpu" else kind
        print(
            f"\nsummary, {label} ms: best of runs (median); ratios are the reference's best {label} time "
            "over the engine's"
            + (
                " (the engine works on two cores for many regions, the reference on one: wall time is "
                "what a user waits)"
                if kind == "wall"
                else " (both cores' time added up)"
            )
            + ":"
        )
        print(
            f"  {'case':<54} "
            + " ".join(f"{n:>19}" for n in NAMES)
            + f" {'ref/run+status':>15} {'ref/run+paths':>14} {'target':>6}"
        )
        for row in rows:
            times = {k: getattr(row[k], kind) for k in NAMES}
            cells = [f"{min(times[k]) * 1e3:.1f} ({np.median(times[k]) * 1e3:.1f})" for k in NAMES]
            ratios = [min(times["reference"]) / min(times[k]) for k in ("run + status", "run + all paths")]
            print(
                f"  {row['case']:<54} "
                + " ".join(f"{c:>19}" for c in cells)
                + f" {ratios[0]:14.1f}x {ratios[1]:13.1f}x {row['target_ms']:6.0f}"
            )


if __name__ == "__main__":
    main()

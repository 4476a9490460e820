"""Benchmark the assumption sweep (simulator.sweep) on Dask against plain multiprocessing.

Workload: the Kalbar plan (scenarios/kalbar-pergub-2025.yaml: 4 assumptions given as ranges or
distributions), every kabupaten/kota of Kalimantan Barat and the province (15 regions, 45 targets),
the projected baseline of the bundled data (1.000 paths), the first ``--points`` (1.024) points of
its Saltelli design, 16 points per task. Figures:

* Dask LocalCluster, 2 worker processes x 1 thread: wall time of the points (goal < 2 min), and
  the start of the cluster and the scatter of the baseline apart;
* plain multiprocessing (fork, 2 processes sharing the baseline copy-on-write, the same batches and
  the same per-batch function): Dask's throughput over it (goal: within 15 %);
* peak RSS per Dask worker (goal < 2 GiB);
* 1 worker against 2 (the ratio), and 1 worker of 2 threads (one baseline copy per machine);
* a simulated larger cluster: 4 and 8 worker processes x 1 thread on this machine, and 400 empty
  tasks per cluster size: the scheduler's cost per task, which with the CPU seconds per point gives
  the estimate for N machines printed at the end.

    python bench/bench_sweep.py [--points 1024] [--repeat 2] [--skip-large]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from simulator import sweep

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "kalbar-pergub-2025.yaml"
BATCH = 16
_GLOBAL: dict = {}


def _mp_init(model, baseline) -> None:
    _GLOBAL["model"], _GLOBAL["baseline"] = model, baseline


def _mp_batch(args):
    values, points, seed = args
    return sweep._run_batch(_GLOBAL["model"], _GLOBAL["baseline"], values, points, seed)


def _noop(i: int) -> int:
    return i


def machine_state() -> str:
    t0 = time.perf_counter()
    x = 0
    for i in range(10**7):
        x += i
    loop = time.perf_counter() - t0
    return (
        f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}, a 10^7-step Python loop {loop:.2f} s"
    )


def tree_cpu() -> float:
    """CPU seconds of this process and every live process under it (cluster, nannies, workers, pool)."""
    import psutil

    me = psutil.Process()
    total = 0.0
    for proc in [me, *me.children(recursive=True)]:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def run_dask(model, design, baseline, workers: int, threads: int = 1):
    """(start s, total s, points s, stats, y, CPU s of every process during the run): cluster
    start, the whole run with scatter, the points."""
    t0 = time.perf_counter()
    client = sweep.open_client(workers=workers, threads=threads)
    client.wait_for_workers(workers)
    started = time.perf_counter() - t0
    try:
        with tempfile.TemporaryDirectory() as folder:
            c0, t1 = tree_cpu(), time.perf_counter()
            y, stats = sweep.run_design(
                model, design, folder, context=model.context(baseline), client=client, batch=BATCH
            )
            total, cpu = time.perf_counter() - t1, tree_cpu() - c0
    finally:
        sweep.close_client(client)
    return started, total, total - stats.scatter_seconds, stats, y, cpu


def run_multiprocessing(model, design, baseline, processes: int = 2):
    import multiprocessing as mp

    chunks = [np.arange(k, min(k + BATCH, len(design.values))) for k in range(0, len(design.values), BATCH)]
    jobs = [(design.values[c], c, 0) for c in chunks]
    ctx = mp.get_context("fork")
    with ctx.Pool(processes, initializer=_mp_init, initargs=(model, model.context(baseline))) as pool:
        c0, t0 = tree_cpu(), time.perf_counter()
        out = pool.map(_mp_batch, jobs, chunksize=1)
        seconds, cpu = time.perf_counter() - t0, tree_cpu() - c0
    y = np.empty((len(design.values), *out[0][1].shape[1:]))
    for points, part, *_ in out:
        y[points] = part
    return seconds, y, sum(o[-1] for o in out) / len(design.values), cpu


def task_overhead(workers: int, tasks: int = 400) -> float:
    """Seconds per empty task (submit to result) on a LocalCluster of ``workers`` x 1 thread."""
    from distributed import wait

    client = sweep.open_client(workers=workers)
    client.wait_for_workers(workers)
    try:
        wait(client.map(_noop, range(50), pure=False))  # warm
        t0 = time.perf_counter()
        futures = client.map(_noop, range(tasks), pure=False)
        wait(futures)
        return (time.perf_counter() - t0) / tasks
    finally:
        sweep.close_client(client)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=1024)
    parser.add_argument("--skip-large", action="store_true", help="skip the 4- and 8-worker runs")
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs of Dask and of multiprocessing, alternating"
    )
    args = parser.parse_args()
    print(machine_state(), flush=True)
    from simulator.cli import _bundled
    from simulator.regions import load_regions
    from simulator.scenario import load_scenario

    t0 = time.perf_counter()
    tree = load_regions()
    panel, baseline, _ = _bundled(66, 1000, None)
    scenario = load_scenario(SCENARIO, tree)
    model = sweep.scenario_model(scenario, baseline, panel.targets, tree=tree, workforce=panel.workforce)
    n = -(-args.points // (len(model.dims) + 2))
    full = sweep.make_design(model.dims, n, seed=0)
    design = dataclasses.replace(full, values=full.values[: args.points])
    size = (baseline.active.nbytes + baseline.employed.nbytes) / 2**20
    small = model.context(baseline)
    shipped = (small.active.nbytes + small.employed.nbytes) / 2**20
    print(
        f"baseline {len(baseline.regions)} regions x {baseline.paths} paths x {len(baseline.months)} months "
        f"({size:.0f} MiB, {time.perf_counter() - t0:.1f} s to load; the workers get its "
        f"{len(small.regions)} rows "
        f"of Kalimantan Barat, {shipped:.1f} MiB); {len(model.dims)} assumptions, "
        f"{len(model.regions)} regions, {len(model.targets)} targets; {len(design.values)} design points, "
        f"{BATCH} per task",
        flush=True,
    )

    # Dask and multiprocessing alternate, best of ``--repeat`` each: the machine is shared, and
    # its load changes from one minute to the next
    dask_runs, mp_runs = [], []
    for _ in range(args.repeat):
        dask_runs.append(run_dask(model, design, baseline, 2))
        mp_runs.append(run_multiprocessing(model, design, baseline, 2))
    start2, total2, points2, stats2, y2, all_cpu2 = min(dask_runs, key=lambda r: r[1])
    mp_seconds, y_mp, mp_cpu, all_mp = min(mp_runs, key=lambda r: r[0])
    rss = max(stats2.peak_rss.values()) / 2**30
    cpu_point = sum(stats2.cpu_seconds) / len(design.values)
    print(
        f"dask, 2 workers (runs {', '.join(f'{r[1]:.1f}' for r in dask_runs)} s): cluster start "
        f"{start2:.1f} s; "
        f"scatter {stats2.scatter_seconds:.1f} s + points {points2:.1f} s = {total2:.1f} s "
        f"({len(design.values) / total2:.1f} points/s); goal < 120 s: "
        f"{'met' if start2 + total2 < 120 else 'NOT met'} ({start2 + total2:.1f} s with the start)",
        flush=True,
    )
    wall_point = sum(stats2.work_seconds) / len(design.values)
    print(
        f"  CPU per point in the tasks {1000 * cpu_point:.1f} ms (wall {1000 * wall_point:.1f} ms);"
        " peak RSS per worker "
        + ", ".join(f"{v / 2**30:.2f}" for v in stats2.peak_rss.values())
        + f" GiB; goal < 2 GiB: {'met' if rss < 2 else 'NOT met'}",
        flush=True,
    )
    same = np.array_equal(y_mp, y2)
    ratio = mp_seconds / total2
    print(
        f"multiprocessing (fork, 2 processes; runs {', '.join(f'{r[0]:.1f}' for r in mp_runs)} s): "
        f"{mp_seconds:.1f} s, CPU per point {1000 * mp_cpu:.1f} ms; dask throughput / multiprocessing "
        f"{ratio:.2f} (scatter included), {mp_seconds / points2:.2f} (points alone); goal >= 0.85: "
        f"{'met' if ratio >= 0.85 else 'NOT met'}; same numbers: {same}",
        flush=True,
    )
    print(
        f"CPU seconds of all processes (load-independent price of the bookkeeping): dask {all_cpu2:.1f} s, "
        f"multiprocessing {all_mp:.1f} s: multiprocessing / dask {all_mp / all_cpu2:.2f}",
        flush=True,
    )

    start1, total1, points1, stats1, y1, _ = run_dask(model, design, baseline, 1)
    print(
        f"dask, 1 worker: {total1:.1f} s (points {points1:.1f} s); 1 / 2 workers time ratio "
        f"{total1 / total2:.2f} (points alone {points1 / points2:.2f}); same numbers as 2 workers: "
        f"{np.array_equal(y1, y2)}",
        flush=True,
    )

    if args.skip_large:
        return
    overheads = {}
    for workers in (2, 4, 8):
        overheads[workers] = task_overhead(workers)
        print(
            f"empty task on {workers} workers x 1 thread: {1000 * overheads[workers]:.2f} ms per task",
            flush=True,
        )
    start, total, points, stats, y, _ = run_dask(model, design, baseline, 1, threads=2)
    print(
        f"dask, 1 worker x 2 threads (one baseline per machine): {total:.1f} s (scatter "
        f"{stats.scatter_seconds:.1f} s, "
        f"points {points:.1f} s); against 2 workers x 1 thread {total / total2:.2f}; same numbers: "
        f"{np.array_equal(y, y2)}",
        flush=True,
    )
    for workers in (4, 8):
        start, total, points, stats, y, _ = run_dask(model, design, baseline, workers)
        busy = sum(stats.cpu_seconds)
        print(
            f"dask, {workers} workers on 2 cores: {total:.1f} s (scatter {stats.scatter_seconds:.1f} "
            "s, points "
            f"{points:.1f} s), cluster start {start:.1f} s; CPU in tasks {busy:.1f} s; peak RSS per worker "
            f"{max(stats.peak_rss.values()) / 2**30:.2f} GiB; same numbers: {np.array_equal(y, y2)}",
            flush=True,
        )
    scatter = stats2.scatter_seconds
    o = max(overheads.values())
    print("estimate for M machines of c cores (one worker process per core, 1 thread each):", flush=True)
    print(
        f"  T ~ start + scatter + points x {1000 * cpu_point:.0f} ms / (M c) + tasks x {1000 * o:.1f} ms "
        f"(scheduler, serial); scatter here {scatter:.1f} s for 2 workers (grows with M over the network)",
        flush=True,
    )
    for machines, cores in ((1, 2), (4, 8), (16, 8)):
        for pts in (1024, 24576):
            t = pts * cpu_point / (machines * cores) + (pts / BATCH) * o
            print(
                f"  {machines} x {cores} cores, {pts} points: about {t:.0f} s plus start and scatter",
                flush=True,
            )


if __name__ == "__main__":
    main()

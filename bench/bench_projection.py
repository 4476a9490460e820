"""The national baseline itself: ``project_baseline`` on the bundled data (issue 17 goals: under
10 s and under 1 GiB for 514 kabupaten/kota and their aggregates, horizon 66, 1.000 paths).

``bench_forecast.py`` times the generic forecaster on 552 synthetic series; this times the domain
projection the app and ``python -m simulator project`` run: every region (nation, provinces,
kabupaten/kota) forecast directly, the projection's own 8-origin backtest that sets the bands,
reconciled medians, joint tree-factor paths, the workforce from annual Sakernas figures, the
per-kabupaten/kota backtest table, with the disk cache switched off. Then the summary that
``project --output`` writes (``baseline_frame``). Best of the runs, wall and CPU, and the peak
resident memory of the process.

    python bench/bench_projection.py [--paths 1000] [--horizon 66] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_peak_mib() -> float:
    """The largest peak resident memory of any finished worker process (forked: most of its pages
    are shared with this process, so the two are not to be added)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _cpu_all() -> float:
    """CPU seconds of this process and of its finished worker processes."""
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + child.ru_utime + child.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paths", type=int, default=1000)
    parser.add_argument("--horizon", type=int, default=66)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    from simulator.loaders import load_data
    from simulator.projection import baseline_frame, project_baseline
    from simulator.regions import DATA_DIR

    print(
        f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}, paths {args.paths}, "
        f"horizon {args.horizon}"
    )
    panel = load_data(DATA_DIR)
    print(
        f"bundled history: {len(panel.history)} rows, {panel.history['segment'].nunique()} segments; "
        f"{panel.history['region_code'].nunique()} kabupaten/kota (segments summed), their provinces and the "
        f"nation forecast directly, reconciled, joint paths; peak RSS after loading {_peak_mib():.0f} MiB"
    )
    walls, cpus, own = [], [], []
    for _ in range(args.repeat):
        w0, c0, p0 = time.perf_counter(), _cpu_all(), time.process_time()
        baseline, table = project_baseline(
            panel.history, panel.workforce, horizon=args.horizon, paths=args.paths, cache_dir=None
        )
        walls.append(time.perf_counter() - w0)
        cpus.append(_cpu_all() - c0)
        own.append(time.process_time() - p0)
        del baseline, table
    best = int(np.argmin(walls))
    print(
        f"project_baseline, no cache: best {walls[best]:.2f} s wall, {cpus[best]:.2f} s CPU in all "
        f"({own[best]:.2f} s in this process, the rest in its worker processes; SIMULATOR_PROCESSES=1: "
        f"one process) (runs: {', '.join(f'{w:.2f}' for w in walls)} s wall); "
        f"peak RSS {_peak_mib():.0f} MiB, "
        f"largest worker {_children_peak_mib():.0f} MiB, mostly pages shared with it (goal 10 s, 1 GiB); "
        f"load average now {os.getloadavg()[0]:.1f}"
    )
    baseline, table = project_baseline(
        panel.history, panel.workforce, horizon=args.horizon, paths=args.paths, cache_dir=None
    )
    print(
        f"  {len(baseline.regions)} regions x {baseline.paths} paths x {len(baseline.months)} months, "
        f"backtest table {len(table)} rows"
    )
    w0, c0 = time.perf_counter(), time.process_time()
    frame = baseline_frame(baseline)
    print(
        f"baseline_frame (what project --output writes): {time.perf_counter() - w0:.2f} s wall, "
        f"{time.process_time() - c0:.2f} s CPU, {len(frame)} rows; peak RSS {_peak_mib():.0f} MiB"
    )


if __name__ == "__main__":
    main()

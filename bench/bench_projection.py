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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
    walls, cpus = [], []
    for _ in range(args.repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        baseline, table = project_baseline(
            panel.history, panel.workforce, horizon=args.horizon, paths=args.paths, cache_dir=None
        )
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
        del baseline, table
    print(
        f"project_baseline, no cache: best {min(walls):.2f} s wall, {min(cpus):.2f} s CPU "
        f"(runs: {', '.join(f'{w:.2f}' for w in walls)} s wall); "
        f"peak RSS {_peak_mib():.0f} MiB (goal 10 s, 1 GiB)"
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

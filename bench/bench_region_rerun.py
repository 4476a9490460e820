"""The library work behind one Region-page slider move, without Streamlit (issue #6 goal: 500 ms).

A slider move on the Region page builds a scenario from the sliders, runs it for the region, its
ancestors and its children, assesses the targets, and takes the fan chart's quantiles, the
waterfall at the deadline and the cost per payer. This times exactly those library calls on the
bundled data and the cached baseline (``.cache/``, written by ``make run`` or
``python -m simulator project``), best and median of several moves, in CPU and wall time; the rest
of a rerun is Streamlit drawing the page (``bench/bench_app.py`` times the whole rerun).

    python bench/bench_region_rerun.py [--paths 1000] [--moves 7]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paths", type=int, default=1000)
    parser.add_argument("--moves", type=int, default=7)
    args = parser.parse_args()
    from simulator.engine import run_scenario
    from simulator.loaders import load_data
    from simulator.projection import project_baseline
    from simulator.regions import load_regions
    from simulator.scenario import parse_scenario
    from simulator.targets import assess, resolve
    from simulator.views import cost_by_payer_year, fan_wide, waterfall_at

    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}, paths {args.paths}")
    t0 = time.process_time()
    panel = load_data(ROOT / "data")
    baseline, _ = project_baseline(
        panel.history, panel.workforce, horizon=66, paths=args.paths, cache_dir=ROOT / ".cache"
    )
    print(f"data and baseline (disk cache when present): {time.process_time() - t0:.1f} s CPU")
    tree = load_regions()
    first, horizon = str(baseline.months[0]), str(baseline.months[-1])
    for code in ("61.72", "61"):
        chain, node = [], code
        while node:
            chain.append(node)
            node = tree.parent(node)
        regions = list(dict.fromkeys([*chain, *tree.children(code)]))
        levels = {"payer": "apbd_kabkota" if tree.level(code) == "kabkota" else "apbd_provinsi"}
        cpu, wall = [], []
        for k in range(args.moves):
            text = f"""name: wilayah-{code}
horizon: {horizon}
levers:
  - kind: contribution_subsidy
    region: "{code}"
    headcount: {20_000 + 10_000 * k}
    start: {first}
    months: 12
    ramp_months: 3
    already_covered: 0.1
    retention_after: 0.35
    lapse: 0.03
    unit_cost: 16800
    payer: {levels["payer"]}
"""
            c0, w0 = time.process_time(), time.perf_counter()
            scenario = parse_scenario(text, source="bench", tree=tree)
            result = run_scenario(baseline, scenario, seed=0, regions=regions)
            targets = resolve(regions, panel.targets, scenario, tree=tree, workforce=panel.workforce)
            status = assess(result, targets)
            own = status[status["region_code"] == code]
            deadline = own["deadline"].iloc[0] if len(own) else result.months[-1]
            fan_wide(result, code)
            waterfall_at(result, code, deadline)
            cost_by_payer_year(result)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
        print(
            f"{code} {tree.name(code)} ({len(regions)} regions run): CPU best {min(cpu) * 1e3:.0f} ms, "
            f"median {np.median(cpu) * 1e3:.0f} ms; wall best {min(wall) * 1e3:.0f} ms, median "
            f"{np.median(wall) * 1e3:.0f} ms ({args.moves} moves; goal for the whole rerun 500 ms)"
        )


if __name__ == "__main__":
    main()

"""How often the projection's bands hold the truth, per level of the region tree (issue 17 goals).

Rolling-origin holdout of the whole projection (``simulator.calibrate``: 4 origins 7 months apart,
24 months ahead) on

1. the bundled illustrative history, and
2. histories from a different generator in which regions share national and provincial shocks
   (``tests/shock_histories.py``; several seeds pooled, since the nation is one series per seed),

each beside its peer in the same run: the same forecasts with independent leaf draws (what the
projection did before). Goals: the 80 % band holds 75-85 % and the 95 % band 90-98 % at every level
for 1-12 and 13-24 months; median error of the median within +-2 %; calibrate under 60 s.

    python bench/bench_calibrate.py [--seeds 4] [--paths 400]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def _lines(table) -> list[str]:
    from simulator.cli_calibrate import calibration_lines

    return calibration_lines(table)


#: The goals' horizon bands (months ahead).
GOAL_BANDS = ((1, 12), (13, 24))


def _runs(points, level: str, lo: int, hi: int) -> int:
    """Distinct projection runs (origin, and seed when pooled) scored at ``level`` in months
    ``lo``-``hi``: the nation is one series per run, so its coverage rests on this many draws."""
    sel = points[(points["level"] == level) & points["step"].between(lo, hi)]
    keys = ["origin"] + (["seed"] if "seed" in sel.columns else [])
    return int(len(sel[keys].drop_duplicates()))


def _goal_lines(points, peer_points) -> list[str]:
    """The goal table of the scored ``points`` beside the peer's (independent draws), per level and
    goal band, with 'runs' (projection runs scored in that band) and '+-': the 80 % band's
    binomial standard error were each run one independent draw, sqrt(0,8 x 0,2 / runs). That is
    the nation's case (one series per run); lower levels have more independent points per run,
    so for them it is an upper bound. A handful of runs cannot tell 80 % from 90 % held."""
    from simulator.calibrate import summarize
    from simulator.fmt import percent

    joint, independent = summarize(points, GOAL_BANDS), summarize(peer_points, GOAL_BANDS)

    out = [
        f"{'tingkat':<9} {'bulan':>6} {'pita 80 %':>10} {'(lepas)':>8} {'pita 95 %':>10} {'(lepas)':>8} "
        f"{'galat median':>13} {'runs':>5} {'+-':>6}  goal 80 % 75-85, 95 % 90-98, galat +-2 %"
    ]
    for a, b in zip(joint.itertuples(), independent.itertuples(), strict=True):
        ok = 0.75 <= a.held_80 <= 0.85 and 0.90 <= a.held_95 <= 0.98 and abs(a.median_error) <= 0.02
        lo, hi = (int(x) for x in a.months_ahead.split("-"))
        runs = _runs(points, a.level, lo, hi)
        se = (0.8 * 0.2 / runs) ** 0.5 if runs else float("nan")
        out.append(
            f"{a.level:<9} {a.months_ahead:>6} {percent(a.held_80, 1):>10} {percent(b.held_80, 1):>8} "
            f"{percent(a.held_95, 1):>10} {percent(b.held_95, 1):>8} {percent(a.median_error, 1):>13} "
            f"{runs:>5} {percent(se, 0):>6}  {'met' if ok else 'missed'}"
        )
    return out


def _origin_lines(points) -> list[str]:
    """Per origin: the share of held-out points inside the 80 % band (95 % in brackets) per level,
    months 1-12 and 13-24. The origins are the independent units of a rolling-origin holdout
    (within one origin every region sees the same months, so their misses come together): this is
    the spread a pooled figure rests on."""
    from simulator.calibrate import LEVELS
    from simulator.fmt import percent

    out = [
        f"{'titik awal':<10} "
        + " ".join(f"{f'{lev} {lo}-{hi}':>21}" for lev in LEVELS for lo, hi in GOAL_BANDS)
    ]
    for origin, rows in points.groupby("origin"):
        cells = []
        for lev in LEVELS:
            for lo, hi in GOAL_BANDS:
                sel = rows[(rows["level"] == lev) & rows["step"].between(lo, hi)]
                cells.append(
                    f"{percent(sel['in_80'].mean(), 0)} ({percent(sel['in_95'].mean(), 0)})"
                    if len(sel)
                    else "-"
                )
        out.append(f"{origin:<10} " + " ".join(f"{c:>21}" for c in cells))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=4, help="shared-shock histories to pool")
    parser.add_argument("--paths", type=int, default=400)
    args = parser.parse_args()
    import pandas as pd
    from shock_histories import shock_history

    from simulator.calibrate import calibrate, summarize
    from simulator.loaders import load_data
    from simulator.regions import DATA_DIR, load_regions

    tree = load_regions()
    print(
        f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}, paths {args.paths}; "
        "'(lepas)': the same forecasts with independent leaf draws (the peer)"
    )
    panel = load_data(DATA_DIR)
    w0 = time.perf_counter()
    bundled = calibrate(panel.history, paths=args.paths)
    wall = time.perf_counter() - w0
    peer = calibrate(panel.history, paths=args.paths, joint=False)
    print(
        f"\n== bundled illustrative history: calibrate {wall:.1f} s wall (goal 60 s), origins "
        f"{', '.join(bundled.origins)}"
    )
    for line in _lines(bundled.table):
        print(line)
    for line in _goal_lines(bundled.points, peer.points):
        print(line)
    print("\nper titik awal / per origin: pita 80 % (pita 95 %)")
    for line in _origin_lines(bundled.points):
        print(line)
    # every origin the bundled history supports with at least 3 backtest origins behind it
    widest = calibrate(panel.history, paths=args.paths, origins=6)
    widest_peer = calibrate(panel.history, paths=args.paths, origins=6, joint=False)
    print(f"\n== bundled, 6 origins ({', '.join(widest.origins)}): the most the history supports")
    for line in _goal_lines(widest.points, widest_peer.points):
        print(line)
    for line in _origin_lines(widest.points):
        print(line)

    if args.seeds < 1:
        return
    joint, alone = [], []
    for seed in range(args.seeds):
        history = shock_history(tree, seed=100 + seed)
        joint.append(calibrate(history, paths=args.paths).points.assign(seed=seed))
        alone.append(calibrate(history, paths=args.paths, joint=False).points.assign(seed=seed))
    joint_points, alone_points = pd.concat(joint), pd.concat(alone)
    print(f"\n== shared-shock histories (tests/shock_histories.py, seeds 100-{99 + args.seeds}, pooled)")
    for line in _lines(summarize(joint_points)):
        print(line)
    for line in _goal_lines(joint_points, alone_points):
        print(line)


if __name__ == "__main__":
    main()

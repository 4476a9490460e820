"""Same seed, same numbers, whatever the number of BLAS threads of the machine (issue 24, point 10):
without the one-thread pin, sums split over two threads differ in the last bits and so do the paths."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = """
import hashlib, sys
sys.path.insert(0, {tests!r})
from shock_histories import shock_history
from simulator.regions import load_regions
from simulator.projection import project_active
tree = load_regions()
paths, *_ = project_active(shock_history(tree, seed=3), tree, 12, 50, 1)
print(hashlib.sha256(paths.tobytes()).hexdigest())
"""


def _printed(script: str, **env: str) -> str:
    """What ``script`` prints, run in a fresh Python process with ``env`` added to the environment."""
    out = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return out.stdout.strip()


def _digest(threads: int) -> str:
    n = str(threads)
    return _printed(
        SCRIPT.format(tests=str(ROOT / "tests")), OPENBLAS_NUM_THREADS=n, OMP_NUM_THREADS=n, MKL_NUM_THREADS=n
    )


@pytest.mark.slow  # two projections in subprocesses, ~17 s
def test_projection_does_not_depend_on_the_blas_thread_count():
    one, two = _digest(1), _digest(2)
    assert len(one) == 64 and one == two


POOL_SCRIPT = """
import hashlib, sys
sys.path.insert(0, {tests!r})
from shock_histories import shock_history
from simulator.loaders import load_data
import simulator.parallel as parallel
from simulator.regions import load_regions
from simulator.projection import project_baseline
used = []
make = parallel.process_pool
def counted(*args, **kwargs):
    pool = make(*args, **kwargs)
    used.append(pool is not None)
    return pool
parallel.process_pool = counted
tree = load_regions()
history = shock_history(tree, seed=5)
workforce = load_data({data!r}).workforce
baseline, table = project_baseline(history, workforce, horizon=14, paths=40, tree=tree, cache_dir=None)
digest = hashlib.sha256(baseline.active.tobytes())
digest.update(repr(baseline.meta["calibration"]).encode())
digest.update(table.to_csv().encode())
print(sum(used), digest.hexdigest())
"""


@pytest.mark.slow  # two baselines in subprocesses, ~30 s
@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: no worker processes to compare with")
def test_baseline_is_the_same_on_worker_processes():
    def run(processes: str) -> tuple[int, str]:
        script = POOL_SCRIPT.format(tests=str(ROOT / "tests"), data=str(ROOT / "data"))
        pools, digest = _printed(script, SIMULATOR_PROCESSES=processes).split()
        return int(pools), digest

    (pools_one, one), (pools_two, two) = run("1"), run("2")
    assert pools_one == 0 and pools_two == 2  # the forecasts, then the calibration beside the projection
    assert len(one) == 64 and one == two

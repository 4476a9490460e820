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


def _digest(threads: int) -> str:
    env = {
        **os.environ,
        "OPENBLAS_NUM_THREADS": str(threads),
        "OMP_NUM_THREADS": str(threads),
        "MKL_NUM_THREADS": str(threads),
    }
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(tests=str(ROOT / "tests"))],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return out.stdout.strip()


@pytest.mark.slow  # two projections in subprocesses, ~17 s
def test_projection_does_not_depend_on_the_blas_thread_count():
    one, two = _digest(1), _digest(2)
    assert len(one) == 64 and one == two

"""Large row-by-row array work on several cores at once.

numpy releases the GIL inside its loops, so work on independent rows split into contiguous blocks
runs on the machine's cores together (two here). Results never depend on it: every function
handed to ``in_blocks`` computes each row exactly as a single pass would, and writes only its
own rows. Small work stays on the calling thread (a thread hand-off costs about 0,1 ms), and a
block never splits again (no nested waiting on the pool).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor


def _cores() -> int:
    """Cores this process may run on (its CPU affinity where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


#: Worker threads besides the caller's: one per further core, at most 3.
WORKERS = max(0, min(4, _cores()) - 1)
#: Values (rows x values per row) a block must have at least before work is split.
MIN_BLOCK_VALUES = 1 << 19

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_local = threading.local()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="simulator-block")
        return _pool


def _run_block(work: Callable[[int, int], None], lo: int, hi: int) -> None:
    _local.inside = True
    try:
        work(lo, hi)
    finally:
        _local.inside = False


def in_blocks(n: int, work: Callable[[int, int], None], values_per_row: int) -> None:
    """Call ``work(lo, hi)`` for contiguous blocks covering rows 0..n-1: one block per core when
    each would hold at least ``MIN_BLOCK_VALUES`` values, else one block on this thread. The
    calling thread takes the first block; an exception in any block is raised here after all
    blocks have finished."""
    parts = min(WORKERS + 1, n * max(values_per_row, 1) // MIN_BLOCK_VALUES, n)
    if parts <= 1 or getattr(_local, "inside", False):
        work(0, n)
        return
    bounds = [n * k // parts for k in range(parts + 1)]
    futures = [
        _executor().submit(_run_block, work, lo, hi) for lo, hi in zip(bounds[1:-1], bounds[2:], strict=True)
    ]
    try:
        _run_block(work, bounds[0], bounds[1])
    finally:
        errors = [f.exception() for f in futures]
    for error in errors:
        if error is not None:
            raise error


def process_pool(tasks: int, caller_works: bool = False):
    """A pool of forked worker processes for ``tasks`` independent pieces of Python-heavy work (the
    GIL keeps threads from sharing it), one per core (less the caller's when ``caller_works``:
    it computes something else meanwhile), or None when it would not pay or is not safe: fewer
    than 2 processes at work in all, inside a worker already, or other threads running in this
    process (a fork copies only the calling thread, so a lock another thread holds would stay
    locked in the child: inside the app's server the work then runs on the calling thread as
    before). ``SIMULATOR_PROCESSES=1`` turns it off. The caller shuts the pool down."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    allowed = os.environ.get("SIMULATOR_PROCESSES", "").strip()
    limit = int(allowed) if allowed.isdigit() and int(allowed) > 0 else 4
    workers = min(min(_cores(), limit) - int(caller_works), tasks)
    if (
        workers < 1
        or workers + int(caller_works) < 2
        or multiprocessing.parent_process() is not None
        or threading.active_count() > 1
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return None
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))

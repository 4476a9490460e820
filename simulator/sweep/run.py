"""Running a design: batches on a Dask cluster or here, streamed to disk, resumed after a kill."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import resource
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulator.errors import InputError
from simulator.sweep.design import FORMAT, Design
from simulator.sweep.models import point_seeds


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
        another design is refused. A batch file a killed run left half-written (a ``.points-*.tmp``)
        is removed, so call it with the folder to itself (``sweep`` holds the folder's lock).
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
    for tmp in (folder / "points").glob(".points-*.tmp"):  # a batch a killed run was writing
        tmp.unlink(missing_ok=True)
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

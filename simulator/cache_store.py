"""Disk cache entries checked by checksum: arrays (.npy) and tables (.csv) with a meta.json that
records the sha256 and size of every file.

An entry is written in a temporary folder (every file flushed to disk) and renamed into place, so
it is whole or absent. Reading verifies each file against meta.json before handing out read-only
memory maps; an entry that fails (an edited row of an array, a truncated table, a missing file) is
removed and ``read_entry`` returns None, so the caller computes the value again and writes a good
entry. Within one process a verified file (same inode, size and modification time) is not hashed
again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

FORMAT = "simulator-cache"
FORMAT_VERSION = 1
META = "meta.json"

_VERIFIED: set[tuple[str, int, int, int, str]] = set()  # (path, inode, size, mtime_ns, sha256)


@dataclass(frozen=True, eq=False)
class CacheEntry:
    """A verified entry: ``arrays`` are read-only plain ndarrays mapped from disk; ``meta`` is what
    the writer passed; ``tables`` are read back with the exact float values written."""

    folder: Path
    arrays: dict[str, np.ndarray]
    meta: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in 4 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_entry(
    cache_dir: Path | None,
    name: str,
    arrays: dict[str, np.ndarray],
    meta: dict[str, Any],
    tables: dict[str, pd.DataFrame] | None = None,
) -> Path | None:
    """Write entry ``cache_dir/name``: ``arrays`` as ``<key>.npy``, ``tables`` as ``<key>.csv``, and
    meta.json with ``meta`` (JSON-able) and the sha256 and size of every file.

    Returns the entry's folder, or None when ``cache_dir`` is None or the disk refuses (a cache
    that cannot be written is only logged). An entry of that name written first by another
    process is kept (the same key means the same contents)."""
    if cache_dir is None:
        return None
    cache_dir = Path(cache_dir)
    target = cache_dir / name
    tmp: Path | None = None
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f"{name}.", suffix=".tmp", dir=cache_dir))
        files: dict[str, dict[str, Any]] = {}
        for key, array in arrays.items():
            path = tmp / f"{key}.npy"
            np.save(path, np.ascontiguousarray(array), allow_pickle=False)
            _fsync_file(path)
            files[path.name] = {"sha256": sha256_of(path), "bytes": path.stat().st_size}
        for key, table in (tables or {}).items():
            path = tmp / f"{key}.csv"
            table.to_csv(path, index=False)
            _fsync_file(path)
            files[path.name] = {"sha256": sha256_of(path), "bytes": path.stat().st_size}
        body = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "meta": meta,
            "files": files,
            "arrays": list(arrays),
            "tables": list(tables or {}),
        }
        (tmp / META).write_text(json.dumps(body), encoding="utf-8")
        _fsync_file(tmp / META)
        _fsync_dir(tmp)
        try:
            os.rename(tmp, target)
        except OSError:  # another process wrote the same key first: keep theirs
            return target if target.is_dir() else None
        tmp = None
        _fsync_dir(cache_dir)
        return target
    except (OSError, TypeError, ValueError) as err:
        log.warning("could not write the cache entry %s: %s", target, err)
        return None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def remove_entry(folder: Path) -> None:
    """Remove an entry in one rename (readers never see half of it), then delete it."""
    folder = Path(folder)
    if not folder.exists():
        return
    trash = folder.with_name(f"{folder.name}.broken-{os.getpid()}")
    try:
        os.rename(folder, trash)
    except OSError:
        trash = folder
    shutil.rmtree(trash, ignore_errors=True)


def _verified(path: Path, expected: dict[str, Any]) -> bool:
    stat = path.stat()
    if stat.st_size != expected.get("bytes"):
        return False
    key = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns, str(expected.get("sha256")))
    if key in _VERIFIED:
        return True
    if sha256_of(path) != expected.get("sha256"):
        return False
    _VERIFIED.add(key)
    return True


def read_entry(
    cache_dir: Path | None, name: str, dtypes: dict[str, dict[str, Any]] | None = None
) -> CacheEntry | None:
    """The verified entry ``cache_dir/name``, or None when absent or broken (a broken one is
    removed and a warning logged, so the caller recomputes and writes it again).

    ``dtypes`` maps a table's key to ``pandas.read_csv`` dtypes (e.g. ``{"backtest":
    {"unique_id": str}}``); floats read back bit for bit (``float_precision="round_trip"``)."""
    if cache_dir is None:
        return None
    folder = Path(cache_dir) / name
    if not (folder / META).is_file():
        return None
    try:
        body = json.loads((folder / META).read_text(encoding="utf-8"))
        if body.get("format") != FORMAT or body.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"format {body.get('format')!r} {body.get('format_version')!r}")
        files = body["files"]
        expected = {f"{k}.npy" for k in body["arrays"]} | {f"{k}.csv" for k in body["tables"]}
        if set(files) != expected:
            raise ValueError("meta.json lists other files than the entry's arrays and tables")
        for file_name, facts in files.items():
            if not _verified(folder / file_name, facts):
                raise ValueError(f"{file_name} differs from its checksum in meta.json")
        arrays = {
            k: np.asarray(np.load(folder / f"{k}.npy", mmap_mode="r", allow_pickle=False))
            for k in body["arrays"]
        }
        tables = {
            k: pd.read_csv(folder / f"{k}.csv", dtype=(dtypes or {}).get(k), float_precision="round_trip")
            for k in body["tables"]
        }
        return CacheEntry(folder=folder, arrays=arrays, meta=body["meta"], tables=tables)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, pd.errors.ParserError) as err:
        log.warning("removing broken cache entry %s (it will be computed again): %s", folder, err)
        remove_entry(folder)
        return None

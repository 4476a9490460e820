"""Disk cache entries checked by checksum: arrays (.npy) and tables (.csv) with a meta.json that
records the sha256 and size of every file.

An entry is written in a temporary folder (every file flushed to disk) and renamed into place, so
it is whole or absent. Reading verifies each file against meta.json before handing out read-only
memory maps; an entry that fails (an edited row of an array, a truncated table, a missing file) is
removed and ``read_entry`` returns None, so the caller computes the value again and writes a good
entry.

A verified file is not hashed again while it keeps its identity (inode, size and modification
time in nanoseconds), within one process and, through a small stamp beside the files
(``verified.json``, itself checksummed; a broken or missing stamp means hashing again), across
processes: any write to a file (an edited row, a truncation, a copy over it) changes its
modification time, so it is hashed again and caught. A file modified less than ``RACY_NS`` before
it was hashed is never trusted this way (a write within the file system's clock tick would keep
its time; git's "racy clean" rule). Hashing the baseline's 290 MB took about 0,5 s of every server
start; the stamp does not catch a change that also restores the file's time on purpose.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

FORMAT = "simulator-cache"
FORMAT_VERSION = 1
META = "meta.json"
STAMP = "verified.json"
#: A file modified less than this before it was hashed is hashed again next time [ns].
RACY_NS = 2_000_000_000

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


class _HashingWriter:
    """A binary file's ``write`` that also feeds sha256 and counts the bytes (numpy writes an
    array's header and its data through ``write`` when given an object that is not a file)."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        self.digest.update(view)
        self.size += view.nbytes
        return self.handle.write(view)


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
            with open(path, "wb") as handle:  # hashed as written: the baseline's 290 MB read once less
                writer = _HashingWriter(handle)
                np.save(writer, np.ascontiguousarray(array), allow_pickle=False)
                handle.flush()
                os.fsync(handle.fileno())
            if writer.size != path.stat().st_size:
                raise OSError(f"{path.name}: {path.stat().st_size} bytes on disk, {writer.size} written")
            files[path.name] = {"sha256": writer.digest.hexdigest(), "bytes": writer.size}
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


def _verified(path: Path, expected: dict[str, Any], stamp: dict[str, list], fresh: dict[str, list]) -> bool:
    """Whether ``path`` has the size and sha256 ``expected``: hashed unless this process or the
    entry's ``stamp`` verified it with its present identity; a file hashed now whose time is not
    racy goes into ``fresh`` (for the stamp)."""
    stat = path.stat()
    if stat.st_size != expected.get("bytes"):
        return False
    identity = [stat.st_ino, stat.st_size, stat.st_mtime_ns, str(expected.get("sha256"))]
    key = (str(path), *identity)
    if key in _VERIFIED:
        return True
    if stamp.get(path.name) == identity:
        _VERIFIED.add(key)  # type: ignore[arg-type]
        return True
    if sha256_of(path) != expected.get("sha256"):
        return False
    if time.time_ns() - stat.st_mtime_ns > RACY_NS:
        _VERIFIED.add(key)  # type: ignore[arg-type]
        fresh[path.name] = identity
    return True


def _stamp_check(files: dict) -> str:
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode("utf-8")).hexdigest()


def _read_stamp(folder: Path) -> dict[str, list]:
    """The entry's stamp (file name -> [inode, size, mtime_ns, sha256]); empty when absent or
    not whole (its own checksum differs)."""
    try:
        body = json.loads((folder / STAMP).read_text(encoding="utf-8"))
        files = body["files"]
        return files if isinstance(files, dict) and body.get("check") == _stamp_check(files) else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _write_stamp(folder: Path, files: dict[str, list]) -> None:
    """Write the stamp in one rename (a reader sees the old one or the new one); a cache that
    cannot be written is only slower next time."""
    tmp = folder / f".{STAMP}.{os.getpid()}.tmp"
    try:
        tmp.write_text(json.dumps({"files": files, "check": _stamp_check(files)}), encoding="utf-8")
        os.replace(tmp, folder / STAMP)
    except OSError as err:
        log.info("could not write the cache stamp in %s: %s", folder, err)
        tmp.unlink(missing_ok=True)


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
        stamp = _read_stamp(folder)
        fresh: dict[str, list] = {}  # files hashed now: name -> [inode, size, mtime_ns, sha256]
        for file_name, facts in files.items():
            if not _verified(folder / file_name, facts, stamp, fresh):
                raise ValueError(f"{file_name} differs from its checksum in meta.json")
        if fresh:
            _write_stamp(folder, {**{k: v for k, v in stamp.items() if k in files}, **fresh})
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

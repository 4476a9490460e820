"""The validated data of a folder, kept on disk so a new process does not read and check the CSV
files again (``load_data`` of the bundled data takes about 0,9 s; reading the kept entry about
0,05 s).

A seam around ``simulator.loaders.load_data``, which stays the one loader: the entry is written
from its Panel and is used only when the same files (names and sha256 of their bytes) are read by
the same loader code (sha256 of ``simulator/loaders/*.py`` and the modules and region list its
checks use, pandas' and numpy's versions): any change to either reads the files again. The entry
is a ``cache_store`` entry, every file checked against its sha256 before use and removed when
broken (then the files are read again and a good entry written). Nothing is pickled: columns are
plain ``.npy`` arrays (strings as fixed-width unicode, read back as Python ``str``), columns holding
anything but strings (e.g. numbers and empty cells) in ``meta.json``.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from simulator import cache_store
from simulator.loaders import Panel, load_data
from simulator.projection import CACHE_DIR

FORMAT_VERSION = 1
_SIMULATOR = Path(__file__).resolve().parent
#: What load_data's answer depends on besides the data files: its own code and its checks' inputs.
_CODE = (
    *sorted((_SIMULATOR / "loaders").glob("*.py")),
    _SIMULATOR / "errors.py",
    _SIMULATOR / "fmt.py",
    _SIMULATOR / "regions.py",
    _SIMULATOR / "vocabulary.py",
    _SIMULATOR / "data_cache.py",
)
_FRAMES = ("history", "workforce", "targets")


def load_data_cached(path: str | Path, cache_dir: Path | None = CACHE_DIR) -> Panel:
    """``load_data(path)``, from the disk cache when the same files were loaded by the same code
    before (the same Panel: the same frames, columns, dtypes and values, sources, hash, kinds and
    warnings); a single file, an invalid folder or ``cache_dir=None`` go straight to ``load_data``
    (its errors unchanged)."""
    path = Path(path)
    if cache_dir is None or not path.is_dir():
        return load_data(path)
    try:
        key = _key(path)
    except OSError:
        return load_data(path)
    if key is None:
        return load_data(path)
    name = f"data-{key}"
    entry = cache_store.read_entry(cache_dir, name)
    if entry is not None:
        try:
            return _panel_of(entry)
        except (KeyError, TypeError, ValueError):  # an entry of another layout: write it again
            cache_store.remove_entry(entry.folder)
    panel = load_data(path)
    arrays, meta = _parts_of(panel)
    cache_store.write_entry(cache_dir, name, arrays, meta)
    return panel


def _key(folder: Path) -> str | None:
    """sha256 of the folder's data files (names and bytes, as load_data picks them), the region
    list, the loader's code and the library versions; None when the folder has no data files."""
    from simulator.errors import InputError
    from simulator.loaders.files import _folder_files  # the loader's own choice of files
    from simulator.regions import DATA_DIR

    try:
        files = [f for f, _ in _folder_files(folder)]
    except InputError:
        return None
    digest = hashlib.sha256(f"v{FORMAT_VERSION} pandas {pd.__version__} numpy {np.__version__}\n".encode())
    for file in (*files, DATA_DIR / "regions.csv", *_CODE):
        digest.update(f"{file.name} {cache_store.sha256_of(file)}\n".encode())
    return digest.hexdigest()[:24]


def _parts_of(panel: Panel) -> tuple[dict[str, np.ndarray], dict]:
    """The Panel as arrays and JSON-able meta (see the module notes)."""
    arrays: dict[str, np.ndarray] = {}
    frames: dict[str, list | None] = {}
    for kind in _FRAMES:
        frame = getattr(panel, kind)
        if frame is None:
            frames[kind] = None
            continue
        columns = []
        for i, column in enumerate(frame.columns):
            values = frame[column]
            key = f"{kind}_{i}"
            if values.dtype == object:
                cells = values.tolist()
                if all(
                    isinstance(v, str) and not v.endswith("\x00") for v in cells
                ):  # as its distinct texts and positions
                    texts, codes = np.unique(np.array(cells, dtype=str), return_inverse=True)
                    arrays[f"{key}_texts"], arrays[f"{key}_codes"] = texts, codes.astype(np.int64)
                    columns.append({"name": column, "kind": "str"})
                else:  # mixed cells (numbers, empty) kept as written
                    columns.append({"name": column, "kind": "cells", "cells": [_cell(v) for v in cells]})
            else:
                arrays[key] = values.to_numpy()
                columns.append({"name": column, "kind": "array", "dtype": str(values.dtype)})
        frames[kind] = columns
    meta = {
        "frames": frames,
        "sources": list(panel.sources),
        "data_hash": panel.data_hash,
        "kinds": list(panel.kinds),
        "warnings": list(panel.warnings),
    }
    json.dumps(meta)  # only JSON values (a TypeError here means a column this module cannot keep)
    return arrays, meta


def _cell(value):
    if value is None:
        return {"none": True}
    if isinstance(value, float) and math.isnan(value):
        return {"nan": True}
    if isinstance(value, (str, bool, int, float)):
        return {type(value).__name__: value}
    raise TypeError(f"a cell of type {type(value).__name__} cannot be kept")


def _uncell(cell: dict):
    (kind, value), *_ = cell.items()
    if kind == "none":
        return None
    return float("nan") if kind == "nan" else value


def _panel_of(entry: cache_store.CacheEntry) -> Panel:
    meta = entry.meta
    frames: dict[str, pd.DataFrame | None] = {}
    for kind in _FRAMES:
        columns = meta["frames"][kind]
        if columns is None:
            frames[kind] = None
            continue
        data = {}
        for i, column in enumerate(columns):
            if column["kind"] == "cells":
                data[column["name"]] = pd.Series([_uncell(c) for c in column["cells"]], dtype=object)
            elif column["kind"] == "str":
                texts = np.array(entry.arrays[f"{kind}_{i}_texts"].tolist(), dtype=object)
                data[column["name"]] = pd.Series(texts[entry.arrays[f"{kind}_{i}_codes"]], dtype=object)
            else:
                array = np.array(entry.arrays[f"{kind}_{i}"])  # a writable copy of the mapped file
                if str(array.dtype) != column["dtype"]:
                    raise ValueError(f"{kind}: column {column['name']!r} changed dtype")
                data[column["name"]] = pd.Series(array)
        frames[kind] = pd.DataFrame(data, columns=[c["name"] for c in columns])
    return Panel(
        history=frames["history"],
        workforce=frames["workforce"],
        targets=frames["targets"],
        sources=tuple(meta["sources"]),
        data_hash=str(meta["data_hash"]),
        kinds=tuple(meta["kinds"]),
        warnings=tuple(meta["warnings"]),
    )

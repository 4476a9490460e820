"""Saved scenario results: a folder with the exact arrays, readable tables and provenance.

``save_result`` writes a folder that people can read (CSV tables, the scenario YAML, a
provenance JSON) and that ``load_result`` reads back into a Result with identical numbers. The
numbers live in ``result.npz`` (plain arrays, no pickle); the CSV files are for reading only.

Folder layout
-------------
======================== ===================================================================
``provenance.json``      data hash, scenario text, seed, paths, package version, date, file hashes
``scenario.yaml``        the scenario text the result was run with
``result.npz``           active, employed [persons] (regions x paths x months, float32),
                         regions, months, cost and waterfall columns; read with allow_pickle=False
``status.csv``           targets assessed on the result (when targets are known)
``targets.csv``          the targets used for ``status.csv``
``cost.csv``             expected cost per lever, payer and year [IDR]
``cost_by_payer.csv``    expected cost per payer and year [IDR]
``coverage_quantiles.csv`` coverage quantiles per month [fraction] for the assessed regions
``backtest.csv``         the baseline's backtest table (when given)
``README.txt``           what the files are; opens with "ILLUSTRATIVE DATA" for illustrative data
======================== ===================================================================

Writing safely (atomic files, folder switches, locks, CSV text) lives in ``simulator.safe_files``;
its names are re-exported here for callers that import them from this module.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator import __version__
from simulator.cache_store import sha256_of
from simulator.engine import Result, stored_paths, stored_steps
from simulator.errors import InputError
from simulator.regions import RegionTree
from simulator.safe_files import (  # noqa: F401 - re-exported: callers import these from here
    _HELD,
    _lock_path,
    atomic_write,
    claim_folder,
    clean_stale,
    csv_text,
    neutralise,
    release_folder,
    replace_folder,
    switch_folder,
    write_csv,
)

log = logging.getLogger(__name__)


FORMAT = "simulator-result"


FORMAT_VERSION = 1


ARRAYS = "result.npz"


PROVENANCE = "provenance.json"


SCENARIO = "scenario.yaml"


#: Files whose sha256 is recorded in the provenance and checked on loading.
CHECKED = (ARRAYS, SCENARIO)


PROVENANCE_KEYS = (
    "format",
    "format_version",
    "package_version",
    "created",
    "data_hash",
    "seed",
    "paths",
    "scenario_name",
    "scenario_text",
    "illustrative",
    "meta",
    "files",
)


_NPZ_KEYS = (
    "active",
    "employed",
    "regions",
    "months",
    "cost_lever",
    "cost_payer",
    "cost_year",
    "cost_idr",
    "wf_region",
    "wf_month",
    "wf_lever",
    "wf_persons",
)


ILLUSTRATIVE_NOTE = (
    "ILLUSTRATIVE DATA: the participation history behind these results is synthetic, calibrated to "
    "public anchors. Do not quote these numbers as official figures."
)


@dataclass(frozen=True, eq=False)
class SavedResult:
    """Everything in a saved folder.

    Attributes
    ----------
    result : Result
        Identical numbers to the result that was saved.
    provenance : dict
        The contents of ``provenance.json``.
    targets : DataFrame or None
        ``region_code, year, coverage`` [fraction] used for the status table.
    status : DataFrame
        ``simulator.targets.assess(result, targets)`` (recomputed; empty without targets).
    backtest : DataFrame or None
        The baseline's backtest table when it was saved.
    folder : Path
    """

    result: Result
    provenance: dict
    targets: pd.DataFrame | None
    status: pd.DataFrame
    backtest: pd.DataFrame | None = None
    folder: Path = field(default=Path("."))


def is_illustrative(meta: dict) -> bool:
    """True when a result's meta says its baseline is built on illustrative or fake data."""
    base = meta.get("baseline", meta) if isinstance(meta, dict) else {}
    if base.get("illustrative") is True or meta.get("illustrative") is True:
        return True
    if base.get("source") == "fake_baseline":
        return True
    sources = " ".join(str(s) for s in base.get("sources", ()) or ())
    return "illustrative" in sources.lower()


def provenance_of(
    result: Result,
    scenario_text: str | None = None,
    illustrative: bool | None = None,
    extra: dict | None = None,
    created: str | None = None,
) -> dict:
    """Provenance record of a result (the body of ``provenance.json`` without file hashes).

    Parameters
    ----------
    result : Result
    scenario_text : str, optional
        The scenario YAML as run; ``dump_scenario(result.scenario)`` by default.
    illustrative : bool, optional
        Whether the data behind the baseline are illustrative; guessed from the meta by default.
    extra : dict, optional
        More JSON-able facts (e.g. the data files read and their hash).
    created : str, optional
        ISO 8601 timestamp; now (UTC) by default.
    """
    from simulator.scenario import dump_scenario

    text = scenario_text if scenario_text is not None else dump_scenario(result.scenario)
    base = result.meta.get("baseline", {}) if isinstance(result.meta, dict) else {}
    out = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "package_version": __version__,
        "created": created or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data_hash": base.get("data_hash") or (extra or {}).get("data_hash"),
        "seed": int(result.seed),
        "paths": int(result.paths),
        "scenario_name": result.scenario.name,
        "scenario_text": text,
        "illustrative": bool(is_illustrative(result.meta) if illustrative is None else illustrative),
        "regions": len(result.regions),
        "months": [str(result.months[0]), str(result.months[-1])] if len(result.months) else [],
        "meta": _jsonable(result.meta),
    }
    if extra:
        out["extra"] = _jsonable(extra)
    return out


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def save_tables(folder: str | Path, tables: dict[str, pd.DataFrame], illustrative: bool) -> Path:
    """Write ``tables`` (file name -> frame, as ``write_csv`` writes them) into ``folder`` together:
    after a kill or a full disk the folder holds all the previous files or all the new ones, never
    a new table beside an old one (``project --output``: baseline.csv and backtest.csv)."""

    def fill(work: Path) -> None:
        for name, frame in tables.items():
            write_csv(frame, work / name, illustrative)

    return replace_folder(folder, fill)


def _arrays(result: Result) -> dict[str, np.ndarray]:
    cost, wf = result.cost, result.contributions
    return {
        "active": np.ascontiguousarray(result.active),
        "employed": np.ascontiguousarray(result.employed),
        "regions": np.asarray(result.regions, dtype=str),
        "months": np.asarray(result.months.astype(str), dtype=str),
        "cost_lever": np.asarray(cost["lever"], dtype=str),
        "cost_payer": np.asarray(cost["payer"], dtype=str),
        "cost_year": np.asarray(cost["year"], dtype=np.int64),
        "cost_idr": np.asarray(cost["cost_idr"], dtype=np.float64),
        "wf_region": np.asarray(wf["region_code"], dtype=str),
        "wf_month": np.asarray(pd.PeriodIndex(wf["month"], freq="M").astype(str), dtype=str),
        "wf_lever": np.asarray(wf["lever"], dtype=str),
        "wf_persons": np.asarray(wf["persons"], dtype=np.float64),
    }


def _tables(result: Result, targets: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    from simulator.targets import assess
    from simulator.views import cost_by_payer_year, fan

    tables = {"cost.csv": result.cost, "cost_by_payer.csv": cost_by_payer_year(result)}
    if targets is not None:
        status = assess(result, targets)
        tables["status.csv"] = status
        tables["targets.csv"] = targets
        codes = [c for c in result.regions if c in set(status["region_code"])]
    else:
        codes = [c for c in ("00",) if c in result.regions]
    frames = [fan(result, c).assign(region_code=c) for c in codes]
    columns = ["region_code", "month", "quantile", "coverage"]
    quantiles = pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
    tables["coverage_quantiles.csv"] = quantiles
    return tables


def _readme(provenance: dict, files: list[str]) -> str:
    lines = [ILLUSTRATIVE_NOTE, ""] if provenance["illustrative"] else []
    lines += [
        f"Saved scenario result: {provenance['scenario_name']}",
        f"created: {provenance['created']}   package version: {provenance['package_version']}",
        f"data hash: {provenance['data_hash']}   seed: {provenance['seed']}   paths: {provenance['paths']}",
        "",
        "result.npz holds the exact numbers (numpy arrays, no pickle); python -m simulator report reads "
        "the folder back. The CSV files are for reading; editing them changes nothing.",
        "files: " + ", ".join(sorted(files)),
    ]
    return "\n".join(lines) + "\n"


def save_result(
    result: Result,
    folder: str | Path,
    scenario_text: str | None = None,
    targets: pd.DataFrame | None = None,
    *,
    backtest: pd.DataFrame | None = None,
    illustrative: bool | None = None,
    extra: dict | None = None,
) -> Path:
    """Save a result with its provenance into ``folder`` (created when missing).

    The new folder is built beside ``folder`` (``.NAME.saving-*``), every file flushed to disk,
    and switched in with one rename (``switch_folder``), under the folder's lock
    (``claim_folder``): a kill or a full disk at any step leaves the previous result whole.

    Parameters
    ----------
    result : Result
        From ``run_scenario``.
    folder : str or Path
        Output folder; files of an earlier save are replaced, other files are carried over.
    scenario_text : str, optional
        The scenario YAML as run (keeps comments and references); ``dump_scenario`` otherwise.
        It must parse into the result's scenario.
    targets : DataFrame, optional
        ``region_code, year, coverage`` [fraction] to assess; the scenario's own targets when
        None and it has some.
    backtest : DataFrame, optional
        The baseline's backtest table, saved as ``backtest.csv`` for the workbook.
    illustrative : bool, optional
        Whether the data are illustrative (adds the "ILLUSTRATIVE DATA" note); guessed from
        the result's meta when None.
    extra : dict, optional
        More provenance (JSON-able), e.g. the data files read.

    Returns
    -------
    Path
        The folder.
    """
    from simulator.scenario import parse_scenario

    folder = Path(folder)
    provenance = provenance_of(result, scenario_text, illustrative, extra)
    if parse_scenario(provenance["scenario_text"], source="scenario_text") != result.scenario:
        raise InputError("scenario_text: does not describe the result's scenario")
    if targets is None:
        targets = result.scenario.targets_frame()
    if targets is not None:
        targets = pd.DataFrame(targets).copy()
        targets["region_code"] = targets["region_code"].astype(str)
    tables = _tables(result, targets)
    if backtest is not None:
        tables["backtest.csv"] = backtest

    def fill(work: Path) -> None:
        with open(work / ARRAYS, "wb") as fh:
            np.savez(fh, **_arrays(result))  # type: ignore[arg-type]  # numpy stubs: positional bool
            fh.flush()
            os.fsync(fh.fileno())
        atomic_write(work / SCENARIO, provenance["scenario_text"])
        for name, frame in tables.items():
            write_csv(frame, work / name, provenance["illustrative"])
        provenance["files"] = {name: sha256_of(work / name) for name in CHECKED}
        atomic_write(work / PROVENANCE, json.dumps(provenance, indent=2, ensure_ascii=False) + "\n")
        names = sorted(p.name for p in work.iterdir())
        atomic_write(work / "README.txt", _readme(provenance, [*names, "README.txt"]))

    folder = replace_folder(folder, fill)
    log.info("saved result %s to %s", result.scenario.name, folder)
    return folder


def load_provenance(folder: str | Path) -> dict:  # noqa: C901 -- outlier listed in #23 (complexity 12): split, then drop this
    """The checked contents of ``provenance.json`` in ``folder``."""
    path = Path(folder) / PROVENANCE
    if not Path(folder).is_dir():
        raise InputError(f"{folder}: no such folder; expected a saved result (run ... --output {folder})")
    if not path.is_file():
        raise InputError(f"{path}: file not found; {folder} is not a saved result")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: expected UTF-8 JSON text") from None
    except json.JSONDecodeError as err:
        where = f"line {err.lineno}, column {err.colno}"
        raise InputError(f"{path}: not valid JSON ({where}: {err.msg})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object")
    for key in PROVENANCE_KEYS:
        if key not in data:
            raise InputError(f"{path}: key {key!r} missing")
    if data["format"] != FORMAT:
        raise InputError(f"{path}: key 'format': expected {FORMAT!r}, got {data['format']!r}")
    version = data["format_version"]
    if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise InputError(f"{path}: key 'format_version': expected 1..{FORMAT_VERSION}, got {version!r}")
    if not isinstance(data["seed"], int) or not isinstance(data["meta"], dict):
        raise InputError(f"{path}: key 'seed' or 'meta' has the wrong type")
    if not isinstance(data["files"], dict):
        raise InputError(f"{path}: key 'files': expected a mapping of file name to sha256")
    return data


def _checked_file(folder: Path, name: str, provenance: dict) -> Path:
    path = folder / name
    if not path.is_file():
        raise InputError(f"{path}: file not found; the saved result is incomplete")
    expected = provenance["files"].get(name)
    if expected is None:
        raise InputError(f"{folder / PROVENANCE}: key 'files' has no hash for {name!r}")
    if sha256_of(path) != expected:
        raise InputError(f"{path}: contents differ from the hash in {PROVENANCE} (file corrupt or edited)")
    return path


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as z:
            missing = [k for k in _NPZ_KEYS if k not in z.files]
            if missing:
                raise InputError(f"{path}: key {missing[0]!r} missing")
            return {k: z[k] for k in _NPZ_KEYS}
    except InputError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise InputError(f"{path}: cannot read the arrays ({' '.join(str(err).split())})") from None


def _result_from(arrays: dict[str, np.ndarray], scenario, provenance: dict, path: Path) -> Result:
    regions = tuple(str(c) for c in arrays["regions"].tolist())
    try:
        months = pd.PeriodIndex([str(m) for m in arrays["months"].tolist()], freq="M")
        wf_month = pd.PeriodIndex([str(m) for m in arrays["wf_month"].tolist()], freq="M")
    except ValueError as err:
        raise InputError(f"{path}: key 'months': {err}") from None
    active, employed = arrays["active"], arrays["employed"]
    shape = (len(regions), int(provenance["paths"]), len(months))
    for key, array in (("active", active), ("employed", employed)):
        if array.shape != shape or array.dtype != np.float32:
            raise InputError(
                f"{path}: key {key!r}: expected float32 of shape {shape}, got {array.dtype} {array.shape}"
            )
    cost = pd.DataFrame(
        {
            "lever": pd.Series(arrays["cost_lever"].tolist(), dtype=object),
            "payer": pd.Series(arrays["cost_payer"].tolist(), dtype=object),
            "year": arrays["cost_year"].astype(np.int64),
            "cost_idr": arrays["cost_idr"].astype(np.float64),
        }
    )
    labels = tuple(dict.fromkeys(str(v) for v in arrays["wf_lever"].tolist()))
    n_steps = len(labels)
    expected_region = np.tile(np.repeat(np.asarray(regions, dtype=str), len(months)), n_steps)
    expected_month = np.tile(months.asi8, len(regions) * n_steps)
    expected_lever = np.repeat(np.asarray(labels, dtype=str), len(regions) * len(months))
    persons = arrays["wf_persons"]
    if not (
        len(persons)
        == len(expected_region)
        == len(arrays["wf_region"])
        == len(wf_month)
        == len(arrays["wf_lever"])
        and np.array_equal(arrays["wf_region"].astype(str), expected_region)
        and np.array_equal(wf_month.asi8, expected_month)
        and np.array_equal(arrays["wf_lever"].astype(str), expected_lever)
    ):
        raise InputError(
            f"{path}: keys 'wf_*': expected the waterfall of every region and month, "
            "lever by lever, in the order the result was saved"
        )
    steps = persons.astype(np.float64).reshape(n_steps, len(regions), len(months))
    return Result(
        scenario=scenario,
        regions=regions,
        months=months,
        paths=int(active.shape[1]),
        paths_at=stored_paths(active, employed),
        cost=cost,
        labels=labels,
        steps_at=stored_steps(steps),
        seed=int(provenance["seed"]),
        meta=provenance["meta"],
    )


def load_result(folder: str | Path, tree: RegionTree | None = None) -> Result:
    """Load a folder written by ``save_result``: the same arrays, tables, months and scenario.

    The scenario is parsed again from ``scenario.yaml``. Raises InputError naming the file and
    key when the folder is incomplete, corrupt or edited.
    """
    return load_saved(folder, tree=tree).result


def _read_csv(path: Path, **kwargs) -> pd.DataFrame:
    """A saved table, after its leading "# ..." note lines (the illustrative-data note)."""
    try:
        with open(path, encoding="utf-8") as fh:
            notes = 0
            for line in fh:
                if not line.startswith("#"):
                    break
                notes += 1
        return pd.read_csv(path, skiprows=notes, **kwargs)
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise InputError(f"{path}: cannot read the table ({' '.join(str(err).split())})") from None


def load_saved(folder: str | Path, tree: RegionTree | None = None) -> SavedResult:
    """Load a saved folder with its provenance, targets, status (reassessed) and backtest table."""
    from simulator.scenario import parse_scenario
    from simulator.targets import assess

    folder = Path(folder)
    provenance = load_provenance(folder)
    arrays_path = _checked_file(folder, ARRAYS, provenance)
    scenario_path = _checked_file(folder, SCENARIO, provenance)
    text = scenario_path.read_text(encoding="utf-8")
    scenario = parse_scenario(text, source=str(scenario_path), tree=tree)
    result = _result_from(_read_arrays(arrays_path), scenario, provenance, arrays_path)
    targets = None
    if (folder / "targets.csv").is_file():
        targets = _read_csv(folder / "targets.csv", dtype={"region_code": str}, float_precision="round_trip")
        missing = [c for c in ("region_code", "year", "coverage") if c not in targets.columns]
        if missing:
            raise InputError(f"{folder / 'targets.csv'}: column {missing[0]!r} missing")
    status = assess(result, targets) if targets is not None else assess(result, _no_targets())
    backtest = None
    if (folder / "backtest.csv").is_file():
        backtest = _read_csv(folder / "backtest.csv", dtype={"unique_id": str}, float_precision="round_trip")
    return SavedResult(
        result=result, provenance=provenance, targets=targets, status=status, backtest=backtest, folder=folder
    )


def _no_targets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region_code": pd.Series(dtype=str),
            "year": pd.Series(dtype=np.int64),
            "coverage": pd.Series(dtype=float),
        }
    )

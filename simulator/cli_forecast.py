"""Command line: forecast and backtest sub-commands (registered into simulator.cli on import).

Input is one CSV file in either of two formats, told apart by its header:

* the generic long format ``unique_id, ds, y`` (comma, semicolon or tab separated; ``y`` plain
  numbers with a decimal point; ``ds`` ISO dates "2024-08" or "2024-08-31"; a blank ``y`` is a
  missing value, which the forecaster fills and notes);
* the participation history ``region_code, segment, ds, active`` (data/history_illustrative.csv;
  .csv or .xlsx), read and validated by :func:`simulator.loaders.load_table`. It becomes
  ``unique_id, ds, y`` with ``y = active`` and, by ``--by``: ``region`` (default) one series per
  region code, summing its segments; ``segment`` one series per region and segment, with
  ``unique_id = "<region_code>/<segment>"`` (e.g. "61.01/BPU").

Every user error is an InputError: one line naming the file, row (header row 1, first data row 2)
and column, and ``simulator.cli.main`` exits with code 2.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
from pathlib import Path

from simulator.cli import EXTRA_PARSERS, _out, command, output_file, print_note
from simulator.errors import InputError

LONG_COLUMNS = ("unique_id", "ds", "y")
HISTORY_COLUMNS = ("region_code", "segment", "ds", "active")
DEFAULT_LEVELS = (80.0, 95.0)
#: Longest horizon accepted [periods] (100 years of months).
MAX_HORIZON = 1200
#: Largest sample-path array written [float32 values] (2 GiB).
MAX_PATH_VALUES = 2**29
_EXPECTED = "expected unique_id, ds, y (or the participation history region_code, segment, ds, active)"


# ---- argument values ---------------------------------------------------------------------------
def _whole(text: str, name: str, low: int, high: int | None = None) -> int:
    try:
        value = float(str(text).strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value != int(value) or value < low or (high is not None and value > high):
        upto = f" and <= {high}" if high is not None else ""
        raise InputError(f"{name}: expected a whole number >= {low}{upto}, got {text!r}")
    return int(value)


def _levels(texts: list[str] | None) -> tuple[float, ...]:
    if not texts:
        return DEFAULT_LEVELS
    out: list[float] = []
    for text in texts:
        try:
            value = float(str(text).strip().rstrip("%"))
        except ValueError:
            value = math.nan
        if not 0 < value < 100:
            raise InputError(f"--level: expected a percentage between 0 and 100 (exclusive), got {text!r}")
        if value not in out:
            out.append(value)
    return tuple(out)


def _models(text: str | None) -> list[str] | None:
    if not text:
        return None
    from simulator.models import MODELS

    names = [t.strip() for t in text.split(",") if t.strip()]
    for name in names:
        if name not in MODELS:
            raise InputError(f"--models: unknown model {name!r}: expected names from {', '.join(MODELS)}")
    return names


# ---- input -------------------------------------------------------------------------------------
def _sniff(line: str) -> str:
    counts = {sep: line.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: counts[sep]) if max(counts.values()) else ","


def _header_of(path: Path) -> tuple[list[str], int]:
    """Lower-cased header cells of a .csv or .xlsx file and its row number ([] when there is none)."""
    if path.suffix.lower() == ".xlsx":
        import pandas as pd

        try:
            head = pd.read_excel(path, nrows=0)
        except Exception as err:  # openpyxl raises many kinds for broken files
            raise InputError(f"{path.name}: cannot read the workbook ({type(err).__name__}: {err})") from None
        return [str(c).strip().lower() for c in head.columns], 1
    for number, line in enumerate(_text(path).splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            return [c.strip().lower() for c in next(csv.reader([line], delimiter=_sniff(line)))], number
    return [], 0


def _text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _check_path(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if path.is_dir():
        raise InputError(f"{path}: is a folder: expected a .csv file")


def read_series(path: str | Path, by: str = "region"):
    """The input file as a long frame ``unique_id, ds, y``, a description of the mapping, and
    whether the numbers are illustrative (the file's name says so, as the bundled history's does,
    or its leading "#" lines carry this project's illustrative-data note).

    Raises InputError naming the file, row and column for anything that cannot be read.
    """
    path = Path(path)
    _check_path(path)
    header, header_row = _header_of(path)
    if not header:
        raise InputError(f"{path.name}: the file is empty: {_EXPECTED}")
    from simulator.loaders import SCHEMAS, is_illustrative_name

    if "unique_id" in header or "y" in header:
        missing = [c for c in LONG_COLUMNS if c not in header]
        if missing:
            raise InputError(
                f"{path.name}: row {header_row}: missing column {missing[0]!r}: expected unique_id, ds, y"
            )
        frame, noted = _read_long(path)
        return frame, "unique_id, ds, y", noted or is_illustrative_name(path)
    schema = SCHEMAS["history"]
    known = {name for tiers in schema.aliases.values() for names in tiers for name in names}
    if not any(h.replace(" ", "_") in known for h in header):
        shown = ", ".join(h for h in header if h) or "none"
        raise InputError(
            f"{path.name}: row {header_row}: cannot tell the format from the columns ({shown}): {_EXPECTED}"
        )
    return (*_from_history(path, by), is_illustrative_name(path))


def _read_long(path: Path):
    """(long frame, whether its leading "#" lines carry the illustrative-data note)."""
    import numpy as np
    import pandas as pd

    noted = False
    if path.suffix.lower() == ".xlsx":
        table, lead = pd.read_excel(path, dtype=str, keep_default_na=False), 0
    else:
        text = _text(path)
        lines = text.splitlines()
        lead = 0
        while lead < len(lines) and (not lines[lead].strip() or lines[lead].lstrip().startswith("#")):
            lead += 1
        noted = any("illustrative" in line.lower() for line in lines[:lead])
        try:
            table = pd.read_csv(
                io.StringIO(text),
                sep=_sniff(lines[lead]),
                dtype=str,
                keep_default_na=False,
                skiprows=lead,
                skip_blank_lines=False,
                engine="c",
            )
        except pd.errors.ParserError as err:
            raise InputError(f"{path.name}: cannot read the CSV: {' '.join(str(err).split())}") from None
    table.columns = [str(c).strip().lower() for c in table.columns]
    rows = np.arange(len(table)) + lead + 2  # as a spreadsheet numbers them: header row lead + 1
    cells = table[list(LONG_COLUMNS)].fillna("").apply(lambda col: col.str.strip())
    blank_row = (cells == "").all(axis=1).to_numpy()
    cells, rows = cells[~blank_row].reset_index(drop=True), rows[~blank_row]
    if not len(cells):
        raise InputError(f"{path.name}: no data rows: expected at least one row below the header")

    def fail(mask: np.ndarray, column: str, expected: str) -> None:
        i = int(np.flatnonzero(mask)[0])
        value = cells[column].iloc[i]
        got = f"got {value!r}" if value else "the cell is empty"
        raise InputError(f"{path.name}: row {rows[i]}, column {column!r}: {expected}, {got}")

    uid = cells["unique_id"]
    if (uid == "").any():
        fail((uid == "").to_numpy(), "unique_id", "expected a series name")
    ds_text = cells["ds"]
    ds = pd.to_datetime(ds_text, format="ISO8601", errors="coerce")
    bad_ds = ds.isna().to_numpy()
    if bad_ds.any():
        fail(bad_ds, "ds", "expected a date such as 2024-08 or 2024-08-31")
    y_text = cells["y"]
    y = pd.to_numeric(y_text, errors="coerce").astype(float).to_numpy()
    bad_y = (y_text != "").to_numpy() & ~np.isfinite(y)
    if bad_y.any():
        fail(bad_y, "y", "expected a number such as 1234.5 (blank for a missing value)")
    return pd.DataFrame({"unique_id": uid.to_numpy(dtype=object), "ds": ds.to_numpy(), "y": y}), noted


def _from_history(path: Path, by: str):
    import pandas as pd

    from simulator.loaders import load_table

    hist = load_table(path, "history")
    if by == "segment":
        uid = hist["region_code"].astype(str) + "/" + hist["segment"].astype(str)
        frame = pd.DataFrame({"unique_id": uid, "ds": hist["ds"], "y": hist["active"].astype(float)})
        how = "participation history: unique_id = region_code/segment, y = active"
    else:
        frame = (
            hist.groupby(["region_code", "ds"], as_index=False, sort=True)["active"]
            .sum()
            .rename(columns={"region_code": "unique_id", "active": "y"})
        )
        frame["y"] = frame["y"].astype(float)
        how = "participation history: unique_id = region_code, y = active summed over segments"
    return frame[list(LONG_COLUMNS)].reset_index(drop=True), how


# ---- commands ----------------------------------------------------------------------------------
def _write_csv(frame, out: Path, illustrative: bool) -> Path:
    from simulator.results_io import write_csv

    return write_csv(frame, out, illustrative, date_format="%Y-%m-%d", float_format="%.12g")


def _notes(notes, limit: int = 10) -> None:
    if notes is None or not len(notes):
        return
    _out(f"notes ({len(notes)}):")
    for row in notes.head(limit).itertuples(index=False):
        _out(f"  {row.unique_id}: {row.note}")
    if len(notes) > limit:
        _out(f"  ... and {len(notes) - limit} more")


@command("forecast")
def _forecast(args: argparse.Namespace) -> int:
    horizon = _whole(args.horizon, "--horizon", 1, MAX_HORIZON)
    levels = _levels(args.level)
    folds = _whole(args.folds, "--folds", 1)
    seed = _whole(args.seed, "--seed", 0)
    paths = _whole(args.paths, "--paths", 0) if args.paths is not None else (1000 if args.paths_output else 0)
    models = _models(args.models)
    if paths and not args.paths_output:
        raise InputError("--paths: needs --paths-output FILE.npy to write the sample paths to")
    if args.paths_output and not paths:
        raise InputError("--paths-output: needs --paths N with N >= 1")
    out = output_file(args.output, "--output")
    target = output_file(args.paths_output, "--paths-output") if args.paths_output else None
    frame, how, illustrative = read_series(args.input, args.by)
    n_series = frame["unique_id"].nunique()
    if paths * n_series * horizon > MAX_PATH_VALUES:
        raise InputError(
            f"--paths: {paths} paths x {n_series} series x {horizon} periods is more than "
            f"{MAX_PATH_VALUES:,} values: use fewer paths"
        )
    from simulator.forecast import forecast

    fc = forecast(frame, horizon=horizon, level=levels, paths=paths, models=models, seed=seed, folds=folds)
    _write_csv(fc.frame, out, illustrative)
    _out(f"input: {Path(args.input).name} ({how}): {n_series} series, {len(frame)} rows")
    print_note(illustrative)
    chosen = fc.frame.drop_duplicates("unique_id")["model"].value_counts()
    _out(
        f"forecast: {len(fc.ids)} series x {horizon} periods, levels {', '.join(f'{v:g}' for v in levels)} "
        f"-> {out} ({len(fc.frame)} rows)"
    )
    _out("models chosen: " + ", ".join(f"{name} {count}" for name, count in chosen.items()))
    if target is not None and fc.paths is not None:  # both set exactly when paths >= 1
        import io

        import numpy as np
        import pandas as pd

        from simulator.results_io import atomic_write, csv_text

        buffer = io.BytesIO()  # np.save(path) would append ".npy" to other names
        np.save(buffer, fc.paths)
        atomic_write(target, buffer.getvalue())
        ids_file = target.with_name(target.stem + ".ids.csv")
        atomic_write(
            ids_file, csv_text(pd.DataFrame({"row": range(len(fc.ids)), "unique_id": fc.ids}), False)
        )
        _out(
            f"paths: float32 {tuple(fc.paths.shape)} (series, path, period) -> {target}; "
            f"series order -> {ids_file}"
        )
    _notes(fc.notes)
    return 0


@command("backtest")
def _backtest(args: argparse.Namespace) -> int:
    horizon = _whole(args.horizon, "--horizon", 1, MAX_HORIZON)
    levels = _levels(args.level)
    folds = _whole(args.folds, "--folds", 1)
    models = _models(args.models)
    out = output_file(args.output, "--output")
    frame, how, illustrative = read_series(args.input, args.by)
    from simulator.forecast import backtest

    table = backtest(frame, horizon=horizon, folds=folds, models=models, level=levels)
    _write_csv(table, out, illustrative)
    n_series = frame["unique_id"].nunique()
    _out(f"input: {Path(args.input).name} ({how}): {n_series} series, {len(frame)} rows")
    print_note(illustrative)
    scored = table["unique_id"].nunique()
    _out(
        f"backtest: {scored} series x {table['model'].nunique()} models, horizon {horizon}, {folds} folds "
        f"-> {out} ({len(table)} rows)"
    )
    if scored < n_series:
        _out(f"not backtested (constant or fewer than 8 points): {n_series - scored} series")
    if len(table):
        cover = [c for c in table.columns if c.startswith("coverage_")]
        summary = table.groupby("model", sort=False)[["mase", "smape", *cover]].mean()
        _out(
            f"{'model':<16} {'MASE':>7} {'sMAPE':>7} "
            + " ".join(f"{c:>13}" for c in cover)
            + "  (mean over series)"
        )
        for name, row in summary.iterrows():
            cells = " ".join(f"{row[c]:>13.3f}" for c in cover)
            _out(f"{name:<16} {row['mase']:>7.3f} {row['smape']:>7.2f} {cells}")
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--input", required=True, help="CSV with unique_id, ds, y, or a participation history file"
    )
    p.add_argument("--horizon", required=True, help="periods ahead, in each series' own frequency (>= 1)")
    p.add_argument("--output", required=True, help="CSV file to write")
    p.add_argument(
        "--level",
        action="append",
        metavar="PCT",
        help="interval level in percent, repeatable (default: 80 and 95)",
    )
    p.add_argument("--folds", default="3", help="rolling-origin backtest folds (default 3)")
    p.add_argument(
        "--models",
        help="comma-separated candidate models (default: all; naive and seasonal_naive "
        "are always scored in the backtest)",
    )
    p.add_argument(
        "--by",
        choices=("region", "segment"),
        default="region",
        help="participation history only: one series per region (segments summed, default) "
        "or per region and segment (unique_id 'region_code/segment')",
    )


def _parsers(sub) -> None:
    p = sub.add_parser("forecast", help="forecast every series of a CSV with calibrated intervals")
    _common(p)
    p.add_argument("--paths", help="sample paths per series (default 0; 1000 when --paths-output is given)")
    p.add_argument("--paths-output", help=".npy file for the paths (float32, series x path x period)")
    p.add_argument("--seed", default="0", help="seed for the sample paths (default 0)")
    p = sub.add_parser(
        "backtest", help="rolling-origin backtest: MASE, sMAPE and interval coverage per series"
    )
    _common(p)


EXTRA_PARSERS.append(_parsers)

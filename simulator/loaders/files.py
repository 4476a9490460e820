"""Reading files: CSV (comma or semicolon, quoted values) and .xlsx (checked as a package first) into raw
cells with the header row found.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from simulator.errors import InputError, clip
from simulator.fmt import number
from simulator.loaders.cells import _is_blank
from simulator.loaders.schema import (
    _FILE,
    _ROW,
    EXTENSIONS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_READ_SECONDS,
    MAX_ROWS,
    MAX_XLSX_STRINGS,
    MAX_XLSX_UNPACKED,
)

log = logging.getLogger(__name__)


@dataclass
class _Raw:
    """Cells of a file as read: header, data cells and their spreadsheet row numbers.

    ``cells`` has positional columns 0..n-1 (object dtype: text for CSV, Excel values for .xlsx)
    and may hold more columns than the header; blank rows are already dropped.
    """

    name: str
    header: list[str] | None
    header_row: int
    cells: pd.DataFrame
    row_numbers: np.ndarray
    style: str  # number style for text cells: "id" (1.234,5) or "en" (1,234.5)
    separator: str | None


@dataclass(frozen=True)
class _Source:
    """The bytes of one input file and the name it is shown under. Uploads are read from memory:
    the name a browser sends is only ever shown, never used as a path."""

    name: str
    data: bytes

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name.replace("\\", "/")).suffix.lower()


def _check_suffix(name: str, suffix: str) -> None:
    if suffix not in EXTENSIONS:
        hint = " (save it as .xlsx)" if suffix in (".xls", ".xlsm", ".ods") else ""
        shown = repr(suffix) if suffix else "without an extension"
        raise InputError(f"{name}: unsupported file type {shown}: expected .csv or .xlsx{hint}")


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if path.is_dir():
        raise InputError(f"{path}: is a folder: expected a .csv or .xlsx file")
    _check_suffix(path.name, path.suffix.lower())


def _check_size(name: str, size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise InputError(
            f"{name}: file is {number(size)} bytes: expected at most {number(MAX_FILE_BYTES)} bytes"
        )


def _source(path: Path) -> _Source:
    _check_file(path)
    _check_size(path.name, path.stat().st_size)
    return _Source(path.name, path.read_bytes())


def _with_rows(frame: pd.DataFrame | None, name: str) -> pd.DataFrame | None:
    """A finished frame with file and row bookkeeping again (rows counted from 2, below a header)."""
    if frame is None or _FILE in frame.columns:
        return frame
    return frame.assign(**{_FILE: name, _ROW: np.arange(2, len(frame) + 2)})


def upload_name(name: str) -> str:
    """The last part of a client-sent file name, printable and at most 100 characters (for messages)."""
    base = PurePosixPath(str(name).replace("\\", "/")).name
    base = "".join(ch if ch.isprintable() else "?" for ch in base)[:100]
    return base or "upload"


def _folder_files(folder: Path) -> list[tuple[Path, str]]:
    patterns = {"history": "history*", "workforce": "workforce.*", "targets": "targets.*"}
    files: list[tuple[Path, str]] = []
    for kind, pattern in patterns.items():
        for file in sorted(folder.glob(pattern)):
            if file.is_file() and file.suffix.lower() in EXTENSIONS and not file.name.startswith(("~$", ".")):
                files.append((file, kind))
    if not files:
        raise InputError(
            f"{folder}: no data files found: expected history*.csv/.xlsx, workforce.csv/.xlsx or "
            "targets.csv/.xlsx"
        )
    return sorted(files, key=lambda fk: fk[0].name)


def _read_raw(src: _Source, sheet: str | None) -> _Raw:
    if src.suffix == ".xlsx":
        return _read_xlsx(src, sheet)
    return _read_csv(src)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel on Windows saves "CSV" in ANSI


def _sniff_separator(line: str) -> str:
    counts = {sep: 0 for sep in (";", ",", "\t")}
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts.values())
    if best == 0:
        return ","
    return next(sep for sep in (";", "\t", ",") if counts[sep] == best)


def _blank_mask(cells: pd.DataFrame) -> np.ndarray:
    """True for every cell that is empty (None, NaN or "").

    Cells of only spaces count as filled here (cheap, vectorised); the cell parsers treat them as
    missing values and say so.
    """
    arr = cells.to_numpy(dtype=object)
    return pd.isna(arr) | (arr == "")


def _split_header(name: str, table: pd.DataFrame, first_row: int, style: str, sep: str | None) -> _Raw:
    """Header = first non-blank row; data = the non-blank rows below it."""
    blank = _blank_mask(table).all(axis=1)
    filled = np.flatnonzero(~blank)
    if len(filled) == 0:
        return _Raw(name, None, 0, pd.DataFrame(), np.array([], dtype=np.int64), style, sep)
    h = filled[0]
    header = ["" if _is_blank(v) else str(v) for v in table.iloc[h].tolist()]
    while header and not header[-1].strip():
        header.pop()
    body = table.iloc[filled[1:]].reset_index(drop=True)
    body.columns = range(body.shape[1])
    rows = (filled[1:] + first_row).astype(np.int64)
    return _Raw(name, header, int(h + first_row), body, rows, style, sep)


def _read_csv(path: _Source) -> _Raw:
    text = _decode(path.data)
    lines = text.splitlines()
    lead = 0
    while lead < len(lines) and (not lines[lead].strip() or lines[lead].lstrip().startswith("#")):
        lead += 1
    if lead == len(lines):
        return _Raw(path.name, None, 0, pd.DataFrame(), np.array([], dtype=np.int64), "en", None)
    sep = _sniff_separator(lines[lead])
    style = "id" if sep == ";" else "en"
    _check_csv_shape(path.name, lines, sep)
    try:
        table = pd.read_csv(
            io.StringIO(text), sep=sep, header=None, dtype=str, keep_default_na=False,
            skip_blank_lines=False, skiprows=lead, quotechar='"', engine="c",
        )  # fmt: skip
    except pd.errors.ParserError:  # ragged rows: read record by record to say which row
        records = _csv_records(path.name, text, sep)[lead:]
        width = max(len(r) for r in records)
        table = pd.DataFrame([r + [""] * (width - len(r)) for r in records], dtype=object)
    except pd.errors.EmptyDataError:
        return _Raw(path.name, None, 0, pd.DataFrame(), np.array([], dtype=np.int64), style, sep)
    return _split_header(path.name, table.astype(object), lead + 1, style, sep)


def _check_csv_shape(name: str, lines: list[str], sep: str) -> None:
    """Rows and columns within ``MAX_ROWS`` and ``MAX_COLUMNS``, counted on the text before any
    table is built (200.000 trailing commas would otherwise become 200.000 columns per row)."""
    if len(lines) > MAX_ROWS + 1:
        raise InputError(f"{name}: {number(len(lines))} lines: expected at most {number(MAX_ROWS)} rows")
    wide = next((i for i, line in enumerate(lines) if line.count(sep) >= MAX_COLUMNS), None)
    if wide is None:
        return
    # quoted separators do not count: read that line properly before refusing it
    fields = next(csv.reader([lines[wide]], delimiter=sep), [])
    if len(fields) > MAX_COLUMNS or any(line.count(sep) >= 4 * MAX_COLUMNS for line in lines):
        count = max(len(fields), lines[wide].count(sep) + 1)
        raise InputError(
            f"{name}: row {wide + 1}: {number(count)} values separated by {sep!r}: expected at most "
            f"{MAX_COLUMNS} columns"
        )


def _csv_records(name: str, text: str, sep: str) -> list[list[str]]:
    """Every record of a CSV text, or an InputError naming the row where an unreadable one starts
    (a quote never closed swallows the rest of the file into one field)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    records: list[list[str]] = []
    start = 1
    try:
        for record in reader:
            records.append(record)
            start = reader.line_num + 1
    except csv.Error:
        raise InputError(
            f"{name}: row {start}: a quoted value is not closed (or longer than "
            f"{number(csv.field_size_limit())} "
            "characters): expected a closing '\"'"
        ) from None
    return records


def _is_note(row: list[object]) -> bool:
    """A blank row, or a comment row (first cell starting with "#") above the header."""
    first = next((v for v in row if not _is_blank(v)), None)
    return first is None or (isinstance(first, str) and first.lstrip().startswith("#"))


def _check_xlsx_package(name: str, data: bytes) -> None:
    """The .xlsx package before openpyxl opens it: unpacked size within ``MAX_XLSX_UNPACKED``
    (counted while unpacking, not trusted from the directory), and no DTD in any XML part (Excel
    never writes one; an entity declaration can expand kilobytes into gigabytes)."""
    import zipfile

    unreadable = f"{name}: cannot be read as an Excel .xlsx workbook"
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        members = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise InputError(f"{unreadable} ({type(err).__name__})") from None
    if sum(m.file_size for m in members) > MAX_XLSX_UNPACKED:
        raise InputError(
            f"{name}: unpacks to more than {number(MAX_XLSX_UNPACKED)} bytes: expected a smaller workbook"
        )
    total = 0
    with package:
        for member in members:
            tail = b""
            try:
                with package.open(member) as part:
                    size = 0
                    while block := part.read(1 << 20):
                        total += len(block)
                        size += len(block)
                        if member.filename.lower().endswith("sharedstrings.xml") and size > MAX_XLSX_STRINGS:
                            raise InputError(
                                f"{name}: its shared strings unpack to more than "
                                f"{number(MAX_XLSX_STRINGS)} bytes: "
                                "expected a smaller workbook"
                            )
                        if total > MAX_XLSX_UNPACKED:
                            raise InputError(
                                f"{name}: unpacks to more than {number(MAX_XLSX_UNPACKED)} bytes: "
                                "expected a smaller workbook"
                            )
                        window = tail + block
                        if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                            raise InputError(
                                f"{name}: part {clip(member.filename)} declares a DTD or entities, "
                                "which Excel never "
                                "writes: expected a workbook saved by a spreadsheet program"
                            )
                        tail = block[-16:]
            except InputError:
                raise
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as err:
                raise InputError(f"{unreadable} ({type(err).__name__})") from None


def _sheet_rows(ws, label: str) -> list[list[object]]:
    """The sheet's rows (row i+1 of the sheet at index i), each at most ``MAX_COLUMNS`` wide.

    The declared dimension is ignored (rows are not padded to it: a cell at XFD20000 would make
    every row 16.384 cells wide); a row with a value beyond ``MAX_COLUMNS``, more than
    ``MAX_ROWS`` rows or more than ``MAX_READ_SECONDS`` of reading is refused.
    """
    import time

    from openpyxl.utils import get_column_letter

    ws.reset_dimensions()
    deadline = time.monotonic() + MAX_READ_SECONDS
    rows: list[list[object]] = []
    for i, values in enumerate(ws.iter_rows(values_only=True)):
        if i >= MAX_ROWS + 1:
            raise InputError(
                f"{label}: more than {number(MAX_ROWS)} rows: expected at most {number(MAX_ROWS)}"
            )
        if len(values) > MAX_COLUMNS:
            beyond = [j for j, v in enumerate(values[MAX_COLUMNS:], start=MAX_COLUMNS) if not _is_blank(v)]
            if beyond:
                raise InputError(
                    f"{label}: row {i + 1}, column {get_column_letter(beyond[0] + 1)}: a value beyond column "
                    f"{get_column_letter(MAX_COLUMNS)}: expected at most {MAX_COLUMNS} columns"
                )
            values = values[:MAX_COLUMNS]
        rows.append(list(values))
        if i % 10_000 == 0 and time.monotonic() > deadline:
            raise InputError(
                f"{label}: reading took more than {MAX_READ_SECONDS:.0f} s: expected a smaller workbook"
            )
    return rows


def _read_xlsx(path: _Source, sheet: str | None) -> _Raw:
    import openpyxl

    _check_xlsx_package(path.name, path.data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(path.data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for a damaged or mislabelled file
        raise InputError(
            f"{path.name}: cannot be read as an Excel .xlsx workbook ({type(err).__name__})"
        ) from err
    try:
        names = book.sheetnames
        if sheet is not None and sheet not in names:
            listed = ", ".join(repr(n) for n in names)
            raise InputError(f"{path.name}: no sheet named {sheet!r}: the workbook has the sheets {listed}")
        ws = book[sheet] if sheet is not None else book[names[0]]
        label = f"{path.name}, sheet {ws.title!r}" if (sheet is not None or len(names) > 1) else path.name
        rows = _sheet_rows(ws, label)
    except InputError:
        raise
    except Exception as err:  # a damaged sheet (broken XML, bad values) fails while its rows are read
        raise InputError(
            f"{path.name}: cannot be read as an Excel .xlsx workbook ({type(err).__name__})"
        ) from None
    finally:
        book.close()
    lead = 0
    while lead < len(rows) and _is_note(rows[lead]):
        lead += 1
    table = pd.DataFrame(rows[lead:], dtype=object)
    return _split_header(label, table, lead + 1, "id", None)

"""Load and validate the user's data files (history, workforce, targets) into canonical frames.

CSV (comma or semicolon, Indonesian number style) and Excel .xlsx are read; column names and
region names are mapped onto the vocabulary in ``simulator.vocabulary``. Loading is all or
nothing: the first problem raises an InputError whose one line names the file, the row (as a
spreadsheet numbers it: header row 1, first data row 2), the column and what was expected.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from simulator.errors import InputError, clip
from simulator.fmt import number
from simulator.regions import RegionTree, load_regions
from simulator.vocabulary import ACTIVE, COVERAGE, DS, EMPLOYED, PERIOD, REGION_CODE, SEGMENT, SEGMENTS, YEAR

log = logging.getLogger(__name__)

KINDS = ("history", "workforce", "targets")
EXTENSIONS = (".csv", ".xlsx")

# Internal bookkeeping columns: where each row came from, for messages naming file and row.
_FILE = "_file"
_ROW = "_row"

_REGION_CODE_ALIASES = (
    "region_code",
    "kode_wilayah",
    "kode",
    "kode_kemendagri",
    "kode_daerah",
    "kode_wil",
    "code",
)
_REGION_NAME_ALIASES = (
    "region",
    "wilayah",
    "daerah",
    "nama_wilayah",
    "nama_daerah",
    "kabupaten_kota",
    "kab_kota",
    "kabkota",
)
_SOURCE_ALIASES = ("source", "sumber", "sumber_data")


@dataclass(frozen=True)
class _Schema:
    """Columns of one file kind: required and optional canonical names with their aliases.

    ``aliases`` maps a canonical name to tiers of accepted headers; when headers of two tiers are
    both present the first tier wins (a code column beats a name column) and the other is kept as
    an extra column.
    """

    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    aliases: dict[str, tuple[tuple[str, ...], ...]]
    key: tuple[str, ...]

    def tier_of(self, header: str) -> tuple[str, int] | None:
        for canonical, tiers in self.aliases.items():
            for rank, names in enumerate(tiers):
                if header in names:
                    return canonical, rank
        return None


SCHEMAS: dict[str, _Schema] = {
    "history": _Schema(
        kind="history",
        required=(REGION_CODE, SEGMENT, DS, ACTIVE),
        optional=("registered", "source"),
        aliases={
            REGION_CODE: (_REGION_CODE_ALIASES, _REGION_NAME_ALIASES),
            SEGMENT: ((SEGMENT, "segmen", "jenis_peserta", "kelompok_peserta", "kepesertaan"),),
            DS: ((DS, "bulan", "tanggal", "date", "month", "periode", "period"),),
            ACTIVE: ((ACTIVE, "peserta_aktif", "aktif", "jumlah_aktif", "tk_aktif", "jumlah_peserta_aktif"),),
            "registered": (("registered", "peserta_terdaftar", "terdaftar", "jumlah_terdaftar"),),
            "source": (_SOURCE_ALIASES,),
        },
        key=(REGION_CODE, SEGMENT, DS),
    ),
    "workforce": _Schema(
        kind="workforce",
        required=(REGION_CODE, PERIOD, EMPLOYED),
        optional=("estimate", "source"),
        aliases={
            REGION_CODE: (_REGION_CODE_ALIASES, _REGION_NAME_ALIASES),
            PERIOD: ((PERIOD, "periode", "bulan", "tanggal", "date", "month", "ds"),),
            EMPLOYED: ((EMPLOYED, "bekerja", "penduduk_bekerja", "jumlah_bekerja", "pekerja"),),
            "estimate": (("estimate", "estimasi", "perkiraan"),),
            "source": (_SOURCE_ALIASES,),
        },
        key=(REGION_CODE, PERIOD),
    ),
    "targets": _Schema(
        kind="targets",
        required=(REGION_CODE, YEAR, COVERAGE),
        optional=("definition", "source", "scheme"),
        aliases={
            REGION_CODE: (_REGION_CODE_ALIASES, _REGION_NAME_ALIASES),
            YEAR: ((YEAR, "tahun"),),
            COVERAGE: ((COVERAGE, "target", "cakupan", "target_cakupan", "target_ucj", "ucj"),),
            "definition": (("definition", "definisi", "penyebut"),),
            "source": (_SOURCE_ALIASES,),
            "scheme": (("scheme", "skema", "dokumen", "dasar"),),
        },
        key=(REGION_CODE, YEAR, "scheme"),
    ),
}

_SEGMENT_NAMES = {
    "PU": "PU",
    "PPU": "PU",
    "PENERIMA UPAH": "PU",
    "BPU": "BPU",
    "BUKAN PENERIMA UPAH": "BPU",
    "JAKON": "JAKON",
    "JASA KONSTRUKSI": "JAKON",
    "KONSTRUKSI": "JAKON",
    "PMI": "PMI",
    "PEKERJA MIGRAN INDONESIA": "PMI",
    "PEKERJA MIGRAN": "PMI",
}

_MONTH_NAMES = {
    "jan": 1, "januari": 1, "january": 1,
    "feb": 2, "februari": 2, "february": 2, "pebruari": 2,
    "mar": 3, "maret": 3, "march": 3,
    "apr": 4, "april": 4,
    "mei": 5, "may": 5,
    "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7,
    "agu": 8, "agt": 8, "ags": 8, "agustus": 8, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oct": 10, "oktober": 10, "october": 10,
    "nov": 11, "nopember": 11, "november": 11,
    "des": 12, "dec": 12, "desember": 12, "december": 12,
}  # fmt: skip

# ---- budgets: every input is refused cheaply, before the step whose cost it would blow up -------
#: Largest file read [bytes] (an .xlsx counts its packed size). The bundled history is 7 MB.
MAX_FILE_BYTES = 100_000_000
#: Largest total an .xlsx may unpack to [bytes] (a zip bomb packs gigabytes into kilobytes).
MAX_XLSX_UNPACKED = 200_000_000
#: Largest shared-strings part of an .xlsx [bytes]: openpyxl holds every string of it in memory.
MAX_XLSX_STRINGS = 30_000_000
#: Most columns in a file: the widest schema has 6; a row with values beyond is refused.
MAX_COLUMNS = 64
#: Most rows in a file: 514 kabupaten/kota x 5 segments x 50 years of months is 1,5 million.
MAX_ROWS = 2_000_000
#: Longest time spent reading one .xlsx [seconds] before it is refused.
MAX_READ_SECONDS = 60.0
#: Largest count of persons in one cell: more than Indonesia's population.
MAX_COUNT = 1_000_000_000
#: Active participants may exceed a region's employed residents, because BPJS Ketenagakerjaan counts
#: workers where their employer is registered while BPS Sakernas counts residents: commuters into
#: a business centre count there (DKI Jakarta, Feb 2025: 8,02 juta active against about 5,2 juta
#: employed residents, 1,5 times; a central kabupaten/kota of a metropolitan area can reach a few
#: times its residents). Up to this factor the data are accepted with a warning naming the regions;
#: beyond it (e.g. 20 times) the figures cannot describe one region and are refused.
ACTIVE_EMPLOYED_LIMIT = 5.0

_FLAGS = {"0": 0, "1": 1, "false": 0, "true": 1, "tidak": 0, "ya": 1, "no": 0, "yes": 1}

# Numbers as written in each style: Indonesian "1.234.567,5", English "1,234,567.5".
_NUMBER_RE = {
    "id": re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"),
    "en": re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"),
}


# ---- the Panel ---------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Panel:
    """Validated data of one folder or file.

    Attributes
    ----------
    history : DataFrame or None
        ``region_code, segment, ds, active`` [persons], ``ds`` the first day of the month.
    workforce : DataFrame or None
        ``region_code, period, employed`` [persons] (plus ``estimate`` 0/1 and ``source`` when given).
    targets : DataFrame or None
        ``region_code, year, coverage`` [fraction] (plus ``definition``, ``source``, ``scheme``).
    sources : tuple of str
        File names read, in name order.
    data_hash : str
        sha256 hex digest: of the file's bytes for one file; for a folder, of the manifest
        ``"<sha256 of file>  <name>\\n"`` per file in name order (what ``sha256sum`` prints).
    kinds : tuple of str
        The kind of each file in ``sources``.
    warnings : tuple of str
        Accepted but worth a look, one line each naming the file, row and regions (e.g. active
        participants above the resident employed, within ``ACTIVE_EMPLOYED_LIMIT``); both shells
        show them.
    """

    history: pd.DataFrame | None
    workforce: pd.DataFrame | None
    targets: pd.DataFrame | None
    sources: tuple[str, ...]
    data_hash: str
    kinds: tuple[str, ...] = field(default=())
    warnings: tuple[str, ...] = field(default=())

    def sources_of(self, kind: str) -> tuple[str, ...]:
        return tuple(s for s, k in zip(self.sources, self.kinds, strict=True) if k == kind)

    @property
    def illustrative(self) -> bool:
        """True when the history comes from a file marked illustrative (synthetic, not real data)."""
        return any(is_illustrative_name(s) for s in self.sources_of("history"))


# ---- public functions --------------------------------------------------------------------------
def is_illustrative_name(name: str | Path) -> bool:
    """A history file whose name says "illustrative" is synthetic (the bundled
    ``history_illustrative.csv``): whatever is computed from it carries the note."""
    return "illustrative" in Path(name).name.lower()


def load_table(path: str | Path, kind: str, sheet: str | None = None) -> pd.DataFrame:
    """Read one history, workforce or targets file (.csv or .xlsx) into a validated canonical frame.

    Parameters
    ----------
    path : path of a .csv (comma or semicolon separated) or .xlsx file
    kind : "history", "workforce" or "targets"
    sheet : worksheet name for .xlsx (default: the first sheet)

    Returns
    -------
    DataFrame with the canonical columns of the kind first, then any extra columns of the file.

    Raises
    ------
    InputError
        One line naming the file, row and column and what was expected.
    """
    if kind not in SCHEMAS:
        raise InputError(f"{Path(path).name}: unknown file kind {kind!r}: expected one of {', '.join(KINDS)}")
    frame = _read_table(_source(Path(path)), kind, sheet)
    _check_keys(frame, kind)
    return _finish(frame, kind)


def load_upload(data: bytes, name: str, kind: str, base: Panel | None = None) -> pd.DataFrame:
    """Validate an uploaded file held in memory, as :func:`load_table` and :func:`load_data` would.

    ``name`` (as the browser sent it) is only shown in messages, never used as a path. The checks
    are those of :func:`load_data` (one set for the command line and the app): with ``base`` (the
    data in use) the upload is checked together with the other kinds exactly as ``validate``
    checks a folder. Warnings (accepted, worth a look) are in ``frame.attrs["warnings"]``.
    """
    shown = upload_name(name)
    if kind not in SCHEMAS:
        raise InputError(f"{shown}: unknown file kind {kind!r}: expected one of {', '.join(KINDS)}")
    _check_size(shown, len(data))
    src = _Source(shown, bytes(data))
    _check_suffix(shown, src.suffix)
    frame = _read_table(src, kind, None)
    _check_keys(frame, kind)
    other: dict[str, pd.DataFrame | None] = {"history": None, "workforce": None}
    if base is not None:
        other = {
            k: _with_rows(getattr(base, k), (base.sources_of(k) or (f"{k} in use",))[0])
            for k in ("history", "workforce")
        }
    other[kind] = frame
    warnings = _check_together(other.get("history"), other.get("workforce"))
    out = _finish(frame, kind)
    out.attrs["warnings"] = warnings
    return out


def load_data(path: str | Path) -> Panel:
    """Load a data folder (history*.csv/xlsx, workforce.*, targets.*) or a single file into a Panel.

    A single file's kind is told from its columns. All files are validated, including cross-file
    checks (active participants never above the employed of the same region and month), before
    anything is returned.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if path.is_dir():
        files = _folder_files(path)
    else:
        files = [(path, guess_kind(path))]
    frames: dict[str, list[pd.DataFrame]] = {k: [] for k in KINDS}
    for file, kind in files:
        frames[kind].append(_read_table(_source(file), kind, None))
    merged: dict[str, pd.DataFrame | None] = {}
    for kind in KINDS:
        merged[kind] = pd.concat(frames[kind], ignore_index=True) if frames[kind] else None
        if merged[kind] is not None:
            _check_keys(merged[kind], kind)
    warnings = _check_together(merged["history"], merged["workforce"])
    names = [f.name for f, _ in files]
    digests = [hashlib.sha256(f.read_bytes()).hexdigest() for f, _ in files]
    if len(files) == 1:
        data_hash = digests[0]
    else:
        manifest = "".join(
            f"{d}  {n}\n" for d, n in sorted(zip(digests, names, strict=True), key=lambda p: p[1])
        )
        data_hash = hashlib.sha256(manifest.encode()).hexdigest()
    log.info("loaded %s", ", ".join(names))
    return Panel(
        history=_finish(merged["history"], "history") if merged["history"] is not None else None,
        workforce=_finish(merged["workforce"], "workforce") if merged["workforce"] is not None else None,
        targets=_finish(merged["targets"], "targets") if merged["targets"] is not None else None,
        sources=tuple(names),
        data_hash=data_hash,
        kinds=tuple(k for _, k in files),
        warnings=warnings,
    )


def guess_kind(path: str | Path) -> str:
    """The kind of a single file, told from its columns (the file name breaks ties)."""
    path = Path(path)
    raw = _read_raw(_source(path), None)
    if raw.header is None:
        raise InputError(f"{raw.name}: the file is empty: expected a header row and data rows")
    headers = [_norm_header(h) for h in raw.header]
    scores: dict[str, tuple[int, int]] = {}
    for kind, schema in SCHEMAS.items():
        found = {hit[0] for h in headers if (hit := schema.tier_of(h)) is not None}
        distinctive = [c for c in schema.required if c != REGION_CODE and c in found]
        complete = all(c in found for c in schema.required)
        scores[kind] = (int(complete), len(distinctive))
    hint = next((k for k in KINDS if path.name.lower().startswith(k)), None)
    best = max(scores.values())
    candidates = [k for k, s in scores.items() if s == best]
    if best[1] > 0 and len(candidates) == 1:
        return candidates[0]
    if hint is not None and (best[1] == 0 or hint in candidates):
        return hint
    expected = "; ".join(f"{k} ({', '.join(SCHEMAS[k].required)})" for k in KINDS)
    found_text = ", ".join(h for h in raw.header if h) or "none"
    raise InputError(
        f"{raw.name}: row {raw.header_row}: cannot tell what the file holds from its columns ({found_text}): "
        f"expected the columns of {expected}"
    )


def summarize(panel: Panel) -> list[str]:
    """One line per table, then the sources and the data hash; numbers in Indonesian format.

    e.g. "history: 184.960 rows, 514 regions, 4 segments, 2018-01..2025-06 (ILLUSTRATIVE data)".
    """
    lines: list[str] = []
    h, w, t = panel.history, panel.workforce, panel.targets
    if h is not None:
        span = f"{h[DS].min():%Y-%m}..{h[DS].max():%Y-%m}"
        line = (
            f"history: {number(len(h))} rows, {number(h[REGION_CODE].nunique())} regions, "
            f"{h[SEGMENT].nunique()} segments, {span}"
        )
        lines.append(line + (" (ILLUSTRATIVE data)" if panel.illustrative else ""))
    if w is not None:
        line = (
            f"workforce: {number(len(w))} rows, {number(w[REGION_CODE].nunique())} regions, "
            f"periods {w[PERIOD].min():%Y-%m}..{w[PERIOD].max():%Y-%m}"
        )
        if "estimate" in w.columns:
            line += f", {number(int(w['estimate'].sum()))} estimated"
        lines.append(line)
    if t is not None:
        lines.append(
            f"targets: {number(len(t))} rows, {number(t[REGION_CODE].nunique())} regions, "
            f"years {t[YEAR].min()}..{t[YEAR].max()}"
        )
    lines.append(f"sources: {', '.join(panel.sources)}")
    lines.append(f"data hash: sha256 {panel.data_hash}")
    lines.extend(f"warning: {w}" for w in panel.warnings)
    return lines


# ---- reading files -----------------------------------------------------------------------------
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


# ---- columns -----------------------------------------------------------------------------------
def _norm_header(text: object) -> str:
    return re.sub(r"[\s\-/.]+", "_", str(text).strip().lower()).strip("_")


def _map_columns(raw: _Raw, schema: _Schema) -> tuple[dict[str, int], dict[str, int]]:  # noqa: C901 -- outlier listed in #23 (complexity 13): split, then drop this
    """Canonical name -> column index, and extra (unmapped) normalised name -> column index."""
    assert raw.header is not None  # _read_table maps columns only once a header row is found
    where = f"{raw.name}: row {raw.header_row}"
    found: dict[str, tuple[int, int]] = {}  # canonical -> (rank, index)
    extras: dict[str, int] = {}
    unknown: list[int] = []
    demoted: list[int] = []
    for j, header in enumerate(raw.header or []):
        norm = _norm_header(header)
        if not norm:
            if j in raw.cells.columns and not _blank_mask(raw.cells[[j]]).all():
                raise InputError(
                    f"{where}, column {j + 1}: the column has values but no name: expected a header"
                )
            continue
        hit = schema.tier_of(norm)
        if hit is None:
            unknown.append(j)
            continue
        canonical, rank = hit
        if canonical in found:
            other_rank, other = found[canonical]
            if other_rank == rank:
                raise InputError(
                    f"{where}, column {header.strip()}: means the same as column {raw.header[other].strip()} "
                    f"({canonical}): expected only one of them"
                )
            if rank < other_rank:
                demoted.append(other)
                found[canonical] = (rank, j)
            else:
                demoted.append(j)
            continue
        found[canonical] = (rank, j)
    expected = ", ".join(schema.required)
    missing = [c for c in schema.required if c not in found]
    absent_optional = [c for c in schema.optional if c not in found]
    for j in unknown:
        header = raw.header[j].strip()
        suggestion = _closest(_norm_header(header), schema, missing, 0.6) or _closest(
            _norm_header(header), schema, absent_optional, 0.8
        )
        if suggestion:
            raise InputError(
                f"{where}, column {header}: not a known column; did you mean {suggestion!r}? "
                f"(expected the columns {expected})"
            )
    if missing:
        found_text = ", ".join(h.strip() for h in raw.header or [] if h.strip()) or "none"
        raise InputError(
            f"{where}: missing column {missing[0]!r} (expected the columns {expected}; found {found_text})"
        )
    for j in sorted(unknown + demoted):
        name = _norm_header(raw.header[j])
        if name in extras or name in found:
            raise InputError(
                f"{where}, column {raw.header[j].strip()}: appears twice: expected each column once"
            )
        extras[name] = j
    return {c: j for c, (_, j) in found.items()}, extras


def _closest(header: str, schema: _Schema, names: list[str], cutoff: float) -> str | None:
    candidates: dict[str, str] = {}
    for canonical in names:
        for tier in schema.aliases[canonical]:
            for alias in tier:
                candidates[alias] = canonical
    match = difflib.get_close_matches(header, list(candidates), n=1, cutoff=cutoff)
    return candidates[match[0]] if match else None


# ---- cells -------------------------------------------------------------------------------------
class _CellError(Exception):
    """A cell that does not parse; the message says what was expected."""


def _shown(value: object) -> str:
    """A cell's value as echoed in a message: on one line and at most 60 characters."""
    if isinstance(value, float) and value.is_integer():
        return repr(clip(f"{value:.0f}"))
    if isinstance(value, (dt.datetime, dt.date)):
        return repr(value.isoformat())
    if isinstance(value, int) and abs(value) > 10**60:
        return f"a {len(str(abs(value)))}-digit number"
    return repr(clip(value))


def _is_blank(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    )


def _number(value: object, style: str) -> float | None:
    """A number from a cell, or None. Text in the file's style first, then the other if unambiguous."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        try:
            return float(value)
        except OverflowError:  # an integer too large for a float: larger than any count
            return math.inf if value > 0 else -math.inf
    text = re.sub(r"[\s\u00a0]", "", str(value))
    if len(text) > 100:  # longer than any number a count, fraction or year can be
        return None
    for s in (style, "en" if style == "id" else "id"):
        if _NUMBER_RE[s].fullmatch(text):
            if s == "id":
                return float(text.replace(".", "").replace(",", "."))
            return float(text.replace(",", ""))
    return None


def _count(value: object, style: str) -> int:
    if _is_blank(value):
        raise _CellError("missing value: expected a whole number of persons")
    x = _number(value, style)
    if x is not None and x < 0:
        raise _CellError(f"expected a number of persons >= 0, got {_shown(value)}")
    if x is not None and x > MAX_COUNT:
        raise _CellError(f"expected at most {number(MAX_COUNT)} persons, got {_shown(value)}")
    if x is None or not math.isfinite(x) or not x.is_integer():
        raise _CellError(f"expected a whole number of persons, got {_shown(value)}")
    return int(x)


def _fraction(value: object, style: str) -> float:
    expected = "expected a fraction such as 0.4534"
    if _is_blank(value):
        raise _CellError(f"missing value: {expected}")
    x = None if (isinstance(value, str) and "%" in value) else _number(value, style)
    if x is None or not math.isfinite(x):
        raise _CellError(f"{expected}, got {_shown(value)}")
    if not 0.0 <= x <= 1.0:
        raise _CellError(f"expected a fraction between 0 and 1 such as 0.4534, got {_shown(value)}")
    return x


def _year(value: object, style: str) -> int:
    if _is_blank(value):
        raise _CellError("missing value: expected a whole year such as 2025")
    x: float | None = None
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        x = _number(value, style)
    elif m := re.fullmatch(r"(\d{4})(?:[.,]0+)?", str(value).strip()):
        x = float(m[1])
    if x is None or not math.isfinite(x) or not x.is_integer() or not 1900 <= x <= 2200:
        raise _CellError(f"expected a whole year such as 2025, got {_shown(value)}")
    return int(x)


def _flag(value: object, style: str) -> int:
    if isinstance(value, (bool, int, float, np.integer, np.floating)) and value in (0, 1):
        return int(value)
    key = str(value).strip().lower()
    if key not in _FLAGS:
        raise _CellError(f"expected 0 (published figure) or 1 (estimate), got {_shown(value)}")
    return _FLAGS[key]


def _segment(value: object, style: str) -> str:
    expected = f"expected one of {', '.join(SEGMENTS)}"
    if _is_blank(value):
        raise _CellError(f"missing value: {expected}")
    key = re.sub(r"\s+", " ", str(value).strip().upper())
    if key not in _SEGMENT_NAMES:
        raise _CellError(f"unknown segment {str(value).strip()!r}: {expected}")
    return _SEGMENT_NAMES[key]


def _month(value: object, style: str) -> pd.Timestamp:
    """First day of the month of a cell: 2024-08, 2024-08-31, 31/08/2024, 08/2024, Agustus 2024."""
    expected = "expected a month such as 2024-08"
    if _is_blank(value):
        raise _CellError(f"missing value: {expected}")
    if isinstance(value, (dt.datetime, dt.date)):
        if not 1900 <= value.year <= 2200:
            raise _CellError(f"{expected}, got {_shown(value)}")
        return pd.Timestamp(value.year, value.month, 1)
    text = str(value).strip()
    year = month = None
    day = 1
    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?)?", text):
        year, month, day = int(m[1]), int(m[2]), int(m[3] or 1)
    elif m := re.fullmatch(r"(?:(\d{1,2})[-/.])?(\d{1,2})[-/.](\d{4})", text):
        day, month, year = int(m[1] or 1), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"([A-Za-z]+)\.?[\s\-]+(\d{4})", text):
        month, year = _MONTH_NAMES.get(m[1].lower()), int(m[2])
    try:
        if year is None or month is None or not 1900 <= year <= 2200:
            raise ValueError
        dt.date(year, month, day)
    except ValueError:
        raise _CellError(f"{expected}, got {_shown(value)}") from None
    return pd.Timestamp(year, month, 1)


def _text(value: object, style: str) -> str:
    if _is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _region_parser(tree: RegionTree) -> Callable[[object, str], str]:
    def parse(value: object, style: str) -> str:
        if _is_blank(value):
            raise _CellError("missing value: expected a Kemendagri region code or name")
        if isinstance(value, bool):
            text = str(value)
        elif isinstance(value, (int, np.integer)):
            text = str(int(value)).zfill(2)
        elif isinstance(value, float):  # Excel keeps 61.10 as the number 61.1
            text = str(int(value)).zfill(2) if value.is_integer() else f"{value:05.2f}"
        else:
            text = str(value).strip()
        if len(text) > 100:  # longer than any region name: not echoed whole
            raise _CellError(f"unknown region {_shown(text)}: expected a Kemendagri code or name")
        if re.fullmatch(r"\d{4}", text) and f"{text[:2]}.{text[2:]}" in tree:  # BPS style 6101
            return f"{text[:2]}.{text[2:]}"
        looks_like_code = re.fullmatch(r"[\d.\s]+", text) is not None
        short_code = re.fullmatch(r"\d{1,2}", text) is not None and text.zfill(2) in tree
        if looks_like_code and text.replace(" ", "") not in tree and not short_code:
            raise _CellError(
                f"unknown region code {text!r}: expected a Kemendagri code such as '61' or '61.01'"
            )
        try:
            return tree.resolve(text)
        except InputError as err:
            raise _CellError(str(err)) from None

    return parse


def _parsers(kind: str) -> dict[str, Callable[[object, str], object]]:
    region = _region_parser(load_regions())
    common = {REGION_CODE: region, "source": _text}
    if kind == "history":
        return {**common, SEGMENT: _segment, DS: _month, ACTIVE: _count, "registered": _count}
    if kind == "workforce":
        return {**common, PERIOD: _month, EMPLOYED: _count, "estimate": _flag}
    return {**common, YEAR: _year, COVERAGE: _fraction, "definition": _text, "scheme": _text}


_DTYPES: dict[Callable, str] = {
    _count: "int64",
    _year: "int64",
    _flag: "int64",
    _fraction: "float64",
    _month: "datetime64[ns]",
}


def _read_table(src: _Source, kind: str, sheet: str | None) -> pd.DataFrame:  # noqa: C901 -- outlier listed in #23 (complexity 14): split, then drop this
    """Parse and check every cell; return the canonical frame with ``_file`` and ``_row``."""
    if kind not in SCHEMAS:
        raise InputError(f"{src.name}: unknown file kind {kind!r}: expected one of {', '.join(KINDS)}")
    schema = SCHEMAS[kind]
    raw = _read_raw(src, sheet)
    if raw.header is None:
        raise InputError(
            f"{raw.name}: the file is empty: expected a header row with the columns "
            f"{', '.join(schema.required)}"
        )
    if not len(raw.row_numbers):
        raise InputError(
            f"{raw.name}: no data rows: expected at least one row below the header (row {raw.header_row})"
        )
    width = len(raw.header)
    beyond = [c for c in raw.cells.columns if c >= width]
    if beyond:
        extra = ~_blank_mask(raw.cells[beyond]).all(axis=1)
        if extra.any():
            i = int(np.flatnonzero(extra)[0])
            count = width + int(np.flatnonzero(~_blank_mask(raw.cells.iloc[[i]][beyond])[0])[-1]) + 1
            sep = f" separated by {raw.separator!r}" if raw.separator else ""
            raise InputError(
                f"{raw.name}: row {raw.row_numbers[i]}: {count} values{sep} but the header (row "
                f"{raw.header_row}) "
                f"has {width} columns: expected one value per column"
            )
    columns, extras = _map_columns(raw, schema)
    parsers = _parsers(kind)
    out: dict[str, object] = {}
    first_error: tuple[int, int, str] | None = None
    for canonical, j in sorted(columns.items(), key=lambda cj: cj[1]):
        values, error = _parse_column(_column(raw, j), parsers[canonical], raw.style)
        if error is not None:
            i, message = error
            row = int(raw.row_numbers[i])
            candidate = (row, j, f"{raw.name}: row {row}, column {raw.header[j].strip()}: {message}")
            first_error = candidate if first_error is None or candidate[:2] < first_error[:2] else first_error
        out[canonical] = values
    if first_error is not None:
        raise InputError(first_error[2])
    for name, j in extras.items():
        out[name] = _parse_column(_column(raw, j), _text, raw.style)[0]
    frame = pd.DataFrame(out)
    if kind == "workforce":
        zero = np.flatnonzero(frame[EMPLOYED].to_numpy() == 0)
        if len(zero):
            i = int(zero[0])
            raise InputError(
                f"{raw.name}: row {raw.row_numbers[i]}, column "
                f"{raw.header[columns[EMPLOYED]].strip()}: 0 employed: "
                "expected at least 1 (coverage divides by the employed)"
            )
    for col in (DS, PERIOD):
        if col in frame.columns:
            _check_not_future(frame, col, raw, columns[col])
    frame[_FILE] = raw.name
    frame[_ROW] = raw.row_numbers
    frame.attrs["headers"] = {c: raw.header[j].strip() for c, j in columns.items()}
    return frame


def _column(raw: _Raw, j: int) -> np.ndarray:
    if j in raw.cells.columns:
        return raw.cells[j].to_numpy(dtype=object)
    return np.full(len(raw.row_numbers), None, dtype=object)


def _parse_column(values: np.ndarray, parse: Callable[[object, str], object], style: str):
    """Parsed values as a typed array, and the first (index, message) that failed, or None.

    Plain digit counts take a vectorised path; everything else is parsed once per distinct value.
    """
    n = len(values)
    dtype = _DTYPES.get(parse, "object")
    out = np.empty(n, dtype=dtype)
    todo = np.arange(n)
    if parse is _count and n:
        inferred = pd.api.types.infer_dtype(values, skipna=False)
        if inferred == "integer":  # Excel whole numbers
            try:
                ints = values.astype(np.int64)
            except OverflowError:  # one beyond int64: every cell through the checking parser
                ints = np.full(n, -1, dtype=np.int64)
            plain = (ints >= 0) & (ints <= MAX_COUNT)
            out[plain] = ints[plain]
            todo = np.flatnonzero(~plain)
        elif inferred == "string":  # CSV text: plain digits (below MAX_COUNT) convert at once
            text = values.astype(str)
            plain = np.char.isdigit(text) & (np.char.str_len(text) <= 9)
            out[plain] = text[plain].astype(np.int64)
            todo = np.flatnonzero(~plain)
    if len(todo):
        codes, uniques = pd.factorize(pd.Series(values[todo], dtype=object), use_na_sentinel=False)
        parsed = []
        for k, value in enumerate(uniques):
            try:
                parsed.append(parse(value, style))
            except _CellError as err:
                return None, (int(todo[int(np.argmax(codes == k))]), str(err))
        if dtype == "datetime64[ns]":
            table = pd.DatetimeIndex(parsed).to_numpy(dtype=dtype)
        else:
            table = np.empty(len(parsed), dtype=dtype)
            table[:] = parsed
        out[todo] = table[codes]
    return out, None


def _check_not_future(frame: pd.DataFrame, col: str, raw: _Raw, j: int) -> None:
    assert raw.header is not None  # columns were mapped from it
    today = pd.Timestamp.today()
    this_month = pd.Timestamp(today.year, today.month, 1)
    future = np.flatnonzero((frame[col] > this_month).to_numpy())
    if len(future):
        i = future[0]
        raise InputError(
            f"{raw.name}: row {raw.row_numbers[i]}, column {raw.header[j].strip()}: month "
            f"{frame[col].iloc[i]:%Y-%m} "
            f"is in the future: expected months up to {this_month:%Y-%m}"
        )


# ---- checks across rows and files --------------------------------------------------------------
def _header(frame: pd.DataFrame, col: str) -> str:
    return frame.attrs.get("headers", {}).get(col, col)


def _describe_key(row: pd.Series, key: list[str]) -> str:
    parts = []
    for col in key:
        value = row[col]
        parts.append(f"{value:%Y-%m}" if isinstance(value, pd.Timestamp) else str(value))
    return ", ".join(parts)


def _where(frame: pd.DataFrame, i: int, other_file: str | None = None) -> str:
    """ "row 5" in the same file, or "targets.csv row 5" when the row lives in another file."""
    file, row = frame[_FILE].iloc[i], frame[_ROW].iloc[i]
    return f"row {row}" if other_file is None or file == other_file else f"{file} row {row}"


def _check_keys(frame: pd.DataFrame, kind: str) -> None:
    """Duplicates of the key, and (history) gaps inside each region and segment series."""
    key = [c for c in SCHEMAS[kind].key if c in frame.columns]
    dup = frame.duplicated(key, keep=False)
    if dup.any():
        later = frame.duplicated(key, keep="first").to_numpy()
        i = int(np.flatnonzero(later)[0])
        position = pd.Series(np.arange(len(frame)), index=frame.index)
        first = int(position.groupby([frame[c] for c in key], sort=False).transform("min").iloc[i])
        file = frame[_FILE].iloc[i]
        cols = ", ".join(_header(frame, c) for c in key)
        what = {
            "history": "region, segment and month",
            "workforce": "region and period",
            "targets": "region and year",
        }[kind]
        if kind == "targets" and "scheme" in key:
            what = "region, year and scheme"
        raise InputError(
            f"{file}: row {frame[_ROW].iloc[i]}, columns {cols}: duplicate of {_where(frame, first, file)} "
            f"({_describe_key(frame.iloc[i], key)}): expected one row per {what}"
        )
    if kind == "history":
        _check_gaps(frame)


def _check_gaps(frame: pd.DataFrame) -> None:
    month_no = frame[DS].dt.year.to_numpy() * 12 + frame[DS].dt.month.to_numpy() - 1
    reg_codes, _ = pd.factorize(frame[REGION_CODE])
    seg_codes, _ = pd.factorize(frame[SEGMENT])
    order = np.lexsort((month_no, seg_codes, reg_codes))
    reg = frame[REGION_CODE].to_numpy()[order]
    seg = frame[SEGMENT].to_numpy()[order]
    mon = month_no[order]
    same = (reg[1:] == reg[:-1]) & (seg[1:] == seg[:-1])
    gap = np.flatnonzero(same & (np.diff(mon) > 1))
    if not len(gap):
        return
    # Report the gap whose following row comes first in the files.
    file_pos = {f: n for n, f in enumerate(pd.unique(frame[_FILE]))}
    after = order[gap + 1]
    rank = [(file_pos[frame[_FILE].iloc[a]], frame[_ROW].iloc[a]) for a in after]
    g = gap[int(np.argmin([r[0] * 10**9 + r[1] for r in rank]))]
    i = int(order[g + 1])
    missing = mon[g] + 1
    in_series = (reg == reg[g]) & (seg == seg[g])
    lo, hi = mon[in_series].min(), mon[in_series].max()

    def fmt_month(n: int) -> str:
        return f"{n // 12:04d}-{n % 12 + 1:02d}"

    raise InputError(
        f"{frame[_FILE].iloc[i]}: row {frame[_ROW].iloc[i]}, column {_header(frame, DS)}: gap in the "
        "series of region "
        f"{reg[g]}, segment {seg[g]}: first missing month {fmt_month(missing)} "
        f"(expected every month from {fmt_month(lo)} to {fmt_month(hi)})"
    )


def _check_together(history: pd.DataFrame | None, workforce: pd.DataFrame | None) -> tuple[str, ...]:
    """The checks across files, one set for ``validate``, ``run --data`` and the app's Data page:
    the history covers every kabupaten/kota (the projection sums them up the region tree), the
    workforce covers every kabupaten/kota of the history, and active participants stay within
    ``ACTIVE_EMPLOYED_LIMIT`` times the employed of the same region and month. Returns the
    warnings (active above the employed, within the limit), one line naming file, row and regions."""
    if history is not None:
        _check_regions(history, None, "history")
    if history is None or workforce is None:
        return ()
    _check_regions(workforce, set(history[REGION_CODE]), "workforce")
    return _check_active_within_employed(history, workforce)


def _check_regions(frame: pd.DataFrame, wanted: set[str] | None, kind: str) -> None:
    tree = load_regions()
    leaves = tree.of_level("kabkota")
    wanted = set(leaves) if wanted is None else wanted & set(leaves)
    present = set(pd.unique(frame[REGION_CODE]))
    missing = [c for c in leaves if c in wanted and c not in present]
    if not missing:
        return
    file = frame[_FILE].iloc[0] if _FILE in frame.columns and len(frame) else kind
    listed = ", ".join(f"{c} {tree.name(c)}" for c in missing[:3]) + (", ..." if len(missing) > 3 else "")
    what = "every kabupaten/kota" if kind == "history" else "every kabupaten/kota of the history"
    raise InputError(
        f"{file}: column {_header(frame, REGION_CODE)}: {number(len(missing))} kabupaten/kota missing "
        f"({listed}): "
        f"expected {what}"
    )


def _check_active_within_employed(history: pd.DataFrame, workforce: pd.DataFrame) -> tuple[str, ...]:
    """Active participants (all segments) of a region and month within ``ACTIVE_EMPLOYED_LIMIT``
    times its employed persons; above the employed (within the limit) is a warning per file."""
    hist = history.reset_index(drop=True).assign(_order=lambda f: np.arange(len(f)))
    totals = hist.groupby([REGION_CODE, DS], as_index=False).agg(
        active=(ACTIVE, "sum"), _order=("_order", "min")
    )
    wf = workforce.reset_index(drop=True).assign(_wf=lambda f: np.arange(len(f)))
    both = totals.merge(
        wf[[REGION_CODE, PERIOD, EMPLOYED, "_wf"]], left_on=[REGION_CODE, DS], right_on=[REGION_CODE, PERIOD]
    )
    ratio = both[ACTIVE] / both[EMPLOYED].clip(lower=1)
    bad = both[ratio > ACTIVE_EMPLOYED_LIMIT].sort_values("_order")
    if not bad.empty:
        b = bad.iloc[0]
        i, w = int(b["_order"]), int(b["_wf"])
        raise InputError(
            f"{hist[_FILE].iloc[i]}: row {hist[_ROW].iloc[i]}, column {_header(history, ACTIVE)}: "
            f"region {b[REGION_CODE]} "
            f"has {number(b[ACTIVE])} active participants in {b[DS]:%Y-%m} (all segments), "
            f"{number(b[ACTIVE] / b[EMPLOYED], 1)} times the {number(b[EMPLOYED])} employed in "
            f"{wf[_FILE].iloc[w]} "
            f"row {wf[_ROW].iloc[w]}: expected at most {number(ACTIVE_EMPLOYED_LIMIT, 0)} times the employed"
        )
    above = both[both[ACTIVE] > both[EMPLOYED]].sort_values("_order")
    if above.empty:
        return ()
    first = above.iloc[0]
    i = int(first["_order"])
    worst = above.loc[(above[ACTIVE] / above[EMPLOYED]).idxmax()]
    regions = list(dict.fromkeys(above[REGION_CODE]))
    tree = load_regions()
    named = ", ".join(f"{c} {tree.name(c)}" for c in regions[:5]) + (", ..." if len(regions) > 5 else "")
    return (
        f"{hist[_FILE].iloc[i]}: row {hist[_ROW].iloc[i]}, column {_header(history, ACTIVE)}: active "
        "participants "
        f"above the employed in {number(len(regions))} region(s) ({named}), at most "
        f"{number(worst[ACTIVE] / worst[EMPLOYED], 2)} times ({worst[REGION_CODE]}, "
        f"{worst[DS]:%Y-%m}): accepted as "
        "participants counted where their employer is registered (up to "
        f"{number(ACTIVE_EMPLOYED_LIMIT, 0)} times); "
        "coverage there is capped at 100 %",
    )


def _finish(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Canonical columns first, rows in key order, bookkeeping columns dropped."""
    schema = SCHEMAS[kind]
    canonical = [c for c in (*schema.required, *schema.optional) if c in frame.columns]
    rest = [c for c in frame.columns if c not in canonical and c not in (_FILE, _ROW)]
    sort = [c for c in schema.key if c in frame.columns]
    out = frame[canonical + rest].sort_values(sort, kind="stable").reset_index(drop=True)
    out.attrs = {}
    return out


_EXAMPLES = {
    "history": ("61.01", "BPU", "2025-01", "1234"),
    "workforce": ("61.01", "2024-08", "250000"),
    "targets": ("61", "2025", "0.5956"),
}


def template_csv(kind: str) -> str:
    """A CSV template for ``kind``: the required columns and one example row. Loads back without
    error with :func:`load_table`; optional columns (see ``SCHEMAS``) may be added."""
    if kind not in SCHEMAS:
        raise InputError(f"kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    schema = SCHEMAS[kind]
    return ",".join(schema.required) + "\n" + ",".join(_EXAMPLES[kind]) + "\n"

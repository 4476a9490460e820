"""Columns: headers mapped onto the vocabulary, each column parsed by its cell parser, a raw table turned
into a typed frame.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from simulator.errors import InputError
from simulator.loaders.cells import (
    _CellError,
    _count,
    _flag,
    _fraction,
    _is_blank,
    _month,
    _segment,
    _shown,
    _text,
    _year,
)
from simulator.loaders.files import _blank_mask, _Raw, _read_raw, _Source
from simulator.loaders.schema import _FILE, _ROW, KINDS, MAX_COUNT, SCHEMAS, _Schema
from simulator.regions import RegionTree, load_regions
from simulator.vocabulary import ACTIVE, COVERAGE, DS, EMPLOYED, PERIOD, REGION_CODE, SEGMENT, YEAR

log = logging.getLogger(__name__)


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

"""Cell parsers: numbers in Indonesian or international style, counts, shares, years, flags, segments,
months and text; each raises ``_CellError`` with what was expected.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re

import numpy as np
import pandas as pd

from simulator.errors import clip
from simulator.fmt import number
from simulator.loaders.schema import _FLAGS, _MONTH_NAMES, _NUMBER_RE, _SEGMENT_NAMES, MAX_COUNT
from simulator.vocabulary import SEGMENTS

log = logging.getLogger(__name__)


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

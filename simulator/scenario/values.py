"""Value parsers of scenario keys (numbers, persons, months, shares, uncertain shares, regions); each
raises ``_Bad`` with what was expected, which the loader turns into a message naming file, lever and key.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import numpy as np
import pandas as pd

from simulator.errors import InputError, clip
from simulator.regions import RegionTree, summing_matrix
from simulator.scenario.model import (
    DISTRIBUTIONS,
    FIRST_MONTH,
    LANGUAGES,
    LAST_MONTH,
    MAX_NUMBER,
    MAX_PERSONS,
    MAX_UNIT_COST,
    Uncertain,
)
from simulator.vocabulary import PAYERS


class _Bad(Exception):
    """A value problem; the caller adds where it happened."""


def _show(value: Any) -> str:
    """A value as echoed in a message: on one line and at most 60 characters."""
    if isinstance(value, str):
        return repr(clip(value))
    if isinstance(value, float) and value.is_integer():
        return clip(str(int(value)))
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**60:
        return f"a {len(str(abs(value)))}-digit number"
    return clip(str(value))


def _is_number(value: Any) -> bool:
    """A finite int or float within +-``MAX_NUMBER`` (a 400-digit integer is not a number here)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value) and abs(value) <= MAX_NUMBER
    except OverflowError:
        return False


def _nonneg(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and not _is_number(value) and value > 0:
        raise _Bad(f"expected a number up to {MAX_NUMBER:.0e}, got {_show(value)}")
    if not _is_number(value) or value < 0:
        raise _Bad(f"expected a non-negative number, got {_show(value)}")
    return float(value)


def _persons(value: Any) -> float:
    """A count of persons: non-negative and at most ``MAX_PERSONS`` (more than Indonesia's population)."""
    x = _nonneg(value)
    if x > MAX_PERSONS:
        raise _Bad(
            f"expected at most {MAX_PERSONS:,} persons (more than Indonesia's population), got {_show(value)}"
        )
    return x


def _unit_cost(value: Any) -> float:
    x = _nonneg(value)
    if x > MAX_UNIT_COST:
        raise _Bad(f"expected at most {MAX_UNIT_COST:,} IDR per person per month, got {_show(value)}")
    return x


def _whole_months(value: Any) -> int:
    if not _is_number(value) or value < 1 or float(value) != int(value):
        raise _Bad(f"expected a whole number of months >= 1, got {_show(value)}")
    return int(value)


def _optional_months(value: Any) -> int | None:
    return None if value is None else _whole_months(value)


def _ramp(value: Any) -> int:
    if not _is_number(value) or value < 0 or float(value) != int(value):
        raise _Bad(f"expected a whole number of months >= 0, got {_show(value)}")
    return int(value)


def _text(value: Any) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise _Bad(f"expected text, got {_show(value)}")
    return str(value)


def _payer(value: Any) -> str:
    if not isinstance(value, str) or value not in PAYERS:
        raise _Bad(f"expected one of {', '.join(PAYERS)}, got {_show(value)}")
    return str(value)


def _titles(value: Any) -> dict[str, str]:
    """A scenario title: a mapping with a text per language of ``LANGUAGES`` (both required)."""
    if not isinstance(value, dict) or set(value) != set(LANGUAGES):
        raise _Bad(
            f"expected a mapping with keys {', '.join(LANGUAGES)} (Bahasa and English), got {_show(value)}"
        )
    return {k: _text(value[k]).strip() for k in LANGUAGES}


def _change(value: Any) -> float:
    if not _is_number(value) or not -1 < value <= 1:
        raise _Bad(f"expected a fraction between -1 (exclusive) and 1, got {_show(value)}")
    return float(value)


def parse_month(value: Any) -> pd.Period:
    """A month from "YYYY-MM" (or a YAML date) as a monthly Period."""
    if isinstance(value, dt.date):
        value = f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, str) and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value.strip()):
        month = pd.Period(value.strip(), freq="M")
    else:
        raise _Bad(f"expected a month 'YYYY-MM', got {_show(value)}")
    if not FIRST_MONTH <= month <= LAST_MONTH:
        raise _Bad(f"expected a month between {FIRST_MONTH} and {LAST_MONTH}, got {month}")
    return month


def _share(value: Any) -> float:
    if not _is_number(value) or not 0 <= value <= 1:
        raise _Bad(f"expected a share between 0 and 1, got {_show(value)}")
    return float(value)


def _uncertain_share(value: Any) -> Uncertain:
    if isinstance(value, list):
        ok = len(value) == 2 and all(_is_number(v) for v in value) and 0 <= value[0] <= value[1] <= 1
        if not ok:
            raise _Bad(f"expected a range [low, high] with 0 <= low <= high <= 1, got {_show(value)}")
        return Uncertain("uniform", (float(value[0]), float(value[1])))
    if isinstance(value, dict):
        dist = value.get("dist")
        if not isinstance(dist, str) or dist not in DISTRIBUTIONS:
            raise _Bad(f"expected 'dist' one of {', '.join(DISTRIBUTIONS)}, got {_show(dist)}")
        names = DISTRIBUTIONS[dist]
        if set(value) != {"dist", *names} or not all(_is_number(value[k]) for k in names):
            wanted = ", ".join(names)
            raise _Bad(f"expected {dist} with numbers {wanted} and nothing else, got {_show(value)}")
        params = tuple(float(value[k]) for k in names)
        if dist == "beta" and min(params) <= 0:
            raise _Bad(f"expected beta a > 0 and b > 0, got {_show(value)}")
        middle = params[1] if dist == "triangular" else params[0]
        if dist != "beta" and not 0 <= params[0] <= middle <= params[-1] <= 1:
            raise _Bad(f"expected 0 <= {' <= '.join(names)} <= 1, got {_show(value)}")
        return Uncertain(dist, params)
    return Uncertain.fixed(_share(value))


#: Every lever key a scenario file may give: its parser, its unit in Bahasa and in English, and how
#: a report shows it (text, month, months, idr, persons, fraction, decimal). The one table of lever
#: fields: the scenario reader parses with it and the workbook labels units from it.
LEVER_FIELDS: dict[str, tuple[Any, str, str, str]] = {
    "region": (None, "kode Kemendagri", "Kemendagri code", "text"),  # parse_region: needs the tree
    "start": (parse_month, "bulan", "month", "month"),
    "ramp_months": (_ramp, "bulan", "months", "months"),
    "months": (_whole_months, "bulan", "months", "months"),
    "reference": (_text, "", "", "text"),
    "label": (_text, "", "", "text"),
    "unit_cost": (_unit_cost, "Rp/orang/bulan", "IDR/person/month", "idr"),
    "payer": (_payer, "", "", "text"),
    "headcount": (_persons, "orang", "persons", "persons"),
    "workers": (_persons, "orang", "persons", "persons"),
    "officials_per_village": (_persons, "orang/desa", "persons/village", "persons"),
    "monthly_enrollments": (_persons, "orang/bulan", "persons/month", "persons"),
    "already_covered": (_uncertain_share, "fraksi", "fraction", "fraction"),
    "retention_after": (_uncertain_share, "fraksi", "fraction", "fraction"),
    "lapse": (_uncertain_share, "fraksi/bulan", "fraction/month", "fraction"),
    "enrolled_share": (_uncertain_share, "fraksi", "fraction", "fraction"),
    "already_enrolled": (_uncertain_share, "fraksi", "fraction", "fraction"),
    "dana_desa_share": (_share, "fraksi", "fraction", "fraction"),
    "change": (_change, "fraksi", "fraction", "fraction"),
    "programme": (_text, "", "", "text"),
    "action": (_text, "", "", "text"),
    "scale": (_nonneg, "kali", "times", "decimal"),
}
_PARSERS = {key: field[0] for key, field in LEVER_FIELDS.items() if field[0] is not None}
#: (unit in Bahasa, unit in English, display kind) per lever key, from ``LEVER_FIELDS``.
FIELD_UNITS = {key: field[1:] for key, field in LEVER_FIELDS.items()}


def parse_region(value: Any, tree: RegionTree) -> tuple[str, ...]:
    """Region scope: a code, a name, "NN.*" or a list of these, as codes and "NN.*" patterns."""
    items = value if isinstance(value, list) else [value]
    if not items:
        raise _Bad("expected a region code, name, 'NN.*' or a list of these, got []")
    out: list[str] = []
    for item in items:
        if isinstance(item, float) or isinstance(item, bool) or not isinstance(item, str | int):
            raise _Bad(f"expected a quoted region code or name such as '61' or '61.10', got {_show(item)}")
        text = str(item).strip()
        if text.endswith(".*"):
            head = text[:-2]
            head = head.zfill(2) if head.isdigit() else head
            if head not in tree or tree.level(head) == "kabkota":
                raise _Bad(f"expected 'NN.*' with NN a province or '00', got {_show(text)}")
            token = f"{head}.*"
        else:
            try:
                token = tree.resolve(text)
            except InputError as err:
                raise _Bad(str(err)) from None
        if token not in out:
            out.append(token)
    return tuple(out)


def scope_leaves(region: tuple[str, ...], tree: RegionTree) -> list[str]:
    """Kabupaten/kota codes covered by a lever's region scope, in tree order, without repeats."""
    codes, leaves, s = summing_matrix(tree)
    rows = [codes.index(token.removesuffix(".*")) for token in region]
    return [leaves[k] for k in np.flatnonzero(s[rows].any(axis=0))]

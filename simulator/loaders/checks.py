"""Checks across rows and files: duplicate keys, gaps in a series, every kabupaten/kota present, active
within employed.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from simulator.errors import InputError
from simulator.fmt import number
from simulator.loaders.schema import _FILE, _ROW, ACTIVE_EMPLOYED_LIMIT, SCHEMAS
from simulator.regions import load_regions
from simulator.vocabulary import ACTIVE, DS, EMPLOYED, PERIOD, REGION_CODE, SEGMENT

log = logging.getLogger(__name__)


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

"""Excel workbook of a scenario run: inputs, status, coverage quantiles, cost, backtest, provenance.

Numbers are stored as numbers (fractions, persons, rupiah, months as dates) with Indonesian display
formats; ``workbook_bytes`` returns the .xlsx file as bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import textwrap
from typing import Any

import numpy as np
import pandas as pd

from simulator.engine import Result, lever_names
from simulator.fmt import number, percent
from simulator.i18n import t
from simulator.regions import RegionTree, load_regions
from simulator.report.common import backtest_summary, check_lang, label, month_name
from simulator.scenario.values import FIELD_UNITS
from simulator.vocabulary import NATION_CODE, PAYERS


def int_format(value: float, lang: str = "id") -> str:
    """Excel format code showing a whole number with Indonesian digit groups (5.316.796.800).

    Excel takes the grouping separator of ``#,##0`` from the viewer's system settings, whatever
    the locale tag, so the Indonesian format writes the dots as literal text between digit
    placeholders, sized to the value's digits. Every viewer then shows 5.316.796.800 while the
    cell still holds the number 5316796800. English uses ``#,##0``.
    """
    if lang != "id":
        return "#,##0"
    if value is None or not math.isfinite(float(value)):
        return "0"
    digits = len(str(int(round(abs(float(value))))))
    chars = []
    for i in range(digits):
        if i and i % 3 == 0:
            chars.append('"."')
        chars.append("0" if i == 0 else "#")
    pattern = "".join(reversed(chars))
    return f"{pattern};-{pattern}"


def _formats(lang: str) -> dict[str, str]:
    """Locale-tagged formats: LibreOffice takes separators from the tag, Excel month names."""
    tag = "[$-421]" if lang == "id" else "[$-409]"
    return {
        "percent": f"{tag}0.00%",
        "percent0": f"{tag}0%",
        "decimal": f"{tag}0.00",
        "month": f"{tag}mmmm yyyy",
        "count": "0",
    }


def _cell(value: Any, kind: str | None, lang: str) -> tuple[Any, str | None]:
    """A (value, number format) pair; numbers as Python numbers, months as dates."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, None
    if isinstance(value, pd.Period) or kind == "month":
        if pd.isna(value):
            return None, None
        period = pd.Period(value, freq="M")
        return dt.date(period.year, period.month, 1), _formats(lang)["month"]
    if isinstance(value, np.generic):
        value = value.item()
    if kind in ("persons", "idr"):
        return float(value), int_format(value, lang)
    if kind is None or kind == "text":
        return value, None
    return value, _formats(lang)[kind]


Cell = tuple[Any, str | None]  # (value, Excel number format)


def put(ws, row: int, column: int, value: Any):
    """Write one cell. Text is always stored as text: openpyxl would store a string starting with
    "=" (a lever label ``=1+1``, a description) as a live formula; such text gets the string type
    and Excel's quote prefix, so it is shown, never computed."""
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        cell.value = value
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _sheet(
    wb, title: str, heading: str, note: str, headers: list[str], rows: list[list[Cell]], widths: list[int]
) -> None:
    """Row 1 heading, row 2 note, row 4 column headers, data from row 5; frozen header, filter.

    Printed in landscape, one page wide, the header row repeated on every page; the note wraps
    within the table's width (merged over its columns) instead of running off to the right.
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    put(ws, 1, 1, heading).font = Font(bold=True, size=13)
    if note:
        cell = put(ws, 2, 1, note)
        cell.font = Font(italic=True, color="9C2A00")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        span = max(len(headers), 1)
        if span > 1:
            ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=span)
        # merged rows do not grow by themselves: about one character per unit of column width
        lines = math.ceil(len(note) / max(sum(widths[:span]) - 2, 20))
        ws.row_dimensions[2].height = 15 * max(lines, 1)
    fill = PatternFill("solid", fgColor="DDE7F0")
    for j, text in enumerate(headers, start=1):
        cell = put(ws, 4, j, text)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(rows, start=5):
        for j, (value, fmt) in enumerate(row, start=1):
            if value is None:
                continue
            cell = put(ws, i, j, value)
            if fmt:
                cell.number_format = fmt
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    # viewers keep the default height for a wrapped header unless told (LibreOffice, Excel on open)
    wrapped = [len(textwrap.wrap(text, max(w - 2, 4))) for text, w in zip(headers, widths, strict=True)]
    ws.row_dimensions[4].height = 15 * max([*wrapped, 1])
    ws.freeze_panes = "A5"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "4:4"
    if rows and headers:
        ws.auto_filter.ref = f"A4:{get_column_letter(len(headers))}{4 + len(rows)}"


def _region_text(region: tuple[str, ...], tree: RegionTree, lang: str) -> str:
    parts = []
    for token in region:
        code = token.removesuffix(".*")
        name = tree.name(code) if code in tree else code
        suffix = f", {label('all_under', lang)}" if token.endswith(".*") else ""
        parts.append(f"{token} ({name}{suffix})")
    return "; ".join(parts)


def _distribution_text(value: Any, lang: str) -> str:
    p = value.params
    show = [number(v, 2, lang) if lang == "en" else number(v, 2) for v in p]
    if value.dist == "fixed":
        return label("fixed", lang)
    if value.dist == "uniform":
        return f"{label('uniform', lang)} {percent(p[0], lang=lang)}–{percent(p[1], lang=lang)}"
    if value.dist == "beta":
        sep = "; " if lang == "id" else ", "
        return f"beta(a={show[0]}{sep}b={show[1]}), {label('mean', lang)} {percent(value.mean(), lang=lang)}"
    return f"{label('triangular', lang)} " + " / ".join(percent(v, lang=lang) for v in p)


def _input_rows(result: Result, tree: RegionTree, lang: str) -> list[list[tuple[Any, str | None]]]:
    from simulator.scenario import Uncertain

    rows = []
    levers = result.scenario.levers
    for i, (lever, name) in enumerate(zip(levers, lever_names(levers), strict=True), start=1):
        for f in dataclasses.fields(lever):
            if f.name in ("label", "reference"):
                continue
            value = getattr(lever, f.name)
            unit_id, unit_en, kind = FIELD_UNITS.get(f.name, ("", "", "text"))
            dist = ""
            if f.name == "region":
                value = _region_text(value, tree, lang)
            elif f.name == "payer":
                value = PAYERS.get(value, value)
            elif isinstance(value, Uncertain):
                dist = _distribution_text(value, lang)
                value = value.mean()
            elif value is None:
                value, kind = label("to_horizon", lang), "text"
            kind = {"months": "count", "fraction": "percent"}.get(kind, kind)
            rows.append(
                [
                    (i, "0"),
                    (name, None),
                    (lever.kind, None),
                    (f.name, None),
                    _cell(value, kind, lang),
                    (unit_id if lang == "id" else unit_en, None),
                    (dist or None, None),
                    (lever.reference or None, None),
                ]
            )
    return rows


def _status_rows(status: pd.DataFrame, tree: RegionTree, lang: str) -> list[list[tuple[Any, str | None]]]:
    rows = []
    for row in status.itertuples(index=False):
        code = str(row.region_code)
        rows.append(
            [
                (code, None),
                (tree.name(code) if code in tree else code, None),
                (int(row.year), "0"),
                _cell(float(row.target), "percent", lang),
                _cell(row.deadline, "month", lang),
                _cell(float(row.probability), "percent0", lang),
                _cell(float(row.held_80), "percent0", lang) if row.held_80 == row.held_80 else ("–", None),
                _cell(float(row.median), "percent", lang),
                _cell(float(row.p10), "percent", lang),
                _cell(float(row.p90), "percent", lang),
                _cell(float(row.gap_persons), "persons", lang),
                _cell(row.first_month, "month", lang),
                (t(row.status, lang), None),
            ]
        )
    return rows


def _sensitivity_rows(sweep: Any, tree: RegionTree, lang: str) -> list[list[tuple[Any, str | None]]]:
    """One row per region, target year and assumption of a sweep (probability's indices)."""
    from simulator.fmt import number
    from simulator.sweep import tornado

    rows = []
    keys = sweep.indices[sweep.indices["output"] == "probability"][["region_code", "year"]].drop_duplicates()
    for code, year in keys.itertuples(index=False):
        code = str(code)
        for r in tornado(sweep, code, int(year)).itertuples(index=False):

            def interval(lo: float, hi: float) -> tuple[Any, str | None]:
                return (f"{number(lo, 2, lang)} – {number(hi, 2, lang)}", None)

            threshold = getattr(r, "threshold", float("nan"))
            rows.append(
                [
                    (code, None),
                    (tree.name(code) if code in tree else code, None),
                    (int(year), "0"),
                    (r.assumption, None),
                    (float(r.first), "0.00"),
                    interval(r.first_lo, r.first_hi),
                    (float(r.total), "0.00"),
                    interval(r.total_lo, r.total_hi),
                    (float(getattr(r, "central", float("nan"))), "0.000"),
                    (float(threshold), "0.000") if threshold == threshold else ("–", None),
                    (str(getattr(r, "side", "") or ""), None),
                ]
            )
    return rows


def _coverage_rows(result: Result, codes: list[str], tree: RegionTree, lang: str):
    from simulator.views import FAN_QUANTILES, fan_wide

    rows = []
    for code in codes:
        wide = fan_wide(result, code)
        name = tree.name(code) if code in tree else code
        for rec in wide.itertuples(index=False):
            values = list(rec)[1:]
            rows.append(
                [
                    (code, None),
                    (name, None),
                    _cell(rec[0], "month", lang),
                    *[_cell(float(v), "percent", lang) for v in values],
                ]
            )
    sep = "," if lang == "id" else "."
    headers = [f"{label('quantile', lang)} {f'{100 * q:g}'.replace('.', sep)} %" for q in FAN_QUANTILES]
    return headers, rows


def _provenance_rows(result: Result, provenance: dict, lang: str):
    yes_no = label("yes", lang) if provenance.get("illustrative") else label("nope", lang)
    months = f"{month_name(result.months[0], lang)} – {month_name(result.months[-1], lang)}"
    items = [
        (
            label("scenario", lang),
            (
                result.scenario.name
                if result.scenario.title(lang) == result.scenario.name
                else f"{result.scenario.title(lang)} ({result.scenario.name})",
                None,
            ),
        ),
        (label("description", lang), (result.scenario.description or None, None)),
        (label("horizon", lang), _cell(result.scenario.horizon, "month", lang)),
        (label("data_hash", lang), (provenance.get("data_hash") or "–", None)),
        (label("seed", lang), (int(provenance.get("seed", result.seed)), "0")),
        (label("paths", lang), (int(provenance.get("paths", result.paths)), "0")),
        (label("package_version", lang), (str(provenance.get("package_version", "")), None)),
        (label("created", lang), (str(provenance.get("created", "")), None)),
        (label("illustrative", lang), (yes_no, None)),
        (label("projection", lang), (months, None)),
    ]
    rows = [[(key, None), value] for key, value in items]
    lines = str(provenance.get("scenario_text", "")).splitlines() or [""]
    for i, line in enumerate(lines):
        rows.append([(label("scenario_text", lang) if i == 0 else None, None), (line or None, None)])
    return rows


def workbook_bytes(
    result: Result,
    status: pd.DataFrame,
    backtest: pd.DataFrame | None = None,
    lang: str = "id",
    provenance: dict | None = None,
    tree: RegionTree | None = None,
    regions: list[str] | None = None,
    sweep: Any = None,
) -> bytes:
    """Excel workbook (.xlsx) of a scenario run.

    Sheets: inputs (levers with units, distributions and references), status per region and
    deadline, coverage quantiles per month, cost per payer per year, cost per lever, backtest
    summary, provenance (data hash, scenario text, seed, package version, date). Numbers are
    stored as numbers: fractions with percent formats, persons and rupiah with Indonesian digit
    groups (see ``int_format``), months as dates shown as "Desember 2025".

    Parameters
    ----------
    result : Result
    status : DataFrame
        From ``simulator.targets.assess``.
    backtest : DataFrame, optional
        The baseline's backtest table; summarised per model.
    lang : "id" or "en"
    provenance : dict, optional
        From ``simulator.results_io``; built from the result (dated now) when None.
    tree : RegionTree, optional
    regions : list of str, optional
        Regions for the coverage sheet (default: those in ``status``, else the nation).
    sweep : simulator.sweep.SweepResult, optional
        An assumption sweep of this scenario: a sensitivity sheet (Sobol' indices of the probability
        with their intervals, thresholds) per region and target year, largest total index first.
    """
    from openpyxl import Workbook

    from simulator.results_io import is_illustrative, provenance_of

    lang = check_lang(lang)
    tree = tree if tree is not None else load_regions()
    provenance = provenance if provenance is not None else provenance_of(result)
    illustrative = provenance.get("illustrative", is_illustrative(result.meta))
    note = t("banner", lang) if illustrative else ""
    wb = Workbook()
    wb.remove(wb.active)

    sc = result.scenario
    horizon = f"{label('horizon', lang)} {month_name(sc.horizon, lang)}"
    heading = f"{label('inputs_title', lang)}: {sc.name} ({horizon})"
    _sheet(
        wb,
        label("inputs", lang),
        heading,
        note or sc.description,
        [
            label("no", lang),
            t("lever", lang),
            label("kind", lang),
            label("parameter", lang),
            label("value", lang),
            label("unit", lang),
            label("distribution", lang),
            label("reference", lang),
        ],
        _input_rows(result, tree, lang),
        [5, 30, 22, 22, 24, 18, 30, 40],
    )

    from simulator.calibrate import status_with_reliability, table_of

    status = status_with_reliability(status, result, tree)
    status_headers = [
        label(k, lang)
        for k in (
            "code",
            "region",
            "year",
            "target",
            "deadline",
            "probability",
            "tested",
            "median",
            "p10",
            "p90",
            "gap",
            "first_month",
            "status",
        )
    ]
    _sheet(
        wb,
        t("status", lang),
        label("status_title", lang),
        " ".join(filter(None, (note, label("tested_note", lang)))),
        status_headers,
        _status_rows(status, tree, lang),
        [8, 26, 8, 10, 16, 12, 10, 12, 12, 12, 16, 18, 14],
    )
    calibration = table_of(result)
    if calibration is not None:
        _sheet(
            wb,
            label("calibration", lang),
            label("calibration_title", lang),
            note,
            [
                t("level", lang),
                t("months_ahead", lang),
                t("points", lang),
                t("calib_band50", lang),
                t("calib_band80", lang),
                t("calib_band95", lang),
                t("median_error", lang),
                "CRPS",
                t("crps_naive", lang),
                "skill",
            ],
            [
                [
                    (t(f"level_{r.level}", lang), None),
                    (r.months_ahead, None),
                    _cell(float(r.points), "persons", lang),
                    _cell(float(r.held_50), "percent", lang),
                    _cell(float(r.held_80), "percent", lang),
                    _cell(float(r.held_95), "percent", lang),
                    _cell(float(r.median_error), "percent", lang),
                    _cell(float(r.crps), "percent", lang),
                    _cell(float(r.crps_naive), "percent", lang),
                    (float(r.skill), "0.00"),
                ]
                for r in calibration.itertuples(index=False)
            ],
            [12, 12, 10, 10, 10, 10, 12, 10, 10, 8],
        )

    if sweep is not None:
        _sheet(
            wb,
            label("sensitivity", lang),
            label("sensitivity_title", lang),
            note,
            [
                label("code", lang),
                label("region", lang),
                label("year", lang),
                label("assumption", lang),
                label("first_index", lang),
                label("ci95", lang),
                label("total_index", lang),
                label("ci95", lang),
                label("central", lang),
                label("threshold", lang),
                label("side", lang),
            ],
            _sensitivity_rows(sweep, tree, lang),
            [8, 26, 8, 30, 12, 16, 12, 16, 14, 14, 22],
        )

    if regions is None:
        regions = [c for c in result.regions if c in set(status["region_code"].astype(str))]
        regions = regions or [c for c in (NATION_CODE,) if c in result.regions] or list(result.regions[:1])
    q_headers, q_rows = _coverage_rows(result, regions, tree, lang)
    _sheet(
        wb,
        label("coverage", lang),
        label("coverage_title", lang),
        note,
        [t("code", lang), t("region", lang), label("month", lang), *q_headers],
        q_rows,
        [8, 26, 16, *[12] * len(q_headers)],
    )

    from simulator.views import cost_by_payer_year

    by_payer = cost_by_payer_year(result)
    cost_rows = [
        [(PAYERS.get(r.payer, r.payer), None), (int(r.year), "0"), _cell(float(r.cost_idr), "idr", lang)]
        for r in by_payer.itertuples(index=False)
    ]
    _sheet(
        wb,
        t("cost", lang),
        label("cost_title", lang),
        note,
        [t("payer", lang), t("year", lang), label("cost_idr", lang)],
        cost_rows,
        [26, 8, 22],
    )
    lever_rows = [
        [
            (r.lever, None),
            (PAYERS.get(r.payer, r.payer), None),
            (int(r.year), "0"),
            _cell(float(r.cost_idr), "idr", lang),
        ]
        for r in result.cost.itertuples(index=False)
    ]
    _sheet(
        wb,
        label("cost_lever", lang),
        label("cost_lever_title", lang),
        note,
        [t("lever", lang), t("payer", lang), t("year", lang), label("cost_idr", lang)],
        lever_rows,
        [30, 26, 8, 22],
    )

    if backtest is not None:
        summary = backtest_summary(backtest)
        bt_rows = [
            [
                (r.model, None),
                (int(r.series), "0"),
                _cell(r.mase_median, "decimal", lang),
                _cell(r.mase_mean, "decimal", lang),
                _cell(r.smape_mean, "decimal", lang),
                _cell(r.coverage_80, "percent", lang),
                _cell(r.coverage_95, "percent", lang),
                _cell(r.chosen, "count", lang),
            ]
            for r in summary.itertuples(index=False)
        ]
        bt_note = note
    else:
        bt_rows, bt_note = [], label("no_backtest", lang)
    _sheet(
        wb,
        label("backtest", lang),
        label("backtest_title", lang),
        bt_note,
        [
            label(k, lang)
            for k in (
                "model",
                "series",
                "mase_median",
                "mase_mean",
                "smape_mean",
                "coverage_80",
                "coverage_95",
                "chosen",
            )
        ],
        bt_rows,
        [18, 12, 14, 14, 16, 16, 16, 14],
    )

    _sheet(
        wb,
        label("provenance", lang),
        label("provenance_title", lang),
        note,
        [label("key", lang), label("value", lang)],
        _provenance_rows(result, provenance, lang),
        [24, 100],
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

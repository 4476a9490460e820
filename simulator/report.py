"""Leadership outputs of a scenario result: Excel workbook, printable brief (HTML/PDF), "what changed".

Pure functions returning bytes, text or frames, so the app can offer them as downloads and the
command line can write them to files. Charts are inline SVG built here; the PDF is printed from
the HTML by a headless Chromium when one is installed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import io
import logging
import math
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.engine import BASELINE_LABEL, Result, lever_names
from simulator.errors import InputError
from simulator.fmt import number, percent, rupiah
from simulator.i18n import LANGS, t
from simulator.regions import RegionTree, load_regions
from simulator.vocabulary import NATION_CODE, PAYERS

log = logging.getLogger(__name__)

MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
           "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}

#: Labels used only in exports (the app's labels live in simulator.i18n).
LABELS: dict[str, tuple[str, str]] = {
    "inputs": ("Masukan", "Inputs"), "inputs_title": ("Masukan skenario", "Scenario inputs"),
    "status_title": ("Status per wilayah dan tenggat", "Status per region and deadline"),
    "coverage": ("Cakupan", "Coverage"),
    "coverage_title": ("Kuantil proyeksi cakupan per bulan", "Projected coverage quantiles per month"),
    "cost_title": ("Biaya per pembayar per tahun (nilai harapan)", "Cost per payer per year (expected)"),
    "cost_lever": ("Biaya per kebijakan", "Cost per lever"),
    "cost_lever_title": ("Biaya per kebijakan, pembayar dan tahun (nilai harapan)",
        "Cost per lever, payer and year (expected)"),
    "backtest": ("Uji balik", "Backtest"),
    "backtest_title": ("Ringkasan uji balik model proyeksi dasar", "Backtest summary of the baseline models"),
    "no_backtest": ("Tabel uji balik tidak tersedia untuk hasil ini.", "No backtest table for this result."),
    "provenance": ("Asal-usul", "Provenance"),
    "provenance_title": ("Asal-usul hasil", "Provenance of the result"), "no": ("No.", "No."),
    "kind": ("Jenis", "Kind"), "parameter": ("Parameter", "Parameter"), "value": ("Nilai", "Value"),
    "unit": ("Satuan", "Unit"), "distribution": ("Sebaran", "Distribution"),
    "reference": ("Rujukan", "Reference"), "first_month": ("Median mencapai target", "Median reaches target"),
    "p10": ("Persentil 10", "Percentile 10"), "p90": ("Persentil 90", "Percentile 90"),
    "month": ("Bulan", "Month"), "quantile": ("Kuantil", "Quantile"),
    "cost_idr": ("Biaya (Rp)", "Cost (IDR)"), "model": ("Model", "Model"),
    "series": ("Jumlah seri", "Series"), "mase_median": ("MASE median", "Median MASE"),
    "mase_mean": ("MASE rata-rata", "Mean MASE"), "smape_mean": ("sMAPE rata-rata (%)", "Mean sMAPE (%)"),
    "coverage_80": ("Cakupan interval 80 %", "80 % interval coverage"),
    "coverage_95": ("Cakupan interval 95 %", "95 % interval coverage"),
    "chosen": ("Dipilih (seri)", "Chosen (series)"), "key": ("Butir", "Item"),
    "scenario": ("Skenario", "Scenario"), "description": ("Deskripsi", "Description"),
    "horizon": ("Horizon", "Horizon"), "data_hash": ("Hash data", "Data hash"), "seed": ("Seed", "Seed"),
    "paths": ("Jumlah jalur sampel", "Sample paths"), "package_version": ("Versi paket", "Package version"),
    "created": ("Dibuat", "Created"), "illustrative": ("Data ilustratif", "Illustrative data"),
    "projection": ("Bulan proyeksi", "Projection months"),
    "scenario_text": ("Teks skenario", "Scenario text"), "yes": ("Ya", "Yes"), "nope": ("Tidak", "No"),
    "fixed": ("tetap", "fixed"), "uniform": ("seragam", "uniform"), "beta": ("beta", "beta"),
    "triangular": ("segitiga", "triangular"), "mean": ("rerata", "mean"),
    "to_horizon": ("sampai horizon", "to the horizon"),
    "all_under": ("semua kabupaten/kota", "every kabupaten/kota"),
    "brief_title": ("Ringkasan proyeksi cakupan", "Coverage projection brief"),
    "overview": ("Ikhtisar", "Overview"),
    "top_levers": ("Tiga kebijakan paling berpengaruh", "The three levers that matter most"),
    "persons_added": ("Tambahan peserta (median)", "Participants added (median)"),
    "points": ("Poin cakupan", "Coverage points"),
    "no_levers": ("Tidak ada kebijakan tambahan di wilayah ini.", "No levers in this region."),
    "no_cost": ("Tidak ada biaya kebijakan di wilayah ini.", "No lever costs in this region."),
    "no_status": ("Tidak ada target dalam rentang proyeksi.", "No target within the projection."),
    "total": ("Jumlah", "Total"),
    "legend": ("Garis: median; pita: rentang 50/80/95 %; garis putus merah: target.",
        "Line: median; bands: 50/80/95 % ranges; dashed red line: target."),
    "generated": ("Dibuat oleh simulator versi", "Generated by simulator version"),
    "what_changed": ("Apa yang berubah", "What changed"), "measure": ("Ukuran", "Measure"),
    "old": ("Lama", "Old"), "old_on_new_data": ("Skenario lama, data baru", "Old scenario, new data"),
    "new": ("Baru", "New"), "data_effect": ("Efek data baru", "Effect of new data"),
    "lever_effect": ("Efek perubahan kebijakan", "Effect of changed levers"),
    "total_change": ("Perubahan total", "Total change"), "m_probability": ("Peluang", "Probability"),
    "m_coverage": ("Cakupan (median)", "Coverage (median)"),
    "m_cost_idr": ("Biaya tahun itu", "Cost that year"), "pp": ("poin", "pts"),
}

#: Units of lever fields, with the cell format kind: persons, idr, months, fraction, month, text.
FIELD_UNITS: dict[str, tuple[str, str, str]] = {
    "region": ("kode Kemendagri", "Kemendagri code", "text"), "start": ("bulan", "month", "month"),
    "ramp_months": ("bulan", "months", "months"), "months": ("bulan", "months", "months"),
    "unit_cost": ("Rp/orang/bulan", "IDR/person/month", "idr"), "payer": ("", "", "text"),
    "headcount": ("orang", "persons", "persons"), "workers": ("orang", "persons", "persons"),
    "officials_per_village": ("orang/desa", "persons/village", "persons"),
    "monthly_enrollments": ("orang/bulan", "persons/month", "persons"),
    "already_covered": ("fraksi", "fraction", "fraction"),
    "retention_after": ("fraksi", "fraction", "fraction"),
    "lapse": ("fraksi/bulan", "fraction/month", "fraction"),
    "enrolled_share": ("fraksi", "fraction", "fraction"), "change": ("fraksi", "fraction", "fraction"),
}

MEASURES = ("probability", "coverage", "cost_idr")
MEASURE_UNITS = {"probability": "fraction", "coverage": "fraction", "cost_idr": "IDR"}
CHANGE_COLUMNS = ["region_code", "name", "year", "measure", "unit", "old", "old_on_new_data", "new",
                  "data_effect", "lever_effect", "total_change"]


def _lang(lang: str) -> str:
    if lang not in LANGS:
        raise InputError(f"lang: expected one of {', '.join(LANGS)}, got {lang!r}")
    return lang


def label(key: str, lang: str = "id") -> str:
    """Export label ``key`` in ``lang`` (falls back to simulator.i18n, then the key)."""
    if key in LABELS:
        return LABELS[key][0 if lang == "id" else 1]
    return t(key, lang)


def month_name(month: pd.Period | None, lang: str = "id") -> str:
    """Period("2025-12") -> "Desember 2025" (id) / "December 2025" (en); "–" for a missing month."""
    if month is None or pd.isna(month):
        return "–"
    month = pd.Period(month, freq="M")
    return f"{MONTHS[lang][month.month - 1]} {month.year}"


# ---- numbers by region ---------------------------------------------------------------------------
def _leaves_under(tree: RegionTree, code: str) -> set[str]:
    """Kabupaten/kota at or under ``code`` (from the cached summing matrix; fast for the nation)."""
    from simulator.baseline import summing_matrix

    codes, leaves, s = summing_matrix(tree)
    if code not in tree:
        return set()
    return {leaf for leaf, on in zip(leaves, s[codes.index(code)]) if on}


def region_cost(result: Result, tree: RegionTree, codes: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """Expected cost of the levers acting entirely within each region [IDR].

    A lever counts for region ``code`` when every kabupaten/kota in its scope lies under ``code``
    (so the nation carries every lever, a province the levers scoped to it or its kabupaten/kota).

    Returns ``region_code, payer, year, cost_idr``.
    """
    from simulator.scenario import scope_leaves

    columns = ["region_code", "payer", "year", "cost_idr"]
    levers = result.scenario.levers
    scopes = {name: set(scope_leaves(lever.region, tree)) for name, lever in zip(lever_names(levers), levers)}
    frames = []
    for code in codes:
        under = _leaves_under(tree, code)
        inside = [name for name, scope in scopes.items() if scope and scope <= under]
        rows = result.cost[result.cost["lever"].isin(inside)]
        if len(rows):
            sums = rows.groupby(["payer", "year"], as_index=False)["cost_idr"].sum()
            frames.append(sums.assign(region_code=code))
    if not frames:
        return pd.DataFrame({"region_code": pd.Series(dtype=object), "payer": pd.Series(dtype=object),
                             "year": pd.Series(dtype=np.int64), "cost_idr": pd.Series(dtype=float)})
    return pd.concat(frames, ignore_index=True)[columns]


def top_levers(result: Result, code: str, month: pd.Period, n: int = 3) -> pd.DataFrame:
    """The ``n`` levers adding most participants (median waterfall) in ``code`` at ``month``.

    Returns ``lever, persons`` [persons], ``points`` (persons / median employed [fraction]) and
    ``cost_idr`` (expected cost of the lever over all years [IDR]), largest effect first.
    """
    c = result.contributions
    rows = c[(c["region_code"] == code) & (c["month"] == month) & (c["lever"] != BASELINE_LABEL)]
    r, m = result.index_of(code), int(result.months.get_loc(month))
    employed = float(np.median(result.employed[r, :, m]))
    costs = result.cost.groupby("lever")["cost_idr"].sum()
    out = rows[["lever", "persons"]].copy()
    out["points"] = out["persons"] / employed if employed > 0 else np.nan
    out["cost_idr"] = out["lever"].map(costs).fillna(0.0)
    order = out["persons"].abs().sort_values(ascending=False, kind="stable").index
    return out.loc[order].head(n).reset_index(drop=True)


def summary_sentence(row: Any, name: str, lang: str = "id") -> str:
    """One sentence from a status row: probability of reaching the target by the deadline, median.

    ``row`` has the fields of ``simulator.targets.assess``. Example (id): "Kalimantan Barat:
    peluang mencapai 59,56 % pada Desember 2025: 72 % (berisiko). Median proyeksi 57,10 %
    (rentang 80 %: 55,02 %–59,20 %), kurang 41.200 orang."
    """
    target, deadline = percent(row.target, lang=lang), month_name(row.deadline, lang)
    status = t(row.status, lang)
    band = f"{percent(row.p10, lang=lang)}–{percent(row.p90, lang=lang)}"
    if lang == "id":
        chance = percent(row.probability, 0)
        text = (f"{name}: peluang mencapai {target} pada {deadline}: {chance} ({status}). "
                f"Median proyeksi {percent(row.median)} (rentang 80 %: {band})")
        if row.gap_persons >= 0.5:
            return text + f", kurang {number(row.gap_persons)} orang."
        return text + (f"; median mencapai target pada {month_name(row.first_month, lang)}."
                       if not pd.isna(row.first_month) else ".")
    text = (f"{name}: probability of reaching {target} by {deadline}: {percent(row.probability, 0, 'en')} "
            f"({status}). Projected median {percent(row.median, lang='en')} (80 % band: {band})")
    if row.gap_persons >= 0.5:
        return text + f", short by {number(row.gap_persons, lang='en')} persons."
    return text + (f"; the median reaches the target in {month_name(row.first_month, lang)}."
                   if not pd.isna(row.first_month) else ".")


def backtest_summary(backtest: pd.DataFrame) -> pd.DataFrame:
    """Per model: series, median and mean MASE, mean sMAPE, mean interval coverage, series chosen.

    ``backtest`` is the table of ``simulator.forecast.backtest`` (``unique_id, model, mase`` and
    optionally ``smape, coverage_80, coverage_95, chosen``).
    """
    missing = [c for c in ("unique_id", "model", "mase") if c not in backtest.columns]
    if missing:
        raise InputError(f"backtest: column {missing[0]!r} missing; expected unique_id, model, mase")
    grouped = backtest.groupby("model", sort=False)

    def mean_of(col: str) -> pd.Series:
        if col in backtest.columns:
            return grouped[col].mean()
        return pd.Series(np.nan, index=grouped.size().index)

    out = pd.DataFrame({
        "series": grouped["unique_id"].nunique(),
        "mase_median": grouped["mase"].median(),
        "mase_mean": grouped["mase"].mean(),
        "smape_mean": mean_of("smape"),
        "coverage_80": mean_of("coverage_80"),
        "coverage_95": mean_of("coverage_95"),
        "chosen": grouped["chosen"].sum().astype(float) if "chosen" in backtest.columns else np.nan,
    })
    return out.reset_index()


# ---- workbook --------------------------------------------------------------------------------------
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
    return {"percent": f"{tag}0.00%", "percent0": f"{tag}0%", "decimal": f"{tag}0.00",
            "month": f"{tag}mmmm yyyy", "count": "0"}


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


def _sheet(wb, title: str, heading: str, note: str, headers: list[str], rows: list[list[Cell]],
           widths: list[int]) -> None:
    """Row 1 heading, row 2 note, row 4 column headers, data from row 5; frozen header, filter."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.cell(row=1, column=1, value=heading).font = Font(bold=True, size=13)
    if note:
        ws.cell(row=2, column=1, value=note).font = Font(italic=True, color="9C2A00")
    fill = PatternFill("solid", fgColor="DDE7F0")
    for j, text in enumerate(headers, start=1):
        cell = ws.cell(row=4, column=j, value=text)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(rows, start=5):
        for j, (value, fmt) in enumerate(row, start=1):
            if value is None:
                continue
            cell = ws.cell(row=i, column=j, value=value)
            if fmt:
                cell.number_format = fmt
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A5"
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
    for i, (lever, name) in enumerate(zip(levers, lever_names(levers)), start=1):
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
            rows.append([
                (i, "0"), (name, None), (lever.kind, None), (f.name, None),
                _cell(value, kind, lang), (unit_id if lang == "id" else unit_en, None),
                (dist or None, None), (lever.reference or None, None),
            ])
    return rows


def _status_rows(status: pd.DataFrame, tree: RegionTree, lang: str) -> list[list[tuple[Any, str | None]]]:
    rows = []
    for row in status.itertuples(index=False):
        code = str(row.region_code)
        rows.append([
            (code, None), (tree.name(code) if code in tree else code, None), (int(row.year), "0"),
            _cell(float(row.target), "percent", lang), _cell(row.deadline, "month", lang),
            _cell(float(row.probability), "percent0", lang), _cell(float(row.median), "percent", lang),
            _cell(float(row.p10), "percent", lang), _cell(float(row.p90), "percent", lang),
            _cell(float(row.gap_persons), "persons", lang), _cell(row.first_month, "month", lang),
            (t(row.status, lang), None),
        ])
    return rows


def _coverage_rows(result: Result, codes: list[str], tree: RegionTree, lang: str):
    from simulator.views import FAN_QUANTILES, fan_wide

    rows = []
    for code in codes:
        wide = fan_wide(result, code)
        name = tree.name(code) if code in tree else code
        for rec in wide.itertuples(index=False):
            values = list(rec)[1:]
            rows.append([(code, None), (name, None), _cell(rec[0], "month", lang),
                         *[_cell(float(v), "percent", lang) for v in values]])
    sep = "," if lang == "id" else "."
    headers = [f"{label('quantile', lang)} {f'{100 * q:g}'.replace('.', sep)} %" for q in FAN_QUANTILES]
    return headers, rows


def _provenance_rows(result: Result, provenance: dict, lang: str):
    yes_no = label("yes", lang) if provenance.get("illustrative") else label("nope", lang)
    months = f"{month_name(result.months[0], lang)} – {month_name(result.months[-1], lang)}"
    items = [
        (label("scenario", lang), (result.scenario.name, None)),
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
    """
    from openpyxl import Workbook

    from simulator.results_io import is_illustrative, provenance_of

    lang = _lang(lang)
    tree = tree if tree is not None else load_regions()
    provenance = provenance if provenance is not None else provenance_of(result)
    illustrative = provenance.get("illustrative", is_illustrative(result.meta))
    note = t("banner", lang) if illustrative else ""
    wb = Workbook()
    wb.remove(wb.active)

    sc = result.scenario
    horizon = f"{label('horizon', lang)} {month_name(sc.horizon, lang)}"
    heading = f"{label('inputs_title', lang)}: {sc.name} ({horizon})"
    _sheet(wb, label("inputs", lang), heading, note or sc.description,
           [label("no", lang), t("lever", lang), label("kind", lang), label("parameter", lang),
            label("value", lang), label("unit", lang), label("distribution", lang), label("reference", lang)],
           _input_rows(result, tree, lang), [5, 30, 22, 22, 24, 18, 30, 40])

    status_headers = [label(k, lang) for k in ("code", "region", "year", "target", "deadline", "probability",
                                                "median", "p10", "p90", "gap", "first_month", "status")]
    _sheet(wb, t("status", lang), label("status_title", lang), note, status_headers,
           _status_rows(status, tree, lang), [8, 26, 8, 10, 16, 12, 12, 12, 12, 16, 18, 14])

    if regions is None:
        regions = [c for c in result.regions if c in set(status["region_code"].astype(str))]
        regions = regions or [c for c in (NATION_CODE,) if c in result.regions] or list(result.regions[:1])
    q_headers, q_rows = _coverage_rows(result, regions, tree, lang)
    _sheet(wb, label("coverage", lang), label("coverage_title", lang), note,
           [t("code", lang), t("region", lang), label("month", lang), *q_headers], q_rows,
           [8, 26, 16, *[12] * len(q_headers)])

    from simulator.views import cost_by_payer_year

    by_payer = cost_by_payer_year(result)
    cost_rows = [[(PAYERS.get(r.payer, r.payer), None), (int(r.year), "0"),
                  _cell(float(r.cost_idr), "idr", lang)] for r in by_payer.itertuples(index=False)]
    _sheet(wb, t("cost", lang), label("cost_title", lang), note,
           [t("payer", lang), t("year", lang), label("cost_idr", lang)], cost_rows, [26, 8, 22])
    lever_rows = [[(r.lever, None), (PAYERS.get(r.payer, r.payer), None), (int(r.year), "0"),
                   _cell(float(r.cost_idr), "idr", lang)] for r in result.cost.itertuples(index=False)]
    _sheet(wb, label("cost_lever", lang), label("cost_lever_title", lang), note,
           [t("lever", lang), t("payer", lang), t("year", lang), label("cost_idr", lang)], lever_rows,
           [30, 26, 8, 22])

    if backtest is not None:
        summary = backtest_summary(backtest)
        bt_rows = [[(r.model, None), (int(r.series), "0"), _cell(r.mase_median, "decimal", lang),
                    _cell(r.mase_mean, "decimal", lang), _cell(r.smape_mean, "decimal", lang),
                    _cell(r.coverage_80, "percent", lang), _cell(r.coverage_95, "percent", lang),
                    _cell(r.chosen, "count", lang)] for r in summary.itertuples(index=False)]
        bt_note = note
    else:
        bt_rows, bt_note = [], label("no_backtest", lang)
    _sheet(wb, label("backtest", lang), label("backtest_title", lang), bt_note,
           [label(k, lang) for k in ("model", "series", "mase_median", "mase_mean", "smape_mean",
                                     "coverage_80", "coverage_95", "chosen")],
           bt_rows, [18, 12, 14, 14, 16, 16, 16, 14])

    _sheet(wb, label("provenance", lang), label("provenance_title", lang), note,
           [label("key", lang), label("value", lang)], _provenance_rows(result, provenance, lang), [24, 100])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ---- SVG charts ------------------------------------------------------------------------------------
def _nice_step(span: float) -> float:
    for step in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25):
        if span / step <= 6:
            return step
    return 0.25


def fan_svg(
    result: Result, code: str, targets: list[tuple[int, float, pd.Period]] | None = None, lang: str = "id",
    width: int = 680, height: int = 250,
) -> str:
    """Inline SVG fan chart of projected coverage for ``code``: 50/80/95 % bands, median, targets.

    ``targets`` holds ``(year, coverage [fraction], deadline month)`` drawn as dashed lines with a
    marker at the deadline.
    """
    from simulator.views import fan_wide

    wide = fan_wide(result, code)
    months = pd.PeriodIndex(wide["month"], freq="M")
    n = len(months)
    targets = list(targets or [])
    left, right, top, bottom = 50, 16, 14, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    values = wide[["q2.5", "q97.5"]].to_numpy(dtype=float)
    lo = min(np.nanmin(values), *[tg[1] for tg in targets]) if np.isfinite(values).any() else 0.0
    hi = max(np.nanmax(values), *[tg[1] for tg in targets]) if np.isfinite(values).any() else 1.0
    step = _nice_step(max(hi - lo, 1e-9))
    y0, y1 = max(0.0, math.floor(lo / step) * step), min(1.0, math.ceil(hi / step) * step)
    if y1 <= y0:
        y0, y1 = max(0.0, y0 - step), min(1.0, y1 + step)

    def x(i: float) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - y0) / (y1 - y0))

    def band(lower: str, upper: str) -> str:
        up = [f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(wide[upper])]
        down = [f"{x(i):.1f},{y(v):.1f}" for i, v in reversed(list(enumerate(wide[lower])))]
        return " ".join(up + down)

    title = f"{label('coverage', lang)} {result.scenario.name}: {code}"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
           f'width="100%" class="chart" aria-label="{_esc(title)}"><title>{_esc(title)}</title>']
    k = 0
    while y0 + k * step <= y1 + 1e-9:
        v = y0 + k * step
        decimals = 0 if abs(v * 100 - round(v * 100)) < 1e-6 else 1
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>'
                   f'<text x="{left - 6}" y="{y(v) + 3.5:.1f}" text-anchor="end" font-size="10">'
                   f'{html.escape(percent(v, decimals, lang))}</text>')
        k += 1
    first_january = next((i for i, m in enumerate(months) if m.month == 1), n)
    for i, m in enumerate(months):
        if m.month == 1 or (i == 0 and first_january >= 5):
            out.append(f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{top}" y2="{top + plot_h}" stroke="#eee"/>'
                       f'<text x="{x(i):.1f}" y="{height - 10}" text-anchor="middle" font-size="10">'
                       f'{m.year if m.month == 1 else _esc(month_name(m, lang)[:3] + " " + str(m.year))}'
                       '</text>')
    for (lower, upper), alpha in ((("q2.5", "q97.5"), 0.15), (("q10", "q90"), 0.22), (("q25", "q75"), 0.32)):
        out.append(f'<polygon points="{band(lower, upper)}" fill="#1f6fb2" fill-opacity="{alpha}"/>')
    median = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(wide["q50"]))
    out.append(f'<polyline points="{median}" fill="none" stroke="#0b3d6b" stroke-width="2"/>')
    placed: list[tuple[float, float]] = []  # (right end x, baseline y) of target labels drawn
    for year, value, deadline in targets:
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                   f'stroke="#c0392b" stroke-width="1.5" stroke-dasharray="6 4"/>')
        if deadline is None or pd.isna(deadline) or deadline not in months:
            continue
        xi = x(int(months.get_loc(deadline)))
        out.append(f'<circle cx="{xi:.1f}" cy="{y(value):.1f}" r="4" fill="#c0392b"/>')
        xr = min(xi, left + plot_w - 4) if xi - 120 >= left else xi + 126  # keep clear of the y axis
        # above the line, else below it, else no text: labels must not overlap (about 120 x 12 px)
        for ty in (y(value) - 7, y(value) + 15):
            free = all(abs(ty - py) >= 12 or abs(xr - px) >= 120 for px, py in placed)
            if top + 10 <= ty <= top + plot_h - 2 and free:
                placed.append((xr, ty))
                out.append(f'<text x="{xr:.1f}" y="{ty:.1f}" text-anchor="end" font-size="10" fill="#c0392b">'
                           f'{_esc(t("target", lang))} {year}: {_esc(percent(value, lang=lang))}</text>')
                break
    out.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999"/>')
    out.append("</svg>")
    return "".join(out)


def changes_svg(changes: pd.DataFrame, measure: str = "coverage", lang: str = "id", width: int = 680) -> str:
    """Inline SVG bar chart of a ``what_changed`` frame for one measure: per region and year, a bar
    for the effect of new data, one for changed levers, and a black mark at the total change."""
    rows = changes[(changes["measure"] == measure) & np.isfinite(changes["total_change"].astype(float))]
    scale_pts = 100.0 if MEASURE_UNITS.get(measure) == "fraction" else 1e-9  # points or billions
    row_h, left, right, top = 26, 210, 46, 30
    height = top + row_h * max(len(rows), 1) + 24
    plot_w = width - left - right
    vals = rows[["data_effect", "lever_effect", "total_change"]].to_numpy(dtype=float) * scale_pts
    span = float(np.nanmax(np.abs(vals))) if vals.size else 1.0
    span = span if span > 0 else 1.0
    zero = left + plot_w / 2

    def x(v: float) -> float:
        return zero + (plot_w / 2) * v / span

    unit = label("pp", lang) if scale_pts == 100.0 else ("Rp M" if lang == "id" else "IDR bn")
    title = f"{label('what_changed', lang)}: {label('m_' + measure, lang)} ({unit})"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="100%" '
           f'class="chart" aria-label="{html.escape(title)}"><title>{html.escape(title)}</title>',
           f'<text x="4" y="14" font-size="11" font-weight="bold">{html.escape(title)}</text>',
           f'<rect x="{left}" y="19" width="10" height="8" fill="#1f6fb2"/><text x="{left + 14}" y="27" '
           f'font-size="10">{html.escape(label("data_effect", lang))}</text>',
           f'<rect x="{left + 170}" y="19" width="10" height="8" fill="#e08a1e"/>'
           f'<text x="{left + 184}" y="27" '
           f'font-size="10">{html.escape(label("lever_effect", lang))}</text>',
           f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{top}" y2="{height - 20}" stroke="#555"/>']
    for i, rec in enumerate(rows.itertuples(index=False)):
        y = top + i * row_h
        data, lever, total = (float(rec.data_effect) * scale_pts, float(rec.lever_effect) * scale_pts,
                              float(rec.total_change) * scale_pts)
        name = f"{rec.name} {rec.year}"
        out.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" font-size="10">'
                   f'{_esc(name[:34])}</text>')
        for value, offset, color in ((data, 4, "#1f6fb2"), (lever, 13, "#e08a1e")):
            x0, x1 = sorted((zero, x(value)))
            out.append(f'<rect x="{x0:.1f}" y="{y + offset}" width="{max(x1 - x0, 0.5):.1f}" height="8" '
                       f'fill="{color}"/>')
        out.append(f'<line x1="{x(total):.1f}" x2="{x(total):.1f}" y1="{y + 2}" y2="{y + 23}" stroke="#000" '
                   f'stroke-width="2"/>')
        shown = number(total, 1, lang)
        out.append(f'<text x="{width - 2}" y="{y + 15}" text-anchor="end" font-size="9">'
                   f'{"+" if total > 0 else ""}{html.escape(shown)}</text>')
    for v in (-span, 0.0, span):
        out.append(f'<text x="{x(v):.1f}" y="{height - 6}" text-anchor="middle" font-size="9">'
                   f'{html.escape(number(v, 1, lang))}</text>')
    out.append("</svg>")
    return "".join(out)


# ---- printable brief ---------------------------------------------------------------------------------
CSS = """
@page { size: A4; margin: 14mm 14mm 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 9.5pt; color: #111;
       margin: 0; }
section.page { break-after: page; page-break-after: always; }
section.page:last-of-type { break-after: auto; page-break-after: auto; }
h1 { font-size: 17pt; margin: 0 0 4pt; } h3 { font-size: 10.5pt; margin: 8pt 0 3pt; }
h2 { font-size: 14pt; margin: 0 0 4pt; border-bottom: 2px solid #0b3d6b; padding-bottom: 2pt; }
p.meta { color: #444; margin: 0 0 6pt; }
p.banner { background: #fff3e0; border-left: 4px solid #e08a1e; padding: 4pt 6pt; margin: 4pt 0 8pt; }
ul.sentences { margin: 4pt 0 6pt 14pt; padding: 0; } ul.sentences li { margin-bottom: 2pt; }
table { border-collapse: collapse; width: 100%; margin: 2pt 0 6pt; }
th, td { border-bottom: 1px solid #ccc; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #dde7f0; } .n { text-align: right; } td.n { white-space: nowrap; }
tr { break-inside: avoid; }
thead { display: table-header-group; } tr.total td { font-weight: bold; border-top: 1px solid #555; }
.status { font-weight: bold; white-space: nowrap; }
.on-track { color: #1e7b34; } .at-risk { color: #a15c00; } .off-track { color: #b0261b; }
figure { margin: 4pt 0; break-inside: avoid; } figcaption { font-size: 8pt; color: #555; }
svg.chart { display: block; max-width: 100%; height: auto; }
footer { font-size: 7.5pt; color: #666; margin-top: 8pt; border-top: 1px solid #ccc; padding-top: 2pt; }
"""


def _esc(text: Any) -> str:
    return html.escape(str(text))


def _table(head: list[str], rows: list[list[str]], numeric: set[int], classes: list[str] | None = None
           ) -> str:
    """An HTML table of already formatted text; columns in ``numeric`` right-aligned."""
    def cells(tag: str, row: list[str]) -> str:
        return "".join(f"<{tag}{' class=n' if j in numeric else ''}>{_esc(v)}</{tag}>"
                       for j, v in enumerate(row))

    classes = classes or [""] * len(rows)
    body = "".join(f"<tr{f' class={c}' if c else ''}>{cells('td', r)}</tr>" for r, c in zip(rows, classes))
    return f"<table><thead><tr>{cells('th', head)}</tr></thead><tbody>{body}</tbody></table>"


def _status_table(rows: pd.DataFrame, tree: RegionTree, lang: str) -> str:
    if rows.empty:
        return f"<p>{_esc(label('no_status', lang))}</p>"
    head = [t(k, lang) for k in ("region", "year", "target", "median", "probability", "gap", "status")]
    body = [[f"{tree.name(r.region_code)} ({r.region_code})", str(r.year), percent(r.target, lang=lang),
             percent(r.median, lang=lang), percent(r.probability, 0, lang), number(r.gap_persons, lang=lang),
             t(r.status, lang)] for r in rows.itertuples(index=False)]
    html_text = _table(head, body, {1, 2, 3, 4, 5})
    for status in ("on track", "at risk", "off track"):  # colour the status words (they are also written out)
        word = _esc(t(status, lang))
        css = status.replace(" ", "-")
        html_text = html_text.replace(f"<td>{word}</td>", f"<td class='status {css}'>{word}</td>")
    return html_text


def _cost_table(cost: pd.DataFrame, lang: str) -> str:
    """Payers as rows, years as columns, totals last [IDR, short form]."""
    if cost.empty:
        return f"<p>{_esc(label('no_cost', lang))}</p>"
    grid = cost.pivot_table(index="payer", columns="year", values="cost_idr", aggfunc="sum", fill_value=0.0)
    grid = grid.loc[sorted(grid.index, key=lambda p: list(PAYERS).index(p) if p in PAYERS else len(PAYERS))]
    grid[label("total", lang)] = grid.sum(axis=1)
    grid.loc[label("total", lang)] = grid.sum(axis=0)
    body = [[PAYERS.get(p, p), *[rupiah(v, short=True, lang=lang) if v else "–" for v in row]]
            for p, row in zip(grid.index, grid.to_numpy(dtype=float))]
    return _table([t("payer", lang), *map(str, grid.columns)], body, set(range(1, grid.shape[1] + 1)),
                  [""] * (len(body) - 1) + ["total"])


def _levers_table(result: Result, code: str, month: pd.Period, lang: str) -> str:
    top = top_levers(result, code, month)
    if top.empty:
        return f"<p>{_esc(label('no_levers', lang))}</p>"
    head = [t("lever", lang), f"{label('persons_added', lang)}, {month_name(month, lang)}",
            label("points", lang), t("cost", lang)]
    body = [[r.lever, number(r.persons, lang=lang), number(100 * r.points, 2, lang),
             rupiah(r.cost_idr, lang=lang)] for r in top.itertuples(index=False)]
    return _table(head, body, {1, 2, 3})


def _groups(result: Result, status: pd.DataFrame, tree: RegionTree) -> list[str]:
    """Nation (when assessed) and every province with a target or a lever, in tree order."""
    from simulator.scenario import scope_leaves

    table = tree.table
    parent = dict(zip(table["code"], table["parent_code"]))
    level = dict(zip(table["code"], table["level"]))
    wanted: set[str] = set()
    for code in status["region_code"].astype(str):
        if code in level:
            wanted.add(code if level[code] in ("nasional", "provinsi") else str(parent[code]))
    for lever in result.scenario.levers:
        wanted.update(str(parent[leaf]) for leaf in scope_leaves(lever.region, tree))
    groups = [c for c in result.regions if c in wanted]
    return groups or [c for c in (NATION_CODE,) if c in result.regions]


def _group_rows(status: pd.DataFrame, code: str, tree: RegionTree) -> pd.DataFrame:
    members = {code} if code == NATION_CODE else {code, *_leaves_under(tree, code)}
    rows = status[status["region_code"].astype(str).isin(members)]
    order = {c: i for i, c in enumerate(tree.codes)}
    return rows.assign(_o=rows["region_code"].map(order)).sort_values(["_o", "year"]).drop(columns="_o")


def _group_page(result: Result, status: pd.DataFrame, code: str, tree: RegionTree, lang: str) -> str:
    rows = _group_rows(status, code, tree)
    own = rows[rows["region_code"] == code]
    parts = [f"<section class='page'><h2>{_esc(tree.name(code))} ({_esc(code)})</h2>"]
    firsts = rows.drop_duplicates("region_code")
    if len(firsts):
        parts.append("<ul class='sentences'>" + "".join(
            f"<li>{_esc(summary_sentence(r, tree.name(r.region_code), lang))}</li>"
            for r in firsts.itertuples(index=False)) + "</ul>")
    if code in result.regions:
        marks = [(int(r.year), float(r.target), r.deadline) for r in own.itertuples(index=False)]
        parts.append(f"<figure>{fan_svg(result, code, marks, lang)}<figcaption>{_esc(t('fan_chart', lang))}. "
                     f"{_esc(label('legend', lang))}</figcaption></figure>")
    parts.append(f"<h3>{_esc(t('status', lang))}</h3>{_status_table(rows, tree, lang)}")
    month = own["deadline"].iloc[0] if len(own) else result.months[-1]
    if code in result.regions:
        parts.append(f"<h3>{_esc(label('top_levers', lang))}</h3>{_levers_table(result, code, month, lang)}")
    cost = region_cost(result, tree, [code])
    parts.append(f"<h3>{_esc(t('cost_table', lang))}</h3>{_cost_table(cost, lang)}")
    parts.append("</section>")
    return "".join(parts)


def brief_html(
    result: Result,
    status: pd.DataFrame,
    tree: RegionTree | None = None,
    lang: str = "id",
    provenance: dict | None = None,
    codes: list[str] | None = None,
    title: str | None = None,
) -> str:
    """A printable brief (one HTML document; A4 pages when printed).

    Page 1: scenario, provenance, the illustrative-data banner when it applies, and an overview of
    the nation and provinces (earliest target each). Then one page per province group (the nation
    first when assessed): summary sentences per region, the fan chart with target lines, status,
    the three levers adding most participants at the first deadline, and cost per payer and year.

    Parameters
    ----------
    result : Result
    status : DataFrame
        From ``simulator.targets.assess``.
    tree : RegionTree, optional
    lang : "id" (default) or "en"
    provenance : dict, optional
        From ``simulator.results_io`` (built from the result when None).
    codes : list of str, optional
        Province (or nation) codes for the group pages; by default every province with a target or
        a lever.
    title : str, optional
    """
    from simulator.results_io import provenance_of

    lang = _lang(lang)
    tree = tree if tree is not None else load_regions()
    provenance = provenance if provenance is not None else provenance_of(result)
    status = status.copy()
    status["region_code"] = status["region_code"].astype(str)
    groups = codes if codes is not None else _groups(result, status, tree)
    unknown = [c for c in groups if c not in tree]
    if unknown:
        raise InputError(f"codes: unknown region code {unknown[0]!r}")
    sc = result.scenario
    title = title or f"{label('brief_title', lang)}: {sc.name}"
    created = str(provenance.get("created", ""))
    cover = [f"<section class='page'><h1>{_esc(title)}</h1>",
             f"<p class='meta'>{_esc(label('scenario', lang))}: <b>{_esc(sc.name)}</b> · "
             f"{_esc(label('horizon', lang))} {_esc(month_name(sc.horizon, lang))} · "
             f"{_esc(label('created', lang))} {_esc(created[:10])}</p>"]
    if provenance.get("illustrative"):
        cover.append(f"<p class='banner'>{_esc(t('banner', lang))}</p>")
    if sc.description:
        cover.append(f"<p>{_esc(sc.description)}</p>")
    level = dict(zip(tree.table["code"], tree.table["level"]))
    top = status[status["region_code"].map(lambda c: level.get(c, "kabkota") != "kabkota")]
    top = top.sort_values("year").drop_duplicates("region_code")
    order = {c: i for i, c in enumerate(tree.codes)}
    top = top.assign(_o=top["region_code"].map(order)).sort_values("_o").drop(columns="_o")
    cover.append(f"<h3>{_esc(label('overview', lang))}</h3>")
    if len(top):
        cover.append("<ul class='sentences'>" + "".join(
            f"<li>{_esc(summary_sentence(r, tree.name(r.region_code), lang))}</li>"
            for r in top.itertuples(index=False)) + "</ul>")
    cover.append(_status_table(top, tree, lang))
    cover.append(f"<h3>{_esc(t('cost_table', lang))}</h3>{_cost_table(result.cost, lang)}")
    cover.append(f"<footer>{_esc(label('data_hash', lang))}: {_esc(provenance.get('data_hash') or '–')} · "
                 f"{_esc(label('seed', lang))} {_esc(provenance.get('seed', result.seed))} · "
                 f"{_esc(label('paths', lang))} {_esc(provenance.get('paths', result.paths))} · "
                 f"{_esc(label('generated', lang))} {_esc(provenance.get('package_version', ''))}"
                 "</footer></section>")
    pages = [_group_page(result, status, code, tree, lang) for code in groups]
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{_esc(title)}</title>"
            f"<style>{CSS}</style></head><body>{''.join(cover)}{''.join(pages)}</body></html>\n")


# ---- PDF -----------------------------------------------------------------------------------------
class PdfEngineError(RuntimeError):
    """No PDF engine, or the engine failed; the message says which and what to do."""


#: Executables tried, in order, for printing HTML to PDF (Debian's chromium first).
PDF_ENGINES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_pdf_engine() -> str | None:
    """Path of a headless Chromium (env ``SIMULATOR_PDF_ENGINE`` first), or None."""
    override = os.environ.get("SIMULATOR_PDF_ENGINE")
    if override:
        return shutil.which(override)
    for name in PDF_ENGINES:
        found = shutil.which(name)
        if found:
            return found
    return None


def brief_pdf(html_text: str, engine: str | None = None, timeout: float = 900.0) -> bytes:
    """Print an HTML brief to PDF bytes with a headless Chromium (``chromium --print-to-pdf``).

    Parameters
    ----------
    html_text : str
        From ``brief_html``.
    engine : str, optional
        Chromium executable; ``find_pdf_engine()`` by default.
    timeout : float
        Seconds to wait for the engine [s].

    Raises
    ------
    PdfEngineError
        When no engine is installed (install Debian's ``chromium``, or print the HTML from a
        browser) or the engine produced no PDF.
    """
    exe = shutil.which(engine) if engine else find_pdf_engine()
    if exe is None:
        wanted = engine or os.environ.get("SIMULATOR_PDF_ENGINE") or " / ".join(PDF_ENGINES)
        raise PdfEngineError(f"no PDF engine: {wanted} not found; install Debian's chromium "
                             "(apt-get install chromium) or print the HTML brief from a browser")
    with tempfile.TemporaryDirectory(prefix="brief-") as tmp:
        source, target = Path(tmp) / "brief.html", Path(tmp) / "brief.pdf"
        source.write_text(html_text, encoding="utf-8")
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-zygote",
               "--no-first-run", "--disable-extensions", "--no-pdf-header-footer",
               f"--user-data-dir={Path(tmp) / 'profile'}", f"--print-to-pdf={target}", source.as_uri()]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise PdfEngineError(f"{exe}: no PDF after {timeout:g} s") from None
        if not target.is_file() or target.read_bytes()[:5] != b"%PDF-":
            last = (err.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
            raise PdfEngineError(f"{exe}: printing to PDF failed (exit {proc.returncode}): {last}")
        return target.read_bytes()


# ---- what changed ----------------------------------------------------------------------------------
def _measures(result: Result, targets: pd.DataFrame, tree: RegionTree, thresholds) -> pd.DataFrame:
    from simulator.targets import assess

    status = assess(result, targets, thresholds)
    frame = status[["region_code", "year", "probability", "median"]].rename(columns={"median": "coverage"})
    cost = region_cost(result, tree, sorted(set(frame["region_code"])))
    by_year = cost.groupby(["region_code", "year"])["cost_idr"].sum()
    keys = list(zip(frame["region_code"], frame["year"]))
    frame = frame.assign(cost_idr=[float(by_year.get(k, 0.0)) for k in keys])
    return frame.set_index(["region_code", "year"])


def _old_on_new(old: Result, new: Result, rerun, tree: RegionTree) -> Result:
    from simulator.baseline import Baseline
    from simulator.engine import run_scenario

    if isinstance(rerun, Result):
        return rerun
    if isinstance(rerun, Baseline):
        regions = None if len(new.regions) == len(tree.codes) else list(new.regions)
        paths = new.paths if rerun.paths >= new.paths else None
        return run_scenario(rerun, old.scenario, paths=paths, seed=new.seed, tree=tree,
                            uncertainty=bool(new.meta.get("uncertainty", True)), regions=regions)
    if callable(rerun):
        out = rerun(old.scenario)
        if not isinstance(out, Result):
            raise InputError("rerun: the callable must return a Result for the old scenario")
        return out
    raise InputError("rerun: expected the new Baseline, a Result of the old scenario on it, or a callable")


def what_changed(
    old: Result,
    new: Result,
    rerun: Any,
    targets: pd.DataFrame,
    tree: RegionTree | None = None,
    thresholds: tuple[float, float] = (0.8, 0.5),
) -> pd.DataFrame:
    """What changed between two results, split into the effect of new data and of changed levers.

    With ``mid`` the old scenario run on the new baseline (same paths, seed and settings as the
    new run):

    - data effect = mid - old (new data, same levers),
    - lever effect = new - mid (changed levers, same data),
    - total change = new - old = data effect + lever effect.

    Parameters
    ----------
    old, new : Result
        The earlier and the current result (e.g. from ``results_io.load_result``).
    rerun : Baseline, Result or callable
        The new baseline (the old scenario is run on it), the result of that run, or a function
        ``Scenario -> Result`` doing it.
    targets : DataFrame
        ``region_code, year, coverage`` [fraction]; the same targets are applied to all three
        results, so a change of target is not mistaken for a change of outlook.
    tree : RegionTree, optional
    thresholds : (float, float)
        Status thresholds, as in ``assess``.

    Returns
    -------
    DataFrame
        Tidy, one row per region, target year and measure: ``region_code, name, year, measure``
        ("probability" [fraction], "coverage": median coverage at the deadline [fraction],
        "cost_idr": expected cost in the target year of the levers acting entirely within the
        region [IDR]), ``unit, old, old_on_new_data, new, data_effect, lever_effect,
        total_change``. Regions and years present in only one result have NaN effects.
    """
    tree = tree if tree is not None else load_regions()
    missing = [c for c in ("region_code", "year", "coverage") if c not in targets.columns]
    if missing:
        raise InputError(f"targets: missing column {missing[0]!r}; expected region_code, year, coverage")
    targets = targets.assign(region_code=targets["region_code"].astype(str))
    mid = _old_on_new(old, new, rerun, tree)
    tables = [_measures(r, targets, tree, thresholds) for r in (old, mid, new)]
    keys = tables[0].index.union(tables[2].index).union(tables[1].index)
    order = {c: i for i, c in enumerate(tree.codes)}
    keys = sorted(keys, key=lambda k: (order.get(k[0], len(order)), k[0], k[1]))
    rows = []
    for code, year in keys:
        values = [tab.loc[(code, year)] if (code, year) in tab.index else None for tab in tables]
        for measure in MEASURES:
            o, m, n = (float(v[measure]) if v is not None else np.nan for v in values)
            rows.append({
                "region_code": code, "name": tree.name(code) if code in tree else code, "year": int(year),
                "measure": measure, "unit": MEASURE_UNITS[measure], "old": o, "old_on_new_data": m, "new": n,
                "data_effect": m - o, "lever_effect": n - m, "total_change": n - o,
            })
    out = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    out.attrs.update(old=old.scenario.name, new=new.scenario.name)
    return out


def _change_cell(value: float, unit: str, lang: str, signed: bool) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    sign = ("+" if value > 0 else "-" if value < 0 else "") if signed else ("-" if value < 0 else "")
    if unit == "fraction":
        return sign + number(100 * abs(value), 2, lang) + (f" {label('pp', lang)}" if signed else " %")
    return sign + rupiah(abs(value), short=abs(value) >= 1e6, lang=lang)


def changes_html(changes: pd.DataFrame, lang: str = "id", title: str | None = None) -> str:
    """A printable page of a ``what_changed`` frame: charts (coverage, probability) and the table."""
    lang = _lang(lang)
    old, new = changes.attrs.get("old", ""), changes.attrs.get("new", "")
    title = title or f"{label('what_changed', lang)}: {old} → {new}"
    cols = ["old", "old_on_new_data", "new", "data_effect", "lever_effect", "total_change"]
    head = [t("region", lang), t("year", lang), label("measure", lang), *[label(c, lang) for c in cols]]
    body = [[f"{r.name} ({r.region_code})", str(r.year), label("m_" + r.measure, lang),
             *[_change_cell(getattr(r, c), r.unit, lang, c.endswith(("effect", "change"))) for c in cols]]
            for r in changes.itertuples(index=False)]
    charts = "".join(f"<figure>{changes_svg(changes, m, lang)}</figure>" for m in ("coverage", "probability"))
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{_esc(title)}</title>"
            f"<style>{CSS}</style></head><body><section class='page'><h1>{_esc(title)}</h1>{charts}"
            f"{_table(head, body, {1, 3, 4, 5, 6, 7, 8})}</section></body></html>\n")

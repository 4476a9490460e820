"""Shared by the leadership outputs: export labels, month names and the numbers per region.

Used by ``workbook``, ``brief`` and ``changes``; callers import the public
names from ``simulator.report``.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import pandas as pd

from simulator.engine import BASELINE_LABEL, Result, lever_names
from simulator.errors import InputError
from simulator.fmt import number, percent
from simulator.i18n import LANGS, t
from simulator.regions import RegionTree

MONTHS = {
    "id": (
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

#: Labels used only in exports (the app's labels live in simulator.i18n).
LABELS: dict[str, tuple[str, str]] = {
    "inputs": ("Masukan", "Inputs"),
    "inputs_title": ("Masukan skenario", "Scenario inputs"),
    "status_title": ("Status per wilayah dan tenggat", "Status per region and deadline"),
    "coverage": ("Cakupan", "Coverage"),
    "coverage_title": ("Kuantil proyeksi cakupan per bulan", "Projected coverage quantiles per month"),
    "cost_title": ("Biaya per pembayar per tahun (nilai harapan)", "Cost per payer per year (expected)"),
    "cost_lever": ("Biaya per kebijakan", "Cost per lever"),
    "cost_lever_title": (
        "Biaya per kebijakan, pembayar dan tahun (nilai harapan)",
        "Cost per lever, payer and year (expected)",
    ),
    "backtest": ("Uji balik", "Backtest"),
    "backtest_title": ("Ringkasan uji balik model proyeksi dasar", "Backtest summary of the baseline models"),
    "no_backtest": ("Tabel uji balik tidak tersedia untuk hasil ini.", "No backtest table for this result."),
    "provenance": ("Asal-usul", "Provenance"),
    "provenance_title": ("Asal-usul hasil", "Provenance of the result"),
    "no": ("No.", "No."),
    "kind": ("Jenis", "Kind"),
    "parameter": ("Parameter", "Parameter"),
    "value": ("Nilai", "Value"),
    "unit": ("Satuan", "Unit"),
    "distribution": ("Sebaran", "Distribution"),
    "reference": ("Rujukan", "Reference"),
    "first_month": ("Median mencapai target", "Median reaches target"),
    "p10": ("Persentil 10", "Percentile 10"),
    "p90": ("Persentil 90", "Percentile 90"),
    "month": ("Bulan", "Month"),
    "quantile": ("Kuantil", "Quantile"),
    "cost_idr": ("Biaya (Rp)", "Cost (IDR)"),
    "model": ("Model", "Model"),
    "series": ("Jumlah seri", "Series"),
    "mase_median": ("MASE median", "Median MASE"),
    "mase_mean": ("MASE rata-rata", "Mean MASE"),
    "smape_mean": ("sMAPE rata-rata (%)", "Mean sMAPE (%)"),
    "coverage_80": ("Cakupan interval 80 %", "80 % interval coverage"),
    "coverage_95": ("Cakupan interval 95 %", "95 % interval coverage"),
    "chosen": ("Dipilih (seri)", "Chosen (series)"),
    "key": ("Butir", "Item"),
    "scenario": ("Skenario", "Scenario"),
    "description": ("Deskripsi", "Description"),
    "horizon": ("Horizon", "Horizon"),
    "data_hash": ("Hash data", "Data hash"),
    "seed": ("Seed", "Seed"),
    "paths": ("Jumlah jalur sampel", "Sample paths"),
    "package_version": ("Versi paket", "Package version"),
    "created": ("Dibuat", "Created"),
    "illustrative": ("Data ilustratif", "Illustrative data"),
    "projection": ("Bulan proyeksi", "Projection months"),
    "scenario_text": ("Teks skenario", "Scenario text"),
    "yes": ("Ya", "Yes"),
    "nope": ("Tidak", "No"),
    "fixed": ("tetap", "fixed"),
    "uniform": ("seragam", "uniform"),
    "beta": ("beta", "beta"),
    "triangular": ("segitiga", "triangular"),
    "mean": ("rerata", "mean"),
    "to_horizon": ("sampai horizon", "to the horizon"),
    "all_under": ("semua kabupaten/kota", "every kabupaten/kota"),
    "brief_title": ("Ringkasan proyeksi cakupan", "Coverage projection brief"),
    "overview": ("Ikhtisar", "Overview"),
    "top_levers": ("Tiga kebijakan paling berpengaruh", "The three levers that matter most"),
    "persons_added": ("Tambahan peserta (median)", "Participants added (median)"),
    "points": ("Poin cakupan", "Coverage points"),
    "cost_all_years": ("Biaya (seluruh tahun)", "Cost (all years)"),
    "no_levers": ("Tidak ada kebijakan tambahan di wilayah ini.", "No levers in this region."),
    "no_cost": ("Tidak ada biaya kebijakan di wilayah ini.", "No lever costs in this region."),
    "no_status": ("Tidak ada target dalam rentang proyeksi.", "No target within the projection."),
    "total": ("Jumlah", "Total"),
    "legend": (
        "Garis: median; pita: rentang 50/80/95 %; garis putus merah: target.",
        "Line: median; bands: 50/80/95 % ranges; dashed red line: target.",
    ),
    "generated": ("Dibuat oleh simulator versi", "Generated by simulator version"),
    "running_programme": ("program berjalan", "programme in force"),
    "all_scenario": ("seluruh skenario, nilai harapan", "whole scenario, expected"),
    "headline": ("Nasional dan provinsi", "Nation and province"),
    "details": ("Rincian per wilayah", "Details per region"),
    "tested_short": ("teruji", "tested"),
    "untested": ("belum teruji", "not tested"),
    "short_by": ("kurang {n} orang", "short by {n} persons"),
    "no_gap": ("tidak kurang", "no gap"),
    "history_legend": (
        "Garis hitam: cakupan tercatat; garis biru: median; pita: rentang 50/80/95 %; "
        "garis putus merah: target.",
        "Black line: recorded coverage; blue line: median; bands: 50/80/95 % ranges; "
        "dashed red line: target.",
    ),
    "what_changed": ("Apa yang berubah", "What changed"),
    "measure": ("Ukuran", "Measure"),
    "old": ("Lama", "Old"),
    "old_on_new_data": ("Skenario lama, data baru", "Old scenario, new data"),
    "new": ("Baru", "New"),
    "data_effect": ("Efek data baru", "Effect of new data"),
    "lever_effect": ("Efek perubahan kebijakan", "Effect of changed levers"),
    "total_change": ("Perubahan total", "Total change"),
    "m_probability": ("Peluang", "Probability"),
    "m_coverage": ("Cakupan (median)", "Coverage (median)"),
    "m_cost_idr": ("Biaya tahun itu", "Cost that year"),
    "pp": ("poin", "pts"),
    "tested": ("Teruji*", "Tested*"),
    "tested_note": (
        "* Teruji: seberapa sering pita 80 % proyeksi memuat angka sebenarnya dalam uji mundur, "
        "untuk tingkat wilayah dan jarak tenggat ini; – : tenggat lebih jauh dari yang teruji.",
        "* Tested: how often the projection's 80 % band held the truth in backtests, for this "
        "level and this deadline's distance; – : a deadline further ahead than was tested.",
    ),
    "calibration": ("Kalibrasi", "Calibration"),
    "sensitivity": ("Sensitivitas asumsi", "Assumption sensitivity"),
    "sensitivity_title": (
        "Asumsi mana yang menentukan peluang mencapai target (indeks Sobol' dan ambang)",
        "Which assumption decides the probability of reaching the target (Sobol' indices, thresholds)",
    ),
    "assumption": ("Asumsi", "Assumption"),
    "first_index": ("Indeks orde-1", "First-order index"),
    "total_index": ("Indeks total", "Total index"),
    "ci95": ("IK 95 %", "95 % CI"),
    "central": ("Nilai tengah", "Central value"),
    "threshold": ("Ambang", "Threshold"),
    "side": ("Target hilang bila", "Target lost when"),
    "calibration_title": (
        "Uji mundur proyeksi per tingkat wilayah (pita memuat angka sebenarnya)",
        "Backtest of the projection per level (bands holding the truth)",
    ),
}


def date_name(value: Any, lang: str = "id") -> str:
    """A date as words: "2025-11-26T08:00:00+00:00" -> "26 November 2025" (id and en); "–" when
    missing or unreadable. No ISO dates in the text a leader reads."""
    try:
        when = pd.Timestamp(str(value))
    except (ValueError, TypeError):
        return "–"
    if pd.isna(when):
        return "–"
    return f"{when.day} {MONTHS[lang][when.month - 1]} {when.year}"


def scenario_words(scenario: Any, lang: str = "id") -> tuple[str, str]:
    """(title, description) of a scenario in ``lang``: the file's ``title: {id, en}``; the bundled
    description's translation (simulator.i18n ``scn_NAME_desc``, as the app shows it), else the half of
    a "Bahasa / English" description for the language, else the description as written."""
    title = scenario.title(lang)
    key = f"scn_{scenario.name}_desc"
    if t(key, lang) != key:
        return title, t(key, lang)
    text = " ".join(str(scenario.description or "").split())
    halves = text.split(" / ")
    if len(halves) == 2:
        return title, halves[0 if lang == "id" else 1].strip()
    return title, text


def cost_rows(result: Result) -> pd.DataFrame:
    """Expected cost per payer and year [IDR] of everything the scenario pays for: its levers, and
    the programmes in force it leaves running (``Result.running_cost``: members already in the
    baseline, cost still paid). Returns ``group`` ("government": APBN, APBD, village budgets; "own":
    employers and workers paying their own contributions), ``payer``, ``running`` (bool),
    ``item`` (the programme's label for running rows, else ""), ``year``, ``cost_idr``."""
    from simulator.vocabulary import GOVERNMENT_PAYERS

    frames = []
    if len(result.cost):
        own = result.cost.groupby(["payer", "year"], as_index=False)["cost_idr"].sum()
        frames.append(own.assign(running=False, item=""))
    if len(result.running_cost):
        run = result.running_cost.groupby(["lever", "payer", "year"], as_index=False)["cost_idr"].sum()
        frames.append(run.rename(columns={"lever": "item"}).assign(running=True))
    if not frames:
        return pd.DataFrame(
            {
                "group": pd.Series(dtype=object),
                "payer": pd.Series(dtype=object),
                "running": pd.Series(dtype=bool),
                "item": pd.Series(dtype=object),
                "year": pd.Series(dtype=np.int64),
                "cost_idr": pd.Series(dtype=float),
            }
        )
    rows = pd.concat(frames, ignore_index=True)
    rows.insert(0, "group", np.where(rows["payer"].isin(GOVERNMENT_PAYERS), "government", "own"))
    return rows[["group", "payer", "running", "item", "year", "cost_idr"]]


def check_lang(lang: str) -> str:
    """``lang`` when it is a supported language ("id", "en"), else an InputError."""
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
def leaves_under(tree: RegionTree, code: str) -> set[str]:
    """Kabupaten/kota at or under ``code`` (from the cached summing matrix; fast for the nation)."""
    from simulator.baseline import summing_matrix

    codes, leaves, s = summing_matrix(tree)
    if code not in tree:
        return set()
    return {leaf for leaf, on in zip(leaves, s[codes.index(code)], strict=True) if on}


def region_cost(result: Result, tree: RegionTree, codes: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """Expected cost of the levers acting entirely within each region [IDR].

    A lever counts for region ``code`` when every kabupaten/kota in its scope lies under ``code``
    (so the nation carries every lever, a province the levers scoped to it or its kabupaten/kota).

    Returns ``region_code, payer, year, cost_idr``.
    """
    from simulator.scenario import scope_leaves

    columns = ["region_code", "payer", "year", "cost_idr"]
    levers = result.scenario.levers
    scopes = {
        name: set(scope_leaves(lever.region, tree))
        for name, lever in zip(lever_names(levers), levers, strict=True)
    }
    frames = []
    for code in codes:
        under = leaves_under(tree, code)
        inside = [name for name, scope in scopes.items() if scope and scope <= under]
        rows = result.cost[result.cost["lever"].isin(inside)]
        if len(rows):
            sums = rows.groupby(["payer", "year"], as_index=False)["cost_idr"].sum()
            frames.append(sums.assign(region_code=code))
    if not frames:
        return pd.DataFrame(
            {
                "region_code": pd.Series(dtype=object),
                "payer": pd.Series(dtype=object),
                "year": pd.Series(dtype=np.int64),
                "cost_idr": pd.Series(dtype=float),
            }
        )
    return pd.concat(frames, ignore_index=True)[columns]


def top_levers(result: Result, code: str, month: pd.Period, n: int = 3) -> pd.DataFrame:
    """The ``n`` levers adding most participants (median waterfall) in ``code`` at ``month``.

    Returns ``lever, persons`` [persons], ``points`` (persons / median employed [fraction]) and
    ``cost_idr`` (expected cost of the lever over all years [IDR]), largest effect first.
    """
    c = result.waterfall([code], [month])
    rows = c[c["lever"] != BASELINE_LABEL]
    r, m = result.index_of(code), int(result.months.get_loc(month))
    employed = float(np.median(result.employed_of(r, m)))
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
        text = (
            f"{name}: peluang mencapai {target} pada {deadline}: {chance} ({status}). "
            f"Median proyeksi {percent(row.median)} (rentang 80 %: {band})"
        )
        if row.gap_persons >= 0.5:
            return text + f", kurang {number(row.gap_persons)} orang."
        return text + (
            f"; median mencapai target pada {month_name(row.first_month, lang)}."
            if not pd.isna(row.first_month)
            else "."
        )
    text = (
        f"{name}: probability of reaching {target} by {deadline}: {percent(row.probability, 0, 'en')} "
        f"({status}). Projected median {percent(row.median, lang='en')} (80 % band: {band})"
    )
    if row.gap_persons >= 0.5:
        return text + f", short by {number(row.gap_persons, lang='en')} persons."
    return text + (
        f"; the median reaches the target in {month_name(row.first_month, lang)}."
        if not pd.isna(row.first_month)
        else "."
    )


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

    out = pd.DataFrame(
        {
            "series": grouped["unique_id"].nunique(),
            "mase_median": grouped["mase"].median(),
            "mase_mean": grouped["mase"].mean(),
            "smape_mean": mean_of("smape"),
            "coverage_80": mean_of("coverage_80"),
            "coverage_95": mean_of("coverage_95"),
            "chosen": grouped["chosen"].sum().astype(float) if "chosen" in backtest.columns else np.nan,
        }
    )
    return out.reset_index()


def esc(text: Any) -> str:
    """``text`` as HTML-escaped text."""
    return html.escape(str(text))

"""Leadership outputs: workbook read back cell by cell, brief HTML/PDF, and the "what changed" split."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import re
import shutil
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator import __version__
from simulator.baseline import Baseline, fake_baseline
from simulator.engine import run_scenario
from simulator.errors import InputError
from simulator.regions import load_regions
from simulator.report import (
    PdfEngineError,
    backtest_summary,
    brief_html,
    brief_pdf,
    changes_html,
    fan_svg,
    find_pdf_engine,
    int_format,
    what_changed,
    workbook_bytes,
)
from simulator.results_io import provenance_of, save_result
from simulator.scenario import parse_scenario
from simulator.targets import assess

KALBAR_LEAVES, NATION_LEAVES = 14, 514
EMPLOYED = 150_000.0  # [persons] per kabupaten/kota
N = 26_373  # [persons] Kalbar 2024 subsidy headcount
COST = 26_373 * 16_800 * 12  # [IDR] = 5.316.796.800
TARGETS = pd.DataFrame({"region_code": ["00", "61"], "year": [2025, 2025], "coverage": [0.34, 0.40]})


@lru_cache(maxsize=1)
def tree():
    return load_regions()


@lru_cache(maxsize=2)
def flat(active_per_leaf: float, data_hash: str) -> Baseline:
    """Identical flat paths for 2025: every kabupaten/kota has ``active_per_leaf`` of 150.000 employed."""
    base = fake_baseline(tree(), ("2025-01", "2025-12"), 4, active_per_leaf, EMPLOYED)
    return dataclasses.replace(
        base, meta={**base.meta, "data_hash": data_hash, "horizon": 12, "calibration": CALIBRATION}
    )


#: The calibration table the baseline carries (what project_baseline measures): Dec 2025 is 12
#: months after the last observed month (Dec 2024), so the 7-12 rows apply.
CALIBRATION = [
    {
        "level": lev,
        "months_ahead": band,
        "points": 100,
        "held_50": 0.5,
        "held_80": held,
        "held_95": 0.95,
        "median_error": 0.01,
        "crps": 0.02,
        "crps_naive": 0.03,
        "skill": 1 / 3,
    }
    for lev, band, held in (("provinsi", "1-6", 0.81), ("provinsi", "7-12", 0.78), ("nasional", "7-12", 0.74))
]


def subsidy_scenario(headcount: int, name: str):
    text = f"""name: {name}
horizon: 2025-12
levers:
  - kind: contribution_subsidy
    label: Bantuan iuran Kalbar
    region: "61"
    headcount: {headcount}            # [persons]
    start: 2025-01
    months: 12
    ramp_months: 1
    unit_cost: 16800                  # [IDR/person/month]
    payer: apbd_provinsi
    reference: Pergub Kalbar No. 4/2023
"""
    return parse_scenario(text, source=f"{name}.yaml", tree=tree()), text


@lru_cache(maxsize=4)
def run(active_per_leaf: float, headcount: int):
    scenario, _ = subsidy_scenario(headcount, f"subsidy-{headcount}")
    return run_scenario(flat(active_per_leaf, f"hash-{int(active_per_leaf)}"), scenario, seed=3, tree=tree())


def old_result():
    return run(50_000.0, N)


# ---- hand-checked numbers behind every output -------------------------------------------------------
def test_constructed_case_is_what_the_hand_numbers_assume():
    assert len(tree().leaves("61")) == KALBAR_LEAVES and len(tree().leaves("00")) == NATION_LEAVES
    status = assess(old_result(), TARGETS).set_index("region_code")
    np.testing.assert_allclose(status.loc["61", "median"], (14 * 50_000 + N) / (14 * EMPLOYED), rtol=1e-6)
    np.testing.assert_allclose(old_result().cost["cost_idr"], [COST])
    assert COST == 5_316_796_800


# ---- workbook ---------------------------------------------------------------------------------------
def read_workbook(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def table(ws) -> list[list]:
    """Data rows (row 5 on) of a sheet, as lists of cell values."""
    return [list(r) for r in ws.iter_rows(min_row=5, values_only=True)]


def formats(ws, row: int) -> list[str]:
    return [c.number_format for c in ws[row]]


@lru_cache(maxsize=2)
def workbook(lang: str = "id") -> bytes:
    backtest = pd.DataFrame(
        {
            "unique_id": ["61.01", "61.01", "61.02", "61.02"],
            "model": ["naive", "auto", "naive", "auto"],
            "mase": [1.0, 0.8, 1.2, 0.6],
            "smape": [4.0, 3.0, 6.0, 2.0],
            "coverage_80": [0.8, 0.9, 0.7, 0.8],
            "coverage_95": [0.9, 1.0, 0.9, 0.9],
            "chosen": [False, True, False, True],
        }
    )
    targets = TARGETS.assign(coverage=[0.34, 0.34])
    result = old_result()
    _, text = subsidy_scenario(N, "subsidy-26373")
    prov = provenance_of(result, text, illustrative=True, created="2025-11-26T08:00:00+00:00")
    return workbook_bytes(result, assess(result, targets), backtest, lang=lang, provenance=prov, tree=tree())


def test_workbook_has_the_six_parts_in_order():
    wb = read_workbook(workbook())
    assert wb.sheetnames == [
        "Masukan",
        "Status",
        "Kalibrasi",
        "Cakupan",
        "Biaya",
        "Biaya per kebijakan",
        "Uji balik",
        "Asal-usul",
    ]
    assert read_workbook(workbook("en")).sheetnames == [
        "Inputs",
        "Status",
        "Calibration",
        "Coverage",
        "Cost",
        "Cost per lever",
        "Backtest",
        "Provenance",
    ]


def test_cost_sheet_holds_5_316_796_800_as_a_number_with_indonesian_digit_groups():
    ws = read_workbook(workbook())["Biaya"]
    assert [c.value for c in ws[4]] == ["Pembayar", "Tahun", "Biaya (Rp)"]
    assert table(ws) == [["APBD provinsi", 2025, pytest.approx(5_316_796_800, abs=0.01)]]
    assert isinstance(ws["C5"].value, int | float)  # a number, not the text "5.316.796.800"
    assert ws["C5"].number_format == '#"."###"."###"."##0;-#"."###"."###"."##0'
    assert ws["B5"].number_format == "0"
    lever = read_workbook(workbook())["Biaya per kebijakan"]
    assert table(lever) == [["Bantuan iuran Kalbar", "APBD provinsi", 2025, pytest.approx(COST, abs=0.01)]]


@pytest.mark.parametrize(
    "value, lang, expected",
    [
        (5_316_796_800, "id", '#"."###"."###"."##0;-#"."###"."###"."##0'),
        (26_373, "id", '##"."##0;-##"."##0'),
        (999.6, "id", '#"."##0;-#"."##0'),  # rounds to 1.000
        (-1_234_567, "id", '#"."###"."##0;-#"."###"."##0'),
        (0, "id", "0;-0"),
        (float("nan"), "id", "0"),
        (5_316_796_800, "en", "#,##0"),
    ],
)
def test_int_format_groups_digits_with_literal_dots(value, lang, expected):
    assert int_format(value, lang) == expected


def test_status_sheet_cell_by_cell():
    ws = read_workbook(workbook())["Status"]
    assert [c.value for c in ws[4]] == [
        "Kode",
        "Wilayah",
        "Tahun",
        "Target",
        "Tenggat",
        "Peluang tercapai",
        "Teruji*",
        "Median proyeksi",
        "Persentil 10",
        "Persentil 90",
        "Kekurangan (orang)",
        "Median mencapai target",
        "Status",
    ]
    rows = table(ws)
    assert [r[:3] for r in rows] == [["00", "Indonesia", 2025], ["61", "Kalimantan Barat", 2025]]
    kalbar = rows[1]
    coverage = (14 * 50_000 + N) / (14 * EMPLOYED)
    assert kalbar[3] == pytest.approx(0.34)
    assert kalbar[4] == dt.datetime(2025, 12, 1)
    assert kalbar[5] == 1.0
    assert kalbar[6] == pytest.approx(0.78)  # the province level's 80 % band at 7-12 months
    assert kalbar[7:10] == [pytest.approx(coverage, rel=1e-6)] * 3
    assert kalbar[10] == 0.0
    assert kalbar[11] == dt.datetime(2025, 1, 1)
    assert kalbar[12] == "sesuai jalur"
    nation = rows[0]
    assert nation[6] == pytest.approx(0.74)
    assert nation[7] == pytest.approx((514 * 50_000 + N) / (514 * EMPLOYED), rel=1e-6)
    assert nation[10] == pytest.approx(0.34 * 514 * EMPLOYED - (514 * 50_000 + N), rel=1e-5)  # 487.627
    calibration = table(read_workbook(workbook())["Kalibrasi"])
    assert [r[:2] for r in calibration] == [["Provinsi", "1-6"], ["Provinsi", "7-12"], ["Nasional", "7-12"]]
    assert [r[4] for r in calibration] == [pytest.approx(0.81), pytest.approx(0.78), pytest.approx(0.74)]
    assert nation[12] == "di luar jalur"
    assert formats(ws, 6)[2:12] == [
        "0",
        "[$-421]0.00%",
        "[$-421]mmmm yyyy",
        "[$-421]0%",
        "[$-421]0%",
        "[$-421]0.00%",
        "[$-421]0.00%",
        "[$-421]0.00%",
        "0;-0",
        "[$-421]mmmm yyyy",
    ]


def test_inputs_sheet_lists_every_lever_parameter_with_unit_and_reference():
    ws = read_workbook(workbook())["Masukan"]
    assert ws["A1"].value == "Masukan skenario: subsidy-26373 (Horizon Desember 2025)"
    assert ws["A2"].value.startswith("Data ilustratif")
    by_param = {r[3]: r for r in table(ws)}
    assert by_param["headcount"][4:6] == [26373, "orang"]
    assert by_param["unit_cost"][4:6] == [16800, "Rp/orang/bulan"]
    assert by_param["months"][4:6] == [12, "bulan"]
    assert by_param["start"][4] == dt.datetime(2025, 1, 1)
    assert by_param["region"][4] == "61 (Kalimantan Barat)"
    assert by_param["payer"][4] == "APBD provinsi"
    assert by_param["already_covered"][4:7] == [0, "fraksi", "tetap"]
    assert {r[1] for r in table(ws)} == {"Bantuan iuran Kalbar"}
    assert {r[7] for r in table(ws)} == {"Pergub Kalbar No. 4/2023"}
    row = next(i for i, r in enumerate(table(ws), start=5) if r[3] == "headcount")
    assert ws.cell(row=row, column=5).number_format == '##"."##0;-##"."##0'


def test_coverage_sheet_has_quantiles_per_month_as_numbers():
    ws = read_workbook(workbook())["Cakupan"]
    assert [c.value for c in ws[4]][:4] == ["Kode", "Wilayah", "Bulan", "Kuantil 2,5 %"]
    assert ws["J4"].value == "Kuantil 97,5 %"
    rows = [r for r in table(ws) if r[0] == "61"]
    assert [r[2] for r in rows] == [dt.datetime(2025, m, 1) for m in range(1, 13)]
    coverage = (14 * 50_000 + N) / (14 * EMPLOYED)
    np.testing.assert_allclose(np.array([r[3:] for r in rows], dtype=float), coverage, rtol=1e-6)


def test_backtest_sheet_summarises_per_model():
    rows = table(read_workbook(workbook())["Uji balik"])
    approx = pytest.approx
    assert rows == [
        ["naive", 2, approx(1.1), approx(1.1), approx(5.0), approx(0.75), approx(0.9), 0],
        ["auto", 2, approx(0.7), approx(0.7), approx(2.5), approx(0.85), approx(0.95), 2],
    ]


def test_provenance_sheet_has_hash_seed_version_date_and_scenario_text():
    ws = read_workbook(workbook())["Asal-usul"]
    items = {r[0]: r[1] for r in table(ws) if r[0]}
    assert items["Hash data"] == "hash-50000"
    assert items["Seed"] == 3 and items["Jumlah jalur sampel"] == 4
    assert items["Versi paket"] == __version__
    assert items["Dibuat"] == "2025-11-26T08:00:00+00:00"
    assert items["Data ilustratif"] == "Ya"
    lines = [r[1] or "" for r in table(ws)]
    start = lines.index("name: subsidy-26373")
    _, text = subsidy_scenario(N, "subsidy-26373")
    assert lines[start : start + len(text.splitlines())] == text.splitlines()


def test_no_number_is_stored_as_text():
    wb = read_workbook(workbook())
    numeric_text = re.compile(r"[-+]?(Rp)?[\d.,\s]+%?")
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=5):
            for cell in row:
                if cell.value == __version__ or cell.value in tree():  # version and region codes are text
                    continue
                text = isinstance(cell.value, str) and numeric_text.fullmatch(cell.value)
                assert not text, (ws.title, cell)


def test_workbook_prints_one_page_wide_with_the_note_and_headers_wrapped():
    wb = read_workbook(workbook())
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$4:$4", ws.title
        merged = {str(r) for r in ws.merged_cells.ranges}
        assert f"A2:{chr(ord('A') + ws.max_column - 1)}2" in merged, ws.title
        assert ws["A2"].alignment.wrap_text and ws.row_dimensions[2].height >= 15, ws.title
    status = wb["Status"]  # "Peluang tercapai" in a column 12 wide: two lines
    assert status.row_dimensions[4].height == 30


def test_english_workbook_uses_english_formats_and_labels():
    wb = read_workbook(workbook("en"))
    assert wb["Cost"]["C5"].number_format == "#,##0"
    assert wb["Status"]["M6"].value == "on track"
    assert wb["Status"]["E6"].number_format == "[$-409]mmmm yyyy"


def test_workbook_of_a_reloaded_result_equals_the_original(tmp_path):
    from simulator.results_io import load_saved

    result = old_result()
    _, text = subsidy_scenario(N, "subsidy-26373")
    saved = load_saved(save_result(result, tmp_path / "r", scenario_text=text, targets=TARGETS), tree=tree())
    status = assess(result, TARGETS)
    a = read_workbook(workbook_bytes(result, status, provenance=saved.provenance, tree=tree()))
    b = read_workbook(workbook_bytes(saved.result, saved.status, provenance=saved.provenance, tree=tree()))
    for name in a.sheetnames:
        assert [list(r) for r in a[name].values] == [list(r) for r in b[name].values], name


# ---- what changed ------------------------------------------------------------------------------------
def changes(rerun=None):
    old, new = old_result(), run(60_000.0, 2 * N)
    new_base = flat(60_000.0, "hash-60000")
    return what_changed(old, new, new_base if rerun is None else rerun, TARGETS, tree=tree())


def test_what_changed_splits_into_new_data_and_changed_levers_by_hand():
    # old: 50.000 active per leaf + 26.373 subsidised; new data: 60.000 per leaf; new levers: 52.746
    frame = changes().set_index(["region_code", "measure"])
    k = frame.loc[("61", "coverage")]
    np.testing.assert_allclose(
        k[["old", "old_on_new_data", "new"]].to_numpy(dtype=float),
        [(700_000 + N) / 2_100_000, (840_000 + N) / 2_100_000, (840_000 + 2 * N) / 2_100_000],
        rtol=1e-6,
    )
    np.testing.assert_allclose(k["data_effect"], 140_000 / 2_100_000, rtol=1e-5)
    np.testing.assert_allclose(k["lever_effect"], N / 2_100_000, rtol=1e-4)
    np.testing.assert_allclose(k["total_change"], (140_000 + N) / 2_100_000, rtol=1e-5)  # 6,67 + 1,26 poin
    p = frame.loc[("61", "probability")]  # target 40 %: missed with the old data, reached with the new
    assert p[["old", "old_on_new_data", "new", "data_effect", "lever_effect"]].tolist() == [0, 1, 1, 1, 0]
    c = frame.loc[("61", "cost_idr")]  # cost does not depend on the data, only on the levers
    np.testing.assert_allclose(
        c[["old", "old_on_new_data", "new"]].to_numpy(dtype=float), [COST, COST, 2 * COST]
    )
    np.testing.assert_allclose(c[["data_effect", "lever_effect"]].to_numpy(dtype=float), [0, COST], atol=1e-3)
    n = frame.loc[("00", "coverage")]
    np.testing.assert_allclose(n["data_effect"], 514 * 10_000 / (514 * EMPLOYED), rtol=1e-5)
    np.testing.assert_allclose(n["lever_effect"], N / (514 * EMPLOYED), rtol=1e-3)
    assert frame.loc[("00", "cost_idr"), "new"] == pytest.approx(2 * COST)


def test_data_and_lever_effects_add_up_to_the_total_change():
    frame = changes()
    assert list(frame.columns) == [
        "region_code",
        "name",
        "year",
        "measure",
        "unit",
        "old",
        "old_on_new_data",
        "new",
        "data_effect",
        "lever_effect",
        "total_change",
    ]
    assert len(frame) == 2 * 3
    np.testing.assert_allclose(frame["data_effect"] + frame["lever_effect"], frame["total_change"], atol=1e-6)
    np.testing.assert_allclose(frame["total_change"], frame["new"] - frame["old"])


@pytest.mark.parametrize("how", ["baseline", "result", "callable"])
def test_rerun_may_be_a_baseline_a_result_or_a_callable(how):
    base = flat(60_000.0, "hash-60000")
    mid = run_scenario(base, old_result().scenario, seed=3, tree=tree())
    rerun = {
        "baseline": base,
        "result": mid,
        "callable": lambda sc: run_scenario(base, sc, seed=3, tree=tree()),
    }[how]
    pd.testing.assert_frame_equal(changes(rerun), changes())


def test_nothing_changed_gives_zero_effects():
    old = old_result()
    frame = what_changed(old, old, old, TARGETS, tree=tree())
    assert (frame[["data_effect", "lever_effect", "total_change"]].to_numpy() == 0).all()
    assert len(frame) == 6


def test_changes_page_has_charts_and_the_table():
    page = changes_html(changes())
    assert page.count("<svg") == 3  # coverage, probability and cost
    assert "Apa yang berubah: Biaya tahun itu (Rp M)" in page
    assert "Efek data baru" in page and "Efek perubahan kebijakan" in page
    assert "+6,67 poin" in page  # 61 coverage: data effect 140.000 / 2.100.000
    assert "+Rp5,32 M" in page  # 61 cost: lever effect


# ---- brief -------------------------------------------------------------------------------------------
@lru_cache(maxsize=2)
def brief(lang: str = "id") -> str:
    result = old_result()
    targets = TARGETS.assign(coverage=[0.34, 0.5956])
    return brief_html(
        result,
        assess(result, targets),
        tree(),
        lang=lang,
        provenance=provenance_of(result, illustrative=True, created="2025-11-26T08:00:00+00:00"),
    )


def test_brief_has_a_cover_and_one_page_per_province_group():
    page = brief()
    # page 1 (the one-page brief), then the detail pages: Indonesia, Kalimantan Barat
    assert page.count("<section class='page cover'>") == 1 and page.count("<section class='page'>") == 2
    assert "<h2>Indonesia (00)</h2>" in page and "<h2>Kalimantan Barat (61)</h2>" in page
    # fan charts with target lines: nation and province side by side on page 1, one per detail page
    assert page.count("<svg") == 4 and "stroke-dasharray" in page
    assert "break-after: page" in page and "@page { size: A4" in page
    assert "Data ilustratif" in page


def _cover(page: str) -> str:
    return page.split("<section class='page cover'>")[1].split("</section>")[0]


def _cells(html_text: str) -> list[list[str]]:
    rows = [
        re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html_text)
    ]
    return [row for row in rows if row]  # the header row has no <td>


def test_brief_page_one_puts_nation_and_province_together():
    cover = _cover(brief())
    cards = re.findall(r"<div class='card card-([a-z-]+)'><b>([^<]+)</b>", cover)
    assert cards == [("off-track", "Indonesia"), ("off-track", "Kalimantan Barat")]
    assert cover.count("<svg") == 2
    # Kalimantan Barat's card: target 59,56 %, probability 0 % with its tested 78 %, the gap in persons
    gap = round(0.5956 * 14 * EMPLOYED - (14 * 50_000 + N))
    assert "Target 2025: <b>59,56 %</b>" in cover and "<b>0 %</b> (teruji 78 %)" in cover
    assert f"kurang {gap:,} orang".replace(",", ".") in cover
    status, costs, levers = cover.split("<h3>")[1:4]
    assert [row[0] for row in _cells(status)] == ["Indonesia (00)", "Kalimantan Barat (61)"]
    assert status.startswith("Status</h3>") and "<th class=n>Teruji*</th>" in status
    # cost per payer and year: government budgets first, the programme in force they keep paying
    # (Pergub 4/2023, 26.373 x Rp16.800 x 12) beside the scenario's own lever, then their sum
    assert costs.startswith("Biaya per pembayar per tahun (seluruh skenario, nilai harapan)</h3>")
    assert _cells(costs) == [
        ["Anggaran pemerintah", "", ""],
        ["APBD provinsi", "Rp5,32 M", "Rp5,32 M"],
        [
            "APBD provinsi – program berjalan: Bantuan iuran Pemprov Kalbar (Pergub 4/2023)",
            "Rp5,32 M",
            "Rp5,32 M",
        ],
        ["Jumlah anggaran pemerintah", "Rp10,63 M", "Rp10,63 M"],
        ["Jumlah", "Rp10,63 M", "Rp10,63 M"],
    ]
    assert levers.startswith("Tiga kebijakan paling berpengaruh: Kalimantan Barat</h3>")
    assert _cells(levers) == [["Bantuan iuran Kalbar", "26.373", "1,26", "Rp5.316.796.800"]]


def test_brief_cost_keeps_government_budgets_apart_from_own_contributions():
    from simulator.report.brief import _cost_table

    cost = pd.DataFrame(
        {
            "payer": ["worker", "apbd_kabkota", "apbn", "apbn"],
            "year": [2025, 2025, 2025, 2026],
            "cost_idr": [1e9, 2e9, 3e9, 4e9],
        }
    )
    rows = _cells(_cost_table(cost, "id"))
    assert [r[0] for r in rows] == [
        "Anggaran pemerintah",
        "APBN",
        "APBD kabupaten/kota",
        "Jumlah anggaran pemerintah",
        "Dibayar sendiri (pekerja, pemberi kerja)",
        "Pekerja",
        "Jumlah",
    ]
    assert rows[3][1:] == ["Rp5,00 M", "Rp4,00 M", "Rp9,00 M"] and rows[6][1:] == [
        "Rp6,00 M",
        "Rp4,00 M",
        "Rp10,00 M",
    ]
    assert rows[5][1:] == ["Rp1,00 M", "–", "Rp1,00 M"]


def test_brief_charts_draw_the_recorded_history_before_the_projection():
    result = old_result()
    months = pd.period_range("2019-01", "2024-12", freq="M")
    recorded = pd.DataFrame({"month": months, "coverage": np.linspace(0.20, 0.30, len(months))})
    page = brief_html(result, assess(result, TARGETS), tree(), history=lambda code: recorded)
    assert page.count('class="history"') == 4  # both charts of page 1 and of each detail page
    points = re.search(r'<polyline class="history" points="([^"]+)"', page).group(1).split()
    assert len(points) == 48  # the last four years before the projection
    assert "Garis hitam: cakupan tercatat" in page
    assert 'class="history"' not in brief()  # without it the charts show the projection alone


def test_brief_writes_dates_in_words_and_the_scenario_in_the_chosen_language():
    result = old_result()
    scenario = dataclasses.replace(
        result.scenario,
        title_id="Kalbar: bantuan iuran",
        title_en="Kalbar: subsidy",
        description="Provinsi membayar iuran. / The province pays the contributions.",
    )
    result = dataclasses.replace(result, scenario=scenario)
    for lang, title, words, other in (
        ("id", "Kalbar: bantuan iuran", "Provinsi membayar iuran.", "The province"),
        ("en", "Kalbar: subsidy", "The province pays the contributions.", "Provinsi"),
    ):
        page = brief_html(
            result,
            assess(result, TARGETS),
            tree(),
            lang=lang,
            provenance=provenance_of(result, created="2025-11-26T08:00:00+00:00"),
        )
        assert (
            f"<h1>{'Ringkasan proyeksi cakupan' if lang == 'id' else 'Coverage projection brief'}: "
            f"{title}</h1>" in page
        )
        assert f"<p>{words}</p>" in page and other not in page
        assert "26 November 2025" in page
        assert not re.search(r"\d{4}-\d{2}-\d{2}", page)  # no ISO date anywhere a reader sees


def test_brief_has_one_sentence_per_detail_page_not_one_per_table_row():
    page = brief()
    assert page.count("peluang mencapai") == 2  # Indonesia's and Kalimantan Barat's, each once
    assert "<ul class='sentences'>" not in page


def test_brief_shows_each_probability_beside_its_tested_reliability():
    import re

    page = brief()
    assert "<th class=n>Teruji*</th>" in page and "* Teruji: seberapa sering pita 80 %" in page
    # Kalimantan Barat, 2025: probability 0 % (target 59,56 %), tested 78 % (province, 7-12 months)
    row = re.search(r"<tr><td>Kalimantan Barat \(61\)</td>(.*?)</tr>", page).group(1)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row)[3:5] == ["0 %", "78 %"]
    assert "<th class=n>Tested*</th>" in brief("en")


def test_brief_sentences_are_built_from_the_numbers():
    page = brief()
    coverage = (14 * 50_000 + N) / (14 * EMPLOYED)  # 34,59 %
    median = f"{coverage * 100:.2f}".replace(".", ",")  # 34,59
    assert (
        "Kalimantan Barat: peluang mencapai 59,56 % pada Desember 2025: 0 % (di luar jalur). "
        f"Median proyeksi {median} %"
    ) in page
    gap = round(0.5956 * 14 * EMPLOYED - (14 * 50_000 + N))
    assert f"kurang {gap:,} orang.".replace(",", ".") in page
    assert "Bantuan iuran Kalbar" in page and "Rp5.316.796.800" in page
    assert "<th class=n>Biaya (seluruh tahun)</th>" in page  # top levers: cost over every year
    english = brief("en")
    assert "Kalimantan Barat: probability of reaching 59.56% by December 2025: 0% (off track)." in english


def test_fan_chart_labels_close_targets_without_striking_them_through():
    # Kalbar's 2025 and 2026 targets (59,56 % and 60,80 %) are about 7 px apart on this chart
    marks = [(2025, 0.5956, pd.Period("2025-06", "M")), (2026, 0.6080, pd.Period("2025-12", "M"))]
    svg = fan_svg(old_result(), "61", marks)
    lines = [
        float(v)
        for v in re.findall(
            r'<line x1="[\d.]+" x2="[\d.]+" y1="([\d.]+)" y2="[\d.]+" '
            r'stroke="#c0392b"',
            svg,
        )
    ]
    texts = re.findall(
        r'<text x="[\d.]+" y="([\d.]+)" text-anchor="end" font-size="10" fill="#c0392b">'
        r"([^<]+)</text>",
        svg,
    )
    labels = {text: float(v) for v, text in texts}
    assert len(lines) == 2 and 0 < lines[0] - lines[1] < 10
    assert set(labels) == {"Target 2025: 59,56 %", "Target 2026: 60,80 %"}
    for baseline in labels.values():  # glyphs reach about 9 px above the baseline and 2 px below it
        assert not any(baseline - 10 <= line <= baseline + 3 for line in lines), (labels, lines)


def test_brief_pdf_without_an_engine_is_a_clear_error():
    with pytest.raises(PdfEngineError, match=r"no PDF engine: /nonexistent/chromium not found; install"):
        brief_pdf("<html></html>", engine="/nonexistent/chromium")


@pytest.mark.slow
@pytest.mark.browser
def test_brief_prints_to_a_pdf_with_one_page_per_section(tmp_path):
    if find_pdf_engine() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing in CI: .ci/run should have installed it")
        pytest.skip("no PDF engine (apt-get install chromium)")
    pdf = brief_pdf(brief())
    assert pdf[:5] == b"%PDF-"
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages >= 3
    result = old_result()  # page 1 alone is one A4 page
    cover = brief_pdf(
        brief_html(
            result, assess(result, TARGETS.assign(coverage=[0.34, 0.5956])), tree(), codes=[], province="61"
        )
    )
    assert len(re.findall(rb"/Type\s*/Page(?!s)", cover)) == 1
    (tmp_path / "brief.pdf").write_bytes(pdf)
    artifacts = Path(__file__).resolve().parent / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shutil.copy(tmp_path / "brief.pdf", artifacts / "brief.pdf")


# ---- bad input ---------------------------------------------------------------------------------------
BAD = [
    (
        "workbook language",
        lambda: workbook_bytes(old_result(), assess(old_result(), TARGETS), lang="fr", tree=tree()),
        r"lang: expected one of id, en, got 'fr'",
    ),
    (
        "brief language",
        lambda: brief_html(old_result(), assess(old_result(), TARGETS), tree(), lang="xx"),
        r"lang: expected one of id, en, got 'xx'",
    ),
    (
        "brief region",
        lambda: brief_html(old_result(), assess(old_result(), TARGETS), tree(), codes=["99"]),
        r"codes: unknown region code '99'",
    ),
    (
        "targets column",
        lambda: what_changed(old_result(), old_result(), old_result(), TARGETS.drop(columns="coverage")),
        r"targets: missing column 'coverage'",
    ),
    (
        "rerun type",
        lambda: what_changed(old_result(), old_result(), 42, TARGETS, tree=tree()),
        r"rerun: expected the new Baseline, a Result of the old scenario on it, or a callable",
    ),
    (
        "rerun returns junk",
        lambda: what_changed(old_result(), old_result(), lambda sc: None, TARGETS, tree=tree()),
        r"rerun: the callable must return a Result",
    ),
    (
        "backtest columns",
        lambda: backtest_summary(pd.DataFrame({"unique_id": ["a"], "model": ["naive"]})),
        r"backtest: column 'mase' missing",
    ),
]


@pytest.mark.parametrize("case, call, message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_clear_error(case, call, message):
    with pytest.raises(InputError, match=message):
        call()


# ---- command line ------------------------------------------------------------------------------------
@pytest.fixture()
def saved_pair(tmp_path):
    _, old_text = subsidy_scenario(N, "subsidy-26373")
    _, new_text = subsidy_scenario(2 * N, "subsidy-52746")
    old = save_result(old_result(), tmp_path / "old", scenario_text=old_text, targets=TARGETS)
    new = save_result(run(60_000.0, 2 * N), tmp_path / "new", scenario_text=new_text, targets=TARGETS)
    return old, new


def test_report_command_writes_workbook_and_brief(saved_pair, tmp_path, capsys):
    from simulator.cli import main

    xlsx, page = tmp_path / "r.xlsx", tmp_path / "r.html"
    assert main(["report", str(saved_pair[0]), "--xlsx", str(xlsx), "--html", str(page)]) == 0
    assert table(read_workbook(xlsx.read_bytes())["Biaya"])[0][2] == pytest.approx(COST, abs=0.01)
    assert "<h2>Kalimantan Barat (61)</h2>" in page.read_text(encoding="utf-8")
    out = capsys.readouterr().out
    assert f"workbook -> {xlsx}" in out and "data ilustratif" in out


def test_changes_command_rebuilds_the_new_baseline_and_splits_the_change(
    saved_pair, tmp_path, monkeypatch, capsys
):
    import simulator.cli_report as cli_report
    from simulator.cli import main

    calls = []

    def bundled(horizon, paths, data):
        calls.append((horizon, paths, data))
        return None, flat(60_000.0, "hash-60000"), None

    monkeypatch.setattr(cli_report, "_bundled", bundled)
    out = tmp_path / "changes.csv"
    assert (
        main(
            [
                "changes",
                str(saved_pair[0]),
                str(saved_pair[1]),
                "--output",
                str(out),
                "--html",
                str(tmp_path / "c.html"),
            ]
        )
        == 0
    )
    assert calls == [(12, 4, None)]
    note = "# catatan: data ilustratif, bukan angka resmi / note: illustrative data, not official figures"
    assert out.read_text(encoding="utf-8").splitlines()[0] == note  # saved results of a fake baseline
    frame = pd.read_csv(out, dtype={"region_code": str}, skiprows=1)
    pd.testing.assert_frame_equal(frame, changes().reset_index(drop=True), check_dtype=False)
    printed = capsys.readouterr().out
    assert re.search(r"61\s+2025 coverage\s+34,59 %\s+42,51 %\s+6,67 poin\s+1,26 poin", printed)


def test_changes_command_refuses_a_baseline_with_other_data(saved_pair, monkeypatch, capsys):
    import simulator.cli_report as cli_report
    from simulator.cli import main

    monkeypatch.setattr(cli_report, "_bundled", lambda h, p, d: (None, flat(50_000.0, "hash-50000"), None))
    assert main(["changes", str(saved_pair[0]), str(saved_pair[1])]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--data: the data hash hash-50000 differs from the new result's hash-60000" in err


def _break(folder: Path) -> None:
    (folder / "result.npz").write_bytes(b"junk")


CLI_BAD = [
    (
        "missing folder",
        lambda old, new, tmp: ["report", str(tmp / "nope"), "--html", str(tmp / "x.html")],
        "nope: no such folder",
    ),
    ("nothing to write", lambda old, new, tmp: ["report", str(old)], "report: nothing to write"),
    (
        "output folder missing",
        lambda old, new, tmp: ["report", str(old), "--xlsx", str(tmp / "no" / "x.xlsx")],
        "x.xlsx: folder",
    ),
    (
        "corrupt result",
        lambda old, new, tmp: (_break(new), ["changes", str(old), str(new)])[1],
        "new/result.npz: contents differ from the hash",
    ),
    (
        "pdf engine missing",
        lambda old, new, tmp: ["report", str(old), "--pdf", str(tmp / "x.pdf")],
        "--pdf: no PDF engine",
    ),
]


@pytest.mark.parametrize("case, argv, message", CLI_BAD, ids=[c[0] for c in CLI_BAD])
def test_command_line_bad_input_exits_2_with_one_line(
    saved_pair, tmp_path, monkeypatch, capsys, case, argv, message
):
    from simulator.cli import main

    monkeypatch.setenv("SIMULATOR_PDF_ENGINE", "/nonexistent/chromium")
    assert main(argv(*saved_pair, tmp_path)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err


def _sweep_result():
    """A finished sweep of the subsidy scenario as ``sweep.write_result`` stores it: Kalbar 2025,
    retention decides (total 0,7), deadweight less (0,2)."""
    from simulator.sweep import SweepResult

    keys = {"region_code": "61", "year": 2025, "target": 0.34, "scheme": "RPJMN"}
    indices = pd.DataFrame(
        [
            {
                **keys,
                "output": "probability",
                "assumption": a,
                "first": f,
                "first_lo": f - 0.05,
                "first_hi": f + 0.05,
                "total": tt,
                "total_lo": tt - 0.05,
                "total_hi": tt + 0.05,
            }
            for a, f, tt in (("already_covered", 0.15, 0.2), ("retention_after", 0.6, 0.7))
        ]
    )
    thresholds = pd.DataFrame(
        [
            {
                **keys,
                "assumption": "retention_after",
                "central": 0.35,
                "lowest": 0.25,
                "highest": 0.45,
                "threshold": 0.28,
                "side": "below",
            },
            {
                **keys,
                "assumption": "already_covered",
                "central": 0.10,
                "lowest": 0.05,
                "highest": 0.15,
                "threshold": float("nan"),
                "side": "never lost",
            },
        ]
    )
    return SweepResult(
        summary=pd.DataFrame([keys]),
        indices=indices,
        thresholds=thresholds,
        design=pd.DataFrame({"point": [0]}),
        level=0.5,
    )


def test_report_with_a_sweep_has_the_sensitivity_sheet(saved_pair, tmp_path):
    """`report --sweep DIR`: the workbook gets the sweep's indices and thresholds per region and
    target year, the assumption that matters most first; the brief a page with the three first."""
    from simulator.cli import main
    from simulator.sweep import write_result

    (tmp_path / "sweep").mkdir()
    write_result(_sweep_result(), tmp_path / "sweep", illustrative=True)
    xlsx, page = tmp_path / "r.xlsx", tmp_path / "r.html"
    assert (
        main(
            [
                "report",
                str(saved_pair[0]),
                "--xlsx",
                str(xlsx),
                "--html",
                str(page),
                "--sweep",
                str(tmp_path / "sweep"),
            ]
        )
        == 0
    )
    brief_text = page.read_text(encoding="utf-8")
    assert "<h2>Sensitivitas asumsi</h2>" in brief_text
    assert (
        "<td>retention_after</td><td class=n>0,60 (0,55–0,65)</td><td class=n>0,70 (0,65–0,75)</td>"
        in brief_text
    )
    ws = read_workbook(xlsx.read_bytes())["Sensitivitas asumsi"]
    rows = table(ws)
    assert [r[:4] for r in rows] == [
        ["61", "Kalimantan Barat", 2025, "retention_after"],
        ["61", "Kalimantan Barat", 2025, "already_covered"],
    ]
    assert (
        rows[0][4] == pytest.approx(0.6) and rows[0][5] == "0,55 – 0,65" and rows[0][6] == pytest.approx(0.7)
    )
    assert rows[0][8:] == [pytest.approx(0.35), pytest.approx(0.28), "below"]
    assert rows[1][9] == "–"
    assert "Sensitivitas asumsi" not in read_workbook(workbook()).sheetnames  # only with a sweep

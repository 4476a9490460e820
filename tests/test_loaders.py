"""Data loaders: one table of malformed inputs with their exact messages, then files that must load."""

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from simulator.errors import InputError
from simulator.loaders import Panel, guess_kind, load_data, load_table, summarize
from simulator.regions import DATA_DIR

H = "region_code,segment,ds,active\n"
T = "region_code,year,coverage\n"
W = "region_code,period,employed\n"
TODAY = pd.Timestamp.today()
THIS_MONTH = f"{TODAY.year:04d}-{TODAY.month:02d}"


def xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    """An .xlsx workbook with the given sheets and rows, as bytes."""
    import io

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write(folder: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


# (files to write, what to load, kind for load_table or None for load_data, sheet, exact message).
# "{tmp}" in a target or message stands for the test's folder.
BAD = [
    pytest.param(
        {"h.csv": "region_code,segment,ds\n61.01,PU,2024-01\n"},
        "h.csv",
        "history",
        None,
        "h.csv: row 1: missing column 'active' (expected the columns region_code, segment, ds, active; "
        "found region_code, segment, ds)",
        id="missing-column",
    ),
    pytest.param(
        {"h.csv": "region_code,segment,ds,actve\n61.01,PU,2024-01,5\n"},
        "h.csv",
        "history",
        None,
        "h.csv: row 1, column actve: not a known column; did you mean 'active'? "
        "(expected the columns region_code, segment, ds, active)",
        id="misspelled-column",
    ),
    pytest.param(
        {"t.csv": "kode_wilayah,tahun,taget\n61,2025,0.5\n"},
        "t.csv",
        "targets",
        None,
        "t.csv: row 1, column taget: not a known column; did you mean 'coverage'? "
        "(expected the columns region_code, year, coverage)",
        id="misspelled-alias-suggests-canonical",
    ),
    pytest.param(
        {"h.csv": "region_code,kode,segment,ds,active\n61.01,61.01,PU,2024-01,5\n"},
        "h.csv",
        "history",
        None,
        "h.csv: row 1, column kode: means the same as column region_code (region_code): expected only "
        "one of them",
        id="two-columns-same-meaning",
    ),
    pytest.param(
        {"h.csv": H + "61.01,PU,2024-01,5\n99.99,PU,2024-01,5\n"},
        "h.csv",
        "history",
        None,
        "h.csv: row 3, column region_code: unknown region code '99.99': expected a Kemendagri code "
        "such as '61' or '61.01'",
        id="unknown-region-code",
    ),
    pytest.param(
        {"h.csv": H + "Atlantis,PU,2024-01,5\n"},
        "h.csv",
        "history",
        None,
        "h.csv: row 2, column region_code: unknown region 'Atlantis': expected a Kemendagri code or name "
        "(see `python -m simulator regions`)",
        id="unknown-region-name",
    ),
    pytest.param(
        {"h.csv": H + ",PU,2024-01,5\n"},
        "h.csv",
        "history",
        None,
        "h.csv: row 2, column region_code: missing value: expected a Kemendagri region code or name",
        id="missing-region",
    ),
    pytest.param(
        {"h.csv": H + "61.01,PU,2024-01,5\nKab. Sambas,PU,2024-01,6\n"},
        "h.csv",
        "history",
        None,
        "h.csv: row 3, columns region_code, segment, ds: duplicate of row 2 (61.01, PU, 2024-01): "
        "expected one row per region, segment and month",
        id="duplicate-region-segment-month",
    ),
    pytest.param(
        {"h.csv": H + "61.01,PU,2024-01,-5\n"},
        "h.csv",
        "history",
        None,
        "h.csv: row 2, column active: expected a number of persons >= 0, got '-5'",
        id="negative-count",
    ),
    pytest.param(
        {"h.csv": H + "61.01,PU,2024-01,banyak\n"},
        "h.csv",
        "history",
        None,
        "h.csv: row 2, column active: expected a whole number of persons, got 'banyak'",
        id="non-numeric-count",
    ),
    pytest.param(
        {"h.csv": "region_code;segment;ds;active\n61.01;PU;2024-01;12,5\n"},
        "h.csv",
        "history",
        None,
        "h.csv: row 2, column active: expected a whole number of persons, got '12,5'",
        id="fractional-count",
    ),
    pytest.param(
        {"h.csv": H + "61.01,PU,2024-01,\n"},
        "h.csv",
        "history",
        None,
        "h.csv: row 2, column active: missing value: expected a whole number of persons",
        id="empty-count",
    ),
    pytest.param(
        {"h.csv": H + "61.01,PU,2024-13,5\n"},
        "h.csv",
        "history",
        None,
        "h.csv: row 2, column ds: expected a month such as 2024-08, got '2024-13'",
        id="unparseable-date",
    ),
    pytest.param(
        {"h.csv": H + "61.01,PU,2099-01,5\n"},
        "h.csv",
        "history",
        None,
        f"h.csv: row 2, column ds: month 2099-01 is in the future: expected months up to {THIS_MONTH}",
        id="future-date",
    ),
    pytest.param(
        {"h.csv": H + "61.01,PU,2024-01,5\n61.01,PU,2024-02,5\n61.01,BPU,2024-01,5\n61.01,PU,2024-05,5\n"},
        "h.csv",
        "history",
        None,
        "h.csv: row 5, column ds: gap in the series of region 61.01, segment PU: first missing month 2024-03 "
        "(expected every month from 2024-01 to 2024-05)",
        id="gap-in-series",
    ),
    pytest.param(
        {"h.csv": H + "61.01,XYZ,2024-01,5\n"},
        "h.csv",
        "history",
        None,
        "h.csv: row 2, column segment: unknown segment 'XYZ': expected one of PU, BPU, JAKON, PMI",
        id="unknown-segment",
    ),
    pytest.param(
        {"h.csv": H + "61.01,PU,2024-01,5\n61.01,PU,2024-02,5,7\n"},
        "h.csv",
        "history",
        None,
        "h.csv: row 3: 5 values separated by ',' but the header (row 1) has 4 columns: expected one "
        "value per column",
        id="too-many-values",
    ),
    pytest.param(
        {"h.csv": ""},
        "h.csv",
        "history",
        None,
        "h.csv: the file is empty: expected a header row with the columns region_code, segment, ds, active",
        id="empty-file",
    ),
    pytest.param(
        {"h.csv": H},
        "h.csv",
        "history",
        None,
        "h.csv: no data rows: expected at least one row below the header (row 1)",
        id="header-only",
    ),
    pytest.param(
        {"b.xlsx": xlsx({"Riwayat": [["region_code", "segment", "ds", "active"]], "Catatan": [["x"]]})},
        "b.xlsx",
        "history",
        "Foo",
        "b.xlsx: no sheet named 'Foo': the workbook has the sheets 'Riwayat', 'Catatan'",
        id="wrong-sheet",
    ),
    pytest.param(
        {
            "b.xlsx": xlsx(
                {
                    "Riwayat": [
                        ["region_code", "segment", "ds", "active"],
                        ["61.01", "PU", "2024-01", 5],
                        ["61.01", "PU", "2024-02", "x"],
                    ]
                }
            )
        },
        "b.xlsx",
        "history",
        None,
        "b.xlsx: row 3, column active: expected a whole number of persons, got 'x'",
        id="xlsx-bad-cell",
    ),
    pytest.param(
        {"t.csv": "region_code;year;coverage\n61;2025;45,34 %\n"},
        "t.csv",
        "targets",
        None,
        "t.csv: row 2, column coverage: expected a fraction such as 0.4534, got '45,34 %'",
        id="percent-instead-of-fraction",
    ),
    pytest.param(
        {"t.csv": T + "61,2025,45.34\n"},
        "t.csv",
        "targets",
        None,
        "t.csv: row 2, column coverage: expected a fraction between 0 and 1 such as 0.4534, got '45.34'",
        id="coverage-above-one",
    ),
    pytest.param(
        {"t.csv": T + "61,2025,-0.1\n"},
        "t.csv",
        "targets",
        None,
        "t.csv: row 2, column coverage: expected a fraction between 0 and 1 such as 0.4534, got '-0.1'",
        id="coverage-below-zero",
    ),
    pytest.param(
        {"t.csv": T + "61,2025.5,0.5\n"},
        "t.csv",
        "targets",
        None,
        "t.csv: row 2, column year: expected a whole year such as 2025, got '2025.5'",
        id="year-not-integer",
    ),
    pytest.param(
        {"w.csv": W + "61,2024-08,100\nKalbar,2024-08,200\n"},
        "w.csv",
        "workforce",
        None,
        "w.csv: row 3, columns region_code, period: duplicate of row 2 (61, 2024-08): "
        "expected one row per region and period",
        id="duplicate-workforce-period",
    ),
    pytest.param(
        {"w.csv": "region_code,period,employed,estimate\n61,2024-08,100,maybe\n"},
        "w.csv",
        "workforce",
        None,
        "w.csv: row 2, column estimate: expected 0 (published figure) or 1 (estimate), got 'maybe'",
        id="bad-estimate-flag",
    ),
    pytest.param(
        {"h.csv": H + "61.01,PU,2024-01,5\n"},
        "h.csv",
        "peserta",
        None,
        "h.csv: unknown file kind 'peserta': expected one of history, workforce, targets",
        id="unknown-kind",
    ),
    pytest.param(
        {},
        "nope.csv",
        "history",
        None,
        "{tmp}/nope.csv: file not found",
        id="file-not-found",
    ),
    pytest.param(
        {"notes.txt": H},
        "notes.txt",
        "history",
        None,
        "notes.txt: unsupported file type '.txt': expected .csv or .xlsx",
        id="unsupported-extension",
    ),
    pytest.param(
        {"old.xls": H},
        "old.xls",
        "history",
        None,
        "old.xls: unsupported file type '.xls': expected .csv or .xlsx (save it as .xlsx)",
        id="old-excel",
    ),
    pytest.param(
        {"x.csv": "a,b\n1,2\n"},
        "x.csv",
        None,
        None,
        "x.csv: row 1: cannot tell what the file holds from its columns (a, b): expected the columns of "
        "history (region_code, segment, ds, active); workforce (region_code, period, employed); "
        "targets (region_code, year, coverage)",
        id="single-file-kind-unknown",
    ),
    pytest.param(
        {"readme.md": "x"},
        ".",
        None,
        None,
        "{tmp}: no data files found: expected history*.csv/.xlsx, workforce.csv/.xlsx or targets.csv/.xlsx",
        id="folder-without-data",
    ),
    pytest.param(
        {
            "history.csv": H + "61.01,PU,2024-08,1000\n61.01,BPU,2024-08,500\n",
            "workforce.csv": W + "61.01,2024-08,1200\n",
        },
        ".",
        None,
        None,
        "history.csv: column region_code: 513 kabupaten/kota missing (11.01 Kabupaten Aceh Selatan, "
        "11.02 Kabupaten "
        "Aceh Tenggara, 11.03 Kabupaten Aceh Timur, ...): expected every kabupaten/kota",
        id="history-missing-regions",
    ),
    pytest.param(
        {
            "history_a.csv": H + "61.01,PU,2024-08,10\n",
            "history_b.csv": H + "61.02,PU,2024-08,10\n61.01,PU,2024-08,10\n",
        },
        ".",
        None,
        None,
        "history_b.csv: row 3, columns region_code, segment, ds: duplicate of history_a.csv row 2 "
        "(61.01, PU, 2024-08): "
        "expected one row per region, segment and month",
        id="duplicate-across-files",
    ),
]


@pytest.mark.parametrize("files, target, kind, sheet, expected", BAD)
def test_bad_input_gives_one_exact_line(tmp_path, files, target, kind, sheet, expected):
    write(tmp_path, files)
    path = tmp_path / target
    with pytest.raises(InputError) as e:
        if kind is None:
            load_data(path)
        else:
            load_table(path, kind, sheet=sheet)
    expected = expected.replace("{tmp}", str(tmp_path))
    assert str(e.value) == expected
    assert "\n" not in str(e.value)


# ---- files that must load ------------------------------------------------------------------------
def test_semicolon_csv_with_indonesian_numbers_and_aliases(tmp_path):
    (tmp_path / "h.csv").write_text(
        "Kode Wilayah;Segmen;Bulan;Peserta Aktif\n"
        "61.01;PU;2024-01;1.234.567\n"
        "61.01;PU;Februari 2024;1.300.000\n"
        "Kab. Sambas;bpu;31/01/2024;2.345\n"
        "Kota Pontianak;Jakon;2024-01-15;17\n",
        encoding="utf-8",
    )
    frame = load_table(tmp_path / "h.csv", "history")
    assert frame.columns.tolist() == ["region_code", "segment", "ds", "active"]
    assert frame["active"].dtype == np.int64
    got = {(r.region_code, r.segment, f"{r.ds:%Y-%m}"): r.active for r in frame.itertuples()}
    assert got == {
        ("61.01", "PU", "2024-01"): 1_234_567,
        ("61.01", "PU", "2024-02"): 1_300_000,
        ("61.01", "BPU", "2024-01"): 2_345,
        ("61.71", "JAKON", "2024-01"): 17,
    }


def test_semicolon_targets_with_decimal_comma_and_bps_codes(tmp_path):
    (tmp_path / "t.csv").write_text(
        "Kode;Tahun;Target;Sumber\n61;2025;0,5956;Pergub Kalbar 29/2024\n", encoding="utf-8"
    )
    (tmp_path / "w.csv").write_text(
        "kode_wilayah;periode;bekerja\n6101;2024-08;1.234.567\n", encoding="cp1252"
    )
    targets = load_table(tmp_path / "t.csv", "targets")
    assert targets.loc[0, ["region_code", "year", "source"]].tolist() == ["61", 2025, "Pergub Kalbar 29/2024"]
    np.testing.assert_allclose(targets["coverage"], [0.5956])
    workforce = load_table(tmp_path / "w.csv", "workforce")
    assert workforce.loc[0, "region_code"] == "61.01"
    assert workforce.loc[0, "employed"] == 1_234_567
    assert workforce.loc[0, "period"] == pd.Timestamp("2024-08-01")


def test_xlsx_loads_numbers_dates_and_numeric_codes(tmp_path):
    rows = [
        ["# illustrative upload"],
        ["Kode", "Segmen", "Bulan", "Aktif"],
        [61.1, "PU", dt.datetime(2024, 1, 1), 1500],  # Excel keeps the code 61.10 as the number 61.1
        ["Kab. Sambas", "PMI", dt.datetime(2024, 1, 31), 7.0],
        [None, None, None, None],
        ["KABUPATEN SAMBAS", "PMI", "2024-02", "1.234"],  # text cell in Indonesian style
    ]
    (tmp_path / "h.xlsx").write_bytes(xlsx({"Data": rows, "Catatan": [["note"]]}))
    frame = load_table(tmp_path / "h.xlsx", "history", sheet="Data")
    got = {(r.region_code, r.segment, f"{r.ds:%Y-%m}"): r.active for r in frame.itertuples()}
    assert got == {
        ("61.10", "PU", "2024-01"): 1500,
        ("61.01", "PMI", "2024-01"): 7,
        ("61.01", "PMI", "2024-02"): 1234,
    }
    # the first sheet is read when none is named
    assert len(load_table(tmp_path / "h.xlsx", "history")) == 3


@pytest.mark.parametrize(
    "name, code",
    [
        ("Kab. Sambas", "61.01"),
        ("KABUPATEN SAMBAS", "61.01"),
        ("Sambas", "61.01"),
        ("Kota Pontianak", "61.71"),
        ("Kalbar", "61"),
        ("61", "61"),
        ("6172", "61.72"),
    ],
)
def test_region_names_resolve(tmp_path, name, code):
    (tmp_path / "t.csv").write_text(f"wilayah,tahun,cakupan\n{name},2025,0.5\n", encoding="utf-8")
    assert load_table(tmp_path / "t.csv", "targets")["region_code"].tolist() == [code]


def test_single_file_panel_kind_and_hash(tmp_path):
    content = W + "61,2024-08,1665422\n"
    (tmp_path / "angkatan_kerja.csv").write_text(content, encoding="utf-8")
    assert guess_kind(tmp_path / "angkatan_kerja.csv") == "workforce"
    panel = load_data(tmp_path / "angkatan_kerja.csv")
    assert panel.history is None and panel.targets is None
    assert panel.workforce["employed"].tolist() == [1_665_422]
    assert panel.sources == ("angkatan_kerja.csv",)
    assert panel.data_hash == hashlib.sha256(content.encode()).hexdigest()
    assert summarize(panel) == [
        "workforce: 1 rows, 1 regions, periods 2024-08..2024-08",
        "sources: angkatan_kerja.csv",
        f"files hash: sha256 {panel.data_hash} (the files' bytes, as sha256sum reads them)",
    ]


def test_bundled_data_folder_loads():
    if not (DATA_DIR / "history_illustrative.csv").exists():
        pytest.skip("data/history_illustrative.csv has not been generated yet (make data)")
    panel = load_data(DATA_DIR)
    assert isinstance(panel, Panel)
    assert set(panel.sources) >= {"history_illustrative.csv", "workforce.csv"}
    assert panel.illustrative
    h = panel.history
    assert h["region_code"].nunique() == 514
    assert sorted(h["segment"].unique()) == ["BPU", "JAKON", "PMI", "PU"]
    assert f"{h['ds'].min():%Y-%m}" == "2018-01"
    assert not h.duplicated(["region_code", "segment", "ds"]).any()
    manifest = "".join(
        f"{hashlib.sha256((DATA_DIR / n).read_bytes()).hexdigest()}  {n}\n" for n in sorted(panel.sources)
    )
    assert panel.data_hash == hashlib.sha256(manifest.encode()).hexdigest()
    lines = summarize(panel)
    # two hashes, each named: the files' (sha256sum of the manifest) and the content's, which is
    # the one project_baseline puts in the baseline's meta and saved results carry as provenance
    from simulator.projection import data_hash

    assert f"files hash: sha256 {panel.data_hash} " in lines[-2 - len(panel.warnings)]
    assert lines[-1 - len(panel.warnings)].startswith(f"data hash: {data_hash(h, panel.workforce)} (")
    assert data_hash(h, panel.workforce) != panel.data_hash
    rows = f"{len(h):,}".replace(",", ".")
    assert lines[0] == (
        f"history: {rows} rows, 514 regions, 4 segments, {h['ds'].min():%Y-%m}..{h['ds'].max():%Y-%m} "
        "(ILLUSTRATIVE data)"
    )
    if (DATA_DIR / "targets.csv").exists():
        assert panel.targets["coverage"].between(0, 1).all()
        assert panel.targets.loc[
            (panel.targets["region_code"] == "61") & (panel.targets["year"] == 2025), "coverage"
        ].tolist() == [0.5956]

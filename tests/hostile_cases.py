"""Hostile inputs, as data: data files (CSV/xlsx) and scenario texts, each with what must happen.

Shared by tests/test_hostile_inputs.py (every case through the library, the command line and the
app's loaders) and bench/hostile_suite.py (every case in its own process, timed, peak memory
measured). A case's ``expect`` is a regular expression the one-line InputError must match, or
``OK`` when the input must be accepted.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

OK = "OK"

H = "region_code,segment,ds,active\n"
W = "region_code,period,employed\n"
T = "region_code,year,coverage\n"


@dataclass(frozen=True)
class DataCase:
    id: str
    name: str
    kind: str
    data: bytes
    expect: str


@dataclass(frozen=True)
class ScenarioCase:
    id: str
    text: str | bytes
    expect: str
    link: bool = True  # also sent as a /bandingkan?u= token (when it fits in one)


# ---- xlsx builders -----------------------------------------------------------------------------
def xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_parts(base: bytes, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    """``base`` with some parts replaced (or added), repacked."""
    src = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def sheet_xml(cells: str, dimension: str = "A1:C2", prolog: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        + prolog
        + b"<worksheet "
        + NS
        + b'><dimension ref="'
        + dimension.encode()
        + b'"/><sheetData>'
        + cells.encode()
        + b"</sheetData></worksheet>"
    )


def _row(r: int, values: list[object]) -> str:
    cells = []
    for j, v in enumerate(values):
        ref = f"{chr(65 + j)}{r}"
        if isinstance(v, str):
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>')
        else:
            cells.append(f'<c r="{ref}"><v>{v}</v></c>')
    return f'<row r="{r}">' + "".join(cells) + "</row>"


def targets_sheet(extra: str = "", value: object = 0.5956, dimension: str = "A1:C2") -> bytes:
    cells = _row(1, ["region_code", "year", "coverage"]) + _row(2, ["61", 2025, value]) + extra
    return sheet_xml(cells, dimension)


def _base_xlsx() -> bytes:
    return xlsx([["region_code", "year", "coverage"], ["61", 2025, 0.5956]])


# ---- data files ---------------------------------------------------------------------------------
def data_cases() -> list[DataCase]:
    base = _base_xlsx()
    wide_row = "61.01,PU,2024-01,5" + "," * 1000 + "\n"
    laughs = (
        b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    cases = [
        # CSV: shape and size budgets
        DataCase(
            "trailing-commas-200k",
            "history.csv",
            "history",
            (H.rstrip("\n") + "," * 200_000 + "\n61.01,PU,2024-01,5\n").encode(),
            r"^history\.csv: row 1: 200\.004 values .*at most 64 columns$",
        ),
        DataCase(
            "trailing-commas-every-row",
            "history.csv",
            "history",
            (H + wide_row * 200).encode(),
            r"^history\.csv: row 2: 1\.004 values .*at most 64 columns$",
        ),
        DataCase(
            "semicolons-wide",
            "history.csv",
            "history",
            ("region_code;segment;ds;active\n61.01;PU;2024-01;5" + ";" * 5000 + "\n").encode(),
            r"^history\.csv: row 2: .*values separated by ';': expected at most 64 columns$",
        ),
        DataCase(
            "tabs-wide",
            "history.csv",
            "history",
            ("region_code\tsegment\tds\tactive" + "\t" * 3000 + "\n").encode(),
            r"at most 64 columns$",
        ),
        DataCase(
            "too-many-lines",
            "history.csv",
            "history",
            (H + "\n" * 2_100_000).encode(),
            r"^history\.csv: 2\.100\.001 lines: expected at most 2\.000\.000 rows$",
        ),
        DataCase(
            "unterminated-quote-200k",
            "history.csv",
            "history",
            (H + '61.01,PU,2024-01,"5\n' + "x" * 200_000 + "\n").encode(),
            r"^history\.csv: row 2: a quoted value is not closed",
        ),
        DataCase(
            "unterminated-quote-short",
            "history.csv",
            "history",
            (H + '61.01,PU,2024-01,"5\n').encode(),
            r"^history\.csv: (row 2, column active: expected a whole number|column region_code: 513 "
            r"kabupaten)",
        ),
        DataCase(
            "quoted-separators-accepted",
            "workforce.csv",
            "workforce",
            (W.rstrip("\n") + ",source\n" + '61,2024-08,1665422,"' + "a," * 100 + '"\n').encode(),
            OK,
        ),
        # CSV: cells
        DataCase(
            "count-20-digits",
            "history.csv",
            "history",
            (H + "61.01,PU,2024-01,99999999999999999999\n").encode(),
            r"^history\.csv: row 2, column active: expected at most 1\.000\.000\.000 persons, got "
            r"'99999999999999999999'$",
        ),
        DataCase(
            "count-400-digits",
            "history.csv",
            "history",
            (H + "61.01,PU,2024-01," + "9" * 400 + "\n").encode(),
            r"^history\.csv: row 2, column active: expected a whole number of persons, got '9{57}\.\.\.'$",
        ),
        DataCase(
            "count-negative",
            "history.csv",
            "history",
            (H + "61.01,PU,2024-01,-5\n").encode(),
            r"column active: expected a number of persons >= 0, got '-5'$",
        ),
        DataCase(
            "count-exponent",
            "history.csv",
            "history",
            (H + "61.01,PU,2024-01,1e3\n").encode(),
            r"column active: expected a whole number of persons, got '1e3'$",
        ),
        DataCase(
            "count-nan",
            "history.csv",
            "history",
            (H + "61.01,PU,2024-01,nan\n").encode(),
            r"column active: expected a whole number of persons, got 'nan'$",
        ),
        DataCase(
            "count-inf",
            "history.csv",
            "history",
            (H + "61.01,PU,2024-01,inf\n").encode(),
            r"column active: expected a whole number of persons, got 'inf'$",
        ),
        DataCase(
            "count-fraction",
            "history.csv",
            "history",
            (H + "61.01,PU,2024-01,5.5\n").encode(),
            r"column active: expected a whole number of persons, got '5\.5'$",
        ),
        DataCase(
            "month-year-1",
            "history.csv",
            "history",
            (H + "61.01,PU,0001-01,5\n").encode(),
            r"column ds: expected a month such as 2024-08, got '0001-01'$",
        ),
        DataCase(
            "month-year-9999",
            "history.csv",
            "history",
            (H + "61.01,PU,9999-12,5\n").encode(),
            r"column ds: expected a month such as 2024-08, got '9999-12'$",
        ),
        DataCase(
            "month-future",
            "history.csv",
            "history",
            (H + "61.01,PU,2199-01,5\n").encode(),
            r"column ds: month 2199-01 is in the future",
        ),
        DataCase(
            "month-13",
            "history.csv",
            "history",
            (H + "61.01,PU,2024-13,5\n").encode(),
            r"column ds: expected a month such as 2024-08, got '2024-13'$",
        ),
        DataCase(
            "region-unknown-code",
            "history.csv",
            "history",
            (H + "99.99,PU,2024-01,5\n").encode(),
            r"column region_code: unknown region code '99\.99'",
        ),
        DataCase(
            "region-10kb",
            "history.csv",
            "history",
            (H + "x" * 10_000 + ",PU,2024-01,5\n").encode(),
            r"column region_code: unknown region 'x{57}\.\.\.': expected a Kemendagri code or name$",
        ),
        DataCase(
            "segment-unknown",
            "history.csv",
            "history",
            (H + "61.01,XYZ,2024-01,5\n").encode(),
            r"column segment: unknown segment 'XYZ'",
        ),
        DataCase("header-only", "history.csv", "history", H.encode(), r"no data rows"),
        DataCase("empty", "history.csv", "history", b"", r"the file is empty"),
        DataCase("only-bom", "history.csv", "history", b"\xef\xbb\xbf", r"the file is empty"),
        DataCase("binary-garbage", "history.csv", "history", bytes(range(256)) * 40, r"^history\.csv: "),
        DataCase(
            "nul-bytes", "history.csv", "history", b"\x00" * 5000 + b"\n" + b"\x00,\x00\n", r"^history\.csv: "
        ),
        DataCase(
            "utf16",
            "history.csv",
            "history",
            (H + "61.01,PU,2024-01,5\n").encode("utf-16"),
            r"^history\.csv: ",
        ),
        DataCase(
            "duplicate-header",
            "history.csv",
            "history",
            b"region_code,segment,ds,active,active\n61.01,PU,2024-01,5,5\n",
            r"column active: means the same as column active",
        ),
        DataCase(
            "values-without-header",
            "history.csv",
            "history",
            (H.rstrip("\n") + ",\n61.01,PU,2024-01,5,7\n").encode(),
            r"the column has values but no name|row 2: 5 values",
        ),
        DataCase(
            "duplicate-rows",
            "history.csv",
            "history",
            (H + "61.01,PU,2024-01,5\n" * 2).encode(),
            r"duplicate of row 2",
        ),
        DataCase(
            "gap",
            "history.csv",
            "history",
            (H + "61.01,PU,2024-01,5\n61.01,PU,2024-03,5\n").encode(),
            r"gap in the series of region 61\.01",
        ),
        DataCase(
            "history-two-regions",
            "history.csv",
            "history",
            (H + "61.01,PU,2024-01,5\n61.02,PU,2024-01,5\n").encode(),
            r"^history\.csv: column region_code: 512 kabupaten/kota missing .*expected every kabupaten/kota$",
        ),
        DataCase(
            "employed-zero",
            "workforce.csv",
            "workforce",
            (W + "61.01,2024-08,0\n").encode(),
            r"^workforce\.csv: row 2, column employed: 0 employed: expected at least 1",
        ),
        DataCase(
            "employed-negative",
            "workforce.csv",
            "workforce",
            (W + "61.01,2024-08,-1\n").encode(),
            r"column employed",
        ),
        DataCase(
            "employed-20-digits",
            "workforce.csv",
            "workforce",
            (W + "61.01,2024-08,99999999999999999999\n").encode(),
            r"column employed: expected at most 1\.000\.000\.000 persons",
        ),
        DataCase(
            "flag-20-digits",
            "workforce.csv",
            "workforce",
            (W.rstrip("\n") + ",estimate\n61.01,2024-08,5,99999999999999999999\n").encode(),
            r"column estimate: expected 0",
        ),
        DataCase(
            "workforce-month-name",
            "workforce.csv",
            "workforce",
            (W + "61.01,Agustus 2024,250000\n").encode(),
            OK,
        ),
        DataCase(
            "workforce-long-source",
            "workforce.csv",
            "workforce",
            (W.rstrip("\n") + ",source\n61.01,2024-08,250000," + "s" * 900_000 + "\n").encode(),
            OK,
        ),
        DataCase(
            "formula-text-accepted",
            "workforce.csv",
            "workforce",
            (W.rstrip("\n") + ',source\n61.01,2024-08,250000,=HYPERLINK("http://x")\n').encode(),
            OK,
        ),
        DataCase(
            "crlf-bom",
            "targets.csv",
            "targets",
            b"\xef\xbb\xbf" + (T + "61,2025,0.5956\n").replace("\n", "\r\n").encode(),
            OK,
        ),
        DataCase(
            "coverage-above-1",
            "targets.csv",
            "targets",
            (T + "61,2025,1.5\n").encode(),
            r"column coverage: expected a fraction between 0 and 1",
        ),
        DataCase(
            "coverage-percent",
            "targets.csv",
            "targets",
            (T + "61,2025,45%\n").encode(),
            r"column coverage: expected a fraction",
        ),
        DataCase(
            "year-20-digits",
            "targets.csv",
            "targets",
            (T + "61,99999999999999999999,0.5\n").encode(),
            r"column year: expected a whole year",
        ),
        DataCase(
            "year-1e400",
            "targets.csv",
            "targets",
            (T + "61,1e400,0.5\n").encode(),
            r"column year: expected a whole year",
        ),
        DataCase(
            "type-xls",
            "history.xls",
            "history",
            b"whatever",
            r"unsupported file type '\.xls'.*save it as \.xlsx",
        ),
        DataCase(
            "type-none", "history", "history", b"whatever", r"unsupported file type without an extension"
        ),
        DataCase("traversal-name", "../../etc/targets.csv", "targets", (T + "61,2025,0.5956\n").encode(), OK),
        # xlsx
        DataCase("xlsx-valid", "targets.xlsx", "targets", base, OK),
        DataCase(
            "xlsx-cell-at-XFD20000",
            "targets.xlsx",
            "targets",
            xlsx_parts(
                base,
                {
                    SHEET: targets_sheet(
                        '<row r="20000"><c r="XFD20000"><v>1</v></c></row>', dimension="A1:XFD20000"
                    )
                },
            ),
            r"^targets\.xlsx: row 20000, column XFD: a value beyond column BL: expected at most 64 columns$",
        ),
        DataCase(
            "xlsx-dimension-lies-small",
            "targets.xlsx",
            "targets",
            xlsx_parts(
                base, {SHEET: targets_sheet('<row r="3"><c r="ZZ3"><v>1</v></c></row>', dimension="A1:A1")}
            ),
            r"row 3, column ZZ: a value beyond column BL",
        ),
        DataCase(
            "xlsx-dimension-lies-large",
            "targets.xlsx",
            "targets",
            xlsx_parts(base, {SHEET: targets_sheet(dimension="A1:XFD1048576")}),
            OK,
        ),
        DataCase(
            "xlsx-far-row-accepted",
            "targets.xlsx",
            "targets",
            xlsx_parts(base, {SHEET: targets_sheet(_row(200_000, ["62", 2025, 0.5]))}),
            OK,
        ),
        DataCase(
            "xlsx-wide-header",
            "targets.xlsx",
            "targets",
            xlsx([["region_code", "year", "coverage", *[f"c{i}" for i in range(70)]], ["61", 2025, 0.5]]),
            r"row 1, column BM: a value beyond column BL",
        ),
        DataCase(
            "xlsx-zip-bomb",
            "targets.xlsx",
            "targets",
            xlsx_parts(base, {SHEET: sheet_xml(" " * 250_000_000)}),
            r"unpacks to more than 200\.000\.000 bytes",
        ),
        DataCase(
            "xlsx-shared-strings-bomb",
            "targets.xlsx",
            "targets",
            xlsx_parts(
                base, {}, {"xl/sharedStrings.xml": b"<sst>" + b"<si><t>a</t></si>" * 2_500_000 + b"</sst>"}
            ),
            r"shared strings unpack to more than 30\.000\.000 bytes",
        ),
        DataCase(
            "xlsx-entity-bomb",
            "targets.xlsx",
            "targets",
            xlsx_parts(base, {SHEET: sheet_xml(_row(1, ["&lol3;"]), prolog=laughs)}),
            r"part xl/worksheets/sheet1\.xml declares a DTD or entities",
        ),
        DataCase(
            "xlsx-external-entity",
            "targets.xlsx",
            "targets",
            xlsx_parts(
                base,
                {
                    SHEET: sheet_xml(
                        _row(1, ["&x;"]), prolog=b'<!DOCTYPE x [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    )
                },
            ),
            r"declares a DTD or entities",
        ),
        DataCase(
            "xlsx-broken-sheet-xml",
            "targets.xlsx",
            "targets",
            xlsx_parts(base, {SHEET: sheet_xml(_row(1, ["a"]))[:-40]}),
            r"^targets\.xlsx: cannot be read as an Excel \.xlsx workbook \(\w+\)$",
        ),
        DataCase(
            "xlsx-not-a-zip",
            "targets.xlsx",
            "targets",
            b"region_code,year\n61,2025\n",
            r"^targets\.xlsx: cannot be read as an Excel \.xlsx workbook \(BadZipFile\)$",
        ),
        DataCase(
            "xlsx-empty-zip",
            "targets.xlsx",
            "targets",
            xlsx_parts(b"PK\x05\x06" + b"\x00" * 18, {}),
            r"^targets\.xlsx: cannot be read as an Excel \.xlsx workbook",
        ),
        DataCase(
            "xlsx-truncated",
            "targets.xlsx",
            "targets",
            base[: len(base) // 2],
            r"^targets\.xlsx: cannot be read as an Excel \.xlsx workbook",
        ),
        DataCase(
            "xlsx-count-20-digits",
            "history.xlsx",
            "history",
            xlsx_parts(
                base,
                {
                    SHEET: sheet_xml(
                        _row(1, ["region_code", "segment", "ds", "active"])
                        + _row(2, ["61.01", "PU", "2024-01", "99999999999999999999"]).replace(
                            't="inlineStr"><is><t>99999999999999999999</t></is>',
                            "><v>99999999999999999999</v>",
                        )
                    )
                },
            ),
            r"column active: expected at most 1\.000\.000\.000 persons",
        ),
        DataCase(
            "xlsx-count-400-digits",
            "history.xlsx",
            "history",
            xlsx_parts(
                base,
                {
                    SHEET: sheet_xml(
                        _row(1, ["region_code", "segment", "ds", "active"])
                        + '<row r="2"><c r="A2" t="inlineStr"><is><t>61.01</t></is></c>'
                        '<c r="B2" t="inlineStr"><is><t>PU</t></is></c><c r="C2" t="inlineStr">'
                        '<is><t>2024-01</t></is></c><c r="D2"><v>' + "9" * 400 + "</v></c></row>"
                    )
                },
            ),
            r"column active: expected at most 1\.000\.000\.000 persons, got a 400-digit number$",
        ),
        DataCase(
            "xlsx-year-overflow",
            "targets.xlsx",
            "targets",
            xlsx_parts(
                base,
                {
                    SHEET: sheet_xml(
                        _row(1, ["region_code", "year", "coverage"])
                        + _row(2, ["61", "9" * 400, 0.5]).replace(
                            't="inlineStr"><is><t>' + "9" * 400 + "</t></is>", "><v>" + "9" * 400 + "</v>"
                        )
                    )
                },
            ),
            r"column year: expected a whole year",
        ),
        DataCase(
            "xlsx-date-out-of-range",
            "history.xlsx",
            "history",
            xlsx(
                [
                    ["region_code", "segment", "ds", "active"],
                    ["61.01", "PU", __import__("datetime").datetime(9999, 12, 1), 5],
                ]
            ),
            r"column ds: expected a month such as 2024-08, got '9999-12-01T00:00:00'$",
        ),
        DataCase(
            "xlsx-formula-cell",
            "targets.xlsx",
            "targets",
            xlsx([["region_code", "year", "coverage"], ["61", 2025, "=1/2"]]),
            r"column coverage: missing value",
        ),
    ]
    return cases


# ---- scenario texts ---------------------------------------------------------------------------
HEAD = "name: hostile\nhorizon: 2027-12\nlevers:\n"
LEVER = (
    '  - kind: contribution_subsidy\n    region: "61"\n    headcount: {headcount}\n    start: {start}\n'
    "    months: 12\n    payer: apbd_provinsi\n"
)


def lever(headcount: str = "26373", start: str = "2025-07", **extra: str) -> str:
    return LEVER.format(headcount=headcount, start=start) + "".join(
        f"    {k}: {v}\n" for k, v in extra.items()
    )


def scenario_cases() -> list[ScenarioCase]:
    laughs = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
    )
    alias_refused = r"line \d+: YAML anchors and aliases \(&name, \*name\) are not allowed"
    return [
        ScenarioCase("recursive-alias", "name: x\nhorizon: 2027-12\nlevers: &a [*a]\n", alias_refused),
        ScenarioCase(
            "billion-laughs", "name: x\nhorizon: 2027-12\n" + laughs + "levers: *i\n", alias_refused
        ),
        ScenarioCase(
            "harmless-alias",
            HEAD + "  - &l {kind: workforce_shock, region: '61', start: 2025-07, change: -0.01}\n  - *l\n",
            alias_refused,
        ),
        ScenarioCase(
            "merge-key", "base_lever: &b {kind: workforce_shock}\n" + HEAD + "  - <<: *b\n", alias_refused
        ),
        ScenarioCase(
            "undefined-alias", "name: x\nhorizon: 2027-12\nlevers: *nothing\n", r"YAML syntax error|aliases"
        ),
        ScenarioCase("anchor-on-scalar", "name: &n x\nhorizon: 2027-12\n", alias_refused),
        ScenarioCase(
            "lists-1000-deep",
            "name: x\nhorizon: 2027-12\nlevers: " + "[" * 1000 + "]" * 1000 + "\n",
            r"nested more than 20 deep",
        ),
        ScenarioCase(
            "maps-1000-deep",
            "name: x\nhorizon: 2027-12\nlevers: " + "{a: " * 1000 + "1" + "}" * 1000 + "\n",
            r"nested more than 20 deep",
        ),
        ScenarioCase(
            "block-nesting-30",
            "name: x\nhorizon: 2027-12\nlevers:\n" + "".join("  " * i + "- \n" for i in range(1, 30)),
            r"nested more than 20 deep",
            link=False,
        ),
        ScenarioCase(
            "150k-values",
            "name: x\nhorizon: 2027-12\nlevers: [" + "1," * 150_000 + "1]\n",
            r"more than 100000 values",
            link=False,
        ),
        ScenarioCase(
            "60k-keys",
            "name: x\nhorizon: 2027-12\nx: {" + ",".join(f"k{i}: 1" for i in range(60_000)) + "}\n",
            r"more than 100000 values",
            link=False,
        ),
        ScenarioCase(
            "kind-list",
            HEAD + "  - kind: [contribution_subsidy]\n",
            r"lever 1, key 'kind': expected one of contribution_subsidy.*got \['contribution_subsidy'\]$",
        ),
        ScenarioCase("kind-mapping", HEAD + "  - kind: {a: 1}\n", r"lever 1, key 'kind': expected one of"),
        ScenarioCase(
            "headcount-400-digits",
            HEAD + lever("9" * 400),
            r"key 'headcount': expected a number up to 1e\+15, got a 400-digit number$",
        ),
        ScenarioCase(
            "headcount-5000-digits",
            HEAD + lever("9" * 5000),
            r"a value cannot be read \(ValueError: Exceeds the limit \(4300 digits\)",
        ),
        ScenarioCase(
            "headcount-1e15",
            HEAD + lever("1.0e+15"),
            r"key 'headcount': expected at most 300,000,000 persons \(more than Indonesia's "
            r"population\), got 1000000000000000$",
        ),
        ScenarioCase(
            "headcount-inf",
            HEAD + lever(".inf"),
            r"key 'headcount': expected a number up to 1e\+15, got inf$",
        ),
        ScenarioCase(
            "headcount-nan",
            HEAD + lever(".nan"),
            r"key 'headcount': expected a non-negative number, got nan$",
        ),
        ScenarioCase(
            "headcount-negative", HEAD + lever("-1"), r"key 'headcount': expected a non-negative number"
        ),
        ScenarioCase(
            "headcount-text",
            HEAD + lever("banyak"),
            r"key 'headcount': expected a non-negative number, got 'banyak'$",
        ),
        ScenarioCase(
            "unit-cost-huge",
            HEAD + lever(unit_cost="1.0e+12"),
            r"key 'unit_cost': expected at most 100,000,000 IDR",
        ),
        ScenarioCase(
            "start-year-1000",
            HEAD + lever(start="1000-01"),
            r"key 'start': expected a month between 2000-01 and 2100-12, got 1000-01$",
        ),
        ScenarioCase(
            "start-year-2999",
            HEAD + lever(start="2999-01"),
            r"key 'start': expected a month between 2000-01 and 2100-12",
        ),
        ScenarioCase(
            "start-date-year-1000", HEAD + lever(start="1000-01-01"), r"key 'start': expected a month between"
        ),
        ScenarioCase(
            "horizon-year-1", "name: x\nhorizon: 0001-01\n", r"key 'horizon': expected a month between"
        ),
        ScenarioCase(
            "horizon-13", "name: x\nhorizon: 2025-13\n", r"key 'horizon': expected a month 'YYYY-MM'"
        ),
        ScenarioCase(
            "payer-list",
            HEAD + lever(payer="[apbn]").replace("    payer: apbd_provinsi\n", "", 1),
            r"key 'payer': expected one of apbn",
        ),
        ScenarioCase(
            "dist-list",
            HEAD + lever(lapse="{dist: [uniform], low: 0, high: 1}"),
            r"key 'lapse': expected 'dist' one of",
        ),
        ScenarioCase(
            "region-100kb",
            HEAD + lever().replace('"61"', '"' + "x" * 100_000 + '"'),
            r"key 'region': unknown region 'x+\.\.\.",
            link=False,
        ),
        ScenarioCase(
            "python-tag",
            HEAD + "  - !!python/object/apply:os.system ['echo hi']\n",
            r"line 4: tag '!!python/object/apply:os\.system' is not allowed",
        ),
        ScenarioCase(
            "python-name-tag",
            "name: !!python/name:os.system x\nhorizon: 2027-12\n",
            r"tag '!!python/name:os\.system' is not allowed",
        ),
        ScenarioCase(
            "binary-tag", "name: !!binary aGVsbG8=\nhorizon: 2027-12\n", r"tag '!!binary' is not allowed"
        ),
        ScenarioCase(
            "set-tag", "name: x\nhorizon: 2027-12\nlevers: !!set {a, b}\n", r"tag '!!set' is not allowed"
        ),
        ScenarioCase("custom-tag", "name: !foo x\nhorizon: 2027-12\n", r"tag '!foo' is not allowed"),
        ScenarioCase(
            "timestamp-tag", "name: x\nhorizon: !!timestamp 2027-12-01\n", r"tag '!!timestamp' is not allowed"
        ),
        ScenarioCase("str-tag-accepted", "name: !!str 2025\nhorizon: 2027-12\n", OK),
        ScenarioCase("complex-key", "? [a, b]\n: 1\nname: x\n", r"line 1: a key must be plain text"),
        ScenarioCase(
            "duplicate-key", "name: x\nname: y\nhorizon: 2027-12\n", r"line 2: duplicate key 'name'$"
        ),
        ScenarioCase("two-documents", "name: x\nhorizon: 2027-12\n---\nname: y\n", r"YAML syntax error"),
        ScenarioCase("tab-indent", "name: x\nlevers:\n\t- kind: x\n", r"YAML syntax error at line 3"),
        ScenarioCase("not-utf8", b"name: \xff\xfe\n", r"^hostile\.yaml: expected UTF-8 text$", link=False),
        ScenarioCase(
            "over-1mb",
            HEAD + "# " + "x" * 1_000_001 + "\n",
            r"scenario files are limited to 1 MB$",
            link=False,
        ),
        ScenarioCase("empty", "", r"file is empty"),
        ScenarioCase(
            "top-level-list", "- a\n- b\n", r"expected a mapping with keys name, horizon, levers, got list$"
        ),
        ScenarioCase(
            "top-level-scalar", "hello\n", r"expected a mapping with keys name, horizon, levers, got str$"
        ),
        ScenarioCase(
            "levers-string",
            "name: x\nhorizon: 2027-12\nlevers: subsidy\n",
            r"key 'levers': expected a list of levers",
        ),
        ScenarioCase("lever-list", HEAD + "  - [1, 2]\n", r"lever 1: expected a mapping with a 'kind' key"),
        ScenarioCase(
            "target-year-huge",
            "name: x\nhorizon: 2027-12\ntargets:\n  - {region: '61', year: 1.0e+400, coverage: 0.5}\n",
            r"target 1, key 'year': expected a year such as 2029, got inf$",
        ),
        ScenarioCase(
            "target-year-400-digits",
            "name: x\nhorizon: 2027-12\ntargets:\n  - {region: '61', year: "
            + "9" * 400
            + ", coverage: 0.5}\n",
            r"target 1, key 'year': expected a year such as 2029, got a 400-digit number$",
        ),
        ScenarioCase(
            "target-coverage-percent",
            "name: x\nhorizon: 2027-12\ntargets:\n  - {region: '61', year: 2026, coverage: 50%}\n",
            r"target 1, key 'coverage': expected a share between 0 and 1, got '50%'$",
        ),
        ScenarioCase("null-levers-accepted", "name: x\nhorizon: 2027-12\nlevers:\n", OK),
        ScenarioCase("valid-subsidy", HEAD + lever(), OK),
        ScenarioCase("yaml-date-start-accepted", HEAD + lever(start="2025-07-01"), OK),
        ScenarioCase("formula-label-accepted", HEAD + lever(label='"=1+1"'), OK),
        ScenarioCase(
            "markdown-name-accepted",
            'name: "![x](http://evil.example/x.png) [klik](http://evil.example)"\nhorizon: 2027-12\n',
            OK,
        ),
        ScenarioCase("control-chars-name-accepted", 'name: "a\\u202eb\\u0007c"\nhorizon: 2027-12\n', OK),
        ScenarioCase("long-reference-accepted", HEAD + lever(reference="r" * 200_000), OK, link=False),
        ScenarioCase(
            "region-list-repeated-accepted",
            HEAD + lever().replace('"61"', "[" + ", ".join(['"61"'] * 5000) + "]"),
            OK,
        ),
    ]


def link_token_cases() -> list[tuple[str, str, str]]:
    """(id, token, expected message) for damaged or hostile ``u=`` tokens themselves."""
    import base64
    import zlib

    bomb = "z" + base64.urlsafe_b64encode(zlib.compress(b"a" * 50_000_000, 9)).decode().rstrip("=")
    return [
        ("token-wrong-prefix", "x" + "a" * 10, r"^link: scenario token must start with 'z'"),
        (
            "token-too-long",
            "z" + "a" * 7000,
            r"^link: scenario token must start with 'z' and be at most 6000",
        ),
        ("token-bad-characters", "zabc$%^", r"^link: scenario token is damaged \(characters outside"),
        (
            "token-not-zlib",
            "z" + base64.urlsafe_b64encode(b"hello world").decode().rstrip("="),
            r"^link: scenario token is damaged \(error\)$",
        ),
        (
            "token-truncated",
            "z" + base64.urlsafe_b64encode(zlib.compress(b"name: x\n" * 200))[:-12].decode().rstrip("="),
            r"^link: scenario token is damaged",
        ),
        (
            "token-zlib-bomb",
            bomb if len(bomb) <= 6000 else bomb[:6000],
            r"^link: scenario (text larger than 64000 bytes|token is damaged)",
        ),
        (
            "token-not-utf8",
            "z" + base64.urlsafe_b64encode(zlib.compress(b"\xff\xfe")).decode().rstrip("="),
            r"^link: scenario token is damaged \(UnicodeDecodeError\)$",
        ),
    ]

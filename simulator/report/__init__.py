"""Leadership outputs of a scenario result: Excel workbook, printable brief (HTML/PDF), "what changed".

The public names, gathered from ``common`` (labels, numbers per region, sentences),
``workbook`` (xlsx), ``brief`` (HTML pages) with ``fan`` (fan chart SVG) and ``pdf`` (Chromium),
and ``changes`` (what changed between two saved results).
"""

from __future__ import annotations

from simulator.report.brief import CSS, brief_html
from simulator.report.changes import (
    CHANGE_COLUMNS,
    MEASURE_UNITS,
    MEASURES,
    changes_html,
    changes_svg,
    what_changed,
)
from simulator.report.common import (
    LABELS,
    MONTHS,
    backtest_summary,
    label,
    month_name,
    region_cost,
    summary_sentence,
    top_levers,
)
from simulator.report.fan import fan_svg
from simulator.report.pdf import PDF_ENGINES, PdfEngineError, brief_pdf, find_pdf_engine
from simulator.report.workbook import FIELD_UNITS, Cell, int_format, workbook_bytes

__all__ = [
    "CHANGE_COLUMNS",
    "CSS",
    "FIELD_UNITS",
    "LABELS",
    "MEASURES",
    "MEASURE_UNITS",
    "MONTHS",
    "PDF_ENGINES",
    "Cell",
    "PdfEngineError",
    "backtest_summary",
    "brief_html",
    "brief_pdf",
    "changes_html",
    "changes_svg",
    "fan_svg",
    "find_pdf_engine",
    "int_format",
    "label",
    "month_name",
    "region_cost",
    "summary_sentence",
    "top_levers",
    "what_changed",
    "workbook_bytes",
]

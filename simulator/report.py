"""Leadership outputs of a scenario result: Excel workbook, printable brief (HTML/PDF), "what changed".

The public names, gathered from ``report_common`` (labels, numbers per region, sentences),
``report_workbook``, ``report_brief`` (HTML, fan chart, PDF) and ``report_changes``.
"""

from __future__ import annotations

from simulator.report_brief import (
    CSS,
    PDF_ENGINES,
    PdfEngineError,
    brief_html,
    brief_pdf,
    fan_svg,
    find_pdf_engine,
)
from simulator.report_changes import (
    CHANGE_COLUMNS,
    MEASURE_UNITS,
    MEASURES,
    changes_html,
    changes_svg,
    what_changed,
)
from simulator.report_common import (
    LABELS,
    MONTHS,
    backtest_summary,
    label,
    month_name,
    region_cost,
    summary_sentence,
    top_levers,
)
from simulator.report_workbook import FIELD_UNITS, Cell, int_format, workbook_bytes

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

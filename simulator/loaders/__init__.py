"""Load and validate the user's data files (history, workforce, targets) into canonical frames.

CSV (comma or semicolon, Indonesian number style) and Excel .xlsx are read; column names and
region names are mapped onto the vocabulary in ``simulator.vocabulary``. Loading is all or
nothing: the first problem raises an InputError whose one line names the file, the row (as a
spreadsheet numbers it: header row 1, first data row 2), the column and what was expected.

The one tabular reader for every input: ``schema`` (what the tables hold, size budgets) ->
``files`` (CSV/xlsx into raw cells) -> ``cells`` and ``columns`` (typed frame) -> ``checks``
(across rows and files) -> ``panel`` (the public functions below).
"""

from simulator.loaders.files import upload_name
from simulator.loaders.panel import (
    Panel,
    guess_kind,
    is_illustrative_name,
    load_data,
    load_table,
    load_upload,
    summarize,
    template_csv,
)
from simulator.loaders.schema import ACTIVE_EMPLOYED_LIMIT, EXTENSIONS, KINDS, SCHEMAS

__all__ = [
    "ACTIVE_EMPLOYED_LIMIT",
    "EXTENSIONS",
    "KINDS",
    "SCHEMAS",
    "Panel",
    "guess_kind",
    "is_illustrative_name",
    "load_data",
    "load_table",
    "load_upload",
    "summarize",
    "template_csv",
    "upload_name",
]

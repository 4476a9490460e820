"""The public loaders: ``load_table``, ``load_upload``, ``load_data`` (a folder into a ``Panel``),
``guess_kind``, ``summarize`` and ``template_csv``.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from simulator.errors import InputError
from simulator.fmt import number
from simulator.loaders.checks import _check_keys, _check_together, _finish
from simulator.loaders.columns import _norm_header, _read_table
from simulator.loaders.files import (
    _check_size,
    _check_suffix,
    _folder_files,
    _read_raw,
    _Source,
    _source,
    _with_rows,
    upload_name,
)
from simulator.loaders.schema import _EXAMPLES, KINDS, SCHEMAS
from simulator.vocabulary import DS, PERIOD, REGION_CODE, SEGMENT, YEAR

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Panel:
    """Validated data of one folder or file.

    Attributes
    ----------
    history : DataFrame or None
        ``region_code, segment, ds, active`` [persons], ``ds`` the first day of the month.
    workforce : DataFrame or None
        ``region_code, period, employed`` [persons] (plus ``estimate`` 0/1 and ``source`` when given).
    targets : DataFrame or None
        ``region_code, year, coverage`` [fraction] (plus ``definition``, ``source``, ``scheme``).
    sources : tuple of str
        File names read, in name order.
    data_hash : str
        sha256 hex digest: of the file's bytes for one file; for a folder, of the manifest
        ``"<sha256 of file>  <name>\\n"`` per file in name order (what ``sha256sum`` prints).
    kinds : tuple of str
        The kind of each file in ``sources``.
    warnings : tuple of str
        Accepted but worth a look, one line each naming the file, row and regions (e.g. active
        participants above the resident employed, within ``ACTIVE_EMPLOYED_LIMIT``); both shells
        show them.
    """

    history: pd.DataFrame | None
    workforce: pd.DataFrame | None
    targets: pd.DataFrame | None
    sources: tuple[str, ...]
    data_hash: str
    kinds: tuple[str, ...] = field(default=())
    warnings: tuple[str, ...] = field(default=())

    def sources_of(self, kind: str) -> tuple[str, ...]:
        return tuple(s for s, k in zip(self.sources, self.kinds, strict=True) if k == kind)

    @property
    def illustrative(self) -> bool:
        """True when the history comes from a file marked illustrative (synthetic, not real data)."""
        return any(is_illustrative_name(s) for s in self.sources_of("history"))


def is_illustrative_name(name: str | Path) -> bool:
    """A history file whose name says "illustrative" is synthetic (the bundled
    ``history_illustrative.csv``): whatever is computed from it carries the note."""
    return "illustrative" in Path(name).name.lower()


def load_table(path: str | Path, kind: str, sheet: str | None = None) -> pd.DataFrame:
    """Read one history, workforce or targets file (.csv or .xlsx) into a validated canonical frame.

    Parameters
    ----------
    path : path of a .csv (comma or semicolon separated) or .xlsx file
    kind : "history", "workforce" or "targets"
    sheet : worksheet name for .xlsx (default: the first sheet)

    Returns
    -------
    DataFrame with the canonical columns of the kind first, then any extra columns of the file.

    Raises
    ------
    InputError
        One line naming the file, row and column and what was expected.
    """
    if kind not in SCHEMAS:
        raise InputError(f"{Path(path).name}: unknown file kind {kind!r}: expected one of {', '.join(KINDS)}")
    frame = _read_table(_source(Path(path)), kind, sheet)
    _check_keys(frame, kind)
    return _finish(frame, kind)


def load_upload(data: bytes, name: str, kind: str, base: Panel | None = None) -> pd.DataFrame:
    """Validate an uploaded file held in memory, as :func:`load_table` and :func:`load_data` would.

    ``name`` (as the browser sent it) is only shown in messages, never used as a path. The checks
    are those of :func:`load_data` (one set for the command line and the app): with ``base`` (the
    data in use) the upload is checked together with the other kinds exactly as ``validate``
    checks a folder. Warnings (accepted, worth a look) are in ``frame.attrs["warnings"]``.
    """
    shown = upload_name(name)
    if kind not in SCHEMAS:
        raise InputError(f"{shown}: unknown file kind {kind!r}: expected one of {', '.join(KINDS)}")
    _check_size(shown, len(data))
    src = _Source(shown, bytes(data))
    _check_suffix(shown, src.suffix)
    frame = _read_table(src, kind, None)
    _check_keys(frame, kind)
    other: dict[str, pd.DataFrame | None] = {"history": None, "workforce": None}
    if base is not None:
        other = {
            k: _with_rows(getattr(base, k), (base.sources_of(k) or (f"{k} in use",))[0])
            for k in ("history", "workforce")
        }
    other[kind] = frame
    warnings = _check_together(other.get("history"), other.get("workforce"))
    out = _finish(frame, kind)
    out.attrs["warnings"] = warnings
    return out


def load_data(path: str | Path) -> Panel:
    """Load a data folder (history*.csv/xlsx, workforce.*, targets.*) or a single file into a Panel.

    A single file's kind is told from its columns. All files are validated, including cross-file
    checks (active participants never above the employed of the same region and month), before
    anything is returned.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if path.is_dir():
        files = _folder_files(path)
    else:
        files = [(path, guess_kind(path))]
    frames: dict[str, list[pd.DataFrame]] = {k: [] for k in KINDS}
    for file, kind in files:
        frames[kind].append(_read_table(_source(file), kind, None))
    merged: dict[str, pd.DataFrame | None] = {}
    for kind in KINDS:
        merged[kind] = pd.concat(frames[kind], ignore_index=True) if frames[kind] else None
        if merged[kind] is not None:
            _check_keys(merged[kind], kind)
    warnings = _check_together(merged["history"], merged["workforce"])
    names = [f.name for f, _ in files]
    digests = [hashlib.sha256(f.read_bytes()).hexdigest() for f, _ in files]
    if len(files) == 1:
        data_hash = digests[0]
    else:
        manifest = "".join(
            f"{d}  {n}\n" for d, n in sorted(zip(digests, names, strict=True), key=lambda p: p[1])
        )
        data_hash = hashlib.sha256(manifest.encode()).hexdigest()
    log.info("loaded %s", ", ".join(names))
    return Panel(
        history=_finish(merged["history"], "history") if merged["history"] is not None else None,
        workforce=_finish(merged["workforce"], "workforce") if merged["workforce"] is not None else None,
        targets=_finish(merged["targets"], "targets") if merged["targets"] is not None else None,
        sources=tuple(names),
        data_hash=data_hash,
        kinds=tuple(k for _, k in files),
        warnings=warnings,
    )


def guess_kind(path: str | Path) -> str:
    """The kind of a single file, told from its columns (the file name breaks ties)."""
    path = Path(path)
    raw = _read_raw(_source(path), None)
    if raw.header is None:
        raise InputError(f"{raw.name}: the file is empty: expected a header row and data rows")
    headers = [_norm_header(h) for h in raw.header]
    scores: dict[str, tuple[int, int]] = {}
    for kind, schema in SCHEMAS.items():
        found = {hit[0] for h in headers if (hit := schema.tier_of(h)) is not None}
        distinctive = [c for c in schema.required if c != REGION_CODE and c in found]
        complete = all(c in found for c in schema.required)
        scores[kind] = (int(complete), len(distinctive))
    hint = next((k for k in KINDS if path.name.lower().startswith(k)), None)
    best = max(scores.values())
    candidates = [k for k, s in scores.items() if s == best]
    if best[1] > 0 and len(candidates) == 1:
        return candidates[0]
    if hint is not None and (best[1] == 0 or hint in candidates):
        return hint
    expected = "; ".join(f"{k} ({', '.join(SCHEMAS[k].required)})" for k in KINDS)
    found_text = ", ".join(h for h in raw.header if h) or "none"
    raise InputError(
        f"{raw.name}: row {raw.header_row}: cannot tell what the file holds from its columns ({found_text}): "
        f"expected the columns of {expected}"
    )


def summarize(panel: Panel) -> list[str]:
    """One line per table, then the sources, the files' hash and (with history and workforce) the
    data hash of their content, the one results carry; numbers in Indonesian format.

    e.g. "history: 184.960 rows, 514 regions, 4 segments, 2018-01..2025-06 (ILLUSTRATIVE data)".
    """
    lines: list[str] = []
    h, w, t = panel.history, panel.workforce, panel.targets
    if h is not None:
        span = f"{h[DS].min():%Y-%m}..{h[DS].max():%Y-%m}"
        line = (
            f"history: {number(len(h))} rows, {number(h[REGION_CODE].nunique())} regions, "
            f"{h[SEGMENT].nunique()} segments, {span}"
        )
        lines.append(line + (" (ILLUSTRATIVE data)" if panel.illustrative else ""))
    if w is not None:
        line = (
            f"workforce: {number(len(w))} rows, {number(w[REGION_CODE].nunique())} regions, "
            f"periods {w[PERIOD].min():%Y-%m}..{w[PERIOD].max():%Y-%m}"
        )
        if "estimate" in w.columns:
            line += f", {number(int(w['estimate'].sum()))} estimated"
        lines.append(line)
    if t is not None:
        lines.append(
            f"targets: {number(len(t))} rows, {number(t[REGION_CODE].nunique())} regions, "
            f"years {t[YEAR].min()}..{t[YEAR].max()}"
        )
    lines.append(f"sources: {', '.join(panel.sources)}")
    lines.append(f"files hash: sha256 {panel.data_hash} (the files' bytes, as sha256sum reads them)")
    if h is not None and w is not None:
        from simulator.projection import data_hash

        lines.append(
            f"data hash: {data_hash(h, w)} (history and workforce as read: the one a saved result's "
            "provenance and the baseline carry)"
        )
    lines.extend(f"warning: {w}" for w in panel.warnings)
    return lines


def template_csv(kind: str) -> str:
    """A CSV template for ``kind``: the required columns and one example row. Loads back without
    error with :func:`load_table`; optional columns (see ``SCHEMAS``) may be added."""
    if kind not in SCHEMAS:
        raise InputError(f"kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    schema = SCHEMAS[kind]
    return ",".join(schema.required) + "\n" + ",".join(_EXAMPLES[kind]) + "\n"

"""Command line: report and what-changed sub-commands (registered into simulator.cli on import).

``python -m simulator report RESULT_DIR --xlsx out.xlsx --html out.html --pdf out.pdf``
``python -m simulator changes OLD_DIR NEW_DIR --output changes.csv [--html changes.html]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

from simulator.cli import EXTRA_PARSERS, _bundled, _out, command, output_file, print_note
from simulator.errors import InputError


def _outputs(args: argparse.Namespace, *options: str) -> dict[str, Path]:
    """The output files given among ``options`` ("--xlsx" ...), checked before any work
    (``output_file``): {option: path}."""
    given = {option: getattr(args, option.removeprefix("--")) for option in options}
    return {option: output_file(value, option) for option, value in given.items() if value}


def _write(out: Path, data: bytes | str) -> Path:
    """Written atomically: a kill or a full disk leaves the previous file whole."""
    from simulator.results_io import atomic_write

    return atomic_write(out, data)


@command("report")
def _report(args: argparse.Namespace) -> int:
    from simulator.regions import load_regions
    from simulator.report import PdfEngineError, brief_html, brief_pdf, workbook_bytes
    from simulator.results_io import load_saved

    outputs = _outputs(args, "--xlsx", "--html", "--pdf")
    if not outputs:
        raise InputError("report: nothing to write; give --xlsx, --html and/or --pdf")
    tree = load_regions()
    saved = load_saved(args.result, tree=tree)
    result = saved.result
    sweep = None
    if args.sweep:
        from simulator.sweep import read_result

        sweep = read_result(args.sweep)
    if args.xlsx:
        data = workbook_bytes(
            result,
            saved.status,
            saved.backtest,
            lang=args.lang,
            provenance=saved.provenance,
            tree=tree,
            sweep=sweep,
        )
        _out(f"workbook -> {_write(outputs['--xlsx'], data)}")
    if args.html or args.pdf:
        text = brief_html(
            result,
            saved.status,
            tree,
            lang=args.lang,
            provenance=saved.provenance,
            history=_recorded(saved.provenance, args.data, tree),
            sweep=sweep,
        )
        if args.html:
            _out(f"brief (HTML) -> {_write(outputs['--html'], text)}")
        if args.pdf:
            try:
                pdf = brief_pdf(text)
            except PdfEngineError as err:
                raise InputError(f"--pdf: {err}") from None
            _out(f"brief (PDF) -> {_write(outputs['--pdf'], pdf)}")
    print_note(bool(saved.provenance.get("illustrative")))
    return 0


def _recorded(provenance: dict, data: str | None, tree):
    """``history(code)`` for the brief's fan charts: the recorded coverage of the data the result was
    computed from (``data`` or the bundled folder, used only when its hash is the result's), else None
    (the charts then show the projection alone)."""
    from simulator.loaders import load_data
    from simulator.projection import data_hash
    from simulator.regions import DATA_DIR
    from simulator.views import history_coverage

    try:
        panel = load_data(data or DATA_DIR)
    except InputError:
        return None
    if data_hash(panel.history, panel.workforce) != provenance.get("data_hash"):  # as the baseline hashes it
        return None
    return lambda code: history_coverage(panel.history, panel.workforce, tree, code)


def _rerun_for(old, new, data: str | None, tree):
    """The old scenario on the new result's baseline: the old result itself when both ran on the same
    baseline, else a run on the baseline rebuilt from ``data``, checked against the new data hash."""
    from simulator.engine import run_scenario

    old_base, new_base = old.meta.get("baseline", {}), new.meta.get("baseline", {})
    same = old_base == new_base and old.seed == new.seed and old.paths == new.paths
    if same and old.meta.get("uncertainty") == new.meta.get("uncertainty"):
        return old
    if "horizon" not in new_base or "paths" not in new_base:
        raise InputError("changes: the new result does not say how its baseline was built (meta 'baseline')")
    _, baseline, _ = _bundled(int(new_base["horizon"]), int(new_base["paths"]), data)
    if baseline.meta.get("data_hash") != new_base.get("data_hash"):
        raise InputError(
            f"--data: the data hash {baseline.meta.get('data_hash')} differs from the new result's "
            f"{new_base.get('data_hash')}; pass --data with the data the new result was run on"
        )
    regions = None if len(new.regions) == len(tree.codes) else list(new.regions)
    return run_scenario(
        baseline,
        old.scenario,
        paths=new.paths,
        seed=new.seed,
        tree=tree,
        uncertainty=bool(new.meta.get("uncertainty", True)),
        regions=regions,
    )


@command("changes")
def _changes(args: argparse.Namespace) -> int:
    from simulator.fmt import number, percent, rupiah
    from simulator.regions import load_regions
    from simulator.report import changes_html, what_changed
    from simulator.results_io import load_saved

    outputs = _outputs(args, "--output", "--html")
    tree = load_regions()
    old = load_saved(args.old, tree=tree)
    new = load_saved(args.new, tree=tree)
    targets = new.targets if new.targets is not None else old.targets
    if targets is None:
        raise InputError(f"{args.new}: no targets.csv in either saved result; cannot assess what changed")
    mid = _rerun_for(old.result, new.result, args.data, tree)
    changes = what_changed(old.result, new.result, mid, targets, tree=tree)
    illustrative = bool(old.provenance.get("illustrative") or new.provenance.get("illustrative"))
    if args.output:
        from simulator.results_io import write_csv

        _out(f"changes -> {write_csv(changes, outputs['--output'], illustrative)}")
    if args.html:
        _out(f"changes (HTML) -> {_write(outputs['--html'], changes_html(changes, lang=args.lang))}")
    _out(
        f"{'kode':<7} {'tahun':>5} {'ukuran':<12} {'lama':>14} {'baru':>14} {'efek data':>14} "
        f"{'efek kebijakan':>15}"
    )
    for r in changes.itertuples(index=False):
        if r.unit == "fraction":
            cells = [percent(v) for v in (r.old, r.new)] + [
                f"{number(100 * v, 2)} poin" for v in (r.data_effect, r.lever_effect)
            ]
        else:
            cells = [rupiah(v, short=True) for v in (r.old, r.new, r.data_effect, r.lever_effect)]
        _out(
            f"{r.region_code:<7} {r.year:>5} {r.measure:<12} {cells[0]:>14} {cells[1]:>14} {cells[2]:>14} "
            f"{cells[3]:>15}"
        )
    print_note(illustrative)
    return 0


def _report_parsers(sub) -> None:
    p = sub.add_parser("report", help="Excel workbook and printable brief (HTML/PDF) of a saved result")
    p.add_argument("result", help="folder written by: run SCENARIO --output FOLDER")
    p.add_argument("--xlsx", help="write the Excel workbook here")
    p.add_argument("--html", help="write the printable brief (HTML) here")
    p.add_argument("--pdf", help="write the brief as PDF here (needs a headless chromium)")
    p.add_argument("--lang", choices=("id", "en"), default="id")
    p.add_argument(
        "--sweep",
        help="folder of an assumption sweep of this scenario (python -m simulator sweep): "
        "its sensitivity sheet goes into the workbook and a page into the brief",
    )
    p.add_argument(
        "--data",
        help="data folder the result was computed from, for the recorded history in the "
        "brief's charts (default: the bundled data/, used when its hash matches)",
    )
    p = sub.add_parser("changes", help="what changed between two saved results: new data vs changed levers")
    p.add_argument("old", help="earlier saved result folder")
    p.add_argument("new", help="current saved result folder")
    p.add_argument("--output", help="CSV of the changes")
    p.add_argument("--html", help="printable page with charts and the table")
    p.add_argument("--lang", choices=("id", "en"), default="id")
    p.add_argument(
        "--data",
        help="data folder of the new result, when its baseline must be rebuilt (default: the bundled data/)",
    )


EXTRA_PARSERS.append(_report_parsers)

"""Command line shell over the library: parse arguments, call one function, print its answer.

Exit codes: 0 success, 2 bad input (one line on stderr, never a traceback for a user error).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path

from simulator.errors import InputError
from simulator.i18n import ILLUSTRATIVE_LINE

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str):
    def register(func):
        COMMANDS[name] = func
        return func

    return register


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def print_note(illustrative: bool) -> None:
    """The illustrative-data line, printed last by every command whose numbers come from the
    illustrative history."""
    if illustrative:
        _out(ILLUSTRATIVE_LINE)


def illustrative_mark(panel) -> str:
    """ "  (data ilustratif)" after a headline when the history is the illustrative one, else ""."""
    return "  (data ilustratif)" if panel.illustrative else ""


def check_baseline_args(args: argparse.Namespace) -> None:
    """--horizon and --paths, checked before any folder is made or data is read."""
    for option, value in (("--horizon", args.horizon), ("--paths", args.paths)):
        if value < 1:
            raise InputError(f"{option}: expected a whole number of at least 1, got {value}")


def output_file(path: str, option: str) -> Path:
    """An output file's path, checked before any work so that a bad name fails fast and writes
    nothing: an existing folder of that name, or a missing parent folder, is an InputError naming
    the option and path."""
    out = Path(path)
    if out.is_dir():
        raise InputError(f"{option} {out}: is a folder: expected a file name")
    if not out.parent.exists():
        raise InputError(f"{option} {out}: folder {out.parent} not found")
    return out


def output_folder(path: str, option: str = "--output") -> Path:
    """The output folder, checked before any work: a file of that name, or a folder that cannot
    be made, is an InputError naming the option and path, and nothing is computed or written."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise InputError(f"{option} {out}: is a file: expected a folder (it is created when missing)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"{option} {out}: cannot create the folder ({err.strerror})") from None
    return out


@command("regions")
def _regions(args: argparse.Namespace) -> int:
    from simulator.fmt import number
    from simulator.regions import load_regions

    tree = load_regions()
    if args.under:
        code = tree.resolve(args.under)
        codes = [code, *tree.descendants(code)]
    else:
        codes = tree.codes
    _out(f"{'kode':<7} {'tingkat':<9} {'desa/kel':>9}  nama")
    for code in codes:
        row = tree.row(code)
        _out(f"{code:<7} {row['level']:<9} {number(row['villages']):>9}  {row['name']}")
    kab = [c for c in codes if tree.level(c) == "kabkota"]
    prov = [c for c in codes if tree.level(c) == "provinsi"]
    _out(f"{len(prov)} provinsi, {len(kab)} kabupaten/kota")
    return 0


@command("validate")
def _validate(args: argparse.Namespace) -> int:
    from simulator.loaders import load_data, summarize

    panel = load_data(Path(args.path))
    for line in summarize(panel):
        _out(line)
    return 0


#: Shell modules that register more sub-commands (``command`` + ``EXTRA_PARSERS``) on import.
SHELL_MODULES = (
    "simulator.cli_forecast",
    "simulator.cli_budget",
    "simulator.cli_report",
    "simulator.cli_calibrate",
    "simulator.cli_sweep",
    "simulator.cli_segments",
)


def build_parser() -> argparse.ArgumentParser:
    import importlib

    for name in SHELL_MODULES:
        importlib.import_module(name)
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("regions", help="list regions (Kemendagri codes, names, villages)")
    p.add_argument("--under", help="only this region and everything under it (code or name)")
    p = sub.add_parser("validate", help="load and validate a data folder or file; print a summary")
    p.add_argument("path")
    for extra in EXTRA_PARSERS:
        extra(sub)
    return parser


#: Sub-command parser builders registered by other modules of the shell.
EXTRA_PARSERS: list[Callable] = []


def _bundled(horizon: int, paths: int, data: str | None):
    """Panel and baseline from a data folder (bundled data by default), cached on disk."""
    from simulator.loaders import load_data
    from simulator.projection import project_baseline
    from simulator.regions import DATA_DIR

    panel = load_data(Path(data) if data else DATA_DIR)
    if panel.history is None or panel.workforce is None:
        raise InputError(f"{data or DATA_DIR}: a projection needs both a history and a workforce file")
    baseline, table = project_baseline(panel.history, panel.workforce, horizon=horizon, paths=paths)
    # a new Baseline with the file names (results_io.is_illustrative reads them): the projection's
    # object may be shared (cache), so its meta is not written into
    baseline = dataclasses.replace(baseline, meta={**baseline.meta, "sources": list(panel.sources)})
    return panel, baseline, table


@command("project")
def _project(args: argparse.Namespace) -> int:
    check_baseline_args(args)
    out = output_folder(args.output)
    from simulator.results_io import claim_folder

    claim_folder(out)  # held to the end: a second run into the same folder is refused at once
    panel, baseline, table = _bundled(args.horizon, args.paths, args.data)
    from simulator.projection import baseline_frame
    from simulator.results_io import save_tables

    # both tables switched in together: never a new baseline.csv beside an old backtest.csv
    save_tables(out, {"baseline.csv": baseline_frame(baseline), "backtest.csv": table}, panel.illustrative)
    _out(
        f"baseline: {len(baseline.regions)} regions x {baseline.paths} paths x {len(baseline.months)} months "
        f"({baseline.months[0]}..{baseline.months[-1]}) -> {out / 'baseline.csv'}"
    )
    _out(f"backtest table: {len(table)} rows -> {out / 'backtest.csv'}")
    print_note(panel.illustrative)
    return 0


def _status_lines(status, tree) -> list[str]:
    from simulator.fmt import number, percent
    from simulator.i18n import t

    lines = [
        f"{'kode':<7} {'wilayah':<24} {'tahun':>5} {'target':>9} {'basis':<5} {'median':>9} {'peluang':>8} "
        f"{'teruji*':>7} {'kurang (org)':>13}  {'status':<14} sumber target"
    ]
    for row in status.itertuples(index=False):
        inherited = (
            ""
            if getattr(row, "applied_from", row.region_code) == row.region_code
            else f" dari {row.applied_from}"
        )
        lines.append(
            f"{row.region_code:<7} {tree.name(row.region_code)[:24]:<24} {row.year:>5} "
            f"{percent(row.target):>9} "
            f"{getattr(row, 'basis', 'bps'):<5} {percent(row.median):>9} {percent(row.probability, 0):>8} "
            f"{percent(getattr(row, 'held_80', float('nan')), 0):>7} {number(row.gap_persons):>13}  "
            f"{t(row.status, 'id'):<14} {getattr(row, 'scheme', '')}{inherited}"
        )
    lines.append(RELIABILITY_NOTE)
    return lines


#: The footnote of the "teruji" column.
RELIABILITY_NOTE = (
    "* teruji: seberapa sering pita 80 % proyeksi memuat angka sebenarnya dalam uji mundur, untuk "
    "tingkat wilayah dan jarak tenggat ini (python -m simulator calibrate); – : tenggat lebih jauh "
    "dari yang teruji"
)


def _reported(scenario, official, tree) -> list[str]:
    """Regions ``run`` and ``compare`` report, in tree order: the nation, every region with an
    official target, and the regions a scenario's levers or own targets name; a lever on a province
    or on its pattern "61.*" reports the province and its kabupaten/kota, as the app's Overview does
    for that province. Each is assessed by ``targets.status_table`` (kabupaten/kota on their
    province's inherited targets), as in the app."""
    wanted = {"00"}
    for lever in scenario.levers:
        for code in lever.region:
            area = code[:-2] if code.endswith(".*") else code
            wanted.add(area)
            if area in tree and tree.level(area) == "provinsi":
                wanted.update(tree.children(area))
    own = scenario.targets_frame()
    if own is not None:
        wanted.update(own["region_code"].astype(str))
    if official is not None:
        wanted.update(official["region_code"].astype(str))
    return [c for c in tree.codes if c in wanted]


@command("run")
def _run(args: argparse.Namespace) -> int:
    from simulator.calibrate import status_with_reliability
    from simulator.engine import run_scenario
    from simulator.fmt import rupiah
    from simulator.regions import load_regions
    from simulator.scenario import load_scenario
    from simulator.targets import resolve, status_table

    tree = load_regions()
    scenario = load_scenario(args.scenario, tree)
    check_baseline_args(args)
    if args.output:
        from simulator.results_io import claim_folder

        claim_folder(output_folder(args.output))  # held to the end: two runs cannot both save here
    panel, baseline, backtest = _bundled(args.horizon, args.paths, args.data)
    from simulator.scenario import lever_warnings

    for warning in lever_warnings(scenario, baseline):
        sys.stderr.write(f"warning: {warning}\n")
    codes = _reported(scenario, panel.targets, tree)
    # a saved result holds every region; the printed table the regions of ``_reported``
    result = run_scenario(
        baseline, scenario, seed=args.seed, tree=tree, regions=None if args.output else codes
    )
    # the one status builder: official targets (inherited where a region has none) beside the
    # scenario's own, each on its own definition, as the app and compare show them
    status = status_table(result, panel.targets, codes=codes, tree=tree, workforce=panel.workforce)
    status = status_with_reliability(status, result, tree)
    targets = resolve(codes, panel.targets, scenario, tree, panel.workforce)
    if args.output:
        from simulator.results_io import save_result

        sources = [str(s) for s in panel.sources]
        save_result(
            result,
            args.output,
            scenario_text=Path(args.scenario).read_text(encoding="utf-8"),
            targets=targets,
            backtest=backtest,
            illustrative=panel.illustrative,
            extra={"data_sources": sources, "data_files_hash": panel.data_hash},
        )
    _out(f"skenario: {scenario.name}{illustrative_mark(panel)}")
    for line in _status_lines(status, tree):
        _out(line)
    total = result.cost.groupby("payer")["cost_idr"].sum() if not result.cost.empty else {}
    for payer, value in dict(total).items():
        _out(f"biaya {payer}: {rupiah(value)}")
    if args.output:
        _out(f"hasil disimpan / saved: {args.output}")
    return 0


@command("compare")
def _compare(args: argparse.Namespace) -> int:
    from simulator.calibrate import status_with_reliability
    from simulator.engine import run_scenario
    from simulator.fmt import percent
    from simulator.i18n import t
    from simulator.regions import load_regions
    from simulator.scenario import load_scenario
    from simulator.targets import status_table

    tree = load_regions()
    scenarios = [load_scenario(p, tree) for p in args.scenarios]  # validate all before running any
    panel, baseline, _ = _bundled(args.horizon, args.paths, args.data)
    tables = []
    wanted = {c for sc in scenarios for c in _reported(sc, panel.targets, tree)}
    codes = [c for c in tree.codes if c in wanted]  # the same regions for every scenario, side by side
    for sc in scenarios:
        result = run_scenario(baseline, sc, seed=args.seed, tree=tree, regions=codes)
        status = status_table(result, panel.targets, tree=tree, workforce=panel.workforce)
        status = status_with_reliability(status, result, tree)
        tables.append(status.set_index(["region_code", "year", "scheme"]))
    keys = sorted(set().union(*[set(t.index) for t in tables]))
    _out(f"{'kode':<7} {'tahun':>5} {'target':<24} " + " ".join(f"{sc.name[:36]:>36}" for sc in scenarios))
    for key in keys:
        cells = []
        for table in tables:
            if key in table.index:
                row = table.loc[key]
                cell = (
                    f"{percent(row['median'])} / P={percent(row['probability'], 0)} "
                    f"[{percent(row['held_80'], 0)}] {t(row['status'], 'id')}"
                )
                cells.append(f"{cell:>36}")
            else:
                cells.append(f"{'–':>36}")
        _out(f"{key[0]:<7} {key[1]:>5} {key[2][:24]:<24} " + " ".join(cells))
    _out(RELIABILITY_NOTE.replace("* teruji", "[..]"))
    print_note(panel.illustrative)
    return 0


def _baseline_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--horizon", type=int, default=66, help="months after the last observed month (default 66)"
    )
    p.add_argument("--paths", type=int, default=1000, help="sample paths (default 1000)")
    p.add_argument("--data", help="data folder (default: the bundled data/)")
    p.add_argument("--seed", type=int, default=0)


def _scenario_parsers(sub) -> None:
    p = sub.add_parser(
        "project", help="project the baseline for every region; write it and its backtest table"
    )
    _baseline_args(p)
    p.add_argument("--output", required=True, help="output folder")
    p = sub.add_parser("run", help="run a scenario file; print the status table")
    p.add_argument("scenario")
    p.add_argument("--output", help="folder for result tables")
    _baseline_args(p)
    p = sub.add_parser("compare", help="run several scenario files and compare them side by side")
    p.add_argument("scenarios", nargs="+")
    _baseline_args(p)


EXTRA_PARSERS.append(_scenario_parsers)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InputError as err:
        sys.stderr.write(f"error: {err}\n")
        return 2
    except FileNotFoundError as err:
        sys.stderr.write(f"error: {err.filename}: file not found\n")
        return 2
    except OSError as err:  # a folder where a file goes, no permission, a full disk ...
        sys.stderr.write(f"error: {err.filename or ''}: {err.strerror or err}\n")
        return 2

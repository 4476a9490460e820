"""``segments``: a scenario's result read per participant segment (PU, BPU, JAKON, PMI).

python -m simulator segments scenarios/kalbar-pergub-2025.yaml --region 61 --month 2026-12
"""

from __future__ import annotations

import argparse

from simulator.cli import (
    EXTRA_PARSERS,
    _baseline_args,
    _bundled,
    _out,
    check_baseline_args,
    command,
    output_file,
    print_note,
)
from simulator.errors import InputError


def segment_lines(table) -> list[str]:
    """The per-segment table as printed (Indonesian formats)."""
    from simulator.fmt import number, percent

    lines = [
        f"{'kode':<7} {'bulan':<8} {'segmen':<6} {'porsi':>7} {'baseline':>11} {'tuas':>9} "
        f"{'skenario':>11} {'penyebut':>11} {'cakupan':>8} {'bagian tuas':>11}"
    ]
    for row in table.itertuples(index=False):
        dash = "–"
        lines.append(
            f"{row.region_code:<7} {str(row.month):<8} {row.segment:<6} {percent(row.share, 1):>7} "
            f"{number(row.baseline):>11} {number(row.levers):>9} {number(row.scenario):>11} "
            f"{number(row.denominator) if row.denominator == row.denominator else dash:>11} "
            f"{percent(row.coverage, 1) if row.coverage == row.coverage else dash:>8} "
            f"{percent(row.share_of_change, 0) if row.share_of_change == row.share_of_change else dash:>11}"
        )
    return lines


@command("segments")
def _segments(args: argparse.Namespace) -> int:

    from simulator.engine import run_scenario
    from simulator.regions import load_regions
    from simulator.scenario import load_scenario
    from simulator.scenario.values import parse_month
    from simulator.segments import segment_table
    from simulator.targets import status_table

    tree = load_regions()
    check_baseline_args(args)
    out = output_file(args.output, "--output") if args.output else None
    codes = [tree.resolve(r) for r in (args.region or ["00"])]
    scenario = load_scenario(args.scenario, tree)
    panel, baseline, _ = _bundled(args.horizon, args.paths, args.data)
    if panel.history is None:
        raise InputError(f"{args.data}: segments needs a history file (the segment shares come from it)")
    if args.month:
        months = []
        for text in args.month:
            try:
                months.append(parse_month(text))  # the scenario files' month rule
            except Exception:
                raise InputError(f"--month: expected YYYY-MM, got {text!r}") from None
    else:  # December of every year up to the scenario's horizon
        months = [m for m in baseline.months if m.month == 12 and m <= scenario.horizon]
    result = run_scenario(baseline, scenario, seed=args.seed, tree=tree, regions=codes)
    status = status_table(result, panel.targets, codes=codes, tree=tree, workforce=panel.workforce)
    table = segment_table(result, panel.history, tree, codes, months, targets=status)
    _out(f"{scenario.name}: peserta aktif per segmen (median), {args.paths} jalur")
    for line in segment_lines(table):
        _out(line)
    _out(
        "porsi: bagian segmen dari peserta aktif wilayah 12 bulan terakhir yang teramati (dipertahankan: "
        "asumsi); penyebut: PU = penduduk bekerja x (1 - porsi informal), BPU = penduduk bekerja x porsi "
        "informal (BPS); JAKON dan PMI tanpa penyebut Sakernas; bagian tuas: bagian segmen dari perubahan "
        "skenario. Target resmi berlaku untuk semua segmen (tidak ada target per segmen)."
    )
    for code in codes:
        targets = sorted(set(table.loc[table["region_code"] == code, "target"]) - {""})
        if targets:
            _out(f"target {code} (semua segmen): {'; '.join(targets)}")
    if out is not None:
        from simulator.results_io import write_csv

        write_csv(table, out, panel.illustrative)
        _out(f"-> {out}")
    print_note(panel.illustrative)
    return 0


def _parsers(sub) -> None:
    p = sub.add_parser("segments", help="a scenario's result per participant segment (PU, BPU, JAKON, PMI)")
    p.add_argument("scenario")
    p.add_argument(
        "--region", action="append", help="region code or name (repeatable; default 00, the nation)"
    )
    p.add_argument("--month", action="append", help="YYYY-MM (repeatable; default every December)")
    p.add_argument("--output", help="CSV file for the table")
    _baseline_args(p)


EXTRA_PARSERS.append(_parsers)

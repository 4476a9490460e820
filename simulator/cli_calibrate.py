"""``calibrate``: how often the projection's bands held the truth, per level of the region tree.

python -m simulator calibrate --data data/ --origins 4 --horizon 24 --output out/calibration
"""

from __future__ import annotations

import argparse
from pathlib import Path

from simulator.cli import EXTRA_PARSERS, _out, command, output_folder, print_note
from simulator.errors import InputError

_LEVEL_NAMES = {"kabkota": "kab/kota", "provinsi": "provinsi", "nasional": "nasional"}


def calibration_lines(table) -> list[str]:
    """The calibration table as printed (Indonesian formats)."""
    from simulator.fmt import number, percent

    lines = [
        f"{'tingkat':<9} {'bulan ke':>8} {'titik':>7} {'pita 50 %':>9} {'pita 80 %':>9} {'pita 95 %':>9} "
        f"{'galat median':>12} {'CRPS':>7} {'CRPS naif':>9} {'skill':>7}"
    ]
    for row in table.itertuples(index=False):
        lines.append(
            f"{_LEVEL_NAMES.get(row.level, row.level):<9} {row.months_ahead:>8} {number(row.points):>7} "
            f"{percent(row.held_50, 1):>9} {percent(row.held_80, 1):>9} {percent(row.held_95, 1):>9} "
            f"{percent(row.median_error, 1):>12} {percent(row.crps, 2):>7} {percent(row.crps_naive, 2):>9} "
            f"{number(row.skill, 2):>7}"
        )
    return lines


@command("calibrate")
def _calibrate(args: argparse.Namespace) -> int:
    from simulator.calibrate import calibrate
    from simulator.loaders import load_data
    from simulator.regions import DATA_DIR
    from simulator.results_io import write_csv

    for option, value, least in (
        ("--origins", args.origins, 1),
        ("--horizon", args.horizon, 1),
        ("--paths", args.paths, 2),
        ("--spacing", args.spacing, 1),
    ):
        if value is not None and value < least:
            raise InputError(f"{option}: expected a whole number of at least {least}, got {value}")
    out = output_folder(args.output) if args.output else None
    panel = load_data(Path(args.data) if args.data else DATA_DIR)
    if panel.history is None:
        raise InputError(f"{args.data or DATA_DIR}: calibrate needs a history file")
    result = calibrate(
        panel.history,
        origins=args.origins,
        horizon=args.horizon,
        paths=args.paths,
        seed=args.seed,
        spacing=args.spacing,
    )
    _out(
        f"uji mundur / backtest: {len(result.origins)} titik awal ({', '.join(result.origins)}), "
        f"{args.horizon} bulan ke depan, {args.paths} jalur"
    )
    for line in calibration_lines(result.table):
        _out(line)
    _out(
        "pita X %: bagian angka sebenarnya di dalam pita X % proyeksi; galat median: median/aktual - 1 "
        "(positif: proyeksi terlalu tinggi); skill: 1 - CRPS/CRPS naif (di atas 0: lebih baik dari naif)"
    )
    if out is not None:
        write_csv(result.table, out / "calibration.csv", panel.illustrative)
        write_csv(result.points, out / "calibration_points.csv", panel.illustrative)
        _out(f"-> {out / 'calibration.csv'}, {out / 'calibration_points.csv'}")
    print_note(panel.illustrative)
    return 0


def _parsers(sub) -> None:
    p = sub.add_parser(
        "calibrate", help="rolling-origin holdout of the whole projection: band coverage per level"
    )
    p.add_argument("--data", help="data folder (default: the bundled data/)")
    p.add_argument("--origins", type=int, default=4, help="past origins (default 4)")
    p.add_argument("--horizon", type=int, default=24, help="months ahead from each origin (default 24)")
    p.add_argument(
        "--spacing",
        type=int,
        default=None,
        help="months between origins (default: the projection's own backtest spacing, 7)",
    )
    p.add_argument("--paths", type=int, default=400, help="sample paths per run (default 400)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--output", help="folder for calibration.csv and calibration_points.csv")


EXTRA_PARSERS.append(_parsers)

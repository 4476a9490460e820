"""Command line shell over the library: parse arguments, call one function, print its answer.

Exit codes: 0 success, 2 bad input (one line on stderr, never a traceback for a user error).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from simulator.errors import InputError

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str):
    def register(func):
        COMMANDS[name] = func
        return func

    return register


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


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


def build_parser() -> argparse.ArgumentParser:
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

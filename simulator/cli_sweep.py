"""``sweep``: which assumption decides the answer (Sobol' indices and thresholds), on Dask.

    python -m simulator sweep scenarios/kalbar-pergub-2025.yaml --samples 256 --output out/sweep
    python -m simulator sweep scenarios/kalbar-pergub-2025.yaml --samples 4096 --output out/sweep \\
        --scheduler tcp://10.0.0.5:8786
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from simulator.cli import (
    EXTRA_PARSERS,
    _bundled,
    _out,
    check_baseline_args,
    command,
    output_folder,
    print_note,
)
from simulator.errors import InputError


def settings(args: argparse.Namespace, scenario) -> dict:
    """The sweep's settings: command-line options over the scenario's ``sweep`` section over
    ``sweep.DEFAULTS``; InputError naming the option for a value out of range."""
    from simulator.sweep import DEFAULTS

    section = scenario.sweep
    out = {}
    for key, default in DEFAULTS.items():
        given = getattr(args, key, None)
        own = getattr(section, key, None) if section is not None else None
        out[key] = given if given is not None else own if own is not None else default
    for key, least in (("samples", 2), ("grid", 3), ("batch", 1)):
        if out[key] < least:
            raise InputError(f"--{key}: expected a whole number of at least {least}, got {out[key]}")
    if not 0 < out["probability"] < 1:
        raise InputError(
            f"--probability: expected a share between 0 and 1 (exclusive), got {out['probability']}"
        )
    if args.workers < 0:
        raise InputError(f"--workers: expected 0 (this process) or more worker processes, got {args.workers}")
    if args.scheduler and not args.scheduler.startswith(("tcp://", "tls://", "ws://", "wss://", "inproc://")):
        raise InputError(f"--scheduler {args.scheduler}: expected an address such as tcp://HOST:8786")
    return out


class Bar:
    """A progress bar on stderr: redrawn in place on a terminal, a line per tenth otherwise."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.start = time.perf_counter()
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        tenth = 10 * done // max(total, 1)
        if not self.tty and tenth == self.shown:
            return
        self.shown = tenth
        width = 30
        fill = width * done // max(total, 1)
        line = (
            f"sweep [{'#' * fill}{'.' * (width - fill)}] {done}/{total} titik / points, "
            f"{time.perf_counter() - self.start:.0f} s"
        )
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        if self.tty and done >= total:
            self.stream.write("\n")
        self.stream.flush()


@command("sweep")
def _sweep(args: argparse.Namespace) -> int:
    from simulator import sweep
    from simulator.fmt import number, percent
    from simulator.regions import load_regions
    from simulator.results_io import claim_folder
    from simulator.scenario import load_scenario

    tree = load_regions()
    scenario = load_scenario(args.scenario, tree)
    options = settings(args, scenario)
    check_baseline_args(args)
    sweep.dimensions(scenario)  # a scenario with nothing to sweep is refused before any work
    out = output_folder(args.output)
    claim_folder(out)  # held to the end: two sweeps cannot write one folder
    # an outside cluster is reached first: an address that does not answer fails before any work
    client = sweep.open_client(args.scheduler) if args.scheduler else None
    try:
        panel, baseline, _ = _bundled(args.horizon, args.paths, args.data)
        model = sweep.scenario_model(scenario, baseline, panel.targets, tree=tree, workforce=panel.workforce)
        design = sweep.make_design(model.dims, options["samples"], seed=options["seed"], grid=options["grid"])
        _out(
            f"skenario: {scenario.name}; {len(model.dims)} asumsi / assumptions, {len(design.values)} "
            "titik desain / "
            f"design points ({options['samples']} x ({len(model.dims)} + 2) + 1 + {len(model.dims)} x "
            f"{options['grid']}), {len(model.regions)} wilayah, {len(model.targets)} target, "
            f"{baseline.paths} jalur"
        )
        started = time.perf_counter()
        if client is None and args.workers > 0:
            client = sweep.open_client(workers=args.workers)
        y, stats = sweep.run_design(
            model,
            design,
            out,
            context=model.context(baseline),
            client=client,
            batch=options["batch"],
            seed=options["seed"],
            progress=Bar(),
        )
    finally:
        if client is not None:
            sweep.close_client(client)
    elapsed = time.perf_counter() - started
    result = sweep.analyse(
        y,
        design,
        model.rows(),
        model.outputs,
        level=options["probability"],
        boot=args.boot,
        seed=options["seed"],
    )
    sweep.write_result(
        result,
        out,
        panel.illustrative,
        extra={
            "boot": args.boot,
            "scenario": scenario.name,
            "scenario_file": Path(args.scenario).name,
            "paths": baseline.paths,
            "samples": options["samples"],
            "computed": stats.computed,
            "reused": stats.reused,
            "seconds": round(elapsed, 2),
        },
    )
    _out(f"dihitung / computed {stats.computed}, dari disk / from disk {stats.reused}, {elapsed:.1f} s")
    for line in headline_lines(result, tree):
        _out(line)
    _out(f"-> {out / 'summary.csv'}, {out / 'indices.csv'}, {out / 'thresholds.csv'}, {out / 'design.csv'}")
    _out(
        f"peluang minimal / probability level: {percent(options['probability'], 0)}; "
        f"titik per tugas / points per task {number(options['batch'])}"
    )
    print_note(panel.illustrative)
    return 0


def headline_lines(result, tree) -> list[str]:
    """Per region and target year: the assumption with the largest total index on the probability
    of reaching it, its threshold, and the probability's spread over the assumption sets."""
    from simulator.fmt import number, percent
    from simulator.sweep import tornado

    lines = [
        f"{'kode':<7} {'wilayah':<22} {'tahun':>5} {'peluang p10-p90':>17}  asumsi terpenting (indeks total) "
        "/ ambang"
    ]
    summary = result.summary
    seen = set()
    for row in summary.itertuples(index=False):
        key = (row.region_code, row.year)
        if key in seen:
            continue
        seen.add(key)
        table = tornado(result, str(row.region_code), int(row.year), scheme=getattr(row, "scheme", None))
        spread = f"{percent(row.probability_p10, 0)}-{percent(row.probability_p90, 0)}"
        if not len(table) or table["total"].isna().all():
            top = "peluang tidak bergantung pada asumsi / does not depend on the assumptions"
        else:
            first = table.iloc[0]
            side = first.get("side", "")
            where = (
                f"{side} {number(first['threshold'], 3)}" if side in ("lost below", "lost above") else side
            )
            top = f"{first['assumption']} ({number(first['total'], 2)}) / {where}"
        lines.append(
            f"{row.region_code:<7} {tree.name(str(row.region_code))[:22]:<22} {row.year:>5} "
            f"{spread:>17}  {top}"
        )
    return lines


def _parsers(sub) -> None:
    p = sub.add_parser("sweep", help="assumption sweep: Sobol' indices and thresholds per target, on Dask")
    p.add_argument("scenario")
    p.add_argument("--output", required=True, help="folder (a stopped sweep resumes from what is in it)")
    p.add_argument(
        "--samples", type=int, help="base samples N: N x (assumptions + 2) design points (default 256)"
    )
    p.add_argument("--grid", type=int, help="values per assumption in the threshold scan (default 21)")
    p.add_argument("--probability", type=float, help="a target is lost below this probability (default 0.5)")
    p.add_argument("--batch", type=int, help="design points per task (default 16)")
    p.add_argument("--seed", type=int, help="seed of the Sobol' sequence and of each point's run (default 0)")
    p.add_argument(
        "--boot", type=int, default=200, help="bootstrap resamples for the intervals (default 200)"
    )
    p.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://HOST:8786")
    p.add_argument(
        "--workers",
        type=int,
        default=2,
        help="worker processes of the local cluster (default 2; 0: in this process, no Dask)",
    )
    p.add_argument(
        "--horizon", type=int, default=66, help="months after the last observed month (default 66)"
    )
    p.add_argument("--paths", type=int, default=1000, help="sample paths (default 1000)")
    p.add_argument("--data", help="data folder (default: the bundled data/)")


EXTRA_PARSERS.append(_parsers)

"""Command line: solve and allocate sub-commands (registered into simulator.cli on import).

python -m simulator solve --region 61 --target 0.5956 --deadline 2025-12 --probability 0.8 --lever subsidy
python -m simulator allocate --budget 10000000000 --under 61 --objective regions
"""

from __future__ import annotations

import argparse

import simulator.cli as _cli
from simulator.cli import EXTRA_PARSERS, _baseline_args, _out, command
from simulator.errors import InputError


def _lever_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--lever",
        default="subsidy",
        choices=["subsidy", "village", "compliance"],
        help="contribution subsidy (size: headcount), village officials (officials in total) or employer "
        "compliance (wage earners registered)",
    )
    p.add_argument("--start", help="first month of the lever, YYYY-MM (default: first projected month)")
    p.add_argument(
        "--months",
        type=int,
        help="months the lever is funded (solve default: part of the answer; allocate: to the deadline)",
    )
    p.add_argument("--ramp-months", type=int, help="months to full size (default from data/parameters.yaml)")
    p.add_argument("--already-covered", type=float, help="subsidy: share active anyway [fraction]")
    p.add_argument(
        "--retention-after", type=float, help="subsidy: share still paying after the end [fraction]"
    )
    p.add_argument("--lapse", type=float, help="subsidy: monthly lapse after the end [fraction/month]")
    p.add_argument("--enrolled-share", type=float, help="village: share of officials enrolled [fraction]")
    p.add_argument("--unit-cost", type=float, help="IDR per person per month (default Rp16.800, JKK+JKM)")
    p.add_argument(
        "--payer", help="who pays: apbd_provinsi, or a split such as apbd_provinsi=0.6,apbd_kabkota=0.4"
    )
    p.add_argument("--probability", type=float, default=0.8, help="required probability (default 0.8)")
    p.add_argument(
        "--target",
        type=float,
        help="coverage target [fraction] (default: the region's target in the data, else its parent's)",
    )
    p.add_argument(
        "--basis",
        choices=["bps", "ucj"],
        help="denominator of --target: bps (BPS employed) or ucj (potential workers: employed less "
        "ASN/TNI/Polri); default the basis of the region's official target, else bps",
    )
    p.add_argument(
        "--deadline", help="YYYY-MM (default: December of the region's first target year in the projection)"
    )
    p.add_argument(
        "--capacity",
        type=float,
        help="enrolment capacity per kabupaten/kota [persons/month] (default from data/parameters.yaml; "
        "'inf' for none)",
    )
    p.add_argument(
        "--pool",
        choices=["eligible", "workforce"],
        default="eligible",
        help="eligible: the lever's eligible pool (default); workforce: the uncovered workforce only",
    )


def _budget_parsers(sub) -> None:
    p = sub.add_parser(
        "solve", help="smallest subsidy (or village enrollment) reaching a target with a probability"
    )
    p.add_argument(
        "--region", required=True, help="region code or name; the lever covers every kabupaten/kota under it"
    )
    p.add_argument(
        "--no-sustain",
        action="store_true",
        help="only the deadline's target (default: also keep the region's later official targets)",
    )
    _lever_args(p)
    _baseline_args(p)
    p = sub.add_parser("allocate", help="split a rupiah budget across regions (scipy.optimize.milp)")
    p.add_argument("--budget", type=float, required=True, help="budget envelope [IDR]")
    p.add_argument("--under", help="allocate across the kabupaten/kota under this region (code or name)")
    p.add_argument("--regions", nargs="+", help="or: these regions (codes or names, none under another)")
    p.add_argument(
        "--objective",
        default="regions",
        choices=["regions", "workers"],
        help="regions reaching their target (default) or expected newly covered workers",
    )
    p.add_argument(
        "--minimum",
        action="append",
        default=[],
        metavar="CODE=SIZE",
        help="at least SIZE persons for region CODE (repeatable)",
    )
    _lever_args(p)
    _baseline_args(p)


EXTRA_PARSERS.append(_budget_parsers)


def _template(args: argparse.Namespace) -> tuple[dict, dict | None]:
    """Lever template from the options given (others take the parameter defaults) and payer shares."""
    template: dict = {"kind": args.lever}
    keys = {
        "start": "start",
        "months": "months",
        "ramp_months": "ramp_months",
        "already_covered": "already_covered",
        "retention_after": "retention_after",
        "lapse": "lapse",
        "enrolled_share": "enrolled_share",
        "unit_cost": "unit_cost",
    }
    for attr, key in keys.items():
        value = getattr(args, attr)
        if value is not None:
            if args.lever != "subsidy" and key in ("already_covered", "retention_after", "lapse"):
                raise InputError(f"--{attr.replace('_', '-')}: applies to --lever subsidy only")
            if args.lever == "compliance" and key == "months":
                raise InputError(
                    "--months: employer compliance runs on; applies to --lever subsidy or village"
                )
            if args.lever != "village" and key == "enrolled_share":
                raise InputError("--enrolled-share: applies to --lever village only")
            template[key] = value
    shares = None
    if args.payer:
        if "=" in args.payer:
            shares = {}
            for part in args.payer.split(","):
                name, _, value = part.partition("=")
                try:
                    shares[name.strip()] = float(value)
                except ValueError:
                    raise InputError(
                        f"--payer: expected PAYER=SHARE pairs such as apbd_provinsi=0.6, got {part!r}"
                    ) from None
            template["payer"] = max(shares, key=shares.__getitem__)
        else:
            template["payer"] = args.payer.strip()
    return template, shares


def _deadline(args, targets, code: str, baseline, tree):
    """--deadline, or December of the first target year of ``code`` (or an ancestor) in the projection."""
    from simulator.budget import parse_deadline
    from simulator.targets import deadline_for

    if args.deadline:
        return parse_deadline(args.deadline, baseline)
    lineage = tree.lineage(code)
    years = (
        []
        if targets is None
        else sorted(
            int(y)
            for c, y in zip(targets["region_code"].astype(str), targets["year"], strict=True)
            if c in lineage and deadline_for(int(y), baseline.months) is not None
        )
    )
    if not years:
        raise InputError(f"--deadline: required (no target year for {code} within the projection)")
    return deadline_for(years[0], baseline.months)


def _target(args, panel, code: str, deadline, tree) -> tuple[float, str]:
    """(--target, its basis), or the region's official target for the deadline's year (else its
    parent's) on its own definition (``simulator.targets.resolve``)."""
    from simulator.targets import resolve

    rows = resolve([code], panel.targets, None, tree, panel.workforce)
    rows = rows[rows["year"] == deadline.year]
    if args.target is not None:
        return args.target, args.basis or (str(rows["basis"].iloc[0]) if len(rows) else "bps")
    if not len(rows):
        raise InputError(f"--target: required (no target for {code} in {deadline.year} in the data)")
    return float(rows["coverage"].iloc[0]), str(rows["basis"].iloc[0])


def _lever_line(lever) -> str:
    from simulator.fmt import percent, rupiah

    parts = [f"{lever.kind}, mulai {lever.start}"]
    months = getattr(lever, "months", None)
    parts.append(f"{months} bulan" if months is not None else "terus berjalan")
    parts.append(f"ramp {lever.ramp_months} bulan")
    if lever.kind == "contribution_subsidy":
        parts.append(f"sudah terlindungi {percent(lever.already_covered.mean(), 0)}")
        parts.append(f"bertahan setelahnya {percent(lever.retention_after.mean(), 0)}")
    elif lever.kind == "village_officials":
        parts.append(f"terdaftar {percent(lever.enrolled_share.mean(), 0)}")
    parts.append(f"iuran {rupiah(lever.unit_cost)}/orang/bulan")
    return "tuas: " + ", ".join(parts)


def _basis_words(basis: str, factor: float) -> str:
    from simulator.fmt import percent

    if basis == "ucj":
        return f"basis UCJ: pekerja potensial = {percent(factor, 0)} penduduk bekerja"
    return "basis BPS: penduduk bekerja"


def _limits(args) -> dict:
    import math

    out = {}
    if args.capacity is not None:
        if args.capacity != args.capacity or args.capacity < 0:
            raise InputError(f"--capacity: expected persons per month >= 0 or inf, got {args.capacity:g}")
        out["capacity"] = math.inf if math.isinf(args.capacity) else args.capacity
    if args.pool == "workforce":
        out["pool"] = math.inf
    return out


def _assumption_lines(sol) -> None:
    from simulator.budget.words import assumptions

    _out("asumsi:")
    for what, value, source in assumptions(sol, "id"):
        _out(f"  {what}: {value} [{source}]")


@command("solve")
def _solve(args: argparse.Namespace) -> int:
    from simulator.budget import panel_inputs, solve
    from simulator.budget.words import solve_lines
    from simulator.calibrate import reliability_at
    from simulator.fmt import percent, rupiah
    from simulator.regions import load_regions
    from simulator.vocabulary import PAYERS

    tree = load_regions()
    code = tree.resolve(args.region)
    template, shares = _template(args)
    panel, baseline, _ = _cli._bundled(args.horizon, args.paths, args.data)
    deadline = _deadline(args, panel.targets, code, baseline, tree)
    target, basis = _target(args, panel, code, deadline, tree)
    sol = solve(
        baseline,
        template,
        code,
        target,
        deadline,
        args.probability,
        seed=args.seed,
        tree=tree,
        payers=shares,
        basis=basis,
        sustain=not args.no_sustain,
        **panel_inputs(panel),
        **_limits(args),
    )
    _out(
        f"solve: {tree.name(code)} ({code}), target {percent(target)} "
        f"({_basis_words(basis, sol.factor)}) pada {deadline}, "
        f"peluang >= {percent(args.probability, 0)}{_cli.illustrative_mark(panel)}"
    )
    _out(_lever_line(sol.template))
    for line in solve_lines(sol, tree.name(code), "id"):
        _out(line)
    _out(f"keandalan: {reliability_at(baseline, tree.level(code), deadline)}")
    if sol.reachable and len(sol.cost):
        _out("biaya per tahun dan pembayar (yang terdaftar tiap bulan x iuran):")
        _out(f"{'tahun':<6} {'pembayar':<22} {'biaya':>20}")
        for row in sol.cost.itertuples(index=False):
            _out(f"{row.year:<6} {PAYERS.get(row.payer, row.payer):<22} {rupiah(row.cost_idr):>20}")
        for row in sol.payer_split.itertuples(index=False):
            _out(
                f"total {PAYERS.get(row.payer, row.payer)}: {rupiah(row.cost_idr)} ({percent(row.share, 0)})"
            )
    _assumption_lines(sol)
    return 0


def _minimums(items: list[str], tree) -> dict[str, float] | None:
    out = {}
    for item in items:
        name, sep, value = item.rpartition("=")
        try:
            if not sep:
                raise ValueError
            size = float(value)
        except ValueError:
            raise InputError(f"--minimum: expected CODE=SIZE such as 61.01=5000, got {item!r}") from None
        out[tree.resolve(name)] = size
    return out or None


@command("allocate")
def _allocate(args: argparse.Namespace) -> int:
    from simulator.budget import allocate, panel_inputs
    from simulator.budget.words import allocation_limit, assumptions
    from simulator.calibrate import reliability_at
    from simulator.fmt import number, percent, rupiah
    from simulator.regions import load_regions

    tree = load_regions()
    if bool(args.under) == bool(args.regions):
        raise InputError("allocate: give either --under REGION or --regions CODE ...")
    if args.under:
        parent = tree.resolve(args.under)
        codes = tree.leaves(parent)
    else:
        codes = [tree.resolve(r) for r in args.regions]
        parent = codes[0]
    template, shares = _template(args)
    if shares:
        raise InputError("--payer: allocate takes one payer, not a split")
    minimums = _minimums(args.minimum, tree)
    panel, baseline, _ = _cli._bundled(args.horizon, args.paths, args.data)
    deadline = _deadline(args, panel.targets, parent, baseline, tree)
    inputs = panel_inputs(panel)
    alloc = allocate(
        baseline,
        args.budget,
        codes,
        template,
        args.objective,
        deadline=deadline,
        probability=args.probability,
        target=args.target,
        targets=inputs["targets"],
        minimums=minimums,
        seed=args.seed,
        tree=tree,
        basis=args.basis,
        workforce=inputs["workforce"],
        bpu_share=inputs["bpu_share"],
        **_limits(args),
    )
    _out(
        f"allocate: {rupiah(args.budget)} atas {len(codes)} wilayah, tujuan {args.objective}, "
        f"batas {deadline}, peluang >= {percent(args.probability, 0)}{_cli.illustrative_mark(panel)}"
    )
    _out(_lever_line(alloc.lever))
    payer = getattr(alloc.lever, "payer", "")  # the budget of the region holding them all
    if payer:  # (parameters.payer_for)
        from simulator.vocabulary import PAYERS

        _out(f"dibayar dari: {PAYERS.get(payer, payer)}")
    _out(
        f"{'kode':<7} {'wilayah':<24} {'target':>8} {'perlu':>9} {'batas':>9} {'orang':>9} {'biaya':>18} "
        f"{'peluang':>8}  capai  kendala"
    )
    for row in alloc.table.itertuples(index=False):
        need = "–" if row.needed != row.needed else number(row.needed)
        _out(
            f"{row.region_code:<7} {row.name[:24]:<24} {percent(row.target):>8} {need:>9} "
            f"{number(row.cap):>9} "
            f"{number(row.size):>9} {rupiah(row.cost_idr):>18} {percent(row.probability, 1):>8}  "
            f"{'ya' if row.reached else 'tidak':<5}  {allocation_limit(row.limit, 'id')}"
        )
    _out(
        f"wilayah mencapai target: {alloc.regions_reached} dari {len(codes)}; tambahan peserta (harapan): "
        f"{number(alloc.expected_new_persons)} orang"
    )
    _out(f"terpakai (yang terdaftar tiap bulan x iuran): {rupiah(alloc.spent)} dari {rupiah(args.budget)}")
    _out(f"keandalan peluang: {reliability_at(baseline, 'kabkota', deadline)}")
    _out("asumsi (batas = pool dan kapasitas x ramp):")
    for what, value, source in assumptions(alloc, "id"):
        _out(f"  {what}: {value} [{source}]")
    return 0

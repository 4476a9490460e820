"""The budget answers in words, Bahasa Indonesia (default) or English, in the reader's number
formats: one text for the command line and the app, so both say the same thing."""

from __future__ import annotations

from simulator import fmt
from simulator.budget.common import COMPLIANCE, SUBSIDY, VILLAGE

_KIND = {
    "id": {SUBSIDY: "subsidi iuran", VILLAGE: "perangkat desa", COMPLIANCE: "kepatuhan pemberi kerja"},
    "en": {SUBSIDY: "contribution subsidy", VILLAGE: "village officials", COMPLIANCE: "employer compliance"},
}
_SIZE = {
    "id": {
        SUBSIDY: "pekerja disubsidi",
        VILLAGE: "perangkat desa terdaftar",
        COMPLIANCE: "pekerja penerima upah didaftarkan",
    },
    "en": {
        SUBSIDY: "subsidised workers",
        VILLAGE: "village officials enrolled",
        COMPLIANCE: "wage earners registered",
    },
}
_POOL = {
    "id": {
        SUBSIDY: "pekerja bukan penerima upah yang belum terlindungi",
        VILLAGE: "perangkat desa yang belum terdaftar (desa saja, kelurahan tidak)",
        COMPLIANCE: "pekerja penerima upah yang belum terlindungi",
    },
    "en": {
        SUBSIDY: "uncovered non-wage (BPU-eligible) workers",
        VILLAGE: "village officials not yet enrolled (desa only, not kelurahan)",
        COMPLIANCE: "uncovered wage earners",
    },
}
_LIMIT = {
    "id": {
        "pool": "kelompok sasaran (pool) habis",
        "capacity": "kapasitas pendaftaran: tenggat terlalu dekat",
        "deadline": "tuas baru mulai setelah tenggat",
        "workforce": "pekerja potensial (penduduk bekerja di luar ASN, TNI, Polri) tidak cukup",
    },
    "en": {
        "pool": "the eligible pool runs out",
        "capacity": "enrolment capacity: the deadline is too close",
        "deadline": "the lever starts after the deadline",
        "workforce": "the potential workers (employed less ASN, TNI, Polri) are not enough",
    },
}

#: A lever's behavioural assumptions as the assumptions table names them: (key, Bahasa, English).
_BEHAVIOUR = {
    SUBSIDY: (
        ("already_covered", "Sudah terlindungi (deadweight)", "Already covered (deadweight)"),
        ("retention_after", "Bertahan setelah subsidi berakhir", "Retention after the subsidy"),
        ("lapse", "Berhenti per bulan setelahnya", "Monthly lapse after"),
    ),
    VILLAGE: (("enrolled_share", "Perangkat yang benar-benar terdaftar", "Officials actually enrolled"),),
}


def kind_name(kind: str, lang: str = "id") -> str:
    return _KIND[lang][kind]


def limit_name(limit: str, lang: str = "id") -> str:
    return _LIMIT[lang].get(limit, limit)


def _n(value: float, lang: str, decimals: int = 0) -> str:
    return fmt.number(value, decimals, lang=lang)


def _p(value: float, lang: str, decimals: int = 1) -> str:
    return fmt.percent(value, decimals, lang=lang)


def _rp(value: float, lang: str) -> str:
    return fmt.rupiah(value, lang=lang)


def _months(value: int | None, lang: str) -> str:
    if value is None:
        return "terus berjalan" if lang == "id" else "ongoing"
    return f"{value} bulan" if lang == "id" else f"{value} months"


def assumptions(sol, lang: str = "id") -> list[tuple[str, str, str]]:
    """Every assumption behind a ``Solution`` (or an ``Allocation``'s lever): (what, value, source)."""
    lever = sol.template if hasattr(sol, "template") else sol.lever
    id_ = lang == "id"
    src_param = "data/parameters.yaml"
    rows: list[tuple[str, str, str]] = []
    ramp = getattr(sol, "ramp_months", lever.ramp_months)
    rows.append(
        (
            "Ramp (bulan sampai semua terdaftar)" if id_ else "Ramp (months to enrol everyone)",
            f"{ramp}"
            + (
                f" (tuas: {lever.ramp_months})"
                if id_ and ramp != lever.ramp_months
                else f" (lever: {lever.ramp_months})"
                if ramp != lever.ramp_months
                else ""
            ),
            src_param + (", diperpanjang oleh kapasitas" if id_ else ", lengthened by capacity")
            if ramp != lever.ramp_months
            else src_param,
        )
    )
    months = getattr(sol, "months", getattr(lever, "months", None))
    rows.append(
        (
            "Lama pendanaan" if id_ else "Funded months",
            _months(months, lang),
            ("bagian dari jawaban" if id_ else "part of the answer")
            if hasattr(sol, "years")
            else ("tuas (default: sampai tenggat)" if id_ else "lever (default: to the deadline)"),
        )
    )
    for key, words_id, words_en in _BEHAVIOUR.get(lever.kind, ()):
        rows.append((words_id if id_ else words_en, _p(getattr(lever, key).mean(), lang, 0), src_param))
    rows.append(
        (
            "Iuran per orang per bulan" if id_ else "Contribution per person per month",
            _rp(getattr(lever, "unit_cost", 0.0), lang),
            "PP 44/2015 (JKK+JKM)",
        )
    )
    if not hasattr(sol, "pool") and hasattr(sol, "frame"):
        rows.append(
            (
                "Kelompok sasaran (pool)" if id_ else "Eligible pool",
                _POOL[lang][lever.kind],
                _pool_source(sol, lang),
            )
        )
        per = float(sol.table["capacity"].iloc[0]) if len(sol.table) else 0.0
        rows.append(
            (
                "Kapasitas pendaftaran" if id_ else "Enrolment capacity",
                ("per kabupaten/kota: " if id_ else "per kabupaten/kota: ")
                + f"{_n(per, lang)} "
                + ("orang/bulan" if id_ else "persons/month"),
                _capacity_source(sol, lang),
            )
        )
    if hasattr(sol, "pool"):
        rows.append(
            (
                "Kelompok sasaran (pool)" if id_ else "Eligible pool",
                f"{_n(sol.pool, lang)} ({_POOL[lang][lever.kind]})",
                _pool_source(sol, lang),
            )
        )
        rows.append(
            (
                "Kapasitas pendaftaran" if id_ else "Enrolment capacity",
                f"{_n(sol.capacity, lang)} " + ("orang/bulan" if id_ else "persons/month"),
                _capacity_source(sol, lang),
            )
        )
    return rows


def _flag(entry, lang: str) -> str:
    return (
        ("asumsi" if lang == "id" else "assumption")
        if entry[2]
        else ("sumber" if lang == "id" else "sourced")
    )


def _pool_source(sol, lang: str) -> str:
    s = sol.sources
    if "informal_share" in s:
        text = (
            f"informal {_p(s['informal_share'][0], lang, 2)} ({_flag(s['informal_share'], lang)}, "
            "BPS Sakernas)"
        )
        if "bpu_share_of_active" in s:
            text += (
                f"; BPU {_p(s['bpu_share_of_active'][0], lang, 2)} "
                + ("dari peserta aktif" if lang == "id" else "of active")
                + f" ({_flag(s['bpu_share_of_active'], lang)})"
            )
        else:
            text += "; BPU " + (
                "dari riwayat per kabupaten/kota" if lang == "id" else "from the history per kabupaten/kota"
            )
        return text
    if "officials_per_village" in s:
        return (
            f"{_n(s['officials_per_village'][0], lang)} "
            + ("per desa" if lang == "id" else "per desa")
            + f" ({_flag(s['officials_per_village'], lang)}), "
            + ("sudah terdaftar " if lang == "id" else "already enrolled ")
            + _p(s["officials_already_enrolled"][0], lang, 0)
        )
    return ""


def _capacity_source(sol, lang: str) -> str:
    s = sol.sources
    if "enrolment_per_point_month" not in s:
        return ""
    pts, per = s["enrolment_points_per_kabkota"], s["enrolment_per_point_month"]
    if lang == "id":
        return (
            f"{_n(pts[0], lang, 1)} titik layanan per kabupaten/kota (Kanwil Kalimantan: 30 kantor cabang + "
            f"26 unit layanan untuk 56 kabupaten/kota) x {_n(per[0], lang)} orang/bulan ({_flag(per, lang)})"
        )
    return (
        f"{_n(pts[0], lang, 1)} service points per kabupaten/kota (Kanwil Kalimantan: 30 branch offices + "
        f"26 service units for 56 kabupaten/kota) x {_n(per[0], lang)} persons/month ({_flag(per, lang)})"
    )


def solve_lines(sol, region_name: str, lang: str = "id") -> list[str]:  # noqa: C901 -- outlier listed in #23 (complexity 11): split, then drop this
    """The answer of ``solve`` as lines of text (after the question line)."""
    id_ = lang == "id"
    out: list[str] = []
    what = _SIZE[lang][sol.kind]
    if sol.reachable:
        line = f"{what}: {_n(sol.size, lang)} " + ("orang" if id_ else "persons")
        if sol.officials_per_village is not None:
            line += f" ({_n(sol.officials_per_village, lang, 2)} per desa, {_n(sol.villages, lang)} desa)"
        out.append(line)
        out.append(
            ("pendanaan: " if id_ else "funding: ")
            + _months(sol.months, lang)
            + (
                f" mulai {fmt.month(sol.template.start, lang)}"
                if id_
                else f" from {fmt.month(sol.template.start, lang)}"
            )
            + (f", ramp {sol.ramp_months} bulan" if id_ else f", ramp {sol.ramp_months} months")
        )
        below = (
            ""
            if sol.probability_below is None
            else (
                f"; dengan 1 orang lebih sedikit: {_p(sol.probability_below, lang)}"
                if id_
                else f"; with one person fewer: {_p(sol.probability_below, lang)}"
            )
        )
        kept = sol.years[sol.years["reached"]]["probability"]
        low = (
            ""
            if len(kept) < 2
            else (
                f"; terendah di semua target: {_p(float(kept.min()), lang)}"
                if id_
                else f"; lowest over the targets: {_p(float(kept.min()), lang)}"
            )
        )
        out.append(
            (
                f"peluang mencapai target: {_p(sol.probability, lang)} ± {_p(sol.mc_error, lang)}{low} "
                f"(galat Monte Carlo, {_n(sol.paths, lang)} jalur{below})"
            )
            if id_
            else (
                f"probability of reaching the target: {_p(sol.probability, lang)} ± "
                f"{_p(sol.mc_error, lang)}{low} "
                f"(Monte Carlo error, {_n(sol.paths, lang)} paths{below})"
            )
        )
        out.append(
            (
                f"biaya (yang terdaftar tiap bulan x iuran): {_rp(sol.budget_idr, lang)}; "
                f"tanpa ramp ({_n(sol.size, lang)} x "
                f"{_rp(sol.template.unit_cost if hasattr(sol.template, 'unit_cost') else 0, lang)} "
                f"x {_months(sol.months, lang)}) akan {_rp(sol.envelope_idr, lang)}"
            )
            if id_
            else (
                f"cost (enrolled each month x contribution): {_rp(sol.budget_idr, lang)}; without the ramp "
                f"({_n(sol.size, lang)} x {_rp(getattr(sol.template, 'unit_cost', 0), lang)} x "
                f"{_months(sol.months, lang)}) "
                f"it would be {_rp(sol.envelope_idr, lang)}"
            )
        )
        cpy = sol.cost_per_participant_year
        if cpy is not None:
            out.append(
                (
                    f"biaya per tambahan peserta aktif-tahun: {_rp(cpy, lang)} "
                    f"({_n(sol.participant_years, lang)} peserta-tahun sampai "
                    f"{fmt.month(sol.plan.horizon, lang)})"
                )
                if id_
                else (
                    f"cost per additional active participant-year: {_rp(cpy, lang)} "
                    f"({_n(sol.participant_years, lang)} participant-years to "
                    f"{fmt.month(sol.plan.horizon, lang)})"
                )
            )
    else:
        out.append(
            ("tidak tercapai: " if id_ else "not reachable: ")
            + limit_name(sol.limit, lang)
            + _limit_detail(sol, lang)
        )
        b = sol.best
        if b is not None:
            out.append(
                (
                    f"rencana terbaik yang layak: {_n(b['size'], lang)} {what}, ramp "
                    f"{b['ramp_months']} bulan, "
                    f"{_months(b['months'], lang)}: cakupan median {_p(b['median'], lang, 2)}, peluang "
                    f"{_p(b['probability'], lang)} pada {fmt.month(sol.deadline, lang)}"
                )
                if id_
                else (
                    f"best feasible plan: {_n(b['size'], lang)} {what}, ramp {b['ramp_months']} months, "
                    f"{_months(b['months'], lang)}: median coverage {_p(b['median'], lang, 2)}, probability "
                    f"{_p(b['probability'], lang)} at {fmt.month(sol.deadline, lang)}"
                )
            )
    for row in sol.years.itertuples(index=False):
        if row.deadline == sol.deadline:
            continue
        status = ("terjaga" if id_ else "kept") if row.reached else ("GAGAL" if id_ else "FAILS")
        line = (
            (
                f"target {row.year} ({_p(row.target, lang, 2)} pada {fmt.month(row.deadline, lang)}): "
                f"{status}, "
                f"peluang {_p(row.probability, lang)}, median {_p(row.median, lang, 2)}"
            )
            if id_
            else (
                f"target {row.year} ({_p(row.target, lang, 2)} at {fmt.month(row.deadline, lang)}): "
                f"{status}, "
                f"probability {_p(row.probability, lang)}, median {_p(row.median, lang, 2)}"
            )
        )
        if not row.reached:
            line += f" ({limit_name(row.limit, lang)}"
            if row.needed_free == row.needed_free:
                line += (
                    f"; tahun itu saja butuh {_n(row.needed_free, lang)} {what} tanpa batas pool/kapasitas"
                    if id_
                    else f"; that year alone needs {_n(row.needed_free, lang)} {what} without "
                    "pool/capacity limits"
                )
            line += ")"
        out.append(line)
    if sol.combination is not None:
        c = sol.combination
        parts = " + ".join(
            f"{kind_name(k, lang)} {_n(n, lang)}" for k, n in zip(c["kinds"], c["sizes"], strict=True)
        )
        out.append(
            (
                f"kombinasi yang mencapai semua target: {parts} ({_p(c['share_of_pools'], lang, 0)} dari "
                f"pool masing-masing), ramp {c['ramp_months']} bulan, peluang {_p(c['probability'], lang)}, "
                f"biaya {_rp(c['cost_idr'], lang)}"
            )
            if id_
            else (
                f"a combination reaching every target: {parts} ({_p(c['share_of_pools'], lang, 0)} of each "
                f"pool), ramp {c['ramp_months']} months, probability {_p(c['probability'], lang)}, "
                f"cost {_rp(c['cost_idr'], lang)}"
            )
        )
    elif not sol.reachable or not sol.sustained:
        out.append(
            "tidak ada kombinasi tuas yang mencapainya dalam pool dan kapasitas"
            if id_
            else "no combination of levers reaches it within the pools and capacity"
        )
    return out


def _limit_detail(sol, lang: str) -> str:
    id_ = lang == "id"
    row = sol.years.iloc[0]
    free = row["needed_free"]
    if sol.limit == "pool":
        if sol.pool <= 0:
            return (
                " (tidak ada yang memenuhi syarat di wilayah ini"
                + (": hanya kelurahan, tanpa desa)" if sol.kind == VILLAGE else ")")
                if id_
                else " (nobody eligible in this region"
                + (": kelurahan only, no desa)" if sol.kind == VILLAGE else ")")
            )
        need = "" if free != free else (f"butuh {_n(free, lang)}, " if id_ else f"needs {_n(free, lang)}, ")
        return f" ({need}pool {_n(sol.pool, lang)})"
    if sol.limit == "capacity":
        months = max((sol.deadline - sol.template.start).n + 1, 0)
        most = sol.capacity * months
        need = "" if free != free else (f"butuh {_n(free, lang)}; " if id_ else f"needs {_n(free, lang)}; ")
        return (
            (
                f" ({need}paling banyak {_n(sol.capacity, lang)} orang/bulan x {months} bulan = "
                f"{_n(most, lang)} "
                f"sampai {fmt.month(sol.deadline, lang)})"
            )
            if id_
            else (
                f" ({need}at most {_n(sol.capacity, lang)} persons/month x {months} months = "
                f"{_n(most, lang)} "
                f"by {fmt.month(sol.deadline, lang)})"
            )
        )
    if sol.limit == "deadline":
        return (
            f" (mulai {fmt.month(sol.template.start, lang)}, tenggat {fmt.month(sol.deadline, lang)})"
            if id_
            else f" (starts {fmt.month(sol.template.start, lang)}, deadline {fmt.month(sol.deadline, lang)})"
        )
    return ""


def allocation_limit(limit: str, lang: str = "id") -> str:
    return "" if not limit else limit_name(limit, lang)

"""Seeded generator of the ILLUSTRATIVE participant history and of the workforce (employed) table.

Nothing here is observed data at kabupaten/kota level or by month: the monthly history is a
synthetic panel, calibrated so that its aggregates reproduce public anchors:

* national active participants Dec 2023 = 41.560.000 [persons] (PU 25,00 juta, BPU 9,19 juta,
  JAKON 7,36 juta; PMI set to 10.000) -- Kemnaker Satu Data / databoks;
* 28 provinces' active participants Dec 2023 (bpjs_active_2023.csv, Kemnaker Satu Data as
  republished by spn.or.id 30 Jan 2024); the other 10 provinces share the remainder in proportion
  to population;
* Kanwil Kalimantan (61, 62, 63, 64, 65) active Dec 2024 = 3.200.000 [persons] (news of
  2024-11-15, insidepontianak.com);
* national active Feb 2025 = 41.380.000 [persons] (PU 26,26, BPU 9,58, JAKON 5,53 juta);
* Kalbar (61) BPU step of 26.373 subsidised workers from 2023-01 (Pergub Kalbar 4/2023).

``python -m simulator.synth`` rewrites ``data/history_illustrative.csv`` and ``data/workforce.csv``
deterministically (seed 20251).
"""

from __future__ import annotations

import sys
import numpy as np
import pandas as pd

from simulator.errors import InputError
from simulator.regions import DATA_DIR, RegionTree, load_regions
from simulator.vocabulary import NATION_CODE, SEGMENTS

SEED = 20251
HISTORY_FILE = DATA_DIR / "history_illustrative.csv"
WORKFORCE_FILE = DATA_DIR / "workforce.csv"

#: Months of the illustrative history ["YYYY-MM"].
MONTHS = pd.period_range("2018-01", "2025-06", freq="M").strftime("%Y-%m").tolist()
#: August periods of the workforce table ["YYYY-08"].
WORKFORCE_YEARS = list(range(2018, 2026))

# ---- public anchors ------------------------------------------------------------------------
ANCHOR_MONTH = "2023-12"
#: National active participants Dec 2023 by segment [persons]; PMI is a small illustrative value.
NATIONAL_SEGMENTS_2023 = {"PU": 25_000_000, "BPU": 9_190_000, "JAKON": 7_360_000, "PMI": 10_000}
NATIONAL_TOTAL_2023 = 41_560_000
#: Province active participants Dec 2023 [persons], the 28 legible provinces.
PROVINCE_ACTIVE_2023 = {
    "11": 583638, "12": 2057246, "13": 710474, "14": 1108274, "15": 658038, "16": 915142,
    "17": 212266, "18": 578889, "19": 216685, "21": 614605, "31": 7498532, "32": 4855121,
    "33": 3947422, "34": 558681, "35": 4583246, "36": 2631601, "51": 1027234, "52": 570391,
    "53": 364870, "61": 729270, "62": 686023, "63": 634862, "64": 1323233, "65": 245948,
    "71": 578610, "72": 565871, "73": 1003082, "74": 323070,
}  # fmt: skip
KANWIL_KALIMANTAN = ("61", "62", "63", "64", "65")
KALIMANTAN_MONTH = "2024-12"
KALIMANTAN_TOTAL_2024 = 3_200_000
#: Illustrative Kalbar level Dec 2024 [persons] inside the Kanwil total (keeps 2024 coverage ~27 %).
KALBAR_2024_12 = 790_000
FEB_2025_MONTH = "2025-02"
NATIONAL_TOTAL_FEB_2025 = 41_380_000
KALBAR_SUBSIDY_START = "2023-01"
KALBAR_SUBSIDY_WORKERS = 26_373

#: Illustrative national path per segment, as a fraction of the Dec 2023 level [fraction]; the
#: Sep 2022 national total (35.684.564) and Feb 2025 segment figures are matched approximately.
SEGMENT_KNOTS = {
    "PU": {"2018-01": 0.78, "2019-12": 0.86, "2020-03": 0.86, "2021-12": 0.84, "2022-09": 0.905,
           "2023-12": 1.0, "2025-02": 26.26 / 25.00, "2025-06": 1.06},
    "BPU": {"2018-01": 0.28, "2019-12": 0.34, "2020-03": 0.34, "2021-12": 0.44, "2022-09": 0.70,
            "2023-12": 1.0, "2025-02": 9.58 / 9.19, "2025-06": 1.05},
    "JAKON": {"2018-01": 0.80, "2019-12": 0.92, "2020-03": 0.92, "2021-12": 0.86, "2022-09": 0.91,
              "2023-12": 1.0, "2024-06": 0.93, "2025-02": 5.53 / 7.36, "2025-06": 0.77},
    "PMI": {"2018-01": 0.85, "2019-12": 0.95, "2020-03": 0.95, "2021-12": 0.70, "2022-09": 0.85,
            "2023-12": 1.0, "2025-06": 1.05},
}  # fmt: skip
#: COVID-19 dip Apr-Dec 2020: depth per month [fraction of trend lost]; PMI is hit twice as hard.
COVID_DIP = {"2020-04": 0.04, "2020-05": 0.08, "2020-06": 0.11, "2020-07": 0.12, "2020-08": 0.12,
             "2020-09": 0.11, "2020-10": 0.09, "2020-11": 0.06, "2020-12": 0.03}  # fmt: skip
#: Seed segment shares [fraction] before raking to the anchors: (PU, BPU, JAKON, PMI).
_SEED_SHARES = {"urban": (0.72, 0.12, 0.155, 0.005), "rural": (0.45, 0.32, 0.225, 0.005)}
_URBAN_PROVINCES = {"31", "36", "21", "32", "64", "34"}

# ---- workforce ---------------------------------------------------------------------------
#: Highest coverage an employed estimate may imply [fraction]: estimates are raised so that
#: active <= MAX_COVERAGE x employed (participants are registered where the employer is, so
#: e.g. DKI Jakarta counts more participants than residents in work).
MAX_COVERAGE = 0.95


# =====================================================================================
# history
# =====================================================================================
def province_anchors(regions: RegionTree) -> dict[str, float]:
    """Active participants per province, Dec 2023 [persons]: the 28 public values, and the
    remainder of 41.560.000 shared by the other 10 provinces in proportion to population."""
    provinces = regions.of_level("provinsi")
    pop = regions.table.set_index("code")["population"]
    missing = [p for p in provinces if p not in PROVINCE_ACTIVE_2023]
    remainder = NATIONAL_TOTAL_2023 - sum(PROVINCE_ACTIVE_2023.values())
    if remainder <= 0:
        raise InputError("synth: province anchors exceed the national total")
    weights = pop[missing] / pop[missing].sum()
    shares = _integer_split(remainder, weights.to_numpy())
    out = {p: float(PROVINCE_ACTIVE_2023.get(p, 0)) for p in provinces}
    out.update({p: float(v) for p, v in zip(missing, shares)})
    return out


def _integer_split(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer ``total`` in proportion to ``weights`` (largest remainder) [persons]."""
    raw = total * weights / weights.sum()
    base = np.floor(raw).astype(np.int64)
    short = int(total - base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:short]] += 1
    return base


def _rake(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray, iterations: int = 500) -> np.ndarray:
    """Iterative proportional fitting of ``seed`` to row and column totals [persons]."""
    m = seed.astype(float).copy()
    for _ in range(iterations):
        m *= (rows / m.sum(axis=1))[:, None]
        m *= (cols / m.sum(axis=0))[None, :]
        if np.abs(m.sum(axis=1) / rows - 1.0).max() < 1e-13:
            break
    return m


def _knot_curve(knots: dict[str, float], months: list[str]) -> np.ndarray:
    """Log-linear interpolation of knot values over ``months``, flat outside [fraction]."""
    idx = {m: i for i, m in enumerate(months)}
    x = np.array([idx[k] for k in knots])
    y = np.log(np.array(list(knots.values())))
    return np.exp(np.interp(np.arange(len(months)), x, y))


def _largest_remainder_round(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Round non-negative ``values`` to integers so each group's sum is its rounded sum.

    ``groups`` holds integer group ids [0, n_groups).
    """
    floors = np.floor(values)
    frac = values - floors
    n_groups = int(groups.max()) + 1
    target = np.round(np.bincount(groups, weights=values, minlength=n_groups))
    short = (target - np.bincount(groups, weights=floors, minlength=n_groups)).astype(np.int64)
    order = np.lexsort((-frac, groups))  # by group, then largest fraction first
    sorted_groups = groups[order]
    start = np.searchsorted(sorted_groups, np.arange(n_groups))
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(len(values)) - start[sorted_groups]
    return (floors + (rank < short[groups])).astype(np.int64)


def make_illustrative_history(regions: RegionTree, seed: int = SEED) -> pd.DataFrame:
    """ILLUSTRATIVE monthly active participants per kabupaten/kota and segment.

    Returns columns ``region_code, segment, ds, active``: 514 kabupaten/kota x 4 segments x 90
    months (2018-01 .. 2025-06); ``ds`` is "YYYY-MM", ``active`` [persons] an integer >= 0.
    Deterministic for a given ``seed``.
    """
    rng = np.random.default_rng(seed)
    table = regions.table.set_index("code")
    provinces = regions.of_level("provinsi")
    leaves = regions.of_level("kabkota")
    leaf_prov = np.array([table.at[c, "parent_code"] for c in leaves])
    leaf_pop = table.loc[leaves, "population"].to_numpy(dtype=float)
    is_city = np.array([str(table.at[c, "name"]).lower().startswith("kota") for c in leaves])
    segs = list(SEGMENTS)
    n_leaf, n_seg, n_month = len(leaves), len(segs), len(MONTHS)
    month_pos = {m: i for i, m in enumerate(MONTHS)}
    t_anchor = month_pos[ANCHOR_MONTH]

    # 1. province x segment at Dec 2023, raked to province totals and national segment totals.
    anchors = province_anchors(regions)
    row_tot = np.array([anchors[p] for p in provinces])
    col_tot = np.array([float(NATIONAL_SEGMENTS_2023[s]) for s in segs])
    seed_m = np.array([_SEED_SHARES["urban" if p in _URBAN_PROVINCES else "rural"] for p in provinces])
    seed_m = seed_m * np.exp(rng.normal(0.0, 0.15, size=seed_m.shape)) * row_tot[:, None]
    prov_seg = _rake(seed_m, row_tot, col_tot)

    # 2. kabupaten/kota x segment at Dec 2023: population x random tilt; cities PU-heavy.
    tilt = np.exp(rng.normal(0.0, 0.20, size=n_leaf))
    city_factor = {"PU": 2.2, "BPU": 0.7, "JAKON": 1.3, "PMI": 0.5}
    base = np.zeros((n_leaf, n_seg))
    prov_index = {p: i for i, p in enumerate(provinces)}
    for p in provinces:
        sel = leaf_prov == p
        for j, s in enumerate(segs):
            w = leaf_pop[sel] * tilt[sel] * np.where(is_city[sel], city_factor[s], 1.0)
            base[sel, j] = prov_seg[prov_index[p], j] * w / w.sum()

    # 3. shape per series: national knots x province drift x seasonality x COVID x noise.
    t = np.arange(n_month)
    years_from_anchor = (t - t_anchor) / 12.0
    shape = np.empty((n_leaf, n_seg, n_month))
    prov_drift = {p: rng.normal(0.0, 0.015) for p in provinces}
    leaf_drift = np.array([prov_drift[p] for p in leaf_prov]) + rng.normal(0.0, 0.01, size=n_leaf)
    month_of_year = np.array([int(m[5:]) for m in MONTHS])
    dip = np.array([COVID_DIP.get(m, 0.0) for m in MONTHS])
    for j, s in enumerate(segs):
        curve = _knot_curve(SEGMENT_KNOTS[s], MONTHS)
        season = 1.0 + (0.05 * np.sin(2 * np.pi * (month_of_year - 4) / 12.0) if s == "JAKON" else 0.0)
        covid = 1.0 - dip * (2.0 if s == "PMI" else 1.0)
        drift = np.exp(leaf_drift[:, None] * years_from_anchor[None, :])
        sd = 0.004 + 0.02 / np.sqrt(np.maximum(base[:, j], 1.0) / 1000.0 + 1.0)
        shocks = rng.normal(0.0, 1.0, size=(n_leaf, n_month)) * sd[:, None]
        noise = np.empty_like(shocks)
        noise[:, 0] = shocks[:, 0]
        for k in range(1, n_month):  # AR(1) in logs, persistence 0.7
            noise[:, k] = 0.7 * noise[:, k - 1] + shocks[:, k]
        shape[:, j, :] = curve[None, :] * season * covid[None, :] * drift * np.exp(noise)
    shape /= shape[:, :, t_anchor][:, :, None]  # exactly 1 at Dec 2023
    level = base[:, :, None] * shape

    # 4. Kalbar BPU subsidy: a step of 26.373 workers from 2023-01, inside the Dec 2023 anchor.
    j_bpu = segs.index("BPU")
    kalbar = leaf_prov == "61"
    step = (t >= month_pos[KALBAR_SUBSIDY_START]).astype(float)
    w = leaf_pop[kalbar] / leaf_pop[kalbar].sum()
    organic = base[kalbar, j_bpu] - KALBAR_SUBSIDY_WORKERS * w
    if (organic <= 0).any():
        raise InputError("synth: Kalbar BPU base smaller than the subsidy step")
    level[kalbar, j_bpu, :] = organic[:, None] * shape[kalbar, j_bpu, :] + (KALBAR_SUBSIDY_WORKERS * w)[:, None] * step

    # 5. 2024 ramps: Kanwil Kalimantan to 3,2 juta by Dec 2024; the rest to 41,38 juta in Feb 2025.
    def ramp(end_month: str) -> np.ndarray:
        span = month_pos[end_month] - t_anchor
        return np.clip((t - t_anchor) / span, 0.0, 1.0)

    t_kal = month_pos[KALIMANTAN_MONTH]
    totals_kal = {p: level[leaf_prov == p, :, t_kal].sum() for p in KANWIL_KALIMANTAN}
    others = sum(v for p, v in totals_kal.items() if p != "61")
    factor = {"61": KALBAR_2024_12 / totals_kal["61"]}
    factor.update({p: (KALIMANTAN_TOTAL_2024 - KALBAR_2024_12) / others for p in KANWIL_KALIMANTAN if p != "61"})
    r_kal = ramp(KALIMANTAN_MONTH)
    for p, f in factor.items():
        level[leaf_prov == p] *= (1.0 + (f - 1.0) * r_kal)[None, None, :]
    in_kal = np.isin(leaf_prov, KANWIL_KALIMANTAN)
    t_feb = month_pos[FEB_2025_MONTH]
    rest_feb = level[~in_kal, :, t_feb].sum()
    f_rest = (NATIONAL_TOTAL_FEB_2025 - level[in_kal, :, t_feb].sum()) / rest_feb
    level[~in_kal] *= (1.0 + (f_rest - 1.0) * ramp(FEB_2025_MONTH))[None, None, :]

    # 6. integers, with each province's monthly total preserved (largest remainder).
    values = np.maximum(level, 0.0).reshape(-1)
    code_arr = np.repeat(np.array(leaves, dtype=object), n_seg * n_month)
    seg_arr = np.tile(np.repeat(np.array(segs, dtype=object), n_month), n_leaf)
    ds_arr = np.tile(np.array(MONTHS, dtype=object), n_leaf * n_seg)
    prov_id = np.array([prov_index[p] for p in leaf_prov])
    groups = (np.repeat(prov_id, n_seg * n_month) * n_month + np.tile(t, n_leaf * n_seg)).astype(np.int64)
    active = _largest_remainder_round(values, groups)
    return pd.DataFrame({"region_code": code_arr, "segment": seg_arr, "ds": ds_arr, "active": active})


# =====================================================================================
# workforce
# =====================================================================================
#: Public BPS Sakernas August employed persons [persons], as in /work/shared/data/bps_employed.csv
#: (news reports quoting BPS releases); embedded so the project does not read the shared folder.
BPS_EMPLOYED_AUG: dict[tuple[str, str], tuple[int, str]] = {
    ("00", "2019-08"): (126_510_000, "BPS Sakernas Aug 2019: bps.go.id pressrelease 2019-11-05 #1565; alinea.id"),
    ("00", "2020-08"): (128_450_000, "BPS Sakernas Aug 2020: suara.com 2020-11-11 (BPS Aug 2020)"),
    ("00", "2021-08"): (131_050_000, "BPS Sakernas Aug 2021: bps.go.id pressrelease 2021-11-05 #1816; katadata.co.id"),
    ("00", "2022-08"): (135_300_000, "BPS Sakernas Aug 2022: databoks.katadata.co.id 2022-11-15"),
    ("00", "2023-08"): (139_850_000, "BPS Sakernas Aug 2023: BPS BRS No.77/11/Th.XXVI 6 Nov 2023"),
    ("00", "2024-08"): (144_640_000, "BPS Sakernas Aug 2024: goodstats.id; paskerid.kemnaker.go.id; tribunnews (BPS 5 Nov 2024)"),
    ("61", "2022-08"): (2_562_000, "BPS Sakernas Aug 2022 (derived: 2023 minus reported +217,72 ribu): kalbar.antaranews.com berita/555426"),
    ("61", "2023-08"): (2_780_000, "BPS Sakernas Aug 2023: kalbar.antaranews.com berita/555426"),
    ("61", "2024-08"): (2_860_000, "BPS Sakernas Aug 2024: borneotribun.com 2024/11 (ANTARA); kalbar.antaranews.com berita/604689"),
    ("62", "2020-08"): (1_318_130, "BPS Sakernas Aug 2020: kalteng.antaranews.com berita/518553"),
    ("62", "2021-08"): (1_346_440, "BPS Sakernas Aug 2021: kalteng.antaranews.com berita/518553"),
    ("62", "2022-08"): (1_344_480, "BPS Sakernas Aug 2022: beritasampit.co.id 2022-11-07; borneonews.co.id 282335"),
    ("62", "2023-08"): (1_349_880, "BPS Sakernas Aug 2023: barutkab.bps.go.id pressrelease 2023-11-06 #1293"),
    ("64", "2021-08"): (1_720_360, "BPS Sakernas Aug 2021: kaltim.bps.go.id pressrelease 2021-11-05 #859"),
    ("64", "2023-08"): (1_845_000, "BPS Sakernas Aug 2023 (derived): kalimantan.bisnis.com 2023-11-08"),
    ("75", "2023-08"): (631_521, "BPS Sakernas Aug 2023: BPS Gorontalo BRS No.60/11/75/Th.XVII 6 Nov 2023"),
    ("61.01", "2022-08"): (282_918, "BPS Sakernas Aug 2022: BPS Kab. Sambas BRS No.03/01/6101/Th.II 9 Jan 2023"),
}  # fmt: skip


def _august_active(history: pd.DataFrame) -> pd.DataFrame:
    """Active participants (all segments) per kabupaten/kota in August of each workforce year
    [persons]; 2025 uses the last month of the history (2025-06)."""
    months = set(history["ds"].unique())
    last = max(months)
    month_for = {y: (f"{y}-08" if f"{y}-08" in months else last) for y in WORKFORCE_YEARS}
    pick = history[history["ds"].isin(set(month_for.values()))]
    totals = pick.groupby(["region_code", "ds"], as_index=False)["active"].sum()
    rows = []
    for y, m in month_for.items():
        sub = totals[totals["ds"] == m].assign(year=y)
        rows.append(sub[["region_code", "year", "active"]])
    return pd.concat(rows, ignore_index=True)


def _fill(total: int, fixed: dict[int, int], weights: np.ndarray, floors: np.ndarray) -> np.ndarray:
    """Integer split of ``total`` over items: ``fixed`` items keep their value, the rest share the
    remainder in proportion to ``weights`` but never below ``floors`` (water filling) [persons]."""
    n = len(weights)
    out = np.zeros(n, dtype=np.int64)
    free = np.ones(n, dtype=bool)
    for i, v in fixed.items():
        out[i] = v
        free[i] = False
    remaining = total - out[~free].sum()
    pinned = np.zeros(n, dtype=bool)
    while True:
        open_ = free & ~pinned
        room = remaining - floors[pinned & free].sum()
        if room < floors[open_].sum():
            raise InputError("synth: employed total too small for the participants it must cover")
        w = weights[open_]
        share = room * w / w.sum()
        below = share < floors[open_]
        if not below.any():
            break
        idx = np.flatnonzero(open_)[below]
        pinned[idx] = True
    out[pinned & free] = floors[pinned & free]
    open_ = free & ~pinned
    out[open_] = _integer_split(int(remaining - out[pinned & free].sum()), weights[open_])
    if (out[open_] < floors[open_]).any():  # rounding: lift by one where needed
        lift = open_ & (out < floors)
        diff = int((floors[lift] - out[lift]).sum())
        out[lift] = floors[lift]
        donors = np.flatnonzero(open_ & ~lift)
        donors = donors[np.argsort(-(out[donors] - floors[donors]), kind="stable")][:diff]
        out[donors] -= 1
    return out


def make_workforce(regions: RegionTree, history: pd.DataFrame | None = None) -> pd.DataFrame:
    """Employed persons per region (nation, provinces, kabupaten/kota), August 2018..2025.

    Returns ``region_code, period, employed, estimate, source``: ``employed`` [persons] integer,
    ``period`` "YYYY-08", ``estimate`` 0 for public BPS figures (kept exactly) and 1 otherwise.
    Province rows equal the sum of their kabupaten/kota rows and the nation the sum of provinces.
    Estimates never imply coverage above 95 % of the ILLUSTRATIVE history (``history``, generated
    when not given).
    """
    history = make_illustrative_history(regions) if history is None else history
    provinces = regions.of_level("provinsi")
    pop = dict(zip(regions.table["code"], regions.table["population"].astype(float)))
    act = _august_active(history)
    act_leaf = {(c, int(y)): int(a) for c, y, a in zip(act["region_code"], act["year"], act["active"])}
    children = {p: [] for p in provinces}
    for c, parent in zip(regions.table["code"], regions.table["parent_code"]):
        if parent in children:
            children[parent].append(c)
    leaves = [c for p in provinces for c in children[p]]

    # national: public 2019-2024; 2018 and 2025 from the 2019-2024 geometric growth.
    nat = {y: BPS_EMPLOYED_AUG[(NATION_CODE, f"{y}-08")][0] for y in range(2019, 2025)}
    growth = (nat[2024] / nat[2019]) ** (1 / 5)
    nat[2018] = int(round(nat[2019] / growth))
    nat[2025] = int(round(nat[2024] * growth))
    nat_src = f"estimate: national employed trended at the 2019-2024 BPS growth rate ({growth - 1:.4f}/year)"

    # provinces with public figures in some years: share of national interpolated between them.
    known_share: dict[str, dict[int, float]] = {}
    for (code, period), (value, _src) in BPS_EMPLOYED_AUG.items():
        if code != NATION_CODE and "." not in code:
            y = int(period[:4])
            known_share.setdefault(code, {})[y] = value / nat[y]

    rows: list[tuple[str, str, int, int, str]] = []
    for y in WORKFORCE_YEARS:
        period = f"{y}-08"
        public = {c: v for (c, pr), v in BPS_EMPLOYED_AUG.items() if pr == period}
        # floors from the history, bottom up [persons]
        leaf_floor = {
            c: int(np.ceil(act_leaf.get((c, y), 0) / MAX_COVERAGE)) for c in leaves
        }
        prov_floor = {p: sum(leaf_floor[c] for c in children[p]) for p in provinces}
        prov_src: dict[str, str] = {}
        fixed: dict[int, int] = {}
        for i, p in enumerate(provinces):
            if p in public:
                fixed[i] = public[p][0]
                prov_src[p] = public[p][1]
            elif p in known_share:
                ys = sorted(known_share[p])
                share = float(np.interp(y, ys, [known_share[p][k] for k in ys]))
                fixed[i] = max(int(round(share * nat[y])), prov_floor[p])
                prov_src[p] = (
                    f"estimate: share of national employed interpolated/held from BPS years {ys[0]}-{ys[-1]}"
                    f" x national {period}"
                )
        for i, v in fixed.items():
            if v < prov_floor[provinces[i]]:
                raise InputError(f"synth: public employed {provinces[i]} {period} below its participants")
        w = np.array([pop[p] for p in provinces])
        floors = np.array([prov_floor[p] for p in provinces], dtype=np.int64)
        prov_emp = _fill(nat[y], fixed, w, floors)
        nat_source = public[NATION_CODE][1] if NATION_CODE in public else nat_src
        rows.append((NATION_CODE, period, int(nat[y]), 0 if NATION_CODE in public else 1, nat_source))
        for i, p in enumerate(provinces):
            src = prov_src.get(p) or (
                "estimate: population share (Dukcapil Dec 2024) of national employed minus provinces with"
                f" BPS figures, {period}; raised where active participants exceed {MAX_COVERAGE:.0%}"
            )
            rows.append((p, period, int(prov_emp[i]), 0 if p in public else 1, src))
            kids = children[p]
            kfixed = {k: public[c][0] for k, c in enumerate(kids) if c in public}
            kfloors = np.array([leaf_floor[c] for c in kids], dtype=np.int64)
            kemp = _fill(int(prov_emp[i]), kfixed, np.array([pop[c] for c in kids]), kfloors)
            for k, c in enumerate(kids):
                if c in public:
                    rows.append((c, period, int(kemp[k]), 0, public[c][1]))
                else:
                    rows.append((c, period, int(kemp[k]), 1,
                                 f"estimate: province employed {period} split by population share (Dukcapil Dec"
                                 f" 2024); raised where active participants exceed {MAX_COVERAGE:.0%}"))
    out = pd.DataFrame(rows, columns=["region_code", "period", "employed", "estimate", "source"])
    order = {c: i for i, c in enumerate(regions.codes)}
    out = out.sort_values(["region_code", "period"], key=lambda s: s.map(order) if s.name == "region_code" else s)
    return out.reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    """Rewrite data/history_illustrative.csv and data/workforce.csv (seed 20251)."""
    regions = load_regions()
    history = make_illustrative_history(regions, seed=SEED)
    history.to_csv(HISTORY_FILE, index=False)
    workforce = make_workforce(regions, history)
    workforce.to_csv(WORKFORCE_FILE, index=False)
    print(f"wrote {HISTORY_FILE} ({len(history)} rows) and {WORKFORCE_FILE} ({len(workforce)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

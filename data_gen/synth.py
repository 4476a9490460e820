"""Seeded generator of the ILLUSTRATIVE participant history and of the workforce (employed) table.

Nothing here is observed data at kabupaten/kota level or by month: the monthly history is a
synthetic panel whose aggregates reproduce every public anchor listed in ``ANCHORS`` (each with its
source; data/README.md lists them with the assumptions):

* national active participants: Sep 2022, Dec 2023 (by segment), Dec 2024 (the December peak),
  Feb 2025 (by segment), Mar and Apr 2025 (the first-quarter drop); PMI (migrant workers) Apr 2025;
* active participants per province: 28 provinces in Dec 2023 (Kemnaker Satu Data), 10 provinces
  in Feb 2025 (Kemnaker via databoks / goodstats), Kalbar in Nov 2024 from its reported UCJ 35,35 %;
* Kalbar (61) BPU members of the running Pergub Kalbar 4/2023 subsidy, 26.373 from 2023-01.

Method: a national path per segment (a smooth trend through dated knots times a December-peak
seasonal pattern), split over provinces and kabupaten/kota with drift and AR(1) noise, then a
calibration factor per province and segment computed at each anchor month (iterative proportional
fitting to the anchors of that month) and interpolated smoothly between anchor months (monotone
cubic in logs, held beyond the first and last), so anchors hold exactly and nothing jumps between
them. ``python -m data_gen.synth`` rewrites ``data/history_illustrative.csv`` and
``data/workforce.csv`` deterministically (seed 20251).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

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
@dataclass(frozen=True)
class Anchor:
    """Public figures for one month [persons].

    ``provinces`` None means the nation (every province). ``total`` is the sum over those
    provinces; ``segments`` their segment totals as reported, where ``BPU`` includes PMI (the
    reported three-segment splits add up to the total, so PMI is inside one of them: an
    assumption); ``PMI`` alone is the migrant-worker figure; ``fixed`` holds province totals.
    """

    month: str
    source: str
    provinces: tuple[str, ...] | None = None
    total: float | None = None
    segments: dict[str, float] = field(default_factory=dict)
    fixed: dict[str, float] = field(default_factory=dict)


#: Province active participants Dec 2023 [persons], the 28 legible provinces (Kemnaker Satu Data).
PROVINCE_ACTIVE_2023 = {
    "11": 583638, "12": 2057246, "13": 710474, "14": 1108274, "15": 658038, "16": 915142,
    "17": 212266, "18": 578889, "19": 216685, "21": 614605, "31": 7498532, "32": 4855121,
    "33": 3947422, "34": 558681, "35": 4583246, "36": 2631601, "51": 1027234, "52": 570391,
    "53": 364870, "61": 729270, "62": 686023, "63": 634862, "64": 1323233, "65": 245948,
    "71": 578610, "72": 565871, "73": 1003082, "74": 323070,
}  # fmt: skip
#: Province active participants Feb 2025 [persons] (Kemnaker, via databoks / data.goodstats.id).
PROVINCE_ACTIVE_FEB_2025 = {
    "31": 8_020_000, "32": 4_960_000, "35": 4_950_000, "33": 4_000_000, "36": 2_750_000,
    "12": 1_980_000, "64": 1_310_000, "51": 1_100_000, "81": 156_030, "76": 65_330,
}  # fmt: skip
KANWIL_KALIMANTAN = ("61", "62", "63", "64", "65")
#: Kanwil Kalimantan active, mid-Nov 2024 [persons]: formal, informal, jakon (kalbar.antaranews.com
#: berita 604881); used for the segment mix of the five provinces, not as their level (see README).
KANWIL_KALIMANTAN_NOV_2024 = {"PU": 1_953_661, "BPU": 889_957, "JAKON": 443_402}
#: Kalbar UCJ coverage 2024 (provisional, reported 2024-11-15) [fraction], the share of BPS employed
#: counted as potential workers [fraction] and Kalbar BPS employed Aug 2024 [persons].
KALBAR_UCJ_2024, KALBAR_POTENTIAL_SHARE, KALBAR_EMPLOYED_2024 = 0.3535, 0.78, 2_860_000
#: Kalbar active participants Nov 2024 [persons] implied by them: 0,3535 x 0,78 x 2.860.000.
KALBAR_2024_11 = round(KALBAR_UCJ_2024 * KALBAR_POTENTIAL_SHARE * KALBAR_EMPLOYED_2024)
KALBAR_SUBSIDY_START = "2023-01"
KALBAR_SUBSIDY_WORKERS = 26_373

ANCHORS: tuple[Anchor, ...] = (
    Anchor("2022-09", "BPJS TK, as reported: 35.684.564 active (Sep 2022)", total=35_684_564),
    Anchor(
        "2023-12",
        "Kemnaker Satu Data Ketenagakerjaan (BPJS TK data) via databoks; spn.or.id 30 Jan 2024",
        total=41_560_000,
        segments={"PU": 25_000_000, "BPU": 9_190_000, "JAKON": 7_360_000},
        fixed={p: float(v) for p, v in PROVINCE_ACTIVE_2023.items()},
    ),
    Anchor(
        "2024-11",
        "Kalbar UCJ 35,35 % (2024, provisional; insidepontianak.com 2024-11-15) x 0,78 x 2.860.000 "
        "BPS employed (Aug 2024)",
        provinces=("61",),
        fixed={"61": float(KALBAR_2024_11)},
    ),
    Anchor("2024-12", "DPR hearing, Kontan 20 May 2025: 45,22 juta active (Dec 2024)", total=45_220_000),
    Anchor(
        "2025-02",
        "BPJS TK data as reported (PU 26,26, BPU 9,58, Jakon 5,53 juta); provinces: Kemnaker via "
        "databoks / data.goodstats.id",
        total=41_380_000,
        segments={"PU": 26_260_000, "BPU": 9_580_000, "JAKON": 5_530_000},
        fixed={p: float(v) for p, v in PROVINCE_ACTIVE_FEB_2025.items()},
    ),
    Anchor("2025-03", "DPR hearing, Kontan 20 May 2025: 40,2 juta active (Mar 2025)", total=40_200_000),
    Anchor(
        "2025-04",
        "DPR hearing, Kontan 20 May 2025: 39,7 juta active, PMI about 0,64 juta (Apr 2025)",
        total=39_700_000,
        segments={"PMI": 640_000},
    ),
)

#: National trend per segment at dated knots [persons], before seasonality (December = trend).
#: Dec 2023: the reported split with PMI (0,60 juta, an assumption) taken out of BPU. Other knots
#: are illustrative and set near the anchors; the calibration makes the anchors exact.
TREND_KNOTS = {
    "PU": {"2018-01": 19.5e6, "2019-12": 21.5e6, "2020-03": 21.5e6, "2021-12": 21.2e6, "2022-09": 23.0e6,
           "2023-12": 25.0e6, "2024-12": 27.45e6, "2025-06": 28.3e6},
    "BPU": {"2018-01": 2.4e6, "2019-12": 2.9e6, "2020-03": 2.9e6, "2021-12": 3.9e6, "2022-09": 6.1e6,
            "2023-12": 8.59e6, "2024-12": 9.5e6, "2025-06": 9.85e6},
    "JAKON": {"2018-01": 5.9e6, "2019-12": 6.8e6, "2020-03": 6.8e6, "2021-12": 6.4e6, "2022-09": 6.9e6,
              "2023-12": 7.36e6, "2024-12": 7.6e6, "2025-06": 7.7e6},
    "PMI": {"2018-01": 0.50e6, "2019-12": 0.56e6, "2020-03": 0.56e6, "2021-12": 0.42e6, "2022-09": 0.52e6,
            "2023-12": 0.60e6, "2025-06": 0.65e6},
}  # fmt: skip
#: Depth of the seasonal low per segment [fraction of the December level], an assumption set from
#: the reported Dec 2024 -> Apr 2025 drop (45,22 -> 39,7 juta): non-ASN contributions paid yearly or
#: half-yearly (PU, BPU) and government construction projects closing in December (JAKON).
SEASONAL_DEPTH = {"PU": 0.085, "BPU": 0.09, "JAKON": 0.33, "PMI": 0.0}
#: Seasonal shape by calendar month [fraction of the depth]: 0 in December, deepest in April.
SEASONAL_SHAPE = np.array([0.6, 0.8, 0.93, 1.0, 0.92, 0.82, 0.7, 0.58, 0.45, 0.32, 0.18, 0.0])
#: PU and BPU seasonality grows in from 2021 (Inpres 2/2021: non-ASN government workers enrolled)
#: to full depth in Dec 2022 [months]; an assumption.
SEASONAL_RAMP = ("2020-12", "2022-12")
#: COVID-19 dip Apr-Dec 2020: depth per month [fraction of trend lost]; PMI is hit twice as hard.
COVID_DIP = {"2020-04": 0.04, "2020-05": 0.08, "2020-06": 0.11, "2020-07": 0.12, "2020-08": 0.12,
             "2020-09": 0.11, "2020-10": 0.09, "2020-11": 0.06, "2020-12": 0.03}  # fmt: skip
#: Seed segment shares [fraction] before raking to the anchors: (PU, BPU, JAKON, PMI).
_SEED_SHARES = {"urban": (0.72, 0.12, 0.155, 0.005), "rural": (0.45, 0.32, 0.225, 0.005)}
_URBAN_PROVINCES = {"31", "36", "21", "32", "64", "34"}
#: Main origin provinces of migrant workers (PMI seed share 4 % instead of 0,5 %), an assumption
#: after BP2MI placement statistics: Jawa Timur, Jawa Tengah, Jawa Barat, NTB, NTT, Lampung, Sumut,
#: Bali, Kalbar (Malaysia border).
_PMI_ORIGIN = {"35", "33", "32", "52", "53", "18", "12", "51", "61"}
_PMI_ORIGIN_SHARE = 0.04

# ---- workforce ---------------------------------------------------------------------------
#: Highest coverage an employed estimate may imply [fraction]: estimates are raised so that
#: active <= MAX_COVERAGE x employed (participants are registered where the employer is, so
#: e.g. DKI Jakarta counts more participants than residents in work).
MAX_COVERAGE = 0.95


# =====================================================================================
# history
# =====================================================================================
def province_seeds(regions: RegionTree) -> dict[str, float]:
    """Starting level per province, Dec 2023 [persons]: the 28 public values; a province with a
    reported Feb 2025 figure only (Sulawesi Barat, Maluku) that figure x 41,56 / 41,38 (the national
    change between the two months); the other 8 share the rest of 41.560.000 in proportion to
    population. Only a start: the calibration makes every anchor exact."""
    provinces = regions.of_level("provinsi")
    pop = regions.table.set_index("code")["population"]
    dec, feb = ANCHORS[1], ANCHORS[4]
    assert dec.total is not None and feb.total is not None  # both national anchors
    out = {p: float(PROVINCE_ACTIVE_2023[p]) for p in provinces if p in PROVINCE_ACTIVE_2023}
    out.update({p: v * dec.total / feb.total for p, v in PROVINCE_ACTIVE_FEB_2025.items() if p not in out})
    missing = [p for p in provinces if p not in out]
    remainder = dec.total - sum(out.values())
    if remainder <= 0:
        raise InputError("synth: province anchors exceed the national total")
    shares = _integer_split(int(round(remainder)), (pop[missing] / pop[missing].sum()).to_numpy())
    out.update({p: float(v) for p, v in zip(missing, shares, strict=True)})
    return {p: out[p] for p in provinces}


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


def _smooth_log_curve(knots: dict[int, float], n: int) -> np.ndarray:
    """exp of a monotone cubic (PCHIP) through log values at month positions ``knots``, held flat
    before the first and after the last; one knot gives a constant [same unit as the values]."""
    from scipy.interpolate import PchipInterpolator

    x = np.array(sorted(knots), dtype=float)
    y = np.log(np.array([knots[int(k)] for k in x]))
    if len(x) == 1:
        return np.full(n, np.exp(y[0]))
    t = np.clip(np.arange(n, dtype=float), x[0], x[-1])
    return np.exp(PchipInterpolator(x, y)(t))


def national_paths(months: list[str] = MONTHS) -> np.ndarray:
    """Natural national path per segment [persons], shape (segments, months): the trend through
    ``TREND_KNOTS`` (monotone cubic in logs) x the December-peak seasonality x the COVID-19 dip."""
    pos = {m: i for i, m in enumerate(months)}
    n = len(months)
    month_of_year = np.array([int(m[5:]) for m in months])
    ramp_lo, ramp_hi = pos[SEASONAL_RAMP[0]], pos[SEASONAL_RAMP[1]]
    growing_in = np.clip((np.arange(n) - ramp_lo) / (ramp_hi - ramp_lo), 0.0, 1.0)
    dip = np.array([COVID_DIP.get(m, 0.0) for m in months])
    out = np.empty((len(SEGMENTS), n))
    for j, s in enumerate(SEGMENTS):
        trend = _smooth_log_curve({pos[m]: v for m, v in TREND_KNOTS[s].items()}, n)
        depth = SEASONAL_DEPTH[s] * (1.0 if s == "JAKON" else growing_in)
        season = 1.0 - depth * SEASONAL_SHAPE[month_of_year - 1]
        out[j] = trend * season * (1.0 - dip * (2.0 if s == "PMI" else 1.0))
    return out


def _largest_remainder_round(
    values: np.ndarray, groups: np.ndarray, target: np.ndarray | None = None
) -> np.ndarray:
    """Round non-negative ``values`` to integers so each group's sum is ``target`` (default: its
    rounded sum; a given target must lie within the group's floor and ceiling sums).

    ``groups`` holds integer group ids [0, n_groups).
    """
    floors = np.floor(values)
    frac = values - floors
    n_groups = int(groups.max()) + 1
    if target is None:
        target = np.round(np.bincount(groups, weights=values, minlength=n_groups))
    short = (target - np.bincount(groups, weights=floors, minlength=n_groups)).astype(np.int64)
    order = np.lexsort((-frac, groups))  # by group, then largest fraction first
    sorted_groups = groups[order]
    start = np.searchsorted(sorted_groups, np.arange(n_groups))
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(len(values)) - start[sorted_groups]
    return (floors + (rank < short[groups])).astype(np.int64)


def fit_anchor(
    matrix: np.ndarray,
    fixed: dict[int, float],
    total: float | None,
    columns: np.ndarray,
    iterations: int = 2000,
) -> np.ndarray:
    """Province x segment figures [persons] at one anchor month: ``matrix`` (provinces, segments)
    raked so that the ``fixed`` rows (position -> total) hold, the other rows share ``total`` less
    the fixed ones in proportion (when ``total`` is given), and each segment column with a finite
    value in ``columns`` sums to it (iterative proportional fitting)."""
    x = np.asarray(matrix, dtype=np.float64).copy()
    free = np.ones(len(x), dtype=bool)
    free[list(fixed)] = False
    known = np.isfinite(columns)
    for _ in range(iterations):
        for i, v in fixed.items():
            x[i] *= v / x[i].sum()
        if total is not None and free.any():
            x[free] *= (total - sum(fixed.values())) / x[free].sum()
        if known.any():
            x[:, known] *= (columns[known] / x[:, known].sum(axis=0))[None, :]
        rows_ok = all(abs(x[i].sum() / v - 1.0) < 1e-12 for i, v in fixed.items())
        total_ok = total is None or abs(x.sum() / total - 1.0) < 1e-12
        if rows_ok and total_ok:
            break
    else:
        raise InputError("synth: anchors of one month cannot all hold (row and column totals disagree)")
    return x


def _column_targets(anchor: Anchor, current: np.ndarray, total: float | None) -> np.ndarray:
    """Segment column totals [persons] an anchor asks for (NaN where free): reported BPU less PMI
    (PMI as given, else as it stands); when every segment is known they are scaled to ``total``
    (the reported splits are rounded to 0,01 juta)."""
    cols = np.full(len(SEGMENTS), np.nan)
    j = {s: i for i, s in enumerate(SEGMENTS)}
    pmi = anchor.segments.get("PMI", current[:, j["PMI"]].sum())
    for s, v in anchor.segments.items():
        cols[j[s]] = v - pmi if s == "BPU" else v
    if "BPU" in anchor.segments:
        cols[j["PMI"]] = pmi
    if np.isfinite(cols).all() and total is not None:
        cols *= total / cols.sum()
    return cols


def calibration_factors(
    organic: np.ndarray,
    extra: np.ndarray,
    provinces: list[str],
    anchors: tuple[Anchor, ...] = ANCHORS,
    months: list[str] = MONTHS,
) -> np.ndarray:
    """Factor per province, segment and month [fraction], shape (provinces, segments, months), that
    makes ``organic`` x factor + ``extra`` (both province x segment x month [persons]) hold every
    anchor, smooth between anchor months.

    Each province first gets its own level from the anchors that name it (log-linear between
    them, held beyond): so a province with a reported figure is never split by population. At each
    anchor month the provinces it covers are then raked (``fit_anchor``) and the factor is the
    raked figure over the natural one; between a province's anchor months its log factor follows a
    monotone cubic (no overshoot, no step), held before the first and after the last.
    """
    pos = {m: i for i, m in enumerate(months)}
    n_prov, n_seg, n_month = organic.shape
    p_index = {p: i for i, p in enumerate(provinces)}
    own: dict[int, dict[int, float]] = {}  # province -> {month: log factor of its total}
    for a in anchors:
        t = pos[a.month]
        for p, v in a.fixed.items():
            i = p_index[p]
            own.setdefault(i, {})[t] = np.log((v - extra[i, :, t].sum()) / organic[i, :, t].sum())
    natural = np.zeros((n_prov, n_month))
    for i, at in own.items():
        xs = sorted(at)
        natural[i] = np.interp(np.arange(n_month), xs, [at[x] for x in xs])
    knots: dict[tuple[int, int], dict[int, float]] = {}
    for a in anchors:
        t = pos[a.month]
        rows = np.arange(n_prov) if a.provinces is None else np.array([p_index[p] for p in a.provinces])
        start = organic[rows, :, t] * np.exp(natural[rows, t])[:, None] + extra[rows, :, t]
        fixed = {k: a.fixed[provinces[r]] for k, r in enumerate(rows) if provinces[r] in a.fixed}
        fitted = fit_anchor(start, fixed, a.total, _column_targets(a, start, a.total))
        ratio = (fitted - extra[rows, :, t]) / np.where(organic[rows, :, t] > 0, organic[rows, :, t], 1.0)
        if (ratio <= 0).any():
            raise InputError(f"synth: anchors of {a.month} leave a province or segment at or below zero")
        for k, r in enumerate(rows):
            for j in range(n_seg):
                knots.setdefault((int(r), j), {})[t] = float(ratio[k, j])
    factors = np.ones((n_prov, n_seg, n_month))
    for (i, j), kn in knots.items():
        factors[i, j] = _smooth_log_curve(kn, n_month)
    return factors


def make_illustrative_history(regions: RegionTree, seed: int = SEED) -> pd.DataFrame:
    """ILLUSTRATIVE monthly active participants per kabupaten/kota and segment.

    Returns columns ``region_code, segment, ds, active``: 514 kabupaten/kota x 4 segments x 90
    months (2018-01 .. 2025-06); ``ds`` is "YYYY-MM", ``active`` [persons] an integer >= 0.
    Deterministic for a given ``seed``. Every figure of ``ANCHORS`` holds exactly (province totals
    to the person, segment totals up to the rounding of each province's monthly total).
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
    t_anchor = month_pos["2023-12"]
    national = national_paths()

    # 1. province x segment at Dec 2023, raked to the province seeds and national segment totals.
    seeds = province_seeds(regions)
    row_tot = np.array([seeds[p] for p in provinces])
    col_tot = national[:, t_anchor] * ANCHORS[1].total / national[:, t_anchor].sum()
    kanwil = np.array([KANWIL_KALIMANTAN_NOV_2024[s] for s in ("PU", "BPU", "JAKON")], dtype=float)
    kanwil_mix = tuple(kanwil / kanwil.sum() * (1 - _SEED_SHARES["rural"][3])) + (_SEED_SHARES["rural"][3],)
    seed_m = np.array(
        [
            kanwil_mix
            if p in KANWIL_KALIMANTAN
            else _SEED_SHARES["urban" if p in _URBAN_PROVINCES else "rural"]
            for p in provinces
        ]
    )
    seed_m[:, 3] = [_PMI_ORIGIN_SHARE if p in _PMI_ORIGIN else seed_m[i, 3] for i, p in enumerate(provinces)]
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

    # 3. shape per series: national path x province drift x AR(1) noise in logs.
    t = np.arange(n_month)
    years_from_anchor = (t - t_anchor) / 12.0
    prov_drift = {p: rng.normal(0.0, 0.015) for p in provinces}
    leaf_drift = np.array([prov_drift[p] for p in leaf_prov]) + rng.normal(0.0, 0.01, size=n_leaf)
    organic = np.empty((n_leaf, n_seg, n_month))
    for j in range(n_seg):
        curve = national[j] / national[j, t_anchor]
        drift = np.exp(leaf_drift[:, None] * years_from_anchor[None, :])
        sd = 0.004 + 0.02 / np.sqrt(np.maximum(base[:, j], 1.0) / 1000.0 + 1.0)
        shocks = rng.normal(0.0, 1.0, size=(n_leaf, n_month)) * sd[:, None]
        noise = np.empty_like(shocks)
        noise[:, 0] = shocks[:, 0]
        for k in range(1, n_month):  # AR(1) in logs, persistence 0.7
            noise[:, k] = 0.7 * noise[:, k - 1] + shocks[:, k]
        organic[:, j, :] = base[:, j, None] * curve[None, :] * drift * np.exp(noise)

    # 4. Kalbar BPU subsidy: 26.373 members from 2023-01, kept apart from the calibration.
    j_bpu = segs.index("BPU")
    kalbar = leaf_prov == "61"
    w = leaf_pop[kalbar] / leaf_pop[kalbar].sum()
    subsidy = np.zeros_like(organic)
    step = (t >= month_pos[KALBAR_SUBSIDY_START]).astype(float)
    subsidy[kalbar, j_bpu, :] = (KALBAR_SUBSIDY_WORKERS * w)[:, None] * step[None, :]
    organic[kalbar, j_bpu, :] -= subsidy[kalbar, j_bpu, t_anchor][:, None] * (
        organic[kalbar, j_bpu, :] / organic[kalbar, j_bpu, t_anchor][:, None]
    )
    if (organic <= 0).any():
        raise InputError("synth: Kalbar BPU base smaller than the subsidy step")

    # 5. calibration to every anchor, by province and segment, smooth between anchor months.
    membership = np.zeros((len(provinces), n_leaf))
    membership[[prov_index[p] for p in leaf_prov], np.arange(n_leaf)] = 1.0
    prov_organic = np.einsum("pl,lst->pst", membership, organic)
    prov_extra = np.einsum("pl,lst->pst", membership, subsidy)
    factors = calibration_factors(prov_organic, prov_extra, provinces)
    level = organic * factors[[prov_index[p] for p in leaf_prov]] + subsidy

    # 6. integers: each month's national total rounded, shared over provinces and then over their
    #    kabupaten/kota and segments by largest remainder (anchored totals stay exact).
    values = np.maximum(level, 0.0).reshape(-1)
    prov_month = np.einsum("pl,lst->pt", membership, np.maximum(level, 0.0))  # (provinces, months)
    prov_total = _largest_remainder_round(prov_month.T.reshape(-1), np.repeat(t, len(provinces)))
    prov_total = prov_total.reshape(n_month, len(provinces)).T.reshape(-1)  # province-major, as groups
    code_arr = np.repeat(np.array(leaves, dtype=object), n_seg * n_month)
    seg_arr = np.tile(np.repeat(np.array(segs, dtype=object), n_month), n_leaf)
    ds_arr = np.tile(np.array(MONTHS, dtype=object), n_leaf * n_seg)
    prov_id = np.array([prov_index[p] for p in leaf_prov])
    groups = (np.repeat(prov_id, n_seg * n_month) * n_month + np.tile(t, n_leaf * n_seg)).astype(np.int64)
    active = _largest_remainder_round(values, groups, prov_total.astype(np.float64))
    return pd.DataFrame({"region_code": code_arr, "segment": seg_arr, "ds": ds_arr, "active": active})


# =====================================================================================
# workforce
# =====================================================================================
#: Public BPS Sakernas August employed persons [persons], as in /work/shared/data/bps_employed.csv
#: (news reports quoting BPS releases); embedded so the project does not read the shared folder.
BPS_EMPLOYED_AUG: dict[tuple[str, str], tuple[int, str]] = {
    ("00", "2019-08"): (
        126_510_000,
        "BPS Sakernas Aug 2019: bps.go.id pressrelease 2019-11-05 #1565; alinea.id",
    ),
    ("00", "2020-08"): (128_450_000, "BPS Sakernas Aug 2020: suara.com 2020-11-11 (BPS Aug 2020)"),
    ("00", "2021-08"): (
        131_050_000,
        "BPS Sakernas Aug 2021: bps.go.id pressrelease 2021-11-05 #1816; katadata.co.id",
    ),
    ("00", "2022-08"): (135_300_000, "BPS Sakernas Aug 2022: databoks.katadata.co.id 2022-11-15"),
    ("00", "2023-08"): (139_850_000, "BPS Sakernas Aug 2023: BPS BRS No.77/11/Th.XXVI 6 Nov 2023"),
    ("00", "2024-08"): (
        144_640_000,
        "BPS Sakernas Aug 2024: goodstats.id; paskerid.kemnaker.go.id; tribunnews (BPS 5 Nov 2024)",
    ),
    ("00", "2025-08"): (146_540_000, "BPS Sakernas Aug 2025 (released 5 Nov 2025), as reported"),
    ("61", "2022-08"): (
        2_562_000,
        "BPS Sakernas Aug 2022 (derived: 2023 minus reported +217,72 ribu): "
        "kalbar.antaranews.com berita/555426",
    ),
    ("61", "2023-08"): (2_780_000, "BPS Sakernas Aug 2023: kalbar.antaranews.com berita/555426"),
    ("61", "2024-08"): (
        2_860_000,
        "BPS Sakernas Aug 2024: borneotribun.com 2024/11 (ANTARA); kalbar.antaranews.com berita/604689",
    ),
    ("62", "2020-08"): (1_318_130, "BPS Sakernas Aug 2020: kalteng.antaranews.com berita/518553"),
    ("62", "2021-08"): (1_346_440, "BPS Sakernas Aug 2021: kalteng.antaranews.com berita/518553"),
    ("62", "2022-08"): (
        1_344_480,
        "BPS Sakernas Aug 2022: beritasampit.co.id 2022-11-07; borneonews.co.id 282335",
    ),
    ("62", "2023-08"): (1_349_880, "BPS Sakernas Aug 2023: barutkab.bps.go.id pressrelease 2023-11-06 #1293"),
    ("64", "2021-08"): (1_720_360, "BPS Sakernas Aug 2021: kaltim.bps.go.id pressrelease 2021-11-05 #859"),
    ("64", "2023-08"): (1_845_000, "BPS Sakernas Aug 2023 (derived): kalimantan.bisnis.com 2023-11-08"),
    ("75", "2023-08"): (631_521, "BPS Sakernas Aug 2023: BPS Gorontalo BRS No.60/11/75/Th.XVII 6 Nov 2023"),
    ("61.01", "2022-08"): (
        282_918,
        "BPS Sakernas Aug 2022: BPS Kab. Sambas BRS No.03/01/6101/Th.II 9 Jan 2023",
    ),
}  # fmt: skip
#: Published UCJ denominators ("pekerja potensial": BPS employed less ASN, TNI and Polri) [persons],
#: as reported; written to the workforce table's ``potential`` column (simulator.targets reads it).
PUBLISHED_POTENTIAL: dict[tuple[str, str], tuple[int, str]] = {
    ("61", "2022-08"): (
        1_786_809,
        "BPJS TK Cabang Pontianak, as reported (tribunnews, 11 Dec 2022): "
        "pekerja potensial 1.786.809 = BPS employed less ASN, TNI and Polri",
    ),
}


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


def make_workforce(regions: RegionTree, history: pd.DataFrame | None = None) -> pd.DataFrame:  # noqa: C901 -- outlier listed in #23 (complexity 14): split, then drop this
    """Employed persons per region (nation, provinces, kabupaten/kota), August 2018..2025.

    Returns ``region_code, period, employed, estimate, source, potential, potential_source``:
    ``employed`` [persons] integer, ``period`` "YYYY-08", ``estimate`` 0 for public BPS figures
    (kept exactly) and 1 otherwise; ``potential`` [persons] the published UCJ denominator where one
    exists (``PUBLISHED_POTENTIAL``, empty elsewhere) with its ``potential_source``.
    Province rows equal the sum of their kabupaten/kota rows and the nation the sum of provinces.
    Estimates never imply coverage above 95 % of the ILLUSTRATIVE history (``history``, generated
    when not given).
    """
    history = make_illustrative_history(regions) if history is None else history
    provinces = regions.of_level("provinsi")
    pop = dict(zip(regions.table["code"], regions.table["population"].astype(float), strict=True))
    act = _august_active(history)
    act_leaf = {
        (c, int(y)): int(a) for c, y, a in zip(act["region_code"], act["year"], act["active"], strict=True)
    }
    children: dict[str, list[str]] = {p: [] for p in provinces}
    for c, parent in zip(regions.table["code"], regions.table["parent_code"], strict=True):
        if parent in children:
            children[parent].append(c)
    leaves = [c for p in provinces for c in children[p]]

    # national: public 2019-2025; 2018 from the 2019-2024 geometric growth.
    nat = {y: BPS_EMPLOYED_AUG[(NATION_CODE, f"{y}-08")][0] for y in range(2019, 2026)}
    growth = (nat[2024] / nat[2019]) ** (1 / 5)
    nat[2018] = int(round(nat[2019] / growth))
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
        leaf_floor = {c: int(np.ceil(act_leaf.get((c, y), 0) / MAX_COVERAGE)) for c in leaves}
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
                    rows.append(
                        (
                            c,
                            period,
                            int(kemp[k]),
                            1,
                            f"estimate: province employed {period} split by population share (Dukcapil Dec"
                            f" 2024); raised where active participants exceed {MAX_COVERAGE:.0%}",
                        )
                    )
    out = pd.DataFrame(rows, columns=["region_code", "period", "employed", "estimate", "source"])
    published = [
        PUBLISHED_POTENTIAL.get((c, pr)) for c, pr in zip(out["region_code"], out["period"], strict=True)
    ]
    out["potential"] = pd.array([v[0] if v else None for v in published], dtype="Int64")
    out["potential_source"] = [v[1] if v else "" for v in published]
    order = {c: i for i, c in enumerate(regions.codes)}
    out = out.sort_values(
        ["region_code", "period"], key=lambda s: s.map(order) if s.name == "region_code" else s
    )
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

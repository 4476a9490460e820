"""A scenario's result read per participant segment (PU, BPU, JAKON, PMI).

The baseline projection is of all segments together (one series per region); the levers each add to
one segment (``Result.segments``). Per segment, at a region and month:

* ``baseline`` [persons]: the median baseline (all segments) x the segment's share of the region's
  active participants over the last ``SHARE_MONTHS`` observed months (held constant: an
  assumption, stated in ``basis``);
* ``levers`` [persons]: the waterfall rows (``Result.waterfall``) of the levers of that segment; a
  step that moves all segments ("ALL", a workforce shock) is split by the same shares;
* ``scenario`` = baseline + levers;
* ``denominator`` [persons]: the workers the segment draws from where one exists: PU the wage
  earners, median employed x (1 - ``informal_share``); BPU the non-wage earners, median employed x
  ``informal_share`` (BPS Sakernas informal share, data/parameters.yaml). JAKON (construction
  projects, counted per project) and PMI (migrant workers abroad, outside Sakernas) have none;
* ``coverage`` = scenario / denominator where there is one (NaN, with a note in ``basis``, where
  it would pass 100 %: the one informal share does not fit every region).

No official target is set per segment: the all-segment target is shown beside each row
(``target``) with each segment's share of the change the scenario makes (``share_of_change``), so a
reader sees which segment carries the plan. The segments' medians add up to the all-segment median
(the shares sum to 1 and each lever has one segment).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from simulator.errors import InputError
from simulator.vocabulary import SEGMENTS

#: Observed months over which a region's segment shares are taken [months].
SHARE_MONTHS = 12

#: Segments with a Sakernas denominator: the informal share of employed each takes (None: 1 - it).
_DENOMINATOR = {"PU": "formal", "BPU": "informal"}

COLUMNS = (
    "region_code",
    "month",
    "segment",
    "share",
    "baseline",
    "levers",
    "scenario",
    "denominator",
    "coverage",
    "share_of_change",
    "basis",
)


def segment_shares(
    history: pd.DataFrame, codes: list[str], tree: Any, months: int = SHARE_MONTHS
) -> pd.DataFrame:
    """Each region's share of active participants per segment over its last ``months`` observed
    months: ``region_code`` x ``SEGMENTS`` [fraction], rows summing to 1 (0 where no participant).

    ``history``: ``region_code, segment, ds, active`` per kabupaten/kota (the loaders' frame); an
    upper region sums its kabupaten/kota.
    """
    missing = [c for c in ("region_code", "segment", "ds", "active") if c not in history.columns]
    if missing:
        raise InputError(f"history: missing column {missing[0]!r}; expected region_code, segment, ds, active")
    if months < 1:
        raise InputError(f"months: expected at least 1, got {months}")
    ds = pd.to_datetime(history["ds"])
    last = np.sort(ds.unique())[-months:]
    recent = history[ds.isin(last)]
    by_leaf = recent.pivot_table(
        index="region_code", columns="segment", values="active", aggfunc="sum", fill_value=0.0
    ).reindex(columns=list(SEGMENTS), fill_value=0.0)
    out = np.zeros((len(codes), len(SEGMENTS)))
    for i, code in enumerate(codes):
        leaves = [c for c in tree.leaves(code) if c in by_leaf.index]
        totals = by_leaf.loc[leaves].to_numpy(dtype=np.float64).sum(axis=0) if leaves else out[i]
        whole = totals.sum()
        out[i] = totals / whole if whole > 0 else 0.0
    return pd.DataFrame(out, index=pd.Index(codes, name="region_code"), columns=list(SEGMENTS))


def segment_table(
    result: Any,
    history: pd.DataFrame,
    tree: Any,
    codes: list[str],
    months: list[Any],
    informal_share: float | None = None,
    targets: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The result per segment at ``codes`` and ``months`` (see the module notes): ``COLUMNS``, one
    row per region, month and segment, in that order.

    ``targets`` (optional): a status table (``targets.status_table``) whose all-segment target
    (``coverage`` on its ``basis``) of the region's year is shown beside each row.
    """
    from simulator import orderstats
    from simulator.parameters import value_at

    if not codes or not months:
        raise InputError("segments: expected at least one region and one month")
    months = [pd.Period(m, freq="M") for m in months]
    outside = [m for m in months if m not in set(result.months)]
    if outside:
        raise InputError(
            f"month: {outside[0]} is outside the projection ({result.months[0]}..{result.months[-1]})"
        )
    unknown = [c for c in codes if c not in result.regions]
    if unknown:
        raise InputError(f"region: {unknown[0]!r} is not in the result")
    shares = segment_shares(history, codes, tree)
    steps = result.waterfall(codes, months)
    rows_at = np.array([result.index_of(c) for c in codes], dtype=np.int64)
    at = np.array([result.month_index(m) for m in months], dtype=np.int64)
    employed = orderstats.median(np.swapaxes(result.employed_of(rows_at, at), 1, 2).astype(np.float64))
    # the informal share in force each month (one lookup per month, not per region and month)
    informal_at = [
        float(value_at("informal_share", str(m))) if informal_share is None else informal_share
        for m in months
    ]
    records = []
    for i, code in enumerate(codes):
        share = shares.loc[code]
        for j, month in enumerate(months):
            here = steps[(steps["region_code"] == code) & (steps["month"] == month)]
            base = float(here["persons"].iloc[0])  # the waterfall's first row: the baseline
            moves = here.iloc[1:]
            general = float(moves.loc[moves["segment"].isin(["ALL", ""]), "persons"].sum())
            change = float(moves["persons"].sum())
            informal = informal_at[j]
            for seg in SEGMENTS:
                own = float(moves.loc[moves["segment"] == seg, "persons"].sum()) + general * share[seg]
                baseline = base * share[seg]
                kind = _DENOMINATOR.get(seg)
                denom = (
                    np.nan
                    if kind is None
                    else employed[i, j] * (informal if kind == "informal" else 1.0 - informal)
                )
                scen = baseline + own
                cov = scen / denom if denom and np.isfinite(denom) else np.nan
                note = _basis(seg, informal)
                if np.isfinite(cov) and cov > 1:  # the national informal share does not fit here
                    cov, note = (
                        np.nan,
                        note + "; melebihi penyebut: porsi informal wilayah ini tidak diketahui",
                    )
                records.append(
                    (
                        code,
                        month,
                        seg,
                        float(share[seg]),
                        baseline,
                        own,
                        scen,
                        denom,
                        cov,
                        own / change if change else np.nan,
                        note,
                    )
                )
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    if targets is not None and len(targets):
        frame["target"] = [
            _target_of(targets, c, m) for c, m in zip(frame["region_code"], frame["month"], strict=True)
        ]
    return frame


def _basis(segment: str, informal: float) -> str:
    if segment == "PU":
        return f"pekerja penerima upah: penduduk bekerja x (1 - {informal:.4f}) (BPS, porsi informal)"
    if segment == "BPU":
        return f"pekerja bukan penerima upah: penduduk bekerja x {informal:.4f} (BPS, porsi informal)"
    if segment == "JAKON":
        return "jasa konstruksi: dihitung per proyek, tanpa penyebut Sakernas"
    return "pekerja migran (PMI): di luar negeri, di luar penyebut Sakernas"


def _target_of(status: pd.DataFrame, code: str, month: pd.Period) -> str:
    rows = status[(status["region_code"].astype(str) == code) & (status["year"].astype(int) == month.year)]
    if not len(rows):
        return ""
    from simulator.fmt import percent

    return "; ".join(
        f"{percent(float(row.target))} ({getattr(row, 'basis', 'bps')}, semua segmen)"
        for row in rows.itertuples(index=False)
    )

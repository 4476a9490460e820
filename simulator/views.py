"""Tidy frames that shells render: coverage history, fan-chart quantiles and costs.

Pure functions over a Panel, a Result and targets; no plotting and no Streamlit here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator import orderstats
from simulator.engine import Result
from simulator.regions import RegionTree

FAN_QUANTILES = (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)


def history_coverage(
    history: pd.DataFrame, workforce: pd.DataFrame, tree: RegionTree, code: str
) -> pd.DataFrame:
    """Observed monthly active participants, workforce and coverage for region ``code``.

    Active is the sum of the kabupaten/kota under ``code`` (all segments); the workforce is the
    annual Sakernas figure for ``code`` interpolated log-linearly to months.

    Returns ``month, active, employed, coverage`` ([persons], [persons], [fraction]).
    """
    from simulator.projection import monthly_workforce

    leaves = set(tree.leaves(code))
    rows = history[history["region_code"].isin(leaves)]
    active = rows.groupby("ds")["active"].sum()
    months = pd.PeriodIndex(active.index.astype(str), freq="M")
    own = workforce[workforce["region_code"] == code]
    if own.empty:
        employed = monthly_workforce(workforce, sorted(leaves), months).sum(axis=0)
    else:
        employed = monthly_workforce(own, [code], months)[0]
    frame = pd.DataFrame({"month": months, "active": active.to_numpy(dtype=float), "employed": employed})
    frame["coverage"] = frame["active"] / frame["employed"]
    return frame


def fan(result: Result, code: str, quantiles: tuple[float, ...] = FAN_QUANTILES) -> pd.DataFrame:
    """Quantiles of projected coverage per month for region ``code``.

    Returns a tidy frame ``month, quantile, coverage`` [fraction].
    """
    r = result.index_of(code)
    q = orderstats.nanquantile(result.coverage_of(r), quantiles, axis=0)  # (Q, T)
    return pd.DataFrame(
        {
            "month": np.tile(np.asarray(result.months), len(quantiles)),
            "quantile": np.repeat(quantiles, len(result.months)),
            "coverage": q.reshape(-1),
        }
    )


def fan_wide(result: Result, code: str) -> pd.DataFrame:
    """Fan quantiles as columns ``month, q2.5, q10, q25, q50, q75, q90, q97.5`` (for band charts)."""
    tidy = fan(result, code)
    wide = tidy.pivot(index="month", columns="quantile", values="coverage")
    wide.columns = [f"q{100 * q:g}" for q in wide.columns]
    return wide.reset_index()


def cost_by_payer_year(result: Result, programmes: tuple | list = ()) -> pd.DataFrame:
    """Expected cost ``payer, year, cost_idr`` [IDR], summed over levers; with ``programmes`` (ids of
    data/programmes.yaml) also what those cost while the scenario leaves them running
    (``Result.running_cost``: in the baseline, never added as persons), kept apart in a column
    ``programme`` (the programme's id on those rows, "" on the scenario's own)."""
    from simulator.programmes import load_programmes

    empty = pd.DataFrame(
        {"payer": pd.Series(dtype=str), "year": pd.Series(dtype=np.int64), "cost_idr": pd.Series(dtype=float)}
    )
    if not programmes:
        return (
            result.cost.groupby(["payer", "year"], as_index=False)["cost_idr"].sum()
            if len(result.cost)
            else empty
        )
    ids = {str(entry["label"]): name for name, entry in load_programmes().items() if name in programmes}
    running = result.running_cost[result.running_cost["lever"].isin(list(ids))]
    rows = pd.concat(
        [result.cost.assign(programme=""), running.assign(programme=running["lever"].map(ids))],
        ignore_index=True,
    )
    if rows.empty:
        return empty.assign(programme=pd.Series(dtype=str))
    return rows.groupby(["payer", "programme", "year"], as_index=False)["cost_idr"].sum()[
        ["payer", "year", "cost_idr", "programme"]
    ]


def waterfall_at(result: Result, code: str, month: pd.Period) -> pd.DataFrame:
    """Median persons per step (baseline, then each lever) for ``code`` at ``month`` [persons]."""
    return result.waterfall([code], [month])[["lever", "persons"]]


#: Tile-grid position (row, column) of each province, roughly as on a map of Indonesia, north at
#: the top. Works offline, every province the same size so small provinces stay readable.
TILES: dict[str, tuple[int, int]] = {
    "11": (0, 0),
    "21": (0, 3),
    "65": (0, 6),
    "71": (0, 8),
    "82": (0, 9),
    "12": (1, 1),
    "14": (1, 2),
    "61": (1, 4),
    "64": (1, 6),
    "75": (1, 8),
    "96": (1, 10),
    "92": (1, 11),
    "13": (2, 1),
    "15": (2, 2),
    "19": (2, 3),
    "62": (2, 5),
    "76": (2, 6),
    "72": (2, 7),
    "81": (2, 9),
    "94": (2, 11),
    "91": (2, 12),
    "17": (3, 1),
    "16": (3, 2),
    "63": (3, 5),
    "73": (3, 6),
    "74": (3, 7),
    "95": (3, 12),
    "18": (4, 2),
    "31": (4, 3),
    "93": (4, 12),
    "36": (5, 2),
    "32": (5, 3),
    "33": (5, 4),
    "35": (5, 5),
    "51": (5, 6),
    "52": (5, 7),
    "53": (5, 8),
    "34": (6, 4),
}


def tile_frame(status: pd.DataFrame, tree: RegionTree, year: int) -> pd.DataFrame:
    """One tile per province for target ``year``: ``code, name, short, row, col, probability,
    median, target, status`` (NaN and "no target" where the province has no target that year)."""
    rows = status[status["year"] == year].set_index("region_code")
    out = []
    for code, (r, c) in TILES.items():
        name = tree.name(code)
        hit = code in rows.index
        out.append(
            {
                "code": code,
                "name": name,
                "short": _short(name),
                "row": r,
                "col": c,
                "probability": float(rows.loc[code, "probability"]) if hit else np.nan,
                "median": float(rows.loc[code, "median"]) if hit else np.nan,
                "target": float(rows.loc[code, "target"]) if hit else np.nan,
                "status": str(rows.loc[code, "status"]) if hit else "no target",
            }
        )
    return pd.DataFrame(out)


def _short(name: str) -> str:
    """A tile label of at most 10 characters: "Kalimantan Barat" -> "Kalbar"-like abbreviations."""
    words = name.replace("Daerah Khusus Ibukota", "DKI").replace("Daerah Istimewa", "DI").split()
    if len(name) <= 10:
        return name
    if len(words) == 1:
        return words[0][:10]
    head = words[0] if words[0] in ("DKI", "DI") else words[0][:4]
    return (head + " " + "".join(w[0] for w in words[1:]))[:10]


def median_lines(results: dict[str, Result], code: str) -> pd.DataFrame:
    """Median and 80 % band of coverage per month for ``code`` under several named results:
    ``scenario, month, q10, q50, q90`` [fraction]."""
    frames = []
    for name, result in results.items():
        r = result.index_of(code)
        q = orderstats.nanquantile(result.coverage_of(r), (0.1, 0.5, 0.9), axis=0)
        frames.append(
            pd.DataFrame(
                {
                    "scenario": name,
                    "month": result.months.to_timestamp(),
                    "q10": q[0],
                    "q50": q[1],
                    "q90": q[2],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def programme_costs(result: Result, names: list[str]) -> pd.DataFrame:
    """What the running programmes ``names`` (ids of data/programmes.yaml) cost under ``result``'s
    scenario against continuing them over the same projected months.

    Returns ``programme, payer, year, continued, scenario, saved`` [IDR]: ``saved`` = continued -
    scenario (negative when the scenario scales a programme up). A programme the scenario leaves
    running costs the same in both; a stopped one costs nothing from its stop month.
    """
    import dataclasses

    from simulator.engine import continuing_costs
    from simulator.programmes import load_programmes
    from simulator.regions import load_regions
    from simulator.scenario import RunningProgramme

    table = load_programmes()
    running = {str(table[n]["label"]): n for n in names if n in table}
    named = {
        lever.label: lever.programme
        for lever in result.scenario.levers
        if isinstance(lever, RunningProgramme) and lever.programme in names
    }
    unchanged = dataclasses.replace(result.scenario, levers=())
    if_continued = continuing_costs(
        unchanged, result.months, load_regions(), [(n, table[n]) for n in running.values()]
    )
    columns = ["lever", "payer", "year", "cost_idr"]

    def by_programme(frame: pd.DataFrame, labels: dict[str, str]) -> pd.Series:
        rows = frame[frame["lever"].isin(list(labels))]
        return (
            rows.assign(programme=rows["lever"].map(labels))
            .groupby(["programme", "payer", "year"])["cost_idr"]
            .sum()
        )

    continued = by_programme(pd.DataFrame(if_continued, columns=columns), running)
    scenario = by_programme(result.running_cost, running).add(
        by_programme(result.cost, named), fill_value=0.0
    )
    both = pd.concat({"continued": continued, "scenario": scenario}, axis=1).fillna(0.0)
    if both.empty:
        return pd.DataFrame(
            {
                "programme": pd.Series(dtype=object),
                "payer": pd.Series(dtype=object),
                "year": pd.Series(dtype=np.int64),
                "continued": pd.Series(dtype=float),
                "scenario": pd.Series(dtype=float),
                "saved": pd.Series(dtype=float),
            }
        )
    both["saved"] = both["continued"] - both["scenario"]
    return both.reset_index().astype({"year": np.int64})


def programme_persons(result: Result, code: str, month) -> pd.DataFrame:
    """Persons each running-programme lever of ``result``'s scenario changes in ``code`` at
    ``month`` (its median waterfall step; negative: lost): ``programme, persons`` [persons]."""
    from simulator.scenario import RunningProgramme

    labels = {
        lever.label: lever.programme
        for lever in result.scenario.levers
        if isinstance(lever, RunningProgramme)
    }
    if not labels:
        return pd.DataFrame({"programme": pd.Series(dtype=object), "persons": pd.Series(dtype=float)})
    steps = result.waterfall([code], [month])
    steps = steps[steps["lever"].isin(list(labels))]
    return pd.DataFrame(
        {"programme": steps["lever"].map(labels).to_numpy(), "persons": steps["persons"].to_numpy()}
    )

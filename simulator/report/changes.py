"""What changed between two saved results, split into the effect of new data and of changed levers.

``what_changed`` gives the tidy table; ``changes_svg`` and ``changes_html`` draw and print it.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import pandas as pd

from simulator.engine import Result
from simulator.errors import InputError
from simulator.fmt import number, rupiah
from simulator.i18n import t
from simulator.regions import RegionTree, load_regions
from simulator.report.brief import CSS, html_table
from simulator.report.common import check_lang, esc, label, region_cost

MEASURES = ("probability", "coverage", "cost_idr")
MEASURE_UNITS = {"probability": "fraction", "coverage": "fraction", "cost_idr": "IDR"}
#: Charts of the changes page, in order.
MEASURES_SHOWN = ("coverage", "probability", "cost_idr")
CHANGE_COLUMNS = [
    "region_code",
    "name",
    "year",
    "measure",
    "unit",
    "old",
    "old_on_new_data",
    "new",
    "data_effect",
    "lever_effect",
    "total_change",
]


def _measures(result: Result, targets: pd.DataFrame, tree: RegionTree, thresholds) -> pd.DataFrame:
    from simulator.targets import assess

    status = assess(result, targets, thresholds)
    frame = status[["region_code", "year", "probability", "median"]].rename(columns={"median": "coverage"})
    cost = region_cost(result, tree, sorted(set(frame["region_code"])))
    by_year = cost.groupby(["region_code", "year"])["cost_idr"].sum()
    keys = list(zip(frame["region_code"], frame["year"], strict=True))
    frame = frame.assign(cost_idr=[float(by_year.get(k, 0.0)) for k in keys])
    return frame.set_index(["region_code", "year"])


def _old_on_new(old: Result, new: Result, rerun, tree: RegionTree) -> Result:
    from simulator.baseline import Baseline
    from simulator.engine import run_scenario

    if isinstance(rerun, Result):
        return rerun
    if isinstance(rerun, Baseline):
        regions = None if len(new.regions) == len(tree.codes) else list(new.regions)
        paths = new.paths if rerun.paths >= new.paths else None
        return run_scenario(
            rerun,
            old.scenario,
            paths=paths,
            seed=new.seed,
            tree=tree,
            uncertainty=bool(new.meta.get("uncertainty", True)),
            regions=regions,
        )
    if callable(rerun):
        out = rerun(old.scenario)
        if not isinstance(out, Result):
            raise InputError("rerun: the callable must return a Result for the old scenario")
        return out
    raise InputError("rerun: expected the new Baseline, a Result of the old scenario on it, or a callable")


def what_changed(
    old: Result,
    new: Result,
    rerun: Any,
    targets: pd.DataFrame,
    tree: RegionTree | None = None,
    thresholds: tuple[float, float] = (0.8, 0.5),
) -> pd.DataFrame:
    """What changed between two results, split into the effect of new data and of changed levers.

    With ``mid`` the old scenario run on the new baseline (same paths, seed and settings as the
    new run):

    - data effect = mid - old (new data, same levers),
    - lever effect = new - mid (changed levers, same data),
    - total change = new - old = data effect + lever effect.

    Parameters
    ----------
    old, new : Result
        The earlier and the current result (e.g. from ``results_io.load_result``).
    rerun : Baseline, Result or callable
        The new baseline (the old scenario is run on it), the result of that run, or a function
        ``Scenario -> Result`` doing it.
    targets : DataFrame
        ``region_code, year, coverage`` [fraction]; the same targets are applied to all three
        results, so a change of target is not mistaken for a change of outlook.
    tree : RegionTree, optional
    thresholds : (float, float)
        Status thresholds, as in ``assess``.

    Returns
    -------
    DataFrame
        Tidy, one row per region, target year and measure: ``region_code, name, year, measure``
        ("probability" [fraction], "coverage": median coverage at the deadline [fraction],
        "cost_idr": expected cost in the target year of the levers acting entirely within the
        region [IDR]), ``unit, old, old_on_new_data, new, data_effect, lever_effect,
        total_change``. Regions and years present in only one result have NaN effects.
    """
    tree = tree if tree is not None else load_regions()
    missing = [c for c in ("region_code", "year", "coverage") if c not in targets.columns]
    if missing:
        raise InputError(f"targets: missing column {missing[0]!r}; expected region_code, year, coverage")
    targets = targets.assign(region_code=targets["region_code"].astype(str))
    mid = _old_on_new(old, new, rerun, tree)
    tables = [_measures(r, targets, tree, thresholds) for r in (old, mid, new)]
    keys = tables[0].index.union(tables[2].index).union(tables[1].index)
    order = {c: i for i, c in enumerate(tree.codes)}
    keys = sorted(keys, key=lambda k: (order.get(k[0], len(order)), k[0], k[1]))
    rows = []
    for code, year in keys:
        values = [tab.loc[(code, year)] if (code, year) in tab.index else None for tab in tables]
        for measure in MEASURES:
            o, m, n = (float(v[measure]) if v is not None else np.nan for v in values)
            rows.append(
                {
                    "region_code": code,
                    "name": tree.name(code) if code in tree else code,
                    "year": int(year),
                    "measure": measure,
                    "unit": MEASURE_UNITS[measure],
                    "old": o,
                    "old_on_new_data": m,
                    "new": n,
                    "data_effect": m - o,
                    "lever_effect": n - m,
                    "total_change": n - o,
                }
            )
    out = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    out.attrs.update(old=old.scenario.name, new=new.scenario.name)
    return out


def changes_svg(changes: pd.DataFrame, measure: str = "coverage", lang: str = "id", width: int = 680) -> str:
    """Inline SVG bar chart of a ``what_changed`` frame for one measure: per region and year, a bar
    for the effect of new data, one for changed levers, and a black mark at the total change."""
    rows = changes[(changes["measure"] == measure) & np.isfinite(changes["total_change"].astype(float))]
    scale_pts = 100.0 if MEASURE_UNITS.get(measure) == "fraction" else 1e-9  # points or billions
    row_h, left, right, top = 26, 210, 46, 30
    height = top + row_h * max(len(rows), 1) + 24
    plot_w = width - left - right
    vals = rows[["data_effect", "lever_effect", "total_change"]].to_numpy(dtype=float) * scale_pts
    span = float(np.nanmax(np.abs(vals))) if vals.size else 1.0
    span = span if span > 0 else 1.0
    zero = left + plot_w / 2

    def x(v: float) -> float:
        return zero + (plot_w / 2) * v / span

    unit = label("pp", lang) if scale_pts == 100.0 else ("Rp M" if lang == "id" else "IDR bn")
    title = f"{label('what_changed', lang)}: {label('m_' + measure, lang)} ({unit})"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'class="chart" aria-label="{html.escape(title)}"><title>{html.escape(title)}</title>',
        f'<text x="4" y="14" font-size="11" font-weight="bold">{html.escape(title)}</text>',
        f'<rect x="{left}" y="19" width="10" height="8" fill="#1f6fb2"/><text x="{left + 14}" y="27" '
        f'font-size="10">{html.escape(label("data_effect", lang))}</text>',
        f'<rect x="{left + 170}" y="19" width="10" height="8" fill="#e08a1e"/>'
        f'<text x="{left + 184}" y="27" '
        f'font-size="10">{html.escape(label("lever_effect", lang))}</text>',
        f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{top}" y2="{height - 20}" stroke="#555"/>',
    ]
    for i, rec in enumerate(rows.itertuples(index=False)):
        y = top + i * row_h
        data, lever, total = (
            float(rec.data_effect) * scale_pts,
            float(rec.lever_effect) * scale_pts,
            float(rec.total_change) * scale_pts,
        )
        name = f"{rec.name} {rec.year}"
        out.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" font-size="10">{esc(name[:34])}</text>'
        )
        for value, offset, color in ((data, 4, "#1f6fb2"), (lever, 13, "#e08a1e")):
            x0, x1 = sorted((zero, x(value)))
            out.append(
                f'<rect x="{x0:.1f}" y="{y + offset}" width="{max(x1 - x0, 0.5):.1f}" height="8" '
                f'fill="{color}"/>'
            )
        out.append(
            f'<line x1="{x(total):.1f}" x2="{x(total):.1f}" y1="{y + 2}" y2="{y + 23}" stroke="#000" '
            f'stroke-width="2"/>'
        )
        shown = number(total, 1, lang)
        out.append(
            f'<text x="{width - 2}" y="{y + 15}" text-anchor="end" font-size="9">'
            f"{'+' if total > 0 else ''}{html.escape(shown)}</text>"
        )
    for v in (-span, 0.0, span):
        out.append(
            f'<text x="{x(v):.1f}" y="{height - 6}" text-anchor="middle" font-size="9">'
            f"{html.escape(number(v, 1, lang))}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def _change_cell(value: float, unit: str, lang: str, signed: bool) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    sign = ("+" if value > 0 else "-" if value < 0 else "") if signed else ("-" if value < 0 else "")
    if unit == "fraction":
        return sign + number(100 * abs(value), 2, lang) + (f" {label('pp', lang)}" if signed else " %")
    return sign + rupiah(abs(value), short=abs(value) >= 1e6, lang=lang)


def changes_html(changes: pd.DataFrame, lang: str = "id", title: str | None = None) -> str:
    """A printable page of a ``what_changed`` frame: charts (coverage, probability, cost) and the table."""
    lang = check_lang(lang)
    old, new = changes.attrs.get("old", ""), changes.attrs.get("new", "")
    title = title or f"{label('what_changed', lang)}: {old} → {new}"
    cols = ["old", "old_on_new_data", "new", "data_effect", "lever_effect", "total_change"]
    head = [t("region", lang), t("year", lang), label("measure", lang), *[label(c, lang) for c in cols]]
    body = [
        [
            f"{r.name} ({r.region_code})",
            str(r.year),
            label("m_" + r.measure, lang),
            *[_change_cell(getattr(r, c), r.unit, lang, c.endswith(("effect", "change"))) for c in cols],
        ]
        for r in changes.itertuples(index=False)
    ]
    charts = "".join(f"<figure>{changes_svg(changes, m, lang)}</figure>" for m in MEASURES_SHOWN)
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{esc(title)}</title>"
        f"<style>{CSS}</style></head><body><section class='page'><h1>{esc(title)}</h1>{charts}"
        f"{html_table(head, body, {1, 3, 4, 5, 6, 7, 8})}</section></body></html>\n"
    )

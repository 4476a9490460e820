"""Printable brief in Bahasa Indonesia (or English): HTML with A4 pages, printed to PDF by Chromium.

Page 1 is the one-page leadership brief (nation and province together: cards, fan charts with
history, status, cost per payer and year, the three levers that matter most); detail pages follow,
one per province group.
"""

from __future__ import annotations

import html
import math
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.engine import Result
from simulator.errors import InputError
from simulator.fmt import number, percent, rupiah
from simulator.i18n import t
from simulator.regions import RegionTree, load_regions
from simulator.report_common import (
    check_lang,
    cost_rows,
    date_name,
    esc,
    label,
    leaves_under,
    month_name,
    region_cost,
    scenario_words,
    summary_sentence,
    top_levers,
)
from simulator.vocabulary import GOVERNMENT_PAYERS, NATION_CODE, PAYERS

# ---- printable brief ---------------------------------------------------------------------------------
CSS = """
@page { size: A4; margin: 14mm 14mm 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 9.5pt; color: #111;
       margin: 0; }
section.page { break-after: page; page-break-after: always; }
section.page:last-of-type { break-after: auto; page-break-after: auto; }
h1 { font-size: 17pt; margin: 0 0 4pt; } h3 { font-size: 10.5pt; margin: 8pt 0 3pt; }
h2 { font-size: 14pt; margin: 0 0 4pt; border-bottom: 2px solid #0b3d6b; padding-bottom: 2pt; }
p.meta { color: #444; margin: 0 0 6pt; }
p.banner { background: #fff3e0; border-left: 4px solid #e08a1e; padding: 4pt 6pt; margin: 4pt 0 8pt; }
ul.sentences { margin: 4pt 0 6pt 14pt; padding: 0; } ul.sentences li { margin-bottom: 2pt; }
table { border-collapse: collapse; width: 100%; margin: 2pt 0 6pt; }
th, td { border-bottom: 1px solid #ccc; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #dde7f0; } .n { text-align: right; } td.n { white-space: nowrap; }
tr { break-inside: avoid; }
thead { display: table-header-group; } tr.total td { font-weight: bold; border-top: 1px solid #555; }
.status { font-weight: bold; white-space: nowrap; }
.on-track { color: #1e7b34; } .at-risk { color: #a15c00; } .off-track { color: #b0261b; }
figure { margin: 4pt 0; break-inside: avoid; } figcaption { font-size: 8pt; color: #555; }
svg.chart { display: block; max-width: 100%; height: auto; }
footer { font-size: 7.5pt; color: #666; margin-top: 8pt; border-top: 1px solid #ccc; padding-top: 2pt; }
.row { display: flex; gap: 8pt; } .row > * { flex: 1 1 0; min-width: 0; }
.card { border: 1px solid #ccc; border-left: 5px solid #5f6368; padding: 3pt 6pt; }
.card b { font-size: 10.5pt; } .card div { margin-top: 1pt; }
.card.card-on-track { border-left-color: #1e7b34; } .card.card-at-risk { border-left-color: #a15c00; }
.card.card-off-track { border-left-color: #b0261b; }
section.cover { font-size: 8.6pt; } section.cover th, section.cover td { padding: 1pt 4pt; }
section.cover h3 { margin: 5pt 0 2pt; } section.cover td:first-child { white-space: nowrap; }
p.note { font-size: 7.5pt; color: #555; margin: 0 0 4pt; }
tr.group td { font-weight: bold; background: #f1f3f4; }
"""


def html_table(
    head: list[str], rows: list[list[str]], numeric: set[int], classes: list[str] | None = None
) -> str:
    """An HTML table of already formatted text; columns in ``numeric`` right-aligned."""

    def cells(tag: str, row: list[str]) -> str:
        return "".join(
            f"<{tag}{' class=n' if j in numeric else ''}>{esc(v)}</{tag}>" for j, v in enumerate(row)
        )

    classes = classes or [""] * len(rows)
    body = "".join(
        f"<tr{f' class={c}' if c else ''}>{cells('td', r)}</tr>" for r, c in zip(rows, classes, strict=True)
    )
    return f"<table><thead><tr>{cells('th', head)}</tr></thead><tbody>{body}</tbody></table>"


def _status_table(rows: pd.DataFrame, tree: RegionTree, lang: str) -> str:
    if rows.empty:
        return f"<p>{esc(label('no_status', lang))}</p>"
    head = (
        [t(k, lang) for k in ("region", "year", "target", "median", "probability")]
        + [label("tested", lang)]
        + [t(k, lang) for k in ("gap", "status")]
    )
    body = [
        [
            f"{tree.name(r.region_code)} ({r.region_code})",
            str(r.year),
            percent(r.target, lang=lang),
            percent(r.median, lang=lang),
            percent(r.probability, 0, lang),
            percent(getattr(r, "held_80", float("nan")), 0, lang),
            number(r.gap_persons, lang=lang),
            t(r.status, lang),
        ]
        for r in rows.itertuples(index=False)
    ]
    html_text = (
        html_table(head, body, {1, 2, 3, 4, 5, 6}) + f"<p class='note'>{esc(label('tested_note', lang))}</p>"
    )
    for status in ("on track", "at risk", "off track"):  # colour the status words (they are also written out)
        word = esc(t(status, lang))
        css = status.replace(" ", "-")
        html_text = html_text.replace(f"<td>{word}</td>", f"<td class='status {css}'>{word}</td>")
    return html_text


def _cost_table(cost: pd.DataFrame, lang: str) -> str:
    """Payers as rows, years as columns and a total [IDR, short form]: government budgets first (with
    the programmes in force they keep paying, and their sum), then what employers and workers pay
    themselves. ``cost`` is ``report_common.cost_rows`` (or ``payer, year, cost_idr``)."""
    if cost.empty:
        return f"<p>{esc(label('no_cost', lang))}</p>"
    if "group" not in cost:
        cost = cost.assign(
            group=np.where(cost["payer"].isin(GOVERNMENT_PAYERS), "government", "own"), running=False, item=""
        )
    years = sorted(int(y) for y in cost["year"].unique())
    order = {p: i for i, p in enumerate(PAYERS)}

    def line(name: str, rows: pd.DataFrame) -> list[str]:
        per_year = rows.groupby("year")["cost_idr"].sum()
        values = [float(per_year.get(y, 0.0)) for y in years]
        return [
            name,
            *[rupiah(v, short=True, lang=lang) if v else "–" for v in values],
            rupiah(sum(values), short=True, lang=lang),
        ]

    body, classes = [], []
    for group in ("government", "own"):
        rows = cost[cost["group"] == group]
        if rows.empty:
            continue
        heading = t("payer_group_gov" if group == "government" else "payer_group_own", lang)
        body.append([heading] + [""] * (len(years) + 1))
        classes.append("group")
        keys = rows[["payer", "running", "item"]].drop_duplicates()
        keys = keys.assign(_o=keys["payer"].map(order).fillna(len(order))).sort_values(["_o", "running"])
        for k in keys.itertuples(index=False):
            name = t(f"payer_{k.payer}", lang)
            if k.running:
                name += f" – {label('running_programme', lang)}: {k.item}"
            sel = rows[(rows["payer"] == k.payer) & (rows["running"] == k.running) & (rows["item"] == k.item)]
            body.append(line(name, sel))
            classes.append("")
        if group == "government" and len(keys) > 1:
            body.append(line(t("gov_total", lang), rows))
            classes.append("total")
    body.append(line(label("total", lang), cost))
    classes.append("total")
    return html_table(
        [t("payer", lang), *map(str, years), label("total", lang)],
        body,
        set(range(1, len(years) + 2)),
        classes,
    )


def _levers_table(result: Result, code: str, month: pd.Period, lang: str) -> str:
    top = top_levers(result, code, month)
    if top.empty:
        return f"<p>{esc(label('no_levers', lang))}</p>"
    head = [
        t("lever", lang),
        f"{label('persons_added', lang)}, {month_name(month, lang)}",
        label("points", lang),
        label("cost_all_years", lang),
    ]
    body = [
        [
            r.lever,
            number(r.persons, lang=lang),
            number(100 * r.points, 2, lang),
            rupiah(r.cost_idr, lang=lang),
        ]
        for r in top.itertuples(index=False)
    ]
    return html_table(head, body, {1, 2, 3})


def _groups(result: Result, status: pd.DataFrame, tree: RegionTree) -> list[str]:
    """Nation (when assessed) and every province with a target or a lever, in tree order."""
    from simulator.scenario import scope_leaves

    table = tree.table
    parent = dict(zip(table["code"], table["parent_code"], strict=True))
    level = dict(zip(table["code"], table["level"], strict=True))
    wanted: set[str] = set()
    for code in status["region_code"].astype(str):
        if code in level:
            wanted.add(code if level[code] in ("nasional", "provinsi") else str(parent[code]))
    for lever in result.scenario.levers:
        wanted.update(str(parent[leaf]) for leaf in scope_leaves(lever.region, tree))
    groups = [c for c in result.regions if c in wanted]
    return groups or [c for c in (NATION_CODE,) if c in result.regions]


# ---- fan chart ------------------------------------------------------------------------------------
def _nice_step(span: float) -> float:
    for step in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25):
        if span / step <= 6:
            return step
    return 0.25


def fan_svg(  # noqa: C901 -- outlier listed in #23 (complexity 15): split, then drop this
    result: Result,
    code: str,
    targets: list[tuple[int, float, pd.Period]] | None = None,
    lang: str = "id",
    width: int = 680,
    height: int = 250,
    history: pd.DataFrame | None = None,
    history_months: int = 48,
) -> str:
    """Inline SVG fan chart of projected coverage for ``code``: 50/80/95 % bands, median, targets,
    and the observed coverage before the projection.

    ``targets`` holds ``(year, coverage [fraction], deadline month)`` drawn as dashed lines over the
    projection with a labelled marker at the deadline. ``history`` (``month, coverage`` [fraction],
    e.g. ``views.history_coverage``) is drawn as a dark line over its last ``history_months`` months.
    """
    from simulator.views import fan_wide

    wide = fan_wide(result, code)
    projected = pd.PeriodIndex(wide["month"], freq="M")
    past = pd.Series(dtype=float)
    if history is not None and len(history):
        seen = pd.Series(
            history["coverage"].to_numpy(dtype=float), index=pd.PeriodIndex(history["month"], freq="M")
        )
        past = seen[seen.index < projected[0]].iloc[-history_months:].dropna()
    months = past.index.append(projected) if len(past) else projected
    shift = len(months) - len(projected)  # position of the first projected month
    n = len(months)
    targets = list(targets or [])
    left, right, top, bottom = 50, 16, 14, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    values = np.concatenate([wide[["q2.5", "q97.5"]].to_numpy(dtype=float).ravel(), past.to_numpy()])
    finite = values[np.isfinite(values)]
    lo = min(finite.min(), *[tg[1] for tg in targets]) if finite.size else 0.0
    hi = max(finite.max(), *[tg[1] for tg in targets]) if finite.size else 1.0
    step = _nice_step(max(hi - lo, 1e-9))
    y0, y1 = max(0.0, math.floor(lo / step) * step), min(1.0, math.ceil(hi / step) * step)
    if y1 <= y0:
        y0, y1 = max(0.0, y0 - step), min(1.0, y1 + step)

    def x(i: float) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - y0) / (y1 - y0))

    def band(lower: str, upper: str) -> str:
        up = [f"{x(shift + i):.1f},{y(v):.1f}" for i, v in enumerate(wide[upper])]
        down = [f"{x(shift + i):.1f},{y(v):.1f}" for i, v in reversed(list(enumerate(wide[lower])))]
        return " ".join(up + down)

    title = f"{label('coverage', lang)} {result.scenario.title(lang)}: {code}"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" class="chart" aria-label="{esc(title)}"><title>{esc(title)}</title>'
    ]
    k = 0
    while y0 + k * step <= y1 + 1e-9:
        v = y0 + k * step
        decimals = 0 if abs(v * 100 - round(v * 100)) < 1e-6 else 1
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y(v) + 3.5:.1f}" text-anchor="end" font-size="10">'
            f"{html.escape(percent(v, decimals, lang))}</text>"
        )
        k += 1
    first_january = next((i for i, m in enumerate(months) if m.month == 1), n)
    every = max(1, math.ceil(n / 12 / max(plot_w / 60, 1)))  # a year label at most every 60 px
    lead = first_january >= n or x(first_january) - x(0) >= 45  # room for "Jul 2021" before the first January
    for i, m in enumerate(months):
        if (m.month == 1 and (m.year - months[first_january].year) % every == 0) or (i == 0 and lead):
            out.append(
                f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{top}" y2="{top + plot_h}" stroke="#eee"/>'
                f'<text x="{x(i):.1f}" y="{height - 10}" text-anchor="middle" font-size="10">'
                f"{m.year if m.month == 1 else esc(month_name(m, lang)[:3] + ' ' + str(m.year))}"
                "</text>"
            )
    for (lower, upper), alpha in ((("q2.5", "q97.5"), 0.15), (("q10", "q90"), 0.22), (("q25", "q75"), 0.32)):
        out.append(f'<polygon points="{band(lower, upper)}" fill="#1f6fb2" fill-opacity="{alpha}"/>')
    if len(past):
        seen = " ".join(f"{x(months.get_loc(m)):.1f},{y(v):.1f}" for m, v in past.items())
        out.append(
            f'<polyline class="history" points="{seen}" fill="none" stroke="#222" stroke-width="1.5"/>'
        )
        out.append(
            f'<line x1="{x(shift):.1f}" x2="{x(shift):.1f}" y1="{top}" y2="{top + plot_h}" stroke="#999" '
            'stroke-dasharray="2 3"/>'
        )
    median = " ".join(f"{x(shift + i):.1f},{y(v):.1f}" for i, v in enumerate(wide["q50"]))
    out.append(f'<polyline points="{median}" fill="none" stroke="#0b3d6b" stroke-width="2"/>')
    placed: list[tuple[float, float]] = []  # (right end x, baseline y) of target labels drawn
    lines = [y(tg[1]) for tg in targets]  # target lines run over the projection: no label may cross one
    for year, value, deadline in targets:
        out.append(
            f'<line x1="{x(shift):.1f}" x2="{left + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="#c0392b" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        if deadline is None or pd.isna(deadline) or deadline not in months:
            continue
        xi = x(int(months.get_loc(deadline)))
        out.append(f'<circle cx="{xi:.1f}" cy="{y(value):.1f}" r="4" fill="#c0392b"/>')
        xr = min(xi, left + plot_w - 4) if xi - 120 >= left else xi + 126  # keep clear of the y axis
        # above the line, else below it, else no text: labels (about 120 x 12 px, from 9 px above the
        # baseline to 2 px below it) must not overlap each other nor be struck through by a target line
        for ty in (y(value) - 7, y(value) + 15):
            free = all(abs(ty - py) >= 12 or abs(xr - px) >= 120 for px, py in placed)
            free = free and not any(ty - 10 <= yl <= ty + 3 for yl in lines)
            if top + 10 <= ty <= top + plot_h - 2 and free:
                placed.append((xr, ty))
                out.append(
                    f'<text x="{xr:.1f}" y="{ty:.1f}" text-anchor="end" font-size="10" fill="#c0392b">'
                    f"{esc(t('target', lang))} {year}: {esc(percent(value, lang=lang))}</text>"
                )
                break
    out.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999"/>')
    out.append("</svg>")
    return "".join(out)


# ---- pages ---------------------------------------------------------------------------------------
def _group_rows(status: pd.DataFrame, code: str, tree: RegionTree) -> pd.DataFrame:
    """Status rows of a detail page: the nation with the provinces, or a province with its
    kabupaten/kota, in tree order."""
    members = {code, *tree.of_level("provinsi")} if code == NATION_CODE else {code, *leaves_under(tree, code)}
    rows = status[status["region_code"].astype(str).isin(members)]
    order = {c: i for i, c in enumerate(tree.codes)}
    return rows.assign(_o=rows["region_code"].map(order)).sort_values(["_o", "year"]).drop(columns="_o")


def _first_row(status: pd.DataFrame, code: str):
    """``code``'s first deadline (earliest year) as a status row, or None."""
    own = status[status["region_code"] == code].sort_values("year")
    return next(own.itertuples(index=False), None)


def _chart(
    result: Result, status: pd.DataFrame, code: str, lang: str, history, width: int, height: int
) -> str:
    own = status[status["region_code"] == code]
    marks = [(int(r.year), float(r.target), r.deadline) for r in own.itertuples(index=False)]
    past = history(code) if history is not None else None
    legend = label("history_legend" if past is not None and len(past) else "legend", lang)
    return (
        f"<figure>{fan_svg(result, code, marks, lang, width, height, history=past)}"
        f"<figcaption>{esc(t('fan_chart', lang))}. {esc(legend)}</figcaption></figure>"
    )


def _lever_month(result: Result, status: pd.DataFrame, code: str) -> pd.Period:
    """Where the levers are compared: ``code``'s first deadline once every lever has started (a stop
    from January 2026 is judged at December 2026, not at a deadline before it), else the last month."""
    started = max((lever.start for lever in result.scenario.levers), default=result.months[0])
    own = status[(status["region_code"] == code) & (status["deadline"] >= started)].sort_values("deadline")
    return own["deadline"].iloc[0] if len(own) else result.months[-1]


def _card(row, name: str, lang: str) -> str:
    """A headline card: status in colour and words, target, median with its 80 % band, probability
    with its tested reliability, the gap in persons."""
    if row is None:
        return f"<div class='card'><b>{esc(name)}</b><div>{esc(label('no_status', lang))}</div></div>"
    css = str(row.status).replace(" ", "-")
    held = getattr(row, "held_80", float("nan"))
    tested = (
        f"{label('tested_short', lang)} {percent(held, 0, lang)}" if held == held else label("untested", lang)
    )
    gap = (
        label("short_by", lang).format(n=number(row.gap_persons, lang=lang))
        if row.gap_persons >= 0.5
        else label("no_gap", lang)
    )
    return (
        f"<div class='card card-{css}'><b>{esc(name)}</b> · <span class='status "
        f"{css}'>{esc(t(row.status, lang))}</span>"
        f"<div>{esc(t('target', lang))} {int(row.year)}: <b>{esc(percent(row.target, lang=lang))}</b> · "
        f"{esc(t('median', lang))} {esc(month_name(row.deadline, lang))}: "
        f"<b>{esc(percent(row.median, lang=lang))}</b> "
        f"({esc(t('band80', lang))}: "
        f"{esc(percent(row.p10, lang=lang))}–{esc(percent(row.p90, lang=lang))})</div>"
        f"<div>{esc(t('probability', lang))}: <b>{esc(percent(row.probability, 0, lang))}</b> "
        f"({esc(tested)}) · "
        f"{esc(gap)}</div></div>"
    )


def _group_page(
    result: Result, status: pd.DataFrame, code: str, tree: RegionTree, lang: str, history=None
) -> str:
    """A detail page: the region's own sentence, its fan chart with history, the status of the
    regions under it (one table, no sentence per row), the levers that matter most and the cost of
    the levers within it."""
    rows = _group_rows(status, code, tree)
    parts = [f"<section class='page'><h2>{esc(tree.name(code))} ({esc(code)})</h2>"]
    first = _first_row(rows, code)
    if first is not None:
        parts.append(f"<p>{esc(summary_sentence(first, tree.name(code), lang))}</p>")
    if code in result.regions:
        parts.append(_chart(result, rows, code, lang, history, 680, 230))
    parts.append(f"<h3>{esc(t('status', lang))}</h3>{_status_table(rows, tree, lang)}")
    if code in result.regions:
        month = _lever_month(result, rows, code)
        parts.append(f"<h3>{esc(label('top_levers', lang))}</h3>{_levers_table(result, code, month, lang)}")
    cost = region_cost(result, tree, [code])
    parts.append(f"<h3>{esc(t('cost_table', lang))}</h3>{_cost_table(cost, lang)}")
    parts.append("</section>")
    return "".join(parts)


def _cover(
    result: Result,
    status: pd.DataFrame,
    tree: RegionTree,
    lang: str,
    provenance: dict,
    title: str,
    province: str | None,
    history,
) -> str:
    """Page 1, what a leader reads: the nation and the province side by side (cards and fan charts
    with history), their status per deadline, the cost per payer and year (government budgets apart
    from own contributions) and the three levers that matter most."""
    sc = result.scenario
    _, description = scenario_words(sc, lang)
    pair = [c for c in (NATION_CODE, province) if c is not None and c in tree]
    parts = [
        f"<section class='page cover'><h1>{esc(title)}</h1>",
        f"<p class='meta'>{esc(label('scenario', lang))}: <b>{esc(sc.name)}</b> · "
        f"{esc(label('horizon', lang))} {esc(month_name(sc.horizon, lang))} · "
        f"{esc(label('created', lang))} {esc(date_name(provenance.get('created', ''), lang))}</p>",
    ]
    if provenance.get("illustrative"):
        parts.append(f"<p class='banner'>{esc(t('banner', lang))}</p>")
    if description:
        parts.append(f"<p>{esc(description)}</p>")
    parts.append(
        "<div class='row'>"
        + "".join(_card(_first_row(status, c), tree.name(c), lang) for c in pair)
        + "</div>"
    )
    charted = [c for c in pair if c in result.regions]
    if charted:
        parts.append(
            "<div class='row'>"
            + "".join(
                _chart(result, status, c, lang, history, 340 if len(charted) > 1 else 680, 175)
                for c in charted
            )
            + "</div>"
        )
    rows = status[status["region_code"].isin(pair)]
    order = {c: i for i, c in enumerate(pair)}
    rows = rows.assign(_o=rows["region_code"].map(order)).sort_values(["_o", "year"]).drop(columns="_o")
    parts.append(f"<h3>{esc(t('status', lang))}</h3>{_status_table(rows, tree, lang)}")
    parts.append(
        f"<h3>{esc(t('cost_table', lang))} ({esc(label('all_scenario', lang))})</h3>"
        f"{_cost_table(cost_rows(result), lang)}"
    )
    focus = next((c for c in reversed(charted)), None)
    if focus is not None:
        month = _lever_month(result, status, focus)
        parts.append(
            f"<h3>{esc(label('top_levers', lang))}: {esc(tree.name(focus))}</h3>"
            f"{_levers_table(result, focus, month, lang)}"
        )
    parts.append(
        f"<footer>{esc(label('data_hash', lang))}: {esc(provenance.get('data_hash') or '–')} · "
        f"{esc(label('seed', lang))} {esc(provenance.get('seed', result.seed))} · "
        f"{esc(label('paths', lang))} {esc(provenance.get('paths', result.paths))} · "
        f"{esc(label('generated', lang))} {esc(provenance.get('package_version', ''))}"
        "</footer></section>"
    )
    return "".join(parts)


def brief_html(
    result: Result,
    status: pd.DataFrame,
    tree: RegionTree | None = None,
    lang: str = "id",
    provenance: dict | None = None,
    codes: list[str] | None = None,
    title: str | None = None,
    province: str | None = None,
    history=None,
    sweep=None,
) -> str:
    """A printable brief (one HTML document; A4 pages when printed).

    Page 1, the one-page leadership brief: scenario title and description in ``lang``, provenance
    (dates in words), the illustrative-data banner when it applies; the nation and ``province``
    side by side: headline cards (status in colour and words, target, median and band, probability
    with its tested reliability, gap) and fan charts with the recorded history; their status per
    deadline (with the 'Teruji*' column); the cost per payer and year of the whole scenario,
    government budgets apart from own contributions; the three levers that matter most in the
    province. Then detail pages, the nation first when assessed (with the provinces' status), then
    each province group (its sentence, fan chart, the status of its kabupaten/kota as one table,
    levers and cost).

    Parameters
    ----------
    result : Result
    status : DataFrame
        From ``simulator.targets.assess`` / ``status_table``.
    tree : RegionTree, optional
    lang : "id" (default) or "en"
    provenance : dict, optional
        From ``simulator.results_io`` (built from the result when None).
    codes : list of str, optional
        Province (or nation) codes for the detail pages; by default every province with a target or
        a lever.
    title : str, optional
    province : str, optional
        The province beside the nation on page 1 (default: the first province of the detail pages).
    history : callable, optional
        ``history(code) -> DataFrame month, coverage [fraction]`` (``views.history_coverage``): the
        recorded coverage drawn before the projection; charts show the projection alone without it.
    sweep : simulator.sweep.SweepResult, optional
        An assumption sweep of this scenario: a last page with, per region and target year, the
        three assumptions that decide the probability most (total Sobol' index) and their thresholds.
    """
    from simulator.results_io import provenance_of

    lang = check_lang(lang)
    tree = tree if tree is not None else load_regions()
    provenance = provenance if provenance is not None else provenance_of(result)
    from simulator.calibrate import status_with_reliability

    status = status_with_reliability(status.copy(), result, tree)
    status["region_code"] = status["region_code"].astype(str)
    groups = codes if codes is not None else _groups(result, status, tree)
    unknown = [c for c in [*groups, *([province] if province else [])] if c not in tree]
    if unknown:
        raise InputError(f"codes: unknown region code {unknown[0]!r}")
    if province is None:
        province = next((c for c in groups if tree.level(c) == "provinsi"), None)
    title = title or f"{label('brief_title', lang)}: {scenario_words(result.scenario, lang)[0]}"
    cover = _cover(result, status, tree, lang, provenance, title, province, history)
    pages = [_group_page(result, status, code, tree, lang, history) for code in groups]
    if sweep is not None:
        pages.append(_sensitivity_page(sweep, tree, lang))
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{esc(title)}</title>"
        f"<style>{CSS}</style></head><body>{cover}{''.join(pages)}</body></html>\n"
    )


def _sensitivity_page(sweep, tree: RegionTree, lang: str) -> str:
    """The sweep's page: per region and target year the three assumptions with the largest total
    index (first-order and total with their 95 % intervals, threshold and the losing side)."""
    from simulator.sweep import tornado

    keys = sweep.indices[sweep.indices["output"] == "probability"][["region_code", "year"]].drop_duplicates()
    head = [
        label(k, lang)
        for k in (
            "region",
            "year",
            "assumption",
            "first_index",
            "total_index",
            "central",
            "threshold",
            "side",
        )
    ]
    rows = []
    for code, year in keys.itertuples(index=False):
        code = str(code)
        for r in tornado(sweep, code, int(year)).head(3).itertuples(index=False):
            threshold = getattr(r, "threshold", float("nan"))
            rows.append(
                [
                    f"{tree.name(code) if code in tree else code} ({code})",
                    str(int(year)),
                    str(r.assumption),
                    f"{number(r.first, 2, lang)} "
                    f"({number(r.first_lo, 2, lang)}–{number(r.first_hi, 2, lang)})",
                    f"{number(r.total, 2, lang)} "
                    f"({number(r.total_lo, 2, lang)}–{number(r.total_hi, 2, lang)})",
                    number(getattr(r, "central", float("nan")), 3, lang),
                    number(threshold, 3, lang) if threshold == threshold else "–",
                    str(getattr(r, "side", "")),
                ]
            )
    body = html_table(head, rows, {1, 3, 4, 5, 6}) if rows else f"<p>{esc(label('no_status', lang))}</p>"
    return (
        f"<section class='page'><h2>{esc(label('sensitivity', lang))}</h2>"
        f"<p>{esc(label('sensitivity_title', lang))}</p>{body}</section>"
    )


# ---- PDF -----------------------------------------------------------------------------------------
class PdfEngineError(RuntimeError):
    """No PDF engine, or the engine failed; the message says which and what to do."""


#: Executables tried, in order, for printing HTML to PDF (Debian's chromium first).
PDF_ENGINES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_pdf_engine() -> str | None:
    """Path of a headless Chromium (env ``SIMULATOR_PDF_ENGINE`` first), or None."""
    override = os.environ.get("SIMULATOR_PDF_ENGINE")
    if override:
        return shutil.which(override)
    for name in PDF_ENGINES:
        found = shutil.which(name)
        if found:
            return found
    return None


def brief_pdf(html_text: str, engine: str | None = None, timeout: float = 900.0) -> bytes:
    """Print an HTML brief to PDF bytes with a headless Chromium (``chromium --print-to-pdf``).

    Parameters
    ----------
    html_text : str
        From ``brief_html``.
    engine : str, optional
        Chromium executable; ``find_pdf_engine()`` by default.
    timeout : float
        Seconds to wait for the engine [s].

    Raises
    ------
    PdfEngineError
        When no engine is installed (install Debian's ``chromium``, or print the HTML from a
        browser) or the engine produced no PDF.
    """
    exe = shutil.which(engine) if engine else find_pdf_engine()
    if exe is None:
        wanted = engine or os.environ.get("SIMULATOR_PDF_ENGINE") or " / ".join(PDF_ENGINES)
        raise PdfEngineError(
            f"no PDF engine: {wanted} not found; install Debian's chromium "
            "(apt-get install chromium) or print the HTML brief from a browser"
        )
    with tempfile.TemporaryDirectory(prefix="brief-") as tmp:
        source, target = Path(tmp) / "brief.html", Path(tmp) / "brief.pdf"
        source.write_text(html_text, encoding="utf-8")
        cmd = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-zygote",
            "--no-first-run",
            "--disable-extensions",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise PdfEngineError(f"{exe}: no PDF after {timeout:g} s") from None
        if not target.is_file() or target.read_bytes()[:5] != b"%PDF-":
            last = (err.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
            raise PdfEngineError(f"{exe}: printing to PDF failed (exit {proc.returncode}): {last}")
        return target.read_bytes()

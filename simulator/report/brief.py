"""Printable brief in Bahasa Indonesia (or English): HTML with A4 pages, printed to PDF by Chromium.

Page 1 is the one-page leadership brief (nation and province together: cards, fan charts with
history, status, cost per payer and year, the three levers that matter most); detail pages follow,
one per province group.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.engine import Result
from simulator.errors import InputError
from simulator.fmt import number, percent, rupiah
from simulator.i18n import t
from simulator.regions import RegionTree, load_regions
from simulator.report.common import (
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
from simulator.report.fan import fan_svg
from simulator.vocabulary import GOVERNMENT_PAYERS, NATION_CODE, PAYERS

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
    themselves. ``cost`` is ``common.cost_rows`` (or ``payer, year, cost_idr``)."""
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

    wanted: set[str] = set()
    for code in status["region_code"].astype(str):
        if code in tree:
            wanted.add(code if tree.level(code) in ("nasional", "provinsi") else str(tree.parent(code)))
    for lever in result.scenario.levers:
        wanted.update(str(tree.parent(leaf)) for leaf in scope_leaves(lever.region, tree))
    groups = [c for c in result.regions if c in wanted]
    return groups or [c for c in (NATION_CODE,) if c in result.regions]


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

"""Printable brief in Bahasa Indonesia (or English): HTML with A4 pages, printed to PDF by Chromium.

A cover page with the overview, then one page per province group with summary sentences, the fan
chart with target lines, status, the three levers that matter most and cost per payer and year.
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
    esc,
    label,
    leaves_under,
    month_name,
    region_cost,
    summary_sentence,
    top_levers,
)
from simulator.vocabulary import NATION_CODE, PAYERS


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
"""


def html_table(head: list[str], rows: list[list[str]], numeric: set[int], classes: list[str] | None = None
               ) -> str:
    """An HTML table of already formatted text; columns in ``numeric`` right-aligned."""
    def cells(tag: str, row: list[str]) -> str:
        return "".join(f"<{tag}{' class=n' if j in numeric else ''}>{esc(v)}</{tag}>"
                       for j, v in enumerate(row))

    classes = classes or [""] * len(rows)
    body = "".join(f"<tr{f' class={c}' if c else ''}>{cells('td', r)}</tr>" for r, c in zip(rows, classes))
    return f"<table><thead><tr>{cells('th', head)}</tr></thead><tbody>{body}</tbody></table>"


def _status_table(rows: pd.DataFrame, tree: RegionTree, lang: str) -> str:
    if rows.empty:
        return f"<p>{esc(label('no_status', lang))}</p>"
    head = [t(k, lang) for k in ("region", "year", "target", "median", "probability")] + [label("tested", lang)] + [
        t(k, lang) for k in ("gap", "status")]
    body = [[f"{tree.name(r.region_code)} ({r.region_code})", str(r.year), percent(r.target, lang=lang),
             percent(r.median, lang=lang), percent(r.probability, 0, lang),
             percent(getattr(r, "held_80", float("nan")), 0, lang), number(r.gap_persons, lang=lang),
             t(r.status, lang)] for r in rows.itertuples(index=False)]
    html_text = html_table(head, body, {1, 2, 3, 4, 5, 6}) + f"<p class='note'>{esc(label('tested_note', lang))}</p>"
    for status in ("on track", "at risk", "off track"):  # colour the status words (they are also written out)
        word = esc(t(status, lang))
        css = status.replace(" ", "-")
        html_text = html_text.replace(f"<td>{word}</td>", f"<td class='status {css}'>{word}</td>")
    return html_text


def _cost_table(cost: pd.DataFrame, lang: str) -> str:
    """Payers as rows, years as columns, totals last [IDR, short form]."""
    if cost.empty:
        return f"<p>{esc(label('no_cost', lang))}</p>"
    grid = cost.pivot_table(index="payer", columns="year", values="cost_idr", aggfunc="sum", fill_value=0.0)
    grid = grid.loc[sorted(grid.index, key=lambda p: list(PAYERS).index(p) if p in PAYERS else len(PAYERS))]
    grid[label("total", lang)] = grid.sum(axis=1)
    grid.loc[label("total", lang)] = grid.sum(axis=0)
    body = [[PAYERS.get(p, p), *[rupiah(v, short=True, lang=lang) if v else "–" for v in row]]
            for p, row in zip(grid.index, grid.to_numpy(dtype=float))]
    return html_table([t("payer", lang), *map(str, grid.columns)], body, set(range(1, grid.shape[1] + 1)),
                  [""] * (len(body) - 1) + ["total"])


def _levers_table(result: Result, code: str, month: pd.Period, lang: str) -> str:
    top = top_levers(result, code, month)
    if top.empty:
        return f"<p>{esc(label('no_levers', lang))}</p>"
    head = [t("lever", lang), f"{label('persons_added', lang)}, {month_name(month, lang)}",
            label("points", lang), label("cost_all_years", lang)]
    body = [[r.lever, number(r.persons, lang=lang), number(100 * r.points, 2, lang),
             rupiah(r.cost_idr, lang=lang)] for r in top.itertuples(index=False)]
    return html_table(head, body, {1, 2, 3})


def _groups(result: Result, status: pd.DataFrame, tree: RegionTree) -> list[str]:
    """Nation (when assessed) and every province with a target or a lever, in tree order."""
    from simulator.scenario import scope_leaves

    table = tree.table
    parent = dict(zip(table["code"], table["parent_code"]))
    level = dict(zip(table["code"], table["level"]))
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


def fan_svg(
    result: Result, code: str, targets: list[tuple[int, float, pd.Period]] | None = None, lang: str = "id",
    width: int = 680, height: int = 250,
) -> str:
    """Inline SVG fan chart of projected coverage for ``code``: 50/80/95 % bands, median, targets.

    ``targets`` holds ``(year, coverage [fraction], deadline month)`` drawn as dashed lines with a
    marker at the deadline.
    """
    from simulator.views import fan_wide

    wide = fan_wide(result, code)
    months = pd.PeriodIndex(wide["month"], freq="M")
    n = len(months)
    targets = list(targets or [])
    left, right, top, bottom = 50, 16, 14, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    values = wide[["q2.5", "q97.5"]].to_numpy(dtype=float)
    lo = min(np.nanmin(values), *[tg[1] for tg in targets]) if np.isfinite(values).any() else 0.0
    hi = max(np.nanmax(values), *[tg[1] for tg in targets]) if np.isfinite(values).any() else 1.0
    step = _nice_step(max(hi - lo, 1e-9))
    y0, y1 = max(0.0, math.floor(lo / step) * step), min(1.0, math.ceil(hi / step) * step)
    if y1 <= y0:
        y0, y1 = max(0.0, y0 - step), min(1.0, y1 + step)

    def x(i: float) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - y0) / (y1 - y0))

    def band(lower: str, upper: str) -> str:
        up = [f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(wide[upper])]
        down = [f"{x(i):.1f},{y(v):.1f}" for i, v in reversed(list(enumerate(wide[lower])))]
        return " ".join(up + down)

    title = f"{label('coverage', lang)} {result.scenario.name}: {code}"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
           f'width="100%" class="chart" aria-label="{esc(title)}"><title>{esc(title)}</title>']
    k = 0
    while y0 + k * step <= y1 + 1e-9:
        v = y0 + k * step
        decimals = 0 if abs(v * 100 - round(v * 100)) < 1e-6 else 1
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>'
                   f'<text x="{left - 6}" y="{y(v) + 3.5:.1f}" text-anchor="end" font-size="10">'
                   f'{html.escape(percent(v, decimals, lang))}</text>')
        k += 1
    first_january = next((i for i, m in enumerate(months) if m.month == 1), n)
    for i, m in enumerate(months):
        if m.month == 1 or (i == 0 and first_january >= 5):
            out.append(f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{top}" y2="{top + plot_h}" stroke="#eee"/>'
                       f'<text x="{x(i):.1f}" y="{height - 10}" text-anchor="middle" font-size="10">'
                       f'{m.year if m.month == 1 else esc(month_name(m, lang)[:3] + " " + str(m.year))}'
                       '</text>')
    for (lower, upper), alpha in ((("q2.5", "q97.5"), 0.15), (("q10", "q90"), 0.22), (("q25", "q75"), 0.32)):
        out.append(f'<polygon points="{band(lower, upper)}" fill="#1f6fb2" fill-opacity="{alpha}"/>')
    median = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(wide["q50"]))
    out.append(f'<polyline points="{median}" fill="none" stroke="#0b3d6b" stroke-width="2"/>')
    placed: list[tuple[float, float]] = []  # (right end x, baseline y) of target labels drawn
    lines = [y(tg[1]) for tg in targets]  # target lines run the full width: no label may cross one
    for year, value, deadline in targets:
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                   f'stroke="#c0392b" stroke-width="1.5" stroke-dasharray="6 4"/>')
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
                out.append(f'<text x="{xr:.1f}" y="{ty:.1f}" text-anchor="end" font-size="10" fill="#c0392b">'
                           f'{esc(t("target", lang))} {year}: {esc(percent(value, lang=lang))}</text>')
                break
    out.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999"/>')
    out.append("</svg>")
    return "".join(out)


# ---- pages ---------------------------------------------------------------------------------------
def _group_rows(status: pd.DataFrame, code: str, tree: RegionTree) -> pd.DataFrame:
    members = {code} if code == NATION_CODE else {code, *leaves_under(tree, code)}
    rows = status[status["region_code"].astype(str).isin(members)]
    order = {c: i for i, c in enumerate(tree.codes)}
    return rows.assign(_o=rows["region_code"].map(order)).sort_values(["_o", "year"]).drop(columns="_o")


def _group_page(result: Result, status: pd.DataFrame, code: str, tree: RegionTree, lang: str) -> str:
    rows = _group_rows(status, code, tree)
    own = rows[rows["region_code"] == code]
    parts = [f"<section class='page'><h2>{esc(tree.name(code))} ({esc(code)})</h2>"]
    firsts = rows.drop_duplicates("region_code")
    if len(firsts):
        parts.append("<ul class='sentences'>" + "".join(
            f"<li>{esc(summary_sentence(r, tree.name(r.region_code), lang))}</li>"
            for r in firsts.itertuples(index=False)) + "</ul>")
    if code in result.regions:
        marks = [(int(r.year), float(r.target), r.deadline) for r in own.itertuples(index=False)]
        parts.append(f"<figure>{fan_svg(result, code, marks, lang)}<figcaption>{esc(t('fan_chart', lang))}. "
                     f"{esc(label('legend', lang))}</figcaption></figure>")
    parts.append(f"<h3>{esc(t('status', lang))}</h3>{_status_table(rows, tree, lang)}")
    month = own["deadline"].iloc[0] if len(own) else result.months[-1]
    if code in result.regions:
        parts.append(f"<h3>{esc(label('top_levers', lang))}</h3>{_levers_table(result, code, month, lang)}")
    cost = region_cost(result, tree, [code])
    parts.append(f"<h3>{esc(t('cost_table', lang))}</h3>{_cost_table(cost, lang)}")
    parts.append("</section>")
    return "".join(parts)


def brief_html(
    result: Result,
    status: pd.DataFrame,
    tree: RegionTree | None = None,
    lang: str = "id",
    provenance: dict | None = None,
    codes: list[str] | None = None,
    title: str | None = None,
) -> str:
    """A printable brief (one HTML document; A4 pages when printed).

    Page 1: scenario, provenance, the illustrative-data banner when it applies, and an overview of
    the nation and provinces (earliest target each). Then one page per province group (the nation
    first when assessed): summary sentences per region, the fan chart with target lines, status,
    the three levers adding most participants at the first deadline, and cost per payer and year.

    Parameters
    ----------
    result : Result
    status : DataFrame
        From ``simulator.targets.assess``.
    tree : RegionTree, optional
    lang : "id" (default) or "en"
    provenance : dict, optional
        From ``simulator.results_io`` (built from the result when None).
    codes : list of str, optional
        Province (or nation) codes for the group pages; by default every province with a target or
        a lever.
    title : str, optional
    """
    from simulator.results_io import provenance_of

    lang = check_lang(lang)
    tree = tree if tree is not None else load_regions()
    provenance = provenance if provenance is not None else provenance_of(result)
    from simulator.calibrate import status_with_reliability

    status = status_with_reliability(status.copy(), result, tree)
    status["region_code"] = status["region_code"].astype(str)
    groups = codes if codes is not None else _groups(result, status, tree)
    unknown = [c for c in groups if c not in tree]
    if unknown:
        raise InputError(f"codes: unknown region code {unknown[0]!r}")
    sc = result.scenario
    title = title or f"{label('brief_title', lang)}: {sc.title(lang)}"
    created = str(provenance.get("created", ""))
    cover = [f"<section class='page'><h1>{esc(title)}</h1>",
             f"<p class='meta'>{esc(label('scenario', lang))}: <b>{esc(sc.name)}</b> · "
             f"{esc(label('horizon', lang))} {esc(month_name(sc.horizon, lang))} · "
             f"{esc(label('created', lang))} {esc(created[:10])}</p>"]
    if provenance.get("illustrative"):
        cover.append(f"<p class='banner'>{esc(t('banner', lang))}</p>")
    if sc.description:
        cover.append(f"<p>{esc(sc.description)}</p>")
    level = dict(zip(tree.table["code"], tree.table["level"]))
    top = status[status["region_code"].map(lambda c: level.get(c, "kabkota") != "kabkota")]
    top = top.sort_values("year").drop_duplicates("region_code")
    order = {c: i for i, c in enumerate(tree.codes)}
    top = top.assign(_o=top["region_code"].map(order)).sort_values("_o").drop(columns="_o")
    cover.append(f"<h3>{esc(label('overview', lang))}</h3>")
    if len(top):
        cover.append("<ul class='sentences'>" + "".join(
            f"<li>{esc(summary_sentence(r, tree.name(r.region_code), lang))}</li>"
            for r in top.itertuples(index=False)) + "</ul>")
    cover.append(_status_table(top, tree, lang))
    cover.append(f"<h3>{esc(t('cost_table', lang))}</h3>{_cost_table(result.cost, lang)}")
    cover.append(f"<footer>{esc(label('data_hash', lang))}: {esc(provenance.get('data_hash') or '–')} · "
                 f"{esc(label('seed', lang))} {esc(provenance.get('seed', result.seed))} · "
                 f"{esc(label('paths', lang))} {esc(provenance.get('paths', result.paths))} · "
                 f"{esc(label('generated', lang))} {esc(provenance.get('package_version', ''))}"
                 "</footer></section>")
    pages = [_group_page(result, status, code, tree, lang) for code in groups]
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{esc(title)}</title>"
            f"<style>{CSS}</style></head><body>{''.join(cover)}{''.join(pages)}</body></html>\n")


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
        raise PdfEngineError(f"no PDF engine: {wanted} not found; install Debian's chromium "
                             "(apt-get install chromium) or print the HTML brief from a browser")
    with tempfile.TemporaryDirectory(prefix="brief-") as tmp:
        source, target = Path(tmp) / "brief.html", Path(tmp) / "brief.pdf"
        source.write_text(html_text, encoding="utf-8")
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-zygote",
               "--no-first-run", "--disable-extensions", "--no-pdf-header-footer",
               f"--user-data-dir={Path(tmp) / 'profile'}", f"--print-to-pdf={target}", source.as_uri()]
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

"""The fan chart of the brief: history and the projection's bands for one region, as inline SVG."""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd

from simulator.engine import Result
from simulator.fmt import percent
from simulator.i18n import t
from simulator.report.common import (
    esc,
    label,
    month_name,
)


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

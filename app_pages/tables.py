"""Tables and headline cards in display form: library frames with labels and numbers in the user's
language; status in colour and words (no emoji: they draw as empty boxes where no emoji font exists)."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from app_pages.state import derived, lang
from simulator import fmt
from simulator.i18n import t
from simulator.regions import load_regions
from simulator.vocabulary import GOVERNMENT_PAYERS

#: Status -> (strong colour, pale background); the tile map uses the strong ones too.
STATUS_COLOURS = {
    "on track": ("#1b7a34", "#e6f4ea"),
    "at risk": ("#9a6700", "#fff4d6"),
    "off track": ("#b3261e", "#fce8e6"),
    "no target": ("#5f6368", "#f1f3f4"),
}


def status_label(status: str) -> str:
    return t(status, lang())


def _status_style(text: str, labels: dict[str, str]) -> str:
    status = labels.get(text)
    if status is None:
        return ""
    strong, pale = STATUS_COLOURS[status]
    return f"color: {strong}; background-color: {pale}; font-weight: 600"


def styled_status(frame: pd.DataFrame):
    """A display frame whose status column is coloured (words stay: colour is never the only cue)."""
    L = lang()
    labels = {t(s, L): s for s in STATUS_COLOURS}
    column = t("status", L)
    if column not in frame.columns:
        return frame
    col = frame.columns.get_loc(column)
    cells: dict[str, list[str]] = {}
    for row, text in enumerate(frame[column]):
        css = _status_style(text, labels)
        if css:
            cells.setdefault(css, []).append(f"row{row}_col{col}")
    return _css_styler(frame, cells)


def _css_styler(frame: pd.DataFrame, cells: dict[str, list[str]]):
    """``frame.style`` with each CSS declaration block of ``cells`` on its cells (``row{i}_col{j}``),
    the values shown as they are (text).

    What Streamlit reads of a Styler (``marshall_styler``: ``_compute``, then ``_translate``'s
    ``cellstyle`` rules and ``body`` display values) is given directly: pandas' own rendering of
    every cell's HTML attributes took 12-19 ms per status table on every slider move, five times
    the rest of the table. Without ``body`` Streamlit shows each value as ``str(value)``, as the
    Styler's default formatter shows this text and these whole years."""
    styler = frame.style
    rules = [
        {
            "props": [tuple(part.strip() for part in decl.split(":", 1)) for decl in css.split(";")],
            "selectors": selectors,
        }
        for css, selectors in cells.items()
    ]
    styler._compute = lambda: styler
    styler._translate = lambda *args, **kwargs: {"cellstyle": rules}
    return styler


def status_table(table: pd.DataFrame):
    """A status frame in display form (Indonesian numbers by default), status coloured."""
    return styled_status(derived(table, ("status_table", lang()), lambda: _status_words(table)))


def _status_words(table: pd.DataFrame) -> pd.DataFrame:
    L = lang()
    tree = load_regions()
    pct = fmt.percent
    codes = table["region_code"].tolist()
    held = table["held_80"].tolist() if "held_80" in table else [float("nan")] * len(table)
    words = {s: status_label(s) for s in set(table["status"].tolist())}
    return pd.DataFrame(
        {
            t("code", L): table["region_code"].to_numpy(),
            t("name", L): [tree.name(c) for c in codes],
            t("year", L): table["year"].to_numpy(),
            t("target", L): [
                pct(v, lang=L) + ("" if a == c else " *")
                for v, a, c in zip(
                    table["target"].tolist(), table["applied_from"].tolist(), codes, strict=True
                )
            ],
            t("median", L): [pct(v, lang=L) for v in table["median"].tolist()],
            t("band80", L): [
                f"{pct(a, lang=L)} – {pct(b, lang=L)}"
                for a, b in zip(table["p10"].tolist(), table["p90"].tolist(), strict=True)
            ],
            t("probability", L): [pct(v, 0, lang=L) for v in table["probability"].tolist()],
            t("tested", L): [pct(v, 0, lang=L) for v in held],
            t("gap", L): [fmt.number(v, lang=L) for v in table["gap_persons"].tolist()],
            t("status", L): [words[s] for s in table["status"].tolist()],
        }
    )


def cost_table(result, programmes=()):
    """(raw costs ``payer, year, cost_idr``, display table): one row per payer, one column per year,
    government budgets first with their sum, then what employers and workers pay themselves; with
    ``programmes`` (ids) also what those programmes in force cost while they keep running."""
    from simulator.views import cost_by_payer_year

    def build():
        costs = cost_by_payer_year(result, programmes)
        return costs, cost_pivot(costs)

    return derived(result, ("cost_table", tuple(programmes), lang()), build)


def cost_pivot(costs: pd.DataFrame) -> pd.DataFrame:
    """Payers as rows (government budgets first with their sum, then own contributions), years as
    columns; rows of programmes in force (column ``programme``) apart from the scenario's own."""
    from simulator.programmes import load_programmes

    L = lang()
    if costs.empty:
        return pd.DataFrame()
    # summed per (payer, programme) and year in plain Python: a few rows, for which pivot_table
    # took 7-8 ms of every slider move
    programmes = costs["programme"].tolist() if "programme" in costs else [""] * len(costs)
    years = sorted({int(y) for y in costs["year"]})
    at = {y: i for i, y in enumerate(years)}
    sums: dict[tuple[str, str], np.ndarray] = {}
    for payer, programme, year, cost in zip(
        costs["payer"].tolist(), programmes, costs["year"].tolist(), costs["cost_idr"].tolist(), strict=True
    ):
        row = sums.setdefault((payer, programme), np.zeros(len(years)))
        row[at[int(year)]] += cost
    order = {p: i for i, p in enumerate(GOVERNMENT_PAYERS)}
    keys = sorted(sums, key=lambda k: (order.get(k[0], len(order)), k[0], k[1]))
    table = load_programmes()

    def name(payer: str, programme: str) -> str:
        if not programme:
            return t(f"payer_{payer}", L)
        entry = table.get(programme, {})
        words = (
            entry.get("label_en", entry.get("label", programme))
            if L == "en"
            else entry.get("label", programme)
        )
        return f"{t(f'payer_{payer}', L)} – {t('programme_in_force_head', L).lower()}: {words}"

    gov = [k for k in keys if k[0] in GOVERNMENT_PAYERS]
    own = [k for k in keys if k[0] not in GOVERNMENT_PAYERS]
    rows = [(t("payer_group_gov", L), name(*k), sums[k]) for k in gov]
    if len(gov) > 1:
        rows.append((t("payer_group_gov", L), t("gov_total", L), np.sum([sums[k] for k in gov], axis=0)))
    rows += [(t("payer_group_own", L), name(*k), sums[k]) for k in own]
    return pd.DataFrame(
        [
            {
                t("payer_group", L): g,
                t("payer", L): label,
                **{str(y): fmt.rupiah(v, lang=L) for y, v in zip(years, values, strict=False)},
            }
            for g, label, values in rows
        ]
    )


def headline_card(name: str, row, note: str = "") -> str:
    """One region's answer as an HTML card a leader reads at a glance: target, projected median,
    probability, gap in persons and status (colour and words). ``row`` is a status row or None."""
    L = lang()
    esc = html.escape
    if row is None:
        strong, pale = STATUS_COLOURS["no target"]
        return (
            f'<div class="sim-card" style="border-color:{strong}"><div class="sim-card-head">'
            f'<span class="sim-card-name">{esc(name)}</span></div><div>{esc(t("no_target", L))}</div></div>'
        )
    strong, pale = STATUS_COLOURS.get(row["status"], STATUS_COLOURS["no target"])
    deadline = fmt.month(row["deadline"], L)
    inherited = row.get("applied_from", row["region_code"]) != row["region_code"]
    if not note and "held_80" in row:
        held = row["held_80"]
        note = (
            t("tested_card", L).format(x=fmt.percent(held, 0, lang=L))
            if held == held
            else t("untested_card", L)
        )
    target_note = (
        f' <span class="sim-note">({esc(t("target_of", L))} '
        f"{esc(load_regions().name(row['applied_from']))})</span>"
        if inherited
        else ""
    )
    figures = [
        ("target", f"{t('target', L)} {int(row['year'])}", fmt.percent(row["target"], lang=L) + target_note),
        (
            "median",
            f"{t('median', L)}, {deadline}",
            esc(fmt.percent(row["median"], lang=L))
            + f' <span class="sim-note">{esc(t("band80", L))}: {esc(fmt.percent(row["p10"], lang=L))} – '
            + f"{esc(fmt.percent(row['p90'], lang=L))}</span>",
        ),
        (
            "probability",
            t("probability", L),
            esc(fmt.percent(row["probability"], 0, lang=L))
            + (f' <span class="sim-note">{esc(note)}</span>' if note else ""),
        ),
        ("gap", t("gap", L), esc(fmt.number(row["gap_persons"], lang=L))),
    ]
    cells = "".join(
        f'<div class="sim-fig"><div class="sim-fig-label">{esc(label)}</div>'
        f'<div class="sim-fig-value" data-k="{key}">{value}</div></div>'
        for key, label, value in figures
    )
    return (
        f'<div class="sim-card" style="border-color:{strong}">'
        f'<div class="sim-card-head"><span class="sim-card-name">{esc(name)}</span>'
        f'<span class="sim-pill" data-k="status" '
        f'style="background:{pale};color:{strong};border-color:{strong}">'
        f'{esc(t(row["status"], L))}</span></div><div class="sim-figs">{cells}</div></div>'
    )


def figure_row(figures: list[tuple[str, str, str]]) -> str:
    """A row of labelled figures ``(key, label, value)`` as HTML in the headline cards' style (values
    wrap instead of being cut, as st.metric cuts "35,43 % → 34,57 %"); each value carries
    ``data-p="key"`` for tests and the benchmark."""
    esc = html.escape
    cells = "".join(
        f'<div class="sim-fig"><div class="sim-fig-label">{esc(label)}</div>'
        f'<div class="sim-fig-value" data-p="{esc(key)}">{esc(value)}</div></div>'
        for key, label, value in figures
    )
    return f'<div class="sim-figs">{cells}</div>'

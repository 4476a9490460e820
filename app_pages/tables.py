"""Tables and headline cards in display form: library frames with labels and numbers in the user's
language; status in colour and words (no emoji: they draw as empty boxes where no emoji font exists)."""

from __future__ import annotations

import html

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
    return frame.style.map(lambda v: _status_style(v, labels), subset=[column])


def status_table(table: pd.DataFrame):
    """A status frame in display form (Indonesian numbers by default), status coloured."""
    return styled_status(derived(table, ("status_table", lang()), lambda: _status_words(table)))


def _status_words(table: pd.DataFrame) -> pd.DataFrame:
    L = lang()
    tree = load_regions()
    return pd.DataFrame(
        {
            t("code", L): table["region_code"],
            t("name", L): table["region_code"].map(tree.name),
            t("year", L): table["year"],
            t("target", L): [
                fmt.percent(v, lang=L) + ("" if a == c else " *")
                for v, a, c in zip(table["target"], table["applied_from"], table["region_code"], strict=False)
            ],
            t("median", L): table["median"].map(lambda v: fmt.percent(v, lang=L)),
            t("band80", L): [
                f"{fmt.percent(a, lang=L)} – {fmt.percent(b, lang=L)}"
                for a, b in zip(table["p10"], table["p90"], strict=False)
            ],
            t("probability", L): table["probability"].map(lambda v: fmt.percent(v, 0, lang=L)),
            t("tested", L): (
                table["held_80"] if "held_80" in table else pd.Series(float("nan"), index=table.index)
            ).map(lambda v: fmt.percent(v, 0, lang=L)),
            t("gap", L): table["gap_persons"].map(lambda v: fmt.number(v, lang=L)),
            t("status", L): table["status"].map(status_label),
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
    costs = costs if "programme" in costs else costs.assign(programme="")
    wide = costs.pivot_table(
        index=["payer", "programme"], columns="year", values="cost_idr", aggfunc="sum"
    ).fillna(0.0)
    years = [int(y) for y in wide.columns]
    order = {p: i for i, p in enumerate(GOVERNMENT_PAYERS)}
    keys = sorted(wide.index, key=lambda k: (order.get(k[0], len(order)), k[0], k[1]))
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
    rows = [(t("payer_group_gov", L), name(*k), wide.loc[k]) for k in gov]
    if len(gov) > 1:
        rows.append((t("payer_group_gov", L), t("gov_total", L), wide.loc[gov].sum()))
    rows += [(t("payer_group_own", L), name(*k), wide.loc[k]) for k in own]
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

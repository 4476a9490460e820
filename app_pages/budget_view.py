"""Budget page parts (issue 19): the answers computed exactly as the command line computes them
(``budget.panel_inputs``: official targets kept later, BPU shares, workforce), shown with every
assumption beside them, and the budget frontier per kabupaten/kota as a chart."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.state import current_baseline, current_panel, data_key, lang
from simulator import fmt
from simulator.budget.words import assumptions, limit_name, solve_lines
from simulator.i18n import t


@st.cache_resource(show_spinner=False, max_entries=32)
def _solve(key: str, kind: str, region: str, target: float, deadline: str, probability: float):
    from simulator.budget import panel_inputs, solve
    from simulator.targets import resolve

    panel, _ = current_panel()
    baseline, _ = current_baseline()
    rows = resolve([region], panel.targets, None, None, panel.workforce)
    rows = rows[rows["year"] == int(deadline[:4])]
    basis = (
        str(rows["basis"].iloc[0]) if len(rows) else "bps"
    )  # as the command line: the official target's basis
    return solve(baseline, kind, region, target, deadline, probability, basis=basis, **panel_inputs(panel))


@st.cache_resource(show_spinner=False, max_entries=16)
def _frontier(key: str, kind: str, under: str, deadline: str, probability: float):
    from simulator.budget import frontier, panel_inputs
    from simulator.regions import load_regions

    panel, _ = current_panel()
    baseline, _ = current_baseline()
    inputs = panel_inputs(panel)
    return frontier(
        baseline,
        load_regions().children(under),
        kind,
        deadline=deadline,
        probability=probability,
        targets=inputs["targets"],
        workforce=inputs["workforce"],
        bpu_share=inputs["bpu_share"],
    )


def solve_answer(kind: str, region: str, region_name: str, target: float, deadline: str, probability: float):
    """Compute and show the answer of solve: one cost figure (the table's sum), the funded months,
    the words the command line prints, and the assumptions behind it."""
    L = lang()
    sol = _solve(data_key(), kind, region, target, deadline, probability)
    m = st.columns(4)
    if sol.reachable:
        m[0].metric(
            t("officials_total" if kind == "village" else "headcount", L), fmt.number(sol.size, lang=L)
        )
        m[1].metric(
            t("probability", L),
            f"{fmt.percent(sol.probability, 1, lang=L)} ± {fmt.percent(sol.mc_error, 1, lang=L)}",
        )
        m[2].metric(
            t("budget_needed", L) + (" (jumlah tabel biaya)" if L == "id" else " (the cost table's sum)"),
            fmt.rupiah(sol.budget_idr or 0.0, short=True, lang=L),
            help=fmt.rupiah(sol.budget_idr or 0.0, lang=L),
        )
        m[3].metric(
            "Bulan didanai" if L == "id" else "Funded months",
            "–" if sol.months is None else fmt.number(sol.months, lang=L),
        )
    else:
        st.warning(("Tidak tercapai: " if L == "id" else "Not reachable: ") + limit_name(sol.limit, L))
    st.markdown("\n".join(f"- {line}" for line in solve_lines(sol, region_name, L)))
    show_assumptions(sol)
    return sol


def show_assumptions(answer) -> None:
    L = lang()
    rows = assumptions(answer, L)
    st.markdown(
        "**" + ("Asumsi di balik jawaban ini" if L == "id" else "Assumptions behind this answer") + "**"
    )
    st.dataframe(
        pd.DataFrame(
            rows,
            columns=[
                "Asumsi" if L == "id" else "Assumption",
                "Nilai" if L == "id" else "Value",
                "Sumber" if L == "id" else "Source",
            ],
        ),
        hide_index=True,
        width="stretch",
    )


def frontier_chart(kind: str, under: str, deadline: str, probability: float) -> None:
    """Per kabupaten/kota: probability of reaching its target against rupiah spent (20 levels)."""
    L = lang()
    front = _frontier(data_key(), kind, under, deadline, probability)
    st.markdown(
        "**"
        + (
            "Batas anggaran per kabupaten/kota: peluang dan tambahan peserta menurut rupiah"
            if L == "id"
            else "Budget frontier per kabupaten/kota: probability and added participants by rupiah"
        )
        + "**"
    )
    data = front.assign(
        rupiah=front["cost_idr"],
        label=front["cost_idr"].map(lambda v: fmt.rupiah(v, short=True, lang=L)),
        p=front["probability"],
        persons=front["expected_new_persons"].round(0),
    )
    spec = {
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "rupiah", "type": "quantitative", "title": "Rupiah"},
            "y": {
                "field": "p",
                "type": "quantitative",
                "title": "Peluang" if L == "id" else "Probability",
                "axis": {"format": ".0%"},
            },
            "color": {"field": "name", "type": "nominal", "title": ""},
            "tooltip": [
                {"field": "name"},
                {"field": "label", "title": "Rupiah"},
                {"field": "p", "format": ".0%", "title": "Peluang" if L == "id" else "Probability"},
                {
                    "field": "persons",
                    "format": ",.0f",
                    "title": "Tambahan peserta" if L == "id" else "Added participants",
                },
            ],
        },
        "config": {"locale": fmt.vega_locale(L), "legend": {"orient": "bottom", "columns": 2}},
    }
    st.vega_lite_chart(data[["name", "rupiah", "label", "p", "persons"]], spec, width="stretch")

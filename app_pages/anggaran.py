"""Anggaran (Budget): solve (what it takes to reach a target) and allocate (how to split a budget)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.inputs import number_box, whole_percent
from app_pages.state import (
    _allocate,
    csv_download,
    current_baseline,
    current_panel,
    data_key,
    default_target,
    lang,
    query_choice,
    region_label,
    reliability_text,
    set_address,
    url_number,
)
from app_pages.tables import cost_pivot
from simulator import fmt
from simulator.errors import InputError
from simulator.i18n import t
from simulator.regions import load_regions


def page_budget() -> None:
    """Solve (what it takes to reach a target) and allocate (how to split a budget)."""
    L = lang()
    tree = load_regions()
    st.subheader(t("page_budget", L))
    baseline, _ = current_baseline()
    months = [str(m) for m in baseline.months]
    decembers = [m for m in months if m.endswith("-12")]
    mode = st.radio(
        t("budget_mode", L),
        ["solve", "allocate"],
        format_func=lambda m: t(f"mode_{m}", L),
        horizontal=True,
        key="bg_mode",
        index=["solve", "allocate"].index(query_choice("tanya", ["solve", "allocate"], "solve")),
    )
    kind = st.radio(
        t("lever", L),
        ["subsidy", "village"],
        format_func=lambda k: t(f"kind_lever_{k}", L),
        horizontal=True,
        key="bg_kind",
        index=["subsidy", "village"].index(query_choice("tuas", ["subsidy", "village"], "subsidy")),
    )
    cols = st.columns(3)
    first = query_choice("tenggat", months, decembers[0] if decembers else months[0])
    deadline = cols[0].selectbox(
        t("deadline", L),
        months,
        index=months.index(first),
        key="bg_deadline",
        format_func=lambda m: fmt.month(m, L),
    )
    wanted = st.query_params.get("peluang", "")
    start = int(wanted) if wanted.isdigit() and 5 <= int(wanted) <= 95 and int(wanted) % 5 == 0 else 80
    probability = (
        cols[1].slider(
            t("required_probability", L), 5, 95, start, step=5, format=whole_percent(L), key="bg_probability"
        )
        / 100
    )
    address = {"tanya": mode, "tuas": kind, "tenggat": deadline, "peluang": round(probability * 100)}
    if mode == "solve":
        code = cols[2].selectbox(
            t("region", L),
            tree.codes,
            index=tree.codes.index(query_choice("wilayah", tree.codes, "61")),
            key="bg_region",
            format_func=region_label,
        )
        from_link = st.query_params.get("wilayah") == code and st.query_params.get("tenggat") == deadline
        linked = url_number("target", 0.0, 1.0) if from_link else None
        default = linked if linked is not None else default_target(code, int(deadline[:4]))
        # one box per region and target year: a new region starts from its own target
        target = number_box(
            st,
            t("target_percent", L),
            f"bg_target_{code}_{deadline[:4]}",
            default,
            kind="percent",
            low=0.0,
            high=1.0,
        )
        set_address({**address, "wilayah": code, "target": None if target is None else round(target, 6)})
        if target is None:
            return
        from app_pages.budget_view import solve_answer  # issue 19: same answer and words as the command line

        try:
            answer = solve_answer(kind, code, region_label(code), target, deadline, probability)
        except InputError as err:
            st.error(str(err))
            return
        st.caption(f"{t('reliability', L)}: {reliability_text(tree.level(code), deadline)}")
        if len(answer.cost):
            st.markdown(f"**{t('cost_table', L)}**")
            st.dataframe(cost_pivot(answer.cost), hide_index=True)
            csv_download(answer.cost, f"solve-{code}-{deadline}.csv", "dl_solve")
        from app_pages.sweep_view import assumption_panel  # issue 22

        assumption_panel(code, "bg", int(deadline[:4]))
        return
    provinces = tree.of_level("provinsi")
    under = cols[2].selectbox(
        t("province", L),
        provinces,
        index=provinces.index(query_choice("provinsi", provinces, "61")),
        key="bg_under",
        format_func=region_label,
    )
    c2 = st.columns(2)
    objective = c2[1].radio(
        t("objective", L),
        ["regions", "workers"],
        format_func=lambda o: t(f"objective_{o}", L),
        key="bg_objective",
        index=["regions", "workers"].index(query_choice("tujuan", ["regions", "workers"], "regions")),
    )
    linked = url_number("pagu", 0, 1e13)
    budget = number_box(
        c2[0],
        t("budget_envelope", L),
        "bg_budget",
        10_000_000_000 if linked is None else linked,
        kind="rupiah",
        low=0,
        high=1e13,
    )
    set_address(
        {**address, "provinsi": under, "tujuan": objective, "pagu": None if budget is None else round(budget)}
    )
    if budget is None:
        return
    panel, _ = current_panel()
    try:
        plan = _allocate(
            data_key(), float(budget), under, kind, objective, deadline, probability, panel.targets
        )
    except InputError as err:
        st.error(str(err))
        return
    table = plan.table
    m = st.columns(3)
    m[0].metric(t("regions_reached", L), f"{int(table['reached'].sum())} / {len(table)}")
    m[1].metric(
        t("budget_spent", L), fmt.rupiah(plan.spent, short=True, lang=L), help=fmt.rupiah(plan.spent, lang=L)
    )
    m[2].metric(t("new_persons", L), fmt.number(table["expected_new_persons"].sum(), lang=L))
    st.dataframe(
        pd.DataFrame(
            {
                t("code", L): table["region_code"],
                t("name", L): table["name"],
                t("target", L): table["target"].map(lambda v: fmt.percent(v, lang=L)),
                t("needed", L): table["needed"].map(lambda v: fmt.number(v, lang=L)),
                t("allocated", L): table["size"].map(lambda v: fmt.number(v, lang=L)),
                t("cost", L): table["cost_idr"].map(lambda v: fmt.rupiah(v, lang=L)),
                t("probability", L): table["probability"].map(lambda v: fmt.percent(v, 0, lang=L)),
                t("new_persons", L): table["expected_new_persons"].map(lambda v: fmt.number(v, lang=L)),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(f"{t('reliability', L)}: {reliability_text('kabkota', deadline)}")
    csv_download(table, f"alokasi-{under}-{deadline}.csv", "dl_allocate")
    payer = plan.lever.payer if hasattr(plan.lever, "payer") else ""
    st.caption(f"{t('payer', L)}: {t(f'payer_{payer}', L)}")
    from app_pages.budget_view import frontier_chart, show_assumptions  # issue 19

    show_assumptions(plan)
    frontier_chart(kind, under, deadline, probability)
    from app_pages.sweep_view import assumption_panel  # issue 22

    assumption_panel(under, "bg", int(deadline[:4]))


page_budget()

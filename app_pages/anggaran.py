"""Anggaran (Budget): solve (what it takes to reach a target) and allocate (how to split a budget)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.inputs import whole_percent
from app_pages.state import (_allocate, _solve, csv_download, current_baseline, current_panel, data_key,
                             default_target, lang, region_label)
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
    mode = st.radio(t("budget_mode", L), ["solve", "allocate"], format_func=lambda m: t(f"mode_{m}", L), horizontal=True, key="bg_mode")
    kind = st.radio(t("lever", L), ["subsidy", "village"], format_func=lambda k: t(f"kind_lever_{k}", L), horizontal=True, key="bg_kind")
    cols = st.columns(3)
    deadline = cols[0].selectbox(t("deadline", L), months, index=months.index(decembers[0]) if decembers else 0, key="bg_deadline")
    probability = cols[1].slider(t("required_probability", L), 5, 95, 80, step=5, format=whole_percent(L),
                                 key="bg_probability") / 100
    if mode == "solve":
        code = cols[2].selectbox(t("region", L), tree.codes, index=tree.codes.index("61"), key="bg_region", format_func=region_label)
        target = st.number_input(t("target_percent", L), 0.0, 100.0, round(100 * default_target(code, int(deadline[:4])), 2),
                                 step=0.5, key=f"bg_target_{code}_{deadline[:4]}") / 100
        st.caption(fmt.percent(target, lang=L))  # the input box itself writes a decimal point
        try:
            answer = _solve(data_key(), kind, code, target, deadline, probability)
        except InputError as err:
            st.error(str(err))
            return
        size_word = t("headcount" if kind == "subsidy" else "officials_total", L)
        m = st.columns(4)
        if answer.reachable:
            m[0].metric(size_word, fmt.number(answer.size, lang=L))
            m[1].metric(t("probability", L), f"{fmt.percent(answer.probability, 1, lang=L)} ± {fmt.percent(answer.mc_error, 1, lang=L)}")
            m[2].metric(t("budget_needed", L), fmt.rupiah(answer.budget_idr or 0.0, short=True, lang=L),
                        help=fmt.rupiah(answer.budget_idr or 0.0, lang=L))
            if answer.villages:
                m[3].metric(t("officials", L), fmt.number(answer.size / answer.villages, 2, lang=L))
            st.caption(t("solve_sentence", L).format(size=fmt.number(answer.size, lang=L), region=region_label(code),
                                                     target=fmt.percent(target, lang=L), deadline=deadline,
                                                     p=fmt.percent(probability, 0, lang=L)))
        else:
            st.warning(f"{t('not_reachable', L)} ({fmt.number(answer.cap, lang=L)} {t('persons', L).lower()}: "
                       f"{t('probability', L)} {fmt.percent(answer.probability, 1, lang=L)})")
        if len(answer.cost):
            st.markdown(f"**{t('cost_table', L)}**")
            st.dataframe(pd.DataFrame({
                t("payer", L): answer.cost["payer"].map(lambda p: t(f"payer_{p}", L)),
                t("year", L): answer.cost["year"],
                t("cost", L): answer.cost["cost_idr"].map(lambda v: fmt.rupiah(v, lang=L)),
            }), hide_index=True)
            csv_download(answer.cost, f"solve-{code}-{deadline}.csv", "dl_solve")
        return
    provinces = tree.of_level("provinsi")
    under = cols[2].selectbox(t("province", L), provinces, index=provinces.index("61"), key="bg_under", format_func=region_label)
    c2 = st.columns(2)
    budget = c2[0].number_input(t("budget_envelope", L), 0, 10**13, 10_000_000_000, step=500_000_000, key="bg_budget")
    c2[0].caption(fmt.rupiah(budget, lang=L))
    objective = c2[1].radio(t("objective", L), ["regions", "workers"], format_func=lambda o: t(f"objective_{o}", L), key="bg_objective")
    panel, _ = current_panel()
    try:
        plan = _allocate(data_key(), float(budget), under, kind, objective, deadline, probability, panel.targets)
    except InputError as err:
        st.error(str(err))
        return
    table = plan.table
    m = st.columns(3)
    m[0].metric(t("regions_reached", L), f"{int(table['reached'].sum())} / {len(table)}")
    m[1].metric(t("budget_spent", L), fmt.rupiah(plan.spent, short=True, lang=L), help=fmt.rupiah(plan.spent, lang=L))
    m[2].metric(t("new_persons", L), fmt.number(table["expected_new_persons"].sum(), lang=L))
    st.dataframe(pd.DataFrame({
        t("code", L): table["region_code"],
        t("name", L): table["name"],
        t("target", L): table["target"].map(lambda v: fmt.percent(v, lang=L)),
        t("needed", L): table["needed"].map(lambda v: fmt.number(v, lang=L)),
        t("allocated", L): table["size"].map(lambda v: fmt.number(v, lang=L)),
        t("cost", L): table["cost_idr"].map(lambda v: fmt.rupiah(v, lang=L)),
        t("probability", L): table["probability"].map(lambda v: fmt.percent(v, 0, lang=L)),
        t("new_persons", L): table["expected_new_persons"].map(lambda v: fmt.number(v, lang=L)),
    }), hide_index=True, width="stretch")
    csv_download(table, f"alokasi-{under}-{deadline}.csv", "dl_allocate")
    payer = plan.lever.payer if hasattr(plan.lever, "payer") else ""
    st.caption(f"{t('payer', L)}: {t(f'payer_{payer}', L)}")


page_budget()

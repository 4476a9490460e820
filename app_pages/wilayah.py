"""Wilayah (Region): fan chart, levers of one region, waterfall and costs; save as a scenario."""

from __future__ import annotations

import re

import streamlit as st

from app_pages.charts import fan_chart
from app_pages.inputs import counts, whole_percent
from app_pages.state import (around, csv_download, current_baseline, join_comparison, lang, query_choice,
                             region_label, run)
from app_pages.tables import cost_table, status_label, status_table
from simulator import fmt
from simulator.i18n import t
from simulator.regions import load_regions
from simulator.vocabulary import PAYER_BY_LEVEL


def region_levers(code: str, months: list[str]) -> list[dict]:
    """Lever sliders for one region (sidebar) -> lever dicts in scenario-file form."""
    L = lang()
    tree = load_regions()
    first = months[0]
    with st.sidebar:
        st.markdown(f"**{t('levers', L)}**")
        # counts on a select slider so they show in the language's format (26.373); shares as
        # whole percentages ("35 %"); st.slider's own number format cannot group thousands
        default = 26_373 if code == "61" else 0
        pct = whole_percent(L)
        headcount = st.select_slider(t("subsidy", L), counts(300_000, 1_000, default), value=default,
                                     format_func=lambda v: fmt.number(v, lang=L), key="rg_headcount")
        start = st.select_slider(t("subsidy_start", L), months, value=first, key="rg_start")
        duration = st.slider(t("subsidy_months", L), 1, 60, 12, key="rg_months")
        already = st.slider(t("already_covered", L), 0, 50, 10, step=5, format=pct, key="rg_already") / 100
        retention = st.slider(t("retention", L), 0, 100, 35, step=5, format=pct, key="rg_retention") / 100
        officials = st.slider(t("officials", L), 0, 30, 0, key="rg_officials")
        share = st.slider(t("enrolled_share", L), 0, 100, 80, step=5, format=pct, key="rg_share") / 100
        vstart = st.select_slider(t("village_start", L), months, value=first, key="rg_vstart")
        outreach = st.select_slider(t("outreach", L), counts(20_000, 500, 0), value=0,
                                    format_func=lambda v: fmt.number(v, lang=L), key="rg_outreach")
    levers: list[dict] = []
    if headcount > 0:
        levers.append({"kind": "contribution_subsidy", "label": t("subsidy", L), "region": code, "headcount": headcount,
                       "start": start, "months": duration, "ramp_months": 3, "already_covered": already,
                       "retention_after": retention, "lapse": 0.03, "unit_cost": 16800,
                       "payer": PAYER_BY_LEVEL[tree.level(code)]})
    if officials > 0:
        levers.append({"kind": "village_officials", "label": t("officials", L), "region": code if tree.level(code) == "kabkota" else f"{code}.*",
                       "officials_per_village": officials, "enrolled_share": share, "start": vstart, "ramp_months": 6,
                       "unit_cost": 16800, "payer": "apbdes"})
    if outreach > 0:
        levers.append({"kind": "informal_outreach", "label": t("outreach", L), "region": code, "monthly_enrollments": outreach,
                       "months": 12, "ramp_months": 3, "lapse": 0.03, "start": first, "unit_cost": 16800, "payer": "worker"})
    return levers


def levers_text(levers: list[dict], name: str, horizon: str) -> str:
    from simulator.scenario import dump_scenario, scenario_from_dict

    data = {"name": name, "description": "dibuat di halaman Wilayah / built on the Region page", "horizon": horizon, "levers": levers}
    return dump_scenario(scenario_from_dict(data, source="app", tree=load_regions()))


def _file_stem(name: str) -> str:
    """A scenario name as a safe download file name: letters, digits, dot, dash and underscore."""
    return re.sub(r"[^\w.-]+", "-", name).strip("-.") or "skenario"


def page_region() -> None:
    from simulator.views import waterfall_at

    L = lang()
    tree = load_regions()
    baseline, _ = current_baseline()
    regions = tree.codes
    code = st.selectbox(t("region", L), regions, index=regions.index(query_choice("wilayah", regions, "61")),
                        key="rg_region", format_func=region_label)
    st.query_params["wilayah"] = code
    months = [str(m) for m in baseline.months[:36]]
    levers = region_levers(code, months)
    horizon = str(baseline.months[-1])
    text = levers_text(levers, f"wilayah-{code}", horizon)
    out = run(text, around(code), source=f"wilayah-{code}")
    if out is None:
        return
    result, status = out
    own = status[status["region_code"] == code].sort_values("year")
    cols = st.columns(4)
    if len(own):
        upcoming = own[own["deadline"] >= result.months[0]]
        row = (upcoming if len(upcoming) else own).iloc[0]
        cols[0].metric(f"{t('probability', L)} ({fmt.percent(row['target'], lang=L)}, {row['deadline']})", fmt.percent(row["probability"], 0, lang=L))
        cols[1].metric(t("median", L), fmt.percent(row["median"], lang=L))
        cols[2].metric(t("status", L), status_label(row["status"]))
        cols[3].metric(t("gap", L), fmt.number(row["gap_persons"], lang=L))
        deadline = row["deadline"]
    else:
        deadline = result.months[-1]
        st.info(t("no_target", L))
    st.markdown(f"**{t('fan_chart', L)}**")
    chart, wide = fan_chart(result, code, status)
    st.vega_lite_chart(spec=chart, width="stretch")
    csv_download(wide, f"fan-{code}.csv", "dl_fan")
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('waterfall', L)} ({deadline})**")
        steps = waterfall_at(result, code, deadline)
        st.dataframe(steps.assign(persons=steps["persons"].map(lambda v: fmt.number(v, lang=L))).rename(
            columns={"lever": t("lever", L), "persons": t("persons", L)}), hide_index=True)
        csv_download(steps, f"waterfall-{code}.csv", "dl_waterfall")
    with right:
        st.markdown(f"**{t('cost_table', L)}**")
        raw, shown = cost_table(result)
        st.dataframe(shown, hide_index=True)
        csv_download(raw, f"biaya-{code}.csv", "dl_cost")
    if len(status):
        st.dataframe(status_table(status), hide_index=True, width="stretch")
        csv_download(status, f"status-{code}.csv", "dl_rg_status")
    with st.expander(t("save_scenario", L)):
        name = st.text_input(t("scenario_name", L), f"wilayah-{code}", key="rg_name").strip() or f"wilayah-{code}"
        # written by the scenario writer (any name quoted as YAML needs), only when asked for: a
        # slider move does not build it
        st.download_button(t("download_yaml", L), lambda: levers_text(levers, name, horizon).encode("utf-8"),
                           file_name=f"{_file_stem(name)}.yaml", key="dl_rg_yaml", on_click="ignore")
        if st.button(t("add_to_compare", L), key="rg_add"):
            st.session_state.setdefault("my_scenarios", {})[name] = levers_text(levers, name, horizon)
            join_comparison(name)
            st.success(t("added", L))


page_region()

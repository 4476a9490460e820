"""Wilayah (Region): fan chart, levers of one region, waterfall and costs; save as a scenario."""

from __future__ import annotations

import re

import streamlit as st

from app_pages.charts import fan_chart, waterfall_chart
from app_pages.inputs import counts, whole_percent
from app_pages.state import (around, bundled_scenarios, csv_download, current_baseline, join_comparison, lang,
                             query_choice, region_label, run, set_address)
from app_pages.tables import cost_table, headline_card, status_table
from simulator import fmt
from simulator.i18n import t
from simulator.regions import load_regions
from simulator.vocabulary import PAYER_BY_LEVEL


#: The Region page's levers: widget key -> name in the address (``/wilayah?wilayah=61&bantuan=86000``).
LEVERS = {"rg_headcount": "bantuan", "rg_start": "mulai", "rg_months": "bulan", "rg_already": "sudah",
          "rg_retention": "bertahan", "rg_officials": "aparat", "rg_share": "terdaftar", "rg_vstart": "mulai_desa",
          "rg_outreach": "bpu"}
#: Whole-number levers: (lowest, highest) as the sliders allow; the others are months.
RANGES = {"rg_headcount": (0, 5_000_000), "rg_months": (1, 60), "rg_already": (0, 50), "rg_retention": (0, 100),
          "rg_officials": (0, 30), "rg_share": (0, 100), "rg_outreach": (0, 200_000)}


def programmes_in_force(code: str) -> dict[str, int]:
    """The region's programmes already decided, as lever settings: what the page starts from."""
    return {"rg_headcount": 26_373} if code == "61" else {}


def lever_defaults(code: str, months: list[str]) -> dict:
    """Lever settings a region starts from: its programmes in force, the rest off, with the dated
    defaults of ``data/parameters.yaml`` in force at the first month (whole percentages on the sliders)."""
    from simulator.parameters import lever_defaults as dated

    subsidy, village = dated("contribution_subsidy", months[0]), dated("village_officials", months[0])
    return {"rg_headcount": 0, "rg_start": months[0], "rg_months": 12,
            "rg_already": round(100 * subsidy["already_covered"]), "rg_retention": round(100 * subsidy["retention_after"]),
            "rg_officials": 0, "rg_share": round(100 * village["enrolled_share"]), "rg_vstart": months[0],
            "rg_outreach": 0, **programmes_in_force(code)}


def levers_from_address(months: list[str]) -> dict:
    """Lever settings written in the address; a value that is not valid is left out (and said so)."""
    out, bad = {}, []
    for key, param in LEVERS.items():
        raw = st.query_params.get(param)
        if raw is None:
            continue
        if key in RANGES:
            low, high = RANGES[key]
            ok = raw.isdigit() and low <= int(raw) <= high
            value = int(raw) if ok else None
        else:
            ok, value = raw in months, raw
        if ok:
            out[key] = value
        else:
            bad.append(f"{param}={raw}")
    if bad:
        st.warning(f"{t('address_ignored', lang())}: {', '.join(bad)}")
    return out


def seed_levers(code: str, months: list[str]) -> None:
    """Give the lever widgets ``code``'s own settings before they are drawn: from the address when it
    names this region (a shared link), else what this region had in this session, else its defaults.
    Switching region therefore never carries one region's levers over to another."""
    store = st.session_state.setdefault("rg_levers", {})
    if st.session_state.get("rg_shown") == code and all(k in st.session_state for k in LEVERS):
        return
    values = {**lever_defaults(code, months), **store.get(code, {})}
    if st.query_params.get("wilayah") == code:
        values = {**lever_defaults(code, months), **levers_from_address(months)}
    for key, value in values.items():
        st.session_state[key] = value
    st.session_state["rg_shown"] = code


def region_levers(code: str, months: list[str]) -> tuple[list[dict], dict]:
    """Lever sliders for one region (sidebar) -> (lever dicts in scenario-file form, widget values)."""
    L = lang()
    tree = load_regions()
    first = months[0]
    seed_levers(code, months)
    programmes = programmes_in_force(code)
    with st.sidebar:
        st.markdown(f"**{t('levers', L)}: {region_label(code)}**")
        if programmes:
            st.caption(t("programme_in_force", L).format(n=fmt.number(programmes["rg_headcount"], lang=L),
                                                         payer=t(f"payer_{PAYER_BY_LEVEL[tree.level(code)]}", L)))
        # counts on a select slider so they show in the language's format (26.373); shares as
        # whole percentages ("35 %"); st.slider's own number format cannot group thousands
        pct = whole_percent(L)
        grid = counts(300_000, 1_000, programmes.get("rg_headcount", 0))
        headcount = st.select_slider(t("subsidy", L), tuple(sorted({*grid, st.session_state["rg_headcount"]})),
                                     format_func=lambda v: fmt.number(v, lang=L), key="rg_headcount")
        start = st.select_slider(t("subsidy_start", L), months, format_func=lambda m: fmt.month(m, L), key="rg_start")
        duration = st.slider(t("subsidy_months", L), 1, 60, key="rg_months")
        already = st.slider(t("already_covered", L), 0, 50, step=5, format=pct, key="rg_already") / 100
        retention = st.slider(t("retention", L), 0, 100, step=5, format=pct, key="rg_retention") / 100
        officials = st.slider(t("officials", L), 0, 30, key="rg_officials")
        share = st.slider(t("enrolled_share", L), 0, 100, step=5, format=pct, key="rg_share") / 100
        vstart = st.select_slider(t("village_start", L), months, format_func=lambda m: fmt.month(m, L), key="rg_vstart")
        grid = counts(20_000, 500, 0)
        outreach = st.select_slider(t("outreach", L), tuple(sorted({*grid, st.session_state["rg_outreach"]})),
                                    format_func=lambda v: fmt.number(v, lang=L), key="rg_outreach")
        defaults = lever_defaults(code, months)
        if any(st.session_state[k] != v for k, v in defaults.items()):
            st.button(t("reset_levers", L), key="rg_reset", on_click=_reset_levers, args=(code, defaults))
    values = {k: st.session_state[k] for k in LEVERS}
    st.session_state["rg_levers"][code] = values
    # unit cost, ramp and lapse: the dated parameters in force at each lever's start
    from simulator.parameters import lever_defaults as dated

    levers: list[dict] = []
    if headcount > 0:
        levers.append({**dated("contribution_subsidy", start), "kind": "contribution_subsidy",
                       "label": t("lever_subsidy", L), "region": code, "headcount": headcount, "start": start,
                       "months": duration, "already_covered": already, "retention_after": retention,
                       "payer": PAYER_BY_LEVEL[tree.level(code)]})
    if officials > 0:
        levers.append({**dated("village_officials", vstart), "kind": "village_officials", "label": t("lever_village", L),
                       "region": code if tree.level(code) == "kabkota" else f"{code}.*",
                       "officials_per_village": officials, "enrolled_share": share, "start": vstart, "payer": "apbdes"})
    if outreach > 0:
        levers.append({**dated("informal_outreach", first), "kind": "informal_outreach", "label": t("lever_outreach", L),
                       "region": code, "monthly_enrollments": outreach, "months": 12, "start": first, "payer": "worker"})
    return levers, values


def _reset_levers(code: str, defaults: dict) -> None:
    for key, value in defaults.items():
        st.session_state[key] = value
    st.session_state["rg_levers"][code] = dict(defaults)


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
    months = [str(m) for m in baseline.months[:36]]
    levers, values = region_levers(code, months)
    set_address({"wilayah": code, **{LEVERS[k]: v for k, v in values.items()}})
    horizon = str(baseline.months[-1])
    text = levers_text(levers, f"wilayah-{code}", horizon)
    out = run(text, around(code), source=f"wilayah-{code}")
    before = run(bundled_scenarios()["baseline"], around(code), source="baseline.yaml") if levers else out
    if out is None or before is None:
        return
    result, status = out
    own = status[status["region_code"] == code].sort_values("year")
    if len(own):
        upcoming = own[own["deadline"] >= result.months[0]]
        row = (upcoming if len(upcoming) else own).iloc[0]
        deadline = row["deadline"]
    else:
        row, deadline = None, result.months[-1]
    st.markdown(f'<div class="sim-cards">{headline_card(region_label(code), row)}</div>', unsafe_allow_html=True)
    st.markdown(f"**{t('fan_chart', L)}**")
    chart, wide = fan_chart(result, code, status, before=before[0] if levers else None)
    st.vega_lite_chart(spec=chart, width="stretch")
    csv_download(wide, f"fan-{code}.csv", "dl_fan")
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('waterfall', L)} ({fmt.month(deadline, L)})**")
        steps = waterfall_at(result, code, deadline)
        st.vega_lite_chart(spec=waterfall_chart(steps), width="stretch")
        csv_download(steps, f"waterfall-{code}.csv", "dl_waterfall")
    with right:
        st.markdown(f"**{t('cost_table', L)}**")
        raw, shown = cost_table(result)
        if len(raw):
            st.dataframe(shown, hide_index=True)
            csv_download(raw, f"biaya-{code}.csv", "dl_cost")
        else:
            st.caption(t("no_cost", L))
    if len(status):
        st.dataframe(status_table(status), hide_index=True, width="stretch")
        st.caption(t("tested_help", L))
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
    from app_pages.sweep_view import assumption_panel  # issue 22: which assumption decides the answer

    assumption_panel(code, "rg", int(row["year"]) if row is not None else None)

"""Bandingkan (Compare): up to four scenarios side by side; the address carries the choice."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from app_pages.state import (MAX_COMPARE, around, bundled_scenarios, csv_download, join_comparison, lang, parse,
                             query_choice, region_label, run, scenario_texts)
from app_pages.tables import status_label
from simulator import fmt
from simulator.errors import InputError
from simulator.i18n import t
from simulator.regions import load_regions


def compare_selection(texts: dict[str, str]) -> list[str]:
    """Scenario names from the URL (``?b=name`` bundled, ``?u=token`` shared text) or the default."""
    from simulator.share import decode_scenario

    chosen = [n for n in st.query_params.get_all("b") if n in texts]
    for token in st.query_params.get_all("u"):
        try:
            text = decode_scenario(token)
            name = parse(text, "link").name
        except InputError as err:
            st.error(f"{t('link_error', lang())}: {err}")
            continue
        st.session_state.setdefault("my_scenarios", {})[name] = text
        texts[name] = text
        chosen.append(name)
    return list(dict.fromkeys(chosen))[:MAX_COMPARE] or [n for n in ("baseline", "kalbar-pergub-2025") if n in texts]


def page_compare() -> None:
    import altair as alt

    from simulator.share import encode_scenario
    from simulator.views import median_lines

    L = lang()
    tree = load_regions()
    st.subheader(t("page_compare", L))
    upload = st.file_uploader(t("upload_yaml", L), type=["yaml", "yml"], key="cmp_upload")
    if upload is not None:
        try:
            text = upload.getvalue().decode("utf-8")
            scenario = parse(text, upload.name)
        except (InputError, UnicodeDecodeError) as err:
            st.error(f"{t('invalid_scenario', L)}: {err}")
        else:
            st.session_state.setdefault("my_scenarios", {})[scenario.name] = text
            st.success(f"{t('added', L)}: {scenario.name}")
            # a file just uploaded joins the comparison once (the uploader keeps it across reruns,
            # and the planner may take it out again)
            stamp = hashlib.sha256(f"{scenario.name}\n{text}".encode()).hexdigest()
            if st.session_state.get("cmp_uploaded") != stamp:
                st.session_state["cmp_uploaded"] = stamp
                join_comparison(scenario.name)
    texts = scenario_texts()
    if "cmp_names" not in st.session_state:
        st.session_state["cmp_names"] = compare_selection(texts)
        texts = scenario_texts()
    joining = [n for n in st.session_state.pop("cmp_join", []) if n in texts]
    chosen = st.session_state["cmp_names"]
    room = MAX_COMPARE - len(chosen)
    st.session_state["cmp_names"] = [*chosen, *[n for n in dict.fromkeys(joining) if n not in chosen][:max(room, 0)]]
    names = st.multiselect(t("scenarios", L), list(texts), max_selections=MAX_COMPARE, key="cmp_names")
    code = st.selectbox(t("region", L), tree.codes, index=tree.codes.index(query_choice("wilayah", tree.codes, "61")),
                        key="cmp_region", format_func=region_label)
    bundled = bundled_scenarios()
    st.query_params["b"] = [n for n in names if n in bundled and bundled[n] == texts[n]]
    try:
        st.query_params["u"] = [encode_scenario(texts[n]) for n in names if n not in bundled or bundled[n] != texts[n]]
    except InputError as err:
        st.warning(str(err))
    st.query_params["wilayah"] = code
    if not names:
        st.info(t("pick_scenarios", L))
        return
    results, rows = {}, []
    for name in names:
        out = run(texts[name], around(code), source=f"{name}.yaml")
        if out is None:
            continue
        result, status = out
        results[name] = result
        total = float(result.cost["cost_idr"].sum()) if len(result.cost) else 0.0
        for row in status[status["region_code"] == code].itertuples(index=False):
            rows.append({"scenario": name, "year": row.year, "target": row.target, "median": row.median,
                         "p10": row.p10, "p90": row.p90, "probability": row.probability, "status": row.status, "cost_idr": total})
        if not len(status[status["region_code"] == code]):
            rows.append({"scenario": name, "year": None, "target": None, "median": None, "p10": None, "p90": None,
                         "probability": None, "status": "no target", "cost_idr": total})
    if not results:
        return
    lines = median_lines(results, code)
    chart = alt.Chart(lines).encode(x=alt.X("month:T", title=None), color=alt.Color("scenario:N", title=t("scenario", L)))
    st.altair_chart((chart.mark_area(opacity=0.15).encode(y=alt.Y("q10:Q", axis=alt.Axis(format="%", title=t("coverage", L))), y2="q90:Q")
                     + chart.mark_line().encode(y="q50:Q")).properties(height=360), width="stretch")
    csv_download(lines, f"bandingkan-{code}.csv", "dl_cmp_lines")
    table = pd.DataFrame(rows)
    shown = pd.DataFrame({
        t("scenario", L): table["scenario"],
        t("year", L): table["year"],
        t("target", L): table["target"].map(lambda v: fmt.percent(v, lang=L)),
        t("median", L): table["median"].map(lambda v: fmt.percent(v, lang=L)),
        t("probability", L): table["probability"].map(lambda v: fmt.percent(v, 0, lang=L)),
        t("status", L): table["status"].map(status_label),
        t("scenario_cost", L): table["cost_idr"].map(lambda v: fmt.rupiah(v, short=True, lang=L)),
    })
    st.dataframe(shown, hide_index=True, width="stretch")
    csv_download(table, f"bandingkan-tabel-{code}.csv", "dl_cmp_table")
    st.caption(t("share_hint", L))
    cols = st.columns(min(len(names), MAX_COMPARE))
    for col, name in zip(cols, names):
        col.download_button(f"{name}.yaml", texts[name].encode("utf-8"), file_name=f"{name}.yaml", key=f"dl_yaml_{name}")


page_compare()

"""Bandingkan (Compare): up to four scenarios side by side; the address carries the choice."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from app_pages.charts import compare_chart
from app_pages.inputs import translate_uploader
from app_pages.state import (
    MAX_COMPARE,
    around,
    bundled_scenarios,
    csv_download,
    join_comparison,
    lang,
    parse,
    query_choice,
    region_label,
    run,
    scenario_texts,
    scenario_title,
    set_address,
)
from app_pages.tables import status_label, styled_status
from simulator import fmt
from simulator.errors import InputError
from simulator.i18n import t
from simulator.regions import load_regions
from simulator.vocabulary import GOVERNMENT_PAYERS


def compare_selection(texts: dict[str, str]) -> list[str]:
    """Scenario names from the URL (``?b=name`` bundled, ``?u=token`` shared text) or the default."""
    from simulator.share import check_not_bundled, decode_scenario, plain

    chosen = [n for n in st.query_params.get_all("b") if n in texts]
    for token in st.query_params.get_all("u"):
        try:
            text = decode_scenario(token)
            name = parse(text, "link").name
            check_not_bundled(name, text, bundled_scenarios(), "link")
        except InputError as err:
            st.error(plain(f"{t('link_error', lang())}: {err}"))
            continue
        st.session_state.setdefault("my_scenarios", {})[name] = text
        texts[name] = text
        chosen.append(name)
    return list(dict.fromkeys(chosen))[:MAX_COMPARE] or [
        n for n in ("baseline", "kalbar-pergub-2025") if n in texts
    ]


def page_compare() -> None:  # noqa: C901 - one page: picks, uploads, links, chart, table and downloads in order
    from simulator.loaders import upload_name
    from simulator.share import check_not_bundled, encode_scenario, plain
    from simulator.views import cost_by_payer_year, median_lines

    L = lang()
    tree = load_regions()
    st.subheader(t("page_compare", L))
    translate_uploader("upload_limit_yaml")
    upload = st.file_uploader(t("upload_yaml", L), type=["yaml", "yml"], key="cmp_upload")
    if upload is not None:
        try:
            text = upload.getvalue().decode("utf-8")
            scenario = parse(text, upload_name(upload.name))
            check_not_bundled(scenario.name, text, bundled_scenarios(), upload_name(upload.name))
        except (InputError, UnicodeDecodeError) as err:
            st.error(plain(f"{t('invalid_scenario', L)}: {err}"))
        else:
            st.session_state.setdefault("my_scenarios", {})[scenario.name] = text
            st.success(plain(f"{t('added', L)}: {scenario.name}"))
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
    st.session_state["cmp_names"] = [
        *chosen,
        *[n for n in dict.fromkeys(joining) if n not in chosen][: max(room, 0)],
    ]
    names = st.multiselect(
        t("scenarios", L),
        list(texts),
        max_selections=MAX_COMPARE,
        key="cmp_names",
        format_func=scenario_title,
    )
    code = st.selectbox(
        t("region", L),
        tree.codes,
        index=tree.codes.index(query_choice("wilayah", tree.codes, "61")),
        key="cmp_region",
        format_func=region_label,
    )
    bundled = bundled_scenarios()
    try:
        shared = [encode_scenario(texts[n]) for n in names if n not in bundled or bundled[n] != texts[n]]
    except InputError as err:
        st.warning(str(err))
        shared = []
    set_address(
        {"b": [n for n in names if n in bundled and bundled[n] == texts[n]], "u": shared, "wilayah": code}
    )
    if not names:
        st.info(t("pick_scenarios", L))
        return
    results, rows, targets = {}, [], None
    for name in names:
        out = run(texts[name], around(code), source=f"{name}.yaml")
        if out is None:
            continue
        result, status = out
        results[name] = result
        targets = status if targets is None else targets
        costs = cost_by_payer_year(result)
        gov = float(costs.loc[costs["payer"].isin(GOVERNMENT_PAYERS), "cost_idr"].sum())
        own = float(costs.loc[~costs["payer"].isin(GOVERNMENT_PAYERS), "cost_idr"].sum())
        money = {"government_idr": gov, "own_idr": own}
        for row in status[status["region_code"] == code].itertuples(index=False):
            rows.append(
                {
                    "scenario": name,
                    "year": row.year,
                    "target": row.target,
                    "median": row.median,
                    "p10": row.p10,
                    "p90": row.p90,
                    "probability": row.probability,
                    "held_80": getattr(row, "held_80", float("nan")),
                    "status": row.status,
                    **money,
                }
            )
        if not len(status[status["region_code"] == code]):
            rows.append(
                {
                    "scenario": name,
                    "year": None,
                    "target": None,
                    "median": None,
                    "p10": None,
                    "p90": None,
                    "probability": None,
                    "held_80": None,
                    "status": "no target",
                    **money,
                }
            )
    if not results:
        return
    lines = median_lines(results, code)
    st.vega_lite_chart(
        spec=compare_chart(lines, targets, code, {n: scenario_title(n) for n in names}), width="stretch"
    )
    csv_download(lines, f"bandingkan-{code}.csv", "dl_cmp_lines")
    table = pd.DataFrame(rows)
    shown = pd.DataFrame(
        {
            t("scenario", L): table["scenario"].map(scenario_title),
            t("year", L): table["year"],
            t("target", L): table["target"].map(lambda v: fmt.percent(v, lang=L)),
            t("median", L): table["median"].map(lambda v: fmt.percent(v, lang=L)),
            t("probability", L): table["probability"].map(lambda v: fmt.percent(v, 0, lang=L)),
            t("tested", L): table["held_80"].map(lambda v: fmt.percent(v, 0, lang=L)),
            t("status", L): table["status"].map(status_label),
            t("cost_government", L): table["government_idr"].map(lambda v: fmt.rupiah(v, short=True, lang=L)),
            t("cost_own", L): table["own_idr"].map(lambda v: fmt.rupiah(v, short=True, lang=L)),
        }
    )
    st.dataframe(styled_status(shown), hide_index=True, width="stretch")
    st.caption(t("tested_help", L))
    csv_download(table, f"bandingkan-tabel-{code}.csv", "dl_cmp_table")
    st.caption(t("share_hint", L))
    cols = st.columns(min(len(names), MAX_COMPARE))
    for col, name in zip(cols, names, strict=False):
        col.download_button(
            f"{name}.yaml", texts[name].encode("utf-8"), file_name=f"{name}.yaml", key=f"dl_yaml_{name}"
        )


page_compare()

"""Model: backtest accuracy per model and per kabupaten/kota, interval coverage."""

from __future__ import annotations

import streamlit as st

from app_pages.state import csv_download, current_baseline, lang, region_label, set_address
from simulator import fmt
from simulator.i18n import t
from simulator.regions import load_regions


def page_model() -> None:
    L = lang()
    tree = load_regions()
    st.subheader(t("page_model", L))
    _, table = current_baseline()
    st.caption(t("model_note", L))
    auto = table[table["model"] == "auto"]
    cols = st.columns(4)
    cols[0].metric(t("mase_auto", L), fmt.number(auto["mase"].mean(), 3, lang=L))
    naive = table[table["model"] == "naive"]
    cols[1].metric(t("mase_naive", L), fmt.number(naive["mase"].mean(), 3, lang=L))
    cols[2].metric(t("cover80", L), fmt.percent(auto["coverage_80"].mean(), 1, lang=L))
    cols[3].metric(t("cover95", L), fmt.percent(auto["coverage_95"].mean(), 1, lang=L))
    summary = table.groupby("model", as_index=False)[["mase", "smape", "coverage_80", "coverage_95"]].mean()
    chosen = table[table["chosen"]]["model"].value_counts().rename("chosen").reset_index()
    summary = summary.merge(chosen, on="model", how="left").fillna({"chosen": 0})
    st.markdown(f"**{t('by_model', L)}**")
    st.dataframe(summary.assign(
        mase=summary["mase"].map(lambda v: fmt.number(v, 3, lang=L)), smape=summary["smape"].map(lambda v: fmt.number(v, 2, lang=L)),
        coverage_80=summary["coverage_80"].map(lambda v: fmt.percent(v, 1, lang=L)),
        coverage_95=summary["coverage_95"].map(lambda v: fmt.percent(v, 1, lang=L)), chosen=summary["chosen"].astype(int)), hide_index=True)
    csv_download(summary, "model-ringkasan.csv", "dl_model_summary")
    provinces = tree.of_level("provinsi")
    prov = st.selectbox(t("province", L), provinces, index=provinces.index("61"), key="md_province", format_func=region_label)
    rows = table[table["unique_id"].astype(str).isin(tree.children(prov))]
    rows = rows.assign(name=rows["unique_id"].map(lambda c: tree.name(str(c))))
    st.markdown(f"**{t('by_region', L)}**")
    st.dataframe(rows, hide_index=True, width="stretch")
    csv_download(rows, f"backtest-{prov}.csv", "dl_model_rows")


set_address({})  # nothing on this page to share: no parameters of another page linger
page_model()

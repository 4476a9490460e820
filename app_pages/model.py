"""Model: backtest accuracy per model and per kabupaten/kota, interval coverage."""

from __future__ import annotations

import streamlit as st

from app_pages.state import csv_download, current_baseline, current_panel, lang, region_label, set_address
from simulator import fmt
from simulator.i18n import t
from simulator.regions import load_regions


def calibration_section(L: str) -> None:
    """The per-level calibration table: how often the bands held the truth in the backtest."""
    import pandas as pd

    from simulator.calibrate import DEFAULT_SETTINGS, origin_months, table_of

    st.markdown(f"**{t('calib_title', L)}**")
    panel, _ = current_panel()
    table = table_of(current_baseline()[0])
    if table is None:
        st.info(t("calib_short", L))
        return
    last = pd.Period(pd.Timestamp(panel.history["ds"].max()), freq="M")
    from simulator.projection import BACKTEST_SPACING

    spacing = DEFAULT_SETTINGS["spacing"] or BACKTEST_SPACING
    origins = [str(o) for o in origin_months(last, DEFAULT_SETTINGS["origins"], spacing)]
    st.caption(t("calib_note", L).format(n=len(origins), origins=", ".join(origins)))
    shown = pd.DataFrame(
        {
            t("level", L): table["level"].map(lambda v: t(f"level_{v}", L)),
            t("months_ahead", L): table["months_ahead"],
            t("points", L): table["points"].map(lambda v: fmt.number(v, lang=L)),
            t("calib_band50", L): table["held_50"].map(lambda v: fmt.percent(v, 1, lang=L)),
            t("calib_band80", L): table["held_80"].map(lambda v: fmt.percent(v, 1, lang=L)),
            t("calib_band95", L): table["held_95"].map(lambda v: fmt.percent(v, 1, lang=L)),
            t("median_error", L): table["median_error"].map(lambda v: fmt.percent(v, 1, lang=L)),
            "CRPS": table["crps"].map(lambda v: fmt.percent(v, 2, lang=L)),
            t("crps_naive", L): table["crps_naive"].map(lambda v: fmt.percent(v, 2, lang=L)),
            "skill": table["skill"].map(lambda v: fmt.number(v, 2, lang=L)),
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    csv_download(table, "kalibrasi.csv", "dl_calibration")


def page_model() -> None:
    L = lang()
    tree = load_regions()
    st.subheader(t("page_model", L))
    calibration_section(L)
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
    st.dataframe(
        summary.assign(
            mase=summary["mase"].map(lambda v: fmt.number(v, 3, lang=L)),
            smape=summary["smape"].map(lambda v: fmt.number(v, 2, lang=L)),
            coverage_80=summary["coverage_80"].map(lambda v: fmt.percent(v, 1, lang=L)),
            coverage_95=summary["coverage_95"].map(lambda v: fmt.percent(v, 1, lang=L)),
            chosen=summary["chosen"].astype(int),
        ),
        hide_index=True,
    )
    csv_download(summary, "model-ringkasan.csv", "dl_model_summary")
    provinces = tree.of_level("provinsi")
    prov = st.selectbox(
        t("province", L), provinces, index=provinces.index("61"), key="md_province", format_func=region_label
    )
    rows = table[table["unique_id"].astype(str).isin(tree.children(prov))]
    rows = rows.assign(name=rows["unique_id"].map(lambda c: tree.name(str(c))))
    st.markdown(f"**{t('by_region', L)}**")
    st.dataframe(rows, hide_index=True, width="stretch")
    csv_download(rows, f"backtest-{prov}.csv", "dl_model_rows")


set_address({})  # nothing on this page to share: no parameters of another page linger
page_model()

"""The Region page's "per segment" panel: the run's result at the deadline split by participant
segment (``simulator.segments``), the same table as ``python -m simulator segments``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app_pages.state import csv_download, current_panel, derived, lang
from simulator import fmt
from simulator.i18n import t


def segment_panel(result, status: pd.DataFrame, code: str, deadline) -> None:
    """An expander with the per-segment table of ``code`` at ``deadline``, computed only while it is
    open (Streamlit's lazy expander: opening it reruns the page; a slider move with it closed costs
    nothing here); the table is cached per run object, region and month."""
    from simulator.regions import load_regions
    from simulator.segments import segment_table

    L = lang()
    panel = current_panel()[0]
    with st.expander(t("by_segment", L), key="rg_segments", on_change="rerun") as box:
        if not box.open:
            return
        if panel.history is None or "segment" not in panel.history.columns:
            st.caption(t("by_segment_no_history", L))
            return
        history = derived(panel.history, ("segment_rows", code), lambda: _recent_rows(panel.history, code))
        table = derived(
            result,
            ("segments", code, str(deadline)),
            lambda: segment_table(result, history, load_regions(), [code], [deadline], targets=status),
        )
        st.dataframe(_shown(table, L), hide_index=True, width="stretch")
        st.caption(t("by_segment_help", L))
        csv_download(table, f"segmen-{code}.csv", "dl_rg_segments")


def _recent_rows(history: pd.DataFrame, code: str) -> pd.DataFrame:
    """The rows of ``history`` that ``segment_shares`` reads for ``code``: its kabupaten/kota in the
    last ``SHARE_MONTHS`` observed months of the whole history (so the same months, the same rows in
    the same order: the same shares). Kept per history object and region: finding them was most
    of the panel's time on every slider move."""
    from simulator.regions import load_regions
    from simulator.segments import SHARE_MONTHS

    ds = pd.to_datetime(history["ds"])
    last = np.sort(ds.unique())[-SHARE_MONTHS:]
    leaves = set(load_regions().leaves(code))
    rows = history[ds.isin(last) & history["region_code"].isin(leaves)]
    return rows if len(rows) else history  # none: segment_shares says what it says on the whole


def _shown(table: pd.DataFrame, L: str) -> pd.DataFrame:
    """The table in the user's number format, one row per segment."""
    return pd.DataFrame(
        {
            t("segment", L): table["segment"],
            t("seg_share", L): [fmt.percent(v, 1, L) for v in table["share"]],
            t("seg_baseline", L): [fmt.number(v, 0, L) for v in table["baseline"]],
            t("seg_levers", L): [fmt.number(v, 0, L) for v in table["levers"]],
            t("seg_scenario", L): [fmt.number(v, 0, L) for v in table["scenario"]],
            t("seg_denominator", L): [fmt.number(v, 0, L) for v in table["denominator"]],
            t("seg_coverage", L): [fmt.percent(v, 1, L) for v in table["coverage"]],
            t("seg_change", L): [fmt.percent(v, 0, L) for v in table["share_of_change"]],
        }
    )

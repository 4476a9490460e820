"""Daftar wilayah (Region list): the Kemendagri region tree."""

from __future__ import annotations

import streamlit as st

from app_pages.state import csv_download, lang, region_label, set_address
from simulator import fmt
from simulator.i18n import t
from simulator.regions import load_regions


def page_regions() -> None:
    tree = load_regions()
    L = lang()
    st.subheader(t("regions", L))
    provinces = tree.of_level("provinsi")
    options = ["00", *provinces]
    choice = st.selectbox(
        t("province", L),
        options,
        format_func=lambda c: t("all_provinces", L) if c == "00" else region_label(c),
        key="regions_province",
    )
    codes = provinces if choice == "00" else [choice, *tree.children(choice)]
    table = tree.table.set_index("code").loc[codes, ["name", "level", "villages"]].reset_index()
    shown = table.assign(villages=table["villages"].map(lambda v: fmt.number(v, lang=L)))
    shown.columns = [t("code", L), t("name", L), t("level", L), t("villages", L)]
    st.dataframe(shown, hide_index=True, width="stretch")
    csv_download(table, f"wilayah-{choice}.csv", "dl_regions")


set_address({})  # nothing on this page to share: no parameters of another page linger
page_regions()

"""Streamlit shell: collects inputs, calls the library (cached) and renders. No computation here."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from simulator import fmt
from simulator.i18n import t
from simulator.regions import DATA_DIR, load_regions

st.set_page_config(page_title="Simulator Cakupan BPJS Ketenagakerjaan", layout="wide")


def lang() -> str:
    return st.session_state.get("lang", "id")


def csv_download(frame: pd.DataFrame, name: str, key: str) -> None:
    st.download_button(t("download_csv", lang()), frame.to_csv(index=False).encode("utf-8"), file_name=name, mime="text/csv", key=key)


def page_regions() -> None:
    tree = load_regions()
    L = lang()
    st.subheader(t("regions", L))
    provinces = tree.of_level("provinsi")
    options = ["00", *provinces]
    choice = st.selectbox(t("province", L), options, format_func=lambda c: t("all_provinces", L) if c == "00" else f"{c} {tree.name(c)}", key="regions_province")
    codes = provinces if choice == "00" else [choice, *tree.children(choice)]
    table = tree.table.set_index("code").loc[codes, ["name", "level", "villages"]].reset_index()
    shown = table.assign(villages=table["villages"].map(lambda v: fmt.number(v, lang=L)))
    shown.columns = [t("code", L), t("name", L), t("level", L), t("villages", L)]
    st.dataframe(shown, hide_index=True, width="stretch")
    csv_download(table, f"wilayah-{choice}.csv", "dl_regions")


def page_data() -> None:
    from simulator.errors import InputError
    from simulator.loaders import load_table

    L = lang()
    st.subheader(t("page_data", L))
    kind = st.selectbox("Jenis / kind", ["history", "workforce", "targets"], key="upload_kind")
    upload = st.file_uploader(t("upload", L), type=["csv", "xlsx"], key="upload_file")
    if upload is not None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / upload.name
            path.write_bytes(upload.getvalue())
            try:
                frame = load_table(path, kind)
            except InputError as err:
                st.error(f"{t('invalid', L)}: {err}")
            else:
                st.success(f"{t('valid', L)}: {upload.name}, {fmt.number(len(frame), lang=L)} rows")
                st.session_state[f"uploaded_{kind}"] = frame
                st.dataframe(frame.head(200), hide_index=True)
    st.markdown(f"**{t('bundled', L)}**")
    for file in sorted(DATA_DIR.glob("*.csv")) + sorted(DATA_DIR.glob("*.yaml")):
        st.download_button(file.name, file.read_bytes(), file_name=file.name, key=f"dl_{file.name}")


def main() -> None:
    with st.sidebar:
        st.radio("Bahasa / Language", ["id", "en"], format_func=lambda c: {"id": "Bahasa Indonesia", "en": "English"}[c], key="lang", horizontal=True)
    L = lang()
    st.title(t("title", L))
    st.warning(t("banner", L))
    pages = [
        st.Page(page_regions, title=t("regions", L), url_path="wilayah-list"),
        st.Page(page_data, title=t("page_data", L), url_path="data"),
    ]
    st.navigation(pages).run()


main()

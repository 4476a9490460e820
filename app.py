"""Streamlit entry point: `make run` (or `streamlit run app.py`). Pages live in app_pages/.

Ringkasan (leadership), Wilayah (planners), Bandingkan (scenarios side by side), Anggaran (budget
sizing), Data (upload and validate), Model (forecast accuracy), Daftar wilayah (region list).
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Simulator Cakupan BPJS Ketenagakerjaan", layout="wide")

from app_pages.state import current_panel, lang  # noqa: E402  (set_page_config comes first)
from simulator.i18n import t  # noqa: E402


def main() -> None:
    with st.sidebar:
        st.radio("Bahasa / Language", ["id", "en"], format_func=lambda c: {"id": "Bahasa Indonesia", "en": "English"}[c],
                 key="lang", horizontal=True)
    L = lang()
    st.title(t("title", L))
    if current_panel()[1]:
        st.warning(t("banner", L))
    pages = [
        st.Page("app_pages/ringkasan.py", title=t("page_overview", L), url_path="ringkasan", default=True),
        st.Page("app_pages/wilayah.py", title=t("page_region", L), url_path="wilayah"),
        st.Page("app_pages/bandingkan.py", title=t("page_compare", L), url_path="bandingkan"),
        st.Page("app_pages/anggaran.py", title=t("page_budget", L), url_path="anggaran"),
        st.Page("app_pages/data.py", title=t("page_data", L), url_path="data"),
        st.Page("app_pages/model.py", title=t("page_model", L), url_path="model"),
        st.Page("app_pages/daftar_wilayah.py", title=t("page_regions", L), url_path="daftar-wilayah"),
    ]
    st.navigation(pages).run()


main()

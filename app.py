"""Streamlit entry point: `make run` (or `streamlit run app.py`). Pages live in app_pages/.

Ringkasan (leadership), Wilayah (planners), Bandingkan (scenarios side by side), Anggaran (budget
sizing), Data (upload and validate), Model (forecast accuracy), Daftar wilayah (region list).
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Simulator Cakupan BPJS Ketenagakerjaan", layout="wide")

from app_pages.state import current_panel, lang  # noqa: E402  (set_page_config comes first)
from simulator.i18n import t  # noqa: E402

#: Cards and tables that wrap instead of cutting text, on a phone too; Streamlit's English hint
#: under text boxes ("Press Enter to apply") is hidden: a typed number applies on Enter or on leaving.
CSS = """
<style>
.sim-cards {display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 330px), 1fr));
            gap: 0.75rem;
            margin-bottom: 0.75rem}
.sim-card {border: 1px solid #dadce0; border-left-width: 6px; border-radius: 6px; padding: 0.6rem 0.8rem}
.sim-card-head {display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline;
                gap: 0.4rem}
.sim-card-name {font-weight: 700; font-size: 1.1rem}
.sim-pill {border: 1px solid; border-radius: 999px; padding: 0.05rem 0.6rem; font-weight: 700;
           white-space: nowrap}
.sim-figs {display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 0.3rem 1rem;
           margin-top: 0.4rem}
.sim-fig-label {font-size: 0.8rem; color: #5f6368}
.sim-fig-value {font-size: 1.35rem; font-weight: 600; overflow-wrap: anywhere}
.sim-note {font-size: 0.75rem; font-weight: 400; color: #5f6368}
[data-testid="InputInstructions"] {display: none}
</style>
"""


def main() -> None:
    st.markdown(CSS, unsafe_allow_html=True)
    if "lang" not in st.session_state and st.query_params.get("lang") in ("id", "en"):
        st.session_state["lang"] = st.query_params["lang"]  # a shared English address opens in English
    with st.sidebar:
        st.radio(
            "Bahasa / Language",
            ["id", "en"],
            format_func=lambda c: {"id": "Bahasa Indonesia", "en": "English"}[c],
            key="lang",
            horizontal=True,
        )
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

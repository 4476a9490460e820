"""Ringkasan (Overview): leadership headline, tile map, status table, costs and reports."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.charts import tile_chart
from app_pages.state import (
    csv_download,
    current_baseline,
    current_panel,
    lang,
    query_choice,
    region_label,
    run,
    scenario_description,
    scenario_texts,
    scenario_title,
    set_address,
)
from app_pages.tables import cost_table, headline_card, status_table
from simulator import fmt
from simulator.errors import InputError
from simulator.i18n import t
from simulator.regions import load_regions


def scenario_picker(key: str) -> tuple[str, str]:
    texts = scenario_texts()
    names = list(texts)
    name = st.selectbox(
        t("active_scenario", lang()),
        names,
        key=key,
        format_func=scenario_title,
        index=names.index(query_choice("skenario", names, "baseline")) if "baseline" in names else 0,
    )
    return name, texts[name]


def page_overview() -> None:
    from simulator.views import tile_frame

    L = lang()
    tree = load_regions()
    st.subheader(t("page_overview", L))
    left, middle, right = st.columns([2, 2, 1])
    with left:
        name, text = scenario_picker("ov_scenario")
    provinces = tree.of_level("provinsi")
    with middle:
        choice = st.selectbox(
            t("province", L),
            ["00", *provinces],
            key="ov_province",
            index=["00", *provinces].index(query_choice("provinsi", provinces, "00")),
            format_func=lambda c: t("all_provinces", L) if c == "00" else region_label(c),
        )
    codes = (
        ["00", *provinces] if choice == "00" else list(dict.fromkeys(["00", choice, *tree.children(choice)]))
    )
    out = run(text, codes, source=f"{name}.yaml")
    if out is None:
        set_address({"skenario": name, "provinsi": None if choice == "00" else choice})
        return
    result, status = out
    years = sorted(int(y) for y in status["year"].unique())
    year = None
    if years:
        wanted = st.query_params.get("tahun", "")
        first = int(wanted) if wanted.isdigit() and int(wanted) in years else years[0]
        with right:
            year = st.selectbox(t("target_year", L), years, index=years.index(first), key="ov_year")
    set_address({"skenario": name, "provinsi": None if choice == "00" else choice, "tahun": year})
    if desc := scenario_description(name):
        st.caption(desc)
    cards = []
    for code in ["00", choice] if choice != "00" else ["00"]:
        rows = status[(status["region_code"] == code) & (status["year"] == year)]
        cards.append(
            headline_card(
                tree.name(code) if code != "00" else t("headline_nation", L),
                rows.iloc[0] if len(rows) else None,
            )
        )
    st.markdown(f'<div class="sim-cards">{"".join(cards)}</div>', unsafe_allow_html=True)
    # the programmes in force in the regions shown keep being paid (they are in the baseline)
    from simulator.programmes import in_force

    running = [pid for pid, _ in in_force(set(codes), result.months[0], result.months[-1])]
    raw, shown = cost_table(result, running)
    st.markdown(f"**{t('cost_table', L)}**")
    if len(raw):
        st.dataframe(shown, hide_index=True)
        csv_download(raw, f"biaya-{name}.csv", "dl_ov_cost")
    else:
        st.caption(t("no_cost", L))
    if choice == "00" and year is not None:
        st.markdown(f"**{t('tile_title', L)} {year}**")
        tiles = tile_frame(status[status["region_code"] != "00"], tree, year)
        st.vega_lite_chart(spec=tile_chart(tiles), width="stretch")
        csv_download(tiles, f"peta-{year}.csv", "dl_tiles")
    if status.empty:
        st.info(t("no_target", L))
    else:
        st.dataframe(status_table(status), hide_index=True, width="stretch")
        st.caption(t("tested_help", L))
        st.caption(t("national_target_note", L))
        csv_download(status, f"ringkasan-{choice}.csv", "dl_overview")
    st.caption(f"{t('paths', L)}: {fmt.number(result.paths, lang=L)}")
    reports(result, status, text, f"{name}-{choice}", None if choice == "00" else choice)


def reports(result, status: pd.DataFrame, text: str, stem: str, province: str | None = None) -> None:
    """Leadership outputs of the shown run: Excel workbook, printable brief (HTML, PDF on request).

    Each file is built when its button is clicked (on a separate thread, Streamlit's deferred
    download), not on every rerun of the page: together they took seconds of CPU per rerun."""
    L = lang()
    # drawn only while open (opening it reruns the page): closed, a rerun neither writes the
    # provenance nor looks for a PDF engine on the PATH
    with st.expander(t("reports", L), key="ov_reports", on_change="rerun") as box:
        if not box.open:
            return
        from simulator.report import brief_html, brief_pdf, find_pdf_engine, workbook_bytes
        from simulator.results_io import provenance_of

        _, illustrative = current_panel()
        _, backtest = current_baseline()
        provenance = provenance_of(result, scenario_text=text, illustrative=illustrative)
        cols = st.columns(3)

        def book() -> bytes:
            return workbook_bytes(result, status, backtest=backtest, lang=L, provenance=provenance)

        def html() -> bytes:
            # page 1: the nation beside the chosen province, fan charts with the recorded history
            # (built when the button is clicked, off the script thread: no Streamlit cache in it)
            from simulator.views import history_coverage

            panel, _ = current_panel()
            return brief_html(
                result,
                status,
                lang=L,
                provenance=provenance,
                province=province,
                history=lambda code: history_coverage(panel.history, panel.workforce, load_regions(), code),
            ).encode("utf-8")

        cols[0].download_button(
            t("download_xlsx", L),
            book,
            file_name=f"{stem}.xlsx",
            key="dl_xlsx",
            on_click="ignore",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        cols[1].download_button(
            t("download_html", L),
            html,
            file_name=f"{stem}.html",
            key="dl_html",
            mime="text/html",
            on_click="ignore",
        )
        if find_pdf_engine() is None:
            cols[2].caption(t("no_pdf_engine", L))
        elif cols[2].button(t("make_pdf", L), key="mk_pdf"):
            try:
                st.session_state["pdf"] = (stem, brief_pdf(html().decode("utf-8")))
            except (InputError, RuntimeError) as err:
                st.error(str(err))
        if st.session_state.get("pdf", ("", b""))[0] == stem:
            cols[2].download_button(
                t("download_pdf", L),
                st.session_state["pdf"][1],
                file_name=f"{stem}.pdf",
                key="dl_pdf",
                mime="application/pdf",
            )


page_overview()

"""Page code of the Streamlit app: collects inputs, calls the library (cached) and renders.

No computation here: every number comes from ``simulator``. Each page is a function; the files
next to this one make them addressable pages for ``st.navigation`` (and for AppTest).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pandas as pd
import streamlit as st

from simulator import fmt
from simulator.errors import InputError
from simulator.i18n import t
from simulator.regions import DATA_DIR, load_regions
from simulator.vocabulary import PAYER_BY_LEVEL

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_DIR = ROOT / "scenarios"
HORIZON = 66  # months after the last observed month: reaches December 2030 from mid-2025
#: Sample paths of the baseline; SIMULATOR_PATHS lowers it (tests use 200) without code changes.
PATHS = int(os.environ.get("SIMULATOR_PATHS", "1000"))
MAX_COMPARE = 4


def lang() -> str:
    return st.session_state.get("lang", "id")


def csv_download(frame: pd.DataFrame, name: str, key: str) -> None:
    """Every chart and table offers its data as CSV (with the illustrative-data note when it applies).

    The CSV text is written when the button is clicked, not on every rerun (a slider move on the
    Region page would otherwise write four files nobody asked for), and the click does not rerun
    the page."""
    illustrative = current_panel()[1]

    def data() -> bytes:
        from simulator.results_io import csv_text  # the same note line as the command line's files

        return csv_text(frame, illustrative).encode("utf-8")

    st.download_button(t("download_csv", lang()), data, file_name=name, mime="text/csv", key=key, on_click="ignore")


# ---- data, baseline and scenario runs (cached library calls) --------------------------------
@st.cache_resource(show_spinner="Memuat data… / loading data…")
def bundled_panel():
    from simulator.loaders import load_data

    return load_data(DATA_DIR)


def current_panel():
    """(panel, illustrative): the bundled data with any validated uploads put in its place."""
    import dataclasses

    from simulator.loaders import is_illustrative_name

    panel = bundled_panel()
    uploads = {k: st.session_state[f"use_{k}"] for k in ("history", "workforce", "targets") if f"use_{k}" in st.session_state}
    if uploads:
        panel = dataclasses.replace(panel, **uploads)
    # an uploaded history is real data unless its file name says otherwise (as the command line decides)
    return panel, "history" not in uploads or is_illustrative_name(st.session_state.get("name_history", ""))


def data_key() -> str:
    """Identifies the data in use: the bundled hash plus the hashes of the uploads replacing it."""
    parts = [bundled_panel().data_hash] + [st.session_state.get(f"hash_{k}", "") for k in ("history", "workforce", "targets")]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@st.cache_resource(show_spinner=False, max_entries=3)
def _baseline(key: str, _history, _workforce, _lang: str):
    from simulator.projection import project_baseline

    bar = st.progress(0.0, text=t("computing", _lang))
    baseline, table = project_baseline(
        _history, _workforce, horizon=HORIZON, paths=PATHS,
        progress=lambda f, msg: bar.progress(min(max(f, 0.0), 1.0), text=f"{t('computing', _lang)} {msg}"),
    )
    bar.empty()
    return baseline, table


def current_baseline():
    panel, _ = current_panel()
    return _baseline(data_key(), panel.history, panel.workforce, lang())


def bundled_scenarios() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(SCENARIO_DIR.glob("*.yaml"))}


def scenario_texts() -> dict[str, str]:
    """Bundled scenario files, then the user's own (uploaded, built on the Region page, or from a link)."""
    return {**bundled_scenarios(), **st.session_state.setdefault("my_scenarios", {})}


def parse(text: str, source: str):
    from simulator.scenario import parse_scenario

    return parse_scenario(text, source=source, tree=load_regions())


@st.cache_resource(show_spinner=False, max_entries=48)
def _run(key: str, text: str, regions: tuple[str, ...], _targets: pd.DataFrame, source: str):
    from simulator.engine import run_scenario
    from simulator.targets import assess
    from simulator.views import targets_for

    baseline, _ = current_baseline()
    scenario = parse(text, source)
    result = run_scenario(baseline, scenario, seed=0, regions=list(regions))
    own = scenario.targets_frame()
    targets = targets_for(own if own is not None else _targets, list(regions))
    status = assess(result, targets).merge(targets[["region_code", "year", "applied_from"]], on=["region_code", "year"], how="left")
    return result, status


def run(text: str, regions: list[str], source: str = "app"):
    """Run a scenario text on the current baseline for ``regions``: (Result, status) or None after an error."""
    panel, _ = current_panel()
    try:
        return _run(data_key(), text, tuple(regions), panel.targets, source)
    except InputError as err:
        st.error(f"{t('scenario_error', lang())}: {err}")
        return None


@st.cache_data(show_spinner=False, max_entries=64)
def _history(key: str, code: str, _panel) -> pd.DataFrame:
    from simulator.views import history_coverage

    return history_coverage(_panel.history, _panel.workforce, load_regions(), code)


def history_of(code: str) -> pd.DataFrame:
    panel, _ = current_panel()
    return _history(data_key(), code, panel)


def around(code: str) -> list[str]:
    """A region, its ancestors and its children: what a page about ``code`` reports."""
    tree = load_regions()
    chain, node = [], code
    while node:
        chain.append(node)
        node = tree.parent(node)
    return list(dict.fromkeys([*chain, *tree.children(code)]))


def status_label(status: str) -> str:
    icon = {"on track": "🟢", "at risk": "🟡", "off track": "🔴"}.get(status, "⚪")
    return f"{icon} {t(status, lang())}"


def region_label(code: str) -> str:
    return f"{code} {load_regions().name(code)}"


def query_choice(param: str, options: list[str], default: str) -> str:
    """The option named in the URL (``?param=...``) when valid, else ``default``."""
    value = st.query_params.get(param)
    return value if value in options else default


def status_table(table: pd.DataFrame) -> pd.DataFrame:
    """A status frame in display form (Indonesian numbers by default)."""
    L = lang()
    return pd.DataFrame({
        t("code", L): table["region_code"],
        t("name", L): table["region_code"].map(lambda c: load_regions().name(c)),
        t("year", L): table["year"],
        t("target", L): [fmt.percent(v, lang=L) + ("" if a == c else " *") for v, a, c in zip(table["target"], table["applied_from"], table["region_code"])],
        t("median", L): table["median"].map(lambda v: fmt.percent(v, lang=L)),
        t("band80", L): [f"{fmt.percent(a, lang=L)} – {fmt.percent(b, lang=L)}" for a, b in zip(table["p10"], table["p90"])],
        t("probability", L): table["probability"].map(lambda v: fmt.percent(v, 0, lang=L)),
        t("gap", L): table["gap_persons"].map(lambda v: fmt.number(v, lang=L)),
        t("status", L): table["status"].map(status_label),
    })


def cost_table(result) -> pd.DataFrame:
    from simulator.views import cost_by_payer_year

    L = lang()
    costs = cost_by_payer_year(result)
    return costs, pd.DataFrame({
        t("payer", L): costs["payer"].map(lambda p: t(f"payer_{p}", L)),
        t("year", L): costs["year"],
        t("cost", L): costs["cost_idr"].map(lambda v: fmt.rupiah(v, lang=L)),
    })


# ---- charts ---------------------------------------------------------------------------------
def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts, timestamps as ISO text (what Vega-Lite reads as dates)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%dT%H:%M:%S")
    return out.astype(object).where(out.notna(), None).to_dict("records")


def fan_chart(result, code: str, targets: pd.DataFrame):
    """The fan chart as a Vega-Lite spec (a plain dict: building it through Altair's validated
    objects took longer than the scenario run on a slider move) and the quantile frame."""
    from simulator.views import fan_wide

    L = lang()
    wide = fan_wide(result, code)
    wide["month"] = wide["month"].dt.to_timestamp()
    hist = history_of(code)
    hist = hist.assign(month=hist["month"].dt.to_timestamp())
    # Vega-Lite reads a dot in a field name as a nested field: q2.5 -> q2_5 in the chart only
    fan_data = {"values": _records(wide.rename(columns=lambda c: c.replace(".", "_")))}
    x = {"field": "month", "type": "temporal", "title": None}

    def band(low: str, high: str, opacity: float, axis: dict | None = None) -> dict:
        y = {"field": low, "type": "quantitative", **({"axis": axis} if axis else {})}
        return {"data": fan_data, "mark": {"type": "area", "opacity": opacity},
                "encoding": {"x": x, "y": y, "y2": {"field": high}}}

    layers = [
        band("q2_5", "q97_5", 0.15, {"format": "%", "title": t("coverage", L)}),
        band("q10", "q90", 0.25),
        band("q25", "q75", 0.35),
        {"data": fan_data, "mark": {"type": "line"},
         "encoding": {"x": x, "y": {"field": "q50", "type": "quantitative"},
                      "tooltip": [{"field": "month", "type": "temporal"},
                                  {"field": "q50", "type": "quantitative", "format": ".2%"}]}},
        {"data": {"values": _records(hist[["month", "coverage"]])}, "mark": {"type": "line", "color": "black"},
         "encoding": {"x": x, "y": {"field": "coverage", "type": "quantitative"}}},
    ]
    own = targets[targets["region_code"] == code]
    if len(own):
        tdf = pd.DataFrame({"month": pd.to_datetime(own["year"].astype(str) + "-12-01"), "target": own["target"].to_numpy()})
        target_data = {"values": _records(tdf)}
        layers.append({"data": target_data, "mark": {"type": "rule", "color": "red", "strokeDash": [4, 3]},
                       "encoding": {"y": {"field": "target", "type": "quantitative"}}})
        layers.append({"data": target_data, "mark": {"type": "point", "shape": "diamond", "size": 90, "color": "red",
                                                     "filled": True},
                       "encoding": {"x": x, "y": {"field": "target", "type": "quantitative"}}})
    return {"height": 380, "layer": layers}, wide


def tile_chart(tiles: pd.DataFrame) -> dict:
    """The tile map as a Vega-Lite spec (a plain dict, like the fan chart: the Overview is the first
    page, and importing Altair and validating its objects took about half a second there)."""
    L = lang()
    tiles = tiles.assign(
        label=[f"{s}\n{fmt.percent(p, 0, lang=L)}" if p == p else f"{s}\n–" for s, p in zip(tiles["short"], tiles["probability"])],
        status_text=tiles["status"].map(lambda s: t(s, L)),
    )
    colour = {"field": "status", "type": "nominal", "legend": None,
              "scale": {"domain": ["on track", "at risk", "off track", "no target"],
                        "range": ["#2e7d32", "#f9a825", "#c62828", "#bdbdbd"]}}
    tooltip = [{"field": "name", "type": "nominal", "title": t("name", L)},
               {"field": "probability", "type": "quantitative", "format": ".0%", "title": t("probability", L)},
               {"field": "median", "type": "quantitative", "format": ".2%", "title": t("median", L)},
               {"field": "status_text", "type": "nominal", "title": t("status", L)}]
    return {
        "height": 330,
        "data": {"values": _records(tiles[["col", "row", "name", "status", "status_text", "probability", "median", "label"]])},
        "encoding": {"x": {"field": "col", "type": "ordinal", "axis": None},
                     "y": {"field": "row", "type": "ordinal", "axis": None}},
        "layer": [
            {"mark": {"type": "rect", "cornerRadius": 4, "stroke": "white", "strokeWidth": 2},
             "encoding": {"color": colour, "tooltip": tooltip}},
            {"mark": {"type": "text", "fontSize": 10, "color": "white", "lineBreak": "\n"},
             "encoding": {"text": {"field": "label", "type": "nominal"}}},
        ],
    }


# ---- pages ----------------------------------------------------------------------------------
def scenario_picker(key: str) -> tuple[str, str]:
    texts = scenario_texts()
    names = list(texts)
    name = st.selectbox(t("active_scenario", lang()), names, index=names.index(query_choice("skenario", names, "baseline")) if "baseline" in names else 0, key=key)
    return name, texts[name]


def page_overview() -> None:
    from simulator.views import tile_frame

    L = lang()
    tree = load_regions()
    st.subheader(t("page_overview", L))
    left, right = st.columns(2)
    with left:
        name, text = scenario_picker("ov_scenario")
    provinces = tree.of_level("provinsi")
    with right:
        choice = st.selectbox(t("province", L), ["00", *provinces], key="ov_province",
                              index=["00", *provinces].index(query_choice("provinsi", provinces, "00")),
                              format_func=lambda c: t("all_provinces", L) if c == "00" else region_label(c))
    codes = ["00", *provinces] if choice == "00" else list(dict.fromkeys(["00", choice, *tree.children(choice)]))
    out = run(text, codes, source=f"{name}.yaml")
    if out is None:
        return
    result, status = out
    cols = st.columns(4)
    for col, code in zip(cols[:2], ["00", choice] if choice != "00" else ["00"]):
        rows = status[status["region_code"] == code].sort_values("year")
        if len(rows):
            row = rows.iloc[0]
            col.metric(f"{region_label(code)}: {t('median', L)} {row['deadline']}", fmt.percent(row["median"], lang=L),
                       help=f"{t('target', L)} {fmt.percent(row['target'], lang=L)}")
            col.metric(t("probability", L), fmt.percent(row["probability"], 0, lang=L))
    total = result.cost["cost_idr"].sum() if len(result.cost) else 0.0
    cols[2].metric(t("scenario_cost", L), fmt.rupiah(total, short=True, lang=L))
    cols[3].metric(t("paths", L), fmt.number(result.paths, lang=L))
    years = sorted(status["year"].unique())
    if choice == "00" and years:
        year = st.select_slider(t("target_year", L), years, value=years[0], key="ov_year")
        st.markdown(f"**{t('tile_title', L)} {year}**")
        tiles = tile_frame(status[status["region_code"] != "00"], tree, year)
        st.vega_lite_chart(spec=tile_chart(tiles), width="stretch")
        csv_download(tiles, f"peta-{year}.csv", "dl_tiles")
    if status.empty:
        st.info(t("no_target", L))
    else:
        st.dataframe(status_table(status), hide_index=True, width="stretch")
        st.caption(t("national_target_note", L))
        csv_download(status, f"ringkasan-{choice}.csv", "dl_overview")
    raw, shown = cost_table(result)
    if len(raw):
        st.markdown(f"**{t('cost_table', L)}**")
        st.dataframe(shown, hide_index=True)
        csv_download(raw, f"biaya-{name}.csv", "dl_ov_cost")
    reports(result, status, text, f"{name}-{choice}")


def reports(result, status: pd.DataFrame, text: str, stem: str) -> None:
    """Leadership outputs of the shown run: Excel workbook, printable brief (HTML, PDF on request).

    Each file is built when its button is clicked (on a separate thread, Streamlit's deferred
    download), not on every rerun of the page: together they took seconds of CPU per rerun."""
    from simulator.report import brief_html, brief_pdf, find_pdf_engine, workbook_bytes
    from simulator.results_io import provenance_of

    L = lang()
    _, illustrative = current_panel()
    _, backtest = current_baseline()
    with st.expander(t("reports", L)):
        provenance = provenance_of(result, scenario_text=text, illustrative=illustrative)
        cols = st.columns(3)

        def book() -> bytes:
            return workbook_bytes(result, status, backtest=backtest, lang=L, provenance=provenance)

        def html() -> bytes:
            return brief_html(result, status, lang=L, provenance=provenance).encode("utf-8")

        cols[0].download_button(t("download_xlsx", L), book, file_name=f"{stem}.xlsx", key="dl_xlsx", on_click="ignore",
                                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        cols[1].download_button(t("download_html", L), html, file_name=f"{stem}.html", key="dl_html", mime="text/html",
                                on_click="ignore")
        if find_pdf_engine() is None:
            cols[2].caption(t("no_pdf_engine", L))
        elif cols[2].button(t("make_pdf", L), key="mk_pdf"):
            try:
                st.session_state["pdf"] = (stem, brief_pdf(html().decode("utf-8")))
            except (InputError, RuntimeError) as err:
                st.error(str(err))
        if st.session_state.get("pdf", ("", b""))[0] == stem:
            cols[2].download_button(t("download_pdf", L), st.session_state["pdf"][1], file_name=f"{stem}.pdf", key="dl_pdf", mime="application/pdf")


def region_levers(code: str, months: list[str]) -> list[dict]:
    """Lever sliders for one region (sidebar) -> lever dicts in scenario-file form."""
    L = lang()
    tree = load_regions()
    first = months[0]
    with st.sidebar:
        st.markdown(f"**{t('levers', L)}**")
        # counts on a select slider so they show in the language's format (26.373); shares as
        # whole percentages ("35 %"); st.slider's own number format cannot group thousands
        default = 26_373 if code == "61" else 0
        pct = _whole_percent(L)
        headcount = st.select_slider(t("subsidy", L), _counts(300_000, 1_000, default), value=default,
                                     format_func=lambda v: fmt.number(v, lang=L), key="rg_headcount")
        start = st.select_slider(t("subsidy_start", L), months, value=first, key="rg_start")
        duration = st.slider(t("subsidy_months", L), 1, 60, 12, key="rg_months")
        already = st.slider(t("already_covered", L), 0, 50, 10, step=5, format=pct, key="rg_already") / 100
        retention = st.slider(t("retention", L), 0, 100, 35, step=5, format=pct, key="rg_retention") / 100
        officials = st.slider(t("officials", L), 0, 30, 0, key="rg_officials")
        share = st.slider(t("enrolled_share", L), 0, 100, 80, step=5, format=pct, key="rg_share") / 100
        vstart = st.select_slider(t("village_start", L), months, value=first, key="rg_vstart")
        outreach = st.select_slider(t("outreach", L), _counts(20_000, 500, 0), value=0,
                                    format_func=lambda v: fmt.number(v, lang=L), key="rg_outreach")
    levers: list[dict] = []
    if headcount > 0:
        levers.append({"kind": "contribution_subsidy", "label": t("subsidy", L), "region": code, "headcount": headcount,
                       "start": start, "months": duration, "ramp_months": 3, "already_covered": already,
                       "retention_after": retention, "lapse": 0.03, "unit_cost": 16800,
                       "payer": PAYER_BY_LEVEL[tree.level(code)]})
    if officials > 0:
        levers.append({"kind": "village_officials", "label": t("officials", L), "region": code if tree.level(code) == "kabkota" else f"{code}.*",
                       "officials_per_village": officials, "enrolled_share": share, "start": vstart, "ramp_months": 6,
                       "unit_cost": 16800, "payer": "apbdes"})
    if outreach > 0:
        levers.append({"kind": "informal_outreach", "label": t("outreach", L), "region": code, "monthly_enrollments": outreach,
                       "months": 12, "ramp_months": 3, "lapse": 0.03, "start": first, "unit_cost": 16800, "payer": "worker"})
    return levers


def _whole_percent(L: str) -> str:
    """A slider's format for whole percentages, as fmt.percent writes them: "35 %" / "35%"."""
    return "%d %%" if L == "id" else "%d%%"


def _counts(top: int, step: int, extra: int) -> tuple[int, ...]:
    """0, step, 2 x step ... top, with ``extra`` (a default off the grid, e.g. 26.373) in order."""
    return tuple(sorted({*range(0, top + 1, step), extra}))


def levers_text(levers: list[dict], name: str, horizon: str) -> str:
    from simulator.scenario import dump_scenario, scenario_from_dict

    data = {"name": name, "description": "dibuat di halaman Wilayah / built on the Region page", "horizon": horizon, "levers": levers}
    return dump_scenario(scenario_from_dict(data, source="app", tree=load_regions()))


def page_region() -> None:
    from simulator.views import waterfall_at

    L = lang()
    tree = load_regions()
    baseline, _ = current_baseline()
    regions = tree.codes
    code = st.selectbox(t("region", L), regions, index=regions.index(query_choice("wilayah", regions, "61")),
                        key="rg_region", format_func=region_label)
    st.query_params["wilayah"] = code
    months = [str(m) for m in baseline.months[:36]]
    levers = region_levers(code, months)
    horizon = str(baseline.months[-1])
    text = levers_text(levers, f"wilayah-{code}", horizon)
    out = run(text, around(code), source=f"wilayah-{code}")
    if out is None:
        return
    result, status = out
    own = status[status["region_code"] == code].sort_values("year")
    cols = st.columns(4)
    if len(own):
        upcoming = own[own["deadline"] >= result.months[0]]
        row = (upcoming if len(upcoming) else own).iloc[0]
        cols[0].metric(f"{t('probability', L)} ({fmt.percent(row['target'], lang=L)}, {row['deadline']})", fmt.percent(row["probability"], 0, lang=L))
        cols[1].metric(t("median", L), fmt.percent(row["median"], lang=L))
        cols[2].metric(t("status", L), status_label(row["status"]))
        cols[3].metric(t("gap", L), fmt.number(row["gap_persons"], lang=L))
        deadline = row["deadline"]
    else:
        deadline = result.months[-1]
        st.info(t("no_target", L))
    st.markdown(f"**{t('fan_chart', L)}**")
    chart, wide = fan_chart(result, code, status)
    st.vega_lite_chart(spec=chart, width="stretch")
    csv_download(wide, f"fan-{code}.csv", "dl_fan")
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('waterfall', L)} ({deadline})**")
        steps = waterfall_at(result, code, deadline)
        st.dataframe(steps.assign(persons=steps["persons"].map(lambda v: fmt.number(v, lang=L))).rename(
            columns={"lever": t("lever", L), "persons": t("persons", L)}), hide_index=True)
        csv_download(steps, f"waterfall-{code}.csv", "dl_waterfall")
    with right:
        st.markdown(f"**{t('cost_table', L)}**")
        raw, shown = cost_table(result)
        st.dataframe(shown, hide_index=True)
        csv_download(raw, f"biaya-{code}.csv", "dl_cost")
    if len(status):
        st.dataframe(status_table(status), hide_index=True, width="stretch")
        csv_download(status, f"status-{code}.csv", "dl_rg_status")
    with st.expander(t("save_scenario", L)):
        name = st.text_input(t("scenario_name", L), f"wilayah-{code}", key="rg_name").strip() or f"wilayah-{code}"
        # written by the scenario writer (any name quoted as YAML needs), only when asked for: a
        # slider move does not build it
        st.download_button(t("download_yaml", L), lambda: levers_text(levers, name, horizon).encode("utf-8"),
                           file_name=f"{_file_stem(name)}.yaml", key="dl_rg_yaml", on_click="ignore")
        if st.button(t("add_to_compare", L), key="rg_add"):
            st.session_state.setdefault("my_scenarios", {})[name] = levers_text(levers, name, horizon)
            join_comparison(name)
            st.success(t("added", L))


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


def join_comparison(name: str) -> None:
    """Put a scenario just saved or uploaded into the Compare page's choice the next time it draws
    (if fewer than four are chosen); once, so the planner can take it out again."""
    st.session_state.setdefault("cmp_join", []).append(name)


def _file_stem(name: str) -> str:
    """A scenario name as a safe download file name: letters, digits, dot, dash and underscore."""
    return re.sub(r"[^\w.-]+", "-", name).strip("-.") or "skenario"


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


@st.cache_resource(show_spinner=False, max_entries=32)
def _solve(key: str, kind: str, region: str, target: float, deadline: str, probability: float):
    from simulator.budget import solve

    baseline, _ = current_baseline()
    return solve(baseline, kind, region, target, deadline, probability)


@st.cache_resource(show_spinner=False, max_entries=32)
def _allocate(key: str, budget: float, under: str, kind: str, objective: str, deadline: str, probability: float,
              _targets: pd.DataFrame):
    from simulator.budget import allocate

    baseline, _ = current_baseline()
    tree = load_regions()
    return allocate(baseline, budget, tree.children(under), kind, objective, deadline=deadline,
                    probability=probability, targets=_targets)


def default_target(code: str, year: int) -> float:
    from simulator.views import targets_for

    panel, _ = current_panel()
    rows = targets_for(panel.targets, [code])
    rows = rows[rows["year"] == year]
    return float(rows["coverage"].iloc[0]) if len(rows) else 0.35


def page_budget() -> None:
    """Solve (what it takes to reach a target) and allocate (how to split a budget)."""
    L = lang()
    tree = load_regions()
    st.subheader(t("page_budget", L))
    baseline, _ = current_baseline()
    months = [str(m) for m in baseline.months]
    decembers = [m for m in months if m.endswith("-12")]
    mode = st.radio(t("budget_mode", L), ["solve", "allocate"], format_func=lambda m: t(f"mode_{m}", L), horizontal=True, key="bg_mode")
    kind = st.radio(t("lever", L), ["subsidy", "village"], format_func=lambda k: t(f"kind_lever_{k}", L), horizontal=True, key="bg_kind")
    cols = st.columns(3)
    deadline = cols[0].selectbox(t("deadline", L), months, index=months.index(decembers[0]) if decembers else 0, key="bg_deadline")
    probability = cols[1].slider(t("required_probability", L), 5, 95, 80, step=5, format=_whole_percent(L),
                                 key="bg_probability") / 100
    if mode == "solve":
        code = cols[2].selectbox(t("region", L), tree.codes, index=tree.codes.index("61"), key="bg_region", format_func=region_label)
        target = st.number_input(t("target_percent", L), 0.0, 100.0, round(100 * default_target(code, int(deadline[:4])), 2),
                                 step=0.5, key=f"bg_target_{code}_{deadline[:4]}") / 100
        st.caption(fmt.percent(target, lang=L))  # the input box itself writes a decimal point
        try:
            answer = _solve(data_key(), kind, code, target, deadline, probability)
        except InputError as err:
            st.error(str(err))
            return
        size_word = t("headcount" if kind == "subsidy" else "officials_total", L)
        m = st.columns(4)
        if answer.reachable:
            m[0].metric(size_word, fmt.number(answer.size, lang=L))
            m[1].metric(t("probability", L), f"{fmt.percent(answer.probability, 1, lang=L)} ± {fmt.percent(answer.mc_error, 1, lang=L)}")
            m[2].metric(t("budget_needed", L), fmt.rupiah(answer.budget_idr or 0.0, short=True, lang=L),
                        help=fmt.rupiah(answer.budget_idr or 0.0, lang=L))
            if answer.villages:
                m[3].metric(t("officials", L), fmt.number(answer.size / answer.villages, 2, lang=L))
            st.caption(t("solve_sentence", L).format(size=fmt.number(answer.size, lang=L), region=region_label(code),
                                                     target=fmt.percent(target, lang=L), deadline=deadline,
                                                     p=fmt.percent(probability, 0, lang=L)))
        else:
            st.warning(f"{t('not_reachable', L)} ({fmt.number(answer.cap, lang=L)} {t('persons', L).lower()}: "
                       f"{t('probability', L)} {fmt.percent(answer.probability, 1, lang=L)})")
        if len(answer.cost):
            st.markdown(f"**{t('cost_table', L)}**")
            st.dataframe(pd.DataFrame({
                t("payer", L): answer.cost["payer"].map(lambda p: t(f"payer_{p}", L)),
                t("year", L): answer.cost["year"],
                t("cost", L): answer.cost["cost_idr"].map(lambda v: fmt.rupiah(v, lang=L)),
            }), hide_index=True)
            csv_download(answer.cost, f"solve-{code}-{deadline}.csv", "dl_solve")
        return
    provinces = tree.of_level("provinsi")
    under = cols[2].selectbox(t("province", L), provinces, index=provinces.index("61"), key="bg_under", format_func=region_label)
    c2 = st.columns(2)
    budget = c2[0].number_input(t("budget_envelope", L), 0, 10**13, 10_000_000_000, step=500_000_000, key="bg_budget")
    c2[0].caption(fmt.rupiah(budget, lang=L))
    objective = c2[1].radio(t("objective", L), ["regions", "workers"], format_func=lambda o: t(f"objective_{o}", L), key="bg_objective")
    panel, _ = current_panel()
    try:
        plan = _allocate(data_key(), float(budget), under, kind, objective, deadline, probability, panel.targets)
    except InputError as err:
        st.error(str(err))
        return
    table = plan.table
    m = st.columns(3)
    m[0].metric(t("regions_reached", L), f"{int(table['reached'].sum())} / {len(table)}")
    m[1].metric(t("budget_spent", L), fmt.rupiah(plan.spent, short=True, lang=L), help=fmt.rupiah(plan.spent, lang=L))
    m[2].metric(t("new_persons", L), fmt.number(table["expected_new_persons"].sum(), lang=L))
    st.dataframe(pd.DataFrame({
        t("code", L): table["region_code"],
        t("name", L): table["name"],
        t("target", L): table["target"].map(lambda v: fmt.percent(v, lang=L)),
        t("needed", L): table["needed"].map(lambda v: fmt.number(v, lang=L)),
        t("allocated", L): table["size"].map(lambda v: fmt.number(v, lang=L)),
        t("cost", L): table["cost_idr"].map(lambda v: fmt.rupiah(v, lang=L)),
        t("probability", L): table["probability"].map(lambda v: fmt.percent(v, 0, lang=L)),
        t("new_persons", L): table["expected_new_persons"].map(lambda v: fmt.number(v, lang=L)),
    }), hide_index=True, width="stretch")
    csv_download(table, f"alokasi-{under}-{deadline}.csv", "dl_allocate")
    payer = plan.lever.payer if hasattr(plan.lever, "payer") else ""
    st.caption(f"{t('payer', L)}: {t(f'payer_{payer}', L)}")


def page_data() -> None:
    from simulator.loaders import load_upload, template_csv, upload_name
    from simulator.projection import data_hash

    L = lang()
    st.subheader(t("page_data", L))
    _, illustrative = current_panel()
    kind = st.selectbox(t("data_kind", L), ["history", "workforce", "targets"], format_func=lambda k: t(f"kind_{k}", L), key="upload_kind")
    upload = st.file_uploader(t("upload", L), type=["csv", "xlsx"], key=f"upload_file_{kind}")
    if upload is not None:
        # read from memory: the name the browser sends is shown, never used as a path
        try:
            frame = load_upload(upload.getvalue(), upload.name, kind, base=current_panel()[0])
        except InputError as err:
            st.error(f"{t('invalid', L)}: {err}")
        else:
            shown = upload_name(upload.name)
            st.success(f"{t('valid', L)}: {shown}, {fmt.number(len(frame), lang=L)} {t('rows', L)}")
            st.dataframe(frame.head(200), hide_index=True)
            if st.button(t("use_upload", L), key=f"use_{kind}_btn"):
                st.session_state[f"use_{kind}"] = frame
                st.session_state[f"hash_{kind}"] = data_hash(frame)
                st.session_state[f"name_{kind}"] = shown
                st.success(t("in_use", L))
    in_use = [k for k in ("history", "workforce", "targets") if f"use_{k}" in st.session_state]
    if in_use:
        st.info(t("uploads_in_use", L) + ": " + ", ".join(t(f"kind_{k}", L) for k in in_use))
        if st.button(t("back_to_bundled", L), key="reset_uploads"):
            for k in in_use:
                for part in ("use", "hash", "name"):
                    st.session_state.pop(f"{part}_{k}", None)
            st.rerun()
    st.markdown(f"**{t('templates', L)}**")
    cols = st.columns(3)
    for col, k in zip(cols, ("history", "workforce", "targets")):
        col.download_button(f"{t('template', L)}: {t(f'kind_{k}', L)}", template_csv(k).encode("utf-8"), file_name=f"template-{k}.csv", key=f"tpl_{k}")
    st.markdown(f"**{t('bundled', L)}**")
    if illustrative:
        st.caption(t("banner_short", L))
    for file in sorted(DATA_DIR.glob("*.csv")) + sorted(DATA_DIR.glob("*.yaml")) + sorted(DATA_DIR.glob("*.md")):
        st.download_button(file.name, file.read_bytes(), file_name=file.name, key=f"dl_{file.name}")


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


def page_regions() -> None:
    tree = load_regions()
    L = lang()
    st.subheader(t("regions", L))
    provinces = tree.of_level("provinsi")
    options = ["00", *provinces]
    choice = st.selectbox(t("province", L), options, format_func=lambda c: t("all_provinces", L) if c == "00" else region_label(c), key="regions_province")
    codes = provinces if choice == "00" else [choice, *tree.children(choice)]
    table = tree.table.set_index("code").loc[codes, ["name", "level", "villages"]].reset_index()
    shown = table.assign(villages=table["villages"].map(lambda v: fmt.number(v, lang=L)))
    shown.columns = [t("code", L), t("name", L), t("level", L), t("villages", L)]
    st.dataframe(shown, hide_index=True, width="stretch")
    csv_download(table, f"wilayah-{choice}.csv", "dl_regions")

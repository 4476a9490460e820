"""Streamlit shell: collects inputs, calls the library (cached) and renders. No computation here."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
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


# ---- cached library calls ------------------------------------------------------------------
HORIZON = 66  # months after the last observed month: reaches December 2030 from mid-2025
PATHS = 1000


@st.cache_resource(show_spinner=False)
def bundled_panel():
    from simulator.loaders import load_data

    return load_data(DATA_DIR)


@st.cache_resource(show_spinner=False)
def bundled_baseline():
    from simulator.projection import project_baseline

    panel = bundled_panel()
    bar = st.progress(0.0, text=t("computing", lang()))
    baseline, table = project_baseline(
        panel.history, panel.workforce, horizon=HORIZON, paths=PATHS,
        progress=lambda f, msg: bar.progress(min(max(f, 0.0), 1.0), text=msg),
    )
    bar.empty()
    return baseline, table


def scenario_of(levers: list[dict], name: str):
    from simulator.scenario import scenario_from_dict

    baseline, _ = bundled_baseline()
    return scenario_from_dict({"name": name, "horizon": str(baseline.months[-1]), "levers": levers}, source="app")


@st.cache_data(show_spinner=False, max_entries=64)
def run_levers(levers_key: str, levers: list[dict], name: str = "app"):
    """Run a scenario (cached by its lever text) and assess the bundled targets."""
    from simulator.engine import run_scenario
    from simulator.targets import assess

    baseline, _ = bundled_baseline()
    result = run_scenario(baseline, scenario_of(levers, name), seed=0)
    return result, assess(result, bundled_panel().targets)


def status_label(status: str) -> str:
    icon = {"on track": "🟢", "at risk": "🟡", "off track": "🔴"}.get(status, "⚪")
    return f"{icon} {t(status, lang())}"


# ---- pages ---------------------------------------------------------------------------------
def page_overview() -> None:
    from simulator.views import cost_by_payer_year, overview

    L = lang()
    tree = load_regions()
    st.subheader(t("page_overview", L))
    result, status = run_levers("[]", [], "baseline")
    provinces = tree.of_level("provinsi")
    choice = st.selectbox(t("province", L), ["00", *provinces], key="ov_province",
                          format_func=lambda c: t("all_provinces", L) if c == "00" else f"{c} {tree.name(c)}")
    codes = ["00", *provinces] if choice == "00" else [choice, *tree.children(choice)]
    table = overview(result, status, tree, codes)
    nat = status[status["region_code"] == "00"].head(1)
    cols = st.columns(3)
    if len(nat):
        row = nat.iloc[0]
        cols[0].metric(f"{t('headline_nation', L)} {row['year']}: {t('median', L)}", fmt.percent(row["median"], lang=L))
        cols[1].metric(t("target", L), fmt.percent(row["target"], lang=L))
        cols[2].metric(t("probability", L), fmt.percent(row["probability"], 0, lang=L))
    if table.empty:
        st.info(t("no_target", L))
    else:
        shown = pd.DataFrame({
            t("code", L): table["region_code"],
            t("name", L): table["name"],
            t("year", L): table["year"],
            t("target", L): table["target"].map(lambda v: fmt.percent(v, lang=L)),
            t("median", L): table["median"].map(lambda v: fmt.percent(v, lang=L)),
            t("band80", L): [f"{fmt.percent(a, lang=L)} – {fmt.percent(b, lang=L)}" for a, b in zip(table["p10"], table["p90"])],
            t("probability", L): table["probability"].map(lambda v: fmt.percent(v, 0, lang=L)),
            t("gap", L): table["gap_persons"].map(lambda v: fmt.number(v, lang=L)),
            t("status", L): table["status"].map(status_label),
        })
        st.dataframe(shown, hide_index=True, width="stretch")
        csv_download(table, f"ringkasan-{choice}.csv", "dl_overview")
    costs = cost_by_payer_year(result)
    if not costs.empty:
        st.dataframe(costs, hide_index=True)


def fan_chart(result, code: str):
    import altair as alt

    from simulator.views import fan_wide, history_coverage

    panel = bundled_panel()
    wide = fan_wide(result, code)
    wide["month"] = wide["month"].dt.to_timestamp()
    hist = history_coverage(panel.history, panel.workforce, load_regions(), code)
    hist["month"] = hist["month"].dt.to_timestamp()
    base = alt.Chart(wide).encode(x=alt.X("month:T", title=None))
    layers = [
        base.mark_area(opacity=0.15).encode(y=alt.Y("q2.5:Q", title=t("coverage", lang()), axis=alt.Axis(format="%")), y2="q97.5:Q"),
        base.mark_area(opacity=0.25).encode(y="q10:Q", y2="q90:Q"),
        base.mark_area(opacity=0.35).encode(y="q25:Q", y2="q75:Q"),
        base.mark_line().encode(y="q50:Q"),
        alt.Chart(hist).mark_line(color="black").encode(x="month:T", y="coverage:Q"),
    ]
    targets = panel.targets[panel.targets["region_code"] == code]
    if len(targets):
        tdf = pd.DataFrame({"month": pd.to_datetime(targets["year"].astype(str) + "-12-01"), "target": targets["coverage"].to_numpy()})
        layers.append(alt.Chart(tdf).mark_point(shape="diamond", size=80, color="red", filled=True).encode(x="month:T", y="target:Q"))
    return alt.layer(*layers).properties(height=380), wide


def page_region() -> None:
    from simulator.views import cost_by_payer_year, waterfall_at

    L = lang()
    tree = load_regions()
    baseline, _ = bundled_baseline()
    regions = [c for c in tree.codes if c != "00"]
    code = st.selectbox(t("region", L), regions, index=regions.index("61"), key="rg_region",
                        format_func=lambda c: f"{c} {tree.name(c)}")
    first = str(baseline.months[0])
    months = [str(m) for m in baseline.months[:36]]
    with st.sidebar:
        headcount = st.slider(t("subsidy", L), 0, 300_000, 26_373, step=1_000, key="rg_headcount")
        start = st.select_slider(t("subsidy_start", L), months, value=first, key="rg_start")
        duration = st.slider(t("subsidy_months", L), 1, 60, 12, key="rg_months")
        already = st.slider(t("already_covered", L), 0.0, 0.5, 0.10, step=0.05, key="rg_already")
        retention = st.slider(t("retention", L), 0.0, 1.0, 0.35, step=0.05, key="rg_retention")
        officials = st.slider(t("officials", L), 0, 30, 0, key="rg_officials")
        share = st.slider(t("enrolled_share", L), 0.0, 1.0, 0.8, step=0.05, key="rg_share")
        vstart = st.select_slider(t("village_start", L), months, value=first, key="rg_vstart")
    levers: list[dict] = []
    if headcount > 0:
        levers.append({"kind": "contribution_subsidy", "region": code, "headcount": headcount, "start": start,
                       "months": duration, "ramp_months": 3, "already_covered": already,
                       "retention_after": retention, "lapse": 0.03,
                       "payer": "apbd_provinsi" if tree.level(code) == "provinsi" else "apbd_kabkota",
                       "label": t("subsidy", L)})
    if officials > 0:
        levers.append({"kind": "village_officials", "region": code, "officials_per_village": officials,
                       "enrolled_share": share, "start": vstart, "ramp_months": 6, "payer": "apbdes",
                       "label": t("officials", L)})
    result, status = run_levers(repr(levers), levers, f"wilayah-{code}")
    own = status[status["region_code"] == code]
    cols = st.columns(3)
    if len(own):
        row = own.iloc[0]
        cols[0].metric(f"{t('probability', L)} ({fmt.percent(row['target'], lang=L)}, {row['deadline']})", fmt.percent(row["probability"], 0, lang=L))
        cols[1].metric(t("median", L), fmt.percent(row["median"], lang=L))
        cols[2].metric(t("status", L), status_label(row["status"]))
    else:
        mid = float(np.nanmedian(result.coverage[result.index_of(code), :, -1]))
        cols[0].metric(f"{t('median', L)} {result.months[-1]}", fmt.percent(mid, lang=L))
        st.info(t("no_target", L))
    st.markdown(f"**{t('fan_chart', L)}**")
    chart, wide = fan_chart(result, code)
    st.altair_chart(chart, width="stretch")
    csv_download(wide, f"fan-{code}.csv", "dl_fan")
    deadline = own.iloc[0]["deadline"] if len(own) else result.months[-1]
    st.markdown(f"**{t('waterfall', L)} ({deadline})**")
    steps = waterfall_at(result, code, deadline)
    st.dataframe(steps.assign(persons=steps["persons"].map(lambda v: fmt.number(v, lang=L))), hide_index=True)
    st.markdown(f"**{t('cost_table', L)}**")
    costs = cost_by_payer_year(result)
    st.dataframe(costs.assign(cost_idr=costs["cost_idr"].map(lambda v: fmt.rupiah(v, lang=L))), hide_index=True)
    csv_download(costs, f"biaya-{code}.csv", "dl_cost")


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
        st.Page(page_overview, title=t("page_overview", L), url_path="ringkasan", default=True),
        st.Page(page_region, title=t("page_region", L), url_path="wilayah"),
        st.Page(page_regions, title=t("regions", L), url_path="wilayah-list"),
        st.Page(page_data, title=t("page_data", L), url_path="data"),
    ]
    st.navigation(pages).run()


main()

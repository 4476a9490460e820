"""The app's speed machinery (issues 20 and 24) keeps its answers: the per-run display memo, chart
rows and shared chart data, the bundled scenarios read once, and a slider move answered the same
whether or not a page switch came before it."""

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

os.environ.setdefault("SIMULATOR_PATHS", "200")

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_derived_is_computed_once_per_object_and_key():
    from app_pages.state import derived

    calls = []

    class Run:  # a stand-in for a cached scenario run
        pass

    first, second = Run(), Run()
    build = lambda tag: lambda: calls.append(tag) or len(calls)  # noqa: E731
    assert derived(first, ("t", "id"), build("a")) == 1
    assert derived(first, ("t", "id"), build("b")) == 1  # same object, same key: the kept value
    assert derived(first, ("t", "en"), build("c")) == 2  # another key (language)
    assert derived(second, ("t", "id"), build("d")) == 3  # another object
    assert calls == ["a", "c", "d"]


def test_chart_rows_match_json_ready_records():
    from app_pages.charts import _frame, _records

    frame = pd.DataFrame(
        {
            "month": pd.to_datetime(["2025-01-01", None, "2025-03-01"]),
            "q": [0.1, np.nan, 0.3],
            "n": [1, 2, 3],
            "s": ["a", None, "c"],
        }
    )
    assert json.dumps(_records(frame)) == (
        '[{"month": "2025-01-01T00:00:00", "q": 0.1, "n": 1, "s": "a"}, '
        '{"month": null, "q": null, "n": 2, "s": null}, '
        '{"month": "2025-03-01T00:00:00", "q": 0.3, "n": 3, "s": "c"}]'
    )
    shown = _frame(frame)
    assert shown["month"].tolist()[0] == "2025-01-01T00:00:00" and shown["q"].tolist()[2] == 0.3


def test_layers_sharing_data_send_it_once():
    from app_pages.charts import _shared_data

    fan = {"values": [{"x": 1}]}
    targets = {"values": [{"x": 2}]}
    spec = {
        "layer": [
            {"data": fan, "mark": "area"},
            {"data": fan, "mark": "line"},
            {"data": targets, "mark": "point"},
            {"data": targets, "mark": "text"},
            {"mark": "rule"},
        ]
    }
    out = _shared_data(spec)
    assert out["datasets"] == {"d0": [{"x": 1}], "d1": [{"x": 2}]}
    assert [layer.get("data") for layer in out["layer"]] == [
        {"name": "d0"},
        {"name": "d0"},
        {"name": "d1"},
        {"name": "d1"},
        None,
    ]


def test_bundled_scenarios_are_the_files():
    from app_pages.state import SCENARIO_DIR, bundled_scenarios

    files = {p.stem: p.read_text(encoding="utf-8") for p in SCENARIO_DIR.glob("*.yaml")}
    assert bundled_scenarios() == files
    assert bundled_scenarios() == files  # read once, the same texts again


def test_region_figures_after_a_page_switch_equal_a_fresh_session():
    """The Region page's headline card and status table come from memos after a page switch; they
    must equal those of a session that opens the same address directly."""
    at = AppTest.from_file(APP, default_timeout=900).run()
    at.switch_page("app_pages/wilayah.py").run()
    at.switch_page("app_pages/ringkasan.py").run()
    at.switch_page("app_pages/wilayah.py").run()
    assert not at.exception
    fresh = AppTest.from_file(APP, default_timeout=900)
    fresh.query_params["wilayah"] = "61"
    fresh.switch_page("app_pages/wilayah.py").run()
    assert not fresh.exception

    def cards(app):
        return [m.value for m in app.markdown if "data-k" in m.value]

    def status(app):
        return next(df.value for df in app.dataframe if "Peluang tercapai" in df.value.columns)

    assert cards(at) and cards(at) == cards(fresh)
    pd.testing.assert_frame_equal(status(at).reset_index(drop=True), status(fresh).reset_index(drop=True))


def test_memoised_targets_and_reliability_give_the_library_status_table():
    """The app resolves the official targets once per data and regions and looks the backtest's
    reliability up once per baseline: the status table must equal the library's, built in full,
    for a slider move after another (Kalbar and its children, two subsidy sizes)."""
    from app_pages import state
    from simulator.calibrate import status_with_reliability
    from simulator.engine import run_scenario
    from simulator.loaders import load_data
    from simulator.projection import project_baseline
    from simulator.regions import DATA_DIR, load_regions
    from simulator.scenario import parse_scenario
    from simulator.targets import status_table

    tree = load_regions()
    panel = load_data(DATA_DIR)
    baseline, _ = project_baseline(panel.history, panel.workforce, horizon=state.HORIZON, paths=state.PATHS)
    regions = tuple(state.around("61"))
    for headcount in (10_000, 20_000):
        text = (
            "name: t\nhorizon: 2030-06\nlevers:\n  - kind: contribution_subsidy\n    region: '61'\n"
            f"    headcount: {headcount}\n    start: 2025-08\n    months: 24\n"
            "    unit_cost: 16800\n    payer: apbd_provinsi\n"
        )
        result = run_scenario(
            baseline, parse_scenario(text, source="t", tree=tree), seed=0, regions=list(regions)
        )
        full = status_with_reliability(
            status_table(result, panel.targets, codes=list(regions), tree=tree, workforce=panel.workforce),
            result,
            tree,
        )
        resolved = state._resolved("k", regions, panel.targets, panel.workforce, result.scenario)
        assert resolved is state._resolved("k", regions, panel.targets, panel.workforce, result.scenario)
        fast = state._with_reliability(
            status_table(
                result,
                panel.targets,
                codes=list(regions),
                tree=tree,
                workforce=panel.workforce,
                resolved=resolved,
            ),
            result,
            baseline,
        )
        assert full["held_80"].notna().any() and full["held_80"].isna().any()  # measured and not
        pd.testing.assert_frame_equal(fast, full)


def _arrow_frame(data) -> pd.DataFrame:
    import pyarrow as pa

    return pa.ipc.open_stream(data).read_all().to_pandas()


def test_fan_chart_data_sets_hold_the_quantiles_and_their_text():
    """The fan chart's data sets go to Streamlit as Arrow bytes built from the quantiles: decoded,
    they hold fan_wide's numbers, ISO months, the median and band in words, the baseline's median
    of the same month, the history line and the target markers (Kalbar, subsidy against baseline)."""
    from app_pages.charts import fan_chart
    from app_pages.state import around, bundled_scenarios, run
    from simulator import fmt
    from simulator.views import fan_wide

    base = run(bundled_scenarios()["baseline"], around("61"), source="baseline.yaml")
    first, last = base[0].months[0], base[0].months[-1]
    text = (
        f"name: t\nhorizon: {last}\nlevers:\n  - kind: contribution_subsidy\n    region: '61'\n"
        f"    headcount: 40000\n    start: {first}\n    months: 24\n    unit_cost: 16800\n"
        "    payer: apbd_provinsi\n"
    )
    result, status = run(text, around("61"), source="t")
    spec, wide = fan_chart(result, "61", status, before=base[0])
    sets = {name: _arrow_frame(data) for name, data in spec["datasets"].items()}
    fan = next(f for f in sets.values() if "q50" in f)
    hist = next(f for f in sets.values() if "coverage" in f)
    marks = next(f for f in sets.values() if "label" in f)
    quantiles = fan_wide(result, "61")
    months = quantiles["month"].dt.to_timestamp()
    assert fan["month"].tolist() == [m.strftime("%Y-%m-%dT00:00:00") for m in months]
    np.testing.assert_array_equal(fan["q2_5"], quantiles["q2.5"])
    np.testing.assert_array_equal(fan["q97_5"], quantiles["q97.5"])
    assert fan["median_text"].tolist() == [fmt.percent(v) for v in quantiles["q50"]]
    assert fan["band80_text"][0] == f"{fmt.percent(quantiles['q10'][0])} – {fmt.percent(quantiles['q90'][0])}"
    assert fan["when"][0] == fmt.month(months[0])
    np.testing.assert_array_equal(fan["before"], fan_wide(base[0], "61")["q50"])  # same months
    assert (fan["q50"] >= fan["before"]).all() and (fan["q50"] > fan["before"]).any()  # a subsidy adds
    assert wide["month"].tolist() == months.tolist()  # the CSV's frame: months as timestamps
    assert hist["text"].tolist() == [fmt.percent(v) for v in hist["coverage"]]
    own = status[status["region_code"] == "61"].drop_duplicates("year")
    assert marks["label"].tolist() == [
        f"Target {y}: {fmt.percent(v)}" for y, v in zip(own["year"], own["target"], strict=True)
    ]
    assert marks["month"].tolist() == [f"{y}-12-01T00:00:00" for y in own["year"]]
    assert marks["odd"].tolist() == [i % 2 for i in range(len(own))]


def test_status_colours_reach_streamlit_as_a_pandas_styler_would_send_them():
    """The status table's quick Styler gives Streamlit the same CSS per cell and the same shown text
    as pandas' own Styler.map over the status column."""
    import re

    import pyarrow as pa
    from streamlit.elements.lib.pandas_styler_utils import marshall_styler
    from streamlit.proto.ArrowData_pb2 import ArrowData

    from app_pages.tables import STATUS_COLOURS, _status_style, styled_status

    frame = pd.DataFrame(
        {
            "Kode": ["61", "61.01", "61.02", "61.03"],
            "Tahun": [2026, 2026, 2029, 2030],
            "Median": ["40,12 %", "–", "35,00 %", "31,10 %"],
            "Status": ["sesuai jalur", "berisiko", "di luar jalur", "tanpa target"],
        }
    )

    def sent(styler) -> tuple[dict, pd.DataFrame]:
        proto = ArrowData()
        marshall_styler(proto, styler, "u")
        css = {}
        for rule in proto.styler.styles.splitlines():
            selectors, block = rule.split(" { ")
            for selector in selectors.split(", "):
                css[re.sub(r"^#T_\w+?_(row\d+_col\d+)$", r"\1", selector)] = block.rstrip(" }")
        return css, pa.ipc.open_stream(proto.styler.display_values).read_all().to_pandas()

    labels = {"sesuai jalur": "on track", "berisiko": "at risk", "di luar jalur": "off track"}
    labels["tanpa target"] = "no target"
    reference = frame.style.map(lambda v: _status_style(v, labels), subset=["Status"])
    quick_css, quick_text = sent(styled_status(frame))
    css, text = sent(reference)
    assert quick_css == css and len(css) == 4
    assert css["row2_col3"] == f"color: {STATUS_COLOURS['off track'][0]}; background-color: " + (
        f"{STATUS_COLOURS['off track'][1]}; font-weight: 600"
    )
    pd.testing.assert_frame_equal(quick_text, text)


def test_cost_table_sums_as_a_pivot_table_would():
    """The cost table's plain sums per payer, programme and year equal pandas' pivot_table (the
    government total included), shown in rupiah."""
    from app_pages.tables import cost_pivot

    costs = pd.DataFrame(
        {
            "payer": ["apbd_provinsi", "apbd_provinsi", "apbn", "worker", "apbd_provinsi", "apbn"],
            "year": [2025, 2026, 2026, 2026, 2025, 2027],
            "cost_idr": [1.5e9, 2.25e9, 3.0e9, 4.0e8, 7.0e8, 1.0e3],
            "programme": ["", "", "", "", "pergub-kalbar-4-2023", ""],
        }
    )
    shown = cost_pivot(costs)
    wide = costs.pivot_table(index=["payer", "programme"], columns="year", values="cost_idr", aggfunc="sum")
    wide = wide.fillna(0.0)
    assert list(shown.columns) == ["Kelompok", "Pembayar", "2025", "2026", "2027"]
    # APBN first, then the province (its own lever, then its programme), their sum, then workers
    assert shown["2025"].tolist() == ["Rp0", "Rp1.500.000.000", "Rp700.000.000", "Rp2.200.000.000", "Rp0"]
    assert shown["2026"].tolist() == [
        "Rp3.000.000.000",
        "Rp2.250.000.000",
        "Rp0",
        "Rp5.250.000.000",
        "Rp400.000.000",
    ]
    assert shown["2027"].tolist()[0] == "Rp1.000"
    assert shown["Pembayar"].tolist()[3:] == ["Jumlah anggaran pemerintah", "Pekerja"]
    assert shown["Kelompok"].tolist()[3] == "Anggaran pemerintah" != shown["Kelompok"].tolist()[4]
    for i, key in enumerate([("apbn", ""), ("apbd_provinsi", ""), ("apbd_provinsi", "pergub-kalbar-4-2023")]):
        assert shown.iloc[i, 2:].tolist() == [f"Rp{v:,.0f}".replace(",", ".") for v in wide.loc[key]]


def test_the_server_warm_up_never_computes_a_baseline():
    """app_warm.py serve's warm-up loads the baseline only from disk (``_baseline(...,
    _from_disk=True)``, as warm_process asks for it): for data whose baseline is not cached it
    stops at the projection's first progress step (a prepare computes it, the first page shows its
    progress), and it loads the bundled one, which is there."""
    import dataclasses

    from app_pages import state
    from simulator.projection import project_baseline

    panel = state.bundled_panel()
    project_baseline(panel.history, panel.workforce, horizon=state.HORIZON, paths=state.PATHS)  # on disk
    try:
        baseline, _ = state._baseline("warm-bundled", panel.history, panel.workforce, "id", _from_disk=True)
        assert baseline.active.shape[1] == state.PATHS
        other = dataclasses.replace(
            panel, workforce=panel.workforce.assign(employed=panel.workforce["employed"] + 1)
        )
        with pytest.raises(state._NotOnDisk):
            state._baseline("warm-other", other.history, other.workforce, "id", _from_disk=True)
    finally:
        state._baseline.clear()

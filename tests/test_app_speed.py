"""The app's speed machinery (issues 20 and 24) keeps its answers: the per-run display memo, chart
rows and shared chart data, the bundled scenarios read once, and a slider move answered the same
whether or not a page switch came before it."""

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

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

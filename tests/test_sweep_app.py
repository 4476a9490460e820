"""AppTest: "Seberapa yakin dengan asumsinya?" on the Region and Budget pages runs a small sweep of
the Kalbar plan with a progress bar, draws the tornado chart and the thresholds, and shows the saved
sweep again without running it."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("SIMULATOR_PATHS", "200")

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
ASSUMPTIONS = {
    "Bantuan iuran Kalbar 2025-2026: sudah terdaftar sebelumnya",
    "Bantuan iuran Kalbar 2025-2026: bertahan setelah bantuan berakhir",
    "Perangkat desa Kalbar: bagian yang terdaftar",
    "Sosialisasi BPU Kalbar: berhenti per bulan",
}


def _open(page: str, params: dict) -> AppTest:
    """``page`` at the address ``params`` with the panel opened (it is drawn only while open)."""
    at = AppTest.from_file(APP, default_timeout=900)
    for key, value in params.items():
        at.query_params[key] = value
    at.session_state["rg_sw_open" if page == "wilayah" else "bg_sw_open"] = True
    at.switch_page(f"app_pages/{page}.py")
    return at.run()


def _thresholds(at: AppTest):
    for frame in at.dataframe:
        table = frame.value
        if "Ambang (asumsi lain di nilai tengah)" in table.columns:
            return table
    raise AssertionError("no threshold table")


@pytest.mark.slow
def test_region_page_runs_a_sweep_and_shows_it_again(tmp_path, monkeypatch):
    monkeypatch.setenv("SIMULATOR_SWEEP_DIR", str(tmp_path))
    at = _open("wilayah", {"wilayah": "61"})
    assert not at.exception
    assert at.selectbox(key="rg_sw_scenario").value == "kalbar-pergub-2025"
    at.button(key="rg_sw_run").click().run()
    assert not at.exception, at.exception
    table = _thresholds(at)
    assert set(table["Asumsi"]) == ASSUMPTIONS
    assert len(list(tmp_path.glob("*/summary.csv"))) == 1
    assert any("Target 2025 (59,56 %)" in md.value for md in at.markdown)
    # a new session finds the saved sweep: no button, the same table
    again = _open("wilayah", {"wilayah": "61"})
    assert not again.exception
    assert not [b for b in again.button if b.key == "rg_sw_run"]
    assert _thresholds(again)["Asumsi"].tolist() == table["Asumsi"].tolist()


@pytest.mark.slow
def test_budget_page_shows_the_saved_sweep_of_its_region(tmp_path, monkeypatch):
    monkeypatch.setenv("SIMULATOR_SWEEP_DIR", str(tmp_path))
    at = _open("wilayah", {"wilayah": "61"})
    at.button(key="rg_sw_run").click().run()
    assert not at.exception
    budget = _open("anggaran", {"tanya": "solve", "wilayah": "61", "tenggat": "2026-12"})
    assert not budget.exception, budget.exception
    assert set(_thresholds(budget)["Asumsi"]) == ASSUMPTIONS


def test_the_closed_panel_is_not_drawn_on_a_slider_move():
    """Closed, "Seberapa yakin dengan asumsinya?" draws nothing inside (no scenario picker, no
    saved sweep read); opened, its picker is there."""
    at = AppTest.from_file(APP, default_timeout=900)
    at.query_params["wilayah"] = "61"
    at.switch_page("app_pages/wilayah.py").run()
    at.select_slider(key="rg_headcount").set_value(20_000).run()
    assert not at.exception
    assert not [s for s in at.selectbox if s.key == "rg_sw_scenario"]
    at.session_state["rg_sw_open"] = True
    at.run()
    assert at.selectbox(key="rg_sw_scenario").value == "kalbar-pergub-2025"

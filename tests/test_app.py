"""AppTest smoke tests: each page renders without exception; language switch changes labels."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120)


def test_first_page_shows_bundled_regions_and_banner():
    at = _app().run()
    assert not at.exception
    assert any("Data ilustratif" in w.value for w in at.warning)
    assert at.title[0].value == "Simulator Cakupan BPJS Ketenagakerjaan"


def test_language_switch_changes_labels():
    at = _app().run()
    at.sidebar.radio[0].set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "BPJS Ketenagakerjaan Coverage Simulator"
    assert any("Illustrative data" in w.value for w in at.warning)

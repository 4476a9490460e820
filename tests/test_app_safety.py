"""The app shows user text as text and never lets a shared or uploaded scenario take a bundled
scenario's name (issue 24, point 8)."""

import os
from pathlib import Path

import pytest

from simulator.errors import InputError
from simulator.share import check_not_bundled, encode_scenario, plain

os.environ.setdefault("SIMULATOR_PATHS", "200")

APP = str(Path(__file__).resolve().parent.parent / "app.py")
BUNDLED = {"baseline": "name: baseline\nhorizon: 2030-12\nlevers: []\n"}
SPOOF = (
    "name: baseline\nhorizon: 2030-12\nlevers:\n  - kind: employer_compliance\n    region: '00'\n"
    "    workers: 50000000\n    start: 2025-07\n"
)


@pytest.mark.parametrize("name", ["baseline", "Baseline", " BASELINE "])
def test_a_scenario_named_like_a_bundled_one_is_refused(name):
    with pytest.raises(
        InputError, match=r"^link: scenario name .* is the name of a bundled scenario: expected another name$"
    ):
        check_not_bundled(name, SPOOF, BUNDLED, "link")


def test_the_bundled_text_under_its_own_name_is_fine():
    check_not_bundled("baseline", BUNDLED["baseline"], BUNDLED, "link")
    check_not_bundled("my-plan", SPOOF, BUNDLED, "link")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("![x](http://evil.example/x.png)", r"\!\[x\]\(http\:\/\/evil\.example\/x\.png\)"),
        ("[klik](https://evil.example)", r"\[klik\]\(https\:\/\/evil\.example\)"),
        (":red[besar] $x$ <img src=x>", r"\:red\[besar\] \$x\$ \<img src\=x\>"),
        ("www.evil.example", r"www\.evil\.example"),
        ("Kab. Sambas\nbaris dua", r"Kab\. Sambas baris dua"),
    ],
)
def test_plain_escapes_everything_markdown_could_render(text, shown):
    assert plain(text) == shown


def test_a_link_named_baseline_does_not_replace_the_real_baseline():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=900)
    at.query_params["u"] = [encode_scenario(SPOOF)]
    at.switch_page("app_pages/bandingkan.py")
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("is the name of a bundled scenario" in e for e in errors), errors
    assert "baseline" not in at.session_state["my_scenarios"]

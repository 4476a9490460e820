"""The calibration report: CRPS by hand, the per-level table on data with shared shocks, the
cached table and the sentence shown beside a probability, the command line and the Model page."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from shock_histories import shock_history

from simulator import calibrate as cal
from simulator.errors import InputError
from simulator.regions import load_regions


@pytest.mark.parametrize(
    "samples, truth, expected",
    [
        ([5.0], 2.0, 3.0),  # a point forecast: its absolute error
        ([0.0, 1.0], 0.0, 0.25),  # E|X - 0| = 0,5; E|X - X'| = 0,5 -> 0,5 - 0,25
        ([1.0, 2.0, 3.0], 2.0, 2 / 3 - 4 / 9),  # E|X-y| = 2/3; sum_ij |xi - xj| = 8 -> 8/9/2
    ],
)
def test_crps_by_hand(samples, truth, expected):
    assert cal.crps_from_samples(np.array(samples), np.array(truth)) == pytest.approx(expected)


def test_crps_of_a_normal_sample_matches_the_closed_form():
    """CRPS of N(0, 1) at y = 0,5: 2 phi(0,5) + 0,5 (2 Phi(0,5) - 1) - 1/sqrt(pi)."""
    from statistics import NormalDist

    n = NormalDist()
    exact = 2 * n.pdf(0.5) + 0.5 * (2 * n.cdf(0.5) - 1) - 1 / np.sqrt(np.pi)
    x = np.random.default_rng(0).standard_normal(200_000)
    assert cal.crps_from_samples(x, np.array(0.5)) == pytest.approx(exact, abs=2e-3)


@pytest.fixture(scope="module")
def calibration():
    return cal.calibrate(shock_history(load_regions(), seed=4), origins=4, horizon=24, paths=200)


def test_table_has_every_level_and_band_with_sane_values(calibration):
    table = calibration.table
    assert calibration.origins == ("2023-02", "2023-09", "2024-04", "2024-11")  # 7 months apart
    assert list(zip(table["level"], table["months_ahead"], strict=True)) == [
        (lev, band) for lev in ("kabkota", "provinsi", "nasional") for band in ("1-6", "7-12", "13-24")
    ]
    # the last month is 2025-06, so the origins have 28, 21, 14 and 7 months of truth after them:
    # 1-6: 4 x 6; 7-12: 3 x 6 + 1; 13-24: 12 + 9 + 2
    per_region = {"1-6": 24, "7-12": 19, "13-24": 23}
    counts = {"kabkota": 514, "provinsi": 38, "nasional": 1}
    for row in table.itertuples():
        assert row.points == per_region[row.months_ahead] * counts[row.level]
        assert 0 <= row.held_50 <= row.held_80 <= row.held_95 <= 1
    # a model that knows shared shocks keeps every level's 80 % band honest on this history (a
    # band from independent leaves held the nation's truth under 10 % of the time)
    kab = table[table["level"] == "kabkota"]
    assert kab["held_80"].between(0.65, 0.95).all(), kab
    assert calibration.held("nasional") > 0.3


def test_calibrate_needs_enough_history():
    history = shock_history(load_regions(), months=40, seed=1)
    with pytest.raises(InputError, match="need history from"):
        cal.calibrate(history, origins=4, spacing=6)


def test_reliability_by_level_and_distance():
    table = pd.DataFrame(
        {
            "level": ["provinsi", "provinsi", "provinsi"],
            "months_ahead": ["1-6", "7-12", "13-24"],
            "points": [100, 100, 300],
            "held_80": [0.9, 0.8, 0.7],
            "held_50": 0.5,
            "held_95": 0.95,
        }
    )
    assert cal.held(table, "provinsi", "7-12") == pytest.approx(0.8)
    assert cal.held(table, "provinsi") == pytest.approx((90 + 80 + 210) / 500)
    assert cal.held(table, "nasional") is None
    assert cal.reliability(table, "provinsi", 9) == (
        "pita 80 % memuat angka sebenarnya 80 % kali dalam uji mundur (provinsi, 7-12 bulan)"
    )
    assert cal.reliability(table, "provinsi", 9, lang="en") == (
        "80% band held the truth 80% of the time in backtests (province, 7-12 months)"
    )
    status = pd.DataFrame({"region_code": ["61", "61", "61"], "year": [2025, 2026, 2030]})
    out = cal.with_reliability(status, table, load_regions(), pd.Period("2025-06", freq="M"))
    # Dec 2025 is 6 months ahead, Dec 2026 18, Dec 2030 beyond what was tested
    np.testing.assert_allclose(out["held_80"], [0.9, 0.7, np.nan])


@pytest.mark.slow
def test_every_baseline_carries_its_calibration(tmp_path):
    """project_baseline computes the calibration with the forecasts it makes anyway, and carries it
    (meta, cache): the same table as calibrate() run on its own; a fake baseline has none."""
    from simulator.baseline import fake_baseline
    from simulator.loaders import load_data
    from simulator.projection import project_baseline
    from simulator.regions import DATA_DIR

    history = shock_history(load_regions(), seed=6)
    workforce = load_data(DATA_DIR).workforce
    baseline, _ = project_baseline(history, workforce, horizon=6, paths=20, cache_dir=tmp_path)
    carried = cal.table_of(baseline)
    alone = cal.calibrate(history, **cal.DEFAULT_SETTINGS).table
    pd.testing.assert_frame_equal(carried, alone, check_exact=True)
    again, _ = project_baseline(history, workforce, horizon=6, paths=20, cache_dir=tmp_path)  # from the cache
    pd.testing.assert_frame_equal(cal.table_of(again), alone, check_exact=True)
    fake = fake_baseline(load_regions(), ("2025-07", "2025-08"), 2, 10.0, 100.0)
    assert cal.table_of(fake) is None


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--origins", "0"], "--origins: expected a whole number of at least 1, got 0"),
        (["--paths", "1"], "--paths: expected a whole number of at least 2, got 1"),
        (["--horizon", "-3"], "--horizon: expected a whole number of at least 1, got -3"),
        (["--data", "/nonexistent/folder"], "/nonexistent/folder: file not found"),
    ],
)
def test_command_refuses_bad_options_in_one_line(argv, message, capsys):
    from simulator.cli import main

    assert main(["calibrate", *argv]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"error: {message}"


def test_command_prints_and_writes_the_table(tmp_path, capsys):
    from simulator.cli import main

    data = tmp_path / "data"
    data.mkdir()
    shock_history(load_regions(), seed=5).assign(
        ds=lambda f: f["ds"].dt.strftime("%Y-%m"), segment="BPU"
    ).to_csv(data / "history.csv", index=False)
    out = tmp_path / "out"
    assert main(["calibrate", "--data", str(data), "--paths", "50", "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "2023-02, 2023-09, 2024-04, 2024-11" in printed
    assert re.search(r"^nasional\s+13-24\s+23\s+\d{1,3},\d %", printed, re.M), printed
    table = pd.read_csv(out / "calibration.csv")
    assert len(table) == 9 and set(table["level"]) == {"kabkota", "provinsi", "nasional"}
    assert len(pd.read_csv(out / "calibration_points.csv")) == (514 + 38 + 1) * (24 + 21 + 14 + 7)


@pytest.mark.slow
def test_model_page_shows_the_calibration_table():
    os.environ.setdefault("SIMULATOR_PATHS", "200")
    from streamlit.testing.v1 import AppTest

    app = str(Path(__file__).resolve().parent.parent / "app.py")
    at = AppTest.from_file(app, default_timeout=900).run()
    at.switch_page("app_pages/model.py").run()
    assert not at.exception
    frames = [df.value for df in at.dataframe]
    calib = next(f for f in frames if "Pita 80 %" in f.columns)
    assert list(calib["Tingkat"].unique()) == ["Kab/kota", "Provinsi", "Nasional"]
    assert all(re.fullmatch(r"\d{1,3},\d %", v) for v in calib["Pita 80 %"])


def test_app_headline_and_status_table_show_the_tested_reliability():
    """Overview: the probability on each headline card carries its level's measured band hold (or
    says the distance was not backtested); the status table has the 'Teruji*' column beside it,
    equal to what calibrate.with_reliability gives for the baseline in use."""
    os.environ.setdefault("SIMULATOR_PATHS", "200")
    from streamlit.testing.v1 import AppTest

    app = str(Path(__file__).resolve().parent.parent / "app.py")
    at = AppTest.from_file(app, default_timeout=900).run()
    assert not at.exception
    notes = [
        n
        for md in at.markdown
        for n in re.findall(r'data-k="probability"[^>]*>.*?<span class="sim-note">([^<]*)<', md.value)
    ]
    assert notes and all(
        re.fullmatch(r"pita 80 % teruji \d{1,3} % dalam uji mundur|jarak ini belum teruji", n) for n in notes
    ), notes
    table = next(df.value for df in at.dataframe if "Teruji*" in df.value.columns)
    assert all(re.fullmatch(r"\d{1,3} %|–", v) for v in table["Teruji*"])
    assert any(c.value.startswith("* Teruji:") for c in at.caption)

"""A scenario's result per participant segment: hand-computed on a flat fake baseline whose history
has known segment shares (PU 60 %, BPU 30 %, JAKON 8 %, PMI 2 %)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

from simulator.baseline import fake_baseline
from simulator.cli import main
from simulator.engine import run_scenario
from simulator.errors import InputError
from simulator.regions import load_regions
from simulator.scenario import parse_scenario
from simulator.segments import segment_shares, segment_table

SHARES = {"PU": 30_000.0, "BPU": 15_000.0, "JAKON": 4_000.0, "PMI": 1_000.0}  # of 50.000 active


@lru_cache(maxsize=1)
def tree():
    return load_regions()


@lru_cache(maxsize=1)
def flat():
    return fake_baseline(tree(), ("2025-01", "2026-12"), 4, 50_000.0, 150_000.0)


@lru_cache(maxsize=1)
def history() -> pd.DataFrame:
    leaves = tree().of_level("kabkota")
    months = pd.date_range("2024-01-01", "2024-12-01", freq="MS")
    rows = [(c, seg, ds, v) for c in leaves for seg, v in SHARES.items() for ds in months]
    frame = pd.DataFrame(rows, columns=["region_code", "segment", "ds", "active"])
    # an older month with other shares: only the last 12 observed months count
    old = pd.DataFrame(
        [(c, "PMI", pd.Timestamp("2023-12-01"), 40_000.0) for c in leaves], columns=frame.columns
    )
    return pd.concat([old, frame], ignore_index=True)


def subsidy_scenario(headcount: int, region: str = "61.71"):
    text = f"""name: test
horizon: 2026-12
levers:
  - kind: contribution_subsidy
    region: "{region}"
    headcount: {headcount}
    start: 2025-01
    months: 24
    ramp_months: 1
    already_covered: 0
    retention_after: 0
    lapse: 0
    payer: apbd_kabkota
"""
    return parse_scenario(text, source="test.yaml")


def test_shares_come_from_the_last_twelve_observed_months_and_sum_up_the_tree():
    shares = segment_shares(history(), ["61.71", "61", "00"], tree())
    for code in ("61.71", "61", "00"):
        np.testing.assert_allclose(shares.loc[code].to_numpy(), [0.6, 0.3, 0.08, 0.02])


def test_a_bpu_subsidy_adds_to_bpu_only_and_the_segments_add_up():
    result = run_scenario(
        flat(), subsidy_scenario(10_000), tree=tree(), uncertainty=False, regions=["61.71", "61"]
    )
    table = segment_table(result, history(), tree(), ["61.71"], ["2025-12"], informal_share=0.5795)
    row = table.set_index("segment")
    # baseline 50.000 x shares; the 10.000 subsidised go to BPU (no one already covered, no lapse)
    np.testing.assert_allclose(row["baseline"].to_numpy(), [30_000, 15_000, 4_000, 1_000])
    np.testing.assert_allclose(row["levers"].to_numpy(), [0, 10_000, 0, 0])
    np.testing.assert_allclose(row.loc["BPU", "scenario"], 25_000)
    assert row.loc["BPU", "share_of_change"] == 1.0 and row.loc["PU", "share_of_change"] == 0.0
    # denominators: wage earners 150.000 x (1 - 0,5795) = 63.075, non-wage 150.000 x 0,5795 = 86.925
    np.testing.assert_allclose(row.loc["PU", "denominator"], 63_075)
    np.testing.assert_allclose(row.loc["BPU", "denominator"], 86_925)
    np.testing.assert_allclose(row.loc["PU", "coverage"], 30_000 / 63_075)
    np.testing.assert_allclose(row.loc["BPU", "coverage"], 25_000 / 86_925)
    assert np.isnan(row.loc["JAKON", "coverage"]) and np.isnan(row.loc["PMI", "denominator"])
    # the segments' medians add up to the all-segment median scenario
    total = result.waterfall(["61.71"], ["2025-12"])["persons"].sum()
    np.testing.assert_allclose(row["scenario"].sum(), total)


def test_a_segment_coverage_beyond_its_denominator_is_not_shown():
    # an informal share of 0,9: wage earners 15.000 < 30.000 PU members: the share does not fit
    result = run_scenario(flat(), subsidy_scenario(10_000), tree=tree(), uncertainty=False, regions=["61.71"])
    table = segment_table(result, history(), tree(), ["61.71"], ["2025-12"], informal_share=0.9)
    pu = table.set_index("segment").loc["PU"]
    assert np.isnan(pu["coverage"]) and "melebihi penyebut" in pu["basis"]


@pytest.mark.parametrize(
    "codes, months, message",
    [
        (["61.71"], ["2031-12"], "month: 2031-12 is outside the projection"),
        (["99.99"], ["2025-12"], "region: '99.99' is not in the result"),
        ([], ["2025-12"], "expected at least one region"),
    ],
)
def test_bad_requests_are_refused_with_the_key(codes, months, message):
    result = run_scenario(flat(), subsidy_scenario(1_000), tree=tree(), uncertainty=False, regions=["61.71"])
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        segment_table(result, history(), tree(), codes, months)


def test_a_history_without_segments_is_refused():
    with pytest.raises(InputError, match="missing column 'segment'"):
        segment_shares(history().drop(columns=["segment"]), ["61"], tree())


@pytest.mark.slow
@pytest.mark.parametrize(
    "argv, message",
    [
        (["--month", "2025-13"], "--month: expected YYYY-MM, got '2025-13'"),
        (["--region", "Atlantis"], "Atlantis"),
        (["--output", "/nonexistent-folder/x.csv"], "--output /nonexistent-folder/x.csv"),
    ],
)
def test_the_command_refuses_bad_options_in_one_line(argv, message, capsys):
    code = main(["segments", "scenarios/kalbar-pergub-2025.yaml", "--paths", "50", *argv])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1

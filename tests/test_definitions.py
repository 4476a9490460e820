"""Issue 18: targets on their own definition, official targets never hidden, running programmes,
the village lever on desa only. Every expected number is computed by hand in the comments."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

from simulator.baseline import Baseline, fake_baseline
from simulator.engine import run_scenario
from simulator.errors import InputError
from simulator.parameters import lever_defaults, value_at
from simulator.regions import load_regions
from simulator.scenario import parse_scenario
from simulator.targets import basis_of, resolve, status_table

ACTIVE, EMPLOYED = 50_000.0, 150_000.0  # [persons] per kabupaten/kota; Kalbar has 14 of them


@lru_cache(maxsize=2)
def flat() -> Baseline:
    """Identical flat paths: every kabupaten/kota 50.000 active of 150.000 employed."""
    return fake_baseline(load_regions(), ("2025-07", "2027-12"), 4, ACTIVE, EMPLOYED)


def scenario(levers: str = "  []\n", extra: str = ""):
    return parse_scenario(f"name: test\nhorizon: 2027-12\nlevers:\n{levers}{extra}", source="test.yaml")


# ---- dated parameters ----------------------------------------------------------------------------
def test_value_at_honours_valid_from(tmp_path):
    file = tmp_path / "p.yaml"
    file.write_text("""parameters:
  rate:
    unit: IDR/person/month
    values:
      - {value: 16800, valid_from: "2015-07-01", reference: PP 44/2015}
      - {value: 20000, valid_from: "2026-01-01", reference: a later regulation}
""")
    assert value_at("rate", "2025-12", str(file)) == 16800
    assert value_at("rate", "2026-01", str(file)) == 20000
    with pytest.raises(InputError, match="has no value before 2015-07-01"):
        value_at("rate", "2015-06", str(file))


def test_lever_defaults_come_from_the_parameters_file():
    assert lever_defaults("contribution_subsidy", "2025-01") == {
        "unit_cost": 16800,
        "ramp_months": 3,
        "already_covered": 0.10,
        "retention_after": 0.35,
        "lapse": 0.03,
    }


# ---- definitions ---------------------------------------------------------------------------------
def test_basis_from_definition_and_refusal():
    assert basis_of("active participants / employed persons (BPS Sakernas August)") == "bps"
    assert basis_of("aktif / pekerja potensial (BPS dikurangi ASN, TNI, Polri)") == "ucj"
    assert basis_of("") == "bps"
    with pytest.raises(InputError, match="definition 'registered / population' cannot be computed"):
        basis_of("registered / population", where="target 61 2025")


def test_ucj_target_against_bps_target_for_the_same_region():
    """Kalbar: 14 x 50.000 = 700.000 active of 14 x 150.000 = 2.100.000 employed.
    BPS basis: 700.000 / 2.100.000 = 33,33 %. UCJ basis with share 0,78: 700.000 / 1.638.000 =
    42,74 %. A 40 % target: not reached on BPS (gap 0,40 x 2.100.000 - 700.000 = 140.000 persons),
    reached on UCJ (gap 0)."""
    result = run_scenario(flat(), scenario(), regions=["61"], programmes=[])
    official = pd.DataFrame(
        {
            "region_code": ["61", "61"],
            "year": [2026, 2026],
            "coverage": [0.40, 0.40],
            "basis": ["bps", "ucj"],
            "scheme": ["A", "B"],
        }
    )
    status = status_table(result, official, codes=["61"])
    bps, ucj = status.iloc[0], status.iloc[1]
    assert (bps["basis"], ucj["basis"]) == ("bps", "ucj")
    np.testing.assert_allclose(bps["median"], 700_000 / 2_100_000, rtol=1e-6)
    np.testing.assert_allclose(ucj["median"], 700_000 / (2_100_000 * 0.78), rtol=1e-6)
    np.testing.assert_allclose(bps["gap_persons"], 140_000, rtol=1e-6)
    assert ucj["gap_persons"] == 0
    assert (bps["probability"], ucj["probability"]) == (0.0, 1.0)


def test_published_ucj_denominator_is_used_where_known():
    """Kalbar 2026 published potential 1.470.000 of 2.100.000 employed: share 0,70, UCJ coverage
    700.000 / 1.470.000 = 47,62 %."""
    result = run_scenario(flat(), scenario(), regions=["61"], programmes=[])
    workforce = pd.DataFrame(
        {"region_code": ["61"], "period": ["2026-08"], "employed": [2_100_000], "potential": ["1470000"]}
    )
    official = pd.DataFrame({"region_code": ["61"], "year": [2026], "coverage": [0.5], "basis": ["ucj"]})
    row = status_table(result, official, codes=["61"], workforce=workforce).iloc[0]
    np.testing.assert_allclose(row["median"], 700_000 / 1_470_000, rtol=1e-6)
    assert row["denominator"].startswith("pekerja potensial published")


def test_a_scenario_target_never_hides_an_official_one():
    sc = scenario(extra='targets:\n  - {region: "00", year: 2026, coverage: 0.56, source: plan}\n')
    official = pd.DataFrame({"region_code": ["00", "61"], "year": [2026, 2026], "coverage": [0.35, 0.6]})
    rows = resolve(["00", "61", "61.01"], official, sc)
    got = sorted(
        zip(rows["region_code"], rows["origin"], rows["coverage"], rows["applied_from"], strict=True)
    )
    assert got == [
        ("00", "official", 0.35, "00"),
        ("00", "scenario", 0.56, "00"),
        ("61", "official", 0.6, "61"),
        ("61.01", "official", 0.6, "61"),
    ]
    result = run_scenario(flat(), sc, regions=["00", "61"], programmes=[])
    status = status_table(result, official)
    assert list(zip(status["region_code"], status["origin"], strict=True)) == [
        ("00", "official"),
        ("00", "scenario"),
        ("61", "official"),
    ]


# ---- running programmes --------------------------------------------------------------------------
PROGRAMME = [
    (
        "p",
        {
            "label": "Pergub 4/2023",
            "region": "61",
            "headcount": 26373,
            "unit_cost": 16800,
            "payer": "apbd_provinsi",
            "start": "2023-01",
        },
    )
]


def test_stopping_the_running_subsidy_loses_headcount_times_one_minus_retention():
    """Stop from 2026-01 with retention 0,35 and lapse 0,1: the month before nothing changes;
    2026-01: -26.373 x (1 - 0,35) = -17.142,45; 2026-02: -26.373 x (1 - 0,35 x 0,9) = -18.065,505.
    Cost: 26.373 x 16.800 = 443.066.400 a month while running: 6 months of 2025, none from 2026."""
    stop = scenario("""  - kind: programme
    programme: pergub-kalbar-4-2023
    action: stop
    start: 2026-01
    retention_after: 0.35
    lapse: 0.1
""")
    result = run_scenario(flat(), stop, regions=["61"])
    base = 14 * ACTIVE
    at = {m: float(result.active_of("61", m)[0]) - base for m in ("2025-12", "2026-01", "2026-02")}
    np.testing.assert_allclose(at["2025-12"], 0.0, atol=0.01)
    np.testing.assert_allclose(at["2026-01"], -17_142.45, atol=0.05)
    np.testing.assert_allclose(at["2026-02"], -18_065.505, atol=0.05)
    cost = result.cost.groupby("year")["cost_idr"].sum()
    np.testing.assert_allclose(cost.loc[2025], 6 * 443_066_400)
    assert 2026 not in cost.index or cost.loc[2026] == 0
    assert result.running_cost.empty


def test_a_running_programme_costs_money_and_adds_no_persons_when_not_named():
    """The baseline scenario with Pergub 4/2023 in force: 443.066.400 a month, 30 months
    (2025-07..2027-12) = 13.291.992.000; active unchanged."""
    result = run_scenario(flat(), scenario(), regions=["61"], programmes=PROGRAMME)
    assert result.cost.empty  # the scenario's own levers cost nothing
    np.testing.assert_allclose(result.running_cost["cost_idr"].sum(), 30 * 443_066_400)
    assert set(result.running_cost["payer"]) == {"apbd_provinsi"}
    np.testing.assert_allclose(result.active_of("61", "2027-12"), 14 * ACTIVE)


def test_continuing_the_programme_explicitly_is_the_same_as_not_naming_it():
    cont = scenario("""  - kind: programme
    programme: pergub-kalbar-4-2023
    start: 2025-07
""")
    result = run_scenario(flat(), cont, regions=["61"])
    assert result.running_cost.empty  # named, so it is the scenario's lever
    np.testing.assert_allclose(result.cost["cost_idr"].sum(), 30 * 443_066_400)
    np.testing.assert_allclose(result.active_of("61", "2027-12"), 14 * ACTIVE)


def test_programme_action_and_scale_must_agree():
    with pytest.raises(InputError, match=r"lever 1 \(programme\), key 'scale': action stop means scale 0"):
        scenario(
            "  - {kind: programme, programme: pergub-kalbar-4-2023, action: stop, scale: 2, start: 2026-01}\n"
        )
    with pytest.raises(InputError, match="unknown programme 'nope'"):
        scenario("  - {kind: programme, programme: nope, start: 2026-01}\n")


# ---- village lever -------------------------------------------------------------------------------
def test_a_kota_with_no_desa_gets_no_village_persons_or_apbdes_cost():
    """Kota Pontianak (61.71): 29 kelurahan, 0 desa -> 0 persons, no cost. Kabupaten Sambas
    (61.01): 184 desa (regions.csv) x 15 x 0,8 = 2.208 persons; cost 2.208 x 16.800 a month."""
    tree = load_regions()
    assert int(tree.row("61.71")["desa"]) == 0
    desa = int(tree.row("61.01")["desa"])
    levers = """  - kind: village_officials
    region: "{code}"
    officials_per_village: 15
    enrolled_share: 0.8
    start: 2025-07
    unit_cost: 16800
"""
    kota = run_scenario(flat(), scenario(levers.format(code="61.71")), regions=["61.71"], programmes=[])
    np.testing.assert_allclose(kota.active_of("61.71", "2026-12"), ACTIVE)
    assert kota.cost["cost_idr"].sum() == 0
    kab = run_scenario(flat(), scenario(levers.format(code="61.01")), regions=["61.01"], programmes=[])
    np.testing.assert_allclose(kab.active_of("61.01", "2025-07") - ACTIVE, desa * 15 * 0.8, rtol=1e-6)
    np.testing.assert_allclose(kab.cost.query("year == 2025")["cost_idr"].sum(), 6 * desa * 15 * 0.8 * 16800)

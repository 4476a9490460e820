"""Issue 18: the village lever with officials already enrolled and the APBDes/ADD versus Dana Desa
split; levers carry their segment; scenario titles in Bahasa and English. Every expected number is
computed by hand in the comments."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest

from simulator.baseline import Baseline, fake_baseline
from simulator.engine import run_scenario
from simulator.errors import InputError
from simulator.levers import payer_shares, village_officials
from simulator.parameters import lever_defaults
from simulator.regions import load_regions
from simulator.scenario import (
    ContributionSubsidy,
    EmployerCompliance,
    InformalOutreach,
    VillageOfficials,
    WorkforceShock,
    parse_scenario,
    scenario_to_dict,
)

ACTIVE, EMPLOYED = 50_000.0, 150_000.0  # [persons] per kabupaten/kota
SAMBAS_DESA = 195  # regions.csv: Kabupaten Sambas (61.01), desa (kelurahan excluded)


@lru_cache(maxsize=1)
def flat() -> Baseline:
    return fake_baseline(load_regions(), ("2025-07", "2027-12"), 4, ACTIVE, EMPLOYED)


def scenario(levers: str, extra: str = ""):
    return parse_scenario(f"name: test\n{extra}horizon: 2027-12\nlevers:\n{levers}", source="test.yaml")


VILLAGE = """  - kind: village_officials
    region: "61.01"
    officials_per_village: 15
    enrolled_share: 0.8
    start: 2025-07
    unit_cost: 16800
{extra}"""


def test_village_function_by_hand():
    """Kalbar: 2.046 desa x 15 x 0,8 = 24.552 enrolled; a quarter already enrolled: 24.552 x 0,75 =
    18.414 new persons; cost 24.552 x 16.800 = 412.473.600 a month (the already enrolled are paid)."""
    effect = village_officials(
        np.array([2046.0]),
        15.0,
        np.array([0.8]),
        1,
        None,
        np.arange(2),
        16800.0,
        already_enrolled=np.array([0.25]),
    )
    np.testing.assert_allclose(effect.persons[0, 0], [18_414.0, 18_414.0])
    np.testing.assert_allclose(effect.cost[0], [412_473_600.0, 412_473_600.0])
    plain = village_officials(np.array([2046.0]), 15.0, np.array([0.8]), 1, None, np.arange(2), 16800.0)
    np.testing.assert_allclose(plain.persons[0, 0], [24_552.0, 24_552.0])


def test_already_enrolled_add_no_persons_but_cost():
    """Sambas: 195 desa x 15 x 0,8 = 2.340 enrolled; 25 % already enrolled -> 1.755 new persons.
    Cost Jul-Dec 2025: 6 x 2.340 x 16.800 = 235.872.000, the same as with none already enrolled."""
    assert int(load_regions().row("61.01")["desa"]) == SAMBAS_DESA
    result = run_scenario(
        flat(),
        scenario(VILLAGE.format(extra="    already_enrolled: 0.25\n")),
        regions=["61.01"],
        programmes=[],
    )
    np.testing.assert_allclose(result.active_of("61.01", "2025-08") - ACTIVE, 1_755.0, rtol=1e-6)
    np.testing.assert_allclose(result.cost.query("year == 2025")["cost_idr"].sum(), 235_872_000.0)


def test_dana_desa_pays_its_share_and_apbdes_the_rest():
    """dana_desa_share 0,4: of 235.872.000 in 2025, Dana Desa 94.348.800 and APBDes/ADD 141.523.200;
    2026: 12 x 2.340 x 16.800 = 471.744.000, of which Dana Desa 188.697.600."""
    result = run_scenario(
        flat(), scenario(VILLAGE.format(extra="    dana_desa_share: 0.4\n")), regions=["61.01"], programmes=[]
    )
    by = result.cost.groupby(["payer", "year"])["cost_idr"].sum()
    np.testing.assert_allclose(by[("dana_desa", 2025)], 94_348_800.0)
    np.testing.assert_allclose(by[("apbdes", 2025)], 141_523_200.0)
    np.testing.assert_allclose(by[("dana_desa", 2026)], 12 * 2_340 * 16_800 * 0.4)
    np.testing.assert_allclose(result.cost["cost_idr"].sum(), 30 * 2_340 * 16_800)  # split, not added


def test_payer_shares_table():
    assert payer_shares("apbdes") == [("apbdes", 1.0)]
    assert payer_shares("apbdes", 0.25) == [("apbdes", 0.75), ("dana_desa", 0.25)]
    assert payer_shares("apbdes", 1.0) == [("dana_desa", 1.0)]
    assert payer_shares("dana_desa", 0.3) == [("dana_desa", 1.0)]


def test_village_defaults_come_from_the_parameters_file():
    defaults = lever_defaults("village_officials", "2025-07")
    assert defaults["already_enrolled"] == 0.0 and defaults["dana_desa_share"] == 0.0


@pytest.mark.parametrize(
    "extra, message",
    [
        ("    already_enrolled: 1.5\n", "key 'already_enrolled': expected a share between 0 and 1"),
        ("    dana_desa_share: [0.1, 0.2]\n", "key 'dana_desa_share': expected a share between 0 and 1"),
    ],
)
def test_bad_village_keys_are_refused(extra, message):
    with pytest.raises(InputError, match=message):
        scenario(VILLAGE.format(extra=extra))


# ---- segments ------------------------------------------------------------------------------------
def test_each_lever_kind_carries_its_segment():
    assert ContributionSubsidy.segment == "BPU" and InformalOutreach.segment == "BPU"
    assert EmployerCompliance.segment == "PU" and VillageOfficials.segment == "PU"
    assert WorkforceShock.segment == ""
    stop = scenario("  - {kind: programme, programme: pergub-kalbar-4-2023, action: stop, start: 2026-01}\n")
    assert stop.levers[0].segment == "BPU"  # data/programmes.yaml


def test_the_contribution_table_names_each_levers_segment():
    text = (
        VILLAGE.format(extra="")
        + """  - kind: employer_compliance
    region: "61.01"
    workers: 1000
    start: 2025-07
  - kind: workforce_shock
    region: "61.01"
    change: -0.01
    start: 2025-07
"""
    )
    result = run_scenario(flat(), scenario(text), regions=["61.01"], programmes=[])
    steps = result.waterfall(["61.01"], ["2025-08"]).set_index("lever")
    assert steps["segment"].to_dict() == {
        "baseline": "ALL",
        "village_officials": "PU",
        "employer_compliance": "PU",
        "workforce_shock": "ALL",
    }
    # 2.340 officials + 1.000 workers, all PU
    np.testing.assert_allclose(
        steps.loc[["village_officials", "employer_compliance"], "persons"].sum(), 3_340.0
    )


# ---- titles --------------------------------------------------------------------------------------
def test_title_in_both_languages_round_trips():
    s = scenario("  []\n", extra="title: {id: Uji coba, en: Trial}\n")
    assert (s.title("id"), s.title("en")) == ("Uji coba", "Trial")
    assert scenario_to_dict(s)["title"] == {"id": "Uji coba", "en": "Trial"}
    assert scenario("  []\n").title("en") == "test"  # no title: the name


@pytest.mark.parametrize("title", ["{id: Uji coba}", "Uji coba", "{id: a, en: b, fr: c}"])
def test_a_title_needs_both_languages(title):
    with pytest.raises(InputError, match="key 'title': expected a mapping with keys id, en"):
        scenario("  []\n", extra=f"title: {title}\n")


def test_every_shipped_scenario_has_both_titles():
    from pathlib import Path

    from simulator.scenario import load_scenario

    files = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml"))
    assert files
    for path in files:
        s = load_scenario(path)
        assert s.title_id and s.title_en and s.title_id != s.title_en, path.name

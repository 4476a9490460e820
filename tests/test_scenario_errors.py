"""Bad scenario files: one table, each with the exact one-line error it must raise."""

from __future__ import annotations

from functools import lru_cache

import pytest

from simulator.baseline import Baseline, fake_baseline
from simulator.engine import run_scenario
from simulator.errors import InputError
from simulator.regions import load_regions
from simulator.scenario import load_scenario

HEAD = "name: bad\nhorizon: 2027-12\nlevers:\n"
SUBSIDY = {
    "kind": "contribution_subsidy",
    "region": '"61"',
    "headcount": "26373",
    "start": "2025-07",
    "months": "12",
    "payer": "apbd_provinsi",
}


def lever(**changes: str | None) -> str:
    """A valid subsidy lever as YAML with keys changed (value None drops the key)."""
    keys = {**SUBSIDY, **changes}
    lines = [f"{k}: {v}" for k, v in keys.items() if v is not None]
    return "  - " + "\n    ".join(lines) + "\n"


def two_levers(**changes: str | None) -> str:
    """Lever 1 valid, lever 2 with the changes."""
    return HEAD + lever() + lever(**changes)


@lru_cache(maxsize=1)
def baseline() -> Baseline:
    """History ends 2025-06; projection 2025-07 .. 2027-12."""
    return fake_baseline(load_regions(), ("2025-07", "2027-12"), 2, 50_000, 150_000)


CASES = [
    (
        "unknown key",
        two_levers(headcont="5"),
        "bad.yaml: lever 2 (contribution_subsidy), key 'headcont': unknown key; expected one of "
        "already_covered, "
        "end, headcount, kind, label, lapse, months, payer, ramp_months, reference, region, retention_after, "
        "start, unit_cost",
    ),
    (
        "unknown top-level key",
        HEAD.replace("levers:", "levrs:") + lever(),
        "bad.yaml: unknown key 'levrs'; expected one of name, title, description, base, horizon, "
        "levers, targets, sweep",
    ),
    (
        "unknown lever kind",
        two_levers(kind="subsidy"),
        "bad.yaml: lever 2, key 'kind': expected one of contribution_subsidy, village_officials, "
        "employer_compliance, informal_outreach, workforce_shock, programme, got 'subsidy'",
    ),
    (
        "unknown region",
        two_levers(region="Atlantis"),
        "bad.yaml: lever 2 (contribution_subsidy), key 'region': unknown region 'Atlantis': expected a "
        "Kemendagri code or name (see `python -m simulator regions`)",
    ),
    (
        "unknown region code",
        two_levers(region='"61.99"'),
        "bad.yaml: lever 2 (contribution_subsidy), key 'region': unknown region '61.99': expected a "
        "Kemendagri code or name (see `python -m simulator regions`)",
    ),
    (
        "unquoted decimal region code",
        two_levers(region="61.10"),
        "bad.yaml: lever 2 (contribution_subsidy), key 'region': expected a quoted region code or "
        "name such as "
        "'61' or '61.10', got 61.1",
    ),
    (
        "pattern under a kabupaten",
        two_levers(region='"61.01.*"'),
        "bad.yaml: lever 2 (contribution_subsidy), key 'region': expected 'NN.*' with NN a province or '00', "
        "got '61.01.*'",
    ),
    (
        "negative headcount",
        two_levers(headcount="-5"),
        "bad.yaml: lever 2 (contribution_subsidy), key 'headcount': expected a non-negative number, got -5",
    ),
    (
        "headcount as text",
        two_levers(headcount="many"),
        "bad.yaml: lever 2 (contribution_subsidy), key 'headcount': expected a non-negative number, "
        "got 'many'",
    ),
    (
        "share above 1",
        two_levers(already_covered="1.2"),
        "bad.yaml: lever 2 (contribution_subsidy), key 'already_covered': expected a share between 0 and 1, "
        "got 1.2",
    ),
    (
        "range reversed",
        two_levers(retention_after="[0.5, 0.2]"),
        "bad.yaml: lever 2 (contribution_subsidy), key 'retention_after': expected a range [low, high] with "
        "0 <= low <= high <= 1, got [0.5, 0.2]",
    ),
    (
        "unknown distribution",
        two_levers(lapse="{dist: normal, mean: 0.1}"),
        "bad.yaml: lever 2 (contribution_subsidy), key 'lapse': expected 'dist' one of uniform, beta, "
        "triangular, "
        "got 'normal'",
    ),
    (
        "beta with a bad parameter",
        two_levers(lapse="{dist: beta, a: 0, b: 2}"),
        "bad.yaml: lever 2 (contribution_subsidy), key 'lapse': expected beta a > 0 and b > 0, "
        "got {'dist': 'beta', 'a': 0, 'b': 2}",
    ),
    (
        "months zero",
        two_levers(months="0"),
        "bad.yaml: lever 2 (contribution_subsidy), key 'months': expected a whole number of months >= "
        "1, got 0",
    ),
    (
        "end before start",
        two_levers(months=None, end="2025-03"),
        "bad.yaml: lever 2 (contribution_subsidy), key 'end': expected a month not before start 2025-07, "
        "got 2025-03",
    ),
    (
        "end disagrees with months",
        two_levers(end="2025-12"),
        "bad.yaml: lever 2 (contribution_subsidy), key 'end': 2025-12 gives 6 months but 'months' says 12",
    ),
    (
        "bad start month",
        two_levers(start="2025-13"),
        "bad.yaml: lever 2 (contribution_subsidy), key 'start': expected a month 'YYYY-MM', got '2025-13'",
    ),
    (
        "unknown payer",
        two_levers(payer="apbd"),
        "bad.yaml: lever 2 (contribution_subsidy), key 'payer': expected one of apbn, apbd_provinsi, "
        "apbd_kabkota, apbdes, dana_desa, employer, worker, got 'apbd'",
    ),
    (
        "missing required lever key",
        two_levers(headcount=None),
        "bad.yaml: lever 2 (contribution_subsidy), key 'headcount': required key is missing",
    ),
    ("missing horizon", "name: bad\nlevers: []\n", "bad.yaml: key 'horizon': required key is missing"),
    (
        "bad horizon",
        "name: bad\nhorizon: next year\nlevers: []\n",
        "bad.yaml: key 'horizon': expected a month 'YYYY-MM', got 'next year'",
    ),
    (
        "workforce shock below -100 %",
        HEAD + "  - kind: workforce_shock\n    region: '61'\n    start: 2025-07\n    change: -1.5\n",
        "bad.yaml: lever 1 (workforce_shock), key 'change': expected a fraction between -1 "
        "(exclusive) and 1, "
        "got -1.5",
    ),
    (
        "cost key on a workforce shock",
        HEAD + "  - kind: workforce_shock\n    region: '61'\n    start: 2025-07\n    change: -0.1\n    "
        "payer: apbn\n",
        "bad.yaml: lever 1 (workforce_shock), key 'payer': unknown key; expected one of change, kind, label, "
        "ramp_months, reference, region, start",
    ),
    (
        "target share above 1",
        "name: bad\nhorizon: 2027-12\ntargets:\n  - {region: '61', year: 2025, coverage: 59.56}\n",
        "bad.yaml: target 1, key 'coverage': expected a share between 0 and 1, got 59.56",
    ),
    (
        "target definition not text (it was reported as key 'coverage')",
        "name: bad\nhorizon: 2027-12\ntargets:\n"
        "  - {region: '61', year: 2025, coverage: 0.5, definition: [a]}\n",
        "bad.yaml: target 1, key 'definition': expected text, got ['a']",
    ),
    (
        "levers not a list",
        "name: bad\nhorizon: 2027-12\nlevers: {kind: contribution_subsidy}\n",
        "bad.yaml: key 'levers': expected a list of levers, got {'kind': 'contribution_subsidy'}",
    ),
    (
        "top level not a mapping",
        "- just\n- a list\n",
        "bad.yaml: expected a mapping with keys name, horizon, levers, got list",
    ),
    (
        "YAML syntax error",
        HEAD + "  - kind: contribution_subsidy\n    region: [61\n",
        "bad.yaml: YAML syntax error at line 6, column 1: expected ',' or ']', but got '<stream end>'",
    ),
    ("duplicate key", HEAD + lever(months="12\n    months: 6"), "bad.yaml: line 9: duplicate key 'months'"),
    (
        "python object tag",
        HEAD + "  - !!python/object/apply:os.system ['echo hi']\n",
        "bad.yaml: line 4: tag '!!python/object/apply:os.system' is not allowed; scenario files hold plain "
        "data only (numbers, text, lists, mappings)",
    ),
    ("empty file", "", "bad.yaml: file is empty; expected a mapping with keys name, horizon, levers"),
    (
        "only a comment",
        "# nothing here\n",
        "bad.yaml: file is empty; expected a mapping with keys name, horizon, levers",
    ),
    (
        "file too large",
        HEAD + "# " + "x" * 1_000_000 + "\n",
        "bad.yaml: file is 1000038 bytes; scenario files are limited to 1 MB",
    ),
    ("not UTF-8", b"name: \xff\xfe\n", "bad.yaml: expected UTF-8 text"),
    (
        "horizon before the data ends",
        "name: bad\nhorizon: 2025-03\nlevers: []\n",
        "bad.yaml: key 'horizon': expected a month after the last observed month 2025-06, got 2025-03",
    ),
    (
        "horizon beyond the projection",
        "name: bad\nhorizon: 2031-01\nlevers: []\n",
        "bad.yaml: key 'horizon': expected a month up to the end of the baseline 2027-12, got 2031-01",
    ),
]


@pytest.mark.parametrize(("text", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_scenario_raises_one_exact_line(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        scenario = load_scenario(path)
        run_scenario(baseline(), scenario)  # horizon checks need a baseline
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match=r"^nope\.yaml: cannot read the file"):
        load_scenario(tmp_path / "nope.yaml")

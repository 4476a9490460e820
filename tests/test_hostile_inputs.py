"""Hostile inputs (tests/hostile_cases.py): every data file and scenario text is refused with one
line naming the file, row, column or key, or accepted, the same way through the library, the
command line (exit code 2, no traceback) and the app's loaders (uploads and ``u=`` links).
bench/hostile_suite.py runs the same table one process per input and prints time and memory."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest
from hostile_cases import OK, data_cases, link_token_cases, scenario_cases

from simulator import cli
from simulator.errors import MAX_MESSAGE, InputError
from simulator.loaders import ACTIVE_EMPLOYED_LIMIT, load_data, load_upload, upload_name
from simulator.regions import DATA_DIR
from simulator.scenario import parse_scenario
from simulator.share import decode_scenario, encode_scenario

DATA = {c.id: c for c in data_cases()}
SCENARIOS = {c.id: c for c in scenario_cases()}


def test_the_suite_is_large_enough():
    assert len(DATA) >= 60 and len(SCENARIOS) + len(link_token_cases()) >= 50
    assert sum(c.expect != OK for c in DATA.values()) >= 50


def _one_line(message: str, pattern: str) -> None:
    assert "\n" not in message and len(message) <= MAX_MESSAGE
    assert re.search(pattern, message), message


@pytest.mark.parametrize("case_id", list(DATA))
def test_data_file_as_upload(case_id):
    case = DATA[case_id]
    if case.expect == OK:
        frame = load_upload(case.data, case.name, case.kind)
        assert len(frame) >= 1
        return
    with pytest.raises(InputError) as err:
        load_upload(case.data, case.name, case.kind)
    _one_line(str(err.value), case.expect)
    assert str(err.value).startswith(upload_name(case.name))


@pytest.mark.parametrize("case_id", list(DATA))
def test_data_file_through_validate(case_id, tmp_path, capsys):
    """``validate`` refuses exactly what the Data page refuses (one loader, one set of checks)."""
    case = DATA[case_id]
    path = tmp_path / upload_name(case.name)
    path.write_bytes(case.data)
    code = cli.main(["validate", str(path)])
    err = capsys.readouterr().err
    if case.expect == OK:
        assert code == 0, err
        return
    assert code == 2
    assert err.startswith(f"error: {path.name}") and err.count("\n") == 1, err
    if path.suffix == ".xlsx" or case.id.startswith(
        ("trailing", "unterminated", "count", "month", "employed", "history")
    ):
        _one_line(err.removeprefix("error: ").rstrip("\n"), case.expect)


@pytest.mark.parametrize("case_id", list(SCENARIOS))
def test_scenario_text_as_file(case_id, tmp_path, capsys):
    case = SCENARIOS[case_id]
    path = tmp_path / "hostile.yaml"
    path.write_bytes(case.text if isinstance(case.text, bytes) else case.text.encode("utf-8"))
    if case.expect == OK:
        assert parse_scenario(case.text, source="hostile.yaml").name
        return
    code = cli.main(["run", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: hostile.yaml") and err.count("\n") == 1, err
    _one_line(err.removeprefix("error: ").rstrip("\n"), case.expect)


@pytest.mark.parametrize("case_id", [c.id for c in scenario_cases() if c.link and isinstance(c.text, str)])
def test_scenario_text_as_link(case_id):
    case = SCENARIOS[case_id]
    try:
        token = encode_scenario(case.text)
    except InputError as err:  # too long for a link: the sharing side refuses it
        assert "too long to share in a link" in str(err)
        return
    text = decode_scenario(token)
    if case.expect == OK:
        assert parse_scenario(text, source="link").name
        return
    with pytest.raises(InputError) as err:
        parse_scenario(text, source="link")
    _one_line(str(err.value), case.expect)
    assert str(err.value).startswith("link")


@pytest.mark.parametrize(
    ("token", "expect"), [c[1:] for c in link_token_cases()], ids=[c[0] for c in link_token_cases()]
)
def test_damaged_link_tokens(token, expect):
    with pytest.raises(InputError) as err:
        decode_scenario(token)
    _one_line(str(err.value), expect)


def test_input_error_is_one_short_line():
    err = InputError("a.yaml: bad value " + "x" * 10_000 + "\nsecond line")
    assert len(str(err)) == MAX_MESSAGE and "\n" not in str(err) and str(err).endswith("...")


# ---- the checks across files: the same for validate and the Data page ---------------------------
@lru_cache(maxsize=1)
def bundled():
    return load_data(DATA_DIR)


def _workforce_with(region: str, factor: float) -> bytes:
    """The bundled workforce with ``region``'s employed divided so active is ``factor`` times it."""
    panel = bundled()
    wf = panel.workforce.copy()
    active = panel.history.groupby(["region_code", "ds"])["active"].sum()
    rows = wf["region_code"].eq(region) & wf["period"].isin(active.loc[region].index)
    months = wf.loc[rows, "period"]
    wf.loc[rows, "employed"] = np.maximum(
        1, (active.loc[region].loc[months].to_numpy() / factor).astype(np.int64)
    )
    return (
        wf[["region_code", "period", "employed"]]
        .assign(period=lambda f: f["period"].dt.strftime("%Y-%m"))
        .to_csv(index=False)
        .encode()
    )


def _folder_with(tmp_path, workforce: bytes):
    (tmp_path / "history_illustrative.csv").write_bytes((DATA_DIR / "history_illustrative.csv").read_bytes())
    (tmp_path / "workforce.csv").write_bytes(workforce)
    return tmp_path


def test_active_20_times_employed_is_refused_by_both(tmp_path, capsys):
    workforce = _workforce_with("61.01", 20)
    with pytest.raises(InputError) as upload:
        load_upload(workforce, "workforce.csv", "workforce", base=bundled())
    assert re.search(
        r"region 61\.01 has .* 20(,0)? times the .* employed in workforce\.csv row \d+: expected at most "
        r"5 times the employed$",
        str(upload.value),
    ), str(upload.value)
    assert cli.main(["validate", str(_folder_with(tmp_path, workforce))]) == 2
    assert "region 61.01" in capsys.readouterr().err


def test_active_twice_employed_is_accepted_with_a_warning_naming_the_region(tmp_path, capsys):
    """Issue 18: BPJS counts workers where the employer is, so a city can have more active
    participants than employed residents; within ACTIVE_EMPLOYED_LIMIT it is a warning."""
    assert ACTIVE_EMPLOYED_LIMIT == 5.0
    workforce = _workforce_with("31.71", 2)
    frame = load_upload(workforce, "workforce.csv", "workforce", base=bundled())
    (warning,) = frame.attrs["warnings"]
    assert (
        "in 1 region(s) (31.71 Kota Administrasi Jakarta Pusat)" in warning
        and "at most 2,00 times" in warning
    ), warning
    assert cli.main(["validate", str(_folder_with(tmp_path, workforce))]) == 0
    out = capsys.readouterr().out
    assert out.count("warning: ") == 1 and "31.71" in out
    panel = load_data(tmp_path)
    assert panel.warnings == (warning.replace("workforce.csv", "workforce.csv"),)


def test_bundled_data_has_no_warnings():
    assert bundled().warnings == ()


def test_workforce_missing_a_kabupaten_is_refused_by_both(tmp_path, capsys):
    wf = pd.read_csv(DATA_DIR / "workforce.csv", dtype=str)
    text = wf[wf["region_code"] != "61.72"].to_csv(index=False).encode()
    with pytest.raises(InputError) as upload:
        load_upload(text, "workforce.csv", "workforce", base=bundled())
    expected = (
        "workforce.csv: column region_code: 1 kabupaten/kota missing (61.72 Kota Singkawang): expected every "
        "kabupaten/kota of the history"
    )
    assert str(upload.value) == expected
    assert cli.main(["validate", str(_folder_with(tmp_path, text))]) == 2
    assert capsys.readouterr().err == f"error: {expected}\n"


# ---- plausibility of lever values against the baseline --------------------------------------------
def _fake():
    from simulator.baseline import fake_baseline
    from simulator.regions import load_regions

    return fake_baseline(load_regions(), ("2025-07", "2027-12"), 2, 50_000, 150_000)


def test_a_lever_starting_after_the_horizon_is_refused_with_the_reason():
    from hostile_cases import HEAD, lever

    from simulator.engine import run_scenario

    scenario = parse_scenario(HEAD + lever(start="2028-01"), source="late.yaml")
    with pytest.raises(InputError) as err:
        run_scenario(_fake(), scenario)
    assert str(err.value) == (
        "late.yaml: lever 1 (contribution_subsidy), key 'start': 2028-01 is after the horizon "
        "2027-12, so the lever would do nothing: expected a start up to 2027-12"
    )


def test_a_headcount_above_the_workforce_is_run_with_a_warning_naming_the_lever():
    from hostile_cases import HEAD, lever

    from simulator.scenario import lever_warnings

    base = _fake()
    workforce = float(base.employed[base.regions.index("61")].max())
    big = parse_scenario(HEAD + lever(headcount=str(int(workforce) + 1)), source="big.yaml")
    (warning,) = lever_warnings(big, base)
    assert warning.startswith("big.yaml: lever 1 (contribution_subsidy), key 'headcount': ")
    assert f"largest projected workforce of 61 ({workforce:,.0f} employed)" in warning
    assert (
        lever_warnings(parse_scenario(HEAD + lever(headcount=str(int(workforce))), source="ok.yaml"), base)
        == ()
    )

"""AppTest: every page renders without exception on the bundled data, and key interactions change
the outputs they should. The baseline uses 200 paths here (SIMULATOR_PATHS) to keep the suite fast;
it is computed once per test session and cached on disk like in the app."""

import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("SIMULATOR_PATHS", "200")

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = ["ringkasan", "wilayah", "bandingkan", "anggaran", "data", "model", "daftar_wilayah"]


def _app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=900).run()
    if page:
        at.switch_page(f"app_pages/{page}.py").run()
    return at


def _open(page: str, params: dict) -> AppTest:
    """A new session opening ``/page?params`` directly, as a browser opening a shared address."""
    at = AppTest.from_file(APP, default_timeout=900)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"app_pages/{page}.py")
    return at.run()


def _metric(at: AppTest, label_start: str) -> str:
    for m in at.metric:
        if m.label.startswith(label_start):
            return m.value
    raise AssertionError(f"no metric starting with {label_start!r}: {[m.label for m in at.metric]}")


def _card(at: AppTest, key: str, n: int = 0) -> str:
    """The ``n``-th headline card's figure ``key`` (target, median, probability, gap, status), as shown."""
    found = []
    for md in at.markdown:
        found += re.findall(rf'data-k="{key}"[^>]*>([^<]*)<', md.value)
    assert len(found) > n, f"no headline figure {key!r} number {n}: {found}"
    return found[n].strip()


def _percent_id(text: str) -> float:
    """ "45,34 %" -> 0.4534 (Indonesian format only: fails on "45.34%")."""
    match = re.fullmatch(r"(\d{1,3}(?:\.\d{3})*),(\d+) %", text) or re.fullmatch(r"(\d+) %", text)
    assert match, f"not an Indonesian percentage: {text!r}"
    whole = match.group(1).replace(".", "")
    frac = match.group(2) if match.lastindex == 2 else "0"
    return float(f"{whole}.{frac}") / 100


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_banner(page):
    at = _app(page)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("Data ilustratif" in w.value for w in at.warning)
    assert at.title[0].value == "Simulator Cakupan BPJS Ketenagakerjaan"


def test_overview_headlines_in_indonesian_format_and_language_switch():
    at = _app()
    prob = _card(at, "probability")
    assert 0.0 <= _percent_id(prob) <= 1.0
    import pandas as pd

    from simulator import fmt
    from simulator.regions import DATA_DIR

    targets = pd.read_csv(DATA_DIR / "targets.csv", dtype={"region_code": str})
    national = targets.loc[(targets["region_code"] == "00") & (targets["year"] == 2025), "coverage"].iloc[0]
    assert _card(at, "target") == fmt.percent(
        national
    )  # the national RPJMN target for 2025, in the card itself
    assert _card(at, "status") in {"sesuai jalur", "berisiko", "di luar jalur"}
    assert len(at.dataframe) >= 1
    at.sidebar.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "BPJS Ketenagakerjaan Coverage Simulator"
    assert any("Illustrative data" in w.value for w in at.warning)
    value = _card(at, "probability")
    assert re.fullmatch(r"\d+%", value), value
    assert at.query_params["lang"] == "en"


def test_overview_province_lists_its_kabupaten_kota():
    at = _app()
    at.selectbox(key="ov_province").set_value("61").run()
    assert not at.exception
    table = next(df.value for df in at.dataframe if "Kode" in df.value.columns)  # after the cost table
    codes = set(table.iloc[:, 0])
    assert {"00", "61", "61.01", "61.72"} <= codes
    assert len(codes) == 2 + 14


def test_bigger_subsidy_raises_probability_on_region_page():
    at = _app("wilayah")
    at.selectbox(key="rg_region").set_value("61.72").run()  # Kota Singkawang, assessed on Kalbar's targets
    assert not at.exception
    p0 = _percent_id(_card(at, "probability"))
    m0 = _percent_id(_card(at, "median").split(" ")[0] + " %")
    at.select_slider(key="rg_headcount").set_value(40_000).run()
    assert not at.exception
    p1 = _percent_id(_card(at, "probability"))
    m1 = _percent_id(_card(at, "median").split(" ")[0] + " %")
    assert m1 > m0
    assert p1 > p0


def test_region_levers_show_counts_and_shares_in_the_language_format():
    at = _app("wilayah")
    at.selectbox(key="rg_region").set_value("61").run()
    assert not at.exception
    headcount = at.select_slider(key="rg_headcount")
    assert headcount.value == 0  # Kalbar's 26.373 are a programme in force, not a new subsidy
    assert "300.000" in headcount.options and "1.000" in headcount.options
    retention = at.slider(key="rg_retention")
    assert retention.value == 35 and retention.proto.format == "%d %%"  # shown as "35 %", read as 0,35
    at.sidebar.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert "300,000" in at.select_slider(key="rg_headcount").options
    assert at.slider(key="rg_retention").proto.format == "%d%%"  # "35%", as the English tables write it


@pytest.mark.parametrize("name,banner", [("history_illustrative.csv", True), ("history-2025.csv", False)])
def test_an_uploaded_history_is_real_data_unless_its_name_says_illustrative(name, banner):
    # what the Data page's "Pakai data ini" stores (AppTest cannot drive a file upload)
    from simulator.loaders import load_table
    from simulator.projection import data_hash
    from simulator.regions import DATA_DIR

    history = load_table(DATA_DIR / "history_illustrative.csv", "history")
    at = AppTest.from_file(APP, default_timeout=900)
    at.session_state["use_history"] = history
    at.session_state["hash_history"] = data_hash(history)
    at.session_state["name_history"] = name
    at.run()
    assert not at.exception
    assert any("Data ilustratif" in w.value for w in at.warning) is banner


@pytest.mark.parametrize(
    "code,payer,paid_2025",
    [
        ("00", "APBN", "Rp4.200.000.000"),
        # Kalbar's own budget also pays the programme in force: 6 months x 26.373 x Rp16.800 = Rp2.658.398.400
        ("61", "APBD provinsi", "Rp6.858.398.400"),
        ("61.01", "APBD kabupaten/kota", "Rp4.200.000.000"),
    ],
)
def test_region_page_subsidy_is_paid_by_that_level_of_government(code, payer, paid_2025):
    at = _app("wilayah")
    at.selectbox(key="rg_region").set_value(code).run()
    at.select_slider(key="rg_headcount").set_value(50_000).run()
    assert not at.exception
    costs = next(df.value for df in at.dataframe if "Pembayar" in df.value.columns)
    assert costs["Pembayar"].iloc[0] == payer
    assert set(costs["Kelompok"]) == {
        "Anggaran pemerintah"
    }  # a government budget, apart from own contributions
    # 50.000 workers x Rp16.800 a month, ramped over 3 months from 2025-07 (1/3, 2/3, then all):
    # 2025 pays (1/3 + 2/3 + 1 + 1 + 1 + 1) x 50.000 x 16.800 = Rp4.200.000.000
    assert costs["2025"].iloc[0] == "Rp4.200.000.000"
    if code == "61":  # the programme in force on its own row, then the government total
        assert costs["Pembayar"].tolist()[1:] == [
            "APBD provinsi – program berjalan: Bantuan iuran Pemprov Kalbar (Pergub 4/2023)",
            "Jumlah anggaran pemerintah",
        ]
        assert costs["2025"].tolist()[1:] == ["Rp2.658.398.400", paid_2025]
    else:
        assert len(costs) == 1


def _library_status(scenario_file: str, code: str):
    """The status rows of ``code`` for a scenario file, computed by the library the way the app does
    (same baseline settings as the app under test, official targets inherited, tested reliability)."""
    from app_pages.state import HORIZON, PATHS, around
    from simulator.calibrate import status_with_reliability
    from simulator.engine import run_scenario
    from simulator.loaders import load_data
    from simulator.projection import project_baseline
    from simulator.regions import DATA_DIR, load_regions
    from simulator.scenario import parse_scenario
    from simulator.targets import status_table

    tree = load_regions()
    panel = load_data(DATA_DIR)
    baseline, _ = project_baseline(panel.history, panel.workforce, horizon=HORIZON, paths=PATHS)
    text = (Path(APP).parent / "scenarios" / scenario_file).read_text(encoding="utf-8")
    result = run_scenario(
        baseline, parse_scenario(text, source=scenario_file, tree=tree), seed=0, regions=around(code)
    )
    status = status_table(result, panel.targets, codes=around(code), tree=tree, workforce=panel.workforce)
    status = status_with_reliability(status, result, tree)
    return result, status[status["region_code"] == code].set_index("year")


def _programme_figures(at: AppTest) -> dict[str, str]:
    """The Region page's programme figures, label -> value as shown."""
    import html

    found = {}
    for md in at.markdown:
        for label, value in re.findall(
            r'sim-fig-label">([^<]*)</div><div class="sim-fig-value" data-p="[^"]*">([^<]*)<', md.value
        ):
            found[html.unescape(label)] = html.unescape(value)
    assert found, "no programme figures on the page"
    return found


def test_region_page_shows_the_programme_in_force_as_such_and_never_adds_it_again():
    from simulator import fmt

    at = _open("wilayah", {"wilayah": "61"})
    assert not at.exception
    assert at.radio(key="rg_pg0_action").value == "continue"
    assert any("26.373 orang, Rp16.800 per orang per bulan, APBD provinsi" in c.value for c in at.caption)
    assert at.query_params["program"] == "continue" and at.query_params["bantuan"] == "0"
    _, base = _library_status("baseline.yaml", "61")  # the baseline already holds the 26.373 members
    row = base.loc[2025]
    assert _card(at, "median") == fmt.percent(row["median"])
    assert _card(at, "probability") == fmt.percent(row["probability"], 0)
    assert _card(at, "gap") == fmt.number(row["gap_persons"])


def test_stopping_the_programme_on_the_region_page_shows_what_is_lost_and_saved():
    from simulator import fmt
    from simulator.views import programme_persons

    at = _open("wilayah", {"wilayah": "61"})
    at.radio(key="rg_pg0_action").set_value("stop").run()  # from January 2026, 35 % keep paying: the defaults
    assert not at.exception
    address = {k: at.query_params[k] for k in at.query_params}
    assert (address["program"], address["program_mulai"], address["program_bertahan"]) == (
        "stop",
        "2026-01",
        "35",
    )
    # the same as the bundled scenario kalbar-subsidy-stop-2026 (retention 0,35, lapse 0,03 a month)
    result, stop = _library_status("kalbar-subsidy-stop-2026.yaml", "61")
    _, base = _library_status("baseline.yaml", "61")
    lost = programme_persons(result, "61", "2026-12")["persons"].iloc[0]
    assert (
        -26_373 < lost < -26_373 * 0.65 + 1
    )  # at most 26.373 x (1 - 0,35) lost at once, some of the kept lapse
    metrics = _programme_figures(at)
    assert metrics["Perubahan peserta, Des 2026 (median)"] == fmt.number(lost)
    saved = at.dataframe[0].value
    assert saved.columns.tolist() == ["Tahun", "Pembayar", "Jika berjalan terus", "Pilihan ini", "Dihemat"]
    by_year = dict(zip(saved["Tahun"], saved["Dihemat"], strict=False))
    assert by_year["2025"] == "Rp0" and by_year["2026"] == "Rp5.316.796.800"  # 12 x Rp443.066.400
    assert set(saved["Pembayar"]) == {"APBD provinsi"}
    # to the projection's end (Dec 2030): 60 months without it x 26.373 x Rp16.800 = Rp26.583.984.000
    assert metrics["Biaya dihemat s.d. Des 2030"] == fmt.rupiah(60 * 443_066_400, short=True) == "Rp26,58 M"
    assert (
        metrics["Median cakupan, Des 2026"]
        == f"{fmt.percent(base.loc[2026, 'median'])} → {fmt.percent(stop.loc[2026, 'median'])}"
    )
    assert metrics["Peluang capai target 2026"] == (
        f"{fmt.percent(base.loc[2026, 'probability'], 0)} → {fmt.percent(stop.loc[2026, 'probability'], 0)}"
    )
    assert stop.loc[2026, "median"] < base.loc[2026, "median"]
    shared = _open("wilayah", address)  # the copied address gives the same answer in a new session
    assert not shared.exception
    assert shared.radio(key="rg_pg0_action").value == "stop"
    assert _programme_figures(shared) == metrics


def test_a_region_plan_saved_under_any_name_joins_the_comparison_once():
    at = _app("wilayah")
    at.selectbox(key="rg_region").set_value("61").run()
    name = "rencana: Kalbar #2"  # YAML would misread this written as plain text after "name: "
    assert not [w for w in at.text_input if w.key == "rg_name"]  # closed: not drawn
    at.session_state["rg_save"] = True  # the planner opens "save as a scenario"
    at.run()
    at.text_input(key="rg_name").set_value(name).run()
    at.button(key="rg_add").click().run()
    assert not at.exception
    at.switch_page("app_pages/bandingkan.py").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.multiselect(key="cmp_names").value == ["baseline", "kalbar-pergub-2025", name]
    table = at.dataframe[0].value
    assert "Kalbar: rencana gabungan menuju target Pergub 2025" in set(
        table.iloc[:, 0]
    )  # titles, not file names
    assert name in set(table.iloc[:, 0])
    at.multiselect(key="cmp_names").unselect(name).run()  # taken out, it stays out
    at.selectbox(key="cmp_region").set_value("61.01").run()
    assert name not in at.multiselect(key="cmp_names").value


def test_compare_page_reads_scenarios_from_the_url_and_writes_them_back():
    at = _open("bandingkan", {"b": ["baseline", "kalbar-subsidy-2025"]})
    assert not at.exception
    assert at.multiselect(key="cmp_names").value == ["baseline", "kalbar-subsidy-2025"]
    table = at.dataframe[0].value
    assert list(dict.fromkeys(table.iloc[:, 0])) == [
        "Proyeksi dasar (program berjalan, tanpa kebijakan baru)",
        "Kalbar: bantuan iuran 2025 (26.373 pekerja)",
    ]
    assert at.query_params["b"] == ["baseline", "kalbar-subsidy-2025"] and at.query_params["wilayah"] == "61"


def test_model_page_shows_backtest_figures():
    at = _app("model")
    assert not at.exception
    mase = _metric(at, "MASE rata-rata (model terpilih)")
    assert re.fullmatch(r"\d+,\d{3}", mase), mase


def _number_id(text: str) -> int:
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*", text), f"not an Indonesian whole number: {text!r}"
    return int(text.replace(".", ""))


def test_budget_solve_needs_more_for_a_higher_probability():
    at = _app("anggaran")
    at.selectbox(key="bg_region").set_value("61.72").run()
    assert not at.exception
    assert "59,56 %" in [
        c.value for c in at.caption
    ]  # Kalbar's Pergub 2025 target, echoed in Indonesian format
    at.slider(key="bg_probability").set_value(50).run()
    low = _number_id(_metric(at, "Jumlah pekerja dibantu"))
    at.slider(key="bg_probability").set_value(80).run()  # at 95 % enrolment capacity binds (not reachable)
    high = _number_id(_metric(at, "Jumlah pekerja dibantu"))
    assert high > low > 0


def test_budget_allocate_more_budget_reaches_no_fewer_regions():
    at = _app("anggaran")
    at.radio(key="bg_mode").set_value("allocate").run()
    assert not at.exception
    reached = [int(_metric(at, "Wilayah mencapai target").split(" / ")[0])]
    at.text_input(key="bg_budget__id").set_value("Rp100 M").run()
    assert not at.exception
    reached.append(int(_metric(at, "Wilayah mencapai target").split(" / ")[0]))
    assert reached[1] >= reached[0]
    assert _metric(at, "Wilayah mencapai target").endswith("/ 14")


def test_overview_offers_the_leadership_reports():
    at = _app()
    at.selectbox(key="ov_province").set_value("61").run()
    assert not at.exception
    assert "Unduh buku kerja Excel" not in [b.proto.label for b in at.get("download_button")]  # closed
    at.session_state["ov_reports"] = True  # the leader opens "reports"
    at.run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Unduh buku kerja Excel" in labels
    assert "Unduh ringkasan (HTML, siap cetak)" in labels


def test_budget_reads_indonesian_typing_and_refuses_what_it_cannot_read():
    at = _app("anggaran")
    at.radio(key="bg_mode").set_value("allocate").run()
    reached = {}
    for typed in ("10.000.000.000", "Rp10 M", "10000000000"):
        at.text_input(key="bg_budget__id").set_value(typed).run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert "Rp10.000.000.000" in [c.value for c in at.caption]
        reached[typed] = _metric(at, "Wilayah mencapai target")
    assert len(set(reached.values())) == 1 and int(reached["Rp10 M"].split(" / ")[0]) > 0, reached
    assert at.query_params["pagu"] == "10000000000"
    at.text_input(key="bg_budget__id").set_value("10.5").run()  # a point as decimal mark: ambiguous in Bahasa
    assert [e.value for e in at.error] == [
        "«10.5» bisa dibaca dua cara; di sini titik memisahkan ribuan dan koma menandai desimal (tulis 10,5)."
    ]
    assert not [
        m for m in at.metric if m.label.startswith("Wilayah mencapai target")
    ]  # no answer left on screen
    at.sidebar.radio(key="lang").set_value("en").run()  # the last number read, written the English way
    assert at.text_input(key="bg_budget__en").value == "10,000,000,000"


@pytest.mark.parametrize("typed, ok", [("59,56", True), ("59,56 %", True), ("5956", False), ("59.56", False)])
def test_budget_target_is_read_as_meant_in_bahasa(typed, ok):
    at = _app("anggaran")
    at.selectbox(key="bg_region").set_value("61.72").run()
    at.text_input(key="bg_target_61.72_2025__id").set_value(typed).run()
    assert not at.exception
    if ok:
        assert "59,56 %" in [c.value for c in at.caption] and not at.error
        assert _number_id(_metric(at, "Jumlah pekerja dibantu")) > 0
        assert at.query_params["target"] == "0.5956"
    else:
        assert len(at.error) == 1 and at.error[0].value.startswith(f"«{typed}»"), [e.value for e in at.error]
        assert not [m for m in at.metric if m.label.startswith("Jumlah pekerja dibantu")]


def test_region_levers_never_leak_to_another_region_and_come_back_with_their_own():
    fresh = _app("wilayah")
    fresh.selectbox(key="rg_region").set_value("61.72").run()
    untouched = (_card(fresh, "median"), _card(fresh, "probability"))
    at = _app("wilayah")
    at.selectbox(key="rg_region").set_value("61").run()
    at.select_slider(key="rg_headcount").set_value(86_000).run()
    at.selectbox(key="rg_region").set_value("61.72").run()
    assert not at.exception
    assert at.select_slider(key="rg_headcount").value == 0  # Singkawang has no subsidy of its own
    assert (_card(at, "median"), _card(at, "probability")) == untouched
    assert at.query_params["wilayah"] == "61.72" and at.query_params["bantuan"] == "0"
    at.selectbox(key="rg_region").set_value("61").run()  # Kalbar keeps the levers set for it
    assert at.select_slider(key="rg_headcount").value == 86_000


def test_a_region_address_reproduces_its_numbers():
    at = _app("wilayah")
    at.selectbox(key="rg_region").set_value("61").run()
    at.select_slider(key="rg_headcount").set_value(86_000).run()
    at.slider(key="rg_retention").set_value(50).run()
    shown = (_card(at, "median"), _card(at, "probability"), _card(at, "gap"))
    address = {k: at.query_params[k] for k in at.query_params}
    assert address["wilayah"] == "61" and address["bantuan"] == "86000" and address["bertahan"] == "50"
    shared = _open("wilayah", address)  # a new session opening the copied address
    assert not shared.exception
    assert shared.select_slider(key="rg_headcount").value == 86_000
    assert (_card(shared, "median"), _card(shared, "probability"), _card(shared, "gap")) == shown


def test_overview_address_carries_province_scenario_and_year():
    at = AppTest.from_file(APP, default_timeout=900)
    at.query_params["provinsi"] = "61"
    at.query_params["skenario"] = "kalbar-pergub-2025"
    at.query_params["tahun"] = "2026"
    at.run()
    assert not at.exception
    assert at.selectbox(key="ov_province").value == "61"
    assert at.selectbox(key="ov_scenario").value == "kalbar-pergub-2025"
    assert at.selectbox(key="ov_year").value == 2026
    names = re.findall(r'class="sim-card-name">([^<]*)<', "".join(m.value for m in at.markdown))
    assert names == ["Nasional", "Kalimantan Barat"]  # nation and province together
    assert dict(at.query_params) == {"provinsi": "61", "skenario": "kalbar-pergub-2025", "tahun": "2026"}


def test_app_and_command_line_charge_an_allocation_to_the_same_budget(capsys):
    """Kalbar's Rp10 miliar split over its 14 kabupaten/kota is the province's envelope: APBD provinsi
    in the app and from `allocate --under 61` alike (data/parameters.yaml, payer_by_level, through
    parameters.payer_for), with the same persons and cost per kabupaten/kota."""
    from app_pages.state import PATHS
    from simulator.cli import main
    from simulator.parameters import payer_for
    from simulator.regions import load_regions

    assert payer_for(load_regions().leaves("61"), load_regions(), "2025-07") == "apbd_provinsi"
    at = _open(
        "anggaran",
        {
            "tanya": "allocate",
            "tuas": "subsidy",
            "tenggat": "2025-12",
            "peluang": "80",
            "provinsi": "61",
            "tujuan": "regions",
            "pagu": "10000000000",
        },
    )
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Pembayar: APBD provinsi" in [c.value for c in at.caption]
    app = at.dataframe[0].value
    assert (
        main(
            [
                "allocate",
                "--budget",
                "10000000000",
                "--under",
                "61",
                "--deadline",
                "2025-12",
                "--probability",
                "0.8",
                "--objective",
                "regions",
                "--paths",
                str(PATHS),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "dibayar dari: APBD provinsi" in out.splitlines()
    for code, persons, cost in zip(app["Kode"], app["Dialokasikan"], app["Biaya"], strict=False):
        line = next(row for row in out.splitlines() if row.startswith(f"{code} "))
        assert f" {persons} " in line and cost in line, (line, persons, cost)


def test_run_compare_and_the_app_give_the_same_status_per_region_and_year(capsys):
    """The Kalbar plan through `run`, `compare` (beside the baseline) and the Overview for Kalbar: the
    same regions (the nation, Kalbar and its 14 kabupaten/kota on inherited targets), and per region,
    year and target the same median, probability and status."""
    from app_pages.state import PATHS
    from simulator.cli import main

    root = Path(APP).parent
    words = r"(sesuai jalur|berisiko|di luar jalur)"
    assert main(["run", str(root / "scenarios" / "kalbar-pergub-2025.yaml"), "--paths", str(PATHS)]) == 0
    run = {
        (code, int(year), target): (median, p, status)
        for code, year, target, median, p, status in re.findall(
            rf"^(\S+) .*? (\d{{4}}) +([\d,]+ %) (?:bps|ucj) +([\d,]+ %) +(\d+ %) +(?:\d+ %|–) +[\d.]+  "
            rf"{words}",
            capsys.readouterr().out,
            flags=re.M,
        )
    }
    assert (
        main(
            [
                "compare",
                str(root / "scenarios" / "baseline.yaml"),
                str(root / "scenarios" / "kalbar-pergub-2025.yaml"),
                "--paths",
                str(PATHS),
            ]
        )
        == 0
    )
    compare = {}
    for line in capsys.readouterr().out.splitlines():
        head = re.match(r"^(\d\S*) +(\d{4}) ", line)
        cells = re.findall(rf"([\d,]+ %) / P=(\d+ %) \[[^\]]*\] {words}", line)
        if head and len(cells) == 2:
            compare[(head.group(1), int(head.group(2)))] = cells[1]  # the plan's column
    at = AppTest.from_file(APP, default_timeout=900)
    at.query_params["provinsi"] = "61"
    at.query_params["skenario"] = "kalbar-pergub-2025"
    at.run()
    assert not at.exception
    table = next(df.value for df in at.dataframe if "Peluang tercapai" in df.value.columns)
    app = {
        (code, int(year), target.rstrip(" *")): (median, p, status)
        for code, year, target, median, p, status in zip(
            table["Kode"],
            table["Tahun"],
            table["Target"],
            table["Median proyeksi"],
            table["Peluang tercapai"],
            table["Status"],
            strict=False,
        )
    }
    leaves = {f"61.{n:02d}" for n in range(1, 13)} | {"61.71", "61.72"}
    assert {code for code, _, _ in app} == {"00", "61"} | leaves
    assert set(app) == set(run)
    assert app == run
    assert {(code, year): value for (code, year, _), value in app.items()} == compare


def test_overview_cost_shows_the_programme_in_force_on_its_own_row():
    """The baseline keeps Pergub 4/2023 running: no persons added, but APBD provinsi still pays it,
    26.373 x Rp16.800 a month (6 months of 2025, 12 of 2026), shown apart from new levers' costs."""
    at = AppTest.from_file(APP, default_timeout=900)
    at.query_params["provinsi"] = "61"
    at.query_params["skenario"] = "baseline"
    at.run()
    assert not at.exception
    costs = next(df.value for df in at.dataframe if "Pembayar" in df.value.columns)
    assert costs["Pembayar"].tolist() == [
        "APBD provinsi – program berjalan: Bantuan iuran Pemprov Kalbar (Pergub 4/2023)"
    ]
    assert (costs["2025"].iloc[0], costs["2026"].iloc[0]) == ("Rp2.658.398.400", "Rp5.316.796.800")


def test_scaling_the_programme_up_adds_members_and_costs_more():
    """Scale 150 % from January 2026: 13.186,5 more members ramp in over 3 months (1/3, 2/3, then all),
    10 % of them active anyway; the extra cost to December 2030 is 13.186,5 x Rp16.800 x (1/3 + 2/3 +
    58 months) = Rp13.070.458.800."""
    at = _open(
        "wilayah", {"wilayah": "61", "program": "scale", "program_mulai": "2026-01", "program_skala": "150"}
    )
    assert not at.exception
    assert at.radio(key="rg_pg0_action").value == "scale" and at.slider(key="rg_pg0_scale").value == 150
    figures = _programme_figures(at)
    assert figures["Biaya tambahan s.d. Des 2030"] == "Rp13,07 M"
    added = int(figures["Perubahan peserta, Des 2026 (median)"].replace(".", ""))
    assert 0 < added <= round(13_186.5 * 0.9)  # at most the new members not already active


def test_a_programme_setting_the_address_cannot_hold_is_ignored_and_said_so():
    at = _open(
        "wilayah", {"wilayah": "61", "program": "halt", "program_skala": "999", "program_mulai": "2026-01"}
    )
    assert not at.exception
    assert [w.value for w in at.warning if w.value.startswith("Nilai di alamat")] == [
        "Nilai di alamat halaman yang tidak valid diabaikan: program=halt, program_skala=999"
    ]
    assert at.radio(key="rg_pg0_action").value == "continue" and at.slider(key="rg_pg0_scale").value == 150
    assert at.select_slider(key="rg_pg0_from").value == "2026-01"  # the valid one is kept


def test_region_page_per_segment_panel_shows_the_segment_table_of_its_run():
    """Kalbar with a 40.000 BPU subsidy: the "per segment" panel, once opened, shows, per segment, the figures
    `simulator.segments.segment_table` gives for the run the page made (at the page's deadline), in
    the Indonesian format; the segments' scenario persons add up to the run's median there."""
    import numpy as np

    from app_pages import state
    from simulator import fmt, orderstats
    from simulator.loaders import load_data
    from simulator.regions import DATA_DIR, load_regions
    from simulator.segments import segment_table

    at = _app("wilayah")
    at.selectbox(key="rg_region").set_value("61").run()
    at.select_slider(key="rg_headcount").set_value(40_000).run()
    assert not at.exception
    assert not [df for df in at.dataframe if "Segmen" in df.value.columns]  # closed: not computed
    at.session_state["rg_segments"] = True  # the planner opens the panel
    at.run()
    assert not at.exception
    shown = next(df.value for df in at.dataframe if "Segmen" in df.value.columns)
    assert list(shown["Segmen"]) == ["PU", "BPU", "JAKON", "PMI"]
    # the run the page drew (the panel's memo holds it beside its table), at the page's deadline
    result, deadline = next(
        (source, key[3])
        for key, (source, _) in reversed(state._DERIVED.items())
        if key[1:3] == ("segments", "61")
    )
    table = segment_table(result, load_data(DATA_DIR).history, load_regions(), ["61"], [deadline])
    for row, want in zip(shown.itertuples(index=False), table.itertuples(index=False), strict=True):
        assert row[1] == fmt.percent(want.share, 1, "id")
        assert row[4] == fmt.number(want.scenario, 0, "id")
        assert row[6] == (fmt.percent(want.coverage, 1, "id") if want.coverage == want.coverage else "–")
    assert table.loc[table["segment"] == "BPU", "levers"].iloc[0] > 0  # the subsidy lands on BPU
    median = orderstats.median(result.active_of("61", deadline).astype(np.float64))
    assert table["scenario"].sum() == pytest.approx(float(median), rel=1e-6)

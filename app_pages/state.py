"""App state and cached library calls: language, data in use, baseline, scenario runs, the address.

Pages collect inputs, call these (cached) and render; no computation happens here either: every
number comes from ``simulator``.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from collections import OrderedDict
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages import baseline_job
from app_pages.baseline_job import HORIZON, PATHS
from simulator.errors import InputError
from simulator.i18n import t
from simulator.regions import DATA_DIR, load_regions
from simulator.share import plain

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_DIR = ROOT / "scenarios"
MAX_COMPARE = 4


def lang() -> str:
    return st.session_state.get("lang", "id")


def csv_download(frame: pd.DataFrame, name: str, key: str) -> None:
    """Every chart and table offers its data as CSV (with the illustrative-data note when it applies).

    The CSV text is written when the button is clicked, not on every rerun (a slider move on the
    Region page would otherwise write four files nobody asked for), and the click does not rerun
    the page."""
    illustrative = current_panel()[1]

    def data() -> bytes:
        from simulator.results_io import csv_text  # the same note line as the command line's files

        return csv_text(frame, illustrative).encode("utf-8")

    st.download_button(
        t("download_csv", lang()), data, file_name=name, mime="text/csv", key=key, on_click="ignore"
    )


# ---- data, baseline and scenario runs (cached library calls) --------------------------------
_PANEL: list = []  # the bundled data's Panel, once per server process
_PANEL_LOCK = threading.Lock()


def bundled_panel():
    """load_data's Panel of the bundled data, loaded once per process and shared read-only by every
    session. Kept on disk by the files' and the loader's checksums (simulator/data_cache.py: a new
    process reads it in about 0,02 s instead of reading and checking the files for 0,4-0,9 s). A
    plain module value, not st.cache_resource: a rerun asks for it about ten times (every CSV
    button), and each cache lookup cost about 0,5 ms (3,6 % of a slider move, py-spy)."""
    if not _PANEL:
        # a first start: the prepare at work loads and caches the data too (then the baseline),
        # and the pages need both; its progress is shown meanwhile
        _show_prepare_until(lambda status: not status.running)
        with _PANEL_LOCK:
            if not _PANEL:
                from simulator.data_cache import load_data_cached

                with st.spinner("Memuat data… / loading data…"):
                    _PANEL.append(load_data_cached(DATA_DIR))
    return _PANEL[0]


def _show_prepare_until(ready, poll: float = 0.1, every: float = 1.0) -> baseline_job.Status:
    """Show the running prepare's progress (a bar, Bahasa / English) until ``ready(status)``; the
    last status. Nothing is drawn when it is ready at once. Looked at every ``poll`` seconds (the
    page goes on within that time of the prepare's end); the bar is drawn again when its step
    changes, else at most every ``every`` seconds: each new bar costs the browser about 50 ms of
    CPU (headless Chromium, measured), taken from the prepare when both run on one machine."""
    status = baseline_job.status()
    if ready(status):
        return status
    L = lang()
    bar = st.progress(0.0, text=t("preparing", L))
    drawn, at = (0, ""), 0.0
    try:
        while not ready(status):
            progress = status.progress
            if progress is not None and progress.state == "running":
                shown = (round(100 * min(max(progress.shown(), 0.0), 1.0)), progress.message)
                now = time.monotonic()
                if shown[1] != drawn[1] or (shown != drawn and now - at >= every):
                    drawn, at = shown, now
                    bar.progress(shown[0] / 100, text=f"{t('preparing', L)} {shown[0]} % · {shown[1]}")
            time.sleep(poll)
            status = baseline_job.status()
    finally:
        bar.empty()
    return status


def warm_process() -> None:
    """Import what the first pages import, load the bundled data and run the first page's scenario
    in this process, without a session (``app_warm.py serve`` calls it on a thread once the server
    answers, while the first browser is still loading the page's files): the first page then runs
    without paying about a second of imports (pandas, pyarrow, the simulator), the data, the
    baseline and its national run. A session arriving meanwhile waits on the same import locks, the
    same panel lock and Streamlit's per-entry cache locks, so nothing is done twice."""
    import importlib

    for name in (
        "app_pages.charts",
        "app_pages.tables",
        "simulator.calibrate",
        "simulator.data_cache",
        "simulator.engine",
        "simulator.projection",
        "simulator.report",
        "simulator.results_io",
        "simulator.scenario",
        "simulator.targets",
        "simulator.views",
    ):
        importlib.import_module(name)
    baseline_job.wait(poll=0.05)  # a first start: the prepare serve started computes the baseline
    if not _PANEL:
        with _PANEL_LOCK:
            if not _PANEL:
                from simulator.data_cache import load_data_cached

                _PANEL.append(load_data_cached(DATA_DIR))
    # the first page's run (the bundled baseline for the nation and its provinces, the Overview's
    # default view), put in the process's scenario cache under the key the Overview asks for, once
    # the baseline is on disk (never computed here); no session here, so Streamlit's "missing
    # ScriptRunContext" notes for its calls are not logged
    import logging

    notes = [
        logging.getLogger(name)
        for name in (
            "streamlit.runtime.scriptrunner_utils.script_run_context",
            "streamlit.runtime.state.session_state_proxy",
        )
    ]
    levels = [log.level for log in notes]
    for log in notes:
        log.setLevel(logging.ERROR)
    try:
        panel = _PANEL[0]
        for attempt in range(2):
            try:  # loaded from disk into the process's baseline cache, as the first page asks for it
                _baseline(data_key(), panel.history, panel.workforce, "id", _from_disk=True)
                break
            except _NotOnDisk:
                if attempt:
                    return  # the first page says why
                baseline_job.start()  # serve guessed it was there: computed by a prepare now
                baseline_job.wait()
        provinces = load_regions().of_level("provinsi")
        run(bundled_scenarios()["baseline"], ["00", *provinces], source="baseline.yaml")
    finally:
        for log, level in zip(notes, levels, strict=True):
            log.setLevel(level)


class _NotOnDisk(Exception):
    pass


def _only_cached(fraction: float, _message: str) -> None:
    """A projection's progress that stops it at its first step: it would have to compute."""
    if fraction < 1.0:
        raise _NotOnDisk


def current_panel():
    """(panel, illustrative): the bundled data with any validated uploads put in its place."""
    import dataclasses

    from simulator.loaders import is_illustrative_name

    panel = bundled_panel()
    uploads = {
        k: st.session_state[f"use_{k}"]
        for k in ("history", "workforce", "targets")
        if f"use_{k}" in st.session_state
    }
    if uploads:
        panel = dataclasses.replace(panel, **uploads)
    # an uploaded history is real data unless its file name says otherwise (as the command line decides)
    return panel, "history" not in uploads or is_illustrative_name(st.session_state.get("name_history", ""))


def data_key() -> str:
    """Identifies the data in use: the bundled hash plus the hashes of the uploads replacing it."""
    parts = [bundled_panel().data_hash] + [
        st.session_state.get(f"hash_{k}", "") for k in ("history", "workforce", "targets")
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@st.cache_resource(show_spinner=False, max_entries=3)
def _baseline(key: str, _history, _workforce, _lang: str, _from_disk: bool = False):
    """The baseline of the data ``key``: with ``_from_disk`` only loaded from the disk cache
    (``_NotOnDisk`` when it would have to be computed: nothing is cached then), else computed here
    when it is not there, with a progress bar (uploaded data)."""
    from simulator.projection import project_baseline

    if _from_disk:
        return project_baseline(_history, _workforce, horizon=HORIZON, paths=PATHS, progress=_only_cached)
    bar = st.progress(0.0, text=t("computing", _lang))
    baseline, table = project_baseline(
        _history,
        _workforce,
        horizon=HORIZON,
        paths=PATHS,
        progress=lambda f, msg: bar.progress(min(max(f, 0.0), 1.0), text=f"{t('computing', _lang)} {msg}"),
    )
    bar.empty()
    return baseline, table


#: Data keys whose baseline this process has found on disk (the check is not repeated per rerun).
_ON_DISK: set[str] = set()


def _own_baseline_data() -> bool:
    """Whether the session uses an uploaded history or workforce (its baseline is computed here)."""
    return "use_history" in st.session_state or "use_workforce" in st.session_state


def current_baseline():
    panel, _ = current_panel()
    key = data_key()
    if key in _ON_DISK or _own_baseline_data():
        return _baseline(key, panel.history, panel.workforce, lang())  # uploads: computed here
    out = _bundled_baseline(key, panel)
    _ON_DISK.add(key)
    return out


def _bundled_baseline(key: str, panel):
    """The bundled data's baseline, from the disk cache: when it is not there a prepare computes it
    in a process of its own (``baseline_job``: started here unless one runs), while the page shows
    its progress, and a failure of the prepare started here is reported. Only when that prepare
    ended without writing it (a cache that cannot be written) is it computed here, as uploaded data
    is."""
    started = False
    while True:
        status = _show_prepare_until(lambda status: not status.running)
        try:
            return _baseline(key, panel.history, panel.workforce, lang(), _from_disk=True)
        except _NotOnDisk:
            pass
        if started:
            if status.failed:
                st.error(plain(f"{t('prepare_failed', lang())}: {status.failed}"))
                st.stop()
            break
        try:
            baseline_job.start()
        except OSError:
            break
        started = True
    return _baseline(key, panel.history, panel.workforce, lang())


def bundled_scenarios() -> dict[str, str]:
    """The files in scenarios/ (name -> text), read again only when one is added, removed or changed:
    every rerun of every session asks for them, and reading them all took 5 % of the server's time
    with ten users (bench/bench_load.py, py-spy)."""
    files = sorted(SCENARIO_DIR.glob("*.yaml"))
    return dict(_read_scenarios(tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)))


@functools.lru_cache(maxsize=4)
def _read_scenarios(signature: tuple[tuple[str, int, int], ...]) -> tuple[tuple[str, str], ...]:
    return tuple((Path(path).stem, Path(path).read_text(encoding="utf-8")) for path, _, _ in signature)


def scenario_texts() -> dict[str, str]:
    """Bundled scenario files, then the user's own (uploaded, built on the Region page, or from a link);
    a bundled name always means the bundled file (a user's scenario can never replace it)."""
    bundled = bundled_scenarios()
    mine = st.session_state.setdefault("my_scenarios", {})
    return {**bundled, **{k: v for k, v in mine.items() if k not in bundled}}


def parse(text: str, source: str):
    from simulator.scenario import parse_scenario

    return parse_scenario(text, source=source, tree=load_regions())


@st.cache_resource(show_spinner=False, max_entries=48)
def _run(key: str, text: str, regions: tuple[str, ...], _targets: pd.DataFrame, source: str):
    from simulator.engine import run_scenario
    from simulator.targets import status_table

    baseline, _ = current_baseline()
    panel, _ = current_panel()
    scenario = parse(text, source)
    result = run_scenario(baseline, scenario, seed=0, regions=list(regions))
    # the one status builder: official targets (inherited where a region has none) plus the
    # scenario's own, each on its own definition, as `run` and `compare` print them
    status = status_table(
        result,
        _targets,
        codes=list(regions),
        tree=load_regions(),
        workforce=panel.workforce,
        resolved=_resolved(key, regions, _targets, panel.workforce, result.scenario),
    )
    # beside every probability: how often this level's 80 % band held the truth in the backtest
    return result, _with_reliability(status, result, baseline)


#: The official targets resolved per data key and regions (``targets.resolve``): the same for every
#: scenario without targets of its own, so a slider move does not resolve them again (it was a
#: tenth of a slider move's server time, bench/bench_load.py with py-spy).
_RESOLVED: OrderedDict[tuple, pd.DataFrame] = OrderedDict()


def _resolved(key: str, regions: tuple[str, ...], targets: pd.DataFrame, workforce, scenario):
    """``targets.resolve`` of ``regions`` for a run on data ``key``; None (status_table resolves
    them itself) when the scenario sets targets of its own."""
    from simulator.targets import resolve, scenario_targets

    if scenario_targets(scenario) is not None:
        return None
    slot = (key, regions)
    with _DERIVED_LOCK:
        hit = _RESOLVED.get(slot)
        if hit is not None:
            _RESOLVED.move_to_end(slot)
            return hit
    value = resolve(list(regions), targets, None, load_regions(), workforce)
    with _DERIVED_LOCK:
        _RESOLVED[slot] = value
        while len(_RESOLVED) > 64:
            _RESOLVED.popitem(last=False)
    return value


def _with_reliability(status: pd.DataFrame, result, baseline) -> pd.DataFrame:
    """``calibrate.status_with_reliability(status, result, tree)``, its ``held_80`` looked up once
    per baseline, first month and (region, year) set: it depends on nothing else, and computing
    it was 15 % of a slider move's server time (bench/bench_load.py with py-spy)."""
    from simulator.calibrate import status_with_reliability

    if "held_80" in status.columns or not len(status):
        return status_with_reliability(status, result, load_regions())
    pairs = tuple(
        dict.fromkeys(zip(status["region_code"].astype(str), status["year"].astype(int), strict=True))
    )

    def build() -> dict:
        skeleton = pd.DataFrame({"region_code": [c for c, _ in pairs], "year": [y for _, y in pairs]})
        held = status_with_reliability(skeleton, result, load_regions())["held_80"].tolist()
        return dict(zip(pairs, held, strict=True))

    lookup = derived(baseline, ("held_80", str(result.months[0]), pairs), build)
    out = status.copy()
    out["held_80"] = [lookup[(str(c), int(y))] for c, y in zip(out["region_code"], out["year"], strict=True)]
    return out


#: Display values derived from a cached run (its cost table, its status table in words): the run is
#: one shared object per data, scenario and regions, so a page switch back to it, or another user
#: asking the same, reuses them. Keyed by the object's id and held beside it (so the id cannot be
#: reused while cached); values are never changed by their users (frames are only read and shown).
#: At most 64 values: a kept run of a province's page holds about 4 MiB, so runs the scenario cache
#: has let go stay alive here for a while, bounded.
_DERIVED: OrderedDict[tuple, tuple[object, object]] = OrderedDict()
_DERIVED_LOCK = threading.Lock()


def derived(source, key: tuple, build):
    """``build()``, computed once per cached ``source`` object and ``key`` (the language included
    when the value holds words)."""
    slot = (id(source), *key)
    with _DERIVED_LOCK:
        hit = _DERIVED.get(slot)
        if hit is not None and hit[0] is source:
            _DERIVED.move_to_end(slot)
            return hit[1]
    value = build()
    with _DERIVED_LOCK:
        _DERIVED[slot] = (source, value)
        while len(_DERIVED) > 64:
            _DERIVED.popitem(last=False)
    return value


def reliability_text(level: str, deadline) -> str:
    """The sentence beside a probability: how often this level's 80 % band held the truth in the
    baseline's backtest at the deadline's distance (see simulator.calibrate)."""
    from simulator.calibrate import reliability_at

    return reliability_at(current_baseline()[0], level, deadline, lang())


def run(text: str, regions: list[str], source: str = "app"):
    """Run a scenario text on the current baseline for ``regions``: (Result, status), or None after
    an error."""
    panel, _ = current_panel()
    key = data_key()
    try:
        if key not in _ON_DISK and not _own_baseline_data():
            current_baseline()  # the bundled baseline's wait and its progress outside the cached run
        return _run(key, text, tuple(regions), panel.targets, source)
    except InputError as err:
        st.error(plain(f"{t('scenario_error', lang())}: {err}"))
        return None


@st.cache_data(show_spinner=False, max_entries=64)
def _history(key: str, code: str, _panel) -> pd.DataFrame:
    from simulator.views import history_coverage

    return history_coverage(_panel.history, _panel.workforce, load_regions(), code)


def history_of(code: str) -> pd.DataFrame:
    panel, _ = current_panel()
    return _history(data_key(), code, panel)


def around(code: str) -> list[str]:
    """A region, its ancestors and its children: what a page about ``code`` reports."""
    tree = load_regions()
    chain, node = [], code
    while node:
        chain.append(node)
        node = tree.parent(node)
    return list(dict.fromkeys([*chain, *tree.children(code)]))


def region_label(code: str) -> str:
    return f"{code} {load_regions().name(code)}"


def query_choice(param: str, options: list[str], default: str) -> str:
    """The option named in the URL (``?param=...``) when valid, else ``default``."""
    value = st.query_params.get(param)
    return value if value in options else default


def join_comparison(name: str) -> None:
    """Put a scenario just saved or uploaded into the Compare page's choice the next time it draws
    (if fewer than four are chosen); once, so the planner can take it out again."""
    st.session_state.setdefault("cmp_join", []).append(name)


@st.cache_resource(show_spinner=False, max_entries=32)
def _allocate(
    key: str,
    budget: float,
    under: str,
    kind: str,
    objective: str,
    deadline: str,
    probability: float,
    _targets: pd.DataFrame,
):
    from simulator.budget import allocate, panel_inputs

    baseline, _ = current_baseline()
    tree = load_regions()
    inputs = panel_inputs(current_panel()[0])  # the same inputs as the command line's allocate
    return allocate(
        baseline,
        budget,
        tree.children(under),
        kind,
        objective,
        deadline=deadline,
        probability=probability,
        targets=_targets,
        tree=tree,
        workforce=inputs["workforce"],
        bpu_share=inputs["bpu_share"],
    )


def default_target(code: str, year: int) -> float:
    from simulator.targets import resolve

    panel, _ = current_panel()
    rows = resolve([code], panel.targets, None, load_regions(), panel.workforce)
    rows = rows[rows["year"] == year]
    return float(rows["coverage"].iloc[0]) if len(rows) else 0.35


# ---- the address: every view is a link that reproduces it ----------------------------------
def set_address(params: dict[str, object]) -> None:
    """Make the page's address exactly ``params`` (plus the language when it is not the default),
    so copying it shares this view; values are written language-neutral (0.5956, 10000000000)."""
    wanted: dict[str, object] = {"lang": "en"} if lang() == "en" else {}
    for key, value in params.items():
        if value is None:
            continue
        wanted[key] = [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value)
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    as_lists = {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}
    if current != as_lists:  # writing the same address again would send a message on every rerun
        st.query_params.from_dict(wanted)


def url_number(param: str, low: float, high: float) -> float | None:
    """A number from the address (``?param=0.5956``, machine form) within [low, high], else None."""
    try:
        value = float(st.query_params.get(param, ""))
    except ValueError:
        return None
    return value if low <= value <= high else None


def scenario_title(name: str) -> str:
    """A scenario's title in the user's language: the file's own ``title: {id, en}`` when it has one,
    else the bundled translation, else its name."""
    text = scenario_texts().get(name)
    own = _file_title(text, lang()) if text else ""
    if own:
        return own
    title = t(f"scn_{name}", lang())
    return name if title == f"scn_{name}" else title


@functools.lru_cache(maxsize=64)
def _file_title(text: str, language: str) -> str:
    """The ``title`` a scenario text gives for ``language`` ("" when it has none or does not parse)."""
    try:
        scenario = parse(text, "scenario")
    except InputError:
        return ""
    return scenario.title(language) if (scenario.title_id or scenario.title_en) else ""


def scenario_description(name: str) -> str:
    """A bundled scenario's description in the user's language ("" for the user's own)."""
    text = t(f"scn_{name}_desc", lang())
    return "" if text == f"scn_{name}_desc" else text

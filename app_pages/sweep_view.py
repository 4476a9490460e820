""" "Seberapa yakin dengan asumsinya?": the assumption sweep of a scenario for one region, as a tornado
chart (total and first-order Sobol' indices with their intervals) and the threshold of each
assumption. Used by the Region and Budget pages (``assumption_panel``).

A sweep started here runs in this process (small designs, a progress bar) and is kept on disk in
``.cache/sweeps/KEY/`` (KEY: data, scenario text and design), so it is shown again at once, and a
stopped one resumes, through the same ``simulator.sweep`` code as ``python -m simulator sweep``.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.state import (
    ROOT,
    current_baseline,
    current_panel,
    data_key,
    lang,
    scenario_texts,
    scenario_title,
)
from simulator import fmt
from simulator.errors import InputError
from simulator.i18n import t

#: Where the app keeps its sweeps (SIMULATOR_SWEEP_DIR moves it: the tests use a temporary folder).
SWEEP_DIR = Path(os.environ.get("SIMULATOR_SWEEP_DIR", str(ROOT / ".cache" / "sweeps")))
#: Base samples offered in the app (the command line takes any number): N x (assumptions + 2) runs.
SAMPLES = (16, 32, 64)
GRID = 11


def _folder(text: str, samples: int) -> str:
    key = hashlib.sha256(f"{data_key()}|{samples}|{GRID}|{text}".encode()).hexdigest()[:20]
    root = Path(os.environ.get("SIMULATOR_SWEEP_DIR", str(SWEEP_DIR)))
    return str(root / key)


def sweepable(texts: dict[str, str]) -> list[str]:
    """Names of the scenarios with at least one assumption given as a range or distribution."""
    return [name for name, text in texts.items() if _sweepable(name, text)]


@functools.lru_cache(maxsize=256)
def _sweepable(name: str, text: str) -> bool:
    """Whether one scenario text has an assumption to sweep (parsed once per text and process: the
    Region page asks on every rerun, for every scenario)."""
    from simulator.scenario import parse_scenario
    from simulator.sweep import dimensions

    try:
        dimensions(parse_scenario(text, source=f"{name}.yaml"))
    except InputError:
        return False
    return True


def run_sweep(text: str, name: str, samples: int, bar=None):
    """The sweep of scenario ``text`` on the data in use (read from disk when done before)."""
    from simulator import sweep
    from simulator.scenario import parse_scenario

    folder = _folder(text, samples)
    try:
        return sweep.read_result(folder)
    except InputError:
        pass
    panel, _ = current_panel()
    baseline, _ = current_baseline()
    scenario = parse_scenario(text, source=f"{name}.yaml")
    model = sweep.scenario_model(scenario, baseline, panel.targets, workforce=panel.workforce)
    design = sweep.make_design(model.dims, samples, seed=0, grid=GRID)
    progress = (
        None if bar is None else (lambda done, total: bar.progress(done / total, text=f"{done}/{total}"))
    )
    y, _ = sweep.run_design(
        model, design, folder, context=model.context(baseline), batch=8, progress=progress
    )
    result = sweep.analyse(
        y, design, model.rows(), model.outputs, level=sweep.DEFAULTS["probability"], boot=100
    )
    sweep.write_result(result, folder, bool(getattr(panel, "illustrative", False)), extra={"scenario": name})
    return result


def assumption_label(name: str, L: str) -> str:
    """ "Lever label: key" with the key in the reader's words ("bertahan setelah bantuan berakhir")."""
    lever, _, key = name.rpartition(": ")
    words = t(f"sweep_key_{key}", L)
    return f"{lever}: {words}" if lever and words != f"sweep_key_{key}" else name


def tornado_chart(table: pd.DataFrame, L: str) -> dict:
    """Horizontal bars of the total index per assumption (largest on top) with its bootstrap
    interval, and a tick at the first-order index."""
    frame = pd.DataFrame(
        {
            "assumption": [assumption_label(a, L) for a in table["assumption"]],
            "total": table["total"].clip(lower=0),
            "lo": table["total_lo"].clip(lower=0),
            "hi": table["total_hi"].clip(lower=0),
            "first": table["first"].clip(lower=0),
            "tip": [
                f"{t('sweep_total', L)} {fmt.number(a, 2, lang=L)} "
                f"({fmt.number(lo, 2, lang=L)}-{fmt.number(hi, 2, lang=L)}); {t('sweep_first', L)} "
                f"{fmt.number(f, 2, lang=L)}"
                for a, lo, hi, f in zip(
                    table["total"], table["total_lo"], table["total_hi"], table["first"], strict=False
                )
            ],
        }
    )
    order = frame["assumption"].tolist()
    y = {"field": "assumption", "type": "nominal", "sort": order, "title": None, "axis": {"labelLimit": 320}}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": frame.astype(object).where(frame.notna(), None).to_dict("records")},
        "height": {"step": 34},
        "layer": [
            {
                "mark": {"type": "bar", "color": "#0072B2", "height": 18},
                "encoding": {
                    "y": y,
                    "x": {
                        "field": "total",
                        "type": "quantitative",
                        "title": t("sweep_total", L),
                        "scale": {"domain": [0, 1]},
                    },
                    "tooltip": {"field": "tip"},
                },
            },
            {
                "mark": {"type": "rule", "color": "#333"},
                "encoding": {"y": y, "x": {"field": "lo", "type": "quantitative"}, "x2": {"field": "hi"}},
            },
            {
                "mark": {"type": "tick", "color": "#D55E00", "thickness": 3, "size": 22},
                "encoding": {
                    "y": y,
                    "x": {"field": "first", "type": "quantitative"},
                    "tooltip": {"field": "tip"},
                },
            },
        ],
        "config": {"locale": fmt.vega_locale(L), "axis": {"labelFontSize": 11, "titleFontSize": 12}},
    }


def threshold_table(table: pd.DataFrame, L: str) -> pd.DataFrame:
    def words(row) -> str:
        side = row.get("side", "")
        if side in ("lost below", "lost above"):
            return t(f"sweep_{side.replace(' ', '_')}", L).format(
                value=fmt.number(row["threshold"], 3, lang=L)
            )
        return t(f"sweep_{str(side).replace(' ', '_')}", L) if isinstance(side, str) else ""

    return pd.DataFrame(
        {
            t("sweep_assumption", L): [assumption_label(a, L) for a in table["assumption"]],
            t("sweep_total", L): table["total"].map(lambda v: fmt.number(v, 2, lang=L)),
            t("sweep_central", L): table["central"].map(lambda v: fmt.number(v, 3, lang=L)),
            t("sweep_threshold", L): [words(r) for _, r in table.iterrows()],
        }
    )


def assumption_panel(code: str, key: str, year: int | None = None) -> None:
    """The expander "Seberapa yakin dengan asumsinya?" for region ``code`` (widget keys start with
    ``key``)."""
    from simulator.sweep import tornado

    L = lang()
    # drawn only while open (opening it reruns the page): closed, a slider move neither reads the
    # saved sweep from disk nor builds its chart, table and five widgets
    with st.expander(t("sweep_title", L), key=f"{key}_sw_open", on_change="rerun") as box:
        if not box.open:
            return
        texts = scenario_texts()
        names = sweepable(texts)
        if not names:
            st.caption(t("sweep_none", L))
            return
        cols = st.columns([3, 1])
        default = names.index("kalbar-pergub-2025") if "kalbar-pergub-2025" in names else 0
        name = cols[0].selectbox(
            t("scenario", L), names, index=default, key=f"{key}_sw_scenario", format_func=scenario_title
        )
        samples = cols[1].selectbox(t("sweep_samples", L), SAMPLES, key=f"{key}_sw_samples")
        folder = _folder(texts[name], samples)
        try:
            from simulator.sweep import read_result

            result = read_result(folder)
            st.caption(t("sweep_saved", L))
        except InputError:
            result = None
            if st.button(t("sweep_run", L), key=f"{key}_sw_run"):
                bar = st.progress(0.0)
                try:
                    result = run_sweep(texts[name], name, samples, bar)
                except InputError as err:
                    st.error(str(err))
                    return
                bar.empty()
        if result is None:
            st.caption(t("sweep_explain", L))
            return
        table = tornado(result, code, year)
        if not len(table):
            st.caption(t("sweep_no_target", L))
            return
        summary = result.summary
        row = summary[
            (summary["region_code"].astype(str) == code) & (summary["year"] == table["year"].iloc[0])
        ].iloc[0]
        st.markdown(
            t("sweep_headline", L).format(
                year=int(table["year"].iloc[0]),
                target=fmt.percent(row["target"], lang=L),
                low=fmt.percent(row["probability_p10"], 0, lang=L),
                high=fmt.percent(row["probability_p90"], 0, lang=L),
                central=fmt.percent(row["probability_central"], 0, lang=L),
            )
        )
        if table["total"].isna().all():
            st.caption(t("sweep_flat", L))
        else:
            st.vega_lite_chart(spec=tornado_chart(table, L), width="stretch")
            st.caption(t("sweep_legend", L))
        st.dataframe(threshold_table(table, L), hide_index=True, width="stretch")

"""Charts as plain Vega-Lite specs (dicts): building them through Altair's validated objects took
longer than the scenario run they draw.

Every chart speaks the reader's language: axes through Vega's locale (Indonesian months, decimal
comma), tooltips from text written by ``simulator.fmt``; targets are labelled markers at their
deadlines; colours are distinct and name their meaning in a legend."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pandas as pd

from app_pages.state import derived, history_of, lang
from app_pages.tables import STATUS_COLOURS
from simulator import fmt
from simulator.i18n import t

#: Distinct line colours (Okabe-Ito, readable with colour-blindness), in order of use.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
TARGET_COLOUR = "#b3261e"
BAND_COLOURS = ("#dbe9f6", "#b3d0ec", "#83b3df")  # 95 %, 80 %, 50 %: paler is wider


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts, timestamps as ISO text (what Vega-Lite reads as dates), missing
    values as None; column by column (a frame's ``astype(object).where(...).to_dict`` took half of
    the fan chart's time on every slider move)."""
    columns = {}
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_datetime64_any_dtype(series):
            values = series.dt.strftime("%Y-%m-%dT%H:%M:%S").tolist()
        else:
            values = series.tolist()
        missing = series.isna().to_numpy()
        columns[col] = (
            [None if m else v for v, m in zip(values, missing, strict=False)] if missing.any() else values
        )
    names = list(columns)
    return [dict(zip(names, row, strict=False)) for row in zip(*columns.values(), strict=False)]


def _frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A chart's data as a frame with timestamps as ISO text (what Vega-Lite reads as local dates,
    as ``_records`` writes them): layers' shared data sets go to Streamlit as frames (sent as Arrow
    tables), not as rows of dicts it would turn back into a frame."""
    dates = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])]
    return frame.assign(**{c: frame[c].dt.strftime("%Y-%m-%dT%H:%M:%S") for c in dates}) if dates else frame


def _arrow(columns: dict[str, object]) -> bytes:
    """Columns (name -> list or array) as the Arrow IPC bytes Streamlit sends for a chart's data set:
    given as bytes, a named data set is passed on as it is (``st.vega_lite_chart`` converts frames
    itself, through ``pyarrow.Table.from_pandas`` and its metadata: about a third of the fan chart's
    time on every slider move). Missing numbers (NaN) become nulls, as ``from_pandas`` makes them."""
    import pyarrow as pa

    table = pa.table({name: pa.array(values, from_pandas=True) for name, values in columns.items()})
    sink = pa.BufferOutputStream()
    with pa.RecordBatchStreamWriter(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


#: Data sets that depend only on the data, the region and the language (the history line, the
#: months' labels), or on a few values (the target markers): built once, not on every slider move.
_MEMO: OrderedDict[tuple, object] = OrderedDict()


def _memo(key: tuple, build):
    hit = _MEMO.get(key)
    if hit is None:
        _MEMO[key] = hit = build()
        while len(_MEMO) > 256:
            _MEMO.popitem(last=False)
    else:
        _MEMO.move_to_end(key)
    return hit


def _months_text(months: pd.PeriodIndex, L: str) -> tuple[list[str], list[str]]:
    """(ISO timestamps as Vega-Lite reads dates, month names as readers write them) of ``months``,
    built once per sequence of months and language."""

    def build() -> tuple[list[str], list[str]]:
        stamps = months.to_timestamp()
        return list(stamps.strftime("%Y-%m-%dT%H:%M:%S")), [fmt.month(m, L) for m in months]

    return _memo(("months", months.asi8.tobytes(), L), build)


def _before_median(before, code: str) -> pd.Series:
    """The baseline's median per month (a Series indexed by the months, Periods), drawn as the
    "before" line: the baseline run is one cached object per data and regions, so its quantiles are
    taken once per run and region (``derived``), not on every slider move."""
    from simulator.views import fan_wide

    def build() -> pd.Series:
        base = fan_wide(before, code)
        return pd.Series(base["q50"].to_numpy(), index=pd.PeriodIndex(base["month"]))

    return derived(before, ("before_median", code), build)


def _shared_data(spec: dict) -> dict:
    """``spec`` with each inline data set its layers share moved to the top-level ``datasets`` once
    and named there: the fan chart's quantiles sat in five layers and its targets in three, so the
    message carried them, and the browser parsed and ingested them, once per layer (Streamlit
    sends named data sets beside the spec as Arrow tables)."""
    datasets: dict[str, object] = {}
    names: dict[int, str] = {}
    for layer in spec.get("layer", []):
        data = layer.get("data")
        if isinstance(data, dict) and set(data) == {"values"}:  # rows, a frame or Arrow bytes
            name = names.setdefault(id(data), f"d{len(names)}")
            datasets[name] = data["values"]
            layer["data"] = {"name": name}
    return {**spec, "datasets": datasets} if datasets else spec


def _config(L: str) -> dict:
    """Locale and legend placement shared by the charts (legend under the chart: phones are narrow)."""
    return {
        "locale": fmt.vega_locale(L),
        "legend": {"orient": "bottom", "columns": 2, "labelLimit": 260},
        "axis": {"labelFontSize": 11, "titleFontSize": 12},
    }


def _percent_axis(L: str, title: str) -> dict:
    # "40 %" in Bahasa (as fmt.percent writes it), "40%" in English
    expr = (
        "format(datum.value * 100, '.0f') + ' %'" if L == "id" else "format(datum.value * 100, '.0f') + '%'"
    )
    return {"title": title, "labelExpr": expr}


def _month_axis() -> dict:
    return {
        "field": "month",
        "type": "temporal",
        "title": None,
        "axis": {"format": "%b %Y", "labelOverlap": True, "tickCount": {"interval": "year", "step": 1}},
    }


def _targets_data(targets: pd.DataFrame, code: str, L: str) -> bytes | None:
    """The target markers' data set of ``code`` (a diamond and a label at each deadline's December),
    None when it has no target; built once per set of targets and language."""
    own = targets[targets["region_code"] == code].drop_duplicates("year")
    years = tuple(int(y) for y in own["year"])
    goals = tuple(float(v) for v in own["target"])
    if not years:
        return None

    def build() -> bytes:
        return _arrow(
            {
                "month": [f"{y}-12-01T00:00:00" for y in years],
                "target": np.array(goals, dtype=float),
                "label": [
                    f"{t('target', L)} {y}: {fmt.percent(v, lang=L)}"
                    for y, v in zip(years, goals, strict=True)
                ],
                "odd": np.arange(len(years), dtype=np.int64) % 2,
            }
        )

    return _memo(("targets", years, goals, L), build)


def _target_layers(
    data: bytes | None, L: str, legend_domain: list[str], legend_range: list[str]
) -> list[dict]:
    """Diamond markers at each deadline with their label, in the legend as "Target"."""
    if data is None:
        return []
    values = {"values": data}  # the callers' _shared_data names it
    colour = {
        "datum": t("target", L),
        "type": "nominal",
        "scale": {"domain": legend_domain, "range": legend_range},
        "title": None,
    }
    return [
        {
            "data": values,
            "mark": {"type": "point", "shape": "diamond", "size": 120, "filled": True, "opacity": 1},
            "encoding": {
                "x": _month_axis(),
                "y": {"field": "target", "type": "quantitative"},
                "color": colour,
                "tooltip": [{"field": "label", "type": "nominal", "title": t("target", L)}],
            },
        },
    ] + [  # labels above and below in turn, so neighbouring deadlines do not overwrite each other
        {
            "data": values,
            "transform": [{"filter": f"datum.odd == {odd}"}],
            "mark": {
                "type": "text",
                "align": "right",
                "dx": -8,
                "dy": 16 if odd else -12,
                "fontSize": 11,
                "fontWeight": "bold",
                "color": TARGET_COLOUR,
            },
            "encoding": {
                "x": _month_axis(),
                "y": {"field": "target", "type": "quantitative"},
                "text": {"field": "label", "type": "nominal"},
            },
        }
        for odd in (0, 1)
    ]


def fan_chart(result, code: str, targets: pd.DataFrame, before=None):
    """The fan chart (history, scenario median with 50/80/95 % bands, the baseline median when a
    lever changes it, labelled targets) as a Vega-Lite spec, and the quantile frame.

    Built once per cached run, status table, baseline run, region and language (a page switch
    back to the Region page, or a second user on the same view, reuses it); each caller gets its
    own top-level dict, as Streamlit moves the data sets out of the spec it is given."""
    key = ("fan_chart", code, lang(), id(targets), id(before))
    held = derived(result, key, lambda: (targets, before, _fan_chart(result, code, targets, before)))
    if held[0] is not targets or held[1] is not before:  # an id reused by a newer object
        held = (targets, before, _fan_chart(result, code, targets, before))
    spec, wide = held[2]
    return {**spec}, wide


def _history_data(code: str, L: str) -> bytes:
    """The observed coverage line of ``code`` (month, coverage and their text): once per data in
    use, region and language."""
    from app_pages.state import data_key

    def build() -> bytes:
        hist = history_of(code)
        stamps, when = _months_text(pd.PeriodIndex(hist["month"], freq="M"), L)
        coverage = hist["coverage"].to_numpy(dtype=float)
        return _arrow(
            {
                "month": stamps,
                "coverage": coverage,
                "when": when,
                "text": [fmt.percent(v, lang=L) for v in coverage],
            }
        )

    return _memo(("history", data_key(), code, L), build)


def _fan_chart(result, code: str, targets: pd.DataFrame, before=None):
    from simulator.views import fan_wide

    L = lang()
    wide = fan_wide(result, code)
    months = pd.PeriodIndex(wide["month"], freq="M")
    stamps, when = _months_text(months, L)
    wide["month"] = months.to_timestamp()
    q = {c: wide[c].to_numpy(dtype=float) for c in wide.columns if c != "month"}
    pct = [fmt.percent(v, lang=L) for v in q["q50"]]
    # Vega-Lite reads a dot in a field name as a nested field: q2.5 -> q2_5 in the chart only
    columns: dict[str, object] = {
        "month": stamps,
        **{c.replace(".", "_"): v for c, v in q.items()},
        "when": when,
        "median_text": pct,
        "band80_text": [
            f"{fmt.percent(a, lang=L)} – {fmt.percent(b, lang=L)}"
            for a, b in zip(q["q10"], q["q90"], strict=True)
        ],
    }
    if before is not None:  # the baseline's median of the same months (NaN where it has none)
        base = _before_median(before, code).reindex(months).to_numpy(dtype=float)
        columns["before"] = base
        columns["before_text"] = [fmt.percent(v, lang=L) for v in base]
    fan_data = {"values": _arrow(columns)}
    names = {
        "band95": t("band95", L),
        "band80": t("band80", L),
        "band50": t("band50", L),
        "median": t("median_line", L),
        "history": t("history", L),
        "before": t("before_line", L),
        "target": t("target", L),
    }
    domain = [names[k] for k in ("history", "median", "before", "band50", "band80", "band95", "target")]
    colours = ["#202124", PALETTE[0], "#7f7f7f", *reversed(BAND_COLOURS), TARGET_COLOUR]

    def colour(key: str) -> dict:
        return {
            "datum": names[key],
            "type": "nominal",
            "scale": {"domain": domain, "range": colours},
            "title": None,
        }

    x = _month_axis()
    tooltip = [
        {"field": "when", "type": "nominal", "title": t("month", L)},
        {"field": "median_text", "type": "nominal", "title": names["median"]},
        {"field": "band80_text", "type": "nominal", "title": names["band80"]},
    ]
    if before is not None:
        tooltip.append({"field": "before_text", "type": "nominal", "title": names["before"]})

    def band(low: str, high: str, key: str, axis: dict | None = None) -> dict:
        y = {"field": low, "type": "quantitative", **({"axis": axis} if axis else {})}
        return {
            "data": fan_data,
            "mark": {"type": "area", "opacity": 1},
            "encoding": {"x": x, "y": y, "y2": {"field": high}, "color": colour(key)},
        }

    layers = [
        band("q2_5", "q97_5", "band95", _percent_axis(L, t("coverage", L))),
        band("q10", "q90", "band80"),
        band("q25", "q75", "band50"),
        {
            "data": {"values": _history_data(code, L)},
            "mark": {"type": "line", "strokeWidth": 2},
            "encoding": {
                "x": x,
                "y": {"field": "coverage", "type": "quantitative"},
                "color": colour("history"),
                "tooltip": [
                    {"field": "when", "type": "nominal", "title": t("month", L)},
                    {"field": "text", "type": "nominal", "title": names["history"]},
                ],
            },
        },
    ]
    if before is not None:
        layers.append(
            {
                "data": fan_data,
                "mark": {"type": "line", "strokeDash": [6, 4], "strokeWidth": 2},
                "encoding": {
                    "x": x,
                    "y": {"field": "before", "type": "quantitative"},
                    "color": colour("before"),
                },
            }
        )
    layers.append(
        {
            "data": fan_data,
            "mark": {"type": "line", "strokeWidth": 2.5},
            "encoding": {
                "x": x,
                "y": {"field": "q50", "type": "quantitative"},
                "color": colour("median"),
                "tooltip": tooltip,
            },
        }
    )
    layers += _target_layers(_targets_data(targets, code, L), L, domain, colours)
    return _shared_data({"height": 380, "layer": layers, "config": _config(L)}), wide


def waterfall_chart(steps: pd.DataFrame) -> dict:
    """The waterfall as floating bars: baseline median, each lever's change, the result [persons].

    The bars' ends are running sums of the library's steps (drawing, not a new figure)."""
    L = lang()
    labels = [t("wf_baseline", L) if s == "baseline" else str(s) for s in steps["lever"]]
    values = steps["persons"].to_numpy(dtype=float)
    ends = values.cumsum()
    rows = [
        {
            "step": labels[0],
            "start": 0.0,
            "end": ends[0],
            "kind": "base",
            "text": fmt.number(values[0], lang=L),
        }
    ]
    for i in range(1, len(values)):
        rows.append(
            {
                "step": labels[i],
                "start": ends[i - 1],
                "end": ends[i],
                "kind": "up" if values[i] >= 0 else "down",
                "text": ("+" if values[i] >= 0 else "−") + fmt.number(abs(values[i]), lang=L),
            }
        )
    if len(values) > 1:
        rows.append(
            {
                "step": t("wf_total", L),
                "start": 0.0,
                "end": ends[-1],
                "kind": "total",
                "text": fmt.number(ends[-1], lang=L),
            }
        )
    frame = pd.DataFrame(rows)
    top, low = (
        frame["end"].max(),
        frame.loc[frame["kind"] != "base", ["start", "end"]].min().min() if len(rows) > 1 else 0.0,
    )
    floor = max(0.0, min(low, ends[0]) - 0.15 * max(top - min(low, ends[0]), 1.0)) if len(rows) > 1 else 0.0
    kinds = {"base": "#7f7f7f", "up": "#1b7a34", "down": "#b3261e", "total": PALETTE[0]}
    y = {
        "field": "start",
        "type": "quantitative",
        "title": t("persons", L),
        "scale": {"domainMin": floor, "zero": False, "nice": False},
    }
    return {
        "height": 300,
        # a named data set given as Arrow bytes: Streamlit would build a frame from the rows and
        # convert it on every slider move
        "datasets": {"steps": _arrow({c: frame[c].tolist() for c in frame.columns})},
        "data": {"name": "steps"},
        "encoding": {
            "x": {
                "field": "step",
                "type": "nominal",
                "sort": None,
                "title": None,
                "axis": {"labelAngle": 0, "labelLimit": 120},
            }
        },
        "layer": [
            {
                "mark": {"type": "bar", "clip": True},
                "encoding": {
                    "y": y,
                    "y2": {"field": "end"},
                    "color": {
                        "field": "kind",
                        "type": "nominal",
                        "legend": None,
                        "scale": {"domain": list(kinds), "range": list(kinds.values())},
                    },
                    "tooltip": [
                        {"field": "step", "type": "nominal", "title": t("lever", L)},
                        {"field": "text", "type": "nominal", "title": t("persons", L)},
                    ],
                },
            },
            {
                "mark": {"type": "text", "dy": -8, "fontSize": 11},
                "encoding": {"y": {**y, "field": "end"}, "text": {"field": "text", "type": "nominal"}},
            },
        ],
        "config": _config(L),
    }


def compare_chart(lines: pd.DataFrame, targets: pd.DataFrame, code: str, titles: dict[str, str]) -> dict:
    """Median and 80 % band per scenario (one distinct colour each, the band as dashed edges) with the
    region's
    labelled targets, so the axis reaches them."""
    L = lang()
    names = [titles.get(s, s) for s in dict.fromkeys(lines["scenario"])]
    shown = lines.assign(
        title=lines["scenario"].map(lambda s: titles.get(s, s)),
        when=lines["month"].map(lambda m: fmt.month(m, L)),
        median_text=lines["q50"].map(lambda v: fmt.percent(v, lang=L)),
        band80_text=[
            f"{fmt.percent(a, lang=L)} – {fmt.percent(b, lang=L)}"
            for a, b in zip(lines["q10"], lines["q90"], strict=False)
        ],
    )
    data = {"values": _frame(shown)}
    domain = [*names, t("target", L)]
    colours = [*PALETTE[: len(names)], TARGET_COLOUR]
    colour = {
        "field": "title",
        "type": "nominal",
        "title": None,
        "scale": {"domain": domain, "range": colours},
    }
    x = _month_axis()
    layers = [
        # the 80 % band as thin dashed edges in the scenario's colour: filled bands of several
        # scenarios overlap into one muddy colour
        *(
            {
                "data": data,
                "mark": {"type": "line", "strokeDash": [3, 3], "strokeWidth": 1, "opacity": 0.8},
                "encoding": {
                    "x": x,
                    "y": {
                        "field": edge,
                        "type": "quantitative",
                        **({"axis": _percent_axis(L, t("coverage", L))} if edge == "q10" else {}),
                    },
                    "color": {**colour, "legend": None},
                    "detail": {"field": "title"},
                },
            }
            for edge in ("q10", "q90")
        ),
        {
            "data": data,
            "mark": {"type": "line", "strokeWidth": 2.5},
            "encoding": {
                "x": x,
                "y": {"field": "q50", "type": "quantitative"},
                "color": colour,
                "tooltip": [
                    {"field": "title", "type": "nominal", "title": t("scenario", L)},
                    {"field": "when", "type": "nominal", "title": t("month", L)},
                    {"field": "median_text", "type": "nominal", "title": t("median", L)},
                    {"field": "band80_text", "type": "nominal", "title": t("band80", L)},
                ],
            },
        },
    ]
    layers += _target_layers(_targets_data(targets, code, L), L, domain, colours)
    return _shared_data({"height": 380, "layer": layers, "config": _config(L)})


def tile_chart(tiles: pd.DataFrame) -> dict:
    """The tile map as a Vega-Lite spec (a plain dict, like the fan chart: the Overview is the first
    page, and importing Altair and validating its objects took about half a second there). On a
    narrow screen the tiles show the probability only (names would overlap); tooltips name them."""
    L = lang()
    tiles = tiles.assign(
        prob_text=[fmt.percent(p, 0, lang=L) if p == p else "–" for p in tiles["probability"]],
        median_text=[fmt.percent(m, lang=L) if m == m else "–" for m in tiles["median"]],
        status_text=tiles["status"].map(lambda s: t(s, L)),
    )
    order = ["on track", "at risk", "off track", "no target"]
    colour = {
        "field": "status_text",
        "type": "nominal",
        "title": None,
        "scale": {"domain": [t(s, L) for s in order], "range": [STATUS_COLOURS[s][0] for s in order]},
    }
    tooltip = [
        {"field": "name", "type": "nominal", "title": t("name", L)},
        {"field": "prob_text", "type": "nominal", "title": t("probability", L)},
        {"field": "median_text", "type": "nominal", "title": t("median", L)},
        {"field": "status_text", "type": "nominal", "title": t("status", L)},
    ]
    return {
        "height": 330,
        # a named data set given as Arrow bytes, as the waterfall's
        "datasets": {
            "tiles": _arrow(
                {
                    c: tiles[c].tolist()
                    for c in ("col", "row", "name", "short", "status_text", "prob_text", "median_text")
                }
            )
        },
        "data": {"name": "tiles"},
        "encoding": {
            "x": {"field": "col", "type": "ordinal", "axis": None},
            "y": {"field": "row", "type": "ordinal", "axis": None},
        },
        "layer": [
            {
                "mark": {"type": "rect", "cornerRadius": 3, "stroke": "white", "strokeWidth": 2},
                "encoding": {"color": colour, "tooltip": tooltip},
            },
            {
                "mark": {
                    "type": "text",
                    "fontSize": 9,
                    "color": "white",
                    "dy": -6,
                    "opacity": {"expr": "width < 600 ? 0 : 1"},
                },
                "encoding": {"text": {"field": "short", "type": "nominal"}},
            },
            {
                "mark": {
                    "type": "text",
                    "fontSize": {"expr": "width < 600 ? 9 : 11"},
                    "fontWeight": "bold",
                    "color": "white",
                    "dy": {"expr": "width < 600 ? 0 : 7"},
                },
                "encoding": {"text": {"field": "prob_text", "type": "nominal"}},
            },
        ],
        "config": {**_config(L), "view": {"stroke": None}},
    }

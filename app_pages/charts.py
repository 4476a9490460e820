"""Charts as plain Vega-Lite specs (dicts): building them through Altair's validated objects took
longer than the scenario run they draw."""

from __future__ import annotations

import pandas as pd

from app_pages.state import history_of, lang
from simulator import fmt
from simulator.i18n import t


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts, timestamps as ISO text (what Vega-Lite reads as dates)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%dT%H:%M:%S")
    return out.astype(object).where(out.notna(), None).to_dict("records")


def fan_chart(result, code: str, targets: pd.DataFrame):
    """The fan chart as a Vega-Lite spec (a plain dict: building it through Altair's validated
    objects took longer than the scenario run on a slider move) and the quantile frame."""
    from simulator.views import fan_wide

    L = lang()
    wide = fan_wide(result, code)
    wide["month"] = wide["month"].dt.to_timestamp()
    hist = history_of(code)
    hist = hist.assign(month=hist["month"].dt.to_timestamp())
    # Vega-Lite reads a dot in a field name as a nested field: q2.5 -> q2_5 in the chart only
    fan_data = {"values": _records(wide.rename(columns=lambda c: c.replace(".", "_")))}
    x = {"field": "month", "type": "temporal", "title": None}

    def band(low: str, high: str, opacity: float, axis: dict | None = None) -> dict:
        y = {"field": low, "type": "quantitative", **({"axis": axis} if axis else {})}
        return {"data": fan_data, "mark": {"type": "area", "opacity": opacity},
                "encoding": {"x": x, "y": y, "y2": {"field": high}}}

    layers = [
        band("q2_5", "q97_5", 0.15, {"format": "%", "title": t("coverage", L)}),
        band("q10", "q90", 0.25),
        band("q25", "q75", 0.35),
        {"data": fan_data, "mark": {"type": "line"},
         "encoding": {"x": x, "y": {"field": "q50", "type": "quantitative"},
                      "tooltip": [{"field": "month", "type": "temporal"},
                                  {"field": "q50", "type": "quantitative", "format": ".2%"}]}},
        {"data": {"values": _records(hist[["month", "coverage"]])}, "mark": {"type": "line", "color": "black"},
         "encoding": {"x": x, "y": {"field": "coverage", "type": "quantitative"}}},
    ]
    own = targets[targets["region_code"] == code]
    if len(own):
        tdf = pd.DataFrame({"month": pd.to_datetime(own["year"].astype(str) + "-12-01"), "target": own["target"].to_numpy()})
        target_data = {"values": _records(tdf)}
        layers.append({"data": target_data, "mark": {"type": "rule", "color": "red", "strokeDash": [4, 3]},
                       "encoding": {"y": {"field": "target", "type": "quantitative"}}})
        layers.append({"data": target_data, "mark": {"type": "point", "shape": "diamond", "size": 90, "color": "red",
                                                     "filled": True},
                       "encoding": {"x": x, "y": {"field": "target", "type": "quantitative"}}})
    return {"height": 380, "layer": layers}, wide


def tile_chart(tiles: pd.DataFrame) -> dict:
    """The tile map as a Vega-Lite spec (a plain dict, like the fan chart: the Overview is the first
    page, and importing Altair and validating its objects took about half a second there)."""
    L = lang()
    tiles = tiles.assign(
        label=[f"{s}\n{fmt.percent(p, 0, lang=L)}" if p == p else f"{s}\n–" for s, p in zip(tiles["short"], tiles["probability"])],
        status_text=tiles["status"].map(lambda s: t(s, L)),
    )
    colour = {"field": "status", "type": "nominal", "legend": None,
              "scale": {"domain": ["on track", "at risk", "off track", "no target"],
                        "range": ["#2e7d32", "#f9a825", "#c62828", "#bdbdbd"]}}
    tooltip = [{"field": "name", "type": "nominal", "title": t("name", L)},
               {"field": "probability", "type": "quantitative", "format": ".0%", "title": t("probability", L)},
               {"field": "median", "type": "quantitative", "format": ".2%", "title": t("median", L)},
               {"field": "status_text", "type": "nominal", "title": t("status", L)}]
    return {
        "height": 330,
        "data": {"values": _records(tiles[["col", "row", "name", "status", "status_text", "probability", "median", "label"]])},
        "encoding": {"x": {"field": "col", "type": "ordinal", "axis": None},
                     "y": {"field": "row", "type": "ordinal", "axis": None}},
        "layer": [
            {"mark": {"type": "rect", "cornerRadius": 4, "stroke": "white", "strokeWidth": 2},
             "encoding": {"color": colour, "tooltip": tooltip}},
            {"mark": {"type": "text", "fontSize": 10, "color": "white", "lineBreak": "\n"},
             "encoding": {"text": {"field": "label", "type": "nominal"}}},
        ],
    }

"""Tables in display form: library frames with labels and numbers in the user's language."""

from __future__ import annotations

import pandas as pd

from app_pages.state import lang
from simulator import fmt
from simulator.i18n import t
from simulator.regions import load_regions


def status_label(status: str) -> str:
    icon = {"on track": "🟢", "at risk": "🟡", "off track": "🔴"}.get(status, "⚪")
    return f"{icon} {t(status, lang())}"


def status_table(table: pd.DataFrame) -> pd.DataFrame:
    """A status frame in display form (Indonesian numbers by default)."""
    L = lang()
    return pd.DataFrame({
        t("code", L): table["region_code"],
        t("name", L): table["region_code"].map(lambda c: load_regions().name(c)),
        t("year", L): table["year"],
        t("target", L): [fmt.percent(v, lang=L) + ("" if a == c else " *") for v, a, c in zip(table["target"], table["applied_from"], table["region_code"])],
        t("median", L): table["median"].map(lambda v: fmt.percent(v, lang=L)),
        t("band80", L): [f"{fmt.percent(a, lang=L)} – {fmt.percent(b, lang=L)}" for a, b in zip(table["p10"], table["p90"])],
        t("probability", L): table["probability"].map(lambda v: fmt.percent(v, 0, lang=L)),
        t("gap", L): table["gap_persons"].map(lambda v: fmt.number(v, lang=L)),
        t("status", L): table["status"].map(status_label),
    })


def cost_table(result) -> pd.DataFrame:
    from simulator.views import cost_by_payer_year

    L = lang()
    costs = cost_by_payer_year(result)
    return costs, pd.DataFrame({
        t("payer", L): costs["payer"].map(lambda p: t(f"payer_{p}", L)),
        t("year", L): costs["year"],
        t("cost", L): costs["cost_idr"].map(lambda v: fmt.rupiah(v, lang=L)),
    })

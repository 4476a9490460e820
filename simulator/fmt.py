"""Number formatting for Indonesian (default) and English readers: persons, rupiah, percent."""

from __future__ import annotations

import math

_SCALES_ID = ((1e12, "T"), (1e9, "M"), (1e6, "jt"), (1e3, "rb"))
_SCALES_EN = ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k"))


def _group(text: str, thousands: str, decimal: str) -> str:
    """Swap the separators of an English-formatted number into the requested ones."""
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def number(value: float, decimals: int = 0, lang: str = "id") -> str:
    """1234567.5 -> "1.234.568" (id) or "1,234,568" (en)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    return _group(text, ".", ",") if lang == "id" else text


def percent(fraction: float, decimals: int = 2, lang: str = "id") -> str:
    """0.4534 -> "45,34 %" (id) or "45.34%" (en)."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "–"
    text = number(100.0 * fraction, decimals, lang)
    return f"{text} %" if lang == "id" else f"{text}%"


def rupiah(value: float, short: bool = False, lang: str = "id") -> str:
    """5316796800 -> "Rp5.316.796.800", or with ``short`` "Rp5,32 M" (id) / "Rp5.32 bn" (en)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if short:
        for scale, suffix in _SCALES_ID if lang == "id" else _SCALES_EN:
            if abs(value) >= scale:
                return f"Rp{number(value / scale, 2, lang)} {suffix}"
    return f"Rp{number(value, 0, lang)}"

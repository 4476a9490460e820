"""Numbers for Indonesian (default) and English readers: formatting persons, rupiah and percent, and
reading them back as a user types them (``parse_number``), with refusals in the user's language."""

from __future__ import annotations

import math
import re

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
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]  # -0.4 rounds to "0", not "-0"
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


# ---- reading numbers typed by a user ------------------------------------------------------------
#: Scale words after a number [multiplier], per language, lower case. English "M" is left out on
#: purpose: it means miliar (10^9) to an Indonesian reader and million (10^6) to an English one.
SCALE_WORDS = {
    "id": {
        "rb": 1e3,
        "ribu": 1e3,
        "jt": 1e6,
        "juta": 1e6,
        "m": 1e9,
        "miliar": 1e9,
        "milyar": 1e9,
        "t": 1e12,
        "triliun": 1e12,
    },
    "en": {
        "k": 1e3,
        "thousand": 1e3,
        "mn": 1e6,
        "million": 1e6,
        "bn": 1e9,
        "billion": 1e9,
        "tn": 1e12,
        "trillion": 1e12,
    },
}
#: Separators per language: (thousands, decimal).
SEPARATORS = {"id": (".", ","), "en": (",", ".")}

_MESSAGES = {
    "empty": {"id": "Isi sebuah angka.", "en": "Enter a number."},
    "format": {
        "id": "«{text}» bukan angka yang ditulis cara Indonesia: titik untuk ribuan, koma untuk desimal "
        "(contoh 10.000.000.000, 59,56 atau Rp10 M).",
        "en": "'{text}' is not a number as written in English: commas for thousands, a point for decimals "
        "(e.g. 10,000,000,000, 59.56 or Rp10 bn).",
    },
    "ambiguous": {
        "id": "«{text}» bisa dibaca dua cara; di sini titik memisahkan ribuan dan koma menandai desimal "
        "(tulis {hint}).",
        "en": "'{text}' can be read two ways; here commas separate thousands and a point marks decimals "
        "(write {hint}).",
    },
    "scale_m": {
        "id": "«{text}»: satuan «M» di sini berarti miliar.",
        "en": "'{text}': 'M' is ambiguous (million or miliar); write 'mn' for million or 'bn' for billion.",
    },
    "unexpected": {
        "id": "«{text}»: {what} tidak diharapkan di kolom ini.",
        "en": "'{text}': {what} is not expected here.",
    },
    "whole": {"id": "«{text}»: isi bilangan bulat.", "en": "'{text}': enter a whole number."},
    "range": {
        "id": "«{text}» di luar rentang {low} sampai {high}.",
        "en": "'{text}' is outside {low} to {high}.",
    },
    "min": {"id": "«{text}» kurang dari {low}.", "en": "'{text}' is below {low}."},
    "max": {"id": "«{text}» lebih dari {high}.", "en": "'{text}' is above {high}."},
}
_WHAT = {
    "rp": {"id": "rupiah", "en": "a rupiah amount"},
    "percent": {"id": "tanda %", "en": "a percent sign"},
    "scale": {"id": "satuan (rb, jt, M, T)", "en": "a scale word (k, mn, bn, tn)"},
}


class NumberError(ValueError):
    """A typed number that cannot be read as meant; the message is in the user's language."""


def _fail(key: str, lang: str, **parts: str) -> NumberError:
    return NumberError(_MESSAGES[key][lang].format(**parts))


def _digits(body: str, lang: str, text: str) -> float:
    """``body`` (digits and the language's separators only) -> value; refuses wrong grouping."""
    thousands, decimal = SEPARATORS[lang]
    if not re.fullmatch(r"[0-9.,]+", body) or not re.search(r"[0-9]", body):
        raise _fail("format", lang, text=text)
    whole, _, frac = body.partition(decimal)
    if thousands in frac or decimal in frac:
        raise _fail("format", lang, text=text)
    groups = whole.split(thousands)
    if len(groups) > 1 and not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
        # "1.5" in Bahasa or "59,56" in English: the other language's decimal mark
        if len(groups) == 2 and groups[0] and groups[1] and not frac:
            hint = f"{groups[0]}{decimal}{groups[1]}" if len(groups[1]) != 3 else body
            raise _fail("ambiguous", lang, text=text, hint=hint)
        raise _fail("format", lang, text=text)
    if not all(groups) or (body.endswith(decimal)):
        raise _fail("format", lang, text=text)
    return float("".join(groups) + ("." + frac if frac else ""))


def parse_number(  # noqa: C901 -- outlier listed in #23 (complexity 13): split, then drop this
    text: str, lang: str = "id", *, kind: str = "number", low: float | None = None, high: float | None = None
) -> float:
    """A number typed the way ``lang`` writes it -> float; ``NumberError`` (message in ``lang``) if not.

    ``kind`` says what the box holds: ``"number"`` (a plain number, may carry a scale word),
    ``"count"`` (a whole number of persons), ``"rupiah"`` (optional "Rp" and scale word: "Rp10 M"
    is 10^10 in Bahasa, "Rp10 bn" in English) or ``"percent"`` (optional "%"; returns the
    *fraction*: "59,56 %" -> 0.5956). Bahasa: "." groups thousands, "," marks decimals; English the
    other way round. A number whose separator could be either ("1.5" in Bahasa, "59,56" in
    English) is refused, never guessed. ``low``/``high`` bound the result (in the returned unit).
    """
    if lang not in SEPARATORS:
        raise ValueError(f"unknown language {lang!r}")
    shown = re.sub(r"\s+", " ", str(text or "")).strip()
    body = shown.replace("\u00a0", " ").replace(" ", "")
    if not body:
        raise _fail("empty", lang)
    negative = body.startswith(("-", "−"))
    body = body.lstrip("-−")
    has_rp = bool(re.match(r"(?i)rp\.?", body))
    if has_rp:
        body = re.sub(r"(?i)^rp\.?", "", body)
    has_percent = body.endswith("%")
    body = body.rstrip("%")
    scale = 1.0
    word = re.search(r"[A-Za-z]+$", body)
    if word:
        if lang == "en" and word.group(0) == "M":
            raise _fail("scale_m", lang, text=shown)
        factor = SCALE_WORDS[lang].get(word.group(0).lower())
        if factor is None:
            raise _fail("format", lang, text=shown)
        scale, body = factor, body[: word.start()]
    if has_rp and kind != "rupiah":
        raise _fail("unexpected", lang, text=shown, what=_WHAT["rp"][lang])
    if has_percent and kind != "percent":
        raise _fail("unexpected", lang, text=shown, what=_WHAT["percent"][lang])
    if word and kind not in ("rupiah", "number"):
        raise _fail("unexpected", lang, text=shown, what=_WHAT["scale"][lang])
    value = _digits(body, lang, shown) * scale * (-1 if negative else 1)
    if kind == "count" and value != int(value):
        raise _fail("whole", lang, text=shown)
    if kind == "percent":
        value = value / 100.0
    if (low is not None and value < low) or (high is not None and value > high):
        show = {
            "percent": lambda v: percent(v, 2, lang).replace(",00", "").replace(".00", ""),
            "rupiah": lambda v: rupiah(v, lang=lang),
        }.get(kind, lambda v: number(v, 0, lang))
        key = "range" if low is not None and high is not None else ("min" if low is not None else "max")
        raise _fail(
            key,
            lang,
            text=shown,
            low=show(low) if low is not None else "",
            high=show(high) if high is not None else "",
        )
    return value


def typed(value: float, lang: str = "id", *, kind: str = "number", decimals: int = 2) -> str:
    """``value`` written the way a user would type it back into a box of ``kind`` (the inverse of
    ``parse_number``): 10^10 -> "10.000.000.000", 0.5956 -> "59,56" (percent), trailing zeros dropped."""
    if kind == "percent":
        value = 100.0 * value
    text = number(value, decimals if kind in ("percent", "number") else 0, lang)
    _, decimal = SEPARATORS[lang]
    if decimal in text:
        text = text.rstrip("0").rstrip(decimal)
    return text


MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
MONTHS_LONG = {
    "id": (
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def month(value, lang: str = "id", long: bool = False) -> str:
    """A month ("2025-12", a Period or a Timestamp) as readers write it: "Des 2025" (id), "Dec 2025" (en)."""
    text = str(value)[:7]
    year, mon = int(text[:4]), int(text[5:7])
    return f"{(MONTHS_LONG if long else MONTHS)[lang][mon - 1]} {year}"


def vega_locale(lang: str = "id") -> dict:
    """Vega's number and time locale for ``lang``: chart axes and tooltips in the reader's format."""
    thousands, decimal = SEPARATORS[lang]
    days = (
        ("Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu")
        if lang == "id"
        else ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
    )
    return {
        "number": {"decimal": decimal, "thousands": thousands, "grouping": [3], "currency": ["Rp", ""]},
        "time": {
            "dateTime": "%A, %e %B %Y %X",
            "date": "%d/%m/%Y",
            "time": "%H.%M.%S",
            "periods": ["AM", "PM"],
            "days": list(days),
            "shortDays": [d[:3] for d in days],
            "months": list(MONTHS_LONG[lang]),
            "shortMonths": list(MONTHS[lang]),
        },
    }


#: What a box of each kind accepts, for its help text.
NUMBER_HELP = {
    "rupiah": {
        "id": "Contoh: 10.000.000.000, Rp10 M, 750 jt (titik untuk ribuan, koma untuk desimal).",
        "en": "e.g. 10,000,000,000, Rp10 bn, 750 mn (commas for thousands, a point for decimals).",
    },
    "percent": {
        "id": "Contoh: 59,56 atau 59,56 % (koma untuk desimal).",
        "en": "e.g. 59.56 or 59.56% (a point for decimals).",
    },
    "count": {"id": "Contoh: 26.373 (titik untuk ribuan).", "en": "e.g. 26,373 (commas for thousands)."},
    "number": {
        "id": "Titik untuk ribuan, koma untuk desimal.",
        "en": "Commas for thousands, a point for decimals.",
    },
}

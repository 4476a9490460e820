"""Input widgets in the user's language: slider formats, count grids, and boxes for typed numbers
("10.000.000.000", "Rp10 M", "59,56 %" in Bahasa; "10,000,000,000", "Rp10 bn", "59.56%" in English)."""

from __future__ import annotations

import streamlit as st

from app_pages.state import lang
from simulator import fmt


def whole_percent(L: str) -> str:
    """A slider's format for whole percentages, as fmt.percent writes them: "35 %" / "35%"."""
    return "%d %%" if L == "id" else "%d%%"


def counts(top: int, step: int, extra: int) -> tuple[int, ...]:
    """0, step, 2 x step ... top, with ``extra`` (a default off the grid, e.g. 26.373) in order."""
    return tuple(sorted({*range(0, top + 1, step), extra}))


def number_box(
    container,
    label: str,
    key: str,
    default: float,
    *,
    kind: str,
    low: float | None = None,
    high: float | None = None,
) -> float | None:
    """A text box for a number typed the way the user's language writes it; returns the value read
    (a fraction for ``kind="percent"``), or None after showing why it cannot be read (the caller
    then shows no answer: the screen never keeps an answer for an input it no longer shows).

    The value read is kept under ``key``; the box itself is keyed per language, so switching
    language rewrites the same number in the other language's format instead of misreading it."""
    L = lang()
    if key not in st.session_state:
        st.session_state[key] = default
    box = f"{key}__{L}"
    if box not in st.session_state:
        st.session_state[box] = fmt.typed(st.session_state[key], L, kind=kind)
    text = container.text_input(label, key=box, help=fmt.NUMBER_HELP[kind][L])
    try:
        value = fmt.parse_number(text, L, kind=kind, low=low, high=high)
    except fmt.NumberError as err:
        container.error(str(err))
        return None
    st.session_state[key] = value
    shown = {"percent": lambda v: fmt.percent(v, lang=L), "rupiah": lambda v: fmt.rupiah(v, lang=L)}.get(
        kind, lambda v: fmt.number(v, lang=L)
    )
    container.caption(shown(value))  # what was read, written back in full
    return value


def translate_uploader(limit_key: str) -> None:
    """Streamlit draws its file uploader's words in English ("Drag and drop file here", "Limit 200MB
    per file", "Browse files"); this replaces them with the user's language (CSS, for this page)."""
    from simulator.i18n import t

    L = lang()
    st.markdown(
        f"""<style>
[data-testid="stFileUploaderDropzoneInstructions"] span,
[data-testid="stFileUploaderDropzoneInstructions"] small {{display: none}}
[data-testid="stFileUploaderDropzoneInstructions"] > div::before {{content: "{t("upload_drop", L)}";
  display: block}}
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{content: "{t(limit_key, L)}";
  display: block;
  font-size: 0.8rem; color: #5f6368}}
[data-testid="stFileUploaderDropzone"] button > * {{display: none}}
[data-testid="stFileUploaderDropzone"] button::after {{content: "{t("upload_browse", L)}"; font-size: 0.9rem}}
</style>""",
        unsafe_allow_html=True,
    )

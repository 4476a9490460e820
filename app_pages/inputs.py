"""Input widgets in the user's language: slider formats, count grids."""

from __future__ import annotations


def whole_percent(L: str) -> str:
    """A slider's format for whole percentages, as fmt.percent writes them: "35 %" / "35%"."""
    return "%d %%" if L == "id" else "%d%%"


def counts(top: int, step: int, extra: int) -> tuple[int, ...]:
    """0, step, 2 x step ... top, with ``extra`` (a default off the grid, e.g. 26.373) in order."""
    return tuple(sorted({*range(0, top + 1, step), extra}))

"""Indonesian and English number formats."""

import pytest

from simulator import fmt


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda: fmt.rupiah(5_316_796_800), "Rp5.316.796.800"),
        (lambda: fmt.rupiah(5_316_796_800, short=True), "Rp5,32 M"),
        (lambda: fmt.rupiah(5_060_579_420_000, short=True), "Rp5,06 T"),
        (lambda: fmt.rupiah(5_316_796_800, short=True, lang="en"), "Rp5.32 bn"),
        (lambda: fmt.percent(0.4534), "45,34 %"),
        (lambda: fmt.percent(0.4534, lang="en"), "45.34%"),
        (lambda: fmt.number(26373), "26.373"),
        (lambda: fmt.number(1234.5, 1), "1.234,5"),
        (lambda: fmt.number(float("nan")), "–"),
    ],
)
def test_formats(call, expected):
    assert call() == expected

"""Region tree: totals from Kepmendagri 300.2.2-2430/2025, lookups by name, aggregation."""

import numpy as np
import pandas as pd
import pytest

from simulator.errors import InputError
from simulator.regions import load_regions


@pytest.fixture(scope="module")
def tree():
    return load_regions()


def test_totals_match_the_decree(tree):
    assert len(tree.of_level("provinsi")) == 38
    assert len(tree.of_level("kabkota")) == 514
    assert tree.villages("00") == 83_762
    assert sum(tree.villages(c) for c in tree.of_level("provinsi")) == 83_762
    assert sum(tree.villages(c) for c in tree.of_level("kabkota")) == 83_762


def test_kalbar(tree):
    assert tree.name("61") == "Kalimantan Barat"
    assert len(tree.children("61")) == 14
    assert tree.villages("61") == 2_145
    assert sum(tree.villages(c) for c in tree.leaves("61")) == 2_145


@pytest.mark.parametrize(
    "text, code",
    [
        ("Kab. Sambas", "61.01"),
        ("Sambas", "61.01"),
        ("KABUPATEN SAMBAS", "61.01"),
        ("  kabupaten   sambas ", "61.01"),
        ("Kota Pontianak", "61.71"),
        ("Pontianak", "61.71"),
        ("Kalimantan Barat", "61"),
        ("Kalbar", "61"),
        ("61", "61"),
        ("61.01", "61.01"),
        ("Bekasi", "32.16"),
        ("Kota Bekasi", "32.75"),
        ("Indonesia", "00"),
    ],
)
def test_resolve_usual_spellings(tree, text, code):
    assert tree.resolve(text) == code


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "Atlantis",
            "unknown region 'Atlantis': expected a Kemendagri code or name (see `python -m simulator "
            "regions`)",
        ),
        (
            "99.99",
            "unknown region '99.99': expected a Kemendagri code or name (see `python -m simulator regions`)",
        ),
    ],
)
def test_resolve_unknown(tree, text, message):
    with pytest.raises(InputError) as err:
        tree.resolve(text)
    assert str(err.value) == message


def test_descendants_and_parents(tree):
    assert tree.parent("61.01") == "61"
    assert tree.parent("61") == "00"
    assert tree.parent("00") is None
    assert len(tree.descendants("00")) == 38 + 514


def test_aggregate_sums_up_the_tree(tree):
    leaves = tree.leaves("61") + tree.leaves("62")
    frame = pd.DataFrame(
        {"region_code": leaves, "ds": "2024-12", "active": np.arange(len(leaves), dtype=float)}
    )
    out = tree.aggregate(frame, ["active"]).set_index("region_code")["active"]
    assert out["61"] == sum(range(14))
    assert out["62"] == sum(range(14, len(leaves)))
    assert out["00"] == sum(range(len(leaves)))


def test_aggregation_matrix_is_coherent(tree):
    codes, s = tree.aggregation_matrix()
    assert s.shape == (553, 514)
    assert s[codes.index("00")].sum() == 514
    assert s[codes.index("61")].sum() == 14
    assert (s[[codes.index(c) for c in tree.of_level("provinsi")]].sum(axis=0) == 1).all()

"""Views used by the app (targets fallback, tile grid) and scenario links."""

import numpy as np
import pandas as pd
import pytest

from simulator.errors import InputError
from simulator.loaders import load_table, template_csv
from simulator.regions import load_regions
from simulator.share import MAX_TOKEN, decode_scenario, encode_scenario
from simulator.targets import TARGET_COLUMNS, resolve
from simulator.views import TILES, tile_frame

TARGETS = pd.DataFrame(
    {"region_code": ["00", "00", "61"], "year": [2025, 2029, 2025], "coverage": [0.3215, 0.4392, 0.5956]}
)


def test_targets_fall_back_to_the_nearest_ancestor():
    out = resolve(["61", "61.72", "32", "32.01"], TARGETS)
    got = {(r.region_code, r.year): (r.coverage, r.applied_from) for r in out.itertuples()}
    assert got == {
        ("61", 2025): (0.5956, "61"),
        ("61.72", 2025): (0.5956, "61"),
        ("32", 2025): (0.3215, "00"),
        ("32", 2029): (0.4392, "00"),
        ("32.01", 2025): (0.3215, "00"),
        ("32.01", 2029): (0.4392, "00"),
    }
    assert list(out["region_code"]) == ["61", "61.72", "32", "32", "32.01", "32.01"]  # the order asked for
    assert list(out["year"]) == [2025, 2025, 2025, 2029, 2025, 2029]


def test_resolve_without_any_target_is_empty():
    out = resolve(["32"], TARGETS[TARGETS["region_code"] == "61"])
    assert out.empty and list(out.columns) == TARGET_COLUMNS


def test_tile_grid_has_every_province_once_and_no_overlap():
    tree = load_regions()
    assert set(TILES) == set(tree.of_level("provinsi"))
    assert len(set(TILES.values())) == len(TILES) == 38
    status = pd.DataFrame(
        {
            "region_code": ["61"],
            "year": [2025],
            "probability": [0.72],
            "median": [0.6],
            "target": [0.5956],
            "status": ["at risk"],
        }
    )
    tiles = tile_frame(status, tree, 2025)
    kalbar = tiles.set_index("code").loc["61"]
    assert kalbar["probability"] == 0.72 and kalbar["status"] == "at risk"
    assert (tiles["status"] == "no target").sum() == 37
    assert np.isnan(tiles.set_index("code").loc["32", "probability"])
    assert tiles["short"].str.len().max() <= 10


def test_scenario_link_round_trips_exactly():
    text = "name: uji\nhorizon: 2030-06\nlevers: []\n# catatan: Rp16.800 per orang\n"
    token = encode_scenario(text)
    assert token.startswith("z") and "=" not in token and "/" not in token and "+" not in token
    assert decode_scenario(token) == text


@pytest.mark.parametrize(
    "token, message",
    [
        ("abc", "must start with 'z'"),
        ("z!!!!", "damaged"),
        ("z" + "A" * 40, "damaged"),
        ("z" + "A" * MAX_TOKEN, "at most"),
    ],
)
def test_bad_scenario_links_are_rejected(token, message):
    with pytest.raises(InputError, match=message):
        decode_scenario(token)


def test_link_refuses_a_decompression_bomb():
    import base64
    import zlib

    bomb = "z" + base64.urlsafe_b64encode(zlib.compress(b"a" * 1_000_000, 9)).decode().rstrip("=")
    with pytest.raises(InputError, match="larger than"):
        decode_scenario(bomb)


@pytest.mark.parametrize("kind, rows", [("history", 1), ("workforce", 1), ("targets", 1)])
def test_templates_load_back(tmp_path, kind, rows):
    path = tmp_path / f"{kind}.csv"
    path.write_text(template_csv(kind), encoding="utf-8")
    assert len(load_table(path, kind)) == rows


def test_template_of_unknown_kind():
    with pytest.raises(InputError, match="kind: expected one of history, workforce, targets"):
        template_csv("peserta")

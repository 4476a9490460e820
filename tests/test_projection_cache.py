"""The baseline's disk cache: a round trip gives the same numbers, read-only; a damaged or
partial cache is ignored (the baseline is then computed again), never half read."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from simulator.baseline import fake_baseline
from simulator.projection import _read_cache, _write_cache
from simulator.regions import load_regions

KEY = "0123456789abcdef0123"


@pytest.fixture(scope="module")
def baseline():
    return fake_baseline(load_regions(), ("2025-07", "2026-06"), 3, 30_000.0, 100_000.0, noise=0.01, seed=4)


def table() -> pd.DataFrame:
    return pd.DataFrame({"unique_id": ["61", "61.01"], "model": ["drift", "naive"], "mase": [0.8, 1.1]})


def test_round_trip_gives_the_same_arrays_read_only(tmp_path, baseline):
    _write_cache(tmp_path, KEY, baseline, table())
    assert [p.name for p in tmp_path.iterdir()] == [f"baseline-{KEY}"]  # no temporary folder left
    loaded, backtest = _read_cache(tmp_path, KEY)
    np.testing.assert_array_equal(loaded.active, baseline.active)
    np.testing.assert_array_equal(loaded.employed, baseline.employed)
    assert loaded.regions == baseline.regions and loaded.months.equals(baseline.months)
    assert loaded.last_observed == baseline.last_observed and loaded.meta == baseline.meta
    assert type(loaded.active) is np.ndarray and not loaded.active.flags.writeable
    pd.testing.assert_frame_equal(backtest, table())


def test_absent_cache_is_none(tmp_path):
    assert _read_cache(tmp_path, KEY) is None
    assert _read_cache(None, KEY) is None


@pytest.mark.parametrize("damage", ["truncated array", "missing array", "meta not json", "regions miscounted"])
def test_damaged_cache_is_ignored(tmp_path, baseline, damage):
    _write_cache(tmp_path, KEY, baseline, table())
    folder = tmp_path / f"baseline-{KEY}"
    if damage == "truncated array":
        data = (folder / "active.npy").read_bytes()
        (folder / "active.npy").write_bytes(data[: len(data) // 2])
    elif damage == "missing array":
        (folder / "employed.npy").unlink()
    elif damage == "meta not json":
        (folder / "meta.json").write_text("{not json", encoding="utf-8")
    else:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        meta["regions"] = meta["regions"][:-1]
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert _read_cache(tmp_path, KEY) is None

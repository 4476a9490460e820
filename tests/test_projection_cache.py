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
    # 1.5074131654767995 came back as ...997 from pandas' default (fast) float parser: the cached
    # backtest table must read back to the same bits as the computed one
    return pd.DataFrame(
        {"unique_id": ["61", "61.01"], "model": ["drift", "naive"], "mase": [0.8, 1.5074131654767995]}
    )


def test_round_trip_gives_the_same_arrays_read_only(tmp_path, baseline):
    _write_cache(tmp_path, KEY, baseline, table())
    assert [p.name for p in tmp_path.iterdir()] == [f"baseline-{KEY}"]  # no temporary folder left
    loaded, backtest = _read_cache(tmp_path, KEY)
    np.testing.assert_array_equal(loaded.active, baseline.active)
    np.testing.assert_array_equal(loaded.employed, baseline.employed)
    assert loaded.regions == baseline.regions and loaded.months.equals(baseline.months)
    assert loaded.last_observed == baseline.last_observed and loaded.meta == baseline.meta
    assert type(loaded.active) is np.ndarray and not loaded.active.flags.writeable
    pd.testing.assert_frame_equal(backtest, table(), check_exact=True)


def test_absent_cache_is_none(tmp_path):
    assert _read_cache(tmp_path, KEY) is None
    assert _read_cache(None, KEY) is None


@pytest.mark.parametrize(
    "damage", ["truncated array", "missing array", "meta not json", "regions miscounted"]
)
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
        meta["meta"]["regions"] = meta["meta"]["regions"][
            :-1
        ]  # cache_store keeps the caller's meta under "meta"
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert _read_cache(tmp_path, KEY) is None


@pytest.mark.parametrize("chunk", [1 << 22, 3 * 101 * 18])  # whole, and three regions per pass
def test_baseline_frame_quantiles_hand_checked_and_equal_to_numpy_per_region_month(monkeypatch, chunk):
    import simulator.projection as projection

    monkeypatch.setattr(projection, "_FRAME_CHUNK_VALUES", chunk)
    from simulator.baseline import Baseline
    from simulator.projection import baseline_frame

    months = pd.period_range("2025-07", periods=2, freq="M")
    active = np.array(
        [
            [[1, 10], [2, 20], [3, 30], [4, 40], [5, 50]],  # region A
            [[1, 1], [1, 1], [1, 1], [1, 1], [1, 1]],
        ],
        dtype=np.float32,
    )  # region B
    employed = np.array(
        [[[10, 100]] * 5, [[0, 2], [2, 2], [4, 2], [0, 2], [2, 2]]], dtype=np.float32
    )  # B: no workforce in 2 paths
    base = Baseline(
        regions=("A", "B"),
        months=months,
        active=active,
        employed=employed,
        last_observed=pd.Period("2025-06", freq="M"),
    )
    frame = baseline_frame(base, quantiles=(0.1, 0.5, 0.9))
    assert len(frame) == 3 * 2 * 2
    row = frame[
        (frame["region_code"] == "A") & (frame["month"] == "2025-07") & (frame["quantile"] == 0.5)
    ].iloc[0]
    assert (row["active"], row["employed"], row["coverage"]) == (3.0, 10.0, 0.3)
    row = frame[
        (frame["region_code"] == "A") & (frame["month"] == "2025-08") & (frame["quantile"] == 0.1)
    ].iloc[0]
    assert row["active"] == pytest.approx(14.0)  # 10 + 0,4 x (20 - 10)
    # region B, 2025-07: coverage 1/2, 1/4, 1/2 on the paths with a workforce, NaN elsewhere
    row = frame[
        (frame["region_code"] == "B") & (frame["month"] == "2025-07") & (frame["quantile"] == 0.5)
    ].iloc[0]
    assert row["coverage"] == 0.5
    # every value equals numpy's own quantile of that region-month, NaN-aware for coverage
    rng = np.random.default_rng(3)
    tree = load_regions()
    big = fake_baseline(
        tree,
        ("2025-07", "2026-12"),
        paths=101,
        active_per_leaf=5e3,
        employed_per_leaf=2e4,
        growth=0.01,
        noise=0.1,
        seed=4,
    )
    employed = big.employed.copy()
    employed[7, rng.integers(0, 101, 5), 3] = 0.0  # a few paths without a workforce in one region-month
    big = Baseline(
        regions=big.regions,
        months=big.months,
        active=big.active,
        employed=employed,
        last_observed=big.last_observed,
    )
    frame = baseline_frame(big)
    n_r, n_t = len(big.regions), len(big.months)
    for q in (0.1, 0.5, 0.9):
        part = frame[frame["quantile"] == q]
        act = big.active.astype(np.float64)
        emp = big.employed.astype(np.float64)
        cov = np.divide(act, emp, out=np.full(act.shape, np.nan), where=emp > 0)
        np.testing.assert_array_equal(part["active"].to_numpy(), np.quantile(act, q, axis=1).reshape(-1))
        np.testing.assert_array_equal(part["employed"].to_numpy(), np.quantile(emp, q, axis=1).reshape(-1))
        np.testing.assert_array_equal(part["coverage"].to_numpy(), np.nanquantile(cov, q, axis=1).reshape(-1))
        assert part["region_code"].tolist()[n_t * 7] == big.regions[7]
    assert len(frame) == 3 * n_r * n_t


def test_an_edited_row_of_the_cache_is_refused_and_the_entry_removed(tmp_path, baseline):
    """One value changed in place (same file size, still a valid .npy) moved a median with no
    warning before the checksum; now the entry is refused and removed, so it is computed again."""
    _write_cache(tmp_path, KEY, baseline, table())
    path = tmp_path / f"baseline-{KEY}" / "active.npy"
    data = bytearray(path.read_bytes())
    data[-4:] = np.float32(1e9).tobytes()
    path.write_bytes(bytes(data))
    assert _read_cache(tmp_path, KEY) is None
    assert not (tmp_path / f"baseline-{KEY}").exists()
    _write_cache(tmp_path, KEY, baseline, table())  # a good entry can be written again
    np.testing.assert_array_equal(_read_cache(tmp_path, KEY)[0].active, baseline.active)

"""The validated data kept on disk (simulator/data_cache.py): the same Panel as load_data, read
again when a data file changes, a broken entry removed and written again."""

import shutil

import numpy as np
import pandas as pd

from simulator.data_cache import load_data_cached
from simulator.loaders import load_data
from simulator.regions import DATA_DIR


def _same(a, b) -> None:
    for kind in ("history", "workforce", "targets"):
        pd.testing.assert_frame_equal(getattr(a, kind), getattr(b, kind), check_exact=True)
    assert (a.sources, a.data_hash, a.kinds, a.warnings) == (b.sources, b.data_hash, b.kinds, b.warnings)


def _folder(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("history_illustrative.csv", "workforce.csv", "targets.csv"):
        shutil.copy(DATA_DIR / name, data / name)
    return data


def test_the_kept_panel_is_load_datas_and_a_changed_file_is_read_again(tmp_path):
    data, cache = _folder(tmp_path), tmp_path / "cache"
    fresh = load_data(data)
    first = load_data_cached(data, cache)  # read from the files, entry written
    (entry,) = [p for p in cache.iterdir() if p.name.startswith("data-")]
    kept = load_data_cached(data, cache)  # from the entry
    _same(fresh, first)
    _same(fresh, kept)
    assert kept.history["region_code"].map(type).eq(str).all()  # Python str, as the loader gives
    # Kalbar's 2025 target edited: another key, the new value read from the file
    targets = pd.read_csv(data / "targets.csv", dtype=str, keep_default_na=False)
    row = (targets["region_code"] == "61") & (targets["year"] == "2025")
    assert row.sum() == 1
    targets.loc[row, "coverage"] = "0.6"
    targets.to_csv(data / "targets.csv", index=False)
    edited = load_data_cached(data, cache)
    _same(load_data(data), edited)
    assert (
        edited.targets.loc[
            edited.targets["region_code"].eq("61") & edited.targets["year"].eq(2025), "coverage"
        ].iloc[0]
        == 0.6
    )
    assert len([p for p in cache.iterdir() if p.name.startswith("data-")]) == 2
    assert entry.is_dir()


def test_a_broken_entry_is_removed_and_written_again(tmp_path):
    data, cache = _folder(tmp_path), tmp_path / "cache"
    load_data_cached(data, cache)
    (entry,) = [p for p in cache.iterdir() if p.name.startswith("data-")]
    codes = next(p for p in entry.iterdir() if p.name.startswith("history_3"))  # the active counts
    array = np.load(codes)
    array[0] += 1000  # one edited value, the file's size unchanged
    np.save(codes, array)
    again = load_data_cached(data, cache)
    _same(load_data(data), again)  # not the edited value: the entry failed its checksum
    (rewritten,) = [p for p in cache.iterdir() if p.name.startswith("data-")]
    assert rewritten.name == entry.name and not np.array_equal(np.load(rewritten / codes.name), array)


def test_no_cache_folder_or_a_single_file_is_plain_load_data(tmp_path):
    _same(load_data(DATA_DIR), load_data_cached(DATA_DIR, None))
    one = DATA_DIR / "targets.csv"
    pd.testing.assert_frame_equal(load_data_cached(one, tmp_path).targets, load_data(one).targets)
    assert not any(tmp_path.iterdir())

"""parallel.in_blocks: every row once, in contiguous blocks; small work on the caller's thread."""

import threading

import pytest

from simulator import parallel


@pytest.fixture
def two_cores(monkeypatch):
    monkeypatch.setattr(parallel, "WORKERS", 1)
    monkeypatch.setattr(parallel, "MIN_BLOCK_VALUES", 100)


@pytest.mark.parametrize(
    "n, per_row, blocks",
    [
        (0, 1_000, 0),  # nothing to do: work is called once with the empty range
        (1, 1_000, 1),  # one row cannot be split
        (10, 10, 1),  # 100 values: one block's worth
        (10, 20, 2),  # 200 values: two blocks
        (7, 1_000, 2),  # at most WORKERS + 1 blocks
    ],
)
def test_every_row_once_in_contiguous_blocks(two_cores, n, per_row, blocks):
    seen: list[tuple[int, int, str]] = []
    lock = threading.Lock()

    def work(lo: int, hi: int) -> None:
        with lock:
            seen.append((lo, hi, threading.current_thread().name))

    parallel.in_blocks(n, work, per_row)
    ranges = sorted((lo, hi) for lo, hi, _ in seen if hi > lo)
    assert len(ranges) == blocks
    assert [r for lo, hi in ranges for r in range(lo, hi)] == list(range(n))
    threads = {name for _, _, name in seen}
    assert (threading.current_thread().name in threads) == bool(seen)  # the caller takes the first block
    assert len(threads) == max(blocks, 1 if seen else 0)


def test_an_error_in_a_worker_block_is_raised_after_every_block_ran(two_cores):
    finished = []

    def work(lo: int, hi: int) -> None:
        if lo > 0:
            raise ValueError(f"block {lo}-{hi} failed")
        finished.append((lo, hi))

    with pytest.raises(ValueError, match="block 5-10 failed"):
        parallel.in_blocks(10, work, 1_000)
    assert finished == [(0, 5)]


def test_a_block_does_not_split_again(two_cores):
    inner: list[tuple[int, int, str]] = []

    def nested(lo: int, hi: int) -> None:
        inner.append((lo, hi, threading.current_thread().name))

    def work(lo: int, hi: int) -> None:
        parallel.in_blocks(10, nested, 1_000)  # would wait on the pool it runs in: kept on this thread

    parallel.in_blocks(10, work, 1_000)
    assert sorted((lo, hi) for lo, hi, _ in inner) == [(0, 10), (0, 10)]

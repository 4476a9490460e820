"""orderstats: numpy's median and linear quantiles, the same numbers, from one-position partitions."""

import warnings

import numpy as np
import pytest

from simulator import orderstats

QS = (0.0, 0.1, 0.25, 0.5, 0.9, 1.0)


def _samples():
    rng = np.random.default_rng(20251127)
    out = []
    for n in (1, 2, 3, 4, 5, 10, 11, 999, 1000):
        for dtype in (np.float32, np.float64):
            x = rng.normal(1e4, 3e3, size=(7, n)).astype(dtype)
            out.append(pytest.param(x, id=f"{n}-{np.dtype(dtype).name}"))
            out.append(pytest.param(np.round(x, -3), id=f"{n}-{np.dtype(dtype).name}-ties"))
    out.append(pytest.param(np.full((3, 6), 2.5), id="constant"))
    out.append(pytest.param(rng.random((2, 3, 40)), id="three-axes"))
    return out


@pytest.mark.parametrize("values", _samples())
def test_equal_to_numpy_with_its_dtype(values):
    median = orderstats.median(values.copy())
    expected = np.median(values, axis=-1)
    np.testing.assert_array_equal(median, expected)
    assert median.dtype == expected.dtype
    np.testing.assert_array_equal(orderstats.quantiles(values.copy(), QS), np.quantile(values, QS, axis=-1))
    both_median, both_q = orderstats.median_and_quantiles(values.copy(), (0.1, 0.9))
    np.testing.assert_array_equal(both_median, expected)
    np.testing.assert_array_equal(both_q, np.quantile(values, (0.1, 0.9), axis=-1))
    as64 = values.astype(np.float64)
    np.testing.assert_array_equal(orderstats.median_float64(values.copy()), np.median(as64, axis=-1))


def test_hand_checked_values():
    values = np.array([[4.0, 1.0, 3.0, 2.0], [10.0, 30.0, 20.0, 40.0]])
    np.testing.assert_array_equal(orderstats.median(values.copy()), [2.5, 25.0])
    # q = 0.1 over 4 values: virtual index 0.3 -> 1 + 0.3 x (2 - 1) = 1.3; q = 0.9: 2.7 -> 3.7
    np.testing.assert_allclose(orderstats.quantiles(values.copy(), (0.1, 0.9)), [[1.3, 13.0], [3.7, 37.0]])
    np.testing.assert_array_equal(orderstats.select(values.copy(), [3, 0]), [[4.0, 40.0], [1.0, 10.0]])
    # the float32 pair 1 and 2^24 + 2: numpy's median rounds the sum 2^24 + 3 to float32 (2^24 + 4),
    # median_float64 keeps the exact half
    pair = np.array([[1.0, 16777218.0]], dtype=np.float32)
    assert orderstats.median(pair.copy())[0] == np.median(pair) == 8388610.0
    assert orderstats.median_float64(pair.copy())[0] == 8388609.5


@pytest.mark.parametrize("positions", [[-1], [5], [0, 5]])
def test_select_refuses_positions_outside_the_axis(positions):
    with pytest.raises(ValueError, match="positions must lie in 0..4"):
        orderstats.select(np.arange(5.0)[None, :], positions)


def test_rows_with_nan_give_numpy_numbers():
    values = np.array([[1.0, np.nan, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0]])
    np.testing.assert_array_equal(orderstats.median(values.copy()), [np.nan, 2.5])
    np.testing.assert_array_equal(orderstats.median_float64(values.copy()), [np.nan, 2.5])
    np.testing.assert_array_equal(
        orderstats.quantiles(values.copy(), (0.5,)), np.quantile(values, (0.5,), axis=-1)
    )


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_nan_aware_versions_equal_numpy_along_any_axis_and_leave_the_input(axis):
    rng = np.random.default_rng(7)
    values = rng.normal(size=(6, 8, 5))
    clean = values.copy()
    np.testing.assert_array_equal(orderstats.nanmedian(values, axis=axis), np.nanmedian(clean, axis=axis))
    np.testing.assert_array_equal(
        orderstats.nanquantile(values, QS, axis=axis), np.nanquantile(clean, QS, axis=axis)
    )
    np.testing.assert_array_equal(values, clean)  # a copy is partitioned, not the input
    values[0, :3, 1] = np.nan
    values[1, :, :] = np.nan  # slices with nothing but NaN: NaN, and no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        median = orderstats.nanmedian(values, axis=axis)
        quantiles = orderstats.nanquantile(values, QS, axis=axis)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        np.testing.assert_array_equal(median, np.nanmedian(values, axis=axis))
        np.testing.assert_array_equal(quantiles, np.nanquantile(values, QS, axis=axis))

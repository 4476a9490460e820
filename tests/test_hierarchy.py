"""Joint errors on the region tree (simulator.hierarchy) and the honest baseline built on them
(projection.project_active): every level gets its own spread, medians are not lifted by summing,
paths add up, and a month's answer does not depend on how far ahead one asks."""

from __future__ import annotations

import numpy as np
import pytest
from shock_histories import shock_history

from simulator.baseline import aggregate, summing_matrix
from simulator.hierarchy import leaf_log_errors, reconcile_medians, solve_factors
from simulator.regions import load_regions

Z80 = 1.2815516


def _toy(n_leaves: int = 4):
    """A root over ``n_leaves`` leaves: parent rows and the summing matrix."""
    parent = np.array([-1] + [0] * n_leaves)
    s = np.vstack([np.ones(n_leaves), np.eye(n_leaves)])
    return parent, s


@pytest.mark.parametrize("rho", [0.0, 0.3, 0.7, 1.0])
def test_toy_tree_aggregate_band_has_its_analytic_width(rho):
    """Four equal leaves with log-error sd 0,05 and pairwise correlation rho: the root's variance is
    sigma^2 (1/n + (1 - 1/n) rho). Given that variance, the model draws leaves whose correlation is
    rho and whose average has the analytic 80 % band, 1,2816 sd."""
    n, sigma = 4, 0.05
    parent, _ = _toy(n)
    root_var = sigma**2 * (1 / n + (1 - 1 / n) * rho)
    variance = np.array([[root_var]] + [[sigma**2]] * n)
    shares = np.array([[1.0]] + [[1 / n]] * n)
    factors = solve_factors(variance, shares, parent)
    errors, rows = leaf_log_errors(factors, parent, 40_000, seed=3)
    assert rows.tolist() == [1, 2, 3, 4]
    e = errors[:, :, 0].astype(np.float64)
    np.testing.assert_allclose(e.std(axis=1), sigma, rtol=0.02)
    mean = e.mean(axis=0)
    half_width = (np.quantile(mean, 0.9) - np.quantile(mean, 0.1)) / 2
    np.testing.assert_allclose(half_width, Z80 * np.sqrt(root_var), rtol=0.03)
    if 0 < rho < 1:
        corr = np.corrcoef(e)[np.triu_indices(n, 1)]
        np.testing.assert_allclose(corr, rho, atol=0.02)


def test_independent_draws_would_be_too_confident():
    """The failure this model removes: with the root's variance of perfectly correlated leaves, the
    root's band is the leaves' band, not 1/sqrt(n) of it."""
    parent, _ = _toy(16)
    variance = np.array([[0.01]] * 17)
    shares = np.array([[1.0]] + [[1 / 16]] * 16)
    errors, _ = leaf_log_errors(solve_factors(variance, shares, parent), parent, 20_000, seed=1)
    np.testing.assert_allclose(errors[:, :, 0].mean(axis=0).std(), 0.1, rtol=0.03)


@pytest.mark.parametrize(
    "root_sd, expected",
    [(0.04, 0.04), (0.03, 0.03), (0.05, 0.045), (0.02, np.sqrt(0.25e-4 + 2 * 0.0625 * 0.0064))],
)
def test_unequal_leaves_keep_their_own_variance_and_the_root_its_own(root_sd, expected):
    """A smooth leaf (sd 0,01, share 1/2) beside noisy ones (sd 0,08, 1/4 each): no leaf is made
    wider or narrower than its own variance to fit the root (loadings, not a clip at the smoothest
    leaf). A root sd above what identical movements give (0,5 x 0,01 + 2 x 0,25 x 0,08 = 0,045)
    is capped there; one below what independent leaves give (sqrt(0,25 x 0,01^2 + 2 x 0,0625 x
    0,08^2) = 0,0287) stays there."""
    parent, _ = _toy(3)
    sd = np.array([root_sd, 0.01, 0.08, 0.08])
    shares = np.array([[1.0], [0.5], [0.25], [0.25]])
    factors = solve_factors((sd**2)[:, None], shares, parent)
    errors, _ = leaf_log_errors(factors, parent, 40_000, seed=2)
    e = errors[:, :, 0].astype(np.float64)
    np.testing.assert_allclose(e.std(axis=1), sd[1:], rtol=0.02)
    np.testing.assert_allclose((shares[1:, 0] @ e).std(), expected, rtol=0.03)


def test_random_walk_paths_have_the_variance_of_every_month():
    parent, _ = _toy(2)
    months = np.arange(1, 7)
    variance = np.vstack([0.0006 * months, 0.0009 * months, 0.0009 * months])
    shares = np.vstack([np.ones(6), np.full(6, 0.5), np.full(6, 0.5)])
    errors, _ = leaf_log_errors(solve_factors(variance, shares, parent), parent, 40_000, seed=5)
    np.testing.assert_allclose(errors.var(axis=1), variance[1:], rtol=0.04)
    np.testing.assert_allclose(errors.mean(axis=0).var(axis=0), variance[0], rtol=0.04)


def test_reconciliation_is_generalised_least_squares():
    """Hand-checked: root forecast 100 (variance 4), leaves 30 and 60 (variance 1 each): the
    reconciled leaves are 30 + 10/6 and 60 + 10/6 (the gap of 10 split by the variances: 1 + 1 + 4)."""
    _, s = _toy(2)
    got = reconcile_medians(np.array([[100.0], [30.0], [60.0]]), np.array([[4.0], [1.0], [1.0]]), s)
    np.testing.assert_allclose(got[:, 0], [30 + 10 / 6, 60 + 10 / 6])
    # equal to the dense formula on the real tree
    _, _, s_real = summing_matrix(load_regions())
    rng = np.random.default_rng(0)
    y = rng.uniform(1e3, 1e6, (s_real.shape[0], 2))
    v = rng.uniform(1e4, 1e8, (s_real.shape[0], 2))
    dense = np.stack(
        [
            np.linalg.solve(s_real.T @ np.diag(1 / v[:, h]) @ s_real, s_real.T @ (y[:, h] / v[:, h]))
            for h in range(2)
        ],
        axis=1,
    )
    np.testing.assert_allclose(reconcile_medians(y, v, s_real), np.maximum(dense, 0), rtol=1e-9)


# ---- the projection on histories with shared national and provincial shocks ------------------


@pytest.fixture(scope="module")
def projected():
    from simulator.projection import project_active

    tree = load_regions()
    history = shock_history(tree, seed=11)
    long = project_active(history, tree, horizon=30, paths=300, seed=7)
    short = project_active(history, tree, horizon=6, paths=300, seed=7)
    return tree, history, long, short


@pytest.mark.slow
def test_a_month_does_not_depend_on_how_far_ahead_one_asks(projected):
    _, _, (long_paths, *_), (short_paths, *_) = projected
    np.testing.assert_array_equal(long_paths[:, :, :6], short_paths)


def test_aggregate_medians_stay_with_their_direct_forecasts(projected):
    """Summed paths do not lift an aggregate: the median of the nation's and every province's
    summed paths is within its own 50 % band (0,6745 sd on the log scale) of its direct forecast,
    give or take the Monte Carlo error of a median of 300 paths (3 standard errors, 1,2533 sd /
    sqrt(300) each: the reconciled median can sit on the band's edge, seed 11's province 34 at
    month 2 at 1,0003 band half-widths), and on average not above or below it."""
    tree, _, (leaf_paths, leaves, _, summary), _ = projected
    codes, _, s = summing_matrix(tree)
    median = np.median(aggregate(s, leaf_paths), axis=1)
    level = np.array([tree.level(c) for c in codes])
    upper = level != "kabkota"
    sd = np.sqrt(summary["log_var"][upper])
    signed = np.log(median[upper] / summary["direct"][upper])
    allowed = (0.6745 + 3 * 1.2533 / np.sqrt(leaf_paths.shape[1])) * sd
    assert (np.abs(signed) <= allowed).all(), float((np.abs(signed) / allowed).max())
    assert abs(float(np.mean(signed / sd))) < 0.1  # no lift: 0,1 sd on average at most


def test_aggregates_are_as_uncertain_as_their_own_backtest(projected):
    """The nation's 80 % band at 12 months is the width its own backtest errors give (within Monte
    Carlo noise), not the sqrt(514)-times narrower band of independent leaves."""
    tree, _, (leaf_paths, _, _, summary), _ = projected
    codes, _, s = summing_matrix(tree)
    nation = aggregate(s, leaf_paths)[0, :, 11].astype(np.float64)
    half = (np.log(np.quantile(nation, 0.9)) - np.log(np.quantile(nation, 0.1))) / 2
    np.testing.assert_allclose(half, Z80 * np.sqrt(summary["log_var"][0, 11]), rtol=0.15)


def test_leaf_paths_are_as_smooth_as_the_history_and_do_not_jump_at_the_origin(projected):
    _, history, (leaf_paths, leaves, _, _), _ = projected
    totals = history.pivot_table(index="region_code", columns="ds", values="active").loc[leaves].to_numpy()
    hist_change = np.abs(np.diff(np.log(totals), axis=1))
    path_change = np.abs(np.diff(np.log(leaf_paths.astype(np.float64)), axis=2))
    assert np.quantile(path_change, 0.95) <= 2 * np.quantile(hist_change, 0.95)
    first = np.abs(np.log(np.median(leaf_paths[:, :, 0], axis=1) / totals[:, -1]))
    assert np.quantile(first, 0.95) <= 2 * np.quantile(hist_change, 0.95)


@pytest.mark.parametrize("origins", [2, 3, 5, 8, 12, 31, 100])
def test_predictive_inflation_is_the_student_t_quantile_ratio(origins):
    from scipy import stats

    from simulator.projection import predictive_inflation

    nu = max(origins - 1, 1)
    expected = (stats.t.ppf(0.9, nu) / stats.norm.ppf(0.9)) ** 2 if nu <= 30 else 1.0
    np.testing.assert_allclose(predictive_inflation(np.array([origins])), [expected], rtol=2e-3)


@pytest.mark.slow
def test_the_baseline_stays_coherent_bounded_and_non_negative():
    """What the engine and the budget solver rely on, on the real projection: every region is the
    sum of its children in every path and month, counts are non-negative, active never exceeds
    the workforce (coverage within 0-100 %), and the same seed gives the same arrays."""
    from simulator.loaders import load_data
    from simulator.projection import project_baseline
    from simulator.regions import DATA_DIR

    tree = load_regions()
    history = shock_history(tree, seed=21)
    workforce = load_data(DATA_DIR).workforce
    baseline, _ = project_baseline(history, workforce, horizon=12, paths=40, seed=5, cache_dir=None)
    codes = list(baseline.regions)
    for arr in (baseline.active, baseline.employed):
        assert (arr >= 0).all()
        for code in ("00", "61"):
            kids = [codes.index(c) for c in tree.children(code)]
            np.testing.assert_allclose(
                arr[codes.index(code)], arr[kids].sum(axis=0, dtype=np.float64), rtol=1e-5
            )
    assert (baseline.active <= baseline.employed * (1 + 1e-6)).all()
    again, _ = project_baseline(history, workforce, horizon=12, paths=40, seed=5, cache_dir=None)
    np.testing.assert_array_equal(again.active, baseline.active)
    np.testing.assert_array_equal(again.employed, baseline.employed)


# ---- the backtest's variance curve and bias (projection.monotone_fit, _extend_curve, drift_bias) --


@pytest.mark.parametrize(
    "y, w, expected",
    [
        ([1.0, 3.0, 2.0, 4.0], [1.0, 1.0, 1.0, 1.0], [1.0, 2.5, 2.5, 4.0]),
        ([1.0, 3.0, 2.0, 4.0], [1.0, 1.0, 3.0, 1.0], [1.0, 2.25, 2.25, 4.0]),  # (3 + 3 x 2) / 4
        ([3.0, 2.0, 1.0], [1.0, 1.0, 1.0], [2.0, 2.0, 2.0]),
        ([1.0, 2.0, 3.0], [5.0, 1.0, 1.0], [1.0, 2.0, 3.0]),
    ],
)
def test_monotone_fit_pools_adjacent_violators(y, w, expected):
    from simulator.projection import monotone_fit

    np.testing.assert_allclose(monotone_fit(np.array(y), np.array(w)), expected)


def test_variance_curve_is_extended_as_a_random_walk_beyond_the_backtest():
    """Known at steps 1-4 as (1, 2, 2, 5): inside unchanged; beyond, the slope of the second half
    ((5 - 2) / (4 - 2) = 1,5 per step, above the random walk's 5 / 4) gives 6,5 and 8; a curve
    known from step 2 on starts proportional to the step (1 at step 1 for 2 at step 2)."""
    from simulator.projection import _extend_curve

    hs = np.arange(1, 7, dtype=np.float64)
    got = _extend_curve(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 2.0, 2.0, 5.0]), hs)
    np.testing.assert_allclose(got, [1.0, 2.0, 2.0, 5.0, 6.5, 8.0])
    got = _extend_curve(np.array([2.0, 3.0]), np.array([2.0, 3.0]), np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_allclose(got, [1.0, 2.0, 3.0, 4.0])


def test_drift_bias_is_the_shrunk_least_squares_line_through_the_origin():
    """Three origins with errors (0,01, 0,02), (0,02, 0,04), (0,03, 0,06) at steps 1-2: per origin
    beta_k = (1 e_1 + 2 e_2) / 5 = 0,01, 0,02, 0,03 (W_k = 5 each), beta = 0,02; se^2 = 3/2 x
    25 x (0,01^2 + 0 + 0,01^2) / 15^2 = 1/30.000, beta^2 = 12/30.000, so the line is shrunk by
    12/13: 0,02 x 12/13 per step, held beyond the backtest's two steps. The median over a group's
    regions sets each origin's value (a second region with the same errors changes nothing);
    fewer than three origins give no bias."""
    from simulator.projection import drift_bias

    one = np.array([[0.01, 0.02], [0.02, 0.04], [0.03, 0.06]])
    errors = np.stack([one, one, -one])  # regions 0-1 in group 0, region 2 alone in group 1
    got = drift_bias(errors, np.array([0, 0, 1]), steps=4)
    slope = 0.02 * 12 / 13
    np.testing.assert_allclose(got[0], [slope, 2 * slope, 2 * slope, 2 * slope])
    np.testing.assert_allclose(got[1], got[0])
    np.testing.assert_allclose(got[2], -got[0])
    np.testing.assert_array_equal(drift_bias(errors[:, :2], np.array([0, 0, 1]), steps=4), 0.0)


def test_effective_origins_count_correlated_regions_once():
    """Kish's design effect on the origins behind a pooled scale. Two regions with standardised
    errors (2, 1) and (1, 2) in two cells: mean z^2 = 2,5, cell means 1,5 and 1,5, rho = (2 x 2,25
    - 2,5) / (1 x 2,5) = 0,8, so 9 origins are worth 9 x 2 / 1,8 = 10; identical regions leave 9;
    uncorrelated ones ((1, -1) and (1, 1): cell means 1 and 0, rho 0) double it; a region
    without any error does not count."""
    from simulator.projection import effective_origins

    z = np.array([[[2.0, 1.0]], [[1.0, 2.0]]])  # (regions, origins, steps): one origin, two steps
    np.testing.assert_allclose(effective_origins(z, 9), 10.0)
    same = np.array([[[2.0, 1.0]], [[2.0, 1.0]]])
    np.testing.assert_allclose(effective_origins(same, 9), 9.0)
    apart = np.array([[[1.0, -1.0]], [[1.0, 1.0]], [[np.nan, np.nan]]])
    np.testing.assert_allclose(effective_origins(apart, 9), 18.0)

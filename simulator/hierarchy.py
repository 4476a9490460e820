"""Joint forecast errors on a region tree: reconciled medians and tree-factor sample paths.

Every region of the tree (nation, provinces, kabupaten/kota) is forecast directly; this module
turns those forecasts into sample paths of the kabupaten/kota that

* add up (by construction: aggregates are sums of leaf paths), without lifting an aggregate's
  median above its own direct forecast: the direct medians of every level are reconciled by
  weighted least squares (MinT with a diagonal covariance, weights 1 / error variance), and
* give every level the spread of its own forecast errors: a leaf's log error is its loading times
  its province's shared component plus a part of its own; a province's shared component is its
  loading times the nation's plus a part of its own. Variances and loadings are solved bottom-up
  (``solve_factors``: per region a one-dimensional bisection on the shared variance) so that, to
  first order, the share-weighted sum of the leaf errors under every region has exactly that
  region's own error variance, while every leaf keeps its own variance (a smooth leaf loads less
  on the shared component instead of forcing it down). Independent leaf draws, the naive
  alternative, make the nation about sqrt(514) times too certain.

Each part is a random walk over the horizon whose increments have variance ``V(h) - V(h-1)``
(``V`` made non-decreasing), so paths move as smoothly as the error variance grows and the
variance at every step is ``V(h)``. Increments of step h are drawn from a generator seeded by
``(seed, h)``: a month's draws do not depend on how far ahead one asks.

Everything here is numpy on arrays ``(regions, months)`` or ``(regions, paths, months)``; the tree
is given by its summing matrix (reconciliation) and a parent index (the factor model).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def reconcile_medians(median: np.ndarray, variance: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Leaf medians (leaves, months) [persons] reconciled from every region's direct median.

    ``median`` and ``variance`` are (regions, months) in persons and persons^2; ``s`` the summing
    matrix (regions, leaves). Per month: ``b = (S' W^-1 S)^-1 S' W^-1 y`` with W = diag(variance),
    the generalised least-squares (MinT, diagonal) combination; negative results are set to 0.
    ``S' W^-1 S`` is built from the regions above the leaves only (a leaf's own row adds to the
    diagonal), which for a tree is a few dozen outer products instead of a full product.
    """
    s = np.asarray(s, dtype=np.float64)
    y = np.asarray(median, dtype=np.float64)
    var = np.maximum(np.asarray(variance, dtype=np.float64), 1e-9)
    single = s.sum(axis=1) == 1  # a leaf's own row (or a region with one leaf: same structure)
    upper = np.flatnonzero(~single)
    u = s[upper].T  # (leaves, upper regions)
    out = np.empty((s.shape[1], y.shape[1]))
    for h in range(y.shape[1]):
        winv = 1.0 / var[:, h]
        d = (s[single] * winv[single, None]).sum(axis=0)  # the diagonal part of S' W^-1 S
        rhs = s.T @ (winv * y[:, h])
        # Woodbury: (D + U C U')^-1 r = D^-1 r - D^-1 U (C^-1 + U' D^-1 U)^-1 U' D^-1 r, a system
        # the size of the upper regions (39) instead of the leaves (514)
        du = u / d[:, None]
        small = np.diag(var[upper, h]) + u.T @ du
        out[:, h] = rhs / d - du @ np.linalg.solve(small, du.T @ rhs)
    return np.maximum(out, 0.0)


@dataclass(frozen=True)
class TreeFactors:
    """Variances and loadings of the tree-factor error model, each (regions, months).

    For a region above the leaves, ``shared`` is the variance D of its shared component G (what
    all its leaves have in common), ``loading`` the weight mu of its parent's G in its own
    (``G = mu G_parent + F``) and ``own`` the variance of F. For a leaf, ``loading`` is the weight
    lambda of its parent's G in its error and ``own`` the variance of the rest
    (``e = lambda G_parent + r``). ``own`` is non-decreasing in months (a random walk's variance).
    """

    shared: np.ndarray
    loading: np.ndarray
    own: np.ndarray


def _depths(parent: np.ndarray) -> np.ndarray:
    depth = np.zeros(len(parent), dtype=np.int64)
    for r in range(len(parent)):
        node = parent[r]
        while node >= 0:
            depth[r] += 1
            node = parent[node]
    return depth


def _total(
    d: np.ndarray, k0: np.ndarray, x: np.ndarray, w: np.ndarray, s_c: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A region's variance and aggregate loading when its shared variance is ``d``, from its
    children's loadings ``k0``, shared variances ``x``, shares ``w`` and variances ``s_c``."""
    kappa = k0 * np.sqrt(np.minimum(1.0, np.divide(x, d, out=np.ones_like(x), where=d > 0)))
    lam = (w * kappa).sum(axis=0)
    return d * lam**2 + (w**2 * (s_c - kappa**2 * d)).sum(axis=0), lam


def solve_factors(
    variance: np.ndarray, shares: np.ndarray, parent: np.ndarray, iterations: int = 50
) -> TreeFactors:
    """The factor model that gives every region its own log-error variance (to first order).

    ``variance`` (regions, months): each region's own forecast error variance on the log scale;
    ``shares`` (regions, months): each region's share of its parent; ``parent`` (regions,) the
    parent row (-1 for the root). Leaves are the rows no region names as parent.

    Bottom-up, each region P gets the variance D of its shared component: a child c loads on it
    with ``kappa_c = kappa0_c sqrt(min(1, X_c / D))`` (a leaf: kappa0 = 1, X = its variance; a
    region: kappa0 = its own aggregate loading, X = its D), never more than the child's own
    variance allows, and the rest of the child is independent, so

        var(P) = D (sum_c w_c kappa_c)^2 + sum_c w_c^2 (s_c - kappa_c^2 D),

    non-decreasing in D; D is found by bisection so that var(P) equals P's own variance (capped at
    the largest X_c, where var(P) stops growing: the children cannot be more alike than identical).
    """
    var = np.maximum(np.asarray(variance, dtype=np.float64), 0.0)
    shares = np.asarray(shares, dtype=np.float64)
    n_r, n_t = var.shape
    children = [np.flatnonzero(parent == r) for r in range(n_r)]
    is_leaf = np.array([len(c) == 0 for c in children])
    depth = _depths(parent)
    shared = np.where(is_leaf[:, None], var, 0.0)
    agg_loading = np.ones((n_r, n_t))  # kappa0 of a region as a child (1 for leaves)
    for r in sorted(np.flatnonzero(~is_leaf).tolist(), key=lambda r: -depth[r]):
        kids = children[r]
        w = shares[kids]
        k0 = agg_loading[kids]
        x = shared[kids]  # a leaf's variance or a region's D
        s_c = var[kids]
        lo = np.zeros(n_t)
        hi = x.max(axis=0)
        for _ in range(iterations):
            mid = 0.5 * (lo + hi)
            below = _total(mid, k0, x, w, s_c)[0] < var[r]
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
        shared[r] = 0.5 * (lo + hi)
        agg_loading[r] = _total(shared[r], k0, x, w, s_c)[1]
    loading = np.ones((n_r, n_t))
    own = np.zeros((n_r, n_t))
    for r in range(n_r):
        p = parent[r]
        if p < 0:
            own[r] = shared[r]
            continue
        ratio = np.divide(shared[r], shared[p], out=np.ones(n_t), where=shared[p] > 0)
        loading[r] = np.sqrt(np.minimum(1.0, ratio))
        own[r] = np.maximum(shared[r] - loading[r] ** 2 * shared[p], 0.0)
    own = np.maximum.accumulate(own, axis=1)
    return TreeFactors(shared=np.where(is_leaf[:, None], np.nan, shared), loading=loading, own=own)


def leaf_log_errors(
    factors: TreeFactors, parent: np.ndarray, paths: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Joint log errors of the leaves (leaves, paths, months) float32, and the leaves' rows.

    Every region's own part is a random walk over months with variance ``factors.own``; a region
    above the leaves adds its parent's shared component times its loading, top-down, and a leaf's
    error is its loading times its parent's shared component plus its own part. Step h's
    increments of every region come from ``default_rng([seed, h])``.
    """
    own = factors.own
    n_r, n_t = own.shape
    has_children = np.zeros(n_r, dtype=bool)
    has_children[parent[parent >= 0]] = True
    leaf_rows = np.flatnonzero(~has_children)
    upper = np.flatnonzero(has_children)
    step_sd = np.sqrt(np.diff(own, axis=1, prepend=0.0)).astype(np.float32)
    # month-major while drawing and summing (each step writes and adds whole contiguous blocks; the
    # same float32 operations in the same order as on the (leaves, paths, months) layout), then
    # turned into that layout once
    out = np.empty((n_t, len(leaf_rows), paths), dtype=np.float32)
    g = np.empty((n_t, len(upper), paths), dtype=np.float32)
    for h in range(n_t):
        z = np.random.default_rng([seed, h]).standard_normal((n_r, paths), dtype=np.float32)
        z *= step_sd[:, h : h + 1]
        np.take(z, leaf_rows, axis=0, out=out[h])
        np.take(z, upper, axis=0, out=g[h])
    np.cumsum(out, axis=0, out=out)
    np.cumsum(g, axis=0, out=g)
    pos = {int(r): i for i, r in enumerate(upper)}
    depth = _depths(parent)
    load = factors.loading.astype(np.float32).T  # (months, regions)
    for i in sorted(range(len(upper)), key=lambda i: depth[upper[i]]):
        p = parent[upper[i]]
        if p >= 0:
            g[:, i] += load[:, upper[i], None] * g[:, pos[int(p)]]
    owner = parent[leaf_rows]
    for p in np.unique(owner[owner >= 0]):
        rows = np.flatnonzero(owner == p)
        out[:, rows] += load[:, leaf_rows[rows], None] * g[:, pos[int(p)], None, :]
    out = np.ascontiguousarray(out.transpose(1, 2, 0))
    return out, leaf_rows

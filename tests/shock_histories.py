"""A second history generator, unlike data_gen/synth.py: regions share national and provincial
shocks. Used to check that the projection's bands hold at every level on data it was not built on
(tests/test_hierarchy.py, bench/bench_calibrate.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.regions import RegionTree


def shock_history(
    tree: RegionTree,
    months: int = 90,
    start: str = "2018-01",
    seed: int = 0,
    leaves: list[str] | None = None,
    nation_sd: float = 0.008,
    province_sd: float = 0.006,
    leaf_sd: float = 0.010,
    growth_sd: float = 0.0015,
) -> pd.DataFrame:
    """Monthly active participants per kabupaten/kota (``region_code, segment, ds, active``, segment
    ALL): log level = start level + own drift + national, provincial and own random walks
    [log/sqrt(month)] + a mild December peak; drifts vary by region (growth_sd per month)."""
    rng = np.random.default_rng(seed)
    leaves = leaves or tree.of_level("kabkota")
    provinces = sorted({tree.parent(c) for c in leaves})
    prov_of = np.array([provinces.index(tree.parent(c)) for c in leaves])
    t = np.arange(months)
    drift = 0.004 + growth_sd * rng.standard_normal(len(leaves))
    nation = np.cumsum(nation_sd * rng.standard_normal(months))
    province = np.cumsum(province_sd * rng.standard_normal((len(provinces), months)), axis=1)
    own = np.cumsum(leaf_sd * rng.standard_normal((len(leaves), months)), axis=1)
    season = 0.01 * (pd.period_range(start, periods=months, freq="M").month == 12)
    level = np.log(rng.uniform(5_000, 400_000, len(leaves)))
    log_y = level[:, None] + drift[:, None] * t + nation + province[prov_of] + own + season
    ds = pd.period_range(start, periods=months, freq="M").to_timestamp()
    return pd.DataFrame(
        {
            "region_code": np.repeat(leaves, months),
            "segment": "ALL",
            "ds": np.tile(ds, len(leaves)),
            "active": np.round(np.exp(log_y)).astype(np.int64).ravel(),
        }
    )

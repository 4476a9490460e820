"""Fake baselines shared by the engine tests: every kabupaten/kota 50.000 active of 150.000
employed, 2025-01 .. 2027-12, 6 paths with 0,2 %/month growth and a 2 % log random walk."""

from __future__ import annotations

from simulator.baseline import Baseline, fake_baseline
from simulator.regions import load_regions

ACTIVE_PER_LEAF = 50_000.0  # [persons]
EMPLOYED_PER_LEAF = 150_000.0  # [persons]


def with_employed(base: Baseline, employed) -> Baseline:
    """``base`` with its employed paths replaced by ``employed`` (a new Baseline)."""
    return Baseline(
        regions=base.regions,
        months=base.months,
        active=base.active,
        employed=employed,
        last_observed=base.last_observed,
        meta=base.meta,
    )


def noisy(seed: int) -> Baseline:
    """A new noisy baseline drawn with ``seed``."""
    return fake_baseline(
        load_regions(),
        ("2025-01", "2027-12"),
        6,
        ACTIVE_PER_LEAF,
        EMPLOYED_PER_LEAF,
        growth=0.002,
        noise=0.02,
        seed=seed,
    )

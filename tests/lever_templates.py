"""Lever templates shared by the budget tests: a contribution subsidy from January 2025 with 10 %
deadweight, no retention and no lapse, paid by the province; ``keys`` override any of them."""

from __future__ import annotations


def subsidy(**keys) -> dict:
    return {
        "kind": "contribution_subsidy",
        "start": "2025-01",
        "ramp_months": 1,
        "already_covered": 0.1,
        "retention_after": 0.0,
        "lapse": 0.0,
        "payer": "apbd_provinsi",
        **keys,
    }

"""Budget sizing: the smallest plan of a lever that reaches a coverage target and keeps the later
ones (``solve``), the split of a rupiah budget across regions (``allocate``) and what each rupiah
buys per region (``frontier``), within each lever's eligible pool and the enrolment capacity.

Modules: ``common`` (lever templates, checks, the closed form), ``limits`` (eligible pools and
capacity), ``plan`` (a plan as the engine runs it: one lever per kabupaten/kota), ``solve``,
``allocate`` (with ``frontier``), ``words`` (the answers in Bahasa Indonesia and English).
"""

from simulator.budget.allocate import ALLOCATION_COLUMNS, FRONTIER_COLUMNS, Allocation, allocate, frontier
from simulator.budget.common import (
    COMPLIANCE,
    KIND_ALIASES,
    OBJECTIVES,
    SIZE_NAMES,
    SUBSIDY,
    VILLAGE,
    added_persons,
    goals_for,
    make_template,
    needed_sizes,
    parse_deadline,
    smallest_size,
)
from simulator.budget.limits import Limits, bpu_shares, default_capacity, limits_for, panel_inputs
from simulator.budget.solve import LIMITS, Solution, solve

__all__ = [
    "ALLOCATION_COLUMNS",
    "FRONTIER_COLUMNS",
    "Allocation",
    "allocate",
    "frontier",
    "COMPLIANCE",
    "KIND_ALIASES",
    "OBJECTIVES",
    "SIZE_NAMES",
    "SUBSIDY",
    "VILLAGE",
    "added_persons",
    "goals_for",
    "make_template",
    "needed_sizes",
    "parse_deadline",
    "smallest_size",
    "Limits",
    "bpu_shares",
    "default_capacity",
    "limits_for",
    "panel_inputs",
    "LIMITS",
    "Solution",
    "solve",
]

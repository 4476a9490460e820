"""Lever effects as pure numpy functions: added persons per kabupaten/kota x path x month, and cost.

Every function takes ``offset``, the months since the lever's start for each month of the axis
(negative before the start), and returns new arrays; nothing here knows about files or frames.
Shapes: L kabupaten/kota leaves in scope, P paths, T months.

Every lever's persons are an outer product: a share or size per leaf times one (P, T) profile, so
an effect is returned in that factored form (``LeverEffect.weights`` x ``LeverEffect.per_path``)
and the engine never has to hold a (L, P, T) array for a lever whose cap does not bind.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LeverEffect:
    """What one lever does: ``persons[l, p, t] = weights[l] x per_path[p, t]``.

    Attributes
    ----------
    weights : numpy.ndarray
        Per leaf, shape (L,), float64, non-negative for valid lever sizes: the share of the lever's
        size landing there [fraction] (subsidy, compliance, outreach) or its full-size persons
        (village officials: villages x officials per village [persons]).
    per_path : numpy.ndarray
        Added persons per unit weight [persons], float64, shape (P, T), non-negative for valid
        parameters (the engine checks and falls back to its exact path otherwise); may be a
        read-only broadcast view when every path is the same.
    cost : numpy.ndarray
        Cost of the lever [IDR/month], float64, shape (P, T), summed over leaves; may be a
        read-only broadcast view.
    """

    weights: np.ndarray
    per_path: np.ndarray
    cost: np.ndarray

    @property
    def persons(self) -> np.ndarray:
        """Added active participants [persons], float32, shape (L, P, T) (built on each access)."""
        return _spread(self.weights, self.per_path)


def ramp_fraction(offset: np.ndarray, ramp_months: int) -> np.ndarray:
    """Share of full size reached in each month [fraction], shape (T,).

    Month ``i`` of the ramp (offset i >= 0) has ``(i + 1) / ramp_months``; 0 before the start.
    ``ramp_months`` 0 or 1 means full size from the first month.
    """
    ramp = max(int(ramp_months), 1)
    offset = np.asarray(offset)
    return np.where(offset >= 0, np.clip((offset + 1) / ramp, 0.0, 1.0), 0.0)


def running_mask(offset: np.ndarray, months: int | None) -> np.ndarray:
    """True in the months the lever runs: from the start for ``months`` months (None: to the end)."""
    offset = np.asarray(offset)
    return (offset >= 0) if months is None else (offset >= 0) & (offset < months)


def split_weights(uncovered: np.ndarray) -> np.ndarray:
    """Shares [fraction] of a headcount per leaf, proportional to uncovered workers (sum 1).

    Negative values count as zero; when nothing is uncovered the split is even.
    """
    u = np.clip(np.asarray(uncovered, dtype=np.float64), 0.0, None)
    total = u.sum()
    return u / total if total > 0 else np.full(u.shape, 1.0 / max(len(u), 1))


def _spread(weights: np.ndarray, per_path: np.ndarray) -> np.ndarray:
    """(L,) x (P, T) -> (L, P, T) float32, each leaf's product taken in float64 and then rounded."""
    out = np.empty((len(weights), *per_path.shape), dtype=np.float32)
    for i, w in enumerate(np.asarray(weights, dtype=np.float64)):
        np.multiply(per_path, w, out=out[i], casting="same_kind")
    return out


def contribution_subsidy(
    headcount: float,
    months: int,
    ramp_months: int,
    offset: np.ndarray,
    weights: np.ndarray,
    already_covered: np.ndarray,
    retention_after: np.ndarray,
    lapse: np.ndarray,
    unit_cost: float,
) -> LeverEffect:
    """Contribution subsidy (bantuan iuran) for ``headcount`` workers.

    Parameters
    ----------
    headcount : float
        Subsidized workers at full size [persons].
    months : int
        Duration from the start [months].
    ramp_months : int
        Months to reach full size; enrolled headcount in ramp month i is N (i + 1) / ramp_months.
    offset : ndarray of int, shape (T,)
        Months since the start.
    weights : ndarray, shape (L,)
        Share of the headcount per leaf [fraction], summing to 1.
    already_covered, retention_after, lapse : ndarray, shape (P,)
        Deadweight [fraction], share still paying in the first month after the end [fraction],
        monthly lapse after the end [fraction/month].
    unit_cost : float
        Contribution paid per enrolled worker [IDR/person/month].

    Returns
    -------
    LeverEffect
        While running: persons = (1 - d) E_t with E_t the enrolled headcount; after the end:
        (1 - d) E_last r (1 - l)^k, k = months since the end (0 in the first month after), where
        E_last = N once the ramp is complete. Cost = E_t x unit_cost while running (the
        already-covered are paid for too).
    """
    offset = np.asarray(offset)
    enrolled = headcount * ramp_fraction(offset, ramp_months) * running_mask(offset, months)  # (T,)
    last = headcount * min(months / max(int(ramp_months), 1), 1.0)
    k = offset - months
    after = k >= 0
    keep = 1.0 - already_covered[:, None]
    decay = retention_after[:, None] * (1.0 - lapse[:, None]) ** np.where(after, k, 0)[None, :]
    total = keep * (enrolled[None, :] + np.where(after[None, :], last * decay, 0.0))
    cost = np.broadcast_to(enrolled * unit_cost, total.shape)
    return LeverEffect(weights=np.asarray(weights, dtype=np.float64), per_path=total, cost=cost)


def village_officials(
    villages: np.ndarray,
    officials_per_village: float,
    enrolled_share: np.ndarray,
    ramp_months: int,
    months: int | None,
    offset: np.ndarray,
    unit_cost: float,
    already_enrolled: np.ndarray | None = None,
) -> LeverEffect:
    """Village officials enrolled: villages x officials per village x enrolled share, ramping in.

    Parameters
    ----------
    villages : ndarray, shape (L,)
        Desa per leaf [villages] (kelurahan excluded: no perangkat desa, no APBDes).
    officials_per_village : float
        [persons/village].
    enrolled_share : ndarray, shape (P,)
        [fraction].
    ramp_months, months, offset
        As in ``contribution_subsidy``; ``months`` None runs to the end of the axis.
    unit_cost : float
        [IDR/person/month], paid for every enrolled official while the lever runs.
    already_enrolled : ndarray, shape (P,), optional
        Share of the enrolled officials who were active participants already [fraction] (default
        0): they are in the baseline, so they add no persons, but the lever pays for them.

    Returns
    -------
    LeverEffect
        persons = villages x officials x enrolled share x (1 - already enrolled) x ramp;
        cost = villages x officials x enrolled share x ramp x unit cost.

    Examples
    --------
    Kalimantan Barat: 2.046 desa (of 2.145 villages; kelurahan have no perangkat desa) x 15 x 0,8
    = 24.552 persons after the ramp; with a quarter already enrolled 18.414 new persons, and still
    24.552 x Rp16.800 = Rp412.473.600 a month.
    """
    offset = np.asarray(offset)
    profile = ramp_fraction(offset, ramp_months) * running_mask(offset, months)  # (T,)
    per_leaf = np.asarray(villages, dtype=np.float64) * officials_per_village  # (L,)
    enrolled = enrolled_share[:, None] * profile[None, :]  # (P, T)
    new = 1.0 if already_enrolled is None else 1.0 - np.asarray(already_enrolled, dtype=np.float64)[:, None]
    cost = per_leaf.sum() * enrolled * unit_cost
    return LeverEffect(weights=per_leaf, per_path=enrolled * new, cost=cost)


def payer_shares(payer: str, dana_desa_share: float = 0.0) -> list[tuple[str, float]]:
    """Who pays what share of a lever's cost [fraction]: ``payer`` alone, or for village officials
    the village's own budget (APBDes/ADD, ``payer``) with ``dana_desa_share`` paid from Dana Desa (an
    APBN transfer, payer "dana_desa"). Shares sum to 1; a zero share is left out."""
    share = float(dana_desa_share)
    parts = [(payer, 1.0 - share), ("dana_desa", share)] if payer != "dana_desa" else [(payer, 1.0)]
    return [(name, s) for name, s in parts if s > 0]


def employer_compliance(
    workers: float, ramp_months: int, offset: np.ndarray, weights: np.ndarray, paths: int, unit_cost: float
) -> LeverEffect:
    """Employer compliance drive: ``workers`` [persons] wage earners ramp in and stay.

    Cost = registered workers x ``unit_cost`` [IDR/person/month] (0 for the government by default).
    """
    profile = workers * ramp_fraction(offset, ramp_months)  # (T,)
    per_path = np.broadcast_to(profile, (paths, profile.size))
    cost = np.broadcast_to(profile * unit_cost, per_path.shape)
    return LeverEffect(weights=np.asarray(weights, dtype=np.float64), per_path=per_path, cost=cost)


def informal_outreach(
    monthly_enrollments: float,
    months: int,
    ramp_months: int,
    offset: np.ndarray,
    weights: np.ndarray,
    lapse: np.ndarray,
    unit_cost: float,
) -> LeverEffect:
    """Informal-sector outreach: stock s_t = s_{t-1} (1 - lapse) + m_t.

    ``m_t`` = ``monthly_enrollments`` [persons/month] x ramp while running, 0 afterwards, so the
    stock decays at ``lapse`` [fraction/month] after the campaign. The axis must start at or before
    the lever's start. Cost = stock x ``unit_cost`` [IDR/person/month] while the campaign runs.
    """
    offset = np.asarray(offset)
    running = running_mask(offset, months)
    inflow = monthly_enrollments * ramp_fraction(offset, ramp_months) * running  # (T,)
    stock = np.zeros((lapse.size, offset.size))
    level = np.zeros(lapse.size)
    for t in range(offset.size):
        level = level * (1.0 - lapse) + inflow[t]
        stock[:, t] = level
    return LeverEffect(
        weights=np.asarray(weights, dtype=np.float64),
        per_path=stock,
        cost=stock * running[None, :] * unit_cost,
    )


def workforce_factor(change: float, ramp_months: int, offset: np.ndarray) -> np.ndarray:
    """Multiplier on the workforce [fraction], shape (T,): 1 + change x ramp (1 before the start)."""
    return 1.0 + change * ramp_fraction(offset, ramp_months)


def running_programme(
    headcount: float,
    scale: float,
    ramp_months: int,
    offset: np.ndarray,
    weights: np.ndarray,
    already_covered: np.ndarray,
    retention_after: np.ndarray,
    lapse: np.ndarray,
    unit_cost: float,
) -> LeverEffect:
    """A running programme (members already in the baseline) continued, scaled or stopped.

    Parameters
    ----------
    headcount : float
        Members in force [persons] (e.g. 26.373 under Pergub Kalbar 4/2023).
    scale : float
        From the action month (offset 0): 1 continue, 0 stop, other values scale [fraction].
    ramp_months : int
        Months for extra members to ramp in (scale > 1).
    offset : ndarray of int, shape (T,)
        Months since the action month.
    weights : ndarray, shape (L,)
        Share of the headcount per leaf [fraction].
    already_covered, retention_after, lapse : ndarray, shape (P,)
        Deadweight of extra members [fraction]; share of dropped members still paying in the
        first month without the programme [fraction]; their monthly lapse after [fraction/month].
    unit_cost : float
        [IDR/person/month], paid for every member while the programme runs.

    Returns
    -------
    LeverEffect
        Persons against the baseline (which holds the members): 0 before the action and when
        continued; after a cut to ``scale`` < 1, -N (1 - scale) (1 - r (1 - l)^k), k months since the
        action (a stop loses N (1 - r) in its first month); after a rise, +N (scale - 1) (1 - d) x ramp.
        Cost = N x unit_cost before the action, N x scale x unit_cost after (extra members as
        they ramp in).

    Examples
    --------
    Stopping 26.373 members with retention 0,35 and no lapse: -17.142,45 persons from the stop
    month, and Rp443.066.400 a month saved.
    """
    offset = np.asarray(offset)
    after = offset >= 0
    k = np.where(after, offset, 0)
    if scale < 1:
        kept = retention_after[:, None] * (1.0 - lapse[:, None]) ** k[None, :]
        per_path = np.where(after[None, :], -headcount * (1.0 - scale) * (1.0 - kept), 0.0)
        members = np.where(after, headcount * scale, headcount)
    else:
        extra = headcount * (scale - 1.0) * ramp_fraction(offset, ramp_months)  # (T,)
        per_path = (1.0 - already_covered[:, None]) * extra[None, :]
        members = headcount + extra
    cost = np.broadcast_to(members * unit_cost, per_path.shape)
    return LeverEffect(weights=np.asarray(weights, dtype=np.float64), per_path=per_path, cost=cost)

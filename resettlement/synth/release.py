"""Synthetic release planning (stream 7; data standard 1.2): the expected release of children still held on the
as-of date, pre-release plans, ETE arranged for release, addresses confirmed before release for children still
held, and when a secure child's services were confirmed. Slower areas come from :data:`RELEASE_SLOW_AREAS`; every
assumption is in :data:`RELEASE_PLANNING`. Drawn on a stream of its own, so every older column is unchanged."""

from __future__ import annotations

import numpy as np

from resettlement.synth.helpers import blank, pick
from resettlement.synth.state import Synth
from resettlement.synth.tables import ERROR_RATES, RELEASE_PLANNING, RELEASE_SLOW_AREAS

P = RELEASE_PLANNING


def generate_release(s: Synth) -> None:
    """Every release-planning column, in the order they draw from ``streams[7]``: values, blanks, then errors."""
    s.report(0.7, "Generating release planning")
    rng = s.streams[7]
    lead, late, ete = _slowness(s)
    held = s.secure & np.isnan(s.release)
    expected = _expected_release(s, rng, held)
    target = np.where(held, expected, s.release)  # the (expected) release each plan works towards
    ete_arranged, ete_date = _ete(s, rng, target, lead, ete)
    cases = {
        "expected_release_date": expected,
        "pre_release_plan_date": _plans(s, rng, target, lead, late),
        "ete_arranged": ete_arranged,
        "ete_arranged_date": ete_date,
    }
    _accommodation(s, rng, held, expected, lead, late)
    needs = {"confirmed_date": _confirmations(s, rng, lead)}
    blank(rng, "cases", cases, s.row_missing, fields=tuple(cases))
    blank(rng, "needs", needs, s.row_missing[s.nc], fields=tuple(needs))
    _errors(s, rng, cases, needs)
    s.release_columns = {"cases": cases, "needs": needs}


def _slowness(s: Synth) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per case: the lead-time multiplier, the added late share and the ETE multiplier of its authority."""
    n_la = len(s.la_codes)
    lead, late, ete = np.ones(n_la), np.zeros(n_la), np.ones(n_la)
    for area in RELEASE_SLOW_AREAS:
        li = [s.la_codes.index(c) for c in area.la_codes]
        lead[li], late[li], ete[li] = area.lead, area.late, area.ete
    return lead[s.la], late[s.la], ete[s.la]


def _pair(values: tuple[float, float], s: Synth) -> np.ndarray:
    """A (custody, remand) assumption per case (community cases take the custody value; they never use it)."""
    return np.where(s.remand, values[1], values[0])


def _uniform_days(rng: np.random.Generator, bounds: tuple[int, int], n: int) -> np.ndarray:
    return rng.integers(bounds[0], bounds[1] + 1, n).astype(float)


def _expected_release(s: Synth, rng: np.random.Generator, held: np.ndarray) -> np.ndarray:
    """Expected release of each child still held: mostly 1-9 months ahead, some overdue, a few unknown. A released
    child keeps the date recorded while held: mostly the release date itself, some up to a month either side."""
    n = s.n
    ahead = np.round(np.clip(rng.lognormal(np.log(_pair(P.ahead_median, s)), P.ahead_sigma), 7, 3000))
    u = rng.random(n)
    overdue, unknown = u < P.overdue, (u >= P.overdue) & (u < P.overdue + P.unknown)
    expected = np.where(overdue, s.t1 - rng.integers(1, 61, n), s.t1 + ahead)
    moved = np.where(rng.random(n) < P.release_moved, rng.integers(-30, 31, n), 0)
    expected = np.where(held, expected, np.minimum(s.release + moved, s.t1))
    expected = np.maximum(expected, s.start + 1)
    return np.where(s.secure & ~unknown, expected, np.nan)  # community: none; NaN release stays NaN


def _plans(s: Synth, rng: np.random.Generator, target: np.ndarray, lead: np.ndarray, late: np.ndarray) -> np.ndarray:
    """Pre-release plan dates: typically 10-40 days before release (shorter in slow areas), some late (13 days
    before to a week after), some never; a plan for a child still held is known only once agreed."""
    n = s.n
    u = rng.random(n)
    missing = u < P.plan_missing
    is_late = ~missing & (u < P.plan_missing + np.minimum(_pair(P.plan_late, s) + late, 0.9))
    typical = np.round(_uniform_days(rng, P.plan_lead, n) * lead)
    plan = target - np.where(is_late, rng.integers(-7, 14, n), typical)
    plan = np.maximum(plan, s.start)
    return np.where(s.secure & ~missing & (plan <= s.t1), plan, np.nan)  # NaN target stays NaN


def _ete(
    s: Synth, rng: np.random.Generator, target: np.ndarray, lead: np.ndarray, ete: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """ETE arranged for release (about 60%, fewer on remand and in areas short of places) and when: 0-30 days
    before release. A child still held whose ETE is not arranged by as_of is recorded as not (yet) arranged."""
    n = s.n
    arranged = rng.random(n) < np.clip(_pair(P.ete_arranged, s) * ete, 0.0, 1.0)
    day = np.maximum(target - np.round(_uniform_days(rng, P.ete_lead, n) * lead), s.start)
    applies = s.secure & ~np.isnan(target)
    done = arranged & (day <= s.t1)
    return np.where(applies, done.astype(float), np.nan), np.where(applies & done, day, np.nan)


def _accommodation(
    s: Synth, rng: np.random.Generator, held: np.ndarray, expected: np.ndarray, lead: np.ndarray, late: np.ndarray
) -> None:
    """Addresses already confirmed for children still held (1-45 days before the expected release, sooner in slow
    areas; some not until release). Released children keep the dates the outcomes stage drew."""
    n = s.n
    not_before = rng.random(n) < np.minimum(P.accommodation_late + late, 0.9)
    day = np.maximum(expected - np.round(_uniform_days(rng, P.accommodation_lead, n) * lead), s.start)
    fill = held & ~np.isnan(expected) & ~not_before & (day <= s.t1)
    confirmed = s.outcomes["accommodation_confirmed_date"].copy()
    confirmed[fill] = day[fill]
    s.outcomes["accommodation_confirmed_date"] = confirmed


def _confirmations(s: Synth, rng: np.random.Generator, lead: np.ndarray) -> np.ndarray:
    """When a secure child's offered service was confirmed: some days after the offer (longer in slow areas), a few
    never; what falls after as_of is not known yet."""
    m = s.nc.size
    delay = np.round(rng.exponential(P.service_delay, m) / lead[s.nc])
    never = rng.random(m) < P.service_unconfirmed
    confirmed = s.offered_date + delay
    keep = (s.offered == 1) & s.secure[s.nc] & ~never & (confirmed <= s.t1)
    return np.where(keep, confirmed, np.nan)


def _errors(s: Synth, rng: np.random.Generator, cases: dict[str, np.ndarray], needs: dict[str, np.ndarray]) -> None:
    """Deliberate validity errors in the release-planning fields (:data:`ERROR_RATES`), in place."""
    start, t0 = s.start, s.t0
    plan = cases["pre_release_plan_date"]
    i = pick(rng, ~np.isnan(plan) & (start >= t0 + 2), ERROR_RATES["cases.pre_release_plan_before_start"])
    plan[i] = start[i] - rng.integers(1, np.minimum(30, start[i] - t0) + 1)
    confirmed, identified = needs["confirmed_date"], s.identified
    both = ~np.isnan(confirmed) & (np.nan_to_num(identified) > t0 + 30)
    i = pick(rng, both, ERROR_RATES["needs.confirmed_before_identified"])
    confirmed[i] = identified[i] - rng.integers(1, 31, i.size)

"""Synthetic cases (stream 0): cohort, start date, authority, sex, age and ethnicity; release and end; repeat
episodes of the same child; secure establishment, plan and assessment dates; and each case's blank rate."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from resettlement import geography
from resettlement.standard import COHORTS
from resettlement.synth.helpers import KEY, asof, day_number, draw, years
from resettlement.synth.state import Synth
from resettlement.synth.tables import (
    LA_PROFILE,
    MISSING_IMPROVEMENT,
    PERIOD_START,
    SERVICE_MISSING_2016,
    VOLUMES,
    YEAR_DAYS,
)

SEX_PROBS = [[0.94, 0.055, 0.005], [0.92, 0.075, 0.005], [0.84, 0.155, 0.005]]  # by cohort
AGE_PROBS = [  # ages 10..17, by cohort
    [0.0, 0.002, 0.01, 0.03, 0.08, 0.18, 0.30, 0.398],
    [0.0, 0.002, 0.01, 0.04, 0.09, 0.19, 0.29, 0.378],
    [0.01, 0.02, 0.04, 0.08, 0.14, 0.20, 0.25, 0.26],
]
# ESTABLISHMENTS: parc, hillside, werrington, wetherby, oakhill, cookham_wood, feltham, sch_other, other
EST_PROBS = [
    [0.62, 0.08, 0.03, 0.10, 0.04, 0.05, 0.03, 0.03, 0.02],  # boys 15+, south and west
    [0.08, 0.05, 0.65, 0.12, 0.03, 0.00, 0.00, 0.04, 0.03],  # boys 15+, north
    [0.00, 0.50, 0.00, 0.00, 0.08, 0.00, 0.00, 0.30, 0.12],  # girls or under 15, south and west
    [0.00, 0.30, 0.00, 0.00, 0.08, 0.00, 0.00, 0.47, 0.15],  # girls or under 15, north
]


def generate_cases(s: Synth) -> None:
    """Every stage of the cases, in the order they draw from ``streams[0]``."""
    rng = s.streams[0]
    s.report(0.0, "Generating cases")
    _people(s, rng)
    _release_and_end(s, rng)
    _repeat_episodes(s, rng)
    _establishment_and_plans(s, rng)
    _row_missing(s)


def _start_dates(s: Synth, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Start days and cohorts, sorted by start then cohort: yearly volumes with half-Poisson noise."""
    starts, cohorts = [], []
    for ci, name in enumerate(COHORTS):
        v2016, v2025 = VOLUMES[name]
        for year in range(PERIOD_START.year, s.as_of.year + 1):
            lo, hi = max(day_number(date(year, 1, 1)), s.t0), min(day_number(date(year, 12, 31)), s.t1)
            covered = (hi - lo + 1) / (day_number(date(year, 12, 31)) - day_number(date(year, 1, 1)) + 1)
            lam = v2016 * (v2025 / v2016) ** ((year - 2016) / 9) * s.scale * covered
            k = max(0, round(float(lam + 0.5 * np.sqrt(lam) * rng.standard_normal())))  # half Poisson noise
            starts.append(rng.integers(lo, hi + 1, k))
            cohorts.append(np.full(k, ci))
    start = np.concatenate(starts)
    cohort = np.concatenate(cohorts)
    order = np.lexsort((cohort, start))
    return start[order], cohort[order]


def _people(s: Synth, rng: np.random.Generator) -> None:
    """Cohort, start, authority, sex, age (and a date of birth) and ethnicity."""
    la_codes = s.la_codes = geography.LA_CODES
    n_la = len(la_codes)
    pop = np.array([LA_PROFILE[c][0] for c in la_codes])
    rate_factor = np.array([LA_PROFILE[c][1] for c in la_codes])
    minority = np.array([LA_PROFILE[c][2] for c in la_codes])
    police_codes = [p.code for p in geography.POLICE_AREAS]
    s.la_police = np.array([police_codes.index(geography.LA_BY_CODE[c].police_area) for c in la_codes])

    s.start, s.cohort = _start_dates(s, rng)
    s.n = n = s.start.size
    s.custody, s.remand = s.cohort == 0, s.cohort == 1
    s.secure = s.custody | s.remand

    la_weights = np.vstack([pop * rate_factor**2, pop * rate_factor**2, pop * rate_factor])
    s.la = draw(rng, la_weights, s.cohort)
    s.police = s.la_police[s.la]
    s.sex = draw(rng, SEX_PROBS, s.cohort)
    s.age = 10 + draw(rng, AGE_PROBS, s.cohort)
    s.dob = s.start - np.round((s.age + rng.uniform(0.02, 0.98, n)) * YEAR_DAYS).astype(np.int64)

    big_city = np.isin(np.array(la_codes), ["W06000015", "W06000022"])
    minority_mix = np.where(big_city[:, None], [[0.35, 0.25, 0.25, 0.15]], [[0.50, 0.20, 0.15, 0.15]])
    eth_probs = np.hstack(
        [(1 - minority)[:, None] * 0.98, minority[:, None] * 0.98 * minority_mix, np.full((n_la, 1), 0.02)]
    )
    s.ethnicity = draw(rng, eth_probs, s.la)


def _release_and_end(s: Synth, rng: np.random.Generator) -> None:
    """Release (secure cohorts) and end dates; what falls after as_of is not known yet (blank)."""
    n, start, custody, remand, secure = s.n, s.start, s.custody, s.remand, s.secure
    custody_days = np.clip(rng.lognormal(np.log(110), 0.65, n), 14, 900)
    remand_days = np.clip(rng.lognormal(np.log(40), 0.8, n), 2, 300)
    release = np.where(custody, start + np.round(custody_days), np.where(remand, start + np.round(remand_days), np.nan))
    after_release = np.where(
        custody,
        np.round(custody_days * rng.uniform(0.8, 1.2, n) + rng.uniform(0, 90, n)),
        np.round(np.clip(rng.lognormal(np.log(75), 0.7, n), 14, 500)),
    )
    end = np.where(secure, release + after_release, start + rng.integers(180, 731, n) + rng.integers(0, 61, n))
    release[release > s.t1] = np.nan
    end[np.isnan(release) & secure] = np.nan
    end[end > s.t1] = np.nan
    s.release, s.end = release, end


def _repeat_episodes(s: Synth, rng: np.random.Generator) -> None:
    """Link some episodes to an earlier, ended episode of a child in the same authority (same sex): the later
    episode takes the child's date of birth and ethnicity, and the age follows from them."""
    n, start, end = s.n, s.start, s.end
    group = s.la * 3 + s.sex
    pred_idx = np.flatnonzero(~np.isnan(end))
    pred_keys = group[pred_idx] * KEY + end[pred_idx].astype(np.int64)
    o = np.argsort(pred_keys, kind="stable")
    pred_idx, pred_keys = pred_idx[o], pred_keys[o]
    cand = np.flatnonzero(rng.random(n) < 0.5)
    cutoff = start[cand] - 14 - np.round(rng.exponential(120.0, cand.size)).astype(np.int64)
    pos = asof(pred_keys, group[cand], cutoff, forward=False)
    cand, pos = cand[pos >= 0], pos[pos >= 0]
    pred = pred_idx[pos]
    _, first = np.unique(pred, return_index=True)  # candidates are in start order: the earliest later one wins
    parent = np.full(n, -1)
    parent[cand[first]] = pred[first]
    root = _roots(parent, start, s.dob)
    s.dob = s.dob[root]
    s.age = age = np.floor((start - s.dob) / YEAR_DAYS).astype(np.int64)
    s.ethnicity = s.ethnicity[root]
    _, s.child_num = np.unique(root, return_inverse=True)
    s.age_band = np.select([age <= 14, age == 15, age == 16], [0, 1, 2], 3)
    s.female = s.sex == 1


def _roots(parent: np.ndarray, start: np.ndarray, dob: np.ndarray) -> np.ndarray:
    """First episode of each episode's chain, after unlinking links that would make the child older than 17."""
    arange = np.arange(parent.size)
    for _ in range(64):
        root = np.where(parent >= 0, parent, arange)
        while True:
            nxt = root[root]
            if np.array_equal(nxt, root):
                break
            root = nxt
        too_old = (parent >= 0) & (np.floor((start - dob[root]) / YEAR_DAYS) > 17)
        if not too_old.any():
            break
        parent[too_old] = -1
    return root


def _establishment_and_plans(s: Synth, rng: np.random.Generator) -> None:
    """Secure establishment (by region, age and sex), plan and assessment dates."""
    n, start, t1 = s.n, s.start, s.t1
    north = s.police == 0
    young_or_girl = (s.age < 15) | s.female
    est_group = np.where(young_or_girl, 2, 0) + north
    s.establishment = np.where(s.secure, draw(rng, EST_PROBS, est_group), -1)

    plan = start + np.round(rng.gamma(2.0, 5.0, n)) + np.where(rng.random(n) < 0.10, rng.integers(30, 90, n), 0)
    assess = start + np.where(rng.random(n) < 0.10, -rng.integers(1, 60, n), np.round(rng.gamma(2.0, 7.0, n)))
    assess = np.maximum(assess, s.t0).astype(float)
    plan = plan.astype(float)
    plan[plan > t1] = np.nan
    assess[assess > t1] = np.nan
    s.plan, s.assess = plan, assess


def _row_missing(s: Synth) -> None:
    """Completeness rate per case: the youth justice service on the start date, improving over time."""
    svc_rate = (
        geography.attach_service(
            pl.DataFrame(
                {"la_code": np.array(s.la_codes)[s.la], "start_date": pl.Series(s.start).cast(pl.Int32).cast(pl.Date)}
            )
        )["service_code"]
        .replace_strict(SERVICE_MISSING_2016, default=0.08, return_dtype=pl.Float64)
        .to_numpy()
    )
    elapsed = (s.start - s.t0) / max(s.t1 - s.t0, 1)
    s.row_missing = svc_rate * (1 - MISSING_IMPROVEMENT * elapsed)
    s.start_year = years(s.start)

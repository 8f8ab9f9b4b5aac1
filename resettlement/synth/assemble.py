"""From working arrays to the standard's tables: ids (stream 4), blanks by service and year (stream 5), deliberate
validity errors (stream 6), then one Polars frame per table with the standard's schema."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from resettlement import store
from resettlement.standard import AGENCY_TYPES, TABLES
from resettlement.synth.helpers import blank, day_number, frame, hex_ids, pick, seq_ids
from resettlement.synth.state import Synth
from resettlement.synth.tables import (
    ERROR_RATES,
    MISSING_IMPROVEMENT,
    OUTCOME_ROW_MISSING,
    REOFFENCE_DATES_MISSING,
    RRP_DEFS,
)

Columns = dict[str, np.ndarray | pl.Series]


def assemble(s: Synth) -> dict[str, pl.DataFrame]:
    """Every table of the standard, in the standard's order."""
    s.report(0.8, "Completeness and validity")
    cols = _case_columns(s)
    case_ids = cols["cases"]["case_id"]
    if not isinstance(case_ids, pl.Series):
        raise TypeError("case ids are held as a Polars series")
    cols.update(_rrp_columns(s, case_ids))
    keep_outcome = _blank_fields(s, cols)
    _errors(s, cols)
    frames = {name: frame(name, c) for name, c in cols.items()}
    frames["outcomes"] = frames["outcomes"].filter(pl.Series(keep_outcome))
    frames["rrps"] = _rrps(s)
    s.report(1.0, "Synthetic data ready")
    return {name: frames[name] for name in TABLES}


def _case_columns(s: Synth) -> dict[str, Columns]:
    """Working columns of cases, needs and outcomes (ids as Polars series, the rest numpy)."""
    n = s.n
    case_ids = seq_ids("C", n)
    child_ids = hex_ids("P", int(s.child_num.max()) + 1 if n else 0, s.streams[4])
    cases: Columns = {
        "case_id": case_ids,
        "child_id": child_ids.gather(pl.Series(s.child_num, dtype=pl.UInt32)) if n else pl.Series([], dtype=pl.String),
        "la_code": s.la,
        "cohort": s.cohort,
        "start_date": s.start.astype(float),
        "sex": s.sex.copy(),
        "age_at_start": s.age.astype(float),
        "ethnicity": s.ethnicity.copy(),
        "release_date": s.release.copy(),
        "establishment": s.establishment,
        "end_date": s.end.copy(),
        "rrp_id": pl.Series(s.rrp_ids, dtype=pl.String).gather(
            pl.Series(np.where(s.referred, s.case_rrp, np.nan), nan_to_null=True).cast(pl.UInt32)
        ),
        "rrp_referral_date": np.where(s.referred, s.referral, np.nan),
        "plan_date": s.plan,
        "assessment_date": s.assess,
        **s.release_columns["cases"],
    }
    needs: Columns = {
        "case_id": case_ids.gather(pl.Series(s.nc, dtype=pl.UInt32)),
        "pathway": s.npw,
        "need": s.need,
        "identified_date": s.identified,
        "service_offered": s.offered,
        "offered_date": s.offered_date,
        "engaged": s.engaged,
        "gap_reason": s.gap,
        "agency": s.agency,
        **s.release_columns["needs"],
    }
    outcomes: Columns = {"case_id": case_ids, **s.outcomes}
    return {"cases": cases, "needs": needs, "outcomes": outcomes}


def _rrp_columns(s: Synth, case_ids: pl.Series) -> dict[str, Columns]:
    """Working columns of meetings, attendance and reviews."""
    n_meet, n_ag = s.meeting_keys.size, len(AGENCY_TYPES)
    meeting_id = s.meeting_id
    meetings: Columns = {
        "meeting_id": meeting_id,
        "rrp_id": pl.Series(s.rrp_ids[s.m_rrp], dtype=pl.String),
        "meeting_date": s.m_day.astype(float),
        "cases_reviewed": s.mt_cases,
        "actions_agreed": s.mt_agreed.astype(float),
        "actions_completed": s.mt_completed.astype(float),
        "escalations": s.mt_escalations,
    }
    attendance: Columns = {
        "meeting_id": meeting_id.gather(pl.Series(np.repeat(np.arange(n_meet), n_ag), dtype=pl.UInt32)),
        "agency_type": np.tile(np.arange(n_ag), n_meet),
        "invited": s.invited.ravel().astype(float),
        "attended": s.attended.ravel(),
    }
    reviews: Columns = {
        "meeting_id": meeting_id.gather(pl.Series(s.r_meet, dtype=pl.UInt32)),
        "case_id": case_ids.gather(pl.Series(s.r_case, dtype=pl.UInt32)),
        "review_type": s.r_type,
        "actions_agreed": s.r_agreed,
        "actions_completed": s.r_completed,
        "escalated": s.r_escalated,
    }
    return {"rrp_meetings": meetings, "rrp_attendance": attendance, "rrp_reviews": reviews}


def _blank_fields(s: Synth, cols: dict[str, Columns]) -> np.ndarray:
    """Blank expected and conditional fields by service and year, in place; returns which cases keep an outcomes
    row."""
    rng = s.streams[5]
    row_missing, outcomes = s.row_missing, cols["outcomes"]
    keep_outcome = rng.random(s.n) >= OUTCOME_ROW_MISSING
    blank(rng, "cases", cols["cases"], row_missing)
    blank(rng, "needs", cols["needs"], row_missing[s.nc])
    blank(rng, "outcomes", outcomes, row_missing)
    no_dates = rng.random(s.n) < np.minimum(row_missing * REOFFENCE_DATES_MISSING, 0.6)
    for name in ("first_reoffence_date", "first_reoffence_proven_date", "reoffending_checked_date"):
        outcomes[name][no_dates] = np.nan
    rrp_missing = np.array([d.missing for d in RRP_DEFS])
    meet_missing = rrp_missing[s.m_rrp] * (1 - MISSING_IMPROVEMENT * (s.m_day - s.t0) / max(s.t1 - s.t0, 1))
    blank(rng, "rrp_meetings", cols["rrp_meetings"], meet_missing)
    blank(rng, "rrp_attendance", cols["rrp_attendance"], np.repeat(meet_missing, len(AGENCY_TYPES)))
    blank(rng, "rrp_reviews", cols["rrp_reviews"], meet_missing[s.r_meet])
    return keep_outcome


def _errors(s: Synth, cols: dict[str, Columns]) -> None:
    """Deliberate validity errors (:data:`ERROR_RATES`), in place."""
    rng, er, t0 = s.streams[6], ERROR_RATES, s.t0
    cases, needs, outcomes = cols["cases"], cols["needs"], cols["outcomes"]
    meetings, reviews = cols["rrp_meetings"], cols["rrp_reviews"]
    cs = cases["start_date"]
    i = pick(rng, s.secure & ~np.isnan(cases["release_date"]) & (cs >= t0 + 2), er["cases.release_before_start"])
    cases["release_date"][i] = cs[i] - rng.integers(1, np.minimum(60, cs[i] - t0).astype(np.int64) + 1)
    i = pick(rng, (s.cohort == 2) & ~np.isnan(cases["end_date"]) & (cs >= t0 + 2), er["cases.end_before_start"])
    cases["end_date"][i] = cs[i] - rng.integers(1, np.minimum(30, cs[i] - t0).astype(np.int64) + 1)
    i = pick(rng, ~np.isnan(cases["age_at_start"]), er["cases.age_out_of_range"])
    cases["age_at_start"][i] = np.where(cases["age_at_start"][i] <= 13, 9, 18)
    both = ~np.isnan(needs["offered_date"]) & ~np.isnan(needs["identified_date"])
    i = pick(rng, both & (needs["identified_date"] > t0 + 30), er["needs.offered_before_identified"])
    needs["offered_date"][i] = needs["identified_date"][i] - rng.integers(1, 31, i.size)
    nc = s.nc
    late_start = cs[nc] >= day_number(date(2017, 3, 1))
    i = pick(rng, ~np.isnan(needs["identified_date"]) & late_start, er["needs.identified_over_a_year_before_start"])
    needs["identified_date"][i] = cs[nc][i] - rng.integers(380, 420, i.size)
    hours_ok = ~np.isnan(outcomes["ete_hours_attended"]) & (np.nan_to_num(outcomes["ete_hours_offered"]) > 0)
    i = pick(rng, hours_ok, er["outcomes.hours_attended_above_offered"])
    outcomes["ete_hours_attended"][i] = outcomes["ete_hours_offered"][i] + rng.integers(1, 6, i.size)
    both = ~np.isnan(meetings["actions_agreed"]) & ~np.isnan(meetings["actions_completed"])
    i = pick(rng, both, er["rrp_meetings.completed_above_agreed"])
    meetings["actions_completed"][i] = meetings["actions_agreed"][i] + rng.integers(1, 4, i.size)
    both = ~np.isnan(reviews["actions_agreed"]) & ~np.isnan(reviews["actions_completed"])
    i = pick(rng, both, er["rrp_reviews.completed_above_agreed"])
    reviews["actions_completed"][i] = reviews["actions_agreed"][i] + rng.integers(1, 3, i.size)


def _rrps(s: Synth) -> pl.DataFrame:
    """The RRPs known by as_of (an RRP set up after as_of is not known yet)."""
    live = [d for d in RRP_DEFS if d.established <= s.as_of]
    return pl.DataFrame(
        {
            "rrp_id": [d.rrp_id for d in live],
            "name": [d.name for d in live],
            "name_cy": [d.name_cy for d in live],
            "la_codes": [";".join(c for c in s.la_codes if c in d.la_codes) for d in live],
            "established_date": [d.established for d in live],
        },
        schema=store.polars_schema(TABLES["rrps"]),
    )

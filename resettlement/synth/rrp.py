"""Synthetic RRP activity (stream 2): monthly meetings of each partnership, selection of cases into review (the
known, documented selection model), the reviews at meetings, and agency attendance."""

from __future__ import annotations

import numpy as np
import polars as pl

from resettlement.standard import AGENCY_TYPES
from resettlement.synth.helpers import KEY, asof, day_number, logit, sigmoid
from resettlement.synth.state import Synth
from resettlement.synth.tables import ATTENDANCE, ATTENDANCE_SHIFT, HIDDEN_SELECTION, INVITED, REFERRAL_LOGIT, RRP_DEFS


def generate_rrp(s: Synth) -> None:
    """Meetings, referrals, reviews and attendance, in the order they draw from ``streams[2]``."""
    s.report(0.4, "Generating RRP meetings")
    rng = s.streams[2]
    la_rrp = np.full(len(s.la_codes), -1)
    for r, d in enumerate(RRP_DEFS):
        la_rrp[[s.la_codes.index(c) for c in d.la_codes]] = r
    est_day = np.array([day_number(d.established) for d in RRP_DEFS])
    _meetings(s, rng, est_day)
    _referrals(s, rng, la_rrp, est_day)
    _reviews(s, rng)
    _meeting_totals(s, rng)
    _attendance(s, rng)


def _meetings(s: Synth, rng: np.random.Generator, est_day: np.ndarray) -> None:
    """One meeting a month per RRP from its establishment (on its weekday and week), less skipped months."""
    m_rrp, m_day, m_month = [], [], []
    for r, d in enumerate(RRP_DEFS):
        months = np.arange(np.datetime64(d.established, "M"), np.datetime64(s.as_of, "M") + 1)
        ms = months.astype("datetime64[D]").astype(np.int64)
        weekday = (ms + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        day = ms + (d.weekday - weekday) % 7 + 7 * (d.week - 1)
        month_no = months.astype(np.int64) % 12 + 1
        skip = rng.random(ms.size) < d.skip_rate + 0.30 * (month_no == 8) + 0.15 * (month_no == 12)
        keep = ~skip & (day >= est_day[r]) & (day <= s.t1)
        m_rrp.append(np.full(keep.sum(), r))
        m_day.append(day[keep])
        m_month.append(months[keep])
    s.m_rrp = np.concatenate(m_rrp)
    s.m_day = np.concatenate(m_day)
    m_month_a = np.concatenate(m_month)
    s.meeting_keys = s.m_rrp * KEY + s.m_day  # sorted: by RRP, then date
    s.rrp_ids = rrp_ids = np.array([d.rrp_id for d in RRP_DEFS])
    s.meeting_id = pl.Series(
        [f"M-{rid}-{mon}" for rid, mon in zip(rrp_ids[s.m_rrp], np.datetime_as_string(m_month_a), strict=True)],
        dtype=pl.String,
    )


def _referrals(s: Synth, rng: np.random.Generator, la_rrp: np.ndarray, est_day: np.ndarray) -> None:
    """Selection into RRP review: :data:`REFERRAL_LOGIT` (plus substance misuse in the hidden scenario)."""
    s.case_rrp = la_rrp[s.la]
    eligible = s.start >= est_day[s.case_rrp]
    sel = REFERRAL_LOGIT
    log_odds = (
        sel["intercept"]
        + np.asarray(sel["cohort"])[s.cohort]
        + sel["needs_band"] * (s.needs_band - 2)
        + np.asarray(sel["police"])[s.police]
        + sel["year"] * (s.start_year - 2020)
        + (HIDDEN_SELECTION["referral_logit"] * s.substance if s.hidden else 0.0)
    )
    referral = s.start + 1 + np.round(rng.gamma(2.0, 7.0, s.n))
    s.referred = eligible & (rng.random(s.n) < sigmoid(log_odds)) & (referral <= s.t1)
    s.referral = referral


def _reviews(s: Synth, rng: np.random.Generator) -> None:
    """Review rows: referral at the first meeting on/after referral; pre-release at the last meeting before release
    (or the latest meeting, for children still in custody) after the referral meeting; post-release at the first
    meeting after release (within 75 days); exit at the first meeting from three weeks before the end."""
    keys, case_rrp, secure, custody = s.meeting_keys, s.case_rrp, s.secure, s.custody
    release, end = s.release, s.end
    u = rng.random((s.n, 4))
    ref_pos = np.where(s.referred, asof(keys, case_rrp, np.where(s.referred, s.referral, 0), forward=True), -1)
    s.treated = treated = ref_pos >= 0
    has_release = treated & ~np.isnan(release)
    rel_day = np.nan_to_num(release, nan=0).astype(np.int64)
    end_day = np.nan_to_num(end, nan=0).astype(np.int64)
    meet_day = np.append(s.m_day, 0)  # position -1 (no meeting) reads the trailing 0
    s.ref_meet_day = ref_meet_day = meet_day[ref_pos]
    in_custody = treated & secure & np.isnan(release)  # not yet released: the latest meeting so far
    pre_day = np.where(in_custody, s.t1, rel_day - 1)
    pre_pos = np.where((has_release | in_custody) & secure, asof(keys, case_rrp, pre_day, forward=False), -1)
    pre_ok = (pre_pos >= 0) & (meet_day[pre_pos] > ref_meet_day) & (u[:, 0] < np.where(custody, 0.9, 0.6))
    post_pos = np.where(has_release & secure, asof(keys, case_rrp, rel_day + 1, forward=True), -1)
    post_ok = (post_pos >= 0) & (meet_day[post_pos] - rel_day <= 75)
    post_ok &= u[:, 1] < np.where(custody, 0.85, 0.5)
    exit_pos = np.where(treated & ~np.isnan(end), asof(keys, case_rrp, end_day - 21, forward=True), -1)
    exit_ok = (exit_pos >= 0) & (meet_day[exit_pos] > ref_meet_day) & (u[:, 2] < 0.8)
    r_case = np.concatenate(
        [np.flatnonzero(treated), np.flatnonzero(pre_ok), np.flatnonzero(post_ok), np.flatnonzero(exit_ok)]
    )
    r_meet = np.concatenate([ref_pos[treated], pre_pos[pre_ok], post_pos[post_ok], exit_pos[exit_ok]])
    r_type = np.concatenate(
        [np.full(c, i) for i, c in enumerate([treated.sum(), pre_ok.sum(), post_ok.sum(), exit_ok.sum()])]
    )
    o = np.lexsort((r_type, r_case, r_meet))
    s.r_case, s.r_meet, s.r_type = r_case[o], r_meet[o], r_type[o]


def _meeting_totals(s: Synth, rng: np.random.Generator) -> None:
    """Actions agreed and completed and escalations per review, and their totals (plus other business) per
    meeting."""
    n_meet, r_meet = s.meeting_keys.size, s.r_meet
    r_rrp = s.m_rrp[r_meet]
    completion = np.array([d.completion for d in RRP_DEFS])
    s.r_agreed = rng.poisson(np.array([3.0, 2.5, 2.0, 1.0])[s.r_type]).astype(float)
    s.r_completed = rng.binomial(s.r_agreed.astype(np.int64), completion[r_rrp]).astype(float)
    s.r_escalated = (rng.random(r_meet.size) < 0.05 + 0.05 * (s.needs_band[s.r_case] >= 4)).astype(float)

    s.mt_cases = np.bincount(r_meet, minlength=n_meet).astype(float)
    extra = rng.poisson(1.0, n_meet)
    s.mt_agreed = np.bincount(r_meet, weights=s.r_agreed, minlength=n_meet) + extra
    s.mt_completed = np.bincount(r_meet, weights=s.r_completed, minlength=n_meet) + rng.binomial(
        extra, completion[s.m_rrp]
    )
    s.mt_escalations = np.bincount(r_meet, weights=s.r_escalated, minlength=n_meet)


def _attendance(s: Synth, rng: np.random.Generator) -> None:
    """Invitation and attendance, meeting x agency (:data:`INVITED`, :data:`ATTENDANCE`, shifted per RRP)."""
    n_meet, n_ag = s.meeting_keys.size, len(AGENCY_TYPES)
    invited_p = np.array([INVITED.get(a, 0.97) for a in AGENCY_TYPES])
    shift = np.array(
        [[d.attendance_shift + ATTENDANCE_SHIFT.get((d.rrp_id, a), 0.0) for a in AGENCY_TYPES] for d in RRP_DEFS]
    )
    attend_p = sigmoid(logit(np.array([ATTENDANCE[a] for a in AGENCY_TYPES]))[None, :] + shift)
    s.invited = invited = rng.random((n_meet, n_ag)) < invited_p
    s.attended = (invited & (rng.random((n_meet, n_ag)) < attend_p[s.m_rrp])).astype(float)

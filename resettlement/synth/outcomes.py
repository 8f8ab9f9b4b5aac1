"""Synthetic outcomes (stream 3): untreated probabilities from :data:`OUTCOME_MODEL` plus the known effect of RRP
review (:data:`RRP_EFFECT`), treatment fixed in time per outcome; reoffending generated as dates."""

from __future__ import annotations

import numpy as np

from resettlement.synth.helpers import reoffence_dates
from resettlement.synth.state import Synth
from resettlement.synth.tables import HIDDEN_SELECTION, LATE_ACCOMMODATION_EFFECT, OUTCOME_MODEL, RRP_EFFECT


def _p0(s: Synth, name: str) -> np.ndarray:
    """Untreated probability of outcome ``name`` per case: matched covariates only."""
    m = OUTCOME_MODEL[name]
    p = (
        np.asarray(m["cohort"])[s.cohort]
        + m["needs_band"] * (s.needs_band - 2)
        + np.asarray(m["age_band"])[s.age_band]
        + m["female"] * s.female
        + np.asarray(m["police"])[s.police]
        + m["year"] * (s.start_year - 2016)
    )
    return np.clip(p, *m["clip"])


def generate_outcomes(s: Synth) -> None:
    """Every outcome column, in the order they draw from ``streams[3]``."""
    s.report(0.6, "Generating outcomes")
    rng = s.streams[3]
    n, release, end, secure, needs_band = s.n, s.release, s.end, s.secure, s.needs_band
    # treatment fixed in time per outcome: the first review meeting before the outcome's reference date
    index_day = np.where(secure, release, s.start.astype(float))
    first_review = np.where(s.treated, s.ref_meet_day, np.inf)
    t_index = (first_review < np.nan_to_num(index_day, nan=-np.inf)).astype(float)
    t_release = (first_review < np.nan_to_num(release, nan=-np.inf)).astype(float)
    t_end = (first_review <= np.nan_to_num(end, nan=np.inf)).astype(float)
    p_reoffend = (
        _p0(s, "reoffended")
        + RRP_EFFECT["reoffended"] * t_index
        + (HIDDEN_SELECTION["reoffended"] * s.substance if s.hidden else 0.0)
    )
    first_offence, first_proven, checked, reoffended = reoffence_dates(rng, index_day, p_reoffend, s.t1)
    lam = 0.5 + 0.15 * needs_band + 0.4 * s.custody
    reoffences = np.where(reoffended == 1, 1 + np.minimum(rng.poisson(lam), 98), np.nan)
    ended = ~np.isnan(end)
    acc_end = rng.random(n) < _p0(s, "accommodation_suitable_end") + RRP_EFFECT["accommodation_suitable_end"] * t_end
    ete_end = rng.random(n) < _p0(s, "ete_suitable_end") + RRP_EFFECT["ete_suitable_end"] * t_end
    exit_p = 0.55 - 0.04 * (needs_band - 2) + 0.05 * (s.cohort == 2)
    exit_universal = np.where(ended, rng.random(n) < exit_p, np.nan)
    p_late = np.clip(0.22 + 0.02 * (needs_band - 2), 0.12, 0.40) + LATE_ACCOMMODATION_EFFECT * t_release
    late_acc = rng.random(n) < p_late
    on_day = rng.random(n) < 0.4
    after = np.where(on_day, 0, rng.integers(1, 22, n))
    acc_conf = np.where(late_acc, release + after, release - rng.integers(1, 31, n))
    acc_conf = np.where(secure, np.maximum(acc_conf, s.start), np.nan)
    acc_conf[acc_conf > s.t1] = np.nan
    hours_off = np.where(rng.random(n) < 0.12, 0.0, np.clip(np.round(rng.normal(16, 6, n) * 2) / 2, 1, 25))
    hours_att = np.where(hours_off > 0, np.round(hours_off * rng.beta(4, 2, n) * 2) / 2, np.nan)
    s.outcomes = {
        "accommodation_suitable_end": np.where(ended, acc_end, np.nan),
        "accommodation_confirmed_date": acc_conf,
        "ete_suitable_end": np.where(ended, ete_end, np.nan),
        "ete_hours_offered": hours_off,
        "ete_hours_attended": hours_att,
        "first_reoffence_date": first_offence,
        "first_reoffence_proven_date": first_proven,
        "reoffending_checked_date": checked,
        "reoffended": reoffended,
        "reoffences": reoffences,
        "exit_to_universal_services": exit_universal,
    }

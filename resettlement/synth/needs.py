"""Synthetic needs (stream 1): one row per assessed case x pathway, with correlated needs, services offered (or the
gap reason, by the authority's gap profile), offer dates, engagement and the agency."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from resettlement import standard
from resettlement.standard import AGENCY_TYPES, PATHWAYS
from resettlement.synth.helpers import draw
from resettlement.synth.state import Synth
from resettlement.synth.tables import (
    ENGAGED,
    GAP_MIX_DEFAULT,
    GAP_PROFILES,
    NEED_CORRELATION,
    NOT_ASSESSED,
    OFFER_DEFAULT,
    PATHWAY_AGENCY,
    PREVALENCE,
)


def generate_needs(s: Synth) -> None:
    """Needs and services, in the order they draw from ``streams[1]``."""
    s.report(0.2, "Generating needs")
    rng = s.streams[1]
    _need_rows(s, rng)
    _services(s, rng)


def _need_rows(s: Synth, rng: np.random.Generator) -> None:
    """Which pathways were assessed and the recorded need (yes, no, unknown); needs share a latent severity."""
    n, n_pw = s.n, len(PATHWAYS)
    prev = np.array([PREVALENCE[p] for p in PATHWAYS]).T  # cohort x pathway
    threshold = np.vectorize(NormalDist().inv_cdf)(prev)
    severity = rng.standard_normal(n)
    z = NEED_CORRELATION * severity[:, None] + np.sqrt(1 - NEED_CORRELATION**2) * rng.standard_normal((n, n_pw))
    has_need = z < threshold[s.cohort]
    not_assessed = np.array([NOT_ASSESSED.get(p, 0.02) for p in PATHWAYS])
    assessed = rng.random((n, n_pw)) >= not_assessed
    unknown = rng.random((n, n_pw)) < (0.02 + 0.3 * s.row_missing)[:, None]
    need_code = np.where(unknown, 2, np.where(has_need, 0, 1))  # NEED_VALUES: yes, no, unknown
    observed_yes = assessed & (need_code == 0)
    s.needs_band = np.minimum(observed_yes.sum(axis=1), 5)
    s.substance = observed_yes[:, PATHWAYS.index("substance_misuse")].astype(float)  # the hidden scenario's driver
    s.nc = np.repeat(np.arange(n), n_pw).reshape(n, n_pw)[assessed]  # row -> case
    s.npw = np.tile(np.arange(n_pw), n)[assessed.ravel()]  # row -> pathway
    s.need = need_code[assessed]


def _gap_tables(la_codes: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Offer probability (authority x pathway) and gap reason mix (authority x pathway x reason)."""
    n_la, n_pw = len(la_codes), len(PATHWAYS)
    offer_p = np.full((n_la, n_pw), OFFER_DEFAULT)
    gap_mix = np.tile(np.array(GAP_MIX_DEFAULT), (n_la, n_pw, 1))
    for gp in GAP_PROFILES:
        li = [la_codes.index(c) for c in gp.la_codes]
        pi = [PATHWAYS.index(p) for p in gp.pathways]
        offer_p[np.ix_(li, pi)] = gp.offer
        gap_mix[np.ix_(li, pi)] = gp.mix
    return offer_p, gap_mix


def _services(s: Synth, rng: np.random.Generator) -> None:
    """Identified and offered dates, offer, engagement, agency and gap reason for each need row."""
    nc, npw, t0, t1 = s.nc, s.npw, s.t0, s.t1
    m_rows = nc.size
    yes = s.need == 0
    offer_p, gap_mix = _gap_tables(s.la_codes)
    row_la = s.la[nc]
    p_offer = np.minimum(offer_p[row_la, npw] + 0.008 * (s.start_year[nc] - 2016), 0.97)
    waiting_share = gap_mix[row_la, npw, 1]

    identified = np.full(m_rows, np.nan)
    before = rng.random(m_rows) < 0.15
    lead = np.where(before, -rng.integers(1, 90, m_rows), np.round(rng.exponential(7.0, m_rows)))
    identified[yes] = np.clip(s.start[nc][yes] + lead[yes], t0, t1)
    offered = np.where(yes, (rng.random(m_rows) < p_offer).astype(float), np.nan)
    delay = np.round(rng.exponential(1.0, m_rows) * (10 + 60 * waiting_share))
    offered_date = np.where(offered == 1, identified + delay, np.nan)
    rel = s.release[nc]
    late = (offered == 1) & s.secure[nc] & ~np.isnan(rel) & (rng.random(m_rows) < 0.05 + 0.6 * (1 - p_offer))
    offered_date = np.where(late, np.maximum(offered_date, rel + rng.integers(1, 46, m_rows)), offered_date)
    pending = (offered == 1) & (offered_date > t1)  # not yet made: recorded as not offered, on a waiting list
    offered[pending] = 0
    offered_date[pending] = np.nan
    engaged_p = np.array([ENGAGED[p] for p in PATHWAYS])[npw]
    s.engaged = np.where(offered == 1, (rng.random(m_rows) < engaged_p).astype(float), np.nan)
    agency_of = np.array([AGENCY_TYPES.index(PATHWAY_AGENCY[p]) for p in PATHWAYS])
    s.agency = np.where(offered == 1, agency_of[npw], -1)
    gap = np.full(m_rows, -1)
    no_offer = np.flatnonzero(offered == 0)
    gap[no_offer] = draw(rng, gap_mix[row_la[no_offer], npw[no_offer]], np.arange(no_offer.size))
    gap[pending] = standard.GAP_REASONS.index("waiting_list")
    s.identified, s.offered, s.offered_date, s.gap = identified, offered, offered_date, gap

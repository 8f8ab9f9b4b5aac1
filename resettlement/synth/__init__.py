"""Deterministic synthetic Wales: every table of the data standard, with structure that is known by design.

Every figure this package produces is synthetic. The generator is pure and vectorised:
``np.random.default_rng(seed)`` (spawned into one independent stream per stage) drives numpy arrays that become
Polars frames at the end, so the same ``(scale, seed, as_of)`` always gives identical frames, and ``scale=100``
(hundreds of thousands of cases) runs in seconds. The only Python loops are over small fixed sets (cohorts x years,
the nine RRPs, tables and fields).

What is built in, and documented in ``docs/synthetic-data.md``:

- volumes by cohort and year (custody and remand falling, community gently falling), spread over the 22 local
  authorities roughly by population and deprivation;
- repeat episodes for some children (``child_id`` repeats; a later episode starts after the earlier one ended);
- need prevalence by pathway and cohort, and **area differences in service gaps** (:data:`GAP_PROFILES`);
- completeness that varies by youth justice service and improves over time (:data:`SERVICE_MISSING_2016`);
- a small, documented rate of impossible values for a data-quality checker to find (:data:`ERROR_RATES`);
- nine Reintegration and Resettlement Partnerships (:data:`RRP_DEFS`) with monthly meetings, attendance and reviews;
- **release planning** (data standard 1.2, :data:`RELEASE_PLANNING`): expected release dates of children still
  held, pre-release plans, ETE arranged for release, addresses confirmed for children still held and services
  confirmed, with slower areas (:data:`RELEASE_SLOW_AREAS`);
- a **known causal effect of RRP review** (:data:`RRP_EFFECT`). Selection into review depends only on cohort,
  number of pathway needs (banded 0..5+), police force area and start year, plus whether the case's RRP had been
  established when the case started. Untreated outcome probabilities depend only on cohort, needs band, age band,
  sex, police force area and start year. The effect is additive and constant on the probability scale, so coarsened
  exact matching on those covariates recovers it, while a naive treated-vs-untreated comparison is confounded
  (custody and high-need cases are both more often reviewed and more likely to reoffend).

The package: :mod:`~resettlement.synth.tables` holds the data tables (every rate and distribution named above);
:mod:`~resettlement.synth.build` runs the stages, each on its own random stream and each reading and extending the
shared :class:`~resettlement.synth.state.Synth` state: :mod:`~resettlement.synth.cases` (stream 0),
:mod:`~resettlement.synth.needs` (1), :mod:`~resettlement.synth.rrp` (2), :mod:`~resettlement.synth.outcomes` (3),
:mod:`~resettlement.synth.release` (7: release planning, added with data standard 1.2 so the older streams draw as
before) and :mod:`~resettlement.synth.assemble` (ids, blanks and errors: 4 to 6); :mod:`~resettlement.synth.helpers`
has the small vectorised helpers.
"""

from resettlement.synth.build import RealDataError, build_demo, generate, refuse_real_data
from resettlement.synth.helpers import default_as_of
from resettlement.synth.tables import (
    ATTENDANCE,
    ATTENDANCE_SHIFT,
    ENGAGED,
    ERROR_RATES,
    FIELD_MISSING,
    GAP_MIX_DEFAULT,
    GAP_PROFILES,
    HIDDEN_SELECTION,
    INVITED,
    LA_PROFILE,
    LATE_ACCOMMODATION_EFFECT,
    LATE_REOFFENCE,
    MISSING_IMPROVEMENT,
    NEED_CORRELATION,
    NOT_ASSESSED,
    OFFER_DEFAULT,
    OUTCOME_MODEL,
    OUTCOME_ROW_MISSING,
    PATHWAY_AGENCY,
    PERIOD_START,
    PREVALENCE,
    RECORD_CHECK_LAG,
    REFERRAL_LOGIT,
    RELEASE_FIELDS,
    RELEASE_PLANNING,
    RELEASE_SLOW_AREAS,
    REOFFENCE_DATES_MISSING,
    REOFFENCE_DAYS,
    RRP_DEFS,
    RRP_EFFECT,
    SCENARIOS,
    SERVICE_MISSING_2016,
    VOLUMES,
    YEAR_DAYS,
    GapProfile,
    Progress,
    ReleasePlanning,
    ReleaseSlowness,
    RRPDef,
)

__all__ = [
    "ATTENDANCE",
    "ATTENDANCE_SHIFT",
    "ENGAGED",
    "ERROR_RATES",
    "FIELD_MISSING",
    "GAP_MIX_DEFAULT",
    "GAP_PROFILES",
    "HIDDEN_SELECTION",
    "INVITED",
    "LATE_ACCOMMODATION_EFFECT",
    "LATE_REOFFENCE",
    "LA_PROFILE",
    "MISSING_IMPROVEMENT",
    "NEED_CORRELATION",
    "NOT_ASSESSED",
    "OFFER_DEFAULT",
    "OUTCOME_MODEL",
    "OUTCOME_ROW_MISSING",
    "PATHWAY_AGENCY",
    "PERIOD_START",
    "PREVALENCE",
    "RECORD_CHECK_LAG",
    "REFERRAL_LOGIT",
    "RELEASE_FIELDS",
    "RELEASE_PLANNING",
    "RELEASE_SLOW_AREAS",
    "REOFFENCE_DATES_MISSING",
    "REOFFENCE_DAYS",
    "RRP_DEFS",
    "RRP_EFFECT",
    "SCENARIOS",
    "SERVICE_MISSING_2016",
    "VOLUMES",
    "YEAR_DAYS",
    "GapProfile",
    "Progress",
    "RRPDef",
    "RealDataError",
    "ReleasePlanning",
    "ReleaseSlowness",
    "build_demo",
    "default_as_of",
    "generate",
    "refuse_real_data",
]

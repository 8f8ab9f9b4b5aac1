"""Deterministic synthetic Wales: every table of the data standard, with structure that is known by design.

Every figure this module produces is synthetic. The generator is pure and vectorised:
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
- a **known causal effect of RRP review** (:data:`RRP_EFFECT`). Selection into review depends only on cohort,
  number of pathway needs (banded 0..5+), police force area and start year, plus whether the case's RRP had been
  established when the case started. Untreated outcome probabilities depend only on cohort, needs band, age band,
  sex, police force area and start year. The effect is additive and constant on the probability scale, so coarsened
  exact matching on those covariates recovers it, while a naive treated-vs-untreated comparison is confounded
  (custody and high-need cases are both more often reviewed and more likely to reoffend).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from statistics import NormalDist

import numpy as np
import polars as pl

from resettlement import geography, standard, store
from resettlement.standard import AGENCY_TYPES, COHORTS, ENUMS, PATHWAYS, TABLES

Progress = Callable[[float, str], None]

PERIOD_START = date(2016, 1, 1)
_EPOCH = date(1970, 1, 1)
_YEAR = 365.25


# --------------------------------------------------------------------------------------------------------------
# The known causal effect of RRP review, in absolute percentage points on the probability scale. Treatment is fixed
# in time per outcome, as the evaluation defines it: reviewed (the first review meeting) *before* the outcome's
# reference date: the index date for proven reoffending (release for custody and remand, start for community
# disposals: no community case is reviewed before its start here), the release for accommodation confirmed before
# release, the end for the end-of-order outcomes. Additive and constant: P(outcome | treated) = P0(X) + effect,
# where P0 depends only on the matched covariates X. Reoffending is the effect on the 18-month proven-reoffending
# outcome (offence within 12 months of the index date, proven within a further 6), generated as dates.
# --------------------------------------------------------------------------------------------------------------
RRP_EFFECT: dict[str, float] = {
    "reoffended": -0.10,
    "accommodation_suitable_end": +0.12,
    "ete_suitable_end": +0.08,
}

# Starts per year at scale 1: (2016 level, 2025 level), geometric in between and extrapolated after 2025.
VOLUMES: dict[str, tuple[float, float]] = {
    "custody": (60.0, 25.0),
    "remand": (35.0, 20.0),
    "community": (450.0, 390.0),
}

# Local authority: (mid-2021 population in thousands, youth-justice rate factor, share of children from an
# ethnic minority). Population drives volume; the rate factor (deprivation) raises it further, squared for
# custody and remand. All three are rough public-knowledge orders of magnitude, not official statistics.
LA_PROFILE: dict[str, tuple[float, float, float]] = {
    "W06000001": (69, 0.80, 0.03),  # Isle of Anglesey
    "W06000002": (117, 0.80, 0.04),  # Gwynedd
    "W06000003": (114, 0.95, 0.04),  # Conwy
    "W06000004": (96, 1.10, 0.04),  # Denbighshire
    "W06000005": (155, 0.95, 0.04),  # Flintshire
    "W06000006": (135, 1.15, 0.06),  # Wrexham
    "W06000008": (71, 0.60, 0.04),  # Ceredigion
    "W06000009": (123, 0.85, 0.04),  # Pembrokeshire
    "W06000010": (187, 0.90, 0.04),  # Carmarthenshire
    "W06000011": (238, 1.10, 0.14),  # Swansea
    "W06000012": (142, 1.05, 0.05),  # Neath Port Talbot
    "W06000013": (146, 1.00, 0.05),  # Bridgend
    "W06000014": (132, 0.80, 0.08),  # Vale of Glamorgan
    "W06000015": (362, 1.20, 0.32),  # Cardiff
    "W06000016": (237, 1.10, 0.05),  # Rhondda Cynon Taf
    "W06000024": (58, 1.30, 0.05),  # Merthyr Tydfil
    "W06000018": (176, 1.10, 0.04),  # Caerphilly
    "W06000019": (67, 1.30, 0.04),  # Blaenau Gwent
    "W06000020": (93, 1.05, 0.05),  # Torfaen
    "W06000021": (93, 0.60, 0.05),  # Monmouthshire
    "W06000022": (159, 1.30, 0.22),  # Newport
    "W06000023": (133, 0.70, 0.03),  # Powys
}

# Share of episodes with a need, by pathway, for (custody, remand, community).
# Recorded prevalence comes out a few points lower (some needs are recorded "unknown").
PREVALENCE: dict[str, tuple[float, float, float]] = {
    "accommodation": (0.48, 0.42, 0.29),
    "ete": (0.78, 0.73, 0.67),
    "health": (0.61, 0.58, 0.51),
    "substance_misuse": (0.58, 0.53, 0.46),
    "families": (0.65, 0.61, 0.57),
    "finance": (0.29, 0.26, 0.20),
    "transitions": (0.48, 0.43, 0.36),
}
NEED_CORRELATION = 0.6  # needs share a latent severity (Gaussian copula), so needs cluster in the same children
NOT_ASSESSED: dict[str, float] = {"finance": 0.06, "transitions": 0.05}  # else 0.02 of case x pathway rows
PATHWAY_AGENCY: dict[str, str] = {
    "accommodation": "housing",
    "ete": "education",
    "health": "health",
    "substance_misuse": "substance_misuse",
    "families": "social_services",
    "finance": "third_sector",
    "transitions": "yjs",
}
ENGAGED: dict[str, float] = {
    "accommodation": 0.75,
    "ete": 0.55,
    "health": 0.62,
    "substance_misuse": 0.50,
    "families": 0.68,
    "finance": 0.72,
    "transitions": 0.85,
}

# Service gaps. Each need is offered a service with probability OFFER_DEFAULT (rising 0.8 points a year, capped at
# 0.97) unless a profile below overrides it for that authority and pathway; when no service is offered the reason is
# drawn from the profile's mix over standard.GAP_REASONS (no_provision, waiting_list, not_eligible, declined, other).
OFFER_DEFAULT = 0.82
GAP_MIX_DEFAULT: tuple[float, ...] = (0.12, 0.18, 0.15, 0.38, 0.17)


@dataclass(frozen=True)
class GapProfile:
    label: str
    la_codes: tuple[str, ...]
    pathways: tuple[str, ...]
    offer: float
    mix: tuple[float, float, float, float, float]


GAP_PROFILES: tuple[GapProfile, ...] = (
    GapProfile(
        "Rural Powys and Ceredigion: no substance misuse or health provision",
        ("W06000023", "W06000008"),
        ("substance_misuse", "health"),
        0.45,
        (0.60, 0.15, 0.05, 0.15, 0.05),
    ),
    GapProfile(
        "Pembrokeshire and Carmarthenshire: thin substance misuse provision",
        ("W06000009", "W06000010"),
        ("substance_misuse",),
        0.60,
        (0.50, 0.15, 0.10, 0.20, 0.05),
    ),
    GapProfile(
        "Cardiff and Swansea: CAMHS waiting lists",
        ("W06000015", "W06000011"),
        ("health",),
        0.50,
        (0.08, 0.65, 0.07, 0.15, 0.05),
    ),
    GapProfile(
        "Newport and Wrexham: accommodation shortage",
        ("W06000022", "W06000006"),
        ("accommodation",),
        0.48,
        (0.45, 0.25, 0.10, 0.10, 0.10),
    ),
    GapProfile(
        "Merthyr Tydfil and Blaenau Gwent: ETE places",
        ("W06000024", "W06000019"),
        ("ete",),
        0.62,
        (0.35, 0.20, 0.10, 0.25, 0.10),
    ),
    GapProfile(
        "Monmouthshire, Vale of Glamorgan, Flintshire, Conwy: good across the board",
        ("W06000021", "W06000014", "W06000005", "W06000003"),
        PATHWAYS,
        0.93,
        GAP_MIX_DEFAULT,
    ),
)

# Share of expected and conditionally expected fields left blank in 2016, by youth justice service (the service
# covering the case's authority on its start date, so Western Bay has its own rate for 2016 to March 2019). The rate
# falls linearly to 45% of this by as_of (roughly halves), and is multiplied per field by FIELD_MISSING.
SERVICE_MISSING_2016: dict[str, float] = {
    "gwynedd_ynys_mon": 0.06,
    "conwy_denbighshire": 0.05,
    "flintshire": 0.02,
    "wrexham": 0.12,
    "ceredigion": 0.10,
    "pembrokeshire": 0.07,
    "carmarthenshire": 0.04,
    "swansea": 0.08,
    "neath_port_talbot": 0.10,
    "bridgend": 0.09,
    "western_bay": 0.18,
    "vale_of_glamorgan": 0.03,
    "cardiff": 0.11,
    "cwm_taf": 0.14,
    "blaenau_gwent_caerphilly": 0.15,
    "monmouthshire_torfaen": 0.02,
    "newport": 0.20,
    "powys": 0.16,
}
MISSING_IMPROVEMENT = 0.55  # the blank rate at as_of is (1 - 0.55) of the 2016 rate
FIELD_MISSING: dict[str, float] = {
    "cases.sex": 0.25,
    "cases.age_at_start": 0.25,
    "cases.ethnicity": 1.3,
    "cases.release_date": 0.3,
    "cases.establishment": 0.8,
    "cases.rrp_referral_date": 0.6,
    "cases.assessment_date": 0.8,
    "needs.service_offered": 0.5,
    "needs.offered_date": 1.2,
    "needs.engaged": 1.5,
    "needs.gap_reason": 1.5,
    "needs.agency": 0.8,
    "outcomes.accommodation_confirmed_date": 1.2,
    "outcomes.ete_hours_offered": 1.2,
    "outcomes.ete_hours_attended": 1.5,
    "outcomes.reoffended": 0.6,
    # the three dates are blanked together (a record not checked has none of them): REOFFENCE_DATES_MISSING
    "outcomes.first_reoffence_date": 0.0,
    "outcomes.first_reoffence_proven_date": 0.0,
    "outcomes.reoffending_checked_date": 0.0,
    "outcomes.exit_to_universal_services": 1.4,
}
OUTCOME_ROW_MISSING = 0.03  # cases with no outcomes row at all
REOFFENCE_DATES_MISSING = 0.8  # multiplier of the row blank rate: records with none of the reoffending dates

# Deliberate validity errors (impossible values), as shares of the rows where the error can occur.
ERROR_RATES: dict[str, float] = {
    "cases.release_before_start": 0.005,  # of secure cases with a release date
    "cases.end_before_start": 0.002,  # of community cases with an end date
    "cases.age_out_of_range": 0.0005,  # of cases: age 9 or 18
    "needs.offered_before_identified": 0.005,  # of needs with both dates
    "needs.identified_over_a_year_before_start": 0.001,  # of needs identified (cases started from March 2017)
    "outcomes.hours_attended_above_offered": 0.01,  # of outcomes with hours offered > 0
    "rrp_meetings.completed_above_agreed": 0.01,  # of meetings
    "rrp_reviews.completed_above_agreed": 0.005,  # of reviews
}


@dataclass(frozen=True)
class RRPDef:
    """One Reintegration and Resettlement Partnership (areas are an assumption: the real ones are not public)."""

    rrp_id: str
    name: str
    name_cy: str
    la_codes: tuple[str, ...]
    established: date
    weekday: int  # meeting weekday, Monday = 0
    week: int  # meeting week of the month (1..3)
    skip_rate: float  # share of months without a meeting (plus summer and Christmas)
    attendance_shift: float  # logit shift on every agency's attendance
    completion: float  # share of agreed actions completed
    missing: float  # blank rate of its meeting, attendance and review fields in its first year


def _rrp(rrp_id: str, en: str, cy: str, las: tuple[str, ...], est: date, *rest: float) -> RRPDef:
    weekday, week, skip, shift, completion, missing = rest
    return RRPDef(
        rrp_id,
        f"{en} Reintegration and Resettlement Partnership",
        f"Partneriaeth Ailintegreiddio ac Ailsefydlu {cy}",
        las,
        est,
        int(weekday),
        int(week),
        skip,
        shift,
        completion,
        missing,
    )


RRP_DEFS: tuple[RRPDef, ...] = (
    _rrp(
        "rrp_north_west",
        "North West Wales",
        "Gogledd-orllewin Cymru",
        ("W06000001", "W06000002", "W06000003", "W06000004"),
        date(2019, 11, 4),
        1,
        2,
        0.15,
        -0.2,
        0.70,
        0.06,
    ),
    _rrp(
        "rrp_north_east",
        "North East Wales",
        "Gogledd-ddwyrain Cymru",
        ("W06000005", "W06000006"),
        date(2019, 1, 14),
        2,
        2,
        0.08,
        0.1,
        0.78,
        0.02,
    ),
    _rrp(
        "rrp_western_bay",
        "Western Bay",
        "Bae'r Gorllewin",
        ("W06000011", "W06000012", "W06000013"),
        date(2017, 9, 11),
        3,
        1,
        0.10,
        0.0,
        0.74,
        0.03,
    ),
    _rrp(
        "rrp_cwm_taf", "Cwm Taf", "Cwm Taf", ("W06000016", "W06000024"), date(2018, 10, 1), 0, 3, 0.12, -0.1, 0.66, 0.04
    ),
    _rrp("rrp_cardiff", "Cardiff", "Caerdydd", ("W06000015",), date(2017, 4, 3), 1, 1, 0.04, 0.3, 0.82, 0.01),
    _rrp(
        "rrp_vale_of_glamorgan",
        "Vale of Glamorgan",
        "Bro Morgannwg",
        ("W06000014",),
        date(2019, 6, 3),
        3,
        3,
        0.10,
        0.2,
        0.80,
        0.02,
    ),
    _rrp(
        "rrp_gwent",
        "Gwent",
        "Gwent",
        ("W06000018", "W06000019", "W06000020", "W06000021"),
        date(2018, 1, 15),
        2,
        1,
        0.10,
        0.0,
        0.72,
        0.05,
    ),
    _rrp("rrp_newport", "Newport", "Casnewydd", ("W06000022",), date(2018, 4, 9), 0, 2, 0.18, -0.3, 0.62, 0.08),
    _rrp(
        "rrp_dyfed_powys",
        "Dyfed-Powys",
        "Dyfed-Powys",
        ("W06000008", "W06000009", "W06000010", "W06000023"),
        date(2020, 6, 1),
        4,
        2,
        0.22,
        -0.4,
        0.68,
        0.07,
    ),
)

# RRP attendance: invitation and attendance probabilities by agency (standard.AGENCY_TYPES order), then a logit
# shift per RRP (RRPDef.attendance_shift) and a few RRP x agency weak spots.
INVITED: dict[str, float] = {"yjs": 1.0, "secure_estate": 0.85, "third_sector": 0.90}  # else 0.97
ATTENDANCE: dict[str, float] = {
    "yjs": 0.98,
    "police": 0.85,
    "housing": 0.65,
    "health": 0.55,
    "education": 0.60,
    "social_services": 0.75,
    "substance_misuse": 0.60,
    "secure_estate": 0.50,
    "third_sector": 0.70,
}
ATTENDANCE_SHIFT: dict[tuple[str, str], float] = {
    ("rrp_dyfed_powys", "health"): -0.9,
    ("rrp_newport", "housing"): -0.8,
    ("rrp_north_west", "secure_estate"): -0.6,
    ("rrp_cwm_taf", "substance_misuse"): -0.5,
    ("rrp_cardiff", "education"): 0.5,
}

# Selection into RRP review (only for cases starting on/after their RRP's established date): a logistic model on
# cohort, needs band (0..5+), police force area and start year only. Coefficients (logit scale):
REFERRAL_LOGIT: dict[str, object] = {
    "intercept": -1.5,
    "cohort": (2.3, 1.3, 0.0),  # custody, remand, community
    "needs_band": 0.30,  # per need above 2 (band 0..5)
    "police": (0.2, 0.0, 0.1, -0.3),  # geography.POLICE_AREAS order: North Wales, Gwent, South Wales, Dyfed-Powys
    "year": 0.06,  # per start year after 2020
}

# Untreated outcome probabilities P0(X): additive on the probability scale in cohort, needs band, age band
# (10-14, 15, 16, 17), sex (female), police force area and start year only, then clipped so P0 + effect stays
# inside (0, 1). Nothing else (authority, service gaps, ethnicity, exact dates) enters.
OUTCOME_MODEL: dict[str, dict[str, object]] = {
    "reoffended": {
        "cohort": (0.69, 0.58, 0.63),
        "needs_band": 0.035,
        "age_band": (0.03, 0.01, 0.0, -0.02),
        "female": -0.06,
        "police": (0.0, 0.01, 0.02, -0.02),
        "year": -0.004,
        "clip": (0.15, 0.90),
    },
    "accommodation_suitable_end": {
        "cohort": (0.62, 0.68, 0.78),
        "needs_band": -0.04,
        "age_band": (0.03, 0.02, 0.0, -0.04),
        "female": 0.02,
        "police": (0.0, -0.01, -0.02, 0.01),
        "year": 0.004,
        "clip": (0.20, 0.85),
    },
    "ete_suitable_end": {
        "cohort": (0.45, 0.50, 0.58),
        "needs_band": -0.045,
        "age_band": (0.05, 0.02, -0.02, -0.06),
        "female": 0.03,
        "police": (0.01, 0.0, -0.01, 0.0),
        "year": 0.003,
        "clip": (0.15, 0.88),
    },
}
LATE_ACCOMMODATION_EFFECT = -0.10  # secondary effect: accommodation confirmed on/after release day

# Scenarios: "matched" (default) selects into review only on matched covariates; "hidden_selection" also selects on
# a substance misuse need (recorded in needs, but not a matching covariate: only the number of needs is), which also
# raises reoffending. The true effect is unchanged; a naive or matched estimate is biased, and the evaluation's
# balance check on covariates it does not match (each pathway's need) must flag it rather than "find" an effect.
SCENARIOS: tuple[str, ...] = ("matched", "hidden_selection")
HIDDEN_SELECTION = {"referral_logit": 2.5, "reoffended": 0.15}  # per substance misuse need recorded "yes"

# Dates of the first proven reoffence (days after the index date). Reoffenders offend within 12 months (days
# 1..330, median about 100: most reoffending comes early) and are proven 14-200 days later, inside the 6-month wait.
# Some non-reoffenders have a first proven reoffence outside the window: after 12 months (days 370..900), or inside
# 12 months but proven after the 18 (so they count as "no", as the MoJ measure requires).
REOFFENCE_DAYS = {"offence_scale": 130.0, "offence_max": 330, "proven_min": 14, "proven_scale": 60.0, "proven_max": 200}
LATE_REOFFENCE = {"after_12_months": 0.30, "proven_too_late": 0.04}
RECORD_CHECK_LAG = 120  # the record was last checked up to this many days before the as-of date


# ------------------------------------------------------------------------------------------------ small helpers


def default_as_of(today: date | None = None) -> date:
    """The last day of the previous calendar month."""
    return (today or date.today()).replace(day=1) - timedelta(days=1)


def _day(d: date) -> int:
    return (d - _EPOCH).days


def _years(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: np.ndarray | float) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return np.log(p / (1 - p))


def _draw(
    rng: np.random.Generator, probs: Sequence | np.ndarray, group: np.ndarray | None = None, n: int | None = None
) -> np.ndarray:
    """Category index per row; ``probs`` is one distribution, or one row per group (``group`` indexes rows)."""
    p = np.asarray(probs, dtype=float)
    if p.ndim == 1:
        cum = np.cumsum(p / p.sum())
        return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), p.size - 1)
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(group.shape[0])
    return np.minimum((u[:, None] >= cum[group]).sum(axis=1), p.shape[1] - 1)


def _asof(keys: np.ndarray, group: np.ndarray, day: np.ndarray, forward: bool) -> np.ndarray:
    """As-of join on sorted ``keys = group * K + day``: index of the first key on/after (or last on/before) each
    ``(group, day)`` within the same group, or -1."""
    k = 1_000_000
    q = group.astype(np.int64) * k + day.astype(np.int64)
    pos = np.searchsorted(keys, q, side="left") if forward else np.searchsorted(keys, q, side="right") - 1
    ok = (pos >= 0) & (pos < keys.size)
    pos_c = np.clip(pos, 0, max(keys.size - 1, 0))
    if keys.size:
        ok &= keys[pos_c] // k == group
    else:
        ok[:] = False
    return np.where(ok, pos_c, -1)


def _hex_ids(prefix: str, n: int, rng: np.random.Generator) -> pl.Series:
    """``n`` distinct hash-like ids: a keyed bijection of 0..n-1 on 40 bits, written as 10 hex digits."""
    mask = np.uint64((1 << 40) - 1)
    x = np.arange(n, dtype=np.uint64)
    key1, key2 = (np.uint64(v) for v in rng.integers(0, 1 << 40, 2))
    x = (x * np.uint64(0x9E3779B1) + key1) & mask  # odd multiplier: a bijection mod 2**40
    x ^= x >> np.uint64(17)
    x = (x * np.uint64(0x85EBCA6B)) & mask
    x ^= x >> np.uint64(13)
    x = (x + key2) & mask
    shifts = np.arange(36, -1, -4, dtype=np.uint64)
    nibbles = ((x[:, None] >> shifts) & np.uint64(15)).astype(np.uint8)
    chars = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)[nibbles]
    text = np.ascontiguousarray(chars).view("S10").ravel().astype("U10")
    return pl.select(pl.lit(prefix) + pl.Series(text, dtype=pl.String)).to_series()


def _seq_ids(prefix: str, n: int) -> pl.Series:
    width = max(7, len(str(n)))
    return pl.select(pl.lit(prefix) + pl.int_range(1, n + 1, eager=True).cast(pl.String).str.zfill(width)).to_series()


def _series(f: standard.Field, v: np.ndarray | pl.Series) -> pl.Series:
    """A standard column from a working array: float with NaN for missing, or enum codes with -1 for missing."""
    if isinstance(v, pl.Series):
        return v.alias(f.name)
    if f.dtype == "enum":
        idx = pl.Series(np.where(v >= 0, v, np.nan), nan_to_null=True).cast(pl.UInt32)
        return pl.Series(f.name, ENUMS[f.enum], dtype=pl.String).gather(idx).alias(f.name)
    s = pl.Series(f.name, v, nan_to_null=v.dtype.kind == "f")
    if f.dtype == "date":
        return s.cast(pl.Int32).cast(pl.Date)
    return s.cast(store.POLARS_TYPES[f.dtype])


def _frame(name: str, cols: dict[str, np.ndarray | pl.Series]) -> pl.DataFrame:
    table = TABLES[name]
    df = pl.DataFrame([_series(f, cols[f.name]) for f in table.fields])
    return df.select(pl.col(c).cast(t) for c, t in store.polars_schema(table).items())


def _blank(rng: np.random.Generator, table: str, cols: dict[str, np.ndarray], rate: np.ndarray) -> None:
    """Blank expected and conditional fields in place, row by row at ``rate`` times the field's multiplier."""
    for f in TABLES[table].fields:
        if f.status not in ("expected", "conditional") or isinstance(cols[f.name], pl.Series):
            continue
        p = np.minimum(rate * FIELD_MISSING.get(f"{table}.{f.name}", 1.0), 0.6)
        m = rng.random(rate.size) < p
        arr = cols[f.name]
        if arr.dtype.kind == "f":
            arr[m] = np.nan
        else:
            arr[m] = -1


def _pick(rng: np.random.Generator, eligible: np.ndarray, rate: float) -> np.ndarray:
    """Indices of a random ``rate`` share of the eligible rows (at least one when there are 200 or more)."""
    idx = np.flatnonzero(eligible)
    k = int(rng.binomial(idx.size, rate)) if idx.size else 0
    if k == 0 and idx.size >= 200:
        k = 1
    return np.sort(rng.choice(idx, size=k, replace=False)) if k else idx[:0]


def _reoffence_dates(
    rng: np.random.Generator, index_day: np.ndarray, p: np.ndarray, t1: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """First proven reoffence dates, the record's check date and the hand-filled flag, for index days (NaN: none).

    A case reoffends (inside 12 + 6 months) with probability ``p``; see :data:`REOFFENCE_DAYS` and
    :data:`LATE_REOFFENCE` for the dates. What was proven after the as-of date is not known yet (blank). The flag
    says what the dates show *so far*, as a worker filling it in would.
    """
    n = index_day.size
    has = ~np.isnan(index_day)
    idx = np.nan_to_num(index_day, nan=0.0)
    rd = REOFFENCE_DAYS
    reoffends = has & (rng.random(n) < np.clip(p, 0.0, 1.0))
    offence = idx + np.minimum(1 + np.floor(rng.exponential(rd["offence_scale"], n)), rd["offence_max"])
    proven = offence + np.minimum(rd["proven_min"] + np.floor(rng.exponential(rd["proven_scale"], n)), rd["proven_max"])
    u = rng.random(n)
    late = has & ~reoffends & (u < LATE_REOFFENCE["after_12_months"])
    too_late = has & ~reoffends & ~late & (u < LATE_REOFFENCE["after_12_months"] + LATE_REOFFENCE["proven_too_late"])
    offence = np.where(
        late, idx + rng.integers(370, 901, n), np.where(too_late, idx + rng.integers(200, 331, n), offence)
    )
    proven = np.where(
        late, offence + rng.integers(14, 181, n), np.where(too_late, idx + rng.integers(560, 701, n), proven)
    )
    known = (reoffends | late | too_late) & (proven <= t1)
    checked = np.where(has, np.maximum(t1 - rng.integers(0, RECORD_CHECK_LAG + 1, n), idx), np.nan)
    flag = np.where(has, (reoffends & known).astype(float), np.nan)
    return np.where(known, offence, np.nan), np.where(known, proven, np.nan), checked, flag


# ---------------------------------------------------------------------------------------------------- generator


def generate(
    scale: float = 1.0,
    seed: int = 2016,
    as_of: date | None = None,
    progress: Progress | None = None,
    scenario: str = "matched",
) -> dict[str, pl.DataFrame]:
    """Synthetic data for every table of the standard, with the standard's Polars schema.

    Same ``(scale, seed, as_of, scenario)`` gives identical frames. ``as_of`` defaults to the last day of the
    previous month. ``scenario`` is one of :data:`SCENARIOS`.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario must be one of {', '.join(SCENARIOS)}")
    hidden = scenario == "hidden_selection"
    as_of = as_of or default_as_of()
    if as_of < PERIOD_START:
        raise ValueError(f"as_of must be on or after {PERIOD_START.isoformat()}")

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    # One independent stream per stage, so a change in one stage does not reshuffle the others.
    streams = np.random.default_rng(seed).spawn(7)
    rng = streams[0]
    t0, t1 = _day(PERIOD_START), _day(as_of)
    report(0.0, "Generating cases")

    # ---- cases: cohort, start date, authority, sex, age, ethnicity -------------------------------------------
    la_codes = geography.LA_CODES
    n_la = len(la_codes)
    pop = np.array([LA_PROFILE[c][0] for c in la_codes])
    rate_factor = np.array([LA_PROFILE[c][1] for c in la_codes])
    minority = np.array([LA_PROFILE[c][2] for c in la_codes])
    police_codes = [p.code for p in geography.POLICE_AREAS]
    la_police = np.array([police_codes.index(geography.LA_BY_CODE[c].police_area) for c in la_codes])

    starts, cohorts = [], []
    for ci, cohort in enumerate(COHORTS):
        v2016, v2025 = VOLUMES[cohort]
        for year in range(PERIOD_START.year, as_of.year + 1):
            lo, hi = max(_day(date(year, 1, 1)), t0), min(_day(date(year, 12, 31)), t1)
            covered = (hi - lo + 1) / (_day(date(year, 12, 31)) - _day(date(year, 1, 1)) + 1)
            lam = v2016 * (v2025 / v2016) ** ((year - 2016) / 9) * scale * covered
            k = max(0, round(float(lam + 0.5 * np.sqrt(lam) * rng.standard_normal())))  # half Poisson noise
            starts.append(rng.integers(lo, hi + 1, k))
            cohorts.append(np.full(k, ci))
    start = np.concatenate(starts)
    cohort = np.concatenate(cohorts)
    order = np.lexsort((cohort, start))
    start, cohort = start[order], cohort[order]
    n = start.size
    custody, remand = cohort == 0, cohort == 1
    secure = custody | remand

    la_weights = np.vstack([pop * rate_factor**2, pop * rate_factor**2, pop * rate_factor])
    la = _draw(rng, la_weights, cohort)
    police = la_police[la]

    sex = _draw(rng, [[0.94, 0.055, 0.005], [0.92, 0.075, 0.005], [0.84, 0.155, 0.005]], cohort)
    age_probs = [
        [0.0, 0.002, 0.01, 0.03, 0.08, 0.18, 0.30, 0.398],
        [0.0, 0.002, 0.01, 0.04, 0.09, 0.19, 0.29, 0.378],
        [0.01, 0.02, 0.04, 0.08, 0.14, 0.20, 0.25, 0.26],
    ]
    age = 10 + _draw(rng, age_probs, cohort)
    dob = start - np.round((age + rng.uniform(0.02, 0.98, n)) * _YEAR).astype(np.int64)

    big_city = np.isin(np.array(la_codes), ["W06000015", "W06000022"])
    minority_mix = np.where(big_city[:, None], [[0.35, 0.25, 0.25, 0.15]], [[0.50, 0.20, 0.15, 0.15]])
    eth_probs = np.hstack(
        [(1 - minority)[:, None] * 0.98, minority[:, None] * 0.98 * minority_mix, np.full((n_la, 1), 0.02)]
    )
    ethnicity = _draw(rng, eth_probs, la)

    # ---- release and end ---------------------------------------------------------------------------------------
    custody_days = np.clip(rng.lognormal(np.log(110), 0.65, n), 14, 900)
    remand_days = np.clip(rng.lognormal(np.log(40), 0.8, n), 2, 300)
    release = np.where(custody, start + np.round(custody_days), np.where(remand, start + np.round(remand_days), np.nan))
    after_release = np.where(
        custody,
        np.round(custody_days * rng.uniform(0.8, 1.2, n) + rng.uniform(0, 90, n)),
        np.round(np.clip(rng.lognormal(np.log(75), 0.7, n), 14, 500)),
    )
    end = np.where(secure, release + after_release, start + rng.integers(180, 731, n) + rng.integers(0, 61, n))
    release[release > t1] = np.nan
    end[np.isnan(release) & secure] = np.nan
    end[end > t1] = np.nan

    # ---- repeat episodes: link some episodes to an earlier, ended episode of a child in the same authority ------
    group = la * 3 + sex
    ended = ~np.isnan(end)
    k_as = 1_000_000
    pred_idx = np.flatnonzero(ended)
    pred_keys = group[pred_idx] * k_as + end[pred_idx].astype(np.int64)
    o = np.argsort(pred_keys, kind="stable")
    pred_idx, pred_keys = pred_idx[o], pred_keys[o]
    cand = np.flatnonzero(rng.random(n) < 0.5)
    cutoff = start[cand] - 14 - np.round(rng.exponential(120.0, cand.size)).astype(np.int64)
    pos = _asof(pred_keys, group[cand], cutoff, forward=False)
    cand, pos = cand[pos >= 0], pos[pos >= 0]
    pred = pred_idx[pos]
    _, first = np.unique(pred, return_index=True)  # candidates are in start order: the earliest later one wins
    parent = np.full(n, -1)
    parent[cand[first]] = pred[first]
    arange = np.arange(n)
    for _ in range(64):
        root = np.where(parent >= 0, parent, arange)
        while True:
            nxt = root[root]
            if np.array_equal(nxt, root):
                break
            root = nxt
        too_old = (parent >= 0) & (np.floor((start - dob[root]) / _YEAR) > 17)
        if not too_old.any():
            break
        parent[too_old] = -1
    dob = dob[root]
    age = np.floor((start - dob) / _YEAR).astype(np.int64)
    ethnicity = ethnicity[root]
    _, child_num = np.unique(root, return_inverse=True)
    age_band = np.select([age <= 14, age == 15, age == 16], [0, 1, 2], 3)
    female = sex == 1

    # ---- secure establishment -------------------------------------------------------------------------------
    north = police == 0
    young_or_girl = (age < 15) | female
    est_group = np.where(young_or_girl, 2, 0) + north
    # ESTABLISHMENTS: parc, hillside, werrington, wetherby, oakhill, cookham_wood, feltham, sch_other, other
    est_probs = [
        [0.62, 0.08, 0.03, 0.10, 0.04, 0.05, 0.03, 0.03, 0.02],  # boys 15+, south and west
        [0.08, 0.05, 0.65, 0.12, 0.03, 0.00, 0.00, 0.04, 0.03],  # boys 15+, north
        [0.00, 0.50, 0.00, 0.00, 0.08, 0.00, 0.00, 0.30, 0.12],  # girls or under 15, south and west
        [0.00, 0.30, 0.00, 0.00, 0.08, 0.00, 0.00, 0.47, 0.15],  # girls or under 15, north
    ]
    establishment = np.where(secure, _draw(rng, est_probs, est_group), -1)

    plan = start + np.round(rng.gamma(2.0, 5.0, n)) + np.where(rng.random(n) < 0.10, rng.integers(30, 90, n), 0)
    assess = start + np.where(rng.random(n) < 0.10, -rng.integers(1, 60, n), np.round(rng.gamma(2.0, 7.0, n)))
    assess = np.maximum(assess, t0).astype(float)
    plan = plan.astype(float)
    plan[plan > t1] = np.nan
    assess[assess > t1] = np.nan

    # completeness rate per case: the youth justice service on the start date, improving over time
    svc_rate = (
        geography.attach_service(
            pl.DataFrame(
                {"la_code": np.array(la_codes)[la], "start_date": pl.Series(start).cast(pl.Int32).cast(pl.Date)}
            )
        )["service_code"]
        .replace_strict(SERVICE_MISSING_2016, default=0.08, return_dtype=pl.Float64)
        .to_numpy()
    )
    elapsed = (start - t0) / max(t1 - t0, 1)
    row_missing = svc_rate * (1 - MISSING_IMPROVEMENT * elapsed)
    start_year = _years(start)
    report(0.2, "Generating needs")

    # ---- needs: case x pathway ----------------------------------------------------------------------------------
    rng = streams[1]
    n_pw = len(PATHWAYS)
    prev = np.array([PREVALENCE[p] for p in PATHWAYS]).T  # cohort x pathway
    threshold = np.vectorize(NormalDist().inv_cdf)(prev)
    severity = rng.standard_normal(n)
    z = NEED_CORRELATION * severity[:, None] + np.sqrt(1 - NEED_CORRELATION**2) * rng.standard_normal((n, n_pw))
    has_need = z < threshold[cohort]
    not_assessed = np.array([NOT_ASSESSED.get(p, 0.02) for p in PATHWAYS])
    assessed = rng.random((n, n_pw)) >= not_assessed
    unknown = rng.random((n, n_pw)) < (0.02 + 0.3 * row_missing)[:, None]
    need_code = np.where(unknown, 2, np.where(has_need, 0, 1))  # NEED_VALUES: yes, no, unknown
    observed_yes = assessed & (need_code == 0)
    needs_count = observed_yes.sum(axis=1)
    needs_band = np.minimum(needs_count, 5)
    substance = observed_yes[:, PATHWAYS.index("substance_misuse")].astype(float)  # the hidden scenario's driver
    del z, has_need, unknown, observed_yes  # large (cases x 7) temporaries

    nc = np.repeat(arange, n_pw).reshape(n, n_pw)[assessed]  # row -> case
    npw = np.tile(np.arange(n_pw), n)[assessed.ravel()]  # row -> pathway
    need = need_code[assessed]
    m_rows = nc.size
    yes = need == 0

    offer_p = np.full((n_la, n_pw), OFFER_DEFAULT)
    gap_mix = np.tile(np.array(GAP_MIX_DEFAULT), (n_la, n_pw, 1))
    for gp in GAP_PROFILES:
        li = [la_codes.index(c) for c in gp.la_codes]
        pi = [PATHWAYS.index(p) for p in gp.pathways]
        offer_p[np.ix_(li, pi)] = gp.offer
        gap_mix[np.ix_(li, pi)] = gp.mix
    row_la = la[nc]
    row_year = start_year[nc]
    p_offer = np.minimum(offer_p[row_la, npw] + 0.008 * (row_year - 2016), 0.97)
    waiting_share = gap_mix[row_la, npw, 1]

    identified = np.full(m_rows, np.nan)
    before = rng.random(m_rows) < 0.15
    lead = np.where(before, -rng.integers(1, 90, m_rows), np.round(rng.exponential(7.0, m_rows)))
    identified[yes] = np.clip(start[nc][yes] + lead[yes], t0, t1)
    offered = np.where(yes, (rng.random(m_rows) < p_offer).astype(float), np.nan)
    delay = np.round(rng.exponential(1.0, m_rows) * (10 + 60 * waiting_share))
    offered_date = np.where(offered == 1, identified + delay, np.nan)
    rel = release[nc]
    late = (offered == 1) & secure[nc] & ~np.isnan(rel) & (rng.random(m_rows) < 0.05 + 0.6 * (1 - p_offer))
    offered_date = np.where(late, np.maximum(offered_date, rel + rng.integers(1, 46, m_rows)), offered_date)
    pending = (offered == 1) & (offered_date > t1)  # not yet made: recorded as not offered, on a waiting list
    offered[pending] = 0
    offered_date[pending] = np.nan
    engaged_p = np.array([ENGAGED[p] for p in PATHWAYS])[npw]
    engaged = np.where(offered == 1, (rng.random(m_rows) < engaged_p).astype(float), np.nan)
    agency_of = np.array([AGENCY_TYPES.index(PATHWAY_AGENCY[p]) for p in PATHWAYS])
    agency = np.where(offered == 1, agency_of[npw], -1)
    gap = np.full(m_rows, -1)
    no_offer = np.flatnonzero(offered == 0)
    gap[no_offer] = _draw(rng, gap_mix[row_la[no_offer], npw[no_offer]], np.arange(no_offer.size))
    gap[pending] = standard.GAP_REASONS.index("waiting_list")
    del before, lead, delay, rel, late, p_offer, waiting_share, engaged_p, row_year
    report(0.4, "Generating RRP meetings")

    # ---- RRPs and meetings ---------------------------------------------------------------------------------------
    rng = streams[2]
    la_rrp = np.full(n_la, -1)
    for r, d in enumerate(RRP_DEFS):
        la_rrp[[la_codes.index(c) for c in d.la_codes]] = r
    est_day = np.array([_day(d.established) for d in RRP_DEFS])
    m_rrp, m_day, m_month = [], [], []
    for r, d in enumerate(RRP_DEFS):
        months = np.arange(np.datetime64(d.established, "M"), np.datetime64(as_of, "M") + 1)
        ms = months.astype("datetime64[D]").astype(np.int64)
        weekday = (ms + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        day = ms + (d.weekday - weekday) % 7 + 7 * (d.week - 1)
        month_no = months.astype(np.int64) % 12 + 1
        skip = rng.random(ms.size) < d.skip_rate + 0.30 * (month_no == 8) + 0.15 * (month_no == 12)
        keep = ~skip & (day >= est_day[r]) & (day <= t1)
        m_rrp.append(np.full(keep.sum(), r))
        m_day.append(day[keep])
        m_month.append(months[keep])
    m_rrp_a = np.concatenate(m_rrp)
    m_day_a = np.concatenate(m_day)
    m_month_a = np.concatenate(m_month)
    meeting_keys = m_rrp_a * k_as + m_day_a  # sorted: by RRP, then date
    n_meet = meeting_keys.size
    rrp_ids = np.array([d.rrp_id for d in RRP_DEFS])
    meeting_id = pl.Series(
        [f"M-{rid}-{mon}" for rid, mon in zip(rrp_ids[m_rrp_a], np.datetime_as_string(m_month_a), strict=True)],
        dtype=pl.String,
    )

    # ---- selection into RRP review -------------------------------------------------------------------------------
    case_rrp = la_rrp[la]
    eligible = start >= est_day[case_rrp]
    sel = REFERRAL_LOGIT
    logit = (
        sel["intercept"]
        + np.asarray(sel["cohort"])[cohort]
        + sel["needs_band"] * (needs_band - 2)
        + np.asarray(sel["police"])[police]
        + sel["year"] * (start_year - 2020)
        + (HIDDEN_SELECTION["referral_logit"] * substance if hidden else 0.0)
    )
    referral = start + 1 + np.round(rng.gamma(2.0, 7.0, n))
    referred = eligible & (rng.random(n) < _sigmoid(logit)) & (referral <= t1)

    # reviews: referral at the first meeting on/after referral; pre-release at the last meeting before release (or the
    # latest meeting, for children still in custody) after the referral meeting; post-release at the first meeting
    # after release (within 75 days); exit at the first meeting from three weeks before the end.
    u = rng.random((n, 4))
    ref_pos = np.where(referred, _asof(meeting_keys, case_rrp, np.where(referred, referral, 0), forward=True), -1)
    treated = ref_pos >= 0
    has_release = treated & ~np.isnan(release)
    rel_day = np.nan_to_num(release, nan=0).astype(np.int64)
    end_day = np.nan_to_num(end, nan=0).astype(np.int64)
    meet_day = np.append(m_day_a, 0)  # position -1 (no meeting) reads the trailing 0
    ref_meet_day = meet_day[ref_pos]
    in_custody = treated & secure & np.isnan(release)  # not yet released: the latest meeting so far
    pre_day = np.where(in_custody, t1, rel_day - 1)
    pre_pos = np.where((has_release | in_custody) & secure, _asof(meeting_keys, case_rrp, pre_day, forward=False), -1)
    pre_ok = (pre_pos >= 0) & (meet_day[pre_pos] > ref_meet_day) & (u[:, 0] < np.where(custody, 0.9, 0.6))
    post_pos = np.where(has_release & secure, _asof(meeting_keys, case_rrp, rel_day + 1, forward=True), -1)
    post_ok = (post_pos >= 0) & (meet_day[post_pos] - rel_day <= 75)
    post_ok &= u[:, 1] < np.where(custody, 0.85, 0.5)
    exit_pos = np.where(treated & ~np.isnan(end), _asof(meeting_keys, case_rrp, end_day - 21, forward=True), -1)
    exit_ok = (exit_pos >= 0) & (meet_day[exit_pos] > ref_meet_day) & (u[:, 2] < 0.8)
    r_case = np.concatenate(
        [np.flatnonzero(treated), np.flatnonzero(pre_ok), np.flatnonzero(post_ok), np.flatnonzero(exit_ok)]
    )
    r_meet = np.concatenate([ref_pos[treated], pre_pos[pre_ok], post_pos[post_ok], exit_pos[exit_ok]])
    r_type = np.concatenate(
        [np.full(c, i) for i, c in enumerate([treated.sum(), pre_ok.sum(), post_ok.sum(), exit_ok.sum()])]
    )
    o = np.lexsort((r_type, r_case, r_meet))
    r_case, r_meet, r_type = r_case[o], r_meet[o], r_type[o]
    n_rev = r_case.size
    r_rrp = m_rrp_a[r_meet]
    completion = np.array([d.completion for d in RRP_DEFS])
    r_agreed = rng.poisson(np.array([3.0, 2.5, 2.0, 1.0])[r_type]).astype(float)
    r_completed = rng.binomial(r_agreed.astype(np.int64), completion[r_rrp]).astype(float)
    r_escalated = (rng.random(n_rev) < 0.05 + 0.05 * (needs_band[r_case] >= 4)).astype(float)

    mt_cases = np.bincount(r_meet, minlength=n_meet).astype(float)
    extra = rng.poisson(1.0, n_meet)
    mt_agreed = np.bincount(r_meet, weights=r_agreed, minlength=n_meet) + extra
    mt_completed = np.bincount(r_meet, weights=r_completed, minlength=n_meet) + rng.binomial(extra, completion[m_rrp_a])
    mt_escalations = np.bincount(r_meet, weights=r_escalated, minlength=n_meet)

    # attendance: meeting x agency
    n_ag = len(AGENCY_TYPES)
    invited_p = np.array([INVITED.get(a, 0.97) for a in AGENCY_TYPES])
    shift = np.array(
        [[d.attendance_shift + ATTENDANCE_SHIFT.get((d.rrp_id, a), 0.0) for a in AGENCY_TYPES] for d in RRP_DEFS]
    )
    attend_p = _sigmoid(_logit(np.array([ATTENDANCE[a] for a in AGENCY_TYPES]))[None, :] + shift)
    invited = rng.random((n_meet, n_ag)) < invited_p
    attended = (invited & (rng.random((n_meet, n_ag)) < attend_p[m_rrp_a])).astype(float)
    report(0.6, "Generating outcomes")

    # ---- outcomes ----------------------------------------------------------------------------------------------
    rng = streams[3]

    def p0(name: str) -> np.ndarray:
        m = OUTCOME_MODEL[name]
        p = (
            np.asarray(m["cohort"])[cohort]
            + m["needs_band"] * (needs_band - 2)
            + np.asarray(m["age_band"])[age_band]
            + m["female"] * female
            + np.asarray(m["police"])[police]
            + m["year"] * (start_year - 2016)
        )
        return np.clip(p, *m["clip"])

    # treatment fixed in time per outcome: the first review meeting before the outcome's reference date
    index_day = np.where(secure, release, start.astype(float))
    first_review = np.where(treated, ref_meet_day, np.inf)
    t_index = (first_review < np.nan_to_num(index_day, nan=-np.inf)).astype(float)
    t_release = (first_review < np.nan_to_num(release, nan=-np.inf)).astype(float)
    t_end = (first_review <= np.nan_to_num(end, nan=np.inf)).astype(float)
    reoffences_dates = _reoffence_dates(
        rng,
        index_day,
        p0("reoffended")
        + RRP_EFFECT["reoffended"] * t_index
        + (HIDDEN_SELECTION["reoffended"] * substance if hidden else 0.0),
        t1,
    )
    first_offence, first_proven, checked, reoffended = reoffences_dates
    lam = 0.5 + 0.15 * needs_band + 0.4 * custody
    reoffences = np.where(reoffended == 1, 1 + np.minimum(rng.poisson(lam), 98), np.nan)
    ended_f = ~np.isnan(end)
    acc_end = rng.random(n) < p0("accommodation_suitable_end") + RRP_EFFECT["accommodation_suitable_end"] * t_end
    ete_end = rng.random(n) < p0("ete_suitable_end") + RRP_EFFECT["ete_suitable_end"] * t_end
    acc_end = np.where(ended_f, acc_end, np.nan)
    ete_end = np.where(ended_f, ete_end, np.nan)
    exit_p = 0.55 - 0.04 * (needs_band - 2) + 0.05 * (cohort == 2)
    exit_universal = np.where(ended_f, rng.random(n) < exit_p, np.nan)
    p_late = np.clip(0.22 + 0.02 * (needs_band - 2), 0.12, 0.40) + LATE_ACCOMMODATION_EFFECT * t_release
    late_acc = rng.random(n) < p_late
    on_day = rng.random(n) < 0.4
    after = np.where(on_day, 0, rng.integers(1, 22, n))
    acc_conf = np.where(late_acc, release + after, release - rng.integers(1, 31, n))
    acc_conf = np.where(secure, np.maximum(acc_conf, start), np.nan)
    acc_conf[acc_conf > t1] = np.nan
    hours_off = np.where(rng.random(n) < 0.12, 0.0, np.clip(np.round(rng.normal(16, 6, n) * 2) / 2, 1, 25))
    hours_att = np.where(hours_off > 0, np.round(hours_off * rng.beta(4, 2, n) * 2) / 2, np.nan)
    report(0.8, "Completeness and validity")

    # ---- assemble working columns ------------------------------------------------------------------------------
    case_ids = _seq_ids("C", n)
    child_ids = _hex_ids("P", int(child_num.max()) + 1 if n else 0, streams[4])
    cases = {
        "case_id": case_ids,
        "child_id": child_ids.gather(pl.Series(child_num, dtype=pl.UInt32)) if n else pl.Series([], dtype=pl.String),
        "la_code": la,
        "cohort": cohort,
        "start_date": start.astype(float),
        "sex": sex.copy(),
        "age_at_start": age.astype(float),
        "ethnicity": ethnicity.copy(),
        "release_date": release.copy(),
        "establishment": establishment,
        "end_date": end.copy(),
        "rrp_id": pl.Series(rrp_ids, dtype=pl.String).gather(
            pl.Series(np.where(referred, case_rrp, np.nan), nan_to_null=True).cast(pl.UInt32)
        ),
        "rrp_referral_date": np.where(referred, referral, np.nan),
        "plan_date": plan,
        "assessment_date": assess,
    }
    needs = {
        "case_id": case_ids.gather(pl.Series(nc, dtype=pl.UInt32)),
        "pathway": npw,
        "need": need,
        "identified_date": identified,
        "service_offered": offered,
        "offered_date": offered_date,
        "engaged": engaged,
        "gap_reason": gap,
        "agency": agency,
    }
    outcomes = {
        "case_id": case_ids,
        "accommodation_suitable_end": acc_end,
        "accommodation_confirmed_date": acc_conf,
        "ete_suitable_end": ete_end,
        "ete_hours_offered": hours_off,
        "ete_hours_attended": hours_att,
        "first_reoffence_date": first_offence,
        "first_reoffence_proven_date": first_proven,
        "reoffending_checked_date": checked,
        "reoffended": reoffended,
        "reoffences": reoffences,
        "exit_to_universal_services": exit_universal,
    }
    meetings = {
        "meeting_id": meeting_id,
        "rrp_id": pl.Series(rrp_ids[m_rrp_a], dtype=pl.String),
        "meeting_date": m_day_a.astype(float),
        "cases_reviewed": mt_cases,
        "actions_agreed": mt_agreed.astype(float),
        "actions_completed": mt_completed.astype(float),
        "escalations": mt_escalations,
    }
    attendance = {
        "meeting_id": meeting_id.gather(pl.Series(np.repeat(np.arange(n_meet), n_ag), dtype=pl.UInt32)),
        "agency_type": np.tile(np.arange(n_ag), n_meet),
        "invited": invited.ravel().astype(float),
        "attended": attended.ravel(),
    }
    reviews = {
        "meeting_id": meeting_id.gather(pl.Series(r_meet, dtype=pl.UInt32)),
        "case_id": case_ids.gather(pl.Series(r_case, dtype=pl.UInt32)),
        "review_type": r_type,
        "actions_agreed": r_agreed,
        "actions_completed": r_completed,
        "escalated": r_escalated,
    }

    # ---- completeness: blank expected/conditional fields by service and year ----------------------------------
    rng = streams[5]
    keep_outcome = rng.random(n) >= OUTCOME_ROW_MISSING
    _blank(rng, "cases", cases, row_missing)
    _blank(rng, "needs", needs, row_missing[nc])
    _blank(rng, "outcomes", outcomes, row_missing)
    no_dates = rng.random(n) < np.minimum(row_missing * REOFFENCE_DATES_MISSING, 0.6)
    for name in ("first_reoffence_date", "first_reoffence_proven_date", "reoffending_checked_date"):
        outcomes[name][no_dates] = np.nan
    rrp_missing = np.array([d.missing for d in RRP_DEFS])
    meet_missing = rrp_missing[m_rrp_a] * (1 - MISSING_IMPROVEMENT * (m_day_a - t0) / max(t1 - t0, 1))
    _blank(rng, "rrp_meetings", meetings, meet_missing)
    _blank(rng, "rrp_attendance", attendance, np.repeat(meet_missing, n_ag))
    _blank(rng, "rrp_reviews", reviews, meet_missing[r_meet])

    # ---- deliberate validity errors ---------------------------------------------------------------------------
    rng = streams[6]
    er = ERROR_RATES
    cs = cases["start_date"]
    i = _pick(rng, secure & ~np.isnan(cases["release_date"]) & (cs >= t0 + 2), er["cases.release_before_start"])
    cases["release_date"][i] = cs[i] - rng.integers(1, np.minimum(60, cs[i] - t0).astype(np.int64) + 1)
    i = _pick(rng, (cohort == 2) & ~np.isnan(cases["end_date"]) & (cs >= t0 + 2), er["cases.end_before_start"])
    cases["end_date"][i] = cs[i] - rng.integers(1, np.minimum(30, cs[i] - t0).astype(np.int64) + 1)
    i = _pick(rng, ~np.isnan(cases["age_at_start"]), er["cases.age_out_of_range"])
    cases["age_at_start"][i] = np.where(cases["age_at_start"][i] <= 13, 9, 18)
    both = ~np.isnan(needs["offered_date"]) & ~np.isnan(needs["identified_date"])
    i = _pick(rng, both & (needs["identified_date"] > t0 + 30), er["needs.offered_before_identified"])
    needs["offered_date"][i] = needs["identified_date"][i] - rng.integers(1, 31, i.size)
    late_start = cs[nc] >= _day(date(2017, 3, 1))
    i = _pick(rng, ~np.isnan(needs["identified_date"]) & late_start, er["needs.identified_over_a_year_before_start"])
    needs["identified_date"][i] = cs[nc][i] - rng.integers(380, 420, i.size)
    hours_ok = ~np.isnan(outcomes["ete_hours_attended"]) & (np.nan_to_num(outcomes["ete_hours_offered"]) > 0)
    i = _pick(rng, hours_ok, er["outcomes.hours_attended_above_offered"])
    outcomes["ete_hours_attended"][i] = outcomes["ete_hours_offered"][i] + rng.integers(1, 6, i.size)
    both = ~np.isnan(meetings["actions_agreed"]) & ~np.isnan(meetings["actions_completed"])
    i = _pick(rng, both, er["rrp_meetings.completed_above_agreed"])
    meetings["actions_completed"][i] = meetings["actions_agreed"][i] + rng.integers(1, 4, i.size)
    both = ~np.isnan(reviews["actions_agreed"]) & ~np.isnan(reviews["actions_completed"])
    i = _pick(rng, both, er["rrp_reviews.completed_above_agreed"])
    reviews["actions_completed"][i] = reviews["actions_agreed"][i] + rng.integers(1, 3, i.size)

    live = [d for d in RRP_DEFS if d.established <= as_of]  # an RRP set up after as_of is not known yet
    rrps = pl.DataFrame(
        {
            "rrp_id": [d.rrp_id for d in live],
            "name": [d.name for d in live],
            "name_cy": [d.name_cy for d in live],
            "la_codes": [";".join(c for c in la_codes if c in d.la_codes) for d in live],
            "established_date": [d.established for d in live],
        },
        schema=store.polars_schema(TABLES["rrps"]),
    )
    frames = {
        "cases": _frame("cases", cases),
        "needs": _frame("needs", needs),
        "outcomes": _frame("outcomes", outcomes).filter(pl.Series(keep_outcome)),
        "rrps": rrps,
        "rrp_meetings": _frame("rrp_meetings", meetings),
        "rrp_attendance": _frame("rrp_attendance", attendance),
        "rrp_reviews": _frame("rrp_reviews", reviews),
    }
    report(1.0, "Synthetic data ready")
    return {name: frames[name] for name in TABLES}


class RealDataError(ValueError):
    """The target database holds real data, which the synthetic demo must never replace."""


def refuse_real_data(url: str) -> None:
    """Raise :class:`RealDataError` when ``url`` is a database whose data is not synthetic."""
    if not store.database_exists(url):
        return
    with store.get_engine(url).connect() as conn:
        meta = store.read_meta_in(conn)  # empty when the database has no tables yet
    if meta and meta.get("synthetic") != "1":
        raise RealDataError(
            f"{store.display_url(url)} holds real data (imported, not synthetic): the demo never "
            "replaces it; give another --db"
        )


def build_demo(
    url: str,
    scale: float = 1.0,
    seed: int = 2016,
    as_of: date | None = None,
    progress: Progress | None = None,
    scenario: str = "matched",
) -> dict[str, int]:
    """Generate synthetic data and replace the whole dataset at ``url``; returns row counts per table. A database
    holding real (imported) data is never replaced: :class:`RealDataError`."""
    refuse_real_data(url)
    as_of = as_of or default_as_of()

    def gen_progress(fraction: float, message: str) -> None:
        if progress is not None:
            progress(0.7 * fraction, message)

    frames = generate(scale=scale, seed=seed, as_of=as_of, progress=gen_progress, scenario=scenario)
    meta = {
        "as_of": as_of.isoformat(),
        "synthetic": "1",
        "seed": str(seed),
        "scale": str(scale),
        "scenario": scenario,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_version": f"synthetic-{as_of.isoformat()}-s{seed}-x{scale:g}-{uuid.uuid4().hex[:12]}",
        "standard_version": standard.VERSION,
    }
    if progress is not None:
        progress(0.7, "Writing to the database")
    store.replace_all(store.get_engine(url), frames, meta)
    store.write_snapshot(url, meta["data_version"], frames)  # the app reads this instead of every row through SQL
    if progress is not None:
        progress(1.0, "Database ready")
    return {name: df.height for name, df in frames.items()}

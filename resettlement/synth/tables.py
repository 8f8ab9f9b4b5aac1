"""The synthetic generator's data tables: volumes, prevalences, gap profiles, completeness and error rates, the nine
RRPs, the selection and outcome models and the known effect. Every figure is an assumption, documented in
``docs/synthetic-data.md``; the stages in the other modules of :mod:`resettlement.synth` only read these."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypedDict

from resettlement.standard import PATHWAYS

Progress = Callable[[float, str], None]

PERIOD_START = date(2016, 1, 1)
YEAR_DAYS = 365.25


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
GAP_MIX_DEFAULT: tuple[float, float, float, float, float] = (0.12, 0.18, 0.15, 0.38, 0.17)


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
    "cases.expected_release_date": 0.3,
    "cases.pre_release_plan_date": 0.8,
    "cases.ete_arranged": 0.8,
    "cases.ete_arranged_date": 1.0,
    "needs.confirmed_date": 1.0,
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
    "cases.pre_release_plan_before_start": 0.005,  # of secure cases with a plan date (stream 7)
    "needs.confirmed_before_identified": 0.003,  # of needs with both dates (stream 7)
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


_RRP_NAMES: dict[str, tuple[str, str]] = {  # rrp_id: (English name, Welsh name)
    "rrp_north_west": ("North West Wales", "Gogledd-orllewin Cymru"),
    "rrp_north_east": ("North East Wales", "Gogledd-ddwyrain Cymru"),
    "rrp_western_bay": ("Western Bay", "Bae'r Gorllewin"),
    "rrp_cwm_taf": ("Cwm Taf", "Cwm Taf"),
    "rrp_cardiff": ("Cardiff", "Caerdydd"),
    "rrp_vale_of_glamorgan": ("Vale of Glamorgan", "Bro Morgannwg"),
    "rrp_gwent": ("Gwent", "Gwent"),
    "rrp_newport": ("Newport", "Casnewydd"),
    "rrp_dyfed_powys": ("Dyfed-Powys", "Dyfed-Powys"),
}
_RRP_AREAS: dict[str, tuple[date, tuple[str, ...]]] = {  # rrp_id: (established, local authorities)
    "rrp_north_west": (date(2019, 11, 4), ("W06000001", "W06000002", "W06000003", "W06000004")),
    "rrp_north_east": (date(2019, 1, 14), ("W06000005", "W06000006")),
    "rrp_western_bay": (date(2017, 9, 11), ("W06000011", "W06000012", "W06000013")),
    "rrp_cwm_taf": (date(2018, 10, 1), ("W06000016", "W06000024")),
    "rrp_cardiff": (date(2017, 4, 3), ("W06000015",)),
    "rrp_vale_of_glamorgan": (date(2019, 6, 3), ("W06000014",)),
    "rrp_gwent": (date(2018, 1, 15), ("W06000018", "W06000019", "W06000020", "W06000021")),
    "rrp_newport": (date(2018, 4, 9), ("W06000022",)),
    "rrp_dyfed_powys": (date(2020, 6, 1), ("W06000008", "W06000009", "W06000010", "W06000023")),
}
# rrp_id: (meeting weekday, week of the month, skip rate, attendance shift, completion, first-year blank rate)
_RRP_MEETINGS: dict[str, tuple[int, int, float, float, float, float]] = {
    "rrp_north_west": (1, 2, 0.15, -0.2, 0.7, 0.06),
    "rrp_north_east": (2, 2, 0.08, 0.1, 0.78, 0.02),
    "rrp_western_bay": (3, 1, 0.1, 0.0, 0.74, 0.03),
    "rrp_cwm_taf": (0, 3, 0.12, -0.1, 0.66, 0.04),
    "rrp_cardiff": (1, 1, 0.04, 0.3, 0.82, 0.01),
    "rrp_vale_of_glamorgan": (3, 3, 0.1, 0.2, 0.8, 0.02),
    "rrp_gwent": (2, 1, 0.1, 0.0, 0.72, 0.05),
    "rrp_newport": (0, 2, 0.18, -0.3, 0.62, 0.08),
    "rrp_dyfed_powys": (4, 2, 0.22, -0.4, 0.68, 0.07),
}
RRP_DEFS: tuple[RRPDef, ...] = tuple(
    RRPDef(
        rrp_id,
        f"{en} Reintegration and Resettlement Partnership",
        f"Partneriaeth Ailintegreiddio ac Ailsefydlu {cy}",
        _RRP_AREAS[rrp_id][1],
        _RRP_AREAS[rrp_id][0],
        *_RRP_MEETINGS[rrp_id],
    )
    for rrp_id, (en, cy) in _RRP_NAMES.items()
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


class OutcomeModel(TypedDict):
    """One outcome's untreated probability: intercept per cohort, slopes per needs band, female and start year,
    offsets per age band and police force area, and the (low, high) it is clipped to."""

    cohort: tuple[float, ...]
    needs_band: float
    age_band: tuple[float, ...]
    female: float
    police: tuple[float, ...]
    year: float
    clip: tuple[float, float]


OUTCOME_MODEL: dict[str, OutcomeModel] = {
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


# --------------------------------------------------------------------------------------------------------------
# Release planning (data standard 1.2), generated on its own random stream (7) so every older column is unchanged
# for the same seed. Children still held on the as-of date get an expected release date; plans, ETE and
# accommodation are arranged some days before release (or the expected release), a few late or never; the service
# for a secure child's need is confirmed some days after it was offered. Some areas are slower (RELEASE_SLOW_AREAS).
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReleasePlanning:
    """The release-planning assumptions; pairs are (custody, remand)."""

    ahead_median: tuple[float, float]  # median days from as_of to the expected release of a child still held
    ahead_sigma: float  # lognormal spread of those days (custody: about 90% fall 1-9 months ahead)
    overdue: float  # held children whose expected date has passed (1-60 days before as_of): not yet updated
    unknown: float  # held children with no expected date known
    release_moved: float  # released children whose expected date (recorded while held) differed from the release
    plan_lead: tuple[int, int]  # days before release a pre-release plan is typically agreed (uniform)
    plan_late: tuple[float, float]  # share agreed late: 0-13 days before release, or up to a week after
    plan_missing: float  # share with no plan recorded
    ete_arranged: tuple[float, float]  # share with ETE arranged for release
    ete_lead: tuple[int, int]  # days before release ETE was arranged (uniform)
    accommodation_late: float  # held children whose address will not be confirmed before release
    accommodation_lead: tuple[int, int]  # days before (expected) release the address is confirmed (uniform)
    service_delay: float  # mean days from a secure child's offered service to its confirmation (exponential)
    service_unconfirmed: float  # share of offered services never confirmed


RELEASE_PLANNING = ReleasePlanning(
    ahead_median=(120.0, 50.0),
    ahead_sigma=0.6,
    overdue=0.06,
    unknown=0.02,
    release_moved=0.3,
    plan_lead=(10, 40),
    plan_late=(0.12, 0.30),
    plan_missing=0.05,
    ete_arranged=(0.62, 0.45),
    ete_lead=(0, 30),
    accommodation_late=0.22,
    accommodation_lead=(1, 45),
    service_delay=10.0,
    service_unconfirmed=0.08,
)


@dataclass(frozen=True)
class ReleaseSlowness:
    """Areas where release planning is slower: every lead time before release is multiplied by ``lead``, ``late``
    is added to the late shares (plans, accommodation) and the ETE share is multiplied by ``ete``."""

    label: str
    la_codes: tuple[str, ...]
    lead: float
    late: float
    ete: float


RELEASE_SLOW_AREAS: tuple[ReleaseSlowness, ...] = (
    ReleaseSlowness(
        "Newport and Wrexham: addresses found late (accommodation shortage)", ("W06000022", "W06000006"), 0.5, 0.25, 0.9
    ),
    ReleaseSlowness("Powys and Ceredigion: far from the establishments", ("W06000023", "W06000008"), 0.7, 0.10, 0.85),
    ReleaseSlowness("Merthyr Tydfil and Blaenau Gwent: few ETE places", ("W06000024", "W06000019"), 1.0, 0.0, 0.6),
)
# The fields the release stage fills and blanks on its own stream (the older blanking on stream 5 skips them).
RELEASE_FIELDS: tuple[str, ...] = (
    "cases.expected_release_date",
    "cases.pre_release_plan_date",
    "cases.ete_arranged",
    "cases.ete_arranged_date",
    "needs.confirmed_date",
)

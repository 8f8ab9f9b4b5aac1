"""The data standard (v1), declared once as data.

Everything that needs to know what a table holds reads this module: the database schema, the importer,
completeness scoring, the synthetic generator, blank templates and ``docs/data-standard.md``. Rules are plain
data (frozen dataclasses), kept apart from the code that executes them.

A field's *status* says how it is treated:

- ``required``: a row without it is rejected at import and never reaches the database.
- ``expected``: counted by completeness scores; a row may still be loaded without it.
- ``conditional``: expected only when its :class:`When` conditions hold (all of them); otherwise the field
  does not apply and never counts against a score.
- ``optional``: recorded when known, never scored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from resettlement.geography import LA_CODES

# 1.1 added the reoffending dates (first reoffence, when it was proven, record checked); 1.2 added release planning
# (expected release of a child still held, pre-release plan agreed, ETE arranged for release and when, and when a
# need's service was confirmed for a child in custody or on remand).
VERSION = "1.2"

Status = Literal["required", "expected", "conditional", "optional"]
DType = Literal["str", "int", "float", "date", "bool", "enum", "enum_list"]
Op = Literal["eq", "in", "present", "absent", "gt"]
Value = str | bool | float | tuple[str, ...] | None  # a value a condition compares with ("in": a tuple)

# Enumerations: stable codes. Labels (English and Welsh) live in the locale catalogs as ``enum.<name>.<code>``.
PATHWAYS: tuple[str, ...] = (
    "accommodation",
    "ete",
    "health",
    "substance_misuse",
    "families",
    "finance",
    "transitions",
)
COHORTS: tuple[str, ...] = ("custody", "remand", "community")
SECURE_COHORTS: tuple[str, ...] = ("custody", "remand")
SEXES: tuple[str, ...] = ("male", "female", "not_known")
ETHNICITIES: tuple[str, ...] = ("white", "mixed", "asian", "black", "other", "not_known")
NEED_VALUES: tuple[str, ...] = ("yes", "no", "unknown")
GAP_REASONS: tuple[str, ...] = ("no_provision", "waiting_list", "not_eligible", "declined", "other")
ESTABLISHMENTS: tuple[str, ...] = (
    "parc",
    "hillside",
    "werrington",
    "wetherby",
    "oakhill",
    "cookham_wood",
    "feltham",
    "secure_childrens_home_other",
    "other",
)
AGENCY_TYPES: tuple[str, ...] = (
    "yjs",
    "police",
    "housing",
    "health",
    "education",
    "social_services",
    "substance_misuse",
    "secure_estate",
    "third_sector",
)
REVIEW_TYPES: tuple[str, ...] = ("referral", "pre_release", "post_release", "exit")

ENUMS: dict[str, tuple[str, ...]] = {
    "pathway": PATHWAYS,
    "cohort": COHORTS,
    "sex": SEXES,
    "ethnicity": ETHNICITIES,
    "need": NEED_VALUES,
    "gap_reason": GAP_REASONS,
    "establishment": ESTABLISHMENTS,
    "agency_type": AGENCY_TYPES,
    "review_type": REVIEW_TYPES,
    "la_code": LA_CODES,
}


@dataclass(frozen=True)
class When:
    """One condition on a field of the same row, or of the row's case (``table="cases"``)."""

    field: str
    op: Op
    value: Value = None
    table: str | None = None


@dataclass(frozen=True)
class Field:
    """One column of the standard."""

    name: str
    dtype: DType
    status: Status
    enum: str | None = None
    min: float | None = None
    max: float | None = None
    when: tuple[When, ...] = ()
    references: str | None = None  # "table.column"
    pseudonymised: bool = False
    future: bool = False  # a forecast (an expected release): may lie after today, see FUTURE_DAYS_AHEAD

    @property
    def allowed(self) -> tuple[str, ...] | None:
        return ENUMS[self.enum] if self.enum else None


@dataclass(frozen=True)
class Check:
    """A cross-field validity rule: ``left op right`` must hold when both are present.

    ``right`` names a column of the same row, or ``"cases.<col>"`` for the row's case. ``min_days`` shifts the
    comparison for dates: ``left >= right + min_days`` (e.g. -365 allows a need identified up to a year before
    the episode started, but not years before).
    """

    code: str
    table: str
    left: str
    op: Literal["ge", "le", "gt"]
    right: str
    min_days: int | None = None


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    fields: tuple[Field, ...]
    case_linked: bool = False  # rows belong to a case (scope follows the case's local authority)
    columns: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(f.name for f in self.fields))

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name}.{name}")


_SECURE = When("cohort", "in", SECURE_COHORTS)
_SECURE_CASE = When("cohort", "in", SECURE_COHORTS, table="cases")
_ENDED = When("end_date", "present", table="cases")
_RELEASED = When("release_date", "present")
_STILL_HELD = (_SECURE, When("release_date", "absent"), When("end_date", "absent"))  # neither released nor ended
FUTURE_DAYS_AHEAD = 3653  # a forecast date up to ten years ahead is plausible (a long sentence); others one year

CASES = Table(
    "cases",
    key=("case_id",),
    fields=(
        Field("case_id", "str", "required", pseudonymised=True),
        Field("child_id", "str", "required", pseudonymised=True),
        Field("la_code", "enum", "required", enum="la_code"),
        Field("cohort", "enum", "required", enum="cohort"),
        Field("start_date", "date", "required"),
        Field("sex", "enum", "expected", enum="sex"),
        Field("age_at_start", "int", "expected", min=10, max=17),
        Field("ethnicity", "enum", "expected", enum="ethnicity"),
        # A child still in custody has no release date yet: expected once the episode has ended.
        Field("release_date", "date", "conditional", when=(_SECURE, When("end_date", "present"))),
        Field("establishment", "enum", "conditional", enum="establishment", when=(_SECURE,)),
        Field("end_date", "date", "optional"),
        Field("rrp_id", "str", "optional", references="rrps.rrp_id"),
        Field("rrp_referral_date", "date", "conditional", when=(When("rrp_id", "present"),)),
        Field("plan_date", "date", "expected"),
        Field("assessment_date", "date", "expected"),
        # Release planning (1.2). The expected (or earliest) release date while the child is still held; the
        # pre-release plan (carer, address, services) and ETE arranged for release are expected once released
        # (and may be recorded earlier, while the child is held).
        Field("expected_release_date", "date", "conditional", when=_STILL_HELD, future=True),
        Field("pre_release_plan_date", "date", "conditional", when=(_SECURE, _RELEASED)),
        Field("ete_arranged", "bool", "conditional", when=(_SECURE, _RELEASED)),
        Field("ete_arranged_date", "date", "conditional", when=(When("ete_arranged", "eq", True),)),
    ),
)

NEEDS = Table(
    "needs",
    key=("case_id", "pathway"),
    case_linked=True,
    fields=(
        Field("case_id", "str", "required", references="cases.case_id", pseudonymised=True),
        Field("pathway", "enum", "required", enum="pathway"),
        Field("need", "enum", "required", enum="need"),
        Field("identified_date", "date", "conditional", when=(When("need", "eq", "yes"),)),
        Field("service_offered", "bool", "conditional", when=(When("need", "eq", "yes"),)),
        Field("offered_date", "date", "conditional", when=(When("service_offered", "eq", True),)),
        Field("engaged", "bool", "conditional", when=(When("service_offered", "eq", True),)),
        Field(
            "gap_reason",
            "enum",
            "conditional",
            enum="gap_reason",
            when=(When("need", "eq", "yes"), When("service_offered", "eq", False)),
        ),
        Field("agency", "enum", "conditional", enum="agency_type", when=(When("service_offered", "eq", True),)),
        # 1.2: when the service was confirmed for a child in custody or on remand (before release or not is worked
        # out against the case's release date).
        Field("confirmed_date", "date", "conditional", when=(When("service_offered", "eq", True), _SECURE_CASE)),
    ),
)

OUTCOMES = Table(
    "outcomes",
    key=("case_id",),
    case_linked=True,
    fields=(
        Field("case_id", "str", "required", references="cases.case_id", pseudonymised=True),
        Field("accommodation_suitable_end", "bool", "conditional", when=(_ENDED,)),
        Field(
            "accommodation_confirmed_date",
            "date",
            "conditional",
            when=(_SECURE_CASE, When("release_date", "present", table="cases")),
        ),
        Field("ete_suitable_end", "bool", "conditional", when=(_ENDED,)),
        Field("ete_hours_offered", "float", "expected", min=0, max=60),
        Field("ete_hours_attended", "float", "conditional", min=0, max=60, when=(When("ete_hours_offered", "gt", 0),)),
        # Proven reoffending is computed from these three dates (resettlement/reoffending.py): the offence date of
        # the child's first offence after the index date that was later proven (conviction or caution), the date
        # it was proven, and the date the record was last checked against police and court records.
        Field("first_reoffence_date", "date", "conditional", when=(When("reoffended", "eq", True),)),
        Field("first_reoffence_proven_date", "date", "conditional", when=(When("first_reoffence_date", "present"),)),
        Field("reoffending_checked_date", "date", "conditional", when=(_ENDED,)),
        # Less reliable fallback, used only where the dates cannot decide: a flag someone filled in by hand.
        Field("reoffended", "bool", "expected"),
        Field("reoffences", "int", "conditional", min=1, max=99, when=(When("reoffended", "eq", True),)),
        Field("exit_to_universal_services", "bool", "conditional", when=(_ENDED,)),
    ),
)

RRPS = Table(
    "rrps",
    key=("rrp_id",),
    fields=(
        Field("rrp_id", "str", "required"),
        Field("name", "str", "required"),
        Field("name_cy", "str", "expected"),
        Field("la_codes", "enum_list", "required", enum="la_code"),
        Field("established_date", "date", "expected"),
    ),
)

RRP_MEETINGS = Table(
    "rrp_meetings",
    key=("meeting_id",),
    fields=(
        Field("meeting_id", "str", "required"),
        Field("rrp_id", "str", "required", references="rrps.rrp_id"),
        Field("meeting_date", "date", "required"),
        Field("cases_reviewed", "int", "expected", min=0, max=500),
        Field("actions_agreed", "int", "expected", min=0, max=1000),
        Field("actions_completed", "int", "expected", min=0, max=1000),
        Field("escalations", "int", "expected", min=0, max=500),
    ),
)

RRP_ATTENDANCE = Table(
    "rrp_attendance",
    key=("meeting_id", "agency_type"),
    fields=(
        Field("meeting_id", "str", "required", references="rrp_meetings.meeting_id"),
        Field("agency_type", "enum", "required", enum="agency_type"),
        Field("invited", "bool", "required"),
        Field("attended", "bool", "expected"),
    ),
)

RRP_REVIEWS = Table(
    "rrp_reviews",
    key=("meeting_id", "case_id", "review_type"),
    case_linked=True,
    fields=(
        Field("meeting_id", "str", "required", references="rrp_meetings.meeting_id"),
        Field("case_id", "str", "required", references="cases.case_id", pseudonymised=True),
        Field("review_type", "enum", "required", enum="review_type"),
        Field("actions_agreed", "int", "expected", min=0, max=100),
        Field("actions_completed", "int", "expected", min=0, max=100),
        Field("escalated", "bool", "expected"),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (CASES, NEEDS, OUTCOMES, RRPS, RRP_MEETINGS, RRP_ATTENDANCE, RRP_REVIEWS)
}

CHECKS: tuple[Check, ...] = (
    Check("release_after_start", "cases", "release_date", "ge", "start_date"),
    Check("end_after_start", "cases", "end_date", "ge", "start_date"),
    Check("expected_release_after_start", "cases", "expected_release_date", "ge", "start_date"),
    Check("pre_release_plan_after_start", "cases", "pre_release_plan_date", "ge", "start_date"),
    Check("ete_arranged_after_start", "cases", "ete_arranged_date", "ge", "start_date"),
    Check("referral_after_start", "cases", "rrp_referral_date", "ge", "start_date", min_days=-365),
    Check("need_identified_near_episode", "needs", "identified_date", "ge", "cases.start_date", min_days=-365),
    Check("offer_after_identified", "needs", "offered_date", "ge", "identified_date"),
    Check("confirmed_after_identified", "needs", "confirmed_date", "ge", "identified_date"),
    Check("reoffence_after_start", "outcomes", "first_reoffence_date", "ge", "cases.start_date"),
    Check("reoffence_proven_after_offence", "outcomes", "first_reoffence_proven_date", "ge", "first_reoffence_date"),
    Check("hours_attended_within_offered", "outcomes", "ete_hours_attended", "le", "ete_hours_offered"),
    Check("actions_completed_within_agreed", "rrp_meetings", "actions_completed", "le", "actions_agreed"),
    Check("review_actions_completed_within_agreed", "rrp_reviews", "actions_completed", "le", "actions_agreed"),
)


def enum_codes(name: str) -> tuple[str, ...]:
    """The allowed codes of an enumeration."""
    return ENUMS[name]

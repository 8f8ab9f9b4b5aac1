"""The completeness rules as data: validity and timeliness rules derived from the data standard, the grouping
dimensions, RAG thresholds, and :class:`Mask`, the kinds of boolean mask an evaluated table carries (the one place a
mask's column name is built or read)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Literal

import polars as pl

from resettlement import geography, settings
from resettlement.standard import CHECKS, TABLES, Check, Field

# Validity rules the standard does not declare, in the standard's own form (``table.column`` reaches the row's
# case, or its meeting through ``meeting_id``).
EXTRA_CHECKS: tuple[Check, ...] = (
    # An RRP cannot review a child before the child was referred to it.
    Check("review_after_referral", "rrp_reviews", "rrp_meetings.meeting_date", "ge", "cases.rrp_referral_date"),
)
VALIDITY_CHECKS: tuple[Check, ...] = CHECKS + EXTRA_CHECKS


@dataclass(frozen=True)
class Timeliness:
    """``date`` should be at most ``max_days`` after ``since`` (an earlier date is on time)."""

    code: str
    table: str
    date: str
    since: str
    max_days: int


# Assumption, configurable here: about 20 working days. National timescales for the resettlement plan and the
# AssetPlus assessment could not be confirmed from public guidance (local protocols use 15-20 working days).
TIMELINESS: tuple[Timeliness, ...] = (
    Timeliness("plan_on_time", "cases", "plan_date", "start_date", 28),
    Timeliness("assessment_on_time", "cases", "assessment_date", "start_date", 28),
)


@dataclass(frozen=True)
class Rule:
    """One named validity rule on ``table``: a cross-field check, a range or a list of allowed values."""

    code: str
    table: str
    kind: Literal["check", "range", "enum"]
    field: str  # the value to correct when the rule fails (``table.column`` when it is another table's)
    check: Check | None = None
    spec: Field | None = None


def validity_rules() -> tuple[Rule, ...]:
    """Every validity rule, derived from the standard (checks, ranges, allowed values) and EXTRA_CHECKS."""
    rules = [Rule(c.code, c.table, "check", c.left, check=c) for c in VALIDITY_CHECKS]
    for table in TABLES.values():
        for f in table.fields:
            if f.min is not None or f.max is not None:
                rules.append(Rule(f"range.{table.name}.{f.name}", table.name, "range", f.name, spec=f))
            if f.enum:
                rules.append(Rule(f"enum.{table.name}.{f.name}", table.name, "enum", f.name, spec=f))
    return tuple(rules)


RULES: tuple[Rule, ...] = validity_rules()
SCORED_STATUSES = ("expected", "conditional")
CASE_TABLES: tuple[str, ...] = tuple(n for n, tb in TABLES.items() if n == "cases" or tb.case_linked)
PARTNERSHIP_TABLES: tuple[str, ...] = tuple(n for n in TABLES if n not in CASE_TABLES)
ONE_PER_CASE: tuple[str, ...] = tuple(n for n, tb in TABLES.items() if tb.case_linked and tb.key == ("case_id",))
DIMS: dict[str, pl.DataType] = {
    "case_id": pl.String(),
    "la_code": pl.String(),
    "service_code": pl.String(),
    "police_area": pl.String(),
    "cohort": pl.String(),
    "rrp_id": pl.String(),
    "record_date": pl.Date(),
    "quarter": pl.String(),
}
KINDS = ("completeness", "validity", "timeliness")  # the kinds of :data:`SCORES`, in order
LEVELS: dict[str, str] = {
    "la": "la_code",
    "service": "service_code",
    "police_area": "police_area",
    "rrp": "rrp_id",
    "quarter": "quarter",
}
NOT_REFERRED = "none"
RAG = ("green", "amber", "red")


@dataclass(frozen=True)
class Thresholds:
    """RAG thresholds on completeness (fractions); the defaults are settings."""

    green: float
    amber: float

    def __post_init__(self) -> None:
        if not 0 <= self.amber <= self.green <= 1:
            raise ValueError("RAG thresholds must satisfy 0 <= amber <= green <= 1")

    @classmethod
    def from_settings(cls) -> Thresholds:
        return cls(*settings.rag_thresholds())


def scored_fields(table: str) -> tuple[Field, ...]:
    """The fields of ``table`` that completeness scores (expected and conditional)."""
    return tuple(f for f in TABLES[table].fields if f.status in SCORED_STATUSES)


AREA_LEVELS = geography.AREA_OR_RRP_LEVELS


# ---------------------------------------------------------------------------------------------------------- masks


class Mask(Enum):
    """A kind of boolean mask column of an evaluated table, one per field (completeness) or rule (validity,
    timeliness). The column is named ``<code>:<field or rule>``; :meth:`column` builds the name and :meth:`items`
    reads it back, so no other code spells the prefix."""

    APPLICABLE = "a"  # the field's cell is expected
    PRESENT = "p"  # the field's cell is expected and present
    CHECKED = "c"  # a validity rule's values are all present
    INVALID = "x"  # ... and impossible
    TIMED = "t"  # a timeliness rule's dates are both present
    LATE = "l"  # ... and too far apart

    def column(self, item: str) -> str:
        """The name of this mask's column for ``item`` (a field or a rule code)."""
        return f"{self.value}:{item}"

    def col(self, item: str) -> pl.Expr:
        """This mask's column for ``item`` as an expression."""
        return pl.col(self.column(item))

    def items(self, columns: Iterable[str]) -> list[str]:
        """The fields or rules that have a mask of this kind among ``columns``, in order."""
        prefix = self.column("")
        return [c.removeprefix(prefix) for c in columns if c.startswith(prefix)]


@dataclass(frozen=True)
class Score:
    """How one kind of score reads its pair of masks: ``n`` marks what is looked at (applicable cells, checked
    values or dates), ``flag`` what counts against it (invalid, late), or with ``flag_is_ok`` what counts for it
    (present cells: missing = applicable and not present)."""

    kind: str
    n: Mask
    flag: Mask
    n_column: str  # the score frames' columns of the pooled counts: looked at, and counting against
    bad_column: str
    flag_is_ok: bool = False

    def bad(self, item: str) -> pl.Expr:
        """True where ``item`` counts against the score (missing, invalid or late)."""
        return self.n.col(item) & ~self.flag.col(item) if self.flag_is_ok else self.flag.col(item)


SCORES: tuple[Score, ...] = (
    Score("completeness", Mask.APPLICABLE, Mask.PRESENT, "cells_applicable", "cells_missing", flag_is_ok=True),
    Score("validity", Mask.CHECKED, Mask.INVALID, "values_checked", "values_invalid"),
    Score("timeliness", Mask.TIMED, Mask.LATE, "dates_checked", "dates_late"),
)

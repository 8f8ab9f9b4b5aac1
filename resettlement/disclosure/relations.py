"""Linear relations between a table's cells, declared as data (:class:`RowSum`, :class:`ColumnSum`,
:class:`Together`), and :data:`TABLE_RELATIONS`, the relations of every table the app shows: secondary suppression
(:mod:`.suppression`) hides cells until none of them gives a hidden cell back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from resettlement.needs import FUNNEL_COUNTS


@dataclass(frozen=True)
class RowSum:
    """In every row, column ``total`` = the sum of columns ``parts`` (``identified = offer_recorded +
    offer_unknown``). With ``remainder``, the parts shown do not cover the total: the rest is not published (e.g.
    ``offer_recorded = unmet + met`` where *met* is not a column)."""

    total: str
    parts: tuple[str, ...]
    remainder: bool = False


@dataclass(frozen=True)
class ColumnSum:
    """Down the rows: for each of ``columns``, within each group of rows sharing the ``by`` columns, the rows add
    up to a total, which is

    - the row whose ``key`` column holds ``total`` (a "Wales" series, an "all cohorts" row), or else
    - the ``total_column`` cell (one value repeated in every row of the group, like ``total``), or else
    - a total published elsewhere (on the same page or in the same report), which the reader is assumed to know.

    With ``remainder`` (only with a total row or column), the other rows do not cover the total: the rest (the
    other areas of Wales, say) is not published.
    """

    columns: tuple[str, ...]
    by: tuple[str, ...] = ()
    key: str | None = None
    total: object = None
    total_column: str | None = None
    remainder: bool = False

    def __post_init__(self) -> None:
        if self.remainder and self.key is None and self.total_column is None:
            raise ValueError("a remainder needs a total row (key, total) or a total column")


@dataclass(frozen=True)
class Together:
    """In every row, the cells of ``columns`` are hidden together: one nearly gives the other away (children
    starting an episode and episodes: a child rarely starts two in a quarter, so the counts are usually equal)."""

    columns: tuple[str, ...]


Relation = RowSum | ColumnSum | Together
Cell = tuple[int, str]  # (row index, column)


# ------------------------------------------------------------------------------ relations of the app's tables
# Declared once, as data, by table name; pages apply them in the publication view and reports always do.
# Column names are those of the frames the domain modules return (resettlement/needs.py, gaps.py, ...).

_FUNNEL_ROWS: tuple[Relation, ...] = (
    RowSum("assessed", ("identified",), remainder=True),  # the rest: assessed as no need
    RowSum("identified", ("offer_recorded", "offer_unknown")),
    RowSum("offer_recorded", ("offered",), remainder=True),  # the rest: not offered
    RowSum("offered", ("engagement_recorded",), remainder=True),  # the rest: engagement not recorded
    RowSum("engagement_recorded", ("engaged",), remainder=True),  # the rest: did not engage
)
_GAP_COUNTS = ("identified", "offer_recorded", "offer_unknown", "unmet", "release_needs", "not_in_place")
_GAP_ROWS: tuple[Relation, ...] = (
    RowSum("identified", ("offer_recorded", "offer_unknown")),
    RowSum("offer_recorded", ("unmet",), remainder=True),  # the rest: offered
    RowSum("release_needs", ("not_in_place",), remainder=True),  # the rest: in place by release
)
_RELEASE_COUNTS = ("released", "reviewed_before_release", "not_reviewed_before_release", "not_released")
_FIRST_REVIEW_COUNTS = ("episodes", "reviewed", "not_reviewed")


def in_comparator(columns: Sequence[str], by: Sequence[str]) -> ColumnSum:
    """The selected area's rows (``series`` = ``area``) are part of the comparator's (``series`` = ``wales``):
    Wales = the area + the rest of Wales, which is not published."""
    return ColumnSum(tuple(columns), by=tuple(by), key="series", total="wales", remainder=True)


TABLE_RELATIONS: dict[str, tuple[Relation, ...]] = {
    # Overview: the area's episodes are part of Wales's; the cohorts add up to the area's episodes per quarter.
    "overview.trend": (in_comparator(("episodes",), ("quarter",)),),
    "overview.cohorts": (ColumnSum(("episodes",), by=("quarter",)), Together(("episodes", "children"))),
    # Pathway needs: the funnel's stages; the comparator; breakdown groups add up to the funnel above them.
    "needs.compare": (*_FUNNEL_ROWS, in_comparator(FUNNEL_COUNTS, ("pathway",))),
    "needs.funnel": _FUNNEL_ROWS,
    "needs.breakdown": (*_FUNNEL_ROWS, ColumnSum(FUNNEL_COUNTS, by=("pathway",))),
    "needs.trend": (*_FUNNEL_ROWS, in_comparator(FUNNEL_COUNTS, ("quarter",))),
    "needs.per_case": (
        ColumnSum(("episodes",), by=("series",), total_column="total"),
        in_comparator(("episodes", "total"), ("pathways",)),
    ),
    # Service gaps: areas add up to Wales; pathways add up to all pathways; reasons add up to the unmet total.
    "gaps.areas": (*_GAP_ROWS, ColumnSum(_GAP_COUNTS, by=("pathway",))),
    "gaps.compare": (*_GAP_ROWS, in_comparator(_GAP_COUNTS, ("pathway",)), ColumnSum(_GAP_COUNTS, by=("series",))),
    "gaps.reasons": (
        ColumnSum(("unmet",), by=("series",), total_column="total"),
        in_comparator(("unmet", "total"), ("gap_reason",)),
    ),
    "gaps.trend": (*_GAP_ROWS, in_comparator(_GAP_COUNTS, ("quarter",))),
    # Data completeness, by view of completeness.view: areas' episodes add up to Wales (the headline); the
    # selection is part of Wales. Fields, tables and rules count records and cells, not children: no relation.
    "completeness.wales": (ColumnSum(("episodes",), key="series", total="wales", remainder=True),),
    **dict.fromkeys(
        ("completeness.la", "completeness.service", "completeness.police_area", "completeness.rrp"),
        (ColumnSum(("episodes",)),),
    ),
    "completeness.quarter": (ColumnSum(("episodes",), by=("quarter",), key="series", total="wales", remainder=True),),
    **dict.fromkeys(("completeness.field", "completeness.table", "completeness.rule", "completeness.timeliness"), ()),
    # RRP activity: quarters and RRPs add up to the headline; cohorts add up to "all"; the area is part of Wales.
    "rrp.activity": (
        ColumnSum(("cases_reviewed", "actions_agreed", "actions_completed", "escalations")),
        RowSum("actions_agreed", ("actions_completed",), remainder=True),
    ),
    "rrp.meetings": (ColumnSum(("cases_reviewed",), by=("rrp_id",)),),
    "rrp.release": (
        RowSum("released", ("reviewed_before_release", "not_reviewed_before_release")),
        ColumnSum(_RELEASE_COUNTS, by=("series",), key="cohort", total="all"),
        in_comparator(_RELEASE_COUNTS, ("cohort",)),
    ),
    "rrp.first_review": (
        RowSum("episodes", ("reviewed", "not_reviewed")),
        ColumnSum(_FIRST_REVIEW_COUNTS, by=("series",), key="cohort", total="all"),
        in_comparator(_FIRST_REVIEW_COUNTS, ("cohort",)),
    ),
    "rrp.first_review_bins": (ColumnSum(("episodes",), by=("cohort",)),),
    "rrp.referral": (
        RowSum("episodes", ("referred",), remainder=True),
        ColumnSum(("episodes", "referred"), by=("series",), key="cohort", total="all"),
        in_comparator(("episodes", "referred"), ("cohort",)),
    ),
    # Area profile: the authorities (services, police force areas, RRPs) in scope add up to the Wales row (children
    # are distinct within an area, so their sum is only near the total: declared all the same, to be safe).
    "profile.areas": (
        ColumnSum(
            (
                "children",
                "releases",
                "assessed",
                "identified",
                "offer_recorded",
                "unmet",
                "release_needs",
                "not_in_place",
                "reoffenders",
                "reoffending_recorded",
            ),
            key="area_code",
            total="wales",
            remainder=True,
        ),  # RRPs may not cover Wales
        RowSum("assessed", ("identified",), remainder=True),
        RowSum("offer_recorded", ("unmet",), remainder=True),
        RowSum("release_needs", ("not_in_place",), remainder=True),
        RowSum("reoffending_recorded", ("reoffenders",), remainder=True),
    ),
    # Outcomes: the area is part of Wales; day bins add up to the episodes recorded; cohorts' sizes.
    "outcomes.headline": (
        ColumnSum(("denominator", "not_recorded"), by=("measure",), key="group", total="wales", remainder=True),
    ),
    "outcomes.days": (ColumnSum(("episodes",), total_column="recorded"),),
}

"""Data completeness, validity and timeliness scores, derived from the data standard (never re-declared).

The package: :mod:`~resettlement.completeness.rules` (the rules as data, and :class:`Mask`, the kinds of mask),
:mod:`~resettlement.completeness.engine` (records evaluated into masks; the selection a view scores),
:mod:`~resettlement.completeness.aggregate` (masks aggregated into scores and the views), :mod:`~.present`
(disclosure control, labels and display text) and :mod:`~.fixes` (the case-level fix list).

Definitions (shown on the Definitions page):

- A **cell** is one field of one record. A field's cell is **applicable** when the standard expects it: always for
  an ``expected`` field; for a ``conditional`` field only when all its :class:`~resettlement.standard.When`
  conditions hold (conditions on the case, ``table="cases"``, are read from the record's case). A cell that is
  not applicable never counts, so a record whose conditional field does not apply loses nothing for it (its
  score on that rule is 100%). ``required`` fields are enforced at import; ``optional`` ones are never scored.
  A table whose key is exactly the case (``outcomes``: one row per case) expects a record for every case: a
  case with no such record has all of that record's applicable cells missing.
- **Completeness** = present cells ÷ applicable cells, pooled over every cell in a group (so a field that
  applies to many records weighs more than a rare one). Blank text counts as missing.
- **Validity** = 1 − invalid ÷ checked, pooled over named rules: every cross-field rule of
  :data:`~resettlement.standard.CHECKS` plus :data:`EXTRA_CHECKS`, every numeric range (``min``/``max``) and
  every list of allowed values. A rule is *checked* on a record when all its values are present; it is
  *invalid* when they are present but impossible.
- **Timeliness** = on-time ÷ checked over :data:`TIMELINESS` rules (a date within N days of another; checked
  when both dates are present; a missing date is a completeness problem, not a late one).
- **RAG**: green when completeness is at least the green threshold, amber when at least the amber threshold,
  red below (settings ``RESETTLEMENT_RAG_GREEN`` and ``RESETTLEMENT_RAG_AMBER``).

Case records (``cases``, ``needs``, ``outcomes``, ``rrp_reviews``) are grouped by their case: home local
authority, youth justice service on the start date, police force area, cohort, RRP referred to and quarter of
the episode's start. Partnership records (``rrps``, ``rrp_meetings``, ``rrp_attendance``) belong to an RRP, not
an authority: they are scored by RRP, table and rule (quarter of the meeting), never in area scores.
"""

from resettlement.completeness import aggregate, engine, fixes, present, rules
from resettlement.completeness.aggregate import (
    BY,
    By,
    area_scores,
    field_scores,
    headline,
    rag_expr,
    record_scores,
    rule_scores,
    scores,
    selection_fields,
    selection_rules,
    selection_timeliness,
    table_scores,
    tally,
    timeliness_scores,
    trend,
    view,
)
from resettlement.completeness.engine import (
    Evaluated,
    applicable_expr,
    case_attributes,
    cell_counts,
    evaluate,
    rrps_covering,
    select,
    select_evaluated,
)
from resettlement.completeness.fixes import FIX_SCHEMA, fix_list, fix_list_labelled
from resettlement.completeness.present import (
    CELL_COLUMNS,
    RATE_COLUMNS,
    VIEWS,
    View,
    area_names,
    delta_text,
    fmt_count,
    fmt_pct,
    for_map,
    for_view,
    protected,
    records,
    rule_label,
    shown,
    text_report,
)
from resettlement.completeness.rules import (
    AREA_LEVELS,
    CASE_TABLES,
    DIMS,
    EXTRA_CHECKS,
    KINDS,
    LEVELS,
    NOT_REFERRED,
    ONE_PER_CASE,
    PARTNERSHIP_TABLES,
    RAG,
    RULES,
    SCORED_STATUSES,
    SCORES,
    TIMELINESS,
    VALIDITY_CHECKS,
    Mask,
    Rule,
    Score,
    Thresholds,
    Timeliness,
    scored_fields,
    validity_rules,
)

__all__ = [
    "AREA_LEVELS",
    "BY",
    "CASE_TABLES",
    "CELL_COLUMNS",
    "DIMS",
    "EXTRA_CHECKS",
    "FIX_SCHEMA",
    "KINDS",
    "LEVELS",
    "NOT_REFERRED",
    "ONE_PER_CASE",
    "PARTNERSHIP_TABLES",
    "RAG",
    "RATE_COLUMNS",
    "RULES",
    "SCORED_STATUSES",
    "SCORES",
    "TIMELINESS",
    "VALIDITY_CHECKS",
    "VIEWS",
    "By",
    "Evaluated",
    "Mask",
    "Rule",
    "Score",
    "Thresholds",
    "Timeliness",
    "View",
    "aggregate",
    "applicable_expr",
    "area_names",
    "area_scores",
    "case_attributes",
    "cell_counts",
    "delta_text",
    "engine",
    "evaluate",
    "field_scores",
    "fix_list",
    "fix_list_labelled",
    "fixes",
    "fmt_count",
    "fmt_pct",
    "for_map",
    "for_view",
    "headline",
    "present",
    "protected",
    "rag_expr",
    "record_scores",
    "records",
    "rrps_covering",
    "rule_label",
    "rule_scores",
    "rules",
    "scored_fields",
    "scores",
    "select",
    "select_evaluated",
    "selection_fields",
    "selection_rules",
    "selection_timeliness",
    "shown",
    "table_scores",
    "tally",
    "text_report",
    "timeliness_scores",
    "trend",
    "validity_rules",
    "view",
]

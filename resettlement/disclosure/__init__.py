"""Statistical disclosure control, applied at the presentation boundary.

Every table, chart and download that leaves a page passes through :func:`protect`. Primary suppression: a
count from 1 to ``threshold - 1`` is hidden, and so is a rate whose denominator is under ``threshold``.
Hidden cells carry a StatsWales note code: ``c`` (confidential) for suppressed, ``z`` (not applicable) for a
rate with no denominator.

Secondary suppression (:func:`secondary`, or ``protect(..., relations=...)``): a table's cells obey linear relations
declared as data (:class:`RowSum`: a row's parts add up to its total; :class:`ColumnSum`: rows add up to a total row,
a total column or a total published elsewhere). A relation with exactly one hidden cell gives that cell back (the
total minus the others), so further cells are hidden, the smallest non-zero first, until no relation has exactly one
hidden cell (a fixed point). A relation may also have an unpublished remainder (``remainder=True``: the parts shown
do not cover the total, e.g. children *not* offered a service): when every cell of such a relation is shown, the
remainder is the total minus the parts, so one more cell is hidden if that remainder is a small count. Rates follow
their numerator and denominator. Secondary cells carry ``c`` too. :data:`TABLE_RELATIONS` declares the relations
of the tables the app shows; the publication view and every report apply them.

Rounding (:func:`rounded`, the publication view by default): small counts hidden, every other count rounded by a
keyed hash, rates worked out from the rounded counts (intervals: :func:`wilson_expr`).

The package: :mod:`.notes` (note codes, protected frames as text or records), :mod:`.suppression` (primary and
secondary), :mod:`.relations` (relations as data, :data:`TABLE_RELATIONS`), :mod:`.rounding` and :mod:`.intervals`.
"""

from resettlement.disclosure import intervals, notes, relations, rounding, suppression
from resettlement.disclosure.intervals import wilson_expr
from resettlement.disclosure.notes import (
    NOT_APPLICABLE,
    NOTE_CODES,
    NOTE_SUFFIX,
    SUPPRESSED,
    blank_hidden,
    for_display,
    hidden_cells,
    is_protected,
    protected_columns,
    rate_parts,
    to_records,
)
from resettlement.disclosure.relations import (
    TABLE_RELATIONS,
    Cell,
    ColumnSum,
    Relation,
    RowSum,
    Together,
    in_comparator,
)
from resettlement.disclosure.rounding import (
    STATISTIC_DECIMALS,
    Protection,
    hidden_count,
    hidden_max,
    round_to,
    round_value,
    rounded,
    rounded_interval,
)
from resettlement.disclosure.suppression import protect, recoverable, secondary

__all__ = [
    "NOTE_CODES",
    "NOTE_SUFFIX",
    "NOT_APPLICABLE",
    "STATISTIC_DECIMALS",
    "SUPPRESSED",
    "TABLE_RELATIONS",
    "Cell",
    "ColumnSum",
    "Protection",
    "Relation",
    "RowSum",
    "Together",
    "blank_hidden",
    "for_display",
    "hidden_cells",
    "hidden_count",
    "hidden_max",
    "in_comparator",
    "intervals",
    "is_protected",
    "notes",
    "protect",
    "protected_columns",
    "rate_parts",
    "recoverable",
    "relations",
    "round_to",
    "round_value",
    "rounded",
    "rounded_interval",
    "rounding",
    "secondary",
    "suppression",
    "to_records",
    "wilson_expr",
]

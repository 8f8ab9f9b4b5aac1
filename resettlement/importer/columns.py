"""The working columns the importer adds beside a sheet's fields, named once.

A sheet's frame carries the standard's fields as text plus these; validation adds typed values beside the raw text
(:func:`raw`), and the problems a rule finds are flagged in :data:`CODE` / :data:`PARAMS` before
:func:`resettlement.importer.rules.row_problems` turns them into problem rows.
"""

from __future__ import annotations

ROW = "__row"  # the spreadsheet's own row number (header = row 1)
EXTRA = "__extra"  # how many values a row holds beyond the header
FILE = "__file"  # the sheet's label, as problems name it ("needs.csv", "book.xlsx › needs")
SHEET = "__sheet"  # the sheet's index among those read (which columns it carries)
BLOCKED = "__blocked"  # the sheet has a sheet-level error: every row is rejected
ERROR = "__error"  # the row has an error: rejected
STATUS = "__status"  # a valid row against the database: added, updated or unchanged
CODE = "__code"  # a rule's problem code on a row (null: no problem)
PARAMS = "__params"  # that problem's parameters, as JSON


def raw(column: str) -> str:
    """The column holding a field's cleaned text as given (for messages and the rejects file)."""
    return f"{column}__raw"


def bad(column: str) -> str:
    """The column marking cells of a field that held control characters (already reported)."""
    return f"{column}__bad"

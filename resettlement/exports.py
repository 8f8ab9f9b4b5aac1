"""Text that leaves the app in a spreadsheet (CSV or XLSX), neutralised against formula injection.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel, LibreOffice
and Google Sheets as a formula (``=HYPERLINK(...)``, ``-2+3+cmd|...``). OWASP's rule for CSV injection: such a cell
gets a leading single quote, so the spreadsheet shows it as text. Numbers stay numbers: only text cells are changed,
and a text cell that is just a number (``-3``, ``+1.5``, a signed change shown as text) is left alone, since a
spreadsheet reads it as that number and nothing else.

Every CSV and XLSX the app or the command line writes goes through :func:`neutralise` (frames), :func:`csv_bytes`
(CSV) or :func:`safe_cell` / :func:`as_text_cells` (openpyxl, which would otherwise store a string starting with
``=`` as a formula).
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: The mark put in front of such a cell.
QUOTE = "'"
_RISKY = "^[" + re.escape("".join(FORMULA_START)) + "]"
_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$"


def _is_number(text: str) -> bool:
    return re.fullmatch(_NUMBER, text) is not None


def neutral_text(text: str) -> str:
    """``text`` as a spreadsheet will show it, never run it: quoted when it starts like a formula."""
    if text[:1] in FORMULA_START and not _is_number(text):
        return QUOTE + text
    return text


def safe_cell(value: Any) -> Any:
    """A cell value for a spreadsheet: text neutralised, anything else unchanged."""
    return neutral_text(value) if isinstance(value, str) else value


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell, and every column name (an RRP's name can head a column), that starts like a
    formula quoted; numeric columns untouched."""
    frame = frame.rename({c: neutral_text(c) for c in frame.columns if neutral_text(c) != c})
    text_columns = [c for c, dtype in frame.schema.items() if dtype == pl.String]
    if not text_columns:
        return frame
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_RISKY) & ~pl.col(c).str.contains(_NUMBER))
        .then(pl.lit(QUOTE) + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text_columns
    )


def restored(column: pl.Expr) -> pl.Expr:
    """The inverse of :func:`neutral_text` for imported text: a cell that an export quoted (``'=1+1``) reads back as
    it was (``=1+1``), so a corrected rejects file re-imports the same keys."""
    body = column.str.slice(1)
    quoted = column.str.starts_with(QUOTE) & body.str.contains(_RISKY) & ~body.str.contains(_NUMBER)
    return pl.when(quoted).then(body).otherwise(column)


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """``frame`` as CSV for a download or a file: neutralised, UTF-8 with a byte-order mark (so Excel shows Welsh
    letters)."""
    return neutralise(frame).write_csv().encode("utf-8-sig")


def as_text_cells(worksheet: Any) -> None:
    """Make every text cell of an openpyxl worksheet a plain string: neutralised, and never typed as a formula
    (openpyxl stores any string starting with ``=`` as one)."""
    for row in worksheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.value = neutral_text(cell.value)
                cell.data_type = "s"

"""StatsWales note codes and protected frames: a protected column ``c`` has a ``c__note`` column holding the note
code (``c`` suppressed, ``z`` not applicable) where the value is hidden; turning such frames into text cells or
records; and the small helpers both protections (:mod:`.suppression`, :mod:`.rounding`) share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

SUPPRESSED = "c"
NOT_APPLICABLE = "z"
NOTE_SUFFIX = "__note"
# StatsWales note codes, in their usual order; meanings in the catalogs as ``disclosure.note.<code>``.
NOTE_CODES: tuple[str, ...] = ("c", "x", "z", "p", "r", "b", "u", "e", "k")


def rate_parts(spec: str | tuple[str, str]) -> tuple[str | None, str]:
    """``(numerator, denominator)`` of a rate's spec: a denominator column, or a pair (numerator, denominator)."""
    return spec if isinstance(spec, tuple) else (None, spec)


def blank_hidden(df: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """``df`` with each of ``columns`` null wherever its note column holds a note code."""
    hidden = [c for c in columns if c in df.columns]
    return df.with_columns(
        pl.when(pl.col(c + NOTE_SUFFIX).is_null()).then(pl.col(c)).otherwise(None).alias(c) for c in hidden
    )


def protected_columns(df: pl.DataFrame) -> list[str]:
    return [c.removesuffix(NOTE_SUFFIX) for c in df.columns if c.endswith(NOTE_SUFFIX)]


def for_display(df: pl.DataFrame, decimals: Mapping[str, int] | None = None) -> pl.DataFrame:
    """Turn a protected frame into text cells: values where shown, note codes where hidden."""
    decimals = dict(decimals or {})
    cols = protected_columns(df)
    exprs = []
    for c in cols:
        value = pl.col(c)
        if c in decimals:
            value = value.round(decimals[c])
        exprs.append(
            pl.when(pl.col(c + NOTE_SUFFIX).is_not_null())
            .then(pl.col(c + NOTE_SUFFIX))
            .otherwise(value.cast(pl.String))
            .alias(c)
        )
    return df.with_columns(exprs).drop([c + NOTE_SUFFIX for c in cols])


def is_protected(df: pl.DataFrame) -> bool:
    """True when ``df`` came out of :func:`protect` (it carries note columns)."""
    return any(c.endswith(NOTE_SUFFIX) for c in df.columns)


def to_records(df: pl.DataFrame) -> list[dict]:
    """Rows of a protected frame for JSON output: shown values stay numbers, hidden cells become their note
    code (``"c"`` or ``"z"``)."""
    cols = protected_columns(df)
    records = []
    for row in df.iter_rows(named=True):
        out = {k: v for k, v in row.items() if not k.endswith(NOTE_SUFFIX)}
        for c in cols:
            if row[c + NOTE_SUFFIX] is not None:
                out[c] = row[c + NOTE_SUFFIX]
        records.append(out)
    return records


def hidden_cells(df: pl.DataFrame) -> int:
    """How many cells of a protected frame are suppressed (note ``c``)."""
    return sum(int((df[c] == SUPPRESSED).sum()) for c in df.columns if c.endswith(NOTE_SUFFIX))

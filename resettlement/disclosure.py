"""Statistical disclosure control, applied at the presentation boundary.

Every table, chart and download that leaves a page passes through :func:`protect`. Primary suppression: a
count from 1 to ``threshold - 1`` is hidden, and so is a rate whose denominator is under ``threshold``.
Hidden cells carry a StatsWales note code: ``c`` (confidential) for suppressed, ``z`` (not applicable) for a
rate with no denominator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

SUPPRESSED = "c"
NOT_APPLICABLE = "z"
NOTE_SUFFIX = "__note"


def protect(
    df: pl.DataFrame,
    counts: Sequence[str] = (),
    rates: Mapping[str, str] | None = None,
    threshold: int = 5,
) -> pl.DataFrame:
    """Null out disclosive cells and record why in a ``<column>__note`` column.

    ``counts`` are count columns; ``rates`` maps each rate column to its denominator column. A denominator
    column need not be displayed, but the rate it supports is judged on it. Returns a frame of the same
    shape plus one note column per protected column.
    """
    rates = dict(rates or {})
    exprs: list[pl.Expr] = []
    for col in counts:
        small = pl.col(col).is_between(1, threshold - 1, closed="both") & pl.col(col).is_not_null()
        exprs.append(pl.when(small).then(pl.lit(SUPPRESSED)).otherwise(None).cast(pl.String).alias(col + NOTE_SUFFIX))
    for col, denom in rates.items():
        d = pl.col(denom)
        note = (
            pl.when(d.is_null() | (d == 0))
            .then(pl.lit(NOT_APPLICABLE))
            .when(d < threshold)
            .then(pl.lit(SUPPRESSED))
            .otherwise(None)
        )
        exprs.append(note.cast(pl.String).alias(col + NOTE_SUFFIX))
    out = df.with_columns(exprs)
    hidden = [c for c in [*counts, *rates] if c in out.columns]
    return out.with_columns(
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

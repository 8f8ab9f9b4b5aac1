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


def _small(expr: pl.Expr, threshold: int) -> pl.Expr:
    return expr.is_between(1, threshold - 1, closed="both").fill_null(False)


def protect(
    df: pl.DataFrame,
    counts: Sequence[str] = (),
    rates: Mapping[str, str | tuple[str, str]] | None = None,
    threshold: int = 5,
) -> pl.DataFrame:
    """Null out disclosive cells and record why in a ``<column>__note`` column.

    ``counts`` are count columns. ``rates`` maps each rate column to its denominator column, or better to
    ``(numerator, denominator)``: a rate is hidden when its denominator is under the threshold, and also when
    its numerator, or the denominator minus the numerator, is a small count, since rate × denominator would
    give the hidden count back. Returns a frame of the same shape plus one note column per protected column.
    """
    rates = dict(rates or {})
    exprs: list[pl.Expr] = []
    for col in counts:
        small = _small(pl.col(col), threshold)
        exprs.append(pl.when(small).then(pl.lit(SUPPRESSED)).otherwise(None).cast(pl.String).alias(col + NOTE_SUFFIX))
    for col, spec in rates.items():
        num, denom = spec if isinstance(spec, tuple) else (None, spec)
        d = pl.col(denom)
        small_part = pl.lit(False)
        if num is not None:
            small_part = _small(pl.col(num), threshold) | _small(d - pl.col(num), threshold)
        note = (
            pl.when(d.is_null() | (d == 0))
            .then(pl.lit(NOT_APPLICABLE))
            .when((d < threshold) | small_part)
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

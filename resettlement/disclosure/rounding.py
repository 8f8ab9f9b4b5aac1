"""Rounding, the publication view's protection (:func:`rounded`): counts under the threshold, or rounding to it or
less, hidden; every other count rounded to a multiple of the base by a keyed hash (:func:`round_to`: the same count
always rounds the same way); rates worked out from the rounded counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from resettlement.disclosure.intervals import wilson_expr
from resettlement.disclosure.notes import NOT_APPLICABLE, NOTE_SUFFIX, SUPPRESSED, blank_hidden, rate_parts


@dataclass(frozen=True)
class Protection:
    """How figures are protected in one view: plain values, part of every cache key.

    ``publication`` with ``method`` ``round`` (the default) is :func:`rounded`; otherwise :func:`protect` with the
    table's relations (the working view, or the publication view when the setting asks for suppression). ``key`` is
    the database's rounding key (``store.rounding_key``): it decides which way each count is rounded and is never
    shown."""

    threshold: int = 5
    publication: bool = True
    method: str = "round"
    base: int = 5
    key: int = 1

    @property
    def rounds(self) -> bool:
        return self.publication and self.method == "round"


_MULTIPLIER, _MODULUS = 2654435761, 2147483647  # a multiplicative hash (Knuth's constant), under 2^63 for keys < 2^24


def round_to(expr: pl.Expr, base: int, key: int) -> pl.Expr:
    """``expr`` (whole numbers) rounded to a multiple of ``base``, up or down: a count ``v`` goes up when a hash of
    ``v + key``, spread over 0 to base − 1, is under ``v mod base``, so about (v mod base) / base of counts go up
    and on average nearly nothing is added or lost (tests/test_published.py measures the mean error over 5,000
    counts). Which way is fixed by ``key`` and ``v`` alone, so the same count is rounded the same way wherever it
    appears (no average of several views gives it back). Plain integer arithmetic, so the result never changes
    with the Polars version."""
    expr = expr.cast(pl.Int64)
    remainder = expr % base
    draw = (((expr + key) * _MULTIPLIER) % _MODULUS) // 7 % base
    down = expr - remainder
    return pl.when(draw < remainder).then(down + base).otherwise(down)


def round_value(value: int, base: int, key: int) -> int:
    """:func:`round_to` of one number, in Python (for texts and tests)."""
    remainder = value % base
    draw = ((value + key) * _MULTIPLIER) % _MODULUS // 7 % base
    return value - remainder + (base if draw < remainder else 0)


def hidden_max(threshold: int, base: int) -> int:
    """The largest count the publication view may hide: every count under the threshold is hidden, and so is every
    count that rounds to the threshold or less (5 to 9 may round down to 5 with base 5)."""
    return max(threshold - 1, threshold // base * base + base - 1)


def rounded_interval(value: float | None, threshold: int, base: int) -> tuple[float, float]:
    """What a reader who does not know the key knows of a count the publication view shows as ``value`` (``None``
    when hidden): a shown 10 is anything from 6 to 14, a hidden count anything from 0 to :func:`hidden_max`."""
    if value is None:
        return 0.0, float(hidden_max(threshold, base))
    return max(float(threshold), value - base + 1), float(value + base - 1)


STATISTIC_DECIMALS = 2  # the publication view's precision for rates that are not shares of rounded counts


def hidden_count(expr: pl.Expr, protection: Protection) -> pl.Expr:
    """Whether the publication view hides a count: under the threshold (zero included), or rounding to it or less."""
    return (expr < protection.threshold) | (round_to(expr, protection.base, protection.key) <= protection.threshold)


def rounded(
    df: pl.DataFrame,
    counts: Sequence[str] = (),
    rates: Mapping[str, str | tuple[str, str]] | None = None,
    protection: Protection | None = None,
    shares: Sequence[str] = (),
    intervals: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """The publication view's protection: every count under the threshold (zero included) or rounding to the
    threshold or less is hidden (``c``); every other count is rounded (:func:`round_to`), and rates are worked out
    from the rounded counts.

    A zero is hidden like a small count: "none of them" tells something about each child, and a published zero next to
    hidden cells narrows them. A rate is hidden when its denominator, its numerator or the denominator minus it would
    be hidden as a count (so 0% and 100% are never shown while 3% is hidden); shown, a rate in ``shares`` is the
    rounded numerator over the rounded denominator and an interval in ``intervals`` (column → ``low`` or ``high``) the
    Wilson interval of those, so neither gives an exact count back. Other rates (medians, means, ratios of hours,
    weighted estimates) are statistics of a group of at least the threshold, shown to two decimals. Parts may not add
    up exactly to their rounded total.
    """
    p = protection or Protection()
    rates, intervals = dict(rates or {}), dict(intervals or {})
    exprs: list[pl.Expr] = []
    for col in counts:
        under = hidden_count(pl.col(col), p).fill_null(False)
        exprs.append(pl.when(under).then(pl.lit(SUPPRESSED)).otherwise(None).cast(pl.String).alias(col + NOTE_SUFFIX))
    for col, spec in rates.items():
        num, denom = rate_parts(spec)
        d = pl.col(denom)
        under = hidden_count(d, p)
        if num is not None:
            n = pl.col(num)
            under = under | (n.is_not_null() & (hidden_count(n, p) | hidden_count(d - n, p)))
        note = pl.when(d.is_null() | (d == 0)).then(pl.lit(NOT_APPLICABLE)).when(under).then(pl.lit(SUPPRESSED))
        exprs.append(note.otherwise(None).cast(pl.String).alias(col + NOTE_SUFFIX))
    out = df.with_columns(exprs)
    derived = []
    for col, spec in rates.items():
        num, denom = rate_parts(spec)
        if num is None or (col not in shares and col not in intervals):
            if col in df.columns and df.schema[col].is_float():
                # a statistic to two decimals: its exact value (48/75 = 0.64) could give its exact counts back
                derived.append(pl.col(col).round(STATISTIC_DECIMALS))
            continue
        k = round_to(pl.col(num), p.base, p.key).cast(pl.Float64)
        n = round_to(pl.col(denom), p.base, p.key).cast(pl.Float64)
        value = k / n if col in shares else wilson_expr(k, n, intervals[col])
        # a rate with no count behind it (hours attended ÷ offered) is a statistic: kept as computed
        derived.append(
            pl.when(pl.col(num).is_null()).then(pl.col(col)).when(n > 0).then(value).otherwise(None).alias(col)
        )
    out = out.with_columns(derived).with_columns(
        round_to(pl.col(c), p.base, p.key).cast(df[c].dtype).alias(c) for c in counts
    )
    return blank_hidden(out, [*counts, *rates])

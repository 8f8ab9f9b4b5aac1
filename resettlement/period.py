"""Periods: calendar quarters as a value type, and the periods views and trends are drawn over.

A quarter travels through frames, URLs and cache keys as its label (``2024Q2``, a plain string); :class:`Quarter`
is the one place that reads, writes and steps such labels, so no caller slices ``label[:4]`` or formats ``f"{y}Q{q}"``.
Trends may also run by calendar year (``2024``); a *period* label is either. The data start in 2016; a view starts
with the latest eight complete quarters, and trends stop at the last complete one. :func:`quarter_expr` and
:func:`quarter_start_expr` are the Polars twins of :attr:`Quarter.label` and :attr:`Quarter.start` for columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

DEFAULT_QUARTERS = 8
DATA_START = date(2016, 1, 1)


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter: ``Quarter(2024, 2)`` is April to June 2024, labelled ``2024Q2``."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise ValueError(f"a quarter is numbered 1 to 4, not {self.number}")

    @classmethod
    def parse(cls, label: str) -> Quarter:
        """The quarter of a label such as ``2024Q2``; ``ValueError`` for anything else."""
        year, sep, number = label.partition("Q")
        if not (sep and year.isdigit() and len(year) == 4 and number in ("1", "2", "3", "4")):
            raise ValueError(f"not a quarter label: {label!r}")
        return cls(int(year), int(number))

    @classmethod
    def of(cls, day: date) -> Quarter:
        """The quarter holding ``day``."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def span(cls, first: date, last: date) -> list[Quarter]:
        """Every quarter from the one holding ``first`` to the one holding ``last`` (empty when ``last`` is before)."""
        quarters, q, end = [], cls.of(first), cls.of(last)
        while q <= end:
            quarters.append(q)
            q = q.next()
        return quarters

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def shift(self, n: int) -> Quarter:
        """The quarter ``n`` quarters later (earlier when ``n`` is negative)."""
        index = self.year * 4 + self.number - 1 + n
        return Quarter(index // 4, index % 4 + 1)

    def __str__(self) -> str:
        return self.label


# ------------------------------------------------------------------------------------------------ quarter labels


def quarter_of(day: date) -> str:
    """Calendar quarter label, e.g. ``2024Q2``."""
    return Quarter.of(day).label


def quarter_bounds(label: str) -> tuple[date, date]:
    """First and last day of a quarter label."""
    q = Quarter.parse(label)
    return q.start, q.end


def quarters_between(first: date, last: date) -> list[str]:
    """Every quarter label from the one holding ``first`` to the one holding ``last``."""
    return [q.label for q in Quarter.span(first, last)]


def years_of(quarters: Sequence[str]) -> list[str]:
    """The calendar years the quarters fall in, in order."""
    return list(dict.fromkeys(str(Quarter.parse(q).year) for q in quarters))


# --------------------------------------------------------------------------------- periods: quarters or years


def is_quarter(period: str) -> bool:
    """Whether a period label names a quarter (``2024Q2``) rather than a calendar year (``2024``)."""
    return "Q" in period


def period_start(label: str) -> date:
    """First day of a trend period label: a quarter (``2024Q2``) or a calendar year (``2024``)."""
    return Quarter.parse(label).start if is_quarter(label) else date(int(label), 1, 1)


def period_end(label: str) -> date:
    """Last day of a trend period label: a quarter (``2024Q2``) or a calendar year (``2024``)."""
    return Quarter.parse(label).end if is_quarter(label) else date(int(label), 12, 31)


def is_complete(period: str, as_of: date) -> bool:
    """Whether the data (as of ``as_of``) cover the whole period: a quarter (``2026Q3``) or a year (``2026``)."""
    return period_end(period) <= as_of


def trend_quarters(as_of: date) -> tuple[str, ...]:
    """The quarters trends are drawn over: every complete quarter since the data start (a quarter still under way
    would end each trend with a dip that is not a fall); all of them when none is complete yet."""
    quarters = quarters_between(DATA_START, as_of)
    return tuple(q for q in quarters if is_complete(q, as_of)) or tuple(quarters)


def complete_years(quarters: Sequence[str], as_of: date) -> list[str]:
    """The calendar years of ``quarters`` that the data cover whole (all of them when none is)."""
    years = years_of(quarters)
    return [y for y in years if is_complete(y, as_of)] or years


def default_period(quarters: list[str], as_of: date) -> tuple[str, str]:
    """The period a view starts with: the latest eight complete quarters (or all, if fewer). A quarter still under
    way at the as-of date is left out, since its counts, and the change against the period before, would look
    smaller than they will be; when no quarter is complete yet, all of them."""
    done = [q for q in quarters if is_complete(q, as_of)] or quarters
    return done[max(0, len(done) - DEFAULT_QUARTERS)], done[-1]


# ------------------------------------------------------------------------------------------- Polars columns


def label_expr(year: pl.Expr, number: pl.Expr) -> pl.Expr:
    """Polars expression writing quarter labels from year and quarter-number columns (as :attr:`Quarter.label`)."""
    return pl.format("{}Q{}", year, number)


def quarter_expr(col: str) -> pl.Expr:
    """Polars expression giving the quarter label of a date column."""
    return label_expr(pl.col(col).dt.year(), pl.col(col).dt.quarter())


def quarter_start_expr(label: pl.Expr) -> pl.Expr:
    """Polars expression giving the first day of each quarter label (as :attr:`Quarter.start`)."""
    year, number = label.str.slice(0, 4).cast(pl.Int32), label.str.slice(5, 1).cast(pl.Int32)
    return pl.date(year, (number - 1) * 3 + 1, 1)

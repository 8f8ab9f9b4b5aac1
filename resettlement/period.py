"""Periods: calendar quarters as a value type.

A quarter travels through frames, URLs and cache keys as its label (``2024Q2``, a plain string); :class:`Quarter`
is the one place that reads, writes and steps such labels, so no caller slices ``label[:4]`` or formats ``f"{y}Q{q}"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


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

    def __str__(self) -> str:
        return self.label

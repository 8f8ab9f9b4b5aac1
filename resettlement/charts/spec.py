"""The parts every chart spec shares: a column of codes with their names, and the chart's titles.

A builder takes a frame and one spec (a frozen dataclass of its columns and texts), so a call reads as what it
draws; the texts arrive already in the chosen language.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl


@dataclass(frozen=True)
class Codes:
    """A column of codes, the codes to draw in that order, and their names in the chosen language (legend, axis
    labels, hover); a code without a name shows as itself."""

    column: str
    order: Sequence[str] = ()
    labels: Mapping[str, str] = field(default_factory=dict)

    def name(self, code: str) -> str:
        return self.labels.get(code, code)

    def names(self, codes: Sequence[str] | None = None) -> list[str]:
        """The names of ``codes`` (by default :attr:`order`)."""
        return [self.name(c) for c in (self.order if codes is None else codes)]

    def parts(self, frame: pl.DataFrame) -> Iterator[tuple[int, str, pl.DataFrame]]:
        """(position, code, rows of that code) for each code of :attr:`order`: one series, bar group or panel each."""
        for i, code in enumerate(self.order):
            yield i, code, frame.filter(pl.col(self.column) == code)


@dataclass(frozen=True)
class Titles:
    """The chart's title and its axis titles: ``category`` names the axis of periods, bins or categories, ``value``
    the axis of the measure (whichever way round the chart is drawn)."""

    chart: str
    category: str = ""
    value: str = ""

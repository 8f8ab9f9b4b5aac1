"""Which RRPs: the partnerships covering an area, their names for display, and what the RRP modules share."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from resettlement import geography
from resettlement.filters import Area

ALL = "all"  # the pooled row or column (all agencies; all RRPs compared with)
# Words that every RRP's name repeats; dropped from chart labels so the area is readable (full names elsewhere).
GENERIC_NAME_WORDS: tuple[str, ...] = (
    "Reintegration and Resettlement Partnership",
    "Partneriaeth Ailintegreiddio ac Ailsefydlu",
)


def ratio(num: str, den: str) -> pl.Expr:
    """``num`` ÷ ``den``, null when the denominator is not positive (a rate with nothing to divide by)."""
    return pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den)).otherwise(None)


def rrps_for_area(rrps: pl.DataFrame, area: Area) -> pl.DataFrame:
    """The RRPs covering any authority of ``area`` (all of them for Wales), in name order."""
    las = list(geography.area_la_codes(area.level, area.code))
    covers = pl.col("la_codes").str.split(";").list.eval(pl.element().is_in(las)).list.any()
    return rrps.filter(covers).sort("name")


def rrp_names(rrps: pl.DataFrame, lang: str, short: bool = False) -> dict[str, str]:
    """RRP names in ``lang`` (``name_cy`` for Welsh, falling back to ``name``); ``short`` drops the words every
    name repeats ("Reintegration and Resettlement Partnership") for chart labels."""
    out = {}
    for row in rrps.iter_rows(named=True):
        name = (row["name_cy"] if lang == "cy" else None) or row["name"]
        if short:
            trimmed = name
            for words in GENERIC_NAME_WORDS:
                trimmed = trimmed.replace(words, "")
            name = " ".join(trimmed.split()) or name
        out[row["rrp_id"]] = name
    return out


def la_codes_of(rrps: pl.DataFrame) -> list[str]:
    """Every authority the given RRPs cover."""
    return sorted({code for codes in rrps["la_codes"].drop_nulls() for code in codes.split(";") if code})


def period_quarters(quarters: Sequence[str], start_q: str, end_q: str) -> list[str]:
    """The quarters of the period (from ``quarters``, which stop at the data date)."""
    return [q for q in quarters if start_q <= q <= end_q]

"""Service gaps by area and pathway: where identified needs go unmet.

Definitions (declared once here; shown on the Definitions page and used by the page, the map and the CLI):

- **needs identified**: needs rows with ``need`` = yes.
- **offer recorded**: of those, rows whose ``service_offered`` is recorded (true or false).
- **unmet**: identified and ``service_offered`` = false.
- **gap rate** = unmet ÷ offer recorded. Needs whose offer is not recorded are excluded from the rate and
  reported as ``offer_unknown`` (a completeness problem, not hidden).
- **not in place by release** (custody and remand with a release date): identified needs with no service
  offered, or offered after the release date, ÷ such needs whose offer (and, when offered, its date) is recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from resettlement import geography
from resettlement.geography import AreaLevel, Level
from resettlement.period import is_quarter
from resettlement.standard import PATHWAYS, SECURE_COHORTS
from resettlement.tables import Tables

if TYPE_CHECKING:
    from resettlement.filters import Filters


LEVELS = geography.BREAKDOWN_LEVELS
COUNTS = ("identified", "offer_recorded", "offer_unknown", "unmet", "release_needs", "not_in_place")
RATES = {"gap_rate": ("unmet", "offer_recorded"), "not_in_place_rate": ("not_in_place", "release_needs")}
MEASURES = ("gap_rate", "unmet", "not_in_place_rate")
DENOMINATOR = {"gap_rate": "offer_recorded", "unmet": "identified", "not_in_place_rate": "release_needs"}
IS_RATE = {"gap_rate": True, "unmet": False, "not_in_place_rate": True}


def _area_col(level: AreaLevel) -> str:
    return {"la": "la_code", "service": "service_code", "police_area": "police_area"}[level]


def with_area(rows: pl.DataFrame) -> pl.DataFrame:
    """Add ``police_area`` (from the authority) to needs rows carrying ``la_code`` and ``service_code``."""
    if "police_area" in rows.columns:
        return rows
    return geography.with_police_area(rows)


def _aggs() -> list[pl.Expr]:
    yes = pl.col("need") == "yes"
    recorded = pl.col("service_offered").is_not_null()
    unmet = yes & pl.col("service_offered").eq(False)
    secure = yes & pl.col("cohort").is_in(list(SECURE_COHORTS)) & pl.col("release_date").is_not_null()
    offered_late = (pl.col("service_offered").eq(True)) & (pl.col("offered_date") > pl.col("release_date"))
    offered_known = (pl.col("service_offered").eq(False)) | (
        (pl.col("service_offered").eq(True)) & pl.col("offered_date").is_not_null()
    )
    return [
        yes.sum().alias("identified"),
        (yes & recorded).sum().alias("offer_recorded"),
        (yes & ~recorded).sum().alias("offer_unknown"),
        unmet.sum().alias("unmet"),
        (secure & offered_known).sum().alias("release_needs"),
        (secure & offered_known & ((pl.col("service_offered").eq(False)) | offered_late)).sum().alias("not_in_place"),
    ]


def _rates(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(
        *(pl.col(c).cast(pl.Int64) for c in COUNTS),
        pl.when(pl.col("offer_recorded") > 0).then(pl.col("unmet") / pl.col("offer_recorded")).alias("gap_rate"),
        pl.when(pl.col("release_needs") > 0)
        .then(pl.col("not_in_place") / pl.col("release_needs"))
        .alias("not_in_place_rate"),
    )


def by_area(
    rows: pl.DataFrame, level: AreaLevel = "la", pathways: tuple[str, ...] = PATHWAYS, areas: list[str] | None = None
) -> pl.DataFrame:
    """Gap measures per area × pathway, every area and pathway present (zeros where nothing was recorded).

    ``rows`` are needs joined to their cases (see :func:`resettlement.needs.with_case`).
    """
    col = _area_col(level)
    rows = with_area(rows)
    agg = rows.rename({col: "area_code"}).group_by("area_code", "pathway").agg(_aggs())
    grid = pl.DataFrame({"area_code": areas if areas is not None else list(geography.area_codes(level))}).join(
        pl.DataFrame({"pathway": list(pathways)}), how="cross"
    )
    out = grid.join(agg, on=["area_code", "pathway"], how="left").with_columns(pl.col(c).fill_null(0) for c in COUNTS)
    return _rates(out)


def overall(rows: pl.DataFrame, pathways: tuple[str, ...] = PATHWAYS) -> pl.DataFrame:
    """Gap measures per pathway over all ``rows`` (e.g. Wales)."""
    agg = rows.group_by("pathway").agg(_aggs())
    grid = pl.DataFrame({"pathway": list(pathways)})
    out = grid.join(agg, on="pathway", how="left").with_columns(pl.col(c).fill_null(0) for c in COUNTS)
    return _rates(out)


def reasons(rows: pl.DataFrame) -> pl.DataFrame:
    """Unmet needs by pathway and recorded gap reason (``not_recorded`` where the reason is missing)."""
    unmet = rows.filter((pl.col("need") == "yes") & (pl.col("service_offered").eq(False)))
    return (
        unmet.with_columns(pl.col("gap_reason").fill_null("not_recorded"))
        .group_by("pathway", "gap_reason")
        .agg(pl.len().cast(pl.Int64).alias("unmet"))
        .sort("pathway", "gap_reason")
    )


def combine(rows: pl.DataFrame, pathway: str | None) -> pl.DataFrame:
    """Rows for one pathway, or all pathways pooled under the code ``all``."""
    if pathway and pathway != "all":
        return rows.filter(pl.col("pathway") == pathway)
    return rows.with_columns(pl.lit("all").alias("pathway"))


def in_area(rows: pl.DataFrame, level: Level, code: str | None) -> pl.DataFrame:
    """Rows of one area at ``level`` (all of them for ``wales``)."""
    if level == "wales":
        return rows
    return with_area(rows).filter(pl.col(_area_col(level)) == code)


def compare(area_rows: pl.DataFrame, wales_rows: pl.DataFrame, pathways: tuple[str, ...] = PATHWAYS) -> pl.DataFrame:
    """Gap measures per pathway for an area and for the comparator, stacked with a ``series`` column."""
    return pl.concat(
        [
            overall(area_rows, pathways).with_columns(pl.lit("area").alias("series")),
            overall(wales_rows, pathways).with_columns(pl.lit("wales").alias("series")),
        ]
    )


def trend(rows: pl.DataFrame, quarters: list[str]) -> pl.DataFrame:
    """Gap measures per period of episode start (rows pooled over their pathways), every period present.
    ``quarters`` are quarter labels or calendar years; the period column is called ``quarter`` either way."""
    col = "quarter" if quarters and is_quarter(quarters[0]) else "year"
    agg = rows.group_by(col).agg(_aggs()).rename({col: "quarter"} if col != "quarter" else {})
    out = (
        pl.DataFrame({"quarter": quarters})
        .join(agg, on="quarter", how="left")
        .with_columns(pl.col(c).fill_null(0) for c in COUNTS)
    )
    return _rates(out)


def reason_shares(area_rows: pl.DataFrame, wales_rows: pl.DataFrame) -> pl.DataFrame:
    """Unmet needs by gap reason (pathways pooled) for the area and the comparator, with shares."""
    parts = []
    for series, rows in (("area", area_rows), ("wales", wales_rows)):
        r = reasons(rows).group_by("gap_reason").agg(pl.col("unmet").sum())
        total = r["unmet"].sum()
        parts.append(
            r.with_columns(
                pl.lit(series).alias("series"),
                pl.lit(total, dtype=pl.Int64).alias("total"),
                (pl.col("unmet") / total if total else pl.lit(None, dtype=pl.Float64)).alias("share"),
            )
        )
    return pl.concat(parts).sort("series", "gap_reason")


def compare_trend(area_rows: pl.DataFrame, wales_rows: pl.DataFrame, quarters: list[str]) -> pl.DataFrame:
    """:func:`trend` for an area and for the comparator, stacked with a ``series`` column."""
    return pl.concat(
        [
            trend(area_rows, quarters).with_columns(pl.lit("area").alias("series")),
            trend(wales_rows, quarters).with_columns(pl.lit("wales").alias("series")),
        ]
    )


# ---- what the Service gaps page shows, from the tables and plain values (cached by the page on those values) -----


def _rows(
    tables: Tables, f: Filters, with_period: bool = True, pathway: str = "all", columns: tuple[str, ...] | None = None
) -> pl.DataFrame:
    """Needs rows of every area in scope for the filters' cohorts (and period), with their case attributes; only
    ``pathway``'s rows unless ``all``, and only the needs ``columns`` given (the case's are always there)."""
    from dataclasses import replace

    from resettlement.filters import Area, select_cases
    from resettlement.needs import with_case

    rows = tables["needs"] if pathway == "all" else tables["needs"].filter(pl.col("pathway") == pathway)
    if columns is not None:
        rows = rows.select("case_id", *columns)
    return with_case(rows, select_cases(tables["cases"], replace(f, area=Area()), with_period))


def map_of(tables: Tables, f: Filters, level: AreaLevel, pathway: str) -> pl.DataFrame:
    """The figures behind the map and its table (and the ``gaps`` CLI), before protection: every area at ``level``
    for one pathway (or ``all`` pooled), over the filters' period and cohorts in every area in scope."""
    return by_area(combine(_rows(tables, f), pathway), level, pathways=(pathway,))


def area_figures(tables: Tables, f: Filters, level: Level, code: str, pathway: str) -> dict[str, pl.DataFrame]:
    """One area at ``level`` against every area in scope over the filters' period: ``side`` (gap measures per
    pathway, both) and ``reasons`` (unmet needs by recorded reason, for ``pathway`` or all pooled)."""
    rows = _rows(tables, f)
    area_rows = in_area(rows, level, code)
    return {
        "side": compare(area_rows, rows),
        "reasons": reason_shares(combine(area_rows, pathway), combine(rows, pathway)),
    }


def trend_of(
    tables: Tables, f: Filters, level: Level, code: str, pathway: str, periods: tuple[str, ...]
) -> pl.DataFrame:
    """:func:`compare_trend` of one area against every area in scope over every period, whatever the filters'
    period."""
    # every quarter of every area: only the columns the measures read, and only the pathway's rows
    history = _rows(
        tables, f, with_period=False, pathway=pathway, columns=("pathway", "need", "service_offered", "offered_date")
    )
    return compare_trend(combine(in_area(history, level, code), pathway), combine(history, pathway), list(periods))

"""Needs on the seven resettlement pathways: prevalence and the funnel need → offered → engaged.

Definitions (shown on the Definitions page):

- **assessed**: a needs row whose ``need`` is yes or no (``unknown`` is not an assessment; counted apart).
- **identified**: ``need`` = yes. **Need rate** = identified ÷ assessed.
- **offered**: identified and ``service_offered`` = true. **Offer rate** = offered ÷ identified with the offer
  recorded (unrecorded offers are a completeness problem, counted in ``offer_unknown``, not hidden).
- **engaged**: offered and ``engaged`` = true. **Engagement rate** = engaged ÷ offered with engagement recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Literal, get_args

import polars as pl

from resettlement.filters import Area, Filters, select_cases
from resettlement.period import is_quarter, quarter_expr
from resettlement.standard import PATHWAYS
from resettlement.tables import Tables

AGE_BANDS: tuple[tuple[str, int, int], ...] = (("10-14", 10, 14), ("15", 15, 15), ("16", 16, 16), ("17", 17, 17))
FUNNEL_COUNTS = (
    "assessed",
    "unknown",
    "identified",
    "offer_recorded",
    "offer_unknown",
    "offered",
    "engagement_recorded",
    "engaged",
)
FUNNEL_RATES = {
    "need_rate": ("identified", "assessed"),
    "offer_rate": ("offered", "offer_recorded"),
    "engagement_rate": ("engaged", "engagement_recorded"),
}


def age_band_expr(col: str = "age_at_start") -> pl.Expr:
    """Age band label (10-14, 15, 16, 17; null when age is missing or out of range)."""
    expr = pl.lit(None, dtype=pl.String)
    for label, lo, hi in reversed(AGE_BANDS):
        expr = pl.when(pl.col(col).is_between(lo, hi)).then(pl.lit(label)).otherwise(expr)
    return expr


def with_case(needs: pl.DataFrame, cases: pl.DataFrame) -> pl.DataFrame:
    """Needs rows of the given cases, with the case attributes breakdowns use."""
    keep = [
        c
        for c in (
            "case_id",
            "child_id",
            "la_code",
            "service_code",
            "cohort",
            "sex",
            "age_at_start",
            "ethnicity",
            "start_date",
            "release_date",
        )
        if c in cases.columns
    ]
    # the derived columns are worked out once per case (a case has up to seven needs rows), then joined
    side = cases.select(keep).with_columns(
        age_band_expr().alias("age_band"),
        quarter_expr("start_date").alias("quarter"),
        pl.col("start_date").dt.year().cast(pl.String).alias("year"),
    )
    return needs.join(side, on="case_id", how="inner")


def _funnel_aggs() -> list[pl.Expr]:
    yes = pl.col("need") == "yes"
    offered = yes & (pl.col("service_offered").eq(True))
    return [
        pl.col("need").is_in(["yes", "no"]).sum().alias("assessed"),
        (pl.col("need") == "unknown").sum().alias("unknown"),
        yes.sum().alias("identified"),
        (yes & pl.col("service_offered").is_not_null()).sum().alias("offer_recorded"),
        (yes & pl.col("service_offered").is_null()).sum().alias("offer_unknown"),
        offered.sum().alias("offered"),
        (offered & pl.col("engaged").is_not_null()).sum().alias("engagement_recorded"),
        (offered & (pl.col("engaged").eq(True))).sum().alias("engaged"),
    ]


def _with_rates(df: pl.DataFrame) -> pl.DataFrame:
    def rate(num: str, den: str) -> pl.Expr:
        return pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den)).otherwise(None)

    return df.with_columns(
        rate("identified", "assessed").alias("need_rate"),
        rate("offered", "offer_recorded").alias("offer_rate"),
        rate("engaged", "engagement_recorded").alias("engagement_rate"),
    ).with_columns(pl.col(c).cast(pl.Int64) for c in FUNNEL_COUNTS)


def funnel(rows: pl.DataFrame, by: Sequence[str] = ()) -> pl.DataFrame:
    """Funnel counts and rates per pathway (and per ``by`` group), every pathway present."""
    keys = ["pathway", *by]
    agg = rows.group_by(keys).agg(_funnel_aggs()) if rows.height else None
    grid = pl.DataFrame({"pathway": list(PATHWAYS)})
    if by:
        levels = rows.select(by).unique().sort(by)
        grid = grid.join(levels, how="cross")
    out = (
        grid.join(agg, on=keys, how="left")
        if agg is not None
        else grid.with_columns(pl.lit(0).alias(c) for c in FUNNEL_COUNTS)
    )
    out = out.with_columns(pl.col(c).fill_null(0) for c in FUNNEL_COUNTS)
    order = {p: i for i, p in enumerate(PATHWAYS)}
    return _with_rates(out).sort(pl.col("pathway").replace_strict(order), *by)


def trend(rows: pl.DataFrame, quarters: Sequence[str]) -> pl.DataFrame:
    """Funnel per pathway and period of episode start, every period present. ``quarters`` are quarter labels
    (``2024Q2``) or calendar years (``2024``); the result's period column is called ``quarter`` either way."""
    col = "quarter" if quarters and is_quarter(quarters[0]) else "year"
    grid = pl.DataFrame({"pathway": list(PATHWAYS)}).join(pl.DataFrame({"quarter": list(quarters)}), how="cross")
    agg = rows.group_by("pathway", col).agg(_funnel_aggs()).rename({col: "quarter"} if col != "quarter" else {})
    out = grid.join(agg, on=["pathway", "quarter"], how="left").with_columns(
        pl.col(c).fill_null(0) for c in FUNNEL_COUNTS
    )
    return _with_rates(out).sort("pathway", "quarter")


def needs_per_case(rows: pl.DataFrame, cases: pl.DataFrame) -> pl.DataFrame:
    """Distribution of the number of pathways with a need identified per episode (0 to 7), over ``cases``."""
    per = rows.filter(pl.col("need") == "yes").group_by("case_id").agg(pl.len().alias("pathways"))
    counted = cases.select("case_id").join(per, on="case_id", how="left").with_columns(pl.col("pathways").fill_null(0))
    grid = pl.DataFrame({"pathways": list(range(len(PATHWAYS) + 1))}, schema={"pathways": pl.UInt32})
    dist = counted.group_by("pathways").agg(pl.len().alias("episodes")).with_columns(pl.col("pathways").cast(pl.UInt32))
    out = grid.join(dist, on="pathways", how="left").with_columns(pl.col("episodes").fill_null(0).cast(pl.Int64))
    total = out["episodes"].sum()
    return out.with_columns(
        pl.col("pathways").cast(pl.Int64),
        (pl.col("episodes") / total if total else pl.lit(None, dtype=pl.Float64)).alias("share"),
        pl.lit(total, dtype=pl.Int64).alias("total"),
    )


def compare(area_rows: pl.DataFrame, wales_rows: pl.DataFrame) -> pl.DataFrame:
    """Funnel per pathway for an area and for the comparator, stacked with a ``series`` column."""
    return pl.concat(
        [
            funnel(area_rows).with_columns(pl.lit("area").alias("series")),
            funnel(wales_rows).with_columns(pl.lit("wales").alias("series")),
        ]
    )


def funnel_long(f: pl.DataFrame) -> pl.DataFrame:
    """A funnel frame reshaped to one row per pathway × stage (identified, offered, engaged) for charting."""
    return f.unpivot(index="pathway", on=["identified", "offered", "engaged"], variable_name="stage", value_name="n")


#: The characteristics the needs page breaks the funnel down by.
Breakdown = Literal["cohort", "sex", "age_band", "ethnicity"]
BREAKDOWNS: tuple[Breakdown, ...] = get_args(Breakdown)


def compare_trend(
    area_rows: pl.DataFrame, wales_rows: pl.DataFrame, quarters: Sequence[str], pathway: str
) -> pl.DataFrame:
    """Need, offer and engagement rates by quarter for one pathway, for the area and the comparator."""
    parts = [
        trend(rows, quarters).filter(pl.col("pathway") == pathway).with_columns(pl.lit(series).alias("series"))
        for series, rows in (("area", area_rows), ("wales", wales_rows))
    ]
    return pl.concat(parts)


def compare_needs_per_case(
    area_rows: pl.DataFrame, area_cases: pl.DataFrame, wales_rows: pl.DataFrame, wales_cases: pl.DataFrame
) -> pl.DataFrame:
    """:func:`needs_per_case` for the area and the comparator, stacked with a ``series`` column."""
    return pl.concat(
        [
            needs_per_case(area_rows, area_cases).with_columns(pl.lit("area").alias("series")),
            needs_per_case(wales_rows, wales_cases).with_columns(pl.lit("wales").alias("series")),
        ]
    )


# ---- what the Pathway needs page shows, from the tables and plain values (cached by the page on those values) ----


def figures(tables: Tables, f: Filters) -> dict[str, pl.DataFrame]:
    """The selection against Wales (every area in scope) for the filters' period: ``compare`` (funnel of both),
    ``funnel`` (the selection's) and ``per_case`` (pathways with a need per episode, both)."""
    cases, rows = tables["cases"], tables["needs"]
    area_cases, wales_cases = select_cases(cases, f), select_cases(cases, replace(f, area=Area()))
    area_rows, wales_rows = with_case(rows, area_cases), with_case(rows, wales_cases)
    return {
        "compare": compare(area_rows, wales_rows),
        "funnel": funnel(area_rows),
        "per_case": compare_needs_per_case(area_rows, area_cases, wales_rows, wales_cases),
    }


def breakdown(tables: Tables, f: Filters, by: Breakdown) -> pl.DataFrame:
    """The selection's funnel per pathway and ``by`` group (one of :data:`BREAKDOWNS`)."""
    return funnel(with_case(tables["needs"], select_cases(tables["cases"], f)), by=[by])


def trend_of(tables: Tables, f: Filters, periods: Sequence[str], pathway: str) -> pl.DataFrame:
    """:func:`compare_trend` over every period (quarters or years) for one pathway, whatever the filters' period."""
    cases = tables["cases"]
    rows = (
        tables["needs"]
        .filter(pl.col("pathway") == pathway)
        .select(  # one pathway, the columns counted
            "case_id", "pathway", "need", "service_offered", "engaged"
        )
    )
    history_area = with_case(rows, select_cases(cases, f, with_period=False))
    history_wales = with_case(rows, select_cases(cases, replace(f, area=Area()), with_period=False))
    return compare_trend(history_area, history_wales, periods, pathway)

"""Who is in scope: episodes and children by cohort and quarter."""

from __future__ import annotations

import polars as pl

from resettlement.period import label_expr
from resettlement.standard import COHORTS


def starts_by_quarter(cases: pl.DataFrame, quarters: list[str]) -> pl.DataFrame:
    """Episodes starting in each quarter by cohort, every quarter × cohort present (zeros filled).

    Columns: ``quarter``, ``cohort``, ``episodes``, ``children`` (distinct children starting an episode).
    """
    grid = pl.DataFrame({"quarter": quarters}).join(pl.DataFrame({"cohort": list(COHORTS)}), how="cross")
    counts = (  # grouped on the date's year and quarter numbers; the labels are written once per group
        cases.group_by(
            pl.col("start_date").dt.year().alias("__y"), pl.col("start_date").dt.quarter().alias("__q"), "cohort"
        )
        .agg(pl.len().alias("episodes"), pl.col("child_id").n_unique().alias("children"))
        .select(label_expr(pl.col("__y"), pl.col("__q")).alias("quarter"), "cohort", "episodes", "children")
    )
    return (
        grid.join(counts, on=["quarter", "cohort"], how="left")
        .with_columns(pl.col("episodes", "children").fill_null(0).cast(pl.Int64))
        .sort("quarter", pl.col("cohort").replace_strict({c: i for i, c in enumerate(COHORTS)}))
    )

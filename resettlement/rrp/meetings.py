"""RRP meetings: how often each partnership meets, the gaps between meetings, and what the meetings record
(case reviews, actions agreed and completed, escalations)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import polars as pl

from resettlement.period import quarter_bounds, quarter_expr
from resettlement.rrp.partnerships import ratio

ACTIVITY_COUNTS: tuple[str, ...] = ("cases_reviewed", "actions_agreed", "actions_completed", "escalations")
ACTIVITY_RATES = {"completion_rate": ("actions_completed", "actions_agreed")}
SUMMARY_COLUMNS: tuple[str, ...] = (  # the columns of activity_summary, in order
    *("rrp_id", "meetings", "quarters_without", "median_gap_days", "longest_gap_days", "days_since_last"),
    *ACTIVITY_COUNTS,
    "completion_rate",
)


def select_meetings(meetings: pl.DataFrame, rrp_ids: Iterable[str], start: date, end: date) -> pl.DataFrame:
    """Meetings of the given RRPs dated from ``start`` to ``end`` (inclusive)."""
    return meetings.filter(pl.col("rrp_id").is_in(list(rrp_ids)) & pl.col("meeting_date").is_between(start, end))


def _activity_aggs() -> list[pl.Expr]:
    """Meetings and the sums of what they record; actions only from meetings whose counts pass the check."""
    valid = (
        pl.col("actions_agreed").is_not_null()
        & pl.col("actions_completed").is_not_null()
        & (pl.col("actions_completed") <= pl.col("actions_agreed"))
    )
    return [
        pl.len().alias("meetings"),
        pl.col("cases_reviewed").sum().alias("cases_reviewed"),
        pl.col("actions_agreed").filter(valid).sum().alias("actions_agreed"),
        pl.col("actions_completed").filter(valid).sum().alias("actions_completed"),
        pl.col("escalations").sum().alias("escalations"),
    ]


def _activity_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Counts of :func:`_activity_aggs` as whole numbers (none is zero) with the completion rate."""
    cols = ["meetings", *ACTIVITY_COUNTS]
    return df.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in cols).with_columns(
        ratio("actions_completed", "actions_agreed").alias("completion_rate")
    )


def activity_total(meetings: pl.DataFrame) -> pl.DataFrame:
    """One row: meetings, case reviews, actions agreed and completed, completion rate and escalations, pooled over
    the given meetings."""
    return _activity_frame(meetings.select(_activity_aggs()))


def _established(rrps: pl.DataFrame, meetings: pl.DataFrame) -> pl.DataFrame:
    """``rrp_id`` and the day it started: its established date, else its first meeting."""
    first = meetings.group_by("rrp_id").agg(pl.col("meeting_date").min().alias("first_meeting"))
    return (
        rrps.select("rrp_id", "established_date")
        .join(first, on="rrp_id", how="left")
        .select("rrp_id", pl.coalesce("established_date", "first_meeting").alias("since"))
    )


def meetings_per_quarter(meetings: pl.DataFrame, rrps: pl.DataFrame, quarters: Sequence[str]) -> pl.DataFrame:
    """Meetings and case reviews of each RRP in ``rrps`` per quarter; every RRP × quarter present, zeros filled,
    null where the quarter ends before the RRP was established. Columns: ``rrp_id``, ``quarter``, ``meetings``,
    ``cases_reviewed``, ``applicable``."""
    ends = pl.DataFrame(
        {"quarter": list(quarters), "q_end": [quarter_bounds(q)[1] for q in quarters]},
        schema={"quarter": pl.String, "q_end": pl.Date},
    )
    grid = (
        _established(rrps, meetings)
        .join(ends, how="cross")
        .with_columns((pl.col("since").is_null() | (pl.col("since") <= pl.col("q_end"))).alias("applicable"))
    )
    got = (
        meetings.filter(pl.col("rrp_id").is_in(rrps["rrp_id"].to_list()))
        .with_columns(quarter_expr("meeting_date").alias("quarter"))
        .group_by("rrp_id", "quarter")
        .agg(pl.len().alias("meetings"), pl.col("cases_reviewed").sum().alias("cases_reviewed"))
    )
    out = grid.join(got, on=["rrp_id", "quarter"], how="left")
    return out.select(
        "rrp_id",
        "quarter",
        *(
            pl.when(pl.col("applicable")).then(pl.col(c).fill_null(0)).otherwise(None).cast(pl.Int64).alias(c)
            for c in ("meetings", "cases_reviewed")
        ),
        "applicable",
    ).sort("rrp_id", "quarter")


def activity_by_quarter(meetings: pl.DataFrame, quarters: Sequence[str]) -> pl.DataFrame:
    """Meetings, case reviews, actions, escalations and the completion rate per quarter, pooled over the given
    meetings (already restricted to the chosen RRPs); every quarter present."""
    grid = pl.DataFrame({"quarter": list(quarters)}, schema={"quarter": pl.String})
    got = meetings.with_columns(quarter_expr("meeting_date").alias("quarter")).group_by("quarter").agg(_activity_aggs())
    return _activity_frame(grid.join(got, on="quarter", how="left")).sort("quarter")


def _gaps(meetings: pl.DataFrame, start: date, end: date) -> pl.DataFrame:
    """One row per gap whose later meeting is dated in the period: ``rrp_id``, ``gap_days``."""
    return (
        meetings.sort("rrp_id", "meeting_date")
        .with_columns(pl.col("meeting_date").shift(1).over("rrp_id").alias("previous"))
        .filter(pl.col("previous").is_not_null() & pl.col("meeting_date").is_between(start, end))
        .select("rrp_id", (pl.col("meeting_date") - pl.col("previous")).dt.total_days().alias("gap_days"))
    )


def activity_summary(meetings: pl.DataFrame, rrps: pl.DataFrame, quarters: Sequence[str], as_of: date) -> pl.DataFrame:
    """One row per RRP in ``rrps`` over the period ``quarters``: meetings, quarters with no meeting, median and
    longest gap, days since the last meeting, case reviews, actions agreed and completed, completion rate and
    escalations. ``meetings`` may reach before the period (gaps look back to the previous meeting)."""
    start, end = quarter_bounds(quarters[0])[0], quarter_bounds(quarters[-1])[1]
    ids = rrps["rrp_id"].to_list()
    mine = meetings.filter(pl.col("rrp_id").is_in(ids))
    in_period = mine.filter(pl.col("meeting_date").is_between(start, end))
    counts = in_period.group_by("rrp_id").agg(_activity_aggs())
    per_q = meetings_per_quarter(mine, rrps, [q for q in quarters if quarter_bounds(q)[0] <= as_of])
    empty = per_q.group_by("rrp_id").agg((pl.col("meetings") == 0).sum().cast(pl.Int64).alias("quarters_without"))
    gaps = (
        _gaps(mine, start, end)
        .group_by("rrp_id")
        .agg(pl.col("gap_days").median().alias("median_gap_days"), pl.col("gap_days").max().alias("longest_gap_days"))
    )
    day = min(end, as_of)
    last = (
        mine.filter(pl.col("meeting_date") <= day)
        .group_by("rrp_id")
        .agg((pl.lit(day) - pl.col("meeting_date").max()).dt.total_days().alias("days_since_last"))
    )
    out = pl.DataFrame({"rrp_id": ids}, schema={"rrp_id": pl.String})
    for part in (counts, empty, gaps, last):
        out = out.join(part, on="rrp_id", how="left")
    return _activity_frame(out).with_columns(pl.col("quarters_without").fill_null(0)).select(SUMMARY_COLUMNS)


def gaps_long(summary: pl.DataFrame) -> pl.DataFrame:
    """Median and longest gap per RRP as rows (``rrp_id``, ``measure``, ``days``) for a grouped bar chart."""
    return summary.unpivot(
        index="rrp_id", on=["median_gap_days", "longest_gap_days"], variable_name="measure", value_name="days"
    )

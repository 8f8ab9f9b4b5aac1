"""Partner attendance at RRP meetings: invitations attended per agency and RRP, weak attendance in words, and
the attendance trend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from resettlement import disclosure
from resettlement.i18n import t
from resettlement.period import quarter_expr
from resettlement.rrp.partnerships import ALL, ratio
from resettlement.standard import AGENCY_TYPES

WEAK_ATTENDANCE = 0.60  # assumption: attendance under 60% of invitations is flagged as weak
ATTENDANCE_RATES = {"attendance_rate": "recorded"}


def invitations(attendance: pl.DataFrame, meetings: pl.DataFrame) -> pl.DataFrame:
    """Invited agencies at the given meetings, with the meeting's RRP, date and quarter."""
    return (
        attendance.filter(pl.col("invited").eq(True))
        .join(meetings.select("meeting_id", "rrp_id", "meeting_date"), on="meeting_id", how="inner")
        .with_columns(quarter_expr("meeting_date").alias("quarter"))
    )


def _attendance_aggs() -> list[pl.Expr]:
    """Invitations, invitations with attendance recorded, and invitations attended."""
    return [
        pl.len().alias("invited"),
        pl.col("attended").is_not_null().sum().alias("recorded"),
        (pl.col("attended").eq(True)).sum().alias("attended"),
    ]


def _attendance_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Counts of :func:`_attendance_aggs` as whole numbers (none is zero) with the attendance rate."""
    return df.with_columns(
        pl.col(c).fill_null(0).cast(pl.Int64) for c in ("invited", "recorded", "attended")
    ).with_columns(ratio("attended", "recorded").alias("attendance_rate"))


def attendance_by(rows: pl.DataFrame, by: Sequence[str] = ()) -> pl.DataFrame:
    """Invitations, attendance recorded, attended and the attendance rate per ``by`` group (one row if none)."""
    if not by:
        return _attendance_frame(rows.select(_attendance_aggs()))
    return _attendance_frame(rows.group_by(list(by)).agg(_attendance_aggs()))


def attendance_matrix(rows: pl.DataFrame, rrp_ids: Sequence[str], comparator_rows: pl.DataFrame) -> pl.DataFrame:
    """Attendance per agency type × RRP, long: one column per RRP in ``rrp_ids`` and an ``all`` column pooling
    ``comparator_rows`` (the RRPs compared with); one row per agency type and an ``all`` row pooling agencies.
    Every cell present (zeros filled)."""
    cols = pl.DataFrame({"rrp_id": [*rrp_ids, ALL]}, schema={"rrp_id": pl.String})
    grid = pl.DataFrame({"agency_type": [*AGENCY_TYPES, ALL]}).join(cols, how="cross")
    pooled = comparator_rows.with_columns(pl.lit(ALL).alias("rrp_id"))
    both = pl.concat([rows.filter(pl.col("rrp_id").is_in(list(rrp_ids))), pooled], how="vertical_relaxed")
    cells = pl.concat(
        [
            attendance_by(both, ["agency_type", "rrp_id"]),
            attendance_by(both.with_columns(pl.lit(ALL).alias("agency_type")), ["agency_type", "rrp_id"]),
        ]
    ).select("agency_type", "rrp_id", "invited", "recorded", "attended")
    order = {a: i for i, a in enumerate([*AGENCY_TYPES, ALL])}
    col_order = {r: i for i, r in enumerate([*rrp_ids, ALL])}
    return _attendance_frame(grid.join(cells, on=["agency_type", "rrp_id"], how="left")).sort(
        pl.col("agency_type").replace_strict(order), pl.col("rrp_id").replace_strict(col_order)
    )


def flag_weak(protected: pl.DataFrame, threshold: float = WEAK_ATTENDANCE) -> pl.DataFrame:
    """Add ``weak``: the attendance rate is shown (not suppressed) and under ``threshold``. A hidden rate is
    never flagged, so the flag cannot reveal it."""
    return protected.with_columns((pl.col("attendance_rate") < threshold).fill_null(False).alias("weak"))


def weak_cells(flagged: pl.DataFrame, pooled: bool = False) -> pl.DataFrame:
    """The weak cells of a flagged matrix, weakest first: agency × RRP, or with ``pooled`` the agencies of the
    pooled ``all`` column (the RRPs compared with). The all-agencies row is left out."""
    column = pl.col("rrp_id") == ALL
    return flagged.filter(pl.col("weak") & (pl.col("agency_type") != ALL) & (column if pooled else ~column)).sort(
        "attendance_rate", "agency_type", "rrp_id"
    )


def weak_text(
    flagged: pl.DataFrame,
    lang: str,
    agencies: Mapping[str, str],
    columns: Mapping[str, str],
    area: str,
    comparator: str,
    limit: int = 10,
) -> tuple[str, str | None]:
    """Weak attendance in words, so it is never shown by colour alone: the weak agency × RRP cells of ``area``
    (weakest first, at most ``limit`` named; or a line saying there are none) and the weak agencies pooled over
    ``comparator`` (``None`` if none)."""
    pct = f"{WEAK_ATTENDANCE:.0%}"
    cells, pooled = weak_cells(flagged), weak_cells(flagged, pooled=True)
    items = [
        t("rrp.att.weak_item", lang, agency=agencies[a], rrp=columns[r], rate=f"{v:.0%}")
        for a, r, v in cells.select("agency_type", "rrp_id", "attendance_rate").head(limit).iter_rows()
    ]
    more = t("rrp.att.more", lang, k=cells.height - limit) if cells.height > limit else ""
    first = (
        t("rrp.att.weak_cells", lang, weak=pct, area=area, items="; ".join(items), more=more)
        if cells.height
        else t("rrp.att.no_weak", lang, weak=pct)
    )
    names = [f"{agencies[a]} ({v:.0%})" for a, v in pooled.select("agency_type", "attendance_rate").iter_rows()]
    second = t("rrp.att.weak_pooled", lang, weak=pct, area=comparator, items="; ".join(names)) if names else None
    return first, second


def matrix_wide(
    protected: pl.DataFrame, value: str, rows: Mapping[str, str], cols: Mapping[str, str], row_title: str
) -> pl.DataFrame:
    """A protected long matrix as a protected wide table: one row per agency (named by ``rows``), one column per
    RRP (named by ``cols``), cells ``value`` with their notes; proportions become percentages."""
    note = value + disclosure.NOTE_SUFFIX
    values = protected.with_columns(pl.col(value) * 100).pivot(on="rrp_id", index="agency_type", values=value)
    notes = protected.pivot(on="rrp_id", index="agency_type", values=note)
    notes = notes.rename({c: c + disclosure.NOTE_SUFFIX for c in notes.columns if c != "agency_type"})
    wide = values.join(notes, on="agency_type").with_columns(pl.col("agency_type").replace_strict(dict(rows)))
    ids = [c for c in protected["rrp_id"].unique(maintain_order=True).to_list() if c in cols]
    return wide.select(
        pl.col("agency_type").alias(row_title),
        *(pl.col(c).alias(cols[c]) for c in ids),
        *(pl.col(c + disclosure.NOTE_SUFFIX).alias(cols[c] + disclosure.NOTE_SUFFIX) for c in ids),
    )


def attendance_trend(groups: Mapping[str, pl.DataFrame], quarters: Sequence[str], agency: str = ALL) -> pl.DataFrame:
    """Attendance rate per quarter for each named group of invitation rows (e.g. ``{"area": ..., "wales":
    ...}``), for one agency type or all; every quarter present. Columns: ``series``, ``quarter`` and counts."""
    grid = pl.DataFrame({"quarter": list(quarters)}, schema={"quarter": pl.String})
    parts = []
    for series, rows in groups.items():
        chosen = rows if agency == ALL else rows.filter(pl.col("agency_type") == agency)
        got = chosen.group_by("quarter").agg(_attendance_aggs())
        parts.append(
            _attendance_frame(grid.join(got, on="quarter", how="left"))
            .with_columns(pl.lit(series).alias("series"))
            .sort("quarter")
        )
    return pl.concat(parts).select("series", "quarter", "invited", "recorded", "attended", "attendance_rate")

"""RRP activity: meetings, partner attendance and how soon the partnerships review children in custody.

Definitions (shown on the Definitions page as ``rrp.definitions``):

- **Which RRPs**: an area selects the RRPs that cover any of its authorities; a drill-down chooses one of them.
  Meeting and attendance figures describe the whole RRP, even when the area holds only some of its authorities.
- **Meeting measures** count meetings *dated* in the period (calendar quarters).
- **Meetings per quarter**: meetings dated in the quarter. Quarters that end before the RRP was established do not
  apply (null, not zero). **Quarters with no meeting**: quarters of the period, up to the data date and from the
  one the RRP was established in, with no meeting.
- **Gap between meetings**: days from one meeting of an RRP to its next. A gap counts in the period when its later
  meeting does (its earlier meeting may fall before the period). **Median gap** and **longest gap** per RRP.
  **Days since the last meeting**: from the RRP's latest meeting on or before the end of the period (or the data
  date, if earlier) to that day; it shows an RRP that has stopped meeting, which has no gaps to measure.
- **Case reviews**, **actions agreed**, **actions completed** and **escalations** (to strategic level) are sums of
  what meetings record; a blank is left out, never read as zero. A child reviewed at three meetings is three
  case reviews.
- **Action completion rate** = actions completed ÷ actions agreed, over meetings that record both. A meeting
  recording more actions completed than agreed fails the standard's check and is left out of the rate.
- **Attendance rate** = invitations attended ÷ invitations whose attendance is recorded. Only invited agencies
  count (an agency not invited cannot be absent). **Weak attendance**: a rate under :data:`WEAK_ATTENDANCE` (60%).
  That threshold is an assumption of this dashboard, not a published standard: change it here.
- **Reviewed before release**: custody and remand episodes starting in the period and released (release date
  recorded) that had a pre-release review, or any review at a meeting dated before the release date.
- **Days to first review**: from the start of the episode (entry to custody) to the first meeting at which the
  case was reviewed; a review before the start counts as 0 days. Median over episodes reviewed so far.
- **Referred**: an episode with an RRP recorded (``rrp_id``). Share referred = referred ÷ episodes starting in
  the period, by cohort.

Disclosure: counts of case reviews, actions, escalations and episodes describe children and are suppressed
when small; a rate is hidden when its numerator or the rest of its denominator is (``rates={rate: (num, den)}``).
Meetings and agency invitations are not about children and are shown as they are; an attendance rate is hidden
only when fewer invitations than the threshold have attendance recorded (too few to be reliable), and a median of
days only when fewer episodes than the threshold were reviewed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import polars as pl

from resettlement import disclosure, geography
from resettlement.filters import Area, Filters, quarter_bounds, quarter_expr
from resettlement.i18n import t
from resettlement.standard import AGENCY_TYPES, SECURE_COHORTS

WEAK_ATTENDANCE = 0.60  # assumption: attendance under 60% of invitations is flagged as weak
ALL = "all"  # the pooled row or column (all agencies; all RRPs compared with)
DAY_BINS: tuple[tuple[int, int | None], ...] = ((0, 14), (15, 28), (29, 56), (57, 91), (92, None))
NOT_REVIEWED = "not_reviewed"
# Words that every RRP's name repeats; dropped from chart labels so the area is readable (full names elsewhere).
GENERIC_NAME_WORDS: tuple[str, ...] = (
    "Reintegration and Resettlement Partnership",
    "Partneriaeth Ailintegreiddio ac Ailsefydlu",
)

ACTIVITY_COUNTS: tuple[str, ...] = ("cases_reviewed", "actions_agreed", "actions_completed", "escalations")
ACTIVITY_RATES = {"completion_rate": ("actions_completed", "actions_agreed")}
ATTENDANCE_RATES = {"attendance_rate": "recorded"}
RELEASE_COUNTS: tuple[str, ...] = ("released", "reviewed_before_release", "not_reviewed_before_release", "not_released")
RELEASE_RATES = {"reviewed_before_rate": ("reviewed_before_release", "released")}
FIRST_REVIEW_COUNTS: tuple[str, ...] = ("episodes", "reviewed", "not_reviewed")
FIRST_REVIEW_RATES = {"median_days": "reviewed"}
REFERRAL_COUNTS: tuple[str, ...] = ("episodes", "referred")
REFERRAL_RATES = {"referred_share": ("referred", "episodes")}
HEADLINE_COUNTS: tuple[str, ...] = (*ACTIVITY_COUNTS, "released", "reviewed_before_release")
HEADLINE_RATES = {**ACTIVITY_RATES, **ATTENDANCE_RATES, **RELEASE_RATES}


def _rate(num: str, den: str) -> pl.Expr:
    return pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den)).otherwise(None)


# ---- which RRPs ---------------------------------------------------------------------------------------------------


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


# ---- meetings -----------------------------------------------------------------------------------------------------


def select_meetings(meetings: pl.DataFrame, rrp_ids: Sequence[str], start: date, end: date) -> pl.DataFrame:
    """Meetings of the given RRPs dated from ``start`` to ``end`` (inclusive)."""
    return meetings.filter(pl.col("rrp_id").is_in(list(rrp_ids)) & pl.col("meeting_date").is_between(start, end))


def _activity_aggs() -> list[pl.Expr]:
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
    cols = ["meetings", *ACTIVITY_COUNTS]
    return df.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in cols).with_columns(
        _rate("actions_completed", "actions_agreed").alias("completion_rate")
    )


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
    return (
        _activity_frame(out)
        .with_columns(pl.col("quarters_without").fill_null(0))
        .select(
            "rrp_id",
            "meetings",
            "quarters_without",
            "median_gap_days",
            "longest_gap_days",
            "days_since_last",
            *ACTIVITY_COUNTS,
            "completion_rate",
        )
    )


def gaps_long(summary: pl.DataFrame) -> pl.DataFrame:
    """Median and longest gap per RRP as rows (``rrp_id``, ``measure``, ``days``) for a grouped bar chart."""
    return summary.unpivot(
        index="rrp_id", on=["median_gap_days", "longest_gap_days"], variable_name="measure", value_name="days"
    )


# ---- attendance ---------------------------------------------------------------------------------------------------


def invitations(attendance: pl.DataFrame, meetings: pl.DataFrame) -> pl.DataFrame:
    """Invited agencies at the given meetings, with the meeting's RRP, date and quarter."""
    return (
        attendance.filter(pl.col("invited").eq(True))
        .join(meetings.select("meeting_id", "rrp_id", "meeting_date"), on="meeting_id", how="inner")
        .with_columns(quarter_expr("meeting_date").alias("quarter"))
    )


def _attendance_aggs() -> list[pl.Expr]:
    return [
        pl.len().alias("invited"),
        pl.col("attended").is_not_null().sum().alias("recorded"),
        (pl.col("attended").eq(True)).sum().alias("attended"),
    ]


def _attendance_frame(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(
        pl.col(c).fill_null(0).cast(pl.Int64) for c in ("invited", "recorded", "attended")
    ).with_columns(_rate("attended", "recorded").alias("attendance_rate"))


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


# ---- timeliness of the partnership's work -------------------------------------------------------------------------


def case_reviews(cases: pl.DataFrame, reviews: pl.DataFrame, meetings: pl.DataFrame) -> pl.DataFrame:
    """One row per case: ``cohort``, ``start_date``, ``release_date``, ``rrp_id``, ``first_review`` (date of the
    first meeting reviewing it), ``days_to_first_review`` (0 if before the start) and ``reviewed_before_release``
    (a pre-release review, or a review at a meeting dated before release; null when not released)."""
    dated = reviews.join(meetings.select("meeting_id", "meeting_date"), on="meeting_id", how="left").join(
        cases.select("case_id", "release_date"), on="case_id", how="inner"
    )
    per = dated.group_by("case_id").agg(
        pl.col("meeting_date").min().alias("first_review"),
        ((pl.col("review_type") == "pre_release") | (pl.col("meeting_date") < pl.col("release_date")))
        .fill_null(False)
        .any()
        .alias("before"),
    )
    out = cases.select("case_id", "cohort", "start_date", "release_date", "rrp_id").join(per, on="case_id", how="left")
    days = (pl.col("first_review") - pl.col("start_date")).dt.total_days()
    return out.with_columns(
        pl.when(days < 0).then(0).otherwise(days).alias("days_to_first_review"),
        pl.when(pl.col("release_date").is_null())
        .then(None)
        .otherwise(pl.col("before").fill_null(False))
        .alias("reviewed_before_release"),
    ).drop("before")


def _by_cohort(df: pl.DataFrame, cohorts: Sequence[str], aggs: list[pl.Expr]) -> pl.DataFrame:
    """``aggs`` per cohort in ``cohorts`` and for them all (``cohort`` = ``all``), every cohort present."""
    df = df.filter(pl.col("cohort").is_in(list(cohorts)))
    grid = pl.DataFrame({"cohort": list(cohorts)}, schema={"cohort": pl.String})
    per = grid.join(df.group_by("cohort").agg(aggs), on="cohort", how="left")
    total = df.select(aggs).with_columns(pl.lit(ALL).alias("cohort"))
    return pl.concat([per, total.select(per.columns)], how="vertical_relaxed")


def release_reviews(per_case: pl.DataFrame, cohorts: Sequence[str] = SECURE_COHORTS) -> pl.DataFrame:
    """Released secure episodes reviewed before release, per cohort and for all: ``released``,
    ``reviewed_before_release``, ``not_reviewed_before_release``, ``not_released`` (no release date: still in
    custody, or not recorded) and ``reviewed_before_rate``."""
    secure = [c for c in cohorts if c in SECURE_COHORTS]
    released = pl.col("release_date").is_not_null()
    out = _by_cohort(
        per_case,
        secure,
        [
            released.sum().alias("released"),
            (pl.col("reviewed_before_release").eq(True)).sum().alias("reviewed_before_release"),
            (pl.col("reviewed_before_release").eq(False)).sum().alias("not_reviewed_before_release"),
            (~released).sum().alias("not_released"),
        ],
    )
    return out.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in RELEASE_COUNTS).with_columns(
        _rate("reviewed_before_release", "released").alias("reviewed_before_rate")
    )


def first_review(per_case: pl.DataFrame, cohorts: Sequence[str] = SECURE_COHORTS) -> pl.DataFrame:
    """Days from custody start to the first RRP review, per secure cohort and for all: ``episodes``,
    ``reviewed``, ``not_reviewed`` and ``median_days`` (over those reviewed)."""
    secure = [c for c in cohorts if c in SECURE_COHORTS]
    reviewed = pl.col("days_to_first_review").is_not_null()
    out = _by_cohort(
        per_case,
        secure,
        [
            pl.len().alias("episodes"),
            reviewed.sum().alias("reviewed"),
            (~reviewed).sum().alias("not_reviewed"),
            pl.col("days_to_first_review").median().alias("median_days"),
        ],
    )
    return out.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in FIRST_REVIEW_COUNTS)


def bin_code(lo: int, hi: int | None) -> str:
    """The code of a day bin: ``0_14`` or ``92_plus``."""
    return f"{lo}_plus" if hi is None else f"{lo}_{hi}"


BIN_CODES: tuple[str, ...] = (*(bin_code(lo, hi) for lo, hi in DAY_BINS), NOT_REVIEWED)


def bin_labels(lang: str) -> dict[str, str]:
    """Labels of the day bins (and of ``not_reviewed``) in ``lang``."""
    out = {
        bin_code(lo, hi): t("rrp.bin.over", lang, lo=lo) if hi is None else t("rrp.bin.range", lang, lo=lo, hi=hi)
        for lo, hi in DAY_BINS
    }
    return out | {NOT_REVIEWED: t("rrp.bin.not_reviewed", lang)}


def first_review_bins(per_case: pl.DataFrame, cohorts: Sequence[str] = SECURE_COHORTS) -> pl.DataFrame:
    """Secure episodes by days to the first review (:data:`DAY_BINS`, then ``not_reviewed``), per cohort; every
    bin × cohort present. Columns: ``bin``, ``cohort``, ``episodes``."""
    secure = [c for c in cohorts if c in SECURE_COHORTS]
    days = pl.col("days_to_first_review")
    expr = pl.lit(NOT_REVIEWED)
    for lo, hi in reversed(DAY_BINS):
        cond = days >= lo if hi is None else days.is_between(lo, hi)
        expr = pl.when(cond).then(pl.lit(bin_code(lo, hi))).otherwise(expr)
    got = (
        per_case.filter(pl.col("cohort").is_in(secure))
        .with_columns(expr.alias("bin"))
        .group_by("bin", "cohort")
        .agg(pl.len().alias("episodes"))
    )
    grid = pl.DataFrame({"bin": list(BIN_CODES)}).join(
        pl.DataFrame({"cohort": secure}, schema={"cohort": pl.String}), how="cross"
    )
    order = {b: i for i, b in enumerate(BIN_CODES)}
    return (
        grid.join(got, on=["bin", "cohort"], how="left")
        .with_columns(pl.col("episodes").fill_null(0).cast(pl.Int64))
        .sort(pl.col("bin").replace_strict(order), "cohort")
    )


def referral_shares(cases: pl.DataFrame, cohorts: Sequence[str]) -> pl.DataFrame:
    """Episodes starting in the period referred to an RRP at all, per cohort and for all: ``episodes``,
    ``referred``, ``referred_share``."""
    out = _by_cohort(
        cases, cohorts, [pl.len().alias("episodes"), pl.col("rrp_id").is_not_null().sum().alias("referred")]
    )
    return out.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in REFERRAL_COUNTS).with_columns(
        _rate("referred", "episodes").alias("referred_share")
    )


def stacked(parts: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """Frames for each series (``{"area": ..., "wales": ...}``) stacked with a ``series`` column first."""
    return pl.concat([df.select(pl.lit(k).alias("series"), pl.all()) for k, df in parts.items()])


# ---- headline and display -----------------------------------------------------------------------------------------


def headline(meetings: pl.DataFrame, rows: pl.DataFrame, per_case: pl.DataFrame) -> pl.DataFrame:
    """One row: meetings, case reviews, actions, completion rate, escalations (``meetings`` in the period),
    invitations and the attendance rate (``rows``), and secure episodes reviewed before release (``per_case``)."""
    activity = _activity_frame(meetings.select(_activity_aggs()))
    att = attendance_by(rows)
    rel = release_reviews(per_case).filter(pl.col("cohort") == ALL).drop("cohort")
    return pl.concat([activity, att, rel], how="horizontal")


def case_figures(
    tables: Mapping[str, pl.DataFrame], f: Filters, rrp_ids: Sequence[str], secure: Sequence[str], whole: bool = False
) -> dict:
    """The RRP page's figures that rest on cases (the large table), aggregated: the ``headline`` of the RRPs
    ``rrp_ids`` over the filters' period, and per series (``area``: the filters' cases in those RRPs' authorities;
    ``wales``: every area in scope, left out when ``whole``, the RRPs being all of Wales already) ``release``
    reviews, ``first`` reviews and ``referral`` shares (stacked, :func:`stacked`), with the area's ``bins`` of days
    to the first review (``secure``: the secure cohorts chosen; none gives no release, first or bins)."""
    from dataclasses import replace

    from resettlement.filters import select_cases

    chosen = tables["rrps"].filter(pl.col("rrp_id").is_in(list(rrp_ids)))
    cases = {
        "area": select_cases(tables["cases"], f).filter(pl.col("la_code").is_in(la_codes_of(chosen))),
        "wales": select_cases(tables["cases"], replace(f, area=Area())),
    }
    if whole:
        del cases["wales"]
    per_case = {k: case_reviews(c, tables["rrp_reviews"], tables["rrp_meetings"]) for k, c in cases.items()}
    meetings = select_meetings(tables["rrp_meetings"], rrp_ids, f.start, f.end)
    secure = list(secure)
    return {
        "headline": headline(meetings, invitations(tables["rrp_attendance"], meetings), per_case["area"]),
        "release": stacked({k: release_reviews(p, secure) for k, p in per_case.items()}) if secure else None,
        "first": stacked({k: first_review(p, secure) for k, p in per_case.items()}) if secure else None,
        "bins": first_review_bins(per_case["area"], secure) if secure else None,
        "referral": stacked({k: referral_shares(c, f.cohorts) for k, c in cases.items()}),
    }


def _invitations_of(
    tables: Mapping[str, pl.DataFrame], f: Filters, rrp_ids: Sequence[str]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The meetings of ``rrp_ids`` in the filters' period, and the invitations to them and to every RRP's."""
    meetings = select_meetings(tables["rrp_meetings"], rrp_ids, f.start, f.end)
    all_meetings = select_meetings(tables["rrp_meetings"], tables["rrps"]["rrp_id"], f.start, f.end)
    return (
        meetings,
        invitations(tables["rrp_attendance"], meetings),
        invitations(tables["rrp_attendance"], all_meetings),
    )


def activity_figures(
    tables: Mapping[str, pl.DataFrame], f: Filters, rrp_ids: Sequence[str], quarters: Sequence[str], as_of: date
) -> dict[str, pl.DataFrame]:
    """The RRP page's figures from meetings and attendance, before protection: meetings ``per_quarter`` and the
    activity ``summary`` of the RRPs ``rrp_ids``, their ``actions`` by quarter and the ``attendance`` matrix against
    every RRP in scope."""
    chosen = tables["rrps"].filter(pl.col("rrp_id").is_in(list(rrp_ids))).sort("name")
    meetings, rows, all_rows = _invitations_of(tables, f, rrp_ids)
    return {
        "per_quarter": meetings_per_quarter(tables["rrp_meetings"], chosen, quarters),
        "summary": activity_summary(tables["rrp_meetings"], chosen, quarters, as_of),
        "actions": activity_by_quarter(meetings, quarters),
        "attendance": attendance_matrix(rows, rrp_ids, all_rows),
    }


def attendance_trend_of(
    tables: Mapping[str, pl.DataFrame],
    f: Filters,
    rrp_ids: Sequence[str],
    quarters: Sequence[str],
    agency: str,
    whole: bool,
) -> pl.DataFrame:
    """:func:`attendance_trend` of ``agency`` at the meetings of ``rrp_ids`` (``area``) and, unless ``whole`` (the
    RRPs are already all of Wales), at every RRP's (``wales``)."""
    _, rows, all_rows = _invitations_of(tables, f, rrp_ids)
    return attendance_trend({"area": rows} if whole else {"area": rows, "wales": all_rows}, quarters, agency)


def texts(protected: pl.DataFrame, percent: Sequence[str] = ()) -> dict[str, str]:
    """The first row of a protected frame as display text: note codes where hidden, whole numbers with thousands
    separators, ``percent`` columns as whole percentages."""
    row = protected.row(0, named=True)
    out = {}
    for c in protected.columns:
        if c.endswith(disclosure.NOTE_SUFFIX):
            continue
        v, note = row[c], row.get(c + disclosure.NOTE_SUFFIX)
        if note is not None:
            out[c] = note
        elif v is None:
            out[c] = disclosure.NOT_APPLICABLE
        elif c in percent:
            out[c] = f"{v:.0%}"
        else:
            out[c] = f"{v:,.0f}"
    return out


def relabel(df: pl.DataFrame, names: Mapping[str, str], percent: Sequence[str] = ()) -> pl.DataFrame:
    """Keep the columns in ``names`` (with their disclosure notes), renamed; ``percent`` proportions × 100."""
    note = disclosure.NOTE_SUFFIX
    df = df.with_columns(pl.col(c) * 100 for c in percent if c in df.columns)
    keep = [c for c in names if c in df.columns]
    notes = {c + note: names[c] + note for c in keep if c + note in df.columns}
    return df.select(*keep, *notes).rename({**{c: names[c] for c in keep}, **notes})

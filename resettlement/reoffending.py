"""Proven reoffending, one definition for every page, slide and command (the Ministry of Justice framework).

Definitions (``docs/evaluation.md`` and the Definitions page say the same in words):

- **Index event**: the release from custody (release date) or the start of a community disposal (start date).
  Releases from **remand** are not index events of the MoJ measure: they are reported as a measure of their own,
  labelled "after release from remand". A release date after the as-of date, missing, or before the start is no
  index event.
- **Offender cohort of a period**: children, not episodes. A child is in the cohort of a period once, through their
  **first** eligible index event in that period (the cohorts chosen in the filters). The child's area is the area
  of that event, so the areas of Wales add up to Wales.
- **Proven reoffence**: an offence committed after the index date and within 12 months of it, proven by a
  conviction or caution on or before the index date + 18 months (a further 6-month wait). It is computed from
  ``first_reoffence_date`` (the offence date of the child's first proven reoffence after the index date) and
  ``first_reoffence_proven_date``. With no reoffence date, a record **checked** (``reoffending_checked_date``) on or
  after the index date + 18 months counts as *no reoffence*. Only when the dates cannot decide is the hand-filled
  ``reoffended`` flag used: such children are counted in ``from_flag`` and the figure says so (less reliable).
  Limitation: a first offence proven too late while a later offence in the 12 months was proven in time is
  missed (the standard records only the first proven reoffence).
- **Final**: a quarterly cohort is final once the last day of the quarter + 18 months is on or before the as-of
  date. A period's figure counts only the children whose first index event in the period falls in a final
  quarter; the rest are counted in ``open`` and never drawn as a rate (reoffending so far is not reoffending).
- **Binary rate** = reoffenders ÷ children whose outcome is known, with a 95% Wilson interval (right for small
  numbers). **Frequency per reoffender** = mean number of proven reoffences of the reoffenders whose count is
  recorded; **per offender** = binary rate × per reoffender. A reoffender whose count is missing stays in the
  binary rate and is represented by the recorded reoffenders' mean, so a missing count biases neither (dropping
  them from both sides would bias the per-offender frequency low). **Time to first reoffence**: days from the index
  date to the offence date, for reoffenders decided by dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Literal, get_args

import polars as pl

from resettlement import disclosure
from resettlement.filters import Area, Filters, select_cases
from resettlement.period import quarter_bounds, quarter_expr, quarter_start_expr, quarters_between
from resettlement.tables import Tables

Z95 = 1.96
OFFENDING = "12mo"  # Polars offsets: calendar months, month ends clamp (31 Aug + 18mo = 28 Feb)
WINDOW = "18mo"
MOJ_TYPES: tuple[str, ...] = ("custody", "community")  # index events of the MoJ measure
REMAND = "remand"  # reported as its own measure
Measure = Literal["proven", "custody", "community", "remand"]  # proven = custody + community
MEASURES: tuple[Measure, ...] = get_args(Measure)
SOURCES: tuple[str, ...] = ("dates", "checked", "flag", "not_recorded")


# ------------------------------------------------------------------------------------------------ case level


def index_events(cases: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The cases that have an index event on or before ``as_of``, with ``index_type`` (custody, community or
    remand) and ``index_date`` (release date for custody and remand, start date for community)."""
    secure = pl.col("cohort").is_in(["custody", REMAND])
    valid_release = pl.col("release_date").is_not_null() & (pl.col("release_date") >= pl.col("start_date"))
    index = (
        pl.when(secure & valid_release)
        .then(pl.col("release_date"))
        .when(pl.col("cohort") == "community")
        .then(pl.col("start_date"))
    )
    return cases.with_columns(index.alias("index_date"), pl.col("cohort").alias("index_type")).filter(
        pl.col("index_date").is_not_null() & (pl.col("index_date") <= as_of)
    )


def quarter_final_from(quarter: pl.Expr) -> pl.Expr:
    """The first as-of date on which a quarterly cohort is final: the quarter's last day + 18 months."""
    return quarter_start_expr(quarter).dt.offset_by("3mo").dt.offset_by("-1d").dt.offset_by(WINDOW)


def outcome_of(events: pl.DataFrame, outcomes: pl.DataFrame) -> pl.DataFrame:
    """Each index event's proven reoffence from dates, with the fallback flag only where dates cannot decide.

    Adds ``reoffended`` (bool, null when not known), ``source`` (``dates``: a dated reoffence decided it;
    ``checked``: no reoffence and the record was checked after the window closed; ``flag``: the hand-filled flag;
    ``not_recorded``), ``reoffences`` (the count, null when not recorded) and ``days_to_reoffence``.
    """
    cols = [
        "case_id",
        "first_reoffence_date",
        "first_reoffence_proven_date",
        "reoffending_checked_date",
        "reoffended",
        "reoffences",
    ]
    o = outcomes.select([c for c in cols if c in outcomes.columns])
    df = events.drop([c for c in cols[1:] if c in events.columns]).join(o, on="case_id", how="left")
    idx, off, proven = pl.col("index_date"), pl.col("first_reoffence_date"), pl.col("first_reoffence_proven_date")
    window_end = idx.dt.offset_by(WINDOW)
    dated = off.is_not_null() & proven.is_not_null() & (off > idx) & (proven >= off)
    in_window = (off <= idx.dt.offset_by(OFFENDING)) & (proven <= window_end)
    checked_clear = off.is_null() & (pl.col("reoffending_checked_date") >= window_end)
    flag = pl.col("reoffended")
    result = pl.when(dated).then(in_window).when(checked_clear).then(pl.lit(False)).otherwise(flag)
    source = (
        pl.when(dated)
        .then(pl.lit("dates"))
        .when(checked_clear)
        .then(pl.lit("checked"))
        .when(flag.is_not_null())
        .then(pl.lit("flag"))
        .otherwise(pl.lit("not_recorded"))
    )
    return (
        df.with_columns(result.alias("reoffended_now"), source.alias("source"))
        .with_columns(
            pl.when(pl.col("reoffended_now")).then(pl.col("reoffences").cast(pl.Int64)).alias("reoffences"),
            pl.when(pl.col("reoffended_now") & (pl.col("source") == "dates"))
            .then((off - idx).dt.total_days())
            .alias("days_to_reoffence"),
        )
        .drop("reoffended")
        .rename({"reoffended_now": "reoffended"})
    )


def first_events(
    events: pl.DataFrame, start: date, end: date, types: Sequence[str], by: Sequence[str] = ()
) -> pl.DataFrame:
    """One row per child (and per ``by`` group, e.g. quarter): their first index event of ``types`` with an index
    date from ``start`` to ``end``. Ties on a day are broken by case id, so the choice is deterministic."""
    return (
        events.filter(pl.col("index_type").is_in(list(types)) & pl.col("index_date").is_between(start, end))
        .sort("index_date", "case_id")
        .group_by("child_id", *by, maintain_order=True)
        .first()
    )


# --------------------------------------------------------------------------------------------- aggregation


def _aggs() -> list[pl.Expr]:
    known = pl.col("reoffended").is_not_null()
    reo = pl.col("reoffended").fill_null(False)
    counted = pl.col("reoffences").cast(pl.Float64).filter(reo & pl.col("reoffences").is_not_null())
    return [
        pl.len().cast(pl.Int64).alias("children"),
        known.sum().cast(pl.Int64).alias("recorded"),
        reo.sum().cast(pl.Int64).alias("reoffenders"),
        (pl.col("source") == "flag").sum().cast(pl.Int64).alias("from_flag"),
        counted.count().cast(pl.Int64).alias("reoffenders_counted"),
        counted.mean().alias("per_reoffender"),
        counted.std().alias("_sd"),
        pl.col("days_to_reoffence").count().cast(pl.Int64).alias("days_base"),
        pl.col("days_to_reoffence").median().alias("days_median"),
        pl.col("days_to_reoffence").mean().alias("days_mean"),
    ]


def _finish(agg: pl.DataFrame) -> pl.DataFrame:
    """Rates, intervals and frequencies from :func:`_aggs` columns (pure expressions, no loop over rows)."""
    n, k, m, sd, kc = (pl.col(c) for c in ("recorded", "reoffenders", "per_reoffender", "_sd", "reoffenders_counted"))
    kf, nf = k.cast(pl.Float64), n.cast(pl.Float64)
    lo, hi = (pl.when(n > 0).then(disclosure.wilson_expr(kf, nf, side, Z95)) for side in ("low", "high"))
    p = pl.when(n > 0).then(k / n)
    se_m = pl.when(kc >= 2).then(sd / kc.cast(pl.Float64).sqrt())
    # per offender = p × m; delta method: var ≈ m² p(1-p)/n + p² var(m)
    se_f = ((m**2) * p * (1 - p) / n + (p**2) * se_m**2).sqrt()
    return agg.with_columns(
        p.alias("rate"),
        lo.alias("ci_low"),
        hi.alias("ci_high"),
        (n - k).alias("non_reoffenders"),
        (pl.col("children") - n).alias("not_recorded"),
        (p * m).alias("per_offender"),
        pl.when(se_m.is_not_null()).then((p * m - Z95 * se_f).clip(0.0)).alias("per_offender_low"),
        pl.when(se_m.is_not_null()).then(p * m + Z95 * se_f).alias("per_offender_high"),
        pl.when(se_m.is_not_null()).then((m - Z95 * se_m).clip(1.0)).alias("per_reoffender_low"),
        pl.when(se_m.is_not_null()).then(m + Z95 * se_m).alias("per_reoffender_high"),
    ).drop("_sd")


COLUMNS: tuple[str, ...] = (
    "children",
    "recorded",
    "not_recorded",
    "from_flag",
    "reoffenders",
    "non_reoffenders",
    "rate",
    "ci_low",
    "ci_high",
    "reoffenders_counted",
    "per_offender",
    "per_offender_low",
    "per_offender_high",
    "per_reoffender",
    "per_reoffender_low",
    "per_reoffender_high",
    "days_base",
    "days_median",
    "days_mean",
)


def summarise(rows: pl.DataFrame, by: Sequence[str] = ()) -> pl.DataFrame:
    """The measures of :data:`COLUMNS` for children from :func:`outcome_of` (grouped by ``by``)."""
    agg = rows.group_by(*by, maintain_order=True).agg(_aggs()) if by else rows.select(_aggs())
    return _finish(agg).select(*by, *COLUMNS)


# -------------------------------------------------------------------------------------------- selections


def final_end(start: date, end: date, as_of: date) -> date | None:
    """The last day of the last quarter from ``start`` to ``end`` that is final on ``as_of`` (None if none is)."""
    finals = [
        q
        for q in quarters_between(start, end)
        if pl.select(pl.lit(quarter_bounds(q)[1]).dt.offset_by(WINDOW)).item() <= as_of
    ]
    return quarter_bounds(finals[-1])[1] if finals else None


def first_open_quarter(quarters: Sequence[str], as_of: date) -> str | None:
    """The earliest of ``quarters`` whose cohort is still open on ``as_of`` (None when all are final)."""
    grid = pl.DataFrame({"quarter": list(quarters)}, schema={"quarter": pl.String}).filter(
        quarter_final_from(pl.col("quarter")) > as_of
    )
    first = grid["quarter"].min()
    return first if isinstance(first, str) else None


def _events(tables: Tables, f: Filters, as_of: date) -> pl.DataFrame:
    """Index events of every area in scope for the filters' cohorts (areas are chosen after the first event)."""
    return index_events(select_cases(tables["cases"], replace(f, area=Area()), with_period=False), as_of)


def cohort_children(tables: Tables, f: Filters, as_of: date, types: Sequence[str]) -> pl.DataFrame:
    """The children of the selection's offender cohort for the period of ``f`` (first event of ``types``), each
    with ``final`` (their quarter is final on ``as_of``) and their outcome (:func:`outcome_of`)."""
    first = first_events(_events(tables, f, as_of), f.start, f.end, types)
    in_area = select_cases(first, f, with_period=False) if f.area.level != "wales" else first
    last = final_end(f.start, f.end, as_of)
    final = pl.col("index_date") <= last if last else pl.lit(False)
    return outcome_of(in_area.with_columns(final.alias("final")), tables["outcomes"])


def _measure_rows(children: pl.DataFrame, measure: str) -> pl.DataFrame:
    done = children.filter(pl.col("final"))
    if measure in ("custody", "community"):
        done = done.filter(pl.col("index_type") == measure)
    out = summarise(done).with_columns(
        pl.lit(measure).alias("measure"), pl.lit(children.height - children["final"].sum()).cast(pl.Int64).alias("open")
    )
    return out


def for_period(tables: Tables, f: Filters, as_of: date) -> pl.DataFrame:
    """The one reoffending figure of a selection and period: one row per measure of :data:`MEASURES` (``proven``
    = the MoJ measure, custody and community its parts by the child's index event, ``remand`` on its own), with
    :data:`COLUMNS`, ``open`` (children whose first event is in a quarter not final yet), ``family`` (``moj`` for
    the measure and its parts, ``remand``: what adds up) and ``final_to`` (the last day counted; null when no
    quarter of the period is final)."""
    types = [c for c in MOJ_TYPES if c in f.cohorts]
    moj = cohort_children(tables, f, as_of, types)
    remand = cohort_children(tables, f, as_of, [REMAND] if REMAND in f.cohorts else [])
    rows = [_measure_rows(moj, m) for m in ("proven", "custody", "community")] + [
        _measure_rows(remand, "proven").with_columns(measure=pl.lit(REMAND))
    ]
    out = pl.concat(rows, how="vertical_relaxed")
    custody_open = moj.filter(~pl.col("final") & (pl.col("index_type") == "custody")).height
    community_open = moj.filter(~pl.col("final") & (pl.col("index_type") == "community")).height
    out = out.with_columns(
        pl.when(pl.col("measure") == "custody")
        .then(custody_open)
        .when(pl.col("measure") == "community")
        .then(community_open)
        .otherwise(pl.col("open"))
        .cast(pl.Int64)
        .alias("open"),
        pl.when(pl.col("measure") == REMAND).then(pl.lit(REMAND)).otherwise(pl.lit("moj")).alias("family"),
        pl.lit(final_end(f.start, f.end, as_of), dtype=pl.Date).alias("final_to"),
    )
    return out.select("measure", "family", *COLUMNS, "open", "final_to")


def parts(tables: Tables, f: Filters, as_of: date) -> dict[str, int]:
    """``reoffenders``, ``recorded`` and ``not_recorded`` children of the MoJ measure for the selection and period:
    :func:`for_period`'s ``proven`` row, without the rest of the table."""
    kids = cohort_children(tables, f, as_of, [c for c in MOJ_TYPES if c in f.cohorts]).filter(pl.col("final"))
    known = kids["reoffended"].drop_nulls()
    return {"reoffenders": int(known.sum()), "recorded": known.len(), "not_recorded": kids.height - known.len()}


def headline(tables: Tables, f: Filters, as_of: date) -> tuple[int, int]:
    """(reoffenders, children recorded) of the MoJ measure for the selection and period: the pair every page,
    slide and command shows as *the* proven reoffending rate (:func:`for_period`'s ``proven`` row)."""
    p = parts(tables, f, as_of)
    return p["reoffenders"], p["recorded"]


def by_area(tables: Tables, f: Filters, as_of: date, column: str) -> pl.DataFrame:
    """The MoJ measure's reoffenders, recorded and final children per value of ``column`` (an area column of the
    children's index events, e.g. ``la_code``), over every area in scope: the areas add up to Wales."""
    everywhere = replace(f, area=Area())
    children = cohort_children(tables, everywhere, as_of, [c for c in MOJ_TYPES if c in f.cohorts])
    return (
        children.filter(pl.col("final"))
        .group_by(column)
        .agg(
            pl.col("reoffended").sum().cast(pl.Int64).alias("reoffenders"),
            pl.col("reoffended").count().cast(pl.Int64).alias("recorded"),
            pl.len().cast(pl.Int64).alias("children"),
        )
    )


def by_quarter(
    tables: Tables, f: Filters, as_of: date, quarters: Sequence[str], measure: Measure = "proven"
) -> pl.DataFrame:
    """Quarterly offender cohorts (children by first index event in each quarter), every quarter present.

    ``status`` is ``final`` or ``open`` (``final_from`` = the first as-of date on which it is final). Open cohorts
    keep their size (``children``) but every other figure is null, so they are never drawn as low rates.
    """
    types = [c for c in (MOJ_TYPES if measure == "proven" else (measure,)) if c in f.cohorts]
    qs = list(quarters)
    if not qs:
        return pl.DataFrame(
            schema={
                "quarter": pl.String,
                "status": pl.String,
                "final_from": pl.Date,
                **dict.fromkeys(COLUMNS, pl.Float64),
            }
        )
    ev = _events(tables, f, as_of).with_columns(quarter_expr("index_date").alias("quarter"))
    first = first_events(ev, quarter_bounds(qs[0])[0], quarter_bounds(qs[-1])[1], types, by=("quarter",))
    in_area = select_cases(first, f, with_period=False) if f.area.level != "wales" else first
    stats = summarise(outcome_of(in_area, tables["outcomes"]), by=("quarter",))
    grid = pl.DataFrame({"quarter": qs}).with_columns(quarter_final_from(pl.col("quarter")).alias("final_from"))
    out = grid.join(stats, on="quarter", how="left").with_columns(
        pl.col("children", "recorded", "not_recorded", "reoffenders", "non_reoffenders").fill_null(0),
        pl.when(pl.col("final_from") <= as_of).then(pl.lit("final")).otherwise(pl.lit("open")).alias("status"),
    )
    hidden = [c for c in COLUMNS if c != "children"]
    return out.with_columns(pl.when(pl.col("status") == "final").then(pl.col(c)).alias(c) for c in hidden).select(
        "quarter", "status", "final_from", *COLUMNS
    )


# ------------------------------------------------------------------------------------------- disclosure

# Declared as data (the registry of published tables picks them up). Counts of children; rates on (numerator,
# denominator); frequencies on the reoffenders they average over; times on the reoffenders timed.
_ADDING = (  # the counts that add up across rows and groups (secondary suppression, below)
    *("children", "recorded", "not_recorded", "from_flag", "reoffenders", "non_reoffenders"),
    *("reoffenders_counted", "days_base"),
)
COUNTS: tuple[str, ...] = (*_ADDING, "open")
RATES: dict[str, str | tuple[str, str]] = {
    **{c: ("reoffenders", "recorded") for c in ("rate", "ci_low", "ci_high")},
    **{c: ("reoffenders", "recorded") for c in ("per_offender", "per_offender_low", "per_offender_high")},
    **{c: "reoffenders_counted" for c in ("per_reoffender", "per_reoffender_low", "per_reoffender_high")},
    **{c: "days_base" for c in ("days_median", "days_mean")},
}
# Secondary suppression (publication view and reports): a row's children split into recorded and not; recorded
# into reoffenders and not; the MoJ measure's counts are the custody and community rows' (remand adds to nothing);
# in the quarterly table, the selected area's children are part of Wales's (when both are shown).
_ROWS: tuple[disclosure.RowSum, ...] = (
    disclosure.RowSum("children", ("recorded", "not_recorded")),
    disclosure.RowSum("recorded", ("reoffenders", "non_reoffenders")),
)
RELATIONS: tuple[disclosure.RowSum | disclosure.ColumnSum, ...] = (
    *_ROWS,
    disclosure.ColumnSum(COUNTS, by=("family",), key="measure", total="proven"),
)
COHORT_RELATIONS: tuple[disclosure.RowSum | disclosure.ColumnSum, ...] = (
    *_ROWS,
    disclosure.ColumnSum(_ADDING, by=("quarter",), key="group", total="wales", remainder=True),
)


def protect(
    df: pl.DataFrame,
    threshold: int,
    publication: bool = True,
    cohorts: bool = False,
    rounding: disclosure.Protection | None = None,
) -> pl.DataFrame:
    """:func:`disclosure.protect` with this module's declared counts, rates and relations (``publication``: with
    secondary suppression), or with ``rounding`` the publication view's :func:`disclosure.rounded`. The figures of
    an open cohort are not applicable (note ``z``), never zero: secondary suppression then knows they are not
    published."""
    counts = [c for c in COUNTS if c in df.columns]
    if rounding is not None:
        return _open(disclosure.rounded(df, counts, RATES, rounding, SHARES, INTERVALS))
    out = _open(disclosure.protect(df, counts=counts, rates=RATES, threshold=threshold))
    relations = (COHORT_RELATIONS if cohorts else RELATIONS) if publication else ()
    return disclosure.secondary(out, relations, threshold, rates=RATES) if relations else out


SHARES: tuple[str, ...] = ("rate",)  # worked out from rounded counts in the publication view
INTERVALS: dict[str, str] = {"ci_low": "low", "ci_high": "high"}  # Wilson, likewise


def _open(out: pl.DataFrame) -> pl.DataFrame:
    """An open cohort's figures (but its children) are not applicable, ``z``."""
    if "status" not in out.columns:
        return out
    note = disclosure.NOTE_SUFFIX
    open_ = pl.col("status") == "open"
    return out.with_columns(
        pl.when(open_ & pl.col(c).is_null() & pl.col(c + note).is_null())
        .then(pl.lit(disclosure.NOT_APPLICABLE))
        .otherwise(pl.col(c + note))
        .alias(c + note)
        for c in disclosure.protected_columns(out)
        if c != "children"
    )


def report(tables: Tables, f: Filters, as_of: date, protection: disclosure.Protection) -> dict:
    """What ``python -m resettlement reoffending --json`` prints: the period's measures and the quarterly cohorts of
    the MoJ measure, the registered tables the Outcomes page shows (the selection's rows), protected for
    ``protection``."""
    from resettlement import published

    inputs, quarters = published.Inputs(tables), tuple(quarters_between(f.start, f.end))
    period = published.required_frame(inputs, "outcomes.reoffending", protection, f, as_of, quarters)
    cohorts = published.required_frame(inputs, "outcomes.cohorts", protection, f, as_of, quarters)
    cohorts = cohorts.filter(pl.col("group") == "area").drop("group")
    return {"measures": disclosure.to_records(period), "cohorts": disclosure.to_records(cohorts)}

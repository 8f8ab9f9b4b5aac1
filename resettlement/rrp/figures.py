"""The RRP page's figures, assembled from the tables for a selection (before protection), and its headline as
display text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

import polars as pl

from resettlement import disclosure, present
from resettlement.filters import Area, Filters, select_cases
from resettlement.rrp.attendance import (
    ATTENDANCE_RATES,
    attendance_by,
    attendance_matrix,
    attendance_trend,
    invitations,
)
from resettlement.rrp.meetings import (
    ACTIVITY_COUNTS,
    ACTIVITY_RATES,
    activity_by_quarter,
    activity_summary,
    activity_total,
    meetings_per_quarter,
    select_meetings,
)
from resettlement.rrp.partnerships import ALL, la_codes_of
from resettlement.rrp.reviews import (
    RELEASE_RATES,
    case_reviews,
    first_review,
    first_review_bins,
    referral_shares,
    release_reviews,
)
from resettlement.tables import Tables

HEADLINE_COUNTS: tuple[str, ...] = (*ACTIVITY_COUNTS, "released", "reviewed_before_release")
HEADLINE_RATES: dict[str, str | tuple[str, str]] = {**ACTIVITY_RATES, **ATTENDANCE_RATES, **RELEASE_RATES}


def stacked(parts: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """Frames for each series (``{"area": ..., "wales": ...}``) stacked with a ``series`` column first."""
    return pl.concat([df.select(pl.lit(k).alias("series"), pl.all()) for k, df in parts.items()])


def headline(meetings: pl.DataFrame, rows: pl.DataFrame, per_case: pl.DataFrame) -> pl.DataFrame:
    """One row: meetings, case reviews, actions, completion rate, escalations (``meetings`` in the period),
    invitations and the attendance rate (``rows``), and secure episodes reviewed before release (``per_case``)."""
    activity = activity_total(meetings)
    att = attendance_by(rows)
    rel = release_reviews(per_case).filter(pl.col("cohort") == ALL).drop("cohort")
    return pl.concat([activity, att, rel], how="horizontal")


def case_figures(
    tables: Tables, f: Filters, rrp_ids: Sequence[str], secure: Sequence[str], whole: bool = False
) -> dict:
    """The RRP page's figures that rest on cases (the large table), aggregated: the ``headline`` of the RRPs
    ``rrp_ids`` over the filters' period, and per series (``area``: the filters' cases in those RRPs' authorities;
    ``wales``: every area in scope, left out when ``whole``, the RRPs being all of Wales already) ``release``
    reviews, ``first`` reviews and ``referral`` shares (stacked, :func:`stacked`), with the area's ``bins`` of days
    to the first review (``secure``: the secure cohorts chosen; none gives no release, first or bins)."""
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
    tables: Tables, f: Filters, rrp_ids: Sequence[str]
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
    tables: Tables, f: Filters, rrp_ids: Sequence[str], quarters: Sequence[str], as_of: date
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
    tables: Tables,
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
    columns = [c for c in protected.columns if not c.endswith(disclosure.NOTE_SUFFIX)]
    return present.row_texts(protected.row(0, named=True), columns, tuple(percent))

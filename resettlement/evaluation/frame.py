"""The analysis frame: one row per episode with its treatment (fixed in time, per outcome), matching covariates,
balance covariates and outcomes, built from the imported tables."""

from __future__ import annotations

from datetime import date

import polars as pl

from resettlement import geography, reoffending
from resettlement.evaluation.design import NEEDS_TOP_BAND, NOT_RECORDED, OUTCOMES, PRIOR_TOP_BAND, UNMATCHED
from resettlement.filters import Filters, select_cases
from resettlement.needs import age_band_expr
from resettlement.outcomes import case_outcomes
from resettlement.period import quarter_expr
from resettlement.standard import PATHWAYS
from resettlement.tables import Tables


def first_reviews(reviews: pl.DataFrame, meetings: pl.DataFrame) -> pl.DataFrame:
    """``case_id`` → ``first_review``: the date of the first RRP meeting that reviewed the case."""
    return (
        reviews.join(meetings.select("meeting_id", "meeting_date"), on="meeting_id", how="inner")
        .group_by("case_id")
        .agg(pl.col("meeting_date").min().alias("first_review"))
    )


def prior_episodes(all_cases: pl.DataFrame) -> pl.DataFrame:
    """``case_id`` → ``prior_episodes``: the child's episodes (in every period and area in scope) that started
    before this one."""
    return all_cases.select(
        "case_id", (pl.col("start_date").rank("min").over("child_id") - 1).cast(pl.Int64).alias("prior_episodes")
    )


def treatment_exprs() -> dict[str, pl.Expr]:
    """Per outcome, whether the episode was treated *before* the outcome's reference date (fixed in time)."""
    first = pl.col("first_review")
    return {
        "reoffended": (first < pl.col("index_date")).fill_null(False),
        "accommodation_confirmed_before_release": (first < pl.col("release_date")).fill_null(False),
        "accommodation_suitable_end": (first <= pl.col("end_date")).fill_null(False),
        "ete_suitable_end": (first <= pl.col("end_date")).fill_null(False),
    }


def reoffending_outcome(cases: pl.DataFrame, outcomes: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """``case_id`` → ``index_date`` and ``reoffended`` (0/1) for each child's first custody release or community
    start among ``cases`` whose quarterly cohort is final on ``as_of``: :mod:`resettlement.reoffending`'s rules."""
    events = reoffending.index_events(cases, as_of).filter(pl.col("index_type").is_in(list(reoffending.MOJ_TYPES)))
    first = events.sort("index_date", "case_id").group_by("child_id", maintain_order=True).first()
    first = first.filter(reoffending.quarter_final_from(quarter_expr("index_date")) <= as_of)
    rows = reoffending.outcome_of(first, outcomes)
    return rows.select("case_id", pl.col("reoffended").cast(pl.Float64).alias("reoffended_moj"))


def analysis_frame(
    cases: pl.DataFrame,
    needs: pl.DataFrame,
    outcomes: pl.DataFrame,
    reviews: pl.DataFrame,
    as_of: date,
    meetings: pl.DataFrame | None = None,
    all_cases: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per episode: ``child_id``, ``treated_<outcome>`` per outcome (fixed in time), the matching
    covariates as text (missing = ``not_recorded``), age in years, number of needs and of prior episodes, each
    pathway's need (0/1, for balance), and each outcome of :data:`OUTCOMES` as 0/1 (null where it does not apply
    or is not recorded). ``meetings`` dates the reviews (without it, no episode is treated: a review with no date
    can not be placed before anything); ``all_cases`` counts prior episodes (default: ``cases``)."""
    firsts = (
        first_reviews(reviews, meetings)
        if meetings is not None
        else pl.DataFrame(schema={"case_id": pl.String, "first_review": pl.Date})
    )
    rows = case_outcomes(cases, outcomes, as_of).drop("reoffended")
    index = reoffending.index_events(cases, as_of).select("case_id", "index_date")
    treat = treatment_exprs()
    return (
        rows.join(_needs_per_case(needs), on="case_id", how="left")
        .join(firsts, on="case_id", how="left")
        .join(index, on="case_id", how="left")
        .join(prior_episodes(all_cases if all_cases is not None else cases), on="case_id", how="left")
        .join(reoffending_outcome(cases, outcomes, as_of), on="case_id", how="left")
        .with_columns(
            pl.col("needs_count").fill_null(0).cast(pl.Int64),
            pl.col("prior_episodes").fill_null(0),
            *(pl.col(u).fill_null(0.0) for u in UNMATCHED),
        )
        .select(
            "case_id",
            "child_id",
            *(treat[o].alias(f"treated_{o}") for o in OUTCOMES),
            *_matching_covariates(),
            pl.when(pl.col("age_at_start").is_between(10, 17))
            .then(pl.col("age_at_start"))
            .cast(pl.Float64)
            .alias("age_at_start"),
            pl.col("needs_count").cast(pl.Float64),
            pl.col("prior_episodes").cast(pl.Float64),
            *UNMATCHED,
            pl.col("reoffended_moj").alias("reoffended"),
            *(
                pl.when(pl.col("ended")).then(pl.col(c)).cast(pl.Float64).alias(c)
                for c in ("accommodation_suitable_end", "ete_suitable_end")
            ),
            pl.col("accommodation_confirmed_before_release").cast(pl.Float64),
        )
    )


def _needs_per_case(needs: pl.DataFrame) -> pl.DataFrame:
    """``case_id`` → ``needs_count`` (pathways with a need recorded "yes") and ``need_<pathway>`` (0/1)."""
    return (
        needs.filter(pl.col("need") == "yes")
        .group_by("case_id")
        .agg(
            pl.len().alias("needs_count"),
            *((pl.col("pathway") == p).any().cast(pl.Float64).alias(f"need_{p}") for p in PATHWAYS),
        )
    )


def _matching_covariates() -> list[pl.Expr]:
    """The matching covariates (:data:`COVARIATES`) as text, a missing value being ``not_recorded``."""
    return [
        *(pl.col(c).cast(pl.String).fill_null(NOT_RECORDED) for c in ("cohort", "sex", "ethnicity")),
        age_band_expr().fill_null(NOT_RECORDED).alias("age_band"),
        pl.col("la_code").replace_strict(geography.POLICE_AREA_OF, default=NOT_RECORDED).alias("police_area"),
        pl.col("start_date").dt.year().cast(pl.String).alias("start_year"),
        _band("needs_count", NEEDS_TOP_BAND).alias("needs_band"),
        _band("prior_episodes", PRIOR_TOP_BAND).alias("prior_band"),
    ]


def _band(column: str, top: int) -> pl.Expr:
    """A count as its band's text: ``0`` .. ``top - 1``, then ``<top>+``."""
    return pl.col(column).clip(0, top).cast(pl.String).replace({str(top): f"{top}+"})


def selection_frame(tables: Tables, filters: Filters, as_of: date) -> pl.DataFrame:
    """:func:`analysis_frame` for the episodes the filters select (area, cohorts, start in the period)."""
    cases = select_cases(tables["cases"], filters)
    return analysis_frame(
        cases,
        tables["needs"],
        tables["outcomes"],
        tables["rrp_reviews"],
        as_of,
        meetings=tables["rrp_meetings"],
        all_cases=tables["cases"],
    )

"""Timeliness of the partnerships' work on cases: reviews before release, days to the first review, and the
share of episodes referred to an RRP."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from resettlement.i18n import t
from resettlement.rrp.partnerships import ALL, ratio
from resettlement.standard import SECURE_COHORTS

DAY_BINS: tuple[tuple[int, int | None], ...] = ((0, 14), (15, 28), (29, 56), (57, 91), (92, None))
NOT_REVIEWED = "not_reviewed"
RELEASE_COUNTS: tuple[str, ...] = ("released", "reviewed_before_release", "not_reviewed_before_release", "not_released")
RELEASE_RATES = {"reviewed_before_rate": ("reviewed_before_release", "released")}
FIRST_REVIEW_COUNTS: tuple[str, ...] = ("episodes", "reviewed", "not_reviewed")
FIRST_REVIEW_RATES = {"median_days": "reviewed"}
REFERRAL_COUNTS: tuple[str, ...] = ("episodes", "referred")
REFERRAL_RATES = {"referred_share": ("referred", "episodes")}


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


def _by_cohort(df: pl.DataFrame, cohorts: Sequence[str], aggs: list[pl.Expr], counts: Sequence[str]) -> pl.DataFrame:
    """``aggs`` per cohort in ``cohorts`` and for them all (``cohort`` = ``all``), every cohort present, with the
    ``counts`` among them as whole numbers (a cohort with no episode counts zero)."""
    df = df.filter(pl.col("cohort").is_in(list(cohorts)))
    grid = pl.DataFrame({"cohort": list(cohorts)}, schema={"cohort": pl.String})
    per = grid.join(df.group_by("cohort").agg(aggs), on="cohort", how="left")
    total = df.select(aggs).with_columns(pl.lit(ALL).alias("cohort"))
    out = pl.concat([per, total.select(per.columns)], how="vertical_relaxed")
    return out.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts)


def _secure(cohorts: Sequence[str]) -> list[str]:
    """The secure (custody and remand) cohorts among ``cohorts``: the only ones an RRP reviews before release."""
    return [c for c in cohorts if c in SECURE_COHORTS]


def release_reviews(per_case: pl.DataFrame, cohorts: Sequence[str] = SECURE_COHORTS) -> pl.DataFrame:
    """Released secure episodes reviewed before release, per cohort and for all: ``released``,
    ``reviewed_before_release``, ``not_reviewed_before_release``, ``not_released`` (no release date: still in
    custody, or not recorded) and ``reviewed_before_rate``."""
    released, before = pl.col("release_date").is_not_null(), pl.col("reviewed_before_release")
    aggs = [
        released.sum().alias("released"),
        before.eq(True).sum().alias("reviewed_before_release"),
        before.eq(False).sum().alias("not_reviewed_before_release"),
        (~released).sum().alias("not_released"),
    ]
    out = _by_cohort(per_case, _secure(cohorts), aggs, RELEASE_COUNTS)
    return out.with_columns(ratio("reviewed_before_release", "released").alias("reviewed_before_rate"))


def first_review(per_case: pl.DataFrame, cohorts: Sequence[str] = SECURE_COHORTS) -> pl.DataFrame:
    """Days from custody start to the first RRP review, per secure cohort and for all: ``episodes``,
    ``reviewed``, ``not_reviewed`` and ``median_days`` (over those reviewed)."""
    reviewed = pl.col("days_to_first_review").is_not_null()
    aggs = [
        pl.len().alias("episodes"),
        reviewed.sum().alias("reviewed"),
        (~reviewed).sum().alias("not_reviewed"),
        pl.col("days_to_first_review").median().alias("median_days"),
    ]
    return _by_cohort(per_case, _secure(cohorts), aggs, FIRST_REVIEW_COUNTS)


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
    secure = _secure(cohorts)
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
    aggs = [pl.len().alias("episodes"), pl.col("rrp_id").is_not_null().sum().alias("referred")]
    out = _by_cohort(cases, cohorts, aggs, REFERRAL_COUNTS)
    return out.with_columns(ratio("referred", "episodes").alias("referred_share"))

"""Headline figures for a period, with the change from the previous period of the same length.

Definitions (shown on the Definitions page):

- **Children in scope**: distinct children with a resettlement episode starting in the period.
- **Custody releases**: custody and remand episodes whose release date falls in the period (by release
  date, whatever the start).
- **Needs identified**: pathway needs recorded as *yes* on episodes starting in the period.
- **Gap rate**: unmet needs ÷ needs identified whose offer is recorded (see Service gaps).
- **Completeness**: present ÷ applicable cells of the records of episodes starting in the period (see Data
  completeness).
- **Proven reoffending**: the one Ministry of Justice measure of :mod:`resettlement.reoffending` for the period
  (children by their first custody release or community start in it, final quarters only), against the previous
  period: the same figure the profile, the Outcomes page, the deck and ``python -m resettlement reoffending`` give.

Each figure is computed for the period and for the previous period of equal length; the change is the
difference (in percentage points for rates). Counts and rates carry their numerators and denominators so
disclosure control can protect both periods.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Literal, TypedDict

import polars as pl

from resettlement import completeness, disclosure, gaps, needs, reoffending
from resettlement.filters import Filters, select_cases
from resettlement.period import quarters_between
from resettlement.present import number_text
from resettlement.standard import SECURE_COHORTS
from resettlement.tables import Tables

CountMetric = Literal["children", "releases", "needs_identified"]
COUNT_METRICS: tuple[CountMetric, ...] = ("children", "releases", "needs_identified")
RATE_METRICS = ("gap_rate", "completeness", "reoffending")


class _Figures(TypedDict):
    """The counts of one period, and its gap rate with the counts behind it."""

    children: int
    releases: int
    needs_identified: int
    gap_rate: float | None
    gap_unmet: int
    gap_recorded: int


def _figures(area_all: pl.DataFrame, rows_all: pl.DataFrame, f: Filters) -> _Figures:
    """Counts for the period of ``f`` from the area's cases of every period and the needs rows of those started in
    this period or the one before (:func:`headline` joins the needs once for both)."""
    in_period = pl.col("start_date").is_between(f.start, f.end)
    started = area_all.filter(in_period)
    releases = area_all.filter(
        pl.col("cohort").is_in(list(SECURE_COHORTS)) & pl.col("release_date").is_between(f.start, f.end)
    )
    g = gaps.overall(gaps.combine(rows_all.filter(in_period), "all"), pathways=("all",)).row(0, named=True)
    return {
        "children": started["child_id"].n_unique(),
        "releases": releases.height,
        "needs_identified": g["identified"],
        "gap_rate": g["gap_rate"],
        "gap_unmet": g["unmet"],
        "gap_recorded": g["offer_recorded"],
    }


def _completeness(cells: pl.DataFrame, f: Filters) -> tuple[int, int]:
    """Present and applicable cells of the period of ``f`` from cells by quarter of episode start."""
    s = (
        cells.filter(pl.col("quarter").is_in(quarters_between(f.start, f.end)))
        .select(pl.col("cells_applicable", "cells_missing").sum())
        .row(0, named=True)
    )
    applicable, missing = s["cells_applicable"], s["cells_missing"]
    return applicable - missing, applicable


def headline(tables: Tables, f: Filters, as_of: date) -> pl.DataFrame:
    """One row per headline metric: ``current``, ``previous`` and ``change``, with the counts behind rates
    (``current_num``/``current_den`` and the same for ``previous``)."""
    cases, needs_rows = tables["cases"], tables["needs"]
    previous = f.previous()
    both = replace(f, start_q=previous.start_q)  # the previous period and this one: one pass over the needs rows
    area_all = select_cases(cases, f, with_period=False)
    started = area_all.filter(pl.col("start_date").is_between(both.start, both.end))
    # the needs rows of these cases, found once (a pass over every needs row) for the gap rate and completeness
    needs_rows = needs_rows.filter(pl.col("case_id").is_in(started["case_id"].implode()))  # 2x a semi-join
    rows_all = needs.with_case(
        needs_rows.select("case_id", "pathway", "need", "service_offered", "offered_date"), started
    )
    now, before = _figures(area_all, rows_all, f), _figures(area_all, rows_all, previous)
    rows = []
    for m in COUNT_METRICS:
        rows.append(
            {
                "metric": m,
                "current": float(now[m]),
                "previous": float(before[m]),
                "current_num": now[m],
                "current_den": None,
                "previous_num": before[m],
                "previous_den": None,
            }
        )

    def rate(metric: str, cur: tuple[int, int], prev: tuple[int, int]) -> dict:
        return {
            "metric": metric,
            "current": cur[0] / cur[1] if cur[1] else None,
            "previous": prev[0] / prev[1] if prev[1] else None,
            "current_num": cur[0],
            "current_den": cur[1],
            "previous_num": prev[0],
            "previous_den": prev[1],
        }

    rows.append(
        rate("gap_rate", (now["gap_unmet"], now["gap_recorded"]), (before["gap_unmet"], before["gap_recorded"]))
    )
    if "outcomes" in tables:
        cells = completeness.cell_counts({**tables, "needs": needs_rows}, both, ["quarter"])  # completeness alone
        rows.append(rate("completeness", _completeness(cells, f), _completeness(cells, previous)))
        rows.append(
            rate("reoffending", reoffending.headline(tables, f, as_of), reoffending.headline(tables, previous, as_of))
        )
    out = pl.DataFrame(
        rows,
        schema={
            "metric": pl.String,
            "current": pl.Float64,
            "previous": pl.Float64,
            "current_num": pl.Int64,
            "current_den": pl.Int64,
            "previous_num": pl.Int64,
            "previous_den": pl.Int64,
        },
    )
    return out.with_columns((pl.col("current") - pl.col("previous")).alias("change"))


def protect_headline(df: pl.DataFrame, threshold: int, rounding: disclosure.Protection | None = None) -> pl.DataFrame:
    """Disclosure control for :func:`headline`: a count is hidden when it is 1..threshold-1; a rate when its
    numerator, denominator or their difference is; a change is hidden when either side is hidden.

    With ``rounding`` (the publication view, :func:`resettlement.disclosure.rounded`), a count is hidden when it is
    under the threshold (zero included) or rounds to the threshold or less, shown counts are rounded, rates are
    worked out from the rounded counts, and the change is the difference of the two figures shown."""

    def small(expr: pl.Expr) -> pl.Expr:
        if rounding is not None:
            return disclosure.hidden_count(expr, rounding).fill_null(False)
        return expr.is_between(1, threshold - 1).fill_null(False)

    def hidden(prefix: str) -> pl.Expr:
        num, den = pl.col(f"{prefix}_num"), pl.col(f"{prefix}_den")
        rate_hidden = small(den) | (den < threshold).fill_null(False) | small(num) | small(den - num)
        return pl.when(den.is_not_null()).then(rate_hidden).otherwise(small(num))

    if rounding is not None:
        df = df.with_columns(_rounded_figure(p, rounding).alias(p) for p in ("current", "previous")).with_columns(
            (pl.col("current") - pl.col("previous")).alias("change")
        )
    note = pl.lit("c")
    return (
        df.with_columns(
            pl.when(hidden("current")).then(note).alias("current__note"),
            pl.when(hidden("previous")).then(note).alias("previous__note"),
            pl.when(hidden("current") | hidden("previous")).then(note).alias("change__note"),
        )
        .with_columns(
            *(
                pl.when(pl.col(f"{c}__note").is_null()).then(pl.col(c)).alias(c)
                for c in ("current", "previous", "change")
            )
        )
        .drop("current_num", "current_den", "previous_num", "previous_den")
    )


def _rounded_figure(prefix: str, rounding: disclosure.Protection) -> pl.Expr:
    """A headline figure from rounded counts: the rounded count, or the rounded numerator over the rounded
    denominator."""
    num = disclosure.round_to(pl.col(f"{prefix}_num"), rounding.base, rounding.key)
    den = disclosure.round_to(pl.col(f"{prefix}_den"), rounding.base, rounding.key)
    rate = pl.when(den > 0).then(num / den).otherwise(None)
    return pl.when(pl.col(f"{prefix}_den").is_not_null()).then(rate).otherwise(num.cast(pl.Float64))


def trends(tables: Tables, f: Filters, quarters: Sequence[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The Overview's two trends over every quarter: episodes starting per quarter in the selected area and in all
    areas in scope (``series`` area/wales), and episodes and children starting by cohort in the selected area (all
    cohorts, so a page can show those chosen)."""
    from resettlement.cohort import starts_by_quarter

    cases, quarters = tables["cases"], list(quarters)
    by_cohort = starts_by_quarter(select_cases(cases, f, with_period=False), quarters)
    everywhere = replace(f, area=type(f.area)())
    wales = (
        by_cohort
        if f == everywhere
        else starts_by_quarter(select_cases(cases, everywhere, with_period=False), quarters)
    )
    # the area and Wales per quarter, from the same counts by cohort
    trend = pl.concat(
        [
            by_q.group_by("quarter").agg(pl.col("episodes").sum()).with_columns(pl.lit(series).alias("series"))
            for series, by_q in (("area", by_cohort), ("wales", wales))
        ]
    ).sort("series", "quarter")
    return trend, by_cohort


def shown_change(change: float, is_rate: bool) -> int:
    """A change as it is shown: whole percentage points for rates, a whole count otherwise (so the figure, its
    arrow and the summary agree on what is no change)."""
    return round(change * 100) if is_rate else round(change)


def signed_change(change: float, is_rate: bool) -> str:
    """The shown change with its sign (``+2``, ``-3,892``); a change that rounds to nothing is ``0``, never ``-0``."""
    shown = shown_change(change, is_rate)
    return f"{shown:+,d}" if shown else "0"


def change_label(change: float, is_rate: bool, lang: str) -> str:
    """:func:`signed_change` with its unit: ``+2 pp`` for rates, ``-3,892`` for counts."""
    from resettlement.i18n import t

    diff = signed_change(change, is_rate)
    return t("overview.change_pp", lang, diff=diff) if is_rate else diff


def summary(protected: pl.DataFrame, lang: str, area: str, period: str) -> list[str]:
    """Plain-language sentences from a protected headline frame: numbers and directions, no adjectives.
    A hidden figure is reported as too few to show, never estimated."""
    from resettlement.i18n import t

    rows = {r["metric"]: r for r in protected.iter_rows(named=True)}
    sentences = []
    for metric in (m for m in (*COUNT_METRICS, *RATE_METRICS) if m in rows):
        r = rows[metric]
        if r["current__note"]:
            sentences.append(t("overview.summary.suppressed", lang, what=t(f"overview.metric.{metric}", lang)))
            continue
        is_rate = metric in RATE_METRICS
        value = number_text(r["current"], is_rate)
        if r["change__note"] or r["previous"] is None:
            comparison = t("overview.summary.no_comparison", lang)
        elif shown_change(r["change"], is_rate) == 0:
            comparison = t("overview.summary.same", lang)
        else:
            diff = f"{abs(r['change']) * 100:.0f}" if is_rate else f"{abs(r['change']):,.0f}"
            previous = number_text(r["previous"], is_rate)
            direction = (
                ("higher" if r["change"] > 0 else "lower") if is_rate else ("more" if r["change"] > 0 else "fewer")
            )
            one = "_one" if is_rate and diff == "1" else ""
            comparison = t(f"overview.summary.{direction}{one}", lang, diff=diff, previous=previous)
        sentences.append(
            t(f"overview.summary.{metric}", lang, value=value, area=area, period=period, comparison=comparison)
        )
    return sentences

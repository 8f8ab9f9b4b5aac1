"""Reports that leave the app: the slide deck for Welsh Government, built from the same figures as the pages.

- :func:`build_figures` computes every figure of a report as a disclosure-protected frame, in the publication
  view (primary and secondary suppression, see :mod:`resettlement.disclosure`), with the same domain functions
  and the same protection as the pages, so a deck's numbers are the app's. Frames keep codes (pathways, series,
  quarters), not labels, so other reports (such as a printable area profile) can reuse them.
- :func:`report_deck` turns them into the PowerPoint deck of :mod:`resettlement.deck` (native charts, a map of
  Wales as editable shapes with a table alternative, speaker notes holding the definitions).

The XLSX behind every table is :mod:`resettlement.xlsx`; labels and cell text are :mod:`resettlement.present`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl

from resettlement import published, rrp
from resettlement.completeness import Thresholds
from resettlement.deck import MIME, NOTES, SLIDES, deck, series_values
from resettlement.filters import Filters
from resettlement.period import DATA_START, quarters_between, trend_quarters
from resettlement.standard import SECURE_COHORTS
from resettlement.tables import Tables

__all__ = ["MIME", "NOTES", "SLIDES", "build_figures", "deck", "report_deck", "series_values"]


def build_figures(
    tables: Tables,
    filters: Filters,
    as_of: date,
    threshold: int,
    lang: str = "en",
    fetch: Callable[..., pl.DataFrame] | None = None,
    key: int = 1,
) -> dict[str, pl.DataFrame]:
    """Every figure of a report for the area and period of ``filters``: the registered published tables
    (:mod:`resettlement.published`) the pages show, in the publication view, so a slide holds exactly the page's
    cells. ``fetch(name, *args)`` gives a published table (the app passes its cached ``Context.for_publication``);
    by default each is computed from ``tables``, rounded with the database's ``key``.

    Keys: ``headline`` (Overview headline), ``trend`` (episodes per quarter, area and comparator), ``cohorts``
    (the area's episodes per quarter by cohort), ``needs`` (funnel by pathway, area and comparator), ``gaps``
    (gap measures by pathway, area and comparator), ``map`` (gap measures of all pathways by local authority),
    ``rrp`` (activity of the RRPs covering the area per quarter), ``rrp_headline``, ``completeness`` (selection
    and comparator) and ``outcomes`` (headline outcome rates, area and comparator). Quarters are those of the
    period; ``lang`` names nothing in the frames (they keep codes) and is accepted for callers' symmetry.
    """
    f = filters
    if fetch is None:
        inputs = published.Inputs(tables)
        protection = published.from_settings(publication=True, key=key, threshold=threshold)

        def fetch(name: str, *args: object) -> pl.DataFrame:
            return published.required_frame(inputs, name, protection, *args)

    all_quarters = quarters_between(DATA_START, as_of)
    period = tuple(q for q in all_quarters if f.start_q <= q <= f.end_q)
    ids = tuple(rrp.rrps_for_area(tables["rrps"], f.area)["rrp_id"].to_list())
    secure = tuple(c for c in f.cohorts if c in SECURE_COHORTS)
    return {
        "headline": fetch("overview.headline", f, as_of),
        "trend": fetch("overview.trend", f, period),
        "cohorts": fetch("overview.cohorts", f, period),
        "needs": fetch("needs.compare", f),
        "gaps": fetch("gaps.compare", f, f.area.level, f.area.code, "all"),
        "map": fetch("gaps.areas", f, "la", "all"),
        "rrp": fetch("rrp.actions", f, ids, tuple(rrp.period_quarters(all_quarters, f.start_q, f.end_q)), as_of),
        "rrp_headline": fetch("rrp.headline", f, ids, secure, f.area.level == "wales"),
        "completeness": fetch("completeness.wales", f, "wales", trend_quarters(as_of), Thresholds.from_settings()),
        "outcomes": fetch("outcomes.headline", f, as_of, trend_quarters(as_of)),
    }


def report_deck(
    tables: Tables,
    filters: Filters,
    as_of: date,
    threshold: int,
    lang: str = "en",
    synthetic: bool = False,
    all_wales: bool = True,
    fetch: Callable[..., pl.DataFrame] | None = None,
    key: int = 1,
) -> bytes:
    """:func:`deck` of :func:`build_figures`: what the CLI and the Overview page's button produce."""
    return deck(
        build_figures(tables, filters, as_of, threshold, lang, fetch, key),
        filters,
        as_of,
        threshold,
        lang,
        synthetic,
        all_wales,
    )

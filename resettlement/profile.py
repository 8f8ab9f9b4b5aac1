"""The area profile: one area (local authority, youth justice service, police force area or RRP) against
Wales and against its peers, assembled from the other domain modules.

Peers are the other areas at the same level (the 22 authorities, the services, the four police force areas or
the RRPs). For each measure the profile gives the area's value, the value for Wales (every area in scope), the
median of the peers' shown values and the area's rank among the peers whose value is shown (1 = highest).
Suppressed peer values are left out of the median and the rank, so neither reveals them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl

from resettlement import completeness, disclosure, gaps, geography, needs, outcomes, reoffending
from resettlement.filters import Area, Filters, select_cases
from resettlement.geography import AreaOrRrpLevel
from resettlement.tables import Tables

LEVELS = geography.AREA_OR_RRP_LEVELS
# measure -> (numerator, denominator); a None denominator marks a count.
MEASURES: dict[str, tuple[str, str | None]] = {
    "children": ("children", None),
    "releases": ("releases", None),
    "need_rate": ("identified", "assessed"),
    "gap_rate": ("unmet", "offer_recorded"),
    "not_in_place_rate": ("not_in_place", "release_needs"),
    "completeness": ("cells_present", "cells_applicable"),
    "reoffending": ("reoffenders", "reoffending_recorded"),
}
RATE_MEASURES = tuple(m for m, (_, d) in MEASURES.items() if d)
#: The counts of children and episodes behind the measures (data cells are not children: not here).
COUNTS = tuple(c for pair in MEASURES.values() for c in pair if c and c not in ("cells_present", "cells_applicable"))


def rrp_lookup(rrps: pl.DataFrame) -> pl.DataFrame:
    """Local authority → RRP covering it (``la_code``, ``rrp_area``)."""
    return (
        rrps.select("rrp_id", pl.col("la_codes").str.split(";").alias("la_code"))
        .explode("la_code")
        .select("la_code", pl.col("rrp_id").alias("rrp_area"))
    )


def area_column(level: AreaOrRrpLevel) -> str:
    return {"la": "la_code", "service": "service_code", "police_area": "police_area", "rrp": "rrp_area"}[level]


def with_areas(cases: pl.DataFrame, rrps: pl.DataFrame) -> pl.DataFrame:
    """Cases with every area column a profile groups by (police force area and RRP added)."""
    out = geography.with_police_area(cases)
    return (
        out.join(rrp_lookup(rrps), on="la_code", how="left")
        if rrps.height
        else out.with_columns(pl.lit(None, dtype=pl.String).alias("rrp_area"))
    )


def by_area(tables: Tables, f: Filters, level: AreaOrRrpLevel, as_of: date) -> pl.DataFrame:
    """Every profile measure's numerator and denominator for each area at ``level`` (all areas in scope)."""
    col = area_column(level)
    everywhere = replace(f, area=Area())
    cases = with_areas(select_cases(tables["cases"], everywhere, with_period=False), tables["rrps"])
    started = cases.filter(pl.col("start_date").is_between(f.start, f.end))
    out = started.group_by(col).agg(pl.col("child_id").n_unique().alias("children"))
    released = cases.filter(
        pl.col("cohort").is_in(["custody", "remand"]) & pl.col("release_date").is_between(f.start, f.end)
    )
    out = out.join(released.group_by(col).agg(pl.len().alias("releases")), on=col, how="full", coalesce=True)
    rows = needs.with_case(tables["needs"], started).join(started.select("case_id", col), on="case_id")
    funnel = rows.group_by(col).agg(
        pl.col("need").is_in(["yes", "no"]).sum().alias("assessed"), (pl.col("need") == "yes").sum().alias("identified")
    )
    gap = (
        gaps.combine(rows, "all")
        .group_by(col)
        .agg(gaps._aggs())
        .select(col, "offer_recorded", "unmet", "release_needs", "not_in_place")
    )
    if level == "rrp":  # cells add up: by authority, then each RRP gets the cells of the authorities it covers
        by_la = completeness.cell_counts(tables, everywhere, ["la_code"])
        cells = (
            by_la.join(rrp_lookup(tables["rrps"]), on="la_code", how="left")
            .group_by(col)
            .agg(pl.col("cells_applicable", "cells_missing").sum())
        )
    else:
        cells = completeness.cell_counts(tables, everywhere, [col])
    comp = cells.select(
        col, (pl.col("cells_applicable") - pl.col("cells_missing")).alias("cells_present"), "cells_applicable"
    )
    reo = reoffending_by_area(tables, f, level, as_of).drop("reoffending_children")
    for part in (funnel, gap, comp, reo):
        out = out.join(part, on=col, how="full", coalesce=True)
    counts = [c for pair in MEASURES.values() for c in pair if c]
    out = out.rename({col: "area_code"}).filter(pl.col("area_code").is_not_null())
    return out.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts).with_columns(
        *(pl.when(pl.col(d) > 0).then(pl.col(n) / pl.col(d)).alias(m) for m, (n, d) in MEASURES.items() if d)
    )


def reoffending_by_area(tables: Tables, f: Filters, level: AreaOrRrpLevel, as_of: date) -> pl.DataFrame:
    """The one proven reoffending measure (:func:`resettlement.reoffending.by_area`) per area at ``level``:
    ``reoffenders`` and ``reoffending_recorded`` children, each child in the area of their first index event."""
    col = area_column(level)
    cases = with_areas(tables["cases"], tables["rrps"])
    return reoffending.by_area(Tables.of({**tables, "cases": cases}), f, as_of, col).rename(
        {"recorded": "reoffending_recorded", "children": "reoffending_children"}
    )


def _reoffending_parts(
    tables: Tables, f: Filters, level: AreaOrRrpLevel, code: str, as_of: date
) -> dict[str, dict[str, int]]:
    """The headline table's proven reoffending parts for the area (its row of :func:`reoffending_by_area`, so the
    outcomes table and the at-a-glance table agree) and for Wales."""
    everywhere = replace(f, area=Area())
    wales = outcomes.reoffending_parts(tables, everywhere, as_of)
    if level == "rrp":
        row = reoffending_by_area(tables, f, level, as_of).filter(pl.col(area_column(level)) == code)
        k, n, c = (
            (row["reoffenders"].item(), row["reoffending_recorded"].item(), row["reoffending_children"].item())
            if row.height
            else (0, 0, 0)
        )
        area = {"numerator": k, "denominator": n, "not_recorded": c - n}
    else:
        area = outcomes.reoffending_parts(tables, replace(f, area=Area(level, code)), as_of)
    return {"area": area, "wales": wales}


def wales_row(per_area: pl.DataFrame) -> pl.DataFrame:
    """All areas pooled (children are distinct within an area; an RRP-less authority is still counted)."""
    counts = [c for pair in MEASURES.values() for c in pair if c]
    pooled = per_area.select(pl.col(c).sum() for c in counts)
    return pooled.with_columns(
        *(pl.when(pl.col(d) > 0).then(pl.col(n) / pl.col(d)).alias(m) for m, (n, d) in MEASURES.items() if d)
    )


def protect(per_area: pl.DataFrame, threshold: int, rounding: disclosure.Protection | None = None) -> pl.DataFrame:
    """Disclosure control for :func:`by_area` frames (counts and rates with their parts); with ``rounding``, the
    publication view's (:func:`resettlement.disclosure.rounded`)."""
    counts = list(COUNTS)
    rates = {m: (n, d) for m, (n, d) in MEASURES.items() if d and m != "completeness"}
    if rounding is not None:
        out = disclosure.rounded(per_area, counts, rates, rounding, shares=tuple(rates))
    else:
        out = disclosure.protect(per_area, counts=counts, rates=rates, threshold=threshold)
    # completeness counts data cells, not children: hidden only when the area's children are
    return out.with_columns(
        pl.when(pl.col("children__note").is_not_null()).then(pl.lit("c")).alias("completeness__note")
    ).with_columns(pl.when(pl.col("completeness__note").is_null()).then(pl.col("completeness")).alias("completeness"))


def at_a_glance(protected: pl.DataFrame, wales: pl.DataFrame, code: str) -> pl.DataFrame:
    """One row per measure: the area's value, Wales's, the peers' median and the area's rank among the peers
    whose value is shown (1 = highest), with ``peers`` = how many were ranked."""
    me = protected.filter(pl.col("area_code") == code)
    rows = []
    for m in MEASURES:
        shown = protected.filter(pl.col(m).is_not_null())
        mine = me[m].item() if me.height else None
        note = me[f"{m}__note"].item() if me.height else "z"
        rank = None
        if mine is not None:
            rank = int(shown.filter(pl.col(m) > mine).height + 1)
        rows.append(
            {
                "measure": m,
                "area": mine,
                "area__note": note,
                "wales": wales[m].item(),
                "peer_median": shown[m].median() if shown.height else None,
                "rank": rank,
                "peers": shown.height,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "measure": pl.String,
            "area": pl.Float64,
            "area__note": pl.String,
            "wales": pl.Float64,
            "peer_median": pl.Float64,
            "rank": pl.Int64,
            "peers": pl.Int64,
        },
    )


def area_tables(tables: Tables, la_codes: list[str]) -> Tables:
    """The case-linked tables restricted to cases of the given authorities (for an RRP's profile)."""
    cases = tables["cases"].filter(pl.col("la_code").is_in(la_codes))
    ids = cases.select("case_id")
    linked = {name: tables[name].join(ids, on="case_id", how="semi") for name in ("needs", "outcomes", "rrp_reviews")}
    return Tables.of({**tables, **linked, "cases": cases})


def glance_table(glance: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The at-a-glance table for display and download: measure names in ``lang`` (rates marked %, values as
    percentages), the area's and Wales's values with their note columns kept, the peers' median, and the rank
    in words ("4 of 19")."""
    from resettlement.i18n import t

    is_rate = pl.col("measure").is_in(list(RATE_MEASURES))
    scale = pl.when(is_rate).then(100.0).otherwise(1.0)
    names = {m: t(f"profile.measure.{m}", lang) + (" (%)" if m in RATE_MEASURES else "") for m in MEASURES}
    ranks = [
        t("profile.rank", lang, rank=r, n=n) if r else "–" for r, n in zip(glance["rank"], glance["peers"], strict=True)
    ]
    return (
        glance.with_columns(
            pl.col("measure").replace_strict(names),
            (pl.col("area") * scale).round(1),
            (pl.col("wales") * scale).round(1),
            (pl.col("peer_median") * scale).round(1),
            pl.Series("rank", ranks, dtype=pl.String),
        )
        .select("measure", "area", "area__note", "wales", "wales__note", "peer_median", "rank")
        .rename({"area": "this_area", "area__note": "this_area__note"})
    )


def areas(tables: Tables, f: Filters, level: AreaOrRrpLevel, as_of: date) -> pl.DataFrame:
    """:func:`by_area` with the pooled :func:`wales_row` appended (``area_code`` = ``wales``): the table the profile
    publishes, so the at-a-glance figures are read from protected cells only."""
    per_area = by_area(tables, f, level, as_of)
    wales = wales_row(per_area).with_columns(pl.lit("wales").alias("area_code"))
    return pl.concat([per_area, wales], how="diagonal_relaxed")


def glance(protected: pl.DataFrame, code: str) -> pl.DataFrame:
    """The at-a-glance table for one area from the protected :func:`areas` table: its figures, Wales's, the
    peers' median and its rank (among the figures shown, so a rank never rests on a hidden value)."""
    is_wales = pl.col("area_code") == "wales"
    wales = protected.filter(is_wales)
    out = at_a_glance(protected.filter(~is_wales), wales, code)
    notes = {m: wales[f"{m}__note"].item() if f"{m}__note" in wales.columns else None for m in MEASURES}
    return out.with_columns(pl.col("measure").replace_strict(notes, default=None).alias("wales__note"))


def covering_rrps(tables: Tables, level: AreaOrRrpLevel, code: str) -> pl.DataFrame:
    """The RRPs covering an area (or the RRP itself, for an RRP's profile)."""
    from resettlement import rrp

    rrps = tables["rrps"]
    return rrps.filter(pl.col("rrp_id") == code) if level == "rrp" else rrp.rrps_for_area(rrps, Area(level, code))


def sections(tables: Tables, f: Filters, level: AreaOrRrpLevel, code: str, as_of: date) -> dict[str, pl.DataFrame]:
    """The figures the profile shows under its at-a-glance table, unprotected: ``gaps`` (gap measures per pathway,
    the area and Wales), ``worst_fields`` (the five fields of the area's records missing most cells),
    ``rrp_headline`` (of the RRPs covering the area) and ``outcomes`` (the area and Wales)."""
    from resettlement import rrp

    covering = covering_rrps(tables, level, code)
    if level == "rrp":
        area_t, area_f = area_tables(tables, rrp.la_codes_of(covering)), replace(f, area=Area())
    else:
        area_t, area_f = tables, replace(f, area=Area(level, code))
    area_cases, wales_cases = (
        select_cases(area_t["cases"], area_f),
        select_cases(tables["cases"], replace(f, area=Area())),
    )
    worst = completeness.field_scores(completeness.select_evaluated(area_t, area_f))
    meetings = rrp.select_meetings(tables["rrp_meetings"], covering["rrp_id"].to_list(), f.start, f.end)
    per_case = rrp.case_reviews(area_cases, tables["rrp_reviews"], tables["rrp_meetings"])
    groups = {
        "area": outcomes.case_outcomes(area_cases, tables["outcomes"], as_of),
        "wales": outcomes.case_outcomes(wales_cases, tables["outcomes"], as_of),
    }
    parts = _reoffending_parts(tables, f, level, code, as_of)
    return {
        "gaps": gaps.compare(
            needs.with_case(tables["needs"], area_cases), needs.with_case(tables["needs"], wales_cases)
        ),
        "worst_fields": worst.sort("cells_missing", descending=True)
        .head(5)
        .select("table", "field", "cells_applicable", "cells_missing", (pl.col("completeness") * 100).round(1)),
        "rrp_headline": rrp.headline(meetings, rrp.invitations(tables["rrp_attendance"], meetings), per_case),
        "outcomes": outcomes.headline_compare(groups, parts),
    }


def printable_html(
    title: str, subtitle: str, notes: list[str], sections: list[tuple[str, pl.DataFrame]], lang: str
) -> str:
    """A standalone, print-ready HTML page of the profile: headings and the same disclosure-controlled tables
    the page shows (text cells, note codes kept), with no scripts and nothing fetched from the network."""
    from html import escape

    def table(df: pl.DataFrame) -> str:
        head = "".join(f"<th>{escape(str(c))}</th>" for c in df.columns)
        rows = "".join(
            "<tr>" + "".join(f"<td>{'' if v is None else escape(str(v))}</td>" for v in row) + "</tr>"
            for row in df.iter_rows()
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"

    body = "".join(f"<h2>{escape(h)}</h2>{table(df)}" for h, df in sections)
    note_html = "".join(f"<p class='note'>{escape(n)}</p>" for n in notes)
    return (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{escape(title)}</title><style>"
        "body{font-family:Arial,Helvetica,sans-serif;margin:2rem;color:#0b0c0c;max-width:60rem}"
        "h1{font-size:1.8rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:1.6rem;page-break-after:avoid}"
        "table{border-collapse:collapse;width:100%;font-size:.85rem;page-break-inside:avoid}"
        "th,td{border:1px solid #b1b4b6;padding:.25rem .4rem;text-align:left}th{background:#f3f2f1}"
        ".note{font-size:.85rem;color:#505a5f}.banner{background:#fff7bf;padding:.5rem;border-left:4px solid #ffdd00}"
        "@page{size:A4;margin:15mm}</style></head><body>"
        f"<h1>{escape(title)}</h1><p>{escape(subtitle)}</p>{note_html}{body}</body></html>"
    )

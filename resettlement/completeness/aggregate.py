"""Aggregation of evaluated masks into scores: long tallies per group, table and item, then completeness, validity,
timeliness and RAG per group, field, rule or record; and the views the page, the deck and the CLI show (headline,
areas, trend, tables, fields, rules, timeliness), before disclosure control."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

import polars as pl

from resettlement.completeness.engine import Evaluated, select
from resettlement.completeness.rules import (
    AREA_LEVELS,
    CASE_TABLES,
    DIMS,
    KINDS,
    LEVELS,
    NOT_REFERRED,
    SCORES,
    TIMELINESS,
    Mask,
    Thresholds,
    scored_fields,
)
from resettlement.filters import Area, Filters
from resettlement.geography import AreaOrRrpLevel
from resettlement.standard import TABLES


def tally(ev: Evaluated, by: Sequence[str] = ()) -> pl.DataFrame:
    """Long counts: one row per group × table × kind × item (field or rule), with ``n`` (applicable or checked)
    and ``bad`` (missing, invalid or late). ``by`` names grouping attributes (see :data:`DIMS`)."""
    parts = []
    for name, df in ev.items():
        keys = ["__all", *by]
        sums = []
        items: list[tuple[str, str, str, str]] = []
        for score in SCORES:
            for item in score.n.items(df.columns):
                n_col, b_col = f"__n{len(items)}", f"__b{len(items)}"
                sums += [score.n.col(item).sum().alias(n_col), score.bad(item).sum().alias(b_col)]
                items.append((score.kind, item, n_col, b_col))
        if not items:
            continue
        agg = (
            df.lazy().with_columns(pl.lit(0).alias("__all")).group_by(keys).agg(sums).collect(engine="streaming")
        )  # in batches: summing many masks over millions of rows at once costs GBs
        for kind, item, n_col, b_col in items:
            parts.append(
                agg.select(
                    *by,
                    pl.lit(name).alias("table"),
                    pl.lit(kind).alias("kind"),
                    pl.lit(item).alias("item"),
                    pl.col(n_col).cast(pl.Int64).alias("n"),
                    pl.col(b_col).cast(pl.Int64).alias("bad"),
                )
            )
    schema = {
        **{b: DIMS.get(b, pl.String()) for b in by},
        "table": pl.String(),
        "kind": pl.String(),
        "item": pl.String(),
        "n": pl.Int64(),
        "bad": pl.Int64(),
    }
    return pl.concat(parts) if parts else pl.DataFrame(schema=schema)


def _counts(ev: Evaluated, by: Sequence[str]) -> pl.DataFrame:
    """Per group: ``episodes`` (distinct cases behind the case records) and ``records`` (rows)."""
    per_table = "table" in by
    dims = [b for b in by if b != "table"]
    rows = [
        df.lazy().select(*dims, "case_id", pl.lit(name).alias("table"), pl.lit(name in CASE_TABLES).alias("__case"))
        for name, df in ev.items()
    ]
    keys = ["__all", *dims, *(["table"] if per_table else [])]
    if not rows:
        return pl.DataFrame(
            schema={k: DIMS.get(k, pl.String()) for k in keys[1:]} | {"episodes": pl.Int64, "records": pl.Int64}
        )
    allrows = pl.concat(rows).with_columns(pl.lit(0).alias("__all"))
    return (
        allrows.group_by(keys)
        .agg(
            pl.col("case_id").filter(pl.col("__case")).drop_nulls().n_unique().cast(pl.Int64).alias("episodes"),
            pl.len().cast(pl.Int64).alias("records"),
        )
        .drop("__all")
        .collect(engine="streaming")
    )


def _rate(bad: str, n: str) -> pl.Expr:
    return pl.when(pl.col(n) > 0).then((pl.col(n) - pl.col(bad)) / pl.col(n)).otherwise(None)


def rag_expr(score: str, th: Thresholds) -> pl.Expr:
    """RAG status of a score column (null where the score is)."""
    s = pl.col(score)
    return (
        pl.when(s.is_null())
        .then(None)
        .when(s >= th.green)
        .then(pl.lit("green"))
        .when(s >= th.amber)
        .then(pl.lit("amber"))
        .otherwise(pl.lit("red"))
    )


def scores(ev: Evaluated, by: Sequence[str] = (), thresholds: Thresholds | None = None) -> pl.DataFrame:
    """One row per group: cells applicable and missing, completeness, validity, timeliness, RAG, and the field
    that pulls completeness down most (most missing cells). ``by`` may include ``"table"``."""
    by = list(by)
    tl = tally(ev, [b for b in by if b != "table"])
    pooled = tl.group_by([*by, "kind"]).agg(pl.col("n").sum(), pl.col("bad").sum())
    out = _counts(ev, by)
    for s in SCORES:
        part = pooled.filter(pl.col("kind") == s.kind).select(
            *by, pl.col("n").alias(s.n_column), pl.col("bad").alias(s.bad_column)
        )
        out = out.join(part, on=by, how="left", nulls_equal=True) if by else out.join(part, how="cross")
    filled = [c for s in SCORES for c in (s.n_column, s.bad_column)]
    out = out.with_columns(pl.col(c).fill_null(0) for c in filled).with_columns(
        _rate(s.bad_column, s.n_column).alias(s.kind) for s in SCORES
    )
    worst = _worst_field(tl, by)
    if by:
        out = out.join(worst, on=by, how="left", nulls_equal=True)
    elif worst.height:
        out = out.join(worst, how="cross")
    else:
        out = out.with_columns(
            pl.lit(None, dtype=pl.String).alias("worst_field"),
            pl.lit(None, dtype=pl.Int64).alias("worst_field_missing"),
        )
    out = out.with_columns(rag_expr("completeness", thresholds or Thresholds.from_settings()).alias("rag"))
    return out.sort(by, nulls_last=True) if by else out


def _worst_field(tl: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Per group of a :func:`tally`: the field with the most missing cells (``table.field``) and how many."""
    keys = [*by, "item"] if "table" in by else [*by, "table", "item"]
    worst = (
        tl.filter((pl.col("kind") == "completeness") & (pl.col("bad") > 0))
        .group_by(keys)
        .agg(pl.col("bad").sum())
        .sort([*by, "bad", "table", "item"], descending=[*([False] * len(by)), True, False, False], nulls_last=True)
        .with_columns(pl.format("{}.{}", "table", "item").alias("worst_field"))
    )
    return (worst.group_by(by, maintain_order=True).first() if by else worst.head(1)).select(
        *by, "worst_field", pl.col("bad").alias("worst_field_missing")
    )


def _items(ev: Evaluated, by: list[str], kind: str, item: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per group × table × item (a field or rule, named ``item``) of one kind of score: the pooled counts and the
    score; and the groups' episodes and records per table, to join."""
    s = next(s for s in SCORES if s.kind == kind)
    tl = tally(ev, by).filter(pl.col("kind") == kind)
    out = tl.select(
        *by, "table", pl.col("item").alias(item), pl.col("n").alias(s.n_column), pl.col("bad").alias(s.bad_column)
    ).with_columns(_rate(s.bad_column, s.n_column).alias(kind))
    return out, _counts(ev, [*by, "table"])


def field_scores(ev: Evaluated, by: Sequence[str] = ()) -> pl.DataFrame:
    """Per group × table × field: applicable, missing, completeness and the field's share of the group's
    missing cells, ranked (1 = pulls the score down most)."""
    by = list(by)
    fields, counts = _items(ev, by, "completeness", "field")
    out = (
        fields.with_columns(
            (pl.col("cells_missing") / _over(pl.col("cells_missing").sum(), by)).alias("share_of_missing")
        )
        .join(counts, on=[*by, "table"], how="left", nulls_equal=True)
        .sort([*by, "cells_missing", "table", "field"], descending=[*([False] * len(by)), True, False, False])
    )
    return out.with_columns(_over(pl.int_range(1, pl.len() + 1), by).alias("rank"))


def _over(expr: pl.Expr, by: Sequence[str]) -> pl.Expr:
    return expr.over(by) if by else expr


def rule_scores(ev: Evaluated, by: Sequence[str] = ()) -> pl.DataFrame:
    """Per group × validity rule: values checked, invalid, and validity."""
    by = list(by)
    rules, counts = _items(ev, by, "validity", "rule")
    return rules.join(counts, on=[*by, "table"], how="left", nulls_equal=True).sort(
        [*by, "values_invalid", "table", "rule"], descending=[*([False] * len(by)), True, False, False]
    )


def timeliness_scores(ev: Evaluated, by: Sequence[str] = ()) -> pl.DataFrame:
    """Per group × timeliness rule: dates checked, late, timeliness and the rule's number of days."""
    by = list(by)
    days = {r.code: r.max_days for r in TIMELINESS}
    rules, counts = _items(ev, by, "timeliness", "rule")
    return (
        rules.with_columns(pl.col("rule").replace_strict(days, return_dtype=pl.Int64).alias("days"))
        .join(counts, on=[*by, "table"], how="left", nulls_equal=True)
        .sort([*by, "rule"])
    )


# ------------------------------------------------------------------------------------------- the views pages show


def headline(ev: Evaluated, f: Filters, thresholds: Thresholds | None = None) -> pl.DataFrame:
    """Scores of the filtered selection (``series`` = selection) and of every area in scope (``wales``), case
    records only, with the selection's difference from the comparator in ``<score>_vs_wales``."""
    sel = scores(select(ev, f), thresholds=thresholds).with_columns(pl.lit("selection").alias("series"))
    wales = scores(select(ev, f, area=Area()), thresholds=thresholds).with_columns(pl.lit("wales").alias("series"))
    diffs = [
        (pl.col(k) - wales[k][0]).alias(f"{k}_vs_wales") if wales.height else pl.lit(None).alias(f"{k}_vs_wales")
        for k in KINDS
    ]
    return pl.concat(
        [
            sel.with_columns(diffs),
            wales.with_columns(pl.lit(None, dtype=pl.Float64).alias(f"{k}_vs_wales") for k in KINDS),
        ],
        how="diagonal_relaxed",
    )


def area_scores(ev: Evaluated, f: Filters, level: AreaOrRrpLevel, thresholds: Thresholds | None = None) -> pl.DataFrame:
    """Every area in scope at ``level`` (la, service, police_area, rrp), for the filter's period and cohorts
    (the area filter is not applied: areas are compared). ``area_code`` names the area; for RRPs the case
    records of children referred to it plus its own partnership records, and ``none`` = not referred."""
    dim = LEVELS[level]
    sel = select(ev, f, area=Area(), partnership=level == "rrp")
    out = scores(sel, [dim], thresholds).rename({dim: "area_code"})
    if level == "rrp":
        out = out.with_columns(pl.col("area_code").fill_null(NOT_REFERRED))
    return out.filter(pl.col("area_code").is_not_null())


def trend(ev: Evaluated, f: Filters, quarters: Sequence[str], thresholds: Thresholds | None = None) -> pl.DataFrame:
    """Scores per quarter of episode start over ``quarters`` for the selection and (when the selection is not
    already every area in scope) the comparator; ``series`` = selection or wales."""
    grid = pl.DataFrame({"quarter": list(quarters)})
    parts = []
    for series, area in (("selection", f.area), ("wales", Area())):
        if series == "wales" and f.area.level == "wales":
            continue
        s = scores(select(ev, f, with_period=False, area=area), ["quarter"], thresholds)
        s = grid.join(s, on="quarter", how="left").with_columns(
            pl.col("episodes").fill_null(0), pl.lit(series).alias("series")
        )
        parts.append(s)
    return pl.concat(parts, how="diagonal_relaxed")


def table_scores(ev: Evaluated, f: Filters, thresholds: Thresholds | None = None) -> pl.DataFrame:
    """Scores per table for the selection: case records, plus the records of RRPs covering the area."""
    out = scores(select(ev, f, partnership=True), ["table"], thresholds)
    order = {name: i for i, name in enumerate(TABLES)}
    return out.sort(pl.col("table").replace_strict(order, return_dtype=pl.Int64))


def selection_fields(ev: Evaluated, f: Filters) -> pl.DataFrame:
    """Fields of the selection's case records ranked by missing cells (what pulls the headline down)."""
    return field_scores(select(ev, f))


def selection_rules(ev: Evaluated, f: Filters) -> pl.DataFrame:
    """Validity per rule for the selection (case records plus the records of RRPs covering the area)."""
    return rule_scores(select(ev, f, partnership=True))


def selection_timeliness(ev: Evaluated, f: Filters) -> pl.DataFrame:
    return timeliness_scores(select(ev, f))


#: The views of the completeness page (and the CLI's ``--by``): the headline, each area level, the trend, fields,
#: tables, validity rules and timeliness.
By = Literal["wales", AreaOrRrpLevel, "quarter", "field", "table", "rule", "timeliness"]
BY: tuple[By, ...] = get_args(By)


def view(
    ev: Evaluated, f: Filters, by: By, quarters: Sequence[str], thresholds: Thresholds | None = None
) -> pl.DataFrame:
    """The figures the page shows for one view, and the CLI prints, before protection: ``wales`` the headline (the
    selection and the comparator), an area level, ``quarter`` the trend over ``quarters``, ``field``,
    ``table``, ``rule`` (validity) or ``timeliness``."""
    if by == "wales":
        frame = headline(ev, f, thresholds)
    elif by in AREA_LEVELS:
        frame = area_scores(ev, f, by, thresholds)
    elif by == "quarter":
        frame = trend(ev, f, quarters, thresholds)
    elif by == "field":
        frame = selection_fields(ev, f)
    elif by == "table":
        frame = table_scores(ev, f, thresholds)
    elif by == "rule":
        frame = selection_rules(ev, f)
    elif by == "timeliness":
        frame = selection_timeliness(ev, f)
    else:
        raise ValueError(f"unknown view {by!r}: one of {', '.join(BY)}")
    return frame


def record_scores(ev: Evaluated, table: str) -> pl.DataFrame:
    """Per record of ``table``: applicable and present cells and the record's completeness, and per field
    ``<field>`` = 1.0 when the cell is present or does not apply (100% on that rule), 0.0 when missing."""
    df = ev[table]
    fields = [f.name for f in scored_fields(table)]
    return df.select(
        *TABLES[table].key,
        pl.sum_horizontal(Mask.APPLICABLE.col(f) for f in fields).alias("applicable"),
        pl.sum_horizontal(Mask.PRESENT.col(f) for f in fields).alias("present"),
        *((~Mask.APPLICABLE.col(f) | Mask.PRESENT.col(f)).cast(pl.Float64).alias(f) for f in fields),
    ).with_columns((pl.col("present") / pl.col("applicable")).alias("completeness"))

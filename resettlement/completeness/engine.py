"""The completeness rule engine: every record of every table joined to its case (or meeting) and evaluated into
boolean masks (:class:`~resettlement.completeness.rules.Mask`), one per scored field and per rule; and the selection
of the evaluated records a view scores. Pure Polars, lazy and streamed table by table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from resettlement import geography
from resettlement.completeness.rules import (
    CASE_TABLES,
    DIMS,
    ONE_PER_CASE,
    RULES,
    TIMELINESS,
    VALIDITY_CHECKS,
    Mask,
    Rule,
    Timeliness,
    scored_fields,
)
from resettlement.filters import Area, Filters, in_area, select_cases
from resettlement.period import quarter_expr
from resettlement.standard import ENUMS, TABLES, Field, When

Evaluated = Mapping[str, pl.DataFrame]


def _col_name(table: str, ref: str, ref_table: str | None = None) -> str:
    """Column holding ``ref`` on a row of ``table``: ``start_date`` or ``cases.start_date`` (joined)."""
    if ref_table is None and "." in ref:
        ref_table, ref = ref.split(".", 1)
    return ref if ref_table in (None, table) else f"{ref_table}.{ref}"


def _foreign(table: str) -> dict[str, set[str]]:
    """Columns of other tables that ``table``'s rules read, by table."""
    out: dict[str, set[str]] = {}
    for f in TABLES[table].fields:
        for w in f.when:
            if w.table and w.table != table:
                out.setdefault(w.table, set()).add(w.field)
    for c in VALIDITY_CHECKS:
        if c.table == table:
            for ref in (c.left, c.right):
                if "." in ref:
                    other, col = ref.split(".", 1)
                    out.setdefault(other, set()).add(col)
    return out


Frame = pl.DataFrame | pl.LazyFrame  # the rules are planned on either (lazy in the engine)


def _schema(df: Frame) -> pl.Schema:
    return df.collect_schema()


def _present(df: Frame, name: str) -> pl.Expr:
    col = pl.col(name)
    if _schema(df)[name] == pl.String:
        return col.is_not_null() & (col.str.strip_chars() != "")
    return col.is_not_null()


def _when(df: Frame, table: str, w: When) -> pl.Expr:
    name, value = _col_name(table, w.field, w.table), w.value
    col = pl.col(name)
    if w.op == "present":
        return _present(df, name)
    if w.op == "absent":
        return ~_present(df, name)
    if w.op == "in" and isinstance(value, tuple):
        return col.is_in(list(value)).fill_null(False)
    if w.op == "eq" and not isinstance(value, tuple):
        return (col == value).fill_null(False)
    if w.op == "gt" and not isinstance(value, tuple):
        return (col > value).fill_null(False)
    raise ValueError(f"unknown condition {w.op!r} {value!r}")


def applicable_expr(df: Frame, table: str, f: Field) -> pl.Expr:
    """True where the standard expects ``f`` on a row of ``df``."""
    expr = pl.lit(True)
    if f.status == "conditional":
        for w in f.when:
            expr = expr & _when(df, table, w)
    return expr


def _difference(df: Frame, left: str, right: str) -> pl.Expr:
    diff = pl.col(left) - pl.col(right)
    return diff.dt.total_days() if _schema(df)[left] == pl.Date else diff


def _rule_exprs(df: Frame, rule: Rule) -> tuple[pl.Expr, pl.Expr]:
    """(checked, invalid) for one rule on ``df``."""
    c = rule.check
    if rule.kind == "check" and c is not None:
        left, right = _col_name(c.table, c.left), _col_name(c.table, c.right)
        checked = _present(df, left) & _present(df, right)
        diff, offset = _difference(df, left, right), c.min_days or 0
        ok = {"ge": diff >= offset, "gt": diff > offset, "le": diff <= offset}[c.op]
        return checked, checked & ~ok
    f = rule.spec
    if f is None:
        raise ValueError(f"rule {rule.code!r} names no field")
    checked = _present(df, f.name)
    col = pl.col(f.name)
    if rule.kind == "range":
        bad = pl.lit(False)
        if f.min is not None:
            bad = bad | (col < f.min)
        if f.max is not None:
            bad = bad | (col > f.max)
        return checked, checked & bad
    if f.enum is None:
        raise ValueError(f"rule {rule.code!r} names no enumeration")
    allowed = list(ENUMS[f.enum])
    if f.dtype == "enum_list":
        ok = col.str.split(";").list.eval(pl.element().str.strip_chars().is_in(allowed)).list.all()
    else:
        ok = col.is_in(allowed)
    return checked, checked & ~ok.fill_null(False)


def _timely_exprs(df: Frame, rule: Timeliness) -> tuple[pl.Expr, pl.Expr]:
    checked = _present(df, rule.date) & _present(df, rule.since)
    return checked, checked & (_difference(df, rule.date, rule.since) > rule.max_days)


def case_attributes(cases: pl.DataFrame) -> pl.DataFrame:
    """The grouping attributes of each case (service on the start date, police area, quarter of start)."""
    if "service_code" not in cases.columns:
        cases = geography.attach_service(cases)
    return cases.with_columns(
        pl.col("la_code")
        .replace_strict(geography.POLICE_AREA_OF, default=None, return_dtype=pl.String)
        .alias("police_area"),
        pl.col("start_date").alias("record_date"),
        quarter_expr("start_date").alias("quarter"),
    )


def _with_context(
    name: str,
    frames: Mapping[str, pl.LazyFrame],
    cases: pl.LazyFrame,
    dims: Sequence[str] = tuple(DIMS),
) -> pl.LazyFrame:
    """``name``'s rows with their grouping attributes (``dims`` from the case; the others null) and every foreign
    column their rules read, planned lazily."""
    df = frames[name]
    foreign = _foreign(name)
    if name == "cases":
        return cases
    if name in CASE_TABLES:
        case_cols = sorted(foreign.get("cases", set()))
        side = cases.select(
            "case_id", *(c for c in dims if c not in ("case_id",)), *(pl.col(c).alias(f"cases.{c}") for c in case_cols)
        )
        if name in ONE_PER_CASE:  # one record expected per case: a case without one has every cell missing
            df = side.join(df.with_columns(pl.lit(True).alias("__row")), on="case_id", how="left")
            df = df.with_columns(pl.col("__row").is_null().alias("record_missing")).drop("__row")
        else:
            df = df.join(side, on="case_id", how="inner")
    meetings = frames.get("rrp_meetings")
    if "meeting_id" in _schema(df).names() and name != "rrp_meetings" and meetings is not None:
        cols = sorted(foreign.get("rrp_meetings", set()) | {"meeting_date", "rrp_id"})
        side = meetings.select("meeting_id", *(pl.col(c).alias(f"rrp_meetings.{c}") for c in cols))
        df = df.join(side, on="meeting_id", how="left")
    if name not in CASE_TABLES:
        day = (
            "meeting_date"
            if name == "rrp_meetings"
            else ("rrp_meetings.meeting_date" if name == "rrp_attendance" else None)
        )
        rrp = "rrp_meetings.rrp_id" if name == "rrp_attendance" else "rrp_id"
        df = df.with_columns(
            pl.col(rrp).alias("rrp_id"),
            (pl.col(day) if day else pl.lit(None, dtype=pl.Date)).alias("record_date"),
        ).with_columns(quarter_expr("record_date").alias("quarter"))
    missing = [c for c in DIMS if c not in _schema(df).names()]
    return df.with_columns(pl.lit(None, dtype=DIMS[c]).alias(c) for c in missing)


def evaluate(frames: Mapping[str, pl.DataFrame]) -> Evaluated:
    """Per table, one row per record: its grouping attributes, key, and boolean masks.

    Mask columns (:class:`~resettlement.completeness.rules.Mask`): per scored field, applicable and present (and
    applicable); per validity rule, checked and invalid; per timeliness rule, checked and late.
    """
    cases = case_attributes(frames["cases"]).lazy()
    lazy = {name: df.lazy() for name, df in frames.items()}
    out: dict[str, pl.LazyFrame] = {}
    for name, table in TABLES.items():
        if name not in frames:
            continue
        df = _with_context(name, lazy, cases)
        masks: list[pl.Expr] = []
        for f in scored_fields(name):
            applies = applicable_expr(df, name, f)
            present = applies & _present(df, f.name)
            masks += [applies.alias(Mask.APPLICABLE.column(f.name)), present.alias(Mask.PRESENT.column(f.name))]
        for rule in RULES:
            if rule.table == name:
                checked, bad = _rule_exprs(df, rule)
                masks += [checked.alias(Mask.CHECKED.column(rule.code)), bad.alias(Mask.INVALID.column(rule.code))]
        for timely in TIMELINESS:
            if timely.table == name:
                checked, late = _timely_exprs(df, timely)
                masks += [checked.alias(Mask.TIMED.column(timely.code)), late.alias(Mask.LATE.column(timely.code))]
        keep = list(
            dict.fromkeys(
                [
                    *DIMS,
                    *table.key,
                    *(["record_missing"] if name in ONE_PER_CASE else []),
                    *(["la_codes"] if name == "rrps" else []),
                ]
            )
        )
        out[name] = df.with_columns(masks).select(*keep, *(m.meta.output_name() for m in masks))
    # lazily and streamed, table by table, so the joined rows are never all held beside the masks built from them
    # (scale 100: the peak above the result falls from 0.8 to 0.5 GB)
    return {name: lf.collect(engine="streaming") for name, lf in out.items()}


def select_evaluated(frames: Mapping[str, pl.DataFrame], f: Filters) -> Evaluated:
    """``select(evaluate(frames), f)`` computed on the selected cases only: a case record is scored on its own values
    and its case's, so the other cases never change it, and evaluating a small selection is much cheaper."""
    cases = select_cases(frames["cases"], f)
    ids = cases.select("case_id")
    subset = {
        name: df.join(ids, on="case_id", how="semi", maintain_order="left")
        if name in CASE_TABLES and name != "cases"
        else df
        for name, df in frames.items()
    }
    subset["cases"] = cases
    return select(evaluate(subset), f)


def cell_counts(frames: Mapping[str, pl.DataFrame], f: Filters, by: Sequence[str] = ()) -> pl.DataFrame:
    """Applicable and missing cells of the case records of the filters' selection, per ``by`` group (see
    :data:`DIMS`): the same ``cells_applicable`` and ``cells_missing`` as ``scores(select(evaluate(frames), f),
    by)``, computed for the selected cases only and without the validity and timeliness rules, for headline
    figures that need completeness alone. Every group present in the selection gets a row; with no ``by``, one row
    (zeros for an empty selection)."""
    by = list(by)
    cases = case_attributes(select_cases(frames["cases"], f)).lazy()
    lazy = {name: df.lazy() for name, df in frames.items()}  # joins planned with the columns they need
    parts = []
    for name in CASE_TABLES:
        fields = scored_fields(name)
        if name not in frames or not fields:
            continue
        # only the columns the cells and their conditions read, and the grouping columns: narrow joins
        own = {
            "case_id",
            *(fd.name for fd in fields),
            *(w.field for fd in fields for w in fd.when if w.table in (None, name)),
        }
        narrow = {**lazy, name: lazy[name].select(c for c in TABLES[name].columns if c in own)}
        df = _with_context(name, narrow, cases, dims=["case_id", *by])
        applies = [applicable_expr(df, name, fd) for fd in fields]
        missing = [a & ~_present(df, fd.name) for a, fd in zip(applies, fields, strict=True)]
        parts.append(
            df.lazy().select(
                *by,
                pl.sum_horizontal([a.cast(pl.Int64) for a in applies]).alias("cells_applicable"),
                pl.sum_horizontal([m.cast(pl.Int64) for m in missing]).alias("cells_missing"),
            )
        )
    schema = pl.Schema(
        {**{b: DIMS.get(b, pl.String()) for b in by}, "cells_applicable": pl.Int64(), "cells_missing": pl.Int64()}
    )
    if not parts:
        return pl.DataFrame(schema=schema) if by else pl.DataFrame([[0], [0]], schema=schema)
    rows = pl.concat(parts)
    sums = [pl.col("cells_applicable").sum(), pl.col("cells_missing").sum()]
    out = rows.group_by(by).agg(sums).sort(by, nulls_last=True) if by else rows.select(sums)
    return out.collect().cast(schema)


# ------------------------------------------------------------------------------------------------------- selection


def rrps_covering(ev: Evaluated, area: Area) -> list[str]:
    """RRPs covering any authority of ``area``."""
    las = set(geography.area_la_codes(area.level, area.code))
    rrps = ev.get("rrps")
    if rrps is None:
        return []
    return [
        r["rrp_id"]
        for r in rrps.select("rrp_id", "la_codes").iter_rows(named=True)
        if set((r["la_codes"] or "").split(";")) & las
    ]


def select(
    ev: Evaluated,
    f: Filters,
    with_period: bool = True,
    area: Area | None = None,
    partnership: bool = False,
) -> Evaluated:
    """The records a view scores: case records of cases in ``area`` (default: the filter's), the filter's cohorts
    and (optionally) period; with ``partnership``, also the records of RRPs covering the area (meetings in the
    period)."""
    area = f.area if area is None else area
    period = pl.col("record_date").is_between(f.start, f.end, closed="both") if with_period else pl.lit(True)
    out: dict[str, pl.DataFrame] = {}
    for name, df in ev.items():
        if name in CASE_TABLES:
            out[name] = _keep(df, in_area(df, area) & pl.col("cohort").is_in(list(f.cohorts)) & period)
        elif partnership:
            undated = pl.col("record_date").is_null()
            out[name] = _keep(df, pl.col("rrp_id").is_in(rrps_covering(ev, area)) & (undated | period))
    return out


def _keep(df: pl.DataFrame, condition: pl.Expr) -> pl.DataFrame:
    """``df.filter(condition)``, but ``df`` itself when every row is kept (no copy of millions of masks)."""
    mask = df.select(condition.fill_null(False)).to_series()
    return df if mask.all() else df.filter(mask)

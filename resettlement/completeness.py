"""Data completeness, validity and timeliness scores, derived from the data standard (never re-declared).

Definitions (shown on the Definitions page):

- A **cell** is one field of one record. A field's cell is **applicable** when the standard expects it: always for
  an ``expected`` field; for a ``conditional`` field only when all its :class:`~resettlement.standard.When`
  conditions hold (conditions on the case, ``table="cases"``, are read from the record's case). A cell that is
  not applicable never counts, so a record whose conditional field does not apply loses nothing for it (its
  score on that rule is 100%). ``required`` fields are enforced at import; ``optional`` ones are never scored.
  A table whose key is exactly the case (``outcomes``: one row per case) expects a record for every case: a
  case with no such record has all of that record's applicable cells missing.
- **Completeness** = present cells ÷ applicable cells, pooled over every cell in a group (so a field that
  applies to many records weighs more than a rare one). Blank text counts as missing.
- **Validity** = 1 − invalid ÷ checked, pooled over named rules: every cross-field rule of
  :data:`~resettlement.standard.CHECKS` plus :data:`EXTRA_CHECKS`, every numeric range (``min``/``max``) and
  every list of allowed values. A rule is *checked* on a record when all its values are present; it is
  *invalid* when they are present but impossible.
- **Timeliness** = on-time ÷ checked over :data:`TIMELINESS` rules (a date within N days of another; checked
  when both dates are present; a missing date is a completeness problem, not a late one).
- **RAG**: green when completeness is at least the green threshold, amber when at least the amber threshold,
  red below (settings ``RESETTLEMENT_RAG_GREEN`` and ``RESETTLEMENT_RAG_AMBER``).

Case records (``cases``, ``needs``, ``outcomes``, ``rrp_reviews``) are grouped by their case: home local
authority, youth justice service on the start date, police force area, cohort, RRP referred to and quarter of
the episode's start. Partnership records (``rrps``, ``rrp_meetings``, ``rrp_attendance``) belong to an RRP, not
an authority: they are scored by RRP, table and rule (quarter of the meeting), never in area scores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

from resettlement import disclosure, geography, settings
from resettlement.filters import Area, Filters, in_area, quarter_expr
from resettlement.i18n import label, t
from resettlement.standard import CHECKS, ENUMS, TABLES, Check, Field, When

# ---------------------------------------------------------------------------------------------------- rules as data

# Validity rules the standard does not declare, in the standard's own form (``table.column`` reaches the row's
# case, or its meeting through ``meeting_id``).
EXTRA_CHECKS: tuple[Check, ...] = (
    # An RRP cannot review a child before the child was referred to it.
    Check("review_after_referral", "rrp_reviews", "rrp_meetings.meeting_date", "ge", "cases.rrp_referral_date"),
)
VALIDITY_CHECKS: tuple[Check, ...] = CHECKS + EXTRA_CHECKS


@dataclass(frozen=True)
class Timeliness:
    """``date`` should be at most ``max_days`` after ``since`` (an earlier date is on time)."""

    code: str
    table: str
    date: str
    since: str
    max_days: int


# Assumption, configurable here: about 20 working days. National timescales for the resettlement plan and the
# AssetPlus assessment could not be confirmed from public guidance (local protocols use 15-20 working days).
TIMELINESS: tuple[Timeliness, ...] = (
    Timeliness("plan_on_time", "cases", "plan_date", "start_date", 28),
    Timeliness("assessment_on_time", "cases", "assessment_date", "start_date", 28),
)


@dataclass(frozen=True)
class Rule:
    """One named validity rule on ``table``: a cross-field check, a range or a list of allowed values."""

    code: str
    table: str
    kind: Literal["check", "range", "enum"]
    field: str  # the value to correct when the rule fails (``table.column`` when it is another table's)
    check: Check | None = None
    spec: Field | None = None


def validity_rules() -> tuple[Rule, ...]:
    """Every validity rule, derived from the standard (checks, ranges, allowed values) and EXTRA_CHECKS."""
    rules = [Rule(c.code, c.table, "check", c.left, check=c) for c in VALIDITY_CHECKS]
    for table in TABLES.values():
        for f in table.fields:
            if f.min is not None or f.max is not None:
                rules.append(Rule(f"range.{table.name}.{f.name}", table.name, "range", f.name, spec=f))
            if f.enum:
                rules.append(Rule(f"enum.{table.name}.{f.name}", table.name, "enum", f.name, spec=f))
    return tuple(rules)


RULES: tuple[Rule, ...] = validity_rules()
SCORED_STATUSES = ("expected", "conditional")
CASE_TABLES: tuple[str, ...] = tuple(n for n, tb in TABLES.items() if n == "cases" or tb.case_linked)
PARTNERSHIP_TABLES: tuple[str, ...] = tuple(n for n in TABLES if n not in CASE_TABLES)
ONE_PER_CASE: tuple[str, ...] = tuple(n for n, tb in TABLES.items() if tb.case_linked and tb.key == ("case_id",))
DIMS: dict[str, pl.DataType] = {
    "case_id": pl.String(),
    "la_code": pl.String(),
    "service_code": pl.String(),
    "police_area": pl.String(),
    "cohort": pl.String(),
    "rrp_id": pl.String(),
    "record_date": pl.Date(),
    "quarter": pl.String(),
}
KINDS = ("completeness", "validity", "timeliness")
LEVELS: dict[str, str] = {
    "la": "la_code",
    "service": "service_code",
    "police_area": "police_area",
    "rrp": "rrp_id",
    "quarter": "quarter",
}
NOT_REFERRED = "none"
RAG = ("green", "amber", "red")


@dataclass(frozen=True)
class Thresholds:
    """RAG thresholds on completeness (fractions); the defaults are settings."""

    green: float
    amber: float

    def __post_init__(self) -> None:
        if not 0 <= self.amber <= self.green <= 1:
            raise ValueError("RAG thresholds must satisfy 0 <= amber <= green <= 1")

    @classmethod
    def from_settings(cls) -> Thresholds:
        return cls(*settings.rag_thresholds())


def scored_fields(table: str) -> tuple[Field, ...]:
    """The fields of ``table`` that completeness scores (expected and conditional)."""
    return tuple(f for f in TABLES[table].fields if f.status in SCORED_STATUSES)


# ------------------------------------------------------------------------------------------------------ evaluation

Evaluated = dict[str, pl.DataFrame]


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


def _schema(df: pl.DataFrame | pl.LazyFrame) -> pl.Schema:
    return df.collect_schema()


def _present(df: pl.DataFrame | pl.LazyFrame, name: str) -> pl.Expr:
    col = pl.col(name)
    if _schema(df)[name] == pl.String:
        return col.is_not_null() & (col.str.strip_chars() != "")
    return col.is_not_null()


def _when(df: pl.DataFrame, table: str, w: When) -> pl.Expr:
    name = _col_name(table, w.field, w.table)
    col = pl.col(name)
    if w.op == "present":
        return _present(df, name)
    if w.op == "absent":
        return ~_present(df, name)
    if w.op == "eq":
        return (col == w.value).fill_null(False)
    if w.op == "in":
        return col.is_in(list(w.value)).fill_null(False)
    if w.op == "gt":
        return (col > w.value).fill_null(False)
    raise ValueError(f"unknown condition {w.op!r}")


def applicable_expr(df: pl.DataFrame, table: str, f: Field) -> pl.Expr:
    """True where the standard expects ``f`` on a row of ``df``."""
    expr = pl.lit(True)
    if f.status == "conditional":
        for w in f.when:
            expr = expr & _when(df, table, w)
    return expr


def _difference(df: pl.DataFrame, left: str, right: str) -> pl.Expr:
    diff = pl.col(left) - pl.col(right)
    return diff.dt.total_days() if _schema(df)[left] == pl.Date else diff


def _rule_exprs(df: pl.DataFrame, rule: Rule) -> tuple[pl.Expr, pl.Expr]:
    """(checked, invalid) for one rule on ``df``."""
    if rule.kind == "check":
        c = rule.check
        left, right = _col_name(c.table, c.left), _col_name(c.table, c.right)
        checked = _present(df, left) & _present(df, right)
        diff, offset = _difference(df, left, right), c.min_days or 0
        ok = {"ge": diff >= offset, "gt": diff > offset, "le": diff <= offset}[c.op]
        return checked, checked & ~ok
    f = rule.spec
    checked = _present(df, f.name)
    col = pl.col(f.name)
    if rule.kind == "range":
        bad = pl.lit(False)
        if f.min is not None:
            bad = bad | (col < f.min)
        if f.max is not None:
            bad = bad | (col > f.max)
        return checked, checked & bad
    allowed = list(ENUMS[f.enum])
    if f.dtype == "enum_list":
        ok = col.str.split(";").list.eval(pl.element().str.strip_chars().is_in(allowed)).list.all()
    else:
        ok = col.is_in(allowed)
    return checked, checked & ~ok.fill_null(False)


def _timely_exprs(df: pl.DataFrame, rule: Timeliness) -> tuple[pl.Expr, pl.Expr]:
    checked = _present(df, rule.date) & _present(df, rule.since)
    return checked, checked & (_difference(df, rule.date, rule.since) > rule.max_days)


def case_attributes(cases: pl.DataFrame) -> pl.DataFrame:
    """The grouping attributes of each case (service on the start date, police area, quarter of start)."""
    if "service_code" not in cases.columns:
        cases = geography.attach_service(cases)
    police = {la.code: la.police_area for la in geography.LOCAL_AUTHORITIES}
    return cases.with_columns(
        pl.col("la_code").replace_strict(police, default=None, return_dtype=pl.String).alias("police_area"),
        pl.col("start_date").alias("record_date"),
        quarter_expr("start_date").alias("quarter"),
    )


def _with_context(
    name: str,
    frames: Mapping[str, pl.DataFrame | pl.LazyFrame],
    cases: pl.DataFrame | pl.LazyFrame,
    dims: Sequence[str] = tuple(DIMS),
) -> pl.DataFrame | pl.LazyFrame:
    """``name``'s rows with their grouping attributes (``dims`` from the case; the others null) and every foreign
    column their rules read (lazy when the frames are)."""
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

    Mask columns: ``a:<field>`` applicable, ``p:<field>`` applicable and present, ``c:<rule>`` checked,
    ``x:<rule>`` invalid, ``t:<rule>`` timeliness checked, ``l:<rule>`` late.
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
            masks += [applies.alias(f"a:{f.name}"), (applies & _present(df, f.name)).alias(f"p:{f.name}")]
        for rule in RULES:
            if rule.table == name:
                checked, bad = _rule_exprs(df, rule)
                masks += [checked.alias(f"c:{rule.code}"), bad.alias(f"x:{rule.code}")]
        for rule in TIMELINESS:
            if rule.table == name:
                checked, late = _timely_exprs(df, rule)
                masks += [checked.alias(f"t:{rule.code}"), late.alias(f"l:{rule.code}")]
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
    from resettlement.filters import select_cases

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
    from resettlement.filters import select_cases

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
    schema = {**{b: DIMS.get(b, pl.String()) for b in by}, "cells_applicable": pl.Int64(), "cells_missing": pl.Int64()}
    if not parts:
        return pl.DataFrame(schema=schema) if by else pl.DataFrame([[0], [0]], schema=schema)
    rows = pl.concat(parts)
    sums = [pl.col("cells_applicable").sum(), pl.col("cells_missing").sum()]
    out = rows.group_by(by).agg(sums).sort(by, nulls_last=True) if by else rows.select(sums)
    return out.collect().cast(schema)


def record_scores(ev: Evaluated, table: str) -> pl.DataFrame:
    """Per record of ``table``: applicable and present cells and the record's completeness, and per field
    ``<field>`` = 1.0 when the cell is present or does not apply (100% on that rule), 0.0 when missing."""
    df = ev[table]
    fields = [f.name for f in scored_fields(table)]
    return df.select(
        *TABLES[table].key,
        pl.sum_horizontal(pl.col(f"a:{f}") for f in fields).alias("applicable"),
        pl.sum_horizontal(pl.col(f"p:{f}") for f in fields).alias("present"),
        *((~pl.col(f"a:{f}") | pl.col(f"p:{f}")).cast(pl.Float64).alias(f) for f in fields),
    ).with_columns((pl.col("present") / pl.col("applicable")).alias("completeness"))


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
    out: Evaluated = {}
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


# ---------------------------------------------------------------------------------------------------------- scores


def _masks(df: pl.DataFrame, prefix: str) -> list[str]:
    return [c[2:] for c in df.columns if c.startswith(prefix)]


_PAIRS = {"completeness": ("a:", "p:"), "validity": ("c:", "x:"), "timeliness": ("t:", "l:")}


def tally(ev: Evaluated, by: Sequence[str] = ()) -> pl.DataFrame:
    """Long counts: one row per group × table × kind × item (field or rule), with ``n`` (applicable or checked)
    and ``bad`` (missing, invalid or late). ``by`` names grouping attributes (see :data:`DIMS`)."""
    parts = []
    for name, df in ev.items():
        keys = ["__all", *by]
        sums = []
        items: list[tuple[str, str, str, str]] = []
        for kind, (n_prefix, x_prefix) in _PAIRS.items():
            for item in _masks(df, n_prefix):
                n_col, x_col = f"{n_prefix}{item}", f"{x_prefix}{item}"
                bad = (~pl.col(x_col) & pl.col(n_col)) if kind == "completeness" else pl.col(x_col)
                sums += [pl.col(n_col).sum().alias(f"n|{kind}|{item}"), bad.sum().alias(f"b|{kind}|{item}")]
                items.append((kind, item, f"n|{kind}|{item}", f"b|{kind}|{item}"))
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
    dims = [b for b in by if b != "table"]
    tl = tally(ev, dims)
    pooled = tl.group_by([*by, "kind"]).agg(pl.col("n").sum(), pl.col("bad").sum())
    counts = _counts(ev, by)
    out = counts
    names = {
        "completeness": ("cells_applicable", "cells_missing"),
        "validity": ("values_checked", "values_invalid"),
        "timeliness": ("dates_checked", "dates_late"),
    }
    for kind, (n_name, bad_name) in names.items():
        part = pooled.filter(pl.col("kind") == kind).select(
            *by, pl.col("n").alias(n_name), pl.col("bad").alias(bad_name)
        )
        out = out.join(part, on=by, how="left", nulls_equal=True) if by else out.join(part, how="cross")
    filled = [c for pair in names.values() for c in pair]
    out = out.with_columns(pl.col(c).fill_null(0) for c in filled).with_columns(
        _rate(bad, n).alias(kind) for kind, (n, bad) in names.items()
    )
    keys = [*by, "item"] if "table" in by else [*by, "table", "item"]
    worst = (
        tl.filter((pl.col("kind") == "completeness") & (pl.col("bad") > 0))
        .group_by(keys)
        .agg(pl.col("bad").sum())
        .sort([*by, "bad", "table", "item"], descending=[*([False] * len(by)), True, False, False], nulls_last=True)
        .with_columns(pl.format("{}.{}", "table", "item").alias("worst_field"))
    )
    worst = (worst.group_by(by, maintain_order=True).first() if by else worst.head(1)).select(
        *by, "worst_field", pl.col("bad").alias("worst_field_missing")
    )
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


def field_scores(ev: Evaluated, by: Sequence[str] = ()) -> pl.DataFrame:
    """Per group × table × field: applicable, missing, completeness and the field's share of the group's
    missing cells, ranked (1 = pulls the score down most)."""
    by = list(by)
    tl = tally(ev, by).filter(pl.col("kind") == "completeness")
    counts = _counts(ev, [*by, "table"])
    out = (
        tl.select(
            *by,
            "table",
            pl.col("item").alias("field"),
            pl.col("n").alias("cells_applicable"),
            pl.col("bad").alias("cells_missing"),
        )
        .with_columns(_rate("cells_missing", "cells_applicable").alias("completeness"))
        .with_columns((pl.col("cells_missing") / _over(pl.col("cells_missing").sum(), by)).alias("share_of_missing"))
        .join(counts, on=[*by, "table"], how="left", nulls_equal=True)
        .sort([*by, "cells_missing", "table", "field"], descending=[*([False] * len(by)), True, False, False])
    )
    return out.with_columns(_over(pl.int_range(1, pl.len() + 1), by).alias("rank"))


def _over(expr: pl.Expr, by: Sequence[str]) -> pl.Expr:
    return expr.over(by) if by else expr


def rule_scores(ev: Evaluated, by: Sequence[str] = ()) -> pl.DataFrame:
    """Per group × validity rule: values checked, invalid, and validity."""
    by = list(by)
    tl = tally(ev, by).filter(pl.col("kind") == "validity")
    counts = _counts(ev, [*by, "table"])
    return (
        tl.select(
            *by,
            "table",
            pl.col("item").alias("rule"),
            pl.col("n").alias("values_checked"),
            pl.col("bad").alias("values_invalid"),
        )
        .with_columns(_rate("values_invalid", "values_checked").alias("validity"))
        .join(counts, on=[*by, "table"], how="left", nulls_equal=True)
        .sort([*by, "values_invalid", "table", "rule"], descending=[*([False] * len(by)), True, False, False])
    )


def timeliness_scores(ev: Evaluated, by: Sequence[str] = ()) -> pl.DataFrame:
    """Per group × timeliness rule: dates checked, late, timeliness and the rule's number of days."""
    by = list(by)
    days = {r.code: r.max_days for r in TIMELINESS}
    tl = tally(ev, by).filter(pl.col("kind") == "timeliness")
    counts = _counts(ev, [*by, "table"])
    return (
        tl.select(
            *by,
            "table",
            pl.col("item").alias("rule"),
            pl.col("n").alias("dates_checked"),
            pl.col("bad").alias("dates_late"),
        )
        .with_columns(
            _rate("dates_late", "dates_checked").alias("timeliness"),
            pl.col("rule").replace_strict(days, return_dtype=pl.Int64).alias("days"),
        )
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


def area_scores(ev: Evaluated, f: Filters, level: str, thresholds: Thresholds | None = None) -> pl.DataFrame:
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


BY: tuple[str, ...] = (
    "wales",
    "la",
    "service",
    "police_area",
    "rrp",
    "quarter",
    "field",
    "table",
    "rule",
    "timeliness",
)


def view(
    ev: Evaluated, f: Filters, by: str, quarters: Sequence[str], thresholds: Thresholds | None = None
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


def text_report(rows: list[dict], by: str, f: Filters) -> str:
    """The CLI's plain-text table of :func:`report` rows (English; figures as the page shows them)."""
    area = geography.area_name(f.area.level, f.area.code) if f.area.code else "Wales"
    view = {
        "wales": "trend",
        "quarter": "trend",
        "field": "fields",
        "table": "tables",
        "rule": "rules",
        "timeliness": "timeliness",
    }.get(by, "areas")
    key = {"wales": "series", "field": "table"}.get(by, "area_code" if by in AREA_LEVELS else None)
    if by in AREA_LEVELS and by != "rrp":
        names = area_names(by, "en")
        rows = [{"area": names.get(r["area_code"], r["area_code"]), **r} for r in rows]
    cols = [c for c in dict.fromkeys([*([key] if key else []), *VIEWS[view]]) if rows and c in rows[0]]
    lines = [
        f"Data completeness by {by}: {area}, episodes starting {f.start_q} to {f.end_q}, cohorts "
        f"{', '.join(f.cohorts)} (rates in %; c = suppressed, z = not applicable)"
    ]
    table = [[str(c) for c in cols]] + [["" if r[c] is None else str(r[c]) for c in cols] for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(cols))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in table]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------- fix list


def fix_list(ev: Evaluated, f: Filters) -> pl.DataFrame:
    """Case-level list of what to correct in the selection's case records: one row per case, table, record,
    field and problem (``missing``, ``invalid`` with the rule, or ``record_missing`` for a whole record).
    Only for viewers with case-level rights (the caller checks)."""
    parts = []
    for name, df in select(ev, f).items():
        record = _record_expr(name)
        base = [pl.col("case_id"), pl.col("la_code"), pl.lit(name).alias("table"), record.alias("record")]
        gone = pl.col("record_missing") if name in ONE_PER_CASE else pl.lit(False)
        if name in ONE_PER_CASE:
            parts.append(
                df.filter(gone).select(
                    *base,
                    pl.lit("").alias("field"),
                    pl.lit("record_missing").alias("problem"),
                    pl.lit(None, dtype=pl.String).alias("rule"),
                )
            )
        for field in _masks(df, "a:"):
            parts.append(
                df.filter(pl.col(f"a:{field}") & ~pl.col(f"p:{field}") & ~gone).select(
                    *base,
                    pl.lit(field).alias("field"),
                    pl.lit("missing").alias("problem"),
                    pl.lit(None, dtype=pl.String).alias("rule"),
                )
            )
        for rule in RULES:
            if rule.table == name:
                parts.append(
                    df.filter(pl.col(f"x:{rule.code}")).select(
                        *base,
                        pl.lit(rule.field).alias("field"),
                        pl.lit("invalid").alias("problem"),
                        pl.lit(rule.code).alias("rule"),
                    )
                )
    schema = {
        "case_id": pl.String,
        "la_code": pl.String,
        "table": pl.String,
        "record": pl.String,
        "field": pl.String,
        "problem": pl.String,
        "rule": pl.String,
    }
    if not parts:
        return pl.DataFrame(schema=schema)
    order = {name: i for i, name in enumerate(TABLES)}
    return pl.concat([p.cast(schema) for p in parts]).sort(
        "la_code", "case_id", pl.col("table").replace_strict(order, return_dtype=pl.Int64), "record", "field"
    )


def _record_expr(table: str) -> pl.Expr:
    """Which record of a case (beyond the case itself) a row is, for the fix list."""
    extra = [k for k in TABLES[table].key if k != "case_id"]
    if not extra:
        return pl.lit("")
    return pl.concat_str([pl.col(k) for k in extra], separator=" · ")


# ----------------------------------------------------------------------------------------- disclosure and labels

RATE_COLUMNS = ("completeness", "validity", "timeliness", "share_of_missing", *(f"{k}_vs_wales" for k in KINDS))
CELL_COLUMNS = (
    "cells_applicable",
    "cells_missing",
    "values_checked",
    "values_invalid",
    "dates_checked",
    "dates_late",
    "worst_field",
    "worst_field_missing",
    "rag",
    "records",
)
AREA_LEVELS = ("la", "service", "police_area", "rrp")
VIEWS: dict[str, tuple[str, ...]] = {
    "areas": (
        "area",
        "episodes",
        "completeness",
        "rag",
        "validity",
        "timeliness",
        "values_invalid",
        "worst_field",
        "worst_field_missing",
    ),
    "trend": (
        "quarter",
        "series",
        "episodes",
        "completeness",
        "rag",
        "validity",
        "timeliness",
        "cells_applicable",
        "cells_missing",
        "values_invalid",
        "dates_late",
    ),
    "fields": ("rank", "field", "cells_missing", "share_of_missing", "cells_applicable", "completeness", "description"),
    "rules": ("rule", "table", "values_checked", "values_invalid", "validity"),
    "timeliness": ("rule", "dates_checked", "dates_late", "timeliness"),
    "tables": (
        "table",
        "episodes",
        "records",
        "cells_applicable",
        "cells_missing",
        "completeness",
        "rag",
        "values_checked",
        "values_invalid",
        "validity",
        "timeliness",
    ),
}


def protected(df: pl.DataFrame, threshold: int, rounding: disclosure.Protection | None = None) -> pl.DataFrame:
    """Scores as the page and the CLI show them: rates as percentages to one decimal, episodes (children's
    cases) suppressed from 1 to threshold − 1, and every figure of a group resting on fewer than ``threshold``
    episodes (or, for partnership records only, records) suppressed too; a rate with nothing to check is
    marked ``z`` (not applicable). Drops the working columns. With ``rounding`` (the publication view), episodes are
    hidden or rounded as every count is there (:func:`resettlement.disclosure.rounded`), and the cell counts are
    rounded too (their exact values would give the episodes back)."""
    basis = pl.when(pl.col("episodes") > 0).then(pl.col("episodes")).otherwise(pl.col("records"))
    rates = [c for c in RATE_COLUMNS if c in df.columns]
    df = df.with_columns(basis.alias("__basis"), *(_percent(c) for c in rates))
    judged = {c: "__basis" for c in (*rates, *CELL_COLUMNS) if c in df.columns}
    counts = ["episodes"] if "episodes" in df.columns else []
    if rounding is not None:
        cells = [c for c in CELL_COLUMNS if c in df.columns and df[c].dtype.is_integer()]
        out = (
            disclosure.rounded(df, counts, judged, rounding)
            .with_columns(disclosure.round_to(pl.col(c), rounding.base, rounding.key).cast(df[c].dtype) for c in cells)
            .drop("__basis")
        )
    else:
        out = disclosure.protect(df, counts=counts, rates=judged, threshold=threshold).drop("__basis")
    note = disclosure.NOTE_SUFFIX
    return out.with_columns(
        pl.when(pl.col(c).is_null() & pl.col(c + note).is_null())
        .then(pl.lit(disclosure.NOT_APPLICABLE))
        .otherwise(pl.col(c + note))
        .alias(c + note)
        for c in rates
    )


def _percent(col: str) -> pl.Expr:
    """A share as a percentage to one decimal that never rounds to 100% (or 0%) unless it is exactly that:
    99.96% with two impossible values shows 99.9%, not 100.0%."""
    x, shown = pl.col(col), (pl.col(col) * 100).round(1)
    return (
        pl.when((x < 1) & (shown >= 100))
        .then(pl.lit(99.9))
        .when((x > 0) & (shown <= 0))
        .then(pl.lit(0.1))
        .otherwise(shown)
        .alias(col)
    )


def records(protected_df: pl.DataFrame) -> list[dict]:
    """Rows of a protected frame as plain values: the figure where shown, its note code (c, z) where hidden."""
    return disclosure.to_records(protected_df)


def shown(protected_df: pl.DataFrame, view: str) -> pl.DataFrame:
    """The columns a view shows (with their note columns), in order."""
    note = disclosure.NOTE_SUFFIX
    cols = [c for c in VIEWS[view] if c in protected_df.columns]
    return protected_df.select(*cols, *(c + note for c in cols if c + note in protected_df.columns))


def for_map(protected_df: pl.DataFrame) -> pl.DataFrame:
    """The area table as the map component takes it: ``missing_share`` = 1 − completeness as a fraction (a
    map of completeness in the 90s would be one colour; the share missing spreads the classes), hidden where
    completeness is, with ``episodes`` as the denominator."""
    note = disclosure.NOTE_SUFFIX
    return protected_df.select(
        "area_code",
        ((100 - pl.col("completeness")) / 100).round(3).alias("missing_share"),
        pl.col("completeness" + note).alias("missing_share" + note),
        "episodes",
        "episodes" + note,
    )


def fmt_pct(value: object) -> str:
    """A protected percentage for a metric: ``95.1%``, or the note code."""
    return f"{value:.1f}%" if isinstance(value, int | float) else str(value)


def fmt_count(value: object) -> str:
    """A protected count for text: ``21,212``, or the note code."""
    return f"{value:,}" if isinstance(value, int) else str(value)


def delta_text(row: Mapping[str, object], kind: str, lang: str) -> tuple[str | None, str]:
    """The selection's difference from the comparator in percentage points for a metric's delta, and the
    delta colour (higher is better; a difference that rounds to zero is neutral, ``off``)."""
    diff = row.get(f"{kind}_vs_wales")
    if not isinstance(diff, int | float):
        return None, "off"
    if round(diff, 1) == 0:
        return t("completeness.delta", lang, diff="±0.0"), "off"
    return t("completeness.delta", lang, diff=f"{diff:+.1f}"), "normal"


def rule_label(code: str, lang: str) -> str:
    """Plain-language name of a validity or timeliness rule."""
    if code.startswith(("range.", "enum.")):
        kind, table, field = code.split(".")
        f = TABLES[table].field(field)
        return t(f"completeness.rule.{kind}", lang, field=f"{table}.{field}", min=_num(f.min), max=_num(f.max))
    days = {r.code: r.max_days for r in TIMELINESS}
    if code in days:
        return t(f"completeness.rule.{code}", lang, days=days[code])
    return t(f"completeness.rule.{code}", lang)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def area_names(level: str, lang: str, rrps: pl.DataFrame | None = None) -> dict[str, str]:
    """Display names of every area code at ``level`` (RRP names from the rrps table; ``none`` = not referred)."""
    if level == "rrp":
        name = "name_cy" if lang == "cy" else "name"
        names = {} if rrps is None else {r["rrp_id"]: r[name] or r["name"] for r in rrps.iter_rows(named=True)}
        return {**names, NOT_REFERRED: t("completeness.not_referred", lang)}
    return {code: geography.area_name(level, code, lang) for code in geography.area_codes(level)}


def for_view(
    protected_df: pl.DataFrame,
    view: str,
    lang: str,
    names: Mapping[str, Mapping[str, str]] | None = None,
) -> pl.DataFrame:
    """A protected frame ready for a table: codes replaced by labels in ``lang`` (RAG status, rules, fields
    with their description, and any ``{column: {code: label}}`` in ``names``, e.g. area names into ``area``
    from ``area_code``), then the view's columns."""
    df = protected_df
    names = dict(names or {})
    if "area_code" in df.columns and "area" in names:
        df = df.with_columns(pl.col("area_code").alias("area"))
    exprs = [
        pl.col(c).replace_strict(dict(m), default=pl.col(c), return_dtype=pl.String)
        for c, m in names.items()
        if c in df.columns
    ]
    if "rag" in df.columns:
        exprs.append(
            pl.col("rag").replace_strict(
                {c: t(f"completeness.rag.{c}", lang) for c in RAG}, default=None, return_dtype=pl.String
            )
        )
    if "rule" in df.columns:
        codes = df["rule"].drop_nulls().unique().to_list()
        exprs.append(
            pl.col("rule").replace_strict({c: rule_label(c, lang) for c in codes}, default=None, return_dtype=pl.String)
        )
    if view == "fields":
        pairs = df.select("table", "field").unique().iter_rows()
        described = {f"{tb}.{fd}": t(f"field.{tb}.{fd}", lang) for tb, fd in pairs}
        df = df.with_columns(pl.format("{}.{}", "table", "field").alias("field"))
        exprs.append(
            pl.col("field").replace_strict(described, default=None, return_dtype=pl.String).alias("description")
        )
    return shown(df.with_columns(exprs) if exprs else df, view)


def fix_list_labelled(fixes: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The fix list with headers, authorities and problems in the chosen language, ready to show and download."""
    codes = fixes["rule"].drop_nulls().unique().to_list()
    rules = {c: rule_label(c, lang) for c in codes}
    invalid = t("completeness.fix.invalid", lang)
    problem = (
        pl.when(pl.col("problem") == "invalid")
        .then(pl.lit(f"{invalid}: ") + pl.col("rule").replace_strict(rules, default=pl.col("rule")))
        .otherwise(
            pl.col("problem").replace_strict(
                {p: t(f"completeness.fix.{p}", lang) for p in ("missing", "record_missing")}, default=None
            )
        )
    )
    la = {c: geography.la_name(c, lang) for c in geography.LA_CODES}
    codes = {c: label(e, c, lang) for e in ("pathway", "review_type") for c in ENUMS[e]}
    record = (
        pl.col("record")
        .str.split(" · ")
        .list.eval(pl.element().replace_strict(codes, default=pl.element(), return_dtype=pl.String))
        .list.join(" · ")
    )
    out = fixes.with_columns(
        pl.col("la_code").replace_strict(la, default=pl.col("la_code")),
        record.alias("record"),
        pl.when(pl.col("field").str.contains(".", literal=True) | (pl.col("field") == ""))
        .then(pl.col("field"))
        .otherwise(pl.format("{}.{}", "table", "field"))
        .alias("field"),
        problem.alias("problem"),
    ).select("la_code", "case_id", "table", "record", "field", "problem")
    return out.rename({c: t(f"completeness.fix.col.{c}", lang) for c in out.columns})

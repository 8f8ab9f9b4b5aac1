"""The fix list: the case-level list of what to correct in the selection's case records (missing cells, invalid
values, missing records), and its labelled form to show and download. Only for viewers with case-level rights."""

from __future__ import annotations

import polars as pl

from resettlement import geography
from resettlement.completeness.engine import Evaluated, select
from resettlement.completeness.present import rule_label
from resettlement.completeness.rules import ONE_PER_CASE, RULES, Mask
from resettlement.filters import Filters
from resettlement.i18n import label, t
from resettlement.standard import ENUMS, TABLES

FIX_SCHEMA = pl.Schema({c: pl.String() for c in ("case_id", "la_code", "table", "record", "field", "problem", "rule")})


def fix_list(ev: Evaluated, f: Filters) -> pl.DataFrame:
    """Case-level list of what to correct in the selection's case records: one row per case, table, record,
    field and problem (``missing``, ``invalid`` with the rule, or ``record_missing`` for a whole record).
    Only for viewers with case-level rights (the caller checks)."""
    parts = [part for name, df in select(ev, f).items() for part in _table_fixes(name, df)]
    if not parts:
        return pl.DataFrame(schema=FIX_SCHEMA)
    order = {name: i for i, name in enumerate(TABLES)}
    return pl.concat([p.cast(FIX_SCHEMA) for p in parts]).sort(
        "la_code", "case_id", pl.col("table").replace_strict(order, return_dtype=pl.Int64), "record", "field"
    )


def _table_fixes(name: str, df: pl.DataFrame) -> list[pl.DataFrame]:
    """The fix list's rows of one table's evaluated records: missing records, missing cells, invalid values."""
    base = [pl.col("case_id"), pl.col("la_code"), pl.lit(name).alias("table"), _record_expr(name).alias("record")]

    def rows(where: pl.Expr, field: str, problem: str, rule: str | None = None) -> pl.DataFrame:
        return df.filter(where).select(
            *base,
            pl.lit(field).alias("field"),
            pl.lit(problem).alias("problem"),
            pl.lit(rule, dtype=pl.String).alias("rule"),
        )

    gone = pl.col("record_missing") if name in ONE_PER_CASE else pl.lit(False)
    parts = [rows(gone, "", "record_missing")] if name in ONE_PER_CASE else []
    parts += [
        rows(Mask.APPLICABLE.col(field) & ~Mask.PRESENT.col(field) & ~gone, field, "missing")
        for field in Mask.APPLICABLE.items(df.columns)
    ]
    parts += [rows(Mask.INVALID.col(r.code), r.field, "invalid", r.code) for r in RULES if r.table == name]
    return parts


def _record_expr(table: str) -> pl.Expr:
    """Which record of a case (beyond the case itself) a row is, for the fix list."""
    extra = [k for k in TABLES[table].key if k != "case_id"]
    if not extra:
        return pl.lit("")
    return pl.concat_str([pl.col(k) for k in extra], separator=" · ")


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
    labels = {c: label(e, c, lang) for e in ("pathway", "review_type") for c in ENUMS[e]}
    record = (
        pl.col("record")
        .str.split(" · ")
        .list.eval(pl.element().replace_strict(labels, default=pl.element(), return_dtype=pl.String))
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

"""Presentation of completeness scores: disclosure control of the score frames (rates as percentages, small
groups suppressed or rounded), the columns each view shows, display text for metrics, labels of rules, areas and
RAG statuses in the chosen language, and the CLI's plain-text table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

import polars as pl

from resettlement import disclosure, geography
from resettlement import present as display  # the app-wide labels and cell text (this module is completeness's)
from resettlement.completeness.rules import AREA_LEVELS, KINDS, NOT_REFERRED, RAG, TIMELINESS

if TYPE_CHECKING:
    from resettlement.completeness.aggregate import By
from resettlement.filters import Filters
from resettlement.geography import AreaOrRrpLevel
from resettlement.i18n import t
from resettlement.standard import TABLES

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
#: The tables of the completeness page, each a view of :func:`resettlement.completeness.view`'s figures.
View = Literal["areas", "trend", "fields", "rules", "timeliness", "tables"]
VIEWS: dict[View, tuple[str, ...]] = {
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
    return display.records(protected_df)


def shown(protected_df: pl.DataFrame, view: View) -> pl.DataFrame:
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


def area_names(level: AreaOrRrpLevel, lang: str, rrps: pl.DataFrame | None = None) -> dict[str, str]:
    """Display names of every area code at ``level`` (RRP names from the rrps table; ``none`` = not referred)."""
    if level == "rrp":
        name = "name_cy" if lang == "cy" else "name"
        names = {} if rrps is None else {r["rrp_id"]: r[name] or r["name"] for r in rrps.iter_rows(named=True)}
        return {**names, NOT_REFERRED: t("completeness.not_referred", lang)}
    return {code: geography.area_name(level, code, lang) for code in geography.area_codes(level)}


def for_view(
    protected_df: pl.DataFrame,
    view: View,
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


def text_report(rows: list[dict], by: By, f: Filters) -> str:
    """The CLI's plain-text table of :func:`records` of a protected view (English; figures as the page shows them)."""
    area = geography.area_name(f.area.level, f.area.code) if f.area.code else "Wales"
    views: dict[str, View] = {
        "wales": "trend",
        "quarter": "trend",
        "field": "fields",
        "table": "tables",
        "rule": "rules",
        "timeliness": "timeliness",
    }
    view = views.get(by, "areas")
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

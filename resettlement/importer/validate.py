"""Validating what was read: every table in dependency order, each through the rules of
:mod:`resettlement.importer.rules`, against this import's other tables and the database.

Pure apart from the database lookups (:class:`Lookup`, empty when there is no database). The result is the
:class:`~resettlement.importer.report.ImportReport` plus what a write needs: each table's valid rows classified
``added``, ``updated`` or ``unchanged`` against the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import polars as pl
import sqlalchemy as sa

from resettlement import store
from resettlement.importer import rules
from resettlement.importer.columns import ERROR, FILE, ROW, SHEET, STATUS
from resettlement.importer.read import Sheet
from resettlement.importer.rejects import rejects_frame
from resettlement.importer.report import PROBLEM_SCHEMA, ImportReport, Progress, problems_from, severity_expr
from resettlement.scope import Scope
from resettlement.standard import TABLES


def table_order() -> list[str]:
    """Tables in dependency order (a table after every table its fields reference), from the standard."""
    order: list[str] = []

    def visit(name: str, path: tuple[str, ...] = ()) -> None:
        if name in order or name in path:
            return
        for f in TABLES[name].fields:
            if f.references:
                visit(f.references.split(".")[0], (*path, name))
        order.append(name)

    for name in TABLES:
        visit(name)
    return order


class Lookup:
    """What the database already holds, for references, checks and added/updated counts (empty if no database).

    With a ``scope`` narrower than all Wales, only records the viewer may see are looked up: a record outside it reads
    as absent, so checking a guessed record says the same as for a record that does not exist (never "unchanged" or
    "updated", never its stored values in a cross-field message), and rows placing a record outside the scope are
    refused (:func:`resettlement.importer.rules.outside_scope`) whatever the database holds.
    """

    def __init__(self, conn: sa.Connection | None, scope: Scope | None = None):
        self.conn = conn
        self.scope = None if scope is None or scope.is_all_wales else scope

    def rows(self, table: str, columns: Sequence[str], keys: pl.DataFrame) -> pl.DataFrame:
        schema = {c: store.POLARS_TYPES[TABLES[table].field(c).dtype] for c in columns}
        if self.conn is None or keys.height == 0 or (self.scope is not None and self.scope.is_empty):
            return pl.DataFrame(schema=schema)
        big = keys.height > 50_000
        return store.read_rows(self.conn, table, columns, None if big else keys, scope=self.scope)


def _empty_cases() -> pl.DataFrame:
    return pl.DataFrame(schema={"case_id": pl.String(), "start_date": pl.Date()})


@dataclass
class _Known:
    """What the tables validated so far settled, for the tables that reference them."""

    valid_keys: dict[str, pl.DataFrame] = field(default_factory=dict)
    rejected_keys: dict[str, pl.DataFrame] = field(default_factory=dict)
    cases: pl.DataFrame = field(default_factory=_empty_cases)  # valid imported cases: case_id, start_date

    def settle(self, name: str, ok: pl.DataFrame, bad: pl.DataFrame) -> None:
        keycols = [k for k in TABLES[name].key if k in ok.columns]
        if len(TABLES[name].key) == 1 and keycols:
            self.valid_keys[name] = ok.select(keycols).unique()
            self.rejected_keys[name] = bad.select(keycols).drop_nulls().unique()
        if name == "cases" and {"case_id", "start_date"} <= set(ok.columns):
            self.cases = ok.select("case_id", "start_date")


@dataclass(frozen=True)
class _Context:
    """What every table is validated with."""

    lookup: Lookup
    today: date
    strict: bool


@dataclass
class _TableResult:
    typed: pl.DataFrame  # every row: typed values, FILE, ROW, SHEET, ERROR
    problems: pl.DataFrame
    columns_by_sheet: dict[int, tuple[str, ...]]


def _cases_for_checks(name: str, sheets: list[tuple[int, Sheet]], known: _Known, lookup: Lookup) -> pl.DataFrame:
    """The start dates of the cases a case-linked table's rows name: this import's first, then the database's."""
    if name == "cases" or not TABLES[name].case_linked:
        return known.cases
    case_ids = pl.concat(
        [s.frame.select(pl.col("case_id").str.strip_chars()) for _, s in sheets if "case_id" in s.columns]
        or [pl.DataFrame(schema={"case_id": pl.String()})]
    )
    case_ids = case_ids.unique().filter(pl.col("case_id").is_not_null())
    from_db = lookup.rows("cases", ["case_id", "start_date"], case_ids)
    imported = known.cases
    return pl.concat([imported, from_db.filter(~pl.col("case_id").is_in(imported["case_id"].implode()))])


def _validate_table(name: str, sheets: list[tuple[int, Sheet]], known: _Known, ctx: _Context) -> _TableResult:
    """Every rule on one table's rows, in order; rows with an error (or in a blocked sheet) marked :data:`ERROR`."""
    rows, present = rules.stack(name, sheets)
    probs = [rules.too_many_values(rows, name)]
    rows, found = rules.bad_characters(rows, name, present)
    probs += found
    typed, found = rules.ambiguous_dates(rows, name, rules.parse_columns(rows, name, present, ctx.today))
    probs += found
    probs += rules.type_problems(rows, name, typed)
    probs += rules.required(rows, name, present)
    values = rules.typed_frame(rows, typed)
    probs += rules.duplicate_keys(values, name, present)
    probs += rules.references(
        values,
        name,
        present,
        valid_keys=known.valid_keys,
        rejected_keys=known.rejected_keys,
        lookup=ctx.lookup.rows,
    )
    probs += rules.cross_field(values, name, present, _cases_for_checks(name, sheets, known, ctx.lookup))
    probs.append(rules.outside_scope(values, name, ctx.lookup.scope))
    problems = pl.concat([p.cast(PROBLEM_SCHEMA) for p in probs])
    values = rules.mark_errors(values, problems, ctx.strict)
    return _TableResult(values, problems, {idx: s.columns for idx, s in sheets})


def _classify(result: _TableResult, name: str, lookup: Lookup) -> pl.DataFrame:
    """Mark each valid row ``added``, ``updated`` or ``unchanged`` against the database (by key)."""
    spec = TABLES[name]
    valid = result.typed.filter(~pl.col(ERROR))
    key = list(spec.key)
    if valid.height == 0:
        return valid.with_columns(pl.lit(None, pl.String).alias(STATUS))
    present = [c for c in spec.columns if c in valid.columns]
    existing = lookup.rows(name, present, valid.select(key))
    parts = []
    for idx, cols in result.columns_by_sheet.items():
        part = valid.filter(pl.col(SHEET) == idx)
        if part.height == 0:
            continue
        old = existing.select(*key, *[pl.col(c).alias(f"{c}__old") for c in cols if c not in key]).with_columns(
            pl.lit(True).alias("__exists")
        )
        part = part.join(old, on=key, how="left", nulls_equal=False, maintain_order="left")
        same = pl.all_horizontal(
            [pl.col(c).eq_missing(pl.col(f"{c}__old")) for c in cols if c not in key] or [pl.lit(True)]
        )
        part = part.with_columns(
            pl.when(pl.col("__exists").is_null())
            .then(pl.lit("added"))
            .when(same)
            .then(pl.lit("unchanged"))
            .otherwise(pl.lit("updated"))
            .alias(STATUS)
        ).drop([c for c in part.columns if c.endswith("__old")] + ["__exists"])
        parts.append(part)
    return pl.concat(parts, how="diagonal_relaxed")


def _latest_date(name: str, ok: pl.DataFrame, latest: date | None) -> date | None:
    """The latest date any valid row holds, ``latest`` included (a forecast, such as an expected release, is not a
    date the data was recorded by)."""
    spec = TABLES[name]
    for c in ok.columns:
        if c not in spec.columns or spec.field(c).future:
            continue
        if spec.field(c).dtype == "date" and ok[c].drop_nulls().len():
            top = ok[c].max()
            if isinstance(top, date) and (latest is None or top > latest):
                latest = top
    return latest


def _totals(res: _TableResult, status: pl.DataFrame, strict: bool) -> dict[str, int]:
    """A table's row counts: read, valid, rejected, valid with warnings, added, updated, unchanged."""
    ok = res.typed.filter(~pl.col(ERROR))
    warned = res.problems.filter(severity_expr(strict) == "warning")
    warned_rows = ok.join(
        warned.select(pl.col("file").alias(FILE), pl.col("row").alias(ROW)).unique(), on=[FILE, ROW], how="semi"
    ).height
    counts = status[STATUS].value_counts() if status.height else pl.DataFrame({STATUS: [], "count": []})
    by = dict(zip(counts[STATUS].to_list(), counts["count"].to_list(), strict=True))
    return {
        "rows_read": res.typed.height,
        "valid": ok.height,
        "rejected": res.typed.height - ok.height,
        "warnings": warned_rows,
        "added": by.get("added", 0),
        "updated": by.get("updated", 0),
        "unchanged": by.get("unchanged", 0),
    }


def _unplaced_totals(sheets: list[Sheet]) -> dict[str, int] | None:
    """The rows of sheets whose table could not be told: read, and all rejected."""
    unplaced = [s for s in sheets if s.table is None]
    if not unplaced:
        return None
    n = sum(s.frame.height for s in unplaced)
    return {"rows_read": n, "valid": 0, "rejected": n, "warnings": 0, "added": 0, "updated": 0, "unchanged": 0}


@dataclass
class Validation:
    report: ImportReport
    sheets: list[Sheet]
    classified: dict[str, pl.DataFrame]  # valid rows with STATUS, per table
    latest_date: date | None


def validate(
    sheets: list[Sheet],
    files: list[dict],
    read_problems: list[dict],
    lookup: Lookup,
    *,
    dry_run: bool,
    accept_valid: bool,
    strict: bool,
    today: date,
    lang: str = "en",
    progress: Progress | None = None,
) -> Validation:
    """Validate every sheet against the standard and the database; pure apart from the lookups."""
    ctx = _Context(lookup, today, strict)
    known = _Known()
    problems = [problems_from(read_problems)]
    totals: dict[str, dict[str, int]] = {}
    classified: dict[str, pl.DataFrame] = {}
    rejects: dict[str, pl.DataFrame] = {}
    latest: date | None = None
    indexed = list(enumerate(sheets))
    for name in table_order():
        mine = [(i, s) for i, s in indexed if s.table == name]
        if not mine:
            continue
        if progress:
            progress("validate", name, 0, 1)
        res = _validate_table(name, mine, known, ctx)
        problems.append(res.problems)
        classified[name] = _classify(res, name, lookup)
        ok, bad = res.typed.filter(~pl.col(ERROR)), res.typed.filter(pl.col(ERROR))
        known.settle(name, ok, bad)
        latest = _latest_date(name, ok, latest)
        totals[name] = _totals(res, classified[name], strict)
        if bad.height:
            rejects[name] = rejects_frame(name, bad, res.problems, strict, lang)
    if (unplaced := _unplaced_totals(sheets)) is not None:
        totals["?"] = unplaced
    all_problems = pl.concat(problems).sort(["file", "row"], nulls_last=False, maintain_order=True)
    report = ImportReport(
        files=files,
        totals=totals,
        problems=all_problems,
        dry_run=dry_run,
        accept_valid=accept_valid,
        strict=strict,
        rejects=rejects,
    )
    return Validation(report, sheets, classified, latest)

"""The validation rules, one function per rule family, each on one table's rows: frames in, problems out.

A table's rows arrive as text (:func:`stack`), are cleaned and typed (:func:`bad_characters`, :func:`parse_columns`,
:func:`ambiguous_dates`), then checked as rows: :func:`required`, :func:`duplicate_keys`, :func:`references`,
:func:`cross_field` and :func:`outside_scope`. Every function returns problem rows in
:data:`resettlement.importer.report.PROBLEM_SCHEMA`'s columns; :func:`mark_errors` then marks the rows an error
rejects. The order the rules run in is the order their problems are reported in for a row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from resettlement import exports, store
from resettlement.importer import parse
from resettlement.importer.columns import BLOCKED, CODE, ERROR, EXTRA, FILE, PARAMS, ROW, SHEET, bad, raw
from resettlement.importer.read import Sheet
from resettlement.importer.report import PROBLEM_SCHEMA, severity_expr
from resettlement.scope import Scope
from resettlement.standard import CHECKS, FUTURE_DAYS_AHEAD, TABLES, Check, Field

#: A cell that is blank or NULL-like once trimmed (a regex test: no lower-cased copy of the column).
_NULL_CELL = (
    "(?i)^(" + "|".join(re.escape(x) for x in sorted({parse.fold(x) for x in parse.NULL_TOKENS} - {""})) + ")?$"
)
#: Control characters no database column should hold.
_BAD_CHARACTERS = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]"
#: The column that places a record of a table in an area (a case by its authority, an RRP by those it covers).
SCOPE_COLUMNS: dict[str, str] = {"cases": "la_code", "rrps": "la_codes"}
_PARSERS: dict[str, Callable[[str], parse.Parsed]] = {
    "int": parse.parse_int,
    "float": parse.parse_float,
    "bool": parse.parse_bool,
}


def located(
    df: pl.DataFrame,
    table: str,
    column: str | None,
    value: pl.Expr | pl.Series,
    code: str | pl.Expr,
    params: pl.Expr | None = None,
) -> pl.DataFrame:
    """A problem on every row of ``df`` (which carries the working :data:`FILE` and :data:`ROW` columns)."""
    return df.select(
        pl.col(FILE).alias("file"),
        pl.lit(table).alias("table"),
        pl.col(ROW).alias("row"),
        pl.lit(column, pl.String).alias("column"),
        value.alias("value"),
        (pl.lit(code) if isinstance(code, str) else code).alias("code"),
        (pl.lit(None, pl.String) if params is None else params).alias("params"),
    )


def row_problems(df: pl.DataFrame, table: str, column: str, params: bool = False) -> pl.DataFrame:
    """A problem for each row a rule flagged in :data:`CODE` (and :data:`PARAMS` when ``params``), showing the
    row's value of ``column``."""
    sub = df.filter(pl.col(CODE).is_not_null())
    value = (pl.col(column) if column in sub.columns else pl.lit(None, pl.String)).cast(pl.String)
    return located(sub, table, column, value, pl.col(CODE), pl.col(PARAMS) if params else None)


def _flag(condition: pl.Expr, code: str | pl.Expr) -> pl.Expr:
    """:data:`CODE` set to ``code`` where ``condition`` holds."""
    return pl.when(condition).then(pl.lit(code) if isinstance(code, str) else code).otherwise(None).alias(CODE)


# ---- rows as text ----------------------------------------------------------------------------------------------------


def clean(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """Trim every cell; blank and NULL-like cells become null; a cell an export quoted against formulas
    (``'=1+1``) reads back as it was."""
    out = frame
    for c in columns:
        trimmed = out.select(exports.restored(pl.col(c).str.strip_chars())).to_series()
        out = out.with_columns(pl.when(trimmed.str.contains(_NULL_CELL)).then(None).otherwise(trimmed).alias(c))
    return out


def stack(name: str, sheets: Sequence[tuple[int, Sheet]]) -> tuple[pl.DataFrame, list[str]]:
    """A table's rows from all its sheets in one frame, cleaned, blank rows dropped, with where each came from;
    and the fields any of the sheets carries (a field a sheet lacks is null in its rows)."""
    present = [c for c in TABLES[name].columns if any(c in s.columns for _, s in sheets)]
    frames = [
        s.frame.select(*s.columns, ROW, EXTRA).with_columns(
            pl.lit(s.label).alias(FILE), pl.lit(idx).alias(SHEET), pl.lit(s.blocked).alias(BLOCKED)
        )
        for idx, s in sheets
    ]
    rows = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
    for c in present:
        if c not in rows.columns:
            rows = rows.with_columns(pl.lit(None, pl.String).alias(c))
    if present:  # skip blank rows (copying the frame only when there are some)
        filled = rows.select(
            pl.any_horizontal(pl.col(c).str.contains(r"\S").fill_null(False) for c in present) | (pl.col(EXTRA) > 0)
        ).to_series()
        rows = rows if filled.all() else rows.filter(filled)
    else:
        rows = rows.head(0)
    return clean(rows, present), present


def too_many_values(rows: pl.DataFrame, table: str) -> pl.DataFrame:
    """Rows holding values beyond the header."""
    params = pl.struct(n=pl.col(EXTRA)).struct.json_encode()
    return located(rows.filter(pl.col(EXTRA) > 0), table, None, pl.lit(None, pl.String), "too_many_values", params)


def bad_characters(rows: pl.DataFrame, table: str, present: Sequence[str]) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Cells holding control characters: reported, emptied, and marked in :func:`bad` (so they are not also
    reported as missing)."""
    problems = []
    for c in present:
        hit = pl.col(c).str.contains(_BAD_CHARACTERS).fill_null(False)
        problems.append(row_problems(rows.with_columns(_flag(hit, "bad_characters")), table, c))
        rows = rows.with_columns(hit.alias(bad(c)), pl.when(hit).then(None).otherwise(pl.col(c)).alias(c))
    return rows, problems


# ---- types -----------------------------------------------------------------------------------------------------------


def _parse_value(text: str, f: Field, today: date) -> tuple[object, str | None, dict | None, bool]:
    """One distinct cell of field ``f``: ``(value, problem code, params, day-first ambiguous)``."""
    ambiguous = False
    v: object
    if f.dtype == "date":
        ahead = FUTURE_DAYS_AHEAD if f.future else None  # a forecast may lie years ahead
        v, code, p, ambiguous = parse.parse_date(text, today, ahead)
    elif f.dtype == "enum":
        v, code, p = parse.parse_enum(text, f.enum or "")
    elif f.dtype == "enum_list":
        v, code, p = parse.parse_la_list(text)
    else:
        v, code, p = _PARSERS[f.dtype](text)
    number = v if isinstance(v, int | float) else None  # only numbers have a range
    below = f.min is not None and number is not None and number < f.min
    above = f.max is not None and number is not None and number > f.max
    if code is None and (below or above):
        code, p = "out_of_range", {"min": f"{f.min:g}", "max": f"{f.max:g}"}
    return v, code, p, ambiguous


def convert(col: pl.Series, f: Field, today: date, max_len: int | None) -> tuple[pl.Series, pl.DataFrame, list]:
    """Parse a column of text cells: ``(typed values, problems by distinct raw value, ambiguous day-first raws)``.

    Each distinct value is parsed once. A value with an error becomes null; an out-of-range value (a warning)
    keeps its value. The problems frame has the raw value, ``code`` and ``params`` (JSON).
    """
    c = f.name
    dtype = store.POLARS_TYPES[f.dtype]
    bad_schema = {c: pl.String(), "code": pl.String(), "params": pl.String()}
    if f.dtype == "str":
        too_long = (col.str.len_chars() > max_len).fill_null(False) if max_len else None
        if too_long is None or not too_long.any():
            return col, pl.DataFrame(schema=bad_schema), []
        raws = col.filter(too_long).unique()
        found = pl.DataFrame({c: raws, "code": "too_long", "params": json.dumps({"max": max_len})}, schema=bad_schema)
        return pl.select(pl.when(too_long).then(None).otherwise(col)).to_series().alias(c), found, []
    uniques = col.drop_nulls().unique().to_list()
    vals, bad_rows, amb = [], [], []
    for text in uniques:
        v, code, p, ambiguous = _parse_value(text, f, today)
        if ambiguous:
            amb.append(text)
        vals.append(v)
        if code is not None:
            bad_rows.append((text, code, json.dumps(p) if p else None))
    typed = col.replace_strict(
        pl.Series(uniques, dtype=pl.String), pl.Series(vals, dtype=dtype), default=None, return_dtype=dtype
    )
    return typed, pl.DataFrame(bad_rows, schema=bad_schema, orient="row"), amb


@dataclass(frozen=True)
class Typed:
    """A table's fields parsed: typed values, the problems found per distinct raw value, ambiguous day-first raws."""

    values: dict[str, pl.Series]
    problems: dict[str, pl.DataFrame]
    ambiguous: dict[str, list]


def _max_len(table: str, column: str) -> int | None:
    return getattr(store.METADATA.tables[table].c[column].type, "length", None)


def parse_columns(rows: pl.DataFrame, table: str, present: Sequence[str], today: date) -> Typed:
    """Every field's cells parsed to its type (see :func:`convert`)."""
    spec = TABLES[table]
    out = Typed({}, {}, {})
    for c in present:
        out.values[c], out.problems[c], out.ambiguous[c] = convert(rows[c], spec.field(c), today, _max_len(table, c))
    return out


def ambiguous_dates(rows: pl.DataFrame, table: str, typed: Typed) -> tuple[Typed, list[pl.DataFrame]]:
    """Day-first dates that could be month-first (both parts 12 or under), in a sheet that also holds month-first
    dates: rejected, since the sheet's dates may all be month-first."""
    spec = TABLES[table]
    where = rows.select(FILE, ROW, SHEET)
    date_cols = [c for c in typed.values if spec.field(c).dtype == "date"]
    month_first = [
        where.filter(rows[c].is_in(typed.problems[c].filter(pl.col("code") == "month_first_date")[c].implode()))[SHEET]
        for c in date_cols
    ]
    mdy_sheets = pl.concat(month_first).unique() if month_first else pl.Series(SHEET, [], dtype=pl.Int32)
    values, problems = dict(typed.values), []
    for c in date_cols:
        if not (typed.ambiguous[c] and mdy_sheets.len()):
            continue
        amb = (
            rows[c].is_in(pl.Series(typed.ambiguous[c], dtype=pl.String).implode())
            & rows[SHEET].is_in(mdy_sheets.implode())
        ).fill_null(False)
        if amb.any():
            problems.append(located(where.filter(amb), table, c, rows[c].filter(amb), "ambiguous_date"))
            values[c] = pl.select(pl.when(amb).then(None).otherwise(values[c])).to_series().alias(c)
    return Typed(values, typed.problems, typed.ambiguous), problems


def type_problems(rows: pl.DataFrame, table: str, typed: Typed) -> list[pl.DataFrame]:
    """The problems :func:`parse_columns` found, on every row holding the value."""
    out = []
    for c, found in typed.problems.items():
        if found.height:
            hit = rows.select(FILE, ROW, c).join(found, on=c, how="inner", maintain_order="left")
            out.append(located(hit, table, c, pl.col(c), pl.col("code"), pl.col("params")))
    return out


def typed_frame(rows: pl.DataFrame, typed: Typed) -> pl.DataFrame:
    """The rows as typed values, with each field's text as given beside it (:func:`raw`)."""
    return rows.select(
        FILE,
        ROW,
        SHEET,
        BLOCKED,
        *[v.alias(c) for c, v in typed.values.items()],
        *[pl.col(c).alias(raw(c)) for c in typed.values],
    )


# ---- rows ------------------------------------------------------------------------------------------------------------


def required(rows: pl.DataFrame, table: str, present: Sequence[str]) -> list[pl.DataFrame]:
    """Required fields left empty (a column missing from the header is reported once, for the sheet)."""
    where = rows.select(FILE, ROW, SHEET)
    out = []
    for f in TABLES[table].fields:
        if f.status == "required" and f.name in present:
            empty = rows[f.name].is_null() & ~rows[bad(f.name)] & ~rows[BLOCKED]
            out.append(located(where.filter(empty), table, f.name, pl.lit(None, pl.String), "required_missing"))
    return out


def duplicate_keys(values: pl.DataFrame, table: str, present: Sequence[str]) -> list[pl.DataFrame]:
    """Rows sharing a key, within and across files; each names the other row (the first names the second)."""
    key = list(TABLES[table].key)
    if not all(k in present for k in key):
        return []
    keyed = values.with_row_index("__i").filter(pl.all_horizontal(pl.col(k).is_not_null() for k in key))
    # hash first (a column of u64 instead of the keys), then confirm exactly on the few candidates
    candidates = keyed.filter(pl.struct(key).hash().is_duplicated())
    dups = candidates.filter(pl.struct(key).is_duplicated())
    if not dups.height:
        return []
    firsts = dups.group_by(key, maintain_order=True).agg(
        pl.col(FILE).head(2).alias("__f"), pl.col(ROW).head(2).alias("__r"), pl.col("__i").first().alias("__first")
    )
    dups = dups.join(firsts, on=key, how="left", nulls_equal=False, maintain_order="left").with_columns(
        pl.when(pl.col("__i") == pl.col("__first")).then(1).otherwise(0).alias("__k")
    )
    other = pl.struct(file=pl.col("__f").list.get(pl.col("__k")), row=pl.col("__r").list.get(pl.col("__k")))
    value = pl.concat_str([pl.col(raw(k)) for k in key], separator=" / ") if len(key) > 1 else pl.col(raw(key[0]))
    return [located(dups, table, ",".join(key), value, "duplicate_key", other.struct.json_encode())]


def references(
    values: pl.DataFrame,
    table: str,
    present: Sequence[str],
    *,
    valid_keys: Mapping[str, pl.DataFrame],
    rejected_keys: Mapping[str, pl.DataFrame],
    lookup: Callable[[str, list[str], pl.DataFrame], pl.DataFrame],
) -> list[pl.DataFrame]:
    """References to a record neither among this import's valid rows nor in the database (``lookup``); a record
    this import rejected is named as such."""
    out = []
    for f in TABLES[table].fields:
        if not f.references or f.name not in present:
            continue
        target, target_col = f.references.split(".")
        none = pl.DataFrame(schema={target_col: pl.String()})
        vals = values.filter(pl.col(f.name).is_not_null()).select(pl.col(f.name).alias(target_col)).unique()
        known = pl.concat(
            [valid_keys.get(target, none).select(target_col), lookup(target, [target_col], vals).select(target_col)]
        ).unique()
        rejected = rejected_keys.get(target, none)[target_col]
        refs = values.filter(pl.col(f.name).is_not_null() & ~pl.col(f.name).is_in(known[target_col].implode()))
        refs = refs.with_columns(
            pl.when(pl.col(f.name).is_in(rejected.implode()))
            .then(pl.lit("reference_rejected"))
            .otherwise(pl.lit("unknown_reference"))
            .alias(CODE),
            pl.lit(json.dumps({"table": target})).alias(PARAMS),
        ).with_columns(pl.col(raw(f.name)).alias(f.name))
        out.append(row_problems(refs, table, f.name, params=True))
    return out


def _check_failed(check: Check, left: pl.Expr, right: pl.Expr) -> pl.Expr:
    """True where the rule fails (both sides present)."""
    offset = check.min_days or 0
    if offset:
        right = right + pl.duration(days=offset)
    ok = {"ge": left >= right, "le": left <= right, "gt": left > right}[check.op]
    return left.is_not_null() & right.is_not_null() & ~ok


def cross_field(values: pl.DataFrame, table: str, present: Sequence[str], cases: pl.DataFrame) -> list[pl.DataFrame]:
    """The standard's cross-field :data:`~resettlement.standard.CHECKS` (a date after the case's start, ...);
    ``cases`` holds the start dates of the cases the rows belong to."""
    out = []
    for check in CHECKS:
        if check.table != table or check.left not in present:
            continue
        if check.right.startswith("cases."):
            if "case_id" not in present:
                continue
            right = cases.select("case_id", pl.col(check.right.split(".", 1)[1]).alias("__right"))
            joined = values.join(right, on="case_id", how="left", maintain_order="left")
            right_raw = pl.col("__right").cast(pl.String)
        else:
            if check.right not in present:
                continue
            joined = values.with_columns(pl.col(check.right).alias("__right"))
            right_raw = pl.col(raw(check.right))
        failed = (
            joined.filter(_check_failed(check, pl.col(check.left), pl.col("__right")))
            .with_columns(pl.lit(check.code).alias(CODE), pl.struct(other=right_raw).struct.json_encode().alias(PARAMS))
            .with_columns(pl.col(raw(check.left)).alias(check.left))
        )
        out.append(row_problems(failed, table, check.left, params=True))
    return out


def outside_scope(values: pl.DataFrame, table: str, scope: Scope | None) -> pl.DataFrame:
    """Rows that place a record outside ``scope``: decided from the uploaded values alone, so the refusal says
    nothing about what the database holds."""
    column = SCOPE_COLUMNS.get(table)
    if scope is None or column is None or column not in values.columns:
        return pl.DataFrame(schema=PROBLEM_SCHEMA)
    codes = sorted(scope.la_codes)
    inside = (
        pl.col(column).is_in(codes)
        if table == "cases"
        else pl.col(column).str.split(";").list.eval(pl.element().is_in(codes)).list.any()
    )
    flagged = values.with_columns(_flag(pl.col(column).is_not_null() & ~inside, "outside_scope"))
    return row_problems(flagged, table, column).cast(PROBLEM_SCHEMA)


def mark_errors(values: pl.DataFrame, problems: pl.DataFrame, strict: bool) -> pl.DataFrame:
    """:data:`ERROR` on every row with an error, and on every row of a blocked sheet."""
    errors = (
        problems.filter(severity_expr(strict) == "error")
        .select(pl.col("file").alias(FILE), pl.col("row").alias(ROW))
        .unique()
    )
    return values.join(
        errors.with_columns(pl.lit(True).alias(ERROR)), on=[FILE, ROW], how="left", maintain_order="left"
    ).with_columns((pl.col(ERROR).fill_null(False) | pl.col(BLOCKED)).alias(ERROR))

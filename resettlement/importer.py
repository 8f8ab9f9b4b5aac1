"""Import real extracts: read CSV/XLSX, validate every row against the data standard, write all-or-nothing.

Pure domain code (no Streamlit): the command line (``python -m resettlement import``) and the Import data page
call :func:`run_import` with the same arguments and get the same :class:`ImportReport`.

Rules, in the order they are applied (every rule is driven by :mod:`resettlement.standard`; the spellings the
importer accepts are declared as data below):

- **Files.** CSV in UTF-8 with or without a byte-order mark, comma, semicolon, tab or pipe separated (sniffed from
  the header line); XLSX with one sheet per table, or one file per table. The table is named by the sheet, else the
  file name (``needs.csv``, ``RRP meetings 2024.xlsx``, ``needs_rejects.csv``), else recognised from its header.
  The header is the first non-empty row; names match case-, space-, ``_``- and ``-``-insensitively. Row numbers are
  the spreadsheet's own (header = row 1); blank rows are skipped.
- **Values.** Blank cells and ``NULL``/``N/A`` are empty. Dates as ISO (``2024-03-01``), ``dd/mm/yyyy`` (also
  ``.`` or ``-``), or ``1 March 2024`` (English or Welsh month names); never month-first: a value valid only as
  mm/dd is rejected, and so are day-first values that could be either (both parts 12 or under) in a sheet that
  also holds month-first dates. Two-digit years and dates outside :data:`DATE_RANGE` are rejected. Yes/no as
  :data:`TRUE_TOKENS` / :data:`FALSE_TOKENS` (English and Welsh). Enumerations as their code or their English or
  Welsh label, case- and accent-insensitively, plus :data:`ENUM_ALIASES`. Local authorities as a GSS code or any
  name :func:`resettlement.geography.normalise_la` knows.
- **Rows.** Required fields present; keys unique within and across files; references known (in the database or
  among this import's valid rows). A row failing any of these is **rejected**.
- **Validity.** Ranges (``min``/``max``) and the cross-field :data:`resettlement.standard.CHECKS` are reported as
  **warnings**: the row is loaded as recorded and the Data completeness page scores it, as the standard intends
  (``strict=True`` rejects them instead).

Writing is one transaction: by default nothing is written if any row is rejected; with ``accept_valid`` the valid
rows are written and the rejected ones returned (and saved) as rejects files that can be corrected and re-imported.
Rows are upserted by the table's key, so re-importing never duplicates; columns a file does not carry keep their
stored values. Every write is logged in ``import_log`` and bumps ``data_version``.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import json
import os
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from resettlement import exports, geography, settings, store
from resettlement import files as private_files
from resettlement.i18n import catalog, t
from resettlement.scope import Scope
from resettlement.standard import CHECKS, ENUMS, TABLES, VERSION, Check, Field, Table

# ---- accepted spellings and rules, declared as data -------------------------------------------------------------

#: Cell values that mean "empty" (compared after folding: case, accents and punctuation ignored).
NULL_TOKENS: tuple[str, ...] = ("", "null", "n/a", "#n/a", "nil")
#: Yes/no answers. Welsh has no single word for yes: ie/na, oes/nac oes ("is there"), do/naddo (past) and
#: ydy/nac ydy ("is it") are all plain answers, so all are accepted; gwir/gau are true/false.
TRUE_TOKENS: tuple[str, ...] = ("yes", "y", "true", "t", "1", "ie", "oes", "do", "ydy", "gwir")
FALSE_TOKENS: tuple[str, ...] = ("no", "n", "false", "f", "0", "na", "nac oes", "naddo", "nac ydy", "gau")
#: A yes/no answered "not known" is stored as empty (it is missing information, counted by completeness).
UNKNOWN_TOKENS: tuple[str, ...] = ("unknown", "not known", "dont know", "don't know", "anhysbys", "ddim yn gwybod")
#: Spellings of enumeration codes beyond the code itself and its English and Welsh labels.
ENUM_ALIASES: dict[str, dict[str, str]] = {
    "need": {
        **{tok: "yes" for tok in TRUE_TOKENS},
        **{tok: "no" for tok in FALSE_TOKENS},
        **{tok: "unknown" for tok in UNKNOWN_TOKENS},
    },
    "sex": {
        "m": "male",
        "f": "female",
        "boy": "male",
        "girl": "female",
        "unknown": "not_known",
        "bachgen": "male",
        "merch": "female",
    },
    "ethnicity": {"unknown": "not_known", "not stated": "not_known"},
    "pathway": {
        "education": "ete",
        "family": "families",
        "case management": "transitions",
        "transitions": "transitions",
        "substance": "substance_misuse",
    },
    "cohort": {"remanded": "remand", "sentenced": "custody", "custodial": "custody"},
    "agency_type": {"yot": "yjs", "youth justice": "yjs", "youth offending team": "yjs", "camhs": "health"},
    "establishment": {"hmp parc": "parc", "parc": "parc", "hmyoi parc": "parc"},
    "gap_reason": {"none available": "no_provision", "waiting": "waiting_list"},
}
#: Dates outside this range are rejected as implausible (placeholders such as 1900-01-01, or typing errors).
#: The upper bound is a year after the day of the import.
DATE_RANGE: tuple[date, int] = (date(2000, 1, 1), 366)
MONTHS: dict[str, int] = {
    **{
        m: i
        for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
    },
    **{
        m: i
        for i, m in enumerate(
            (
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ),
            1,
        )
    },
    "sept": 9,
    **{
        m: i
        for i, m in enumerate(
            (
                "ionawr",
                "chwefror",
                "mawrth",
                "ebrill",
                "mai",
                "mehefin",
                "gorffennaf",
                "awst",
                "medi",
                "hydref",
                "tachwedd",
                "rhagfyr",
            ),
            1,
        )
    },
}
#: Other names of tables, for file and sheet names (matched as whole words; the longest match wins).
TABLE_ALIASES: dict[str, tuple[str, ...]] = {
    "cases": ("cases", "case", "episodes", "achosion"),
    "needs": ("needs", "anghenion"),
    "outcomes": ("outcomes", "canlyniadau"),
    "rrps": ("rrps", "rrp", "partnerships", "partneriaethau"),
    "rrp_meetings": ("rrp meetings", "meetings", "cyfarfodydd"),
    "rrp_attendance": ("rrp attendance", "attendance", "presenoldeb"),
    "rrp_reviews": ("rrp reviews", "reviews", "adolygiadau"),
}
#: Other names of columns (after folding); the standard's own field names always match.
HEADER_ALIASES: dict[str, str] = {
    "local_authority": "la_code",
    "la": "la_code",
    "gss_code": "la_code",
    "la_gss_code": "la_code",
    "awdurdod_lleol": "la_code",
    "age": "age_at_start",
    "rrp": "rrp_id",
    "agency_type": "agency_type",
}
#: Sheets that are notes, not data (the templates' own notes sheet among them): skipped.
NOTES_SHEETS: tuple[str, ...] = (
    "readme",
    "read me",
    "notes",
    "instructions",
    "darllenwch fi",
    "darllenwch",
    "nodiadau",
    "cyfarwyddiadau",
)
#: Columns the rejects file adds; ignored when a corrected rejects file is imported.
REJECTS_COLUMNS: tuple[str, ...] = ("problems", "source_file", "source_row")
CSV_SEPARATORS: tuple[str, ...] = (",", ";", "\t", "|")
CSV_EXTENSIONS: tuple[str, ...] = (".csv", ".txt", ".tsv")
#: Encodings a CSV that is not UTF-8 may be detected in (charset-normalizer chooses among them), with the names the
#: warning gives them: Excel's "CSV (Comma delimited)" on UK Windows writes cp1252, its "Unicode Text" UTF-16.
CSV_ENCODINGS: dict[str, str] = {
    "cp1252": "Windows-1252",
    "latin_1": "ISO-8859-1 (Latin-1)",
    "utf_16": "UTF-16",
    "utf_32": "UTF-32",
}
XLSX_EXTENSIONS: tuple[str, ...] = (".xlsx", ".xlsm")
INT32_MAX = 2_147_483_647

#: Every reason a problem can give, with its severity. ``error`` rejects the row (or the whole sheet when the
#: problem has no row); ``warning`` is reported and the row still loads. Texts: ``importer.reason.<code>``
#: (cross-field checks: ``importer.check.<code>``).
REASONS: dict[str, str] = {
    # files and sheets
    "unsupported_file": "error",
    "unreadable_file": "error",
    "not_utf8": "error",
    "encoding_used": "warning",
    "no_header": "error",
    "unknown_table": "error",
    "ambiguous_table": "error",
    "duplicate_column": "error",
    "missing_column": "error",
    "unknown_column": "warning",
    # the database
    "synthetic_database": "error",
    "not_allowed": "error",
    "database_error": "error",
    # cells and rows
    "too_many_values": "error",
    "bad_characters": "error",
    "required_missing": "error",
    "too_long": "error",
    "not_whole_number": "error",
    "not_a_number": "error",
    "number_too_large": "error",
    "out_of_range": "warning",
    "not_a_date": "error",
    "invalid_date": "error",
    "month_first_date": "error",
    "ambiguous_date": "error",
    "two_digit_year": "error",
    "implausible_date": "error",
    "not_yes_no": "error",
    "unknown_value": "error",
    "unknown_la": "error",
    "duplicate_key": "error",
    "outside_scope": "error",
    "unknown_reference": "error",
    "reference_rejected": "error",
    **{c.code: "warning" for c in CHECKS},
}
STRICT_ERRORS: frozenset[str] = frozenset({"out_of_range", *(c.code for c in CHECKS)})

PROBLEM_SCHEMA: dict[str, pl.DataType] = {
    "file": pl.String(),
    "table": pl.String(),
    "row": pl.Int64(),
    "column": pl.String(),
    "value": pl.String(),
    "code": pl.String(),
    "params": pl.String(),
}
TOTAL_COLUMNS: tuple[str, ...] = ("rows_read", "valid", "rejected", "warnings", "added", "updated", "unchanged")
_ROW, _SHEET, _FILE, _EXTRA = "__row", "__sheet", "__file", "__extra"
_CHUNK_ROWS = 50_000

Progress = Callable[[str, str, int, int], None]  # (stage, table, done, total)


# ---- folding and value parsers (small, pure; applied to each distinct value once) -------------------------------


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form: ``"Rhondda, Cynon, Taff"`` → ``"rhondda cynon taff"``."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    stripped = stripped.replace("&", " and ").replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^0-9a-z#/]+", " ", stripped).split())


def header_key(text: str) -> str:
    """A header name as a field name: ``" Case ID "`` → ``case_id``."""
    return fold(str(text).replace("\ufeff", "")).replace("/", " ").replace(" ", "_")


_NULLS = frozenset(fold(x) for x in NULL_TOKENS)
_TRUE = frozenset(fold(x) for x in TRUE_TOKENS)
_FALSE = frozenset(fold(x) for x in FALSE_TOKENS)
_UNKNOWN = frozenset(fold(x) for x in UNKNOWN_TOKENS)


@cache
def enum_spellings(enum: str) -> dict[str, str]:
    """Every accepted spelling of an enumeration (folded) → its code: code, English and Welsh labels, aliases."""
    out: dict[str, str] = {}
    for code in ENUMS[enum]:
        out[fold(code.replace("_", " "))] = code
        for lang in ("en", "cy"):
            label = catalog(lang).get(f"enum.{enum}.{code}")
            if label:
                out.setdefault(fold(label), code)
    for alias, code in ENUM_ALIASES.get(enum, {}).items():
        out.setdefault(fold(alias), code)
    return out


Parsed = tuple[object, str | None, dict | None]  # (value, problem code, params)


def parse_bool(raw: str) -> Parsed:
    f = fold(raw)
    if f in _TRUE:
        return True, None, None
    if f in _FALSE:
        return False, None, None
    if f in _UNKNOWN:
        return None, None, None
    return None, "not_yes_no", None


def parse_int(raw: str) -> Parsed:
    text = raw.replace(" ", "")
    m = re.fullmatch(r"([+-]?\d+)(?:\.0*)?", text)
    if not m:
        return None, "not_whole_number", None
    value = int(m.group(1))
    if abs(value) > INT32_MAX:
        return None, "number_too_large", None
    return value, None, None


def parse_float(raw: str) -> Parsed:
    text = raw.replace(" ", "")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        return None, "not_a_number", None
    value = float(text)
    if value != value or abs(value) > 1e15:
        return None, "number_too_large", None
    return value, None, None


_ISO = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_DMY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?: \d{1,2}:\d{2}(?::\d{2})?)?")
_TEXT_DATE = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ -]([^\W\d_]+)\.?[ -](\d{4}|\d{2})")


def _make_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_date(raw: str, today: date | None = None) -> tuple[date | None, str | None, dict | None, bool]:
    """``(date, problem code, params, day_first_ambiguous)``; never reads a date month-first.

    ``day_first_ambiguous`` marks ``dd/mm/yyyy`` values whose parts are both 12 or under (and differ): valid as
    read, but rejected by :func:`validate` when the same sheet also holds month-first dates.
    """
    text = " ".join(str(raw).split())
    low, days_ahead = DATE_RANGE
    high = (today or date.today()) + timedelta(days=days_ahead)
    ambiguous = False
    if m := _ISO.fullmatch(text):
        value = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    elif m := _DMY.fullmatch(text):
        a, b, year = int(m.group(1)), int(m.group(3)), m.group(4)
        if len(year) == 2:
            return None, "two_digit_year", None, False
        value = _make_date(int(year), b, a)
        if value is None and _make_date(int(year), a, b) is not None:
            return None, "month_first_date", None, False
        ambiguous = value is not None and a <= 12 and b <= 12 and a != b
    elif m := _TEXT_DATE.fullmatch(text):
        month = MONTHS.get(fold(m.group(2)))
        if month is None:
            return None, "not_a_date", None, False
        if len(m.group(3)) == 2:
            return None, "two_digit_year", None, False
        value = _make_date(int(m.group(3)), month, int(m.group(1)))
    else:
        return None, "not_a_date", None, False
    if value is None:
        return None, "invalid_date", None, False
    if not low <= value <= high:
        return None, "implausible_date", {"min": low.isoformat(), "max": high.isoformat()}, False
    return value, None, None, ambiguous


def parse_enum(raw: str, enum: str) -> Parsed:
    if enum == "la_code":
        code = geography.normalise_la(raw)
        return (code, None, None) if code else (None, "unknown_la", None)
    code = enum_spellings(enum).get(fold(raw))
    if code is None:
        return None, "unknown_value", {"allowed": ", ".join(ENUMS[enum])}
    return code, None, None


def parse_la_list(raw: str) -> Parsed:
    parts = [p for p in re.split(r"[;|\n]", raw) if p.strip()]
    codes = [geography.normalise_la(p) for p in parts]
    if not parts or any(c is None for c in codes):
        return None, "unknown_la", None
    return ";".join(dict.fromkeys(codes)), None, None


# ---- problems and the report ------------------------------------------------------------------------------------


def severity(code: str, strict: bool = False) -> str:
    if strict and code in STRICT_ERRORS:
        return "error"
    return REASONS[code]


def severity_expr(strict: bool = False, code: str = "code") -> pl.Expr:
    """The severity of each problem's code, vectorised."""
    mapping = {c: severity(c, strict) for c in REASONS}
    return pl.col(code).replace_strict(mapping, default="error", return_dtype=pl.String)


def reason_text(code: str, params: dict | None, lang: str) -> str:
    """The translated reason of a problem."""
    key = f"importer.check.{code}" if any(c.code == code for c in CHECKS) else f"importer.reason.{code}"
    return t(key, lang, **(params or {})) if params else t(key, lang)


def _problems(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(
        [{k: (json.dumps(r[k]) if k == "params" and r.get(k) else r.get(k)) for k in PROBLEM_SCHEMA} for r in rows],
        schema=PROBLEM_SCHEMA,
    )


@dataclass
class ImportReport:
    """Everything an import found and did. Problems are a frame (there may be millions)."""

    files: list[dict]
    totals: dict[str, dict[str, int]]
    problems: pl.DataFrame
    dry_run: bool
    accept_valid: bool
    strict: bool
    written: bool = False
    created: bool = False
    data_version: str | None = None
    log_id: int | None = None
    rejects: dict[str, pl.DataFrame] = field(default_factory=dict)
    rejects_paths: list[str] = field(default_factory=list)
    synthetic_target: bool = False  # the database holds synthetic data: it will refuse the write
    nothing_written: bool = False  # no valid row to write: nothing changed, the data version included

    @property
    def with_severity(self) -> pl.DataFrame:
        return self.problems.with_columns(severity_expr(self.strict).alias("severity"))

    @property
    def n_errors(self) -> int:
        return self.with_severity.filter(pl.col("severity") == "error").height

    @property
    def n_warnings(self) -> int:
        return self.problems.height - self.n_errors

    @property
    def rows_rejected(self) -> int:
        return sum(v["rejected"] for v in self.totals.values())

    @property
    def ok(self) -> bool:
        """No error at all: every row would be (or was) written."""
        return self.n_errors == 0

    @property
    def outcome(self) -> str:
        """One of ``dry_run_ok``, ``dry_run_problems``, ``written``, ``written_with_rejects``, ``not_written``,
        ``nothing_written`` (no valid row: a header-only file, or every row rejected)."""
        if self.dry_run:
            return "dry_run_ok" if self.ok else "dry_run_problems"
        if self.nothing_written:
            return "nothing_written"
        if self.written:
            return "written" if self.ok else "written_with_rejects"
        return "not_written"

    def summary_frame(self) -> pl.DataFrame:
        """Totals per table (rows read, valid, rejected, with warnings, added, updated, unchanged)."""
        rows = [{"table": name, **{c: v.get(c, 0) for c in TOTAL_COLUMNS}} for name, v in self.totals.items()]
        schema = {"table": pl.String(), **{c: pl.Int64() for c in TOTAL_COLUMNS}}
        return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)

    def problems_frame(self, lang: str = "en", values: bool = True) -> pl.DataFrame:
        """Every problem with its translated reason; ``values=False`` drops the cell values (case-level data)."""
        df = self.with_severity
        reasons = [
            reason_text(c, json.loads(p) if p else None, lang) for c, p in zip(df["code"], df["params"], strict=True)
        ]
        df = df.with_columns(pl.Series("reason", reasons, dtype=pl.String)).select(
            "file", "table", "row", "column", *(["value"] if values else []), "severity", "reason", "code"
        )
        return df

    def problem_counts(self, lang: str = "en") -> pl.DataFrame:
        """Problems counted by table, column and rule, without any value (for viewers without case-level rights)."""
        df = self.with_severity.group_by("table", "column", "code", "severity", maintain_order=True).agg(
            pl.len().alias("problems")
        )
        generic = [reason_text(c, _placeholder_params(c), lang) for c in df["code"]]
        return df.with_columns(pl.Series("reason", generic, dtype=pl.String)).select(
            "table", "column", "severity", "reason", "code", "problems"
        )

    def to_dict(self, lang: str = "en") -> dict:
        return {
            "outcome": self.outcome,
            "dry_run": self.dry_run,
            "accept_valid": self.accept_valid,
            "strict": self.strict,
            "written": self.written,
            "created": self.created,
            "data_version": self.data_version,
            "log_id": self.log_id,
            "files": self.files,
            "totals": self.totals,
            "errors": self.n_errors,
            "warnings": self.n_warnings,
            "rejects_files": self.rejects_paths,
            "synthetic_target": self.synthetic_target,
            "problems": self.problems_frame(lang).to_dicts(),
        }

    def text(self, lang: str = "en") -> str:
        """A readable report for the terminal: files, totals per table, every problem, the outcome."""
        lines = [t("importer.cli.files", lang, n=len(self.files))]
        for f in self.files:
            lines.append(f"  {f['name']}  sha256:{f['sha256'][:12]}  → {', '.join(f.get('tables', [])) or '?'}")
        summary = self.summary_frame()
        if summary.height:
            header = ["table", *TOTAL_COLUMNS]
            widths = [max(len(h), 14 if h == "table" else 9) for h in header]
            lines.append("")
            lines.append(
                "  ".join(
                    h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths, strict=True))
                )
            )
            for row in summary.iter_rows():
                lines.append(
                    "  ".join(
                        str(v).ljust(w) if i == 0 else f"{v:,}".rjust(w)
                        for i, (v, w) in enumerate(zip(row, widths, strict=True))
                    )
                )
        problems = self.problems_frame(lang)
        if problems.height:
            lines += ["", t("importer.cli.problems", lang, errors=self.n_errors, warnings=self.n_warnings)]
            for p in problems.iter_rows(named=True):
                where = p["file"] or "-"
                if p["row"] is not None:
                    where += f" {t('importer.cli.row', lang)} {p['row']}"
                col = f" [{p['column']}]" if p["column"] else ""
                val = f" {json.dumps(p['value'], ensure_ascii=False)}" if p["value"] is not None else ""
                lines.append(f"  {p['severity'].upper():7} {where}{col}{val}: {p['reason']} ({p['code']})")
        lines += ["", t(f"importer.outcome.{self.outcome}", lang, rejected=self.rows_rejected)]
        if self.dry_run and self.synthetic_target:
            lines.append(t("importer.reason.synthetic_database", lang))
        for path in self.rejects_paths:
            lines.append(t("importer.cli.rejects_saved", lang, path=path))
        return "\n".join(lines)


def _placeholder_params(code: str) -> dict | None:
    """Generic values for a reason's placeholders, for texts shown without the problem's own details."""
    key = f"importer.check.{code}" if code in {c.code for c in CHECKS} else f"importer.reason.{code}"
    names = re.findall(r"\{(\w+)\}", catalog("en")[key])
    return {n: "…" for n in names} or None


# ---- reading files ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One uploaded or named file: its name (for messages and table detection) and its bytes."""

    name: str
    data: bytes

    @classmethod
    def from_path(cls, path: str | Path) -> Source:
        p = Path(path)
        return cls(p.name, p.read_bytes())

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Sheet:
    """One table-shaped block read from a source: raw text cells under standard field names."""

    label: str  # "needs.csv" or "extract.xlsx › needs"
    source: str
    table: str | None
    columns: tuple[str, ...]  # the standard fields this sheet carries, in the table's order
    frame: pl.DataFrame  # String columns (fields), __row (spreadsheet row), __extra (values beyond the header)
    blocked: bool = False  # a sheet-level error: every row is rejected


def _tokens(name: str) -> list[str]:
    return fold(re.sub(r"([a-z])([A-Z])", r"\1 \2", name).replace("_", " ").replace("-", " ")).split()


def table_from_name(name: str) -> str | None:
    """The table a file or sheet name names (whole words; the longest alias wins; a tie names none)."""
    words = _tokens(name)
    best: dict[str, int] = {}
    for table, aliases in TABLE_ALIASES.items():
        for alias in aliases:
            a = alias.split()
            if any(words[i : i + len(a)] == a for i in range(len(words) - len(a) + 1)):
                best[table] = max(best.get(table, 0), len(a))
    if not best:
        return None
    top = max(best.values())
    winners = [tb for tb, n in best.items() if n == top]
    return winners[0] if len(winners) == 1 else None


def _field_of(header: str, table: Table) -> str | None:
    key = header_key(header)
    if key in table.columns:
        return key
    alias = HEADER_ALIASES.get(key)
    return alias if alias in table.columns else None


def table_from_header(headers: Sequence[str]) -> tuple[str | None, list[str]]:
    """The table whose key columns are all present and which matches most headers; ``(None, ties)`` otherwise."""
    scores: dict[str, int] = {}
    for name, table in TABLES.items():
        fields = {_field_of(h, table) for h in headers} - {None}
        if set(table.key) <= fields:
            scores[name] = len(fields)
    if not scores:
        return None, []
    top = max(scores.values())
    winners = [n for n, s in scores.items() if s == top]
    return (winners[0], winners) if len(winners) == 1 else (None, winners)


def _sniff_separator(first_line: str) -> str:
    counts = {sep: 0 for sep in CSV_SEPARATORS}
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    sep = max(CSV_SEPARATORS, key=lambda s: counts[s])
    return sep if counts[sep] else ","


def _csv_separator(data: bytes) -> str:
    head = data[:65536].decode("utf-8-sig", errors="replace")
    return _sniff_separator(next((line for line in head.splitlines() if line.strip()), ""))


def _csv_records(data: bytes, sep: str) -> Iterator[list[str]]:
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="", errors="strict")
    yield from csv.reader(text, delimiter=sep)


def _is_utf8(data: bytes) -> bool:
    """Whether ``data`` is valid UTF-8, checked a megabyte at a time (a large extract is never decoded whole)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), 1 << 20):
            decoder.decode(data[start : start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def as_utf8(data: bytes) -> tuple[bytes, str | None]:
    """A CSV's bytes in UTF-8 and the encoding they were read from (``None`` when already UTF-8, with or without a
    byte-order mark). Otherwise charset-normalizer chooses among :data:`CSV_ENCODINGS`; raises
    ``UnicodeDecodeError`` when none fits."""
    if data.startswith(codecs.BOM_UTF8) or _is_utf8(data):
        return data, None
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(CSV_ENCODINGS)).best()
    if best is None or best.encoding not in CSV_ENCODINGS:
        raise UnicodeDecodeError("utf-8", data[:1], 0, 1, "no supported encoding fits")
    return str(best).encode("utf-8"), best.encoding


def _csv_block(data: bytes) -> _Block | None:
    sep = _csv_separator(data)
    return _polars_block(data, sep) or _records_block(_csv_records(data, sep))


def _cell_text(value: object) -> str:
    """An XLSX cell as the text a CSV export would hold (typed dates stay unambiguous: ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _xlsx_sheets(data: bytes) -> Iterator[tuple[str, Iterator[list[str]]]]:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            yield ws.title, ([_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True))
    finally:
        wb.close()


def _rows_to_frame(records: Iterator[list[str]], fields: list[str | None], start_row: int) -> pl.DataFrame:
    """Data records → a String frame of the mapped fields, with spreadsheet row numbers and extra-value counts."""
    width = len(fields)
    keep = [i for i, f in enumerate(fields) if f is not None]
    names = [fields[i] for i in keep]
    schema = {**{n: pl.String() for n in names}, _ROW: pl.Int64(), _EXTRA: pl.Int64()}
    parts = [pl.DataFrame(schema=schema)]
    row_no = start_row
    while True:
        chunk = list(itertools.islice(records, _CHUNK_ROWS))
        if not chunk:
            break
        cols: list[list] = [[] for _ in range(len(keep) + 2)]
        for rec in chunk:
            row_no += 1
            extra = sum(1 for v in rec[width:] if v and v.strip())
            if len(rec) < width:
                rec = rec + [""] * (width - len(rec))
            for j, i in enumerate(keep):
                cols[j].append(rec[i])
            cols[-2].append(row_no)
            cols[-1].append(extra)
        parts.append(pl.DataFrame(dict(zip([*names, _ROW, _EXTRA], cols, strict=True)), schema=schema))
    return pl.concat(parts)


@dataclass
class _Block:
    """A header row and a way to build the body frame once the header's fields are known."""

    header: list[str]
    body: Callable[[list[str | None]], pl.DataFrame]


def _records_block(records: Iterator[list[str]]) -> _Block | None:
    """The first non-empty record is the header; the rest are read lazily (the csv module or a worksheet)."""
    for header_row, rec in enumerate(records, start=1):
        if any(v.strip() for v in rec):
            return _Block([v.strip() for v in rec], lambda fields, at=header_row: _rows_to_frame(records, fields, at))
    return None  # an empty sheet: nothing to import, nothing lost


def _polars_block(data: bytes, sep: str) -> _Block | None:
    """Polars' fast reader for well-formed CSV (it raises on ragged rows, bad quoting or bad UTF-8; the caller then
    falls back to the csv module). Blank lines come back as empty rows, so row numbers stay the spreadsheet's."""
    try:
        df = pl.read_csv(
            io.BytesIO(data),
            has_header=False,
            infer_schema=False,
            separator=sep,
            quote_char='"',
            raise_if_empty=False,
            encoding="utf8",
        )
    except Exception:
        return None
    if df.height == 0 or df.width == 0:
        return None
    filled = df.select(pl.any_horizontal(pl.col(c).str.strip_chars().fill_null("") != "" for c in df.columns))
    nonblank = filled.to_series().arg_true()
    if nonblank.len() == 0:
        return None
    first = int(nonblank[0])
    header = [(v or "").strip() for v in df.row(first)]

    def body(fields: list[str | None]) -> pl.DataFrame:
        rest = df.slice(first + 1)
        return rest.select(
            *[pl.col(df.columns[i]).alias(f) for i, f in enumerate(fields) if f is not None],
            pl.int_range(first + 2, first + 2 + rest.height, dtype=pl.Int64).alias(_ROW),
            pl.lit(0, pl.Int64).alias(_EXTRA),
        )

    return _Block(header, body)


def _sheet(
    label: str, source: str, name_hint: Sequence[str], block: _Block | None, problems: list[dict]
) -> Sheet | None:
    """Table detection and column mapping for one block."""
    if block is None:
        return None
    header = block.header
    table = next((tb for tb in (table_from_name(h) for h in name_hint) if tb), None)
    if table is None:
        table, ties = table_from_header(header)
        if table is None:
            code = "ambiguous_table" if ties else "unknown_table"
            problems.append({"file": label, "code": code, "params": {"tables": ", ".join(ties)} if ties else None})
            return Sheet(label, source, None, (), block.body([None] * len(header)), blocked=True)
    spec = TABLES[table]
    fields: list[str | None] = []
    seen: dict[str, str] = {}
    blocked = False
    for h in header:
        f = _field_of(h, spec) if h else None
        if f is None:
            if h and header_key(h) not in REJECTS_COLUMNS:
                problems.append(
                    {"file": label, "table": table, "column": h, "code": "unknown_column", "params": {"column": h}}
                )
            fields.append(None)
        elif f in seen:
            problems.append(
                {
                    "file": label,
                    "table": table,
                    "column": f,
                    "code": "duplicate_column",
                    "params": {"first": seen[f], "second": h},
                }
            )
            blocked = True
            fields.append(None)
        else:
            seen[f] = h
            fields.append(f)
    for f in spec.fields:
        if f.status == "required" and f.name not in seen:
            problems.append(
                {
                    "file": label,
                    "table": table,
                    "column": f.name,
                    "code": "missing_column",
                    "params": {"column": f.name},
                }
            )
            blocked = True
    frame = block.body(fields)
    columns = tuple(c for c in spec.columns if c in seen)
    return Sheet(label, source, table, columns, frame, blocked)


def read_sources(sources: Iterable[Source]) -> tuple[list[Sheet], list[dict], list[dict]]:
    """Read every source into sheets. Never raises on bad input: an unreadable file becomes a problem.

    Returns ``(sheets, file descriptions, problems)``.
    """
    sheets: list[Sheet] = []
    files: list[dict] = []
    problems: list[dict] = []
    for src in sources:
        info = {"name": src.name, "sha256": src.sha256, "bytes": len(src.data), "tables": []}
        files.append(info)
        ext = Path(src.name).suffix.lower()
        is_zip = src.data[:4] == b"PK\x03\x04"
        found: list[Sheet] = []
        try:
            if ext in XLSX_EXTENSIONS or (is_zip and ext not in CSV_EXTENSIONS):
                for title, records in _xlsx_sheets(src.data):
                    if fold(title) in NOTES_SHEETS:
                        continue
                    label = f"{src.name} › {title}"
                    sheet = _sheet(label, src.name, [title, Path(src.name).stem], _records_block(records), problems)
                    if sheet is not None:
                        found.append(sheet)
            elif ext in CSV_EXTENSIONS or not ext:
                data, encoding = as_utf8(src.data)
                if encoding is not None:  # read, and said so: a wrong guess shows in the values
                    problems.append(
                        {"file": src.name, "code": "encoding_used", "params": {"encoding": CSV_ENCODINGS[encoding]}}
                    )
                sheet = _sheet(src.name, src.name, [Path(src.name).stem], _csv_block(data), problems)
                if sheet is None:
                    problems.append({"file": src.name, "code": "no_header"})
                else:
                    found.append(sheet)
            else:
                problems.append({"file": src.name, "code": "unsupported_file", "params": {"ext": ext}})
        except UnicodeDecodeError:
            problems[:] = [p for p in problems if p.get("file") != src.name]
            problems.append({"file": src.name, "code": "not_utf8"})
            found = []
        except Exception as exc:  # a corrupt workbook, a NUL byte in a CSV...: reported, never raised
            problems[:] = [p for p in problems if not str(p.get("file", "")).startswith(src.name)]
            detail = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]
            problems.append({"file": src.name, "code": "unreadable_file", "params": {"detail": detail}})
            found = []
        info["tables"] = sorted({s.table for s in found if s.table})
        sheets.extend(found)
    return sheets, files, problems


# ---- validation -------------------------------------------------------------------------------------------------


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
    refused (:func:`_outside_scope`) whatever the database holds.
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


#: The column that places a record of a table in an area (a case by its authority, an RRP by those it covers).
SCOPE_COLUMNS: dict[str, str] = {"cases": "la_code", "rrps": "la_codes"}


def _outside_scope(values: pl.DataFrame, name: str, scope: Scope | None) -> pl.DataFrame:
    """Problems for rows that place a record outside ``scope``: decided from the uploaded values alone, so the refusal
    says nothing about what the database holds."""
    column = SCOPE_COLUMNS.get(name)
    if scope is None or column is None or column not in values.columns:
        return pl.DataFrame(schema=PROBLEM_SCHEMA)
    codes = sorted(scope.la_codes)
    inside = (
        pl.col(column).is_in(codes)
        if name == "cases"
        else pl.col(column).str.split(";").list.eval(pl.element().is_in(codes)).list.any()
    )
    flagged = values.with_columns(
        pl.when(pl.col(column).is_not_null() & ~inside).then(pl.lit("outside_scope")).otherwise(None).alias("__os")
    )
    return _row_problems(flagged, name, column, "__os").cast(PROBLEM_SCHEMA)


def _clean(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """Trim every cell; blank and NULL-like cells become null (a regex test: no lower-cased copy of the column); a
    cell an export quoted against formulas (``'=1+1``) reads back as it was."""
    nulls = "(?i)^(" + "|".join(re.escape(x) for x in sorted(_NULLS - {""})) + ")?$"
    out = frame
    for c in columns:
        trimmed = out.select(exports.restored(pl.col(c).str.strip_chars())).to_series()
        out = out.with_columns(pl.when(trimmed.str.contains(nulls)).then(None).otherwise(trimmed).alias(c))
    return out


_PARSERS: dict[str, Callable[[str], Parsed]] = {"int": parse_int, "float": parse_float, "bool": parse_bool}


def _convert(col: pl.Series, f: Field, today: date, max_len: int | None) -> tuple[pl.Series, pl.DataFrame, list]:
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
        bad = pl.DataFrame({c: raws, "code": "too_long", "params": json.dumps({"max": max_len})}, schema=bad_schema)
        return pl.select(pl.when(too_long).then(None).otherwise(col)).to_series().alias(c), bad, []
    uniques = col.drop_nulls().unique().to_list()
    vals, bad_rows, amb = [], [], []
    for raw in uniques:
        if f.dtype == "date":
            v, code, p, a = parse_date(raw, today)
            if a:
                amb.append(raw)
        elif f.dtype == "enum":
            v, code, p = parse_enum(raw, f.enum or "")
        elif f.dtype == "enum_list":
            v, code, p = parse_la_list(raw)
        else:
            v, code, p = _PARSERS[f.dtype](raw)
        below = f.min is not None and v is not None and v < f.min
        above = f.max is not None and v is not None and v > f.max
        if code is None and (below or above):
            code, p = "out_of_range", {"min": f"{f.min:g}", "max": f"{f.max:g}"}
        vals.append(v)
        if code is not None:
            bad_rows.append((raw, code, json.dumps(p) if p else None))
    typed = col.replace_strict(
        pl.Series(uniques, dtype=pl.String), pl.Series(vals, dtype=dtype), default=None, return_dtype=dtype
    )
    return typed, pl.DataFrame(bad_rows, schema=bad_schema, orient="row"), amb


def _max_len(table: str, column: str) -> int | None:
    col_type = store.METADATA.tables[table].c[column].type
    return getattr(col_type, "length", None)


@dataclass
class _TableResult:
    typed: pl.DataFrame  # every row: typed values, __file, __row, __sheet, __error
    problems: pl.DataFrame
    columns_by_sheet: dict[int, tuple[str, ...]]


def _row_problems(
    df: pl.DataFrame, table: str, column: str, code_col: str, params_col: str | None = None
) -> pl.DataFrame:
    sub = df.filter(pl.col(code_col).is_not_null())
    return sub.select(
        pl.col(_FILE).alias("file"),
        pl.lit(table).alias("table"),
        pl.col(_ROW).alias("row"),
        pl.lit(column).alias("column"),
        (pl.col(column) if column in sub.columns else pl.lit(None, pl.String)).cast(pl.String).alias("value"),
        pl.col(code_col).alias("code"),
        (pl.col(params_col) if params_col else pl.lit(None, pl.String)).alias("params"),
    )


def _check_expr(check: Check, left: pl.Expr, right: pl.Expr) -> pl.Expr:
    """True where the rule fails (both sides present)."""
    offset = check.min_days or 0
    if offset:
        right = right + pl.duration(days=offset)
    ok = {"ge": left >= right, "le": left <= right, "gt": left > right}[check.op]
    return left.is_not_null() & right.is_not_null() & ~ok


def _validate_table(
    name: str,
    sheets: list[tuple[int, Sheet]],
    valid_keys: dict[str, pl.DataFrame],
    rejected_keys: dict[str, pl.DataFrame],
    cases_for_checks: pl.DataFrame,
    lookup: Lookup,
    today: date,
    strict: bool,
) -> _TableResult:
    spec = TABLES[name]
    present = [c for c in spec.columns if any(c in s.columns for _, s in sheets)]
    frames = []
    for idx, s in sheets:
        fr = s.frame.select(*[c for c in s.columns], _ROW, _EXTRA).with_columns(
            pl.lit(s.label).alias(_FILE), pl.lit(idx).alias(_SHEET), pl.lit(s.blocked).alias("__blocked")
        )
        frames.append(fr)
    raw = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
    for c in present:
        if c not in raw.columns:
            raw = raw.with_columns(pl.lit(None, pl.String).alias(c))
    if present:  # skip blank rows (copying the frame only when there are some)
        filled = raw.select(
            pl.any_horizontal(pl.col(c).str.contains(r"\S").fill_null(False) for c in present) | (pl.col(_EXTRA) > 0)
        ).to_series()
        raw = raw if filled.all() else raw.filter(filled)
    else:
        raw = raw.head(0)
    raw = _clean(raw, present)
    probs: list[pl.DataFrame] = []
    # values beyond the header, and control characters no database column should hold
    probs.append(
        raw.filter(pl.col(_EXTRA) > 0).select(
            pl.col(_FILE).alias("file"),
            pl.lit(name).alias("table"),
            pl.col(_ROW).alias("row"),
            pl.lit(None, pl.String).alias("column"),
            pl.lit(None, pl.String).alias("value"),
            pl.lit("too_many_values").alias("code"),
            pl.struct(n=pl.col(_EXTRA)).struct.json_encode().alias("params"),
        )
    )
    bad_chars = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]"
    for c in present:
        bad = pl.col(c).str.contains(bad_chars).fill_null(False)
        flagged = raw.with_columns(pl.when(bad).then(pl.lit("bad_characters")).otherwise(None).alias("__bc"))
        probs.append(_row_problems(flagged, name, c, "__bc"))
        raw = raw.with_columns(bad.alias(f"{c}__bad"), pl.when(bad).then(None).otherwise(pl.col(c)).alias(c))
    typed: dict[str, pl.Series] = {}
    bad: dict[str, pl.DataFrame] = {}
    ambiguous: dict[str, list] = {}
    for c in present:
        typed[c], bad[c], ambiguous[c] = _convert(raw[c], spec.field(c), today, _max_len(name, c))
    where = raw.select(_FILE, _ROW, _SHEET)
    # dates: day-first values that could be month-first, in a sheet that also holds month-first dates
    date_cols = [c for c in present if spec.field(c).dtype == "date"]
    month_first = [
        where.filter(raw[c].is_in(bad[c].filter(pl.col("code") == "month_first_date")[c].implode()))[_SHEET]
        for c in date_cols
    ]
    mdy_sheets = pl.concat(month_first).unique() if month_first else pl.Series(_SHEET, [], dtype=pl.Int32)
    for c in date_cols:
        if ambiguous[c] and mdy_sheets.len():
            amb = (
                raw[c].is_in(pl.Series(ambiguous[c], dtype=pl.String).implode())
                & raw[_SHEET].is_in(mdy_sheets.implode())
            ).fill_null(False)
            if amb.any():
                probs.append(
                    where.filter(amb).select(
                        pl.col(_FILE).alias("file"),
                        pl.lit(name).alias("table"),
                        pl.col(_ROW).alias("row"),
                        pl.lit(c).alias("column"),
                        raw[c].filter(amb).alias("value"),
                        pl.lit("ambiguous_date").alias("code"),
                        pl.lit(None, pl.String).alias("params"),
                    )
                )
                typed[c] = pl.select(pl.when(amb).then(None).otherwise(typed[c])).to_series().alias(c)
    for c in present:
        if bad[c].height:
            hit = raw.select(_FILE, _ROW, c).join(bad[c], on=c, how="inner", maintain_order="left")
            probs.append(
                hit.select(
                    pl.col(_FILE).alias("file"),
                    pl.lit(name).alias("table"),
                    pl.col(_ROW).alias("row"),
                    pl.lit(c).alias("column"),
                    pl.col(c).alias("value"),
                    "code",
                    "params",
                )
            )
    # required fields (a column missing from the header is reported once, for the sheet)
    for f in spec.fields:
        if f.status == "required" and f.name in present:
            empty = raw[f.name].is_null() & ~raw[f"{f.name}__bad"] & ~raw["__blocked"]
            probs.append(
                where.filter(empty).select(
                    pl.col(_FILE).alias("file"),
                    pl.lit(name).alias("table"),
                    pl.col(_ROW).alias("row"),
                    pl.lit(f.name).alias("column"),
                    pl.lit(None, pl.String).alias("value"),
                    pl.lit("required_missing").alias("code"),
                    pl.lit(None, pl.String).alias("params"),
                )
            )
    values = raw.select(
        _FILE,
        _ROW,
        _SHEET,
        "__blocked",
        *[typed[c].alias(c) for c in present],
        *[pl.col(c).alias(f"{c}__raw") for c in present],
    )
    # duplicate keys within and across files
    key = list(spec.key)
    if all(k in present for k in key):
        keyed = values.with_row_index("__i").filter(pl.all_horizontal(pl.col(k).is_not_null() for k in key))
        # hash first (a column of u64 instead of the keys), then confirm exactly on the few candidates
        candidates = keyed.filter(pl.struct(key).hash().is_duplicated())
        dups = candidates.filter(pl.struct(key).is_duplicated())
        if dups.height:
            firsts = dups.group_by(key, maintain_order=True).agg(
                pl.col(_FILE).head(2).alias("__f"),
                pl.col(_ROW).head(2).alias("__r"),
                pl.col("__i").first().alias("__first"),
            )
            dups = dups.join(firsts, on=key, how="left", nulls_equal=False, maintain_order="left").with_columns(
                pl.when(pl.col("__i") == pl.col("__first")).then(1).otherwise(0).alias("__k")
            )
            dups = dups.with_columns(
                pl.col("__f").list.get(pl.col("__k")).alias("__of"), pl.col("__r").list.get(pl.col("__k")).alias("__or")
            )
            shown = key[-1] if len(key) == 1 else key[0]
            probs.append(
                dups.select(
                    pl.col(_FILE).alias("file"),
                    pl.lit(name).alias("table"),
                    pl.col(_ROW).alias("row"),
                    pl.lit(",".join(key)).alias("column"),
                    pl.concat_str([pl.col(f"{k}__raw") for k in key], separator=" / ").alias("value")
                    if len(key) > 1
                    else pl.col(f"{shown}__raw").alias("value"),
                    pl.lit("duplicate_key").alias("code"),
                    pl.struct(file=pl.col("__of"), row=pl.col("__or")).struct.json_encode().alias("params"),
                )
            )
    # references: to this import's valid rows or to the database
    for f in spec.fields:
        if not f.references or f.name not in present:
            continue
        target, target_col = f.references.split(".")
        vals = values.filter(pl.col(f.name).is_not_null()).select(pl.col(f.name).alias(target_col)).unique()
        known = pl.concat(
            [
                valid_keys.get(target, pl.DataFrame(schema={target_col: pl.String()})).select(target_col),
                lookup.rows(target, [target_col], vals).select(target_col),
            ]
        ).unique()
        rejected = rejected_keys.get(target, pl.DataFrame(schema={target_col: pl.String()})).select(target_col)
        refs = values.filter(pl.col(f.name).is_not_null() & ~pl.col(f.name).is_in(known[target_col].implode()))
        refs = (
            refs.with_columns(
                pl.when(pl.col(f.name).is_in(rejected[target_col].implode()))
                .then(pl.lit("reference_rejected"))
                .otherwise(pl.lit("unknown_reference"))
                .alias("__ref"),
                pl.lit(json.dumps({"table": target})).alias("__refp"),
            )
            .rename({f"{f.name}__raw": "__rawref"})
            .with_columns(pl.col("__rawref").alias(f.name))
        )
        probs.append(_row_problems(refs, name, f.name, "__ref", "__refp"))
    # cross-field validity checks
    for check in CHECKS:
        if check.table != name or check.left not in present:
            continue
        if check.right.startswith("cases."):
            right_col = check.right.split(".", 1)[1]
            if "case_id" not in present:
                continue
            joined = values.join(
                cases_for_checks.select("case_id", pl.col(right_col).alias("__right")),
                on="case_id",
                how="left",
                maintain_order="left",
            )
            right_raw = pl.col("__right").cast(pl.String)
        else:
            if check.right not in present:
                continue
            joined = values.with_columns(pl.col(check.right).alias("__right"))
            right_raw = pl.col(f"{check.right}__raw")
        failed = (
            joined.filter(_check_expr(check, pl.col(check.left), pl.col("__right")))
            .with_columns(
                pl.lit(check.code).alias("__ck"),
                pl.struct(other=right_raw).struct.json_encode().alias("__ckp"),
            )
            .with_columns(pl.col(f"{check.left}__raw").alias(check.left))
        )
        probs.append(_row_problems(failed, name, check.left, "__ck", "__ckp"))
    probs.append(_outside_scope(values, name, lookup.scope))
    problems = pl.concat([p.cast(PROBLEM_SCHEMA) for p in probs]) if probs else pl.DataFrame(schema=PROBLEM_SCHEMA)
    errors = (
        problems.filter(severity_expr(strict) == "error")
        .select(pl.col("file").alias(_FILE), pl.col("row").alias(_ROW))
        .unique()
    )
    values = values.join(
        errors.with_columns(pl.lit(True).alias("__error")), on=[_FILE, _ROW], how="left", maintain_order="left"
    ).with_columns((pl.col("__error").fill_null(False) | pl.col("__blocked")).alias("__error"))
    return _TableResult(values, problems, {idx: s.columns for idx, s in sheets})


def _classify(result: _TableResult, name: str, lookup: Lookup) -> pl.DataFrame:
    """Mark each valid row ``added``, ``updated`` or ``unchanged`` against the database (by key)."""
    spec = TABLES[name]
    valid = result.typed.filter(~pl.col("__error"))
    key = list(spec.key)
    if valid.height == 0:
        return valid.with_columns(pl.lit(None, pl.String).alias("__status"))
    present = [c for c in spec.columns if c in valid.columns]
    existing = lookup.rows(name, present, valid.select(key))
    parts = []
    for idx, cols in result.columns_by_sheet.items():
        part = valid.filter(pl.col(_SHEET) == idx)
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
            .alias("__status")
        ).drop([c for c in part.columns if c.endswith("__old")] + ["__exists"])
        parts.append(part)
    return pl.concat(parts, how="diagonal_relaxed")


@dataclass
class Validation:
    report: ImportReport
    sheets: list[Sheet]
    classified: dict[str, pl.DataFrame]  # valid rows with __status, per table
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
    problems = [_problems(read_problems)]
    totals: dict[str, dict[str, int]] = {}
    valid_keys: dict[str, pl.DataFrame] = {}
    rejected_keys: dict[str, pl.DataFrame] = {}
    classified: dict[str, pl.DataFrame] = {}
    rejects: dict[str, pl.DataFrame] = {}
    cases_for_checks = pl.DataFrame(schema={"case_id": pl.String(), "start_date": pl.Date()})
    latest: date | None = None
    indexed = list(enumerate(sheets))
    for name in table_order():
        mine = [(i, s) for i, s in indexed if s.table == name]
        if not mine:
            continue
        if progress:
            progress("validate", name, 0, 1)
        if name != "cases" and TABLES[name].case_linked:
            case_ids = pl.concat(
                [s.frame.select(pl.col("case_id").str.strip_chars()) for _, s in mine if "case_id" in s.columns]
                or [pl.DataFrame(schema={"case_id": pl.String()})]
            )
            case_ids = case_ids.unique().filter(pl.col("case_id").is_not_null())
            from_db = lookup.rows("cases", ["case_id", "start_date"], case_ids)
            imported = cases_for_checks
            cases_lookup = pl.concat(
                [imported, from_db.filter(~pl.col("case_id").is_in(imported["case_id"].implode()))]
            )
        else:
            cases_lookup = cases_for_checks
        res = _validate_table(name, mine, valid_keys, rejected_keys, cases_lookup, lookup, today, strict)
        problems.append(res.problems)
        status = _classify(res, name, lookup)
        classified[name] = status
        spec = TABLES[name]
        keycols = [k for k in spec.key if k in res.typed.columns]
        ok = res.typed.filter(~pl.col("__error"))
        bad = res.typed.filter(pl.col("__error"))
        if len(spec.key) == 1 and keycols:
            valid_keys[name] = ok.select(keycols).unique()
            rejected_keys[name] = bad.select(keycols).drop_nulls().unique()
        if name == "cases" and {"case_id", "start_date"} <= set(ok.columns):
            cases_for_checks = ok.select("case_id", "start_date")
        for c in ok.columns:
            if c in spec.columns and spec.field(c).dtype == "date" and ok[c].drop_nulls().len():
                top = ok[c].max()
                latest = top if latest is None or top > latest else latest
        warned = res.problems.filter(severity_expr(strict) == "warning")
        warned_rows = ok.join(
            warned.select(pl.col("file").alias(_FILE), pl.col("row").alias(_ROW)).unique(), on=[_FILE, _ROW], how="semi"
        ).height
        counts = status["__status"].value_counts() if status.height else pl.DataFrame({"__status": [], "count": []})
        by = dict(zip(counts["__status"].to_list(), counts["count"].to_list(), strict=True))
        totals[name] = {
            "rows_read": res.typed.height,
            "valid": ok.height,
            "rejected": bad.height,
            "warnings": warned_rows,
            "added": by.get("added", 0),
            "updated": by.get("updated", 0),
            "unchanged": by.get("unchanged", 0),
        }
        if bad.height:
            rejects[name] = _rejects_frame(name, bad, res.problems, strict, lang)
    # rows of sheets whose table could not be told
    unplaced = [s for s in sheets if s.table is None]
    if unplaced:
        n = sum(s.frame.height for s in unplaced)
        totals["?"] = {
            "rows_read": n,
            "valid": 0,
            "rejected": n,
            "warnings": 0,
            "added": 0,
            "updated": 0,
            "unchanged": 0,
        }
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


def _rejects_frame(name: str, bad: pl.DataFrame, problems: pl.DataFrame, strict: bool, lang: str) -> pl.DataFrame:
    """Rejected rows as they were given (standard column names), with their problems, ready to be corrected."""
    cols = [c for c in TABLES[name].columns if f"{c}__raw" in bad.columns]
    on_rows = problems.filter(pl.col("row").is_not_null())
    reasons = on_rows.select("code", "params", "column").unique(maintain_order=True)
    reasons = reasons.with_columns(
        pl.Series(
            "__text",
            [  # each distinct reason worded once, in Python, not per row
                (f"{column}: " if column else "") + reason_text(code, json.loads(params) if params else None, lang)
                for code, params, column in reasons.iter_rows()
            ],
            dtype=pl.String,
        )
    )
    texts = (
        on_rows.join(reasons, on=["code", "params", "column"], how="left", nulls_equal=True, maintain_order="left")
        .group_by("file", "row", maintain_order=True)
        .agg(pl.col("__text").str.join("; ").alias("problems"))
    )
    sheet_level = problems.filter(pl.col("row").is_null() & (severity_expr(strict) == "error"))
    sheet_texts = {
        f: "; ".join(
            reason_text(c, json.loads(p) if p else None, lang) for c, p in zip(g["code"], g["params"], strict=True)
        )
        for (f,), g in sheet_level.group_by("file")
    }
    out = bad.join(texts.rename({"file": _FILE, "row": _ROW}), on=[_FILE, _ROW], how="left", maintain_order="left")
    out = out.with_columns(
        pl.coalesce(
            pl.col("problems"), pl.col(_FILE).replace_strict(sheet_texts, default=None, return_dtype=pl.String)
        ).alias("problems")
    )
    return out.select(
        *[pl.col(f"{c}__raw").alias(c) for c in cols],
        "problems",
        pl.col(_FILE).alias("source_file"),
        pl.col(_ROW).alias("source_row"),
    )


# ---- running an import ------------------------------------------------------------------------------------------


def write_rejects(rejects: dict[str, pl.DataFrame], directory: str | Path) -> list[str]:
    """Save each table's rejected rows as ``<table>_rejects.csv`` (UTF-8 with BOM, so Excel reads Welsh letters).

    They hold case-level data: a new folder is created private (0700) and each file readable by its owner only
    (0600)."""
    out = Path(directory)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    paths = []
    for name, df in rejects.items():
        path = out / f"{name}_rejects.csv"
        private_files.private_write(path, rejects_csv(df))
        paths.append(str(path))
    return paths


def rejects_csv(df: pl.DataFrame) -> bytes:
    """A rejects file's bytes: neutralised against spreadsheet formulas (see :mod:`resettlement.exports`)."""
    return exports.csv_bytes(df)


def _sqlite_new_file(url: str) -> Path | None:
    path = store.sqlite_path(url)
    return path if path is not None and not path.exists() else None


def _error_detail(exc: BaseException) -> str:
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {first}"[:300]


def _add_problem(report: ImportReport, code: str, params: dict | None = None) -> None:
    report.problems = pl.concat([report.problems, _problems([{"code": code, "params": params}])])


def run_import(
    sources: Sequence[Source],
    url: str,
    *,
    dry_run: bool = False,
    accept_valid: bool = False,
    strict: bool = False,
    note: str = "",
    rejects_dir: str | Path | None = None,
    lang: str = "en",
    progress: Progress | None = None,
    today: date | None = None,
    scope: Scope | None = None,
) -> ImportReport:
    """Read, validate and (unless ``dry_run``) write ``sources`` into the database at ``url``, in one transaction.

    Never raises on bad input or an unreachable database: every problem is in the report. Writes nothing if any
    row is rejected, unless ``accept_valid``; then valid rows are written and the rejected ones are in
    ``report.rejects`` (and saved under ``rejects_dir`` when given, before the transaction commits). A database
    that does not exist yet is created (an SQLite file is built beside the target and moved into place only when
    complete); a database holding synthetic data is never written to.

    ``scope`` is the viewer's: a check (``dry_run``) compares only against records in it (see :class:`Lookup`);
    a write needs all Wales (or no scope: the operator's command line), since it may touch any authority's records.
    """
    today = today or date.today()
    sheets, files, read_problems = read_sources(sources)
    if progress:
        progress("read", "", len(files), len(files))
    problem = settings.url_problem(url)
    if problem:  # not a URL, an unknown database or a driver that is not installed
        report = ImportReport(files, {}, _problems(read_problems), dry_run, accept_valid, strict)
        _add_problem(report, "database_error", {"detail": problem})
        return report
    new_file = _sqlite_new_file(url)
    if dry_run:
        return _dry_run(sheets, files, read_problems, url, new_file, strict, accept_valid, today, lang, progress, scope)
    if scope is not None and not (scope.is_all_wales and scope.case_level):
        report = ImportReport(files, {}, _problems(read_problems), False, accept_valid, strict)
        _add_problem(report, "not_allowed")
        return report
    work_url = url
    if new_file is not None:
        new_file.parent.mkdir(parents=True, exist_ok=True)
        store.remove_leftovers(new_file)  # left by an import killed before it finished
        tmp = private_files.temp_path(new_file, "importing")  # owner-only from the start: it will hold every row
        work_url = sa.engine.make_url(url).set(database=str(tmp)).render_as_string(hide_password=False)
    report = ImportReport(files, {}, _problems(read_problems), False, accept_valid, strict)
    try:
        engine = store.write_engine(work_url)
        with engine.connect() as conn:
            trans = conn.begin()
            try:
                created = not store.has_schema(conn)
                if created:
                    store.create_schema_in(conn)
                meta = store.read_meta_in(conn)
                v = validate(
                    sheets,
                    files,
                    read_problems,
                    Lookup(conn),
                    dry_run=False,
                    accept_valid=accept_valid,
                    strict=strict,
                    today=today,
                    lang=lang,
                    progress=progress,
                )
                report = v.report
                if meta.get("synthetic") == "1":
                    report.synthetic_target = True
                    _add_problem(report, "synthetic_database")
                if not report.ok and not (accept_valid and meta.get("synthetic") != "1"):
                    trans.rollback()
                    return report
                if report.rejects and rejects_dir is not None:
                    report.rejects_paths = write_rejects(report.rejects, rejects_dir)
                if not sum(x["valid"] for x in report.totals.values()):  # no valid row: no write, no new version
                    report.nothing_written = True
                    if created:  # a database is not created to hold nothing
                        trans.rollback()
                        return report
                    report.log_id = _log(conn, report, _now(), "nothing_written", meta.get("data_version", ""), note)
                    trans.commit()  # the log entry alone: the data and its version are unchanged
                    return report
                _write(conn, v, report, meta, created, note, today, progress)
                trans.commit()
            except BaseException:
                if trans.is_active:
                    trans.rollback()
                raise
        if new_file is not None:
            engine.dispose()
            os.replace(tmp, new_file)
        report.created = created
        report.written = True
        return report
    except (*store.DATABASE_ERRORS, OSError, ImportError) as exc:  # unreachable, unreadable, refused, no driver
        report.written = report.nothing_written = False
        report.data_version = report.log_id = None
        _add_problem(report, "database_error", {"detail": _error_detail(exc)})
        return report
    finally:
        if new_file is not None:
            private_files.remove(tmp)


def _dry_run(
    sheets, files, read_problems, url, new_file, strict, accept_valid, today, lang, progress, scope: Scope | None = None
) -> ImportReport:
    """Validate only; a database that does not exist yet is treated as empty and is not created."""
    try:
        if new_file is not None:
            v = validate(
                sheets,
                files,
                read_problems,
                Lookup(None, scope),
                dry_run=True,
                accept_valid=accept_valid,
                strict=strict,
                today=today,
                lang=lang,
                progress=progress,
            )
            return v.report
        engine = store.get_engine(url)
        with engine.connect() as conn:
            meta = store.read_meta_in(conn)
            lookup = Lookup(conn if store.has_schema(conn) else None, scope)
            v = validate(
                sheets,
                files,
                read_problems,
                lookup,
                dry_run=True,
                accept_valid=accept_valid,
                strict=strict,
                today=today,
                lang=lang,
                progress=progress,
            )
        v.report.synthetic_target = meta.get("synthetic") == "1"
        return v.report
    except (*store.DATABASE_ERRORS, OSError, ImportError) as exc:
        report = ImportReport(files, {}, _problems(read_problems), True, accept_valid, strict)
        _add_problem(report, "database_error", {"detail": _error_detail(exc)})
        return report


def _write(
    conn: sa.Connection,
    v: Validation,
    report: ImportReport,
    meta: dict,
    created: bool,
    note: str,
    today: date,
    progress: Progress | None,
) -> None:
    """Upsert the valid, new or changed rows (each sheet with its own columns), log the import, bump the version."""
    for name in table_order():
        df = v.classified.get(name)
        if df is None or df.height == 0:
            continue
        todo = df.filter(pl.col("__status").is_in(["added", "updated"]))
        total, done = todo.height, 0
        for idx, cols in sorted({i: c for i, s in enumerate(v.sheets) for c in [s.columns] if s.table == name}.items()):
            part = todo.filter(pl.col(_SHEET) == idx).select(list(cols))
            if part.height:
                base = done
                store.upsert(
                    conn,
                    name,
                    part,
                    progress=(lambda n, b=base, nm=name, tot=total: progress("write", nm, b + n, tot))
                    if progress
                    else None,
                )
                done += part.height
    version = f"import-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:12]}"
    latest = min(v.latest_date, today) if v.latest_date else None
    old = store.as_of({"as_of": meta["as_of"]}) if meta.get("as_of") else None
    as_of = max(d for d in (latest, old) if d) if (latest or old) else today
    new_meta = {"as_of": as_of.isoformat(), "data_version": version, "last_import_at": _now()}
    if created:
        new_meta.update(synthetic="0", standard_version=VERSION)
    store.write_meta(conn, **new_meta)
    report.log_id = _log(
        conn, report, new_meta["last_import_at"], "accept_valid" if report.accept_valid else "atomic", version, note
    )
    report.data_version = version


def _log(conn: sa.Connection, report: ImportReport, when: str, mode: str, version: str, note: str) -> int:
    """Append the import log entry of ``report``: files and their hashes, mode, row counts; returns its id."""
    totals = report.totals
    return store.append_import_log(
        conn,
        {
            "imported_at": when,
            "files": json.dumps([{k: f[k] for k in ("name", "sha256", "bytes", "tables")} for f in report.files]),
            "mode": mode,
            "rows_read": sum(x["rows_read"] for x in totals.values()),
            "rows_added": sum(x["added"] for x in totals.values()),
            "rows_updated": sum(x["updated"] for x in totals.values()),
            "rows_unchanged": sum(x["unchanged"] for x in totals.values()),
            "rows_rejected": sum(x["rejected"] for x in totals.values()),
            "tables": json.dumps(totals),
            "data_version": version,
            "note": note or "",
        },
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def sources_from_paths(paths: Iterable[str | Path]) -> list[Source]:
    """Sources from file paths; a directory contributes its CSV and XLSX files (sorted)."""
    out: list[Source] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += [
                Source.from_path(f)
                for f in sorted(p.iterdir())
                if f.suffix.lower() in CSV_EXTENSIONS + XLSX_EXTENSIONS and not f.name.startswith(".")
            ]
        else:
            out.append(Source.from_path(p))
    return out


def log_frame(log: pl.DataFrame) -> pl.DataFrame:
    """The import log for display: file names instead of their JSON, the row counts, the note."""
    names = [", ".join(f["name"] for f in json.loads(v)) for v in log["files"]] if log.height else []
    return log.with_columns(pl.Series("files", names, dtype=pl.String)).select(
        "imported_at", "files", "mode", "rows_added", "rows_updated", "rows_unchanged", "rows_rejected", "note"
    )


def global_messages(report: ImportReport, lang: str = "en", escape: Callable[[str], str] = str) -> list[str]:
    """Problems about the database rather than the files (unreachable, synthetic), translated; ``escape`` is applied
    to the details put into the text (``markup.md`` for a page)."""
    rows = report.problems.filter(pl.col("code").is_in(["database_error", "synthetic_database", "not_allowed"]))
    out = []
    for code, params in zip(rows["code"], rows["params"], strict=True):
        values = {k: escape(str(v)) for k, v in json.loads(params).items()} if params else None
        out.append(reason_text(code, values, lang))
    return out

"""What an import found and did: every reason a problem can give, and the report the page and the command line show.

Problems are a frame (there may be millions), one row per problem: file, table, spreadsheet row, column, the cell's
value, a reason ``code`` and its ``params`` (JSON). Their texts are ``importer.reason.<code>`` (cross-field checks:
``importer.check.<code>``) in the locale catalogues.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from resettlement.i18n import catalog, t
from resettlement.standard import CHECKS

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

PROBLEM_SCHEMA = pl.Schema(
    {
        "file": pl.String(),
        "table": pl.String(),
        "row": pl.Int64(),
        "column": pl.String(),
        "value": pl.String(),
        "code": pl.String(),
        "params": pl.String(),
    }
)
TOTAL_COLUMNS: tuple[str, ...] = ("rows_read", "valid", "rejected", "warnings", "added", "updated", "unchanged")

Progress = Callable[[str, str, int, int], None]  # (stage, table, done, total)


def severity(code: str, strict: bool = False) -> str:
    """``error`` or ``warning``; ``strict`` makes range and cross-field warnings errors."""
    if strict and code in STRICT_ERRORS:
        return "error"
    return REASONS[code]


def severity_expr(strict: bool = False, code: str = "code") -> pl.Expr:
    """The severity of each problem's code, vectorised."""
    mapping = {c: severity(c, strict) for c in REASONS}
    return pl.col(code).replace_strict(mapping, default="error", return_dtype=pl.String)


_CHECK_CODES = frozenset(c.code for c in CHECKS)


def _reason_key(code: str) -> str:
    """The catalogue key of a reason's text."""
    return f"importer.check.{code}" if code in _CHECK_CODES else f"importer.reason.{code}"


def reason_text(code: str, params: dict | None, lang: str) -> str:
    """The translated reason of a problem."""
    key = _reason_key(code)
    return t(key, lang, **(params or {})) if params else t(key, lang)


def problems_from(rows: list[dict]) -> pl.DataFrame:
    """Problems given as dicts (file and sheet problems, found while reading) as a problems frame."""
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
    names = re.findall(r"\{(\w+)\}", catalog("en")[_reason_key(code)])
    return {n: "…" for n in names} or None


def add_problem(report: ImportReport, code: str, params: dict | None = None) -> None:
    """Add one problem about the import as a whole (no file, no row) to ``report``."""
    report.problems = pl.concat([report.problems, problems_from([{"code": code, "params": params}])])


def global_messages(report: ImportReport, lang: str = "en", escape: Callable[[str], str] = str) -> list[str]:
    """Problems about the database rather than the files (unreachable, synthetic), translated; ``escape`` is applied
    to the details put into the text (``markup.md`` for a page)."""
    rows = report.problems.filter(pl.col("code").is_in(["database_error", "synthetic_database", "not_allowed"]))
    out = []
    for code, params in zip(rows["code"], rows["params"], strict=True):
        values = {k: escape(str(v)) for k, v in json.loads(params).items()} if params else None
        out.append(reason_text(code, values, lang))
    return out

"""Reading files: CSV (any common separator, UTF-8 or a detected legacy encoding) and XLSX, into sheets of text.

Never raises on bad input: an unreadable file becomes a problem. Each sheet is named a table (by its sheet name,
else its file name, else its header), its header mapped to the standard's field names, and its rows kept as text
with their spreadsheet row numbers; typing them is :mod:`resettlement.importer.rules`' job.
"""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl

from resettlement.importer.columns import EXTRA, ROW
from resettlement.importer.parse import fold, header_key
from resettlement.standard import TABLES, Table

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
_CHUNK_ROWS = 50_000


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
    frame: pl.DataFrame  # String columns (fields), ROW (spreadsheet row), EXTRA (values beyond the header)
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
    names = [f for f in fields if f is not None]
    schema = {**{n: pl.String() for n in names}, ROW: pl.Int64(), EXTRA: pl.Int64()}
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
        parts.append(pl.DataFrame(dict(zip([*names, ROW, EXTRA], cols, strict=True)), schema=schema))
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
            return _Block([v.strip() for v in rec], functools.partial(_rows_to_frame, records, start_row=header_row))
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
            pl.int_range(first + 2, first + 2 + rest.height, dtype=pl.Int64).alias(ROW),
            pl.lit(0, pl.Int64).alias(EXTRA),
        )

    return _Block(header, body)


def _map_columns(
    label: str, table: str, header: list[str], problems: list[dict]
) -> tuple[list[str | None], dict, bool]:
    """Each header's field (``None``: ignored), the fields found (field → header) and whether the sheet is blocked
    (a field given twice, or a required one missing)."""
    spec = TABLES[table]
    where = {"file": label, "table": table}
    fields: list[str | None] = []
    seen: dict[str, str] = {}
    blocked = False
    for h in header:
        f = _field_of(h, spec) if h else None
        if f is None:
            if h and header_key(h) not in REJECTS_COLUMNS:
                problems.append({**where, "column": h, "code": "unknown_column", "params": {"column": h}})
            fields.append(None)
        elif f in seen:
            params = {"first": seen[f], "second": h}
            problems.append({**where, "column": f, "code": "duplicate_column", "params": params})
            blocked = True
            fields.append(None)
        else:
            seen[f] = h
            fields.append(f)
    for field in spec.fields:
        if field.status == "required" and field.name not in seen:
            problems.append({**where, "column": field.name, "code": "missing_column", "params": {"column": field.name}})
            blocked = True
    return fields, seen, blocked


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
    fields, seen, blocked = _map_columns(label, table, header, problems)
    frame = block.body(fields)
    columns = tuple(c for c in TABLES[table].columns if c in seen)
    return Sheet(label, source, table, columns, frame, blocked)


def _read_source(src: Source, ext: str, problems: list[dict]) -> list[Sheet]:
    """The sheets of one file (a workbook's notes sheets skipped); raises on a file that cannot be read."""
    is_zip = src.data[:4] == b"PK\x03\x04"
    found: list[Sheet] = []
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
    return found


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
        try:
            found = _read_source(src, Path(src.name).suffix.lower(), problems)
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

"""Import real extracts: read CSV/XLSX, validate every row against the data standard, write all-or-nothing.

Pure domain code (no Streamlit): the command line (``python -m resettlement import``) and the Import data page
call :func:`run_import` with the same arguments and get the same :class:`ImportReport`.

Rules, in the order they are applied (every rule is driven by :mod:`resettlement.standard`; the spellings the
importer accepts are declared as data in :mod:`~resettlement.importer.parse` and :mod:`~resettlement.importer.read`):

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

The package, in the order an import runs: :mod:`~resettlement.importer.read` (files into sheets of text),
:mod:`~resettlement.importer.parse` (cell values into typed values), :mod:`~resettlement.importer.rules` (one function
per rule family) and :mod:`~resettlement.importer.validate` (every table, in dependency order),
:mod:`~resettlement.importer.rejects` (rejects files), :mod:`~resettlement.importer.write` (upsert, version, log),
:mod:`~resettlement.importer.run` (the transaction); :mod:`~resettlement.importer.report` is what comes back, and
:mod:`~resettlement.importer.columns` names the working columns the frames carry.
"""

from resettlement.importer.parse import (
    DATE_RANGE,
    ENUM_ALIASES,
    FALSE_TOKENS,
    NULL_TOKENS,
    TRUE_TOKENS,
    UNKNOWN_TOKENS,
    enum_spellings,
    fold,
    header_key,
    parse_bool,
    parse_date,
    parse_enum,
    parse_float,
    parse_int,
    parse_la_list,
)
from resettlement.importer.read import (
    CSV_ENCODINGS,
    HEADER_ALIASES,
    TABLE_ALIASES,
    Sheet,
    Source,
    as_utf8,
    read_sources,
    sources_from_paths,
    table_from_header,
    table_from_name,
)
from resettlement.importer.rejects import rejects_csv, write_rejects
from resettlement.importer.report import (
    REASONS,
    STRICT_ERRORS,
    ImportReport,
    Progress,
    global_messages,
    reason_text,
    severity,
)
from resettlement.importer.run import run_import
from resettlement.importer.validate import Lookup, table_order
from resettlement.importer.write import log_frame

__all__ = [
    "CSV_ENCODINGS",
    "DATE_RANGE",
    "ENUM_ALIASES",
    "FALSE_TOKENS",
    "HEADER_ALIASES",
    "NULL_TOKENS",
    "REASONS",
    "STRICT_ERRORS",
    "TABLE_ALIASES",
    "TRUE_TOKENS",
    "UNKNOWN_TOKENS",
    "ImportReport",
    "Lookup",
    "Progress",
    "Sheet",
    "Source",
    "as_utf8",
    "enum_spellings",
    "fold",
    "global_messages",
    "header_key",
    "log_frame",
    "parse_bool",
    "parse_date",
    "parse_enum",
    "parse_float",
    "parse_int",
    "parse_la_list",
    "read_sources",
    "reason_text",
    "rejects_csv",
    "run_import",
    "severity",
    "sources_from_paths",
    "table_from_header",
    "table_from_name",
    "table_order",
    "write_rejects",
]

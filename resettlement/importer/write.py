"""Writing a validated import inside the caller's transaction: upsert the new and changed rows, move the data
version and ``as_of`` on, and log the import (the ``import_log`` table, shown by :func:`log_frame`)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime

import polars as pl
import sqlalchemy as sa

from resettlement import store
from resettlement.importer.columns import SHEET, STATUS
from resettlement.importer.report import ImportReport, Progress
from resettlement.importer.validate import Validation, table_order
from resettlement.standard import VERSION


def now() -> str:
    """The current UTC time as the log and the metadata record it."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _offset(progress: Progress, name: str, base: int, total: int) -> Callable[[int], None]:
    """Upsert progress of table ``name`` as the whole write's: the ``base`` rows written before it counted in."""
    return lambda n: progress("write", name, base + n, total)


def _upsert_valid(conn: sa.Connection, v: Validation, progress: Progress | None) -> None:
    """Upsert the valid, new or changed rows, table by table, each sheet with its own columns."""
    for name in table_order():
        df = v.classified.get(name)
        if df is None or df.height == 0:
            continue
        todo = df.filter(pl.col(STATUS).is_in(["added", "updated"]))
        total, done = todo.height, 0
        for idx, cols in sorted({i: c for i, s in enumerate(v.sheets) for c in [s.columns] if s.table == name}.items()):
            part = todo.filter(pl.col(SHEET) == idx).select(list(cols))
            if part.height:
                store.upsert(conn, name, part, progress=_offset(progress, name, done, total) if progress else None)
                done += part.height


def _new_meta(v: Validation, meta: dict, created: bool, today: date) -> dict[str, str]:
    """The metadata after the write: a new data version, and ``as_of`` the latest date the data holds (never
    later than today, never earlier than before)."""
    version = f"import-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:12]}"
    latest = min(v.latest_date, today) if v.latest_date else None
    old = store.as_of({"as_of": meta["as_of"]}) if meta.get("as_of") else None
    as_of = max(d for d in (latest, old) if d) if (latest or old) else today
    new_meta = {"as_of": as_of.isoformat(), "data_version": version, "last_import_at": now()}
    if created:
        new_meta.update(synthetic="0", standard_version=VERSION)
    return new_meta


def write(
    conn: sa.Connection,
    v: Validation,
    *,
    meta: dict,
    created: bool,
    note: str,
    today: date,
    progress: Progress | None,
) -> None:
    """Upsert the valid, new or changed rows, log the import, bump the version (all in ``conn``'s transaction)."""
    report = v.report
    _upsert_valid(conn, v, progress)
    new_meta = _new_meta(v, meta, created, today)
    store.write_meta(conn, **new_meta)
    mode = "accept_valid" if report.accept_valid else "atomic"
    report.log_id = append_log(conn, report, new_meta["last_import_at"], mode, new_meta["data_version"], note)
    report.data_version = new_meta["data_version"]


def append_log(conn: sa.Connection, report: ImportReport, when: str, mode: str, version: str, note: str) -> int:
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


def log_frame(log: pl.DataFrame) -> pl.DataFrame:
    """The import log for display: file names instead of their JSON, the row counts, the note."""
    names = [", ".join(f["name"] for f in json.loads(v)) for v in log["files"]] if log.height else []
    return log.with_columns(pl.Series("files", names, dtype=pl.String)).select(
        "imported_at", "files", "mode", "rows_added", "rows_updated", "rows_unchanged", "rows_rejected", "note"
    )

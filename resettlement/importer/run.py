"""Running an import: read, validate and (unless it is a check) write, in one transaction; never raises on bad input
or an unreachable database, every problem is in the report."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from resettlement import files as private_files
from resettlement import settings, store
from resettlement.importer.read import Sheet, Source, read_sources
from resettlement.importer.rejects import write_rejects
from resettlement.importer.report import ImportReport, Progress, add_problem, problems_from
from resettlement.importer.validate import Lookup, Validation, validate
from resettlement.importer.write import append_log, now, write
from resettlement.scope import Scope

# what ends an import with a report rather than a crash: the database unreachable, unreadable or refusing, a file
# that cannot be written, or no driver
_FAILURES: tuple[type[BaseException], ...] = (*store.DATABASE_ERRORS, OSError, ImportError)


@dataclass(frozen=True)
class _Request:
    """One import: what was read, and how it was asked for."""

    sheets: list[Sheet]
    files: list[dict]
    read_problems: list[dict]
    url: str
    accept_valid: bool
    strict: bool
    note: str
    rejects_dir: str | Path | None
    lang: str
    progress: Progress | None
    today: date
    scope: Scope | None

    def validate(self, lookup: Lookup, *, dry_run: bool) -> Validation:
        return validate(
            self.sheets,
            self.files,
            self.read_problems,
            lookup,
            dry_run=dry_run,
            accept_valid=self.accept_valid,
            strict=self.strict,
            today=self.today,
            lang=self.lang,
            progress=self.progress,
        )

    def failed(self, code: str, params: dict | None = None, *, dry_run: bool) -> ImportReport:
        """A report of the files' problems and ``code``, nothing validated against the database."""
        report = ImportReport(
            self.files, {}, problems_from(self.read_problems), dry_run, self.accept_valid, self.strict
        )
        add_problem(report, code, params)
        return report


def _sqlite_new_file(url: str) -> Path | None:
    path = store.sqlite_path(url)
    return path if path is not None and not path.exists() else None


def _error_detail(exc: BaseException) -> str:
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {first}"[:300]


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
    sheets, files, read_problems = read_sources(sources)
    if progress:
        progress("read", "", len(files), len(files))
    req = _Request(
        sheets,
        files,
        read_problems,
        url,
        accept_valid=accept_valid,
        strict=strict,
        note=note,
        rejects_dir=rejects_dir,
        lang=lang,
        progress=progress,
        today=today or date.today(),
        scope=scope,
    )
    problem = settings.url_problem(url)
    if problem:  # not a URL, an unknown database or a driver that is not installed
        return req.failed("database_error", {"detail": problem}, dry_run=dry_run)
    new_file = _sqlite_new_file(url)
    if dry_run:
        return _dry_run(req, new_file)
    if scope is not None and not (scope.is_all_wales and scope.case_level):
        return req.failed("not_allowed", dry_run=False)
    return _write_import(req, new_file)


def _dry_run(req: _Request, new_file: Path | None) -> ImportReport:
    """Validate only; a database that does not exist yet is treated as empty and is not created."""
    try:
        if new_file is not None:
            return req.validate(Lookup(None, req.scope), dry_run=True).report
        engine = store.get_engine(req.url)
        with engine.connect() as conn:
            meta = store.read_meta_in(conn)
            v = req.validate(Lookup(conn if store.has_schema(conn) else None, req.scope), dry_run=True)
        v.report.synthetic_target = meta.get("synthetic") == "1"
        return v.report
    except _FAILURES as exc:
        return req.failed("database_error", {"detail": _error_detail(exc)}, dry_run=True)


def _write_import(req: _Request, new_file: Path | None) -> ImportReport:
    """Validate and write in one transaction; a new SQLite file is built beside its place and moved there when done."""
    work_url = req.url
    if new_file is not None:
        new_file.parent.mkdir(parents=True, exist_ok=True)
        store.remove_leftovers(new_file)  # left by an import killed before it finished
        tmp = private_files.temp_path(new_file, "importing")  # owner-only from the start: it will hold every row
        work_url = sa.engine.make_url(req.url).set(database=str(tmp)).render_as_string(hide_password=False)
    report = ImportReport(req.files, {}, problems_from(req.read_problems), False, req.accept_valid, req.strict)
    try:
        engine = store.write_engine(work_url)
        with engine.connect() as conn:
            trans = conn.begin()
            try:
                created = not store.has_schema(conn)
                if created:
                    store.create_schema_in(conn)
                else:
                    store.upgrade_in(conn)
                meta = store.read_meta_in(conn)
                v = req.validate(Lookup(conn), dry_run=False)
                report = v.report
                if not _finish(conn, trans, v, meta, created, req):
                    return report
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
    except _FAILURES as exc:
        report.written = report.nothing_written = False
        report.data_version = report.log_id = None
        add_problem(report, "database_error", {"detail": _error_detail(exc)})
        return report
    finally:
        if new_file is not None:
            private_files.remove(tmp)


def _finish(
    conn: sa.Connection, trans: sa.RootTransaction, v: Validation, meta: dict, created: bool, req: _Request
) -> bool:
    """Commit or roll back a validated import; ``True`` when its rows were written (``False``: nothing was, though
    an import with no valid row still commits its log entry)."""
    report = v.report
    if meta.get("synthetic") == "1":
        report.synthetic_target = True
        add_problem(report, "synthetic_database")
    if not report.ok and not (req.accept_valid and meta.get("synthetic") != "1"):
        trans.rollback()
        return False
    if report.rejects and req.rejects_dir is not None:
        report.rejects_paths = write_rejects(report.rejects, req.rejects_dir)
    if not sum(x["valid"] for x in report.totals.values()):  # no valid row: no write, no new version
        report.nothing_written = True
        if created:  # a database is not created to hold nothing
            trans.rollback()
            return False
        report.log_id = append_log(conn, report, now(), "nothing_written", meta.get("data_version", ""), req.note)
        trans.commit()  # the log entry alone: the data and its version are unchanged
        return False
    write(conn, v, meta=meta, created=created, note=req.note, today=req.today, progress=req.progress)
    trans.commit()
    return True

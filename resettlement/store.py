"""Storage: the SQLAlchemy schema (built from the data standard) and scoped reads into Polars.

This is the only module that speaks SQL. Every statement is built with SQLAlchemy Core, so values always
travel as bound parameters. Every read takes a :class:`~resettlement.scope.Scope`; an empty scope reads nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from resettlement import files, settings
from resettlement.scope import Scope
from resettlement.standard import TABLES, Field, Table

META_TABLE = "dataset_meta"
CHUNK_ROWS = 20_000

_SA_TYPES = {
    "str": lambda f: sa.String(64),
    "enum": lambda f: sa.String(32),
    "enum_list": lambda f: sa.Text(),
    "int": lambda f: sa.Integer(),
    "float": lambda f: sa.Float(),
    "date": lambda f: sa.Date(),
    "bool": lambda f: sa.Boolean(),
}
POLARS_TYPES: dict[str, pl.DataType] = {
    "str": pl.String(),
    "enum": pl.String(),
    "enum_list": pl.String(),
    "int": pl.Int64(),
    "float": pl.Float64(),
    "date": pl.Date(),
    "bool": pl.Boolean(),
}
_WIDE_STR = {("rrps", "name"), ("rrps", "name_cy")}


class StoreUnavailable(RuntimeError):
    """The database cannot be reached or opened; the message is fit to show a user."""


def polars_schema(table: Table) -> dict[str, pl.DataType]:
    """The Polars schema of a standard table, in column order."""
    return {f.name: POLARS_TYPES[f.dtype] for f in table.fields}


def _column(table: Table, f: Field) -> sa.Column:
    sa_type = sa.String(200) if (table.name, f.name) in _WIDE_STR else _SA_TYPES[f.dtype](f)
    return sa.Column(f.name, sa_type, primary_key=f.name in table.key, nullable=f.name not in table.key)


def build_metadata() -> sa.MetaData:
    """SQLAlchemy tables for every table of the standard, plus the dataset metadata table."""
    md = sa.MetaData()
    for table in TABLES.values():
        sa.Table(table.name, md, *(_column(table, f) for f in table.fields))
    sa.Table(
        META_TABLE,
        md,
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    sa.Index("ix_cases_la_code", md.tables["cases"].c.la_code)
    sa.Index("ix_cases_start_date", md.tables["cases"].c.start_date)
    sa.Index("ix_rrp_meetings_rrp_id", md.tables["rrp_meetings"].c.rrp_id)
    sa.Index("ix_rrp_reviews_case_id", md.tables["rrp_reviews"].c.case_id)
    return md


METADATA = build_metadata()


def _sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        return Path(u.database)
    return None


def database_exists(url: str) -> bool:
    """False only for an SQLite file that is not there yet (a server database is assumed to exist)."""
    path = _sqlite_path(url)
    return path is None or path.exists()


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One engine per URL (connection pools are shared across reruns)."""
    path = _sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict = {"pool_pre_ping": True}
    if make_url(url).get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": 5}
    return sa.create_engine(url, **kwargs)


def check(url: str) -> None:
    """Raise :class:`StoreUnavailable` with a readable reason if the database cannot be used.

    Never creates anything: a missing SQLite file is reported, not made empty. An unparsable URL or a database
    driver that is not installed is reported too.
    """
    problem = settings.url_problem(url)
    if problem:
        raise StoreUnavailable(problem)
    path = _sqlite_path(url)
    if path is not None:
        remove_leftovers(path)
    if path is not None and not path.exists():
        raise StoreUnavailable(f"the database file {path} does not exist")
    try:
        engine = get_engine(url)
        with engine.connect() as conn:
            conn.execute(sa.select(1))
            if not sa.inspect(conn).has_table(META_TABLE):
                raise StoreUnavailable("The database has no Resettlement Monitor tables. Load demo data or import.")
    except StoreUnavailable:
        raise
    except Exception as exc:
        raise StoreUnavailable(error_text(exc)) from exc


#: Temporary files built beside an SQLite database (``files.temp_path`` kinds): by the app's first start, by imports.
TEMP_KINDS: tuple[str, ...] = ("building", "importing")


def remove_leftovers(path: Path) -> list[Path]:
    """Remove the temporary files beside the SQLite file ``path`` that a killed process left (best effort)."""
    removed: list[Path] = []
    for kind in TEMP_KINDS:
        try:
            removed += files.remove_stale(path, kind)
        except OSError as exc:
            log.warning("could not remove temporary files beside %s: %s", path, exc)
    return removed


#: Errors that mean the database could not be used or read (unreachable, damaged, refused), not a bug.
DATABASE_ERRORS: tuple[type[BaseException], ...] = (sa.exc.SQLAlchemyError, StoreUnavailable)


# A stored value quoted in a driver's message (SQLite: "... column 'child_id' with text 'P98af…'"; PostgreSQL:
# 'invalid input syntax for type date: "31/02"'): an error is shown to viewers who may not see case-level values.
_STORED_VALUE = re.compile(r"""(with text |: )(['"]).*\2$""")


def error_text(exc: BaseException) -> str:
    """An exception in one readable line: its kind and the first line of its message (never the SQL statement, and
    never a stored value the message quotes)."""
    if isinstance(exc, StoreUnavailable):
        return str(exc)
    cause = getattr(exc, "orig", None) or exc
    first = str(cause).splitlines()[0] if str(cause) else ""
    first = _STORED_VALUE.sub(r"\1\2…\2", first)
    return f"{type(cause).__name__}: {first}"[:300]


def create_schema(engine: Engine, drop: bool = False) -> None:
    """Create every table (dropping existing ones first if ``drop``)."""
    if drop:
        METADATA.drop_all(engine)
    METADATA.create_all(engine)


def _records(df: pl.DataFrame, columns: Iterable[str]) -> list[dict]:
    return df.select(list(columns)).to_dicts()


def write_table(conn: sa.Connection, name: str, df: pl.DataFrame) -> int:
    """Insert every row of ``df`` into standard table ``name`` in chunks; returns the row count."""
    table = TABLES[name]
    missing = [c for c in table.columns if c not in df.columns]
    if missing:
        df = df.with_columns(pl.lit(None).alias(c) for c in missing)
    df = df.select(pl.col(c).cast(t) for c, t in polars_schema(table).items())
    sa_table = METADATA.tables[name]
    for start in range(0, df.height, CHUNK_ROWS):
        conn.execute(sa_table.insert(), _records(df.slice(start, CHUNK_ROWS), table.columns))
    return df.height


def replace_all(engine: Engine, frames: Mapping[str, pl.DataFrame], meta: Mapping[str, str]) -> None:
    """Replace the whole dataset atomically: drop, recreate and load every table in one transaction."""
    create_schema(engine)
    with engine.begin() as conn:
        for name in reversed(list(TABLES)):
            conn.execute(METADATA.tables[name].delete())
        conn.execute(METADATA.tables[META_TABLE].delete())
        for name in TABLES:
            if name in frames:
                write_table(conn, name, frames[name])
        _write_meta(conn, meta)


def _write_meta(conn: sa.Connection, meta: Mapping[str, str]) -> None:
    t = METADATA.tables[META_TABLE]
    for key, value in meta.items():
        conn.execute(t.delete().where(t.c.key == key))
        conn.execute(t.insert().values(key=key, value=str(value)))
    if conn.execute(sa.select(t.c.value).where(t.c.key == ROUNDING_KEY)).first() is None:
        # made once with the data, kept with it, never shown: which way the publication view rounds each count
        conn.execute(t.insert().values(key=ROUNDING_KEY, value=str(secrets.randbelow(2**24 - 1) + 1)))


ROUNDING_KEY = "rounding_key"


def rounding_key(meta: Mapping[str, str]) -> int:
    """The database's rounding key (see ``disclosure.round_to``); 1 for a database written before keys existed,
    until its next import."""
    value = meta.get(ROUNDING_KEY, "")
    return int(value) if value.isdigit() else 1


def set_meta(engine: Engine, **meta: str) -> None:
    with engine.begin() as conn:
        _write_meta(conn, meta)


def read_meta(engine: Engine) -> dict[str, str]:
    """Dataset metadata: ``as_of``, ``synthetic``, ``data_version`` and generator details."""
    t = METADATA.tables[META_TABLE]
    with engine.connect() as conn:
        return {row.key: row.value for row in conn.execute(sa.select(t.c.key, t.c.value))}


def as_of(meta: Mapping[str, str]) -> date | None:
    value = meta.get("as_of")
    with _readable(META_TABLE):
        return date.fromisoformat(value) if value else None


def _scoped_select(name: str, scope: Scope) -> sa.Select:
    t = METADATA.tables[name]
    cases = METADATA.tables["cases"]
    codes = sa.bindparam("la_codes", value=sorted(scope.la_codes), expanding=True)
    stmt = sa.select(*(t.c[c] for c in TABLES[name].columns))
    if name == "cases":
        return stmt.where(t.c.la_code.in_(codes))
    if TABLES[name].case_linked:
        return stmt.where(t.c.case_id.in_(sa.select(cases.c.case_id).where(cases.c.la_code.in_(codes))))
    raise ValueError(f"{name} is not scoped by case")


#: What converting a stored value raises when it does not fit its column (text in a date or number column of an
#: SQLite file written by something else): the database is unreadable, not the code wrong.
_VALUE_ERRORS: tuple[type[BaseException], ...] = (ValueError, TypeError, OverflowError, pl.exceptions.PolarsError)


@contextmanager
def _readable(name: str) -> Iterator[None]:
    """Report a stored value that cannot be read as :class:`StoreUnavailable`, naming the table."""
    try:
        yield
    except _VALUE_ERRORS as exc:
        raise StoreUnavailable(
            f"a value stored in {name} cannot be read ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''})"
        ) from exc


def _fetch(conn: sa.Connection, stmt: sa.Select, table: Table) -> pl.DataFrame:
    schema = polars_schema(table)
    with _readable(table.name):
        rows = conn.execute(stmt).all()
        return pl.DataFrame(rows, schema=schema, orient="row")


def read_table(engine: Engine, name: str, scope: Scope) -> pl.DataFrame:
    """Read one standard table, restricted to the viewer's scope, with the standard's Polars schema.

    Case-linked tables follow their case's local authority. An RRP is visible when it covers any authority in
    scope; its meetings and attendance follow it.
    """
    table = TABLES[name]
    if scope.is_empty:
        return pl.DataFrame(schema=polars_schema(table))
    with engine.connect() as conn:
        if name == "cases" or table.case_linked:
            return _fetch(conn, _scoped_select(name, scope), table)
        rrps = _fetch(conn, sa.select(METADATA.tables["rrps"]), TABLES["rrps"])
        visible = rrps.filter(
            pl.col("la_codes").str.split(";").list.eval(pl.element().is_in(sorted(scope.la_codes))).list.any()
        )
        if name == "rrps":
            return visible
        ids = visible["rrp_id"].to_list()
        meetings_t = METADATA.tables["rrp_meetings"]
        id_param = sa.bindparam("rrp_ids", value=ids, expanding=True)
        if name == "rrp_meetings":
            return _fetch(conn, sa.select(meetings_t).where(meetings_t.c.rrp_id.in_(id_param)), table)
        if name == "rrp_attendance":
            t = METADATA.tables[name]
            sub = sa.select(meetings_t.c.meeting_id).where(meetings_t.c.rrp_id.in_(id_param))
            return _fetch(conn, sa.select(t).where(t.c.meeting_id.in_(sub)), table)
    raise ValueError(f"unknown table {name!r}")


def read_all(engine: Engine, scope: Scope, data_version: str | None = None) -> dict[str, pl.DataFrame]:
    """Every standard table, scoped: from the columnar snapshot of ``data_version`` (see :func:`snapshot_dir`) when
    there is one, else read through SQL once, snapshotted, and scoped here the same way.

    ``data_version`` defaults to the database's current one. An empty scope reads nothing at all.
    """
    if scope.is_empty:
        return {name: pl.DataFrame(schema=polars_schema(table)) for name, table in TABLES.items()}
    url = engine.url.render_as_string(hide_password=False)
    version = data_version if data_version is not None else read_meta(engine).get("data_version", "")
    folder = snapshot_dir(url, version)
    if folder is not None and (folder / _COMPLETE).exists():
        try:
            return scope_frames(_read_snapshot(folder), scope)
        except Exception as exc:  # a damaged snapshot is only a cache: read the database instead
            log.warning("ignoring the unreadable snapshot %s: %s", folder, exc)
    before = read_meta(engine).get("data_version", "")
    frames = read_all_sql(engine)
    after = read_meta(engine).get("data_version", "")
    if before == after:  # nothing was written while we read: the frames are exactly this version
        write_snapshot(url, after, frames)
    return scope_frames(frames, scope)


def read_all_sql(engine: Engine, scope: Scope | None = None) -> dict[str, pl.DataFrame]:
    """Every standard table read through SQL (scoped by the database when ``scope`` is given, else whole)."""
    if scope is not None:
        return {name: read_table(engine, name, scope) for name in TABLES}
    with engine.connect() as conn:
        return {name: _fetch(conn, sa.select(METADATA.tables[name]), table) for name, table in TABLES.items()}


def scope_frames(frames: Mapping[str, pl.DataFrame | pl.LazyFrame], scope: Scope) -> dict[str, pl.DataFrame]:
    """Whole tables restricted to ``scope`` exactly as :func:`read_table` restricts them in SQL: cases by local
    authority, case-linked rows by their case's authority (rows of no known case are never visible), RRPs that
    cover any authority in scope, and their meetings and attendance. An empty scope keeps nothing. Lazy frames
    (a snapshot's Parquet scans) are filtered as they are read."""
    codes = sorted(scope.la_codes)
    lazy = {name: frames[name].lazy() for name in TABLES}
    out: dict[str, pl.LazyFrame] = {"cases": lazy["cases"].filter(pl.col("la_code").is_in(codes))}
    for name, table in TABLES.items():
        if not table.case_linked:
            continue
        if _SCOPE_COL in lazy[name].collect_schema().names():  # a snapshot: the case's authority is on the row
            out[name] = lazy[name].filter(pl.col(_SCOPE_COL).is_in(codes)).drop(_SCOPE_COL)
        else:
            out[name] = lazy[name].join(out["cases"].select("case_id"), on="case_id", how="semi", maintain_order="left")
    out["rrps"] = lazy["rrps"].filter(pl.col("la_codes").str.split(";").list.eval(pl.element().is_in(codes)).list.any())
    out["rrp_meetings"] = lazy["rrp_meetings"].join(
        out["rrps"].select("rrp_id"), on="rrp_id", how="semi", maintain_order="left"
    )
    out["rrp_attendance"] = lazy["rrp_attendance"].join(
        out["rrp_meetings"].select("meeting_id"), on="meeting_id", how="semi", maintain_order="left"
    )
    names = list(TABLES)
    collected = pl.collect_all([out[name].select(TABLES[name].columns) for name in names])
    return dict(zip(names, collected, strict=True))


# ---- the columnar snapshot: a Parquet file per table for each data version, so the app never reads millions of
# rows through SQL twice ------------------------------------------------------------------------------------------

log = logging.getLogger(__name__)
SNAPSHOT_KEEP = 8  # databases whose snapshots are kept (the most recently written)
_COMPLETE = "snapshot.json"
_SCOPE_COL = "__la_code"  # a case-linked row's case authority, stored so scoping needs no join


def snapshot_root() -> Path | None:
    """Where snapshots are kept (setting ``RESETTLEMENT_CACHE_DIR``; ``off`` keeps none)."""
    value = settings.get("RESETTLEMENT_CACHE_DIR")
    return None if value.lower() in ("off", "none", "0") else Path(value)


def _database_id(url: str) -> tuple[str, str]:
    """A stable identity of the database behind ``url`` (an SQLite file's absolute path, or the URL without its
    password) and its short hash, which names its snapshot folder."""
    path = _sqlite_path(url)
    ident = f"sqlite:{path.resolve()}" if path is not None else display_url(url)
    return ident, hashlib.sha256(ident.encode("utf-8")).hexdigest()[:16]


def snapshot_dir(url: str, data_version: str) -> Path | None:
    """``<cache dir>/<database hash>/<data_version>/``: where the snapshot of one version of a database lives
    (``None`` when there is no version to key it on, or for an in-memory database). Imports write a new
    ``data_version``, so a snapshot is never read for data it does not hold."""
    root = snapshot_root()
    if root is None or not data_version or (make_url(url).get_backend_name() == "sqlite" and _sqlite_path(url) is None):
        return None
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", data_version)[:100]
    return root / _database_id(url)[1] / safe


def complete_snapshot(url: str, data_version: str) -> Path | None:
    """The folder of ``data_version``'s snapshot when it has been written completely, else ``None``."""
    folder = snapshot_dir(url, data_version)
    return folder if folder is not None and (folder / _COMPLETE).exists() else None


def write_snapshot(url: str, data_version: str, frames: Mapping[str, pl.DataFrame]) -> Path | None:
    """Write whole (unscoped) tables as the snapshot of ``data_version``; older versions of the same database are
    removed. Best effort: a cache that cannot be written only costs speed, so errors are logged, not raised."""
    folder = snapshot_dir(url, data_version)
    if folder is None or (folder / _COMPLETE).exists():
        return folder
    tmp = folder.parent / f".tmp-{uuid.uuid4().hex}"
    try:
        files.private_folder(folder.parent)  # a copy of the data: owner-only, like its files
        tmp.mkdir(mode=files.FOLDER_MODE)
        cases = frames["cases"].select(pl.col(c).cast(t) for c, t in polars_schema(TABLES["cases"]).items())
        owner = cases.select("case_id", pl.col("la_code").alias(_SCOPE_COL))
        for name, table in TABLES.items():
            df = frames.get(name, pl.DataFrame(schema=polars_schema(table)))
            df = df.select(pl.col(c).cast(t) for c, t in polars_schema(table).items())
            if table.case_linked:
                df = df.join(owner, on="case_id", how="left")
            df.write_parquet(tmp / f"{name}.parquet", compression="zstd")
            files.make_private(tmp / f"{name}.parquet")
        ident = _database_id(url)[0]
        files.private_write(
            tmp / _COMPLETE,
            json.dumps(
                {
                    "database": ident,
                    "data_version": data_version,
                    "written": time.strftime("%Y-%m-%dT%H:%M:%S"),
                    "rows": {n: df.height for n, df in frames.items()},
                }
            ).encode(),
        )
        try:
            os.replace(tmp, folder)
        except OSError:  # another process wrote the same version first
            shutil.rmtree(tmp, ignore_errors=True)
        _prune(folder)
        return folder
    except Exception as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        log.warning("could not write the snapshot %s: %s", folder, exc)
        return None


def adopt_snapshot(old_url: str, new_url: str) -> None:
    """After an SQLite file built at ``old_url`` was moved to ``new_url``, move its snapshots along with it."""
    old = snapshot_dir(old_url, "x")
    new = snapshot_dir(new_url, "x")
    if old is None or new is None or not old.parent.exists():
        return
    try:
        shutil.rmtree(new.parent, ignore_errors=True)
        os.replace(old.parent, new.parent)
        for marker in new.parent.glob(f"*/{_COMPLETE}"):
            info = json.loads(marker.read_text())
            marker.write_text(json.dumps({**info, "database": _database_id(new_url)[0]}))
    except OSError as exc:
        log.warning("could not move the snapshot of %s: %s", display_url(old_url), exc)


def _prune(keep: Path) -> None:
    """Remove other versions of ``keep``'s database, snapshots of SQLite files that no longer exist, and all but
    the :data:`SNAPSHOT_KEEP` most recently written databases."""
    for old in keep.parent.iterdir():
        if old != keep and old.is_dir() and not old.name.startswith(".tmp-"):
            shutil.rmtree(old, ignore_errors=True)
    databases = []
    for db in keep.parent.parent.iterdir():
        marker = next(db.glob(f"*/{_COMPLETE}"), None) if db.is_dir() else None
        if marker is None:
            continue
        ident = json.loads(marker.read_text()).get("database", "")
        if ident.startswith("sqlite:") and not Path(ident.removeprefix("sqlite:")).exists():
            shutil.rmtree(db, ignore_errors=True)
        else:
            databases.append((marker.stat().st_mtime, db))
    for _, db in sorted(databases, reverse=True)[SNAPSHOT_KEEP:]:
        shutil.rmtree(db, ignore_errors=True)


def _read_snapshot(folder: Path) -> dict[str, pl.LazyFrame]:
    """The snapshot's tables as lazy Parquet scans (:func:`scope_frames` filters them as they are read)."""
    return {name: pl.scan_parquet(folder / f"{name}.parquet") for name in TABLES}


def row_counts(engine: Engine) -> dict[str, int]:
    """Unscoped row counts per table (for the CLI and checks; reveals no figures by area)."""
    with engine.connect() as conn:
        return {
            name: conn.execute(sa.select(sa.func.count()).select_from(METADATA.tables[name])).scalar_one()
            for name in TABLES
        }


def display_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


# ---- imports: upsert by key, a transactional write engine and the import log -----------------------------------

IMPORT_LOG_TABLE = "import_log"
IMPORT_LOG = sa.Table(
    IMPORT_LOG_TABLE,
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("imported_at", sa.String(32), nullable=False),  # ISO 8601, UTC
    sa.Column("files", sa.Text, nullable=False),  # JSON: [{"name", "sha256", "bytes"}]
    sa.Column("mode", sa.String(16), nullable=False),  # "atomic" or "accept_valid"
    sa.Column("rows_read", sa.Integer, nullable=False),
    sa.Column("rows_added", sa.Integer, nullable=False),
    sa.Column("rows_updated", sa.Integer, nullable=False),
    sa.Column("rows_unchanged", sa.Integer, nullable=False),
    sa.Column("rows_rejected", sa.Integer, nullable=False),
    sa.Column("tables", sa.Text, nullable=False),  # JSON: per-table totals
    sa.Column("data_version", sa.String(64), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
)
UPSERT_CHUNK_ROWS = 5_000


def _begin_immediate(engine: Engine) -> None:
    """Make SQLite transactions real: BEGIN IMMEDIATE takes the write lock at once, and DDL joins the transaction.

    Python's sqlite3 (before 3.12) neither begins a transaction before DDL nor takes the write lock until the
    first write; SQLAlchemy's documented recipe hands BEGIN over to us.
    """

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def write_engine(url: str) -> Engine:
    """An engine for all-or-nothing writes: one transaction holds schema creation, every row and the metadata,
    so a crash or a killed process leaves the database as it was (SQLite's journal or PostgreSQL rolls back)."""
    path = _sqlite_path(url)
    if path is None:
        return get_engine(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args={"timeout": 30})
    _begin_immediate(engine)
    return engine


def has_schema(conn: sa.Connection) -> bool:
    """Whether the database already holds the Resettlement Monitor tables."""
    return sa.inspect(conn).has_table(META_TABLE)


def create_schema_in(conn: sa.Connection) -> None:
    """Create any missing table inside the caller's transaction (rolled back with it)."""
    METADATA.create_all(conn)


def _rrps_in_scope(codes: list[str]) -> sa.ColumnElement[bool]:
    """RRPs covering any authority of ``codes`` (``la_codes`` is stored as codes separated by ``;``)."""
    rrps = METADATA.tables["rrps"]
    wrapped = sa.literal(";") + rrps.c.la_codes + sa.literal(";")
    return sa.or_(sa.false(), *(wrapped.like(sa.literal(f"%;{code};%")) for code in codes))


def scope_condition(name: str, scope: Scope) -> sa.ColumnElement[bool]:
    """The rows of standard table ``name`` a viewer with ``scope`` may see, as a SQL condition (bound parameters):
    the same rule as :func:`read_table` and :func:`scope_frames`."""
    t = METADATA.tables[name]
    codes = sorted(scope.la_codes)
    cases = METADATA.tables["cases"]
    in_codes = sa.bindparam(f"scope_{name}", value=codes, expanding=True)
    if name == "cases":
        return t.c.la_code.in_(in_codes)
    if TABLES[name].case_linked:
        return t.c.case_id.in_(sa.select(cases.c.case_id).where(cases.c.la_code.in_(in_codes)))
    rrps, meetings = METADATA.tables["rrps"], METADATA.tables["rrp_meetings"]
    visible = sa.select(rrps.c.rrp_id).where(_rrps_in_scope(codes))
    if name == "rrps":
        return _rrps_in_scope(codes)
    if name == "rrp_meetings":
        return t.c.rrp_id.in_(visible)
    if name == "rrp_attendance":
        return t.c.meeting_id.in_(sa.select(meetings.c.meeting_id).where(meetings.c.rrp_id.in_(visible)))
    raise ValueError(f"unknown table {name!r}")


def read_rows(
    conn: sa.Connection,
    name: str,
    columns: Iterable[str],
    keys: pl.DataFrame | None = None,
    scope: Scope | None = None,
) -> pl.DataFrame:
    """Rows of standard table ``name`` (for validation only, never for display), unscoped unless ``scope`` is given.

    With ``keys`` (a frame of the table's first key column), only rows whose first key is among them are read,
    in chunks of bound parameters; without, the whole table. With ``scope``, rows the viewer may not see are never
    read, so an import check cannot tell whether such a record exists (issue 18: no oracle on other areas' records).
    """
    table = TABLES[name]
    t = METADATA.tables[name]
    cols = list(dict.fromkeys([*columns]))
    schema = {c: POLARS_TYPES[table.field(c).dtype] for c in cols}
    stmt = sa.select(*(t.c[c] for c in cols))
    if scope is not None:
        stmt = stmt.where(scope_condition(name, scope))
    if keys is None:  # streamed in partitions, so a million rows never sit in memory as Python tuples at once
        result = conn.execute(stmt, execution_options={"yield_per": UPSERT_CHUNK_ROWS * 10})  # this statement only
        with _readable(name):
            parts = [pl.DataFrame(rows, schema=schema, orient="row") for rows in result.partitions()]
        return pl.concat([pl.DataFrame(schema=schema), *parts])
    first = table.key[0] if table.key[0] in keys.columns else keys.columns[0]
    wanted = keys[first].drop_nulls().unique().to_list()
    parts = [pl.DataFrame(schema=schema)]
    for start in range(0, len(wanted), UPSERT_CHUNK_ROWS):
        chunk = sa.bindparam("keys", value=wanted[start : start + UPSERT_CHUNK_ROWS], expanding=True)
        with _readable(name):
            rows = conn.execute(stmt.where(t.c[first].in_(chunk))).all()
            parts.append(pl.DataFrame(rows, schema=schema, orient="row"))
    return pl.concat(parts)


def upsert(conn: sa.Connection, name: str, df: pl.DataFrame, progress: Callable[[int], None] | None = None) -> int:
    """Insert or update rows of standard table ``name`` by its key; returns the number of rows written.

    Only the columns present in ``df`` are written: on a key already in the table they replace the stored
    values, and columns ``df`` does not carry keep theirs. Runs in the caller's transaction.
    """
    table = TABLES[name]
    missing_key = [k for k in table.key if k not in df.columns]
    if missing_key:
        raise ValueError(f"upsert into {name} needs its key columns: {', '.join(missing_key)}")
    cols = [c for c in table.columns if c in df.columns]
    df = df.select(pl.col(c).cast(POLARS_TYPES[table.field(c).dtype]) for c in cols)
    t = METADATA.tables[name]
    dialect = conn.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise ValueError(f"upsert is not supported on {dialect}")
    stmt = dialect_insert(t)
    updates = {c: stmt.excluded[c] for c in cols if c not in table.key}
    stmt = (
        stmt.on_conflict_do_update(index_elements=list(table.key), set_=updates)
        if updates
        else (stmt.on_conflict_do_nothing(index_elements=list(table.key)))
    )
    for start in range(0, df.height, UPSERT_CHUNK_ROWS):
        conn.execute(stmt, _records(df.slice(start, UPSERT_CHUNK_ROWS), cols))
        if progress is not None:
            progress(min(start + UPSERT_CHUNK_ROWS, df.height))
    return df.height


def write_meta(conn: sa.Connection, **meta: str) -> None:
    """Set metadata keys inside the caller's transaction (``set_meta`` opens its own)."""
    _write_meta(conn, meta)


def read_meta_in(conn: sa.Connection) -> dict[str, str]:
    """Dataset metadata read inside the caller's transaction (empty if the database has no tables yet)."""
    if not has_schema(conn):
        return {}
    t = METADATA.tables[META_TABLE]
    return {row.key: row.value for row in conn.execute(sa.select(t.c.key, t.c.value))}


def append_import_log(conn: sa.Connection, entry: Mapping[str, object]) -> int:
    """Record one import in the log (inside the import's transaction); returns its id."""
    values = {c.name: entry[c.name] for c in IMPORT_LOG.columns if c.name != "id"}
    return conn.execute(IMPORT_LOG.insert().values(**values)).inserted_primary_key[0]


def read_import_log(engine: Engine, limit: int = 50) -> pl.DataFrame:
    """The latest imports, newest first (empty if the database has never been imported into)."""
    schema = {c.name: (pl.Int64 if isinstance(c.type, sa.Integer) else pl.String) for c in IMPORT_LOG.columns}
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(IMPORT_LOG_TABLE):
            return pl.DataFrame(schema=schema)
        stmt = sa.select(IMPORT_LOG).order_by(IMPORT_LOG.c.id.desc()).limit(limit)
        return pl.DataFrame(conn.execute(stmt).all(), schema=schema, orient="row")


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL (``None`` for a server database or an in-memory one)."""
    return _sqlite_path(url)


# ---- users, roles and the audit log (issue 18) -------------------------------------------------------------------
# Who may see what is stored beside the data, so one server serves many kinds of viewer; every sign-in, import,
# export and case-level view is recorded. Created on first use (``ensure_access_schema``), so databases built before
# these tables existed gain them without a migration. They have a MetaData of their own: building or replacing the
# data (``create_schema``, ``replace_all``) never touches who may sign in.
ACCESS_METADATA = sa.MetaData()
USERS_TABLE = "app_users"
USERS = sa.Table(
    USERS_TABLE,
    ACCESS_METADATA,
    sa.Column("name", sa.String(200), primary_key=True),  # lower case: a local user name or an OIDC email/subject
    sa.Column("role", sa.String(16), nullable=False),  # national, area, presenter or admin (access.ROLES)
    sa.Column("areas", sa.Text, nullable=False),  # area tokens separated by ';' (la:, service:, police_area:, rrp:)
    sa.Column("password_hash", sa.Text, nullable=True),  # argon2id; NULL: signs in through OIDC only
    sa.Column("failed", sa.Integer, nullable=False),  # failed password attempts since the last success
    sa.Column("locked_until", sa.String(32), nullable=True),  # ISO 8601 UTC
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
)
AUDIT_TABLE = "audit_log"
AUDIT = sa.Table(
    AUDIT_TABLE,
    ACCESS_METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(32), nullable=False),  # ISO 8601 UTC
    sa.Column("user_name", sa.String(200), nullable=False),  # who ("-" for a failed sign-in of no known user)
    sa.Column("event", sa.String(32), nullable=False),  # access.AUDIT_EVENTS
    sa.Column("view", sa.String(64), nullable=False),  # the page, command or file concerned
    sa.Column("detail", sa.Text, nullable=False),  # JSON: filters, outcome, counts (never a stored case value)
)
sa.Index("ix_audit_log_at", AUDIT.c.at)
_USER_COLUMNS: tuple[str, ...] = tuple(c.name for c in USERS.columns)


def ensure_access_schema(engine: Engine) -> None:
    """Create the users and audit tables if the database has not got them yet (nothing else is touched)."""
    ACCESS_METADATA.create_all(engine)


def _has_table(conn: sa.Connection, name: str) -> bool:
    return sa.inspect(conn).has_table(name)


def read_user(engine: Engine, name: str) -> dict | None:
    """The stored user ``name`` (a dict of the table's columns), or ``None`` (also when there is no users table)."""
    with engine.connect() as conn:
        if not _has_table(conn, USERS_TABLE):
            return None
        row = conn.execute(sa.select(USERS).where(USERS.c.name == name)).mappings().first()
    return dict(row) if row else None


def list_users(engine: Engine) -> list[dict]:
    """Every stored user, by name (password hashes included: callers show only what they need)."""
    with engine.connect() as conn:
        if not _has_table(conn, USERS_TABLE):
            return []
        return [dict(r) for r in conn.execute(sa.select(USERS).order_by(USERS.c.name)).mappings()]


def has_users(engine: Engine) -> bool:
    """Whether any user is stored (a real database with none can be opened by no one until one is added)."""
    with engine.connect() as conn:
        if not _has_table(conn, USERS_TABLE):
            return False
        return conn.execute(sa.select(sa.func.count()).select_from(USERS)).scalar_one() > 0


def insert_user(engine: Engine, values: Mapping[str, object]) -> bool:
    """Add a user; ``False`` if the name is taken (the stored user is left as it was)."""
    ensure_access_schema(engine)
    with engine.begin() as conn:
        if conn.execute(sa.select(USERS.c.name).where(USERS.c.name == values["name"])).first():
            return False
        conn.execute(USERS.insert().values(**{c: values.get(c) for c in _USER_COLUMNS}))
    return True


def update_user(engine: Engine, name: str, values: Mapping[str, object]) -> bool:
    """Change stored columns of user ``name``; ``False`` if there is no such user."""
    unknown = set(values) - set(_USER_COLUMNS) - {"name"}
    if unknown:
        raise ValueError(f"not a users column: {', '.join(sorted(unknown))}")
    with engine.begin() as conn:
        if not _has_table(conn, USERS_TABLE):
            return False
        return conn.execute(USERS.update().where(USERS.c.name == name).values(**values)).rowcount > 0


def delete_user(engine: Engine, name: str) -> bool:
    """Remove user ``name``; ``False`` if there is no such user."""
    with engine.begin() as conn:
        if not _has_table(conn, USERS_TABLE):
            return False
        return conn.execute(USERS.delete().where(USERS.c.name == name)).rowcount > 0


def count_failure(engine: Engine, name: str, locked_until: str | None, max_failures: int) -> int:
    """Add one failed attempt to user ``name`` in one statement (two sign-ins at once both count) and, when the count
    reaches ``max_failures``, lock the account until ``locked_until``; returns the new count (0: no such user)."""
    with engine.begin() as conn:
        conn.execute(USERS.update().where(USERS.c.name == name).values(failed=USERS.c.failed + 1))
        failed = conn.execute(sa.select(USERS.c.failed).where(USERS.c.name == name)).scalar()
        if failed is not None and failed >= max_failures:
            conn.execute(USERS.update().where(USERS.c.name == name).values(locked_until=locked_until, failed=0))
    return failed or 0


def append_audit(engine: Engine, entry: Mapping[str, str]) -> None:
    """Record one event in the audit log (its own transaction: the record survives whatever follows)."""
    ensure_access_schema(engine)
    with engine.begin() as conn:
        conn.execute(AUDIT.insert().values(**{c.name: entry[c.name] for c in AUDIT.columns if c.name != "id"}))


AUDIT_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "at": pl.String(),
    "user_name": pl.String(),
    "event": pl.String(),
    "view": pl.String(),
    "detail": pl.String(),
}


def read_audit(
    engine: Engine, limit: int = 200, user: str | None = None, event: str | None = None, since: str | None = None
) -> pl.DataFrame:
    """The latest audit entries, newest first, optionally of one user, one event and from ``since`` (ISO)."""
    with engine.connect() as conn:
        if not _has_table(conn, AUDIT_TABLE):
            return pl.DataFrame(schema=AUDIT_SCHEMA)
        stmt = sa.select(AUDIT)
        if user:
            stmt = stmt.where(AUDIT.c.user_name == user)
        if event:
            stmt = stmt.where(AUDIT.c.event == event)
        if since:
            stmt = stmt.where(AUDIT.c.at >= since)
        rows = conn.execute(stmt.order_by(AUDIT.c.id.desc()).limit(limit)).all()
    return pl.DataFrame(rows, schema=AUDIT_SCHEMA, orient="row")


def rrp_la_codes(engine: Engine, rrp_id: str) -> tuple[str, ...] | None:
    """The local authorities RRP ``rrp_id`` covers (``None`` if there is no such RRP): an area user's scope."""
    t = METADATA.tables["rrps"]
    with engine.connect() as conn:
        if not _has_table(conn, "rrps"):
            return None
        value = conn.execute(sa.select(t.c.la_codes).where(t.c.rrp_id == rrp_id)).scalar()
    if value is None:
        return None
    return tuple(c for c in str(value).split(";") if c)

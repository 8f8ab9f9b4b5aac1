"""Storage: the SQLAlchemy schema (built from the data standard) and scoped reads into Polars.

This is the only module that speaks SQL. Every statement is built with SQLAlchemy Core, so values always
travel as bound parameters. Every read takes a :class:`~resettlement.scope.Scope`; an empty scope reads nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

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

    Never creates anything: a missing SQLite file is reported, not made empty.
    """
    path = _sqlite_path(url)
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
        raise StoreUnavailable(f"{type(exc).__name__}: {str(exc).splitlines()[0]}") from exc


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


def _fetch(conn: sa.Connection, stmt: sa.Select, table: Table) -> pl.DataFrame:
    schema = polars_schema(table)
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


def read_all(engine: Engine, scope: Scope) -> dict[str, pl.DataFrame]:
    """Every standard table, scoped."""
    return {name: read_table(engine, name, scope) for name in TABLES}


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


def read_rows(
    conn: sa.Connection, name: str, columns: Iterable[str], keys: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Unscoped rows of standard table ``name`` (for validation only, never for display).

    With ``keys`` (a frame of the table's first key column), only rows whose first key is among them are read,
    in chunks of bound parameters; without, the whole table.
    """
    table = TABLES[name]
    t = METADATA.tables[name]
    cols = list(dict.fromkeys([*columns]))
    schema = {c: POLARS_TYPES[table.field(c).dtype] for c in cols}
    stmt = sa.select(*(t.c[c] for c in cols))
    if keys is None:  # streamed in partitions, so a million rows never sit in memory as Python tuples at once
        result = conn.execute(stmt, execution_options={"yield_per": UPSERT_CHUNK_ROWS * 10})  # this statement only
        parts = [pl.DataFrame(rows, schema=schema, orient="row") for rows in result.partitions()]
        return pl.concat([pl.DataFrame(schema=schema), *parts])
    first = table.key[0] if table.key[0] in keys.columns else keys.columns[0]
    wanted = keys[first].drop_nulls().unique().to_list()
    parts = [pl.DataFrame(schema=schema)]
    for start in range(0, len(wanted), UPSERT_CHUNK_ROWS):
        chunk = sa.bindparam("keys", value=wanted[start : start + UPSERT_CHUNK_ROWS], expanding=True)
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
    stmt = stmt.on_conflict_do_update(index_elements=list(table.key), set_=updates) if updates else (
        stmt.on_conflict_do_nothing(index_elements=list(table.key))
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

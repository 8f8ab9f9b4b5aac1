"""Writing data: replacing the whole dataset in one transaction, upserting imported rows by key inside the import's
transaction, and the import log."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import polars as pl
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from resettlement.standard import TABLES
from resettlement.store.meta import write_meta
from resettlement.store.schema import (
    IMPORT_LOG,
    IMPORT_LOG_TABLE,
    META_TABLE,
    METADATA,
    POLARS_TYPES,
    create_schema,
    polars_schema,
)

CHUNK_ROWS = 20_000
UPSERT_CHUNK_ROWS = 5_000


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
        write_meta(conn, **meta)


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
    stmt: postgresql.Insert | sqlite.Insert
    if dialect == "postgresql":
        stmt = postgresql.insert(t)
    elif dialect == "sqlite":
        stmt = sqlite.insert(t)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise ValueError(f"upsert is not supported on {dialect}")
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


def append_import_log(conn: sa.Connection, entry: Mapping[str, object]) -> int:
    """Record one import in the log (inside the import's transaction); returns its id."""
    values = {c.name: entry[c.name] for c in IMPORT_LOG.columns if c.name != "id"}
    key = conn.execute(IMPORT_LOG.insert().values(**values)).inserted_primary_key
    if key is None:
        raise RuntimeError("the import log gave no id for the new entry")
    return key[0]


def read_import_log(engine: Engine, limit: int = 50) -> pl.DataFrame:
    """The latest imports, newest first (empty if the database has never been imported into)."""
    schema = {c.name: (pl.Int64 if isinstance(c.type, sa.Integer) else pl.String) for c in IMPORT_LOG.columns}
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(IMPORT_LOG_TABLE):
            return pl.DataFrame(schema=schema)
        stmt = sa.select(IMPORT_LOG).order_by(IMPORT_LOG.c.id.desc()).limit(limit)
        return pl.DataFrame(conn.execute(stmt).all(), schema=schema, orient="row")

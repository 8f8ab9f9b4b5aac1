"""The SQLAlchemy schema of the data, built from the data standard, and the matching Polars schemas.

Every standard table, the dataset metadata table and the import log share :data:`METADATA`, so creating or
replacing the data creates them all (the users and audit tables have their own, in :mod:`.users`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from resettlement.standard import TABLES, Field, Table

META_TABLE = "dataset_meta"


_SA_TYPES: dict[str, Callable[[Field], sa.types.TypeEngine[Any]]] = {
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


def create_schema(engine: Engine, drop: bool = False) -> None:
    """Create every table (dropping existing ones first if ``drop``)."""
    if drop:
        METADATA.drop_all(engine)
    METADATA.create_all(engine)


def has_schema(conn: sa.Connection) -> bool:
    """Whether the database already holds the Resettlement Monitor tables."""
    return sa.inspect(conn).has_table(META_TABLE)


def create_schema_in(conn: sa.Connection) -> None:
    """Create any missing table inside the caller's transaction (rolled back with it)."""
    METADATA.create_all(conn)

"""Bring a database written under an earlier data standard up to this one.

A newer standard only ever adds fields that may be empty (a rule of ``standard.py``), so upgrading is adding those
columns to the existing tables: the data already there is untouched, and the new fields read as not recorded until
an import fills them. The upgrade runs in one transaction with a new ``data_version``, so no snapshot of the old
columns is read again. Table and column names come from the declared schema, never from input.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from resettlement.standard import TABLES, VERSION
from resettlement.store.engine import get_engine
from resettlement.store.meta import write_meta
from resettlement.store.schema import METADATA

_UPGRADED: set[str] = set()
_LOCK = threading.Lock()


def missing_columns(conn: sa.Connection) -> list[sa.Column]:
    """The standard's columns an existing table lacks (tables not yet created are not counted)."""
    inspector = sa.inspect(conn)
    missing = []
    for name in TABLES:
        if not inspector.has_table(name):
            continue
        have = {c["name"] for c in inspector.get_columns(name)}
        missing += [col for col in METADATA.tables[name].columns if col.name not in have]
    return missing


def upgrade_in(conn: sa.Connection) -> tuple[str, ...]:
    """Add the missing columns inside the caller's transaction; returns ``table.column`` of each one added."""
    missing = missing_columns(conn)
    quote = conn.dialect.identifier_preparer.quote
    for col in missing:
        if not col.nullable:
            raise ValueError(f"cannot add {col.table.name}.{col.name}: a key field cannot be added to existing rows")
        kind = col.type.compile(dialect=conn.dialect)
        conn.execute(sa.text(f"ALTER TABLE {quote(col.table.name)} ADD COLUMN {quote(col.name)} {kind}"))
    if missing:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        write_meta(conn, data_version=f"upgrade-{stamp}-{uuid.uuid4().hex[:12]}", upgraded_to_standard=VERSION)
    return tuple(f"{col.table.name}.{col.name}" for col in missing)


def upgrade(url: str) -> tuple[str, ...]:
    """Upgrade the database at ``url`` once per process (later calls return at once)."""
    with _LOCK:
        if url in _UPGRADED:
            return ()
        with get_engine(url).begin() as conn:
            added = upgrade_in(conn)
        _UPGRADED.add(url)
        return added

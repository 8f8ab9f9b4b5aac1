"""Dataset metadata (``as_of``, ``synthetic``, ``data_version``, generator details) and the rounding key kept with
the data."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from resettlement.store.engine import readable
from resettlement.store.schema import META_TABLE, METADATA, has_schema

ROUNDING_KEY = "rounding_key"


def _write_meta(conn: sa.Connection, meta: Mapping[str, str]) -> None:
    t = METADATA.tables[META_TABLE]
    for key, value in meta.items():
        conn.execute(t.delete().where(t.c.key == key))
        conn.execute(t.insert().values(key=key, value=str(value)))
    if conn.execute(sa.select(t.c.value).where(t.c.key == ROUNDING_KEY)).first() is None:
        # made once with the data, kept with it, never shown: which way the publication view rounds each count
        conn.execute(t.insert().values(key=ROUNDING_KEY, value=str(secrets.randbelow(2**24 - 1) + 1)))


def rounding_key(meta: Mapping[str, str]) -> int:
    """The database's rounding key (see ``disclosure.round_to``); 1 for a database written before keys existed,
    until its next import."""
    value = meta.get(ROUNDING_KEY, "")
    return int(value) if value.isdigit() else 1


def set_meta(engine: Engine, **meta: str) -> None:
    """Set metadata keys in a transaction of their own."""
    with engine.begin() as conn:
        _write_meta(conn, meta)


def write_meta(conn: sa.Connection, **meta: str) -> None:
    """Set metadata keys inside the caller's transaction (``set_meta`` opens its own)."""
    _write_meta(conn, meta)


def read_meta(engine: Engine) -> dict[str, str]:
    """Dataset metadata: ``as_of``, ``synthetic``, ``data_version`` and generator details."""
    t = METADATA.tables[META_TABLE]
    with engine.connect() as conn:
        return {row.key: row.value for row in conn.execute(sa.select(t.c.key, t.c.value))}


def read_meta_in(conn: sa.Connection) -> dict[str, str]:
    """Dataset metadata read inside the caller's transaction (empty if the database has no tables yet)."""
    if not has_schema(conn):
        return {}
    t = METADATA.tables[META_TABLE]
    return {row.key: row.value for row in conn.execute(sa.select(t.c.key, t.c.value))}


def as_of(meta: Mapping[str, str]) -> date | None:
    """The dataset's as-of date from its metadata (``None`` when not recorded)."""
    value = meta.get("as_of")
    with readable(META_TABLE):
        return date.fromisoformat(value) if value else None

"""Scoped reads into Polars: every read takes a :class:`~resettlement.scope.Scope` (an empty scope reads nothing),
either as SQL conditions with bound parameters or, for whole datasets, from the columnar snapshot."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from resettlement.scope import Scope
from resettlement.standard import TABLES, Table
from resettlement.store.engine import readable
from resettlement.store.meta import read_meta
from resettlement.store.schema import METADATA, POLARS_TYPES, polars_schema
from resettlement.store.snapshot import complete_snapshot, read_snapshot, scope_frames, write_snapshot
from resettlement.store.writes import UPSERT_CHUNK_ROWS

log = logging.getLogger(__name__)


def _scoped_select(name: str, scope: Scope) -> sa.Select:
    t = METADATA.tables[name]
    cases = METADATA.tables["cases"]
    codes: sa.BindParameter[str] = sa.bindparam("la_codes", value=sorted(scope.la_codes), expanding=True)
    stmt = sa.select(*(t.c[c] for c in TABLES[name].columns))
    if name == "cases":
        return stmt.where(t.c.la_code.in_(codes))
    if TABLES[name].case_linked:
        return stmt.where(t.c.case_id.in_(sa.select(cases.c.case_id).where(cases.c.la_code.in_(codes))))
    raise ValueError(f"{name} is not scoped by case")


def _fetch(conn: sa.Connection, stmt: sa.Select, table: Table) -> pl.DataFrame:
    schema = polars_schema(table)
    with readable(table.name):
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
        id_param: sa.BindParameter[str] = sa.bindparam("rrp_ids", value=ids, expanding=True)
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
    folder = complete_snapshot(url, version)
    if folder is not None:
        try:
            return scope_frames(read_snapshot(folder), scope)
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


def row_counts(engine: Engine) -> dict[str, int]:
    """Unscoped row counts per table (for the CLI and checks; reveals no figures by area)."""
    with engine.connect() as conn:
        return {
            name: conn.execute(sa.select(sa.func.count()).select_from(METADATA.tables[name])).scalar_one()
            for name in TABLES
        }


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
    in_codes: sa.BindParameter[str] = sa.bindparam(f"scope_{name}", value=codes, expanding=True)
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
        with readable(name):
            parts = [pl.DataFrame(rows, schema=schema, orient="row") for rows in result.partitions()]
        return pl.concat([pl.DataFrame(schema=schema), *parts])
    first = table.key[0] if table.key[0] in keys.columns else keys.columns[0]
    wanted = keys[first].drop_nulls().unique().to_list()
    parts = [pl.DataFrame(schema=schema)]
    for start in range(0, len(wanted), UPSERT_CHUNK_ROWS):
        chunk: sa.BindParameter[Any] = sa.bindparam(
            "keys", value=wanted[start : start + UPSERT_CHUNK_ROWS], expanding=True
        )
        with readable(name):
            rows = conn.execute(stmt.where(t.c[first].in_(chunk))).all()
            parts.append(pl.DataFrame(rows, schema=schema, orient="row"))
    return pl.concat(parts)

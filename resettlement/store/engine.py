"""Engines and their failures: one pooled engine per URL, a transactional write engine for SQLite, the check that a
database can be used, and database errors as one readable line that never quotes a stored value.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from resettlement import files, settings
from resettlement.store.schema import META_TABLE

log = logging.getLogger(__name__)


class StoreUnavailable(RuntimeError):
    """The database cannot be reached or opened; the message is fit to show a user."""


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL (``None`` for a server database or an in-memory one)."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        return Path(u.database)
    return None


def database_exists(url: str) -> bool:
    """False only for an SQLite file that is not there yet (a server database is assumed to exist)."""
    path = sqlite_path(url)
    return path is None or path.exists()


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One engine per URL (connection pools are shared across reruns)."""
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict = {"pool_pre_ping": True}
    if make_url(url).get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": 5}
    return sa.create_engine(url, **kwargs)


def check(url: str) -> None:
    """Raise :class:`StoreUnavailable` with a readable reason if the database cannot be used.

    Never creates a database: a missing SQLite file is reported, not made empty. An unparsable URL or a database
    driver that is not installed is reported too. A database written under an earlier data standard is upgraded
    (once per process) by adding the columns the standard has added since (see :mod:`resettlement.store.upgrade`).
    """
    problem = settings.url_problem(url)
    if problem:
        raise StoreUnavailable(problem)
    path = sqlite_path(url)
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
        from resettlement.store.upgrade import upgrade  # it writes through this module's engines

        upgrade(url)
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


#: What converting a stored value raises when it does not fit its column (text in a date or number column of an
#: SQLite file written by something else): the database is unreadable, not the code wrong.
_VALUE_ERRORS: tuple[type[BaseException], ...] = (ValueError, TypeError, OverflowError, pl.exceptions.PolarsError)


@contextmanager
def readable(name: str) -> Iterator[None]:
    """Report a stored value that cannot be read as :class:`StoreUnavailable`, naming the table."""
    try:
        yield
    except _VALUE_ERRORS as exc:
        raise StoreUnavailable(
            f"a value stored in {name} cannot be read ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''})"
        ) from exc


def display_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


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
    path = sqlite_path(url)
    if path is None:
        return get_engine(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args={"timeout": 30})
    _begin_immediate(engine)
    return engine

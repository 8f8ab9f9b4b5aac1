"""Users, roles and the audit log (issue 18).

Who may see what is stored beside the data, so one server serves many kinds of viewer; every sign-in, import,
export and case-level view is recorded. Created on first use (``ensure_access_schema``), so databases built before
these tables existed gain them without a migration. They have a MetaData of their own: building or replacing the
data (``create_schema``, ``replace_all``) never touches who may sign in.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from resettlement.store.schema import METADATA

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

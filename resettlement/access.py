"""Who may see what: users, roles and their areas stored in the database, sign-in with lock-out, and the audit log.

Roles (one per user):

- **national**: all Wales, case level.
- **area**: case level only for the authorities of their areas; an area is ``la:<GSS code>``, ``service:<code>``,
  ``police_area:<code>`` or ``rrp:<RRP id>`` (an RRP's authorities are read from the data at each sign-in).
- **presenter**: all Wales as aggregates only: always the publication view.
- **admin**: imports and users; sees all Wales at case level (an import holds case-level rows anyway).

Deny by default: a signed-in identity with no stored user (an OIDC account nobody added) has no role and sees
nothing. ``RESETTLEMENT_SCOPE`` / ``RESETTLEMENT_CASE_LEVEL`` stay as the open demo's scope, used only while the data
is synthetic and nobody is signed in.

Passwords are hashed with argon2id (``argon2-cffi``, its RFC 9106 defaults); a wrong password counts towards a
lock-out (settings ``RESETTLEMENT_LOCKOUT_FAILURES`` and ``RESETTLEMENT_LOCKOUT_MINUTES``), and a locked account
refuses even the right password until the lock ends. Every refusal looks the same to the person signing in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from resettlement import geography, settings, store
from resettlement.scope import Scope

ROLES: tuple[str, ...] = ("national", "area", "presenter", "admin")
AREA_LEVELS = geography.AREA_OR_RRP_LEVELS
#: What the audit log records.
AUDIT_EVENTS: tuple[str, ...] = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "no_role",
    "import",
    "download",
    "page_view",
    "user_added",
    "user_changed",
    "user_removed",
)
NAME_MAX = 200
_NAME = re.compile(r"^[^\s\x00-\x1f\x7f]{1,200}$")
_HASHER = PasswordHasher()
# Verified against when the name is unknown or has no password, so a refusal takes as long whatever the reason.
_DUMMY_HASH = _HASHER.hash("resettlement-monitor-no-such-user")


@dataclass(frozen=True)
class Viewer:
    """A signed-in person: their stored name, role and areas, and how they signed in (``local`` or ``oidc``)."""

    name: str
    role: str | None
    areas: tuple[str, ...] = ()
    via: str = "local"

    @property
    def has_role(self) -> bool:
        return self.role in ROLES


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def normal_name(name: str) -> str:
    """A user name as stored: trimmed and lower case (emails from an identity provider vary in case)."""
    return name.strip().lower()


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a user name (``None`` if it can): 1 to 200 characters, no spaces or control ones."""
    if not _NAME.match(normal_name(name)):
        return f"not a user name {name!r}: use 1 to {NAME_MAX} characters without spaces, e.g. chair@cardiff"
    return None


def area_problem(token: str, engine: Engine | None = None) -> str | None:
    """Why ``token`` is not an area a user can be given (``None`` if it is). RRPs are checked against the data
    when ``engine`` is given."""
    level, _, code = token.partition(":")
    if level not in AREA_LEVELS or not code:
        return f"not an area {token!r}: use la:<GSS code>, service:<code>, police_area:<code> or rrp:<RRP id>"
    if level == "rrp":
        if engine is not None and store.rrp_la_codes(engine, code) is None:
            return f"no RRP {code!r} in the database"
        return None
    if code not in geography.area_codes(level):
        known = ", ".join(geography.area_codes(level))
        return f"unknown {level} code {code!r}; known: {known}"
    return None


def area_las(token: str, engine: Engine) -> tuple[str, ...]:
    """The local authorities an area token covers (an unknown one covers none: deny by default)."""
    level, _, code = token.partition(":")
    if level == "rrp":
        return tuple(c for c in (store.rrp_la_codes(engine, code) or ()) if c in geography.LA_CODES)
    if area_problem(token) is not None or not geography.is_level(level):
        return ()
    return geography.area_la_codes(level, code)


def scope_for(viewer: Viewer, engine: Engine) -> Scope:
    """The :class:`Scope` a viewer's role and areas give: what every read, cache key and page is restricted to."""
    if viewer.role in ("national", "admin"):
        return Scope.all_wales(case_level=True)
    if viewer.role == "presenter":
        return Scope.all_wales(case_level=False)
    if viewer.role == "area":
        codes = frozenset(c for token in viewer.areas for c in area_las(token, engine))
        return Scope(codes, case_level=True) if codes else Scope.deny()
    return Scope.deny()


def viewer_from_row(row: Mapping[str, object] | None, name: str, via: str) -> Viewer:
    """The viewer a stored user row makes (no row: a viewer with no role)."""
    if row is None:
        return Viewer(normal_name(name), None, (), via)
    areas = tuple(a for a in str(row["areas"] or "").split(";") if a)
    return Viewer(str(row["name"]), str(row["role"]), areas, via)


def lookup(engine: Engine, name: str, via: str) -> Viewer:
    """The stored role of ``name`` now (re-read on every run, so a change or removal takes effect at once)."""
    return viewer_from_row(store.read_user(engine, normal_name(name)), name, via)


# ---- passwords and sign-in ------------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted; parameters kept in the hash, so they can be raised later)."""
    return _HASHER.hash(password)


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class SignIn:
    """The result of a password sign-in: the viewer when accepted, and why not otherwise (for the audit log only:
    the person signing in is told the same thing whatever the reason)."""

    viewer: Viewer | None
    reason: str  # ok, unknown, no_password, wrong, locked


def sign_in(engine: Engine, name: str, password: str, moment: datetime | None = None) -> SignIn:
    """Check a local user's password, counting failures towards the lock-out."""
    moment = moment or now()
    key = normal_name(name)
    row = store.read_user(engine, key)
    if row is None or not row["password_hash"]:
        _verify(None, password)  # the same work as a real check
        return SignIn(None, "unknown" if row is None else "no_password")
    locked = row["locked_until"] and str(row["locked_until"]) > iso(moment)
    if locked:
        _verify(None, password)
        return SignIn(None, "locked")
    if not _verify(str(row["password_hash"]), password):
        failures, minutes = settings.lockout()
        count = store.count_failure(engine, key, iso(moment + timedelta(minutes=minutes)), failures)
        return SignIn(None, "locked" if count >= failures else "wrong")
    values: dict[str, object] = {"failed": 0, "locked_until": None}
    if _HASHER.check_needs_rehash(str(row["password_hash"])):
        values["password_hash"] = hash_password(password)
    store.update_user(engine, key, values)
    return SignIn(viewer_from_row(row, key, "local"), "ok")


# ---- managing users (the command line) --------------------------------------------------------------------------


class UserError(ValueError):
    """A user cannot be added, changed or removed as asked; the message is fit to show."""


def _checked(engine: Engine, name: str, role: str | None, areas: list[str] | None) -> None:
    if problem := name_problem(name):
        raise UserError(problem)
    if role is not None and role not in ROLES:
        raise UserError(f"not a role {role!r}: use one of {', '.join(ROLES)}")
    for token in areas or []:
        if problem := area_problem(token, engine):
            raise UserError(problem)


def add_user(engine: Engine, name: str, role: str, areas: list[str], password: str | None) -> None:
    """Store a new user. An area user needs at least one area; other roles take none."""
    _checked(engine, name, role, areas)
    if role == "area" and not areas:
        raise UserError("an area user needs at least one --area (la:, service:, police_area: or rrp:)")
    if role != "area" and areas:
        raise UserError(f"a {role} user sees all Wales: --area is only for the area role")
    stamp = iso(now())
    added = store.insert_user(
        engine,
        {
            "name": normal_name(name),
            "role": role,
            "areas": ";".join(areas),
            "password_hash": hash_password(password) if password else None,
            "failed": 0,
            "locked_until": None,
            "created_at": stamp,
            "updated_at": stamp,
        },
    )
    if not added:
        raise UserError(f"there is already a user {normal_name(name)!r}: change it with `users set`")


def set_user(
    engine: Engine,
    name: str,
    role: str | None = None,
    areas: list[str] | None = None,
    password: str | None = None,
    unlock: bool = False,
) -> None:
    """Change a user's role, areas (replacing them) or password; ``unlock`` ends a lock-out."""
    _checked(engine, name, role, areas)
    row = store.read_user(engine, normal_name(name))
    if row is None:
        raise UserError(f"there is no user {normal_name(name)!r}")
    new_role = role or str(row["role"])
    new_areas = areas if areas is not None else [a for a in str(row["areas"]).split(";") if a]
    if new_role != "area":
        new_areas = [] if areas is None else new_areas
    if new_role == "area" and not new_areas:
        raise UserError("an area user needs at least one --area (la:, service:, police_area: or rrp:)")
    if new_role != "area" and new_areas:
        raise UserError(f"a {new_role} user sees all Wales: --area is only for the area role")
    values: dict[str, object] = {"role": new_role, "areas": ";".join(new_areas), "updated_at": iso(now())}
    if password:
        values["password_hash"] = hash_password(password)
    if password or unlock:
        values.update(failed=0, locked_until=None)
    store.update_user(engine, normal_name(name), values)


def remove_user(engine: Engine, name: str) -> None:
    if not store.delete_user(engine, normal_name(name)):
        raise UserError(f"there is no user {normal_name(name)!r}")


def user_rows(engine: Engine, moment: datetime | None = None) -> list[dict]:
    """Every user as shown by ``users list`` and the admin page: never the password hash, only whether there is one."""
    stamp = iso(moment or now())
    return [
        {
            "name": r["name"],
            "role": r["role"],
            "areas": str(r["areas"]).replace(";", ", "),
            "password": bool(r["password_hash"]),
            "locked": bool(r["locked_until"] and str(r["locked_until"]) > stamp),
            "updated_at": r["updated_at"],
        }
        for r in store.list_users(engine)
    ]


# ---- the audit log ------------------------------------------------------------------------------------------------


def audit(engine: Engine, user: str, event: str, view: str = "", detail: Mapping[str, object] | None = None) -> None:
    """Record an event in the audit log: who, when (UTC), which view, and details such as filters (plain values)."""
    if event not in AUDIT_EVENTS:
        raise ValueError(f"not an audit event {event!r}")
    store.append_audit(
        engine,
        {
            "at": iso(now()),
            "user_name": user[:NAME_MAX] or "-",
            "event": event,
            "view": view[:64],
            "detail": json.dumps(dict(detail or {}), ensure_ascii=False, default=str, sort_keys=True),
        },
    )

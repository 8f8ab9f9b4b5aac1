"""Commands on who may sign in and what they did: ``users add|set|remove|list`` and ``audit-log``. They need only
a database file, not data in it."""

from __future__ import annotations

import argparse
import json
import sys

from resettlement import settings, store
from resettlement.cli import checks
from resettlement.cli.options import DB, DB_OR_DEFAULT, Command, as_json, iso_date, option


def _positive(text: str) -> int:
    """A whole number of 1 or more (argparse turns the error into a usage message, exit 2)."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a whole number of 1 or more: {text!r}")
    return int(text)


def _access_db(url: str):
    """The engine of an existing database for ``users`` and ``audit-log`` (tables created if missing), or ``None``
    after printing a readable error. Unlike the reporting commands it need not hold data yet."""
    path = store.sqlite_path(url)
    if path is not None and not path.exists():
        print(f"error: the database file {path} does not exist", file=sys.stderr)
        return None
    engine = store.get_engine(url)
    store.ensure_access_schema(engine)
    return engine


def _password(args: argparse.Namespace) -> str | None:
    """The password given on standard input (its first line) with ``--password-stdin``, else ``None``."""
    if not getattr(args, "password_stdin", False):
        return None
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise ValueError("--password-stdin: standard input holds no password (give it on the first line)")
    return line


def _users(args: argparse.Namespace) -> int:
    """Add, change, remove or list the users who may sign in (exit 1 when refused, 2 when the database fails)."""
    from resettlement import access

    engine = _access_db(args.db or settings.db_url())
    if engine is None:
        return 2
    if args.action == "list":
        rows = access.user_rows(engine)
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            for r in rows:
                flags = ", ".join(f for f, on in (("password", r["password"]), ("LOCKED", r["locked"])) if on)
                print(f"{r['name']:<32} {r['role']:<10} {r['areas'] or '-':<40} {flags}")
            print(f"{len(rows)} user(s)")
        return 0
    try:
        password = _password(args)
        if args.action == "add":
            access.add_user(engine, args.name, args.role, args.area or [], password)
        elif args.action == "set":
            access.set_user(engine, args.name, args.role, args.area, password, args.unlock)
        else:
            access.remove_user(engine, args.name)
    except ValueError as exc:  # access.UserError and a missing password
        print(f"error: {exc}", file=sys.stderr)
        return 1
    event = {"add": "user_added", "set": "user_changed", "remove": "user_removed"}[args.action]
    detail = {
        "user": access.normal_name(args.name),
        "role": getattr(args, "role", None),
        "areas": getattr(args, "area", None),
        "password_changed": password is not None,
    }
    access.audit(engine, checks.operator_name(), event, "users", detail)
    print(f"{args.action}: {access.normal_name(args.name)}")
    return 0


def _audit_log(args: argparse.Namespace) -> int:
    """Print the audit log (sign-ins, imports, downloads, case-level views), newest first."""
    engine = _access_db(args.db or settings.db_url())
    if engine is None:
        return 2
    log = store.read_audit(
        engine, limit=args.limit, user=args.user, event=args.event, since=args.since.isoformat() if args.since else None
    )
    if args.json:
        print(json.dumps(log.to_dicts(), indent=2, ensure_ascii=False))
        return 0
    for row in log.iter_rows(named=True):
        print(f"{row['at']}  {row['user_name']:<28} {row['event']:<15} {row['view']:<20} {row['detail']}")
    print(f"{log.height} entr{'y' if log.height == 1 else 'ies'}")
    return 0


def commands() -> dict[str, Command]:
    """This module's commands (:class:`~resettlement.cli.options.Command`)."""
    from resettlement.access import AUDIT_EVENTS, ROLES

    area_help = "an area (repeat for several): la:<GSS code>, service:<code>, police_area:<code> or rrp:<RRP id>"
    stdin = option(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input (none: sign-in through OIDC only)",
    )
    add = (
        option("name", help="user name, or the email/subject the identity provider gives"),
        option("--role", required=True, choices=ROLES),
        option("--area", action="append", help=area_help),
        stdin,
        DB_OR_DEFAULT,
    )
    change = (
        option("name"),
        option("--role", choices=ROLES),
        option("--area", action="append", help=area_help + " (replaces the stored areas)"),
        stdin,
        option("--unlock", action="store_true", help="end a lock-out after repeated wrong passwords"),
        DB_OR_DEFAULT,
    )
    log = (
        DB,
        option("--user", help="only this user's entries"),
        option("--event", choices=AUDIT_EVENTS, help="only this kind of entry"),
        option("--since", type=iso_date, help="only entries on or after this date (YYYY-MM-DD, UTC)"),
        option("--limit", type=_positive, default=200, help="at most this many, newest first (default 200)"),
        as_json("print a JSON array"),
    )
    actions = {
        "add": Command("add a user (e.g. chair@cardiff --role area --area la:W06000015)", _users, add),
        "set": Command("change a user's role, areas or password, or end a lock-out", _users, change),
        "remove": Command("remove a user", _users, (option("name"), DB_OR_DEFAULT)),
        "list": Command("list the users (never their passwords)", _users, (as_json(), DB_OR_DEFAULT)),
    }
    return {
        "users": Command("who may sign in to the app: add, set, remove or list users", actions=actions),
        "audit-log": Command("who signed in, imported, downloaded or viewed case-level pages", _audit_log, log),
    }

"""What every command checks before it runs: its settings and ``--db``, that real case records are only for the
server's operator (``--as-admin``), and that its arguments are text; and the readable errors that replace a traceback.
"""

from __future__ import annotations

import argparse
import sys

from resettlement import settings, store
from resettlement.i18n import t

#: Commands that read no setting (so a bad setting does not stop them).
_NO_SETTINGS = frozenset({"docs", "templates"})


#: Commands that read or write a database's records: on real data, only for the server's operator (--as-admin).
OPERATOR_COMMANDS = frozenset(
    {"info", "gaps", "audit", "import", "completeness", "evaluate", "reoffending", "report", "users", "audit-log"}
)


def operator_name() -> str:
    """Who ran a command, for the audit log: ``cli:<login name>`` (the database URL is the operator's key)."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:?"


def open_db(url: str):
    """The engine for ``url``, or ``None`` after printing a readable error."""
    try:
        store.check(url)
    except store.StoreUnavailable as exc:
        print(f"error: cannot use database {store.display_url(url)}: {exc}", file=sys.stderr)
        return None
    return store.get_engine(url)


def is_text(arg: str) -> bool:
    """Whether an argument can be a file name, URL, code or note: no NUL (a shell cannot even pass one) and no byte
    that is not UTF-8 (Python keeps those as lone surrogates, which no database or file format can hold)."""
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in arg


def _holds_real_data(url: str) -> bool:
    """True unless ``url`` is a database of synthetic demonstration data (a new database will hold real data)."""
    if not store.database_exists(url):
        return True
    try:
        return store.read_meta(store.get_engine(url)).get("synthetic") != "1"
    except store.DATABASE_ERRORS:
        return True


def _operator_refusal(args: argparse.Namespace) -> str | None:
    """Why a command may not run (``None`` if it may): real case records are for the server's operator, who says so
    with ``--as-admin``; the app's users sign in and see what their role allows instead."""
    if args.command not in OPERATOR_COMMANDS or getattr(args, "as_admin", False):
        return None
    url = getattr(args, "db", None) or settings.db_url()
    if not store.database_exists(url) and args.command not in ("import", "users"):
        return None  # nothing to read: the command says so itself
    if not _holds_real_data(url):
        return None
    return (
        f"{args.command} reads or writes real case records: the command line is for the server's operator, "
        "who holds the database URL. Pass --as-admin to confirm (app users sign in instead; see the README, "
        "'Sign-in, roles and the audit log')."
    )


def checked(args: argparse.Namespace) -> int:
    """Run a command after checking the settings and ``--db`` it reads; every database or file error becomes a
    readable message and exit code 2, never a traceback."""
    if args.command not in _NO_SETTINGS:
        db = getattr(args, "db", None)
        problems = settings.problems(skip=("RESETTLEMENT_DB_URL",) if db else ())
        for problem in problems:
            print(f"error: {settings.describe(problem)}", file=sys.stderr)
        if problems:
            return 2
        url_problem = settings.url_problem(db) if db else None
        if db and url_problem:
            print(
                f"error: --db {settings.hide_password(db)!r} cannot be used: {settings.hide_password(url_problem)}",
                file=sys.stderr,
            )
            return 2
    try:
        refusal = _operator_refusal(args)
        if refusal:
            print(f"error: {refusal}", file=sys.stderr)
            return 2
        return args.func(args)
    except store.DATABASE_ERRORS as exc:
        print(f"error: {t('db.damaged', 'en', detail=settings.hide_password(store.error_text(exc)))}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2

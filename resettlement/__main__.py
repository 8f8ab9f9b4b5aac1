"""Command line: ``python -m resettlement demo|info ...``."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from resettlement import settings, store
from resettlement.i18n import t
from resettlement.standard import PATHWAYS


def _demo(args: argparse.Namespace) -> int:
    from resettlement import synth

    url = args.db or settings.db_url()
    started = time.perf_counter()

    def progress(fraction: float, message: str) -> None:
        print(f"  {fraction:4.0%} {message}", file=sys.stderr)

    try:
        counts = synth.build_demo(
            url, scale=args.scale, seed=args.seed, as_of=args.as_of, progress=progress, scenario=args.scenario
        )
    except synth.RealDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    meta = store.read_meta(store.get_engine(url))
    print(f"Synthetic database written to {store.display_url(url)} in {elapsed:.1f} s (as of {meta['as_of']}):")
    for name, n in counts.items():
        print(f"  {name:<16} {n:>10,}")
    return 0


def _iso_date(text: str) -> date:
    """An argument that is a date (``YYYY-MM-DD``); argparse turns the error into a usage message (exit 2)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date {text!r}: use YYYY-MM-DD, e.g. 2026-09-30") from None


def _scale(text: str) -> float:
    """A demo scale: a number above 0 and up to 1000, as ``RESETTLEMENT_DEMO_SCALE``."""
    if not settings.CHECKS["RESETTLEMENT_DEMO_SCALE"][0](text):
        raise argparse.ArgumentTypeError(f"not a scale {text!r}: use a number above 0 and up to 1000 (1 = Wales)")
    return float(text)


def _info(args: argparse.Namespace) -> int:
    url = args.db or settings.db_url()
    try:
        store.check(url)
    except store.StoreUnavailable as exc:
        print(f"error: cannot use database {store.display_url(url)}: {exc}", file=sys.stderr)
        return 2
    engine = store.get_engine(url)
    out = {"database": store.display_url(url), "meta": store.read_meta(engine), "rows": store.row_counts(engine)}
    print(json.dumps(out, indent=2))
    return 0


def _docs(args: argparse.Namespace) -> int:
    from resettlement import docs

    print(f"wrote {docs.write_data_standard()}")
    return 0


def _open_db(url: str):
    """The engine for ``url``, or ``None`` after printing a readable error."""
    try:
        store.check(url)
    except store.StoreUnavailable as exc:
        print(f"error: cannot use database {store.display_url(url)}: {exc}", file=sys.stderr)
        return None
    return store.get_engine(url)


def _open_report(args: argparse.Namespace, with_area: bool = True):
    """The engine, metadata, as-of date and filters a reporting command needs, or ``None`` after printing a
    readable error (database unusable, or a bad period, area or cohort)."""
    from resettlement.filters import cli_filters

    engine = _open_db(args.db or settings.db_url())
    if engine is None:
        return None
    meta = store.read_meta(engine)
    as_of = store.as_of(meta) or date.today()
    try:
        f = cli_filters(as_of, args.start, args.end, area=args.area if with_area else None, cohorts=args.cohort)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    return engine, meta, as_of, f


def _gaps(args: argparse.Namespace) -> int:
    from resettlement import disclosure, geography, published
    from resettlement.scope import Scope

    opened = _open_report(args, with_area=False)
    if opened is None:
        return 2
    engine, meta, _, f = opened
    scope = Scope.all_wales()
    tables = {
        "cases": geography.attach_service(store.read_table(engine, "cases", scope)),
        "needs": store.read_table(engine, "needs", scope),
    }
    # output leaves the app: the publication view, exactly as the page's map table
    protection = published.from_settings(key=store.rounding_key(meta))
    table = published.frame(tables, "gaps.areas", protection, f, args.by, args.pathway)
    records = disclosure.to_records(geography.with_area_names(table, args.by, args.lang))
    if args.json:
        print(json.dumps(records, indent=2, default=str))
    else:
        print(f"Service gaps by {args.by}, pathway {args.pathway}, episodes starting {f.start_q} to {f.end_q}")
        for r in records:
            print(
                f"  {r['area']:<28} identified {r['identified']!s:>6}  unmet {r['unmet']!s:>6}  "
                f"gap rate {r['gap_rate']!s:>8}  not in place by release {r['not_in_place_rate']!s:>8}"
            )
    return 0


def _audit(args: argparse.Namespace) -> int:
    """Findings of the disclosure audit (resettlement/audit.py) over the registry of published tables; exit 1 when
    there is any."""
    from resettlement import audit, geography, published
    from resettlement.scope import Scope

    opened = _open_report(args, with_area=False)
    if opened is None:
        return 2
    engine, meta, as_of, f = opened
    tables = store.read_all(engine, Scope.all_wales())
    tables["cases"] = geography.attach_service(tables["cases"])
    protection = published.from_settings(publication=args.publication, key=store.rounding_key(meta))
    found = audit.run(published.Inputs(tables), f, as_of, protection, args.pathway)
    view = "publication" if args.publication else "working"
    if args.json:
        print(
            json.dumps(
                {
                    "view": view,
                    "method": protection.method if args.publication else "suppress",
                    "from": f.start_q,
                    "to": f.end_q,
                    "tables": list(audit.AUDITED),
                    "findings": found,
                },
                indent=2,
                default=str,
            )
        )
    else:
        print(
            f"Disclosure audit, {view} view, {len(audit.AUDITED)} published tables, {f.start_q} to {f.end_q} "
            f"(its quarters, less its first quarter, each cohort; every area at every level; every authority's "
            f"pages): {len(found)} finding(s)"
        )
        for x in found:
            print(f"  {x['kind']:<16} {'/'.join(map(str, x['cell']))} = {x['value']}")
    return 1 if found else 0


def _import(args: argparse.Namespace) -> int:
    from resettlement import importer

    url = args.db or settings.db_url()
    try:
        sources = importer.sources_from_paths(args.paths)
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not sources:
        print("error: no CSV or XLSX files found", file=sys.stderr)
        return 2
    rejects = args.rejects
    if rejects is not None and (problem := _folder_problem("--rejects", rejects)):
        print(f"error: {problem}", file=sys.stderr)
        return 2
    if args.accept_valid and not args.dry_run and rejects is None:  # never into the working folder: a private one
        rejects = tempfile.mkdtemp(prefix=f"resettlement-rejects-{time.strftime('%Y%m%d-%H%M%S')}-")

    def progress(stage: str, table: str, done: int, total: int) -> None:
        if not args.json:
            print(f"  {stage} {table} {done:,}/{total:,}", file=sys.stderr, flush=True)

    report = importer.run_import(
        sources,
        url,
        dry_run=args.dry_run,
        accept_valid=args.accept_valid,
        strict=args.strict,
        note=args.note or "",
        rejects_dir=rejects,
        lang=args.lang,
        progress=progress,
    )
    if rejects is not None and args.rejects is None and not report.rejects_paths:
        Path(rejects).rmdir()  # the private folder made for rejects that never came
    if report.log_id is not None:  # written, or logged as nothing written: who did it goes in the audit log
        from resettlement import access

        access.audit(
            store.get_engine(url),
            _operator(),
            "import",
            "cli",
            {"outcome": report.outcome, "import_log_id": report.log_id, "files": [f["name"] for f in report.files]},
        )
    if args.json:
        print(json.dumps(report.to_dict(args.lang), indent=2, ensure_ascii=False, default=str))
    else:
        print(report.text(args.lang))
    if any(code in ("database_error", "synthetic_database") for code in report.problems["code"]):
        return 2
    return 0 if report.written or report.ok else 1


def _templates(args: argparse.Namespace) -> int:
    from resettlement import templates

    if problem := _folder_problem("--out", args.out):
        print(f"error: {problem}", file=sys.stderr)
        return 2

    for path in templates.write_templates(args.out, args.lang):
        print(f"wrote {path}")
    return 0


def _completeness(args: argparse.Namespace) -> int:
    from resettlement import completeness, published
    from resettlement.filters import trend_quarters
    from resettlement.scope import Scope

    opened = _open_report(args)
    if opened is None:
        return 2
    engine, meta, as_of, f = opened
    try:
        thresholds = completeness.Thresholds.from_settings()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # output leaves the app: the publication view, exactly as the page's table
    table = published.frame(
        store.read_all(engine, Scope.all_wales()),
        f"completeness.{args.by}",
        published.from_settings(key=store.rounding_key(meta)),
        f,
        args.by,
        trend_quarters(as_of),
        thresholds,
    )
    rows = completeness.records(table)
    print(json.dumps(rows, indent=2, default=str) if args.json else completeness.text_report(rows, args.by, f))
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from resettlement import evaluation, published
    from resettlement.scope import Scope

    opened = _open_report(args)
    if opened is None:
        return 2
    engine, meta, as_of, f = opened
    threshold = settings.suppression_threshold()  # output leaves the app: the publication view, as on the page
    inputs, protection = (
        published.Inputs(store.read_all(engine, Scope.all_wales())),
        published.from_settings(key=store.rounding_key(meta)),
    )
    figures = {
        part: published.frame(inputs, f"evaluation.{part}", protection, f, as_of) for part in ("effects", "balance")
    }
    out = {
        "as_of": as_of.isoformat(),
        "area": f.area.token(),
        "from": f.start_q,
        "to": f.end_q,
        "cohorts": list(f.cohorts),
        "threshold": threshold,
        **evaluation.report(figures, threshold, args.lang),
    }
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False, default=str))
    else:
        print(f"RRP review evaluation, {out['area']}, episodes starting {f.start_q} to {f.end_q} (as of {as_of}):")
        for v in out["verdicts"]:
            print(f"- {v['text'].replace('**', '')}")
    return 0


def _reoffending(args: argparse.Namespace) -> int:
    from resettlement import published, reoffending
    from resettlement.scope import Scope

    opened = _open_report(args)
    if opened is None:
        return 2
    engine, meta, as_of, f = opened
    protection = published.from_settings(key=store.rounding_key(meta))  # output leaves the app: publication view
    tables = store.read_all(engine, Scope.all_wales())
    out = {
        "as_of": as_of.isoformat(),
        "area": f.area.token(),
        "from": f.start_q,
        "to": f.end_q,
        "cohorts": list(f.cohorts),
        "threshold": protection.threshold,
        **reoffending.report(tables, f, as_of, protection),
    }
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False, default=str))
    else:
        print(f"Proven reoffending, {out['area']}, first index event {f.start_q} to {f.end_q} (as of {as_of}):")
        for r in out["measures"]:
            print(
                f"  {r['measure']:<10} children {r['children']!s:>6}  reoffenders {r['reoffenders']!s:>6}  "
                f"rate {r['rate']!s:>8}  [{r['ci_low']!s}, {r['ci_high']!s}]  open {r['open']!s:>6}"
            )
    return 0


def _folder_problem(option: str, value: str) -> str | None:
    """Why ``value`` cannot be used as a folder to write into (``None`` if it can: new or existing)."""
    if Path(value).exists() and not Path(value).is_dir():
        return f"{option} {value!r} is a file: give a folder (new or existing)"
    return None


def _out_file_problem(out: str) -> str | None:
    """Why ``out`` cannot be written as a new or replaced file (``None`` if it can)."""
    path = Path(out)
    if path.is_dir():
        return f"--out {out!r} is a folder: give a file name, e.g. {path / 'deck.pptx'}"
    if not path.parent.is_dir():
        return f"--out {out!r}: the folder {str(path.parent)!r} does not exist"
    return None


def _report(args: argparse.Namespace) -> int:
    from resettlement import report
    from resettlement.scope import Scope

    problem = _out_file_problem(args.out)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    opened = _open_report(args)
    if opened is None:
        return 2
    engine, meta, as_of, f = opened
    deck = report.report_deck(
        store.read_all(engine, Scope.all_wales()),
        f,
        as_of,
        settings.suppression_threshold(),
        args.lang,
        synthetic=meta.get("synthetic") == "1",
        key=store.rounding_key(meta),
    )
    with open(args.out, "wb") as fh:
        fh.write(deck)
    print(
        f"wrote {args.out}: {len(report.SLIDES)} slides, {f.area.token()}, episodes starting {f.start_q} to "
        f"{f.end_q}, as of {as_of}, in {args.lang} (publication view)"
    )
    return 0


def _positive(text: str) -> int:
    """A whole number of 1 or more (argparse turns the error into a usage message, exit 2)."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a whole number of 1 or more: {text!r}")
    return int(text)


def _operator() -> str:
    """Who ran a command, for the audit log: ``cli:<login name>`` (the database URL is the operator's key)."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:?"


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
    access.audit(engine, _operator(), event, "users", detail)
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


def _add_users_parsers(sub) -> None:
    """``users add|set|remove|list`` and ``audit-log``."""
    from resettlement.access import AUDIT_EVENTS, ROLES

    users = sub.add_parser("users", help="who may sign in to the app: add, set, remove or list users")
    actions = users.add_subparsers(dest="action", required=True)
    area_help = "an area (repeat for several): la:<GSS code>, service:<code>, police_area:<code> or rrp:<RRP id>"
    stdin_help = "read the password from the first line of standard input (none: sign-in through OIDC only)"
    add = actions.add_parser("add", help="add a user (e.g. chair@cardiff --role area --area la:W06000015)")
    add.add_argument("name", help="user name, or the email/subject the identity provider gives")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--area", action="append", help=area_help)
    add.add_argument("--password-stdin", action="store_true", help=stdin_help)
    change = actions.add_parser("set", help="change a user's role, areas or password, or end a lock-out")
    change.add_argument("name")
    change.add_argument("--role", choices=ROLES)
    change.add_argument("--area", action="append", help=area_help + " (replaces the stored areas)")
    change.add_argument("--password-stdin", action="store_true", help=stdin_help)
    change.add_argument("--unlock", action="store_true", help="end a lock-out after repeated wrong passwords")
    remove = actions.add_parser("remove", help="remove a user")
    remove.add_argument("name")
    listing = actions.add_parser("list", help="list the users (never their passwords)")
    listing.add_argument("--json", action="store_true")
    for p in (add, change, remove, listing):
        p.add_argument("--db", help="SQLAlchemy URL (default: RESETTLEMENT_DB_URL or the embedded SQLite file)")
        p.set_defaults(func=_users)
    log = sub.add_parser("audit-log", help="who signed in, imported, downloaded or viewed case-level pages")
    log.add_argument("--db")
    log.add_argument("--user", help="only this user's entries")
    log.add_argument("--event", choices=AUDIT_EVENTS, help="only this kind of entry")
    log.add_argument("--since", type=_iso_date, help="only entries on or after this date (YYYY-MM-DD, UTC)")
    log.add_argument("--limit", type=_positive, default=200, help="at most this many, newest first (default 200)")
    log.add_argument("--json", action="store_true", help="print a JSON array")
    log.set_defaults(func=_audit_log)


def _serve(args: argparse.Namespace) -> int:
    """Start the app (``./scripts/run``): the caches are warmed while the server starts (see ui/warmup.py)."""
    from streamlit.web import cli

    from resettlement.ui import downloads, warmup

    warmup.start()
    downloads.keep_built_downloads()
    _exit_soon_after_signal()
    app = Path(__file__).resolve().parent.parent / "app.py"
    sys.argv = ["streamlit", "run", str(app), *args.streamlit_args]
    return cli.main()


EXIT_GRACE_S = 2.0


def _exit_soon_after_signal() -> None:
    """End the process ``EXIT_GRACE_S`` seconds after SIGTERM or SIGINT, whatever is still running.

    Streamlit stops from its event loop and asks each script run to stop, but under load the loop waits its turn for
    the GIL behind every session's thread, and a run inside a long Polars computation only notices when it calls
    Streamlit again; Python then waits for every script thread: a server with 30 sessions took over 6 s to go. The
    timer starts in the signal handler itself, chained before Streamlit's (installed when its server starts).
    Nothing is lost by ending sooner: reads are all a page does, and an import is one transaction.
    """
    import os
    import signal
    import threading

    from streamlit.web import bootstrap

    def exit_later() -> None:
        time.sleep(EXIT_GRACE_S)
        sys.stderr.flush()
        os._exit(0)

    def chain(number: int) -> None:
        streamlit_handler = signal.getsignal(number)

        def handler(signum: int, frame: object) -> None:
            threading.Thread(target=exit_later, name="resettlement-exit", daemon=True).start()
            if callable(streamlit_handler):
                streamlit_handler(signum, frame)

        signal.signal(number, handler)

    set_up = bootstrap._set_up_signal_handler

    def set_up_then_chain(server: object) -> None:
        set_up(server)
        for number in (signal.SIGTERM, signal.SIGINT):
            chain(number)

    bootstrap._set_up_signal_handler = set_up_then_chain


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m resettlement", description="Resettlement Monitor Cymru")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="fill a database with deterministic synthetic Welsh data")
    demo.add_argument("--scale", type=_scale, default=1.0, help="volume multiplier (1 = Wales; 100 = national)")
    demo.add_argument("--seed", type=int, default=2016)
    demo.add_argument("--as-of", type=_iso_date, help="data as-of date (YYYY-MM-DD); default: end of last month")
    demo.add_argument(
        "--scenario",
        choices=["matched", "hidden_selection"],
        default="matched",
        help="selection into RRP review on matched covariates only (default), or also on a need that "
        "is not matched (the evaluation must flag it): docs/synthetic-data.md",
    )
    demo.add_argument("--db", help="SQLAlchemy URL (default: RESETTLEMENT_DB_URL or the embedded SQLite file)")
    demo.set_defaults(func=_demo)
    info = sub.add_parser("info", help="row counts and metadata of a database")
    info.add_argument("--db")
    info.set_defaults(func=_info)
    docs = sub.add_parser("docs", help="regenerate docs/data-standard.md from the data standard")
    docs.set_defaults(func=_docs)
    gap = sub.add_parser("gaps", help="service gap figures by area and pathway (as the Service gaps page shows)")
    gap.add_argument("--db")
    gap.add_argument("--by", choices=["la", "service", "police_area"], default="la")
    gap.add_argument("--pathway", default="all", choices=["all", *PATHWAYS], help="a pathway code, or 'all' (pooled)")
    gap.add_argument("--from", dest="start", help="first quarter, e.g. 2024Q4 (default: the app's default period)")
    gap.add_argument("--to", dest="end", help="last quarter, e.g. 2026Q3")
    gap.add_argument("--cohort", help="cohorts separated by commas (default: all)")
    gap.add_argument("--lang", choices=["en", "cy"], default="en", help="language of area names")
    gap.add_argument("--json", action="store_true", help="print a JSON array")
    gap.set_defaults(func=_gaps)
    aud = sub.add_parser("audit", help="can a hidden count be worked out from published figures? (exit 1 if so)")
    aud.add_argument("--db")
    aud.add_argument("--publication", action="store_true", help="audit the publication view (default: working view)")
    aud.add_argument("--pathway", default="all", choices=["all", *PATHWAYS], help="a pathway code, or 'all'")
    aud.add_argument("--from", dest="start", help="first quarter (default: the app's default period)")
    aud.add_argument("--to", dest="end", help="last quarter")
    aud.add_argument("--cohort", help="cohorts separated by commas (default: all)")
    aud.add_argument("--json", action="store_true", help="print the findings as JSON")
    aud.set_defaults(func=_audit)
    imp = sub.add_parser("import", help="validate CSV/XLSX extracts and import them (all or nothing by default)")
    imp.add_argument("paths", nargs="+", metavar="PATH", help="CSV or XLSX files, or folders holding them")
    imp.add_argument("--db", help="SQLAlchemy URL (created if it does not exist yet)")
    imp.add_argument("--dry-run", action="store_true", help="validate and report only; write nothing")
    imp.add_argument(
        "--accept-valid", action="store_true", help="write the valid rows and save the rejected ones to rejects files"
    )
    imp.add_argument(
        "--rejects",
        metavar="DIR",
        help="folder for <table>_rejects.csv (default: a new private folder in the system's temporary folder, printed)",
    )
    imp.add_argument("--strict", action="store_true", help="also reject rows breaking range or cross-field rules")
    imp.add_argument("--note", help="a note for the import log")
    imp.add_argument("--lang", choices=["en", "cy"], default="en", help="language of the report")
    imp.add_argument("--json", action="store_true", help="print the report as JSON")
    imp.set_defaults(func=_import)
    tpl = sub.add_parser("templates", help="write blank CSV and XLSX templates generated from the data standard")
    tpl.add_argument("--out", required=True, help="output folder")
    tpl.add_argument("--lang", choices=["en", "cy"], default="en", help="language of the workbook's notes")
    tpl.set_defaults(func=_templates)
    from resettlement.completeness import BY as DQ_VIEWS

    dq = sub.add_parser("completeness", help="data completeness, validity and timeliness (as the page shows)")
    dq.add_argument("--db")
    dq.add_argument("--by", choices=DQ_VIEWS, default="wales", help="which table of the page (default: headline)")
    dq.add_argument("--from", dest="start", help="first quarter, e.g. 2024Q4 (default: the app's default period)")
    dq.add_argument("--to", dest="end", help="last quarter, e.g. 2026Q3")
    dq.add_argument("--area", help="wales (default), la:<GSS code>, service:<code> or police_area:<code>")
    dq.add_argument("--cohort", help="cohorts separated by commas (default: all)")
    dq.add_argument("--json", action="store_true", help="print a JSON array")
    dq.set_defaults(func=_completeness)
    ev = sub.add_parser("evaluate", help="matched evaluation of RRP review (as the Outcomes page shows)")
    ev.add_argument("--db")
    ev.add_argument("--area", help="wales, la:<GSS code>, service:<code> or police_area:<code> (default: wales)")
    ev.add_argument("--from", dest="start", help="first quarter, e.g. 2018Q1 (default: the app's default period)")
    ev.add_argument("--to", dest="end", help="last quarter, e.g. 2024Q4")
    ev.add_argument("--cohort", help="cohorts separated by commas (default: all)")
    ev.add_argument("--lang", choices=["en", "cy"], default="en", help="language of the verdicts")
    ev.add_argument("--json", action="store_true", help="print JSON")
    ev.set_defaults(func=_evaluate)
    reo = sub.add_parser("reoffending", help="proven reoffending, MoJ definition (as every page shows it)")
    reo.add_argument("--db")
    reo.add_argument("--area", help="wales, la:<GSS code>, service:<code> or police_area:<code> (default: wales)")
    reo.add_argument("--from", dest="start", help="first quarter of index dates (default: the app's default period)")
    reo.add_argument("--to", dest="end", help="last quarter of index dates")
    reo.add_argument("--cohort", help="cohorts separated by commas (default: all)")
    reo.add_argument("--json", action="store_true", help="print JSON")
    reo.set_defaults(func=_reoffending)
    rep = sub.add_parser("report", help="a PowerPoint deck for Welsh Government (as the Overview page's button)")
    rep.add_argument("--db")
    rep.add_argument("--area", help="wales (default), la:<GSS code>, service:<code> or police_area:<code>")
    rep.add_argument("--from", dest="start", help="first quarter, e.g. 2024Q4 (default: the app's default period)")
    rep.add_argument("--to", dest="end", help="last quarter, e.g. 2026Q3")
    rep.add_argument("--cohort", help="cohorts separated by commas (default: all)")
    rep.add_argument("--lang", choices=["en", "cy"], default="en", help="language of the deck")
    rep.add_argument("--out", required=True, help="the .pptx file to write")
    rep.set_defaults(func=_report)
    _add_users_parsers(sub)
    srv = sub.add_parser("serve", help="start the app, warming its caches as the server starts (./scripts/run)")
    srv.add_argument(
        "streamlit_args",
        nargs="*",
        metavar="STREAMLIT_OPTION",
        help="passed to `streamlit run` as they are (e.g. --server.port 8600)",
    )
    srv.set_defaults(func=_serve)
    for name in OPERATOR_COMMANDS:
        _add_as_admin(sub.choices[name])
    argv = sys.argv[1:] if argv is None else argv
    bad = next((a for a in argv if not _is_text(a)), None)
    if bad is not None:
        print(
            f"error: the argument {bad.encode('utf-8', 'backslashreplace').decode()!r} is not text: it holds a NUL "
            "character or bytes that are not UTF-8",
            file=sys.stderr,
        )
        return 2
    if argv[:1] == ["serve"] and not {"-h", "--help"} & set(argv[1:2]):  # the rest is Streamlit's, options and all
        return _checked(argparse.Namespace(func=_serve, command="serve", streamlit_args=argv[1:]))
    args = parser.parse_args(argv)
    return _checked(args)


def _add_as_admin(parser: argparse.ArgumentParser, nested: bool = False) -> None:
    """``--as-admin`` on ``parser`` and the subcommands under it (``users add --as-admin`` reads naturally)."""
    parser.add_argument(
        "--as-admin",
        action="store_true",
        default=argparse.SUPPRESS if nested else False,
        help="confirm you are the server's operator (needed on real data)",
    )
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _add_as_admin(child, nested=True)


def _is_text(arg: str) -> bool:
    """Whether an argument can be a file name, URL, code or note: no NUL (a shell cannot even pass one) and no byte
    that is not UTF-8 (Python keeps those as lone surrogates, which no database or file format can hold)."""
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in arg


#: Commands that read no setting (so a bad setting does not stop them).
_NO_SETTINGS = frozenset({"docs", "templates"})
#: Commands that read or write a database's records: on real data, only for the server's operator (--as-admin).
OPERATOR_COMMANDS = frozenset(
    {"info", "gaps", "audit", "import", "completeness", "evaluate", "reoffending", "report", "users", "audit-log"}
)


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


def _checked(args: argparse.Namespace) -> int:
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
        if url_problem:
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


if __name__ == "__main__":
    raise SystemExit(main())

"""Commands that write or describe data: ``demo``, ``import``, ``templates``, ``docs`` and ``info``."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from resettlement import settings, store
from resettlement.cli import checks
from resettlement.cli.options import DB, DB_OR_DEFAULT, Command, as_json, iso_date, lang, option


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


def _scale(text: str) -> float:
    """A demo scale: a number above 0 and up to 1000, as ``RESETTLEMENT_DEMO_SCALE``."""
    if not settings.CHECKS["RESETTLEMENT_DEMO_SCALE"][0](text):
        raise argparse.ArgumentTypeError(f"not a scale {text!r}: use a number above 0 and up to 1000 (1 = Wales)")
    return float(text)


def _info(args: argparse.Namespace) -> int:
    url = args.db or settings.db_url()
    engine = checks.open_db(url)
    if engine is None:
        return 2
    out = {"database": store.display_url(url), "meta": store.read_meta(engine), "rows": store.row_counts(engine)}
    print(json.dumps(out, indent=2))
    return 0


def _docs(args: argparse.Namespace) -> int:
    from resettlement import docs

    print(f"wrote {docs.write_data_standard()}")
    return 0


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
            checks.operator_name(),
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


def _folder_problem(option: str, value: str) -> str | None:
    """Why ``value`` cannot be used as a folder to write into (``None`` if it can: new or existing)."""
    if Path(value).exists() and not Path(value).is_dir():
        return f"{option} {value!r} is a file: give a folder (new or existing)"
    return None


def commands() -> dict[str, Command]:
    """This module's commands (:class:`~resettlement.cli.options.Command`)."""
    scenario_help = (
        "selection into RRP review on matched covariates only (default), or also on a need that "
        "is not matched (the evaluation must flag it): docs/synthetic-data.md"
    )
    rejects_help = (
        "folder for <table>_rejects.csv (default: a new private folder in the system's temporary folder, printed)"
    )
    demo = (
        option("--scale", type=_scale, default=1.0, help="volume multiplier (1 = Wales; 100 = national)"),
        option("--seed", type=int, default=2016),
        option("--as-of", type=iso_date, help="data as-of date (YYYY-MM-DD); default: end of last month"),
        option("--scenario", choices=["matched", "hidden_selection"], default="matched", help=scenario_help),
        DB_OR_DEFAULT,
    )
    imports = (
        option("paths", nargs="+", metavar="PATH", help="CSV or XLSX files, or folders holding them"),
        option("--db", help="SQLAlchemy URL (created if it does not exist yet)"),
        option("--dry-run", action="store_true", help="validate and report only; write nothing"),
        option(
            "--accept-valid",
            action="store_true",
            help="write the valid rows and save the rejected ones to rejects files",
        ),
        option("--rejects", metavar="DIR", help=rejects_help),
        option("--strict", action="store_true", help="also reject rows breaking range or cross-field rules"),
        option("--note", help="a note for the import log"),
        lang("the report"),
        as_json("print the report as JSON"),
    )
    return {
        "demo": Command("fill a database with deterministic synthetic Welsh data", _demo, demo),
        "info": Command("row counts and metadata of a database", _info, (DB,)),
        "docs": Command("regenerate docs/data-standard.md from the data standard", _docs),
        "import": Command("validate CSV/XLSX extracts and import them (all or nothing by default)", _import, imports),
        "templates": Command(
            "write blank CSV and XLSX templates generated from the data standard",
            _templates,
            (option("--out", required=True, help="output folder"), lang("the workbook's notes")),
        ),
    }

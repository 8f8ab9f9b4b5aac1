"""Commands that print or write the app's figures, in the publication view (output leaves the app): ``gaps``,
``completeness``, ``evaluate``, ``reoffending``, ``report`` (a slide deck), and ``audit``, the disclosure audit of
the working or the publication view."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from resettlement import settings, store
from resettlement.cli import checks
from resettlement.cli.options import AREA, AREA_OR_WALES, COHORT, DB, PERIOD, Command, as_json, lang, option, period
from resettlement.standard import PATHWAYS

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from resettlement.filters import Filters
    from resettlement.tables import Tables


def _open_report(args: argparse.Namespace, with_area: bool = True):
    """The engine, metadata, as-of date and filters a reporting command needs, or ``None`` after printing a
    readable error (database unusable, or a bad period, area or cohort)."""
    from resettlement.filters import cli_filters

    engine = checks.open_db(args.db or settings.db_url())
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


def _tables(engine: Engine) -> Tables:
    """Every standard table of all Wales (reporting commands read the whole country and filter by area)."""
    from resettlement.scope import Scope
    from resettlement.tables import Tables

    return Tables.of(store.read_all(engine, Scope.all_wales()))


def _gaps(args: argparse.Namespace) -> int:
    from resettlement import disclosure, geography, published

    opened = _open_report(args, with_area=False)
    if opened is None:
        return 2
    engine, meta, _, f = opened
    tables = _tables(engine)
    # output leaves the app: the publication view, exactly as the page's map table
    protection = published.from_settings(key=store.rounding_key(meta))
    table = published.required_frame(tables, "gaps.areas", protection, f, args.by, args.pathway)
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
    from resettlement import audit, published

    opened = _open_report(args, with_area=False)
    if opened is None:
        return 2
    engine, meta, as_of, f = opened
    tables = _tables(engine)
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


def _completeness(args: argparse.Namespace) -> int:
    from resettlement import completeness, published
    from resettlement.period import trend_quarters

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
    table = published.required_frame(
        _tables(engine),
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


def _view(f: Filters, as_of: date, threshold: int) -> dict:
    """What the output of ``evaluate`` and ``reoffending`` opens with: the view its figures are for."""
    return {
        "as_of": as_of.isoformat(),
        "area": f.area.token(),
        "from": f.start_q,
        "to": f.end_q,
        "cohorts": list(f.cohorts),
        "threshold": threshold,
    }


def _evaluate(args: argparse.Namespace) -> int:
    from resettlement import evaluation, published

    opened = _open_report(args)
    if opened is None:
        return 2
    engine, meta, as_of, f = opened
    threshold = settings.suppression_threshold()  # output leaves the app: the publication view, as on the page
    inputs, protection = (
        published.Inputs(_tables(engine)),
        published.from_settings(key=store.rounding_key(meta)),
    )
    figures = {
        part: published.required_frame(inputs, f"evaluation.{part}", protection, f, as_of)
        for part in ("effects", "balance")
    }
    out = {**_view(f, as_of, threshold), **evaluation.report(figures, threshold, args.lang)}
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False, default=str))
    else:
        print(f"RRP review evaluation, {out['area']}, episodes starting {f.start_q} to {f.end_q} (as of {as_of}):")
        for v in out["verdicts"]:
            print(f"- {v['text'].replace('**', '')}")
    return 0


def _reoffending(args: argparse.Namespace) -> int:
    from resettlement import published, reoffending

    opened = _open_report(args)
    if opened is None:
        return 2
    engine, meta, as_of, f = opened
    protection = published.from_settings(key=store.rounding_key(meta))  # output leaves the app: publication view
    tables = _tables(engine)
    out = {**_view(f, as_of, protection.threshold), **reoffending.report(tables, f, as_of, protection)}
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

    problem = _out_file_problem(args.out)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    opened = _open_report(args)
    if opened is None:
        return 2
    engine, meta, as_of, f = opened
    deck = report.report_deck(
        _tables(engine),
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


def _pathway(help_text: str) -> argparse.ArgumentParser:
    return option("--pathway", default="all", choices=["all", *PATHWAYS], help=help_text)


def commands() -> dict[str, Command]:
    """This module's commands (:class:`~resettlement.cli.options.Command`)."""
    from resettlement.completeness import BY as DQ_VIEWS

    by_area = option("--by", choices=["la", "service", "police_area"], default="la")
    by_table = option("--by", choices=DQ_VIEWS, default="wales", help="which table of the page (default: headline)")
    publication = option(
        "--publication", action="store_true", help="audit the publication view (default: working view)"
    )
    index_dates = period("first quarter of index dates", "last quarter of index dates")
    return {
        "gaps": Command(
            "service gap figures by area and pathway (as the Service gaps page shows)",
            _gaps,
            (
                DB,
                by_area,
                _pathway("a pathway code, or 'all' (pooled)"),
                PERIOD,
                COHORT,
                lang("area names"),
                as_json("print a JSON array"),
            ),
        ),
        "audit": Command(
            "can a hidden count be worked out from published figures? (exit 1 if so)",
            _audit,
            (
                DB,
                publication,
                _pathway("a pathway code, or 'all'"),
                period("first quarter", "last quarter"),
                COHORT,
                as_json("print the findings as JSON"),
            ),
        ),
        "completeness": Command(
            "data completeness, validity and timeliness (as the page shows)",
            _completeness,
            (DB, by_table, PERIOD, AREA, COHORT, as_json("print a JSON array")),
        ),
        "evaluate": Command(
            "matched evaluation of RRP review (as the Outcomes page shows)",
            _evaluate,
            (
                DB,
                AREA_OR_WALES,
                period("first quarter, e.g. 2018Q1", "last quarter, e.g. 2024Q4"),
                COHORT,
                lang("the verdicts"),
                as_json("print JSON"),
            ),
        ),
        "reoffending": Command(
            "proven reoffending, MoJ definition (as every page shows it)",
            _reoffending,
            (DB, AREA_OR_WALES, index_dates, COHORT, as_json("print JSON")),
        ),
        "report": Command(
            "a PowerPoint deck for Welsh Government (as the Overview page's button)",
            _report,
            (
                DB,
                AREA,
                PERIOD,
                COHORT,
                lang("the deck"),
                option("--out", required=True, help="the .pptx file to write"),
            ),
        ),
    }

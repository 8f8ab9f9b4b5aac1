"""Command line: ``python -m resettlement demo|info ...``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date

from resettlement import settings, store


def _demo(args: argparse.Namespace) -> int:
    from resettlement import synth

    url = args.db or settings.db_url()
    started = time.perf_counter()

    def progress(fraction: float, message: str) -> None:
        print(f"  {fraction:4.0%} {message}", file=sys.stderr)

    counts = synth.build_demo(
        url,
        scale=args.scale,
        seed=args.seed,
        as_of=date.fromisoformat(args.as_of) if args.as_of else None,
        progress=progress,
    )
    elapsed = time.perf_counter() - started
    meta = store.read_meta(store.get_engine(url))
    print(f"Synthetic database written to {store.display_url(url)} in {elapsed:.1f} s (as of {meta['as_of']}):")
    for name, n in counts.items():
        print(f"  {name:<16} {n:>10,}")
    return 0


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m resettlement", description="Resettlement Monitor Cymru")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="fill a database with deterministic synthetic Welsh data")
    demo.add_argument("--scale", type=float, default=1.0, help="volume multiplier (1 = Wales; 100 = national)")
    demo.add_argument("--seed", type=int, default=2016)
    demo.add_argument("--as-of", help="data as-of date (YYYY-MM-DD); default: end of last month")
    demo.add_argument("--db", help="SQLAlchemy URL (default: RESETTLEMENT_DB_URL or the embedded SQLite file)")
    demo.set_defaults(func=_demo)
    info = sub.add_parser("info", help="row counts and metadata of a database")
    info.add_argument("--db")
    info.set_defaults(func=_info)
    docs = sub.add_parser("docs", help="regenerate docs/data-standard.md from the data standard")
    docs.set_defaults(func=_docs)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())

"""Import throughput and peak memory on a million-row needs extract (plus its cases), into a temporary SQLite file.

Usage: .venv/bin/python bench/import_bench.py [--rows 1000000] [--db URL] [--out bench/results/import.json]

Generates ``cases.csv`` (rows / 7 cases) and ``needs.csv`` (seven pathways per case) spelled the way real extracts
are (dd/mm/yyyy dates, Welsh and English labels, yes/no in both languages, authority names), then runs each import
in a fresh child process so its peak resident memory (``ru_maxrss``) is the import's alone:

1. a dry run (read and validate only),
2. the first import into an empty database (every row added),
3. the same files again (every row unchanged: idempotent, nothing rewritten),
4. the files with one needs value in every hundred changed (those rows updated).

Prints a table and writes the figures as JSON. Timings vary by machine; tests never assert them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PATHWAY_SPELLINGS = ("Accommodation", "ete", "Iechyd", "substance misuse", "Families", "finance", "transitions")
NEED_SPELLINGS = ("yes", "Ie", "no", "Na", "unknown", "yes", "yes")
LAS = ("Cardiff", "Caerdydd", "Swansea", "Rhondda, Cynon, Taff", "Ynys Mon", "W06000022", "Wrecsam", "Powys")


def generate(folder: Path, rows: int, changed: bool = False) -> list[Path]:
    """Write cases.csv and needs.csv with ``rows`` needs rows (vectorised, a few seconds for a million)."""
    import polars as pl

    n_cases = -(-rows // 7)
    i = pl.int_range(0, n_cases, eager=True)
    start = pl.date(2019, 1, 1) + pl.duration(days=(pl.col("i") * 7919) % 2400)
    cases = pl.DataFrame({"i": i}).select(
        pl.format("case{}", pl.col("i")).alias("case_id"),
        pl.format("child{}", pl.col("i") // 2).alias("child_id"),
        pl.col("i").map_elements(lambda k: LAS[k % len(LAS)], return_dtype=pl.String).alias("la_code"),
        pl.when(pl.col("i") % 5 == 0).then(pl.lit("Dalfa")).otherwise(pl.lit("community")).alias("cohort"),
        start.dt.strftime("%d/%m/%Y").alias("start_date"),
        (10 + pl.col("i") % 8).alias("age_at_start"),
    )
    j = pl.int_range(0, n_cases * 7, eager=True)
    needs = (
        pl.DataFrame({"j": j})
        .head(rows)
        .select(
            pl.format("case{}", pl.col("j") // 7).alias("case_id"),
            pl.col("j").map_elements(lambda k: PATHWAY_SPELLINGS[k % 7], return_dtype=pl.String).alias("pathway"),
            pl.col("j").map_elements(lambda k: NEED_SPELLINGS[(k // 7) % 7], return_dtype=pl.String).alias("need"),
            (pl.date(2019, 1, 1) + pl.duration(days=((pl.col("j") // 7) * 7919) % 2400 + 10))
            .dt.strftime("%Y-%m-%d")
            .alias("identified_date"),
            pl.when(pl.col("j") % 3 == 0).then(pl.lit("oes")).otherwise(pl.lit("no")).alias("service_offered"),
        )
    )
    if changed:  # one row in a hundred corrected
        needs = needs.with_columns(
            pl.when(pl.int_range(pl.len()) % 100 == 0)
            .then(pl.lit("nac oes"))
            .otherwise(pl.col("service_offered"))
            .alias("service_offered")
        )
    folder.mkdir(parents=True, exist_ok=True)
    cases.write_csv(folder / "cases.csv")
    needs.write_csv(folder / "needs.csv")
    return [folder / "cases.csv", folder / "needs.csv"]


def child(paths: list[str], url: str, dry_run: bool) -> None:
    """Run one import and print its phase timings as JSON (peak memory is read by the parent)."""
    from resettlement import importer

    marks: dict[str, float] = {}
    started = time.perf_counter()

    def progress(stage: str, table: str, done: int, total: int) -> None:
        now = time.perf_counter() - started
        marks.setdefault(f"{stage}_first", now)
        marks[f"{stage}_last"] = now

    sources = importer.sources_from_paths(paths)
    report = importer.run_import(sources, url, dry_run=dry_run, progress=progress)
    total = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": total,
                "marks": marks,
                "outcome": report.outcome,
                "totals": report.totals,
                "problems": report.problems.height,
            }
        )
    )


def measure(paths: list[Path], url: str, dry_run: bool = False) -> dict:
    """One import in a child process: wall time, phases, peak RSS of that child alone."""
    cmd = [sys.executable, __file__, "--child", "--db", url, *(["--dry-run"] if dry_run else []), *map(str, paths)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=ROOT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own resource usage (ru_maxrss in KiB on Linux)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"import child failed with exit code {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_mib"] = round(usage.ru_maxrss / 1024, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="needs rows (cases = rows / 7)")
    parser.add_argument("--db", help="target URL (default: a new SQLite file in a temporary folder)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "import.json"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--dry-run", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.paths, args.db, args.dry_run)
        return
    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        folder = Path(tmp)
        url = args.db or f"sqlite:///{folder / 'bench.db'}"
        t0 = time.perf_counter()
        files = generate(folder / "v1", args.rows)
        gen_s = time.perf_counter() - t0
        changed = generate(folder / "v2", args.rows, changed=True)
        mib = sum(p.stat().st_size for p in files) / 2**20
        runs = {
            "dry run (read + validate)": measure(files, url, dry_run=True),
            "first import (all added)": measure(files, url),
            "re-import (all unchanged)": measure(files, url),
            "corrected re-import (1% updated)": measure(changed, url),
        }
        db_mib = os.path.getsize(folder / "bench.db") / 2**20 if not args.db else None
    rows_in = sum(v["rows_read"] for v in runs["first import (all added)"]["totals"].values())
    print(
        f"Import benchmark: {rows_in:,} rows ({args.rows:,} needs + cases), {mib:.0f} MiB of CSV, "
        f"generated in {gen_s:.1f} s; {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs"
    )
    print(f"{'run':<34}{'seconds':>9}{'rows/s':>11}{'peak RSS MiB':>14}{'added':>10}{'updated':>10}{'unchanged':>11}")
    for name, r in runs.items():
        tot = r["totals"]
        added, updated, unchanged = (sum(v[k] for v in tot.values()) for k in ("added", "updated", "unchanged"))
        r["rows_per_second"] = round(rows_in / r["seconds"])
        print(
            f"{name:<34}{r['seconds']:>9.1f}{r['rows_per_second']:>11,}{r['peak_rss_mib']:>14,.0f}"
            f"{added:>10,}{updated:>10,}{unchanged:>11,}"
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "rows": rows_in,
        "needs_rows": args.rows,
        "csv_mib": round(mib, 1),
        "database_mib": round(db_mib, 1) if db_mib else None,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "runs": runs,
    }
    out.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

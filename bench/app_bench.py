"""Page run times, time to first page, peak memory and core aggregations against DuckDB, at several scales.

Usage: .venv/bin/python bench/app_bench.py [--scales 1 10 100] [--dir /tmp/resettlement-bench] [--label after]
                                           [--skip-browser] [--skip-duckdb] [--skip-pages] [--runs 5]

For each scale it builds (once) a synthetic database ``<dir>/s<scale>.db`` with ``python -m resettlement demo``
(as of 2026-09-30), then, each part in a fresh child process:

- **pages**: every page of ``tests/apptest.PAGES`` run with ``streamlit.testing.v1.AppTest``: *cold* (Streamlit's
  caches cleared, then the first run of the page) and *warm* (median of three reruns with the same filters);
  fails loudly if any page raises.
- **first page**: the real server, started as ``./scripts/run`` starts it (``python -m resettlement serve``) on a free
  port against the existing database, ``/`` loaded in Debian's Chromium until the Overview has finished running;
  seconds from process start, median and worst of three starts. On the last start every page is opened, then the
  server's peak resident memory (``VmHWM`` of ``/proc/<pid>/status``) is read.
- **aggregations**: the tables are loaded once into Polars (as the app loads them); the same Arrow tables are
  given to DuckDB. Needs funnel by pathway, gap rates by local authority and pathway, completeness by youth
  justice service and reoffending by quarterly cohort are computed by our code and by equivalent SQL, the results
  compared (they must agree), and the median of ``--runs`` runs of each reported with our time as a ratio of DuckDB's.
- **loading**: reading every table through SQLAlchemy rows and from the columnar snapshot.
- **import**: the figures of ``bench/import_bench.py`` (``bench/results/import.json``; run it to refresh them).

Prints a table and writes ``bench/results/app-<label>.json``. Timings vary by machine; tests never assert them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = "2026-09-30"
TARGETS = {"warm_s": {1: 0.15, 100: 0.5}, "first_page_s": {100: 5.0}, "peak_mib": {100: 2048}, "ratio": 1.5}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic", "--proxy-server=http://127.0.0.1:9",
                 "--proxy-bypass-list=127.0.0.1;localhost"]
URL_PATHS = {"overview": "", "profile": "area_profile", "needs": "pathway_needs", "gaps": "service_gaps",
             "rrp": "rrp_activity", "completeness": "data_completeness", "outcomes": "outcomes",
             "import": "import_data", "definitions": "definitions"}


# ------------------------------------------------------------------------------------------------ databases

def ensure_database(folder: Path, scale: float) -> str:
    path = folder / f"s{scale:g}.db"
    url = f"sqlite:///{path}"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        print(f"building the scale {scale:g} database at {path} ...", flush=True)
        subprocess.run([sys.executable, "-m", "resettlement", "demo", "--scale", f"{scale:g}", "--db", url,
                        "--as-of", AS_OF], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return url


def run_child(part: str, url: str, extra: list[str] | None = None) -> dict:
    """One part in a fresh Python process (its own caches and memory); returns its JSON."""
    cmd = [sys.executable, __file__, "--child", part, "--db", url, *(extra or [])]
    env = {**os.environ, "RESETTLEMENT_DB_URL": url}
    env.pop("RESETTLEMENT_SCOPE", None)
    env.pop("RESETTLEMENT_CASE_LEVEL", None)
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"bench part {part!r} failed on {url} (exit code {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------------------------- pages (child)

def child_pages(reruns: int = 3) -> dict:
    """Cold and warm server-side run time of every page with AppTest."""
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    import streamlit as st

    from tests.apptest import PAGES, new_app

    at = new_app(timeout=900)
    started = time.perf_counter()
    at.run()
    startup = time.perf_counter() - started
    errors: dict[str, list[str]] = {}
    out: dict[str, dict] = {}

    def check(page: str) -> None:
        if at.exception:
            errors.setdefault(page, []).extend(str(e.value)[:300] for e in at.exception)

    check("startup")
    for page, path in PAGES.items():
        st.cache_data.clear()
        st.cache_resource.clear()
        t0 = time.perf_counter()
        at.switch_page(path).run()
        cold = time.perf_counter() - t0
        check(page)
        warm = []
        for _ in range(reruns):
            t0 = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t0)
            check(page)
        out[page] = {"cold_s": round(cold, 3), "warm_s": round(statistics.median(warm), 3),
                     "warm_runs_s": [round(w, 3) for w in warm]}
    return {"startup_s": round(startup, 3), "pages": out, "exceptions": errors}


# --------------------------------------------------------------------------------------- first page (parent)

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmHWM", "VmRSS")):
            key, value = line.split(":", 1)
            out[key] = int(value.split()[0])  # KiB
    return out


def browser_run(url: str, starts: int = 3) -> dict:
    """Time to the first page after start, over ``starts`` fresh starts (median and worst); on the last, every page
    is opened and the server's peak memory read."""
    firsts = [_browser_start(url, visit_all=False)["first_page_s"] for _ in range(starts - 1)]
    last = _browser_start(url, visit_all=True)
    firsts.append(last["first_page_s"])
    return {**last, "first_page_s": round(statistics.median(firsts), 2), "first_page_worst_s": max(firsts),
            "first_page_runs_s": firsts}


def _browser_start(url: str, visit_all: bool) -> dict:
    """One start of the server (as ./scripts/run starts it): seconds to the first page, then optionally every
    page and the server's peak memory."""
    from playwright.sync_api import sync_playwright

    from resettlement.i18n import t

    env = {**os.environ, "RESETTLEMENT_DB_URL": url}
    env.pop("RESETTLEMENT_SCOPE", None)
    env.pop("RESETTLEMENT_CASE_LEVEL", None)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    ready = "[data-testid=stApp][data-test-script-state=notRunning]"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        log = open(Path("/tmp") / f"bench-server-{port}.log", "w")  # noqa: SIM115 - closed below
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "resettlement", "serve", "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() - started > 300:
                    raise SystemExit(f"the server did not start: see {log.name}")
                time.sleep(0.05)
            server_up = time.monotonic() - started
            page.goto(base)
            title = t("page.overview.title", "en")
            page.wait_for_selector(f"h1:has-text('{title}')", timeout=600_000)
            page.wait_for_selector(ready, timeout=600_000)
            first = time.monotonic() - started
            pages = {}
            for key, path in URL_PATHS.items() if visit_all else ():
                t0 = time.monotonic()
                page.goto(f"{base}/{path}")
                page.wait_for_selector(f"h1:has-text('{t(f'page.{key}.title', 'en')}')", timeout=600_000)
                page.wait_for_selector(ready, timeout=600_000)
                page.wait_for_timeout(200)
                page.wait_for_selector(ready, timeout=600_000)
                if page.locator("[data-testid=stException]").count():
                    raise SystemExit(f"page {key} shows an exception in the browser (server log {log.name})")
                pages[key] = round(time.monotonic() - t0, 2)
            status = _status(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
            browser.close()
    return {"server_up_s": round(server_up, 2), "first_page_s": round(first, 2), "page_load_s": pages,
            "peak_mib": round(status["VmHWM"] / 1024, 1), "rss_mib": round(status["VmRSS"] / 1024, 1)}


# ------------------------------------------------------------------------------------ aggregations (child)

SECURE = "('custody', 'remand')"


def _sql_literal(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _completeness_sql(start: str, end: str, cohorts: tuple[str, ...]) -> str:
    """Applicable and missing cells of the case records by youth justice service, generated from the standard
    exactly as :mod:`resettlement.completeness` reads it (conditions, one record expected per case)."""
    from resettlement import completeness as dq
    from resettlement.standard import TABLES

    def ref(table: str, field: str, other: str | None) -> tuple[str, str]:
        t = "c" if (other == "cases" or table == "cases") else "t"
        tbl = "cases" if t == "c" else table
        return f"{t}.{field}", TABLES[tbl].field(field).dtype

    def present(col: str, dtype: str) -> str:
        return f"({col} IS NOT NULL AND trim({col}) <> '')" if dtype in ("str", "enum", "enum_list") else (
            f"({col} IS NOT NULL)")

    def when(table: str, w) -> str:
        col, dtype = ref(table, w.field, w.table)
        if w.op == "present":
            return present(col, dtype)
        if w.op == "absent":
            return f"NOT {present(col, dtype)}"
        if w.op == "eq":
            return f"coalesce({col} = {_sql_literal(w.value)}, FALSE)"
        if w.op == "in":
            return f"coalesce({col} IN ({', '.join(_sql_literal(v) for v in w.value)}), FALSE)"
        if w.op == "gt":
            return f"coalesce({col} > {_sql_literal(w.value)}, FALSE)"
        raise ValueError(w.op)

    cohort_list = ", ".join(_sql_literal(c) for c in cohorts)
    parts = []
    for name in dq.CASE_TABLES:
        applicable, present_cells = [], []
        for f in dq.scored_fields(name):
            cond = " AND ".join(when(name, w) for w in f.when) if f.status == "conditional" else "TRUE"
            col, dtype = ref(name, f.name, None)
            applicable.append(f"({cond})::INT")
            present_cells.append(f"({cond} AND {present(col, dtype)})::INT")
        if not applicable:
            continue
        if name == "cases":
            source = "cases c"
        elif name in dq.ONE_PER_CASE:
            source = f"cases c LEFT JOIN {name} t USING (case_id)"
        else:
            source = f"{name} t JOIN cases c USING (case_id)"
        parts.append(
            f"SELECT c.service_code, {' + '.join(applicable)} AS a, {' + '.join(present_cells)} AS p FROM {source} "
            f"WHERE c.cohort IN ({cohort_list}) AND c.start_date BETWEEN DATE '{start}' AND DATE '{end}'")
    return (f"SELECT service_code, sum(a)::BIGINT AS cells_applicable, (sum(a) - sum(p))::BIGINT AS cells_missing "
            f"FROM ({' UNION ALL '.join(parts)}) GROUP BY service_code")


def child_aggregations(runs: int) -> dict:
    """Core aggregations by our code and by DuckDB on the same tables; times and ratios."""
    import duckdb
    import polars as pl

    from resettlement import completeness, gaps, geography, needs, outcomes, store
    from resettlement.filters import DATA_START, Filters, default_period, quarters_between, select_cases
    from resettlement.scope import Scope

    url = os.environ["RESETTLEMENT_DB_URL"]
    engine = store.get_engine(url)
    meta = store.read_meta(engine)
    loading = {}

    def app_load() -> dict:  # what resettlement.ui.data.tables does, without Streamlit's cache
        frames = store.read_all(engine, Scope.all_wales(), meta["data_version"])
        frames["cases"] = geography.attach_service(frames["cases"])
        return frames

    if hasattr(store, "read_all_sql"):  # after: the snapshot (written by `demo`), and the SQL path it replaces
        t0 = time.perf_counter()
        store.read_all_sql(engine)
        loading["sql_s"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    tables = app_load()
    loading["app_load_s"] = round(time.perf_counter() - t0, 2)
    loading.setdefault("sql_s", loading["app_load_s"])  # before: the app read through SQL

    from datetime import date

    as_of = date.fromisoformat(meta["as_of"])
    quarters = quarters_between(DATA_START, as_of)
    f = Filters(*default_period(quarters))
    start, end = f.start.isoformat(), f.end.isoformat()
    cohorts = ", ".join(_sql_literal(c) for c in f.cohorts)
    con = duckdb.connect()
    for name, df in tables.items():
        con.register(name, df.to_arrow())

    def ours_funnel():
        return needs.funnel(needs.with_case(tables["needs"], select_cases(tables["cases"], f)))

    sql_funnel = f"""
        SELECT *, identified / nullif(assessed, 0) AS need_rate, offered / nullif(offer_recorded, 0) AS offer_rate,
          engaged / nullif(engagement_recorded, 0) AS engagement_rate FROM (
        SELECT n.pathway,
          count(*) FILTER (WHERE need IN ('yes', 'no')) AS assessed,
          count(*) FILTER (WHERE need = 'unknown') AS unknown,
          count(*) FILTER (WHERE need = 'yes') AS identified,
          count(*) FILTER (WHERE need = 'yes' AND service_offered IS NOT NULL) AS offer_recorded,
          count(*) FILTER (WHERE need = 'yes' AND service_offered IS NULL) AS offer_unknown,
          count(*) FILTER (WHERE need = 'yes' AND service_offered) AS offered,
          count(*) FILTER (WHERE need = 'yes' AND service_offered AND engaged IS NOT NULL) AS engagement_recorded,
          count(*) FILTER (WHERE need = 'yes' AND service_offered AND engaged) AS engaged
        FROM needs n JOIN cases c USING (case_id)
        WHERE c.cohort IN ({cohorts}) AND c.start_date BETWEEN DATE '{start}' AND DATE '{end}'
        GROUP BY n.pathway)"""

    def ours_gaps():
        return gaps.by_area(needs.with_case(tables["needs"], select_cases(tables["cases"], f)), "la")

    sql_gaps = f"""
        SELECT *, unmet / nullif(offer_recorded, 0) AS gap_rate,
          not_in_place / nullif(release_needs, 0) AS not_in_place_rate FROM (
        SELECT c.la_code AS area_code, n.pathway,
          count(*) FILTER (WHERE need = 'yes') AS identified,
          count(*) FILTER (WHERE need = 'yes' AND service_offered IS NOT NULL) AS offer_recorded,
          count(*) FILTER (WHERE need = 'yes' AND service_offered IS NULL) AS offer_unknown,
          count(*) FILTER (WHERE need = 'yes' AND NOT service_offered) AS unmet,
          count(*) FILTER (WHERE need = 'yes' AND cohort IN {SECURE} AND release_date IS NOT NULL
                           AND (NOT service_offered OR (service_offered AND offered_date IS NOT NULL)))
            AS release_needs,
          count(*) FILTER (WHERE need = 'yes' AND cohort IN {SECURE} AND release_date IS NOT NULL
                           AND (NOT service_offered OR (service_offered AND offered_date IS NOT NULL))
                           AND (NOT service_offered OR (service_offered AND offered_date > release_date)))
            AS not_in_place
        FROM needs n JOIN cases c USING (case_id)
        WHERE c.cohort IN ({cohorts}) AND c.start_date BETWEEN DATE '{start}' AND DATE '{end}'
        GROUP BY 1, 2)"""

    cell_counts = getattr(completeness, "cell_counts", None)

    def ours_completeness():
        if cell_counts is not None:  # the completeness-only path the pages use for headline figures
            return cell_counts(tables, f, ["service_code"])
        ev = completeness.select(completeness.evaluate(tables), f)
        return completeness.scores(ev, ["service_code"]).select("service_code", "cells_applicable", "cells_missing")

    sql_completeness = _completeness_sql(start, end, f.cohorts)

    def ours_reoffending():
        cohort_rows = getattr(outcomes, "cohort_rows", outcomes.case_outcomes)  # as the page computes them
        rows = cohort_rows(select_cases(tables["cases"], f, with_period=False), tables["outcomes"], as_of)
        return outcomes.reoffending_by_cohort(rows, quarters, as_of)

    sql_reoffending = f"""
        WITH sel AS (
          SELECT c.cohort, c.start_date, c.release_date, o.reoffended, o.reoffences,
            CASE WHEN c.cohort = 'community' THEN c.start_date
                 WHEN c.cohort IN {SECURE} AND c.release_date IS NOT NULL AND c.release_date <= DATE '{AS_OF}'
                      AND c.release_date >= c.start_date THEN c.release_date END AS index_date
          FROM cases c LEFT JOIN outcomes o USING (case_id) WHERE c.cohort IN ({cohorts})),
        q AS (
          SELECT year(index_date) || 'Q' || quarter(index_date) AS quarter,
            count(*) AS cohort,
            count(reoffended) AS episodes,
            count(*) FILTER (WHERE reoffended) AS reoffenders,
            count(*) FILTER (WHERE reoffended IS NOT NULL AND (NOT reoffended OR reoffences IS NOT NULL))
              AS frequency_base,
            avg(CASE WHEN reoffended THEN reoffences ELSE 0 END)
              FILTER (WHERE reoffended IS NOT NULL AND (NOT reoffended OR reoffences IS NOT NULL)) AS per_child,
            stddev_samp(CASE WHEN reoffended THEN reoffences ELSE 0 END)
              FILTER (WHERE reoffended IS NOT NULL AND (NOT reoffended OR reoffences IS NOT NULL)) AS sd_child,
            count(*) FILTER (WHERE reoffended AND reoffences IS NOT NULL) AS reoffenders_counted,
            avg(reoffences) FILTER (WHERE reoffended AND reoffences IS NOT NULL) AS per_reoffender,
            stddev_samp(reoffences) FILTER (WHERE reoffended AND reoffences IS NOT NULL) AS sd_reoffender
          FROM sel WHERE index_date IS NOT NULL GROUP BY 1)
        SELECT *, reoffenders / nullif(episodes, 0) AS rate,
          (rate + 1.96 ^ 2 / (2 * episodes)) / (1 + 1.96 ^ 2 / episodes)
            - 1.96 * sqrt(rate * (1 - rate) / episodes + 1.96 ^ 2 / (4 * episodes ^ 2)) / (1 + 1.96 ^ 2 / episodes)
            AS ci_low,
          greatest(0, per_child - 1.96 * sd_child / sqrt(frequency_base)) AS per_child_low,
          greatest(0, per_reoffender - 1.96 * sd_reoffender / sqrt(reoffenders_counted)) AS per_reoffender_low,
          (last_day(make_date(CAST(left(quarter, 4) AS INT), 3 * CAST(right(quarter, 1) AS INT), 1))
            + INTERVAL 18 MONTH) <= DATE '{AS_OF}' AS final
        FROM q"""

    def compare(name: str, ours: pl.DataFrame, theirs: pl.DataFrame, keys: list[str], cols: list[str]) -> None:
        joined = ours.select(*keys, *cols).join(theirs.select(*keys, *cols), on=keys, how="inner", suffix="_db")
        if joined.height != theirs.height:
            raise SystemExit(f"{name}: {theirs.height} DuckDB groups, {joined.height} matched ours")
        for c in cols:
            a, b = joined[c].cast(pl.Float64).fill_null(-1.0), joined[f"{c}_db"].cast(pl.Float64).fill_null(-1.0)
            if ((a - b).abs() > 1e-9 * (1 + b.abs())).any():
                raise SystemExit(f"{name}: column {c} differs between our code and DuckDB")

    cases = {
        "needs funnel by pathway": (ours_funnel, sql_funnel, ["pathway"],
                                    ["assessed", "identified", "offered", "engaged", "need_rate", "engagement_rate"]),
        "gap rates by authority and pathway": (ours_gaps, sql_gaps, ["area_code", "pathway"],
                                               ["identified", "unmet", "not_in_place", "gap_rate",
                                                "not_in_place_rate"]),
        "completeness by service": (ours_completeness, sql_completeness, ["service_code"],
                                    ["cells_applicable", "cells_missing"]),
        "reoffending by cohort": (ours_reoffending, sql_reoffending, ["quarter"],
                                  ["cohort", "episodes", "reoffenders", "rate", "ci_low", "frequency_base",
                                   "per_child", "per_child_low", "per_reoffender", "per_reoffender_low"]),
    }
    results = {}
    for name, (ours, sql, keys, cols) in cases.items():
        theirs = pl.from_arrow(con.sql(sql).to_arrow_table())
        if "final" in theirs.columns:
            theirs = theirs.filter(pl.col("final"))
        compare(name, ours(), theirs, keys, cols)
        ours_t, duck_t = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            ours()
            ours_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            pl.from_arrow(con.sql(sql).to_arrow_table())
            duck_t.append(time.perf_counter() - t0)
        o, d = statistics.median(ours_t), statistics.median(duck_t)
        results[name] = {"ours_s": round(o, 4), "duckdb_s": round(d, 4), "ratio": round(o / d, 2)}
    rows = {name: df.height for name, df in tables.items()}
    return {"loading": loading, "aggregations": results, "rows": rows}


# --------------------------------------------------------------------------------------------------- report

def import_figures() -> dict | None:
    path = ROOT / "bench" / "results" / "import.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    first = data["runs"]["first import (all added)"]
    return {"rows": data["rows"], "seconds": round(first["seconds"], 1), "rows_per_second": first["rows_per_second"],
            "peak_rss_mib": first["peak_rss_mib"], "source": "bench/results/import.json (bench/import_bench.py)"}


def verdict(value: float | None, target: float | None) -> str:
    if value is None or target is None:
        return ""
    return "ok" if value <= target else f"MISSED by {value / target - 1:.0%}"


def print_table(results: dict) -> None:
    scales = list(results["scales"])
    width = 12
    print()
    print(f"{'':<44}" + "".join(f"{'scale ' + s:>{width * 2}}" for s in scales))
    print(f"{'page (server-side run, s)':<44}" + "".join(f"{'cold':>{width}}{'warm':>{width}}" for _ in scales))
    pages = next((r["pages"]["pages"] for r in results["scales"].values() if "pages" in r), {})
    for page in pages:
        line = f"{page:<44}"
        for s in scales:
            p = results["scales"][s].get("pages", {}).get("pages", {}).get(page)
            line += f"{p['cold_s']:>{width}.2f}{p['warm_s']:>{width}.3f}" if p else " " * width * 2
        print(line)

    def row(label: str, get, fmt: str = "{:.2f}") -> None:
        line = f"{label:<44}"
        for s in scales:
            try:
                v = get(results["scales"][s])
                line += f"{fmt.format(v):>{width * 2}}"
            except (KeyError, TypeError):
                line += " " * width * 2
        print(line)

    print()
    row("first page after start, median of 3 (s)", lambda r: r["browser"]["first_page_s"])
    row("first page after start, worst of 3 (s)", lambda r: r["browser"]["first_page_worst_s"])
    row("  of which server up (s)", lambda r: r["browser"]["server_up_s"])
    row("peak server memory, every page (MiB)", lambda r: r["browser"]["peak_mib"], "{:,.0f}")
    row("load tables: SQL rows (s)", lambda r: r["agg"]["loading"]["sql_s"])
    row("load tables: as the app loads (s)", lambda r: r["agg"]["loading"]["app_load_s"])
    aggs = next((r["agg"]["aggregations"] for r in results["scales"].values() if "agg" in r), {})
    for name in aggs:
        row(f"{name} (ours/DuckDB)", lambda r, n=name: r["agg"]["aggregations"][n]["ratio"], "{:.2f}x")
    imp = results.get("import")
    if imp:
        print(f"{'import throughput (first import)':<44}{imp['rows_per_second']:>{width * 2},} rows/s "
              f"({imp['rows']:,} rows in {imp['seconds']} s, peak {imp['peak_rss_mib']:,.0f} MiB; {imp['source']})")
    print()
    print("targets: scale 100 every page warm <= 0.5 s, first page <= 5 s, peak memory <= 2 GB; scale 1 every page "
          "warm <= 0.15 s; core aggregations within 1.5x DuckDB")
    for s in scales:
        r = results["scales"][s]
        sc = float(s)
        target = TARGETS["warm_s"].get(sc)
        if target and "pages" in r:
            worst = max(r["pages"]["pages"].items(), key=lambda kv: kv[1]["warm_s"])
            print(f"  scale {s}: slowest warm page {worst[0]} {worst[1]['warm_s']:.3f} s "
                  f"(target {target} s): {verdict(worst[1]['warm_s'], target)}")
        if sc in TARGETS["first_page_s"] and "browser" in r:
            print(f"  scale {s}: first page {r['browser']['first_page_s']:.2f} s (median of 3 starts; worst "
                  f"{r['browser']['first_page_worst_s']:.2f} s): "
                  f"{verdict(r['browser']['first_page_s'], TARGETS['first_page_s'][sc])}; peak memory "
                  f"{r['browser']['peak_mib']:,.0f} MiB: {verdict(r['browser']['peak_mib'], TARGETS['peak_mib'][sc])}")
        if "agg" in r:
            worst = max(r["agg"]["aggregations"].items(), key=lambda kv: kv[1]["ratio"])
            print(f"  scale {s}: worst aggregation ratio {worst[0]} {worst[1]['ratio']:.2f}x: "
                  f"{verdict(worst[1]['ratio'], TARGETS['ratio'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", type=float, default=[1, 10, 100])
    parser.add_argument("--dir", default="/tmp/resettlement-bench", help="where the bench databases are built")
    parser.add_argument("--label", default="after", help="results go to bench/results/app-<label>.json")
    parser.add_argument("--runs", type=int, default=7, help="runs of each aggregation (median)")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--skip-duckdb", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        out = child_pages() if args.child == "pages" else child_aggregations(args.runs)
        print(json.dumps(out))
        return
    results: dict = {"label": args.label, "python": platform.python_version(), "cpus": os.cpu_count(),
                     "measured": time.strftime("%Y-%m-%d %H:%M"), "scales": {}}
    failures = []
    for scale in args.scales:
        url = ensure_database(Path(args.dir), scale)
        r: dict = {"database": url}
        key = f"{scale:g}"
        results["scales"][key] = r
        if not args.skip_duckdb:
            print(f"scale {key}: aggregations ...", flush=True)
            r["agg"] = run_child("agg", url, ["--runs", str(args.runs)])
        if not args.skip_pages:
            print(f"scale {key}: pages (AppTest) ...", flush=True)
            r["pages"] = run_child("pages", url)
            if r["pages"]["exceptions"]:
                failures.append(f"scale {key}: {r['pages']['exceptions']}")
        if not args.skip_browser:
            print(f"scale {key}: first page and memory (Chromium) ...", flush=True)
            r["browser"] = browser_run(url)
    results["import"] = import_figures()
    out = ROOT / "bench" / "results" / f"app-{args.label}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print_table(results)
    print(f"wrote {out}")
    if failures:
        raise SystemExit("pages raised exceptions:\n" + "\n".join(failures))


if __name__ == "__main__":
    main()

"""One server, many sessions: what a page runs must be safe to run in several script threads at once.

The server once stopped answering everyone under a handful of sessions: one page held the GIL inside Polars (a
frame converted through pandas, or pickled for a cache key) while Polars' worker threads, busy with another page's
Python UDF, waited for the GIL. These tests keep the causes out; bench/load.py and tests/test_load.py drive the
real server with many sessions.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from resettlement.ui.components import plain_key

ROOT = Path(__file__).resolve().parent.parent
APP_CODE = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "resettlement").rglob("*.py")])
# Polars calls that run Python for each row, batch or group inside Polars' thread pool.
UDF_METHODS = {"map_elements", "map_batches", "map_groups", "map_rows", "apply", "pipe_with_schema"}
# Streamlit calls that convert a Polars frame through pandas on the page's thread.
TABLE_CALLS = {"dataframe", "table", "data_editor"}


def _calls(path: Path) -> list[tuple[str, int]]:
    """Every ``<something>.<name>(...)`` call in ``path`` as (name, line)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.func.attr, node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    ]


def test_no_python_udfs_in_anything_a_page_runs():
    found = [
        f"{p.relative_to(ROOT)}:{line} {name}" for p in APP_CODE for name, line in _calls(p) if name in UDF_METHODS
    ]
    assert found == []


def test_the_scan_finds_a_udf(tmp_path):
    """The scan above can fail: it finds the call that once deadlocked the server."""
    sample = tmp_path / "page.py"
    sample.write_text('df.with_columns(pl.col("m").map_elements(lambda m: m.upper(), return_dtype=pl.String))\n')
    assert ("map_elements", 1) in _calls(sample)


def test_tables_reach_streamlit_only_as_arrow():
    """Only ``components.dataframe`` (and the tables it draws) call ``st.dataframe``, with an Arrow table."""
    allowed = ROOT / "resettlement" / "ui" / "components.py"
    found = [
        f"{p.relative_to(ROOT)}:{line} st.{name}"
        for p in APP_CODE
        if p != allowed
        for name, line in _calls(p)
        if name in TABLE_CALLS and "st." in _line(p, line)
    ]
    assert found == []


def _line(path: Path, number: int) -> str:
    return path.read_text(encoding="utf-8").splitlines()[number - 1]


def test_figure_keys_are_plain_values_of_the_content():
    a = pl.DataFrame({"quarter": ["2025Q1", "2025Q2"], "n": [3, None]})
    same = pl.DataFrame({"quarter": ["2025Q1", "2025Q2"], "n": [3, None]})
    other_cell = pl.DataFrame({"quarter": ["2025Q1", "2025Q2"], "n": [3, 4]})
    other_type = a.with_columns(pl.col("n").cast(pl.Float64))
    other_name = a.rename({"n": "m"})
    args = (a, "quarter", {"area": "Cardiff"}, ["a", "b"], date(2026, 9, 30))
    assert plain_key(args) == plain_key((same, "quarter", {"area": "Cardiff"}, ["a", "b"], date(2026, 9, 30)))
    for changed in (other_cell, other_type, other_name, a.head(1), pl.DataFrame()):
        assert plain_key(changed) != plain_key(a)
    assert plain_key({"area": "Cardiff"}) != plain_key({"area": "Caerdydd"})
    hash(plain_key(args))  # usable as a key as it is


def test_figure_keys_refuse_what_is_not_a_plain_value():
    with pytest.raises(TypeError, match="not a plain value"):
        plain_key((object(),))


_IMPORTS_AFTER_START = textwrap.dedent("""
    import os, sys, json
    sys.path.insert(0, {root!r})
    from streamlit.testing.v1 import AppTest  # the test harness's own modules come first
    from resettlement.ui import warmup
    from tests.apptest import PAGES, new_app, open_page

    warmup.import_pages()
    before = set(sys.modules)
    errors = []
    for lang in ("en", "cy"):
        for page in PAGES:
            at = open_page(new_app(), page, lang)
            errors += [f"{{page}} {{lang}}: {{e.value}}" for e in at.exception]
    new = sorted(m for m in set(sys.modules) - before if not m.startswith("streamlit.testing"))
    print(json.dumps({{"new": new, "errors": errors}}))
""")


def test_pages_import_nothing_the_server_start_did_not(demo_url):
    """Every module every page reaches (in English and Welsh, case level on) is imported by ``serve`` before the
    server listens, so no two sessions ever import one module at the same time."""
    import json
    import os

    env = {**os.environ, "RESETTLEMENT_DB_URL": demo_url, "RESETTLEMENT_CASE_LEVEL": "1"}
    env.pop("RESETTLEMENT_SCOPE", None)
    out = subprocess.run(
        [sys.executable, "-c", _IMPORTS_AFTER_START.format(root=str(ROOT))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert result["new"] == []


def test_serve_routes_every_run_through_the_shell_from_the_start():
    """``serve`` leaves Streamlit's legacy pages/ mode before it listens, so a deep link never runs a page alone."""
    code = (
        "from streamlit.runtime.pages_manager import PagesManager as P\n"
        "from resettlement.ui import warmup\n"
        "warmup._navigation_from_start()\n"
        "print(P.uses_pages_directory)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_download_built_on_click_outlives_other_sessions_runs():
    """Streamlit sweeps unreferenced files at the end of every session's run: a file built on click must stay
    until its own session runs again, however many other runs end before the browser fetches it."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    from resettlement.ui.downloads import keep_built_downloads

    def survives() -> bool:
        files = MediaFileManager(MemoryMediaFileStorage("/media"))
        placeholder = files.add_deferred(lambda: b"workbook", "application/octet-stream", "1.2.3", "t.xlsx")
        url = files.execute_deferred(placeholder)
        for _ in range(3):  # three other sessions' runs end
            files.remove_orphaned_files()
        return files.read_file(url.rsplit("/", 1)[-1].split(".")[0]) is not None

    keep_built_downloads()
    keep_built_downloads()  # once only, however often it is called
    patched = MediaFileManager.execute_deferred
    assert survives()
    MediaFileManager.execute_deferred = patched.__wrapped__  # Streamlit's own: the file is swept
    try:
        assert not survives()
    finally:
        MediaFileManager.execute_deferred = patched

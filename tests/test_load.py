"""Issue 14: sessions switching pages on one server must not hang it, break a page, mix sessions up, or keep it from
exiting on SIGTERM.

A short run of ``bench/load.py``: real Streamlit websocket clients against ``python -m resettlement serve`` on a
fresh scale-1 demo database, each with its own language and areas, switching pages, areas and languages. Fails on a
hang (health unanswered for 20 s, or a run that never finishes), any exception box, any cross-session mix-up, or the
server taking more than a few seconds to exit after SIGTERM; never on timings otherwise.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _bench_load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


load = _bench_load()


def _run(tmp_path: Path, **options) -> dict:
    opts = load.Options(work_dir=tmp_path, out_dir=tmp_path, run_timeout=30.0, **options)
    # a thread of its own: the browser tests' Playwright keeps an event loop running in this one
    with ThreadPoolExecutor(max_workers=1) as pool:
        report = pool.submit(asyncio.run, load.run_load(opts)).result()
    load.write(report, tmp_path)
    print(load.summary(report))  # shown with -s or on failure
    return report


def test_many_sessions_switching_pages(tmp_path):
    report = _run(tmp_path, sessions=8, seconds=60.0, label="ci")
    assert not load.failures(report), load.summary(report)
    assert report["runs"]["by_action"].get("page", 0) >= 8  # the load did switch pages


def test_sessions_connecting_while_the_server_starts(tmp_path):
    report = _run(tmp_path, sessions=6, seconds=30.0, cold=True, label="ci-cold")
    assert not load.failures(report), load.summary(report)
    assert report["runs"]["by_action"].get("open") == 6  # every session got its first page


def test_check_tells_a_mix_up_from_lost_state():
    """The checker itself: another session's area or language is a mix-up; an area nobody chose, or the default
    language with no sign of another session, is lost state."""
    cat = load.Catalog(["la:W06000015", "la:W06000011", "wales"])
    owners = {"la:W06000015": {0}, "la:W06000011": {1}}

    def run(query: str, headings: list[tuple[str, str]], lang: str = "en") -> list[dict]:
        r = load.Run(session=0, page="overview", action="page", lang=lang, area="la:W06000015", started=0.0)
        r.query, r.headings = query, headings
        return load.check(r, cat, owners)

    title = ("h1", load.t("page.overview.title", "en"))
    assert run("lang=en&area=la%3AW06000015", [title, ("h3", "Cardiff (local authority)")]) == []
    mixed = run("lang=en&area=la%3AW06000011", [title, ("h3", "Swansea (local authority)")])
    assert {p["kind"] for p in mixed} == {"mixup"}
    lost = run("lang=en&area=wales", [title, ("h3", "Wales")])
    assert [p["kind"] for p in lost] == ["lost"]
    welsh = run("lang=cy&area=la%3AW06000015", [title])
    assert {(p["kind"], p["what"]) for p in welsh} == {("mixup", "lang")}
    reset = run("lang=en&area=wales", [title, ("h3", "Wales")], lang="cy")
    assert {(p["kind"], p["what"]) for p in reset} == {("lost", "lang"), ("lost", "area")}

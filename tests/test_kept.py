"""Kept results: the Overview's figures are written beside the snapshot and read back, exactly, only for the same
data version, scope, arguments, code and settings."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from resettlement import kept, overview, store
from resettlement.filters import Area, Filters
from resettlement.scope import Scope
from resettlement.standard import COHORTS
from resettlement.ui import data, warmup

F = Filters("2025Q1", "2025Q4", Area.parse("wales"), COHORTS)


def _version(url: str) -> str:
    return store.read_meta(store.get_engine(url))["data_version"]


@pytest.fixture
def fresh(demo_url):
    """The demo database with nothing kept and nothing cached in memory."""
    kept.clear(demo_url, _version(demo_url))
    data.clear()
    yield demo_url
    kept.clear(demo_url, _version(demo_url))
    data.clear()


def test_save_and_load_round_trip_only_for_the_same_key(fresh, monkeypatch):
    version = _version(fresh)
    value = (pl.DataFrame({"quarter": ["2025Q1", "2025Q2"], "episodes": [7, 11]}), date(2025, 6, 30))
    assert kept.load(fresh, version, ("f", "scope:all", (1,))) == (False, None)
    assert kept.save(fresh, version, ("f", "scope:all", (1,)), value) is not None
    found, back = kept.load(fresh, version, ("f", "scope:all", (1,)))
    assert found and back[1] == date(2025, 6, 30)
    assert_frame_equal(back[0], value[0])
    assert kept.load(fresh, version, ("f", "scope:W06000015", (1,))) == (False, None)  # another scope
    assert kept.load(fresh, version, ("f", "scope:all", (2,))) == (False, None)  # other arguments
    assert kept.load(fresh, "another-version", ("f", "scope:all", (1,))) == (False, None)  # no such snapshot
    monkeypatch.setenv("RESETTLEMENT_RAG_GREEN", "0.9")  # other settings
    assert kept.load(fresh, version, ("f", "scope:all", (1,))) == (False, None)
    monkeypatch.delenv("RESETTLEMENT_RAG_GREEN")
    monkeypatch.setattr(kept, "code_version", lambda: "other code")
    assert kept.load(fresh, version, ("f", "scope:all", (1,))) == (False, None)


def test_a_damaged_file_is_ignored(fresh):
    version = _version(fresh)
    path = kept.save(fresh, version, ("f", "s", ()), 42)
    path.write_bytes(b"not a pickle")
    assert kept.load(fresh, version, ("f", "s", ())) == (False, None)


def test_nothing_is_kept_without_a_snapshot(tmp_path, monkeypatch, demo_url):
    monkeypatch.setenv("RESETTLEMENT_CACHE_DIR", "off")
    assert kept.save(demo_url, _version(demo_url), ("f", "s", ()), 1) is None
    assert kept.load(demo_url, _version(demo_url), ("f", "s", ())) == (False, None)


def test_the_overview_is_kept_and_read_back_without_the_tables(fresh, monkeypatch):
    version, as_of = _version(fresh), date(2025, 12, 31)
    scope_key = Scope.all_wales().key()
    expected = overview.headline(store.read_all(store.get_engine(fresh), Scope.all_wales()), F, as_of)
    first = data.cached(overview.headline, fresh, scope_key, version, F, as_of)
    assert_frame_equal(first, expected)
    assert expected.height == 6 and expected["current"].null_count() < 6  # real figures, not an empty frame
    data.clear()  # as after a restart: nothing in memory

    def no_tables(*_args):
        raise AssertionError("the tables were read: the kept result was not used")

    monkeypatch.setattr(data, "tables", no_tables)
    assert_frame_equal(data.cached(overview.headline, fresh, scope_key, version, F, as_of), expected)
    # another view is not kept: it needs the tables
    with pytest.raises(AssertionError, match="tables were read"):
        data.cached(overview.headline, fresh, scope_key, version, F, date(2025, 9, 30))


def test_warm_keeps_the_default_overview(fresh):
    assert warmup.warm(fresh) is True
    view = warmup.plan(fresh)
    kept_files = sorted((store.complete_snapshot(fresh, view.data_version) / "results").glob("*.pickle"))
    assert len(kept_files) == 2  # the headline and the trends
    tables = store.read_all(store.get_engine(fresh), Scope.all_wales())
    found, trends = kept.load(
        fresh,
        view.data_version,
        ("resettlement.overview.trends", view.scope_key, (view.filters, view.quarters), "tables"),
    )
    assert found
    for got, want in zip(trends, overview.trends(tables, view.filters, view.quarters), strict=True):
        assert_frame_equal(got, want)


def _kept_files(url: str) -> int:
    folder = store.complete_snapshot(url, _version(url))
    return len(list((folder / "results").glob("*.pickle"))) if folder is not None else 0


def test_demo_and_import_commands_keep_the_first_page(tmp_path, monkeypatch, capsys):
    from resettlement.__main__ import main

    demo = f"sqlite:///{tmp_path / 'demo.db'}"
    assert main(["demo", "--scale", "0.1", "--db", demo, "--as-of", "2025-12-31"]) == 0
    assert _kept_files(demo) == 2
    source = str(Path(__file__).parent / "data" / "import" / "cases_bom_semicolon.csv")
    hidden, shown = f"sqlite:///{tmp_path / 'hidden.db'}", f"sqlite:///{tmp_path / 'shown.db'}"
    monkeypatch.delenv("RESETTLEMENT_SCOPE", raising=False)
    assert main(["import", "--as-admin", source, "--db", hidden, "--json"]) == 0
    assert _kept_files(hidden) == 0  # real data and no scope set: nobody may see it, so nothing is computed
    monkeypatch.setenv("RESETTLEMENT_SCOPE", "all")
    capsys.readouterr()
    assert main(["import", "--as-admin", source, "--db", shown, "--json"]) == 0
    assert _kept_files(shown) == 2
    assert json.loads(capsys.readouterr().out)["outcome"] == "written"  # the warm-up printed nothing to stdout
    data.clear()

"""The columnar snapshot: the same scoped frames as SQL, keyed on the data version, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from resettlement import store
from resettlement.scope import Scope
from resettlement.standard import TABLES
from tests.test_store import CARDIFF, SWANSEA, VALE, _frames

SCOPES = [
    Scope.all_wales(),
    Scope(frozenset({CARDIFF})),
    Scope(frozenset({VALE})),
    Scope(frozenset({SWANSEA})),
    Scope(frozenset({CARDIFF, SWANSEA}), case_level=True),
]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("RESETTLEMENT_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def loaded(db_url, cache):
    """A database holding the store fixture's tables under a fresh data version."""
    engine = store.get_engine(db_url)
    store.create_schema(engine, drop=True)
    version = f"v-{uuid.uuid4().hex[:8]}"
    store.replace_all(engine, _frames(), {"as_of": "2024-03-31", "synthetic": "0", "data_version": version})
    return engine, db_url, version


def _sorted(df: pl.DataFrame, name: str) -> pl.DataFrame:
    return df.sort(list(TABLES[name].key))


def _same(a: dict[str, pl.DataFrame], b: dict[str, pl.DataFrame]) -> None:
    assert list(a) == list(b) == list(TABLES)
    for name in TABLES:
        assert_frame_equal(_sorted(a[name], name), _sorted(b[name], name))


def test_snapshot_gives_exactly_the_scoped_sql_reads(loaded, monkeypatch):
    engine, url, version = loaded
    first = store.read_all(engine, Scope.all_wales())  # no snapshot yet: read through SQL, then written
    folder = store.snapshot_dir(url, version)
    assert (folder / "snapshot.json").exists()
    _same(first, store.read_all_sql(engine, Scope.all_wales()))

    def no_sql(*_args, **_kwargs):
        raise AssertionError("the snapshot should have been read")

    monkeypatch.setattr(store.reads, "read_all_sql", no_sql)
    for scope in SCOPES:
        expected = {name: store.read_table(engine, name, scope) for name in TABLES}
        _same(store.read_all(engine, scope, version), expected)


def test_empty_scope_reads_nothing_from_the_snapshot(loaded):
    engine, _, version = loaded
    store.read_all(engine, Scope.all_wales())
    frames = store.read_all(engine, Scope.deny(), version)
    for name, table in TABLES.items():
        assert frames[name].height == 0 and frames[name].columns == list(table.columns)


def test_a_new_data_version_retires_the_snapshot(loaded):
    engine, url, version = loaded
    store.read_all(engine, Scope.all_wales())
    with engine.begin() as conn:
        store.upsert(
            conn,
            "cases",
            pl.DataFrame(
                {
                    "case_id": ["c4"],
                    "child_id": ["p4"],
                    "la_code": [SWANSEA],
                    "cohort": ["community"],
                    "start_date": [date(2022, 1, 1)],
                }
            ),
        )
        store.write_meta(conn, data_version="v-next")
    cases = store.read_all(engine, Scope(frozenset({SWANSEA})))["cases"]
    assert sorted(cases["case_id"]) == ["c2", "c4"]
    assert (store.snapshot_dir(url, "v-next") / "snapshot.json").exists()
    assert not store.snapshot_dir(url, version).exists(), "older versions of the same database are removed"


def test_an_unreadable_snapshot_falls_back_to_sql(loaded):
    engine, url, version = loaded
    store.read_all(engine, Scope.all_wales())
    (store.snapshot_dir(url, version) / "needs.parquet").write_bytes(b"not parquet")
    needs = store.read_all(engine, Scope(frozenset({CARDIFF})), version)["needs"]
    assert needs["case_id"].to_list() == ["c1", "c1"]


def test_no_snapshot_when_switched_off(loaded, monkeypatch, cache):
    engine, url, _ = loaded
    monkeypatch.setenv("RESETTLEMENT_CACHE_DIR", "off")
    assert store.snapshot_dir(url, "v1") is None
    assert store.read_all(engine, Scope(frozenset({CARDIFF})))["cases"].height == 2
    assert not cache.exists()


def test_the_demo_database_is_snapshotted_as_it_is_built(tmp_path, cache):
    from resettlement import synth

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    synth.build_demo(url, scale=0.05, seed=3, as_of=date(2026, 9, 30))
    engine = store.get_engine(url)
    version = store.read_meta(engine)["data_version"]
    assert (store.snapshot_dir(url, version) / "snapshot.json").exists()
    for scope in (Scope.all_wales(), Scope(frozenset({CARDIFF}))):
        _same(store.read_all(engine, scope, version), store.read_all_sql(engine, scope))


def test_snapshots_of_deleted_sqlite_files_are_pruned(tmp_path, cache):
    for name in ("a", "b"):
        url = f"sqlite:///{tmp_path / name}.db"
        engine = store.get_engine(url)
        store.create_schema(engine)
        store.replace_all(engine, _frames(), {"as_of": "2024-03-31", "data_version": f"v-{name}"})
        store.read_all(engine, Scope.all_wales())
        if name == "a":
            (tmp_path / "a.db").unlink()
    kept = store.snapshot_dir(f"sqlite:///{tmp_path / 'b'}.db", "v-b").parent
    assert [p.name for p in cache.iterdir()] == [kept.name]


def test_a_database_built_elsewhere_and_moved_keeps_its_snapshot(tmp_path, cache, monkeypatch):
    from resettlement import synth

    built, final = tmp_path / ".demo.db.building", tmp_path / "demo.db"
    synth.build_demo(f"sqlite:///{built}", scale=0.05, seed=3, as_of=date(2026, 9, 30))
    store.get_engine.cache_clear()
    built.replace(final)
    store.adopt_snapshot(f"sqlite:///{built}", f"sqlite:///{final}")
    engine = store.get_engine(f"sqlite:///{final}")
    version = store.read_meta(engine)["data_version"]
    assert (store.snapshot_dir(f"sqlite:///{final}", version) / "snapshot.json").exists()
    monkeypatch.setattr(store.reads, "read_all_sql", lambda *_: pytest.fail("the moved snapshot should have been read"))
    assert store.read_all(engine, Scope(frozenset({CARDIFF})), version)["cases"].height > 0

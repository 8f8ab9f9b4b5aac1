"""Shared fixtures: store URLs for SQLite and, when reachable, the local PostgreSQL server.

PostgreSQL tests skip only when the server cannot be reached *and* RESETTLEMENT_REQUIRE_PG is not set;
``.ci/run`` sets it, so CI fails rather than silently skipping them.
"""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

PG_ADMIN_URL = os.environ.get("RESETTLEMENT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session", autouse=True)
def snapshot_cache(tmp_path_factory):
    """Columnar snapshots of the throw-away test databases go to a temporary folder, never to data/cache (where
    they would push out the snapshot of the developer's own database)."""
    before = os.environ.get("RESETTLEMENT_CACHE_DIR")
    os.environ["RESETTLEMENT_CACHE_DIR"] = str(tmp_path_factory.mktemp("snapshots"))
    yield
    if before is None:
        os.environ.pop("RESETTLEMENT_CACHE_DIR", None)
    else:
        os.environ["RESETTLEMENT_CACHE_DIR"] = before


@pytest.fixture(scope="module")
def own_snapshots(tmp_path_factory, demo_url):
    """Snapshots of a module's own throw-away databases go to a folder of their own: the session's folder keeps the
    snapshots of only the latest eight databases (store.SNAPSHOT_KEEP), and the shared demo database's must stay
    (so it is built, into the session's folder, first)."""
    patch = pytest.MonkeyPatch()
    patch.setenv("RESETTLEMENT_CACHE_DIR", str(tmp_path_factory.mktemp("own_snapshots")))
    yield
    patch.undo()


def _pg_reachable() -> str | None:
    try:
        engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"


@pytest.fixture(scope="session")
def pg_url():
    """A fresh, empty PostgreSQL database for this test session, dropped afterwards."""
    problem = _pg_reachable()
    if problem:
        if os.environ.get("RESETTLEMENT_REQUIRE_PG"):
            pytest.fail(f"PostgreSQL is required (RESETTLEMENT_REQUIRE_PG) but unreachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    name = f"resettlement_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    from resettlement import store

    store.get_engine.cache_clear()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Each store test runs against an embedded SQLite file and against PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def access_engine(db_url):
    """``db_url``'s engine with the schema and no users or audit entries (the PostgreSQL one is shared)."""
    from resettlement import store

    engine = store.get_engine(db_url)
    store.create_schema(engine)
    store.ensure_access_schema(engine)
    with engine.begin() as conn:
        conn.execute(store.USERS.delete())
        conn.execute(store.AUDIT.delete())
    return engine


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory):
    """A small synthetic database (scale 0.5, fixed seed and as-of date) shared by page tests."""
    from resettlement import synth
    from tests.apptest import AS_OF

    url = f"sqlite:///{tmp_path_factory.mktemp('app') / 'demo.db'}"
    synth.build_demo(url, scale=0.5, seed=7, as_of=AS_OF)
    return url


@pytest.fixture(scope="session")
def partial_url(tmp_path_factory):
    """A small synthetic database as of 31 October 2026: its latest quarter, 2026Q4, is a month old."""
    from datetime import date

    from resettlement import synth

    url = f"sqlite:///{tmp_path_factory.mktemp('partial') / 'demo.db'}"
    synth.build_demo(url, scale=0.2, seed=7, as_of=date(2026, 10, 31))
    return url


@pytest.fixture
def app(demo_url, monkeypatch):
    """An AppTest of app.py on the demo database, all Wales in scope."""
    from tests.apptest import new_app, use_database

    use_database(monkeypatch, demo_url)
    return new_app()


@pytest.fixture
def media(monkeypatch):
    """Every media file manager AppTest creates, so a download's bytes can be read back (built on demand for a
    deferred download, as the server builds them when the button is clicked)."""
    import streamlit.testing.v1.app_test as app_test
    from streamlit.runtime.media_file_manager import MediaFileManager

    managers = []

    class Recording(MediaFileManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            managers.append(self)

    monkeypatch.setattr(app_test, "MediaFileManager", Recording)
    return managers

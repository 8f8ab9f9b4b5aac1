"""Users, roles, scope per user, sign-in with lock-out and the audit log, on SQLite and PostgreSQL (issue 18)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from resettlement import access, store
from resettlement.geography import LA_CODES
from resettlement.scope import Scope
from tests.fixtures import frame

pytestmark = pytest.mark.usefixtures("own_snapshots")  # their databases' snapshots apart


@pytest.fixture
def engine(access_engine):
    """A database with the schema, two RRPs and no users or audit entries (the PostgreSQL one is shared)."""
    engine = access_engine
    with engine.begin() as conn:
        conn.execute(store.METADATA.tables["rrps"].delete())
        store.write_table(
            conn,
            "rrps",
            frame(
                "rrps",
                [
                    {"rrp_id": "RRP-CDF", "name": "Cardiff RRP", "la_codes": "W06000015"},
                    {"rrp_id": "RRP-GW", "name": "Gwent RRP", "la_codes": "W06000018;W06000019"},
                ],
            ),
        )
    return engine


def test_roles_give_their_scopes(engine):
    assert access.scope_for(access.Viewer("n", "national"), engine) == Scope.all_wales(case_level=True)
    assert access.scope_for(access.Viewer("a", "admin"), engine) == Scope.all_wales(case_level=True)
    assert access.scope_for(access.Viewer("p", "presenter"), engine) == Scope.all_wales(case_level=False)
    assert access.scope_for(access.Viewer("x", None), engine).is_empty
    area = access.Viewer("c", "area", ("la:W06000015", "rrp:RRP-GW"))
    assert access.scope_for(area, engine) == Scope(frozenset({"W06000015", "W06000018", "W06000019"}), True)
    # Western Bay covered Swansea, Neath Port Talbot and Bridgend; Dyfed-Powys police: 4 authorities
    assert access.scope_for(access.Viewer("w", "area", ("service:western_bay",)), engine).la_codes == frozenset(
        {"W06000011", "W06000012", "W06000013"}
    )
    assert len(access.scope_for(access.Viewer("d", "area", ("police_area:W15000004",)), engine).la_codes) == 4
    assert access.scope_for(access.Viewer("g", "area", ("rrp:NO-SUCH",)), engine).is_empty  # deny by default


def test_add_set_remove_and_list(engine):
    access.add_user(engine, "Chair@Cardiff", "area", ["la:W06000015"], "correct horse")
    access.add_user(engine, "lead@wales", "national", [], None)
    rows = {r["name"]: r for r in access.user_rows(engine)}
    assert set(rows) == {"chair@cardiff", "lead@wales"}
    assert rows["chair@cardiff"]["areas"] == "la:W06000015" and rows["chair@cardiff"]["password"] is True
    assert rows["lead@wales"]["password"] is False
    stored = store.read_user(engine, "chair@cardiff")["password_hash"]
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    with pytest.raises(access.UserError, match="already"):
        access.add_user(engine, "chair@cardiff", "national", [], None)
    with pytest.raises(access.UserError, match="at least one"):
        access.add_user(engine, "x@y", "area", [], None)
    with pytest.raises(access.UserError, match="only for the area role"):
        access.add_user(engine, "x@y", "presenter", ["la:W06000015"], None)
    with pytest.raises(access.UserError, match="no RRP"):
        access.add_user(engine, "x@y", "area", ["rrp:NOPE"], None)
    with pytest.raises(access.UserError, match="unknown la code"):
        access.add_user(engine, "x@y", "area", ["la:W0600XXXX"], None)
    access.set_user(engine, "chair@cardiff", role="presenter")
    assert store.read_user(engine, "chair@cardiff")["areas"] == ""  # a presenter sees all Wales
    access.set_user(engine, "chair@cardiff", role="area", areas=["rrp:RRP-CDF"])
    assert access.lookup(engine, "CHAIR@cardiff", "oidc") == access.Viewer(
        "chair@cardiff", "area", ("rrp:RRP-CDF",), "oidc"
    )
    access.remove_user(engine, "chair@cardiff")
    assert access.lookup(engine, "chair@cardiff", "local").role is None
    with pytest.raises(access.UserError, match="no user"):
        access.remove_user(engine, "chair@cardiff")


def test_sign_in_locks_after_repeated_failures(engine, monkeypatch):
    monkeypatch.setenv("RESETTLEMENT_LOCKOUT_FAILURES", "3")
    monkeypatch.setenv("RESETTLEMENT_LOCKOUT_MINUTES", "10")
    access.add_user(engine, "chair@cardiff", "area", ["la:W06000015"], "right password")
    t0 = access.now()
    assert access.sign_in(engine, "chair@cardiff", "right password", t0).reason == "ok"
    assert [access.sign_in(engine, "chair@cardiff", "wrong", t0).reason for _ in range(3)] == [
        "wrong",
        "wrong",
        "locked",
    ]
    # locked: even the right password is refused until the lock ends
    assert access.sign_in(engine, "chair@cardiff", "right password", t0 + timedelta(minutes=9)).reason == "locked"
    assert access.user_rows(engine, t0)[0]["locked"] is True
    later = access.sign_in(engine, "Chair@Cardiff", "right password", t0 + timedelta(minutes=11))
    assert later.reason == "ok" and later.viewer == access.Viewer("chair@cardiff", "area", ("la:W06000015",))
    assert store.read_user(engine, "chair@cardiff")["failed"] == 0
    assert access.sign_in(engine, "nobody", "x").reason == "unknown"
    access.add_user(engine, "oidc@only", "national", [], None)
    assert access.sign_in(engine, "oidc@only", "").reason == "no_password"


def test_unlock_and_new_password(engine, monkeypatch):
    monkeypatch.setenv("RESETTLEMENT_LOCKOUT_FAILURES", "1")
    access.add_user(engine, "a@b", "admin", [], "first")
    assert access.sign_in(engine, "a@b", "nope").reason == "locked"
    access.set_user(engine, "a@b", unlock=True)
    assert access.sign_in(engine, "a@b", "first").reason == "ok"
    access.set_user(engine, "a@b", password="second")
    assert access.sign_in(engine, "a@b", "first").reason == "locked"
    access.set_user(engine, "a@b", password="second")  # a new password ends the lock too
    assert access.sign_in(engine, "a@b", "second").reason == "ok"


def test_audit_log_records_and_filters(engine):
    access.audit(engine, "chair@cardiff", "page_view", "service_gaps", {"area": "la:W06000015", "from": "2024Q4"})
    access.audit(engine, "admin@wales", "import", "import_data", {"outcome": "written"})
    log = store.read_audit(engine)
    assert log["event"].to_list() == ["import", "page_view"]  # newest first
    assert json.loads(log["detail"][1]) == {"area": "la:W06000015", "from": "2024Q4"}
    assert store.read_audit(engine, user="chair@cardiff")["view"].to_list() == ["service_gaps"]
    assert store.read_audit(engine, event="import")["user_name"].to_list() == ["admin@wales"]
    assert store.read_audit(engine, since="2999-01-01").height == 0
    with pytest.raises(ValueError):
        access.audit(engine, "x", "no_such_event")


def test_scope_condition_matches_scope_frames(db_url):
    """The SQL the import check reads through selects exactly the rows the pages' scoping keeps."""
    from resettlement import synth

    engine = store.get_engine(db_url)
    frames = synth.generate(scale=0.1, seed=3)
    store.replace_all(engine, frames, {"as_of": "2026-09-30", "synthetic": "1", "data_version": "scope-test"})
    scope = Scope(frozenset({"W06000015", "W06000018"}), True)
    expected = store.scope_frames(frames, scope)
    from resettlement.standard import TABLES

    with engine.connect() as conn:
        for name, table in TABLES.items():
            got = store.read_rows(conn, name, table.columns, scope=scope)
            assert sorted(got[table.key[0]].to_list()) == sorted(expected[name][table.key[0]].to_list()), name
    assert set(LA_CODES) >= scope.la_codes

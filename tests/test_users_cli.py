"""``python -m resettlement users add|set|remove|list`` and ``audit-log`` (issue 18), on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json

import pytest

from resettlement import access, store
from resettlement.__main__ import main


@pytest.fixture
def url(access_engine, db_url):
    """A database with the schema and no users or audit entries (the PostgreSQL one is shared by the session)."""
    return db_url


def _users(url: str, capsys) -> list[dict]:
    assert main(["users", "--as-admin", "list", "--db", url, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_add_set_remove_list(url, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret passphrase\n"))
    assert (
        main(
            [
                "users",
                "--as-admin",
                "add",
                "Chair@Cardiff",
                "--role",
                "area",
                "--area",
                "la:W06000015",
                "--area",
                "service:western_bay",
                "--password-stdin",
                "--db",
                url,
            ]
        )
        == 0
    )
    assert main(["users", "--as-admin", "add", "lead@wales.gov.uk", "--role", "national", "--db", url]) == 0
    capsys.readouterr()
    rows = _users(url, capsys)
    assert [(r["name"], r["role"], r["areas"], r["password"]) for r in rows] == [
        ("chair@cardiff", "area", "la:W06000015, service:western_bay", True),
        ("lead@wales.gov.uk", "national", "", False),
    ]
    assert "s3cret" not in json.dumps(rows) and "argon2" not in json.dumps(rows)
    engine = store.get_engine(url)
    assert access.sign_in(engine, "chair@cardiff", "s3cret passphrase").reason == "ok"

    assert main(["users", "--as-admin", "set", "chair@cardiff", "--role", "presenter", "--db", url]) == 0
    assert main(["users", "--as-admin", "remove", "lead@wales.gov.uk", "--db", url]) == 0
    capsys.readouterr()
    assert [(r["name"], r["role"], r["areas"]) for r in _users(url, capsys)] == [("chair@cardiff", "presenter", "")]
    assert main(["users", "--as-admin", "list", "--db", url]) == 0
    assert "chair@cardiff" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["users", "add", "x@y", "--role", "area"], "at least one --area"),
        (["users", "add", "x@y", "--role", "area", "--area", "la:NOPE"], "unknown la code"),
        (["users", "add", "x@y", "--role", "area", "--area", "county:W06000015"], "not an area"),
        (["users", "add", "x y", "--role", "national"], "not a user name"),
        (["users", "set", "nobody", "--role", "national"], "no user"),
        (["users", "remove", "nobody"], "no user"),
    ],
)
def test_refusals_are_readable_and_exit_1(url, capsys, argv, message):
    assert main([*argv, "--db", url, "--as-admin"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err


def test_bad_role_is_a_usage_error(url, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["users", "--as-admin", "add", "x@y", "--role", "superuser", "--db", url])
    assert stop.value.code == 2


def test_empty_password_on_stdin_is_refused(url, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["users", "--as-admin", "add", "x@y", "--role", "admin", "--password-stdin", "--db", url]) == 1
    assert "no password" in capsys.readouterr().err
    assert _users(url, capsys) == []


def test_missing_database_file_exit_2(tmp_path, capsys):
    assert main(["users", "--as-admin", "list", "--db", f"sqlite:///{tmp_path / 'none.db'}"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()


def test_audit_log_lists_user_changes_and_filters(url, capsys):
    assert main(["users", "--as-admin", "add", "a@b", "--role", "admin", "--db", url]) == 0
    assert main(["users", "--as-admin", "set", "a@b", "--unlock", "--db", url]) == 0
    access.audit(store.get_engine(url), "a@b", "download", "overview", {"file": "deck.pptx", "area": "wales"})
    capsys.readouterr()
    assert main(["audit-log", "--as-admin", "--db", url, "--json"]) == 0
    log = json.loads(capsys.readouterr().out)
    assert [e["event"] for e in log] == ["download", "user_changed", "user_added"]
    assert log[1]["user_name"].startswith("cli:") and json.loads(log[2]["detail"])["user"] == "a@b"
    assert main(["audit-log", "--as-admin", "--db", url, "--event", "download", "--json"]) == 0
    only = json.loads(capsys.readouterr().out)
    assert [(e["user_name"], json.loads(e["detail"])["file"]) for e in only] == [("a@b", "deck.pptx")]
    assert main(["audit-log", "--as-admin", "--db", url, "--user", "nobody"]) == 0
    assert capsys.readouterr().out.strip() == "0 entries"
    with pytest.raises(SystemExit):
        main(["audit-log", "--as-admin", "--db", url, "--limit", "0"])


def test_real_data_needs_the_operator_to_say_so(url, demo_url, capsys):
    """On real case records every command that reads or writes them asks for --as-admin (exit 2, a readable
    reason); on the synthetic demo, and with the flag, it runs."""
    store.set_meta(store.get_engine(url), synthetic="0")  # the shared PostgreSQL database may hold any earlier meta
    assert main(["users", "list", "--db", url]) == 2
    assert "--as-admin" in capsys.readouterr().err
    assert main(["users", "list", "--db", url, "--as-admin"]) == 0
    capsys.readouterr()
    assert main(["gaps", "--db", demo_url, "--json"]) == 0  # synthetic: no flag needed

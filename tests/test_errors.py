"""Broken input gives a readable error, never a traceback or a silent substitute (issue 19): damaged databases, bad
URLs and drivers, bad settings, bad arguments, imports that write nothing, and where rejects files go."""

from __future__ import annotations

import os
import random
import stat
from pathlib import Path

import pytest

from resettlement import importer, markup, settings, store
from resettlement.__main__ import OPERATOR_COMMANDS, main
from resettlement.i18n import t
from resettlement.standard import PATHWAYS
from tests.apptest import AS_OF, new_app, signed_in

pytestmark = pytest.mark.usefixtures("own_snapshots")  # their databases' snapshots apart

REPORTS = (["info"], ["gaps"], ["completeness"], ["evaluate"], ["report", "--out", "{tmp}/deck.pptx"])


@pytest.fixture(scope="module")
def damaged(tmp_path_factory) -> str:
    """A demo database whose header and first pages are intact and whose other pages are noise."""
    from resettlement import synth

    folder = tmp_path_factory.mktemp("damaged")
    good = folder / "good.db"
    synth.build_demo(f"sqlite:///{good}", scale=0.05, seed=3, as_of=AS_OF)
    data = bytearray(good.read_bytes())
    rng = random.Random(1)
    data[4096 * 4 : -4096] = bytes(rng.randrange(256) for _ in range(len(data) - 4096 * 5))
    bad = folder / "bad.db"
    bad.write_bytes(bytes(data))
    return f"sqlite:///{bad}"


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    """``python -m resettlement argv`` in-process: exit code (argparse's SystemExit too), stdout, stderr."""
    try:
        # as the server's operator (these are real databases): the commands that read records need to say so
        code = main([*argv, "--as-admin"] if argv[0] in OPERATOR_COMMANDS else argv)
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("argv", REPORTS)
def test_damaged_database_is_a_readable_error_in_every_reporting_command(damaged, argv, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RESETTLEMENT_CACHE_DIR", "off")  # read the file itself, not a snapshot of it
    code, _, err = run([a.format(tmp=tmp_path) for a in argv] + ["--db", damaged], capsys)
    assert code == 2
    assert err == f"error: {t('db.damaged', 'en', detail='DatabaseError: database disk image is malformed')}\n"
    assert "Traceback" not in err and "SELECT" not in err
    assert not (tmp_path / "deck.pptx").exists()


def test_damaged_database_in_the_app(damaged, monkeypatch):
    monkeypatch.setenv("RESETTLEMENT_CACHE_DIR", "off")
    monkeypatch.setenv("RESETTLEMENT_DB_URL", damaged)
    monkeypatch.setenv("RESETTLEMENT_SCOPE", "all")
    at = new_app(60).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        t(
            "db.damaged",
            "en",
            detail=r"DatabaseError\: database disk image is "
            r"malformed",
        )
    ]


@pytest.mark.parametrize(
    ("env", "value", "allowed"),
    [
        ("RESETTLEMENT_DB_URL", "not a url", "db_url"),
        ("RESETTLEMENT_DB_URL", "mysql+nonexistentdriver://u@h/db", "db_url"),
        ("RESETTLEMENT_SCOPE", "W06000015,W0600XXXX", "scope"),
        ("RESETTLEMENT_SUPPRESSION_THRESHOLD", "five", "threshold"),
        ("RESETTLEMENT_SUPPRESSION_THRESHOLD", "0", "threshold"),
        ("RESETTLEMENT_RAG_GREEN", "2", "share"),
        ("RESETTLEMENT_RAG_AMBER", "0.99", "amber"),
        ("RESETTLEMENT_CASE_LEVEL", "maybe", "case_level"),
        ("RESETTLEMENT_DEMO_SCALE", "-1", "demo_scale"),
    ],
)
def test_bad_settings_are_named_with_the_values_allowed(env, value, allowed, monkeypatch, capsys, demo_url):
    monkeypatch.setenv(env, value)
    assert [(p.env, p.value, p.allowed) for p in settings.problems()] == [(env, value, allowed)]
    code, _, err = run(["gaps"] + ([] if env == "RESETTLEMENT_DB_URL" else ["--db", demo_url]), capsys)
    assert code == 2 and err.startswith(f"error: The setting {env} cannot be used: ‘{value}’ is not allowed.")
    assert t(f"settings.allowed.{allowed}", "en", green="0.95") in err
    monkeypatch.setenv("RESETTLEMENT_DB_URL", demo_url) if env != "RESETTLEMENT_DB_URL" else None
    at = new_app(30).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors[0] == t("settings.heading", "en") and env in errors[1] and len(errors) == 2
    assert not at.metric


def test_a_password_in_a_bad_url_is_never_shown(monkeypatch, capsys):
    monkeypatch.setenv("RESETTLEMENT_DB_URL", "nodriver+x://user:s3cret@host/db")
    code, _, err = run(["info"], capsys)
    assert code == 2 and "s3cret" not in err and "user:***@host" in err


def test_missing_driver_on_import_is_exit_2(tmp_path, capsys):
    (tmp_path / "cases.csv").write_text(
        "case_id,child_id,la_code,cohort,start_date\nc1,p1,Cardiff,custody,2024-01-05\n"
    )
    code, _, err = run(["import", str(tmp_path / "cases.csv"), "--db", "mysql+nonexistentdriver://u@h/db"], capsys)
    assert code == 2 and "Traceback" not in err and "nonexistentdriver" in err
    report = importer.run_import([importer.Source("cases.csv", b"case_id\n")], "postgresql+nodriver://x/y")
    assert report.problems["code"].to_list()[-1] == "database_error" and not report.written


def test_a_mistyped_sqlite_path_is_an_error_not_a_new_demo_database(tmp_path, monkeypatch, capsys):
    typo = tmp_path / "resettlment.db"
    monkeypatch.setenv("RESETTLEMENT_DB_URL", f"sqlite:///{typo}")
    at = new_app(30).run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("db.missing_file", "en", path=markup.md(typo))]
    code, _, err = run(["info"], capsys)
    assert code == 2 and "does not exist" in err
    assert not typo.exists() and list(tmp_path.iterdir()) == []
    assert settings.is_default_database(f"sqlite:///{settings.DEFAULT_DB_PATH}")
    assert not settings.is_default_database(f"sqlite:///{typo}") and not settings.is_default_database("::")


def test_report_and_templates_refuse_unwritable_outputs(demo_url, tmp_path, capsys):
    code, _, err = run(["report", "--db", demo_url, "--out", str(tmp_path / "no" / "deck.pptx")], capsys)
    assert code == 2 and "does not exist" in err
    code, _, err = run(["report", "--db", demo_url, "--out", str(tmp_path)], capsys)
    assert code == 2 and "is a folder" in err
    existing = tmp_path / "notes.txt"
    existing.write_text("keep me")
    code, _, err = run(["templates", "--out", str(existing)], capsys)
    assert code == 2 and "is a file" in err and existing.read_text() == "keep me"


def test_unknown_pathway_and_cohort_are_errors(demo_url, capsys):
    code, _, err = run(["gaps", "--db", demo_url, "--pathway", "astrology"], capsys)
    assert code == 2 and "astrology" in err and all(p in err for p in PATHWAYS)
    code, _, err = run(["evaluate", "--db", demo_url, "--cohort", "nonsense"], capsys)
    assert (
        code == 2 and err == "error: unknown cohort 'nonsense': use custody, remand, community, separated by commas\n"
    )


def _version(url: str) -> str:
    return store.read_meta(store.get_engine(url))["data_version"]


@pytest.fixture
def real_db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'real.db'}"
    cases = b"case_id,child_id,la_code,cohort,start_date\nc1,p1,Cardiff,custody,2024-01-05\n"
    assert importer.run_import([importer.Source("cases.csv", cases)], url).written
    return url


def test_header_only_and_all_rejected_imports_write_nothing(real_db, tmp_path, monkeypatch, capsys):
    before = _version(real_db)
    header_only = importer.run_import(
        [importer.Source("cases.csv", b"case_id,child_id,la_code,cohort,start_date\n")], real_db
    )
    assert header_only.outcome == "nothing_written" and not header_only.written and header_only.data_version is None
    assert _version(real_db) == before
    log = store.read_import_log(store.get_engine(real_db))  # logged as what it was: nothing written
    assert (log["mode"][0], log["rows_added"][0], log["rows_read"][0], log["data_version"][0]) == (
        "nothing_written",
        0,
        0,
        before,
    )
    assert header_only.log_id == log["id"][0] and log.height == 2
    bad = tmp_path / "in" / "cases.csv"
    bad.parent.mkdir()
    bad.write_text("case_id,child_id,la_code,cohort,start_date\nc2,p2,Narnia,custody,2024-01-05\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["import", str(bad), "--db", real_db, "--accept-valid"], capsys)
    assert code == 1 and _version(real_db) == before
    log = store.read_import_log(store.get_engine(real_db))
    assert (log.height, log["mode"][0], log["rows_rejected"][0]) == (3, "nothing_written", 1)
    assert t("importer.outcome.nothing_written", "en", rejected=1) in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "real.db"]  # nothing in the working folder
    saved = Path(out.split(t("importer.cli.rejects_saved", "en", path="@@").split("@@")[0])[1].split(":")[0])
    assert saved.name == "cases_rejects.csv" and saved.parent.name.startswith("resettlement-rejects-")
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600 and stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
    assert "Narnia" in saved.read_text("utf-8-sig")
    for leftover in (saved, saved.parent):
        os.remove(leftover) if leftover.is_file() else leftover.rmdir()


def test_accept_valid_without_rejects_leaves_no_empty_folder(real_db, tmp_path, monkeypatch, capsys):
    import tempfile

    before = set(Path(tempfile.gettempdir()).glob("resettlement-rejects-*"))
    good = tmp_path / "cases.csv"
    good.write_text("case_id,child_id,la_code,cohort,start_date\nc3,p3,Cardiff,custody,2024-02-05\n")
    code, _, _ = run(["import", str(good), "--db", real_db, "--accept-valid"], capsys)
    assert code == 0 and set(Path(tempfile.gettempdir()).glob("resettlement-rejects-*")) == before


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["demo", "--as-of", "30/09/2026"], "not a date '30/09/2026': use YYYY-MM-DD"),
        (["demo", "--scale", "-1"], "not a scale '-1'"),
        (["demo", "--scale", "nan"], "not a scale 'nan'"),
    ],
)
def test_demo_arguments_are_checked_by_argparse(argv, message, tmp_path, capsys):
    code, _, err = run([*argv, "--db", f"sqlite:///{tmp_path / 'd.db'}"], capsys)
    assert code == 2 and message in err and list(tmp_path.iterdir()) == []


def test_rejects_into_a_file_is_refused(real_db, tmp_path, capsys):
    (tmp_path / "cases.csv").write_text("case_id,child_id,la_code,cohort,start_date\nc9,p9,Narnia,custody,2024-01-05\n")
    (tmp_path / "taken").write_text("x")
    code, _, err = run(
        [
            "import",
            str(tmp_path / "cases.csv"),
            "--db",
            real_db,
            "--accept-valid",
            "--rejects",
            str(tmp_path / "taken"),
        ],
        capsys,
    )
    assert code == 2 and "is a file" in err and (tmp_path / "taken").read_text() == "x"


@pytest.fixture(scope="module")
def garbled(tmp_path_factory) -> str:
    """A database written by something else: text in a date column and in a whole-number column."""
    import sqlalchemy as sa

    from resettlement import synth

    url = f"sqlite:///{tmp_path_factory.mktemp('garbled') / 'g.db'}"
    synth.build_demo(url, scale=0.05, seed=3, as_of=AS_OF)
    store.set_meta(store.get_engine(url), synthetic="0")
    with store.get_engine(url).begin() as conn:
        conn.execute(sa.text("UPDATE cases SET start_date = '=1+1' WHERE rowid = 1"))
        conn.execute(sa.text("UPDATE cases SET age_at_start = 'old' WHERE rowid = 2"))
    store.get_engine.cache_clear()
    return url


@pytest.mark.parametrize("argv", REPORTS[1:])
def test_a_value_that_cannot_be_read_is_a_readable_error(garbled, argv, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RESETTLEMENT_CACHE_DIR", "off")
    code, _, err = run([a.format(tmp=tmp_path) for a in argv] + ["--db", garbled], capsys)
    detail = "a value stored in cases cannot be read (ValueError: Invalid isoformat string: '=1+1')"
    assert code == 2 and err == f"error: {t('db.damaged', 'en', detail=detail)}\n"


def test_a_value_that_cannot_be_read_in_the_app_and_on_import(garbled, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RESETTLEMENT_CACHE_DIR", "off")
    monkeypatch.setenv("RESETTLEMENT_DB_URL", garbled)
    at = signed_in(new_app(60), garbled).run()
    assert not at.exception
    assert len(at.error) == 1 and at.error[0].value.startswith(t("db.damaged", "en", detail="@").split("@")[0])
    import sqlalchemy as sa

    with store.get_engine(garbled).connect() as conn:  # the case whose start date is garbled, imported again
        case_id, child_id = conn.execute(sa.text("SELECT case_id, child_id FROM cases WHERE rowid = 1")).one()
    (tmp_path / "cases.csv").write_text(
        f"case_id,child_id,la_code,cohort,start_date\n{case_id},{child_id},Cardiff,custody,2024-01-05\n"
    )
    code, out, _ = run(["import", str(tmp_path / "cases.csv"), "--db", garbled], capsys)
    assert code == 2 and "a value stored in cases cannot be read" in out


@pytest.mark.parametrize("arg", ["t\x00x", "sqlite:////tmp/a\udc80b.db"])
def test_arguments_that_are_not_text_are_refused(arg, capsys):
    code, _, err = run(["info", "--db", arg], capsys)
    assert code == 2 and "is not text: it holds a NUL character or bytes that are not UTF-8" in err


def test_demo_never_replaces_real_data(real_db, capsys):
    before = _version(real_db)
    code, _, err = run(["demo", "--db", real_db, "--scale", "0.05"], capsys)
    assert code == 2 and "holds real data" in err
    assert _version(real_db) == before
    assert store.read_meta(store.get_engine(real_db))["synthetic"] == "0"
    assert store.row_counts(store.get_engine(real_db))["cases"] == 1


def test_a_database_error_never_quotes_a_stored_value():
    """The error is shown to whoever opens the app: the driver's message keeps its sense, not the record's value."""
    import sqlite3

    decode = sqlite3.OperationalError("Could not decode to UTF-8 column 'child_id' with text 'P98af\ufffd58e27'")
    assert store.error_text(decode) == "OperationalError: Could not decode to UTF-8 column 'child_id' with text '…'"
    cast = sqlite3.DataError('invalid input syntax for type date: "31/02/2024"')
    assert store.error_text(cast) == 'DataError: invalid input syntax for type date: "…"'
    plain = sqlite3.DatabaseError("database disk image is malformed")
    assert store.error_text(plain) == "DatabaseError: database disk image is malformed"

"""Files holding case-level data are private, and temporary ones are never left behind, even by a killed process."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import polars as pl
import pytest

from resettlement import files, importer, settings, store
from tests.apptest import new_app

pytestmark = pytest.mark.usefixtures("own_snapshots")  # their databases' snapshots apart


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_temp_files_are_private_and_removed_with_their_journals(tmp_path):
    target = tmp_path / "x.db"
    tmp = files.temp_path(target, "building")
    assert tmp.name.startswith(f".x.db.building-{os.getpid()}-") and mode(tmp) == 0o600 and tmp.read_bytes() == b""
    Path(f"{tmp}-journal").write_text("j")
    files.remove(tmp)
    assert list(tmp_path.iterdir()) == []


def test_stale_temp_files_of_dead_processes_are_removed_live_ones_kept(tmp_path):
    target = tmp_path / "x.db"
    dead, live = dead_pid(), os.getpid()
    names = [
        f".x.db.importing-{dead}-ab12cd34",
        f".x.db.importing-{dead}-ab12cd34-journal",
        f".x.db.importing-{live}-00ff00ff",
        f".x.db.building-{dead}",
        ".y.db.importing-1-00",
        "x.db",
    ]
    for name in names:
        (tmp_path / name).write_text("")
    removed = files.remove_stale(target, "importing")
    assert [p.name for p in removed] == names[:2]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[2:])


def test_a_killed_import_leaves_a_private_file_that_the_next_import_removes(tmp_path):
    from tests.test_importer import _kill_while_writing

    target = tmp_path / "new" / "target.db"
    _kill_while_writing(f"sqlite:///{target}", tmp_path)
    left = [p for p in target.parent.iterdir()]
    assert left and all(p.name.startswith(".target.db.importing-") and mode(p) == 0o600 for p in left)
    cases = b"case_id,child_id,la_code,cohort,start_date\nc1,p1,Cardiff,custody,2024-01-05\n"
    report = importer.run_import([importer.Source("cases.csv", cases)], f"sqlite:///{target}")
    assert report.written
    assert [p.name for p in target.parent.iterdir()] == ["target.db"] and mode(target) == 0o600


def test_any_command_on_the_target_removes_what_a_killed_import_left(tmp_path, capsys):
    from resettlement.__main__ import main
    from tests.test_importer import _kill_while_writing

    target = tmp_path / "new" / "target.db"
    _kill_while_writing(f"sqlite:///{target}", tmp_path)
    assert list(target.parent.iterdir())
    assert main(["info", "--as-admin", "--db", f"sqlite:///{target}"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert list(target.parent.iterdir()) == []


def test_first_start_removes_a_stale_build_and_builds_privately(tmp_path, monkeypatch):
    db = tmp_path / "data" / "demo.db"
    db.parent.mkdir()
    stale = db.parent / f".demo.db.building-{dead_pid()}"
    stale.write_bytes(b"half a database")
    Path(f"{stale}-journal").write_bytes(b"j")
    monkeypatch.setattr(settings, "DEFAULT_DB_PATH", db)
    monkeypatch.setenv("RESETTLEMENT_DB_URL", f"sqlite:///{db}")
    monkeypatch.setenv("RESETTLEMENT_DEMO_SCALE", "0.05")
    monkeypatch.delenv("RESETTLEMENT_SCOPE", raising=False)
    at = new_app(120).run()
    assert not at.exception
    assert [p.name for p in db.parent.iterdir()] == ["demo.db"] and mode(db) == 0o600


def test_snapshots_are_owner_only(tmp_path, monkeypatch):
    monkeypatch.setenv("RESETTLEMENT_CACHE_DIR", str(tmp_path / "cache"))
    url = f"sqlite:///{tmp_path / 'x.db'}"
    (tmp_path / "x.db").write_bytes(b"")
    frames = {"cases": pl.DataFrame(schema=store.polars_schema(store.TABLES["cases"]))}
    folder = store.write_snapshot(url, "v1", frames)
    assert folder is not None and mode(folder) == 0o700 and mode(folder.parent) == 0o700
    assert {mode(p) for p in folder.iterdir()} == {0o600}


def test_rejects_files_are_owner_only_in_a_given_or_a_default_folder(tmp_path, capsys, monkeypatch):
    """Rejects files hold case-level rows: each is 0600, a folder made for them 0700 (issue 18)."""
    import json

    from resettlement.__main__ import main

    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR is read again
    bad = tmp_path / "cases.csv"
    bad.write_text(
        "case_id,child_id,la_code,cohort,start_date\nc1,p1,W06000015,custody,2024-01-05\n"
        "c2,p2,Nowhere,custody,2024-01-05\n"
    )
    given = tmp_path / "given" / "rejects"
    for extra in (["--rejects", str(given)], []):
        db = tmp_path / f"real{len(extra)}.db"
        assert (
            main(["import", "--as-admin", str(bad), "--db", f"sqlite:///{db}", "--accept-valid", "--json", *extra]) == 0
        )
        paths = [Path(p) for p in json.loads(capsys.readouterr().out)["rejects_files"]]
        assert [p.name for p in paths] == ["cases_rejects.csv"]
        assert mode(paths[0]) == 0o600 and mode(paths[0].parent) == 0o700
        assert mode(db) == 0o600  # the new database itself, built privately beside its path

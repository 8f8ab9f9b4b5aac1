"""CSV encodings: UTF-8 with or without a byte-order mark read as they are; Excel's cp1252 ("CSV (Comma delimited)" on
UK Windows) and UTF-16 ("Unicode Text") detected with charset-normalizer, read, and reported with a warning."""

from __future__ import annotations

import json

import pytest

from resettlement import importer, store
from resettlement.__main__ import main
from resettlement.i18n import t

pytestmark = pytest.mark.usefixtures("own_snapshots")  # their databases' snapshots apart

CASES = "case_id,child_id,la_code,cohort,start_date\nz1,y1,Ynys Môn,community,2024-01-01\n"
RRPS = "rrp_id,name,la_codes\nr1,Partneriaeth Môn – Gwynedd,Ynys Môn;Gwynedd\n"


def read(data: bytes) -> importer.ImportReport:
    return importer.run_import([importer.Source("cases.csv", data)], "sqlite:////nonexistent/x.db", dry_run=True)


@pytest.mark.parametrize(
    ("data", "warning"),
    [
        (CASES.encode("utf-8"), None),
        (CASES.encode("utf-8-sig"), None),
        (CASES.encode("cp1252"), "Windows-1252"),
        (CASES.replace(",", "\t").encode("utf-16"), "UTF-16"),
    ],
)
def test_each_encoding_is_read_and_a_non_utf8_one_named(data, warning):
    report = read(data)
    assert report.ok and report.totals["cases"]["valid"] == 1
    got = [(c, json.loads(p)) for c, p in report.problems.select("code", "params").rows()]
    assert got == ([] if warning is None else [("encoding_used", {"encoding": warning})])


def test_excel_uk_csv_bytes_are_decoded_as_cp1252():
    assert importer.as_utf8(b"name\nYnys M\xf4n \x96 Caerdydd\n") == ("name\nYnys Môn – Caerdydd\n".encode(), "cp1252")
    assert importer.as_utf8("name\nYnys Môn\n".encode("utf-8-sig")) == ("name\nYnys Môn\n".encode("utf-8-sig"), None)


def test_a_cp1252_import_stores_the_right_letters(tmp_path, capsys):
    (tmp_path / "rrps.csv").write_bytes(RRPS.encode("cp1252"))
    url = f"sqlite:///{tmp_path / 'real.db'}"
    assert main(["import", "--as-admin", str(tmp_path / "rrps.csv"), "--db", url, "--lang", "cy"]) == 0
    out = capsys.readouterr().out
    assert t("importer.reason.encoding_used", "cy", encoding="Windows-1252") in out
    rrps = store.read_table(store.get_engine(url), "rrps", store.Scope.all_wales())
    assert rrps.select("name", "la_codes").rows() == [("Partneriaeth Môn – Gwynedd", "W06000001;W06000002")]

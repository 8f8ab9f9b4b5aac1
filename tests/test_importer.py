"""The importer on messy real-world files: every rule, atomic and accept-valid writes, idempotent re-imports, the
import log, random malformed input (hypothesis), a killed import, and the Import data page.

Store-affecting tests run on SQLite and PostgreSQL through ``db_url``. Fixture files are in tests/data/import/.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resettlement import importer, standard, store
from resettlement.__main__ import main
from resettlement.geography import LOCAL_AUTHORITIES
from resettlement.i18n import catalog, t
from resettlement.scope import Scope
from resettlement.standard import CHECKS, ENUMS, TABLES

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "import"
TODAY = date(2026, 11, 23)
A = "cases_bom_semicolon.csv"


def src(*names: str) -> list[importer.Source]:
    return [importer.Source.from_path(DATA / n) for n in names]


def inline(name: str, text: str) -> importer.Source:
    return importer.Source(name, text.encode("utf-8"))


def run(sources, url, **kw) -> importer.ImportReport:
    return importer.run_import(sources, url, today=TODAY, **kw)


def found(report: importer.ImportReport) -> set[tuple]:
    """The problems as (file, row, column, value, code)."""
    return {(p["file"], p["row"], p["column"], p["value"], p["code"]) for p in report.problems.iter_rows(named=True)}


def params(report: importer.ImportReport, row: int, code: str) -> dict:
    p = report.problems.filter((pl.col("row") == row) & (pl.col("code") == code))["params"][0]
    return json.loads(p)


def state(url: str) -> tuple:
    """Everything an import may change: row counts, metadata, the number of log entries."""
    engine = store.get_engine(url)
    return store.row_counts(engine), store.read_meta(engine), store.read_import_log(engine).height


def read(url: str, table: str) -> pl.DataFrame:
    return store.read_table(store.get_engine(url), table, Scope.all_wales()).sort(list(TABLES[table].key))


@pytest.fixture
def url(db_url):
    """An empty target: no SQLite file yet, or a PostgreSQL database without our tables."""
    if db_url.startswith("postgresql"):
        store.METADATA.drop_all(store.get_engine(db_url))
    return db_url


@pytest.fixture
def seeded(url):
    """The target after importing the messy cases file (six valid cases)."""
    report = run(src(A), url)
    assert report.written and report.totals["cases"]["added"] == 6
    return url


# ---- reading messy files ----------------------------------------------------------------------------------------


A_PROBLEMS = {
    (A, None, "Unexpected column", None, "unknown_column"),
    (A, 8, "age_at_start", "19", "out_of_range"),
    (A, 8, "release_date", "2024-03-01", "release_after_start"),
}


def test_bom_semicolons_odd_headers_welsh_labels_and_la_variants(url):
    report = run(src(A), url)
    assert found(report) == A_PROBLEMS  # warnings only: every row loads
    assert report.written and report.ok
    assert report.totals["cases"] == {
        "rows_read": 6,
        "valid": 6,
        "rejected": 0,
        "warnings": 1,
        "added": 6,
        "updated": 0,
        "unchanged": 0,
    }  # the blank row 6 is skipped
    cases = read(url, "cases")
    got = {
        r["case_id"]: (r["la_code"], r["cohort"], r["start_date"], r["sex"], r["release_date"], r["establishment"])
        for r in cases.iter_rows(named=True)
    }
    assert got == {
        "c1": ("W06000016", "custody", date(2024, 1, 5), "male", date(2024, 3, 1), "parc"),  # Rhondda, Cynon, Taff
        "c2": ("W06000001", "community", date(2024, 2, 1), "female", None, None),  # Ynys Mon
        "c3": ("W06000014", "remand", date(2024, 3, 1), "male", date(2024, 3, 15), "hillside"),  # The Vale of ...
        "c4": ("W06000015", "custody", date(2024, 2, 12), None, None, None),  # Caerdydd; NULL release
        "c5": ("W06000001", "community", date(2024, 3, 5), "female", None, None),  # Ynys Môn, cymunedol, Benyw
        "c6": ("W06000015", "custody", date(2024, 4, 1), "male", date(2024, 3, 1), "parc"),  # lower-case GSS
    }
    assert cases.filter(pl.col("case_id") == "c6")["age_at_start"].to_list() == [19]  # out of range, as recorded


def test_dates_are_day_first_and_month_first_or_ambiguous_dates_are_rejected():
    report = run(src("cases_us_dates.csv"), "sqlite:////nonexistent/x.db", dry_run=True)
    f = "cases_us_dates.csv"
    assert found(report) == {
        (f, 2, "start_date", "03/25/2024", "month_first_date"),
        (f, 3, "start_date", "04/05/2024", "ambiguous_date"),  # the sheet holds month-first dates
        (f, 5, "start_date", "31/02/2024", "invalid_date"),
        (f, 6, "start_date", "05/05/24", "two_digit_year"),
        (f, 7, "start_date", "2024-13-01", "invalid_date"),
        (f, 8, "start_date", "yesterday", "not_a_date"),
        (f, 9, "start_date", "01/01/1900", "implausible_date"),
    }  # 13/05/2024 (row 4) is unambiguous, 07/07/2024 (row 10) reads the same either way
    assert params(report, 9, "implausible_date") == {"min": "2000-01-01", "max": "2027-11-24"}
    assert report.totals["cases"]["valid"] == 2 and report.totals["cases"]["rejected"] == 7


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-31", date(2024, 3, 31)),
        ("2024-03-31T00:00:00", date(2024, 3, 31)),
        ("2024/03/31", date(2024, 3, 31)),
        ("31/03/2024", date(2024, 3, 31)),
        ("31.03.2024", date(2024, 3, 31)),
        ("31-03-2024", date(2024, 3, 31)),
        ("5/1/2024", date(2024, 1, 5)),
        ("31 March 2024", date(2024, 3, 31)),
        ("1st Mar 2024", date(2024, 3, 1)),
        ("31 Mawrth 2024", date(2024, 3, 31)),
        ("05-Jan-2024", date(2024, 1, 5)),
    ],
)
def test_accepted_date_spellings(raw, expected):
    assert importer.parse_date(raw, TODAY)[:3] == (expected, None, None)


def test_day_first_flag_marks_only_values_that_could_be_month_first():
    assert importer.parse_date("04/05/2024", TODAY)[3] is True
    assert importer.parse_date("13/05/2024", TODAY)[3] is False
    assert importer.parse_date("07/07/2024", TODAY)[3] is False
    assert importer.parse_date("2024-04-05", TODAY)[3] is False
    assert importer.parse_date("12/31/2024", TODAY)[1] == "month_first_date"
    assert importer.parse_date("31 Smarch 2024", TODAY)[1] == "not_a_date"


def test_booleans_in_english_and_welsh():
    for token in (*importer.TRUE_TOKENS, "YES", "Ie", "Oes", " y "):
        assert importer.parse_bool(token.strip()) == (True, None, None), token
    for token in (*importer.FALSE_TOKENS, "NO", "Na", "Nac Oes", "Naddo"):
        assert importer.parse_bool(token) == (False, None, None), token
    assert importer.parse_bool("don't know") == (None, None, None)
    assert importer.parse_bool("maybe") == (None, "not_yes_no", None)


@pytest.mark.parametrize("enum", [e for e in ENUMS if e != "la_code"])
def test_every_enum_code_and_english_or_welsh_label_is_accepted(enum):
    for code in ENUMS[enum]:
        spellings = [
            code,
            code.upper(),
            code.replace("_", " "),
            t(f"enum.{enum}.{code}", "en"),
            t(f"enum.{enum}.{code}", "cy").upper(),
            importer.fold(t(f"enum.{enum}.{code}", "cy")),
        ]
        for s in spellings:
            assert importer.parse_enum(s, enum) == (code, None, None), (enum, s)
    value, code, p = importer.parse_enum("no such thing", enum)
    assert (value, code, p) == (None, "unknown_value", {"allowed": ", ".join(ENUMS[enum])})


def test_no_spelling_means_two_codes_of_one_enumeration():
    """An alias must not shadow another code's label (setdefault would hide the clash: check it explicitly)."""
    for enum, aliases in importer.ENUM_ALIASES.items():
        labels = {importer.fold(t(f"enum.{enum}.{c}", lang)): c for c in ENUMS[enum] for lang in ("en", "cy")}
        for alias, code in aliases.items():
            assert labels.get(importer.fold(alias), code) == code, (enum, alias)


def test_local_authorities_by_code_name_welsh_name_and_variants():
    for la in LOCAL_AUTHORITIES:
        for s in (la.code, la.code.lower(), la.name_en, la.name_cy, la.name_cy.upper(), importer.fold(la.name_cy)):
            assert importer.parse_enum(s, "la_code") == (la.code, None, None), s
    for s, code in [
        ("Rhondda, Cynon, Taff", "W06000016"),
        ("Anglesey", "W06000001"),
        ("Ynys Mon", "W06000001"),
        ("The Vale of Glamorgan", "W06000014"),
        ("Vale of Glamorgan", "W06000014"),
        ("Merthyr", "W06000024"),
    ]:
        assert importer.parse_enum(s, "la_code") == (code, None, None), s
    assert importer.parse_enum("Narnia", "la_code") == (None, "unknown_la", None)
    assert importer.parse_la_list("Cardiff; The Vale of Glamorgan; Cardiff") == ("W06000015;W06000014", None, None)


def test_numbers_types_ranges_and_cross_field_checks(url):
    report = run(src(A, "outcomes.csv"), url, dry_run=True)
    o = "outcomes.csv"
    assert found(report) - A_PROBLEMS == {
        (o, 2, "ete_hours_attended", "15", "hours_attended_within_offered"),
        (o, 3, "ete_hours_offered", "ten", "not_a_number"),
        (o, 4, "ete_hours_offered", "-3", "out_of_range"),
        (o, 4, "ete_hours_attended", "0", "hours_attended_within_offered"),
        (o, 4, "reoffences", "1.5", "not_whole_number"),
        (o, 5, "case_id", None, "required_missing"),
        (o, 6, "accommodation_suitable_end", "maybe", "not_yes_no"),
    }
    assert params(report, 2, "hours_attended_within_offered") == {"other": "12.5"}
    assert params(report, 4, "out_of_range") == {"min": "0", "max": "60"}
    # warnings load the row; errors reject it
    assert report.totals["outcomes"] == {
        "rows_read": 5,
        "valid": 1,
        "rejected": 4,
        "warnings": 1,
        "added": 1,
        "updated": 0,
        "unchanged": 0,
    }


def test_strict_mode_rejects_validity_warnings():
    report = run(src(A), "sqlite:////nonexistent/x.db", dry_run=True, strict=True)
    assert report.totals["cases"]["rejected"] == 1 and report.n_errors == 2 and report.n_warnings == 1


def test_duplicate_keys_within_and_across_files_and_orphan_references(url):
    report = run(src(A, "needs.csv", "needs_more.csv"), url, dry_run=True)
    n, m = "needs.csv", "needs_more.csv"
    assert found(report) - A_PROBLEMS == {
        (n, 2, "case_id,pathway", "c1 / Llety", "duplicate_key"),  # Llety = accommodation
        (n, 4, "case_id,pathway", "c1 / accommodation", "duplicate_key"),
        (n, 5, "case_id,pathway", "c2 / health", "duplicate_key"),
        (m, 2, "case_id,pathway", "c2 / Iechyd", "duplicate_key"),  # across files
        (n, 6, "case_id", "c9", "unknown_reference"),
        (n, 7, "offered_date", "2024-03-01", "offer_after_identified"),
        (n, 8, "service_offered", "maybe", "not_yes_no"),
    }
    assert params(report, 2, "duplicate_key") == {"file": n, "row": 4}
    dup = report.problems.filter((pl.col("file") == m) & (pl.col("code") == "duplicate_key"))
    assert json.loads(dup["params"][0]) == {"file": n, "row": 5}
    assert params(report, 6, "unknown_reference") == {"table": "cases"}


def test_reference_to_a_rejected_row_is_named_as_such():
    needs = inline("needs.csv", "case_id,pathway,need\nu1,health,yes\nu3,health,no\n")
    report = run([*src("cases_us_dates.csv"), needs], "sqlite:////nonexistent/x.db", dry_run=True)
    assert {p for p in found(report) if p[0] == "needs.csv"} == {
        ("needs.csv", 2, "case_id", "u1", "reference_rejected")
    }


def test_references_to_the_database_count(seeded):
    """Needs for cases already in the database are accepted; meetings must point at known RRPs."""
    report = run(
        [
            inline("needs.csv", "case_id,pathway,need\nc4,ete,yes\n"),
            inline("rrp_meetings.csv", "meeting_id,rrp_id,meeting_date\nm1,r9,2024-01-01\n"),
        ],
        seeded,
        dry_run=True,
    )
    assert found(report) == {("rrp_meetings.csv", 2, "rrp_id", "r9", "unknown_reference")}


def test_files_that_cannot_be_placed_or_read():
    report = run(
        [
            *src("mystery.csv", "cases_latin1.csv", "cases_no_la.csv"),
            importer.Source("x.pdf", b"%PDF"),
            importer.Source("broken.xlsx", b"PK\x03\x04 not really"),
            importer.Source("empty.csv", b""),
            importer.Source("junk.csv", bytes(range(256)) * 2),
        ],
        "sqlite:////nonexistent/x.db",
        dry_run=True,
    )
    assert {p[:5] for p in found(report) if p[4] != "unreadable_file"} == {
        ("mystery.csv", None, None, None, "unknown_table"),
        ("cases_latin1.csv", None, None, None, "encoding_used"),  # read as cp1252, with a warning (issue 19)
        ("junk.csv", None, None, None, "not_utf8"),  # no encoding fits
        ("cases_no_la.csv", None, "la_code", None, "missing_column"),
        ("x.pdf", None, None, None, "unsupported_file"),
        ("empty.csv", None, None, None, "no_header"),
    }
    assert ("broken.xlsx", None, None, None, "unreadable_file") in found(report)
    assert report.totals["cases"]["rejected"] == 1 and report.totals["?"]["rejected"] == 1


def test_a_sheet_without_its_key_column_is_rejected_whole(url):
    """Found by the property test: a cases file with dates but no case_id must be reported, not crash."""
    report = run([inline("cases.csv", "start_date,la_code\n2024-01-01,Cardiff\n"), *src("needs_more.csv")], url)
    assert {p[2:] for p in found(report) if p[0] == "cases.csv"} == {
        ("case_id", None, "missing_column"),
        ("child_id", None, "missing_column"),
        ("cohort", None, "missing_column"),
    }
    assert not report.written and report.totals["cases"]["rejected"] == 1


def test_ragged_rows_and_control_characters():
    report = run(src("cases_ragged.tsv"), "sqlite:////nonexistent/x.db", dry_run=True)
    f = "cases_ragged.tsv"
    assert found(report) == {
        (f, 2, None, None, "too_many_values"),  # a tab-separated file, one value beyond the header
        (f, 4, "la_code", "Bri\x07dgend", "bad_characters"),
        (f, 5, "cohort", None, "required_missing"),  # a short row: missing cells are empty
        (f, 5, "start_date", None, "required_missing"),
    }  # row 3 has empty extra cells: harmless
    assert report.totals["cases"]["valid"] == 1


@pytest.mark.parametrize(
    "name", [A, "needs.csv", "needs_more.csv", "cases_us_dates.csv", "outcomes.csv", "blank lines"]
)
def test_fast_and_forgiving_csv_readers_agree(name):
    """Polars reads well-formed files; the csv module reads the rest. Both give the same cells and row numbers."""
    data = (DATA / name).read_bytes() if name != "blank lines" else b"case_id,need\n\nc1,yes\n\n\nc2,no\n"
    sep = importer.read._csv_separator(data)
    fast = importer.read._polars_block(data, sep)
    slow = importer.read._records_block(importer.read._csv_records(data, sep))
    assert fast is not None and fast.header == slow.header
    fields = [f"f{i}" for i in range(len(fast.header))]

    def cells(df: pl.DataFrame) -> list[tuple]:
        blank = pl.all_horizontal(pl.col(f).fill_null("").str.strip_chars() == "" for f in fields)
        return df.filter(~blank).with_columns(pl.col(f).fill_null("") for f in fields).rows()

    assert cells(fast.body(fields)) == cells(slow.body(fields))
    if name == "blank lines":  # spreadsheet row numbers count the blank rows
        assert [r[-2] for r in cells(fast.body(fields))] == [3, 6]


def test_table_from_file_name_or_header():
    assert importer.table_from_name("needs_2024-03") == "needs"
    assert importer.table_from_name("RRP meetings 2024") == "rrp_meetings"
    assert importer.table_from_name("RrpAttendance") == "rrp_attendance"
    assert importer.table_from_name("Attendance") == "rrp_attendance"
    assert importer.table_from_name("needs_rejects") == "needs"
    assert importer.table_from_name("achosion") == "cases"
    assert importer.table_from_name("cases and needs") is None
    report = run(
        [inline("export1.csv", "Case ID,Pathway,NEED\nc1,ete,yes\n"), inline("export2.csv", "case_id\nc1\n")],
        "sqlite:////nonexistent/x.db",
        dry_run=True,
    )
    assert report.files[0]["tables"] == ["needs"]
    assert found(report) == {
        ("export2.csv", None, None, None, "ambiguous_table"),
        ("export1.csv", 2, "case_id", "c1", "unknown_reference"),
    }
    assert json.loads(report.problems.filter(pl.col("code") == "ambiguous_table")["params"][0]) == {
        "tables": "cases, outcomes"
    }


def _workbook() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "README"
    wb.active.append(["notes are skipped"])
    rrps = wb.create_sheet("RRPs")
    rrps.append(["RRP ID", "Name", "name_cy", "LA codes", "Established date"])
    rrps.append(
        ["r1", "Cardiff and Vale RRP", "RRP Caerdydd a'r Fro", "Cardiff; The Vale of Glamorgan", datetime(2017, 4, 1)]
    )
    rrps.append(["r2", "North Wales RRP", None, "Ynys Mon|Gwynedd|Narnia", date(2018, 1, 1)])
    meetings = wb.create_sheet("RRP meetings")
    meetings.append(["meeting_id", "rrp_id", "meeting_date", "cases_reviewed", "actions_agreed", "actions_completed"])
    meetings.append(["m1", "r1", datetime(2024, 1, 10), 5, 4, 3])
    meetings.append(["m2", "r2", datetime(2024, 1, 11), 2, 1, 0])
    meetings.append(["m3", "r9", "15/01/2024", 1, 1, 1])
    meetings.append([])
    meetings.append(["m4", "r1", 45300, 1, 4, 5.0])
    attendance = wb.create_sheet("Attendance")
    attendance.append(["Meeting ID", "Agency type", "Invited", "Attended"])
    attendance.append(["m1", "Heddlu", True, False])
    attendance.append(["m1", "Police", "yes", "no"])
    attendance.append(["m2", "housing", 1, 0])
    attendance.append(["m1", "Tai", True, None])
    wb.create_sheet("Sheet1").append(["foo"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_with_a_sheet_per_table(url):
    report = run([importer.Source("book.xlsx", _workbook())], url, dry_run=True)
    b = "book.xlsx › "
    assert found(report) == {
        (b + "RRPs", 3, "la_codes", "Ynys Mon|Gwynedd|Narnia", "unknown_la"),
        (b + "RRP meetings", 3, "rrp_id", "r2", "reference_rejected"),
        (b + "RRP meetings", 4, "rrp_id", "r9", "unknown_reference"),
        (b + "RRP meetings", 6, "meeting_date", "45300", "not_a_date"),  # row 5 is blank; an Excel serial as text
        (b + "RRP meetings", 6, "actions_completed", "5", "actions_completed_within_agreed"),
        (b + "Attendance", 2, "meeting_id,agency_type", "m1 / Heddlu", "duplicate_key"),
        (b + "Attendance", 3, "meeting_id,agency_type", "m1 / Police", "duplicate_key"),
        (b + "Attendance", 4, "meeting_id", "m2", "reference_rejected"),
        (b + "Sheet1", None, None, None, "unknown_table"),
    }
    assert report.files[0]["tables"] == ["rrp_attendance", "rrp_meetings", "rrps"]
    written = run([importer.Source("book.xlsx", _workbook())], url, accept_valid=True)
    assert written.written
    rrps = read(url, "rrps")
    assert rrps.select("rrp_id", "la_codes", "established_date").rows() == [
        ("r1", "W06000015;W06000014", date(2017, 4, 1))
    ]
    assert read(url, "rrp_meetings")["meeting_id"].to_list() == ["m1"]
    assert read(url, "rrp_attendance").select("agency_type", "invited", "attended").rows() == [("housing", True, None)]


# ---- writing: atomic, accept-valid, idempotent, logged ---------------------------------------------------------


def test_atomic_by_default_nothing_is_written_when_a_row_is_rejected(seeded):
    before = state(seeded)
    report = run(src(A, "needs.csv"), seeded)
    assert report.outcome == "not_written" and not report.written
    assert report.rows_rejected == 4  # rows 2 and 4 (one key twice), 6 (orphan), 8 (not yes/no)
    assert state(seeded) == before


def test_accept_valid_writes_valid_rows_and_the_rejects_file_can_be_corrected_and_reimported(seeded, tmp_path):
    report = run(src("needs.csv", "needs_more.csv"), seeded, accept_valid=True, rejects_dir=tmp_path)
    assert report.outcome == "written_with_rejects"
    assert report.totals["needs"]["added"] == 3 and report.totals["needs"]["rejected"] == 6
    needs = read(seeded, "needs")
    assert needs.select("case_id", "pathway", "need", "identified_date", "service_offered", "gap_reason").rows() == [
        ("c1", "ete", "yes", date(2024, 1, 10), False, "waiting_list"),  # "Education, training and employment"
        ("c3", "substance_misuse", "yes", date(2024, 3, 2), True, None),  # loaded with a warning
        ("c5", "finance", "unknown", None, None, None),
    ]
    rejects_path = tmp_path / "needs_rejects.csv"
    assert report.rejects_paths == [str(rejects_path)]
    rejects = pl.read_csv(rejects_path, infer_schema=False)
    assert rejects.columns == [*TABLES["needs"].columns, "problems", "source_file", "source_row"]
    assert rejects.height == 6 and rejects["problems"].null_count() == 0
    assert rejects.filter(pl.col("case_id") == "c9")["problems"][0].startswith("case_id: No such record in cases")
    # correct the file: drop one of each duplicate pair, fix the orphan and the bad yes/no, import it again
    fixed = rejects.filter(~((pl.col("pathway") == "accommodation") | (pl.col("pathway") == "Iechyd"))).with_columns(
        pl.col("case_id").replace({"c9": "c6"}), pl.col("service_offered").replace({"maybe": "no"})
    )
    fixed.write_csv(tmp_path / "needs_rejects.csv")
    again = run([importer.Source.from_path(rejects_path)], seeded)
    assert again.ok and again.written, again.text()
    assert found(again) == set()  # the problems / source columns are ignored without a warning
    assert again.totals["needs"]["added"] == 4
    assert read(seeded, "needs").height == 7


def test_reimport_is_idempotent_and_a_corrected_row_updates(seeded):
    counts, _, logs = state(seeded)
    again = run(src(A), seeded)
    assert again.totals["cases"] == {
        "rows_read": 6,
        "valid": 6,
        "rejected": 0,
        "warnings": 1,
        "added": 0,
        "updated": 0,
        "unchanged": 6,
    }
    assert state(seeded)[0] == counts
    changed = (
        (DATA / A)
        .read_text(encoding="utf-8-sig")
        .replace("c2;p2;Ynys Mon;community;2024-02-01;female;14", "c2;p2;Ynys Mon;community;2024-02-01;female;15")
    )
    report = run([inline(A, changed)], seeded)
    assert (report.totals["cases"]["updated"], report.totals["cases"]["unchanged"]) == (1, 5)
    assert state(seeded)[0] == counts and state(seeded)[2] == logs + 2
    assert read(seeded, "cases").filter(pl.col("case_id") == "c2")["age_at_start"].to_list() == [15]


def test_columns_a_file_does_not_carry_keep_their_stored_values(seeded):
    run([inline("needs.csv", "case_id,pathway,need,identified_date,agency\nc1,ete,yes,2024-01-10,education\n")], seeded)
    same = run([inline("needs.csv", "case_id,pathway,need\nc1,ete,yes\n")], seeded)
    assert same.totals["needs"]["unchanged"] == 1
    changed = run([inline("needs.csv", "case_id,pathway,need\nc1,ete,no\n")], seeded)
    assert changed.totals["needs"]["updated"] == 1
    assert read(seeded, "needs").select("need", "identified_date", "agency").rows() == [
        ("no", date(2024, 1, 10), "education")
    ]


def test_import_log_records_files_hashes_and_counts(seeded):
    engine = store.get_engine(seeded)
    first_version = store.read_meta(engine)["data_version"]
    run(src("needs_more.csv"), seeded, dry_run=True)  # a dry run is not logged
    run(src("needs.csv"), seeded)  # rejected: nothing written, nothing logged
    report = run(src("needs_more.csv"), seeded, note="March extract")
    log = store.read_import_log(engine)
    assert log.height == 2
    latest = log.row(0, named=True)
    files = json.loads(latest["files"])
    digest = hashlib.sha256((DATA / "needs_more.csv").read_bytes()).hexdigest()
    assert files == [{"name": "needs_more.csv", "sha256": digest, "bytes": 53, "tables": ["needs"]}]
    assert (latest["rows_read"], latest["rows_added"], latest["rows_updated"], latest["rows_rejected"]) == (2, 2, 0, 0)
    assert (latest["mode"], latest["note"]) == ("atomic", "March extract")
    meta = store.read_meta(engine)
    assert latest["data_version"] == meta["data_version"] == report.data_version != first_version
    assert latest["id"] == report.log_id
    assert importer.log_frame(log)["files"].to_list() == ["needs_more.csv", A]


def test_a_new_database_is_created_with_metadata(url):
    report = run(src(A), url)
    assert report.created and report.written
    meta = store.read_meta(store.get_engine(url))
    assert meta["synthetic"] == "0" and meta["as_of"] == "2024-04-01"  # the latest date seen
    assert meta["data_version"].startswith("import-") and meta["standard_version"] == standard.VERSION == "1.2"


def test_dry_run_and_rejected_imports_do_not_create_a_database(tmp_path):
    target = tmp_path / "new.db"
    run(src(A), f"sqlite:///{target}", dry_run=True)
    run(src("cases_us_dates.csv"), f"sqlite:///{target}")
    assert list(tmp_path.iterdir()) == []


def test_synthetic_database_is_never_written_to(seeded):
    store.set_meta(store.get_engine(seeded), synthetic="1")
    before = state(seeded)
    report = run(src("needs_more.csv"), seeded)
    assert not report.written and "synthetic_database" in report.problems["code"].to_list()
    assert run(src("needs_more.csv"), seeded, dry_run=True).synthetic_target
    assert state(seeded) == before


def test_the_demo_database_round_trips_through_csv(url, tmp_path):
    from resettlement import synth

    demo = f"sqlite:///{tmp_path / 'demo.db'}"
    synth.build_demo(demo, scale=0.2, seed=3, as_of=date(2026, 9, 30))
    frames = store.read_all(store.get_engine(demo), Scope.all_wales())
    for name, df in frames.items():
        df.write_csv(tmp_path / f"{name}.csv")
    report = run(importer.sources_from_paths([tmp_path]), url)
    assert report.written and report.n_errors == 0, report.text()
    for name in TABLES:  # the generator's deliberate validity errors load as warnings, values intact
        assert read(url, name).equals(frames[name].sort(list(TABLES[name].key))), name


def test_a_failure_inside_the_transaction_leaves_the_database_unchanged(seeded, monkeypatch):
    before = state(seeded)
    real = store.upsert
    calls = []

    def failing(conn, name, df, progress=None):
        calls.append(name)
        if len(calls) == 2:
            raise sa.exc.OperationalError("INSERT", {}, Exception("disk I/O error"))
        return real(conn, name, df, progress)

    monkeypatch.setattr(store, "upsert", failing)
    changed = (DATA / A).read_text(encoding="utf-8-sig").replace(";14;", ";15;")
    report = run([inline(A, changed), *src("needs_more.csv")], seeded)
    assert calls == ["cases", "needs"]  # the case update ran, then the needs write failed
    assert not report.written and "database_error" in report.problems["code"].to_list()
    assert state(seeded) == before
    assert read(seeded, "cases").filter(pl.col("case_id") == "c2")["age_at_start"].to_list() == [14]


def _large_files(folder: Path, n_cases: int) -> list[Path]:
    pathways = TABLES["needs"].field("pathway").allowed
    cases = pl.DataFrame(
        {
            "case_id": [f"k{i}" for i in range(n_cases)],
            "child_id": [f"p{i}" for i in range(n_cases)],
            "la_code": ["Cardiff"] * n_cases,
            "cohort": ["community"] * n_cases,
            "start_date": ["01/02/2024"] * n_cases,
        }
    )
    needs = pl.DataFrame(
        {
            "case_id": [f"k{i}" for i in range(n_cases) for _ in pathways],
            "pathway": [p for _ in range(n_cases) for p in pathways],
            "need": ["ie"] * (n_cases * len(pathways)),
        }
    )
    cases.write_csv(folder / "cases.csv")
    needs.write_csv(folder / "needs.csv")
    return [folder / "cases.csv", folder / "needs.csv"]


def _kill_while_writing(url: str, folder: Path) -> list[str]:
    """Run the CLI on large files and SIGKILL it once the cases are upserted and the needs are being written."""
    files = _large_files(folder, 8_000)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "resettlement", "import", "--as-admin", *map(str, files), "--db", url],
        cwd=folder,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    seen = []
    try:
        for line in proc.stderr:
            seen.append(line.strip())
            if line.split()[:2] == ["write", "needs"]:
                proc.send_signal(signal.SIGKILL)
                break
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, seen
    assert any(s.startswith("write cases 8,000/8,000") for s in seen), seen
    store.get_engine.cache_clear()
    return seen


def test_killing_an_import_midway_leaves_the_database_unchanged(seeded, tmp_path):
    before = state(seeded)
    _kill_while_writing(seeded, tmp_path)
    assert state(seeded) == before


def test_killing_an_import_into_a_new_database_creates_nothing(tmp_path):
    target = tmp_path / "new" / "target.db"
    _kill_while_writing(f"sqlite:///{target}", tmp_path)
    assert not target.exists()


def test_store_upsert_by_key_keeps_absent_columns_and_streams_full_reads(url):
    """store.upsert inserts or updates by key with only the given columns; a streamed full read in the same
    transaction leaves the connection usable for further writes (PostgreSQL server-side cursors)."""
    engine = store.write_engine(url)
    with engine.begin() as conn:
        store.create_schema_in(conn)
        store.upsert(
            conn,
            "rrps",
            pl.DataFrame({"rrp_id": ["r1", "r2"], "name": ["One", "Two"], "la_codes": ["W06000015", "W06000011"]}),
        )
        assert store.read_rows(conn, "rrps", ["rrp_id", "name"]).sort("rrp_id").rows() == [("r1", "One"), ("r2", "Two")]
        store.upsert(conn, "rrps", pl.DataFrame({"rrp_id": ["r2", "r3"], "name": ["Two (renamed)", "Three"]}))
        keys = pl.DataFrame({"rrp_id": ["r2", "r9"]})
        assert store.read_rows(conn, "rrps", ["rrp_id", "name", "la_codes"], keys).rows() == [
            ("r2", "Two (renamed)", "W06000011")
        ]
    with store.get_engine(url).connect() as conn:
        rows = store.read_rows(conn, "rrps", ["rrp_id", "la_codes"]).sort("rrp_id").rows()
    assert rows == [("r1", "W06000015"), ("r2", "W06000011"), ("r3", None)]


# ---- random malformed input -------------------------------------------------------------------------------------

_FIELDS = sorted({c for tb in TABLES.values() for c in tb.columns})
_CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "c1",
            "c2",
            "c7",
            "zz",
            "Cardiff",
            "Rhondda, Cynon, Taff",
            "W06000015",
            "w06000099",
            "2024-01-05",
            "05/01/2024",
            "03/25/2024",
            "31/02/2024",
            "1 March 2024",
            "yes",
            "na",
            "oes",
            "maybe",
            "12",
            "-1",
            "1e999",
            "NaN",
            "NULL",
            "accommodation",
            "Llety",
            "custody",
            "Dalfa",
            "\x00",
            "\x07",
            '"',
            "'",
            ";",
            ",",
            "\n",
            "💥",
            "ŵ",
            "9" * 30,
            "x" * 80,
        ]
    ),
    st.text(max_size=10),
)
_HEADERS = st.lists(
    st.one_of(st.sampled_from([*_FIELDS, "Case ID", "LA", "junk", "", "problems"]), st.text(max_size=6)),
    min_size=1,
    max_size=8,
)


@st.composite
def _malformed(draw) -> importer.Source:
    name = draw(
        st.sampled_from(
            [
                "cases.csv",
                "needs.csv",
                "outcomes.csv",
                "rrps.csv",
                "rrp_meetings.csv",
                "rrp_attendance.csv",
                "rrp_reviews.csv",
                "export.csv",
                "x.xlsx",
                "y.txt",
            ]
        )
    )
    if draw(st.integers(0, 9)) == 0:
        return importer.Source(name, draw(st.binary(max_size=200)))
    header = draw(_HEADERS)
    rows = draw(st.lists(st.lists(_CELLS, max_size=len(header) + 2), max_size=8))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    if draw(st.booleans()):
        buf = io.StringIO()
        csv.writer(buf, delimiter=sep).writerows([header, *rows])
        text = buf.getvalue()
    else:
        text = "\n".join(sep.join(r) for r in [header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]))
    return importer.Source(name, text.encode(encoding, errors="replace"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(_malformed(), min_size=1, max_size=3), accept_valid=st.booleans())
def test_random_malformed_input_never_raises_and_never_partially_writes(tmp_path_factory, files, accept_valid):
    url = f"sqlite:///{tmp_path_factory.mktemp('prop') / 'p.db'}"
    run(src(A), url)
    counts, meta, logs = state(url)
    report = run(files, url, accept_valid=accept_valid)
    new_counts, new_meta, new_logs = state(url)
    report.text()
    report.problems_frame("cy")
    valid = sum(x["valid"] for x in report.totals.values())
    if not report.written:
        # nothing valid to write: logged as such, no new version (issue 19); refused: nothing at all
        assert (new_counts, new_meta, new_logs) == (counts, meta, logs + report.nothing_written)
        # refused (rows rejected, atomic), unusable database, or nothing valid to write
        assert (
            not (report.ok or accept_valid)
            or "database_error" in report.problems["code"].to_list()
            or (report.nothing_written and valid == 0)
        )
    else:
        assert valid > 0 and not report.nothing_written
        assert new_logs == logs + 1 and new_meta["data_version"] != meta["data_version"]
        for name in TABLES:  # exactly the rows reported as added, no more, no fewer
            assert new_counts[name] - counts[name] == report.totals.get(name, {}).get("added", 0), name


# ---- command line, report texts ---------------------------------------------------------------------------------


def test_cli_exit_codes_and_json(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["import", "--as-admin", str(DATA / A), "--db", db, "--dry-run"]) == 0
    assert main(["import", "--as-admin", str(DATA / "cases_us_dates.csv"), "--db", db]) == 1
    assert not (tmp_path / "cli.db").exists()
    capsys.readouterr()
    assert main(["import", "--as-admin", str(DATA / A), "--db", db, "--json", "--note", "first"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["outcome"] == "written" and out["totals"]["cases"]["added"] == 6 and len(out["problems"]) == 3
    assert (
        main(
            [
                "import",
                "--as-admin",
                str(DATA / "needs.csv"),
                "--db",
                db,
                "--accept-valid",
                "--rejects",
                str(tmp_path / "rej"),
                "--lang",
                "cy",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert t("importer.outcome.written_with_rejects", "cy", rejected=4) in text
    assert (tmp_path / "rej" / "needs_rejects.csv").exists()
    store.set_meta(store.get_engine(db), synthetic="1")
    assert main(["import", "--as-admin", str(DATA / "needs_more.csv"), "--db", db]) == 2


def test_every_reason_has_text_in_both_languages():
    for lang in ("en", "cy"):
        for code in importer.REASONS:
            prefix = "importer.check." if code in {c.code for c in CHECKS} else "importer.reason."
            assert prefix + code in catalog(lang), (lang, code)
    assert set(importer.REASONS) >= {c.code for c in CHECKS}


def test_report_in_welsh_and_without_values():
    report = run(src(A, "needs.csv"), "sqlite:////nonexistent/x.db", dry_run=True)
    cy = report.problems_frame("cy")
    assert t("importer.reason.not_yes_no", "cy") in cy["reason"].to_list()
    counts = report.problem_counts("en")
    assert "value" not in counts.columns and counts["problems"].sum() == report.problems.height
    assert "maybe" not in counts.write_csv() and "c9" not in counts.write_csv()


# ---- the Import data page ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_page_checks_an_upload_and_hides_values_without_case_level_access(app, lang):
    from tests.apptest import open_page

    at = open_page(app, "import", lang)
    assert not at.exception
    at.file_uploader(key="import_files").set_value(("needs.csv", (DATA / "needs.csv").read_bytes(), "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = "\n".join(df.value.to_csv() for df in at.dataframe)
    assert "maybe" not in shown and "c9" not in shown  # case-level values hidden
    assert t("importer.page.values_hidden", lang) in [c.value for c in at.caption]
    assert at.button(key="import_go").disabled
    assert t("importer.page.not_allowed", lang) in [i.value for i in at.info]


def test_page_imports_for_an_administrator(tmp_path, monkeypatch):
    from tests.apptest import new_app, open_page, signed_in

    db = f"sqlite:///{tmp_path / 'real.db'}"
    run(src(A), db)
    monkeypatch.setenv("RESETTLEMENT_DB_URL", db)
    at = open_page(signed_in(new_app(), db, "admin@wales", "admin"), "import", "cy")
    at.file_uploader(key="import_files").set_value(
        [("needs_more.csv", (DATA / "needs_more.csv").read_bytes(), "text/csv")]
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.button(key="import_go").disabled
    at.button(key="import_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert store.row_counts(store.get_engine(db))["needs"] == 2
    assert t("importer.outcome.written", "cy") in [s.value for s in at.success]
    assert store.read_import_log(store.get_engine(db)).height == 2
    entry = store.read_audit(store.get_engine(db), event="import").row(0, named=True)
    assert entry["user_name"] == "admin@wales" and json.loads(entry["detail"])["outcome"] == "written"

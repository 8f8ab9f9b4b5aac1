"""The Import check is no oracle on records outside the viewer's scope (issue 18).

A Cardiff viewer uploading a guessed record of another authority, exactly as it is stored or changed, learns what they
would learn from a record that does not exist: the same outcome, totals and problems (a scope refusal), and no stored
value in any message. Records in their own scope are still compared (unchanged / updated).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from resettlement import importer, store
from resettlement.scope import Scope

pytestmark = pytest.mark.usefixtures("own_snapshots")  # their databases' snapshots apart

DATA = Path(__file__).parent / "data" / "import"
TODAY = date(2026, 11, 23)
CARDIFF = Scope(frozenset({"W06000015"}), case_level=True)
CASE_HEADER = "case_id,child_id,la_code,cohort,start_date,sex,age_at_start\n"
# c1 is stored as a Rhondda Cynon Taf case (W06000016) starting 2024-01-05; c4 as a Cardiff one (tests/data/import)
STORED_C1 = "c1,p1,W06000016,custody,2024-01-05,male,15\n"


@pytest.fixture
def seeded(db_url):
    if db_url.startswith("postgresql"):
        store.METADATA.drop_all(store.get_engine(db_url))
    report = importer.run_import([importer.Source.from_path(DATA / "cases_bom_semicolon.csv")], db_url, today=TODAY)
    assert report.written and report.totals["cases"]["added"] == 6
    return db_url


def check(url: str, name: str, text: str, scope: Scope = CARDIFF) -> importer.ImportReport:
    return importer.run_import([importer.Source(name, text.encode())], url, dry_run=True, today=TODAY, scope=scope)


def seen(report: importer.ImportReport, key: str) -> tuple:
    """Everything the page or a download shows of a check, with the uploaded key replaced by ``KEY``."""
    problems = report.problems_frame("en").to_dicts()
    return (
        report.outcome,
        json.dumps(report.totals, sort_keys=True),
        json.dumps(problems, sort_keys=True, default=str).replace(key, "KEY"),
        json.dumps(report.problem_counts("en").to_dicts(), sort_keys=True),
    )


@pytest.mark.parametrize(
    "row",
    [
        STORED_C1,  # exactly as stored: an unscoped check said "unchanged"
        "c1,p1,W06000016,custody,2024-01-05,female,15\n",  # one field changed: it said "updated"
        "c1,p1,W06000015,custody,2024-01-05,male,15\n",  # claimed for Cardiff
    ],
)
def test_a_guessed_case_of_another_authority_reads_as_a_new_one(seeded, row):
    guessed = check(seeded, "cases.csv", CASE_HEADER + row)
    new = check(seeded, "cases.csv", CASE_HEADER + row.replace("c1,", "zz-new,", 1))
    assert seen(guessed, "c1") == seen(new, "zz-new")
    assert guessed.totals["cases"]["unchanged"] == guessed.totals["cases"]["updated"] == 0


def test_another_authoritys_case_is_refused_by_scope(seeded):
    report = check(seeded, "cases.csv", CASE_HEADER + STORED_C1)
    assert report.problems.select("row", "column", "code").rows() == [(2, "la_code", "outside_scope")]
    assert report.totals["cases"]["rejected"] == 1


def test_needs_of_another_authoritys_case_say_what_an_unknown_case_says(seeded):
    """An unscoped check warned that the need was identified long before the case's start and quoted the stored
    start date (2024-01-05) of the Rhondda Cynon Taf case."""
    header = "case_id,pathway,need,identified_date\n"
    guessed = check(seeded, "needs.csv", header + "c1,ete,yes,2020-01-01\n")
    unknown = check(seeded, "needs.csv", header + "zz-new,ete,yes,2020-01-01\n")
    assert seen(guessed, "c1") == seen(unknown, "zz-new")
    assert set(guessed.problems["code"]) == {"unknown_reference"}
    assert "2024-01-05" not in json.dumps(guessed.problems_frame("en").to_dicts(), default=str)
    unscoped = check(seeded, "needs.csv", header + "c1,ete,yes,2020-01-01\n", scope=Scope.all_wales(True))
    assert "2024-01-05" in json.dumps(unscoped.problems_frame("en").to_dicts(), default=str)  # the leak it closes


def test_own_records_are_still_compared(seeded):
    same = check(seeded, "cases.csv", CASE_HEADER + "c4,p4,W06000015,custody,2024-02-12,,17\n")
    assert same.totals["cases"]["unchanged"] == 1 and same.ok
    changed = check(seeded, "cases.csv", CASE_HEADER + "c4,p4,W06000015,custody,2024-02-12,male,17\n")
    assert changed.totals["cases"]["updated"] == 1


def test_an_all_wales_check_is_unchanged(seeded):
    report = check(seeded, "cases.csv", CASE_HEADER + STORED_C1, scope=Scope.all_wales(True))
    assert report.totals["cases"]["unchanged"] == 1 and report.ok


def test_a_write_needs_all_wales_at_case_level(seeded):
    before = store.row_counts(store.get_engine(seeded)), store.read_import_log(store.get_engine(seeded)).height
    for scope in (CARDIFF, Scope.all_wales(case_level=False)):
        report = importer.run_import(
            [importer.Source("cases.csv", (CASE_HEADER + STORED_C1).encode())], seeded, today=TODAY, scope=scope
        )
        assert not report.written and list(report.problems["code"]) == ["not_allowed"]
        assert importer.global_messages(report) == [importer.reason_text("not_allowed", None, "en")]
    assert (
        store.row_counts(store.get_engine(seeded)),
        store.read_import_log(store.get_engine(seeded)).height,
    ) == before

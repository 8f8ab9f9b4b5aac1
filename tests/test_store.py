"""The store on SQLite and PostgreSQL: schema from the standard, scoped reads, metadata, bound parameters."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
import sqlalchemy as sa

from resettlement import store
from resettlement.scope import Scope
from resettlement.standard import TABLES, VERSION
from tests.fixtures import table_set

CARDIFF, SWANSEA, VALE = "W06000015", "W06000011", "W06000014"


def _frames() -> dict[str, pl.DataFrame]:
    cases = pl.DataFrame(
        {
            "case_id": ["c1", "c2", "c3"],
            "child_id": ["p1", "p2", "p1"],
            "la_code": [CARDIFF, SWANSEA, CARDIFF],
            "cohort": ["custody", "community", "remand"],
            "start_date": [date(2017, 1, 5), date(2020, 2, 1), date(2021, 3, 3)],
            "age_at_start": [15, 16, 17],
            "release_date": [date(2017, 6, 1), None, date(2021, 4, 1)],
            "rrp_id": ["r_cdf", None, "r_cdf"],
        }
    )
    needs = pl.DataFrame(
        {
            "case_id": ["c1", "c1", "c2"],
            "pathway": ["accommodation", "ete", "health"],
            "need": ["yes", "no", "yes"],
            "service_offered": [True, None, False],
            "gap_reason": [None, None, "waiting_list"],
        }
    )
    outcomes = pl.DataFrame({"case_id": ["c1", "c2"], "reoffended": [True, False], "ete_hours_offered": [12.5, 0.0]})
    rrps = pl.DataFrame(
        {
            "rrp_id": ["r_cdf", "r_wb"],
            "name": ["Cardiff RRP", "Western Bay RRP"],
            "la_codes": [f"{CARDIFF};{VALE}", SWANSEA],
        }
    )
    meetings = pl.DataFrame(
        {"meeting_id": ["m1", "m2"], "rrp_id": ["r_cdf", "r_wb"], "meeting_date": [date(2019, 1, 1), date(2019, 2, 1)]}
    )
    attendance = pl.DataFrame(
        {
            "meeting_id": ["m1", "m1", "m2"],
            "agency_type": ["police", "health", "police"],
            "invited": [True, True, True],
            "attended": [True, False, True],
        }
    )
    reviews = pl.DataFrame({"meeting_id": ["m1"], "case_id": ["c1"], "review_type": ["referral"]})
    return table_set(cases, needs, outcomes, rrps, meetings, attendance, reviews)


@pytest.fixture
def engine(db_url):
    eng = store.get_engine(db_url)
    store.create_schema(eng, drop=True)
    store.replace_all(eng, _frames(), {"as_of": "2024-03-31", "synthetic": "0", "data_version": "v1"})
    return eng


def test_schema_has_every_table_and_column_of_the_standard(engine):
    insp = sa.inspect(engine)
    for name, table in TABLES.items():
        cols = [c["name"] for c in insp.get_columns(name)]
        assert cols == list(table.columns)
        assert tuple(insp.get_pk_constraint(name)["constrained_columns"]) == table.key


def test_read_round_trips_types(engine):
    cases = store.read_table(engine, "cases", Scope.all_wales()).sort("case_id")
    assert cases.schema["start_date"] == pl.Date
    assert cases.schema["age_at_start"] == pl.Int64
    assert cases["start_date"].to_list() == [date(2017, 1, 5), date(2020, 2, 1), date(2021, 3, 3)]
    assert cases["release_date"].to_list() == [date(2017, 6, 1), None, date(2021, 4, 1)]
    outcomes = store.read_table(engine, "outcomes", Scope.all_wales()).sort("case_id")
    assert outcomes["ete_hours_offered"].to_list() == [12.5, 0.0]
    assert outcomes["reoffended"].to_list() == [True, False]


def test_scope_restricts_every_case_linked_table(engine):
    cardiff = Scope(frozenset({CARDIFF}))
    assert sorted(store.read_table(engine, "cases", cardiff)["case_id"]) == ["c1", "c3"]
    assert store.read_table(engine, "needs", cardiff)["case_id"].to_list() == ["c1", "c1"]
    assert store.read_table(engine, "outcomes", cardiff)["case_id"].to_list() == ["c1"]
    assert store.read_table(engine, "rrp_reviews", cardiff).height == 1
    swansea = Scope(frozenset({SWANSEA}))
    assert store.read_table(engine, "needs", swansea)["pathway"].to_list() == ["health"]
    assert store.read_table(engine, "rrp_reviews", swansea).height == 0


def test_rrps_follow_the_authorities_they_cover(engine):
    vale = Scope(frozenset({VALE}))
    assert store.read_table(engine, "rrps", vale)["rrp_id"].to_list() == ["r_cdf"]
    assert store.read_table(engine, "rrp_meetings", vale)["meeting_id"].to_list() == ["m1"]
    assert sorted(store.read_table(engine, "rrp_attendance", vale)["agency_type"]) == ["health", "police"]
    assert store.read_table(engine, "cases", vale).height == 0


def test_empty_scope_reads_nothing(engine):
    for name, table in TABLES.items():
        df = store.read_table(engine, name, Scope.deny())
        assert df.height == 0
        assert df.columns == list(table.columns)


def test_scope_values_are_bound_not_formatted(engine):
    stmt = store._scoped_select("needs", Scope(frozenset({CARDIFF})))
    sql = str(stmt.compile(engine))
    assert CARDIFF not in sql
    assert "la_codes" in sql or "?" in sql or "%(" in sql


def test_meta_and_counts(engine):
    meta = store.read_meta(engine)
    key = meta.pop("rounding_key")  # made with the data: a whole number from 1 to 2^24 - 1, never shown
    assert meta == {"as_of": "2024-03-31", "synthetic": "0", "data_version": "v1"}
    assert 1 <= int(key) < 2**24 and store.rounding_key({**meta, "rounding_key": key}) == int(key)
    assert store.rounding_key(meta) == 1  # a database written before keys existed
    assert store.as_of(store.read_meta(engine)) == date(2024, 3, 31)
    assert store.row_counts(engine) == {
        "cases": 3,
        "needs": 3,
        "outcomes": 2,
        "rrps": 2,
        "rrp_meetings": 2,
        "rrp_attendance": 3,
        "rrp_reviews": 1,
    }


def test_replace_all_is_atomic(engine):
    bad = _frames()
    bad["needs"] = pl.concat([bad["needs"], bad["needs"].head(1)])  # duplicate primary key
    with pytest.raises(sa.exc.IntegrityError):
        store.replace_all(engine, bad, {"as_of": "2025-01-01"})
    assert store.row_counts(engine)["needs"] == 3
    assert store.read_meta(engine)["as_of"] == "2024-03-31"


def test_unreachable_database_gives_a_readable_error(tmp_path):
    with pytest.raises(store.StoreUnavailable) as err:
        store.check("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert "OperationalError" in str(err.value)
    with pytest.raises(store.StoreUnavailable, match="does not exist"):
        store.check(f"sqlite:///{tmp_path / 'missing.db'}")
    assert not (tmp_path / "missing.db").exists()  # checking never creates a file
    (tmp_path / "empty.db").touch()
    with pytest.raises(store.StoreUnavailable, match="no Resettlement Monitor tables"):
        store.check(f"sqlite:///{tmp_path / 'empty.db'}")


def test_database_exists_only_false_for_missing_sqlite_file(tmp_path):
    assert not store.database_exists(f"sqlite:///{tmp_path / 'nope.db'}")
    assert store.database_exists("postgresql+psycopg://x@localhost/y")


def test_display_url_hides_password():
    assert "secret" not in store.display_url("postgresql+psycopg://u:secret@h/db")


# The fields data standard 1.2 added: a database written under 1.1 lacks their columns.
ADDED_IN_1_2 = {
    "cases": ("expected_release_date", "pre_release_plan_date", "ete_arranged", "ete_arranged_date"),
    "needs": ("confirmed_date",),
}


def _as_written_under_1_1(engine) -> None:
    with engine.begin() as conn:
        for table, columns in ADDED_IN_1_2.items():
            for col in columns:
                conn.execute(sa.text(f'ALTER TABLE "{table}" DROP COLUMN "{col}"'))


def test_a_database_of_an_earlier_standard_gains_the_new_columns_and_keeps_its_data(engine):
    _as_written_under_1_1(engine)
    with engine.connect() as conn:
        assert sorted(f"{c.table.name}.{c.name}" for c in store.missing_columns(conn)) == [
            "cases.ete_arranged",
            "cases.ete_arranged_date",
            "cases.expected_release_date",
            "cases.pre_release_plan_date",
            "needs.confirmed_date",
        ]
    with engine.begin() as conn:
        added = store.upgrade_in(conn)
    assert len(added) == 5
    meta = store.read_meta(engine)
    assert meta["data_version"].startswith("upgrade-")
    assert meta["upgraded_to_standard"] == VERSION
    tables = store.read_all(engine, Scope.all_wales())
    cases = tables["cases"].sort("case_id")
    assert cases["case_id"].to_list() == ["c1", "c2", "c3"]
    assert cases["release_date"].to_list() == [date(2017, 6, 1), None, date(2021, 4, 1)]
    assert cases["expected_release_date"].null_count() == 3
    assert tables["needs"]["confirmed_date"].null_count() == 3
    with engine.begin() as conn:
        assert store.upgrade_in(conn) == ()


def test_opening_a_database_of_an_earlier_standard_upgrades_it_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = store.get_engine(url)
    store.replace_all(engine, _frames(), {"as_of": "2024-03-31", "synthetic": "0", "data_version": "v1"})
    _as_written_under_1_1(engine)
    store.check(url)
    with engine.connect() as conn:
        assert store.missing_columns(conn) == []
    version = store.read_meta(engine)["data_version"]
    assert version != "v1"
    store.check(url)  # once per process: the second check writes nothing
    assert store.read_meta(engine)["data_version"] == version
    assert store.read_all(engine, Scope.all_wales())["cases"].height == 3

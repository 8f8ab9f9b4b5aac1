"""Data standard 1.2, release planning: the importer, completeness and the generator on the new fields.

Importer fixture (inline, today = 2026-11-23): cases r1 (custody, held, expected release 2029-05-01: 2.5 years ahead,
accepted only because the field is a forecast), r2 (custody, released 2026-03-01, ETE arranged 2025-12-01: before
the start 2026-01-05), r3 (remand, expected release 2037-01-01: more than ten years ahead), r4 (community, given an
expected release it does not need), r5 (custody, released, ETE arranged "maybe"); needs of r2 confirmed before the
need was identified.

Completeness fixture (three cases starting in 2026Q1), counted by hand below.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from resettlement import completeness as dq
from resettlement import importer, standard, store, synth
from resettlement.filters import Filters
from resettlement.scope import Scope
from resettlement.standard import TABLES
from tests.fixtures import CARDIFF, SWANSEA, frame, table_set

TODAY = date(2026, 11, 23)
AS_OF = date(2026, 9, 30)
Q1 = Filters("2026Q1", "2026Q1")

CASES_CSV = """case_id,child_id,la_code,cohort,start_date,release_date,end_date,expected_release_date,\
pre_release_plan_date,ete_arranged,ete_arranged_date
r1,p1,Cardiff,custody,2026-01-05,,,2029-05-01,,,
r2,p2,Cardiff,custody,2026-01-05,2026-03-01,2026-06-01,,2026-02-10,yes,2025-12-01
r3,p3,Swansea,remand,2026-02-01,,,2037-01-01,,,
r4,p4,Swansea,community,2026-02-01,,,2026-12-01,,,
r5,p5,Swansea,custody,2026-02-01,2026-04-01,,2026-04-01,2026-03-20,maybe,
"""
NEEDS_CSV = """case_id,pathway,need,identified_date,service_offered,offered_date,confirmed_date
r2,accommodation,yes,2026-01-20,yes,2026-01-25,2026-01-10
r2,ete,yes,2026-01-20,yes,2026-01-25,2026-02-01
"""


def _import(url: str, **kw) -> importer.ImportReport:
    sources = [importer.Source("cases.csv", CASES_CSV.encode()), importer.Source("needs.csv", NEEDS_CSV.encode())]
    return importer.run_import(sources, url, today=TODAY, **kw)


def _found(report: importer.ImportReport) -> set[tuple]:
    return {(p["file"], p["row"], p["column"], p["value"], p["code"]) for p in report.problems.iter_rows(named=True)}


def test_standard_1_2_declares_release_planning():
    assert standard.VERSION == "1.2"
    cases, needs = TABLES["cases"], TABLES["needs"]
    for name in ("expected_release_date", "pre_release_plan_date", "ete_arranged", "ete_arranged_date"):
        assert cases.field(name).status == "conditional", name
    assert cases.field("expected_release_date").future and not cases.field("release_date").future
    assert needs.field("confirmed_date").when[-1].table == "cases"
    codes = {c.code for c in standard.CHECKS}
    assert {
        "expected_release_after_start",
        "pre_release_plan_after_start",
        "ete_arranged_after_start",
        "confirmed_after_identified",
    } <= codes


def test_importer_accepts_and_rejects_the_new_fields(tmp_path):
    report = _import(f"sqlite:///{tmp_path / 'x.db'}", dry_run=True)
    c, n = "cases.csv", "needs.csv"
    assert _found(report) == {
        (c, 3, "ete_arranged_date", "2025-12-01", "ete_arranged_after_start"),  # a warning: the row loads
        (c, 4, "expected_release_date", "2037-01-01", "implausible_date"),  # over ten years ahead: rejected
        (c, 6, "ete_arranged", "maybe", "not_yes_no"),  # rejected
        (n, 2, "confirmed_date", "2026-01-10", "confirmed_after_identified"),  # a warning
    }
    # a conditional field given where it does not apply (r4's expected release, r5's after release) is simply kept:
    # the importer judges values, completeness judges what is expected
    assert report.totals["cases"]["valid"] == 3 and report.totals["cases"]["rejected"] == 2
    assert report.totals["needs"]["valid"] == 2
    strict = _import(f"sqlite:///{tmp_path / 'y.db'}", dry_run=True, strict=True)
    # strict: the checks reject too, so r2 goes, and with it both its needs rows (one also fails its own check)
    assert strict.totals["cases"]["rejected"] == 3 and strict.totals["needs"]["rejected"] == 2


def test_a_forecast_does_not_move_the_data_date(tmp_path):
    url = f"sqlite:///{tmp_path / 'z.db'}"
    report = _import(url, accept_valid=True, rejects_dir=tmp_path)
    assert report.written
    engine = store.get_engine(url)
    meta = store.read_meta(engine)
    assert meta["as_of"] == "2026-06-01" and meta["standard_version"] == "1.2"  # r2's end, not r1's 2029 forecast
    cases = store.read_table(engine, "cases", Scope.all_wales()).sort("case_id")
    assert cases["expected_release_date"].to_list() == [date(2029, 5, 1), None, date(2026, 12, 1)]
    assert cases["ete_arranged"].to_list() == [None, True, None]
    engine.dispose()


# ---------------------------------------------------------------------------------------------------- completeness
# k1 Cardiff custody, still held (no release, no end), start 01-10: expected release missing; a pre-release plan
#    already recorded (not scored while held); its address confirmed 02-20 before release (not scored: no release
#    date) and no end-of-order outcomes (not scored: not ended). cases: sex, age, ethnicity, establishment, plan,
#    assessment, expected release -> applicable 7, missing 1.
#    needs: accommodation yes, offered, not confirmed -> identified, offered, offered date, engaged, agency,
#    confirmed -> applicable 6, missing 1. outcomes: hours offered, reoffended -> applicable 2, missing 0.
# k2 Swansea remand, released 02-20, ended 03-30: pre-release plan 02-01, ETE arranged, its date missing.
#    cases: the 6 above + release, plan, ETE arranged, ETE date -> applicable 10, missing 1 (ETE date).
#    needs: ete yes, offered, confirmed 01-20 BEFORE identified 01-25 (invalid) -> applicable 6, missing 0.
# k3 Swansea community, open, given an expected release (not scored) -> cases applicable 5 (no establishment),
#    missing 0. needs: health yes, offered (community: no confirmed date) -> applicable 5, missing 0.
# New fields: expected_release_date 1/1 missing, pre_release_plan_date 1/0, ete_arranged 1/0, ete_arranged_date 1/1,
# confirmed_date 2/1, accommodation_confirmed_date 1/0 (k2 only). Validity: pre_release_plan_after_start 2 checked
# (k1, k2), 0 invalid; expected_release_after_start 1 checked (k3's), 0 invalid; confirmed_after_identified 1/1.


def _fixture() -> dict[str, pl.DataFrame]:
    D = date
    base = {"sex": "male", "ethnicity": "white", "age_at_start": 16, "plan_date": D(2026, 1, 20)}
    cases = frame(
        "cases",
        [
            {
                **base,
                "case_id": "k1",
                "child_id": "q1",
                "la_code": CARDIFF,
                "cohort": "custody",
                "start_date": D(2026, 1, 10),
                "establishment": "parc",
                "assessment_date": D(2026, 1, 15),
                "pre_release_plan_date": D(2026, 3, 1),
            },
            {
                **base,
                "case_id": "k2",
                "child_id": "q2",
                "la_code": SWANSEA,
                "cohort": "remand",
                "start_date": D(2026, 1, 12),
                "release_date": D(2026, 2, 20),
                "end_date": D(2026, 3, 30),
                "establishment": "parc",
                "assessment_date": D(2026, 1, 15),
                "pre_release_plan_date": D(2026, 2, 1),
                "ete_arranged": True,
            },
            {
                **base,
                "case_id": "k3",
                "child_id": "q3",
                "la_code": SWANSEA,
                "cohort": "community",
                "start_date": D(2026, 2, 2),
                "assessment_date": D(2026, 2, 5),
                "expected_release_date": D(2026, 6, 1),
            },
        ],
    )
    offered = {"need": "yes", "service_offered": True, "engaged": True, "identified_date": D(2026, 1, 25)}
    needs = frame(
        "needs",
        [
            {
                **offered,
                "case_id": "k1",
                "pathway": "accommodation",
                "offered_date": D(2026, 1, 28),
                "agency": "housing",
            },
            {
                **offered,
                "case_id": "k2",
                "pathway": "ete",
                "offered_date": D(2026, 1, 26),
                "agency": "education",
                "confirmed_date": D(2026, 1, 20),
            },
            {**offered, "case_id": "k3", "pathway": "health", "offered_date": D(2026, 2, 10), "agency": "health"},
        ],
    )
    outcomes = frame(
        "outcomes",
        [
            {
                "case_id": "k1",
                "accommodation_confirmed_date": D(2026, 2, 20),
                "ete_hours_offered": 0.0,
                "reoffended": False,
            },
        ],
    )
    empty = {name: frame(name, []) for name in ("rrps", "rrp_meetings", "rrp_attendance", "rrp_reviews")}
    return table_set(cases, needs, outcomes, *empty.values())


@pytest.fixture(scope="module")
def ev() -> dq.Evaluated:
    return dq.evaluate(_fixture())


def _field(fields: pl.DataFrame, table: str, field: str) -> tuple[int, int]:
    row = fields.filter((pl.col("table") == table) & (pl.col("field") == field))
    return (row["cells_applicable"][0], row["cells_missing"][0]) if row.height else (0, 0)


def test_completeness_counts_the_new_fields_only_where_they_apply(ev):
    fields = dq.field_scores(dq.select(ev, Q1))
    assert _field(fields, "cases", "expected_release_date") == (1, 1)  # k1; not k2 (released), not k3 (community)
    assert _field(fields, "cases", "pre_release_plan_date") == (1, 0)  # k2; k1's early plan is not scored
    assert _field(fields, "cases", "ete_arranged") == (1, 0)
    assert _field(fields, "cases", "ete_arranged_date") == (1, 1)
    assert _field(fields, "needs", "confirmed_date") == (2, 1)  # k1 and k2; not k3 (community)
    assert _field(fields, "outcomes", "accommodation_confirmed_date") == (1, 1)  # k2: released, no outcomes row
    for end_field in ("accommodation_suitable_end", "ete_suitable_end", "exit_to_universal_services"):
        assert _field(fields, "outcomes", end_field) == (1, 1), end_field  # k2's missing row only; k1 not ended
    cases = {r["case_id"]: (r["applicable"], r["present"]) for r in dq.record_scores(ev, "cases").iter_rows(named=True)}
    assert cases == {"k1": (7, 6), "k2": (10, 9), "k3": (5, 5)}
    needs = dq.record_scores(ev, "needs")
    assert sorted(zip(needs["applicable"], needs["present"], strict=True)) == [(5, 5), (6, 5), (6, 6)]
    k1_outcomes = dq.record_scores(ev, "outcomes").filter(pl.col("case_id") == "k1").row(0, named=True)
    assert (k1_outcomes["applicable"], k1_outcomes["present"]) == (2, 2)  # held: the end and address fields wait


def test_validity_of_the_new_checks(ev):
    rules = dq.rule_scores(dq.select(ev, Q1))
    got = {r["rule"]: (r["values_checked"], r["values_invalid"]) for r in rules.iter_rows(named=True)}
    assert got["pre_release_plan_after_start"] == (2, 0)
    assert got["expected_release_after_start"] == (1, 0)  # k3's value is checked although it is not expected
    assert got["confirmed_after_identified"] == (1, 1)  # k2: confirmed 01-20, identified 01-25
    assert got.get("ete_arranged_after_start", (0, 0)) == (0, 0)  # no date given


# ------------------------------------------------------------------------------------------------------ generator


@pytest.fixture(scope="module")
def demo() -> dict[str, pl.DataFrame]:
    return synth.generate(scale=3.0, seed=2016, as_of=AS_OF)


def _secure(frames) -> pl.DataFrame:
    return frames["cases"].filter(pl.col("cohort").is_in(["custody", "remand"]))


def test_children_still_held_have_expected_release_dates(demo):
    held = _secure(demo).filter(pl.col("release_date").is_null(), pl.col("end_date").is_null())
    assert held.height >= 20
    assert held["expected_release_date"].is_not_null().mean() >= 0.9
    ahead = held.select((pl.col("expected_release_date") - pl.lit(AS_OF)).dt.total_days()).to_series().drop_nulls()
    assert ahead.is_between(30, 270).mean() >= 0.6  # mostly within the next 1-9 months
    assert (ahead < 0).sum() >= 1 or held.height < 40  # some overdue
    community = demo["cases"].filter(pl.col("cohort") == "community")
    for name in ("expected_release_date", "pre_release_plan_date", "ete_arranged", "ete_arranged_date"):
        assert community[name].null_count() == community.height, name


def _released(frames) -> pl.DataFrame:
    slow = [c for area in synth.RELEASE_SLOW_AREAS[:1] for c in area.la_codes]
    return (
        _secure(frames)
        .filter(pl.col("release_date").is_not_null(), pl.col("release_date") >= pl.col("start_date"))
        .with_columns(
            lead=(pl.col("release_date") - pl.col("pre_release_plan_date")).dt.total_days(),
            slow=pl.col("la_code").is_in(slow),
        )
    )


def test_plans_late_plans_and_slow_areas(demo):
    rel = _released(demo)
    planned = rel.filter(pl.col("lead").is_not_null())
    assert 0.5 <= planned.height / rel.height <= 0.97  # some plans missing
    late = (planned["lead"] < 14).mean()
    assert 0.15 <= late <= 0.6  # late plans exist, but most are on time
    by = dict(planned.group_by("slow").agg((pl.col("lead") >= 14).mean()).iter_rows())
    assert by[True] < by[False] - 0.2  # Newport and Wrexham agree plans later
    ete = dict(rel.group_by("cohort").agg(pl.col("ete_arranged").drop_nulls().mean()).iter_rows())
    assert 0.5 <= ete["custody"] <= 0.7 and ete["remand"] < ete["custody"] - 0.05
    dated = rel.filter(pl.col("ete_arranged"), pl.col("ete_arranged_date").is_not_null())
    assert (dated["ete_arranged_date"] <= dated["release_date"]).all()
    few_places = [c for c in synth.RELEASE_SLOW_AREAS[2].la_codes]
    fewer = rel.filter(pl.col("la_code").is_in(few_places))["ete_arranged"].drop_nulls().mean()
    assert fewer < ete["custody"] - 0.1


def test_secure_services_are_confirmed_and_held_children_have_addresses(demo):
    nd = demo["needs"].join(demo["cases"].select("case_id", "cohort", "release_date"), on="case_id")
    secure = nd.filter(pl.col("cohort") != "community", pl.col("service_offered"))
    assert 0.7 <= secure["confirmed_date"].is_not_null().mean() <= 0.95
    done = secure.filter(pl.col("confirmed_date").is_not_null(), pl.col("release_date").is_not_null())
    assert 0.4 <= (done["confirmed_date"] <= done["release_date"]).mean() <= 0.9  # some only after release
    community = nd.filter(pl.col("cohort") == "community")
    assert community["confirmed_date"].null_count() == community.height
    held = _secure(demo).filter(pl.col("release_date").is_null(), pl.col("end_date").is_null())
    o = demo["outcomes"].join(held.select("case_id", "expected_release_date"), on="case_id")
    confirmed = o.filter(pl.col("accommodation_confirmed_date").is_not_null())
    assert confirmed.height >= 1  # addresses confirmed before release for children still held
    assert (confirmed["accommodation_confirmed_date"] <= AS_OF).all()
    for end_field in ("accommodation_suitable_end", "ete_suitable_end", "exit_to_universal_services"):
        assert o[end_field].null_count() == o.height, end_field

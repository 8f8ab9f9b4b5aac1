"""Completeness, validity and timeliness on a small hand-made fixture; every cell is counted by hand below.

Fixture (all episodes start in 2024; thresholds green 95%, amber 80% unless a test says otherwise):

cases (scored: sex, age, ethnicity [expected]; release_date [secure and ended]; establishment [secure];
rrp_referral_date [referred]; plan_date, assessment_date [expected]; since 1.2 pre_release_plan_date, ete_arranged
[secure and released], ete_arranged_date [ETE arranged], expected_release_date [secure, neither released nor ended])
  c1 Cardiff custody 2024-01-10, ended, released 03-01, parc, referred to rrp_a 01-20, plan +15 d, assessment +51 d,
     pre-release plan 02-10, ETE not arranged: applicable 10, missing 0
  c2 Cardiff community 2024-04-02, open, age 9 (invalid), ethnicity and plan missing, assessment +4 d
     applicable 5 (release/establishment/referral do not apply), missing 2
  c3 Swansea remand 2024-04-10, ended, release missing, establishment 'narnia' (invalid), plan +40 d (late),
     assessment missing: applicable 7, missing 2 (no release date: the pre-release fields do not apply; it has
     ended: no expected release date either)
  c4 Swansea custody 2024-05-01, ended, released 04-15 (before start: invalid), plan +9 d, assessment -11 d,
     pre-release plan 05-05, ETE not arranged: applicable 9, missing 0          -> cases 31 applicable, 4 missing
needs
  c1 accommodation yes, offered, all filled: applicable 6 (identified, offered, offered_date, engaged, agency,
     confirmed_date: custody)
  c1 ete yes, not offered, gap reason missing, identified 2023-01-01 (374 days before start: invalid):
     applicable 3 (identified, offered, gap_reason), missing 1
  c2 health no: nothing applies
  c3 accommodation yes, offered, identified and engaged missing, confirmed 04-20 (remand): applicable 6, missing 2
  c3 ete yes, offer not recorded: applicable 2 (identified, offered), missing 1     -> needs 17 applicable, 4 missing
outcomes
  c1 ended, released: applicable 11 (with the three reoffending dates); reoffences and exit missing (2); hours
     attended 25 > offered 20 (invalid)
  c2 open community, hours offered 0, not reoffended: applicable 2 (hours offered, reoffended), missing 0
  c3 NO ROW: ended, no release date -> applicable 6 (accommodation end, ETE end, hours offered, reoffending check
     date, reoffended, exit), all missing
  c4 ended, released: applicable 8 (reoffences and reoffence dates do not apply), hours offered 70 (outside 0-60:
     invalid)                                                               -> outcomes 27 applicable, 8 missing
rrp_reviews (both of c1)
  r0 at m0 (2024-01-15, before c1's referral on 01-20: invalid), escalated missing: applicable 3, missing 1
  r1 at m1 (2024-02-01): applicable 3, missing 0                           -> reviews 6 applicable, 1 missing
Case records: 81 applicable, 17 missing -> completeness 64/81.
Partnership records of rrp_a (covers Cardiff): rrps 2 applicable / 1 missing (name_cy); meetings m0 4/0,
m1 4/1 (escalations), m1 completed 3 > agreed 2 (invalid); attendance 2/1 (police attended missing).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import polars as pl
import pytest

from resettlement import completeness as dq
from resettlement import disclosure
from resettlement.filters import Area, Filters
from resettlement.i18n import LANGS, t
from resettlement.standard import CHECKS, TABLES
from tests.fixtures import CARDIFF, SWANSEA, frame, table_set

D = date
YEAR = Filters("2024Q1", "2024Q4")
TH = dq.Thresholds(0.95, 0.80)


def fixture() -> dict[str, pl.DataFrame]:
    common = {"child_id": "p", "sex": "male", "ethnicity": "white"}
    cases = frame(
        "cases",
        [
            {
                **common,
                "case_id": "c1",
                "la_code": CARDIFF,
                "cohort": "custody",
                "start_date": D(2024, 1, 10),
                "end_date": D(2024, 6, 30),
                "release_date": D(2024, 3, 1),
                "establishment": "parc",
                "age_at_start": 16,
                "rrp_id": "rrp_a",
                "rrp_referral_date": D(2024, 1, 20),
                "plan_date": D(2024, 1, 25),
                "assessment_date": D(2024, 3, 1),
                "pre_release_plan_date": D(2024, 2, 10),
                "ete_arranged": False,
            },
            {
                **common,
                "case_id": "c2",
                "la_code": CARDIFF,
                "cohort": "community",
                "start_date": D(2024, 4, 2),
                "sex": "female",
                "age_at_start": 9,
                "ethnicity": None,
                "assessment_date": D(2024, 4, 6),
            },
            {
                **common,
                "case_id": "c3",
                "la_code": SWANSEA,
                "cohort": "remand",
                "start_date": D(2024, 4, 10),
                "end_date": D(2024, 8, 1),
                "establishment": "narnia",
                "age_at_start": 15,
                "ethnicity": "mixed",
                "plan_date": D(2024, 5, 20),
            },
            {
                **common,
                "case_id": "c4",
                "la_code": SWANSEA,
                "cohort": "custody",
                "start_date": D(2024, 5, 1),
                "end_date": D(2024, 9, 1),
                "release_date": D(2024, 4, 15),
                "establishment": "hillside",
                "age_at_start": 17,
                "plan_date": D(2024, 5, 10),
                "assessment_date": D(2024, 4, 20),
                "pre_release_plan_date": D(2024, 5, 5),
                "ete_arranged": False,
            },
        ],
    )
    needs = frame(
        "needs",
        [
            {
                "case_id": "c1",
                "pathway": "accommodation",
                "need": "yes",
                "identified_date": D(2024, 1, 15),
                "service_offered": True,
                "offered_date": D(2024, 1, 20),
                "engaged": True,
                "agency": "housing",
                "confirmed_date": D(2024, 2, 1),
            },
            {
                "case_id": "c1",
                "pathway": "ete",
                "need": "yes",
                "identified_date": D(2023, 1, 1),
                "service_offered": False,
            },
            {"case_id": "c2", "pathway": "health", "need": "no"},
            {
                "case_id": "c3",
                "pathway": "accommodation",
                "need": "yes",
                "service_offered": True,
                "offered_date": D(2024, 4, 12),
                "agency": "housing",
                "confirmed_date": D(2024, 4, 20),
            },
            {"case_id": "c3", "pathway": "ete", "need": "yes", "identified_date": D(2024, 4, 15)},
        ],
    )
    outcomes = frame(
        "outcomes",
        [
            {
                "case_id": "c1",
                "accommodation_suitable_end": True,
                "accommodation_confirmed_date": D(2024, 2, 20),
                "ete_suitable_end": True,
                "ete_hours_offered": 20.0,
                "ete_hours_attended": 25.0,
                "reoffended": True,
                "first_reoffence_date": D(2024, 5, 1),
                "first_reoffence_proven_date": D(2024, 6, 1),
                "reoffending_checked_date": D(2024, 6, 30),
            },
            {"case_id": "c2", "ete_hours_offered": 0.0, "reoffended": False},
            {
                "case_id": "c4",
                "accommodation_suitable_end": False,
                "accommodation_confirmed_date": D(2024, 4, 10),
                "ete_suitable_end": False,
                "ete_hours_offered": 70.0,
                "ete_hours_attended": 10.0,
                "reoffended": False,
                "exit_to_universal_services": True,
                "reoffending_checked_date": D(2024, 9, 1),
            },
        ],
    )
    rrps = frame("rrps", [{"rrp_id": "rrp_a", "name": "A RRP", "la_codes": CARDIFF, "established_date": D(2020, 1, 1)}])
    meetings = frame(
        "rrp_meetings",
        [
            {
                "meeting_id": "m0",
                "rrp_id": "rrp_a",
                "meeting_date": D(2024, 1, 15),
                "cases_reviewed": 1,
                "actions_agreed": 1,
                "actions_completed": 1,
                "escalations": 0,
            },
            {
                "meeting_id": "m1",
                "rrp_id": "rrp_a",
                "meeting_date": D(2024, 2, 1),
                "cases_reviewed": 1,
                "actions_agreed": 2,
                "actions_completed": 3,
            },
        ],
    )
    attendance = frame(
        "rrp_attendance",
        [
            {"meeting_id": "m1", "agency_type": "yjs", "invited": True, "attended": True},
            {"meeting_id": "m1", "agency_type": "police", "invited": True},
        ],
    )
    reviews = frame(
        "rrp_reviews",
        [
            {
                "meeting_id": "m0",
                "case_id": "c1",
                "review_type": "referral",
                "actions_agreed": 1,
                "actions_completed": 1,
            },
            {
                "meeting_id": "m1",
                "case_id": "c1",
                "review_type": "pre_release",
                "actions_agreed": 2,
                "actions_completed": 1,
                "escalated": False,
            },
        ],
    )
    return table_set(cases, needs, outcomes, rrps, meetings, attendance, reviews)


@pytest.fixture(scope="module")
def ev() -> dq.Evaluated:
    return dq.evaluate(fixture())


def _row(df: pl.DataFrame, **where) -> dict:
    out = df.filter(*(pl.col(k) == v for k, v in where.items()))
    assert out.height == 1, out
    return out.row(0, named=True)


def test_rules_come_from_the_standard():
    scored = {(tb, f.name) for tb in TABLES for f in dq.scored_fields(tb)}
    assert ("cases", "release_date") in scored and ("cases", "end_date") not in scored  # optional: never scored
    assert ("cases", "case_id") not in scored  # required: enforced at import
    codes = {r.code for r in dq.RULES}
    assert {c.code for c in CHECKS} <= codes and "review_after_referral" in codes
    assert {"range.cases.age_at_start", "enum.cases.establishment", "enum.rrps.la_codes"} <= codes
    assert dq.ONE_PER_CASE == ("outcomes",)


def test_completeness_by_table(ev):
    s = dq.scores(dq.select(ev, YEAR, partnership=True), ["table"], TH)
    got = {r["table"]: (r["cells_applicable"], r["cells_missing"]) for r in s.iter_rows(named=True)}
    assert got == {
        "cases": (31, 4),
        "needs": (17, 4),
        "outcomes": (27, 8),
        "rrp_reviews": (6, 1),
        "rrps": (2, 1),
        "rrp_meetings": (8, 1),
        "rrp_attendance": (2, 1),
    }
    assert _row(s, table="cases")["completeness"] == 27 / 31
    assert _row(s, table="outcomes")["completeness"] == 19 / 27
    assert _row(s, table="needs")["episodes"] == 3  # c1, c2, c3 have needs rows
    assert _row(s, table="rrp_meetings")["episodes"] == 0 and _row(s, table="rrp_meetings")["records"] == 2


def test_overall_and_area_scores(ev):
    head = dq.headline(ev, YEAR, TH)
    sel = _row(head, series="selection")
    assert (sel["episodes"], sel["cells_applicable"], sel["cells_missing"]) == (4, 81, 17)
    assert sel["completeness"] == 64 / 81
    assert (sel["values_checked"], sel["values_invalid"], sel["validity"]) == (66, 7, 59 / 66)
    assert (sel["dates_checked"], sel["dates_late"], sel["timeliness"]) == (6, 2, 4 / 6)
    assert sel["rag"] == "red"  # 79% < 80%
    # the field missing most: exit to universal services (c1 and c3) = 2 of the 17 missing cells
    assert (sel["worst_field"], sel["worst_field_missing"]) == ("outcomes.exit_to_universal_services", 2)

    la = dq.area_scores(ev, YEAR, "la", TH)
    cardiff, swansea = _row(la, area_code=CARDIFF), _row(la, area_code=SWANSEA)
    # Cardiff: cases 15/2, needs 9/1, outcomes 13/2, reviews 6/1; Swansea: cases 16/2, needs 8/3, outcomes 14/6
    assert (cardiff["cells_applicable"], cardiff["cells_missing"], cardiff["completeness"]) == (43, 6, 37 / 43)
    assert (swansea["cells_applicable"], swansea["cells_missing"], swansea["completeness"]) == (38, 11, 27 / 38)
    # validity: Cardiff cases 14/1 (c1's pre-release plan: 1 check), needs 11/1 (c1's confirmed date: 1 check),
    # outcomes 6/1 (c1's reoffence dates: 2 checks), reviews 10/1; Swansea cases 16/2 (c4's plan), needs 6/0 (c3's
    # confirmed date is not checked: its identified date is missing), outcomes 3/1
    assert (cardiff["values_checked"], cardiff["values_invalid"]) == (41, 4)
    assert (swansea["values_checked"], swansea["values_invalid"]) == (25, 3)
    # timeliness: Cardiff plan c1 on time, assessments c1 late and c2 on time; Swansea plan c3 late, c4 on time
    assert (cardiff["dates_checked"], cardiff["dates_late"]) == (3, 1)
    assert (swansea["dates_checked"], swansea["dates_late"]) == (3, 1)
    assert (cardiff["rag"], swansea["rag"]) == ("amber", "red")
    assert la.height == 2

    svc = dq.area_scores(ev, YEAR, "service", TH)
    assert _row(svc, area_code="cardiff")["completeness"] == 37 / 43
    assert _row(svc, area_code="swansea")["cells_missing"] == 11  # 2024 records belong to Swansea YJS
    police = dq.area_scores(ev, YEAR, "police_area", TH)
    assert _row(police, area_code="W15000003")["completeness"] == 64 / 81  # both in South Wales


def test_scores_by_rrp_and_quarter(ev):
    rrp = dq.area_scores(ev, YEAR, "rrp", TH)
    # rrp_a: c1's case records 36 applicable / 4 missing + its own records 12 / 3
    a = _row(rrp, area_code="rrp_a")
    assert (a["episodes"], a["cells_applicable"], a["cells_missing"], a["completeness"]) == (1, 48, 7, 41 / 48)
    none = _row(rrp, area_code=dq.NOT_REFERRED)
    assert (none["episodes"], none["cells_applicable"], none["cells_missing"]) == (3, 45, 13)

    tr = dq.trend(ev, YEAR, ["2023Q4", "2024Q1", "2024Q2", "2024Q3"], TH)
    assert tr["series"].unique().to_list() == ["selection"]  # the selection is Wales: no second series
    q1, q2 = _row(tr, quarter="2024Q1"), _row(tr, quarter="2024Q2")
    assert (q1["episodes"], q1["cells_applicable"], q1["cells_missing"]) == (1, 36, 4)
    assert (q2["episodes"], q2["cells_applicable"], q2["cells_missing"]) == (3, 45, 13)
    empty = _row(tr, quarter="2023Q4")
    assert (empty["episodes"], empty["completeness"]) == (0, None)
    cardiff = dq.trend(ev, replace(YEAR, area=Area("la", CARDIFF)), ["2024Q1", "2024Q2"], TH)
    assert _row(cardiff, quarter="2024Q2", series="selection")["cells_applicable"] == 7  # c2: cases 5, outcomes 2
    assert _row(cardiff, quarter="2024Q2", series="wales")["cells_applicable"] == 45


def test_field_scores_rank_what_pulls_the_score_down(ev):
    fields = dq.field_scores(dq.select(ev, YEAR))
    top = fields.row(0, named=True)
    assert (top["rank"], top["table"], top["field"], top["cells_missing"]) == (
        1,
        "outcomes",
        "exit_to_universal_services",
        2,
    )
    assert top["cells_applicable"] == 3 and top["completeness"] == 1 / 3  # c1, c3, c4 ended; c2 open: n/a
    assert top["share_of_missing"] == 2 / 17
    release = _row(fields, table="cases", field="release_date")
    assert (release["cells_applicable"], release["cells_missing"]) == (3, 1)  # c1, c3, c4; not c2 (community)
    gap = _row(fields, table="needs", field="gap_reason")
    assert (gap["cells_applicable"], gap["cells_missing"]) == (1, 1)  # only c1 ete: need yes, no service
    assert fields["cells_missing"].sum() == 17
    by_la = dq.field_scores(dq.select(ev, YEAR), ["la_code"])
    assert _row(by_la, la_code=SWANSEA, rank=1)["field"] in {
        "identified_date",
        "engaged",
        "service_offered",
        "ete_suitable_end",
        "exit_to_universal_services",
        "ete_hours_offered",
        "reoffended",
        "release_date",
        "accommodation_suitable_end",
        "assessment_date",
    }
    assert _row(by_la, la_code=SWANSEA, table="outcomes", field="reoffended")["cells_missing"] == 1  # no c3 row


def test_a_field_that_does_not_apply_scores_100_percent():
    cases = frame(
        "cases",
        [
            {
                "case_id": "k1",
                "child_id": "p1",
                "la_code": CARDIFF,
                "cohort": "community",
                "start_date": D(2024, 3, 1),
                "sex": "male",
                "age_at_start": 15,
                "ethnicity": "white",
                "plan_date": D(2024, 3, 5),
                "assessment_date": D(2024, 3, 5),
            }
        ],
    )
    ev = dq.evaluate({"cases": cases})
    rec = dq.record_scores(ev, "cases").row(0, named=True)
    # release date, establishment and referral date do not apply to a community case never referred
    assert (rec["applicable"], rec["present"], rec["completeness"]) == (5, 5, 1.0)
    assert rec["release_date"] == 1.0 and rec["establishment"] == 1.0 and rec["rrp_referral_date"] == 1.0
    field = _row(dq.field_scores(ev), table="cases", field="release_date")
    assert (field["cells_applicable"], field["cells_missing"], field["completeness"]) == (0, 0, None)
    shown = dq.records(dq.protected(dq.field_scores(ev), threshold=1))
    release = next(r for r in shown if r["field"] == "release_date")
    assert release["completeness"] == disclosure.NOT_APPLICABLE  # z: nothing to score, not 0%


def test_record_scores_on_the_fixture(ev):
    recs = dq.record_scores(ev, "cases")
    c2 = _row(recs, case_id="c2")
    assert (c2["applicable"], c2["present"], c2["completeness"]) == (5, 3, 0.6)
    assert (c2["release_date"], c2["ethnicity"], c2["plan_date"]) == (1.0, 0.0, 0.0)
    c3 = _row(dq.record_scores(ev, "outcomes"), case_id="c3")  # no outcomes row at all
    assert (c3["applicable"], c3["present"]) == (6, 0)  # with the check date: the episode has ended


def test_validity_per_rule(ev):
    rules = dq.rule_scores(dq.select(ev, YEAR, partnership=True))
    got = {
        r["rule"]: (r["values_checked"], r["values_invalid"])
        for r in rules.iter_rows(named=True)
        if r["values_checked"]
    }
    assert got["release_after_start"] == (2, 1)  # c1 fine, c4 released before it started; c3 has no date
    assert got["end_after_start"] == (3, 0)
    assert got["referral_after_start"] == (1, 0)
    assert got["range.cases.age_at_start"] == (4, 1)  # c2 is 9
    assert got["enum.cases.establishment"] == (3, 1)  # narnia
    assert got["need_identified_near_episode"] == (3, 1)  # c1 ete, 374 days before
    assert got["offer_after_identified"] == (1, 0)  # c3's identified date is missing
    assert got["hours_attended_within_offered"] == (2, 1)  # c1 25 > 20
    assert got["range.outcomes.ete_hours_offered"] == (3, 1)  # c4 70 > 60
    assert got["review_after_referral"] == (2, 1)  # r0 at m0 on 01-15, referral 01-20
    assert got["review_actions_completed_within_agreed"] == (2, 0)
    assert got["actions_completed_within_agreed"] == (2, 1)  # m1 3 > 2
    assert got["enum.rrps.la_codes"] == (1, 0)
    assert got["reoffence_after_start"] == (1, 0) and got["reoffence_proven_after_offence"] == (1, 0)  # c1
    assert "range.outcomes.reoffences" not in got  # never present: nothing checked
    case_rules = dq.rule_scores(dq.select(ev, YEAR))
    assert (case_rules["values_checked"].sum(), case_rules["values_invalid"].sum()) == (66, 7)
    assert _row(rules, rule="release_after_start")["validity"] == 0.5


def test_timeliness(ev):
    tl = dq.timeliness_scores(dq.select(ev, YEAR))
    plan, assess = _row(tl, rule="plan_on_time"), _row(tl, rule="assessment_on_time")
    assert (plan["dates_checked"], plan["dates_late"], plan["timeliness"], plan["days"]) == (3, 1, 2 / 3, 28)
    assert (assess["dates_checked"], assess["dates_late"]) == (3, 1)  # c4 assessed before the start: on time


def test_rag_thresholds(ev):
    rag = dq.area_scores(ev, YEAR, "la", dq.Thresholds(0.80, 0.60)).select("area_code", "rag").rows()
    assert sorted(rag) == [(SWANSEA, "amber"), (CARDIFF, "green")]  # 71.1% and 86.0%
    assert dq.headline(ev, YEAR, dq.Thresholds(0.80, 0.60))["rag"][0] == "amber"  # 79.0%
    with pytest.raises(ValueError):
        dq.Thresholds(0.5, 0.9)


def test_rag_thresholds_come_from_settings(monkeypatch):
    from resettlement import settings

    assert dq.Thresholds.from_settings() == dq.Thresholds(0.95, 0.80)
    monkeypatch.setenv("RESETTLEMENT_RAG_GREEN", "0.9")
    monkeypatch.setenv("RESETTLEMENT_RAG_AMBER", "0.7")
    assert dq.Thresholds.from_settings() == dq.Thresholds(0.9, 0.7)
    monkeypatch.setenv("RESETTLEMENT_RAG_AMBER", "0.95")
    with pytest.raises(ValueError):
        settings.rag_thresholds()


def test_area_selection_and_partnership_records(ev):
    cardiff = replace(YEAR, area=Area("la", CARDIFF))
    tables = dq.table_scores(ev, cardiff, TH)
    assert _row(tables, table="rrp_meetings")["cells_applicable"] == 8  # rrp_a covers Cardiff
    swansea = dq.table_scores(ev, replace(YEAR, area=Area("la", SWANSEA)), TH)
    assert "rrp_meetings" not in swansea["table"].to_list()  # no RRP covers Swansea here
    assert dq.scores(dq.select(ev, cardiff))["cells_applicable"][0] == 43
    community = replace(YEAR, cohorts=("community",))
    assert dq.scores(dq.select(ev, community))["cells_applicable"][0] == 5 + 0 + 2  # c2: cases, needs, outcomes
    q2 = Filters("2024Q2", "2024Q2")
    assert dq.scores(dq.select(ev, q2))["episodes"][0] == 3


def test_fix_list(ev):
    fixes = dq.fix_list(ev, YEAR)
    # 17 missing cells, but c3's 6 outcome cells are one missing record: 12 rows; plus 7 invalid values
    assert fixes.height == 19
    assert fixes.filter(pl.col("problem") == "record_missing").select("case_id", "table").rows() == [("c3", "outcomes")]
    assert fixes.filter(pl.col("problem") == "invalid")["rule"].sort().to_list() == sorted(
        [
            "release_after_start",
            "range.cases.age_at_start",
            "enum.cases.establishment",
            "need_identified_near_episode",
            "hours_attended_within_offered",
            "range.outcomes.ete_hours_offered",
            "review_after_referral",
        ]
    )
    review = _row(fixes, rule="review_after_referral")
    assert (review["case_id"], review["record"], review["field"]) == (
        "c1",
        "m0 · referral",
        "rrp_meetings.meeting_date",
    )
    assert _row(fixes, case_id="c1", table="needs", problem="missing")["record"] == "ete"
    cardiff = dq.fix_list(ev, replace(YEAR, area=Area("la", CARDIFF)))
    assert cardiff.height == 10 and set(cardiff["case_id"]) == {"c1", "c2"}
    for lang in LANGS:
        shown = dq.fix_list_labelled(cardiff, lang)
        assert shown.columns[0] == t("completeness.fix.col.la_code", lang)
        assert shown.height == 10


def test_disclosure_judges_every_figure_on_children(ev):
    la = dq.records(dq.protected(dq.area_scores(ev, YEAR, "la", TH), threshold=3))
    # two episodes per authority: every figure of the row is hidden, not only the count
    for row in la:
        assert row["episodes"] == "c"
        assert row["completeness"] == row["cells_missing"] == row["rag"] == row["worst_field"] == "c"
    shown = dq.records(dq.protected(dq.area_scores(ev, YEAR, "la", TH), threshold=2))
    cardiff = next(r for r in shown if r["area_code"] == CARDIFF)
    assert (cardiff["episodes"], cardiff["completeness"], cardiff["cells_missing"]) == (2, 86.0, 6)  # 37/43
    rrp = dq.records(dq.protected(dq.area_scores(ev, YEAR, "rrp", TH), threshold=2))
    assert next(r for r in rrp if r["area_code"] == "rrp_a")["completeness"] == "c"  # one child
    tables = dq.records(dq.protected(dq.table_scores(ev, YEAR, TH), threshold=2))
    meetings = next(r for r in tables if r["table"] == "rrp_meetings")
    assert meetings["completeness"] == 87.5 and meetings["timeliness"] == "z"  # 2 meeting records; no dates rule


def test_percentages_never_round_to_100_or_0_unless_exact():
    df = pl.DataFrame({"episodes": [10] * 4, "records": [10] * 4, "completeness": [0.9996, 1.0, 0.0004, 0.0]})
    assert [r["completeness"] for r in dq.records(dq.protected(df, 5))] == [99.9, 100.0, 0.1, 0.0]


def test_labels_in_both_languages(ev):
    for lang in LANGS:
        for rule in dq.RULES:
            assert dq.rule_label(rule.code, lang)
        for rule in dq.TIMELINESS:
            assert str(rule.max_days) in dq.rule_label(rule.code, lang)
        view = dq.for_view(
            dq.protected(dq.area_scores(ev, YEAR, "la", TH), 1), "areas", lang, {"area": dq.area_names("la", lang)}
        )
        assert view.columns[:2] == ["area", "episodes"]
        assert set(view["rag"]) == {t("completeness.rag.amber", lang), t("completeness.rag.red", lang)}
        assert dq.area_names("rrp", lang)[dq.NOT_REFERRED] == t("completeness.not_referred", lang)
    body = t("completeness.definitions.body", "en", n=5, m=4)
    assert all(f"{r.max_days} days" in body for r in dq.TIMELINESS)


# ------------------------------------------------------------------------------------------ CLI equals the page


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory):
    from resettlement import synth

    url = f"sqlite:///{tmp_path_factory.mktemp('dq') / 'demo.db'}"
    synth.build_demo(url, scale=0.3, seed=3, as_of=D(2026, 9, 30))
    return url


def _page_figures(url: str, by: str) -> list[dict]:
    """What the page shows for a view, with the page's defaults (latest eight quarters, all Wales, the publication
    view of docs/disclosure.md): the registered table, with the arguments the page passes."""
    from resettlement import published, store
    from resettlement.period import DATA_START, default_period, quarters_between, trend_quarters
    from resettlement.scope import Scope

    as_of = D(2026, 9, 30)
    f = Filters(*default_period(quarters_between(DATA_START, as_of), as_of))
    engine = store.get_engine(url)
    protection = published.Protection(5, True, "round", 5, store.rounding_key(store.read_meta(engine)))
    table = published.frame(
        store.read_all(engine, Scope.all_wales()),
        f"completeness.{by}",
        protection,
        f,
        by,
        trend_quarters(as_of),
        dq.Thresholds.from_settings(),
    )
    return dq.records(table)


@pytest.mark.parametrize("by", ["wales", "la", "service", "rrp", "quarter", "field", "table", "rule"])
def test_cli_json_equals_the_page_figures(cli_db, by, capsys):
    from resettlement.__main__ import main

    assert main(["completeness", "--db", cli_db, "--by", by, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(json.dumps(_page_figures(cli_db, by), default=str))
    assert printed, "no rows"


def test_cli_human_output_and_errors(cli_db, capsys):
    from resettlement.__main__ import main

    assert main(["completeness", "--db", cli_db]) == 0
    out = capsys.readouterr().out
    assert "Wales" in out and "%" in out
    assert main(["completeness", "--db", cli_db, "--from", "2030Q1"]) == 2
    assert "2030Q1" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------------------- the page


def _area_table(at, lang: str):
    from tests.apptest import open_tables

    open_tables(at, lang)  # the table beside the map is drawn while its tab is open
    wanted = {t("col.completeness", lang), t("col.worst_field", lang)}
    return next(d.value for d in at.dataframe if wanted <= set(d.value.columns))


@pytest.mark.parametrize("lang", LANGS)
def test_page_renders_without_a_fix_list_for_aggregate_viewers(app, lang):
    from tests.apptest import open_page, texts

    at = open_page(app, "completeness", lang)
    assert not at.exception, [e.value for e in at.exception]
    assert [m.label for m in at.metric] == [t(f"completeness.metric_{k}", lang) for k in (*dq.KINDS, "rag")]
    assert t("completeness.fix_denied", lang) in texts(at)
    headers = {t("completeness.fix.col.case_id", lang)}
    assert not any(headers <= set(d.value.columns) for d in at.dataframe)
    assert len(_area_table(at, lang)) == 22


@pytest.mark.parametrize("lang", LANGS)
def test_page_shows_the_fix_list_with_case_level_rights(app, lang, monkeypatch):
    from tests.apptest import open_page, texts

    monkeypatch.setenv("RESETTLEMENT_CASE_LEVEL", "1")
    at = open_page(app, "completeness", lang)
    assert not at.exception, [e.value for e in at.exception]
    assert t("completeness.fix_denied", lang) not in texts(at)
    fix = next(d.value for d in at.dataframe if t("completeness.fix.col.case_id", lang) in d.value.columns)
    assert len(fix) > 0
    assert any(b.label == t("completeness.fix_download", lang) for b in at.get("download_button"))


def test_page_area_table_equals_the_cli(app, demo_url, capsys):
    from resettlement.__main__ import main
    from tests.apptest import open_page

    at = open_page(app, "completeness", "en")
    shown = _area_table(at, "en")
    assert main(["completeness", "--db", demo_url, "--by", "la", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    by_name = {r[t("col.area", "en")]: r for r in shown.to_dict("records")}
    from resettlement.geography import la_name

    for row in cli:
        page = by_name[la_name(row["area_code"])]
        for col in ("episodes", "completeness", "validity", "timeliness", "values_invalid", "worst_field"):
            assert str(page[t(f"col.{col}", "en")]) == str(row[col]), (row["area_code"], col)


def test_doc_names_every_rule():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "completeness.md").read_text(encoding="utf-8")
    for check in dq.VALIDITY_CHECKS:
        assert f"`{check.code}`" in text, check.code
    for rule in dq.TIMELINESS:
        assert f"`{rule.code}`" in text and f"{rule.max_days} days" in text, rule.code


def test_fix_list_never_shows_authorities_outside_the_scope(app, monkeypatch):
    from resettlement.geography import la_name
    from tests.apptest import open_page

    monkeypatch.setenv("RESETTLEMENT_CASE_LEVEL", "1")
    monkeypatch.setenv("RESETTLEMENT_SCOPE", f"{CARDIFF},{SWANSEA}")
    at = open_page(app, "completeness", "en")
    assert not at.exception, [e.value for e in at.exception]
    fix = next(d.value for d in at.dataframe if t("completeness.fix.col.case_id", "en") in d.value.columns)
    shown = set(fix[t("completeness.fix.col.la_code", "en")])
    assert shown and shown <= {la_name(CARDIFF), la_name(SWANSEA)}  # the default area: the first in scope
    # areas compared: every authority as published (issue 18: benchmarks survive scope), against Wales itself
    assert len(_area_table(at, "en")) == 22
    assert t("area.in_scope", "en") not in "\n".join(h.value for h in at.subheader)

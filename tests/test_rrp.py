"""RRP activity on a hand-made fixture, every figure worked out by hand; and the page in English and Welsh.

Fixture (period 2024 Q1 to 2024 Q3, data as of 2024-09-30):

- RRP ``A`` covers Cardiff (established 2023-10-01); RRP ``B`` covers Swansea and Neath Port Talbot (established
  2024-04-01, so 2024 Q1 does not apply to it).
- Meetings (cases reviewed, actions agreed, completed, escalations):
  A0 2023-12-13 (3, 5, 5, 0) before the period;  A1 2024-01-10 (2, 4, 3, 1);  A2 2024-02-14 (1, 2, 2, 0);
  A3 2024-05-20 (blank, 3, 4, 1) -- completed > agreed, so left out of the actions;  A4 2024-06-17 (3, 6, 3, blank);
  B1 2024-04-05 (4, 5, 5, 2);  B2 2024-09-05 (2, blank, 1, 0) -- agreed blank, so left out of the actions.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from resettlement import disclosure, filters, rrp
from resettlement.filters import Area, Filters
from resettlement.i18n import label, t
from tests.apptest import open_page
from tests.fixtures import CARDIFF, SWANSEA, frame

NPT = "W06000012"
AS_OF = date(2024, 9, 30)
F = Filters("2024Q1", "2024Q3")
QUARTERS = ["2024Q1", "2024Q2", "2024Q3"]


def _rrps() -> pl.DataFrame:
    return frame(
        "rrps",
        [
            {
                "rrp_id": "A",
                "name": "Cardiff Reintegration and Resettlement Partnership",
                "name_cy": "Partneriaeth Ailintegreiddio ac Ailsefydlu Caerdydd",
                "la_codes": CARDIFF,
                "established_date": date(2023, 10, 1),
            },
            {
                "rrp_id": "B",
                "name": "Western Bay Reintegration and Resettlement Partnership",
                "name_cy": None,
                "la_codes": f"{SWANSEA};{NPT}",
                "established_date": date(2024, 4, 1),
            },
        ],
    )


def _meetings() -> pl.DataFrame:
    def m(mid, rrp_id, day, cases, agreed, completed, esc):
        return {
            "meeting_id": mid,
            "rrp_id": rrp_id,
            "meeting_date": day,
            "cases_reviewed": cases,
            "actions_agreed": agreed,
            "actions_completed": completed,
            "escalations": esc,
        }

    return frame(
        "rrp_meetings",
        [
            m("A0", "A", date(2023, 12, 13), 3, 5, 5, 0),
            m("A1", "A", date(2024, 1, 10), 2, 4, 3, 1),
            m("A2", "A", date(2024, 2, 14), 1, 2, 2, 0),
            m("A3", "A", date(2024, 5, 20), None, 3, 4, 1),
            m("A4", "A", date(2024, 6, 17), 3, 6, 3, None),
            m("B1", "B", date(2024, 4, 5), 4, 5, 5, 2),
            m("B2", "B", date(2024, 9, 5), 2, None, 1, 0),
        ],
    )


def _attendance() -> pl.DataFrame:
    """(meeting, agency, invited, attended). Housing at B2 was not invited but marked attended: never counted."""
    rows = [
        ("A0", "yjs", True, False),
        ("A1", "yjs", True, True),
        ("A1", "police", True, False),
        ("A1", "health", True, True),
        ("A2", "yjs", True, True),
        ("A2", "police", True, True),
        ("A2", "health", True, None),
        ("A3", "yjs", True, True),
        ("A3", "police", False, None),
        ("A3", "health", True, False),
        ("A4", "yjs", True, True),
        ("A4", "police", True, True),
        ("A4", "health", True, False),
        ("B1", "yjs", True, True),
        ("B1", "police", True, False),
        ("B1", "health", True, False),
        ("B2", "yjs", True, True),
        ("B2", "police", True, False),
        ("B2", "health", True, True),
        ("B2", "housing", False, True),
    ]
    return frame(
        "rrp_attendance", [{"meeting_id": m, "agency_type": a, "invited": i, "attended": at} for m, a, i, at in rows]
    )


def _cases() -> pl.DataFrame:
    """k1-k9; k8 starts before the period. Comments give the RRP reviews each case has (see _reviews)."""

    def c(cid, la, cohort, start, release=None, rrp_id=None):
        return {
            "case_id": cid,
            "child_id": "p" + cid,
            "la_code": la,
            "cohort": cohort,
            "start_date": start,
            "release_date": release,
            "rrp_id": rrp_id,
            "rrp_referral_date": start if rrp_id else None,
        }

    return frame(
        "cases",
        [
            c("k1", CARDIFF, "custody", date(2024, 1, 5), date(2024, 3, 1), "A"),  # A1 referral, A2 pre-release
            c("k2", CARDIFF, "custody", date(2024, 2, 1), date(2024, 5, 19), "A"),  # A3 (05-20): one day after release
            c(
                "k3", SWANSEA, "remand", date(2024, 3, 20), date(2024, 4, 10), "B"
            ),  # B1 (04-05) referral, before release
            c("k4", SWANSEA, "custody", date(2024, 4, 1), None, "B"),  # still in custody; B2 pre-release
            c("k5", CARDIFF, "custody", date(2024, 6, 1), date(2024, 7, 15)),  # never referred, no review
            c("k6", CARDIFF, "community", date(2024, 2, 10), None, "A"),  # A2 referral
            c("k7", SWANSEA, "community", date(2024, 5, 1)),  # not referred
            c("k8", CARDIFF, "custody", date(2023, 11, 1), date(2024, 2, 1), "A"),  # starts before the period
            c("k9", CARDIFF, "remand", date(2024, 7, 1), date(2024, 8, 1), "A"),  # A4 (06-17) before its start
        ],
    )


def _reviews() -> pl.DataFrame:
    rows = [
        ("A1", "k1", "referral"),
        ("A2", "k1", "pre_release"),
        ("A3", "k2", "post_release"),
        ("B1", "k3", "referral"),
        ("B2", "k4", "pre_release"),
        ("A2", "k6", "referral"),
        ("A1", "k8", "referral"),
        ("A4", "k9", "pre_release"),
    ]
    return frame("rrp_reviews", [{"meeting_id": m, "case_id": c, "review_type": r} for m, c, r in rows])


def _row(df: pl.DataFrame, **where) -> dict:
    for k, v in where.items():
        df = df.filter(pl.col(k) == v)
    assert df.height == 1, where
    return df.row(0, named=True)


def _period_meetings() -> pl.DataFrame:
    return rrp.select_meetings(_meetings(), ["A", "B"], F.start, F.end)


def _per_case() -> pl.DataFrame:
    return rrp.case_reviews(filters.select_cases(_cases(), F), _reviews(), _meetings())


# ---- which RRPs -------------------------------------------------------------------------------------------------


def test_rrps_for_area_and_names():
    rrps = _rrps()
    assert rrp.rrps_for_area(rrps, Area())["rrp_id"].to_list() == ["A", "B"]
    assert rrp.rrps_for_area(rrps, Area("la", CARDIFF))["rrp_id"].to_list() == ["A"]
    assert rrp.rrps_for_area(rrps, Area("la", NPT))["rrp_id"].to_list() == ["B"]
    assert rrp.rrps_for_area(rrps, Area("police_area", "W15000003"))["rrp_id"].to_list() == ["A", "B"]
    assert rrp.rrps_for_area(rrps, Area("la", "W06000001")).is_empty()  # Anglesey: no RRP in the fixture
    assert rrp.rrp_names(rrps, "cy", short=True) == {"A": "Caerdydd", "B": "Western Bay"}  # B: no Welsh name
    assert rrp.rrp_names(rrps, "cy")["A"] == "Partneriaeth Ailintegreiddio ac Ailsefydlu Caerdydd"
    assert rrp.la_codes_of(rrps) == sorted([CARDIFF, SWANSEA, NPT])


# ---- meetings -------------------------------------------------------------------------------------------------


def test_meetings_per_quarter():
    per = rrp.meetings_per_quarter(_meetings(), _rrps(), QUARTERS)
    a, b = per.filter(pl.col("rrp_id") == "A"), per.filter(pl.col("rrp_id") == "B")
    # A: Q1 A1, A2; Q2 A3, A4; Q3 none (a zero, not a gap). Case reviews: 2+1; blank+3; 0.
    assert a["meetings"].to_list() == [2, 2, 0]
    assert a["cases_reviewed"].to_list() == [3, 3, 0]
    # B was established 2024-04-01: Q1 does not apply (null); Q2 B1; Q3 B2.
    assert b["meetings"].to_list() == [None, 1, 1]
    assert b["cases_reviewed"].to_list() == [None, 4, 2]


def test_activity_summary_gaps_and_actions():
    s = rrp.activity_summary(_meetings(), _rrps(), QUARTERS, AS_OF)
    a, b = _row(s, rrp_id="A"), _row(s, rrp_id="B")
    # A's gaps ending in the period: A0->A1 28 (looks back before the period), A1->A2 35, A2->A3 96, A3->A4 28.
    # Sorted 28, 28, 35, 96: median (28 + 35) / 2 = 31.5, longest 96. Last meeting 06-17, 105 days to 09-30.
    assert (a["meetings"], a["quarters_without"]) == (4, 1)  # Q3 had no meeting
    assert (a["median_gap_days"], a["longest_gap_days"], a["days_since_last"]) == (31.5, 96, 105)
    # Case reviews 2 + 1 + 3 (A3 blank left out). Actions: A1 4/3, A2 2/2, A4 6/3 (A3 invalid, left out) = 12/8.
    assert (a["cases_reviewed"], a["actions_agreed"], a["actions_completed"], a["escalations"]) == (6, 12, 8, 2)
    assert a["completion_rate"] == pytest.approx(8 / 12)
    # B: one gap B1->B2 of 153 days; 25 days since B2; Q1 does not apply so no quarter without a meeting.
    assert (b["meetings"], b["quarters_without"], b["median_gap_days"], b["longest_gap_days"]) == (2, 0, 153, 153)
    assert b["days_since_last"] == 25
    # Case reviews 4 + 2; actions only B1 (B2's agreed is blank): 5/5; escalations 2 + 0.
    assert (b["cases_reviewed"], b["actions_agreed"], b["actions_completed"], b["escalations"]) == (6, 5, 5, 2)
    assert b["completion_rate"] == 1.0


def test_days_since_last_stops_at_the_data_date():
    # A period ending after the data date: A's last meeting 06-17, counted to 2024-08-31 = 75 days.
    s = rrp.activity_summary(_meetings(), _rrps(), QUARTERS, date(2024, 8, 31))
    assert _row(s, rrp_id="A")["days_since_last"] == 75


def test_activity_by_quarter():
    q = rrp.activity_by_quarter(_period_meetings(), QUARTERS)
    # Q1: A1, A2. Q2: A3, A4, B1 (A3's actions left out, A4's escalations blank). Q3: B2 (actions left out).
    assert q["meetings"].to_list() == [2, 3, 1]
    assert q["cases_reviewed"].to_list() == [3, 7, 2]
    assert q["actions_agreed"].to_list() == [6, 11, 0]
    assert q["actions_completed"].to_list() == [5, 8, 0]
    assert q["escalations"].to_list() == [1, 3, 0]
    assert q["completion_rate"].to_list() == [pytest.approx(5 / 6), pytest.approx(8 / 11), None]


# ---- attendance -------------------------------------------------------------------------------------------------


def _matrix() -> pl.DataFrame:
    rows = rrp.invitations(_attendance(), _period_meetings())
    return rrp.attendance_matrix(rows, ["A", "B"], rows)


def test_attendance_matrix_cells_and_totals():
    m = _matrix()
    assert m.height == 10 * 3  # 9 agency types + all agencies, × A, B and the pooled column
    cell = lambda a, r: tuple(_row(m, agency_type=a, rrp_id=r)[c] for c in ("invited", "recorded", "attended"))  # noqa: E731
    # A (A1-A4; A0 is before the period): YJS 4 invited, 4 attended.
    assert cell("yjs", "A") == (4, 4, 4)
    # Police invited at A1, A2, A4 (not A3), attended A2 and A4: 2 / 3.
    assert cell("police", "A") == (3, 3, 2)
    # Health invited 4 times, attendance blank at A2, attended A1 only: 1 / 3 recorded.
    assert cell("health", "A") == (4, 3, 1)
    assert _row(m, agency_type="health", rrp_id="A")["attendance_rate"] == pytest.approx(1 / 3)
    # B: YJS 2/2, police 0/2, health 1/2; housing was never invited, so no invitations and no rate.
    assert (cell("yjs", "B"), cell("police", "B"), cell("health", "B")) == ((2, 2, 2), (2, 2, 0), (2, 2, 1))
    assert cell("housing", "B") == (0, 0, 0)
    assert _row(m, agency_type="housing", rrp_id="B")["attendance_rate"] is None
    # All agencies: A 11 invited, 10 recorded, 7 attended (0.7); B 6, 6, 3 (0.5).
    assert cell("all", "A") == (11, 10, 7) and _row(m, agency_type="all", rrp_id="A")["attendance_rate"] == 0.7
    assert cell("all", "B") == (6, 6, 3) and _row(m, agency_type="all", rrp_id="B")["attendance_rate"] == 0.5
    # Pooled column (A and B): YJS 6/6/6, police 5/5/2 (0.4), health 6/5/2 (0.4), all 17/16/10 (0.625).
    assert (cell("yjs", "all"), cell("police", "all"), cell("health", "all")) == ((6, 6, 6), (5, 5, 2), (6, 5, 2))
    assert cell("all", "all") == (17, 16, 10)
    assert _row(m, agency_type="all", rrp_id="all")["attendance_rate"] == 0.625


def test_weak_attendance_is_flagged_only_where_shown():
    protected = disclosure.protect(_matrix(), rates=rrp.ATTENDANCE_RATES, threshold=3)
    flagged = rrp.flag_weak(protected)
    # B police (0 of 2) is under 60% but rests on 2 recorded invitations < 3: hidden, so never flagged.
    assert _row(flagged, agency_type="police", rrp_id="B")["attendance_rate"] is None
    assert not _row(flagged, agency_type="police", rrp_id="B")["weak"]
    # A police 2/3 = 67% is not weak; A health 1/3 = 33% is.
    assert not _row(flagged, agency_type="police", rrp_id="A")["weak"]
    cells = rrp.weak_cells(flagged)
    assert cells.select("agency_type", "rrp_id").rows() == [("health", "A")]
    # Pooled: health and police both 2/5 = 40%, weakest first then by agency; B's all-agency 50% row left out.
    pooled = rrp.weak_cells(flagged, pooled=True)
    assert pooled.select("agency_type", "attendance_rate").rows() == [("health", 0.4), ("police", 0.4)]
    assert rrp.WEAK_ATTENDANCE == 0.6
    assert f"{rrp.WEAK_ATTENDANCE:.0%}" in t("rrp.definitions.body", "en", n=5, m=4)


def test_weak_attendance_in_words():
    flagged = rrp.flag_weak(disclosure.protect(_matrix(), rates=rrp.ATTENDANCE_RATES, threshold=3))
    agencies = {a: label("agency_type", a, "en") for a in rrp.AGENCY_TYPES}
    columns = {"A": "Cardiff", "B": "Western Bay", "all": "Wales"}
    named, pooled = rrp.weak_text(flagged, "en", agencies, columns, "South Wales", "Wales")
    assert named == "**Weak attendance (under 60%) in South Wales:** Health / CAMHS, Cardiff (33%)."
    assert pooled == "**Agencies attending under 60% of invitations across Wales:** Health / CAMHS (40%); Police (40%)."
    # With a 30% threshold nothing is weak: a line says so, and there is no pooled list.
    named, pooled = rrp.weak_text(rrp.flag_weak(flagged, threshold=0.3), "cy", agencies, columns, "De Cymru", "Cymru")
    assert (named, pooled) == (t("rrp.att.no_weak", "cy", weak="60%"), None)


def test_matrix_wide_keeps_notes():
    protected = disclosure.protect(_matrix(), rates=rrp.ATTENDANCE_RATES, threshold=3)
    agencies = {a: a for a in rrp.AGENCY_TYPES} | {"police": "Police", "all": "All"}
    wide = rrp.matrix_wide(
        protected, "attendance_rate", agencies, {"A": "Cardiff", "B": "Western Bay", "all": "Wales"}, "Agency"
    )
    assert wide.columns[:4] == ["Agency", "Cardiff", "Western Bay", "Wales"]
    police = _row(wide, Agency="Police")
    assert police["Cardiff"] == pytest.approx(200 / 3) and police["Western Bay"] is None
    assert police["Western Bay" + disclosure.NOTE_SUFFIX] == "c"
    assert _row(wide, Agency="housing")["Western Bay" + disclosure.NOTE_SUFFIX] == "z"  # no invitations


def test_attendance_trend():
    rows = rrp.invitations(_attendance(), _period_meetings())
    a = rows.filter(pl.col("rrp_id") == "A")
    tr = rrp.attendance_trend({"area": a, "wales": rows}, QUARTERS)
    area = tr.filter(pl.col("series") == "area")
    # Q1 (A1, A2): 6 invited, 5 recorded, 4 attended (YJS 2, police A2, health A1) = 0.8.
    # Q2 (A3: YJS, health; A4: YJS, police, health): 5 invited, 3 attended = 0.6. Q3: A did not meet.
    assert area["invited"].to_list() == [6, 5, 0]
    assert area["attendance_rate"].to_list() == [0.8, 0.6, None]
    health = rrp.attendance_trend({"area": a}, QUARTERS, agency="health")
    assert health["recorded"].to_list() == [1, 2, 0]
    assert health["attendance_rate"].to_list() == [1.0, 0.0, None]
    wales = tr.filter(pl.col("series") == "wales")
    # Q2 adds B1 (3 invited, 1 attended): 8 invited, 4 attended = 0.5; Q3 B2: 3 invited (not housing), 2 attended.
    assert wales["invited"].to_list() == [6, 8, 3]
    assert wales["attendance_rate"].to_list() == [0.8, 0.5, pytest.approx(2 / 3)]


def test_page_figures_from_the_tables():
    """What the page caches: the same figures as the parts above, for A alone against both RRPs."""
    tables = {"rrps": _rrps(), "rrp_meetings": _meetings(), "rrp_attendance": _attendance()}
    figs = rrp.activity_figures(tables, F, ["A"], QUARTERS, AS_OF)
    assert figs["per_quarter"]["meetings"].to_list() == [2, 2, 0]  # A alone
    assert figs["summary"]["rrp_id"].to_list() == ["A"] and figs["summary"]["median_gap_days"].to_list() == [31.5]
    assert figs["actions"]["meetings"].to_list() == [2, 2, 0]  # A1 A2; A3 A4; none
    assert figs["actions"]["actions_agreed"].to_list() == [6, 6, 0]  # A3's actions left out
    # The matrix compares A with both RRPs pooled: all agencies 11 invited at A, 17 across A and B.
    assert _row(figs["attendance"], agency_type="all", rrp_id="A")["invited"] == 11
    assert _row(figs["attendance"], agency_type="all", rrp_id=rrp.ALL)["invited"] == 17
    trend = rrp.attendance_trend_of(tables, F, ["A"], QUARTERS, rrp.ALL, whole=False)
    assert trend.filter(pl.col("series") == "area")["attendance_rate"].to_list() == [0.8, 0.6, None]
    assert trend.filter(pl.col("series") == "wales")["invited"].to_list() == [6, 8, 3]
    whole = rrp.attendance_trend_of(tables, F, ["A", "B"], QUARTERS, "health", whole=True)
    assert whole["series"].unique().to_list() == ["area"]
    assert whole["recorded"].to_list() == [1, 3, 1]  # A1 (A2 blank); A3, A4, B1; B2


# ---- timeliness -------------------------------------------------------------------------------------------------


def test_case_reviews_per_case():
    pc = _per_case()
    assert "k8" not in pc["case_id"].to_list()  # started before the period
    got = {r["case_id"]: (r["days_to_first_review"], r["reviewed_before_release"]) for r in pc.iter_rows(named=True)}
    assert got["k1"] == (5, True)  # first review A1 01-10, 5 days after 01-05; pre-release review at A2
    assert got["k2"] == (109, False)  # only review A3 05-20, the day after release (05-19); 02-01 to 05-20 = 109
    assert got["k3"] == (16, True)  # B1 04-05 is before release 04-10; 03-20 to 04-05 = 16
    assert got["k4"] == (157, None)  # still in custody: not released, so neither yes nor no
    assert got["k5"] == (None, False)  # released with no review at all
    assert got["k9"] == (0, True)  # reviewed 06-17, before its start on 07-01: counts as 0 days


def test_reviewed_before_release():
    rel = rrp.release_reviews(_per_case())
    custody, remand, both = _row(rel, cohort="custody"), _row(rel, cohort="remand"), _row(rel, cohort="all")
    # Custody released: k1 (yes), k2 (a day late), k5 (never reviewed); k4 has no release date.
    assert (
        custody["released"],
        custody["reviewed_before_release"],
        custody["not_reviewed_before_release"],
        custody["not_released"],
    ) == (3, 1, 2, 1)
    assert custody["reviewed_before_rate"] == pytest.approx(1 / 3)
    # Remand: k3 and k9, both reviewed before release.
    assert (remand["released"], remand["reviewed_before_release"], remand["reviewed_before_rate"]) == (2, 2, 1.0)
    assert (both["released"], both["reviewed_before_release"], both["reviewed_before_rate"]) == (5, 3, 0.6)
    # Only remand chosen: one row for remand and the total.
    assert rrp.release_reviews(_per_case(), ["remand", "community"])["cohort"].to_list() == ["remand", "all"]


def test_days_to_first_review():
    fr = rrp.first_review(_per_case())
    # Custody k1 5, k2 109, k4 157, k5 none: median 109. Remand k3 16, k9 0: median 8. All: 0, 5, 16, 109, 157 -> 16.
    assert tuple(_row(fr, cohort="custody")[c] for c in ("episodes", "reviewed", "not_reviewed", "median_days")) == (
        4,
        3,
        1,
        109.0,
    )
    assert tuple(_row(fr, cohort="remand")[c] for c in ("episodes", "reviewed", "median_days")) == (2, 2, 8.0)
    assert tuple(_row(fr, cohort="all")[c] for c in ("episodes", "reviewed", "median_days")) == (6, 5, 16.0)
    bins = rrp.first_review_bins(_per_case())
    got = {(b, c): e for b, c, e in bins.iter_rows()}
    assert bins.height == 6 * 2
    assert [got[(b, "custody")] for b in rrp.BIN_CODES] == [1, 0, 0, 0, 2, 1]  # 5 | 109, 157 | k5
    assert [got[(b, "remand")] for b in rrp.BIN_CODES] == [1, 1, 0, 0, 0, 0]  # 0 | 16
    assert list(rrp.bin_labels("en").values()) == [
        "0 to 14 days",
        "15 to 28 days",
        "29 to 56 days",
        "57 to 91 days",
        "92 days or more",
        "Not reviewed yet",
    ]


def test_referral_shares():
    ref = rrp.referral_shares(filters.select_cases(_cases(), F), ("custody", "remand", "community"))
    # Custody k1, k2, k4 referred of k1, k2, k4, k5; remand k3, k9 of 2; community k6 of k6, k7; all 6 of 8.
    assert [(r["cohort"], r["episodes"], r["referred"]) for r in ref.iter_rows(named=True)] == [
        ("custody", 4, 3),
        ("remand", 2, 2),
        ("community", 2, 1),
        ("all", 8, 6),
    ]
    assert ref["referred_share"].to_list() == [0.75, 1.0, 0.5, 0.75]


def test_headline_protected():
    rows = rrp.invitations(_attendance(), _period_meetings())
    head = rrp.headline(_period_meetings(), rows, _per_case())
    h = head.row(0, named=True)
    # Meetings A1-A4, B1, B2; case reviews 6 + 6; actions 12 + 5 agreed, 8 + 5 completed; escalations 2 + 2.
    assert (h["meetings"], h["cases_reviewed"], h["actions_agreed"], h["actions_completed"], h["escalations"]) == (
        6,
        12,
        17,
        13,
        4,
    )
    assert (h["invited"], h["recorded"], h["attended"], h["attendance_rate"]) == (17, 16, 10, 0.625)
    assert (h["released"], h["reviewed_before_release"], h["reviewed_before_rate"]) == (5, 3, 0.6)
    shown = rrp.texts(
        disclosure.protect(head, counts=rrp.HEADLINE_COUNTS, rates=rrp.HEADLINE_RATES, threshold=5),
        percent=list(rrp.HEADLINE_RATES),
    )
    # Threshold 5: 4 escalations hidden; 13 of 17 actions leaves 4 not completed, so the rate is hidden too;
    # 3 of 5 reviewed before release is a small numerator: hidden. Meetings and attendance are not about children.
    assert (shown["escalations"], shown["completion_rate"], shown["reviewed_before_rate"]) == ("c", "c", "c")
    assert (shown["meetings"], shown["cases_reviewed"], shown["attendance_rate"]) == ("6", "12", "62%")


# ---- the page ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_page_renders_and_drills_down(app, lang):
    at = open_page(app, "rrp", lang)
    assert not at.exception, [e.value for e in at.exception]
    assert at.header[0].value == t("rrp.meetings.title", lang)
    assert [m.label for m in at.metric][:2] == [t("rrp.metric.meetings", lang), t("rrp.metric.cases_reviewed", lang)]
    wales_meetings = int(at.metric[0].value.replace(",", ""))
    choice = at.selectbox(key="rrp_choice")
    cardiff = {
        "en": "Cardiff Reintegration and Resettlement Partnership",
        "cy": "Partneriaeth Ailintegreiddio ac Ailsefydlu Caerdydd",
    }[lang]
    assert cardiff in choice.options  # names in the chosen language
    choice.set_value("rrp_cardiff").run()
    assert not at.exception, [e.value for e in at.exception]
    assert 0 < int(at.metric[0].value.replace(",", "")) < wales_meetings
    at.selectbox(key="rrp_att_agency").set_value("health").run()
    assert not at.exception, [e.value for e in at.exception]


def test_page_without_secure_cohorts_says_so(app):
    at = open_page(app, "rrp", "en")
    at.sidebar.pills[0].set_value(["community"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert t("rrp.time.no_secure", "en") in [i.value for i in at.info]

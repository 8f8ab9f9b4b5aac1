"""Proven reoffending (MoJ framework) on a hand-worked fixture, through the functions and the CLI's --json.

The fixture (as of 2026-09-30; period 2024Q1-2025Q2, where 2025Q2 is not final: its last day + 18 months is
2026-12-31). Cardiff children unless said:

- A custody, released 2024-02-01 (index); offence 2024-06-01, proven 2024-09-01: reoffends, 3 reoffences, 121
  days. A's later community order (2024-05-01) is not A's first event: ignored.
- B community 2024-03-10; first reoffence 2025-04-01 (after the 12 months to 2025-03-10): no.
- C community 2024-04-15; offence 2024-10-01 inside 12 months, proven 2025-11-01 (after 2025-10-15, the 6-month
  wait): no.
- D custody, released 2024-05-20; offence 2024-12-01, proven 2025-11-19 (wait ends 2025-11-20): reoffends, 195
  days, count missing.
- E remanded, released 2024-03-01 (offence 2024-04-01, proven 2024-06-01: the remand measure's only reoffender),
  then a community order 2024-07-01 with no reoffence and a record checked 2026-08-01 (after 2026-01-01): no.
- F community 2024-08-01; checked too early (2025-06-01); only the hand-filled flag says yes (2 reoffences).
- G community 2024-09-01; nothing recorded.
- H custody, released 2025-05-01: in the open quarter 2025Q2.
- J custody released 2024-03-15, checked 2026-01-01: no; J's second release 2024-11-01 with a reoffence is not
  J's first event.
- I (Swansea) community 2024-02-01; offence 2024-03-01, proven 2024-04-01: reoffends, 1.

Cardiff, MoJ measure: 8 final children (A B C D E F G J), 7 recorded, 3 reoffenders (A D F): 3/7 = 42.9%, one
decided by the flag, one open (H). Frequency per reoffender = mean of the recorded counts (3, 2) = 2.5, per
offender = 3/7 × 2.5 = 1.0714 (dropping D from both sides would give 5/6 = 0.833, biased low). Time to first
reoffence: A 121 and D 195 days, median 158. Custody: A D J, 2 of 3; community: B C E F G, 1 of 4 recorded.
Remand: E, 1 of 1. Wales adds I: 9 children, 8 recorded, 4 reoffenders.
"""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from resettlement import reoffending, store
from resettlement.__main__ import main
from resettlement.filters import Area, Filters
from tests.fixtures import CARDIFF, SWANSEA, frame

pytestmark = pytest.mark.usefixtures("own_snapshots")  # their databases' snapshots apart

AS_OF = date(2026, 9, 30)
D = date


def _c(cid, child, cohort, start, release=None, la=CARDIFF):
    return {
        "case_id": cid,
        "child_id": child,
        "la_code": la,
        "cohort": cohort,
        "start_date": start,
        "release_date": release,
    }


def _o(cid, off=None, proven=None, checked=None, flag=None, count=None):
    return {
        "case_id": cid,
        "first_reoffence_date": off,
        "first_reoffence_proven_date": proven,
        "reoffending_checked_date": checked,
        "reoffended": flag,
        "reoffences": count,
    }


def fixture_tables() -> dict[str, pl.DataFrame]:
    cases = [
        _c("a1", "A", "custody", D(2023, 10, 1), D(2024, 2, 1)),
        _c("a2", "A", "community", D(2024, 5, 1)),
        _c("b1", "B", "community", D(2024, 3, 10)),
        _c("c1", "C", "community", D(2024, 4, 15)),
        _c("d1", "D", "custody", D(2024, 1, 5), D(2024, 5, 20)),
        _c("e1", "E", "remand", D(2024, 2, 1), D(2024, 3, 1)),
        _c("e2", "E", "community", D(2024, 7, 1)),
        _c("f1", "F", "community", D(2024, 8, 1)),
        _c("g1", "G", "community", D(2024, 9, 1)),
        _c("h1", "H", "custody", D(2024, 6, 1), D(2025, 5, 1)),
        _c("j1", "J", "custody", D(2023, 12, 1), D(2024, 3, 15)),
        _c("j2", "J", "custody", D(2024, 8, 1), D(2024, 11, 1)),
        _c("i1", "I", "community", D(2024, 2, 1), la=SWANSEA),
    ]
    outs = [
        _o("a1", D(2024, 6, 1), D(2024, 9, 1), D(2026, 8, 1), True, 3),
        _o("a2", checked=D(2026, 8, 1)),
        _o("b1", D(2025, 4, 1), D(2025, 5, 1), D(2026, 8, 1), True, 1),  # the flag is wrong: dates decide
        _o("c1", D(2024, 10, 1), D(2025, 11, 1), D(2026, 8, 1)),
        _o("d1", D(2024, 12, 1), D(2025, 11, 19), D(2026, 8, 1), True, None),
        _o("e1", D(2024, 4, 1), D(2024, 6, 1), D(2026, 8, 1), True, 1),
        _o("e2", checked=D(2026, 8, 1)),
        _o("f1", checked=D(2025, 6, 1), flag=True, count=2),
        _o("g1"),
        _o("h1", D(2025, 6, 1), D(2025, 7, 1), D(2026, 8, 1), True, 1),
        _o("j1", checked=D(2026, 1, 1)),
        _o("j2", D(2024, 12, 1), D(2025, 1, 1), D(2026, 8, 1), True, 4),
        _o("i1", D(2024, 3, 1), D(2024, 4, 1), D(2026, 8, 1), True, 1),
    ]
    return {"cases": frame("cases", cases), "outcomes": frame("outcomes", outs)}


CARDIFF_F = Filters("2024Q1", "2025Q2", Area("la", CARDIFF))


def _rows(f: Filters = CARDIFF_F) -> dict[str, dict]:
    out = reoffending.for_period(fixture_tables(), f, AS_OF)
    return {r["measure"]: r for r in out.iter_rows(named=True)}


def test_moj_measure_counts_children_by_first_event_from_dates():
    r = _rows()["proven"]
    assert (r["children"], r["recorded"], r["not_recorded"], r["reoffenders"], r["from_flag"], r["open"]) == (
        8,
        7,
        1,
        3,
        1,
        1,
    )
    assert r["rate"] == pytest.approx(3 / 7)
    assert r["final_to"] == D(2025, 3, 31)


def test_frequencies_keep_reoffenders_whose_count_is_missing():
    r = _rows()["proven"]
    assert r["reoffenders_counted"] == 2
    assert r["per_reoffender"] == pytest.approx(2.5)
    assert r["per_offender"] == pytest.approx(3 / 7 * 2.5)


def test_time_to_first_reoffence_from_dates_only():
    r = _rows()["proven"]
    assert (r["days_base"], r["days_median"], r["days_mean"]) == (2, 158.0, 158.0)


def test_custody_community_and_remand_are_separate_rows():
    rows = _rows()
    assert (rows["custody"]["children"], rows["custody"]["reoffenders"], rows["custody"]["open"]) == (3, 2, 1)
    assert (rows["community"]["children"], rows["community"]["recorded"], rows["community"]["reoffenders"]) == (5, 4, 1)
    assert (rows["remand"]["children"], rows["remand"]["reoffenders"], rows["remand"]["per_reoffender"]) == (1, 1, 1.0)


def test_areas_add_up_to_wales():
    wales = _rows(Filters("2024Q1", "2025Q2"))["proven"]
    assert (wales["children"], wales["recorded"], wales["reoffenders"]) == (9, 8, 4)
    per_area = reoffending.by_area(fixture_tables(), Filters("2024Q1", "2025Q2"), AS_OF, "la_code")
    assert dict(zip(per_area["la_code"], per_area["recorded"], strict=True)) == {CARDIFF: 7, SWANSEA: 1}


def test_wilson_interval_at_small_numbers():
    r = _rows()["proven"]
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((0.1582, 0.7495), abs=5e-4)


def test_open_quarters_are_never_rates():
    q = reoffending.by_quarter(fixture_tables(), CARDIFF_F, AS_OF, ["2024Q1", "2025Q2"])
    rows = {r["quarter"]: r for r in q.iter_rows(named=True)}
    assert rows["2024Q1"]["status"] == "final" and rows["2024Q1"]["children"] == 3  # A, B, J
    assert rows["2025Q2"]["status"] == "open" and rows["2025Q2"]["children"] == 1
    assert rows["2025Q2"]["rate"] is None and rows["2025Q2"]["reoffenders"] is None


@pytest.fixture
def fixture_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'reoff.db'}"
    tables = fixture_tables()
    store.replace_all(store.get_engine(url), {**tables}, {"as_of": AS_OF.isoformat(), "synthetic": "0"})
    return url


def _cardiff_json(url: str) -> int:
    """``reoffending --json`` for Cardiff, 2024Q1 to 2025Q2, as an administrator; the exit code."""
    argv = ["reoffending", "--db", url, "--area", f"la:{CARDIFF}", "--from", "2024Q1", "--to", "2025Q2"]
    return main([*argv, "--json", "--as-admin"])


def test_cli_json_gives_the_documented_figures(fixture_url, capsys, monkeypatch):
    monkeypatch.setenv("RESETTLEMENT_SUPPRESSION_THRESHOLD", "1")  # every figure shown, exactly, to check it by hand
    monkeypatch.setenv("RESETTLEMENT_PUBLICATION_METHOD", "suppress")
    assert _cardiff_json(fixture_url) == 0
    out = json.loads(capsys.readouterr().out)
    rows = {r["measure"]: r for r in out["measures"]}
    p = rows["proven"]
    assert (p["children"], p["recorded"], p["reoffenders"], p["open"], p["from_flag"]) == (8, 7, 3, 1, 1)
    assert p["rate"] == pytest.approx(0.428571, abs=1e-6)
    assert p["per_offender"] == pytest.approx(1.071429, abs=1e-6)
    assert p["per_reoffender"] == pytest.approx(2.5)
    assert p["days_median"] == 158.0
    assert rows["remand"]["reoffenders"] == 1
    assert [c["status"] for c in out["cohorts"]] == ["final"] * 5 + ["open"]


def test_cli_hides_small_numbers_by_default(fixture_url, capsys):
    assert _cardiff_json(fixture_url) == 0
    p = {r["measure"]: r for r in json.loads(capsys.readouterr().out)["measures"]}["proven"]
    assert p["reoffenders"] == "c" and p["rate"] == "c"


def _one(index_type: str, start: date, release: date | None, **out) -> pl.DataFrame:
    cases = frame("cases", [_c("x", "X", index_type, start, release)])
    events = reoffending.index_events(cases, AS_OF)
    return reoffending.outcome_of(events, frame("outcomes", [_o("x", **out)]))


def test_12_months_to_offend_and_18_to_be_proven_to_the_day():
    start = D(2024, 3, 10)
    inside = _one("community", start, None, off=D(2025, 3, 10), proven=D(2025, 9, 10))
    assert inside["reoffended"].item() is True and inside["source"].item() == "dates"
    late_offence = _one("community", start, None, off=D(2025, 3, 11), proven=D(2025, 4, 1))
    late_proof = _one("community", start, None, off=D(2025, 3, 1), proven=D(2025, 9, 11))
    assert late_offence["reoffended"].item() is False and late_proof["reoffended"].item() is False
    # month ends clamp: 31 August + 18 months = 28 February
    clamp = _one("community", D(2024, 8, 31), None, off=D(2025, 8, 31), proven=D(2026, 2, 28))
    assert clamp["reoffended"].item() is True
    assert (
        _one("community", D(2024, 8, 31), None, off=D(2025, 8, 31), proven=D(2026, 3, 1))["reoffended"].item() is False
    )


def test_a_check_before_the_window_closes_decides_nothing():
    start = D(2024, 3, 10)  # window closes 2025-09-10
    assert _one("community", start, None, checked=D(2025, 9, 10))["source"].item() == "checked"
    early = _one("community", start, None, checked=D(2025, 9, 9), flag=False)
    assert (early["source"].item(), early["reoffended"].item()) == ("flag", False)
    assert _one("community", start, None, checked=D(2025, 9, 9))["source"].item() == "not_recorded"


def test_index_events_release_for_custody_and_remand_start_for_community():
    cases = frame(
        "cases",
        [
            _c("a", "A", "custody", D(2024, 1, 1), D(2024, 5, 1)),
            _c("b", "B", "remand", D(2024, 1, 1), None),  # not released: no index event
            _c("c", "C", "custody", D(2024, 3, 1), D(2024, 2, 1)),  # release before start: invalid
            _c("d", "D", "community", D(2027, 1, 1)),
        ],
    )  # after the as-of date
    events = reoffending.index_events(cases, AS_OF)
    assert dict(zip(events["case_id"], events["index_date"], strict=True)) == {"a": D(2024, 5, 1)}


def test_quarter_final_from_and_first_open_quarter():
    assert pl.select(reoffending.quarter_final_from(pl.lit("2025Q1"))).item() == D(2026, 9, 30)
    assert reoffending.first_open_quarter(["2024Q4", "2025Q1", "2025Q2"], AS_OF) == "2025Q2"
    assert reoffending.first_open_quarter(["2024Q4"], AS_OF) is None


def test_one_figure_on_overview_profile_outcomes_deck_and_cli(demo_url, capsys, monkeypatch):
    """The same area and period give one proven reoffending figure on every page, slide and export (exact figures:
    the publication view by suppression, so the hand count is compared as it is)."""
    monkeypatch.setenv("RESETTLEMENT_PUBLICATION_METHOD", "suppress")
    from dataclasses import replace

    from resettlement import geography, outcomes, overview, profile, report
    from resettlement.scope import Scope
    from tests.apptest import AS_OF as DEMO_AS_OF

    tables = store.read_all(store.get_engine(demo_url), Scope.all_wales())
    tables["cases"] = geography.attach_service(tables["cases"])
    f = Filters("2023Q1", "2024Q4", Area("la", CARDIFF))
    k, n = reoffending.headline(tables, f, DEMO_AS_OF)
    assert n > 0
    head = overview.headline(tables, f, DEMO_AS_OF).filter(pl.col("metric") == "reoffending").row(0, named=True)
    assert (head["current_num"], head["current_den"]) == (k, n)
    per_area = profile.by_area(tables, f, "la", DEMO_AS_OF).filter(pl.col("area_code") == CARDIFF).row(0, named=True)
    assert (per_area["reoffenders"], per_area["reoffending_recorded"]) == (k, n)
    sec = profile.sections(tables, f, "la", CARDIFF, DEMO_AS_OF)["outcomes"]
    row = sec.filter((pl.col("group") == "area") & (pl.col("measure") == "reoffended")).row(0, named=True)
    assert (row["numerator"], row["denominator"]) == (k, n)
    page = outcomes.figures(tables, f, DEMO_AS_OF, ["2023Q1"])
    row = page["headline"].filter((pl.col("group") == "area") & (pl.col("measure") == "reoffended")).row(0, named=True)
    assert (row["numerator"], row["denominator"]) == (k, n)
    proven = page["reoffending"].filter(pl.col("measure") == "proven").row(0, named=True)
    assert (proven["reoffenders"], proven["recorded"]) == (k, n)
    # the deck: slide 2 (headline) and slide 10 (outcomes), threshold 1 so every figure is shown
    figs = report.build_figures(tables, f, DEMO_AS_OF, 1)
    slide2 = figs["headline"].filter(pl.col("metric") == "reoffending").row(0, named=True)
    slide10 = (
        figs["outcomes"].filter((pl.col("group") == "area") & (pl.col("measure") == "reoffended")).row(0, named=True)
    )
    assert slide2["current"] == pytest.approx(k / n) and slide10["rate"] == pytest.approx(k / n)
    # and the command line
    assert (
        main(
            ["reoffending", "--db", demo_url, "--area", f"la:{CARDIFF}", "--from", "2023Q1", "--to", "2024Q4", "--json"]
        )
        == 0
    )
    cli = {r["measure"]: r for r in json.loads(capsys.readouterr().out)["measures"]}["proven"]
    shown = (
        reoffending.protect(reoffending.for_period(tables, f, DEMO_AS_OF), 5)
        .filter(pl.col("measure") == "proven")
        .row(0, named=True)
    )
    assert cli["rate"] == (shown["rate"] if shown["rate"] is not None else "c")
    assert replace(f, area=Area()) != f  # the area really is a part of Wales here

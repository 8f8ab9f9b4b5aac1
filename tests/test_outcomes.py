"""Outcome measures on small dated fixtures, worked out by hand; the Outcomes page in both languages."""

from datetime import date

import polars as pl
import pytest

from resettlement import disclosure, outcomes
from resettlement.i18n import t
from resettlement.outcomes import wilson
from tests.apptest import open_page, texts
from tests.fixtures import CARDIFF, frame

AS_OF = date(2026, 9, 30)


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [(0, 10, 0.0, 0.2775), (5, 10, 0.2366, 0.7634), (81, 263, 0.2553, 0.3662), (10, 10, 0.7225, 1.0),
     (1, 1, 0.2065, 1.0)],
)
def test_wilson_interval_against_known_values(k, n, low, high):
    lo, hi = wilson(k, n)
    assert lo == pytest.approx(low, abs=5e-5)
    assert hi == pytest.approx(high, abs=5e-5)
    assert 0.0 <= lo <= k / n <= hi <= 1.0


def test_wilson_without_a_denominator_is_empty():
    assert wilson(0, 0) == (None, None)


def _case(cid, cohort, start, release=None, end=None, **extra):
    return {"case_id": cid, "child_id": "p" + cid, "la_code": CARDIFF, "cohort": cohort, "start_date": start,
            "release_date": release, "end_date": end, **extra}


def _rows(cases, outs, as_of=AS_OF):
    return outcomes.case_outcomes(frame("cases", cases), frame("outcomes", outs), as_of)


def _status(rows):
    return dict(zip(rows["case_id"], rows["reoffending_status"], strict=True))


def test_follow_up_window_is_18_months_to_the_day():
    cases = [
        _case("a", "community", date(2025, 3, 31)),  # + 18 months = 2026-09-30 = as-of: complete
        _case("b", "community", date(2025, 4, 1)),  # one day short: open
        _case("c", "custody", date(2024, 11, 1), release=date(2025, 3, 31)),  # index is release: complete
        _case("d", "custody", date(2024, 1, 5), release=date(2025, 4, 1)),  # released one day too late: open
        _case("e", "remand", date(2026, 8, 1)),  # not released yet: no index date
        _case("f", "custody", date(2025, 3, 1), release=date(2025, 2, 1)),  # release before start: invalid
    ]
    outs = [{"case_id": c["case_id"], "reoffended": True, "reoffences": 1} for c in cases]
    rows = _rows(cases, outs)
    assert _status(rows) == {"a": "complete", "b": "open", "c": "complete", "d": "open", "e": "no_index",
                             "f": "no_index"}
    assert rows.filter(pl.col("case_id") == "a")["final_from"].item() == date(2026, 9, 30)
    # only complete episodes carry the final flag
    assert rows.filter(pl.col("reoffended_final"))["case_id"].to_list() == ["a", "c"]
    assert dict(zip(rows["case_id"], rows["index_quarter"], strict=True))["c"] == "2025Q1"


def test_month_end_index_dates_clamp():
    cases = [_case("a", "community", date(2024, 8, 31))]  # + 18 months = 2026-02-28
    outs = [{"case_id": "a", "reoffended": False}]
    assert _status(_rows(cases, outs, date(2026, 2, 28))) == {"a": "complete"}
    assert _status(_rows(cases, outs, date(2026, 2, 27))) == {"a": "open"}


def _cohort_fixture():
    q1 = date(2024, 2, 1)
    cases = [_case(c, "community", q1) for c in "abcde"] + [_case("f", "community", date(2025, 5, 1))]
    outs = [
        {"case_id": "a", "reoffended": True, "reoffences": 2},
        {"case_id": "b", "reoffended": True, "reoffences": 1},
        {"case_id": "c", "reoffended": False},
        {"case_id": "d", "reoffended": None},  # not recorded: out of every denominator
        {"case_id": "e", "reoffended": True, "reoffences": None},  # count unknown: out of the frequencies only
        {"case_id": "f", "reoffended": True, "reoffences": 3},  # 2025Q2: open on 2026-09-30
    ]
    return _rows(cases, outs)


def test_reoffending_by_quarterly_cohort_binary_rate_and_frequency():
    by_q = outcomes.reoffending_by_cohort(_cohort_fixture(), ["2024Q1", "2025Q1", "2025Q2"], AS_OF)
    q1 = by_q.row(0, named=True)
    assert (q1["status"], q1["final_from"], q1["cohort"], q1["episodes"], q1["reoffenders"]) == (
        "final", date(2025, 9, 30), 5, 4, 3)
    assert q1["rate"] == pytest.approx(3 / 4)
    assert (q1["ci_low"], q1["ci_high"]) == pytest.approx(wilson(3, 4))
    # frequencies leave out e (a reoffender with no count): (2 + 1 + 0) / 3 children, 3 / 2 reoffenders
    assert (q1["frequency_base"], q1["reoffenders_counted"]) == (3, 2)
    assert q1["per_child"] == pytest.approx(1.0)
    assert q1["per_child_low"] == 0.0  # 1 - 1.96 * 1 / sqrt(3) floored at zero
    assert q1["per_child_high"] == pytest.approx(1 + 1.96 / 3**0.5)
    assert q1["per_reoffender"] == pytest.approx(1.5)
    empty = by_q.row(1, named=True)
    assert (empty["status"], empty["cohort"], empty["episodes"], empty["rate"]) == ("final", 0, 0, None)
    open_ = by_q.row(2, named=True)
    # 30 June + 18 months = 30 December
    assert (open_["status"], open_["final_from"], open_["cohort"]) == ("open", date(2026, 12, 30), 1)
    shown = [c for c in outcomes.REOFFENDING_RATES if open_[c] is not None]
    assert shown == [] and open_["reoffenders"] is None and open_["episodes"] is None  # never a low rate
    assert outcomes.first_open_quarter(["2024Q4", "2025Q1", "2025Q2"], AS_OF) == "2025Q2"


def test_cohort_rows_give_the_same_cohorts_as_case_outcomes():
    """The lean rows behind reoffending by cohort: the index dates of test_follow_up_window (release before start,
    not released, one day late) and of the cohort fixture, with the same figures either way."""
    cases = [
        _case("a", "community", date(2025, 3, 31)), _case("b", "community", date(2025, 4, 1)),
        _case("c", "custody", date(2024, 11, 1), release=date(2025, 3, 31)),
        _case("d", "custody", date(2024, 1, 5), release=date(2025, 4, 1)),
        _case("e", "remand", date(2026, 8, 1)), _case("f", "custody", date(2025, 3, 1), release=date(2025, 2, 1)),
        _case("g", "remand", date(2024, 12, 1), release=date(2026, 10, 5)),  # released after the as-of date
    ] + [_case(c, "community", date(2024, 2, 1)) for c in "hijk"]
    outs = [{"case_id": "a", "reoffended": True, "reoffences": 2}, {"case_id": "c", "reoffended": False},
            {"case_id": "d", "reoffended": True, "reoffences": 1}, {"case_id": "h", "reoffended": True},
            {"case_id": "i", "reoffended": False}, {"case_id": "j", "reoffended": None}]  # k has no outcome row
    lean = outcomes.cohort_rows(frame("cases", cases), frame("outcomes", outs), AS_OF)
    # index dates: a 2025Q1, b 2025Q2, c 2025Q1 (release), d 2025Q2 (release); e, f, g none; h-k 2024Q1
    assert sorted(lean["index_quarter"].to_list()) == ["2024Q1"] * 4 + ["2025Q1"] * 2 + ["2025Q2"] * 2
    quarters = ["2024Q1", "2025Q1", "2025Q2"]
    full = outcomes.reoffending_by_cohort(_rows(cases, outs), quarters, AS_OF)
    assert outcomes.reoffending_by_cohort(lean, quarters, AS_OF).equals(full)
    q1 = full.filter(pl.col("quarter") == "2025Q1").row(0, named=True)
    assert (q1["cohort"], q1["episodes"], q1["reoffenders"]) == (2, 2, 1)  # a reoffended, c did not


def test_open_cohorts_are_marked_not_applicable_after_protection():
    by_q = outcomes.reoffending_by_cohort(_cohort_fixture(), ["2024Q1", "2025Q2"], AS_OF)
    p = disclosure.protect(by_q, counts=["cohort", *outcomes.REOFFENDING_COUNTS], rates=outcomes.REOFFENDING_RATES,
                           threshold=3)
    assert p.row(1, named=True)["rate__note"] == disclosure.NOT_APPLICABLE
    # 3 of 4: the one non-reoffender is a small count, so the rate (and its interval) would give it back
    assert (p.row(0, named=True)["rate"], p.row(0, named=True)["ci_low__note"]) == (None, disclosure.SUPPRESSED)
    shown = disclosure.protect(by_q, rates=outcomes.REOFFENDING_RATES, threshold=1)
    assert shown.row(0, named=True)["rate"] == pytest.approx(0.75)
    assert shown.row(1, named=True)["rate__note"] == disclosure.NOT_APPLICABLE


def test_reoffending_summary_counts_open_and_unreleased():
    rows = _cohort_fixture().vstack(_rows([_case("g", "custody", date(2024, 3, 1))], [{"case_id": "g"}]))
    s = outcomes.reoffending_summary(rows).row(0, named=True)
    assert (s["complete"], s["episodes"], s["reoffenders"], s["open"], s["no_index"]) == (5, 4, 3, 1, 1)


def _end_fixture():
    cases = [
        _case("a", "custody", date(2024, 1, 1), release=date(2024, 3, 1), end=date(2024, 9, 1)),
        _case("b", "custody", date(2024, 1, 1), release=date(2024, 3, 1), end=date(2024, 9, 1)),
        _case("c", "remand", date(2024, 1, 1), release=date(2024, 2, 1)),
        _case("d", "remand", date(2024, 1, 1), release=date(2024, 2, 1)),
        _case("e", "community", date(2024, 1, 1), end=date(2025, 1, 1)),
        _case("f", "community", date(2024, 1, 1)),  # still open
    ]
    outs = [
        {"case_id": "a", "accommodation_suitable_end": True, "ete_suitable_end": False,
         "accommodation_confirmed_date": date(2024, 2, 20), "ete_hours_offered": 10.0, "ete_hours_attended": 5.0},
        {"case_id": "b", "accommodation_suitable_end": False, "ete_suitable_end": None,
         "accommodation_confirmed_date": date(2024, 3, 1), "ete_hours_offered": 20.0, "ete_hours_attended": 20.0},
        {"case_id": "c", "accommodation_confirmed_date": date(2024, 2, 4), "ete_hours_offered": 0.0},
        {"case_id": "d", "ete_hours_offered": 10.0, "ete_hours_attended": 12.0},  # attended > offered: invalid
        {"case_id": "e", "accommodation_suitable_end": True, "ete_suitable_end": True,
         "ete_hours_offered": 8.0},  # attended not recorded
        # f has no outcomes row at all
    ]
    return _rows(cases, outs)


def test_headline_rates_with_denominators_and_not_recorded():
    h = {r["measure"]: r for r in outcomes.headline(_end_fixture()).iter_rows(named=True)}
    assert list(h) == list(outcomes.MEASURES)
    acc = h["accommodation_suitable_end"]  # ended: a, b, e (f is open)
    assert (acc["numerator"], acc["denominator"], acc["not_recorded"]) == (2, 3, 0)
    assert (acc["ci_low"], acc["ci_high"]) == pytest.approx(wilson(2, 3))
    ete = h["ete_suitable_end"]
    assert (ete["numerator"], ete["denominator"], ete["not_recorded"]) == (1, 2, 1)
    conf = h["accommodation_confirmed_before_release"]  # a 10 days before; b on the day; c 3 days after; d none
    assert (conf["numerator"], conf["denominator"], conf["not_recorded"]) == (1, 3, 1)
    hours = h["ete_hours_attended"]  # a 5 of 10, b 20 of 20; d invalid and e unrecorded are not counted
    assert (hours["denominator"], hours["not_recorded"]) == (2, 2)
    assert hours["rate"] == pytest.approx(25 / 30)
    # delta method: residuals 5 - 25/30*10 and 20 - 25/30*20 = -10/3, +10/3; se = sqrt(200/9 / 1 / 2) / 15
    se = (200 / 9 / 2) ** 0.5 / 15
    assert hours["ci_low"] == pytest.approx(25 / 30 - 1.96 * se)
    assert hours["ci_high"] == 1.0
    assert h["reoffended"]["denominator"] == 0 and h["reoffended"]["rate"] is None


def test_days_between_confirmation_and_release():
    rows = _end_fixture()
    days = {r["bin"]: r for r in outcomes.confirmation_days(rows).iter_rows(named=True)}
    assert [b for b, r in days.items() if r["episodes"]] == ["before_8_14", "on_the_day", "after_1_7"]
    assert days["on_the_day"]["when"] == "on_or_after" and days["before_8_14"]["when"] == "before"
    assert days["after_1_7"]["share"] == pytest.approx(1 / 3)
    s = outcomes.confirmation_summary(rows).row(0, named=True)
    assert (s["recorded"], s["not_recorded"], s["late"], s["median_days_before"]) == (3, 1, 2, 0.0)
    assert (s["ci_low"], s["ci_high"]) == pytest.approx(wilson(2, 3))


def test_days_table_hides_its_small_total_too():
    """The total with a date (3 here, repeated in every bin's row) is a count like the bins: hidden when small, in
    the working view as well as the publication view."""
    days = disclosure.protect(outcomes.confirmation_days(_end_fixture()), counts=outcomes.DAYS_COUNTS,
                              rates=outcomes.DAYS_RATES, threshold=5)
    assert set(days["recorded__note"].to_list()) == {"c"} and days["recorded"].drop_nulls().len() == 0
    assert days.filter(pl.col("episodes").is_between(1, 4))["episodes"].len() == 0


def test_display_helpers_keep_notes_and_format_percentages():
    p = disclosure.protect(pl.DataFrame({"k": [3, 40], "n": [10, 100], "rate": [0.3, 0.4]}), counts=["n"],
                           rates={"rate": ("k", "n")}, threshold=5)
    shown = outcomes.texts(p, percent=("rate",))
    assert shown == [{"n": "10", "rate": "c"}, {"n": "100", "rate": "40.0%"}]
    named = outcomes.relabel(outcomes.to_percent(p, ["rate"]), {"rate": "Rate (%)"})
    assert named.columns == ["Rate (%)", "Rate (%)__note"]
    assert named["Rate (%)"].to_list() == [None, 40.0]


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_outcomes_page_renders_every_section(app, lang):
    at = open_page(app, "outcomes", lang)
    assert not at.exception, [e.value for e in at.exception]
    headers = [h.value for h in at.header]
    for key in ("headline.title", "timing.title", "reoff.title", "eval.title"):
        assert t(f"outcomes.{key}", lang) in headers
    labels = [m.label for m in at.metric]
    assert t("outcomes.reoff.rate", lang) in labels and t("outcomes.reoff.open", lang) in labels
    verdicts = [b.value for b in [*at.success, *at.error, *at.info, *at.warning]]
    for outcome in ("reoffended", "accommodation_suitable_end"):
        assert any(f"**{t(f'outcomes.measure.{outcome}', lang)}**" in v for v in verdicts)
    assert t("outcomes.caveat.selection", lang)[:30] in texts(at)


def test_outcomes_page_over_the_whole_period_reaches_a_verdict(app):
    at = open_page(app, "outcomes", "en")
    at.sidebar.select_slider[0].set_value(("2016Q1", "2026Q3")).run()
    assert not at.exception, [e.value for e in at.exception]
    conclusions = [b.value for b in [*at.success, *at.error, *at.info]]
    assert conclusions, "over ten years at scale 0.5, some outcome should have enough matched episodes"

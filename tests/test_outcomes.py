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
    [
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
        (81, 263, 0.2553, 0.3662),
        (10, 10, 0.7225, 1.0),
        (1, 1, 0.2065, 1.0),
    ],
)
def test_wilson_interval_against_known_values(k, n, low, high):
    lo, hi = wilson(k, n)
    assert lo == pytest.approx(low, abs=5e-5)
    assert hi == pytest.approx(high, abs=5e-5)
    assert 0.0 <= lo <= k / n <= hi <= 1.0


def test_wilson_without_a_denominator_is_empty():
    assert wilson(0, 0) == (None, None)


def _case(cid, cohort, start, release=None, end=None, **extra):
    return {
        "case_id": cid,
        "child_id": "p" + cid,
        "la_code": CARDIFF,
        "cohort": cohort,
        "start_date": start,
        "release_date": release,
        "end_date": end,
        **extra,
    }


def _rows(cases, outs, as_of=AS_OF):
    return outcomes.case_outcomes(frame("cases", cases), frame("outcomes", outs), as_of)


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
        {
            "case_id": "a",
            "accommodation_suitable_end": True,
            "ete_suitable_end": False,
            "accommodation_confirmed_date": date(2024, 2, 20),
            "ete_hours_offered": 10.0,
            "ete_hours_attended": 5.0,
        },
        {
            "case_id": "b",
            "accommodation_suitable_end": False,
            "ete_suitable_end": None,
            "accommodation_confirmed_date": date(2024, 3, 1),
            "ete_hours_offered": 20.0,
            "ete_hours_attended": 20.0,
        },
        {"case_id": "c", "accommodation_confirmed_date": date(2024, 2, 4), "ete_hours_offered": 0.0},
        {"case_id": "d", "ete_hours_offered": 10.0, "ete_hours_attended": 12.0},  # attended > offered: invalid
        {
            "case_id": "e",
            "accommodation_suitable_end": True,
            "ete_suitable_end": True,
            "ete_hours_offered": 8.0,
        },  # attended not recorded
        # f has no outcomes row at all
    ]
    return _rows(cases, outs)


def test_headline_rates_with_denominators_and_not_recorded():
    reoff = {"numerator": 3, "denominator": 7, "not_recorded": 1}  # the reoffending module's figure, placed as is
    h = {r["measure"]: r for r in outcomes.headline(_end_fixture(), reoff).iter_rows(named=True)}
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
    assert (h["reoffended"]["denominator"], h["reoffended"]["not_recorded"]) == (7, 1)
    assert h["reoffended"]["rate"] == pytest.approx(3 / 7)
    assert "reoffended" not in outcomes.headline(_end_fixture())["measure"].to_list()


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
    days = disclosure.protect(
        outcomes.confirmation_days(_end_fixture()), counts=outcomes.DAYS_COUNTS, rates=outcomes.DAYS_RATES, threshold=5
    )
    assert set(days["recorded__note"].to_list()) == {"c"} and days["recorded"].drop_nulls().len() == 0
    assert days.filter(pl.col("episodes").is_between(1, 4))["episodes"].len() == 0


def test_display_helpers_keep_notes_and_format_percentages():
    p = disclosure.protect(
        pl.DataFrame({"k": [3, 40], "n": [10, 100], "rate": [0.3, 0.4]}),
        counts=["n"],
        rates={"rate": ("k", "n")},
        threshold=5,
    )
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
    # over ten years at scale 0.5, the end-of-order outcomes have enough matched episodes: a conclusion, or a
    # refusal for balance (the evaluation names the characteristic), never only "too few"
    boxes = [b.value for b in [*at.success, *at.error, *at.info, *at.warning]]
    assert any("too few" not in b.lower() for b in boxes if "**" in b), boxes

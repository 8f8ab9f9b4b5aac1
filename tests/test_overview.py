"""Headline figures and period-on-period change on the hand-made fixture (tests/fixtures.py)."""

from datetime import date

import polars as pl

from resettlement import overview
from resettlement.filters import Filters
from tests.fixtures import gap_cases, gap_needs

AS_OF = date(2026, 9, 30)


def _tables():
    return {"cases": gap_cases(), "needs": gap_needs()}


def _row(df, metric):
    return df.filter(pl.col("metric") == metric).row(0, named=True)


def test_headline_and_change_worked_by_hand():
    h = overview.headline(_tables(), Filters("2024Q2", "2024Q2"), AS_OF)
    # 2024 Q2: c4 starts; c3 released 1 April; c4 has one ETE need, not offered
    # 2024 Q1: c1, c2, c3 start; c1 released 1 March; 7 needs, 6 with the offer recorded, 2 unmet
    assert (_row(h, "children")["current"], _row(h, "children")["previous"], _row(h, "children")["change"]) == (
        1,
        3,
        -2,
    )
    assert (_row(h, "releases")["current"], _row(h, "releases")["previous"], _row(h, "releases")["change"]) == (1, 1, 0)
    assert (_row(h, "needs_identified")["current"], _row(h, "needs_identified")["previous"]) == (1, 7)
    gap = _row(h, "gap_rate")
    assert (gap["current_num"], gap["current_den"], gap["previous_num"], gap["previous_den"]) == (1, 1, 2, 6)
    assert gap["current"] == 1.0 and abs(gap["previous"] - 1 / 3) < 1e-12 and abs(gap["change"] - 2 / 3) < 1e-12


def test_headline_protection():
    h = overview.headline(_tables(), Filters("2024Q2", "2024Q2"), AS_OF)
    p = overview.protect_headline(h, threshold=5)
    assert _row(p, "children")["current"] is None and _row(p, "children")["change__note"] == "c"
    assert _row(p, "gap_rate")["current__note"] == "c"
    assert _row(p, "needs_identified")["previous"] == 7 and _row(p, "needs_identified")["current__note"] == "c"
    open_ = overview.protect_headline(h, threshold=1)
    assert _row(open_, "children")["current"] == 1 and _row(open_, "children")["current__note"] is None


def test_summary_states_numbers_and_directions():
    h = overview.protect_headline(overview.headline(_tables(), Filters("2024Q2", "2024Q2"), AS_OF), 1)
    text = overview.summary(h, "en", "Wales", "2024 Q2")
    assert text[0].startswith("1 ") and "2 fewer than in the previous period (3)" in text[0]
    assert "the same as in the previous period" in text[1]
    assert "100%" in text[3] and "67 percentage points higher than in the previous period (33%)" in text[3]
    hidden = overview.summary(
        overview.protect_headline(
            overview.headline({"cases": gap_cases(), "needs": gap_needs()}, Filters("2024Q2", "2024Q2"), AS_OF), 5
        ),
        "cy",
        "Cymru",
        "2024 Ch2",
    )
    assert hidden[0] == "Mae nifer y plant o fewn cwmpas yn rhy fach i'w adrodd."


def test_change_labels_round_as_shown_and_never_show_minus_zero():
    assert [overview.change_label(c, True, "en") for c in (0.0214, -0.004, 0.0049, -0.0051, 0.0)] == [
        "+2 pp",
        "0 pp",
        "0 pp",
        "-1 pp",
        "0 pp",
    ]
    assert overview.change_label(-0.0214, True, "cy") == "-2 pwynt canran"
    assert [overview.change_label(c, False, "en") for c in (-3892, 0.4, -0.4, 1234567)] == [
        "-3,892",
        "0",
        "0",
        "+1,234,567",
    ]
    # the summary says "the same" exactly when the figure shows no change
    h = pl.DataFrame(
        {
            "metric": ["reoffending"],
            "current": [0.356],
            "previous": [0.360],
            "change": [-0.004],
            "current__note": [None],
            "previous__note": [None],
            "change__note": [None],
        },
        schema_overrides={"current__note": pl.String, "previous__note": pl.String, "change__note": pl.String},
    )
    assert overview.summary(h, "en", "Wales", "2025")[0].endswith("the same as in the previous period.")
    h = h.with_columns(current=pl.lit(0.354), change=pl.lit(-0.006))
    assert "1 percentage point lower than in the previous period (36%)" in overview.summary(h, "en", "Wales", "2025")[0]


def test_reoffending_and_completeness_headline_on_demo_data(demo_url):
    from resettlement import geography, reoffending, store
    from resettlement.scope import Scope

    engine = store.get_engine(demo_url)
    tables = store.read_all(engine, Scope.all_wales())
    tables["cases"] = geography.attach_service(tables["cases"])
    f = Filters("2023Q1", "2024Q4")
    h = overview.headline(tables, f, AS_OF)
    reo = _row(h, "reoffending")
    # the one MoJ measure of the period and of the previous one
    assert (reo["current_num"], reo["current_den"]) == reoffending.headline(tables, f, AS_OF)
    assert (reo["previous_num"], reo["previous_den"]) == reoffending.headline(tables, f.previous(), AS_OF)
    # independent count: children by their first custody release or community start in the period (all final here)
    c = reoffending.outcome_of(
        reoffending.first_events(
            reoffending.index_events(tables["cases"], AS_OF), f.start, f.end, ("custody", "community")
        ),
        tables["outcomes"],
    )
    assert reo["current_den"] == c["reoffended"].count() == c.height - c["reoffended"].null_count()
    assert c["child_id"].n_unique() == c.height
    comp = _row(h, "completeness")
    assert 0.8 < comp["current"] < 1.0 and comp["current_den"] > 1000

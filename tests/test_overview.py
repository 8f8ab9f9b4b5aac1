"""Headline figures and period-on-period change on the hand-made fixture (tests/fixtures.py)."""

import polars as pl

from resettlement import overview
from resettlement.filters import Filters
from tests.fixtures import gap_cases, gap_needs


def _row(df, metric):
    return df.filter(pl.col("metric") == metric).row(0, named=True)


def test_headline_and_change_worked_by_hand():
    h = overview.headline(gap_cases(), gap_needs(), Filters("2024Q2", "2024Q2"))
    # 2024 Q2: c4 starts; c3 released 1 April; c4 has one ETE need, not offered
    # 2024 Q1: c1, c2, c3 start; c1 released 1 March; 7 needs, 6 with the offer recorded, 2 unmet
    assert (_row(h, "children")["current"], _row(h, "children")["previous"], _row(h, "children")["change"]) == (
        1, 3, -2)
    assert (_row(h, "releases")["current"], _row(h, "releases")["previous"], _row(h, "releases")["change"]) == (
        1, 1, 0)
    assert (_row(h, "needs_identified")["current"], _row(h, "needs_identified")["previous"]) == (1, 7)
    gap = _row(h, "gap_rate")
    assert (gap["current_num"], gap["current_den"], gap["previous_num"], gap["previous_den"]) == (1, 1, 2, 6)
    assert gap["current"] == 1.0 and abs(gap["previous"] - 1 / 3) < 1e-12 and abs(gap["change"] - 2 / 3) < 1e-12


def test_headline_protection():
    h = overview.headline(gap_cases(), gap_needs(), Filters("2024Q2", "2024Q2"))
    p = overview.protect_headline(h, threshold=5)
    assert _row(p, "children")["current"] is None and _row(p, "children")["change__note"] == "c"
    assert _row(p, "gap_rate")["current__note"] == "c"
    assert _row(p, "needs_identified")["previous"] == 7 and _row(p, "needs_identified")["current__note"] == "c"
    open_ = overview.protect_headline(h, threshold=1)
    assert _row(open_, "children")["current"] == 1 and _row(open_, "children")["current__note"] is None


def test_summary_states_numbers_and_directions():
    h = overview.protect_headline(overview.headline(gap_cases(), gap_needs(), Filters("2024Q2", "2024Q2")), 1)
    text = overview.summary(h, "en", "Wales", "2024 Q2")
    assert text[0].startswith("1 ") and "2 fewer than in the previous period (3)" in text[0]
    assert "the same as in the previous period" in text[1]
    assert "100%" in text[3] and "67 percentage points higher than in the previous period (33%)" in text[3]
    hidden = overview.summary(overview.protect_headline(overview.headline(gap_cases(), gap_needs(),
                                                                          Filters("2024Q2", "2024Q2")), 5),
                              "cy", "Cymru", "2024 Ch2")
    assert hidden[0] == "Mae nifer y plant o fewn cwmpas yn rhy fach i'w adrodd."

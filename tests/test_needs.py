"""Funnel figures on the hand-made fixture in tests/fixtures.py, worked out by hand."""

import polars as pl

from resettlement import needs
from tests.fixtures import gap_cases, gap_needs


def _rows():
    return needs.with_case(gap_needs(), gap_cases())


def _row(df, **where):
    out = df
    for k, v in where.items():
        out = out.filter(pl.col(k) == v)
    assert out.height == 1
    return out.row(0, named=True)


def test_funnel_by_pathway():
    f = needs.funnel(_rows())
    assert f.height == 7
    acc = _row(f, pathway="accommodation")
    # assessed: c1 yes, c2 yes, c3 yes, c4 no; offers recorded for c1 (true) and c3 (false); c2 unknown
    assert (acc["assessed"], acc["identified"], acc["offer_recorded"], acc["offer_unknown"]) == (4, 3, 2, 1)
    assert (acc["offered"], acc["engagement_recorded"], acc["engaged"]) == (1, 1, 1)
    assert (acc["need_rate"], acc["offer_rate"], acc["engagement_rate"]) == (0.75, 0.5, 1.0)
    ete = _row(f, pathway="ete")
    assert (ete["identified"], ete["offer_recorded"], ete["offered"], ete["engagement_recorded"], ete["engaged"]) == (
        4,
        4,
        2,
        1,
        1,
    )
    assert (ete["need_rate"], ete["offer_rate"], ete["engagement_rate"]) == (1.0, 0.5, 1.0)
    health = _row(f, pathway="health")
    assert (health["assessed"], health["unknown"], health["identified"], health["need_rate"]) == (1, 1, 0, 0.0)
    assert health["offer_rate"] is None
    sub = _row(f, pathway="substance_misuse")
    assert (sub["offered"], sub["engaged"], sub["engagement_rate"]) == (1, 0, 0.0)
    fam = _row(f, pathway="families")
    assert (fam["assessed"], fam["need_rate"]) == (0, None)


def test_funnel_by_cohort():
    f = needs.funnel(_rows(), by=["cohort"])
    assert _row(f, pathway="ete", cohort="community")["identified"] == 2
    assert _row(f, pathway="ete", cohort="community")["offered"] == 1
    assert _row(f, pathway="accommodation", cohort="remand")["offer_rate"] == 0.0
    assert f.height == 7 * 3


def test_age_bands():
    bands = _rows().select("case_id", "age_band").unique().sort("case_id")["age_band"].to_list()
    assert bands == ["16", "10-14", "17", "15"]  # c1 16, c2 14, c3 17, c4 15


def test_needs_per_case_distribution():
    dist = needs.needs_per_case(_rows(), gap_cases())
    # c1: 3 pathways, c2: 2, c3: 2, c4: 1
    assert dist["episodes"].to_list() == [0, 1, 2, 1, 0, 0, 0, 0]
    assert dist["share"].to_list()[:4] == [0.0, 0.25, 0.5, 0.25]
    assert dist["total"].unique().to_list() == [4]


def test_trend_has_every_quarter():
    tr = needs.trend(_rows(), ["2024Q1", "2024Q2", "2024Q3"])
    assert tr.height == 7 * 3
    ete = tr.filter(pl.col("pathway") == "ete").sort("quarter")
    # Q1: c1, c2, c3 (3 identified, offers F/T/T); Q2: c4 (1 identified, offer F); Q3: nothing
    assert ete["identified"].to_list() == [3, 1, 0]
    assert ete["offer_rate"].to_list() == [2 / 3, 0.0, None]


def test_trend_by_year_pools_quarters():
    tr = needs.trend(_rows(), ["2023", "2024"])
    ete = tr.filter(pl.col("pathway") == "ete").sort("quarter")
    assert ete["identified"].to_list() == [0, 4]
    assert ete["offer_rate"].to_list() == [None, 0.5]

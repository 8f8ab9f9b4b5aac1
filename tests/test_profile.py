"""The area profile: per-area figures, Wales, peers' median and rank, with suppressed peers left out."""

from datetime import date

import polars as pl
import pytest

from resettlement import geography, profile, store
from resettlement.filters import Filters
from resettlement.period import quarter_bounds
from resettlement.scope import Scope

AS_OF = date(2026, 9, 30)


@pytest.fixture(scope="module")
def tables(demo_url):
    t = store.read_all(store.get_engine(demo_url), Scope.all_wales())
    t["cases"] = geography.attach_service(t["cases"])
    return t


def test_children_and_releases_by_area_match_an_independent_count(tables):
    f = Filters("2023Q1", "2025Q4")
    per = profile.by_area(tables, f, "la", AS_OF)
    start, end = quarter_bounds("2023Q1")[0], quarter_bounds("2025Q4")[1]
    cases = tables["cases"]
    cardiff = cases.filter(pl.col("la_code") == "W06000015")
    row = per.filter(pl.col("area_code") == "W06000015").row(0, named=True)
    assert row["children"] == cardiff.filter(pl.col("start_date").is_between(start, end))["child_id"].n_unique()
    assert (
        row["releases"]
        == cardiff.filter(
            pl.col("cohort").is_in(["custody", "remand"]) & pl.col("release_date").is_between(start, end)
        ).height
    )
    assert per.height == 22


def test_rrp_level_pools_the_authorities_each_rrp_covers(tables):
    f = Filters("2023Q1", "2025Q4")
    by_la = profile.by_area(tables, f, "la", AS_OF)
    by_rrp = profile.by_area(tables, f, "rrp", AS_OF)
    assert by_rrp.height == 9
    lookup = profile.rrp_lookup(tables["rrps"])
    pooled = (
        by_la.join(lookup, left_on="area_code", right_on="la_code")
        .group_by("rrp_area")
        .agg(pl.col("releases", "identified", "assessed", "unmet", "offer_recorded").sum())
    )
    for r in pooled.iter_rows(named=True):
        got = by_rrp.filter(pl.col("area_code") == r["rrp_area"]).row(0, named=True)
        for c in ("releases", "identified", "assessed", "unmet", "offer_recorded"):
            assert got[c] == r[c], (r["rrp_area"], c)


def test_rank_and_median_leave_suppressed_peers_out():
    per = pl.DataFrame(
        {
            "area_code": ["a", "b", "c", "d"],
            "children": [50, 40, 3, 30],
            "releases": [10, 9, 0, 8],
            "identified": [20, 30, 1, 10],
            "assessed": [40, 40, 2, 40],
            "unmet": [5, 10, 1, 0],
            "offer_recorded": [20, 20, 2, 20],
            "not_in_place": [0, 0, 0, 0],
            "release_needs": [0, 0, 0, 0],
            "cells_present": [90, 95, 9, 99],
            "cells_applicable": [100, 100, 10, 100],
            "reoffenders": [0, 0, 0, 0],
            "reoffending_recorded": [0, 0, 0, 0],
        }
    ).with_columns(
        (pl.col("unmet") / pl.col("offer_recorded")).alias("gap_rate"),
        (pl.col("identified") / pl.col("assessed")).alias("need_rate"),
        (pl.col("cells_present") / pl.col("cells_applicable")).alias("completeness"),
        pl.lit(None, dtype=pl.Float64).alias("not_in_place_rate"),
        pl.lit(None, dtype=pl.Float64).alias("reoffending"),
    )
    prot = profile.protect(per, threshold=5)
    wales = profile.protect(profile.wales_row(per).with_columns(pl.lit("wales").alias("area_code")), 5)
    g = profile.at_a_glance(prot, wales, "b").to_dicts()
    gap = next(r for r in g if r["measure"] == "gap_rate")
    # shown gap rates: a 5/20 = .25, b 10/20 = .5 (c is hidden: 2 recorded; d's 0/20 is hidden like a small rate)
    assert gap["area"] == 0.5 and gap["rank"] == 1 and gap["peers"] == 2
    assert gap["peer_median"] == 0.375
    assert gap["wales"] == 16 / 62
    comp = next(r for r in g if r["measure"] == "completeness")
    # c has 3 children: its completeness is hidden with them; b (0.95) ranks 2nd of 3 (a .90, d .99)
    assert comp["rank"] == 2 and comp["peers"] == 3
    children = next(r for r in g if r["measure"] == "children")
    assert children["rank"] == 2 and children["peers"] == 3 and children["peer_median"] == 40


def test_printable_html_is_standalone_and_holds_the_tables():
    df = pl.DataFrame({"Measure": ["Gap rate (%)", "Children"], "This area": ["22.0", "c"]})
    html = profile.printable_html(
        "Area profile: Cardiff", "2024 Q4 to 2026 Q3", ["Synthetic data."], [("At a glance", df)], "en"
    )
    assert html.startswith("<!doctype html>") and "<h1>Area profile: Cardiff</h1>" in html
    assert "<td>Gap rate (%)</td><td>22.0</td>" in html and "<td>c</td>" in html
    assert "<script" not in html and "http" not in html
    assert "@page" in html  # print layout


def test_profile_page_offers_the_printable_download(app):
    from tests.apptest import open_page

    at = open_page(app, "profile", "cy")
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert "Lawrlwytho proffil i'w argraffu (HTML)" in labels

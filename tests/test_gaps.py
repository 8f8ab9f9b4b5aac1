"""Gap measures on the hand-made fixture in tests/fixtures.py, worked out by hand."""

import polars as pl

from resettlement import gaps, maps, needs
from tests.fixtures import CARDIFF, SWANSEA, gap_cases, gap_needs


def _rows():
    return needs.with_case(gap_needs(), gap_cases())


def _cell(df, area, pathway):
    out = df.filter((pl.col("area_code") == area) & (pl.col("pathway") == pathway))
    assert out.height == 1
    return out.row(0, named=True)


def test_gap_rates_by_local_authority():
    g = gaps.by_area(_rows(), "la")
    assert g.height == 22 * 7
    acc = _cell(g, CARDIFF, "accommodation")
    assert (acc["identified"], acc["offer_recorded"], acc["offer_unknown"], acc["unmet"]) == (2, 1, 1, 0)
    assert acc["gap_rate"] == 0.0
    assert (acc["release_needs"], acc["not_in_place"], acc["not_in_place_rate"]) == (1, 0, 0.0)
    ete = _cell(g, CARDIFF, "ete")
    assert (ete["identified"], ete["unmet"], ete["gap_rate"]) == (2, 1, 0.5)
    assert (ete["release_needs"], ete["not_in_place"]) == (1, 1)  # c1 custody, no service offered
    sub = _cell(g, CARDIFF, "substance_misuse")
    assert (sub["gap_rate"], sub["release_needs"], sub["not_in_place_rate"]) == (0.0, 1, 1.0)  # offered after release
    sw_acc = _cell(g, SWANSEA, "accommodation")
    assert (sw_acc["identified"], sw_acc["unmet"], sw_acc["gap_rate"], sw_acc["not_in_place"]) == (1, 1, 1.0, 1)
    sw_ete = _cell(g, SWANSEA, "ete")
    # c3 offered with no date: its timing is unknown, so it is left out of the release measure
    assert (sw_ete["identified"], sw_ete["unmet"], sw_ete["gap_rate"]) == (2, 1, 0.5)
    assert (sw_ete["release_needs"], sw_ete["not_in_place_rate"]) == (0, None)
    empty = _cell(g, "W06000023", "ete")
    assert (empty["identified"], empty["gap_rate"]) == (0, None)


def test_gap_rates_by_service_and_police_area():
    s = gaps.by_area(_rows(), "service")
    assert _cell(s, "cardiff", "ete")["gap_rate"] == 0.5
    assert _cell(s, "swansea", "accommodation")["unmet"] == 1
    assert _cell(s, "western_bay", "accommodation")["identified"] == 0  # 2024 records belong to Swansea YJS
    p = gaps.by_area(_rows(), "police_area")
    south = _cell(p, "W15000003", "accommodation")
    assert (south["identified"], south["offer_recorded"], south["unmet"], south["gap_rate"]) == (3, 2, 1, 0.5)
    assert p.height == 4 * 7


def test_all_pathways_pooled():
    pooled = gaps.overall(gaps.combine(_rows(), None), pathways=("all",))
    row = pooled.row(0, named=True)
    # identified: acc 3 + ete 4 + substance 1 = 8; recorded 7; unmet: c1 ete, c3 acc, c4 ete = 3
    assert (row["identified"], row["offer_recorded"], row["unmet"]) == (8, 7, 3)
    assert row["gap_rate"] == 3 / 7


def test_gap_reasons():
    r = gaps.reasons(_rows())
    assert r.to_dicts() == [
        {"pathway": "accommodation", "gap_reason": "waiting_list", "unmet": 1},
        {"pathway": "ete", "gap_reason": "no_provision", "unmet": 1},
        {"pathway": "ete", "gap_reason": "not_recorded", "unmet": 1},
    ]


def test_map_click_selects_an_area():
    click = {"selection": {"indices": {"areas": [3]}, "objects": {"areas": [{"properties": {"area_code": CARDIFF}}]}}}
    assert maps.select_area(click, "la") == CARDIFF
    assert maps.select_area({"selection": {"objects": {}}}, "la") is None
    assert maps.select_area(None, "la") is None
    assert maps.select_area(click, "service") is None  # a local authority code is not a service
    svc = {"selection": {"objects": {"areas": [{"properties": {"area_code": "cwm_taf"}}]}}}
    assert maps.select_area(svc, "service") == "cwm_taf"

"""The map spec: 22 authorities, colours that match the table's numbers, suppression drawn grey."""

import json
from datetime import date

import polars as pl

from resettlement import disclosure, gaps, geography, maps, needs
from resettlement.geography import LA_CODES
from tests.fixtures import CARDIFF, SWANSEA, gap_cases, gap_needs


def _protected(threshold=1):
    rows = needs.with_case(gap_needs(), gap_cases())
    table = gaps.by_area(gaps.combine(rows, "all"), "la", pathways=("all",))
    return disclosure.protect(table, counts=list(gaps.COUNTS), rates=gaps.RATES, threshold=threshold)


def _gap_map(prot: pl.DataFrame, lang: str, suppressed: str, no_data: str):
    """The gap-rate map (offers recorded as the denominator) of ``prot`` by local authority, mid-2024."""
    areas = geography.la_to_area("la", date(2024, 6, 30))
    return maps.map_frame(prot, "gap_rate", "offer_recorded", True, areas, lang, suppressed, no_data)


def test_map_frame_colours_match_the_table():
    prot = _protected(threshold=1)  # nothing suppressed
    frame, bins = _gap_map(prot, "en", "too few", "no data")
    assert frame.height == 22 and sorted(frame["la_code"]) == sorted(LA_CODES)
    # Cardiff: unmet c1 ete; recorded acc c1, ete c1, ete c2, sub c1 = 4 -> 1/4; Swansea: unmet 2 of 3
    values = dict(zip(prot["area_code"], prot["gap_rate"], strict=True))
    assert values[CARDIFF] == 0.25 and values[SWANSEA] == 2 / 3
    assert bins.edges[-1] == 1.0  # nice ceiling of 0.667 for a rate
    for row in frame.iter_rows(named=True):
        v = values[row["la_code"]]
        if v is None:
            assert tuple(row["fill"]) == maps.NO_DATA_FILL and row["value_text"] == "no data"
        else:
            assert tuple(row["fill"]) == bins.colour(v)
            assert row["value_text"] == f"{v:.0%}"
    assert tuple(frame.filter(pl.col("la_code") == CARDIFF)["fill"].item()) == maps.SCALE[1]  # 0.2-0.4
    assert tuple(frame.filter(pl.col("la_code") == SWANSEA)["fill"].item()) == maps.SCALE[3]  # 0.6-0.8


def test_small_denominators_are_drawn_grey_not_coloured():
    prot = _protected(threshold=5)
    frame, _ = _gap_map(prot, "cy", "rhy ychydig", "dim data")
    cardiff = frame.filter(pl.col("la_code") == CARDIFF).row(0, named=True)
    assert tuple(cardiff["fill"]) == maps.SUPPRESSED_FILL
    assert cardiff["value_text"] == "rhy ychydig" and cardiff["value"] is None
    assert cardiff["name"] == "Caerdydd"


def test_deck_holds_all_22_authorities_and_renders_offline():
    prot = _protected(threshold=1)
    frame, _ = _gap_map(prot, "en", "too few", "no data")
    deck = maps.build_deck(frame, "<b>{name}</b> {value_text}")
    spec = json.loads(deck.to_json())
    layer = spec["layers"][0]
    assert layer["id"] == maps.LAYER_ID
    assert len({row["la_code"] for row in layer["data"]}) == 22
    # no basemap provider, no style URL: nothing is fetched from the network
    assert not spec.get("mapProvider")
    text = deck.to_json().lower()
    assert "carto" not in text and "mapbox" not in text and "http" not in text


def test_service_and_police_views_colour_each_authority_by_its_area():
    svc = geography.la_to_area("service", date(2017, 1, 1))
    assert svc["W06000011"] == svc["W06000012"] == svc["W06000013"] == "western_bay"
    assert geography.la_to_area("service", date(2020, 1, 1))["W06000011"] == "swansea"
    police = geography.la_to_area("police_area", date(2020, 1, 1))
    assert police[CARDIFF] == "W15000003" and len(set(police.values())) == 4

from datetime import date

import polars as pl
import pytest

from resettlement import geography as g


def test_twenty_two_authorities_with_unused_codes_absent():
    assert len(g.LA_CODES) == 22
    assert len(set(g.LA_CODES)) == 22
    assert "W06000007" not in g.LA_CODES and "W06000017" not in g.LA_CODES
    assert {la.police_area for la in g.LOCAL_AUTHORITIES} == {p.code for p in g.POLICE_AREAS}


def test_police_area_membership():
    gwent = g.area_la_codes("police_area", "W15000002")
    assert sorted(gwent) == ["W06000018", "W06000019", "W06000020", "W06000021", "W06000022"]
    assert len(g.area_la_codes("police_area", "W15000003")) == 7


@pytest.mark.parametrize(
    ("la", "day", "service"),
    [
        ("W06000011", date(2014, 5, 28), "swansea"),
        ("W06000011", date(2014, 5, 29), "western_bay"),
        ("W06000013", date(2019, 3, 31), "western_bay"),
        ("W06000013", date(2019, 4, 1), "bridgend"),
        ("W06000024", date(2022, 1, 1), "cwm_taf"),
        ("W06000001", date(2016, 1, 1), "gwynedd_ynys_mon"),
    ],
)
def test_service_for_respects_validity_periods(la, day, service):
    assert g.service_for(la, day).code == service


def test_every_authority_has_exactly_one_service_on_any_day():
    for day in (date(2010, 1, 1), date(2014, 5, 29), date(2019, 4, 1), date(2026, 1, 1)):
        for la in g.LA_CODES:
            assert sum(1 for s in g.SERVICES if la in s.la_codes and s.valid_on(day)) == 1


def test_attach_service_matches_scalar_lookup_row_by_row():
    df = pl.DataFrame(
        {
            "la_code": ["W06000012", "W06000012", "W06000012", "W06000015", "W06000011"],
            "start_date": [date(2013, 1, 1), date(2016, 6, 1), date(2020, 1, 1), date(2016, 1, 1), date(2019, 3, 31)],
        }
    )
    out = g.attach_service(df)
    assert out["la_code"].to_list() == df["la_code"].to_list()  # order kept
    assert out["service_code"].to_list() == [
        "neath_port_talbot",
        "western_bay",
        "neath_port_talbot",
        "cardiff",
        "western_bay",
    ]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("Rhondda, Cynon, Taff", "W06000016"),
        ("Anglesey", "W06000001"),
        ("Ynys Mon", "W06000001"),
        ("Ynys Môn", "W06000001"),
        ("The Vale of Glamorgan", "W06000014"),
        ("bro morgannwg", "W06000014"),
        ("Merthyr", "W06000024"),
        ("  CAERDYDD ", "W06000015"),
        ("w06000022", "W06000022"),
        ("Tor-faen", "W06000020"),
    ],
)
def test_normalise_la_accepts_real_spellings(raw, code):
    assert g.normalise_la(raw) == code


def test_normalise_la_rejects_unknown():
    assert g.normalise_la("Bristol") is None
    assert g.normalise_la("W06000007") is None


def test_welsh_names():
    assert g.la_name("W06000015", "cy") == "Caerdydd"
    assert g.service_name("western_bay", "cy") == "Bae'r Gorllewin"
    assert g.area_name("police_area", "W15000001", "cy") == "Gogledd Cymru"

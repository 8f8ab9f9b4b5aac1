"""Reports that leave the app: the slide deck for Welsh Government and the XLSX behind every table.

- :func:`build_figures` computes every figure of a report as a disclosure-protected frame, in the publication
  view (primary and secondary suppression, see :mod:`resettlement.disclosure`), with the same domain functions
  and the same protection as the pages, so a deck's numbers are the app's. Frames keep codes (pathways, series,
  quarters), not labels, so other reports (such as a printable area profile) can reuse them.
- :func:`deck` turns those figures into a PowerPoint deck with native, editable charts (python-pptx chart
  objects), a map of Wales drawn as 22 editable freeform shapes with a table alternative, and speaker notes
  holding the definitions, in English or Welsh.
- :func:`workbook` writes one table as XLSX: exactly the cells shown (note codes in hidden cells) and an About
  sheet (:func:`about_rows`) with the source, data date, filters, definitions, suppression rule and note codes.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date

import polars as pl

from resettlement import definitions, disclosure, exports, geography, outcomes, overview, published, rrp
from resettlement.charts import OKABE_ITO
from resettlement.completeness import Thresholds
from resettlement.filters import DATA_START, Area, Filters, quarters_between, trend_quarters
from resettlement.i18n import label, t
from resettlement.standard import COHORTS, PATHWAYS, SECURE_COHORTS

# Slides of the deck, in order (the map's table alternative follows the map).
SLIDES: tuple[str, ...] = (
    "title",
    "headline",
    "trend",
    "needs",
    "gaps",
    "map",
    "map_table",
    "rrp",
    "completeness",
    "outcomes",
    "about",
)
# Definitions (catalog prefixes, ``<prefix>.body``) read out in each slide's speaker notes.
NOTES: dict[str, tuple[str, ...]] = {
    "title": ("definitions.period_rule",),
    "headline": ("overview.definitions",),
    "trend": ("definitions.period_rule",),
    "needs": ("needs.definitions",),
    "gaps": ("gaps.definitions",),
    "map": ("gaps.definitions",),
    "map_table": ("gaps.definitions",),
    "rrp": ("rrp.definitions",),
    "completeness": ("completeness.definitions",),
    "outcomes": ("outcomes.def_outcomes", "outcomes.def_reoffending"),
    "about": ("disclosure.definitions",),
}
MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ----------------------------------------------------------------------------------------------- plain text


def plain(markdown: str) -> str:
    """Catalog Markdown as plain text for slides, notes and spreadsheets (no ``**``, ``*`` or backticks)."""
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", markdown)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    return text.replace("`", "")


def definition(prefix: str, lang: str, threshold: int) -> str:
    """A definitions section (``<prefix>.title`` and ``.body``) as plain text."""
    body = t(f"{prefix}.body", lang, **definitions.params(_protection(threshold)))
    return f"{t(f'{prefix}.title', lang)}\n{plain(body)}"


def _protection(threshold: int, publication: bool = True) -> published.Protection:
    """The protection of a view with this threshold and the settings' method and base."""
    return published.from_settings(publication, threshold=threshold)


def quarter_text(q: str, lang: str) -> str:
    return t("period.quarter", lang, year=q[:4], q=q[5])


def area_text(area: Area, lang: str) -> str:
    """The area in words, as the filter bar names it."""
    if area.level == "wales":
        return t("area.wales", lang)
    return f"{geography.area_name(area.level, area.code, lang)} ({t('area.level.' + area.level, lang)})"


def comparator_text(lang: str, all_wales: bool) -> str:
    return t("area.wales", lang) if all_wales else t("area.in_scope", lang)


# --------------------------------------------------------------------------------------- XLSX of one table

# Which definitions an exported table carries, by the start of its component key (pages name keys by topic).
_DEFINITIONS_BY_KEY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("overview", ("overview.definitions",)),
    ("needs", ("needs.definitions",)),
    ("gaps", ("gaps.definitions",)),
    ("dq_", ("completeness.definitions",)),
    ("rrp_evaluation", ("outcomes.def_evaluation",)),
    ("rrp_balance", ("outcomes.def_evaluation",)),
    ("rrp", ("rrp.definitions",)),
    ("outcome", ("outcomes.def_outcomes",)),
    ("accommodation", ("outcomes.def_outcomes",)),
    ("reoffending", ("outcomes.def_reoffending",)),
    ("profile", ("overview.definitions",)),
)


def definitions_for(key: str) -> tuple[str, ...]:
    """The definitions sections relevant to a table, from its component key (none if the key is unknown)."""
    for prefix, sections in _DEFINITIONS_BY_KEY:
        if key.startswith(prefix):
            return sections
    return ()


def about_rows(
    lang: str,
    *,
    title: str,
    threshold: int,
    synthetic: bool | None = None,
    as_of: date | None = None,
    filters: Filters | None = None,
    publication: bool = True,
    access: str | None = None,
    data_version: str | None = None,
    definitions: Sequence[str] = (),
    generated: date | None = None,
) -> list[tuple[str, str]]:
    """The About sheet of an export, as (label, text) rows: what the table is, where it comes from, which
    filters made it, what its measures mean, how it was protected and what each note code means."""

    def k(key: str) -> str:
        return t(f"disclosure.export.{key}", lang)

    rows: list[tuple[str, str]] = [(k("table"), title)]
    if synthetic is not None:
        rows.append((k("source"), k("source_synthetic") if synthetic else k("source_real")))
    if data_version:
        rows.append((k("data_version"), data_version))
    if as_of is not None:
        rows.append((k("as_of"), as_of.isoformat()))
    rows.append((k("generated"), (generated or date.today()).isoformat()))
    if filters is not None:
        rows += [
            (k("period"), f"{quarter_text(filters.start_q, lang)} – {quarter_text(filters.end_q, lang)}"),
            (k("area"), area_text(filters.area, lang)),
            (k("cohorts"), ", ".join(label("cohort", c, lang) for c in filters.cohorts)),
        ]
    if access:
        rows.append((k("access"), access))
    rows.append((k("view"), k("view_publication") if publication else k("view_working")))
    rules = published.rule_texts(_protection(threshold, publication), lang)
    rows += [(k("rule") if i == 0 else "", text) for i, text in enumerate(rules)]
    for prefix in definitions:
        rows.append((k("definitions") if prefix == definitions[0] else "", definition(prefix, lang, threshold)))
    rows.append((k("notes"), ""))
    rows += [(code, t(f"disclosure.note.{code}", lang)) for code in disclosure.NOTE_CODES]
    return rows


def cells(protected: pl.DataFrame, decimals: Mapping[str, int] | None = None) -> list[dict]:
    """Rows of a protected frame as exported: the value where shown (rounded to ``decimals``), the note code
    where hidden; note columns dropped. The same cells :func:`disclosure.for_display` shows."""
    decimals = dict(decimals or {})
    out = []
    for record in disclosure.to_records(protected):
        out.append(
            {c: (round(v, decimals[c]) if c in decimals and isinstance(v, float) else v) for c, v in record.items()}
        )
    return out


def workbook(
    protected: pl.DataFrame,
    lang: str,
    about: Sequence[tuple[str, str]],
    decimals: Mapping[str, int] | None = None,
    names: Mapping[str, str] | None = None,
) -> bytes:
    """An XLSX of a protected table: a Data sheet holding exactly the cells shown (numbers where shown, the note
    code where hidden, headers in ``names``) and an About sheet (``about`` rows)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    if not disclosure.is_protected(protected):
        raise ValueError("figures must pass through disclosure.protect before export")
    names = dict(names or {})
    rows = cells(protected, decimals)
    columns = [c for c in protected.columns if not c.endswith(disclosure.NOTE_SUFFIX)]
    wb = Workbook()
    data = wb.active
    data.title = t("disclosure.export.sheet_data", lang)
    data.append([names.get(c, c) for c in columns])
    for row in rows:
        data.append([_xlsx_value(row.get(c)) for c in columns])
    for cell in data[1]:
        cell.font = Font(bold=True)
    data.freeze_panes = "A2"
    for i, c in enumerate(columns, start=1):
        width = max([len(str(names.get(c, c)))] + [len(str(r.get(c, ""))) for r in rows[:200]])
        data.column_dimensions[data.cell(1, i).column_letter].width = min(60, max(8, width + 2))
    meta = wb.create_sheet(t("disclosure.export.sheet_meta", lang))
    meta.append([t("disclosure.export.heading", lang)])
    meta["A1"].font = Font(bold=True, size=13)
    for key, value in about:
        meta.append([key, value])
    meta.column_dimensions["A"].width = 26
    meta.column_dimensions["B"].width = 110
    for row in meta.iter_rows(min_row=2):
        row[0].font = Font(bold=True)
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    for sheet in (data, meta):
        exports.as_text_cells(sheet)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsx_value(v: object) -> object:
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, list | tuple | dict):
        return str(v)
    return v


# ------------------------------------------------------------------------------------------------ figures


def build_figures(
    tables: Mapping[str, pl.DataFrame],
    filters: Filters,
    as_of: date,
    threshold: int,
    lang: str = "en",
    fetch: Callable[..., pl.DataFrame] | None = None,
    key: int = 1,
) -> dict[str, pl.DataFrame]:
    """Every figure of a report for the area and period of ``filters``: the registered published tables
    (:mod:`resettlement.published`) the pages show, in the publication view, so a slide holds exactly the page's
    cells. ``fetch(name, *args)`` gives a published table (the app passes its cached ``Context.for_publication``);
    by default each is computed from ``tables``, rounded with the database's ``key``.

    Keys: ``headline`` (Overview headline), ``trend`` (episodes per quarter, area and comparator), ``cohorts``
    (the area's episodes per quarter by cohort), ``needs`` (funnel by pathway, area and comparator), ``gaps``
    (gap measures by pathway, area and comparator), ``map`` (gap measures of all pathways by local authority),
    ``rrp`` (activity of the RRPs covering the area per quarter), ``rrp_headline``, ``completeness`` (selection
    and comparator) and ``outcomes`` (headline outcome rates, area and comparator). Quarters are those of the
    period; ``lang`` names nothing in the frames (they keep codes) and is accepted for callers' symmetry.
    """
    f = filters
    if fetch is None:
        tables = dict(tables)
        if "service_code" not in tables["cases"].columns:
            tables["cases"] = geography.attach_service(tables["cases"])
        inputs = published.Inputs(tables)
        protection = published.from_settings(publication=True, key=key, threshold=threshold)

        def fetch(name: str, *args: object) -> pl.DataFrame:
            return published.frame(inputs, name, protection, *args)

    all_quarters = quarters_between(DATA_START, as_of)
    period = tuple(q for q in all_quarters if f.start_q <= q <= f.end_q)
    ids = tuple(rrp.rrps_for_area(tables["rrps"], f.area)["rrp_id"].to_list())
    secure = tuple(c for c in f.cohorts if c in SECURE_COHORTS)
    return {
        "headline": fetch("overview.headline", f, as_of),
        "trend": fetch("overview.trend", f, period),
        "cohorts": fetch("overview.cohorts", f, period),
        "needs": fetch("needs.compare", f),
        "gaps": fetch("gaps.compare", f, f.area.level, f.area.code, "all"),
        "map": fetch("gaps.areas", f, "la", "all"),
        "rrp": fetch("rrp.actions", f, ids, tuple(rrp.period_quarters(all_quarters, f.start_q, f.end_q)), as_of),
        "rrp_headline": fetch("rrp.headline", f, ids, secure, f.area.level == "wales"),
        "completeness": fetch("completeness.wales", f, "wales", trend_quarters(as_of), Thresholds.from_settings()),
        "outcomes": fetch("outcomes.headline", f, as_of, trend_quarters(as_of)),
    }


# --------------------------------------------------------------------------------------------------- deck

_W, _H = 12_192_000, 6_858_000  # 16:9, 13.333 × 7.5 in, in EMU
_IN = 914_400
_MARGIN = int(0.5 * _IN)
_INK, _MUTED = "0B0C0C", "505A5F"
_FIGURE = re.compile(r"^[-+]?[\d,.]+%?$")


def _rgb(colour: str | Sequence[int]):
    """A python-pptx colour from ``"#0072B2"`` or an (r, g, b) triple."""
    from pptx.dml.color import RGBColor

    if isinstance(colour, str):
        return RGBColor.from_string(colour.lstrip("#").upper())
    return RGBColor(*(int(c) for c in colour[:3]))


class _Deck:
    """A python-pptx presentation with this project's slide furniture (title, footer, notes)."""

    def __init__(self, lang: str, footer: str, synthetic: bool) -> None:
        from pptx import Presentation

        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = _W, _H
        self.lang, self.footer, self.synthetic = lang, footer, synthetic

    def slide(self, key: str, title: str, notes: str, subtitle: str | None = None):
        s = self.prs.slides.add_slide(self.prs.slide_layouts[6])
        s.name = key
        self.text(s, title, _MARGIN, int(0.3 * _IN), _W - 2 * _MARGIN, int(0.7 * _IN), size=26, bold=True)
        if subtitle:
            self.text(s, subtitle, _MARGIN, int(0.95 * _IN), _W - 2 * _MARGIN, int(0.4 * _IN), size=13, colour=_MUTED)
        number = len(self.prs.slides)
        foot = self.footer + (f" · {t('report.synthetic_short', self.lang)}" if self.synthetic else "")
        self.text(s, foot, _MARGIN, _H - int(0.45 * _IN), _W - 2 * _MARGIN - _IN, int(0.3 * _IN), size=9, colour=_MUTED)
        self.text(
            s,
            str(number),
            _W - _MARGIN - int(0.6 * _IN),
            _H - int(0.45 * _IN),
            int(0.6 * _IN),
            int(0.3 * _IN),
            size=9,
            colour=_MUTED,
            align="right",
        )
        s.notes_slide.notes_text_frame.text = notes
        return s

    @staticmethod
    def text(
        slide,
        text: str | Sequence[str],
        x: int,
        y: int,
        w: int,
        h: int,
        size: int = 14,
        bold: bool = False,
        colour: str = _INK,
        align: str = "left",
        bullets: bool = False,
    ):
        from pptx.enum.text import PP_ALIGN
        from pptx.util import Pt

        box = slide.shapes.add_textbox(x, y, w, h)
        frame = box.text_frame
        frame.word_wrap = True
        lines = [text] if isinstance(text, str) else list(text)
        for i, line in enumerate(lines):
            p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            p.text = ("• " + line) if bullets else line
            p.alignment = {"left": PP_ALIGN.LEFT, "right": PP_ALIGN.RIGHT, "center": PP_ALIGN.CENTER}[align]
            if bullets:
                p.space_after = Pt(6)
            for run in p.runs:
                run.font.size, run.font.bold = Pt(size), bold
                run.font.color.rgb = _rgb(colour)
        return box

    def bar_chart(
        self,
        slide,
        categories: Sequence[str],
        series: Sequence[tuple[str, Sequence[float | None]]],
        box: tuple[int, int, int, int],
        number_format: str = "0%",
        horizontal: bool = True,
        title: str | None = None,
        maximum: float | None = None,
    ):
        """A native clustered bar (or column) chart; the second series is hatched, so colour is not the only
        difference; hidden values are gaps."""
        from pptx.chart.data import CategoryChartData
        from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
        from pptx.enum.dml import MSO_PATTERN
        from pptx.util import Pt

        data = CategoryChartData(number_format=number_format)
        data.categories = [exports.safe_cell(c) for c in categories]  # the chart's data is a spreadsheet too
        for name, values in series:
            data.add_series(exports.safe_cell(name), list(values))
        kind = XL_CHART_TYPE.BAR_CLUSTERED if horizontal else XL_CHART_TYPE.COLUMN_CLUSTERED
        chart = slide.shapes.add_chart(kind, *box, data).chart
        chart.font.size = Pt(12)
        chart.has_legend = len(series) > 1
        if chart.has_legend:
            chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.BOTTOM, False
        if title:
            chart.has_title = True
            chart.chart_title.text_frame.text = title
            chart.chart_title.text_frame.paragraphs[0].runs[0].font.size = Pt(14)
        else:
            chart.has_title = False
        plot = chart.plots[0]
        plot.gap_width, plot.overlap = 60, 0
        plot.has_data_labels = True
        plot.data_labels.number_format, plot.data_labels.number_format_is_linked = number_format, False
        plot.data_labels.font.size = Pt(10)
        for i, s in enumerate(plot.series):
            fill = s.format.fill
            if i % 2:
                fill.patterned()
                fill.pattern = MSO_PATTERN.WIDE_UPWARD_DIAGONAL
                fill.fore_color.rgb, fill.back_color.rgb = _rgb(OKABE_ITO[i]), _rgb("FFFFFF")
                s.format.line.color.rgb = _rgb(OKABE_ITO[i])
            else:
                fill.solid()
                fill.fore_color.rgb = _rgb(OKABE_ITO[i])
        if horizontal:
            chart.category_axis.reverse_order = True
        value_axis = chart.value_axis
        value_axis.tick_labels.number_format, value_axis.tick_labels.number_format_is_linked = number_format, False
        value_axis.has_major_gridlines = True
        value_axis.major_gridlines.format.line.color.rgb = _rgb("E0E0E0")
        value_axis.minimum_scale = 0
        if maximum is not None:
            value_axis.maximum_scale = maximum
        return chart

    def line_chart(
        self,
        slide,
        categories: Sequence[str],
        series: Sequence[tuple[str, Sequence[float | None]]],
        box: tuple[int, int, int, int],
        title: str,
        number_format: str = "#,##0",
    ):
        """A native line chart with markers; series differ by marker and dash as well as colour."""
        from pptx.chart.data import CategoryChartData
        from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE
        from pptx.enum.dml import MSO_LINE_DASH_STYLE
        from pptx.util import Pt

        data = CategoryChartData(number_format=number_format)
        data.categories = [exports.safe_cell(c) for c in categories]  # the chart's data is a spreadsheet too
        for name, values in series:
            data.add_series(exports.safe_cell(name), list(values))
        chart = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, *box, data).chart
        chart.font.size = Pt(11)
        chart.has_title = True
        chart.chart_title.text_frame.text = title
        chart.chart_title.text_frame.paragraphs[0].runs[0].font.size = Pt(13)
        chart.has_legend = True
        chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.BOTTOM, False
        markers = (XL_MARKER_STYLE.CIRCLE, XL_MARKER_STYLE.SQUARE, XL_MARKER_STYLE.DIAMOND, XL_MARKER_STYLE.TRIANGLE)
        dashes = (
            MSO_LINE_DASH_STYLE.SOLID,
            MSO_LINE_DASH_STYLE.DASH,
            MSO_LINE_DASH_STYLE.ROUND_DOT,
            MSO_LINE_DASH_STYLE.LONG_DASH_DOT,
        )
        for i, s in enumerate(chart.plots[0].series):
            s.smooth = False
            s.format.line.color.rgb = _rgb(OKABE_ITO[i])
            s.format.line.width = Pt(2.25)
            s.format.line.dash_style = dashes[i % len(dashes)]
            s.marker.style, s.marker.size = markers[i % len(markers)], 7
            s.marker.format.fill.solid()
            s.marker.format.fill.fore_color.rgb = _rgb(OKABE_ITO[i])
        chart.value_axis.minimum_scale = 0
        chart.value_axis.has_major_gridlines = True
        chart.value_axis.major_gridlines.format.line.color.rgb = _rgb("E0E0E0")
        chart.value_axis.tick_labels.number_format = number_format
        chart.value_axis.tick_labels.number_format_is_linked = False
        return chart

    def table(
        self,
        slide,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        box: tuple[int, int, int, int],
        size: int = 11,
        widths: Sequence[float] | None = None,
    ):
        """A native table; the first column left-aligned, figures right-aligned."""
        from pptx.enum.text import PP_ALIGN
        from pptx.util import Emu, Pt

        x, y, w, h = box
        shape = slide.shapes.add_table(len(rows) + 1, len(header), x, y, w, h)
        table = shape.table
        if widths:
            total = sum(widths)
            for i, share in enumerate(widths):
                table.columns[i].width = Emu(int(w * share / total))
        for r, values in enumerate([list(header), *[list(v) for v in rows]]):
            table.rows[r].height = Emu(int(h / (len(rows) + 1)))
            for c, value in enumerate(values):
                cell = table.cell(r, c)
                cell.text = str(value)
                cell.margin_top = cell.margin_bottom = Emu(int(0.02 * _IN))
                p = cell.text_frame.paragraphs[0]
                figure = c > 0 and (str(value) in disclosure.NOTE_CODES or _FIGURE.match(str(value)) is not None)
                p.alignment = PP_ALIGN.RIGHT if figure else PP_ALIGN.LEFT
                for run in p.runs:
                    run.font.size, run.font.bold = Pt(size - 1 if r == 0 else size), r == 0
        return table

    def bytes(self) -> bytes:
        buf = io.BytesIO()
        self.prs.save(buf)
        return buf.getvalue()


def _value(row: Mapping, col: str) -> float | None:
    """A protected cell for a chart: the value where shown, ``None`` (a gap) where hidden."""
    return None if row.get(col + disclosure.NOTE_SUFFIX) else row.get(col)


def _text(v: float | None, note: str | None, percent: bool = False, decimals: int = 0) -> str:
    if note:
        return note
    if v is None:
        return disclosure.NOT_APPLICABLE
    return f"{v:.{decimals}%}" if percent else f"{v:,.{decimals}f}"


def series_values(
    frame: pl.DataFrame, value: str, key: str, keys: Sequence[str], category: str, categories: Sequence[str]
) -> list[list[float | None]]:
    """Chart values from a protected frame: one list per ``keys`` value of column ``key``, ordered by
    ``categories`` of column ``category``; hidden or absent cells are ``None``."""
    lookup = {(r[key], r[category]): _value(r, value) for r in frame.iter_rows(named=True)}
    return [[lookup.get((k, c)) for c in categories] for k in keys]


def _suppressed(
    frame: pl.DataFrame, value: str, key: str | None, names: Mapping, category: str, categories: Mapping[str, str]
) -> list[str]:
    """Every hidden value of a chart, named ("Health (Cardiff): c")."""
    items = []
    for r in frame.iter_rows(named=True):
        note = r.get(value + disclosure.NOTE_SUFFIX)
        if note and r[category] in categories:
            where = categories[r[category]] + (f" ({names.get(r[key], r[key])})" if key else "")
            items.append(f"{where}: {note}")
    return items


def deck(
    figures: Mapping[str, pl.DataFrame],
    filters: Filters,
    as_of: date,
    threshold: int,
    lang: str = "en",
    synthetic: bool = False,
    all_wales: bool = True,
) -> bytes:
    """The slide deck (see :data:`SLIDES`) of :func:`build_figures` figures, as PowerPoint bytes: native charts,
    the map of Wales as editable shapes with a table alternative, speaker notes with definitions; every figure
    disclosure-controlled (publication view); all text from the catalogs in ``lang``."""
    f, n = filters, threshold
    area, comparator = area_text(f.area, lang), comparator_text(lang, all_wales)
    start, end = quarter_text(f.start_q, lang), quarter_text(f.end_q, lang)
    names = {"area": area, "wales": comparator}
    keys = ["area"] if f.area.level == "wales" else ["area", "wales"]
    who = area if len(keys) == 1 else t("report.against", lang, area=area, comparator=comparator)
    d = _Deck(lang, t("report.footer", lang, area=area, start=start, end=end, as_of=as_of.isoformat()), synthetic)

    def notes(key: str, *lead: str) -> str:
        return "\n\n".join([*lead, *(definition(p, lang, n) for p in NOTES[key])])

    def footnote(slide, items: Sequence[str] = (), base: str | None = None) -> None:
        """The slide's footnote: which values are suppressed (all of them in the speaker notes; on the slide
        when there are few), then ``base``."""
        listed = t("report.suppressed_list", lang, items="; ".join(items)) if items else None
        if items:
            slide.notes_slide.notes_text_frame.text += "\n\n" + listed
        short = listed if len(items) <= 6 else t("report.suppressed_many", lang, count=len(items))
        lines = [x for x in (short, base) if x]
        if lines:
            d.text(
                slide, lines, _MARGIN, _H - int(1.05 * _IN), _W - 2 * _MARGIN, int(0.55 * _IN), size=10, colour=_MUTED
            )

    chart_box = (_MARGIN, int(1.45 * _IN), _W - 2 * _MARGIN, int(4.85 * _IN))
    missing = t("report.missing_bar", lang)

    # 1 title
    s = d.slide("title", t("report.title", lang), notes("title", t("report.notes.title", lang, n=n)))
    d.text(s, area, _MARGIN, int(2.0 * _IN), _W - 2 * _MARGIN, int(0.9 * _IN), size=34, bold=True)
    d.text(
        s,
        [
            t("report.period", lang, start=start, end=end),
            t("report.as_of", lang, as_of=as_of.isoformat()),
            t("report.prepared", lang, n=n),
        ],
        _MARGIN,
        int(3.0 * _IN),
        _W - 2 * _MARGIN,
        int(1.6 * _IN),
        size=16,
        colour=_MUTED,
    )
    if synthetic:
        d.text(
            s,
            t("report.synthetic", lang),
            _MARGIN,
            int(4.9 * _IN),
            _W - 2 * _MARGIN,
            int(0.8 * _IN),
            size=16,
            bold=True,
            colour="D55E00",
        )

    # 2 headline figures
    head = figures["headline"]
    summary = overview.summary(head, lang, area, f"{start}–{end}")
    s = d.slide(
        "headline",
        t("report.slide.headline", lang),
        notes("headline", *summary),
        t("report.sub.headline", lang, area=area, start=start, end=end),
    )
    width, height = int((_W - 2 * _MARGIN - 2 * 0.3 * _IN) / 3), int(1.9 * _IN)
    for i, r in enumerate(head.iter_rows(named=True)):
        x = _MARGIN + (i % 3) * (width + int(0.3 * _IN))
        y = int(1.55 * _IN) + (i // 3) * (height + int(0.25 * _IN))
        is_rate = r["metric"] in overview.RATE_METRICS
        value = _text(r["current"], r["current__note"], percent=is_rate)
        if r["change__note"] or r["change"] is None:
            change = t("report.no_change", lang)
        else:
            change = t(
                "report.change_pp" if is_rate else "report.change",
                lang,
                diff=overview.signed_change(r["change"], is_rate),
            )  # as on the page: never "-0"
        box = s.shapes.add_shape(1, x, y, width, height)  # MSO_SHAPE.RECTANGLE
        box.fill.solid()
        box.fill.fore_color.rgb = _rgb("F3F2F1")
        box.line.color.rgb = _rgb("B1B4B6")
        d.text(
            s,
            t(f"overview.label.{r['metric']}", lang),
            x + int(0.15 * _IN),
            y + int(0.1 * _IN),
            width - int(0.3 * _IN),
            int(0.4 * _IN),
            size=14,
            colour=_MUTED,
        )
        d.text(
            s,
            value,
            x + int(0.15 * _IN),
            y + int(0.5 * _IN),
            width - int(0.3 * _IN),
            int(0.8 * _IN),
            size=36,
            bold=True,
        )
        d.text(
            s,
            change,
            x + int(0.15 * _IN),
            y + int(1.35 * _IN),
            width - int(0.3 * _IN),
            int(0.4 * _IN),
            size=12,
            colour=_MUTED,
        )
    footnote(s, base=t("report.headline_note", lang, n=n))

    # 3 trends
    trend, by_cohort = figures["trend"], figures["cohorts"]
    quarters = list(dict.fromkeys(trend["quarter"].sort().to_list()))
    q_labels = [quarter_text(q, lang) for q in quarters]
    s = d.slide(
        "trend",
        t("report.slide.trend", lang),
        notes("trend", t("report.notes.trend", lang)),
        t("report.sub.trend", lang, start=start, end=end),
    )
    half = int((_W - 2 * _MARGIN - 0.3 * _IN) / 2)
    box = (_MARGIN, int(1.45 * _IN), half, int(4.8 * _IN))
    d.line_chart(
        s,
        q_labels,
        list(
            zip(
                [names[k] for k in keys],
                series_values(trend, "episodes", "series", keys, "quarter", quarters),
                strict=True,
            )
        ),
        box,
        t("overview.section.area_trend", lang, area=area, comparator=comparator)
        if len(keys) > 1
        else t("overview.section.episodes_trend", lang),
    )
    chosen = [c for c in COHORTS if c in f.cohorts]
    box = (_MARGIN + half + int(0.3 * _IN), int(1.45 * _IN), half, int(4.8 * _IN))
    d.line_chart(
        s,
        q_labels,
        list(
            zip(
                [label("cohort", c, lang) for c in chosen],
                series_values(by_cohort, "episodes", "cohort", chosen, "quarter", quarters),
                strict=True,
            )
        ),
        box,
        t("report.cohort_trend", lang, area=area),
    )
    q_names = dict(zip(quarters, q_labels, strict=True))
    footnote(
        s,
        [
            *_suppressed(trend, "episodes", "series", names, "quarter", q_names),
            *_suppressed(
                by_cohort, "episodes", "cohort", {c: label("cohort", c, lang) for c in chosen}, "quarter", q_names
            ),
        ],
        missing,
    )

    # 4 needs, 5 gaps: a measure by pathway, area against comparator
    pathway_labels = {p: label("pathway", p, lang) for p in PATHWAYS}
    for key, frame, measure in (("needs", figures["needs"], "need_rate"), ("gaps", figures["gaps"], "gap_rate")):
        s = d.slide(
            key,
            t(f"report.slide.{key}", lang),
            notes(key, t(f"report.notes.{key}", lang)),
            t(f"report.sub.{key}", lang, who=who, start=start, end=end),
        )
        values = series_values(frame, measure, "series", keys, "pathway", list(PATHWAYS))
        top = max([v for vs in values for v in vs if v is not None], default=0)
        d.bar_chart(
            s,
            list(pathway_labels.values()),
            list(zip([names[k] for k in keys], values, strict=True)),
            chart_box,
            title=t(f"col.{measure}", lang),
            maximum=1.0 if top > 0.8 else None,
        )
        footnote(s, _suppressed(frame, measure, "series", names, "pathway", pathway_labels), missing)

    # 6 map of Wales, 7 its table
    _map_slides(d, figures["map"], f, lang, n, area, start, end, notes)

    # 8 RRP activity
    act, rh = figures["rrp"], figures["rrp_headline"]
    s = d.slide(
        "rrp",
        t("report.slide.rrp", lang),
        notes("rrp", t("report.notes.rrp", lang)),
        t("report.sub.rrp", lang, area=area, start=start, end=end),
    )
    rq = act["quarter"].to_list()
    measures = ("meetings", "cases_reviewed", "escalations")
    values = [[_value(r, m) for r in act.iter_rows(named=True)] for m in measures]
    d.bar_chart(
        s,
        [quarter_text(q, lang) for q in rq],
        list(zip([t(f"rrp.col.{m}", lang) for m in measures], values, strict=True)),
        (_MARGIN, int(1.45 * _IN), int(8.3 * _IN), int(4.85 * _IN)),
        number_format="#,##0",
        horizontal=False,
        title=t("report.rrp_chart", lang),
    )
    h = rrp.texts(rh, percent=list(rrp.HEADLINE_RATES))
    items = [
        f"{t(f'rrp.metric.{m}', lang)}: {h[m]}"
        for m in (
            "meetings",
            "cases_reviewed",
            "completion_rate",
            "escalations",
            "attendance_rate",
            "reviewed_before_rate",
        )
    ]
    d.text(s, items, _MARGIN + int(8.6 * _IN), int(1.6 * _IN), int(3.7 * _IN), int(4.5 * _IN), size=15, bullets=True)
    note = disclosure.NOTE_SUFFIX
    items = [
        f"{quarter_text(r['quarter'], lang)} ({t(f'rrp.col.{m}', lang)}): {r[m + note]}"
        for r in act.iter_rows(named=True)
        for m in measures
        if r.get(m + note)
    ]
    footnote(s, items, missing if rh["meetings"].item() else t("report.rrp_none", lang, area=area))

    # 9 completeness: selection against comparator
    dq = figures["completeness"]
    s = d.slide(
        "completeness",
        t("report.slide.completeness", lang),
        notes("completeness", t("report.notes.completeness", lang)),
        t("report.sub.completeness", lang, who=who, start=start, end=end),
    )
    kinds = ("completeness", "validity", "timeliness")
    dq_keys = ["selection"] if f.area.level == "wales" else ["selection", "wales"]
    dq_names = {"selection": area, "wales": comparator}
    rows = {r["series"]: r for r in dq.iter_rows(named=True)}  # a series with no record in the period has no row
    values = [
        [
            (None if rows.get(k, {}).get(c) is None or rows[k].get(c + disclosure.NOTE_SUFFIX) else rows[k][c] / 100)
            for c in kinds
        ]
        for k in dq_keys
    ]
    d.bar_chart(
        s,
        [t(f"completeness.metric_{c}", lang) for c in kinds],
        list(zip([dq_names[k] for k in dq_keys], values, strict=True)),
        chart_box,
        number_format="0.0%",
        maximum=1.0,
        title=t("report.completeness_chart", lang),
    )
    footnote(s, base=missing)

    # 10 outcomes
    oc = figures["outcomes"]
    s = d.slide(
        "outcomes",
        t("report.slide.outcomes", lang),
        notes("outcomes", t("report.notes.outcomes", lang)),
        t("report.sub.outcomes", lang, who=who, start=start, end=end),
    )
    measure_labels = {m: t(f"outcomes.measure.{m}", lang) for m in outcomes.MEASURES}
    values = series_values(oc, "rate", "group", keys, "measure", list(outcomes.MEASURES))
    d.bar_chart(
        s,
        list(measure_labels.values()),
        list(zip([names[k] for k in keys], values, strict=True)),
        chart_box,
        maximum=1.0,
        title=t("report.outcomes_chart", lang),
    )
    footnote(s, _suppressed(oc, "rate", "group", names, "measure", measure_labels), t("report.outcomes_note", lang))

    # 11 about these figures
    s = d.slide("about", t("report.slide.about", lang), notes("about", t("report.notes.about", lang)))
    d.text(
        s,
        [
            *published.rule_texts(_protection(n), lang),
            t("report.about_view", lang),
            t("disclosure.export.source_synthetic" if synthetic else "disclosure.export.source_real", lang),
        ],
        _MARGIN,
        int(1.4 * _IN),
        int(6.6 * _IN),
        int(5.0 * _IN),
        size=14,
        bullets=True,
    )
    d.table(
        s,
        [t("report.code", lang), t("report.meaning", lang)],
        [(c, t(f"disclosure.note.{c}", lang)) for c in disclosure.NOTE_CODES],
        (_MARGIN + int(7.0 * _IN), int(1.45 * _IN), int(5.3 * _IN), int(4.6 * _IN)),
        size=11,
        widths=(1, 6),
    )
    return d.bytes()


def _map_slides(
    d: _Deck, frame: pl.DataFrame, f: Filters, lang: str, n: int, area: str, start: str, end: str, notes
) -> None:
    """The map of Wales (22 freeform shapes coloured by the protected gap rate, grey where suppressed, with a
    legend; the selected area outlined) and its table alternative."""
    from pptx.util import Pt

    from resettlement import maps  # imported here: pydeck is slow to import, and exports need no map

    measure, is_rate = "gap_rate", True
    mf, bins = maps.map_frame(
        frame,
        measure,
        "offer_recorded",
        is_rate,
        geography.la_to_area("la", f.end),
        lang,
        suppressed_text=t("map.suppressed", lang),
        no_data_text=t("map.no_data", lang),
    )
    by_code = {r["la_code"]: r for r in mf.iter_rows(named=True)}
    selected = set(geography.area_la_codes(f.area.level, f.area.code)) if f.area.level != "wales" else set()
    s = d.slide(
        "map",
        t("report.slide.map", lang),
        notes("map", t("report.notes.map", lang)),
        t("report.sub.map", lang, start=start, end=end),
    )
    features = maps.boundaries()["features"]
    rings = [
        (feat["properties"]["code"], poly[0])
        for feat in features
        for poly in (
            feat["geometry"]["coordinates"]
            if feat["geometry"]["type"] == "MultiPolygon"
            else [feat["geometry"]["coordinates"]]
        )
    ]
    lons = [p[0] for _, ring in rings for p in ring]
    lats = [p[1] for _, ring in rings for p in ring]
    k = math.cos(math.radians((min(lats) + max(lats)) / 2))
    box_x, box_y, box_w, box_h = _MARGIN, int(1.4 * _IN), int(7.2 * _IN), int(4.9 * _IN)
    scale = min(box_w / ((max(lons) - min(lons)) * k), box_h / (max(lats) - min(lats)))

    def xy(p: Sequence[float]) -> tuple[int, int]:
        return (box_x + int((p[0] - min(lons)) * k * scale), box_y + int((max(lats) - p[1]) * scale))

    ordered = sorted(geography.LA_CODES, key=lambda c: c in selected)  # the selection drawn last, on top
    for code in ordered:
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
        shape.fill.fore_color.rgb = _rgb(r["fill"])
        shape.line.color.rgb = _rgb(_INK if code in selected else "FFFFFF")
        shape.line.width = Pt(2.5 if code in selected else 0.75)
    # legend
    x, y = _MARGIN + int(7.6 * _IN), int(1.5 * _IN)
    d.text(s, t("report.map_legend", lang), x, y, int(4.6 * _IN), int(0.4 * _IN), size=14, bold=True)
    entries = [
        (colour, f"{maps.fmt_value(lo, is_rate)}–{maps.fmt_value(hi, is_rate)}")
        for colour, lo, hi in zip(maps.SCALE, bins.edges, bins.edges[1:], strict=False)
    ]
    entries += [
        (maps.SUPPRESSED_FILL, t("map.suppressed_legend", lang)),
        (maps.NO_DATA_FILL, t("map.no_data_legend", lang)),
    ]
    for i, (colour, text) in enumerate(entries):
        yy = y + int((0.55 + 0.42 * i) * _IN)
        sw = s.shapes.add_shape(1, x, yy, int(0.4 * _IN), int(0.28 * _IN))
        sw.fill.solid()
        sw.fill.fore_color.rgb = _rgb(colour)
        sw.line.color.rgb = _rgb(_MUTED)
        d.text(s, text, x + int(0.5 * _IN), yy - int(0.06 * _IN), int(4.0 * _IN), int(0.4 * _IN), size=12)
    lines = [t("report.map_caption", lang)]
    if selected:
        lines.append(t("report.map_selected", lang, area=area))
    d.text(
        s, lines, x, y + int((0.7 + 0.42 * len(entries)) * _IN), int(4.6 * _IN), int(1.6 * _IN), size=11, colour=_MUTED
    )

    # the table alternative, two columns of authorities side by side
    s = d.slide(
        "map_table",
        t("report.slide.map_table", lang),
        notes("map_table", t("report.notes.map_table", lang)),
        t("report.sub.map", lang, start=start, end=end),
    )
    named = frame.with_columns(
        pl.col("area_code")
        .replace_strict({c: geography.la_name(c, lang) for c in geography.LA_CODES}, default=pl.col("area_code"))
        .alias("name")
    )
    rows = [
        (
            ("▶ " if r["area_code"] in selected else "") + r["name"],
            _text(r["gap_rate"], r["gap_rate__note"], percent=True),
            _text(r["unmet"], r["unmet__note"]),
            _text(r["offer_recorded"], r["offer_recorded__note"]),
            _text(r["identified"], r["identified__note"]),
        )
        for r in named.sort("name").iter_rows(named=True)
    ]
    header = [
        t("report.col_authority", lang),
        t("col.gap_rate", lang),
        t("col.unmet", lang),
        t("col.offer_recorded", lang),
        t("col.identified", lang),
    ]
    half = (len(rows) + 1) // 2
    width = int((_W - 2 * _MARGIN - 0.3 * _IN) / 2)
    for i, chunk in enumerate((rows[:half], rows[half:])):
        d.table(
            s,
            header,
            chunk,
            (_MARGIN + i * (width + int(0.3 * _IN)), int(1.45 * _IN), width, int(0.3 * _IN) * (len(chunk) + 1)),
            size=10,
            widths=(2.6, 1.1, 1.3, 1.4, 1.5),
        )
    d.text(
        s,
        t("report.map_table_note", lang, n=n),
        _MARGIN,
        _H - int(1.05 * _IN),
        _W - 2 * _MARGIN,
        int(0.5 * _IN),
        size=10,
        colour=_MUTED,
    )


def report_deck(
    tables: Mapping[str, pl.DataFrame],
    filters: Filters,
    as_of: date,
    threshold: int,
    lang: str = "en",
    synthetic: bool = False,
    all_wales: bool = True,
    fetch: Callable[..., pl.DataFrame] | None = None,
    key: int = 1,
) -> bytes:
    """:func:`deck` of :func:`build_figures`: what the CLI and the Overview page's button produce."""
    return deck(
        build_figures(tables, filters, as_of, threshold, lang, fetch, key),
        filters,
        as_of,
        threshold,
        lang,
        synthetic,
        all_wales,
    )

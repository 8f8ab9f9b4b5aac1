"""The slide canvas of the deck: a python-pptx presentation with this project's furniture (title, subtitle,
footer, page number, speaker notes) and its native, editable parts: text boxes, bar and line charts, tables.

Charts use the Okabe-Ito colours and differ by more than colour (a hatched second series, markers and dashes);
their embedded data is a spreadsheet too, so its text goes through :func:`resettlement.exports.safe_cell`.
Positions and sizes are in EMU (:data:`IN` to the inch) on a 16:9 slide.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from resettlement import disclosure, exports
from resettlement.charts import OKABE_ITO
from resettlement.i18n import t

W, H = 12_192_000, 6_858_000  # 16:9, 13.333 × 7.5 in, in EMU
IN = 914_400
MARGIN = int(0.5 * IN)
INK, MUTED = "0B0C0C", "505A5F"
_FIGURE = re.compile(r"^[-+]?[\d,.]+%?$")


def rgb(colour: str | Sequence[int]):
    """A python-pptx colour from ``"#0072B2"`` or an (r, g, b) triple."""
    from pptx.dml.color import RGBColor

    if isinstance(colour, str):
        return RGBColor.from_string(colour.lstrip("#").upper())
    return RGBColor(*(int(c) for c in colour[:3]))


def _chart_data(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], number_format: str):
    """A chart's data; its text neutralised, since the chart's data is a spreadsheet too."""
    from pptx.chart.data import CategoryChartData

    data = CategoryChartData(number_format=number_format)
    data.categories = [exports.safe_cell(c) for c in categories]
    for name, values in series:
        data.add_series(exports.safe_cell(name), list(values))
    return data


def _value_axis(chart, number_format: str, maximum: float | None = None) -> None:
    """A chart's value axis: from 0 (to ``maximum``), light gridlines, tick labels in ``number_format``."""
    axis = chart.value_axis
    axis.tick_labels.number_format, axis.tick_labels.number_format_is_linked = number_format, False
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = rgb("E0E0E0")
    axis.minimum_scale = 0
    if maximum is not None:
        axis.maximum_scale = maximum


class Canvas:
    """A python-pptx presentation with this project's slide furniture (title, footer, notes)."""

    def __init__(self, lang: str, footer: str, synthetic: bool) -> None:
        from pptx import Presentation
        from pptx.util import Emu

        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = Emu(W), Emu(H)
        self.lang, self.footer, self.synthetic = lang, footer, synthetic

    def slide(self, key: str, title: str, notes: str, subtitle: str | None = None):
        s = self.prs.slides.add_slide(self.prs.slide_layouts[6])
        s.name = key
        self.text(s, title, MARGIN, int(0.3 * IN), W - 2 * MARGIN, int(0.7 * IN), size=26, bold=True)
        if subtitle:
            self.text(s, subtitle, MARGIN, int(0.95 * IN), W - 2 * MARGIN, int(0.4 * IN), size=13, colour=MUTED)
        number = len(self.prs.slides)
        foot = self.footer + (f" · {t('report.synthetic_short', self.lang)}" if self.synthetic else "")
        self.text(s, foot, MARGIN, H - int(0.45 * IN), W - 2 * MARGIN - IN, int(0.3 * IN), size=9, colour=MUTED)
        self.text(
            s,
            str(number),
            W - MARGIN - int(0.6 * IN),
            H - int(0.45 * IN),
            int(0.6 * IN),
            int(0.3 * IN),
            size=9,
            colour=MUTED,
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
        colour: str = INK,
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
                run.font.color.rgb = rgb(colour)
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
        from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
        from pptx.enum.dml import MSO_PATTERN
        from pptx.util import Pt

        data = _chart_data(categories, series, number_format)
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
                fill.fore_color.rgb, fill.back_color.rgb = rgb(OKABE_ITO[i]), rgb("FFFFFF")
                s.format.line.color.rgb = rgb(OKABE_ITO[i])
            else:
                fill.solid()
                fill.fore_color.rgb = rgb(OKABE_ITO[i])
        if horizontal:
            chart.category_axis.reverse_order = True
        _value_axis(chart, number_format, maximum)
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
        from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE
        from pptx.enum.dml import MSO_LINE_DASH_STYLE
        from pptx.util import Pt

        data = _chart_data(categories, series, number_format)
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
            s.format.line.color.rgb = rgb(OKABE_ITO[i])
            s.format.line.width = Pt(2.25)
            s.format.line.dash_style = dashes[i % len(dashes)]
            s.marker.style, s.marker.size = markers[i % len(markers)], 7
            s.marker.format.fill.solid()
            s.marker.format.fill.fore_color.rgb = rgb(OKABE_ITO[i])
        _value_axis(chart, number_format)
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
                cell.margin_top = cell.margin_bottom = Emu(int(0.02 * IN))
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

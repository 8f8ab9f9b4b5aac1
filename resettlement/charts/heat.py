"""A heat-table of proportions (:func:`heat_table`): each cell shows its percentage as text on a single-hue
background (light = low), so it reads without colour."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from resettlement.charts import style
from resettlement.charts.spec import Codes, Titles

HEAT_SCALE: tuple[str, ...] = ("#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b")  # one hue: light = low


@dataclass(frozen=True, kw_only=True)
class HeatTable:
    """What :func:`heat_table` draws: ``value`` (a proportion) per code of ``rows`` and of ``cols``. Cells where the
    column ``flag`` is true get ``flag_text``; hidden cells (null) show their note code from the column ``note``;
    with ``pooled_last``, a line sets the last row and column (totals) apart."""

    rows: Codes
    cols: Codes
    value: str
    titles: Titles
    flag: str | None = None
    flag_text: str = ""
    note: str | None = None
    pooled_last: bool = False


def _wrap(text: str, width: int = 14) -> str:
    """Break a label onto lines of about ``width`` characters with ``<br>``, at spaces and, in a word longer
    than ``width``, after its hyphens (Gogledd-ddwyrain)."""
    lines: list[str] = []
    for word in text.split():
        parts = [p + "-" for p in word.split("-")[:-1]] + [word.split("-")[-1]] if len(word) > width else [word]
        for part in parts:
            glue = "" if lines and lines[-1].endswith("-") else " "
            if lines and len(lines[-1]) + len(glue) + len(part) <= width:
                lines[-1] += glue + part
            else:
                lines.append(part)
    return "<br>".join(lines)


def _cell_text(cell: dict, spec: HeatTable) -> str:
    """A cell's percentage (with the flag text under a flagged one), or a hidden cell's note code."""
    v = cell.get(spec.value)
    if v is None:
        return cell.get(spec.note) or "" if spec.note else ""
    return f"{v:.0%}" + (f"<br><b>{spec.flag_text}</b>" if spec.flag and cell.get(spec.flag) else "")


def _box(i: int, j: int, half_width: float, half_height: float, **props: object) -> dict:
    """A rectangle around cell (row ``i``, column ``j``)."""
    return {
        "type": "rect",
        "x0": j - half_width,
        "x1": j + half_width,
        "y0": i - half_height,
        "y1": i + half_height,
        "xref": "x",
        "yref": "y",
        **props,
    }


def _marks(cells: list[list[dict]], xs: list[str], ys: list[str], spec: HeatTable) -> tuple[list, list]:
    """Each cell's text, a grey box behind a hidden cell and a dashed outline around a flagged one, and the lines
    setting the pooled row and column apart."""
    annotations, shapes = [], []
    for i, row in enumerate(cells):
        for j, cell in enumerate(row):
            v = cell.get(spec.value)
            colour = style.INK if v is None or v < 0.5 else "white"
            text = _cell_text(cell, spec)
            annotations.append(
                {"x": xs[j], "y": ys[i], "text": text, "showarrow": False, "font": {"size": 12, "color": colour}}
            )
            if v is None:
                shapes.append(_box(i, j, 0.5, 0.5, fillcolor="#dee0e2", line={"width": 0}, layer="below"))
            elif spec.flag and cell.get(spec.flag):
                shapes.append(_box(i, j, 0.46, 0.44, line={"color": "#D55E00", "width": 2.5, "dash": "dash"}))
    if spec.pooled_last:
        n_rows, n_cols, line = len(ys), len(xs), {"color": style.INK, "width": 2}
        shapes.append(
            {"type": "line", "x0": n_cols - 1.5, "x1": n_cols - 1.5, "y0": -0.5, "y1": n_rows - 0.5, "line": line}
        )
        shapes.append(
            {"type": "line", "x0": -0.5, "x1": n_cols - 0.5, "y0": n_rows - 1.5, "y1": n_rows - 1.5, "line": line}
        )
    return annotations, shapes


def heat_table(frame: pl.DataFrame, spec: HeatTable) -> go.Figure:
    """A heat-table of proportions: flagged cells carry their flag text and a dashed outline, hidden cells their
    note code on grey, so neither is told by colour alone."""
    by_cell = {(r[spec.rows.column], r[spec.cols.column]): r for r in frame.iter_rows(named=True)}
    cells = [[by_cell.get((rk, ck), {}) for ck in spec.cols.order] for rk in spec.rows.order]
    xs = [_wrap(name, 10) for name in spec.cols.names()]
    ys = spec.rows.names()
    # Annotations and shapes are collected and set once: Plotly's add_annotation/add_shape revalidate every earlier
    # one on each call, which made a 10 x 10 table take over a second.
    annotations, shapes = _marks(cells, xs, ys, spec)
    fig = go.Figure(
        go.Heatmap(
            z=[[cell.get(spec.value) for cell in row] for row in cells],
            x=xs,
            y=ys,
            zmin=0,
            zmax=1,
            colorscale=[[i / (len(HEAT_SCALE) - 1), c] for i, c in enumerate(HEAT_SCALE)],
            xgap=2,
            ygap=2,
            hoverinfo="skip",
            colorbar={"tickformat": ".0%", "thickness": 12, "len": 0.8},
        ),
        layout={"annotations": annotations, "shapes": shapes},
    )
    fig = style.layout(fig, spec.titles.chart)
    fig.update_layout(height=max(320, 150 + 46 * len(spec.rows.order)), plot_bgcolor="white")
    fig.update_xaxes(side="top", type="category", tickfont={"size": 11}, tickangle=0, showline=False)
    fig.update_yaxes(autorange="reversed", type="category", automargin=True, showgrid=False, showline=False)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 130, "b": 10})
    return fig

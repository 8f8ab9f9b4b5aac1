"""Bar charts: series side by side per category (:func:`grouped_bars`), ordered bins (:func:`binned_bars`) and one
small chart per panel (:func:`small_multiple_bars`). Each bar carries its value as text; suppressed values (nulls)
leave the bar out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from resettlement.charts import style
from resettlement.charts.spec import Codes, Titles


def _values(part: pl.DataFrame, key: str, value: str, codes: Sequence[str]) -> list:
    """``value`` of the row of each code in ``codes`` (None where there is none)."""
    by_code = dict(zip(part[key].to_list(), part[value].to_list(), strict=True))
    return [by_code.get(c) for c in codes]


def _count_text(values: list, shown: bool = True) -> list[str]:
    return ["" if v is None or not shown else f"{v:,.0f}" for v in values]


@dataclass(frozen=True, kw_only=True)
class GroupedBars:
    """What :func:`grouped_bars` draws: ``value`` per category (the codes of ``category.column``, in the frame's
    order), one bar per code of ``series``; rates (``is_rate``) as percentages, bars ``horizontal`` or upright."""

    category: Codes
    value: str
    series: Codes
    titles: Titles
    is_rate: bool = False
    horizontal: bool = True


def grouped_bars(frame: pl.DataFrame, spec: GroupedBars) -> go.Figure:
    """Bars per category, one bar per series side by side; series differ by colour *and* fill pattern."""
    fig = go.Figure()
    categories = list(dict.fromkeys(frame[spec.category.column].to_list()))
    labels, horizontal = spec.category.names(categories), spec.horizontal
    for i, key, part in spec.series.parts(frame):
        vals = _values(part, spec.category.column, spec.value, categories)
        text = _count_text(vals) if not spec.is_rate else ["" if v is None else f"{v:.0%}" for v in vals]
        fig.add_trace(
            go.Bar(
                name=spec.series.name(key),
                x=vals if horizontal else labels,
                y=labels if horizontal else vals,
                orientation="h" if horizontal else "v",
                text=text,
                textposition="outside",
                cliponaxis=False,
                marker=style.bar_marker(i),
            )
        )
    fig = style.layout(fig, spec.titles.chart)
    if spec.titles.category:
        (fig.update_yaxes if horizontal else fig.update_xaxes)(title=spec.titles.category)
    fig.update_layout(
        barmode="group",
        bargap=0.25,
        height=max(340, 120 + 26 * len(categories) * len(spec.series.order)) if horizontal else 400,
    )
    axis = fig.update_xaxes if horizontal else fig.update_yaxes
    axis(title=spec.titles.value, tickformat=".0%" if spec.is_rate else ",d", rangemode="tozero")
    if horizontal:
        fig.update_yaxes(autorange="reversed", automargin=True)
        if spec.is_rate:
            fig.update_xaxes(range=[0, 1.15])
    fig.update_layout(hovermode="closest")
    return fig


@dataclass(frozen=True, kw_only=True)
class BinnedBars:
    """What :func:`binned_bars` draws: ``value`` per bin (the codes of ``category``, in order), each bin belonging
    to one code of ``group``."""

    category: Codes
    value: str
    group: Codes
    titles: Titles


def binned_bars(frame: pl.DataFrame, spec: BinnedBars) -> go.Figure:
    """Vertical bars over ordered bins (e.g. days before release); groups differ by colour *and* fill pattern."""
    fig = go.Figure()
    labels = spec.category.names()
    for i, key, part in spec.group.parts(frame):
        vals = _values(part, spec.category.column, spec.value, spec.category.order)
        fig.add_trace(
            go.Bar(
                x=labels,
                y=vals,
                name=spec.group.name(key),
                text=_count_text(vals),
                textposition="outside",
                cliponaxis=False,
                marker=style.bar_marker(i),
            )
        )
    fig = style.layout(fig, spec.titles.chart, spec.titles.category, spec.titles.value)
    fig.update_layout(barmode="relative", bargap=0.2)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels)
    fig.update_yaxes(tickformat=",d")
    return fig


@dataclass(frozen=True, kw_only=True)
class SmallMultipleBars:
    """What :func:`small_multiple_bars` draws: ``y`` over the codes of ``x`` (in the frame's order), one panel per
    code of ``panel``, ``columns`` panels to a row."""

    x: Codes
    y: str
    panel: Codes
    titles: Titles
    columns: int = 3


def small_multiple_bars(frame: pl.DataFrame, spec: SmallMultipleBars) -> go.Figure:
    """One small bar chart per panel (e.g. per RRP) on a shared y axis, so many series are compared without telling
    colours apart. A zero reads "0"; nulls (not applicable or suppressed) leave a gap."""
    from plotly.subplots import make_subplots

    n_panels = len(spec.panel.order)
    rows, cols = max(1, -(-n_panels // spec.columns)), min(spec.columns, max(1, n_panels))
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_yaxes=True,
        horizontal_spacing=0.04,
        vertical_spacing=0.55 / rows if rows > 1 else 0.1,
        subplot_titles=spec.panel.names(),
    )
    xs = list(dict.fromkeys(frame[spec.x.column].to_list()))
    for i, key, part in spec.panel.parts(frame):
        vals = _values(part, spec.x.column, spec.y, xs)
        fig.add_trace(
            go.Bar(
                x=spec.x.names(xs),
                y=vals,
                name=spec.panel.name(key),
                text=_count_text(vals, shown=len(xs) <= 12),
                textposition="outside",
                cliponaxis=False,
                marker={"color": style.OKABE_ITO[0], "line": {"color": style.INK, "width": 0.5}},
                hovertemplate=style.hover("%{x}: %{y}", spec.panel.name(key)),
                showlegend=False,
            ),
            row=i // cols + 1,
            col=i % cols + 1,
        )
    fig = style.layout(fig, spec.titles.chart)
    top = max([v for v in frame[spec.y].to_list() if v is not None], default=1)
    fig.update_layout(height=150 + 190 * rows, margin={"l": 10, "r": 10, "t": 80, "b": 10})
    fig.update_yaxes(range=[0, top * 1.3 + 0.5], tickformat=",d", gridcolor=style.GRID)
    fig.update_yaxes(title_text=spec.titles.value, col=1)
    fig.update_xaxes(type="category", tickangle=-45, tickfont={"size": 10})
    fig.update_annotations(font={"size": 13})
    return fig

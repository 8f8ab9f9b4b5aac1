"""Line charts over periods: counts and rates per quarter (:func:`trend_lines`), scores against thresholds
(:func:`score_trend`). Each series has its own colour, marker and dash; suppressed values (nulls) are gaps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import plotly.graph_objects as go
import polars as pl

from resettlement.charts import style
from resettlement.charts.spec import Codes, Titles


@dataclass(frozen=True, kw_only=True)
class TrendLines:
    """What :func:`trend_lines` draws: ``y`` over the periods in ``x`` (quarter labels ``2024Q2`` or years ``2024``,
    named in the hover by ``x.labels``), one line per code of ``series``. ``y_format`` is the value axis' tick format
    (``.0%`` for rates), ``y_range`` its fixed range, and ``reference`` a (value, label) drawn as a dotted line."""

    x: Codes
    y: str
    series: Codes
    titles: Titles
    y_format: str | None = None
    y_range: Sequence[float] | None = None
    reference: tuple[float, str] | None = None


@dataclass(frozen=True, kw_only=True)
class ScoreTrend(TrendLines):
    """What :func:`score_trend` draws: a :class:`TrendLines` of scores in percent, with ``references``
    (label -> value, e.g. RAG thresholds) drawn as labelled dotted lines."""

    references: Mapping[str, float] = field(default_factory=dict)


def trend_lines(frame: pl.DataFrame, spec: TrendLines) -> go.Figure:
    """One line per series over periods, plotted at each period's first day on a date axis (so ticks thin out by
    year); the hover shows the period's name in the chosen language."""
    fig = go.Figure()
    for i, key, part in spec.series.parts(frame):
        periods = part[spec.x.column].to_list()
        fig.add_trace(
            go.Scatter(
                x=style.periods(periods),
                y=part[spec.y].to_list(),
                customdata=spec.x.names(periods),
                hovertemplate=style.hover("%{customdata}: %{y}", spec.series.name(key)),
                name=spec.series.name(key),
                mode="lines+markers",
                connectgaps=False,
                line=style.line(i, 2),
                marker={"symbol": style.symbol(i), "size": 7},
            )
        )
    fig = style.layout(fig, spec.titles.chart, spec.titles.category, spec.titles.value)
    style.period_axis(fig)
    if spec.y_format or spec.y_range:
        fig.update_yaxes(
            **({"tickformat": spec.y_format} if spec.y_format else {}),
            **({"range": list(spec.y_range)} if spec.y_range else {}),
        )
    if spec.reference:
        style.reference_line(fig, *spec.reference)
    return fig


def score_trend(frame: pl.DataFrame, spec: ScoreTrend) -> go.Figure:
    """:func:`trend_lines` for scores in percent (0-100): the axis zooms to where the values are (a score axis from
    zero hides every change), and each reference is a labelled dotted line, read from its label, not its colour."""
    fig = trend_lines(frame, spec)
    shown = frame.filter(pl.col(spec.series.column).is_in(list(spec.series.order)))[spec.y].to_list()
    low = min([*(v for v in shown if v is not None), *spec.references.values()], default=0.0)
    fig.update_yaxes(range=[max(0.0, (low // 5) * 5 - 5), 100.5], ticksuffix="%", rangemode="normal")
    for text, value in spec.references.items():
        style.reference_line(fig, value, text, font={"size": 11, "color": style.MUTED})
    return fig

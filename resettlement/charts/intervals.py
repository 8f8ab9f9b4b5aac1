"""Estimates with their confidence intervals as error bars: per category (:func:`interval_dots`) and per quarter
cohort (:func:`cohort_intervals`). Suppressed values (nulls) leave the point out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

import plotly.graph_objects as go
import polars as pl

from resettlement.charts import style
from resettlement.charts.spec import Codes, Titles
from resettlement.period import quarter_bounds


@dataclass(frozen=True, kw_only=True)
class Interval:
    """An estimate and its interval: the columns of the value and its bounds, multiplied by ``multiplier`` (100:
    proportions shown as percentages or percentage points) and shown with ``suffix``."""

    value: str
    low: str
    high: str
    multiplier: float = 100.0
    suffix: str = "%"

    def arrays(self, rows: Sequence[Mapping]) -> tuple[list, list, list]:
        """Scaled values and the error-bar lengths above and below them (0 where a bound is missing)."""
        xs, plus, minus = [], [], []
        for r in rows:
            v, lo, hi = r.get(self.value), r.get(self.low), r.get(self.high)
            xs.append(None if v is None else v * self.multiplier)
            plus.append(0 if v is None or hi is None else (hi - v) * self.multiplier)
            minus.append(0 if v is None or lo is None else (v - lo) * self.multiplier)
        return xs, plus, minus

    def hover(self, xs: list, plus: list, minus: list, counts: Sequence | None = None, n_label: str = "n") -> list:
        """Hover texts "12.3% (10.1 to 14.5)", with ", n = 1,234" where a count is given; empty for a gap."""
        counts = counts or [None] * len(xs)
        return [
            ""
            if x is None
            else f"{x:.1f}{self.suffix} ({x - m:.1f} to {x + p:.1f})" + (f", {n_label} = {n:,}" if n else "")
            for x, p, m, n in zip(xs, plus, minus, counts, strict=True)
        ]


def _error_bars(plus: list, minus: list, colour: str, thickness: float, width: float) -> dict:
    return {
        "type": "data",
        "symmetric": False,
        "array": plus,
        "arrayminus": minus,
        "color": colour,
        "thickness": thickness,
        "width": width,
    }


@dataclass(frozen=True, kw_only=True)
class IntervalDots:
    """What :func:`interval_dots` draws: one row per code of ``category``, one dot per code of ``series``. With
    ``denominator`` (a column), the hover adds "``n_label`` = n"; ``zero_line`` marks 0 (for differences)."""

    category: Codes
    interval: Interval
    series: Codes
    titles: Titles
    zero_line: bool = False
    denominator: str | None = None
    n_label: str = "n"


def interval_dots(frame: pl.DataFrame, spec: IntervalDots) -> go.Figure:
    """Dot-and-whisker chart: series differ by colour *and* marker symbol and sit side by side within a row."""
    fig = go.Figure()
    labels, k = spec.category.names(), len(spec.series.order)
    for i, key, part in spec.series.parts(frame):
        rows = {r[spec.category.column]: r for r in part.iter_rows(named=True)}
        got = [rows.get(c, {}) for c in spec.category.order]
        xs, plus, minus = spec.interval.arrays(got)
        counts = [r.get(spec.denominator) if spec.denominator else None for r in got]
        hover = spec.interval.hover(xs, plus, minus, counts, spec.n_label)
        offset = (i - (k - 1) / 2) * min(0.3, 0.7 / k)  # series side by side within a row
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=[j + offset for j in range(len(labels))],
                mode="markers",
                name=spec.series.name(key),
                customdata=[[lab, h] for lab, h in zip(labels, hover, strict=True)],
                hovertemplate=style.hover("%{customdata[0]}: %{customdata[1]}", spec.series.name(key)),
                error_x=_error_bars(plus, minus, style.colour(i), 1.8, 5),
                marker={
                    "symbol": style.symbol(i),
                    "size": 10,
                    "color": style.colour(i),
                    "line": {"color": style.INK, "width": 0.8},
                },
            )
        )
    fig = style.layout(fig, spec.titles.chart, spec.titles.value, "")
    fig.update_layout(height=max(280, 130 + (22 + 20 * k) * len(labels)))
    if k == 1:
        fig.update_layout(showlegend=False, margin={"t": 50})
    fig.update_yaxes(
        tickvals=list(range(len(labels))),
        ticktext=labels,
        range=[len(labels) - 0.5, -0.5],
        automargin=True,
        showgrid=False,
        zeroline=False,
    )
    fig.update_xaxes(ticksuffix=spec.interval.suffix, zeroline=False, showgrid=True, gridcolor=style.GRID)
    for j in range(1, len(labels)):  # light separators between rows
        fig.add_hline(y=j - 0.5, line={"color": "#f0f0f0", "width": 1})
    if spec.zero_line:
        fig.add_vline(x=0, line={"color": style.MUTED, "width": 1.2, "dash": "dot"})
    else:
        fig.update_xaxes(rangemode="tozero")
    return fig


@dataclass(frozen=True, kw_only=True)
class CohortIntervals:
    """What :func:`cohort_intervals` draws: an estimate per quarter of ``x`` (named in the hover by ``x.labels``), one
    line per code of ``series``. Quarters from ``open_from`` on are shaded and labelled ``open_label``."""

    x: Codes
    interval: Interval
    series: Codes
    titles: Titles
    open_from: str | None = None
    open_label: str = ""


def cohort_intervals(frame: pl.DataFrame, spec: CohortIntervals) -> go.Figure:
    """A value per quarter with its interval as error bars, one line per series (colour, marker and dash).

    Open cohorts (figures not final) arrive as nulls and are never drawn, so an open cohort cannot be read as a
    low rate; their quarters are shaded.
    """
    fig = go.Figure()
    for i, key, part in spec.series.parts(frame):
        quarters = part[spec.x.column].to_list()
        ys, plus, minus = spec.interval.arrays(list(part.iter_rows(named=True)))
        hover = spec.interval.hover(ys, plus, minus)
        fig.add_trace(
            go.Scatter(
                x=style.periods(quarters),
                y=ys,
                customdata=[[q, h] for q, h in zip(spec.x.names(quarters), hover, strict=True)],
                hovertemplate=style.hover("%{customdata[0]}: %{customdata[1]}", spec.series.name(key)),
                name=spec.series.name(key),
                mode="lines+markers",
                connectgaps=False,
                error_y=_error_bars(plus, minus, style.colour(i), 1.2, 3),
                line=style.line(i, 1.6),
                marker={"symbol": style.symbol(i), "size": 7, "color": style.colour(i)},
            )
        )
    fig = style.layout(fig, spec.titles.chart, spec.titles.category, spec.titles.value)
    quarters = frame[spec.x.column].unique(maintain_order=True).to_list()
    style.period_axis(fig)
    if quarters:  # error bars would otherwise widen the axis beyond the data
        first, last = quarter_bounds(quarters[0])[0], quarter_bounds(quarters[-1])[1]
        fig.update_xaxes(range=[first - timedelta(days=20), last + timedelta(days=20)])
    fig.update_yaxes(ticksuffix=spec.interval.suffix)
    if spec.open_from and quarters and spec.open_from <= quarters[-1]:
        _open_band(fig, quarter_bounds(spec.open_from)[0], quarter_bounds(quarters[-1])[1], spec.open_label)
    return fig


def _open_band(fig: go.Figure, start: object, end: object, label: str) -> None:
    """Shade the open cohorts' quarters, labelled at the top right."""
    fig.add_vrect(x0=start, x1=end, fillcolor="#6f777b", opacity=0.12, line_width=0, layer="below")
    fig.add_annotation(
        x=end,
        y=1,
        yref="paper",
        xanchor="right",
        yanchor="bottom",
        text=label,
        showarrow=False,
        font={"size": 12, "color": "#383f43"},
    )

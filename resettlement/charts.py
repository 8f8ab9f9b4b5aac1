"""Pure chart builders: protected data in, Plotly figure out.

Colours come from the Okabe-Ito palette (safe for the common forms of colour blindness), and every series
also differs by marker symbol and line dash, so no chart relies on colour alone. Suppressed values arrive as
nulls and are drawn as gaps, never as zeros.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl

from resettlement.filters import quarter_bounds

OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermilion
    "#F0E442",  # yellow
    "#000000",
)
SYMBOLS: tuple[str, ...] = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "hexagon")
DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash")
FONT = "Source Sans Pro, Arial, sans-serif"


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        font={"family": FONT, "size": 13},
        xaxis_title=x_title,
        yaxis_title=y_title,
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.35, "xanchor": "left", "x": 0},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        plot_bgcolor="white",
        height=380,
        hovermode="closest",
    )
    fig.update_xaxes(showgrid=False, linecolor="#505a5f")
    fig.update_yaxes(gridcolor="#e5e5e5", rangemode="tozero", linecolor="#505a5f")
    return fig


def trend_lines(
    df: pl.DataFrame,
    x: str,
    y: str,
    series: str,
    series_order: Sequence[str],
    series_labels: dict[str, str],
    title: str,
    x_title: str,
    y_title: str,
    x_labels: dict[str, str] | None = None,
) -> go.Figure:
    """One line per series over quarters; each series has its own colour, marker and dash.

    ``x`` holds quarter labels (``2024Q2``); they are plotted at each quarter's first day on a date axis (so
    ticks thin out by year) and the hover shows ``x_labels`` (the quarter in the chosen language).
    """
    fig = go.Figure()
    for i, key in enumerate(series_order):
        part = df.filter(pl.col(series) == key)
        quarters = part[x].to_list()
        fig.add_trace(
            go.Scatter(
                x=[quarter_bounds(q)[0] for q in quarters],
                y=part[y].to_list(),
                customdata=[x_labels.get(q, q) if x_labels else q for q in quarters],
                hovertemplate="%{customdata}: %{y}<extra>" + series_labels.get(key, key) + "</extra>",
                name=series_labels.get(key, key),
                mode="lines+markers",
                connectgaps=False,
                line={"color": OKABE_ITO[i % len(OKABE_ITO)], "dash": DASHES[i % len(DASHES)], "width": 2},
                marker={"symbol": SYMBOLS[i % len(SYMBOLS)], "size": 7},
            )
        )
    fig = _layout(fig, title, x_title, y_title)
    fig.update_xaxes(tickformat="%Y", dtick="M12", ticklabelmode="period")
    return fig


PATTERNS: tuple[str, ...] = ("", "/", ".", "x", "-", "|", "+", "\\")


def grouped_bars(
    df: pl.DataFrame,
    category: str,
    value: str,
    series: str,
    series_order: Sequence[str],
    series_labels: dict[str, str],
    category_labels: dict[str, str],
    title: str,
    value_title: str,
    is_rate: bool = False,
    horizontal: bool = True,
) -> go.Figure:
    """Bars per category, one bar per series side by side; series differ by colour *and* fill pattern, and
    each bar carries its value as text. Suppressed values (nulls) leave the bar out."""
    fig = go.Figure()
    categories = list(dict.fromkeys(df[category].to_list()))
    for i, key in enumerate(series_order):
        part = df.filter(pl.col(series) == key)
        by_cat = dict(zip(part[category].to_list(), part[value].to_list(), strict=True))
        vals = [by_cat.get(c) for c in categories]
        labels = [category_labels.get(c, c) for c in categories]
        text = ["" if v is None else (f"{v:.0%}" if is_rate else f"{v:,.0f}") for v in vals]
        bar = go.Bar(
            name=series_labels.get(key, key),
            x=vals if horizontal else labels,
            y=labels if horizontal else vals,
            orientation="h" if horizontal else "v",
            text=text,
            textposition="outside",
            cliponaxis=False,
            marker={
                "color": OKABE_ITO[i % len(OKABE_ITO)],
                "pattern": {"shape": PATTERNS[i % len(PATTERNS)], "fgcolor": "white", "solidity": 0.35},
                "line": {"color": "#0b0c0c", "width": 0.5},
            },
        )
        fig.add_trace(bar)
    fig = _layout(fig, title, "", "")
    fig.update_layout(barmode="group", bargap=0.25, height=max(320, 60 + 38 * len(categories) * len(series_order))
                      if horizontal else 380)
    axis = fig.update_xaxes if horizontal else fig.update_yaxes
    axis(title=value_title, tickformat=".0%" if is_rate else ",d", rangemode="tozero")
    if horizontal:
        fig.update_yaxes(autorange="reversed")
        if is_rate:
            fig.update_xaxes(range=[0, 1.15])
    fig.update_layout(hovermode="closest")
    return fig

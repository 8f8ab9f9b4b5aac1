"""The look every chart shares: the Okabe-Ito palette (safe for the common forms of colour blindness), a marker
symbol, line dash and fill pattern per series so no chart relies on colour alone, the font and the layout."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from resettlement.period import period_start

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
PATTERNS: tuple[str, ...] = ("", "/", ".", "x", "-", "|", "+", "\\")
FONT = "Source Sans Pro, Arial, sans-serif"
INK, MUTED, GRID = "#0b0c0c", "#505a5f", "#e5e5e5"


def colour(i: int) -> str:
    """The colour of the ``i``-th series."""
    return OKABE_ITO[i % len(OKABE_ITO)]


def symbol(i: int) -> str:
    return SYMBOLS[i % len(SYMBOLS)]


def line(i: int, width: float) -> dict:
    """The ``i``-th series' line: its colour and dash."""
    return {"color": colour(i), "dash": DASHES[i % len(DASHES)], "width": width}


def bar_marker(i: int) -> dict:
    """The ``i``-th series' bars: its colour under its fill pattern, outlined."""
    return {
        "color": colour(i),
        "pattern": {"shape": PATTERNS[i % len(PATTERNS)], "fgcolor": "white", "solidity": 0.3, "fillmode": "overlay"},
        "line": {"color": INK, "width": 0.5},
    }


def hover(text: str, series: str) -> str:
    """A hover template: ``text`` with the series' name beside it."""
    return f"{text}<extra>{series}</extra>"


def periods(codes: Sequence[str]) -> list:
    """Quarter labels (``2024Q2``) or years (``2024``) as each period's first day, for a date axis."""
    return [period_start(q) for q in codes]


def period_axis(fig: go.Figure) -> None:
    """A date x axis ticked by year, so ticks thin out on long series."""
    fig.update_xaxes(tickformat="%Y", dtick="M12", ticklabelmode="period")


def reference_line(fig: go.Figure, value: float, text: str, font: dict | None = None) -> None:
    """A dotted horizontal line at ``value``, labelled ``text``: a threshold is read from its label, not a colour."""
    fig.add_hline(
        y=value,
        line={"color": MUTED, "dash": "dot", "width": 1},
        annotation_text=text,
        annotation_position="bottom right",
        **({"annotation_font": font} if font else {}),
    )


def layout(fig: go.Figure, title: str, x_title: str = "", y_title: str = "") -> go.Figure:
    """The shared layout: title top left, legend above the plot, white background, light value grid."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "y": 0.98, "yanchor": "top", "font": {"size": 16}},
        font={"family": FONT, "size": 13},
        xaxis_title=x_title,
        yaxis_title=y_title,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0},
        margin={"l": 10, "r": 10, "t": 90, "b": 10},
        plot_bgcolor="white",
        height=380,
        hovermode="closest",
    )
    fig.update_xaxes(showgrid=False, linecolor=MUTED)
    fig.update_yaxes(gridcolor=GRID, rangemode="tozero", linecolor=MUTED)
    return fig

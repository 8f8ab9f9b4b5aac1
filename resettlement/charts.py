"""Pure chart builders: protected data in, Plotly figure out.

Colours come from the Okabe-Ito palette (safe for the common forms of colour blindness), and every series
also differs by marker symbol and line dash, so no chart relies on colour alone. Suppressed values arrive as
nulls and are drawn as gaps, never as zeros.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import plotly.graph_objects as go
import polars as pl

from resettlement.filters import period_start, quarter_bounds

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
    y_format: str | None = None,
    y_range: Sequence[float] | None = None,
    reference: tuple[float, str] | None = None,
) -> go.Figure:
    """One line per series over quarters; each series has its own colour, marker and dash.

    ``x`` holds quarter labels (``2024Q2``) or years (``2024``); they are plotted at each period's first day on
    a date axis (so ticks thin out by year) and the hover shows ``x_labels`` (the period in the chosen language).
    ``y_format`` is the value axis' tick format (``.0%`` for rates), ``y_range`` its fixed range, and ``reference``
    a (value, label) drawn as a labelled dotted line.
    """
    fig = go.Figure()
    for i, key in enumerate(series_order):
        part = df.filter(pl.col(series) == key)
        quarters = part[x].to_list()
        fig.add_trace(
            go.Scatter(
                x=[period_start(q) for q in quarters],
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
    if y_format or y_range:
        fig.update_yaxes(
            **({"tickformat": y_format} if y_format else {}), **({"range": list(y_range)} if y_range else {})
        )
    if reference:
        fig.add_hline(
            y=reference[0],
            line={"color": "#505a5f", "dash": "dot", "width": 1},
            annotation_text=reference[1],
            annotation_position="bottom right",
        )
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
    category_title: str = "",
) -> go.Figure:
    """Bars per category, one bar per series side by side; series differ by colour *and* fill pattern, and
    each bar carries its value as text. Suppressed values (nulls) leave the bar out. ``category_title`` names the
    category axis."""
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
                "pattern": {
                    "shape": PATTERNS[i % len(PATTERNS)],
                    "fgcolor": "white",
                    "solidity": 0.3,
                    "fillmode": "overlay",
                },
                "line": {"color": "#0b0c0c", "width": 0.5},
            },
        )
        fig.add_trace(bar)
    fig = _layout(fig, title, "", "")
    if category_title:
        (fig.update_yaxes if horizontal else fig.update_xaxes)(title=category_title)
    fig.update_layout(
        barmode="group",
        bargap=0.25,
        height=max(340, 120 + 26 * len(categories) * len(series_order)) if horizontal else 400,
    )
    axis = fig.update_xaxes if horizontal else fig.update_yaxes
    axis(title=value_title, tickformat=".0%" if is_rate else ",d", rangemode="tozero")
    if horizontal:
        fig.update_yaxes(autorange="reversed", automargin=True)
        if is_rate:
            fig.update_xaxes(range=[0, 1.15])
    fig.update_layout(hovermode="closest")
    return fig


def _interval_arrays(values: list, lows: list, highs: list, multiplier: float) -> tuple[list, list, list]:
    """Scaled values and the error-bar lengths above and below them (0 where a bound is missing)."""
    xs, plus, minus = [], [], []
    for v, lo, hi in zip(values, lows, highs, strict=True):
        xs.append(None if v is None else v * multiplier)
        plus.append(0 if v is None or hi is None else (hi - v) * multiplier)
        minus.append(0 if v is None or lo is None else (v - lo) * multiplier)
    return xs, plus, minus


def interval_dots(
    df: pl.DataFrame,
    category: str,
    value: str,
    low: str,
    high: str,
    series: str,
    series_order: Sequence[str],
    series_labels: dict[str, str],
    category_order: Sequence[str],
    category_labels: dict[str, str],
    title: str,
    value_title: str,
    multiplier: float = 100.0,
    suffix: str = "%",
    zero_line: bool = False,
    denominator: str | None = None,
    n_label: str = "n",
) -> go.Figure:
    """Dot-and-whisker chart: one row per category, one dot per series with its interval as error bars.

    Series differ by colour *and* marker symbol and sit side by side within a row. Values are multiplied by
    ``multiplier`` (100: proportions shown as percentages or percentage points). Suppressed values (nulls) leave
    the dot out; ``zero_line`` draws a reference line at 0 (for differences).
    """
    fig = go.Figure()
    labels = [category_labels.get(c, c) for c in category_order]
    k = len(series_order)
    for i, key in enumerate(series_order):
        rows = {r[category]: r for r in df.filter(pl.col(series) == key).iter_rows(named=True)}
        got = [rows.get(c, {}) for c in category_order]
        xs, plus, minus = _interval_arrays(
            [r.get(value) for r in got], [r.get(low) for r in got], [r.get(high) for r in got], multiplier
        )
        ns = [r.get(denominator) if denominator else None for r in got]
        hover = [
            "" if x is None else f"{x:.1f}{suffix} ({x - m:.1f} to {x + p:.1f})" + (f", {n_label} = {n:,}" if n else "")
            for x, p, m, n in zip(xs, plus, minus, ns, strict=True)
        ]
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        offset = (i - (k - 1) / 2) * min(0.3, 0.7 / k)  # series side by side within a row
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=[j + offset for j in range(len(labels))],
                mode="markers",
                name=series_labels.get(key, key),
                customdata=[[lab, h] for lab, h in zip(labels, hover, strict=True)],
                hovertemplate="%{customdata[0]}: %{customdata[1]}<extra>" + series_labels.get(key, key) + "</extra>",
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": plus,
                    "arrayminus": minus,
                    "color": colour,
                    "thickness": 1.8,
                    "width": 5,
                },
                marker={
                    "symbol": SYMBOLS[i % len(SYMBOLS)],
                    "size": 10,
                    "color": colour,
                    "line": {"color": "#0b0c0c", "width": 0.8},
                },
            )
        )
    fig = _layout(fig, title, value_title, "")
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
    fig.update_xaxes(ticksuffix=suffix, zeroline=False, showgrid=True, gridcolor="#e5e5e5")
    for j in range(1, len(labels)):  # light separators between rows
        fig.add_hline(y=j - 0.5, line={"color": "#f0f0f0", "width": 1})
    if zero_line:
        fig.add_vline(x=0, line={"color": "#505a5f", "width": 1.2, "dash": "dot"})
    else:
        fig.update_xaxes(rangemode="tozero")
    return fig


def cohort_intervals(
    df: pl.DataFrame,
    x: str,
    value: str,
    low: str,
    high: str,
    series: str,
    series_order: Sequence[str],
    series_labels: dict[str, str],
    title: str,
    x_title: str,
    y_title: str,
    x_labels: dict[str, str] | None = None,
    open_from: str | None = None,
    open_label: str = "",
    multiplier: float = 100.0,
    suffix: str = "%",
) -> go.Figure:
    """A value per quarter with its interval as error bars, one line per series (colour, marker and dash).

    Quarters from ``open_from`` on are shaded and labelled ``open_label`` (cohorts whose figures are not final):
    their values arrive as nulls and are never drawn, so an open cohort cannot be read as a low rate.
    """
    fig = go.Figure()
    for i, key in enumerate(series_order):
        part = df.filter(pl.col(series) == key)
        quarters = part[x].to_list()
        ys, plus, minus = _interval_arrays(part[value].to_list(), part[low].to_list(), part[high].to_list(), multiplier)
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        hover = [
            "" if y is None else f"{y:.1f}{suffix} ({y - m:.1f} to {y + p:.1f})"
            for y, p, m in zip(ys, plus, minus, strict=True)
        ]
        fig.add_trace(
            go.Scatter(
                x=[period_start(q) for q in quarters],
                y=ys,
                customdata=[[x_labels.get(q, q) if x_labels else q, h] for q, h in zip(quarters, hover, strict=True)],
                hovertemplate="%{customdata[0]}: %{customdata[1]}<extra>" + series_labels.get(key, key) + "</extra>",
                name=series_labels.get(key, key),
                mode="lines+markers",
                connectgaps=False,
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": plus,
                    "arrayminus": minus,
                    "color": colour,
                    "thickness": 1.2,
                    "width": 3,
                },
                line={"color": colour, "dash": DASHES[i % len(DASHES)], "width": 1.6},
                marker={"symbol": SYMBOLS[i % len(SYMBOLS)], "size": 7, "color": colour},
            )
        )
    fig = _layout(fig, title, x_title, y_title)
    quarters = df[x].unique(maintain_order=True).to_list()
    fig.update_xaxes(tickformat="%Y", dtick="M12", ticklabelmode="period")
    if quarters:  # error bars would otherwise widen the axis beyond the data
        fig.update_xaxes(
            range=[
                quarter_bounds(quarters[0])[0] - timedelta(days=20),
                quarter_bounds(quarters[-1])[1] + timedelta(days=20),
            ]
        )
    fig.update_yaxes(ticksuffix=suffix)
    if open_from and quarters and open_from <= quarters[-1]:
        end = quarter_bounds(quarters[-1])[1]
        fig.add_vrect(
            x0=quarter_bounds(open_from)[0], x1=end, fillcolor="#6f777b", opacity=0.12, line_width=0, layer="below"
        )
        fig.add_annotation(
            x=end,
            y=1,
            yref="paper",
            xanchor="right",
            yanchor="bottom",
            text=open_label,
            showarrow=False,
            font={"size": 12, "color": "#383f43"},
        )
    return fig


def binned_bars(
    df: pl.DataFrame,
    category: str,
    value: str,
    group: str,
    group_order: Sequence[str],
    group_labels: dict[str, str],
    category_order: Sequence[str],
    category_labels: dict[str, str],
    title: str,
    x_title: str,
    y_title: str,
) -> go.Figure:
    """Vertical bars over ordered bins (e.g. days before release); each bin belongs to one ``group``, and groups
    differ by colour *and* fill pattern. Each bar carries its value; suppressed values (nulls) leave a gap."""
    fig = go.Figure()
    labels = [category_labels.get(c, c) for c in category_order]
    for i, key in enumerate(group_order):
        rows = {r[category]: r[value] for r in df.filter(pl.col(group) == key).iter_rows(named=True)}
        vals = [rows.get(c) for c in category_order]
        fig.add_trace(
            go.Bar(
                x=labels,
                y=vals,
                name=group_labels.get(key, key),
                text=["" if v is None else f"{v:,.0f}" for v in vals],
                textposition="outside",
                cliponaxis=False,
                marker={
                    "color": OKABE_ITO[i % len(OKABE_ITO)],
                    "pattern": {
                        "shape": PATTERNS[i % len(PATTERNS)],
                        "fgcolor": "white",
                        "solidity": 0.3,
                        "fillmode": "overlay",
                    },
                    "line": {"color": "#0b0c0c", "width": 0.5},
                },
            )
        )
    fig = _layout(fig, title, x_title, y_title)
    fig.update_layout(barmode="relative", bargap=0.2)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels)
    fig.update_yaxes(tickformat=",d")
    return fig


def score_trend(
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
    references: dict[str, float] | None = None,
) -> go.Figure:
    """:func:`trend_lines` for scores in percent (0-100): the axis zooms to where the values are (a score
    axis from zero hides every change), and ``references`` (label -> value, e.g. RAG thresholds) are drawn as
    labelled dotted lines, so a threshold is read from its label, not its colour."""
    fig = trend_lines(df, x, y, series, series_order, series_labels, title, x_title, y_title, x_labels)
    refs = references or {}
    values = [v for v in df.filter(pl.col(series).is_in(list(series_order)))[y].to_list() if v is not None]
    low = min([*values, *refs.values()], default=0.0)
    fig.update_yaxes(range=[max(0.0, (low // 5) * 5 - 5), 100.5], ticksuffix="%", rangemode="normal")
    for text, value in refs.items():
        fig.add_hline(
            y=value,
            line={"color": "#505a5f", "dash": "dot", "width": 1},
            annotation_text=text,
            annotation_position="bottom right",
            annotation_font={"size": 11, "color": "#505a5f"},
        )
    return fig


def small_multiple_bars(
    df: pl.DataFrame,
    x: str,
    y: str,
    panel: str,
    panel_order: Sequence[str],
    panel_labels: dict[str, str],
    x_labels: dict[str, str],
    title: str,
    y_title: str,
    columns: int = 3,
) -> go.Figure:
    """One small bar chart per panel (e.g. per RRP) on a shared y axis, so many series are compared without
    telling colours apart. Each bar carries its value (a zero reads "0"); nulls (not applicable or suppressed)
    leave a gap."""
    from plotly.subplots import make_subplots

    rows = max(1, -(-len(panel_order) // columns))
    cols = min(columns, max(1, len(panel_order)))
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_yaxes=True,
        horizontal_spacing=0.04,
        vertical_spacing=0.55 / rows if rows > 1 else 0.1,
        subplot_titles=[panel_labels.get(p, p) for p in panel_order],
    )
    xs = list(dict.fromkeys(df[x].to_list()))
    show_text = len(xs) <= 12
    for i, key in enumerate(panel_order):
        part = dict(zip(*df.filter(pl.col(panel) == key).select(x, y).to_dict(as_series=False).values(), strict=True))
        vals = [part.get(v) for v in xs]
        fig.add_trace(
            go.Bar(
                x=[x_labels.get(v, v) for v in xs],
                y=vals,
                name=panel_labels.get(key, key),
                text=["" if v is None or not show_text else f"{v:,.0f}" for v in vals],
                textposition="outside",
                cliponaxis=False,
                marker={"color": OKABE_ITO[0], "line": {"color": "#0b0c0c", "width": 0.5}},
                hovertemplate="%{x}: %{y}<extra>" + panel_labels.get(key, key) + "</extra>",
                showlegend=False,
            ),
            row=i // cols + 1,
            col=i % cols + 1,
        )
    fig = _layout(fig, title, "", "")
    top = max([v for v in df[y].to_list() if v is not None], default=1)
    fig.update_layout(height=150 + 190 * rows, margin={"l": 10, "r": 10, "t": 80, "b": 10})
    fig.update_yaxes(range=[0, top * 1.3 + 0.5], tickformat=",d", gridcolor="#e5e5e5")
    fig.update_yaxes(title_text=y_title, col=1)
    fig.update_xaxes(type="category", tickangle=-45, tickfont={"size": 10})
    fig.update_annotations(font={"size": 13})
    return fig


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


HEAT_SCALE: tuple[str, ...] = ("#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b")  # one hue: light = low


def heat_table(
    df: pl.DataFrame,
    row: str,
    col: str,
    value: str,
    row_order: Sequence[str],
    row_labels: dict[str, str],
    col_order: Sequence[str],
    col_labels: dict[str, str],
    title: str,
    flag: str | None = None,
    flag_text: str = "",
    note: str | None = None,
    pooled_last: bool = False,
) -> go.Figure:
    """A heat-table of proportions: each cell shows its percentage as text on a single-hue sequential
    background (light = low), so it reads without colour. Cells where ``flag`` is true get ``flag_text`` under
    the number and a dashed outline; hidden cells (null) show their note code from ``note`` on grey. With
    ``pooled_last``, a line sets the last row and column (totals) apart."""
    cells = {(r[row], r[col]): r for r in df.iter_rows(named=True)}
    z, text = [], []
    for rk in row_order:
        zr, tr = [], []
        for ck in col_order:
            cell = cells.get((rk, ck), {})
            v = cell.get(value)
            zr.append(v)
            if v is None:
                tr.append(cell.get(note) or "" if note else "")
            else:
                tr.append(f"{v:.0%}" + (f"<br><b>{flag_text}</b>" if flag and cell.get(flag) else ""))
        z.append(zr)
        text.append(tr)
    xs = [_wrap(col_labels.get(c, c), 10) for c in col_order]
    ys = [row_labels.get(r, r) for r in row_order]
    scale = [[i / (len(HEAT_SCALE) - 1), c] for i, c in enumerate(HEAT_SCALE)]
    # Annotations and shapes are collected and set once: Plotly's add_annotation/add_shape revalidate every earlier
    # one on each call, which made a 10 x 10 table take over a second.
    annotations, shapes = [], []
    for i, _ in enumerate(row_order):
        for j, _ in enumerate(col_order):
            v = z[i][j]
            annotations.append(
                {
                    "x": xs[j],
                    "y": ys[i],
                    "text": text[i][j],
                    "showarrow": False,
                    "font": {"size": 12, "color": "#0b0c0c" if v is None or v < 0.5 else "white"},
                }
            )
            if v is None:
                shapes.append(
                    {
                        "type": "rect",
                        "x0": j - 0.5,
                        "x1": j + 0.5,
                        "y0": i - 0.5,
                        "y1": i + 0.5,
                        "xref": "x",
                        "yref": "y",
                        "fillcolor": "#dee0e2",
                        "line": {"width": 0},
                        "layer": "below",
                    }
                )
            elif flag and cells.get((row_order[i], col_order[j]), {}).get(flag):
                shapes.append(
                    {
                        "type": "rect",
                        "x0": j - 0.46,
                        "x1": j + 0.46,
                        "y0": i - 0.44,
                        "y1": i + 0.44,
                        "xref": "x",
                        "yref": "y",
                        "line": {"color": "#D55E00", "width": 2.5, "dash": "dash"},
                    }
                )
    if pooled_last:
        n_rows, n_cols = len(row_order), len(col_order)
        line = {"color": "#0b0c0c", "width": 2}
        shapes.append(
            {"type": "line", "x0": n_cols - 1.5, "x1": n_cols - 1.5, "y0": -0.5, "y1": n_rows - 0.5, "line": line}
        )
        shapes.append(
            {"type": "line", "x0": -0.5, "x1": n_cols - 0.5, "y0": n_rows - 1.5, "y1": n_rows - 1.5, "line": line}
        )
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=xs,
            y=ys,
            zmin=0,
            zmax=1,
            colorscale=scale,
            xgap=2,
            ygap=2,
            hoverinfo="skip",
            colorbar={"tickformat": ".0%", "thickness": 12, "len": 0.8},
        ),
        layout={"annotations": annotations, "shapes": shapes},
    )
    fig = _layout(fig, title, "", "")
    fig.update_layout(height=max(320, 150 + 46 * len(row_order)), plot_bgcolor="white")
    fig.update_xaxes(side="top", type="category", tickfont={"size": 11}, tickangle=0, showline=False)
    fig.update_yaxes(autorange="reversed", type="category", automargin=True, showgrid=False, showline=False)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 130, "b": 10})
    return fig

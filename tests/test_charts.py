"""Chart builders take every option at build time (figures are cached and shared, never changed afterwards)."""

import polars as pl

from resettlement import charts
from resettlement.ui import components

TREND = pl.DataFrame(
    {
        "quarter": ["2025Q1", "2025Q2", "2025Q1", "2025Q2"],
        "rate": [0.25, None, 0.5, 0.75],
        "series": ["area", "area", "wales", "wales"],
    }
)


def _trend(df: pl.DataFrame = TREND, **kwargs):
    return charts.trend_lines(
        df,
        "quarter",
        "rate",
        "series",
        ["area", "wales"],
        {"area": "Cardiff", "wales": "Wales"},
        "Gap rate",
        "Quarter",
        "Rate",
        **kwargs,
    )


def test_trend_options_are_applied_when_built():
    fig = _trend(y_format=".0%", y_range=(0, 1.05), reference=(0.6, "Weak below 60%"))
    assert fig.layout.yaxis.tickformat == ".0%"
    assert list(fig.layout.yaxis.range) == [0, 1.05]
    (line,) = fig.layout.shapes
    assert (line.y0, line.y1, line.line.dash) == (0.6, 0.6, "dot")
    assert [a.text for a in fig.layout.annotations] == ["Weak below 60%"]
    assert list(fig.data[0].y) == [0.25, None] and list(fig.data[1].y) == [0.5, 0.75]


def test_trend_without_options_leaves_the_axis_alone():
    fig = _trend()
    assert fig.layout.yaxis.tickformat is None and fig.layout.yaxis.range is None and not fig.layout.shapes


def test_grouped_bars_names_the_category_axis():
    df = pl.DataFrame({"n": ["0", "1", "0", "1"], "share": [0.5, 0.5, 0.25, 0.75], "s": ["a", "a", "b", "b"]})
    fig = charts.grouped_bars(
        df,
        "n",
        "share",
        "s",
        ["a", "b"],
        {"a": "A", "b": "B"},
        {},
        "T",
        "Share",
        is_rate=True,
        horizontal=False,
        category_title="Pathways with a need",
    )
    assert fig.layout.xaxis.title.text == "Pathways with a need"
    assert fig.layout.yaxis.title.text == "Share"
    assert list(fig.data[1].y) == [0.25, 0.75] and list(fig.data[1].text) == ["25%", "75%"]


def test_figures_are_built_once_per_distinct_input():
    first = components.figure(
        charts.trend_lines,
        TREND,
        "quarter",
        "rate",
        "series",
        ["area", "wales"],
        {"area": "Cardiff", "wales": "Wales"},
        "Gap rate",
        "Quarter",
        "Rate",
        y_format=".0%",
    )
    again = components.figure(
        charts.trend_lines,
        TREND.clone(),
        "quarter",
        "rate",
        "series",
        ["area", "wales"],
        {"area": "Cardiff", "wales": "Wales"},
        "Gap rate",
        "Quarter",
        "Rate",
        y_format=".0%",
    )
    assert again is first
    changed = TREND.with_columns(pl.when(pl.col("rate") == 0.75).then(0.8).otherwise(pl.col("rate")).alias("rate"))
    other = components.figure(
        charts.trend_lines,
        changed,
        "quarter",
        "rate",
        "series",
        ["area", "wales"],
        {"area": "Cardiff", "wales": "Wales"},
        "Gap rate",
        "Quarter",
        "Rate",
        y_format=".0%",
    )
    assert other is not first and list(other.data[1].y) == [0.5, 0.8]
    welsh = components.figure(
        charts.trend_lines,
        TREND,
        "quarter",
        "rate",
        "series",
        ["area", "wales"],
        {"area": "Caerdydd", "wales": "Cymru"},
        "Cyfradd bylchau",
        "Chwarter",
        "Cyfradd",
        y_format=".0%",
    )
    assert welsh is not first and welsh.data[0].name == "Caerdydd"
    assert list(first.data[1].y) == [0.5, 0.75]

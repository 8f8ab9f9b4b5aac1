"""Chart builders take every option at build time (figures are cached and shared, never changed afterwards)."""

from dataclasses import replace

import polars as pl

from resettlement import charts
from resettlement.charts import Codes, Titles
from resettlement.ui import components

TREND = pl.DataFrame(
    {
        "quarter": ["2025Q1", "2025Q2", "2025Q1", "2025Q2"],
        "rate": [0.25, None, 0.5, 0.75],
        "series": ["area", "area", "wales", "wales"],
    }
)
SPEC = charts.TrendLines(
    x=Codes("quarter"),
    y="rate",
    series=Codes("series", ["area", "wales"], {"area": "Cardiff", "wales": "Wales"}),
    titles=Titles("Gap rate", category="Quarter", value="Rate"),
)


def _trend(df: pl.DataFrame = TREND, **options):
    return charts.trend_lines(df, replace(SPEC, **options))


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
        charts.GroupedBars(
            category=Codes("n"),
            value="share",
            series=Codes("s", ["a", "b"], {"a": "A", "b": "B"}),
            titles=Titles("T", category="Pathways with a need", value="Share"),
            is_rate=True,
            horizontal=False,
        ),
    )
    assert fig.layout.xaxis.title.text == "Pathways with a need"
    assert fig.layout.yaxis.title.text == "Share"
    assert list(fig.data[1].y) == [0.25, 0.75] and list(fig.data[1].text) == ["25%", "75%"]


def test_figures_are_built_once_per_distinct_input():
    rates = replace(SPEC, y_format=".0%")
    first = components.figure(charts.trend_lines, TREND, rates)
    again = components.figure(charts.trend_lines, TREND.clone(), replace(rates))
    assert again is first
    changed = TREND.with_columns(pl.when(pl.col("rate") == 0.75).then(0.8).otherwise(pl.col("rate")).alias("rate"))
    other = components.figure(charts.trend_lines, changed, rates)
    assert other is not first and list(other.data[1].y) == [0.5, 0.8]
    welsh = replace(
        rates,
        series=Codes("series", ["area", "wales"], {"area": "Caerdydd", "wales": "Cymru"}),
        titles=Titles("Cyfradd bylchau", category="Chwarter", value="Cyfradd"),
    )
    welsh = components.figure(charts.trend_lines, TREND, welsh)
    assert welsh is not first and welsh.data[0].name == "Caerdydd"
    assert list(first.data[1].y) == [0.5, 0.75]

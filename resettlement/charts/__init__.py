"""Pure chart builders: protected data in, Plotly figure out.

Each builder takes the frame and one spec, a frozen dataclass of the columns to draw and the texts to show (already
in the chosen language): ``trend_lines(frame, TrendLines(x=Codes("quarter", labels=names), y="episodes", ...))``.
The shared parts of a spec are in :mod:`.spec`; the builders by chart kind in :mod:`.lines`, :mod:`.bars`,
:mod:`.intervals` and :mod:`.heat`.

Colours come from the Okabe-Ito palette (safe for the common forms of colour blindness), and every series
also differs by marker symbol and line dash (:mod:`.style`), so no chart relies on colour alone. Suppressed values
arrive as nulls and are drawn as gaps, never as zeros.
"""

from resettlement.charts.bars import (
    BinnedBars,
    GroupedBars,
    SmallMultipleBars,
    binned_bars,
    grouped_bars,
    small_multiple_bars,
)
from resettlement.charts.heat import HeatTable, heat_table
from resettlement.charts.intervals import CohortIntervals, Interval, IntervalDots, cohort_intervals, interval_dots
from resettlement.charts.lines import ScoreTrend, TrendLines, score_trend, trend_lines
from resettlement.charts.spec import Codes, Titles
from resettlement.charts.style import OKABE_ITO

__all__ = [
    "OKABE_ITO",
    "BinnedBars",
    "Codes",
    "CohortIntervals",
    "GroupedBars",
    "HeatTable",
    "Interval",
    "IntervalDots",
    "ScoreTrend",
    "SmallMultipleBars",
    "Titles",
    "TrendLines",
    "binned_bars",
    "cohort_intervals",
    "grouped_bars",
    "heat_table",
    "interval_dots",
    "score_trend",
    "small_multiple_bars",
    "trend_lines",
]

"""Overview: who is in scope in the selected period, and the quarterly trend by cohort."""

import polars as pl
import streamlit as st

from resettlement import cohort, disclosure
from resettlement.charts import trend_lines
from resettlement.filters import select_cases
from resettlement.i18n import label, t
from resettlement.ui import components, shell

ctx = shell.context()
f, lang = ctx.filters, ctx.lang
shell.page_title("overview", ctx)
st.subheader(shell.area_label(f.area.token(), lang))
start, end = shell.quarter_label(f.start_q, lang), shell.quarter_label(f.end_q, lang)
st.caption(t("overview.period", lang, start=start, end=end))

cases = select_cases(ctx.tables()["cases"], f)
head = disclosure.protect(cohort.headline(cases), counts=["episodes", "children"], threshold=ctx.threshold)
shown = disclosure.for_display(head)
cols = st.columns(len(shown))
for col, row in zip(cols, shown.iter_rows(named=True), strict=True):
    name = t("overview.all_cohorts", lang) if row["cohort"] == "all" else label("cohort", row["cohort"], lang)
    col.metric(name, row["children"], help=t("overview.children_help", lang, episodes=row["episodes"]))

trend = cohort.starts_by_quarter(select_cases(ctx.tables()["cases"], f, with_period=False), list(ctx.quarters))
trend_p = disclosure.protect(trend, counts=["episodes", "children"], threshold=ctx.threshold)
fig = trend_lines(
    trend_p,
    x="quarter",
    y="episodes",
    series="cohort",
    series_order=[c for c in f.cohorts],
    series_labels={c: label("cohort", c, lang) for c in f.cohorts},
    title=t("overview.trend_title", lang),
    x_title=t("col.quarter", lang),
    y_title=t("col.episodes", lang),
    x_labels={q: shell.quarter_label(q, lang) for q in ctx.quarters},
)
table = trend_p.filter(pl.col("cohort").is_in(list(f.cohorts))).with_columns(
    pl.col("cohort").replace_strict({c: label("cohort", c, lang) for c in f.cohorts})
)
components.chart_with_table(fig, table, lang, key="overview_trend", filename="episodes_by_quarter.csv")

"""Overview: headline figures with the change from the previous period, a plain-language summary, and
trends for the selected area against Wales."""

import polars as pl
import streamlit as st

from resettlement import overview, present, report
from resettlement.charts import Codes, Titles, TrendLines, trend_lines
from resettlement.i18n import label, t
from resettlement.ui import components, shell

ctx = shell.context()
f, lang, n = ctx.filters, ctx.lang, ctx.threshold
shell.page_title("overview", ctx)
area, comparator = shell.area_label(f.area.token(), lang), shell.comparator_label(ctx)
start, end = shell.quarter_label(f.start_q, lang), shell.quarter_label(f.end_q, lang)
period = t("overview.period", lang, start=start, end=end)
st.subheader(area)
st.caption(period)
st.download_button(  # built on click: the same deck as `python -m resettlement report`, publication view
    t("report.download", lang),
    data=lambda: report.report_deck(ctx.tables(), f, ctx.as_of, n, lang, ctx.synthetic, fetch=ctx.for_publication),
    file_name=f"resettlement-{f.area.token().replace(':', '-')}-{f.start_q}-{f.end_q}-{lang}.pptx",
    mime=report.MIME,
    key="overview_deck",
    icon=":material/slideshow:",
    help=t("report.download_help", lang),
)

head = ctx.published("overview.headline", f, ctx.as_of)
cols = st.columns(3) + st.columns(3)
for col, row in zip(cols, head.iter_rows(named=True), strict=False):
    metric, is_rate = row["metric"], row["metric"] in overview.RATE_METRICS
    value = "c" if row["current__note"] else present.number_text(row["current"], is_rate)
    shown = row["change"] is not None and not row["change__note"]
    delta = overview.change_label(row["change"], is_rate, lang) if shown else None
    flat = shown and overview.shown_change(row["change"], is_rate) == 0
    col.metric(
        t(f"overview.label.{metric}", lang),
        value,
        delta=delta,
        delta_color="off",
        delta_arrow="off" if flat else "auto",
        help=t(f"overview.label.{metric}_help", lang),
    )

st.markdown(f"**{t('overview.summary.heading', lang)}**")
st.markdown("\n".join(f"- {s}" for s in overview.summary(head, lang, area, f"{start}–{end}")))
head_table = components.lazy_expander(t("ui.table", lang), "exp_overview_head")
if head_table.open:  # the table is made and sent only while it is open
    with head_table:
        metric_names = {m: t(f"overview.label.{m}", lang) for m in (*overview.COUNT_METRICS, *overview.RATE_METRICS)}
        components.protected_table(
            head.with_columns(pl.col("metric").replace_strict(metric_names)),
            lang,
            key="overview_head",
            filename="headline.csv",
            decimals={"current": 3, "previous": 3, "change": 3},
        )

st.header(t("overview.section.trend", lang))
trend = ctx.published("overview.trend", f, ctx.quarters)
series = ["area"] if f.area.level == "wales" else ["area", "wales"]
labels = {"area": area, "wales": comparator}
quarter_names = components.period_names(ctx.quarters, lang, ctx.as_of)
fig = components.figure(
    trend_lines,
    trend,
    TrendLines(
        x=Codes("quarter", labels=quarter_names),
        y="episodes",
        series=Codes("series", series, labels),
        titles=Titles(
            t("overview.section.area_trend", lang, area=area, comparator=comparator)
            if len(series) > 1
            else t("overview.section.episodes_trend", lang),
            category=t("col.quarter", lang),
            value=t("col.episodes", lang),
        ),
    ),
)
components.chart_with_table(
    fig,
    trend.with_columns(pl.col("series").replace_strict(labels)),
    lang,
    key="overview_area_trend",
    filename="episodes_area_trend.csv",
)

st.subheader(t("overview.section.cohort_trend", lang))
by_cohort = ctx.published("overview.cohorts", f, ctx.quarters)
fig = components.figure(
    trend_lines,
    by_cohort,
    TrendLines(
        x=Codes("quarter", labels=quarter_names),
        y="episodes",
        series=Codes("cohort", list(f.cohorts), {c: label("cohort", c, lang) for c in f.cohorts}),
        titles=Titles(t("overview.trend_title", lang), category=t("col.quarter", lang), value=t("col.episodes", lang)),
    ),
)
components.chart_with_table(
    fig,
    by_cohort.with_columns(pl.col("cohort").replace_strict({c: label("cohort", c, lang) for c in f.cohorts})),
    lang,
    key="overview_trend",
    filename="episodes_by_quarter.csv",
)

"""Pathway needs: need identified → service offered → engaged on the seven pathways, against Wales."""

import polars as pl
import streamlit as st

from resettlement import needs
from resettlement.charts import Codes, GroupedBars, Titles, TrendLines, grouped_bars, trend_lines
from resettlement.i18n import label, t
from resettlement.standard import PATHWAYS
from resettlement.ui import components, shell

ctx = shell.context()
f, lang = ctx.filters, ctx.lang
shell.page_title("needs", ctx)
area_name, comparator = shell.area_label(f.area.token(), lang), shell.comparator_label(ctx)
start, end = shell.quarter_label(f.start_q, lang), shell.quarter_label(f.end_q, lang)
st.subheader(area_name)
st.caption(t("overview.period", lang, start=start, end=end))

is_wales = f.area.level == "wales"
series = ["area"] if is_wales else ["area", "wales"]
series_labels = {"area": area_name, "wales": comparator}
pathway_labels = {p: label("pathway", p, lang) for p in PATHWAYS}
decimals = {r: 3 for r in needs.FUNNEL_RATES}


def labelled(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(
        pl.col("pathway").replace_strict(pathway_labels),
        *([pl.col("series").replace_strict(series_labels)] if "series" in df.columns else []),
    )


st.header(t("needs.funnel_title", lang))
st.caption(t("needs.funnel_help", lang))
compare = ctx.published("needs.compare", f)
fig = components.figure(
    grouped_bars,
    compare,
    GroupedBars(
        category=Codes("pathway", labels=pathway_labels),
        value="need_rate",
        series=Codes("series", series, series_labels),
        titles=Titles(t("needs.need_rate_chart", lang), value=t("col.need_rate", lang)),
        is_rate=True,
    ),
)
components.chart_with_table(
    fig, labelled(compare), lang, key="needs_rate", filename="need_rate_by_pathway.csv", decimals=decimals
)

funnel = ctx.published("needs.funnel", f)
stages = funnel.unpivot(index="pathway", on=["identified", "offered", "engaged"], variable_name="stage", value_name="n")
stage_labels = {s: t(f"col.{s}", lang) for s in ("identified", "offered", "engaged")}
fig = components.figure(
    grouped_bars,
    stages,
    GroupedBars(
        category=Codes("pathway", labels=pathway_labels),
        value="n",
        series=Codes("stage", list(stage_labels), stage_labels),
        titles=Titles(t("needs.funnel_chart", lang, area=area_name), value=t("col.children_needs", lang)),
    ),
)
components.chart_with_table(
    fig, labelled(funnel), lang, key="needs_funnel", filename="needs_funnel.csv", decimals=decimals
)

st.header(t("needs.breakdown_title", lang))
by = components.choice(t("needs.breakdown_by", lang), needs.BREAKDOWNS, "cohort", "needs.by_{}", lang, key="needs_by")
breakdown = ctx.published("needs.breakdown", f, by)
group_labels = {g: (label(by, g, lang) if by != "age_band" else g) for g in breakdown[by].drop_nulls().unique()}
breakdown = breakdown.filter(pl.col(by).is_not_null())
fig = components.figure(
    grouped_bars,
    breakdown,
    GroupedBars(
        category=Codes("pathway", labels=pathway_labels),
        value="need_rate",
        series=Codes(by, sorted(group_labels), group_labels),
        titles=Titles(
            t("needs.breakdown_chart", lang, by=t(f"needs.by_{by}", lang).lower()), value=t("col.need_rate", lang)
        ),
        is_rate=True,
    ),
)
components.chart_with_table(
    fig,
    labelled(breakdown).with_columns(pl.col(by).replace_strict(group_labels)),
    lang,
    key="needs_breakdown",
    filename=f"needs_by_{by}.csv",
    decimals=decimals,
)

st.header(t("needs.trend_title", lang))
c1, c2 = st.columns([2, 1])
pathway = c1.selectbox(
    t("gaps.pathway", lang),
    options=list(PATHWAYS),
    format_func=pathway_labels.get,
    key="needs_trend_pathway",
    placeholder=t("ui.choose", lang),
)
with c2:
    periods, period_labels = components.trend_periods(ctx.quarters, lang, key="needs_grain", as_of=ctx.as_of)
trend = ctx.published("needs.trend", f, tuple(periods), pathway)
fig = components.figure(
    trend_lines,
    trend,
    TrendLines(
        x=Codes("quarter", labels=period_labels),
        y="need_rate",
        series=Codes("series", series, series_labels),
        titles=Titles(
            t("needs.trend_chart", lang, pathway=pathway_labels[pathway]),
            category=t("col.period", lang),
            value=t("col.need_rate", lang),
        ),
        y_format=".0%",
    ),
)
components.chart_with_table(
    fig, labelled(trend), lang, key="needs_trend", filename=f"need_rate_trend_{pathway}.csv", decimals=decimals
)

st.header(t("needs.complex_title", lang))
st.caption(t("needs.complex_help", lang))
per = ctx.published("needs.per_case", f)
count_labels = {k: str(k) for k in range(len(PATHWAYS) + 1)}
fig = components.figure(
    grouped_bars,
    per.with_columns(pl.col("pathways").cast(pl.String)),
    GroupedBars(
        category=Codes("pathways", labels=count_labels),
        value="share",
        series=Codes("series", series, series_labels),
        titles=Titles(
            t("needs.complex_chart", lang),
            category=t("col.pathways_with_need", lang),
            value=t("col.share", lang),
        ),
        is_rate=True,
        horizontal=False,
    ),
)
components.chart_with_table(
    fig,
    per.with_columns(pl.col("series").replace_strict(series_labels)),
    lang,
    key="needs_complex",
    filename="pathways_per_episode.csv",
    decimals={"share": 3},
)

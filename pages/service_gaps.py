"""Service gaps: a map of Wales by local authority, service or police force area, and a selected area's
breakdown against Wales."""

import polars as pl
import streamlit as st

from resettlement import gaps, geography
from resettlement.charts import Codes, GroupedBars, Titles, TrendLines, grouped_bars, trend_lines
from resettlement.i18n import label, t
from resettlement.standard import PATHWAYS
from resettlement.ui import components, shell

ctx = shell.context()
f, lang = ctx.filters, ctx.lang
shell.page_title("gaps", ctx)
period = t("overview.period", lang, start=shell.quarter_label(f.start_q, lang), end=shell.quarter_label(f.end_q, lang))
st.caption(period)

c1, c2, c3 = st.columns([2.3, 1, 1])
level = components.choice(
    t("gaps.level", lang),
    gaps.LEVELS,
    f.area.level if f.area.level in gaps.LEVELS else "la",
    "gaps.level_{}",
    lang,
    key="gaps_level",
    where=c1,
)
pathway = c2.selectbox(
    t("gaps.pathway", lang),
    options=["all", *PATHWAYS],
    key="gaps_pathway",
    placeholder=t("ui.choose", lang),
    format_func=lambda p: t("gaps.all_pathways", lang) if p == "all" else label("pathway", p, lang),
)
measure = c3.selectbox(
    t("gaps.measure", lang),
    options=list(gaps.MEASURES),
    key="gaps_measure",
    placeholder=t("ui.choose", lang),
    format_func=lambda m: t(f"col.{m}", lang),
    help=t("gaps.measure_help", lang),
)

protected = ctx.published("gaps.areas", f, level, pathway)
denominator = gaps.DENOMINATOR[measure]

map_tab, table_tab = components.lazy_tabs(("gaps.map_tab", "ui.table"), lang, "tab_gaps_map")
with map_tab:
    clicked = components.area_map(
        protected,
        measure=measure,
        denominator=denominator,
        is_rate=gaps.IS_RATE[measure],
        level=level,
        day=f.end,
        lang=lang,
        key=f"gaps_{level}",
        measure_label=t(f"col.{measure}", lang),
        denominator_label=t(f"col.{denominator}", lang),
    )
if table_tab.open:  # the table is made and sent only while its tab is open
    with table_tab:
        named = geography.with_area_names(protected.drop("pathway"), level, lang)
        components.protected_table(
            named,
            lang,
            key=f"gaps_table_{level}",
            filename=f"service_gaps_{level}_{pathway}.csv",
            decimals={"gap_rate": 3, "not_in_place_rate": 3},
        )

if clicked:
    st.session_state["gaps_selected"] = (level, clicked)
chosen = st.session_state.get("gaps_selected")
if chosen and chosen[0] == level:
    code = chosen[1]
elif f.area.level == level:
    code = f.area.code
else:
    code = None

st.divider()
if code is None:
    st.info(t("gaps.select_hint", lang), icon=":material/touch_app:")
    st.stop()

name, comparator = geography.area_name(level, code, lang), shell.comparator_label(ctx)
st.header(t("gaps.selected_title", lang, area=name, comparator=comparator))
if st.button(t("gaps.clear_selection", lang), icon=":material/close:"):
    st.session_state.pop("gaps_selected", None)
    st.rerun()
series_labels = {"area": name, "wales": comparator}
series = Codes("series", ["area", "wales"], series_labels)  # the area against the comparator, in every chart


def _gap_rates(fig, rates: pl.DataFrame, key: str, filename: str) -> None:
    """``fig`` and its table of gap rates (to three decimals), the series named."""
    table = rates.with_columns(rates["series"].replace_strict(series_labels))
    components.chart_with_table(
        fig, table, lang, key=key, filename=filename, decimals={"gap_rate": 3, "not_in_place_rate": 3}
    )


side = ctx.published("gaps.compare", f, level, code, pathway)
fig = components.gap_rate_by_pathway(side, series, lang)
_gap_rates(fig, side, "gaps_side", "gap_rate_by_pathway.csv")

st.subheader(t("gaps.reasons_title", lang))
reasons_p = ctx.published("gaps.reasons", f, level, code, pathway)
reason_labels = {
    r: label("gap_reason", r, lang) if r != "not_recorded" else t("gaps.not_recorded", lang)
    for r in reasons_p["gap_reason"].unique()
}
fig = components.figure(
    grouped_bars,
    reasons_p,
    GroupedBars(
        category=Codes("gap_reason", labels=reason_labels),
        value="share",
        series=series,
        titles=Titles(t("gaps.reasons_chart", lang), value=t("col.share", lang)),
        is_rate=True,
    ),
)
components.chart_with_table(
    fig,
    reasons_p.with_columns(
        reasons_p["series"].replace_strict(series_labels), reasons_p["gap_reason"].replace_strict(reason_labels)
    ),
    lang,
    key="gaps_reasons",
    filename="gap_reasons.csv",
    decimals={"share": 3},
)

st.subheader(t("gaps.trend_title", lang))
periods, period_labels = components.trend_periods(ctx.quarters, lang, key="gaps_grain", as_of=ctx.as_of)
trend_p = ctx.published("gaps.trend", f, level, code, pathway, tuple(periods))
fig = components.figure(
    trend_lines,
    trend_p,
    TrendLines(
        x=Codes("quarter", labels=period_labels),
        y="gap_rate",
        series=series,
        titles=Titles(t("gaps.trend_chart", lang), category=t("col.period", lang), value=t("col.gap_rate", lang)),
        y_format=".0%",
    ),
)
_gap_rates(fig, trend_p, "gaps_trend", "gap_rate_trend.csv")

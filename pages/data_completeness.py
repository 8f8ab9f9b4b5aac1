"""Data completeness: how complete, valid and timely the records are, by area, table and field, against Wales; a
fix list for viewers with case-level rights. Every score comes from resettlement/completeness/."""

import contextlib
from dataclasses import replace

import streamlit as st

from resettlement import completeness as dq
from resettlement import exports
from resettlement.charts import Codes, ScoreTrend, Titles, score_trend
from resettlement.filters import Area
from resettlement.i18n import t
from resettlement.ui import components, shell


def _breakdown(view: str, by: str, filename: str, filters, *extra, tab=None) -> None:
    """The published breakdown of ``filters`` by ``by`` as a captioned protected table (inside ``tab``, if given)."""
    with tab or contextlib.nullcontext():
        rows = ctx.published(f"completeness.{by}", filters, by, ctx.quarters, *extra)
        components.protected_table(
            dq.for_view(rows, view, lang),
            lang,
            key=f"dq_{view}",
            filename=filename,
            caption=t(f"completeness.{view}_caption", lang),
        )


ctx = shell.context()
f, lang = ctx.filters, ctx.lang
th = dq.Thresholds.from_settings()
shell.page_title("completeness", ctx)

area, comparator = shell.area_label(f.area.token(), lang), shell.comparator_label(ctx)
st.subheader(
    area if f.area.level == "wales" else t("completeness.headline_title", lang, area=area, comparator=comparator)
)
start, end = shell.quarter_label(f.start_q, lang), shell.quarter_label(f.end_q, lang)
st.caption(t("overview.period", lang, start=start, end=end))

# Headline: the selection against Wales (or every area in scope)
sel = dq.records(ctx.published("completeness.wales", f, "wales", ctx.quarters, th))[0]
cols = st.columns(4)
for col, kind in zip(cols, dq.KINDS, strict=False):
    delta, colour = dq.delta_text(sel, kind, lang) if f.area.level != "wales" else (None, "off")
    col.metric(
        t(f"completeness.metric_{kind}", lang),
        dq.fmt_pct(sel[kind]),
        delta=delta,
        delta_color=colour,
        delta_arrow="auto" if colour == "normal" else "off",
        border=True,
        help=t(f"completeness.metric_{kind}_help", lang),
    )
rag = t(f"completeness.rag.{sel['rag']}", lang) if sel["rag"] in dq.RAG else str(sel["rag"])
cols[3].metric(
    t("completeness.metric_rag", lang),
    rag,
    border=True,
    help=t("completeness.metric_rag_help", lang, green=round(th.green * 100), amber=round(th.amber * 100)),
)
counts = {
    k: dq.fmt_count(sel[c])
    for k, c in (
        ("episodes", "episodes"),
        ("cells", "cells_applicable"),
        ("missing", "cells_missing"),
        ("invalid", "values_invalid"),
        ("late", "dates_late"),
    )
}
vs = "" if f.area.level == "wales" else " " + t("completeness.vs", lang, comparator=comparator)
st.caption(t("completeness.headline_caption", lang, **counts, worst=sel["worst_field"] or "–") + vs)

# Areas compared: map (share of expected cells missing) and table
st.header(t("completeness.compare_title", lang))
level = components.choice(
    t("completeness.level", lang), dq.AREA_LEVELS, "la", "completeness.level_{}", lang, key="dq_level"
)
areas = ctx.published(f"completeness.{level}", f, level, ctx.quarters, th)
names = dq.area_names(level, lang, ctx.rrp_names())
clicked = None
map_tab, table_tab = components.lazy_tabs(("completeness.map_tab", "ui.table"), lang, "tab_dq_map")
with map_tab:
    if level == "rrp":
        st.info(t("completeness.rrp_no_map", lang), icon=":material/info:")
    else:
        clicked = components.area_map(
            dq.for_map(areas),
            measure="missing_share",
            denominator="episodes",
            is_rate=True,
            level=level,
            day=f.end,
            lang=lang,
            key=f"dq_{level}",
            measure_label=t("completeness.map_measure", lang),
            denominator_label=t("col.episodes", lang),
        )
if table_tab.open:  # the table is made and sent only while its tab is open
    with table_tab:
        components.protected_table(
            dq.for_view(areas, "areas", lang, {"area": names}),
            lang,
            key=f"dq_areas_{level}",
            filename=f"completeness_by_{level}.csv",
            caption=t("completeness.compare_caption", lang),
        )

# Trend over every quarter, selection against the comparator
st.header(t("completeness.trend_title", lang))
score = components.choice(
    t("completeness.score", lang), dq.KINDS, "completeness", "completeness.metric_{}", lang, key="dq_score"
)
trend = ctx.published("completeness.quarter", f, "quarter", ctx.quarters, th)
series = {"selection": area, "wales": comparator}
quarters = components.period_names(ctx.quarters, lang, ctx.as_of)
lines = (
    {
        t("completeness.rag_line", lang, status=t(f"completeness.rag.{k}", lang), value=round(v * 100)): v * 100
        for k, v in (("green", th.green), ("amber", th.amber))
    }
    if score == "completeness"
    else {}
)
fig = components.figure(
    score_trend,
    trend,
    ScoreTrend(
        x=Codes("quarter", labels=quarters),
        y=score,
        series=Codes("series", list(dict.fromkeys(trend["series"])), series),
        titles=Titles(
            t("completeness.trend_chart", lang, score=t(f"completeness.metric_{score}", lang)),
            category=t("col.quarter", lang),
            value=t(f"col.{score}", lang),
        ),
        references=lines,
    ),
)
components.chart_with_table(
    fig,
    dq.for_view(trend, "trend", lang, {"series": series, "quarter": quarters}),
    lang,
    key="dq_trend",
    filename="completeness_by_quarter.csv",
)

# What pulls the score down: the selection, or the area clicked on the map
focus = Area(level, clicked) if clicked else f.area
focus_name = shell.area_label(focus.token(), lang)
st.header(t("completeness.fields_title", lang, area=focus_name))
if clicked:
    st.caption(t("completeness.fields_clicked", lang))
_breakdown("fields", "field", "completeness_by_field.csv", replace(f, area=focus))

# Validity rules, timeliness and tables of the selection
st.header(t("completeness.detail_title", lang))
details = [f"completeness.{k}_tab" for k in ("rules", "timeliness", "tables")]
rules_tab, time_tab, tables_tab = components.lazy_tabs(details, lang, "dq_detail")  # only the open tab is made
if rules_tab.open:
    _breakdown("rules", "rule", "validity_by_rule.csv", f, tab=rules_tab)
if time_tab.open:
    _breakdown("timeliness", "timeliness", "timeliness_by_rule.csv", f, tab=time_tab)
if tables_tab.open:
    _breakdown("tables", "table", "completeness_by_table.csv", f, th, tab=tables_tab)

# Fix list: case level, only with case-level rights, only authorities in scope (reads are scoped)
st.header(t("completeness.fix_title", lang))
if not ctx.scope.case_level:
    st.info(t("completeness.fix_denied", lang), icon=":material/lock:")
else:
    fixes = ctx.cached_evaluated(dq.fix_list, f)
    if fixes.is_empty():
        st.success(t("completeness.fix_none", lang))
    else:
        st.caption(
            t(
                "completeness.fix_intro",
                lang,
                rows=dq.fmt_count(fixes.height),
                cases=dq.fmt_count(fixes["case_id"].n_unique()),
            )
        )
        shown = dq.fix_list_labelled(fixes, lang)
        components.dataframe(shown, key="dq_fix_list")
        st.download_button(
            t("completeness.fix_download", lang),
            data=lambda: exports.csv_bytes(shown),  # audited
            file_name="fix_list.csv",
            mime="text/csv",
            key="dl_dq_fix_list",
            icon=":material/download:",
        )

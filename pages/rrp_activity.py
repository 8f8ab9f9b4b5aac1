"""RRP activity: meetings, partner attendance, actions and escalations, and how soon children in custody are
reviewed, for the RRPs of the selected area or for one RRP (the drill-down)."""

import polars as pl
import streamlit as st

from resettlement import charts, disclosure, markup, outcomes, rrp
from resettlement.charts import Codes, Titles
from resettlement.i18n import label, t
from resettlement.period import DATA_START, quarters_between
from resettlement.standard import AGENCY_TYPES, COHORTS, SECURE_COHORTS
from resettlement.ui import components, shell

ctx = shell.context()
f, lang, tables = ctx.filters, ctx.lang, ctx.tables()
shell.page_title("rrp", ctx)
area, comparator = shell.area_label(f.area.token(), lang), shell.comparator_label(ctx)
st.caption(t("rrp.period", lang, start=shell.quarter_label(f.start_q, lang), end=shell.quarter_label(f.end_q, lang)))
in_area = rrp.rrps_for_area(tables["rrps"], f.area)
if in_area.is_empty():
    st.info(t("rrp.none", lang))
    st.stop()
names, short = rrp.rrp_names(tables["rrps"], lang), rrp.rrp_names(tables["rrps"], lang, short=True)
options = ["all", *in_area["rrp_id"]]
default = shell.page_param("rrp", options, "all")
choice = st.selectbox(
    t("rrp.choose", lang),
    options,
    index=options.index(default),
    key="rrp_choice",
    placeholder=t("ui.choose", lang),
    help=t("rrp.choose_help", lang),
    format_func=lambda r: t("rrp.all_in_area", lang, area=area) if r == "all" else names[r],
)
shell.set_page_param("rrp", choice)  # a link keeps the drill-down

chosen = in_area if choice == "all" else in_area.filter(pl.col("rrp_id") == choice)
ids, whole = chosen["rrp_id"].to_list(), f.area.level == "wales" and choice == "all"
series = {"area": area if choice == "all" else short[choice], "wales": comparator}
keys = ["area"] if whole else ["area", "wales"]
chart_series = markup.html_values(series)
by_series = Codes("series", keys, chart_series)  # the area (or RRP) against the comparator, in the charts
quarters = rrp.period_quarters(quarters_between(DATA_START, ctx.as_of), f.start_q, f.end_q)  # as chosen, to date
secure = [c for c in f.cohorts if c in SECURE_COHORTS]
on_cases = (f, tuple(ids), tuple(secure), whole)  # arguments of the published tables resting on cases
on_meetings = (f, tuple(ids), tuple(quarters), ctx.as_of)  # and of those from meetings and attendance

agencies = {**{a: label("agency_type", a, lang) for a in AGENCY_TYPES}, rrp.ALL: t("rrp.all_agencies", lang)}
cohorts = {**{c: label("cohort", c, lang) for c in COHORTS}, rrp.ALL: t("rrp.all_cohorts", lang)}
bins = rrp.bin_labels(lang)
quarter_names, columns = components.period_names(quarters, lang, ctx.as_of), {**short, rrp.ALL: comparator}
chart_short = markup.html_values(short)  # RRP names are imported text: plain text in charts too
gap_measures = {m: t(f"rrp.col.{m}", lang) for m in ("median_gap_days", "longest_gap_days")}
values = {
    "rrp_id": {**names, rrp.ALL: comparator},
    "series": series,
    "quarter": quarter_names,
    "agency_type": agencies,
    "cohort": cohorts,
    "bin": bins,
    "measure": gap_measures,
}
RATES = ("completion_rate", "attendance_rate", "reviewed_before_rate", "referred_share")
weak_pct = f"{rrp.WEAK_ATTENDANCE:.0%}"


def show(df: pl.DataFrame, cols: list[str], key: str, fig=None) -> None:
    """A protected frame as a table (or chart + table): codes named, columns in the chosen language, rates in %."""
    df = df.with_columns(pl.col(c).replace_strict(m, default=pl.col(c)) for c, m in values.items() if c in df.columns)
    if "weak" in df.columns:
        df = df.with_columns(
            pl.when(pl.col("weak")).then(pl.lit(t("rrp.weak_flag", lang))).otherwise(pl.lit("")).alias("weak")
        )
    table = outcomes.relabel(df, {c: t(f"rrp.col.{c}", lang) for c in cols}, percent=RATES)
    decimals = {t(f"rrp.col.{c}", lang): 1 for c in (*RATES, "median_gap_days", "median_days") if c in cols}
    if fig is None:
        components.protected_table(table, lang, key=key, filename=f"{key}.csv", decimals=decimals)
    else:
        components.chart_with_table(fig, table, lang, key=key, filename=f"{key}.csv", decimals=decimals)


def cohort_rates(rate: str, title: str) -> charts.GroupedBars:
    """Bars of ``rate`` per cohort, the area (or RRP) against the comparator, titled with the text ``title``."""
    return charts.GroupedBars(
        category=Codes("cohort", labels=cohorts),
        value=rate,
        series=by_series,
        titles=Titles(t(title, lang), value=t(f"rrp.col.{rate}", lang)),
        is_rate=True,
    )


head = ctx.published("rrp.headline", *on_cases)
h = rrp.texts(head, percent=list(rrp.HEADLINE_RATES))
for col, m in zip(
    [*st.columns(3), *st.columns(3)],
    ("meetings", "cases_reviewed", "completion_rate", "escalations", "attendance_rate", "reviewed_before_rate"),
    strict=True,
):
    col.metric(t(f"rrp.metric.{m}", lang), h[m], help=t(f"rrp.metric.{m}_help", lang, **h), border=True)

st.header(t("rrp.meetings.title", lang))
st.caption(t("rrp.meetings.intro", lang))
per_q = ctx.published("rrp.meetings", *on_meetings)
fig = components.figure(
    charts.small_multiple_bars,
    per_q,
    charts.SmallMultipleBars(
        x=Codes("quarter", labels=quarter_names),
        y="meetings",
        panel=Codes("rrp_id", ids, chart_short),
        titles=Titles(t("rrp.meetings.chart", lang), value=t("rrp.col.meetings", lang)),
    ),
)
show(per_q, ["rrp_id", "quarter", "meetings", "cases_reviewed"], "rrp_meetings_per_quarter", fig)

st.subheader(t("rrp.gaps.title", lang))
st.caption(t("rrp.gaps.intro", lang, as_of=min(f.end, ctx.as_of).isoformat()))
summary = ctx.published("rrp.summary", *on_meetings)
fig = components.figure(
    charts.grouped_bars,
    rrp.gaps_long(summary),
    charts.GroupedBars(
        category=Codes("rrp_id", labels=chart_short),
        value="days",
        series=Codes("measure", list(gap_measures), gap_measures),
        titles=Titles(t("rrp.gaps.chart", lang), value=t("rrp.gaps.axis", lang)),
    ),
)
show(summary, list(rrp.SUMMARY_COLUMNS), "rrp_summary", fig)

st.subheader(t("rrp.actions.title", lang))
st.caption(t("rrp.actions.intro", lang))
act = ctx.published("rrp.actions", *on_meetings)
fig = components.figure(
    charts.trend_lines,
    act.unpivot(index="quarter", on=list(rrp.ACTIVITY_COUNTS), variable_name="measure"),
    charts.TrendLines(
        x=Codes("quarter", labels=quarter_names),
        y="value",
        series=Codes("measure", rrp.ACTIVITY_COUNTS, {m: t(f"rrp.col.{m}", lang) for m in rrp.ACTIVITY_COUNTS}),
        titles=Titles(
            t("rrp.actions.chart", lang), category=t("rrp.col.quarter", lang), value=t("rrp.actions.axis", lang)
        ),
    ),
)
show(act, ["quarter", "meetings", *rrp.ACTIVITY_COUNTS, "completion_rate"], "rrp_actions_by_quarter", fig)

st.header(t("rrp.att.title", lang))
st.caption(t("rrp.att.intro", lang, weak=weak_pct, comparator=comparator))
matrix = rrp.flag_weak(ctx.published("rrp.attendance", *on_meetings))
weak_named, weak_pooled = rrp.weak_text(
    matrix, lang, agencies, markup.md_values(columns), markup.md(series["area"]), comparator
)
if rrp.weak_cells(matrix).height:
    st.warning(weak_named, icon=":material/warning:")
else:
    st.success(weak_named, icon=":material/check_circle:")
if weak_pooled:
    st.warning(weak_pooled, icon=":material/groups:")
fig = components.figure(
    charts.heat_table,
    matrix,
    charts.HeatTable(
        rows=Codes("agency_type", [*AGENCY_TYPES, rrp.ALL], agencies),
        cols=Codes("rrp_id", [*ids, rrp.ALL], markup.html_values(columns)),
        value="attendance_rate",
        titles=Titles(t("rrp.att.chart", lang)),
        flag="weak",
        flag_text=t("rrp.weak_flag", lang),
        note="attendance_rate" + disclosure.NOTE_SUFFIX,
        pooled_last=True,
    ),
)
wide = rrp.matrix_wide(matrix, "attendance_rate", agencies, values["rrp_id"], t("rrp.col.agency_type", lang))
components.chart_with_table(
    fig,
    wide,
    lang,
    key="rrp_attendance_matrix",
    filename="rrp_attendance_matrix.csv",
    decimals={c: 1 for c in disclosure.protected_columns(wide)},
)
counts = components.lazy_expander(t("rrp.att.counts", lang), "exp_rrp_attendance_counts")
if counts.open:  # the table is made and sent only while it is open
    with counts:
        show(
            matrix,
            ["agency_type", "rrp_id", "invited", "recorded", "attended", "attendance_rate", "weak"],
            "rrp_attendance_counts",
        )

st.subheader(t("rrp.att.trend_title", lang))
agency = st.columns([1, 2])[0].selectbox(
    t("rrp.att.agency", lang),
    [rrp.ALL, *AGENCY_TYPES],
    key="rrp_att_agency",
    format_func=agencies.get,
    placeholder=t("ui.choose", lang),
)
trend = ctx.published("rrp.attendance_trend", f, tuple(ids), tuple(quarters), agency, whole)
fig = components.figure(
    charts.trend_lines,
    trend,
    charts.TrendLines(
        x=Codes("quarter", labels=quarter_names),
        y="attendance_rate",
        series=by_series,
        titles=Titles(
            t("rrp.att.trend_chart", lang, agency=agencies[agency]),
            category=t("rrp.col.quarter", lang),
            value=t("rrp.col.attendance_rate", lang),
        ),
        y_format=".0%",
        y_range=(0, 1.05),
        reference=(rrp.WEAK_ATTENDANCE, t("rrp.att.weak_line", lang, weak=weak_pct)),
    ),
)
show(trend, ["series", "quarter", "invited", "recorded", "attended", "attendance_rate"], "rrp_attendance_trend", fig)

st.header(t("rrp.time.title", lang))
st.caption(t("rrp.time.intro", lang, as_of=ctx.as_of.isoformat()))
if secure:
    rel = ctx.published("rrp.release", *on_cases)
    fig = components.figure(charts.grouped_bars, rel, cohort_rates("reviewed_before_rate", "rrp.time.release_chart"))
    show(rel, ["series", "cohort", *rrp.RELEASE_COUNTS, "reviewed_before_rate"], "rrp_reviewed_before_release", fig)
    st.subheader(t("rrp.time.first_title", lang))
    first = ctx.published("rrp.first_review", *on_cases)
    show(first, ["series", "cohort", *rrp.FIRST_REVIEW_COUNTS, "median_days"], "rrp_days_to_first_review")
    dist = ctx.published("rrp.first_review_bins", *on_cases)
    fig = components.figure(
        charts.grouped_bars,
        dist,
        charts.GroupedBars(
            category=Codes("bin", labels=bins),
            value="episodes",
            series=Codes("cohort", secure, cohorts),
            titles=Titles(
                t("rrp.time.first_chart", lang, area=chart_series["area"]), value=t("rrp.col.episodes", lang)
            ),
            horizontal=False,
        ),
    )
    show(dist, ["bin", "cohort", "episodes"], "rrp_days_to_first_review_distribution", fig)
else:
    st.info(t("rrp.time.no_secure", lang))

st.subheader(t("rrp.time.referral_title", lang))
ref = ctx.published("rrp.referral", *on_cases)
fig = components.figure(charts.grouped_bars, ref, cohort_rates("referred_share", "rrp.time.referral_chart"))
show(ref, ["series", "cohort", *rrp.REFERRAL_COUNTS, "referred_share"], "rrp_referred", fig)

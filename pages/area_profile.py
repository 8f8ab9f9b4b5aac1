"""Area profile: one area (authority, service, police force area or RRP) against Wales and its peers,
readable top to bottom and printable."""

import polars as pl
import streamlit as st

from resettlement import markup, outcomes, profile, published, rrp
from resettlement.charts import Codes
from resettlement.filters import area_options
from resettlement.i18n import label, t
from resettlement.standard import PATHWAYS
from resettlement.ui import components, shell

ctx = shell.context()
f, lang = ctx.filters, ctx.lang
tables = ctx.tables()
st.html(
    "<style>@media print {[data-testid=stSidebar], [data-testid=stHeader], [data-testid=stToolbar],"
    " .stDownloadButton, [data-testid=stExpander] {display: none !important;}"
    " [data-testid=stMain] {margin-left: 0 !important;}}</style>"
)
shell.page_title("profile", ctx)

rrp_names = rrp.rrp_names(tables["rrps"], lang)
choices = [o for o in area_options(ctx.scope.la_codes) if o != "wales"] + [f"rrp:{r}" for r in rrp_names]
current = shell.page_param("profile", choices, f.area.token() if f.area.level != "wales" else choices[0])
picked = st.selectbox(
    t("profile.pick", lang),
    choices,
    index=choices.index(current),
    placeholder=t("ui.choose", lang),
    format_func=lambda c: f"{rrp_names[c[4:]]} (RRP)" if c.startswith("rrp:") else shell.area_label(c, lang),
    help=t("profile.pick_help", lang),
)
if picked != current:
    shell.set_page_param("profile", picked)
    st.rerun()
level, code = picked.split(":", 1)
name = rrp_names[code] if level == "rrp" else shell.area_label(picked, lang)
start, end = shell.quarter_label(f.start_q, lang), shell.quarter_label(f.end_q, lang)
st.header(markup.md(name))
st.caption(t("profile.caption", lang, start=start, end=end, comparator=shell.comparator_label(ctx)))

st.subheader(t("profile.glance_title", lang))
glance = profile.glance(ctx.published("profile.areas", f, level, ctx.as_of), code)
components.protected_table(
    profile.glance_table(glance, lang),
    lang,
    key="profile_glance",
    filename="profile_at_a_glance.csv",
    caption=t("profile.glance_help", lang),
)

args = (f, level, code, ctx.as_of)  # the published profile sections' arguments
series, series_labels = ["area", "wales"], {"area": name, "wales": shell.comparator_label(ctx)}
pathway_labels = {p: label("pathway", p, lang) for p in PATHWAYS}

st.subheader(t("profile.pathways_title", lang))
side = ctx.published("profile.gaps", *args)
fig = components.gap_rate_by_pathway(side, Codes("series", series, markup.html_values(series_labels)), lang)
components.chart_with_table(
    fig,
    side.with_columns(pl.col("series").replace_strict(series_labels), pl.col("pathway").replace_strict(pathway_labels)),
    lang,
    key="profile_gaps",
    filename="profile_gap_rate.csv",
    decimals={"gap_rate": 3, "not_in_place_rate": 3},
)

st.subheader(t("profile.completeness_title", lang))
worst = ctx.published("profile.worst", *args)
components.protected_table(
    worst, lang, key="profile_worst", filename="profile_worst_fields.csv", caption=t("profile.worst_help", lang)
)

st.subheader(t("profile.rrp_title", lang))
covering = ctx.cached(profile.covering_rrps, level, code)
head = ctx.published("profile.rrp_headline", *args)
h = rrp.texts(head, percent=list(rrp.HEADLINE_RATES))
covering_names = ", ".join(markup.md_values(rrp.rrp_names(covering, lang)).values())
st.caption(t("profile.rrp_covering", lang, names=covering_names or "–"))
for col, m in zip(st.columns(3), ("meetings", "attendance_rate", "reviewed_before_rate"), strict=True):
    col.metric(t(f"rrp.metric.{m}", lang), h[m], help=t(f"rrp.metric.{m}_help", lang, **h), border=True)

st.subheader(t("profile.outcomes_title", lang))
out = ctx.published("profile.outcomes", *args)
out = outcomes.to_percent(out, ["rate", "ci_low", "ci_high"])
measure_names = {m: t(f"profile.outcome.{m}", lang) for m in outcomes.MEASURES}
out = out.with_columns(pl.col("group").replace_strict(series_labels), pl.col("measure").replace_strict(measure_names))
components.protected_table(
    out,
    lang,
    key="profile_outcomes",
    filename="profile_outcomes.csv",
    decimals={"rate": 1, "ci_low": 1, "ci_high": 1},
    caption=t("profile.outcomes_help", lang),
)
st.caption(t("profile.print_hint", lang))

sections = [
    (t("profile.glance_title", lang), components.display_frame(profile.glance_table(glance, lang), lang)),
    (
        t("profile.pathways_title", lang),
        components.display_frame(
            side.with_columns(
                pl.col("series").replace_strict(series_labels), pl.col("pathway").replace_strict(pathway_labels)
            ),
            lang,
            {"gap_rate": 3, "not_in_place_rate": 3},
        ),
    ),
    (t("profile.completeness_title", lang), components.display_frame(worst, lang)),
    (t("profile.rrp_title", lang), components.display_frame(head, lang, {c: 3 for c in rrp.HEADLINE_RATES})),
    (t("profile.outcomes_title", lang), components.display_frame(out, lang, {"rate": 1, "ci_low": 1, "ci_high": 1})),
]
notes = [t("banner.synthetic", lang).replace("**", "")] if ctx.synthetic else []
rule = t("definitions.disclosure.body", lang, **published.text_params(ctx.protection))
notes += [t("meta.as_of", lang, date=ctx.as_of.isoformat()), rule.replace("**", "")]
html = profile.printable_html(
    f"{t('page.profile.title', lang)}: {name}",
    t("profile.caption", lang, start=start, end=end, comparator=shell.comparator_label(ctx)),
    notes,
    sections,
    lang,
)
st.download_button(
    t("profile.download_html", lang),
    data=lambda: html.encode("utf-8"),  # built on click: audited
    file_name="area_profile.html",
    mime="text/html",
    icon=":material/print:",
    key="profile_html",
)

"""Outcomes and evaluation: accommodation, ETE and proven reoffending with confidence intervals, and a matched
comparison of episodes reviewed by an RRP with similar episodes that were not."""

import polars as pl
import streamlit as st

from resettlement import charts, evaluation, outcomes, reoffending
from resettlement.charts import Codes, Interval, Titles
from resettlement.i18n import t
from resettlement.ui import components, shell

ctx = shell.context()
f, lang, n, as_of = ctx.filters, ctx.lang, ctx.threshold, ctx.as_of
shell.page_title("outcomes", ctx)
area, comparator = shell.area_label(f.area.token(), lang), shell.comparator_label(ctx)
st.subheader(area)
st.caption(
    t("outcomes.period", lang, start=shell.quarter_label(f.start_q, lang), end=shell.quarter_label(f.end_q, lang))
)
series = {"area": area, "wales": comparator}
quarters = components.period_names(ctx.quarters, lang, ctx.as_of)
labels = {k: t(f"outcomes.{k}", lang) for k in ("status.final", "status.open")}
args = (f, as_of, ctx.quarters)  # the published Outcomes tables' arguments
groups = list(outcomes.groups_of(f))  # the selection and, unless it is every area already, Wales


def show(df, cols, key, percent=(), decimals=None, fig=None, keys=None) -> None:
    """A protected table (or chart + table) with column names in the chosen language; percentages to 1 decimal."""
    names = {c: t(f"outcomes.col.{(keys or {}).get(c, c)}", lang) for c in cols}
    dec = {names[c]: d for c, d in {**dict.fromkeys(percent, 1), **(decimals or {})}.items() if c in names}
    table = outcomes.relabel(df, names, percent)
    draw = components.protected_table if fig is None else lambda *a, **k: components.chart_with_table(fig, *a, **k)
    draw(table, lang, key=key, filename=f"{key}.csv", decimals=dec)


# ---- headline rates: the selection against Wales -------------------------------------------------------------
st.header(t("outcomes.headline.title", lang))
st.caption(t("outcomes.headline.intro", lang, comparator=comparator))
head = ctx.published("outcomes.headline", *args)
measures = {m: t(f"outcomes.measure.{m}", lang) for m in outcomes.MEASURES}
fig = components.figure(
    charts.interval_dots,
    head,
    charts.IntervalDots(
        category=Codes("measure", outcomes.MEASURES, measures),
        interval=Interval(value="rate", low="ci_low", high="ci_high"),
        series=Codes("group", groups, series),
        titles=Titles(t("outcomes.headline.chart", lang), value=t("outcomes.headline.axis", lang)),
        denominator="denominator",
        n_label=t("outcomes.col.denominator", lang),
    ),
)
show(
    head.with_columns(pl.col("group").replace_strict(series), pl.col("measure").replace_strict(measures)),
    outcomes.HEADLINE_TABLE,
    "outcome_rates",
    percent=outcomes.RATE_PERCENT,
    fig=fig,
)

# ---- accommodation confirmed before release ------------------------------------------------------------------
st.header(t("outcomes.timing.title", lang))
st.caption(t("outcomes.timing.intro", lang, as_of=as_of.isoformat()))
summary = ctx.published("outcomes.summary", *args)
s = outcomes.texts(summary, percent=("late_rate", "ci_low", "ci_high"), decimals=0)[0]
if summary["recorded"].item() == 0:
    st.info(t("outcomes.timing.none", lang))
else:
    st.markdown(
        t(
            "outcomes.timing.summary",
            lang,
            rate=s["late_rate"],
            low=s["ci_low"],
            high=s["ci_high"],
            n=s["recorded"],
            missing=s["not_recorded"],
            median=s["median_days_before"],
        )
    )
    days = ctx.published("outcomes.days", *args)
    bins = {b: t(f"outcomes.bin.{b}", lang) for b, _, _ in outcomes.DAY_BINS}
    when = {w: t(f"outcomes.when.{w}", lang) for w in ("before", "on_or_after")}
    fig = components.figure(
        charts.binned_bars,
        days,
        charts.BinnedBars(
            category=Codes("bin", list(bins), bins),
            value="episodes",
            group=Codes("when", list(when), when),
            titles=Titles(
                t("outcomes.timing.chart", lang),
                category=t("outcomes.timing.axis_x", lang),
                value=t("outcomes.timing.axis_y", lang),
            ),
        ),
    )
    show(
        days.with_columns(pl.col("bin").replace_strict(bins), pl.col("when").replace_strict(when)),
        outcomes.DAYS_TABLE,
        "accommodation_confirmation_days",
        percent=["share"],
        fig=fig,
    )

# ---- proven reoffending (one definition: resettlement.reoffending) ------------------------------------------
st.header(t("outcomes.reoff.title", lang))
reo = ctx.published("outcomes.reoffending", *args)
final_to = reo["final_to"][0]
st.caption(
    t("outcomes.reoff.intro", lang, as_of=as_of.isoformat())
    + " "
    + (
        t("outcomes.reoff.final_to", lang, date=final_to.isoformat())
        if final_to
        else t("outcomes.reoff.none_final", lang)
    )
)
r = dict(zip(reo["measure"], outcomes.texts(reo, percent=outcomes.RATE_PERCENT, decimals=2), strict=True))["proven"]
cols = st.columns(5)
cols[0].metric(
    t("outcomes.reoff.rate", lang),
    r["rate"],
    help=t(
        "outcomes.reoff.rate_help",
        lang,
        n=r["recorded"],
        low=r["ci_low"],
        high=r["ci_high"],
        flag=r["from_flag"],
        missing=r["not_recorded"],
    ),
)
for col, m, base in ((cols[1], "per_offender", "recorded"), (cols[2], "per_reoffender", "reoffenders_counted")):
    col.metric(
        t(f"outcomes.reoff.{m}", lang),
        r[m],
        help=t(f"outcomes.reoff.{m}_help", lang, n=r[base], low=r[f"{m}_low"], high=r[f"{m}_high"]),
    )
days = dict(zip(reo["measure"], outcomes.texts(reo, decimals=0), strict=True))["proven"]["days_median"]
cols[3].metric(t("outcomes.reoff.days", lang), days, help=t("outcomes.reoff.days_help", lang, n=r["days_base"]))
cols[4].metric(
    t("outcomes.reoff.open", lang), r["open"], help=t("outcomes.reoff.open_help", lang, as_of=as_of.isoformat())
)
kinds = {m: t(f"outcomes.reoff_measure.{m}", lang) for m in reoffending.MEASURES}
show(
    reo.with_columns(pl.col("measure").replace_strict(kinds)),
    outcomes.REOFFENDING_TABLE,
    "reoffending_measures",
    percent=outcomes.RATE_PERCENT,
    decimals=outcomes.REOFFENDING_DECIMALS,
    keys=outcomes.REOFFENDING_KEYS,
)
st.caption(t("outcomes.reoff.measures_note", lang))

measure = components.choice(
    t("outcomes.reoff.show", lang),
    ["rate", "per_offender", "per_reoffender"],
    "rate",
    "outcomes.cmeasure.{}",
    lang,
    key="outcomes_reoff_measure",
)
by_q = ctx.published("outcomes.cohorts", *args)
low, high = ("ci_low", "ci_high") if measure == "rate" else (f"{measure}_low", f"{measure}_high")
pct = measure == "rate"
fig = components.figure(
    charts.cohort_intervals,
    by_q,
    charts.CohortIntervals(
        x=Codes("quarter", labels=quarters),
        interval=Interval(value=measure, low=low, high=high, multiplier=100 if pct else 1, suffix="%" if pct else ""),
        series=Codes("group", groups, series),
        titles=Titles(
            t("outcomes.reoff.chart", lang),
            category=t("outcomes.reoff.axis_x", lang),
            value=t(f"outcomes.cmeasure.{measure}", lang),
        ),
        open_from=reoffending.first_open_quarter(list(ctx.quarters), as_of),
        open_label=t("outcomes.reoff.open_band", lang),
    ),
)
show(
    by_q.with_columns(
        pl.col("group").replace_strict(series),
        pl.col("quarter").replace_strict(quarters),
        pl.format("status.{}", "status").replace_strict(labels).alias("status"),
    ),
    outcomes.COHORT_TABLE,
    "reoffending_by_cohort",
    percent=outcomes.RATE_PERCENT,
    decimals=outcomes.REOFFENDING_DECIMALS,
    fig=fig,
    keys=outcomes.REOFFENDING_KEYS,
)
st.caption(t("outcomes.reoff.note", lang))

# ---- evaluation: matched comparison of RRP-reviewed episodes -------------------------------------------------
st.header(t("outcomes.eval.title", lang))
st.caption(t("outcomes.eval.intro", lang))
ev = {part: ctx.published(f"evaluation.{part}", f, as_of) for part in ("effects", "balance")}
eff = ev["effects"]
st.subheader(t("outcomes.eval.verdicts", lang))
boxes = {"better": (st.success, "check_circle"), "worse": (st.error, "error"), "no_difference": (st.info, "info")}
th = evaluation.thresholds()
for row in eff.iter_rows(named=True):
    box, icon = boxes.get(row["verdict"], (st.warning, "block"))
    box(evaluation.verdict_text(row, lang, n, th), icon=f":material/{icon}:")
st.caption(
    t(
        "outcomes.eval.thresholds",
        lang,
        min_t=th["min_treated"],
        min_c=th["min_comparison"],
        smd=th["max_abs_smd"],
        smd_unmatched=th["max_abs_smd_unmatched"],
    )
)

names = {o: t(f"outcomes.measure.{o}", lang) for o in evaluation.OUTCOMES}
verdicts = {v: t(f"outcomes.verdict_label.{v}", lang) for v in evaluation.VERDICTS}
comparisons = {"matched": t("outcomes.eval.matched", lang), "naive": t("outcomes.eval.naive", lang)}
refused = {
    r["outcome"]: verdicts[r["verdict"]] for r in eff.iter_rows(named=True) if r["verdict"] in evaluation.REFUSALS
}
fig = components.figure(
    charts.interval_dots,
    evaluation.effects_long(eff),
    charts.IntervalDots(
        category=Codes(
            "outcome",
            evaluation.OUTCOMES,
            {o: f"{v}<br><i>{refused[o]}</i>" if o in refused else v for o, v in names.items()},
        ),
        interval=Interval(value="difference", low="ci_low", high="ci_high", suffix=""),
        series=Codes("comparison", list(comparisons), comparisons),
        titles=Titles(t("outcomes.eval.chart", lang), value=t("outcomes.eval.axis", lang)),
        zero_line=True,
    ),
)
named = eff.with_columns(
    pl.col("outcome").replace_strict({o: t(f"outcomes.short.{o}", lang) for o in names}),
    pl.col("verdict").replace_strict(verdicts),
)
show(
    named,
    evaluation.EFFECTS_TABLE,
    "rrp_evaluation_effects",
    percent=evaluation.EFFECTS_PERCENT,
    keys={"ci_low": "diff_low", "ci_high": "diff_high"},
    decimals={"max_abs_smd_after": 3},
    fig=fig,
)
st.caption(t("outcomes.eval.naive_note", lang))

st.subheader(t("outcomes.eval.sizes", lang))
st.caption(t("outcomes.eval.sizes_note", lang))
show(named, ["outcome", *evaluation.EFFECT_COUNTS, "strata"], "rrp_evaluation_sizes")

balance = components.lazy_expander(t("outcomes.eval.balance", lang), "exp_outcomes_balance")
if balance.open:  # the balance table is made and sent only while it is open
    with balance:
        st.caption(
            t("outcomes.eval.balance_intro", lang, smd=th["max_abs_smd"], smd_unmatched=th["max_abs_smd_unmatched"])
        )
        chosen = st.selectbox(
            t("outcomes.eval.balance_outcome", lang), evaluation.OUTCOMES, key="outcomes_balance", format_func=names.get
        )
        show(
            evaluation.balance_display(ev["balance"], chosen, lang),
            evaluation.BALANCE_TABLE,
            f"rrp_balance_{chosen}",
            decimals={c: 3 if c.startswith("smd") else 1 for c in evaluation.BALANCE_TABLE[2:]},
        )

st.subheader(t("outcomes.eval.caveats", lang))
caveats = ("selection", "unmatched", "timing", "multiple", "undercount", "open", "dropped", "episodes")
st.markdown("\n".join(f"- {t(f'outcomes.caveat.{c}', lang)}" for c in caveats))

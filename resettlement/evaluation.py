"""Evaluation: does review by a Reintegration and Resettlement Partnership (RRP) change outcomes?

Like the Justice Data Lab, it compares the outcomes of a treated group with those of a matched comparison group,
and says plainly when the data cannot support a conclusion.

Definitions (shown on the Definitions page; the method and its checks are in ``docs/evaluation.md``):

- **Treated**: episodes with at least one row in ``rrp_reviews``. **Comparison**: episodes with none.
- **Matching**: coarsened exact matching (CEM) on cohort, sex, age band (10-14, 15, 16, 17), ethnicity, police
  force area, start year and number of pathway needs recorded as "yes" (0, 1, 2, 3, 4, 5+). A missing value is a
  level of its own ("not recorded"). A *stratum* is one combination of levels; strata holding both treated and
  comparison episodes are kept, the rest dropped (treated episodes dropped are reported: the estimate describes
  only the matched ones). Each outcome is matched within its own sample: the episodes where it applies and is
  recorded (reoffending: only episodes whose 18-month follow-up is complete).
- **Weights**: treated 1; a comparison episode in stratum *s* gets (treated in *s* ÷ comparison in *s*) ×
  (matched comparison ÷ matched treated), so the comparison group has the treated group's mix of strata.
- **Effect**: the average effect on the treated (ATT) = treated rate − weighted comparison rate, in percentage
  points, with a 95% confidence interval from the binomial variance of each group, the comparison group's taken
  at its effective (Kish) size (Σw)² ÷ Σw². The unmatched ("naive") difference is shown next to it.
- **Balance**: standardised mean difference (SMD) of every covariate level, and of age in years and number of
  needs, before and after matching (difference in shares or means ÷ the pooled standard deviation before
  matching).
- **Verdict**: no conclusion is drawn when fewer than :data:`THRESHOLDS` ``min_treated`` treated or
  ``min_comparison`` comparison episodes are matched, or when any |SMD| after matching exceeds ``max_abs_smd``.
  Otherwise the difference is called an improvement or a worsening only when its interval excludes zero.

Why CEM rather than a propensity score: each stratum can be read as a sentence, there is no model to specify or
get wrong, balance on the matched covariates holds by construction, and the result is deterministic. Its costs:
treated episodes without an exact comparison are dropped, and covariates are balanced only within their bands.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import polars as pl

from resettlement import disclosure, geography
from resettlement.filters import Filters, select_cases
from resettlement.i18n import t
from resettlement.needs import age_band_expr
from resettlement.outcomes import Z95, case_outcomes

COVARIATES: tuple[str, ...] = ("cohort", "sex", "age_band", "ethnicity", "police_area", "start_year", "needs_band")
CONTINUOUS: tuple[str, ...] = ("age_at_start", "needs_count")
OUTCOMES: tuple[str, ...] = (
    "reoffended",
    "accommodation_suitable_end",
    "ete_suitable_end",
    "accommodation_confirmed_before_release",
)
BETTER: dict[str, int] = {  # +1: a higher rate is better; -1: lower is better
    "reoffended": -1,
    "accommodation_suitable_end": 1,
    "ete_suitable_end": 1,
    "accommodation_confirmed_before_release": 1,
}
THRESHOLDS: dict[str, float] = {
    "min_treated": 30,  # matched treated episodes needed before any conclusion
    "min_comparison": 30,  # matched comparison episodes needed
    "max_abs_smd": 0.1,  # largest |standardised mean difference| allowed after matching
}
NEEDS_TOP_BAND = 5  # 5 or more needs
NOT_RECORDED = "not_recorded"
VERDICTS: tuple[str, ...] = ("too_small", "poor_balance", "better", "worse", "no_difference")
REFUSALS: tuple[str, ...] = ("too_small", "poor_balance")  # verdicts that draw no conclusion


# ------------------------------------------------------------------------------------------- analysis frame


def analysis_frame(
    cases: pl.DataFrame, needs: pl.DataFrame, outcomes: pl.DataFrame, reviews: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    """One row per episode: ``treated``, the matching covariates as text (missing = ``not_recorded``), age in
    years and number of needs (for balance), and each outcome of :data:`OUTCOMES` as 0/1 (null where it does
    not apply or is not recorded)."""
    police = {la.code: la.police_area for la in geography.LOCAL_AUTHORITIES}
    n_needs = needs.filter(pl.col("need") == "yes").group_by("case_id").agg(pl.len().alias("needs_count"))
    reviewed = reviews["case_id"].unique().implode()
    rows = case_outcomes(cases, outcomes, as_of)
    text = [pl.col(c).cast(pl.String).fill_null(NOT_RECORDED) for c in ("cohort", "sex", "ethnicity")]
    return (
        rows.join(n_needs, on="case_id", how="left")
        .with_columns(pl.col("needs_count").fill_null(0).cast(pl.Int64))
        .select(
            "case_id",
            pl.col("case_id").is_in(reviewed).alias("treated"),
            *text,
            age_band_expr().fill_null(NOT_RECORDED).alias("age_band"),
            pl.col("la_code").replace_strict(police, default=NOT_RECORDED).alias("police_area"),
            pl.col("start_date").dt.year().cast(pl.String).alias("start_year"),
            pl.col("needs_count").clip(0, NEEDS_TOP_BAND).cast(pl.String).replace(
                {str(NEEDS_TOP_BAND): f"{NEEDS_TOP_BAND}+"}).alias("needs_band"),
            pl.when(pl.col("age_at_start").is_between(10, 17)).then(pl.col("age_at_start")).cast(pl.Float64)
            .alias("age_at_start"),
            pl.col("needs_count").cast(pl.Float64),
            pl.col("reoffended_final").cast(pl.Float64).alias("reoffended"),
            *(pl.when(pl.col("ended")).then(pl.col(c)).cast(pl.Float64).alias(c)
              for c in ("accommodation_suitable_end", "ete_suitable_end")),
            pl.col("accommodation_confirmed_before_release").cast(pl.Float64),
        )
    )


def selection_frame(tables: Mapping[str, pl.DataFrame], filters: Filters, as_of: date) -> pl.DataFrame:
    """:func:`analysis_frame` for the episodes the filters select (area, cohorts, start in the period)."""
    cases = select_cases(tables["cases"], filters)
    return analysis_frame(cases, tables["needs"], tables["outcomes"], tables["rrp_reviews"], as_of)


# ---------------------------------------------------------------------------------------------- matching


def match(frame: pl.DataFrame, outcome: str, covariates: tuple[str, ...] = COVARIATES) -> pl.DataFrame:
    """The outcome's analysis sample with ``y`` (the outcome), ``stratum``, ``n_t``/``n_c`` (treated and
    comparison episodes in the stratum), ``matched`` and the CEM ``weight`` (0 when unmatched)."""
    x = frame.filter(pl.col(outcome).is_not_null()).with_columns(
        pl.col(outcome).cast(pl.Float64).alias("y"),
        pl.concat_str([pl.col(c).cast(pl.String) for c in covariates], separator="|").alias("stratum"),
    )
    counts = x.group_by("stratum").agg(
        pl.col("treated").sum().cast(pl.Int64).alias("n_t"), (~pl.col("treated")).sum().cast(pl.Int64).alias("n_c")
    )
    x = x.join(counts, on="stratum", how="left").with_columns(((pl.col("n_t") > 0) & (pl.col("n_c") > 0)).alias(
        "matched"))
    nt = x.filter(pl.col("matched") & pl.col("treated")).height
    nc = x.filter(pl.col("matched") & ~pl.col("treated")).height
    scale = nc / nt if nt else 0.0
    weight = (
        pl.when(~pl.col("matched")).then(0.0)
        .when(pl.col("treated")).then(1.0)
        .otherwise(pl.col("n_t") / pl.col("n_c") * scale)
    )
    return x.with_columns(weight.alias("weight"))


def _wmean(values: pl.Series, weights: pl.Series) -> float | None:
    total = float(weights.sum())
    return float((values * weights).sum()) / total if total > 0 else None


def estimate(m: pl.DataFrame) -> dict:
    """Sample sizes, the matched ATT with its 95% interval, and the naive difference, for a :func:`match` frame."""
    t_all, c_all = m.filter(pl.col("treated")), m.filter(~pl.col("treated"))
    t_m, c_m = t_all.filter(pl.col("matched")), c_all.filter(pl.col("matched"))
    out: dict = {
        "n_treated": t_all.height, "n_comparison": c_all.height,
        "n_treated_matched": t_m.height, "n_comparison_matched": c_m.height,
        "treated_dropped": t_all.height - t_m.height,
        "strata": m.filter(pl.col("matched"))["stratum"].n_unique(),
    }
    pt = float(t_m["y"].mean()) if t_m.height else None
    pc = _wmean(c_m["y"], c_m["weight"]) if c_m.height else None
    n_eff = float(c_m["weight"].sum()) ** 2 / float((c_m["weight"] ** 2).sum()) if c_m.height else 0.0
    diff = pt - pc if pt is not None and pc is not None else None
    se = math.sqrt(pt * (1 - pt) / t_m.height + pc * (1 - pc) / n_eff) if diff is not None else None
    out.update(treated_events=int(t_m["y"].sum()), comparison_events=int(c_m["y"].sum()),
               naive_treated_events=int(t_all["y"].sum()), naive_comparison_events=int(c_all["y"].sum()))
    out.update(treated_rate=pt, comparison_rate=pc, comparison_effective=n_eff, difference=diff, se=se,
               ci_low=diff - Z95 * se if diff is not None else None,
               ci_high=diff + Z95 * se if diff is not None else None)
    qt = float(t_all["y"].mean()) if t_all.height else None
    qc = float(c_all["y"].mean()) if c_all.height else None
    naive = qt - qc if qt is not None and qc is not None else None
    nse = math.sqrt(qt * (1 - qt) / t_all.height + qc * (1 - qc) / c_all.height) if naive is not None else None
    out.update(naive_treated_rate=qt, naive_comparison_rate=qc, naive_difference=naive,
               naive_ci_low=naive - Z95 * nse if naive is not None else None,
               naive_ci_high=naive + Z95 * nse if naive is not None else None)
    return out


def _smd(dt: float | None, dc: float | None, sd: float | None) -> float | None:
    if dt is None or dc is None or sd is None:
        return None
    if sd == 0:
        return 0.0 if dt == dc else None  # a level all of one group has and none of the other: undefined
    return (dt - dc) / sd


_BALANCE_VALUES = ("treated_before", "comparison_before", "treated_after", "comparison_after")


def balance(m: pl.DataFrame, covariates: tuple[str, ...] = COVARIATES) -> pl.DataFrame:
    """Balance before and after matching for a :func:`match` frame: one row per covariate level (``statistic`` =
    ``share``) and per continuous covariate (``mean``), with the standardised mean difference before and after.

    The SMD's scale is the pooled standard deviation *before* matching, so before and after are comparable.
    ``k_<column>`` counts the episodes with the level (unweighted), for disclosure control.
    """
    t0, c0 = m.filter(pl.col("treated")), m.filter(~pl.col("treated"))
    t1, c1 = t0.filter(pl.col("matched")), c0.filter(pl.col("matched"))
    rows = []

    def add(cov: str, level: str, stat: str, x0t, x0c, x1t, x1c, w1c) -> None:
        counts = {f"k_{k}": int(x.sum()) if stat == "share" else None
                  for k, x in zip(_BALANCE_VALUES, (x0t, x0c, x1t, x1c), strict=True)}
        mt0 = float(x0t.mean()) if x0t.len() else None
        mc0 = float(x0c.mean()) if x0c.len() else None
        if stat == "share":
            var = [p * (1 - p) for p in (mt0, mc0) if p is not None]
        else:
            var = [float(s.var()) for s in (x0t, x0c) if s.len() > 1]
        sd = math.sqrt(sum(var) / len(var)) if len(var) == 2 else None
        mt1 = float(x1t.mean()) if x1t.len() else None
        mc1 = _wmean(x1c, w1c) if x1c.len() else None
        rows.append({"covariate": cov, "level": level, "statistic": stat, "treated_before": mt0,
                     "comparison_before": mc0, "smd_before": _smd(mt0, mc0, sd), "treated_after": mt1,
                     "comparison_after": mc1, "smd_after": _smd(mt1, mc1, sd), **counts})

    for cov in covariates:
        for level in sorted(m[cov].unique().to_list()):
            ind = [(f[cov] == level).cast(pl.Float64) for f in (t0, c0, t1, c1)]
            add(cov, level, "share", *ind, c1["weight"])
    for cov in CONTINUOUS:
        if cov not in m.columns:
            continue
        ok = [f.filter(pl.col(cov).is_not_null()) for f in (t0, c0, t1, c1)]
        add(cov, "mean", "mean", *(f[cov] for f in ok), ok[3]["weight"])
    schema = {"covariate": pl.String, "level": pl.String, "statistic": pl.String, "treated_before": pl.Float64,
              "comparison_before": pl.Float64, "smd_before": pl.Float64, "treated_after": pl.Float64,
              "comparison_after": pl.Float64, "smd_after": pl.Float64,
              **{f"k_{k}": pl.Int64 for k in _BALANCE_VALUES}}
    return pl.DataFrame(rows, schema=schema)


def verdict(est: dict, bal: pl.DataFrame, outcome: str, thresholds: Mapping[str, float] = THRESHOLDS) -> str:
    """``too_small``, ``poor_balance``, ``better``, ``worse`` or ``no_difference`` (interval includes zero)."""
    if est["n_treated_matched"] < thresholds["min_treated"] or est["n_comparison_matched"] < thresholds[
            "min_comparison"]:
        return "too_small"
    smd = bal["smd_after"]
    if smd.null_count() or (smd.abs().max() or 0.0) > thresholds["max_abs_smd"]:
        return "poor_balance"
    if est["ci_low"] > 0 or est["ci_high"] < 0:
        return "better" if (est["difference"] > 0) == (BETTER[outcome] > 0) else "worse"
    return "no_difference"


@dataclass(frozen=True)
class Evaluation:
    """Per outcome: ``effects`` (one row each: sizes, ATT, naive difference, verdict) and ``balance``."""

    effects: pl.DataFrame
    balance: pl.DataFrame


def evaluate(frame: pl.DataFrame, outcomes: tuple[str, ...] = OUTCOMES,
             thresholds: Mapping[str, float] = THRESHOLDS) -> Evaluation:
    """Match, estimate, check balance and give a verdict for each outcome of an :func:`analysis_frame`."""
    effects, balances = [], []
    for outcome in outcomes:
        m = match(frame, outcome)
        est = estimate(m)
        bal = balance(m)
        worst = bal.sort(pl.col("smd_after").abs(), descending=True, nulls_last=False).row(0, named=True)
        est.update(max_abs_smd_before=bal["smd_before"].abs().max(), max_abs_smd_after=bal["smd_after"].abs().max(),
                   worst_covariate=worst["covariate"], verdict=verdict(est, bal, outcome, thresholds))
        effects.append({"outcome": outcome, **est})
        balances.append(bal.select(pl.lit(outcome).alias("outcome"), pl.all()))
    return Evaluation(pl.DataFrame(effects, infer_schema_length=None), pl.concat(balances))


# ------------------------------------------------------------------------------------ presentation boundary

EFFECT_COUNTS = ("n_treated", "n_comparison", "n_treated_matched", "n_comparison_matched", "treated_dropped")
EFFECT_COLUMNS = ("outcome", *EFFECT_COUNTS, "strata", "treated_rate", "comparison_rate", "difference", "ci_low",
                  "ci_high", "naive_treated_rate", "naive_comparison_rate", "naive_difference", "naive_ci_low",
                  "naive_ci_high", "max_abs_smd_after", "worst_covariate", "verdict")
DIFFERENCES = ("difference", "ci_low", "ci_high", "naive_difference", "naive_ci_low", "naive_ci_high")
EFFECTS_TABLE = ("outcome", "treated_rate", "comparison_rate", *DIFFERENCES, "naive_treated_rate",
                 "naive_comparison_rate", "max_abs_smd_after", "verdict")
EFFECTS_PERCENT = ("treated_rate", "comparison_rate", "naive_treated_rate", "naive_comparison_rate", *DIFFERENCES)
BALANCE_TABLE = ("covariate", "level", "treated_before", "comparison_before", "smd_before", "treated_after",
                 "comparison_after", "smd_after")
_EVENTS = ("treated_events", "comparison_events", "naive_treated_events", "naive_comparison_events")


def _hide_with(df: pl.DataFrame, cols: tuple[str, ...], sources: tuple[str, ...]) -> pl.DataFrame:
    """Secondary suppression: hide ``cols`` (note ``c``) wherever any of the ``sources`` is hidden, because a
    difference and one shown rate would give the hidden rate back."""
    note = disclosure.NOTE_SUFFIX
    hidden = pl.any_horizontal(pl.col(s + note).is_not_null() for s in sources)
    return df.with_columns(
        *(pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c) for c in cols),
        *(pl.when(hidden & pl.col(c + note).is_null()).then(pl.lit(disclosure.SUPPRESSED)).otherwise(pl.col(c + note))
          .alias(c + note) for c in cols),
    )


def protected(ev: Evaluation, threshold: int) -> dict[str, pl.DataFrame]:
    """The figures the page and the CLI show, through :func:`disclosure.protect`.

    A rate is judged on its group's events and size (hidden when either, or the non-events, is a small count);
    a difference, its interval and the SMDs are hidden with either of the rates they are made from. Event and
    level counts are used for the judgement and not shown.
    """
    sizes = ev.effects.select("outcome", "n_treated", "n_comparison", "n_treated_matched", "n_comparison_matched")
    eff_rates = {
        "treated_rate": ("treated_events", "n_treated_matched"),
        "comparison_rate": ("comparison_events", "n_comparison_matched"),
        "naive_treated_rate": ("naive_treated_events", "n_treated"),
        "naive_comparison_rate": ("naive_comparison_events", "n_comparison"),
        **{c: ("treated_events", "n_treated_matched") for c in ("difference", "ci_low", "ci_high")},
        **{c: ("naive_treated_events", "n_treated") for c in ("naive_difference", "naive_ci_low", "naive_ci_high")},
        "max_abs_smd_after": "n_treated_matched",
    }
    effects = disclosure.protect(ev.effects.select(*EFFECT_COLUMNS, *_EVENTS), counts=EFFECT_COUNTS, rates=eff_rates,
                                 threshold=threshold)
    effects = _hide_with(effects, ("difference", "ci_low", "ci_high", "max_abs_smd_after"), ("comparison_rate",))
    effects = _hide_with(effects, ("naive_difference", "naive_ci_low", "naive_ci_high"), ("naive_comparison_rate",))
    bal_rates = {
        "treated_before": ("k_treated_before", "n_treated"),
        "comparison_before": ("k_comparison_before", "n_comparison"),
        "treated_after": ("k_treated_after", "n_treated_matched"),
        "comparison_after": ("k_comparison_after", "n_comparison_matched"),
        "smd_before": "n_treated",
        "smd_after": "n_treated_matched",
    }
    bal = disclosure.protect(ev.balance.join(sizes, on="outcome", how="left"), rates=bal_rates, threshold=threshold)
    bal = _hide_with(bal, ("smd_before",), ("treated_before", "comparison_before"))
    bal = _hide_with(bal, ("smd_after",), ("treated_after", "comparison_after"))
    return {
        "effects": effects.drop(*_EVENTS),
        "balance": bal.drop(*(f"k_{k}" for k in _BALANCE_VALUES), *sizes.columns[1:]),
    }


def _pp(value: float | None) -> str:
    return "c" if value is None else f"{value * 100:+.1f}"


def verdict_text(row: Mapping, lang: str, threshold: int, thresholds: Mapping[str, float] = THRESHOLDS) -> str:
    """The plain-language verdict for one row of the protected effects (a suppressed count reads "fewer than
    <threshold>")."""
    def count(col: str) -> str:
        if row.get(col + disclosure.NOTE_SUFFIX):
            return t("outcomes.fewer_than", lang, n=threshold)
        return f"{row[col]:,}"

    return t(
        f"outcomes.verdict.{row['verdict']}",
        lang,
        outcome=t(f"outcomes.measure.{row['outcome']}", lang),
        nt=count("n_treated_matched"),
        nc=count("n_comparison_matched"),
        n_all=count("n_treated"),
        diff=_pp(row["difference"]),
        low=_pp(row["ci_low"]),
        high=_pp(row["ci_high"]),
        min_t=int(thresholds["min_treated"]),
        min_c=int(thresholds["min_comparison"]),
        worst=t(f"outcomes.covariate.{row['worst_covariate']}", lang).lower() if row.get("worst_covariate") else "",
        smd=f"{thresholds['max_abs_smd']:g}",
    )


def protected_for(tables: Mapping[str, pl.DataFrame], filters: Filters, as_of: date,
                  threshold: int) -> dict[str, pl.DataFrame]:
    """What the Outcomes page and ``python -m resettlement evaluate`` show for a selection: :func:`protected`
    figures of :func:`evaluate` on :func:`selection_frame`."""
    return protected(evaluate(selection_frame(tables, filters, as_of)), threshold)


def report(figures: Mapping[str, pl.DataFrame], threshold: int, lang: str = "en") -> dict:
    """:func:`protected_for` figures as JSON-ready records, with each outcome's plain-language verdict."""
    effects = disclosure.to_records(figures["effects"])
    verdicts = [{"outcome": row["outcome"], "verdict": row["verdict"], "text": verdict_text(row, lang, threshold)}
                for row in figures["effects"].iter_rows(named=True)]
    return {"thresholds": dict(THRESHOLDS), "effects": effects, "balance": disclosure.to_records(figures["balance"]),
            "verdicts": verdicts}


def effects_long(effects: pl.DataFrame) -> pl.DataFrame:
    """Protected effects as one row per outcome and comparison (``matched`` / ``naive``): ``difference``,
    ``ci_low``, ``ci_high`` (for the dot-and-whisker chart)."""
    cols = ("difference", "ci_low", "ci_high")
    # An all-empty column is typed Null, not Float64; cast so the two halves always stack.
    naive = effects.select("outcome", pl.lit("naive").alias("comparison"),
                           *(pl.col(f"naive_{c}").cast(pl.Float64).alias(c) for c in cols))
    matched = effects.select("outcome", pl.lit("matched").alias("comparison"),
                             *(pl.col(c).cast(pl.Float64) for c in cols))
    return pl.concat([matched, naive])


def level_label(covariate: str, level: str, lang: str) -> str:
    """Display label of a covariate level (enumerations in the chosen language, police areas by name)."""
    if level == NOT_RECORDED or level == "mean":
        return t(f"outcomes.level.{level}", lang)
    if covariate in ("cohort", "sex", "ethnicity"):
        return t(f"enum.{covariate}.{level}", lang)
    if covariate == "police_area":
        return geography.police_name(level, lang)
    return level


def balance_display(balance: pl.DataFrame, outcome: str, lang: str) -> pl.DataFrame:
    """One outcome's protected balance rows with labels in the chosen language and shares as percentages."""
    b = balance.filter(pl.col("outcome") == outcome)
    share = pl.col("statistic") == "share"
    values = ("treated_before", "comparison_before", "treated_after", "comparison_after")
    return b.with_columns(
        pl.Series("level", [level_label(c, v, lang) for c, v in zip(b["covariate"], b["level"], strict=True)],
                  dtype=pl.String),
        pl.Series("covariate", [t(f"outcomes.covariate.{c}", lang) for c in b["covariate"]], dtype=pl.String),
        *(pl.when(share).then(pl.col(c) * 100).otherwise(pl.col(c)).alias(c) for c in values),
    )

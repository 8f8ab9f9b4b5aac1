"""Evaluation: does review by a Reintegration and Resettlement Partnership (RRP) change outcomes?

Like the Justice Data Lab (JDL), it compares the outcomes of a treated group with those of a matched comparison
group, and says plainly when the data cannot support a conclusion.

Definitions (shown on the Definitions page; the method and its checks are in ``docs/evaluation.md``):

- **Treatment is fixed in time, per outcome**: an episode is *treated* for an outcome only when its first RRP review
  (the date of the meeting) came **before the outcome's reference date**: before release for *accommodation
  confirmed before release*, before the index date for *proven reoffending* (release from custody, start of a
  community disposal), on or before the end for the end-of-order outcomes. A review after that date can not have
  caused the outcome, so the episode is in the comparison group for it (and would bias the estimate if counted).
- **Proven reoffending** is the one measure of :mod:`resettlement.reoffending` (dates, 12 + 6 months, final
  quarters only), for each child's first custody release or community start among the selected episodes.
- **Matching**: coarsened exact matching (CEM) on cohort, sex, age band (10-14, 15, 16, 17), ethnicity, police
  force area, start year, number of pathway needs recorded "yes" (0..4, 5+) and the child's **prior episodes**
  (0, 1, 2+). A missing value is a level of its own. Strata holding both treated and comparison episodes are kept;
  treated episodes dropped are reported (the estimate describes only the matched ones).
- **Weights**: treated 1; a comparison episode in stratum *s* gets (treated in *s* ÷ comparison in *s*) ×
  (matched comparison ÷ matched treated).
- **Effect**: the average effect on the treated (ATT) = treated rate − weighted comparison rate, the coefficient of
  a weighted least squares regression of the outcome on treatment, with a **child-clustered** (CR1) sandwich
  variance: right for the weights and for repeated episodes of one child. The weights are taken as fixed, as the JDL
  does. Results are read as "for every 100 children like these…".
- **Balance**: standardised mean difference (SMD) before and after matching, for the matched covariates' levels
  *and* for covariates not matched on (each pathway's need, age in years, number of needs, number of prior
  episodes), which is where selection on something not matched would show.
- **Verdict**: no conclusion with fewer than :data:`THRESHOLDS` ``min_treated`` / ``min_comparison`` matched
  (60 each, as the JDL), when a matched covariate's |SMD| after matching exceeds ``max_abs_smd``, or an unmatched
  one's exceeds ``max_abs_smd_unmatched``. Otherwise "better"/"worse" only when the 95% interval excludes zero; the
  Bonferroni-adjusted interval for the outcomes tested together is reported beside it.

Why CEM rather than a propensity score: each stratum can be read as a sentence, there is no model to specify or
get wrong, balance on the matched covariates holds by construction, and the result is deterministic. Its costs:
treated episodes without an exact comparison are dropped, and covariates are balanced only within their bands.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from statistics import NormalDist

import polars as pl

from resettlement import disclosure, geography, reoffending, settings
from resettlement.filters import Filters, select_cases
from resettlement.i18n import t
from resettlement.needs import age_band_expr
from resettlement.outcomes import Z95, case_outcomes
from resettlement.standard import PATHWAYS

COVARIATES: tuple[str, ...] = (
    "cohort",
    "sex",
    "age_band",
    "ethnicity",
    "police_area",
    "start_year",
    "needs_band",
    "prior_band",
)
CONTINUOUS: tuple[str, ...] = ("age_at_start", "needs_count", "prior_episodes")
UNMATCHED: tuple[str, ...] = tuple(f"need_{p}" for p in PATHWAYS)  # shares; not matched on (only their number is)
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
THRESHOLDS: dict[str, float] = {  # the defaults; thresholds() reads the minimum from RESETTLEMENT_EVAL_MIN_MATCHED
    "min_treated": 60,  # matched treated episodes needed before any conclusion (the Justice Data Lab's minimum)
    "min_comparison": 60,  # matched comparison episodes needed
    "max_abs_smd": 0.1,  # largest |standardised mean difference| allowed after matching, matched covariates
    "max_abs_smd_unmatched": 0.2,  # ... and covariates not matched on, when also beyond chance (below)
    "balance_alpha": 0.05,  # chance level for an unmatched covariate's imbalance, Bonferroni over those covariates
}


def thresholds() -> dict[str, float]:
    """:data:`THRESHOLDS` with the minimum matched size from the setting ``RESETTLEMENT_EVAL_MIN_MATCHED``."""
    n = settings.eval_min_matched()
    return {**THRESHOLDS, "min_treated": n, "min_comparison": n}


NEEDS_TOP_BAND = 5  # 5 or more needs
PRIOR_TOP_BAND = 2  # 2 or more prior episodes
NOT_RECORDED = "not_recorded"
VERDICTS: tuple[str, ...] = ("too_small", "poor_balance", "better", "worse", "no_difference")
REFUSALS: tuple[str, ...] = ("too_small", "poor_balance")  # verdicts that draw no conclusion


# ------------------------------------------------------------------------------------------- analysis frame


def first_reviews(reviews: pl.DataFrame, meetings: pl.DataFrame) -> pl.DataFrame:
    """``case_id`` → ``first_review``: the date of the first RRP meeting that reviewed the case."""
    return (
        reviews.join(meetings.select("meeting_id", "meeting_date"), on="meeting_id", how="inner")
        .group_by("case_id")
        .agg(pl.col("meeting_date").min().alias("first_review"))
    )


def prior_episodes(all_cases: pl.DataFrame) -> pl.DataFrame:
    """``case_id`` → ``prior_episodes``: the child's episodes (in every period and area in scope) that started
    before this one."""
    return all_cases.select(
        "case_id", (pl.col("start_date").rank("min").over("child_id") - 1).cast(pl.Int64).alias("prior_episodes")
    )


def treatment_exprs() -> dict[str, pl.Expr]:
    """Per outcome, whether the episode was treated *before* the outcome's reference date (fixed in time)."""
    first = pl.col("first_review")
    return {
        "reoffended": (first < pl.col("index_date")).fill_null(False),
        "accommodation_confirmed_before_release": (first < pl.col("release_date")).fill_null(False),
        "accommodation_suitable_end": (first <= pl.col("end_date")).fill_null(False),
        "ete_suitable_end": (first <= pl.col("end_date")).fill_null(False),
    }


def reoffending_outcome(cases: pl.DataFrame, outcomes: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """``case_id`` → ``index_date`` and ``reoffended`` (0/1) for each child's first custody release or community
    start among ``cases`` whose quarterly cohort is final on ``as_of``: :mod:`resettlement.reoffending`'s rules."""
    events = reoffending.index_events(cases, as_of).filter(pl.col("index_type").is_in(list(reoffending.MOJ_TYPES)))
    first = events.sort("index_date", "case_id").group_by("child_id", maintain_order=True).first()
    first = first.filter(
        reoffending.quarter_final_from(
            pl.format("{}Q{}", pl.col("index_date").dt.year(), pl.col("index_date").dt.quarter())
        )
        <= as_of
    )
    rows = reoffending.outcome_of(first, outcomes)
    return rows.select("case_id", pl.col("reoffended").cast(pl.Float64).alias("reoffended_moj"))


def analysis_frame(
    cases: pl.DataFrame,
    needs: pl.DataFrame,
    outcomes: pl.DataFrame,
    reviews: pl.DataFrame,
    as_of: date,
    meetings: pl.DataFrame | None = None,
    all_cases: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per episode: ``child_id``, ``treated_<outcome>`` per outcome (fixed in time), the matching
    covariates as text (missing = ``not_recorded``), age in years, number of needs and of prior episodes, each
    pathway's need (0/1, for balance), and each outcome of :data:`OUTCOMES` as 0/1 (null where it does not apply
    or is not recorded). ``meetings`` dates the reviews (without it, no episode is treated: a review with no date
    can not be placed before anything); ``all_cases`` counts prior episodes (default: ``cases``)."""
    police = {la.code: la.police_area for la in geography.LOCAL_AUTHORITIES}
    yes = needs.filter(pl.col("need") == "yes")
    n_needs = yes.group_by("case_id").agg(
        pl.len().alias("needs_count"),
        *((pl.col("pathway") == p).any().cast(pl.Float64).alias(f"need_{p}") for p in PATHWAYS),
    )
    firsts = (
        first_reviews(reviews, meetings)
        if meetings is not None
        else pl.DataFrame(schema={"case_id": pl.String, "first_review": pl.Date})
    )
    rows = case_outcomes(cases, outcomes, as_of).drop("reoffended")
    index = reoffending.index_events(cases, as_of).select("case_id", "index_date")
    text = [pl.col(c).cast(pl.String).fill_null(NOT_RECORDED) for c in ("cohort", "sex", "ethnicity")]
    treat = treatment_exprs()
    return (
        rows.join(n_needs, on="case_id", how="left")
        .join(firsts, on="case_id", how="left")
        .join(index, on="case_id", how="left")
        .join(prior_episodes(all_cases if all_cases is not None else cases), on="case_id", how="left")
        .join(reoffending_outcome(cases, outcomes, as_of), on="case_id", how="left")
        .with_columns(
            pl.col("needs_count").fill_null(0).cast(pl.Int64),
            pl.col("prior_episodes").fill_null(0),
            *(pl.col(u).fill_null(0.0) for u in UNMATCHED),
        )
        .select(
            "case_id",
            "child_id",
            *(treat[o].alias(f"treated_{o}") for o in OUTCOMES),
            *text,
            age_band_expr().fill_null(NOT_RECORDED).alias("age_band"),
            pl.col("la_code").replace_strict(police, default=NOT_RECORDED).alias("police_area"),
            pl.col("start_date").dt.year().cast(pl.String).alias("start_year"),
            pl.col("needs_count")
            .clip(0, NEEDS_TOP_BAND)
            .cast(pl.String)
            .replace({str(NEEDS_TOP_BAND): f"{NEEDS_TOP_BAND}+"})
            .alias("needs_band"),
            pl.col("prior_episodes")
            .clip(0, PRIOR_TOP_BAND)
            .cast(pl.String)
            .replace({str(PRIOR_TOP_BAND): f"{PRIOR_TOP_BAND}+"})
            .alias("prior_band"),
            pl.when(pl.col("age_at_start").is_between(10, 17))
            .then(pl.col("age_at_start"))
            .cast(pl.Float64)
            .alias("age_at_start"),
            pl.col("needs_count").cast(pl.Float64),
            pl.col("prior_episodes").cast(pl.Float64),
            *UNMATCHED,
            pl.col("reoffended_moj").alias("reoffended"),
            *(
                pl.when(pl.col("ended")).then(pl.col(c)).cast(pl.Float64).alias(c)
                for c in ("accommodation_suitable_end", "ete_suitable_end")
            ),
            pl.col("accommodation_confirmed_before_release").cast(pl.Float64),
        )
    )


def selection_frame(tables: Mapping[str, pl.DataFrame], filters: Filters, as_of: date) -> pl.DataFrame:
    """:func:`analysis_frame` for the episodes the filters select (area, cohorts, start in the period)."""
    cases = select_cases(tables["cases"], filters)
    return analysis_frame(
        cases,
        tables["needs"],
        tables["outcomes"],
        tables["rrp_reviews"],
        as_of,
        meetings=tables["rrp_meetings"],
        all_cases=tables["cases"],
    )


# ---------------------------------------------------------------------------------------------- matching


def match(frame: pl.DataFrame, outcome: str, covariates: tuple[str, ...] = COVARIATES) -> pl.DataFrame:
    """The outcome's analysis sample with ``treated`` (fixed in time for this outcome: ``treated_<outcome>`` when
    the frame has it), ``y`` (the outcome), ``stratum``, ``n_t``/``n_c`` (treated and comparison episodes in the
    stratum), ``matched`` and the CEM ``weight`` (0 when unmatched)."""
    if f"treated_{outcome}" in frame.columns:
        frame = frame.with_columns(pl.col(f"treated_{outcome}").alias("treated"))
    x = frame.filter(pl.col(outcome).is_not_null()).with_columns(
        pl.col(outcome).cast(pl.Float64).alias("y"),
        pl.concat_str([pl.col(c).cast(pl.String) for c in covariates], separator="|").alias("stratum"),
    )
    counts = x.group_by("stratum").agg(
        pl.col("treated").sum().cast(pl.Int64).alias("n_t"), (~pl.col("treated")).sum().cast(pl.Int64).alias("n_c")
    )
    x = x.join(counts, on="stratum", how="left").with_columns(
        ((pl.col("n_t") > 0) & (pl.col("n_c") > 0)).alias("matched")
    )
    nt = x.filter(pl.col("matched") & pl.col("treated")).height
    nc = x.filter(pl.col("matched") & ~pl.col("treated")).height
    scale = nc / nt if nt else 0.0
    weight = (
        pl.when(~pl.col("matched"))
        .then(0.0)
        .when(pl.col("treated"))
        .then(1.0)
        .otherwise(pl.col("n_t") / pl.col("n_c") * scale)
    )
    return x.with_columns(weight.alias("weight"))


def _wmean(values: pl.Series, weights: pl.Series) -> float | None:
    total = float(weights.sum())
    return float((values * weights).sum()) / total if total > 0 else None


def clustered_se(m: pl.DataFrame, cluster: str = "child_id") -> float | None:
    """Child-clustered (CR1) standard error of the weighted difference in means (treated − comparison) of the
    matched rows of a :func:`match` frame: the sandwich variance of the treatment coefficient of the weighted least
    squares regression ``y ~ 1 + treated``, Σ_g u_g² × G/(G−1) × (N−1)/(N−2), where u_g = Σ w·e·T/W_T − Σ w·e·(1−T)/W_C
    over cluster g's rows and e is the residual from its group's weighted mean. Without a ``cluster`` column each
    row is its own cluster (HC1). None with fewer than 3 rows or 2 clusters."""
    x = m.filter(pl.col("matched") & (pl.col("weight") > 0))
    if cluster not in x.columns:
        x = x.with_row_index(cluster)
    n = x.height
    if n < 3:
        return None
    w, y, tr = pl.col("weight"), pl.col("y"), pl.col("treated")
    x = x.with_columns(
        (w.sum().over("treated")).alias("_W"), ((w * y).sum().over("treated") / w.sum().over("treated")).alias("_mean")
    )
    u = (
        x.with_columns((w * (y - pl.col("_mean")) / pl.col("_W") * pl.when(tr).then(1.0).otherwise(-1.0)).alias("_u"))
        .group_by(cluster)
        .agg(pl.col("_u").sum())
    )
    g = u.height
    if g < 2 or x["treated"].n_unique() < 2:
        return None
    var = float((u["_u"] ** 2).sum()) * g / (g - 1) * (n - 1) / (n - 2)
    return math.sqrt(var)


def estimate(m: pl.DataFrame, tests: int = len(OUTCOMES)) -> dict:
    """Sample sizes, the matched ATT with its child-clustered 95% interval (and the Bonferroni-adjusted interval
    for ``tests`` outcomes tested together), and the naive difference, for a :func:`match` frame."""
    t_all, c_all = m.filter(pl.col("treated")), m.filter(~pl.col("treated"))
    t_m, c_m = t_all.filter(pl.col("matched")), c_all.filter(pl.col("matched"))
    cluster = "child_id" if "child_id" in m.columns else None
    out: dict = {
        "n_treated": t_all.height,
        "n_comparison": c_all.height,
        "n_treated_matched": t_m.height,
        "n_comparison_matched": c_m.height,
        "treated_dropped": t_all.height - t_m.height,
        "strata": m.filter(pl.col("matched"))["stratum"].n_unique(),
        "children_matched": m.filter(pl.col("matched"))[cluster].n_unique() if cluster else None,
    }
    pt = float(t_m["y"].mean()) if t_m.height else None
    pc = _wmean(c_m["y"], c_m["weight"]) if c_m.height else None
    n_eff = float(c_m["weight"].sum()) ** 2 / float((c_m["weight"] ** 2).sum()) if c_m.height else 0.0
    diff = pt - pc if pt is not None and pc is not None else None
    se = clustered_se(m, cluster or "_row") if diff is not None else None
    z_adj = NormalDist().inv_cdf(1 - 0.05 / (2 * max(tests, 1)))
    out.update(
        treated_events=int(t_m["y"].sum()),
        comparison_events=int(c_m["y"].sum()),
        naive_treated_events=int(t_all["y"].sum()),
        naive_comparison_events=int(c_all["y"].sum()),
    )
    ok = diff is not None and se is not None
    out.update(
        treated_rate=pt,
        comparison_rate=pc,
        comparison_effective=n_eff,
        difference=diff,
        se=se,
        ci_low=diff - Z95 * se if ok else None,
        ci_high=diff + Z95 * se if ok else None,
        ci_low_adjusted=diff - z_adj * se if ok else None,
        ci_high_adjusted=diff + z_adj * se if ok else None,
    )
    qt = float(t_all["y"].mean()) if t_all.height else None
    qc = float(c_all["y"].mean()) if c_all.height else None
    naive = qt - qc if qt is not None and qc is not None else None
    nse = math.sqrt(qt * (1 - qt) / t_all.height + qc * (1 - qc) / c_all.height) if naive is not None else None
    out.update(
        naive_treated_rate=qt,
        naive_comparison_rate=qc,
        naive_difference=naive,
        naive_ci_low=naive - Z95 * nse if naive is not None else None,
        naive_ci_high=naive + Z95 * nse if naive is not None else None,
    )
    return out


def _smd(dt: float | None, dc: float | None, sd: float | None) -> float | None:
    if dt is None or dc is None or sd is None:
        return None
    if sd == 0:
        return 0.0 if dt == dc else None  # a level all of one group has and none of the other: undefined
    return (dt - dc) / sd


_BALANCE_VALUES = ("treated_before", "comparison_before", "treated_after", "comparison_after")


def balance(m: pl.DataFrame, covariates: tuple[str, ...] = COVARIATES) -> pl.DataFrame:
    """Balance before and after matching for a :func:`match` frame: one row per matched covariate level
    (``statistic`` = ``share``), per covariate not matched on (:data:`UNMATCHED` shares, ``level`` = ``yes``) and
    per continuous covariate (``mean``), with the standardised mean difference before and after and ``matched``
    (whether matching balanced it by construction). ``z_after`` (difference after matching ÷ its child-clustered
    SE) is worked out only for covariates not matched whose |SMD| after matching exceeds the default
    ``max_abs_smd_unmatched``: the only ones whose chance level :func:`flagged` needs.

    The SMD's scale is the pooled standard deviation *before* matching, so before and after are comparable.
    ``k_<column>`` counts the episodes with the level (unweighted), for disclosure control.
    """
    t0, c0 = m.filter(pl.col("treated")), m.filter(~pl.col("treated"))
    t1, c1 = t0.filter(pl.col("matched")), c0.filter(pl.col("matched"))
    rows = []

    def z_after(cov: str) -> float | None:
        """Difference after matching ÷ its child-clustered standard error (as the effect's): is it beyond chance?"""
        x = m.filter(pl.col(cov).is_not_null()).with_columns(pl.col(cov).cast(pl.Float64).alias("y"))
        se = clustered_se(x, "child_id" if "child_id" in x.columns else "_row")
        t1x, c1x = x.filter(pl.col("matched") & pl.col("treated")), x.filter(pl.col("matched") & ~pl.col("treated"))
        mc = _wmean(c1x["y"], c1x["weight"]) if c1x.height else None
        if not se or not t1x.height or mc is None:
            return None
        return (float(t1x["y"].mean()) - mc) / se

    def add(cov: str, level: str, stat: str, matched: bool, x0t, x0c, x1t, x1c, w1c) -> None:
        counts = {
            f"k_{k}": int(x.sum()) if stat == "share" else None
            for k, x in zip(_BALANCE_VALUES, (x0t, x0c, x1t, x1c), strict=True)
        }
        mt0 = float(x0t.mean()) if x0t.len() else None
        mc0 = float(x0c.mean()) if x0c.len() else None
        if stat == "share":
            var = [p * (1 - p) for p in (mt0, mc0) if p is not None]
        else:
            var = [float(s.var()) for s in (x0t, x0c) if s.len() > 1]
        sd = math.sqrt(sum(var) / len(var)) if len(var) == 2 else None
        mt1 = float(x1t.mean()) if x1t.len() else None
        mc1 = _wmean(x1c, w1c) if x1c.len() else None
        smd_after = _smd(mt1, mc1, sd)
        large = smd_after is not None and abs(smd_after) > THRESHOLDS["max_abs_smd_unmatched"]
        rows.append(
            {
                "covariate": cov,
                "level": level,
                "statistic": stat,
                "matched": matched,
                "treated_before": mt0,
                "comparison_before": mc0,
                "smd_before": _smd(mt0, mc0, sd),
                "treated_after": mt1,
                "comparison_after": mc1,
                "smd_after": smd_after,
                "z_after": z_after(cov) if large and not matched else None,
                **counts,
            }
        )

    for cov in covariates:
        for level in sorted(m[cov].unique().to_list()):
            ind = [(f[cov] == level).cast(pl.Float64) for f in (t0, c0, t1, c1)]
            add(cov, level, "share", True, *ind, c1["weight"])
    for cov in UNMATCHED:
        if cov in m.columns:
            add(cov, "yes", "share", False, *(f[cov].cast(pl.Float64) for f in (t0, c0, t1, c1)), c1["weight"])
    for cov in CONTINUOUS:
        if cov not in m.columns:
            continue
        ok = [f.filter(pl.col(cov).is_not_null()) for f in (t0, c0, t1, c1)]
        add(cov, "mean", "mean", False, *(f[cov] for f in ok), ok[3]["weight"])
    schema = {
        "covariate": pl.String,
        "level": pl.String,
        "statistic": pl.String,
        "matched": pl.Boolean,
        "treated_before": pl.Float64,
        "comparison_before": pl.Float64,
        "smd_before": pl.Float64,
        "treated_after": pl.Float64,
        "comparison_after": pl.Float64,
        "smd_after": pl.Float64,
        "z_after": pl.Float64,
        **{f"k_{k}": pl.Int64 for k in _BALANCE_VALUES},
    }
    return pl.DataFrame(rows, schema=schema)


def flagged(bal: pl.DataFrame, thresholds: Mapping[str, float] = THRESHOLDS) -> pl.Series:
    """Which balance rows show the groups still differ after matching: a matched covariate's level when its |SMD|
    exceeds ``max_abs_smd`` (or is undefined); a covariate not matched on when its |SMD| exceeds
    ``max_abs_smd_unmatched`` *and* the difference is beyond chance (|z| above the Bonferroni critical value for
    ``balance_alpha`` over the unmatched rows): with a hundred matched children, chance alone moves a share's SMD
    by 0.2 or more, and only an imbalance that is both large and real should stop the verdict."""
    if bal.is_empty():
        return pl.Series("flagged", [], dtype=pl.Boolean)
    k = max(int((~bal["matched"]).sum()), 1)
    z_crit = NormalDist().inv_cdf(1 - thresholds["balance_alpha"] / (2 * k))
    smd = pl.col("smd_after").abs()
    z = pl.col("z_after").abs() if "z_after" in bal.columns else pl.lit(float("inf"))
    rule = (
        pl.when(pl.col("matched"))
        .then(smd.is_null() | (smd > thresholds["max_abs_smd"]))
        .otherwise((smd > thresholds["max_abs_smd_unmatched"]) & (z > z_crit))
        .fill_null(False)
    )
    return bal.select(rule.alias("flagged")).to_series()


def _worst(bal: pl.DataFrame, thresholds: Mapping[str, float]) -> tuple[bool, str | None]:
    """Whether any balance row is :func:`flagged`, and the covariate to name: the flagged one with the largest
    |SMD| after matching, else the largest overall."""
    if bal.is_empty():
        return False, None
    ranked = bal.with_columns(flagged(bal, thresholds)).sort(
        "flagged", pl.col("smd_after").abs(), descending=True, nulls_last=True
    )
    top = ranked.row(0, named=True)
    return bool(top["flagged"]), top["covariate"]


def verdict(est: dict, bal: pl.DataFrame, outcome: str, thresholds: Mapping[str, float] = THRESHOLDS) -> str:
    """``too_small``, ``poor_balance``, ``better``, ``worse`` or ``no_difference`` (interval includes zero)."""
    if (
        est["n_treated_matched"] < thresholds["min_treated"]
        or est["n_comparison_matched"] < thresholds["min_comparison"]
        or est["ci_low"] is None
    ):
        return "too_small"
    if _worst(bal, thresholds)[0]:
        return "poor_balance"
    if est["ci_low"] > 0 or est["ci_high"] < 0:
        return "better" if (est["difference"] > 0) == (BETTER[outcome] > 0) else "worse"
    return "no_difference"


@dataclass(frozen=True)
class Evaluation:
    """Per outcome: ``effects`` (one row each: sizes, ATT, naive difference, verdict) and ``balance``."""

    effects: pl.DataFrame
    balance: pl.DataFrame


def evaluate(
    frame: pl.DataFrame, outcomes: tuple[str, ...] = OUTCOMES, thresholds: Mapping[str, float] = THRESHOLDS
) -> Evaluation:
    """Match, estimate, check balance and give a verdict for each outcome of an :func:`analysis_frame`."""
    effects, balances = [], []
    for outcome in outcomes:
        m = match(frame, outcome)
        est = estimate(m, tests=len(outcomes))
        bal = balance(m)
        est.update(
            max_abs_smd_before=bal["smd_before"].abs().max(),
            max_abs_smd_after=bal["smd_after"].abs().max(),
            worst_covariate=_worst(bal, thresholds)[1],
            verdict=verdict(est, bal, outcome, thresholds),
        )
        effects.append({"outcome": outcome, **est})
        balances.append(bal.select(pl.lit(outcome).alias("outcome"), pl.all()))
    return Evaluation(pl.DataFrame(effects, infer_schema_length=None), pl.concat(balances))


# ------------------------------------------------------------------------------------ presentation boundary

EFFECT_COUNTS = ("n_treated", "n_comparison", "n_treated_matched", "n_comparison_matched", "treated_dropped")
EFFECT_COLUMNS = (
    "outcome",
    *EFFECT_COUNTS,
    "strata",
    "treated_rate",
    "comparison_rate",
    "difference",
    "ci_low",
    "ci_high",
    "ci_low_adjusted",
    "ci_high_adjusted",
    "naive_treated_rate",
    "naive_comparison_rate",
    "naive_difference",
    "naive_ci_low",
    "naive_ci_high",
    "max_abs_smd_after",
    "worst_covariate",
    "verdict",
)
DIFFERENCES = (
    "difference",
    "ci_low",
    "ci_high",
    "ci_low_adjusted",
    "ci_high_adjusted",
    "naive_difference",
    "naive_ci_low",
    "naive_ci_high",
)
EFFECTS_TABLE = (
    "outcome",
    "treated_rate",
    "comparison_rate",
    *DIFFERENCES,
    "naive_treated_rate",
    "naive_comparison_rate",
    "max_abs_smd_after",
    "verdict",
)
EFFECTS_PERCENT = ("treated_rate", "comparison_rate", "naive_treated_rate", "naive_comparison_rate", *DIFFERENCES)
BALANCE_TABLE = (
    "covariate",
    "level",
    "treated_before",
    "comparison_before",
    "smd_before",
    "treated_after",
    "comparison_after",
    "smd_after",
)
_EVENTS = ("treated_events", "comparison_events", "naive_treated_events", "naive_comparison_events")


def _hide_with(df: pl.DataFrame, cols: tuple[str, ...], sources: tuple[str, ...]) -> pl.DataFrame:
    """Secondary suppression: hide ``cols`` (note ``c``) wherever any of the ``sources`` is hidden, because a
    difference and one shown rate would give the hidden rate back."""
    note = disclosure.NOTE_SUFFIX
    hidden = pl.any_horizontal(pl.col(s + note).is_not_null() for s in sources)
    return df.with_columns(
        *(pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c) for c in cols),
        *(
            pl.when(hidden & pl.col(c + note).is_null())
            .then(pl.lit(disclosure.SUPPRESSED))
            .otherwise(pl.col(c + note))
            .alias(c + note)
            for c in cols
        ),
    )


def protected(ev: Evaluation, threshold: int, rounding: disclosure.Protection | None = None) -> dict[str, pl.DataFrame]:
    """The figures the page and the CLI show, through :func:`disclosure.protect` (or, with ``rounding``, the
    publication view's :func:`disclosure.rounded`: sizes rounded, every figure hidden by the same rule; the weighted
    rates and differences are estimates, kept as computed where shown).

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
        **{
            c: ("treated_events", "n_treated_matched")
            for c in ("difference", "ci_low", "ci_high", "ci_low_adjusted", "ci_high_adjusted")
        },
        **{c: ("naive_treated_events", "n_treated") for c in ("naive_difference", "naive_ci_low", "naive_ci_high")},
        "max_abs_smd_after": "n_treated_matched",
    }
    effects = _protect(ev.effects.select(*EFFECT_COLUMNS, *_EVENTS), EFFECT_COUNTS, eff_rates, threshold, rounding)
    effects = _hide_with(
        effects,
        ("difference", "ci_low", "ci_high", "ci_low_adjusted", "ci_high_adjusted", "max_abs_smd_after"),
        ("comparison_rate",),
    )
    effects = _hide_with(effects, ("naive_difference", "naive_ci_low", "naive_ci_high"), ("naive_comparison_rate",))
    bal_rates = {
        "treated_before": ("k_treated_before", "n_treated"),
        "comparison_before": ("k_comparison_before", "n_comparison"),
        "treated_after": ("k_treated_after", "n_treated_matched"),
        "comparison_after": ("k_comparison_after", "n_comparison_matched"),
        "smd_before": "n_treated",
        "smd_after": "n_treated_matched",
    }
    bal = _protect(ev.balance.join(sizes, on="outcome", how="left"), (), bal_rates, threshold, rounding)
    bal = _hide_with(bal, ("smd_before",), ("treated_before", "comparison_before"))
    bal = _hide_with(bal, ("smd_after",), ("treated_after", "comparison_after"))
    return {
        "effects": effects.drop(*_EVENTS),
        "balance": bal.drop(*(f"k_{k}" for k in _BALANCE_VALUES), "z_after", *sizes.columns[1:]),
    }


def _protect(
    df: pl.DataFrame, counts: tuple[str, ...], rates: Mapping, threshold: int, rounding: disclosure.Protection | None
) -> pl.DataFrame:
    if rounding is not None:  # the unweighted (naive) rates are plain shares: worked out from rounded counts
        return disclosure.rounded(df, counts, rates, rounding, shares=("naive_treated_rate", "naive_comparison_rate"))
    return disclosure.protect(df, counts=counts, rates=rates, threshold=threshold)


def _pp(value: float | None) -> str:
    return "c" if value is None else f"{value * 100:+.1f}"


def _per_100(value: float | None) -> str:
    """A difference as a whole number of children (or episodes) per 100, without its sign."""
    return "c" if value is None else f"{abs(value) * 100:.0f}"


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
        per100=_per_100(row["difference"]),
        low100="c" if row["ci_low"] is None else f"{row['ci_low'] * 100:+.0f}",
        high100="c" if row["ci_high"] is None else f"{row['ci_high'] * 100:+.0f}",
        direction=t(f"outcomes.direction.{row['outcome']}.{'up' if (row['difference'] or 0) >= 0 else 'down'}", lang),
        low=_pp(row["ci_low"]),
        high=_pp(row["ci_high"]),
        min_t=int(thresholds["min_treated"]),
        min_c=int(thresholds["min_comparison"]),
        worst=t(f"outcomes.covariate.{row['worst_covariate']}", lang).lower() if row.get("worst_covariate") else "",
        smd=f"{thresholds['max_abs_smd']:g}",
        smd_unmatched=f"{thresholds['max_abs_smd_unmatched']:g}",
    )


def figures(tables: Mapping[str, pl.DataFrame], filters: Filters, as_of: date) -> Evaluation:
    """:func:`evaluate` on :func:`selection_frame`: what the Outcomes page and ``python -m resettlement evaluate``
    show for a selection, before protection (the registry of published tables protects it)."""
    return evaluate(selection_frame(tables, filters, as_of), thresholds=thresholds())


def report(figures: Mapping[str, pl.DataFrame], threshold: int, lang: str = "en") -> dict:
    """The published evaluation tables (``effects`` and ``balance``) as JSON-ready records, with each outcome's
    plain-language verdict."""
    effects = disclosure.to_records(figures["effects"])
    th = thresholds()
    verdicts = [
        {"outcome": row["outcome"], "verdict": row["verdict"], "text": verdict_text(row, lang, threshold, th)}
        for row in figures["effects"].iter_rows(named=True)
    ]
    return {
        "thresholds": th,
        "effects": effects,
        "balance": disclosure.to_records(figures["balance"]),
        "verdicts": verdicts,
    }


def effects_long(effects: pl.DataFrame) -> pl.DataFrame:
    """Protected effects as one row per outcome and comparison (``matched`` / ``naive``): ``difference``,
    ``ci_low``, ``ci_high`` (for the dot-and-whisker chart)."""
    cols = ("difference", "ci_low", "ci_high")
    # An all-empty column is typed Null, not Float64; cast so the two halves always stack.
    naive = effects.select(
        "outcome", pl.lit("naive").alias("comparison"), *(pl.col(f"naive_{c}").cast(pl.Float64).alias(c) for c in cols)
    )
    matched = effects.select(
        "outcome", pl.lit("matched").alias("comparison"), *(pl.col(c).cast(pl.Float64) for c in cols)
    )
    return pl.concat([matched, naive])


def level_label(covariate: str, level: str, lang: str) -> str:
    """Display label of a covariate level (enumerations in the chosen language, police areas by name)."""
    if level == NOT_RECORDED or level == "mean":
        return t(f"outcomes.level.{level}", lang)
    if level == "yes":
        return t("outcomes.level.yes", lang)
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
        pl.Series(
            "level", [level_label(c, v, lang) for c, v in zip(b["covariate"], b["level"], strict=True)], dtype=pl.String
        ),
        pl.Series("covariate", [t(f"outcomes.covariate.{c}", lang) for c in b["covariate"]], dtype=pl.String),
        *(pl.when(share).then(pl.col(c) * 100).otherwise(pl.col(c)).alias(c) for c in values),
    )

"""The presentation boundary: the evaluation's figures through disclosure control, its verdicts in plain language,
and the tables and labels the Outcomes page, the CLI and the registry of published tables show."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from resettlement import disclosure, geography
from resettlement.evaluation.balancing import BALANCE_VALUES
from resettlement.evaluation.design import NOT_RECORDED, THRESHOLDS, thresholds
from resettlement.evaluation.verdicts import Evaluation
from resettlement.i18n import t

EFFECT_COUNTS = ("n_treated", "n_comparison", "n_treated_matched", "n_comparison_matched", "treated_dropped")
MATCHED_DIFFERENCES = ("difference", "ci_low", "ci_high", "ci_low_adjusted", "ci_high_adjusted")
NAIVE_DIFFERENCES = ("naive_difference", "naive_ci_low", "naive_ci_high")
DIFFERENCES = (*MATCHED_DIFFERENCES, *NAIVE_DIFFERENCES)
EFFECT_COLUMNS = (
    "outcome",
    *EFFECT_COUNTS,
    "strata",
    "treated_rate",
    "comparison_rate",
    *MATCHED_DIFFERENCES,
    "naive_treated_rate",
    "naive_comparison_rate",
    *NAIVE_DIFFERENCES,
    "max_abs_smd_after",
    "worst_covariate",
    "verdict",
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
        **{c: ("treated_events", "n_treated_matched") for c in MATCHED_DIFFERENCES},
        **{c: ("naive_treated_events", "n_treated") for c in NAIVE_DIFFERENCES},
        "max_abs_smd_after": "n_treated_matched",
    }
    effects = _protect(ev.effects.select(*EFFECT_COLUMNS, *_EVENTS), EFFECT_COUNTS, eff_rates, threshold, rounding)
    effects = _hide_with(effects, (*MATCHED_DIFFERENCES, "max_abs_smd_after"), ("comparison_rate",))
    effects = _hide_with(effects, NAIVE_DIFFERENCES, ("naive_comparison_rate",))
    groups = sizes.columns[1:]  # each balance value's group: treated and comparison, before and after matching
    bal_rates = {
        **{v: (f"k_{v}", n) for v, n in zip(BALANCE_VALUES, groups, strict=True)},
        "smd_before": "n_treated",
        "smd_after": "n_treated_matched",
    }
    bal = _protect(ev.balance.join(sizes, on="outcome", how="left"), (), bal_rates, threshold, rounding)
    bal = _hide_with(bal, ("smd_before",), ("treated_before", "comparison_before"))
    bal = _hide_with(bal, ("smd_after",), ("treated_after", "comparison_after"))
    return {
        "effects": effects.drop(*_EVENTS),
        "balance": bal.drop(*(f"k_{k}" for k in BALANCE_VALUES), "z_after", *groups),
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

"""The verdict per outcome, and :func:`evaluate`, which matches, estimates and checks balance for each outcome."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import polars as pl

from resettlement.evaluation.balancing import balance, worst
from resettlement.evaluation.design import BETTER, OUTCOMES, THRESHOLDS, thresholds
from resettlement.evaluation.estimates import estimate
from resettlement.evaluation.frame import selection_frame
from resettlement.evaluation.matching import match
from resettlement.filters import Filters
from resettlement.tables import Tables


def verdict(est: dict, bal: pl.DataFrame, outcome: str, thresholds: Mapping[str, float] = THRESHOLDS) -> str:
    """``too_small``, ``poor_balance``, ``better``, ``worse`` or ``no_difference`` (interval includes zero)."""
    if (
        est["n_treated_matched"] < thresholds["min_treated"]
        or est["n_comparison_matched"] < thresholds["min_comparison"]
        or est["ci_low"] is None
    ):
        return "too_small"
    if worst(bal, thresholds)[0]:
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
            worst_covariate=worst(bal, thresholds)[1],
            verdict=verdict(est, bal, outcome, thresholds),
        )
        effects.append({"outcome": outcome, **est})
        balances.append(bal.select(pl.lit(outcome).alias("outcome"), pl.all()))
    return Evaluation(pl.DataFrame(effects, infer_schema_length=None), pl.concat(balances))


def figures(tables: Tables, filters: Filters, as_of: date) -> Evaluation:
    """:func:`evaluate` on :func:`selection_frame`: what the Outcomes page and ``python -m resettlement evaluate``
    show for a selection, before protection (the registry of published tables protects it)."""
    return evaluate(selection_frame(tables, filters, as_of), thresholds=thresholds())

"""The evaluation's design: the covariates matched on and checked, the outcomes, and the thresholds a verdict needs.

The method is described in :mod:`resettlement.evaluation`; these are its declared choices, in one place so the
Definitions page, the verdict and the tests read the same numbers.
"""

from __future__ import annotations

from resettlement import settings
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

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

The package, one job a module: :mod:`~resettlement.evaluation.design` (covariates, outcomes, thresholds),
:mod:`~resettlement.evaluation.frame` (the analysis frame), :mod:`~resettlement.evaluation.matching` (strata and
weights), :mod:`~resettlement.evaluation.estimates` (the effect and its interval),
:mod:`~resettlement.evaluation.balancing` (balance and its check), :mod:`~resettlement.evaluation.verdicts` (the
verdict per outcome) and :mod:`~resettlement.evaluation.presentation` (disclosure control, words and tables).
"""

from resettlement.evaluation.balancing import balance, flagged
from resettlement.evaluation.design import (
    BETTER,
    CONTINUOUS,
    COVARIATES,
    NEEDS_TOP_BAND,
    NOT_RECORDED,
    OUTCOMES,
    PRIOR_TOP_BAND,
    REFUSALS,
    THRESHOLDS,
    UNMATCHED,
    VERDICTS,
    thresholds,
)
from resettlement.evaluation.estimates import clustered_se, estimate
from resettlement.evaluation.frame import (
    analysis_frame,
    first_reviews,
    prior_episodes,
    reoffending_outcome,
    selection_frame,
    treatment_exprs,
)
from resettlement.evaluation.matching import match
from resettlement.evaluation.presentation import (
    BALANCE_TABLE,
    DIFFERENCES,
    EFFECT_COLUMNS,
    EFFECT_COUNTS,
    EFFECTS_PERCENT,
    EFFECTS_TABLE,
    balance_display,
    effects_long,
    level_label,
    protected,
    report,
    verdict_text,
)
from resettlement.evaluation.verdicts import Evaluation, evaluate, figures, verdict

__all__ = [
    "BALANCE_TABLE",
    "BETTER",
    "CONTINUOUS",
    "COVARIATES",
    "DIFFERENCES",
    "EFFECTS_PERCENT",
    "EFFECTS_TABLE",
    "EFFECT_COLUMNS",
    "EFFECT_COUNTS",
    "NEEDS_TOP_BAND",
    "NOT_RECORDED",
    "OUTCOMES",
    "PRIOR_TOP_BAND",
    "REFUSALS",
    "THRESHOLDS",
    "UNMATCHED",
    "VERDICTS",
    "Evaluation",
    "analysis_frame",
    "balance",
    "balance_display",
    "clustered_se",
    "effects_long",
    "estimate",
    "evaluate",
    "figures",
    "first_reviews",
    "flagged",
    "level_label",
    "match",
    "prior_episodes",
    "protected",
    "reoffending_outcome",
    "report",
    "selection_frame",
    "thresholds",
    "treatment_exprs",
    "verdict",
    "verdict_text",
]

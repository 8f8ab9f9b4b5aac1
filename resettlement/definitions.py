"""Which measure definitions the Definitions page shows, in order.

Each entry is a catalog prefix: the page renders ``<prefix>.title`` as a heading and ``<prefix>.body`` as
Markdown, with the numbers of :func:`params` (the disclosure rule's, the evaluation's thresholds), so the text
follows the settings. A feature adds its own entry here and its strings to its own catalog files.
"""

from __future__ import annotations

from typing import Any

SECTIONS: tuple[str, ...] = (
    "definitions.period_rule",
    "definitions.disclosure",
    "disclosure.definitions",
    "overview.definitions",
    "needs.definitions",
    "gaps.definitions",
    "rrp.definitions",
    "completeness.definitions",
    "outcomes.def_outcomes",
    "outcomes.def_reoffending",
    "outcomes.def_evaluation",
)


def params(protection: Any) -> dict[str, Any]:
    """The numbers the definitions quote, from the settings: the view's disclosure rule
    (``published.text_params``) and the evaluation's thresholds (``min_matched``, ``max_smd``,
    ``max_smd_unmatched``)."""
    from resettlement import evaluation, published

    th = evaluation.thresholds()
    return {
        **published.text_params(protection),
        "min_matched": int(th["min_treated"]),
        "max_smd": f"{th['max_abs_smd']:g}",
        "max_smd_unmatched": f"{th['max_abs_smd_unmatched']:g}",
    }

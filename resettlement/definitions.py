"""Which measure definitions the Definitions page shows, in order.

Each entry is a catalog prefix: the page renders ``<prefix>.title`` as a heading and ``<prefix>.body`` as
Markdown (``{n}`` is the suppression threshold and ``{m}`` = n - 1). A feature adds its own entry here and its
strings to its own catalog files.
"""

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

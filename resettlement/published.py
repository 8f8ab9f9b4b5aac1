"""The registry of published tables: every table a page, the deck, an export or the CLI shows, declared once.

A :class:`Table` names the function that computes it from the tables and plain filter values (its *source*), the
part of the source's result it is, its counts, its rates with their numerators and denominators, the columns that
say what a row is, and (by name) its disclosure relations in :data:`resettlement.disclosure.TABLE_RELATIONS`.
:func:`protect` is the one disclosure boundary: the working view hides small counts and their neighbours (primary
and secondary suppression); the publication view hides counts under the threshold and rounds the rest
(:func:`resettlement.disclosure.rounded`), or, when the setting asks for it, uses suppression as the working view
does. Pages (through ``Context.published``), ``report.build_figures``, the exports and the CLI all call
:func:`frame` or :func:`protect` with the same name and arguments, so they cannot disagree, and the audit
(``resettlement/audit.py``) walks this registry rather than a copy of it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TypedDict

import polars as pl

from resettlement import (
    completeness,
    disclosure,
    evaluation,
    gaps,
    needs,
    outcomes,
    overview,
    profile,
    reoffending,
    rrp,
    settings,
)
from resettlement.readonly import read_only
from resettlement.tables import Tables

if TYPE_CHECKING:
    from resettlement.filters import Filters

Protection = disclosure.Protection


def from_settings(publication: bool = True, key: int = 1, threshold: int | None = None) -> Protection:
    """The view's protection from the settings (threshold unless given, method, base) and the database's rounding
    ``key``: the one way every caller (the shell, the deck, the CLI) builds it."""
    return Protection(
        settings.suppression_threshold() if threshold is None else threshold,
        publication,
        settings.publication_method(),
        settings.rounding_base(),
        key,
    )


@dataclass(frozen=True)
class Table:
    """One published table. ``source(tables, *args)`` returns a frame, or a dict (tuple) holding it under ``part``;
    ``select(frame, *args)`` keeps the rows shown (after protection, so relations to hidden rows still count);
    ``protector(frame, protection, *args)`` replaces the standard protection for tables whose shape needs its own
    (a headline of current and previous figures, data-cell scores, an at-a-glance ranking)."""

    name: str
    source: Callable[..., Any]
    part: str | int | None = None
    counts: tuple[str, ...] = ()
    rates: Mapping[str, str | tuple[str, str]] = field(default_factory=dict)
    shares: tuple[str, ...] = ()  # rates that are numerator ÷ denominator (worked out from rounded counts)
    intervals: Mapping[str, str] = field(default_factory=dict)  # Wilson interval ends: column → "low" / "high"
    labels: tuple[str, ...] = ()
    relations: str | tuple[disclosure.Relation, ...] | None = None  # a name in disclosure.TABLE_RELATIONS (default:
    # the table's name), or the relations themselves when a domain module declares them
    select: Callable[..., pl.DataFrame] | None = None
    drop: tuple[str, ...] = ()
    input: str = "tables"  # "evaluated": the source reads completeness masks (completeness.evaluate) instead
    protector: Callable[..., pl.DataFrame] | None = None

    def relation_list(self) -> tuple[disclosure.Relation, ...]:
        if isinstance(self.relations, tuple):
            return self.relations
        return disclosure.TABLE_RELATIONS.get(self.relations or self.name, ())


def protect(spec: Table, raw: Any, protection: Protection, *args: Any) -> pl.DataFrame | None:
    """The table ``spec`` from its source's result ``raw``, protected for ``protection``'s view: the one
    disclosure boundary of every published figure (``None`` when the source has no such part for these
    arguments, e.g. release reviews with no secure cohort chosen)."""
    frame = raw[spec.part] if spec.part is not None else raw
    if frame is None:
        return None
    columns = frame.columns if isinstance(frame, pl.DataFrame) else ()
    counts = [c for c in spec.counts if c in columns]
    rates = {c: r for c, r in spec.rates.items() if c in columns}
    relations = () if protection.rounds else spec.relation_list()
    if spec.protector is not None:
        out = spec.protector(frame, protection, *args)
        out = disclosure.secondary(out, relations, protection.threshold, rates) if relations else out
    elif protection.rounds:
        out = disclosure.rounded(frame, counts, rates, protection, spec.shares, spec.intervals)
    else:
        out = disclosure.protect(frame, counts, rates, protection.threshold, relations=relations)
    if spec.select is not None:
        out = spec.select(out, *args)
    return out.drop([c for c in spec.drop if c in out.columns])


def text_params(protection: Protection) -> dict[str, int]:
    """The numbers the disclosure texts of the catalogs quote: ``n`` the threshold, ``m`` = n − 1, ``base`` the
    rounding base, and an example: the smallest shown count ``eg`` stands for anything from ``lo`` to ``hi``."""
    n, base = protection.threshold, protection.base
    eg = (n // base + 1) * base
    lo, hi = disclosure.rounded_interval(eg, n, base)
    return {"n": n, "m": n - 1, "base": base, "eg": eg, "lo": int(lo), "hi": int(hi)}


def rule_texts(protection: Protection, lang: str) -> list[str]:
    """The view's protection rule in words, for an export's About sheet and the deck's last slide."""
    from resettlement.i18n import t

    params = text_params(protection)
    if protection.rounds:
        return [t("disclosure.export.rounding_text", lang, **params)]
    return [t("disclosure.export.rule_text", lang, **params), t("disclosure.export.secondary_text", lang)]


class Inputs:
    """The tables, their completeness masks (worked out only when a table needs them) and the results of the sources
    already computed, so the tables made from one source share it, read-only (for callers outside the app: the deck,
    the CLI, the audit and tests; the app caches both per scope)."""

    def __init__(self, tables: Mapping[str, pl.DataFrame]) -> None:
        self.tables = Tables.of(tables)
        self._evaluated: completeness.Evaluated | None = None
        self._results: dict[tuple, Any] = {}

    def of(self, spec: Table) -> Any:
        if spec.input == "evaluated":
            if self._evaluated is None:
                self._evaluated = read_only(completeness.evaluate(self.tables))
            return self._evaluated
        return self.tables

    def source(self, spec: Table, args: tuple) -> Any:
        """``spec.source`` on these inputs and ``args``, computed once."""
        key = (spec.source, args)
        if key not in self._results:
            self._results[key] = read_only(spec.source(self.of(spec), *args))
        return self._results[key]


def frame(
    inputs: Inputs | Mapping[str, pl.DataFrame], name: str, protection: Protection, *args: Any
) -> pl.DataFrame | None:
    """Published table ``name`` for ``args`` (plain values, as its source takes them), protected (``None`` when
    the source has no such part for these arguments, as :func:`protect`)."""
    spec = REGISTRY[name]
    inputs = inputs if isinstance(inputs, Inputs) else Inputs(inputs)
    return protect(spec, inputs.source(spec, args), protection, *args)


def required_frame(
    inputs: Inputs | Mapping[str, pl.DataFrame], name: str, protection: Protection, *args: Any
) -> pl.DataFrame:
    """:func:`frame` for a table its caller always shows: an error, not ``None``, when the source has no such
    part for these arguments."""
    out = frame(inputs, name, protection, *args)
    if out is None:
        raise ValueError(f"published table {name!r} has no frame for arguments {args!r}")
    return out


def page_calls(tables: Tables, f: Filters, as_of: date) -> list[tuple[str, tuple]]:
    """Every registered table with the arguments the pages pass it for filters ``f`` (each choice a page offers:
    every level of the Service gaps map and the profile, every breakdown, the first pathways' trends, the RRPs of
    the area): what the audit and the tests walk, so they check what users see."""
    from resettlement.period import DATA_START, quarters_between, trend_quarters
    from resettlement.standard import AGENCY_TYPES, PATHWAYS, SECURE_COHORTS

    quarters = trend_quarters(as_of)
    th = completeness.Thresholds.from_settings()
    level, code = (f.area.level, f.area.code) if f.area.level != "wales" else ("la", "W06000015")
    calls = [
        ("overview.headline", (f, as_of)),
        ("overview.trend", (f, quarters)),
        ("overview.cohorts", (f, quarters)),
        ("needs.compare", (f,)),
        ("needs.funnel", (f,)),
        ("needs.per_case", (f,)),
        *(("needs.breakdown", (f, by)) for by in needs.BREAKDOWNS),
        *(("needs.trend", (f, quarters, p)) for p in PATHWAYS[:3]),
        *(("gaps.areas", (f, lv, p)) for lv in gaps.LEVELS for p in ("all", "accommodation", "health")),
        ("gaps.compare", (f, level, code, "all")),
        ("gaps.reasons", (f, level, code, "all")),
        ("gaps.trend", (f, level, code, "all", quarters)),
        *((f"completeness.{by}", (f, by, quarters, th)) for by in completeness.BY),
        *(
            (f"outcomes.{part}", (f, as_of, quarters))
            for part in ("headline", "summary", "days", "reoffending", "cohorts")
        ),
        *((f"evaluation.{part}", (f, as_of)) for part in ("effects", "balance")),
        *(("profile.areas", (f, lv, as_of)) for lv in profile.LEVELS),
        *((f"profile.{part}", (f, level, code, as_of)) for part in ("gaps", "worst", "rrp_headline", "outcomes")),
    ]
    ids = tuple(rrp.rrps_for_area(tables["rrps"], f.area)["rrp_id"].to_list())
    if ids:
        secure = tuple(c for c in f.cohorts if c in SECURE_COHORTS)
        whole = f.area.level == "wales"
        period = tuple(rrp.period_quarters(quarters_between(DATA_START, as_of), f.start_q, f.end_q))
        calls += [
            (f"rrp.{part}", (f, ids, secure, whole))
            for part in ("headline", "release", "first_review", "first_review_bins", "referral")
        ]
        calls += [(f"rrp.{part}", (f, ids, period, as_of)) for part in ("meetings", "summary", "actions", "attendance")]
        calls += [("rrp.attendance_trend", (f, ids, period, a, whole)) for a in ("all", AGENCY_TYPES[0])]
    return calls


# ------------------------------------------------------------------------------------------------ row selections


def _series_shown(df: pl.DataFrame, f: Any, *_: Any) -> pl.DataFrame:
    """The area's rows, and the comparator's unless the area is Wales (then the two would be the same)."""
    return df if f.area.level != "wales" else df.filter(pl.col("series") == "area")


def _chosen_cohorts(df: pl.DataFrame, f: Any, *_: Any) -> pl.DataFrame:
    return df.filter(pl.col("cohort").is_in(list(f.cohorts)))


def _rounding(protection: Protection) -> Protection | None:
    return protection if protection.rounds else None


def _headline(df: pl.DataFrame, protection: Protection, *_: Any) -> pl.DataFrame:
    return overview.protect_headline(df, protection.threshold, _rounding(protection))


def _scores(df: pl.DataFrame, protection: Protection, *_: Any) -> pl.DataFrame:
    return completeness.protected(df, protection.threshold, _rounding(protection))


def _areas(df: pl.DataFrame, protection: Protection, *_: Any) -> pl.DataFrame:
    return profile.protect(df, protection.threshold, _rounding(protection))


def _reoffending(df: pl.DataFrame, protection: Protection, *_: Any) -> pl.DataFrame:
    """Primary protection here; the table's relations follow in :func:`protect` (working view)."""
    return reoffending.protect(df, protection.threshold, publication=False, rounding=_rounding(protection))


def _effects(ev: evaluation.Evaluation, protection: Protection, *_: Any) -> pl.DataFrame:
    return evaluation.protected(ev, protection.threshold, _rounding(protection))["effects"]


def _balance(ev: evaluation.Evaluation, protection: Protection, *_: Any) -> pl.DataFrame:
    return evaluation.protected(ev, protection.threshold, _rounding(protection))["balance"]


# ------------------------------------------------------------------------------------------------------- tables


class _Measures(TypedDict):
    """A table's counts, rates and the rates that are shares: keyword arguments of :class:`Table` that several
    tables share (a TypedDict, so ``Table(..., **shared)`` is type-checked)."""

    counts: tuple[str, ...]
    rates: Mapping[str, str | tuple[str, str]]
    shares: tuple[str, ...]


class _Outcome(_Measures):
    intervals: Mapping[str, str]
    drop: tuple[str, ...]
    labels: tuple[str, ...]
    relations: str


class _Reoffending(_Measures):
    intervals: Mapping[str, str]
    protector: Callable[..., pl.DataFrame]


_GAPS: _Measures = {"counts": gaps.COUNTS, "rates": gaps.RATES, "shares": tuple(gaps.RATES)}
_FUNNEL: _Measures = {
    "counts": needs.FUNNEL_COUNTS,
    "rates": needs.FUNNEL_RATES,
    "shares": tuple(needs.FUNNEL_RATES),
}
_ACTIVITY: _Measures = {
    "counts": rrp.ACTIVITY_COUNTS,
    "rates": rrp.ACTIVITY_RATES,
    "shares": tuple(rrp.ACTIVITY_RATES),
}
_WILSON = {"ci_low": "low", "ci_high": "high"}
_OUTCOME: _Outcome = {
    "counts": outcomes.HEADLINE_COUNTS,
    "rates": outcomes.HEADLINE_RATES,
    "shares": ("rate",),
    "intervals": _WILSON,
    "drop": ("numerator",),
    "labels": ("group", "measure"),
    "relations": "outcomes.headline",
}
_REOFFENDING: _Reoffending = {
    "counts": reoffending.COUNTS,
    "rates": reoffending.RATES,
    "shares": reoffending.SHARES,
    "intervals": reoffending.INTERVALS,
    "protector": _reoffending,
}

TABLES: tuple[Table, ...] = (
    # Overview (pages/overview.py; the deck's headline and trend slides)
    Table("overview.headline", overview.headline, labels=("metric",), protector=_headline),
    Table(
        "overview.trend", overview.trends, 0, counts=("episodes",), labels=("series", "quarter"), select=_series_shown
    ),
    Table(
        "overview.cohorts",
        overview.trends,
        1,
        counts=("episodes", "children"),
        labels=("cohort", "quarter"),
        select=_chosen_cohorts,
    ),
    # Pathway needs (pages/pathway_needs.py; the deck's needs slide)
    Table("needs.compare", needs.figures, "compare", labels=("series", "pathway"), select=_series_shown, **_FUNNEL),
    Table("needs.funnel", needs.figures, "funnel", labels=("pathway",), **_FUNNEL),
    Table("needs.breakdown", needs.breakdown, labels=("pathway",), **_FUNNEL),
    Table("needs.trend", needs.trend_of, labels=("series", "quarter"), select=_series_shown, **_FUNNEL),
    Table(
        "needs.per_case",
        needs.figures,
        "per_case",
        counts=("episodes", "total"),
        rates={"share": ("episodes", "total")},
        shares=("share",),
        labels=("series", "pathways"),
        select=_series_shown,
    ),
    # Service gaps (pages/service_gaps.py; the deck's gaps, map and map-table slides; the `gaps` CLI)
    Table("gaps.areas", gaps.map_of, labels=("area_code", "pathway"), **_GAPS),
    Table("gaps.compare", gaps.area_figures, "side", labels=("series", "pathway"), select=_series_shown, **_GAPS),
    Table(
        "gaps.reasons",
        gaps.area_figures,
        "reasons",
        counts=("unmet", "total"),
        rates={"share": ("unmet", "total")},
        shares=("share",),
        labels=("series", "gap_reason"),
    ),
    Table("gaps.trend", gaps.trend_of, labels=("series", "quarter"), **_GAPS),
    # Data completeness (pages/data_completeness.py; the deck's completeness slide; the `completeness` CLI)
    *(
        Table(
            f"completeness.{by}",
            completeness.view,
            input="evaluated",
            protector=_scores,
            counts=("episodes",),
            labels=("series", "area_code", "quarter", "table", "field", "rule"),
        )
        for by in completeness.BY
    ),
    # Outcomes (pages/outcomes.py; the deck's outcomes slide)
    Table("outcomes.headline", outcomes.figures, "headline", **_OUTCOME),
    Table(
        "outcomes.summary",
        outcomes.figures,
        "confirmation",
        counts=outcomes.CONFIRMATION_COUNTS,
        rates=outcomes.CONFIRMATION_RATES,
        shares=("late_rate",),
        intervals=_WILSON,
    ),
    Table(
        "outcomes.days",
        outcomes.figures,
        "days",
        counts=outcomes.DAYS_COUNTS,
        rates=outcomes.DAYS_RATES,
        shares=("share",),
        labels=("bin",),
    ),
    Table(
        "outcomes.reoffending",
        outcomes.figures,
        "reoffending",
        labels=("measure",),
        relations=reoffending.RELATIONS,
        **_REOFFENDING,
    ),
    Table(
        "outcomes.cohorts",
        outcomes.figures,
        "by_cohort",
        labels=("group", "quarter"),
        relations=reoffending.COHORT_RELATIONS,
        **_REOFFENDING,
    ),
    Table(
        "evaluation.effects",
        evaluation.figures,
        counts=evaluation.EFFECT_COUNTS,
        labels=("outcome",),
        protector=_effects,
    ),
    Table("evaluation.balance", evaluation.figures, labels=("outcome", "covariate", "level"), protector=_balance),
    # RRP activity (pages/rrp_activity.py; the deck's RRP slide)
    Table(
        "rrp.headline",
        rrp.case_figures,
        "headline",
        counts=rrp.HEADLINE_COUNTS,
        rates=rrp.HEADLINE_RATES,
        shares=("completion_rate", "reviewed_before_rate"),
    ),
    Table(
        "rrp.release",
        rrp.case_figures,
        "release",
        counts=rrp.RELEASE_COUNTS,
        rates=rrp.RELEASE_RATES,
        shares=tuple(rrp.RELEASE_RATES),
        labels=("series", "cohort"),
    ),
    Table(
        "rrp.first_review",
        rrp.case_figures,
        "first",
        counts=rrp.FIRST_REVIEW_COUNTS,
        rates=rrp.FIRST_REVIEW_RATES,
        labels=("series", "cohort"),
    ),
    Table("rrp.first_review_bins", rrp.case_figures, "bins", counts=("episodes",), labels=("bin", "cohort")),
    Table(
        "rrp.referral",
        rrp.case_figures,
        "referral",
        counts=rrp.REFERRAL_COUNTS,
        rates=rrp.REFERRAL_RATES,
        shares=tuple(rrp.REFERRAL_RATES),
        labels=("series", "cohort"),
    ),
    Table(
        "rrp.meetings", rrp.activity_figures, "per_quarter", counts=("cases_reviewed",), labels=("rrp_id", "quarter")
    ),
    Table("rrp.summary", rrp.activity_figures, "summary", labels=("rrp_id",), relations="rrp.activity", **_ACTIVITY),
    Table("rrp.actions", rrp.activity_figures, "actions", labels=("quarter",), relations="rrp.activity", **_ACTIVITY),
    Table(
        "rrp.attendance",
        rrp.activity_figures,
        "attendance",
        rates=rrp.ATTENDANCE_RATES,
        labels=("agency_type", "rrp_id"),
    ),
    Table("rrp.attendance_trend", rrp.attendance_trend_of, rates=rrp.ATTENDANCE_RATES, labels=("series", "quarter")),
    # Area profile (pages/area_profile.py and its printable page)
    Table("profile.areas", profile.areas, labels=("area_code",), protector=_areas, counts=profile.COUNTS),
    Table("profile.gaps", profile.sections, "gaps", labels=("series", "pathway"), relations="gaps.compare", **_GAPS),
    Table(
        "profile.worst",
        profile.sections,
        "worst_fields",
        counts=("cells_applicable", "cells_missing"),
        rates={"completeness": ("cells_missing", "cells_applicable")},
        labels=("table", "field"),
    ),
    Table(
        "profile.rrp_headline",
        profile.sections,
        "rrp_headline",
        counts=rrp.HEADLINE_COUNTS,
        rates=rrp.HEADLINE_RATES,
        shares=("completion_rate", "reviewed_before_rate"),
    ),
    Table("profile.outcomes", profile.sections, "outcomes", **_OUTCOME),
)

REGISTRY: dict[str, Table] = {t.name: t for t in TABLES}

"""Disclosure audit: can a hidden count be worked out from what the app publishes?

An attacker knows every published cell and the sums that tie cells together: an area is the sum of the authorities
in it, a period the sum of its quarters, all cohorts the sum of the cohorts. Each published cell is known exactly; a
hidden one (``c``) is only known to be 0 or more (secondary suppression may hide any value). :func:`bounds`
narrows every cell's interval through those sums until nothing changes (interval constraint propagation: for a
total ``T = p1 + … + pk``, each ``pi`` lies in ``[lo(T) − Σ hi(others), hi(T) − Σ lo(others)]``, and ``T`` in
``[Σ lo, Σ hi]``). A hidden cell whose interval closes on one value from 1 to threshold − 1 is *recovered*: the
protection failed there. A published count from 1 to threshold − 1 is a failure too.

:func:`gaps_audit` applies it to the Service gaps figures as ``python -m resettlement gaps`` publishes them (every
area at every level, the period, its quarters and the period less its first quarter, each cohort and all cohorts).
It is the first family of published tables the audit walks; the others follow as they join the registry of
published tables (issue 15).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import polars as pl

from resettlement import disclosure, gaps, geography
from resettlement.filters import Filters, quarters_between

Key = tuple  # a published cell: (table view, area level, area code, column)
Interval = tuple[float, float]


@dataclass(frozen=True)
class Sum:
    """A published total and the published parts that add up to it."""

    total: Key
    parts: tuple[Key, ...]


def bounds(known: Mapping[Key, float | None], sums: Iterable[Sum], rounds: int = 50) -> dict[Key, Interval]:
    """Each cell's interval after propagating ``sums``: ``known`` maps a cell to its published value, or ``None``
    when it is hidden (then it starts as [0, ∞))."""
    box: dict[Key, Interval] = {k: (0.0, math.inf) if v is None else (float(v), float(v)) for k, v in known.items()}
    sums = [s for s in sums if s.total in box and all(p in box for p in s.parts)]
    for _ in range(rounds):
        changed = False
        for s in sums:
            lo_sum = sum(box[p][0] for p in s.parts)
            hi_sum = sum(box[p][1] for p in s.parts)
            changed |= _narrow(box, s.total, lo_sum, hi_sum)
            t_lo, t_hi = box[s.total]
            for p in s.parts:
                lo, hi = box[p]
                changed |= _narrow(box, p, t_lo - (hi_sum - hi), t_hi - (lo_sum - lo))
        if not changed:
            break
    return box


def _narrow(box: dict[Key, Interval], key: Key, lo: float, hi: float) -> bool:
    old_lo, old_hi = box[key]
    new = (max(old_lo, lo), min(old_hi, hi))
    if new == box[key] or math.isnan(new[0]) or math.isnan(new[1]):
        return False
    box[key] = new
    return True


def findings(known: Mapping[Key, float | None], sums: Iterable[Sum], threshold: int) -> list[dict]:
    """Published counts from 1 to ``threshold`` − 1, and hidden counts recovered exactly in that range."""
    out = [{"kind": "small_published", "cell": list(k), "value": v} for k, v in known.items()
           if v is not None and 1 <= v <= threshold - 1]
    for key, (lo, hi) in bounds(known, sums).items():
        if known[key] is None and lo == hi and 1 <= lo <= threshold - 1:
            out.append({"kind": "recovered", "cell": list(key), "value": int(lo)})
    return out


# ---- Service gaps: every level, the period and its parts, each cohort ---------------------------------------------


def _cells(view: str, table: pl.DataFrame, level: str) -> dict[Key, float | None]:
    """The count cells of one published map table (already protected) by (view, level, area, column)."""
    out: dict[Key, float | None] = {}
    for row in table.iter_rows(named=True):
        for col in gaps.COUNTS:
            out[(view, level, row["area_code"], col)] = row[col]
    return out


def _level_sums(view: str, f: Filters) -> list[Sum]:
    """Authorities add up to their police force area and, while the services did not change in the period, to their
    service."""
    out: list[Sum] = []
    maps = {"police_area": geography.la_to_area("police_area", f.end)}
    by_service = [geography.la_to_area("service", day) for day in (f.start, f.end)]
    if by_service[0] == by_service[1]:
        maps["service"] = by_service[0]
    for level, mapping in maps.items():
        for parent in sorted(set(mapping.values())):
            children = tuple(la for la, p in mapping.items() if p == parent)
            for col in gaps.COUNTS:
                out.append(Sum((view, level, parent, col), tuple((view, "la", la, col) for la in children)))
    return out


def gaps_views(f: Filters, as_of_quarters: Sequence[str]) -> dict[str, Filters]:
    """The views a user can open around ``f``: the period, each of its quarters, the period less its first quarter,
    and each cohort alone."""
    period = [q for q in as_of_quarters if f.start_q <= q <= f.end_q]
    views = {"period": f}
    views.update({f"quarter:{q}": replace(f, start_q=q, end_q=q) for q in period})
    if len(period) > 1:
        views["rest"] = replace(f, start_q=period[1])
    views.update({f"cohort:{c}": replace(f, cohorts=(c,)) for c in f.cohorts} if len(f.cohorts) > 1 else {})
    return views


def gaps_audit(tables: Mapping[str, pl.DataFrame], f: Filters, as_of, threshold: int, publication: bool,
               pathway: str = "all") -> list[dict]:
    """Findings over the Service gaps map tables of every level and every view of :func:`gaps_views`."""
    views = gaps_views(f, quarters_between(f.start, as_of))
    relations = disclosure.relations("gaps.areas", publication)
    known: dict[Key, float | None] = {}
    sums: list[Sum] = []
    for name, view in views.items():
        for level in gaps.LEVELS:
            table = gaps.map_table(tables["cases"], tables["needs"], view, level, pathway, threshold)
            if relations:
                table = disclosure.secondary(table, relations, threshold, rates=gaps.RATES)
            known.update(_cells(name, table, level))
        sums += _level_sums(name, view)
    sums += _period_sums(views) + _cohort_sums(views, f)
    return findings(known, sums, threshold)


def _period_sums(views: Mapping[str, Filters]) -> list[Sum]:
    """The period is the sum of its quarters, and of its first quarter and the rest."""
    quarters = [n for n in views if n.startswith("quarter:")]
    out = []
    for level in gaps.LEVELS:
        for code in geography.area_codes(level):
            for col in gaps.COUNTS:
                whole = ("period", level, code, col)
                out.append(Sum(whole, tuple((q, level, code, col) for q in quarters)))
                if "rest" in views:
                    out.append(Sum(whole, ((quarters[0], level, code, col), ("rest", level, code, col))))
    return out


def _cohort_sums(views: Mapping[str, Filters], f: Filters) -> list[Sum]:
    names = [f"cohort:{c}" for c in f.cohorts if f"cohort:{c}" in views]
    if not names:
        return []
    return [Sum(("period", level, code, col), tuple((n, level, code, col) for n in names))
            for level in gaps.LEVELS for code in geography.area_codes(level) for col in gaps.COUNTS]

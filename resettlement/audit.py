"""Disclosure audit: can a hidden count be worked out from what the app publishes?

An attacker knows every published cell and the sums that tie cells together: an area is the sum of the authorities
in it, a period the sum of its quarters, all cohorts the sum of the cohorts. Each published cell is known exactly; a
hidden one (``c``) is only known to be 0 or more (secondary suppression may hide any value). :func:`bounds`
narrows every cell's interval through those sums until nothing changes (interval constraint propagation: for a
total ``T = p1 + … + pk``, each ``pi`` lies in ``[lo(T) − Σ hi(others), hi(T) − Σ lo(others)]``, and ``T`` in
``[Σ lo, Σ hi]``). A hidden cell whose interval closes on one value from 1 to threshold − 1 is *recovered*: the
protection failed there. A published count from 1 to threshold − 1 is a failure too.

In the publication view a shown count ``r`` is rounded, so it is only known to lie in ``[r − base/2, r + base/2]``
(and at least the threshold), and a hidden one in ``[0, threshold − 1]``; a count recovered exactly from those is a
finding too.

:func:`run` walks the registry of published tables (:mod:`resettlement.published`), computed exactly as the pages,
the deck and the CLI compute them: the tables by area at every level (Service gaps map, Data completeness areas,
Area profile) and the tables of one area against Wales (Service gaps, Pathway needs, Outcomes, for every authority
and Wales) for the period, each of its quarters, the period less its first quarter and each cohort; and every other
table the pages show, with the pages' arguments, for every authority and Wales over the period. Cells are
keyed by what they count (family, area, view, row labels, column), so the same figure shown by two tables is one
cell, and one shown two ways is a finding of its own (``inconsistent``). Sums tie them together: authorities add up
to their area and to Wales, quarters to the period, cohorts to all cohorts, and a table's own relations
(``disclosure.TABLE_RELATIONS``) within each row.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

import polars as pl

from resettlement import disclosure, geography, published
from resettlement.completeness import Thresholds
from resettlement.filters import Area, Filters
from resettlement.period import quarters_between, trend_quarters

Key = tuple  # a published cell: (family, area token, view, row labels, column)
Interval = tuple[float, float]


@dataclass(frozen=True)
class Sum:
    """A published total and the published parts that add up to it."""

    total: Key
    parts: tuple[Key, ...]


def _start(value: float | Interval | None) -> Interval:
    if value is None:
        return 0.0, math.inf
    if isinstance(value, tuple):
        return float(value[0]), float(value[1])
    return float(value), float(value)


def bounds(known: Mapping[Key, float | Interval | None], sums: Iterable[Sum], rounds: int = 50) -> dict[Key, Interval]:
    """Each cell's interval after propagating ``sums``: ``known`` maps a cell to its published value, an interval
    (a rounded or hidden cell of the publication view), or ``None`` when it is hidden and could be anything (then it
    starts as [0, ∞))."""
    box: dict[Key, Interval] = {k: _start(v) for k, v in known.items()}
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


def findings(known: Mapping[Key, float | Interval | None], sums: Iterable[Sum], threshold: int) -> list[dict]:
    """Published counts from 1 to ``threshold`` − 1, and hidden (or rounded) counts recovered exactly in that
    range."""
    out = [
        {"kind": "small_published", "cell": list(k), "value": v}
        for k, v in known.items()
        if v is not None and not isinstance(v, tuple) and 1 <= v <= threshold - 1
    ]
    for key, (lo, hi) in bounds(known, sums).items():
        exact = known[key] is not None and not isinstance(known[key], tuple)
        if not exact and lo == hi and 1 <= lo <= threshold - 1:
            out.append({"kind": "recovered", "cell": list(key), "value": int(lo)})
    return out


# ---- the registry, walked -----------------------------------------------------------------------------------------

#: Tables showing the same figures share a family, so a figure shown by two of them is one cell.
FAMILY = {
    "gaps.areas": "gaps",
    "gaps.compare": "gaps",
    "profile.gaps": "gaps",
    "outcomes.headline": "outcomes",
    "profile.outcomes": "outcomes",
    **{f"completeness.{lv}": "completeness" for lv in geography.AREA_LEVELS},
}
#: Counts of distinct children: not additive over areas, periods or cohorts (a child can be in several).
NOT_ADDITIVE = frozenset({"children"})
#: Tables by area at a level, audited in every view: (table name at ``level``, its arguments after the filters).
BY_LEVEL: tuple[tuple[str, Callable[[str, date, str], tuple]], ...] = (
    ("gaps.areas", lambda level, as_of, pathway: (level, pathway)),
    ("completeness.{level}", lambda level, as_of, _: (level, trend_quarters(as_of), Thresholds.from_settings())),
    ("profile.areas", lambda level, as_of, _: (level, as_of)),
)
#: Tables of one area against Wales, audited for every authority and Wales in every view.
PER_AREA: tuple[tuple[str, Callable[[Area, date], tuple]], ...] = (
    ("gaps.compare", lambda area, as_of: (area.level, area.code, "all")),
    ("needs.compare", lambda area, as_of: ()),
    ("outcomes.headline", lambda area, as_of: (as_of, trend_quarters(as_of))),
)
LEVELS = geography.BREAKDOWN_LEVELS
AUDITED = tuple(published.REGISTRY)  # every table: by level, per area, or (the rest) as the pages call them


def views(f: Filters, as_of: date) -> dict[str, Filters]:
    """The views a user can open around ``f``: the period, each of its quarters, the period less its first quarter,
    and each cohort alone."""
    period = [q for q in quarters_between(f.start, as_of) if f.start_q <= q <= f.end_q]
    out = {"period": f}
    out.update({f"quarter:{q}": replace(f, start_q=q, end_q=q) for q in period})
    if len(period) > 1:
        out["rest"] = replace(f, start_q=period[1])
    out.update({f"cohort:{c}": replace(f, cohorts=(c,)) for c in f.cohorts} if len(f.cohorts) > 1 else {})
    return out


class _Cells:
    """Published cells keyed by what they count, with what an attacker knows of each."""

    def __init__(self, protection: published.Protection) -> None:
        self.protection = protection
        self.known: dict[Key, float | Interval | None] = {}
        self.shown: dict[Key, tuple] = {}
        self.inconsistent: list[dict] = []
        self.sums: list[Sum] = []

    def knowledge(self, value: float | None) -> float | Interval | None:
        p = self.protection
        return disclosure.rounded_interval(value, p.threshold, p.base) if p.rounds else value

    def add(self, key: Key, value: float | None, note: str | None, where: str) -> None:
        if key in self.shown and self.shown[key][:2] != (value, note):
            self.inconsistent.append(
                {
                    "kind": "inconsistent",
                    "cell": [str(k) for k in key],
                    "value": f"{self.shown[key][0] if self.shown[key][1] is None else 'c'} in "
                    f"{self.shown[key][2]}, {value if note is None else 'c'} in {where}",
                }
            )
            return
        if key not in self.shown:
            self.shown[key] = (value, note, where)
            self.known[key] = self.knowledge(value)

    def table(
        self, name: str, frame: pl.DataFrame, token_of: Callable[[dict], str], view: str, family: str | None = None
    ) -> None:
        """Every count cell of one published table, and its rows' own sums. Rows are told apart by the table's
        label columns (and by their position where those do not tell them apart)."""
        spec = published.REGISTRY[name]
        family = family or FAMILY.get(name, name)
        counts = [c for c in spec.counts if c in frame.columns]
        text = [
            c
            for c, dtype in frame.schema.items()  # what a row is about (not what protection made of it)
            if dtype == pl.String and not c.endswith(disclosure.NOTE_SUFFIX)
        ]
        dims = [
            c
            for c in dict.fromkeys([*spec.labels, *text])
            if c in frame.columns and c not in ("series", "group", "area_code")
        ]
        keys = [*dims, *[c for c in ("series", "group") if c in frame.columns]]
        by_position = frame.height > 1 and (not keys or frame.select(keys).is_duplicated().any())
        for i, row in enumerate(frame.iter_rows(named=True)):
            # rows told apart only by position are never summed across areas or views ("#" keys)
            labels = tuple(str(row[d]) for d in dims) + ((f"#{i}",) if by_position else ())
            base = (family, token_of(row), view, labels)
            for col in counts:
                self.add((*base, col), row[col], row.get(col + disclosure.NOTE_SUFFIX), name)
            self.sums += _row_sums(spec, base, counts)


def _by_position(labels: tuple | None) -> bool:
    return labels is not None and any(str(x).startswith("#") for x in labels)


def _area_of(args: tuple, f: Filters) -> Area:
    """The area a table is about: its own (level, code) arguments (Service gaps, the profile), else the filters'."""
    if len(args) >= 3 and args[1] in (*LEVELS, "rrp") and isinstance(args[2], str):
        return Area(args[1], args[2])
    return f.area


def _level_token(level: str) -> Callable[[dict], str]:
    """The area a row of a table by area at ``level`` is about."""

    def token(row: dict) -> str:
        return f"{level}:{row['area_code']}" if row["area_code"] != "wales" else "wales"

    return token


def _token_of(area: Area) -> Callable[[dict], str]:
    """The area a row of a table of one area against Wales is about."""

    def token(row: dict) -> str:
        return "wales" if row.get("series", row.get("group")) == "wales" else area.token()

    return token


def _row_sums(spec: published.Table, base: Key, counts: Sequence[str]) -> list[Sum]:
    """A row's own relations (``identified = offer_recorded + offer_unknown``; with a remainder, the rest is an
    unpublished cell of its own)."""
    out = []
    for rel in spec.relation_list():
        if isinstance(rel, disclosure.RowSum) and rel.total in counts and all(p in counts for p in rel.parts):
            parts = tuple((*base, p) for p in rel.parts)
            if rel.remainder:
                parts += (("slack", *base, rel.total),)  # the row's own unpublished rest
            out.append(Sum((*base, rel.total), parts))
    return out


def cells(
    inputs: published.Inputs, f: Filters, as_of: date, protection: published.Protection, pathway: str = "all"
) -> _Cells:
    """The registered tables' cells: :data:`BY_LEVEL` (the Service gaps map for ``pathway``) and :data:`PER_AREA` (for
    Wales and every authority) in every view of :func:`views`, and every other table the pages show, with the pages'
    arguments, for Wales and every authority over the period; and the sums between them."""
    out = _Cells(protection)
    all_views = views(f, as_of)
    for view, vf in all_views.items():
        for pattern, extra in BY_LEVEL:
            for level in LEVELS:
                name = pattern.format(level=level)
                table = published.required_frame(inputs, name, protection, vf, *extra(level, as_of, pathway))
                out.table(name, table, _level_token(level), view)
    walked = {pattern.format(level=lv) for pattern, _ in BY_LEVEL for lv in LEVELS} | {n for n, _ in PER_AREA}
    for area in [Area(), *(Area("la", code) for code in geography.area_codes("la"))]:
        af = replace(f, area=area)
        for view, vf in all_views.items():  # each area against Wales, in every view too
            for name, area_args in PER_AREA:
                table = published.required_frame(
                    inputs, name, protection, replace(vf, area=area), *area_args(area, as_of)
                )
                out.table(name, table, _token_of(area), view)
        for name, args in published.page_calls(inputs.tables, af, as_of):  # every other table the pages show
            spec = published.REGISTRY[name]
            if name in walked or "area_code" in spec.labels:
                continue
            shown = published.frame(inputs, name, protection, *args)
            if shown is not None:
                family = FAMILY.get(name) or f"{name}{args[1:]!r}"
                out.table(name, shown, _token_of(_area_of(args, af)), "period", family)
    out.sums += _level_sums(out.known, f, as_of) + _view_sums(out.known, all_views)
    for slack in {p for s in out.sums for p in s.parts if p[0] == "slack"}:
        out.known[slack] = None
    return out


def run(
    inputs: published.Inputs, f: Filters, as_of: date, protection: published.Protection, pathway: str = "all"
) -> list[dict]:
    """Every finding over :func:`cells`: small published counts, recovered counts and figures published two
    ways."""
    found = cells(inputs, f, as_of, protection, pathway)
    out = findings(found.known, found.sums, protection.threshold) + found.inconsistent
    return [x for x in out if x["cell"][0] != "slack"]


def _level_sums(known: Mapping[Key, object], f: Filters, as_of: date) -> list[Sum]:
    """Authorities add up to their police force area, to their service (while the services did not change in the
    period) and to Wales."""
    maps = {"police_area": geography.la_to_area("police_area", f.end)}
    by_service = [geography.la_to_area("service", day) for day in (f.start, f.end)]
    if by_service[0] == by_service[1]:
        maps["service"] = by_service[0]
    parent_of: dict[str, list[str]] = {"wales": [f"la:{la}" for la in geography.area_codes("la")]}
    for level, mapping in maps.items():
        for la, parent in mapping.items():
            parent_of.setdefault(f"{level}:{parent}", []).append(f"la:{la}")
    out = []
    for key in known:
        family, token, view, dims, col = key if len(key) == 5 else (None,) * 5
        if token in parent_of and col not in NOT_ADDITIVE and not _by_position(dims):
            parts = tuple((family, child, view, dims, col) for child in parent_of[token])
            if all(p in known for p in parts):
                out.append(Sum(key, parts))
    return out


def _view_sums(known: Mapping[Key, object], all_views: Mapping[str, Filters]) -> list[Sum]:
    """The period is the sum of its quarters, of its first quarter and the rest, and of its cohorts."""
    quarters = [v for v in all_views if v.startswith("quarter:")]
    cohorts = [v for v in all_views if v.startswith("cohort:")]
    groups = [quarters] + ([[quarters[0], "rest"]] if "rest" in all_views else []) + ([cohorts] if cohorts else [])
    out = []
    for key in known:
        if len(key) != 5 or key[2] != "period" or key[4] in NOT_ADDITIVE or _by_position(key[3]):
            continue
        for group in groups:
            parts = tuple((key[0], key[1], v, key[3], key[4]) for v in group)
            if all(p in known for p in parts):
                out.append(Sum(key, parts))
    return out

"""Suppression: primary (:func:`protect`: small counts, and rates on small denominators, hidden) and secondary
(:func:`secondary`: further cells hidden, the smallest non-zero first, until no relation of :mod:`.relations` gives a
hidden cell back), with :func:`recoverable` to check a protected frame against its relations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from resettlement.disclosure.notes import NOT_APPLICABLE, NOTE_SUFFIX, SUPPRESSED, blank_hidden, rate_parts
from resettlement.disclosure.relations import Cell, Relation, RowSum, Together


def _small(expr: pl.Expr, threshold: int) -> pl.Expr:
    return expr.is_between(1, threshold - 1, closed="both").fill_null(False)


def protect(
    df: pl.DataFrame,
    counts: Sequence[str] = (),
    rates: Mapping[str, str | tuple[str, str]] | None = None,
    threshold: int = 5,
    relations: Sequence[Relation] = (),
) -> pl.DataFrame:
    """Null out disclosive cells and record why in a ``<column>__note`` column.

    ``counts`` are count columns. ``rates`` maps each rate column to its denominator column, or better to
    ``(numerator, denominator)``: a rate is hidden when its denominator is under the threshold, and also when
    its numerator, or the denominator minus the numerator, is a small count, since rate × denominator would
    give the hidden count back. Returns a frame of the same shape plus one note column per protected column.
    With ``relations``, secondary suppression follows (see :func:`secondary`).
    """
    rates = dict(rates or {})
    exprs: list[pl.Expr] = []
    for col in counts:
        small = _small(pl.col(col), threshold)
        exprs.append(pl.when(small).then(pl.lit(SUPPRESSED)).otherwise(None).cast(pl.String).alias(col + NOTE_SUFFIX))
    for col, spec in rates.items():
        num, denom = rate_parts(spec)
        d = pl.col(denom)
        small_part = pl.lit(False)
        if num is not None:  # zero included: a 0% (or 100%) beside hidden small rates would tell them apart
            n = pl.col(num)
            small_part = (n.is_not_null() & ((n < threshold) | (d - n < threshold))).fill_null(False)
        note = (
            pl.when(d.is_null() | (d == 0))
            .then(pl.lit(NOT_APPLICABLE))
            .when((d < threshold) | small_part)
            .then(pl.lit(SUPPRESSED))
            .otherwise(None)
        )
        exprs.append(note.cast(pl.String).alias(col + NOTE_SUFFIX))
    out = df.with_columns(exprs)
    out = blank_hidden(out, [*counts, *rates])
    return secondary(out, relations, threshold, rates) if relations else out


@dataclass
class _Check:
    """One instance of a relation: member cell groups (the total first when there is one) and whether an
    unpublished remainder completes it."""

    members: list[int]
    remainder: bool
    has_total: bool


class _Cells:
    """The cells secondary suppression works on: values and hidden flags, with cells that must share their fate
    (copies of one total in every row of a group) merged into one group."""

    def __init__(self, df: pl.DataFrame) -> None:
        self.values = {c: df[c].to_list() for c in df.columns if not c.endswith(NOTE_SUFFIX)}
        self.notes: dict[str, list[str | None]] = {
            c: (df[c + NOTE_SUFFIX].to_list() if c + NOTE_SUFFIX in df.columns else [None] * df.height)
            for c in self.values
        }
        self.columns = list(self.values)
        self.parent: list[int] = []
        self.members: list[list[Cell]] = []
        self.group_of: dict[Cell, int] = {}
        self.added: set[Cell] = set()

    def find(self, gid: int) -> int:
        while self.parent[gid] != gid:
            self.parent[gid] = self.parent[self.parent[gid]]
            gid = self.parent[gid]
        return gid

    def group(self, cells: Sequence[Cell]) -> int:
        """The group id of ``cells``, merging the groups they are already in (union-find)."""
        roots = sorted({self.find(self.group_of[c]) for c in cells if c in self.group_of})
        if roots:
            gid = roots[0]
        else:
            gid = len(self.parent)
            self.parent.append(gid)
            self.members.append([])
        for other in roots[1:]:
            self.parent[other] = gid
            self.members[gid].extend(self.members[other])
            self.members[other] = []
        for cell in cells:
            if cell not in self.group_of:
                self.group_of[cell] = gid
                self.members[gid].append(cell)
        return gid

    def cells(self, gid: int) -> list[Cell]:
        return sorted(self.members[self.find(gid)], key=lambda c: (c[0], self.columns.index(c[1])))

    def hidden(self, gid: int) -> bool:
        return any(self.notes[c][r] is not None for r, c in self.cells(gid))

    def value(self, gid: int) -> float | None:
        r, c = self.cells(gid)[0]
        return self.values[c][r]

    def hide(self, gid: int) -> None:
        for r, c in self.cells(gid):
            if self.notes[c][r] is None:
                self.notes[c][r] = SUPPRESSED
                self.values[c][r] = None
                self.added.add((r, c))


def _row_groups(cells: _Cells, n: int, by: Sequence[str]) -> list[list[int]]:
    groups: dict[tuple, list[int]] = {}
    for r in range(n):
        groups.setdefault(tuple(cells.values[b][r] for b in by), []).append(r)
    return list(groups.values())


def _checks(cells: _Cells, n: int, relations: Sequence[Relation]) -> list[_Check]:
    """Every relation instance in the table, in a fixed order; relations naming absent columns are skipped."""
    have = set(cells.columns)
    out: list[_Check] = []
    for rel in relations:
        if isinstance(rel, Together):
            if set(rel.columns) <= have:
                for r in range(n):
                    cells.group([(r, c) for c in rel.columns])
            continue
        if isinstance(rel, RowSum):
            if not {rel.total, *rel.parts} <= have:
                continue
            for r in range(n):
                members = [cells.group([(r, rel.total)]), *(cells.group([(r, p)]) for p in rel.parts)]
                out.append(_Check(members, rel.remainder, True))
            continue
        needed = {*rel.by, *([rel.key] if rel.key else []), *([rel.total_column] if rel.total_column else [])}
        if not needed <= have:
            continue
        for rows in _row_groups(cells, n, rel.by):
            for col in (c for c in rel.columns if c in have):
                if rel.key is not None:
                    totals = [r for r in rows if cells.values[rel.key][r] == rel.total]
                    parts = [r for r in rows if cells.values[rel.key][r] != rel.total]
                    if len(totals) != 1:
                        continue
                    members = [cells.group([(totals[0], col)]), *(cells.group([(r, col)]) for r in parts)]
                    out.append(_Check(members, rel.remainder, True))
                elif rel.total_column is not None:
                    total = cells.group([(r, rel.total_column) for r in rows])
                    out.append(_Check([total, *(cells.group([(r, col)]) for r in rows)], rel.remainder, True))
                else:
                    out.append(_Check([cells.group([(r, col)]) for r in rows], False, False))
    return out


def _is_small(value: float | None, threshold: int) -> bool:
    return value is not None and 1 <= value <= threshold - 1


def _disclosive(cells: _Cells, check: _Check, threshold: int) -> bool:
    """True when the relation gives a hidden cell (or a small unpublished remainder) back."""
    members = list(dict.fromkeys(cells.find(m) for m in check.members))
    hidden = sum(cells.hidden(m) for m in members)
    if check.remainder:
        if hidden:
            return False
        total, *parts = (cells.value(m) or 0 for m in members)
        return _is_small(total - sum(parts), threshold)
    return hidden == 1 and len(members) > 1


def _candidate(cells: _Cells, check: _Check, costly: set[Cell]) -> int | None:
    """The shown cell to hide next: the smallest non-zero (then a zero), ties broken by position; cells whose
    hiding would also hide a shown rate (its numerator or denominator) only when there is no other."""
    shown = [
        m
        for m in dict.fromkeys(cells.find(m) for m in check.members)
        if not cells.hidden(m) and cells.value(m) is not None
    ]
    if not shown:
        return None

    def order(m: int) -> tuple:
        r, c = cells.cells(m)[0]
        v = cells.value(m)
        return (any(cell in costly for cell in cells.cells(m)), v == 0, v, r, cells.columns.index(c))

    return min(shown, key=order)


def secondary(
    df: pl.DataFrame,
    relations: Sequence[Relation],
    threshold: int = 5,
    rates: Mapping[str, str | tuple[str, str]] | None = None,
) -> pl.DataFrame:
    """Secondary suppression of a frame from :func:`protect`: hide further cells (note ``c``), the smallest
    non-zero first and deterministically, until no relation gives a hidden cell back; then hide each rate in
    ``rates`` whose numerator or denominator is hidden. Terminates: every round hides at least one more cell."""
    if not relations:
        return df
    cells = _Cells(df)
    checks = _checks(cells, df.height, relations)
    costly = _rate_sources(df, rates or {})
    for gid in range(len(cells.parent)):  # cells that share their fate (Together, total columns) start alike
        if cells.find(gid) == gid and cells.hidden(gid):
            cells.hide(gid)
    changed = True
    while changed:
        changed = False
        for check in checks:
            if _disclosive(cells, check, threshold):
                pick = _candidate(cells, check, costly)
                if pick is not None:
                    cells.hide(pick)
                    changed = True
    touched = sorted({c for _, c in cells.added})
    out = df.with_columns(
        *(pl.Series(c, cells.values[c], dtype=df[c].dtype) for c in touched),
        *(pl.Series(c + NOTE_SUFFIX, cells.notes[c], dtype=pl.String) for c in touched),
    )
    return _follow_rates(out, rates or {})


def _rate_sources(df: pl.DataFrame, rates: Mapping[str, str | tuple[str, str]]) -> set[Cell]:
    """Cells that are the numerator or denominator of a rate shown in the same row."""
    out: set[Cell] = set()
    for col, spec in rates.items():
        if col not in df.columns:
            continue
        shown = df[col + NOTE_SUFFIX].is_null() if col + NOTE_SUFFIX in df.columns else pl.Series([True] * df.height)
        rows = [i for i, ok in enumerate(shown.to_list()) if ok]
        for source in spec if isinstance(spec, tuple) else (spec,):
            if source in df.columns:
                out.update((r, source) for r in rows)
    return out


def _follow_rates(df: pl.DataFrame, rates: Mapping[str, str | tuple[str, str]]) -> pl.DataFrame:
    """Hide a shown rate whose numerator or denominator cell is hidden (rate × denominator, or numerator ÷ rate,
    would give it back)."""
    exprs = []
    for col, spec in rates.items():
        sources = [s for s in (spec if isinstance(spec, tuple) else (spec,)) if s + NOTE_SUFFIX in df.columns]
        if col not in df.columns or not sources:
            continue
        hide = pl.any_horizontal(pl.col(s + NOTE_SUFFIX) == SUPPRESSED for s in sources).fill_null(False)
        hide = hide & pl.col(col + NOTE_SUFFIX).is_null() if col + NOTE_SUFFIX in df.columns else hide
        note = pl.col(col + NOTE_SUFFIX) if col + NOTE_SUFFIX in df.columns else pl.lit(None, dtype=pl.String)
        exprs += [
            pl.when(hide).then(None).otherwise(pl.col(col)).alias(col),
            pl.when(hide).then(pl.lit(SUPPRESSED)).otherwise(note).alias(col + NOTE_SUFFIX),
        ]
    return df.with_columns(exprs) if exprs else df


def recoverable(df: pl.DataFrame, relations: Sequence[Relation], threshold: int = 5) -> list[list[Cell]]:
    """The relation instances of a protected frame that give a hidden cell (or a small remainder) back: each as its
    member cells. Empty after :func:`secondary` with the same relations (used by tests and audits)."""
    cells = _Cells(df)
    found = [
        [cell for m in check.members for cell in cells.cells(m)]
        for check in _checks(cells, df.height, relations)
        if _disclosive(cells, check, threshold)
    ]
    for gid in range(len(cells.parent)):  # cells hidden together must all be hidden, or none
        members = cells.cells(gid) if cells.find(gid) == gid else []
        if len({cells.notes[c][r] is None for r, c in members}) > 1:
            found.append(members)
    return found

"""Statistical disclosure control, applied at the presentation boundary.

Every table, chart and download that leaves a page passes through :func:`protect`. Primary suppression: a
count from 1 to ``threshold - 1`` is hidden, and so is a rate whose denominator is under ``threshold``.
Hidden cells carry a StatsWales note code: ``c`` (confidential) for suppressed, ``z`` (not applicable) for a
rate with no denominator.

Secondary suppression (:func:`secondary`, or ``protect(..., relations=...)``): a table's cells obey linear relations
declared as data (:class:`RowSum`: a row's parts add up to its total; :class:`ColumnSum`: rows add up to a total row,
a total column or a total published elsewhere). A relation with exactly one hidden cell gives that cell back (the
total minus the others), so further cells are hidden, the smallest non-zero first, until no relation has exactly one
hidden cell (a fixed point). A relation may also have an unpublished remainder (``remainder=True``: the parts shown
do not cover the total, e.g. children *not* offered a service): when every cell of such a relation is shown, the
remainder is the total minus the parts, so one more cell is hidden if that remainder is a small count. Rates follow
their numerator and denominator. Secondary cells carry ``c`` too. :data:`TABLE_RELATIONS` declares the relations
of the tables the app shows; the publication view and every report apply them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

SUPPRESSED = "c"
NOT_APPLICABLE = "z"
NOTE_SUFFIX = "__note"
# StatsWales note codes, in their usual order; meanings in the catalogs as ``disclosure.note.<code>``.
NOTE_CODES: tuple[str, ...] = ("c", "x", "z", "p", "r", "b", "u", "e", "k")


def _small(expr: pl.Expr, threshold: int) -> pl.Expr:
    return expr.is_between(1, threshold - 1, closed="both").fill_null(False)


def protect(
    df: pl.DataFrame,
    counts: Sequence[str] = (),
    rates: Mapping[str, str | tuple[str, str]] | None = None,
    threshold: int = 5,
    relations: Sequence[RowSum | ColumnSum] = (),
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
        num, denom = spec if isinstance(spec, tuple) else (None, spec)
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
    hidden = [c for c in [*counts, *rates] if c in out.columns]
    out = out.with_columns(
        pl.when(pl.col(c + NOTE_SUFFIX).is_null()).then(pl.col(c)).otherwise(None).alias(c) for c in hidden
    )
    return secondary(out, relations, threshold, rates) if relations else out


@dataclass(frozen=True)
class Protection:
    """How figures are protected in one view: plain values, part of every cache key.

    ``publication`` with ``method`` ``round`` (the default) is :func:`rounded`; otherwise :func:`protect` with the
    table's relations (the working view, or the publication view when the setting asks for suppression). ``key`` is
    the database's rounding key (``store.rounding_key``): it decides which way each count is rounded and is never
    shown."""

    threshold: int = 5
    publication: bool = True
    method: str = "round"
    base: int = 5
    key: int = 1

    @property
    def rounds(self) -> bool:
        return self.publication and self.method == "round"


_MULTIPLIER, _MODULUS = 2654435761, 2147483647  # a multiplicative hash (Knuth's constant), under 2^63 for keys < 2^24


def round_to(expr: pl.Expr, base: int, key: int) -> pl.Expr:
    """``expr`` (whole numbers) rounded to a multiple of ``base``, up or down: a count ``v`` goes up when a hash of
    ``v + key``, spread over 0 to base − 1, is under ``v mod base``, so about (v mod base) / base of counts go up
    and on average nearly nothing is added or lost (tests/test_published.py measures the mean error over 5,000
    counts). Which way is fixed by ``key`` and ``v`` alone, so the same count is rounded the same way wherever it
    appears (no average of several views gives it back). Plain integer arithmetic, so the result never changes
    with the Polars version."""
    expr = expr.cast(pl.Int64)
    remainder = expr % base
    draw = (((expr + key) * _MULTIPLIER) % _MODULUS) // 7 % base
    down = expr - remainder
    return pl.when(draw < remainder).then(down + base).otherwise(down)


def round_value(value: int, base: int, key: int) -> int:
    """:func:`round_to` of one number, in Python (for texts and tests)."""
    remainder = value % base
    draw = ((value + key) * _MULTIPLIER) % _MODULUS // 7 % base
    return value - remainder + (base if draw < remainder else 0)


def hidden_max(threshold: int, base: int) -> int:
    """The largest count the publication view may hide: every count under the threshold is hidden, and so is every
    count that rounds to the threshold or less (5 to 9 may round down to 5 with base 5)."""
    return max(threshold - 1, threshold // base * base + base - 1)


def rounded_interval(value: float | None, threshold: int, base: int) -> tuple[float, float]:
    """What a reader who does not know the key knows of a count the publication view shows as ``value`` (``None``
    when hidden): a shown 10 is anything from 6 to 14, a hidden count anything from 0 to :func:`hidden_max`."""
    if value is None:
        return 0.0, float(hidden_max(threshold, base))
    return max(float(threshold), value - base + 1), float(value + base - 1)


STATISTIC_DECIMALS = 2  # the publication view's precision for rates that are not shares of rounded counts


def hidden_count(expr: pl.Expr, protection: Protection) -> pl.Expr:
    """Whether the publication view hides a count: under the threshold (zero included), or rounding to it or less."""
    return (expr < protection.threshold) | (round_to(expr, protection.base, protection.key) <= protection.threshold)


def rounded(
    df: pl.DataFrame,
    counts: Sequence[str] = (),
    rates: Mapping[str, str | tuple[str, str]] | None = None,
    protection: Protection | None = None,
    shares: Sequence[str] = (),
    intervals: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """The publication view's protection: every count under the threshold (zero included) or rounding to the
    threshold or less is hidden (``c``); every other count is rounded (:func:`round_to`), and rates are worked out
    from the rounded counts.

    A zero is hidden like a small count: "none of them" tells something about each child, and a published zero next to
    hidden cells narrows them. A rate is hidden when its denominator, its numerator or the denominator minus it would
    be hidden as a count (so 0% and 100% are never shown while 3% is hidden); shown, a rate in ``shares`` is the
    rounded numerator over the rounded denominator and an interval in ``intervals`` (column → ``low`` or ``high``) the
    Wilson interval of those, so neither gives an exact count back. Other rates (medians, means, ratios of hours,
    weighted estimates) are statistics of a group of at least the threshold, shown to two decimals. Parts may not add
    up exactly to their rounded total.
    """
    p = protection or Protection()
    rates, intervals = dict(rates or {}), dict(intervals or {})
    exprs: list[pl.Expr] = []
    for col in counts:
        under = hidden_count(pl.col(col), p).fill_null(False)
        exprs.append(pl.when(under).then(pl.lit(SUPPRESSED)).otherwise(None).cast(pl.String).alias(col + NOTE_SUFFIX))
    for col, spec in rates.items():
        num, denom = spec if isinstance(spec, tuple) else (None, spec)
        d = pl.col(denom)
        under = hidden_count(d, p)
        if num is not None:
            n = pl.col(num)
            under = under | (n.is_not_null() & (hidden_count(n, p) | hidden_count(d - n, p)))
        note = pl.when(d.is_null() | (d == 0)).then(pl.lit(NOT_APPLICABLE)).when(under).then(pl.lit(SUPPRESSED))
        exprs.append(note.otherwise(None).cast(pl.String).alias(col + NOTE_SUFFIX))
    out = df.with_columns(exprs)
    derived = []
    for col, spec in rates.items():
        num, denom = spec if isinstance(spec, tuple) else (None, spec)
        if num is None or (col not in shares and col not in intervals):
            if col in df.columns and df.schema[col].is_float():
                # a statistic to two decimals: its exact value (48/75 = 0.64) could give its exact counts back
                derived.append(pl.col(col).round(STATISTIC_DECIMALS))
            continue
        k = round_to(pl.col(num), p.base, p.key).cast(pl.Float64)
        n = round_to(pl.col(denom), p.base, p.key).cast(pl.Float64)
        value = k / n if col in shares else wilson_expr(k, n, intervals[col])
        # a rate with no count behind it (hours attended ÷ offered) is a statistic: kept as computed
        derived.append(
            pl.when(pl.col(num).is_null()).then(pl.col(col)).when(n > 0).then(value).otherwise(None).alias(col)
        )
    out = out.with_columns(derived).with_columns(
        round_to(pl.col(c), p.base, p.key).cast(df[c].dtype).alias(c) for c in counts
    )
    hidden = [c for c in [*counts, *rates] if c in out.columns]
    return out.with_columns(
        pl.when(pl.col(c + NOTE_SUFFIX).is_null()).then(pl.col(c)).otherwise(None).alias(c) for c in hidden
    )


def wilson_expr(k: pl.Expr, n: pl.Expr, side: str, z: float = 1.96) -> pl.Expr:
    """One end (``low`` or ``high``) of the Wilson score interval of ``k`` out of ``n`` (the formula of
    ``outcomes.wilson``, as an expression): keeps its coverage at small ``n`` and stays within [0, 1]."""
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * (p * (1 - p) / n + z * z / (4 * n * n)).sqrt() / denom
    return (centre - half).clip(lower_bound=0.0) if side == "low" else (centre + half).clip(upper_bound=1.0)


def protected_columns(df: pl.DataFrame) -> list[str]:
    return [c.removesuffix(NOTE_SUFFIX) for c in df.columns if c.endswith(NOTE_SUFFIX)]


def for_display(df: pl.DataFrame, decimals: Mapping[str, int] | None = None) -> pl.DataFrame:
    """Turn a protected frame into text cells: values where shown, note codes where hidden."""
    decimals = dict(decimals or {})
    cols = protected_columns(df)
    exprs = []
    for c in cols:
        value = pl.col(c)
        if c in decimals:
            value = value.round(decimals[c])
        exprs.append(
            pl.when(pl.col(c + NOTE_SUFFIX).is_not_null())
            .then(pl.col(c + NOTE_SUFFIX))
            .otherwise(value.cast(pl.String))
            .alias(c)
        )
    return df.with_columns(exprs).drop([c + NOTE_SUFFIX for c in cols])


def is_protected(df: pl.DataFrame) -> bool:
    """True when ``df`` came out of :func:`protect` (it carries note columns)."""
    return any(c.endswith(NOTE_SUFFIX) for c in df.columns)


def to_records(df: pl.DataFrame) -> list[dict]:
    """Rows of a protected frame for JSON output: shown values stay numbers, hidden cells become their note
    code (``"c"`` or ``"z"``)."""
    cols = protected_columns(df)
    records = []
    for row in df.iter_rows(named=True):
        out = {k: v for k, v in row.items() if not k.endswith(NOTE_SUFFIX)}
        for c in cols:
            if row[c + NOTE_SUFFIX] is not None:
                out[c] = row[c + NOTE_SUFFIX]
        records.append(out)
    return records


# ------------------------------------------------------------------------------------------ secondary suppression


@dataclass(frozen=True)
class RowSum:
    """In every row, column ``total`` = the sum of columns ``parts`` (``identified = offer_recorded +
    offer_unknown``). With ``remainder``, the parts shown do not cover the total: the rest is not published (e.g.
    ``offer_recorded = unmet + met`` where *met* is not a column)."""

    total: str
    parts: tuple[str, ...]
    remainder: bool = False


@dataclass(frozen=True)
class ColumnSum:
    """Down the rows: for each of ``columns``, within each group of rows sharing the ``by`` columns, the rows add
    up to a total, which is

    - the row whose ``key`` column holds ``total`` (a "Wales" series, an "all cohorts" row), or else
    - the ``total_column`` cell (one value repeated in every row of the group, like ``total``), or else
    - a total published elsewhere (on the same page or in the same report), which the reader is assumed to know.

    With ``remainder`` (only with a total row or column), the other rows do not cover the total: the rest (the
    other areas of Wales, say) is not published.
    """

    columns: tuple[str, ...]
    by: tuple[str, ...] = ()
    key: str | None = None
    total: object = None
    total_column: str | None = None
    remainder: bool = False

    def __post_init__(self) -> None:
        if self.remainder and self.key is None and self.total_column is None:
            raise ValueError("a remainder needs a total row (key, total) or a total column")


@dataclass(frozen=True)
class Together:
    """In every row, the cells of ``columns`` are hidden together: one nearly gives the other away (children
    starting an episode and episodes: a child rarely starts two in a quarter, so the counts are usually equal)."""

    columns: tuple[str, ...]


Relation = RowSum | ColumnSum | Together
Cell = tuple[int, str]  # (row index, column)


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
        self.notes = {
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


def hidden_cells(df: pl.DataFrame) -> int:
    """How many cells of a protected frame are suppressed (note ``c``)."""
    return sum(int((df[c] == SUPPRESSED).sum()) for c in df.columns if c.endswith(NOTE_SUFFIX))


# ------------------------------------------------------------------------------ relations of the app's tables
# Declared once, as data, by table name; pages apply them in the publication view and reports always do.
# Column names are those of the frames the domain modules return (resettlement/needs.py, gaps.py, ...).

_FUNNEL_COUNTS = (
    "assessed",
    "unknown",
    "identified",
    "offer_recorded",
    "offer_unknown",
    "offered",
    "engagement_recorded",
    "engaged",
)
_FUNNEL_ROWS: tuple[Relation, ...] = (
    RowSum("assessed", ("identified",), remainder=True),  # the rest: assessed as no need
    RowSum("identified", ("offer_recorded", "offer_unknown")),
    RowSum("offer_recorded", ("offered",), remainder=True),  # the rest: not offered
    RowSum("offered", ("engagement_recorded",), remainder=True),  # the rest: engagement not recorded
    RowSum("engagement_recorded", ("engaged",), remainder=True),  # the rest: did not engage
)
_GAP_COUNTS = ("identified", "offer_recorded", "offer_unknown", "unmet", "release_needs", "not_in_place")
_GAP_ROWS: tuple[Relation, ...] = (
    RowSum("identified", ("offer_recorded", "offer_unknown")),
    RowSum("offer_recorded", ("unmet",), remainder=True),  # the rest: offered
    RowSum("release_needs", ("not_in_place",), remainder=True),  # the rest: in place by release
)
_RELEASE_COUNTS = ("released", "reviewed_before_release", "not_reviewed_before_release", "not_released")
_FIRST_REVIEW_COUNTS = ("episodes", "reviewed", "not_reviewed")


def in_comparator(columns: Sequence[str], by: Sequence[str]) -> ColumnSum:
    """The selected area's rows (``series`` = ``area``) are part of the comparator's (``series`` = ``wales``):
    Wales = the area + the rest of Wales, which is not published."""
    return ColumnSum(tuple(columns), by=tuple(by), key="series", total="wales", remainder=True)


TABLE_RELATIONS: dict[str, tuple[Relation, ...]] = {
    # Overview: the area's episodes are part of Wales's; the cohorts add up to the area's episodes per quarter.
    "overview.trend": (in_comparator(("episodes",), ("quarter",)),),
    "overview.cohorts": (ColumnSum(("episodes",), by=("quarter",)), Together(("episodes", "children"))),
    # Pathway needs: the funnel's stages; the comparator; breakdown groups add up to the funnel above them.
    "needs.compare": (*_FUNNEL_ROWS, in_comparator(_FUNNEL_COUNTS, ("pathway",))),
    "needs.funnel": _FUNNEL_ROWS,
    "needs.breakdown": (*_FUNNEL_ROWS, ColumnSum(_FUNNEL_COUNTS, by=("pathway",))),
    "needs.trend": (*_FUNNEL_ROWS, in_comparator(_FUNNEL_COUNTS, ("quarter",))),
    "needs.per_case": (
        ColumnSum(("episodes",), by=("series",), total_column="total"),
        in_comparator(("episodes", "total"), ("pathways",)),
    ),
    # Service gaps: areas add up to Wales; pathways add up to all pathways; reasons add up to the unmet total.
    "gaps.areas": (*_GAP_ROWS, ColumnSum(_GAP_COUNTS, by=("pathway",))),
    "gaps.compare": (*_GAP_ROWS, in_comparator(_GAP_COUNTS, ("pathway",)), ColumnSum(_GAP_COUNTS, by=("series",))),
    "gaps.reasons": (
        ColumnSum(("unmet",), by=("series",), total_column="total"),
        in_comparator(("unmet", "total"), ("gap_reason",)),
    ),
    "gaps.trend": (*_GAP_ROWS, in_comparator(_GAP_COUNTS, ("quarter",))),
    # Data completeness, by view of completeness.view: areas' episodes add up to Wales (the headline); the
    # selection is part of Wales. Fields, tables and rules count records and cells, not children: no relation.
    "completeness.wales": (ColumnSum(("episodes",), key="series", total="wales", remainder=True),),
    **dict.fromkeys(
        ("completeness.la", "completeness.service", "completeness.police_area", "completeness.rrp"),
        (ColumnSum(("episodes",)),),
    ),
    "completeness.quarter": (ColumnSum(("episodes",), by=("quarter",), key="series", total="wales", remainder=True),),
    **dict.fromkeys(("completeness.field", "completeness.table", "completeness.rule", "completeness.timeliness"), ()),
    # RRP activity: quarters and RRPs add up to the headline; cohorts add up to "all"; the area is part of Wales.
    "rrp.activity": (
        ColumnSum(("cases_reviewed", "actions_agreed", "actions_completed", "escalations")),
        RowSum("actions_agreed", ("actions_completed",), remainder=True),
    ),
    "rrp.meetings": (ColumnSum(("cases_reviewed",), by=("rrp_id",)),),
    "rrp.release": (
        RowSum("released", ("reviewed_before_release", "not_reviewed_before_release")),
        ColumnSum(_RELEASE_COUNTS, by=("series",), key="cohort", total="all"),
        in_comparator(_RELEASE_COUNTS, ("cohort",)),
    ),
    "rrp.first_review": (
        RowSum("episodes", ("reviewed", "not_reviewed")),
        ColumnSum(_FIRST_REVIEW_COUNTS, by=("series",), key="cohort", total="all"),
        in_comparator(_FIRST_REVIEW_COUNTS, ("cohort",)),
    ),
    "rrp.first_review_bins": (ColumnSum(("episodes",), by=("cohort",)),),
    "rrp.referral": (
        RowSum("episodes", ("referred",), remainder=True),
        ColumnSum(("episodes", "referred"), by=("series",), key="cohort", total="all"),
        in_comparator(("episodes", "referred"), ("cohort",)),
    ),
    # Area profile: the authorities (services, police force areas, RRPs) in scope add up to the Wales row (children
    # are distinct within an area, so their sum is only near the total: declared all the same, to be safe).
    "profile.areas": (
        ColumnSum(
            (
                "children",
                "releases",
                "assessed",
                "identified",
                "offer_recorded",
                "unmet",
                "release_needs",
                "not_in_place",
                "reoffenders",
                "reoffending_recorded",
            ),
            key="area_code",
            total="wales",
            remainder=True,
        ),  # RRPs may not cover Wales
        RowSum("assessed", ("identified",), remainder=True),
        RowSum("offer_recorded", ("unmet",), remainder=True),
        RowSum("release_needs", ("not_in_place",), remainder=True),
        RowSum("reoffending_recorded", ("reoffenders",), remainder=True),
    ),
    # Outcomes: the area is part of Wales; day bins add up to the episodes recorded; cohorts' sizes.
    "outcomes.headline": (
        ColumnSum(("denominator", "not_recorded"), by=("measure",), key="group", total="wales", remainder=True),
    ),
    "outcomes.days": (ColumnSum(("episodes",), total_column="recorded"),),
}

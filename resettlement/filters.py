"""The shared filter bar's state as plain values, and how it selects cases.

Filters are a frozen dataclass of strings so they can key caches and travel in the URL. A case is *in the
period* when its episode starts in it (calendar quarters, inclusive), so a child's episode counts once in a
trend. An area selects cases by home local authority; a youth justice service selects them by the service
that covered the authority on the case's start date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from resettlement import geography
from resettlement.standard import COHORTS


def quarter_of(day: date) -> str:
    """Calendar quarter label, e.g. ``2024Q2``."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(label: str) -> tuple[date, date]:
    """First and last day of a quarter label."""
    year, q = int(label[:4]), int(label[5])
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def quarters_between(first: date, last: date) -> list[str]:
    """Every quarter label from the one holding ``first`` to the one holding ``last``."""
    labels = []
    y, q = first.year, (first.month - 1) // 3 + 1
    end = quarter_of(last)
    while True:
        label = f"{y}Q{q}"
        labels.append(label)
        if label == end:
            return labels
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)


def period_start(label: str) -> date:
    """First day of a trend period label: a quarter (``2024Q2``) or a calendar year (``2024``)."""
    return quarter_bounds(label)[0] if "Q" in label else date(int(label), 1, 1)


def years_of(quarters: list[str]) -> list[str]:
    """The calendar years the quarters fall in, in order."""
    return list(dict.fromkeys(q[:4] for q in quarters))


DEFAULT_QUARTERS = 8
DATA_START = date(2016, 1, 1)


def is_complete(period: str, as_of: date) -> bool:
    """Whether the data (as of ``as_of``) cover the whole period: a quarter (``2026Q3``) or a year (``2026``)."""
    last = quarter_bounds(period)[1] if len(period) > 4 else date(int(period), 12, 31)
    return last <= as_of


def trend_quarters(as_of: date) -> tuple[str, ...]:
    """The quarters trends are drawn over: every complete quarter since the data start (a quarter still under way
    would end each trend with a dip that is not a fall); all of them when none is complete yet."""
    quarters = quarters_between(DATA_START, as_of)
    return tuple(q for q in quarters if is_complete(q, as_of)) or tuple(quarters)


def complete_years(quarters: Sequence[str], as_of: date) -> list[str]:
    """The calendar years of ``quarters`` that the data cover whole (all of them when none is)."""
    years = years_of(list(quarters))
    return [y for y in years if is_complete(y, as_of)] or years


def default_period(quarters: list[str], as_of: date) -> tuple[str, str]:
    """The period a view starts with: the latest eight complete quarters (or all, if fewer). A quarter still under
    way at the as-of date is left out, since its counts, and the change against the period before, would look
    smaller than they will be; when no quarter is complete yet, all of them."""
    done = [q for q in quarters if is_complete(q, as_of)] or quarters
    return done[max(0, len(done) - DEFAULT_QUARTERS)], done[-1]


def quarter_expr(col: str) -> pl.Expr:
    """Polars expression giving the quarter label of a date column."""
    return pl.format("{}Q{}", pl.col(col).dt.year(), pl.col(col).dt.quarter())


@dataclass(frozen=True)
class Area:
    level: geography.Level = "wales"
    code: str | None = None

    def token(self) -> str:
        return "wales" if self.level == "wales" else f"{self.level}:{self.code}"

    @classmethod
    def parse(cls, token: str | None) -> Area:
        if not token or token == "wales" or ":" not in token:
            return cls()
        level, code = token.split(":", 1)
        return cls(level, code) if geography.is_level(level) else cls()


@dataclass(frozen=True)
class Filters:
    start_q: str
    end_q: str
    area: Area = Area()
    cohorts: tuple[str, ...] = COHORTS

    @property
    def start(self) -> date:
        return quarter_bounds(self.start_q)[0]

    @property
    def end(self) -> date:
        return quarter_bounds(self.end_q)[1]

    def previous(self) -> Filters:
        """The same number of quarters just before this period (for period-on-period change)."""
        n = len(quarters_between(self.start, self.end))
        prev_end = date.fromordinal(self.start.toordinal() - 1)
        y, q = prev_end.year, (prev_end.month - 1) // 3 + 1
        index = y * 4 + (q - 1) - (n - 1)
        return Filters(f"{index // 4}Q{index % 4 + 1}", quarter_of(prev_end), self.area, self.cohorts)


def area_options(la_codes: frozenset[str]) -> list[str]:
    """Area tokens a viewer may choose: Wales (only with all Wales in scope), then police areas, services and
    authorities wholly inside the scope."""
    inside = set(la_codes)
    options: list[str] = []
    if inside == set(geography.LA_CODES):
        options.append("wales")
    for p in geography.POLICE_AREAS:
        if set(geography.area_la_codes("police_area", p.code)) <= inside:
            options.append(f"police_area:{p.code}")
    for code in geography.service_codes():
        if set(geography.area_la_codes("service", code)) <= inside:
            options.append(f"service:{code}")
    for la in sorted(geography.LOCAL_AUTHORITIES, key=lambda a: a.name_en):
        if la.code in inside:
            options.append(f"la:{la.code}")
    return options


def in_area(cases: pl.DataFrame, area: Area) -> pl.Expr:
    """Boolean expression selecting ``cases`` rows in ``area`` (expects ``service_code`` for services)."""
    if area.level == "wales" or area.code is None:
        return pl.lit(True)
    if area.level == "service":
        return pl.col("service_code") == area.code
    return pl.col("la_code").is_in(list(geography.area_la_codes(area.level, area.code)))


def select_cases(cases: pl.DataFrame, f: Filters, with_period: bool = True) -> pl.DataFrame:
    """Cases matching the filters: area, cohorts and (optionally) episode start within the period."""
    if "service_code" not in cases.columns:
        cases = geography.attach_service(cases)
    cond = in_area(cases, f.area) & pl.col("cohort").is_in(list(f.cohorts))
    if with_period:
        cond = cond & pl.col("start_date").is_between(f.start, f.end, closed="both")
    return cases.filter(cond)


def cli_filters(
    as_of: date, start_q: str | None, end_q: str | None, area: str | None = None, cohorts: str | None = None
) -> Filters:
    """Filters for command-line reports: the app's defaults (latest eight complete quarters, all Wales, all cohorts)
    unless given, validated with a readable error."""
    quarters = quarters_between(DATA_START, as_of)
    default = default_period(quarters, as_of)
    start, end = start_q or default[0], end_q or default[1]
    for q in (start, end):
        if q not in quarters:
            raise ValueError(f"period {q!r} is not a quarter between {quarters[0]} and {quarters[-1]} (e.g. 2024Q2)")
    if quarters.index(start) > quarters.index(end):
        raise ValueError(f"period starts ({start}) after it ends ({end})")
    given = [c.strip() for c in (cohorts or ",".join(COHORTS)).split(",") if c.strip()]
    unknown = [c for c in given if c not in COHORTS]
    if unknown or not given:
        raise ValueError(
            f"unknown cohort {', '.join(map(repr, unknown)) or repr(cohorts)}: use "
            f"{', '.join(COHORTS)}, separated by commas"
        )
    chosen = tuple(c for c in COHORTS if c in given)
    parsed = Area.parse(area)
    known = parsed.level == "wales" or parsed.code in geography.area_codes(parsed.level)
    if (area and area != "wales" and parsed == Area()) or not known:
        raise ValueError(f"unknown area {area!r}: use wales, la:<GSS code>, service:<code> or police_area:<code>")
    return Filters(start, end, parsed, chosen or COHORTS)

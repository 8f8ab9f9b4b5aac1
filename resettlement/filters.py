"""The shared filter bar's state as plain values, and how it selects cases.

Filters are a frozen dataclass of strings so they can key caches and travel in the URL; their quarter labels
are read with :class:`resettlement.period.Quarter`. A case is *in the period* when its episode starts in it
(calendar quarters, inclusive), so a child's episode counts once in a trend. An area selects cases by home local
authority; a youth justice service selects them by the service that covered the authority on the case's start date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from resettlement import geography
from resettlement.period import DATA_START, Quarter, default_period, quarters_between
from resettlement.standard import COHORTS


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
        return Quarter.parse(self.start_q).start

    @property
    def end(self) -> date:
        return Quarter.parse(self.end_q).end

    def previous(self) -> Filters:
        """The same number of quarters just before this period (for period-on-period change)."""
        first, n = Quarter.parse(self.start_q), len(Quarter.span(self.start, self.end))
        return Filters(first.shift(-n).label, first.shift(-1).label, self.area, self.cohorts)


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

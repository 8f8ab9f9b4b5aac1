"""Outcomes: accommodation, education, training and employment (ETE) and proven reoffending.

Every rate comes with its denominator and a 95% confidence interval (Wilson for proportions). A value that was
not recorded is counted apart (``not_recorded``), never as a "no".

Definitions (shown on the Definitions page):

- **Suitable accommodation at the end**: episodes that have ended (``end_date`` present) with
  ``accommodation_suitable_end`` recorded; rate = suitable ÷ recorded. **Suitable ETE at the end** likewise.
- **Accommodation confirmed before release** (custody and remand): episodes released on or before the as-of date
  with a valid release date (not before the start) and ``accommodation_confirmed_date`` recorded. *Days before
  release* = release date − confirmation date; confirmed *before* release when that is 1 or more, *on the day or
  after* when 0 or less (the failure inspectors call out).
- **ETE hours attended against offered**: episodes with hours offered (> 0) and hours attended recorded (and not
  above hours offered); rate = total hours attended ÷ total hours offered, with a delta-method interval.
- **Proven reoffending** (Ministry of Justice framework): defined once in :mod:`resettlement.reoffending` (the
  offender cohort of the period: children by their first custody release or community start, reoffences computed
  from dates, final cohorts only); this module only places its figure in the headline table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

import polars as pl

from resettlement import disclosure, reoffending
from resettlement.filters import Area, Filters, select_cases
from resettlement.standard import SECURE_COHORTS
from resettlement.tables import Tables

Z95 = 1.96

# Headline proportions, in display order.
MEASURES: tuple[str, ...] = (
    "accommodation_suitable_end",
    "accommodation_confirmed_before_release",
    "ete_suitable_end",
    "ete_hours_attended",
    "reoffended",
)
# Bins of days between accommodation confirmation and release: (code, lowest, highest) days before release.
DAY_BINS: tuple[tuple[str, int, int], ...] = (
    ("before_29_plus", 29, 10_000),
    ("before_15_28", 15, 28),
    ("before_8_14", 8, 14),
    ("before_1_7", 1, 7),
    ("on_the_day", 0, 0),
    ("after_1_7", -7, -1),
    ("after_8_plus", -10_000, -8),
)


# --------------------------------------------------------------------------------------------- intervals


def as_float(value: object) -> float:
    """A Polars aggregate (``Series.mean()``, ``median()``, ``var()``) as a float: Polars types it as any Python
    value, or None for an empty or all-null series, which is an error here as ``float(None)`` would be."""
    if not isinstance(value, int | float):
        raise TypeError(f"not a number: {value!r}")
    return float(value)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float | None, float | None]:
    """Wilson score interval for ``k`` successes out of ``n`` (``(None, None)`` when ``n`` is 0).

    Unlike the normal ("Wald") interval it stays inside [0, 1] and keeps its coverage for rates near 0 or 1 and
    for small ``n``, which is the usual case for Welsh areas.
    """
    if n <= 0:
        return None, None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _ratio_ci(num: pl.Series, den: pl.Series, z: float = Z95) -> tuple[float | None, float | None, float | None]:
    """Ratio of totals ``sum(num) / sum(den)`` with a delta-method interval (clipped to [0, 1])."""
    n = num.len()
    total = float(den.sum()) if n else 0.0
    if n == 0 or total <= 0:
        return None, None, None
    r = float(num.sum()) / total
    if n < 2:
        return r, None, None
    resid = (num - r * den).cast(pl.Float64)
    se = math.sqrt(float((resid**2).sum()) / (n - 1) / n) / (total / n)
    return r, max(0.0, r - z * se), min(1.0, r + z * se)


# --------------------------------------------------------------------------------------- case-level outcomes


def case_outcomes(cases: pl.DataFrame, outcomes: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """One row per case with every outcome this module measures, null where it does not apply or is unknown.

    Adds: ``ended``, ``released`` (custody/remand released by ``as_of`` with a valid release date),
    ``days_before_release``, ``accommodation_confirmed_before_release`` and ``ete_hours_valid`` (hours offered > 0
    and attended recorded and within offered). Proven reoffending is not here: it is a measure of children, not
    episodes (:mod:`resettlement.reoffending`).
    """
    o = outcomes.drop([c for c in outcomes.columns if c != "case_id" and c in cases.columns])
    df = cases.join(o, on="case_id", how="left")
    secure = pl.col("cohort").is_in(list(SECURE_COHORTS))
    released = (
        secure
        & pl.col("release_date").is_not_null()
        & (pl.col("release_date") <= as_of)
        & (pl.col("release_date") >= pl.col("start_date"))
    )
    days = (pl.col("release_date") - pl.col("accommodation_confirmed_date")).dt.total_days()
    df = df.with_columns(
        pl.col("end_date").is_not_null().alias("ended"),
        released.alias("released"),
        pl.when(released).then(days).alias("days_before_release"),
        (
            (pl.col("ete_hours_offered") > 0)
            & pl.col("ete_hours_attended").is_not_null()
            & (pl.col("ete_hours_attended") <= pl.col("ete_hours_offered"))
        )
        .fill_null(False)
        .alias("ete_hours_valid"),
    )
    return df.with_columns((pl.col("days_before_release") > 0).alias("accommodation_confirmed_before_release"))


# --------------------------------------------------------------------------------------------- headline


def _proportion(measure: str, k: int, n: int, not_recorded: int) -> dict:
    lo, hi = wilson(k, n)
    return {
        "measure": measure,
        "numerator": k,
        "denominator": n,
        "rate": k / n if n else None,
        "ci_low": lo,
        "ci_high": hi,
        "not_recorded": not_recorded,
    }


def headline(rows: pl.DataFrame, reoff: Mapping[str, int] | None = None) -> pl.DataFrame:
    """One row per measure in :data:`MEASURES` for frames from :func:`case_outcomes`.

    Columns: ``measure``, ``numerator``, ``denominator``, ``rate``, ``ci_low``, ``ci_high``, ``not_recorded``
    (eligible but unrecorded). The ``reoffended`` row is the one proven reoffending figure of the selection and
    period, ``reoff`` (:func:`reoffending_parts`): children, not episodes; left out when not given.
    """
    out = []
    for col in ("accommodation_suitable_end", "ete_suitable_end"):
        ended = rows.filter(pl.col("ended"))
        rec = ended[col].drop_nulls()
        out.append(_proportion(col, int(rec.sum()), rec.len(), ended.height - rec.len()))
    rel = rows.filter(pl.col("released"))
    conf = rel["accommodation_confirmed_before_release"].drop_nulls()
    out.append(
        _proportion("accommodation_confirmed_before_release", int(conf.sum()), conf.len(), rel.height - conf.len())
    )
    offered = rows.filter(pl.col("ete_hours_offered") > 0)
    valid = offered.filter(pl.col("ete_hours_valid"))
    r, lo, hi = _ratio_ci(valid["ete_hours_attended"], valid["ete_hours_offered"])
    out.append(
        {
            "measure": "ete_hours_attended",
            "numerator": None,
            "denominator": valid.height,
            "rate": r,
            "ci_low": lo,
            "ci_high": hi,
            "not_recorded": offered.height - valid.height,
        }
    )
    if reoff is not None:
        out.append(_proportion("reoffended", reoff["numerator"], reoff["denominator"], reoff["not_recorded"]))
    order = {m: i for i, m in enumerate(MEASURES)}
    schema = {
        "measure": pl.String,
        "numerator": pl.Int64,
        "denominator": pl.Int64,
        "rate": pl.Float64,
        "ci_low": pl.Float64,
        "ci_high": pl.Float64,
        "not_recorded": pl.Int64,
    }
    return pl.DataFrame(out, schema=schema).sort(pl.col("measure").replace_strict(order))


def headline_compare(
    groups: dict[str, pl.DataFrame], reoff: Mapping[str, Mapping[str, int]] | None = None
) -> pl.DataFrame:
    """:func:`headline` for several named selections (e.g. the area and Wales), stacked with a ``group`` column;
    ``reoff`` gives each group's proven reoffending parts (:func:`reoffending_parts`)."""
    return pl.concat(
        [
            headline(rows, (reoff or {}).get(name)).select(pl.lit(name).alias("group"), pl.all())
            for name, rows in groups.items()
        ]
    )


def reoffending_parts(tables: Tables, f: Filters, as_of: date) -> dict[str, int]:
    """The MoJ measure's reoffenders (``numerator``), children recorded (``denominator``) and ``not_recorded``
    for the selection and period, from :func:`resettlement.reoffending.for_period`: the same figure everywhere."""
    p = reoffending.parts(tables, f, as_of)
    return {"numerator": p["reoffenders"], "denominator": p["recorded"], "not_recorded": p["not_recorded"]}


# ------------------------------------------------------------------------------------ accommodation timing


def confirmation_days(rows: pl.DataFrame) -> pl.DataFrame:
    """Released custody and remand episodes by days between accommodation confirmation and release.

    One row per bin of :data:`DAY_BINS` (``bin``, ``when`` = ``before`` or ``on_or_after``, ``episodes``,
    ``share`` of the recorded total, ``recorded``).
    """
    days = rows.filter(pl.col("released"))["days_before_release"].drop_nulls()
    total = days.len()
    out = []
    for code, lo, hi in DAY_BINS:
        k = int(days.is_between(lo, hi).sum())
        out.append(
            {
                "bin": code,
                "when": "before" if lo >= 1 else "on_or_after",
                "episodes": k,
                "share": k / total if total else None,
                "recorded": total,
            }
        )
    return pl.DataFrame(
        out,
        schema={"bin": pl.String, "when": pl.String, "episodes": pl.Int64, "share": pl.Float64, "recorded": pl.Int64},
    )


def confirmation_summary(rows: pl.DataFrame) -> pl.DataFrame:
    """One row: released episodes with a confirmation date ``recorded`` and ``not_recorded``; ``late`` (confirmed
    on the day of release or after) and ``late_rate`` with its Wilson interval; ``median_days_before``."""
    rel = rows.filter(pl.col("released"))
    days = rel["days_before_release"].drop_nulls()
    late = int((days <= 0).sum())
    lo, hi = wilson(late, days.len())
    row = {
        "recorded": days.len(),
        "not_recorded": rel.height - days.len(),
        "late": late,
        "late_rate": late / days.len() if days.len() else None,
        "ci_low": lo,
        "ci_high": hi,
        "median_days_before": as_float(days.median()) if days.len() else None,
    }
    return pl.DataFrame(
        [row],
        schema={
            "recorded": pl.Int64,
            "not_recorded": pl.Int64,
            "late": pl.Int64,
            "late_rate": pl.Float64,
            "ci_low": pl.Float64,
            "ci_high": pl.Float64,
            "median_days_before": pl.Float64,
        },
    )


# ------------------------------------------------------------------------------------- what the page shows


def groups_of(f: Filters) -> dict[str, Filters]:
    """The selection (``area``) and, unless it is every area in scope already, Wales (``wales``)."""
    return {"area": f} if f.area.level == "wales" else {"area": f, "wales": replace(f, area=Area())}


def figures(tables: Tables, f: Filters, as_of: date, quarters: Sequence[str]) -> dict[str, pl.DataFrame]:
    """What the Outcomes page shows above the evaluation, unprotected: ``headline`` (:func:`headline_compare` of the
    groups of :func:`groups_of` over the period), the selection's ``confirmation`` summary and ``days`` bins,
    ``reoffending`` (:func:`resettlement.reoffending.for_period` of the selection: the MoJ measure, its custody and
    community parts, and remand on its own) and ``by_cohort`` (the MoJ measure by quarterly cohort over every
    quarter, per group)."""
    cases = tables["cases"]
    chosen = groups_of(f)
    now = {k: case_outcomes(select_cases(cases, v), tables["outcomes"], as_of) for k, v in chosen.items()}
    parts = {k: reoffending_parts(tables, v, as_of) for k, v in chosen.items()}
    by_q = pl.concat(
        [
            reoffending.by_quarter(tables, v, as_of, quarters).select(pl.lit(k).alias("group"), pl.all())
            for k, v in chosen.items()
        ]
    )
    return {
        "headline": headline_compare(now, parts),
        "confirmation": confirmation_summary(now["area"]),
        "days": confirmation_days(now["area"]),
        "reoffending": reoffending.for_period(tables, f, as_of),
        "by_cohort": by_q,
    }


# ------------------------------------------------------------------------- disclosure specs and display

# Rates are judged on (numerator, denominator): hidden when the denominator is under the threshold or when the
# numerator or its complement is a small count (rate × denominator would give it back). Intervals follow their rate.
HEADLINE_COUNTS = ("denominator", "not_recorded")
HEADLINE_RATES = {c: ("numerator", "denominator") for c in ("rate", "ci_low", "ci_high")}
CONFIRMATION_COUNTS = ("recorded", "not_recorded")
CONFIRMATION_RATES: dict[str, str | tuple[str, str]] = {
    **{c: ("late", "recorded") for c in ("late_rate", "ci_low", "ci_high")},
    "median_days_before": "recorded",
}
DAYS_COUNTS = ("episodes", "recorded")  # each bin's episodes, and the episodes with a date (repeated in every row)
DAYS_RATES = {"share": ("episodes", "recorded")}
# Proven reoffending (children, MoJ): declared once in resettlement.reoffending, named here too for the registry.
REOFFENDING_COUNTS = reoffending.COUNTS
REOFFENDING_RATES = reoffending.RATES


# Columns of the tables the Outcomes page shows (and their percentage columns).
HEADLINE_TABLE = ("group", "measure", "rate", "ci_low", "ci_high", "denominator", "not_recorded")
DAYS_TABLE = ("bin", "when", "episodes", "share", "recorded")
# The reoffending figures both reoffending tables show: the rate, the frequencies and what they are based on.
_REOFFENDING_FIGURES = (
    *("rate", "ci_low", "ci_high"),
    *("per_offender", "per_offender_low", "per_offender_high"),
    *("reoffenders_counted", "per_reoffender", "per_reoffender_low", "per_reoffender_high"),
)
REOFFENDING_TABLE = (
    *("measure", "children", "recorded", "not_recorded", "from_flag", "reoffenders"),
    *_REOFFENDING_FIGURES,
    *("days_base", "days_median", "open"),
)
COHORT_TABLE = (
    *("quarter", "group", "status", "final_from", "children", "recorded", "reoffenders"),
    *_REOFFENDING_FIGURES,
    "days_median",
)
RATE_PERCENT = ("rate", "ci_low", "ci_high")
# Reoffending columns whose label differs from a column of the same name in the other tables (catalog keys).
REOFFENDING_KEYS = {"recorded": "reoff_recorded", "measure": "reoff_measure"}
# Decimals of the reoffending tables' non-percentage columns: frequencies to 2, days whole.
REOFFENDING_DECIMALS = {**{c: 2 for c in REOFFENDING_RATES if c.startswith("per_")}, "days_median": 0}


def to_percent(df: pl.DataFrame, cols: Sequence[str]) -> pl.DataFrame:
    """Proportions in ``cols`` as percentages (for display; suppressed cells stay null)."""
    return df.with_columns(pl.col(c) * 100 for c in cols if c in df.columns)


def relabel(df: pl.DataFrame, names: Mapping[str, str], percent: Sequence[str] = ()) -> pl.DataFrame:
    """Keep the columns in ``names`` (with their disclosure notes) and rename them, notes following; ``percent``
    proportions become percentages (:func:`to_percent`). Every page's protected tables go through it."""
    note = disclosure.NOTE_SUFFIX
    df = to_percent(df, percent)
    keep = [c for c in names if c in df.columns]
    notes = {c + note: names[c] + note for c in keep if c + note in df.columns}
    return df.select(*keep, *notes).rename({**{c: names[c] for c in keep}, **notes})


def texts(protected: pl.DataFrame, percent: Sequence[str] = (), decimals: int = 1) -> list[dict[str, str]]:
    """Every protected cell as display text: the note code where hidden, a percentage for ``percent`` columns
    (proportions × 100, one decimal), a whole number with thousands separators for integers, else ``decimals``."""
    out = []
    for row in protected.iter_rows(named=True):
        shown = {}
        for c in disclosure.protected_columns(protected):
            v, note = row[c], row[c + disclosure.NOTE_SUFFIX]
            if note or v is None:
                shown[c] = note or disclosure.NOT_APPLICABLE
            elif c in percent:
                shown[c] = f"{v * 100:.1f}%"
            elif isinstance(v, int):
                shown[c] = f"{v:,}"
            else:
                shown[c] = f"{v:,.{decimals}f}"
        out.append(shown)
    return out

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
- **Proven reoffending** (Ministry of Justice definition): the *index date* is the release date for custody and
  remand and the start date for community episodes. A reoffence is an offence within 12 months of the index date
  proven within a further 6 months, so an episode counts only once index date + 18 months is on or before the
  data's as-of date (*follow-up complete*). Cohorts are calendar quarters of the index date; a cohort is *final*
  once the last day of its quarter + 18 months is on or before the as-of date, and until then it is *open*: its
  rate is not shown, because it would only be reoffending *so far*. Binary rate = reoffenders ÷ episodes with
  reoffending recorded; frequency per child = proven reoffences ÷ episodes, per reoffender = proven reoffences ÷
  reoffenders (reoffenders whose count was not recorded are left out of both frequencies).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

import polars as pl

from resettlement import disclosure
from resettlement.filters import Area, Filters, quarter_bounds, quarter_expr, select_cases
from resettlement.standard import SECURE_COHORTS

Z95 = 1.96
FOLLOW_UP_MONTHS = 12
WAITING_MONTHS = 6
WINDOW = f"{FOLLOW_UP_MONTHS + WAITING_MONTHS}mo"  # Polars offset: month ends clamp (31 Aug + 18mo = 28 Feb)

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


def _mean_ci(values: pl.Series, z: float = Z95) -> tuple[float | None, float | None, float | None]:
    """Mean of a count with a normal interval (sample standard deviation), floored at 0."""
    n = values.len()
    if n == 0:
        return None, None, None
    mean = float(values.mean())
    if n < 2:
        return mean, None, None
    half = z * float(values.std()) / math.sqrt(n)
    return mean, max(0.0, mean - half), mean + half


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
    ``days_before_release``, ``accommodation_confirmed_before_release``, ``ete_hours_valid`` (hours offered > 0
    and attended recorded and within offered), ``index_date``, ``index_quarter``, ``final_from`` (index + 18
    months), ``reoffending_status`` (``complete``, ``open`` or ``no_index``) and ``reoffended_final`` (the
    proven reoffending flag, only where follow-up is complete).
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
    index = pl.when(pl.col("cohort") == "community").then(pl.col("start_date")).when(released).then(
        pl.col("release_date")
    )
    df = df.with_columns(
        pl.col("end_date").is_not_null().alias("ended"),
        released.alias("released"),
        pl.when(released).then(days).alias("days_before_release"),
        index.alias("index_date"),
        (
            (pl.col("ete_hours_offered") > 0)
            & pl.col("ete_hours_attended").is_not_null()
            & (pl.col("ete_hours_attended") <= pl.col("ete_hours_offered"))
        ).fill_null(False).alias("ete_hours_valid"),
    )
    final_from = pl.col("index_date").dt.offset_by(WINDOW)
    return df.with_columns(
        (pl.col("days_before_release") > 0).alias("accommodation_confirmed_before_release"),
        quarter_expr("index_date").alias("index_quarter"),
        final_from.alias("final_from"),
        pl.when(pl.col("index_date").is_null())
        .then(pl.lit("no_index"))
        .when(final_from <= as_of)
        .then(pl.lit("complete"))
        .otherwise(pl.lit("open"))
        .alias("reoffending_status"),
    ).with_columns(
        pl.when(pl.col("reoffending_status") == "complete").then(pl.col("reoffended")).alias("reoffended_final"),
    )


def cohort_rows(cases: pl.DataFrame, outcomes: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Only what :func:`reoffending_by_cohort` reads, for cases with an index date: ``index_quarter``,
    ``reoffended`` and ``reoffences``, exactly as :func:`case_outcomes` gives them. Cohorts span every period, so
    this runs over every case; the full :func:`case_outcomes` would work out a dozen columns it never reads."""
    released = (pl.col("cohort").is_in(list(SECURE_COHORTS)) & (pl.col("release_date") <= as_of)
                & (pl.col("release_date") >= pl.col("start_date")))
    index = pl.when(pl.col("cohort") == "community").then(pl.col("start_date")).when(released).then(
        pl.col("release_date"))
    return (
        cases.lazy().select("case_id", index.alias("index_date")).drop_nulls("index_date")
        .join(outcomes.lazy().select("case_id", "reoffended", "reoffences"), on="case_id", how="left")
        .select(quarter_expr("index_date").alias("index_quarter"), "reoffended", "reoffences")
        .collect()
    )


# --------------------------------------------------------------------------------------------- headline


def _proportion(measure: str, k: int, n: int, not_recorded: int) -> dict:
    lo, hi = wilson(k, n)
    return {"measure": measure, "numerator": k, "denominator": n, "rate": k / n if n else None, "ci_low": lo,
            "ci_high": hi, "not_recorded": not_recorded}


def headline(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per measure in :data:`MEASURES` for frames from :func:`case_outcomes`.

    Columns: ``measure``, ``numerator``, ``denominator``, ``rate``, ``ci_low``, ``ci_high``, ``not_recorded``
    (eligible but unrecorded; for reoffending, the episodes still in follow-up are reported by
    :func:`reoffending_summary`, not here).
    """
    out = []
    for col in ("accommodation_suitable_end", "ete_suitable_end"):
        ended = rows.filter(pl.col("ended"))
        rec = ended[col].drop_nulls()
        out.append(_proportion(col, int(rec.sum()), rec.len(), ended.height - rec.len()))
    rel = rows.filter(pl.col("released"))
    conf = rel["accommodation_confirmed_before_release"].drop_nulls()
    out.append(_proportion("accommodation_confirmed_before_release", int(conf.sum()), conf.len(),
                           rel.height - conf.len()))
    offered = rows.filter(pl.col("ete_hours_offered") > 0)
    valid = offered.filter(pl.col("ete_hours_valid"))
    r, lo, hi = _ratio_ci(valid["ete_hours_attended"], valid["ete_hours_offered"])
    out.append({"measure": "ete_hours_attended", "numerator": None, "denominator": valid.height, "rate": r,
                "ci_low": lo, "ci_high": hi, "not_recorded": offered.height - valid.height})
    done = rows.filter(pl.col("reoffending_status") == "complete")
    reo = done["reoffended_final"].drop_nulls()
    out.append(_proportion("reoffended", int(reo.sum()), reo.len(), done.height - reo.len()))
    order = {m: i for i, m in enumerate(MEASURES)}
    schema = {"measure": pl.String, "numerator": pl.Int64, "denominator": pl.Int64, "rate": pl.Float64,
              "ci_low": pl.Float64, "ci_high": pl.Float64, "not_recorded": pl.Int64}
    return pl.DataFrame(out, schema=schema).sort(pl.col("measure").replace_strict(order))


def headline_compare(groups: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """:func:`headline` for several named selections (e.g. the area and Wales), stacked with a ``group`` column."""
    return pl.concat([headline(rows).select(pl.lit(name).alias("group"), pl.all()) for name, rows in groups.items()])


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
        out.append({"bin": code, "when": "before" if lo >= 1 else "on_or_after", "episodes": k,
                    "share": k / total if total else None, "recorded": total})
    return pl.DataFrame(out, schema={"bin": pl.String, "when": pl.String, "episodes": pl.Int64,
                                     "share": pl.Float64, "recorded": pl.Int64})


def confirmation_summary(rows: pl.DataFrame) -> pl.DataFrame:
    """One row: released episodes with a confirmation date ``recorded`` and ``not_recorded``; ``late`` (confirmed
    on the day of release or after) and ``late_rate`` with its Wilson interval; ``median_days_before``."""
    rel = rows.filter(pl.col("released"))
    days = rel["days_before_release"].drop_nulls()
    late = int((days <= 0).sum())
    lo, hi = wilson(late, days.len())
    row = {"recorded": days.len(), "not_recorded": rel.height - days.len(), "late": late,
           "late_rate": late / days.len() if days.len() else None, "ci_low": lo, "ci_high": hi,
           "median_days_before": float(days.median()) if days.len() else None}
    return pl.DataFrame([row], schema={"recorded": pl.Int64, "not_recorded": pl.Int64, "late": pl.Int64,
                                       "late_rate": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64,
                                       "median_days_before": pl.Float64})


# ---------------------------------------------------------------------------------------------- reoffending


def _reoffending_stats(group: pl.DataFrame) -> dict:
    rec = group.filter(pl.col("reoffended").is_not_null())
    n = rec.height
    k = int(rec["reoffended"].sum()) if n else 0
    lo, hi = wilson(k, n)
    counted = rec.filter(~pl.col("reoffended") | pl.col("reoffences").is_not_null())
    per_child = counted.select(pl.when(pl.col("reoffended")).then(pl.col("reoffences")).otherwise(0))
    f, f_lo, f_hi = _mean_ci(per_child.to_series().cast(pl.Float64))
    g, g_lo, g_hi = _mean_ci(counted.filter(pl.col("reoffended"))["reoffences"].cast(pl.Float64))
    return {"episodes": n, "reoffenders": k, "rate": k / n if n else None, "ci_low": lo, "ci_high": hi,
            "frequency_base": counted.height, "per_child": f, "per_child_low": f_lo, "per_child_high": f_hi,
            "reoffenders_counted": int(counted["reoffended"].sum()) if counted.height else 0,
            "per_reoffender": g, "per_reoffender_low": g_lo, "per_reoffender_high": g_hi}


_REOFF_SCHEMA = {
    "episodes": pl.Int64, "reoffenders": pl.Int64, "rate": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64,
    "frequency_base": pl.Int64, "per_child": pl.Float64, "per_child_low": pl.Float64, "per_child_high": pl.Float64,
    "reoffenders_counted": pl.Int64, "per_reoffender": pl.Float64, "per_reoffender_low": pl.Float64,
    "per_reoffender_high": pl.Float64,
}


def reoffending_summary(rows: pl.DataFrame) -> pl.DataFrame:
    """One row: proven reoffending among episodes with complete follow-up (as :func:`reoffending_by_cohort`),
    plus how many are ``open`` (still in follow-up) or have ``no_index`` date (custody and remand not yet
    released, or release date missing or invalid)."""
    done = rows.filter(pl.col("reoffending_status") == "complete")
    out = _reoffending_stats(done)
    status = rows["reoffending_status"]
    out.update(complete=done.height, open=int((status == "open").sum()), no_index=int((status == "no_index").sum()))
    return pl.DataFrame([out], schema={**_REOFF_SCHEMA, "complete": pl.Int64, "open": pl.Int64,
                                       "no_index": pl.Int64})


def reoffending_by_cohort(rows: pl.DataFrame, quarters: list[str], as_of: date) -> pl.DataFrame:
    """Proven reoffending by quarter of the index date, every quarter in ``quarters`` present.

    ``status`` is ``final`` when the quarter's last day + 18 months is on or before ``as_of``, else ``open``;
    ``final_from`` is the first as-of date on which it is final. Open cohorts keep their size (``cohort``,
    episodes with an index date in the quarter) but every other column is null, so they can never be read as
    low rates. The same figures as :func:`_reoffending_stats` per quarter, aggregated in one pass.
    """
    reoffended = pl.col("reoffended")
    counted = reoffended.is_not_null() & (~reoffended | pl.col("reoffences").is_not_null())
    per_child = pl.when(reoffended).then(pl.col("reoffences")).otherwise(0).cast(pl.Float64).filter(counted)
    per_reoffender = pl.col("reoffences").cast(pl.Float64).filter(counted & reoffended)
    agg = rows.filter(pl.col("index_quarter").is_in(list(quarters))).group_by("index_quarter").agg(
        pl.len().alias("cohort"),
        reoffended.count().alias("episodes"),
        reoffended.sum().alias("reoffenders"),
        counted.sum().alias("frequency_base"),
        reoffended.filter(counted).sum().alias("reoffenders_counted"),
        per_child.mean().alias("child_mean"), per_child.std().alias("child_sd"),
        per_reoffender.mean().alias("reoffender_mean"), per_reoffender.std().alias("reoffender_sd"),
        per_reoffender.count().alias("reoffender_n"),
    )
    by_quarter = {r["index_quarter"]: r for r in agg.iter_rows(named=True)}
    out = []
    for q in quarters:
        last = quarter_bounds(q)[1]
        final_from = pl.select(pl.lit(last).dt.offset_by(WINDOW)).item()
        a = by_quarter.get(q)
        n = a["episodes"] if a else 0
        k = int(a["reoffenders"]) if n else 0
        lo, hi = wilson(k, n)
        base = a["frequency_base"] if a else 0
        f, f_lo, f_hi = _mean_ci_of(a["child_mean"] if a else None, a["child_sd"] if a else None, base)
        counted_k = a["reoffender_n"] if a else 0
        g, g_lo, g_hi = _mean_ci_of(a["reoffender_mean"] if a else None, a["reoffender_sd"] if a else None, counted_k)
        stats = {"episodes": n, "reoffenders": k, "rate": k / n if n else None, "ci_low": lo, "ci_high": hi,
                 "frequency_base": base, "per_child": f, "per_child_low": f_lo, "per_child_high": f_hi,
                 "reoffenders_counted": int(a["reoffenders_counted"]) if base else 0,
                 "per_reoffender": g, "per_reoffender_low": g_lo, "per_reoffender_high": g_hi}
        final = final_from <= as_of
        if not final:
            stats = dict.fromkeys(stats)
        out.append({"quarter": q, "status": "final" if final else "open", "final_from": final_from,
                    "cohort": a["cohort"] if a else 0, **stats})
    schema = {"quarter": pl.String, "status": pl.String, "final_from": pl.Date, "cohort": pl.Int64, **_REOFF_SCHEMA}
    return pl.DataFrame(out, schema=schema)


def _mean_ci_of(mean: float | None, sd: float | None, n: int, z: float = Z95
                ) -> tuple[float | None, float | None, float | None]:
    """:func:`_mean_ci` from a group's mean, sample standard deviation and size."""
    if n == 0:
        return None, None, None
    if n < 2:
        return float(mean), None, None
    half = z * float(sd) / math.sqrt(n)
    return float(mean), max(0.0, mean - half), mean + half


def first_open_quarter(quarters: list[str], as_of: date) -> str | None:
    """The earliest quarter whose reoffending cohort is still open on ``as_of`` (``None`` if all are final)."""
    for q in quarters:
        if pl.select(pl.lit(quarter_bounds(q)[1]).dt.offset_by(WINDOW)).item() > as_of:
            return q
    return None


# ------------------------------------------------------------------------------------- what the page shows


def groups_of(f: Filters) -> dict[str, Filters]:
    """The selection (``area``) and, unless it is every area in scope already, Wales (``wales``)."""
    return {"area": f} if f.area.level == "wales" else {"area": f, "wales": replace(f, area=Area())}


def figures(tables: Mapping[str, pl.DataFrame], f: Filters, as_of: date, quarters: Sequence[str]
            ) -> dict[str, pl.DataFrame]:
    """What the Outcomes page shows above the evaluation, unprotected: ``headline`` (:func:`headline_compare` of the
    groups of :func:`groups_of` over the period), the selection's ``confirmation`` summary and ``days`` bins and
    ``reoffending`` summary, and ``by_cohort`` (reoffending by quarterly cohort over every quarter, per group)."""
    cases = tables["cases"]
    chosen = groups_of(f)
    now = {k: case_outcomes(select_cases(cases, v), tables["outcomes"], as_of) for k, v in chosen.items()}
    history = {k: cohort_rows(select_cases(cases, v, with_period=False), tables["outcomes"], as_of)
               for k, v in chosen.items()}
    by_q = pl.concat([reoffending_by_cohort(h, list(quarters), as_of).select(pl.lit(k).alias("group"), pl.all())
                      for k, h in history.items()])
    return {"headline": headline_compare(now), "confirmation": confirmation_summary(now["area"]),
            "days": confirmation_days(now["area"]), "reoffending": reoffending_summary(now["area"]),
            "by_cohort": by_q}


# ------------------------------------------------------------------------- disclosure specs and display

# Rates are judged on (numerator, denominator): hidden when the denominator is under the threshold or when the
# numerator or its complement is a small count (rate × denominator would give it back). Intervals follow their rate.
HEADLINE_COUNTS = ("denominator", "not_recorded")
HEADLINE_RATES = {c: ("numerator", "denominator") for c in ("rate", "ci_low", "ci_high")}
CONFIRMATION_COUNTS = ("recorded", "not_recorded")
CONFIRMATION_RATES = {**{c: ("late", "recorded") for c in ("late_rate", "ci_low", "ci_high")},
                      "median_days_before": "recorded"}
DAYS_COUNTS = ("episodes", "recorded")  # each bin's episodes, and the episodes with a date (repeated in every row)
DAYS_RATES = {"share": ("episodes", "recorded")}
REOFFENDING_COUNTS = ("episodes", "reoffenders", "frequency_base", "reoffenders_counted")
REOFFENDING_RATES = {
    **{c: ("reoffenders", "episodes") for c in ("rate", "ci_low", "ci_high")},
    **{c: ("reoffenders_counted", "frequency_base") for c in ("per_child", "per_child_low", "per_child_high")},
    **{c: "reoffenders_counted" for c in ("per_reoffender", "per_reoffender_low", "per_reoffender_high")},
}


# Columns of the tables the Outcomes page shows (and their percentage columns).
HEADLINE_TABLE = ("group", "measure", "rate", "ci_low", "ci_high", "denominator", "not_recorded")
DAYS_TABLE = ("bin", "when", "episodes", "share", "recorded")
COHORT_TABLE = ("quarter", "group", "status", "final_from", "cohort", "episodes", "reoffenders", "rate", "ci_low",
                "ci_high", "frequency_base", "per_child", "per_child_low", "per_child_high", "reoffenders_counted",
                "per_reoffender", "per_reoffender_low", "per_reoffender_high")
RATE_PERCENT = ("rate", "ci_low", "ci_high")


def to_percent(df: pl.DataFrame, cols: Sequence[str]) -> pl.DataFrame:
    """Proportions in ``cols`` as percentages (for display; suppressed cells stay null)."""
    return df.with_columns(pl.col(c) * 100 for c in cols if c in df.columns)


def relabel(df: pl.DataFrame, names: Mapping[str, str]) -> pl.DataFrame:
    """Keep the columns in ``names`` (with their disclosure notes) and rename them, notes following."""
    note = disclosure.NOTE_SUFFIX
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

"""Covariate balance before and after matching (standardised mean differences) and the rule that says when the
groups still differ too much for a verdict."""

from __future__ import annotations

import math
from collections.abc import Mapping
from statistics import NormalDist

import polars as pl

from resettlement.evaluation.design import CONTINUOUS, COVARIATES, THRESHOLDS, UNMATCHED
from resettlement.evaluation.estimates import clustered_se, weighted_mean
from resettlement.outcomes import as_float


def _smd(dt: float | None, dc: float | None, sd: float | None) -> float | None:
    """Standardised mean difference (treated − comparison) ÷ ``sd``; undefined (None) on a zero scale unless equal."""
    if dt is None or dc is None or sd is None:
        return None
    if sd == 0:
        return 0.0 if dt == dc else None  # a level all of one group has and none of the other: undefined
    return (dt - dc) / sd


BALANCE_VALUES = ("treated_before", "comparison_before", "treated_after", "comparison_after")
_SCHEMA = {
    "covariate": pl.String,
    "level": pl.String,
    "statistic": pl.String,
    "matched": pl.Boolean,
    "treated_before": pl.Float64,
    "comparison_before": pl.Float64,
    "smd_before": pl.Float64,
    "treated_after": pl.Float64,
    "comparison_after": pl.Float64,
    "smd_after": pl.Float64,
    "z_after": pl.Float64,
    **{f"k_{k}": pl.Int64 for k in BALANCE_VALUES},
}


def balance(m: pl.DataFrame, covariates: tuple[str, ...] = COVARIATES) -> pl.DataFrame:
    """Balance before and after matching for a :func:`match` frame: one row per matched covariate level
    (``statistic`` = ``share``), per covariate not matched on (:data:`UNMATCHED` shares, ``level`` = ``yes``) and
    per continuous covariate (``mean``), with the standardised mean difference before and after and ``matched``
    (whether matching balanced it by construction). ``z_after`` (difference after matching ÷ its child-clustered
    SE) is worked out only for covariates not matched whose |SMD| after matching exceeds the default
    ``max_abs_smd_unmatched``: the only ones whose chance level :func:`flagged` needs.

    The SMD's scale is the pooled standard deviation *before* matching, so before and after are comparable.
    ``k_<column>`` counts the episodes with the level (unweighted), for disclosure control.
    """
    t0, c0 = m.filter(pl.col("treated")), m.filter(~pl.col("treated"))
    t1, c1 = t0.filter(pl.col("matched")), c0.filter(pl.col("matched"))
    rows = []
    for cov in covariates:
        for level in sorted(m[cov].unique().to_list()):
            ind = [(f[cov] == level).cast(pl.Float64) for f in (t0, c0, t1, c1)]
            rows.append(_row(m, cov, level, "share", True, ind, c1["weight"]))
    for cov in UNMATCHED:
        if cov in m.columns:
            ind = [f[cov].cast(pl.Float64) for f in (t0, c0, t1, c1)]
            rows.append(_row(m, cov, "yes", "share", False, ind, c1["weight"]))
    for cov in CONTINUOUS:
        if cov not in m.columns:
            continue
        ok = [f.filter(pl.col(cov).is_not_null()) for f in (t0, c0, t1, c1)]
        rows.append(_row(m, cov, "mean", "mean", False, [f[cov] for f in ok], ok[3]["weight"]))
    return pl.DataFrame(rows, schema=_SCHEMA)


def _row(
    m: pl.DataFrame, cov: str, level: str, stat: str, matched: bool, values: list[pl.Series], w1c: pl.Series
) -> dict:
    """One balance row from the level's values for treated and comparison, before and after matching (``values``:
    0/1 indicators for a ``share``, the values themselves for a ``mean``), weighting the comparison after by
    ``w1c``."""
    x0t, x0c, x1t, x1c = values
    counts = {f"k_{k}": int(x.sum()) if stat == "share" else None for k, x in zip(BALANCE_VALUES, values, strict=True)}
    mt0 = as_float(x0t.mean()) if x0t.len() else None
    mc0 = as_float(x0c.mean()) if x0c.len() else None
    if stat == "share":
        var = [p * (1 - p) for p in (mt0, mc0) if p is not None]
    else:
        var = [as_float(s.var()) for s in (x0t, x0c) if s.len() > 1]
    sd = math.sqrt(sum(var) / len(var)) if len(var) == 2 else None
    mt1 = as_float(x1t.mean()) if x1t.len() else None
    mc1 = weighted_mean(x1c, w1c) if x1c.len() else None
    smd_after = _smd(mt1, mc1, sd)
    large = smd_after is not None and abs(smd_after) > THRESHOLDS["max_abs_smd_unmatched"]
    return {
        "covariate": cov,
        "level": level,
        "statistic": stat,
        "matched": matched,
        "treated_before": mt0,
        "comparison_before": mc0,
        "smd_before": _smd(mt0, mc0, sd),
        "treated_after": mt1,
        "comparison_after": mc1,
        "smd_after": smd_after,
        "z_after": _z_after(m, cov) if large and not matched else None,
        **counts,
    }


def _z_after(m: pl.DataFrame, cov: str) -> float | None:
    """Difference after matching ÷ its child-clustered standard error (as the effect's): is it beyond chance?"""
    x = m.filter(pl.col(cov).is_not_null()).with_columns(pl.col(cov).cast(pl.Float64).alias("y"))
    se = clustered_se(x, "child_id" if "child_id" in x.columns else "_row")
    t1x, c1x = x.filter(pl.col("matched") & pl.col("treated")), x.filter(pl.col("matched") & ~pl.col("treated"))
    mc = weighted_mean(c1x["y"], c1x["weight"]) if c1x.height else None
    if not se or not t1x.height or mc is None:
        return None
    return (as_float(t1x["y"].mean()) - mc) / se


def flagged(bal: pl.DataFrame, thresholds: Mapping[str, float] = THRESHOLDS) -> pl.Series:
    """Which balance rows show the groups still differ after matching: a matched covariate's level when its |SMD|
    exceeds ``max_abs_smd`` (or is undefined); a covariate not matched on when its |SMD| exceeds
    ``max_abs_smd_unmatched`` *and* the difference is beyond chance (|z| above the Bonferroni critical value for
    ``balance_alpha`` over the unmatched rows): with a hundred matched children, chance alone moves a share's SMD
    by 0.2 or more, and only an imbalance that is both large and real should stop the verdict."""
    if bal.is_empty():
        return pl.Series("flagged", [], dtype=pl.Boolean)
    k = max(int((~bal["matched"]).sum()), 1)
    z_crit = NormalDist().inv_cdf(1 - thresholds["balance_alpha"] / (2 * k))
    smd = pl.col("smd_after").abs()
    z = pl.col("z_after").abs() if "z_after" in bal.columns else pl.lit(float("inf"))
    rule = (
        pl.when(pl.col("matched"))
        .then(smd.is_null() | (smd > thresholds["max_abs_smd"]))
        .otherwise((smd > thresholds["max_abs_smd_unmatched"]) & (z > z_crit))
        .fill_null(False)
    )
    return bal.select(rule.alias("flagged")).to_series()


def worst(bal: pl.DataFrame, thresholds: Mapping[str, float]) -> tuple[bool, str | None]:
    """Whether any balance row is :func:`flagged`, and the covariate to name: the flagged one with the largest
    |SMD| after matching, else the largest overall."""
    if bal.is_empty():
        return False, None
    ranked = bal.with_columns(flagged(bal, thresholds)).sort(
        "flagged", pl.col("smd_after").abs(), descending=True, nulls_last=True
    )
    top = ranked.row(0, named=True)
    return bool(top["flagged"]), top["covariate"]

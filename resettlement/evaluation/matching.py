"""Coarsened exact matching: strata of the matching covariates and the weights that make the comparison group
look like the treated one."""

from __future__ import annotations

import polars as pl

from resettlement.evaluation.design import COVARIATES


def match(frame: pl.DataFrame, outcome: str, covariates: tuple[str, ...] = COVARIATES) -> pl.DataFrame:
    """The outcome's analysis sample with ``treated`` (fixed in time for this outcome: ``treated_<outcome>`` when
    the frame has it), ``y`` (the outcome), ``stratum``, ``n_t``/``n_c`` (treated and comparison episodes in the
    stratum), ``matched`` and the CEM ``weight`` (0 when unmatched)."""
    if f"treated_{outcome}" in frame.columns:
        frame = frame.with_columns(pl.col(f"treated_{outcome}").alias("treated"))
    x = frame.filter(pl.col(outcome).is_not_null()).with_columns(
        pl.col(outcome).cast(pl.Float64).alias("y"),
        pl.concat_str([pl.col(c).cast(pl.String) for c in covariates], separator="|").alias("stratum"),
    )
    counts = x.group_by("stratum").agg(
        pl.col("treated").sum().cast(pl.Int64).alias("n_t"), (~pl.col("treated")).sum().cast(pl.Int64).alias("n_c")
    )
    x = x.join(counts, on="stratum", how="left").with_columns(
        ((pl.col("n_t") > 0) & (pl.col("n_c") > 0)).alias("matched")
    )
    nt = x.filter(pl.col("matched") & pl.col("treated")).height
    nc = x.filter(pl.col("matched") & ~pl.col("treated")).height
    scale = nc / nt if nt else 0.0
    weight = (
        pl.when(~pl.col("matched"))
        .then(0.0)
        .when(pl.col("treated"))
        .then(1.0)
        .otherwise(pl.col("n_t") / pl.col("n_c") * scale)
    )
    return x.with_columns(weight.alias("weight"))

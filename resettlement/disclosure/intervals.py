"""Confidence intervals the publication view shows from rounded counts."""

from __future__ import annotations

import polars as pl


def wilson_expr(k: pl.Expr, n: pl.Expr, side: str, z: float = 1.96) -> pl.Expr:
    """One end (``low`` or ``high``) of the Wilson score interval of ``k`` out of ``n`` (the formula of
    ``outcomes.wilson``, as an expression): keeps its coverage at small ``n`` and stays within [0, 1]."""
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * (p * (1 - p) / n + z * z / (4 * n * n)).sqrt() / denom
    return (centre - half).clip(lower_bound=0.0) if side == "low" else (centre + half).clip(upper_bound=1.0)

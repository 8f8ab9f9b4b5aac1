"""The effect estimate on a matched sample: the average effect on the treated with its child-clustered interval,
and the naive (unmatched) difference beside it."""

from __future__ import annotations

import math
from statistics import NormalDist

import polars as pl

from resettlement.evaluation.design import OUTCOMES
from resettlement.outcomes import Z95, as_float


def weighted_mean(values: pl.Series, weights: pl.Series) -> float | None:
    """The mean of ``values`` weighted by ``weights`` (None when the weights sum to zero)."""
    total = float(weights.sum())
    return float((values * weights).sum()) / total if total > 0 else None


def clustered_se(m: pl.DataFrame, cluster: str = "child_id") -> float | None:
    """Child-clustered (CR1) standard error of the weighted difference in means (treated − comparison) of the
    matched rows of a :func:`match` frame: the sandwich variance of the treatment coefficient of the weighted least
    squares regression ``y ~ 1 + treated``, Σ_g u_g² × G/(G−1) × (N−1)/(N−2), where u_g = Σ w·e·T/W_T − Σ w·e·(1−T)/W_C
    over cluster g's rows and e is the residual from its group's weighted mean. Without a ``cluster`` column each
    row is its own cluster (HC1). None with fewer than 3 rows or 2 clusters."""
    x = m.filter(pl.col("matched") & (pl.col("weight") > 0))
    if cluster not in x.columns:
        x = x.with_row_index(cluster)
    n = x.height
    if n < 3:
        return None
    w, y, tr = pl.col("weight"), pl.col("y"), pl.col("treated")
    x = x.with_columns(
        (w.sum().over("treated")).alias("_W"), ((w * y).sum().over("treated") / w.sum().over("treated")).alias("_mean")
    )
    u = (
        x.with_columns((w * (y - pl.col("_mean")) / pl.col("_W") * pl.when(tr).then(1.0).otherwise(-1.0)).alias("_u"))
        .group_by(cluster)
        .agg(pl.col("_u").sum())
    )
    g = u.height
    if g < 2 or x["treated"].n_unique() < 2:
        return None
    var = float((u["_u"] ** 2).sum()) * g / (g - 1) * (n - 1) / (n - 2)
    return math.sqrt(var)


def _interval(diff: float | None, se: float | None, z: float) -> tuple[float | None, float | None]:
    """``diff ± z × se`` (None, None without either)."""
    if diff is None or se is None:
        return None, None
    return diff - z * se, diff + z * se


def estimate(m: pl.DataFrame, tests: int = len(OUTCOMES)) -> dict:
    """Sample sizes, the matched ATT with its child-clustered 95% interval (and the Bonferroni-adjusted interval
    for ``tests`` outcomes tested together), and the naive difference, for a :func:`match` frame."""
    t_all, c_all = m.filter(pl.col("treated")), m.filter(~pl.col("treated"))
    t_m, c_m = t_all.filter(pl.col("matched")), c_all.filter(pl.col("matched"))
    cluster = "child_id" if "child_id" in m.columns else None
    out: dict = {
        "n_treated": t_all.height,
        "n_comparison": c_all.height,
        "n_treated_matched": t_m.height,
        "n_comparison_matched": c_m.height,
        "treated_dropped": t_all.height - t_m.height,
        "strata": m.filter(pl.col("matched"))["stratum"].n_unique(),
        "children_matched": m.filter(pl.col("matched"))[cluster].n_unique() if cluster else None,
    }
    pt = as_float(t_m["y"].mean()) if t_m.height else None
    pc = weighted_mean(c_m["y"], c_m["weight"]) if c_m.height else None
    n_eff = float(c_m["weight"].sum()) ** 2 / float((c_m["weight"] ** 2).sum()) if c_m.height else 0.0
    diff = pt - pc if pt is not None and pc is not None else None
    se = clustered_se(m, cluster or "_row") if diff is not None else None
    z_adj = NormalDist().inv_cdf(1 - 0.05 / (2 * max(tests, 1)))
    out.update(
        treated_events=int(t_m["y"].sum()),
        comparison_events=int(c_m["y"].sum()),
        naive_treated_events=int(t_all["y"].sum()),
        naive_comparison_events=int(c_all["y"].sum()),
    )
    out.update(treated_rate=pt, comparison_rate=pc, comparison_effective=n_eff, difference=diff, se=se)
    out["ci_low"], out["ci_high"] = _interval(diff, se, Z95)
    out["ci_low_adjusted"], out["ci_high_adjusted"] = _interval(diff, se, z_adj)
    qt = as_float(t_all["y"].mean()) if t_all.height else None
    qc = as_float(c_all["y"].mean()) if c_all.height else None
    naive: float | None = None
    nse: float | None = None
    if qt is not None and qc is not None:
        naive = qt - qc
        nse = math.sqrt(qt * (1 - qt) / t_all.height + qc * (1 - qc) / c_all.height)
    out.update(naive_treated_rate=qt, naive_comparison_rate=qc, naive_difference=naive)
    out["naive_ci_low"], out["naive_ci_high"] = _interval(naive, nse, Z95)
    return out

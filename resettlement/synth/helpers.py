"""Small vectorised helpers of the synthetic generator: day numbers, categorical draws, as-of joins, ids, frame
building, blanking and error picking. Pure numpy/Polars on arrays; randomness only through the ``rng`` passed in."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, timedelta

import numpy as np
import polars as pl

from resettlement import standard, store
from resettlement.standard import ENUMS, TABLES
from resettlement.synth.tables import FIELD_MISSING, LATE_REOFFENCE, RECORD_CHECK_LAG, RELEASE_FIELDS, REOFFENCE_DAYS

EPOCH = date(1970, 1, 1)
KEY = 1_000_000  # as-of join keys are group * KEY + day


def default_as_of(today: date | None = None) -> date:
    """The last day of the previous calendar month."""
    return (today or date.today()).replace(day=1) - timedelta(days=1)


def day_number(d: date) -> int:
    return (d - EPOCH).days


def years(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def logit(p: np.ndarray | float) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return np.log(p / (1 - p))


def draw(
    rng: np.random.Generator, probs: Sequence | np.ndarray, group: np.ndarray | None = None, n: int | None = None
) -> np.ndarray:
    """Category index per row; ``probs`` is one distribution, or one row per group (``group`` indexes rows)."""
    p = np.asarray(probs, dtype=float)
    if p.ndim == 1:
        cum = np.cumsum(p / p.sum())
        return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), p.size - 1)
    if group is None:
        raise ValueError("one distribution per group needs the rows' group")
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(group))
    return np.minimum((u[:, None] >= cum[group]).sum(axis=1), p.shape[1] - 1)


def asof(keys: np.ndarray, group: np.ndarray, day: np.ndarray, forward: bool) -> np.ndarray:
    """As-of join on sorted ``keys = group * K + day``: index of the first key on/after (or last on/before) each
    ``(group, day)`` within the same group, or -1."""
    k = KEY
    q = group.astype(np.int64) * k + day.astype(np.int64)
    pos = np.searchsorted(keys, q, side="left") if forward else np.searchsorted(keys, q, side="right") - 1
    ok = (pos >= 0) & (pos < keys.size)
    pos_c = np.clip(pos, 0, max(keys.size - 1, 0))
    if keys.size:
        ok &= keys[pos_c] // k == group
    else:
        ok[:] = False
    return np.where(ok, pos_c, -1)


def hex_ids(prefix: str, n: int, rng: np.random.Generator) -> pl.Series:
    """``n`` distinct hash-like ids: a keyed bijection of 0..n-1 on 40 bits, written as 10 hex digits."""
    mask = np.uint64((1 << 40) - 1)
    x = np.arange(n, dtype=np.uint64)
    key1, key2 = (np.uint64(v) for v in rng.integers(0, 1 << 40, 2))
    x = (x * np.uint64(0x9E3779B1) + key1) & mask  # odd multiplier: a bijection mod 2**40
    x ^= x >> np.uint64(17)
    x = (x * np.uint64(0x85EBCA6B)) & mask
    x ^= x >> np.uint64(13)
    x = (x + key2) & mask
    shifts = np.arange(36, -1, -4, dtype=np.uint64)
    nibbles = ((x[:, None] >> shifts) & np.uint64(15)).astype(np.uint8)
    chars = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)[nibbles]
    text = np.ascontiguousarray(chars).view("S10").ravel().astype("U10")
    return pl.select(pl.lit(prefix) + pl.Series(text, dtype=pl.String)).to_series()


def seq_ids(prefix: str, n: int) -> pl.Series:
    width = max(7, len(str(n)))
    return pl.select(pl.lit(prefix) + pl.int_range(1, n + 1, eager=True).cast(pl.String).str.zfill(width)).to_series()


def _series(f: standard.Field, v: np.ndarray | pl.Series) -> pl.Series:
    """A standard column from a working array: float with NaN for missing, or enum codes with -1 for missing."""
    if isinstance(v, pl.Series):
        return v.alias(f.name)
    if f.dtype == "enum":
        if f.enum is None:
            raise ValueError(f"enum column {f.name} names no enumeration")
        idx = pl.Series(np.where(v >= 0, v, np.nan), nan_to_null=True).cast(pl.UInt32)
        return pl.Series(f.name, ENUMS[f.enum], dtype=pl.String).gather(idx).alias(f.name)
    s = pl.Series(f.name, v, nan_to_null=v.dtype.kind == "f")
    if f.dtype == "date":
        return s.cast(pl.Int32).cast(pl.Date)
    return s.cast(store.POLARS_TYPES[f.dtype])


def frame(name: str, cols: dict[str, np.ndarray | pl.Series]) -> pl.DataFrame:
    table = TABLES[name]
    df = pl.DataFrame([_series(f, cols[f.name]) for f in table.fields])
    return df.select(pl.col(c).cast(t) for c, t in store.polars_schema(table).items())


def blank(
    rng: np.random.Generator,
    table: str,
    cols: Mapping[str, np.ndarray | pl.Series],
    rate: np.ndarray,
    fields: Collection[str] | None = None,
) -> None:
    """Blank expected and conditional fields in place, row by row at ``rate`` times the field's multiplier (ids,
    held as Polars series, are never blank). ``fields`` names the fields to blank; by default every field but the
    release-planning ones (:data:`RELEASE_FIELDS`), which are blanked on their own stream."""
    for f in TABLES[table].fields:
        if f.status not in ("expected", "conditional"):
            continue
        wanted = f.name in fields if fields is not None else f"{table}.{f.name}" not in RELEASE_FIELDS
        if not wanted:
            continue
        arr = cols[f.name]
        if isinstance(arr, pl.Series):
            continue
        p = np.minimum(rate * FIELD_MISSING.get(f"{table}.{f.name}", 1.0), 0.6)
        m = rng.random(rate.size) < p
        if arr.dtype.kind == "f":
            arr[m] = np.nan
        else:
            arr[m] = -1


def pick(rng: np.random.Generator, eligible: np.ndarray, rate: float) -> np.ndarray:
    """Indices of a random ``rate`` share of the eligible rows (at least one when there are 200 or more)."""
    idx = np.flatnonzero(eligible)
    k = int(rng.binomial(idx.size, rate)) if idx.size else 0
    if k == 0 and idx.size >= 200:
        k = 1
    return np.sort(rng.choice(idx, size=k, replace=False)) if k else idx[:0]


def reoffence_dates(
    rng: np.random.Generator, index_day: np.ndarray, p: np.ndarray, t1: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """First proven reoffence dates, the record's check date and the hand-filled flag, for index days (NaN: none).

    A case reoffends (inside 12 + 6 months) with probability ``p``; see :data:`REOFFENCE_DAYS` and
    :data:`LATE_REOFFENCE` for the dates. What was proven after the as-of date is not known yet (blank). The flag
    says what the dates show *so far*, as a worker filling it in would.
    """
    n = index_day.size
    has = ~np.isnan(index_day)
    idx = np.nan_to_num(index_day, nan=0.0)
    rd = REOFFENCE_DAYS
    reoffends = has & (rng.random(n) < np.clip(p, 0.0, 1.0))
    offence = idx + np.minimum(1 + np.floor(rng.exponential(rd["offence_scale"], n)), rd["offence_max"])
    proven = offence + np.minimum(rd["proven_min"] + np.floor(rng.exponential(rd["proven_scale"], n)), rd["proven_max"])
    u = rng.random(n)
    late = has & ~reoffends & (u < LATE_REOFFENCE["after_12_months"])
    too_late = has & ~reoffends & ~late & (u < LATE_REOFFENCE["after_12_months"] + LATE_REOFFENCE["proven_too_late"])
    offence = np.where(
        late, idx + rng.integers(370, 901, n), np.where(too_late, idx + rng.integers(200, 331, n), offence)
    )
    proven = np.where(
        late, offence + rng.integers(14, 181, n), np.where(too_late, idx + rng.integers(560, 701, n), proven)
    )
    known = (reoffends | late | too_late) & (proven <= t1)
    checked = np.where(has, np.maximum(t1 - rng.integers(0, RECORD_CHECK_LAG + 1, n), idx), np.nan)
    flag = np.where(has, (reoffends & known).astype(float), np.nan)
    return np.where(known, offence, np.nan), np.where(known, proven, np.nan), checked, flag

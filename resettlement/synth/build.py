"""Run the synthetic generator's stages in order, and build the demo database from their output."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import numpy as np
import polars as pl

from resettlement import standard, store
from resettlement.synth.assemble import assemble
from resettlement.synth.cases import generate_cases
from resettlement.synth.helpers import day_number, default_as_of
from resettlement.synth.needs import generate_needs
from resettlement.synth.outcomes import generate_outcomes
from resettlement.synth.release import generate_release
from resettlement.synth.rrp import generate_rrp
from resettlement.synth.state import Synth
from resettlement.synth.tables import PERIOD_START, SCENARIOS, Progress


def generate(
    scale: float = 1.0,
    seed: int = 2016,
    as_of: date | None = None,
    progress: Progress | None = None,
    scenario: str = "matched",
) -> dict[str, pl.DataFrame]:
    """Synthetic data for every table of the standard, with the standard's Polars schema.

    Same ``(scale, seed, as_of, scenario)`` gives identical frames. ``as_of`` defaults to the last day of the
    previous month. ``scenario`` is one of :data:`SCENARIOS`.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario must be one of {', '.join(SCENARIOS)}")
    as_of = as_of or default_as_of()
    if as_of < PERIOD_START:
        raise ValueError(f"as_of must be on or after {PERIOD_START.isoformat()}")
    # One independent stream per stage, so a change in one stage does not reshuffle the others.
    s = Synth(
        scale=scale,
        as_of=as_of,
        hidden=scenario == "hidden_selection",
        streams=np.random.default_rng(seed).spawn(8),
        progress=progress,
        t0=day_number(PERIOD_START),
        t1=day_number(as_of),
    )
    generate_cases(s)  # stream 0
    generate_needs(s)  # stream 1
    generate_rrp(s)  # stream 2
    generate_outcomes(s)  # stream 3
    generate_release(s)  # stream 7 (added with data standard 1.2, so streams 0-6 draw as before)
    return assemble(s)  # streams 4 (ids), 5 (blanks), 6 (errors)


class RealDataError(ValueError):
    """The target database holds real data, which the synthetic demo must never replace."""


def refuse_real_data(url: str) -> None:
    """Raise :class:`RealDataError` when ``url`` is a database whose data is not synthetic."""
    if not store.database_exists(url):
        return
    with store.get_engine(url).connect() as conn:
        meta = store.read_meta_in(conn)  # empty when the database has no tables yet
    if meta and meta.get("synthetic") != "1":
        raise RealDataError(
            f"{store.display_url(url)} holds real data (imported, not synthetic): the demo never "
            "replaces it; give another --db"
        )


def build_demo(
    url: str,
    scale: float = 1.0,
    seed: int = 2016,
    as_of: date | None = None,
    progress: Progress | None = None,
    scenario: str = "matched",
) -> dict[str, int]:
    """Generate synthetic data and replace the whole dataset at ``url``; returns row counts per table. A database
    holding real (imported) data is never replaced: :class:`RealDataError`."""
    refuse_real_data(url)
    as_of = as_of or default_as_of()

    def gen_progress(fraction: float, message: str) -> None:
        if progress is not None:
            progress(0.7 * fraction, message)

    frames = generate(scale=scale, seed=seed, as_of=as_of, progress=gen_progress, scenario=scenario)
    meta = {
        "as_of": as_of.isoformat(),
        "synthetic": "1",
        "seed": str(seed),
        "scale": str(scale),
        "scenario": scenario,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_version": f"synthetic-{as_of.isoformat()}-s{seed}-x{scale:g}-{uuid.uuid4().hex[:12]}",
        "standard_version": standard.VERSION,
    }
    if progress is not None:
        progress(0.7, "Writing to the database")
    store.replace_all(store.get_engine(url), frames, meta)
    store.write_snapshot(url, meta["data_version"], frames)  # the app reads this instead of every row through SQL
    if progress is not None:
        progress(1.0, "Database ready")
    return {name: df.height for name, df in frames.items()}

"""The working state of one synthetic generation, handed from stage to stage.

Parameters and random streams are set at the start; each stage reads the arrays earlier stages built and adds its
own (numpy arrays, one row per case unless the comment says otherwise; floats use NaN and enum codes -1 for blank).
Stage ``k`` draws only from ``streams[k]`` (see :func:`resettlement.synth.build.generate`), in a fixed order, so the
same seed gives the same data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from resettlement.synth.tables import Progress


@dataclass
class Synth:
    """Parameters, random streams and the arrays built so far."""

    scale: float
    as_of: date
    hidden: bool  # the "hidden_selection" scenario
    streams: list[np.random.Generator]
    progress: Progress | None
    t0: int  # day number of PERIOD_START
    t1: int  # day number of as_of

    # authorities (22)
    la_codes: tuple[str, ...] = field(init=False)
    la_police: np.ndarray = field(init=False)  # police force area index per authority

    # cases
    n: int = field(init=False)
    start: np.ndarray = field(init=False)
    cohort: np.ndarray = field(init=False)  # COHORTS index: custody, remand, community
    custody: np.ndarray = field(init=False)
    remand: np.ndarray = field(init=False)
    secure: np.ndarray = field(init=False)
    la: np.ndarray = field(init=False)
    police: np.ndarray = field(init=False)
    sex: np.ndarray = field(init=False)
    age: np.ndarray = field(init=False)
    dob: np.ndarray = field(init=False)
    ethnicity: np.ndarray = field(init=False)
    release: np.ndarray = field(init=False)
    end: np.ndarray = field(init=False)
    child_num: np.ndarray = field(init=False)  # 0.. per child (repeat episodes share one)
    age_band: np.ndarray = field(init=False)
    female: np.ndarray = field(init=False)
    establishment: np.ndarray = field(init=False)
    plan: np.ndarray = field(init=False)
    assess: np.ndarray = field(init=False)
    row_missing: np.ndarray = field(init=False)  # blank rate of the case's expected fields
    start_year: np.ndarray = field(init=False)

    # needs: cases x pathway summaries, then one row per assessed case x pathway
    needs_band: np.ndarray = field(init=False)
    substance: np.ndarray = field(init=False)
    nc: np.ndarray = field(init=False)  # need row -> case
    npw: np.ndarray = field(init=False)  # need row -> pathway
    need: np.ndarray = field(init=False)
    identified: np.ndarray = field(init=False)
    offered: np.ndarray = field(init=False)
    offered_date: np.ndarray = field(init=False)
    engaged: np.ndarray = field(init=False)
    gap: np.ndarray = field(init=False)
    agency: np.ndarray = field(init=False)

    # RRP meetings (one row per meeting, sorted by RRP then date) and selection into review
    rrp_ids: np.ndarray = field(init=False)
    m_rrp: np.ndarray = field(init=False)
    m_day: np.ndarray = field(init=False)
    meeting_keys: np.ndarray = field(init=False)
    meeting_id: pl.Series = field(init=False)
    case_rrp: np.ndarray = field(init=False)
    referral: np.ndarray = field(init=False)
    referred: np.ndarray = field(init=False)

    # reviews (one row per review) and meeting totals
    treated: np.ndarray = field(init=False)
    ref_meet_day: np.ndarray = field(init=False)  # day of the case's referral meeting
    r_case: np.ndarray = field(init=False)
    r_meet: np.ndarray = field(init=False)
    r_type: np.ndarray = field(init=False)
    r_agreed: np.ndarray = field(init=False)
    r_completed: np.ndarray = field(init=False)
    r_escalated: np.ndarray = field(init=False)
    mt_cases: np.ndarray = field(init=False)
    mt_agreed: np.ndarray = field(init=False)
    mt_completed: np.ndarray = field(init=False)
    mt_escalations: np.ndarray = field(init=False)

    # attendance: meeting x agency
    invited: np.ndarray = field(init=False)
    attended: np.ndarray = field(init=False)

    # outcomes, per case
    outcomes: dict[str, np.ndarray] = field(init=False)

    # release planning (data standard 1.2): working columns by table ("cases": per case, "needs": per need row)
    release_columns: dict[str, dict[str, np.ndarray]] = field(init=False)

    def report(self, fraction: float, message: str) -> None:
        """Tell the caller's progress callback, if any."""
        if self.progress is not None:
            self.progress(fraction, message)

"""Settings, declared once as data and read from the environment.

The README documents every setting listed here (a test checks it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = ROOT / "data" / "resettlement.db"


@dataclass(frozen=True)
class Setting:
    env: str
    default: str
    description: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "RESETTLEMENT_DB_URL",
        f"sqlite:///{DEFAULT_DB_PATH}",
        "SQLAlchemy URL of the database. The default embedded SQLite file is created with synthetic data on first "
        "start. PostgreSQL: postgresql+psycopg://user@host/dbname.",
    ),
    Setting(
        "RESETTLEMENT_SUPPRESSION_THRESHOLD",
        "5",
        "Counts from 1 to this number minus one, and rates whose denominator is under it, are suppressed "
        "(shown as 'c') everywhere figures leave the app.",
    ),
    Setting(
        "RESETTLEMENT_SCOPE",
        "",
        "Which local authorities the viewer may see: 'all' for all Wales, or GSS codes separated by commas. "
        "Empty means all Wales on synthetic demo data and nothing at all on real data (deny by default).",
    ),
    Setting(
        "RESETTLEMENT_CASE_LEVEL",
        "0",
        "1 lets the viewer see case-level lists (such as fix lists) for the authorities in scope; 0 shows "
        "aggregate figures only.",
    ),
    Setting(
        "RESETTLEMENT_RAG_GREEN",
        "0.95",
        "Data completeness at or above this share (0 to 1) is rated green.",
    ),
    Setting(
        "RESETTLEMENT_RAG_AMBER",
        "0.80",
        "Data completeness at or above this share (0 to 1), but under the green threshold, is rated amber; "
        "below it, red.",
    ),
    Setting(
        "RESETTLEMENT_CACHE_DIR",
        str(ROOT / "data" / "cache"),
        "Folder of the columnar snapshots (Parquet, one per data version) the app reads instead of reading every row "
        "through SQL again, with the Overview's results kept beside them; 'off' keeps none. A snapshot is a copy of "
        "the data: protect it like the database.",
    ),
    Setting(
        "RESETTLEMENT_DEMO_SCALE",
        "1",
        "Scale of the synthetic database the app creates on first start (1 = volumes like Wales).",
    ),
)
_BY_ENV = {s.env: s for s in SETTINGS}


def get(env: str) -> str:
    """The value of a declared setting: the environment's, else its default."""
    return os.environ.get(env, _BY_ENV[env].default).strip() or _BY_ENV[env].default


def db_url() -> str:
    return get("RESETTLEMENT_DB_URL")


def suppression_threshold() -> int:
    value = get("RESETTLEMENT_SUPPRESSION_THRESHOLD")
    try:
        threshold = int(value)
    except ValueError as exc:
        raise ValueError(f"RESETTLEMENT_SUPPRESSION_THRESHOLD must be a whole number, not {value!r}") from exc
    if threshold < 1:
        raise ValueError("RESETTLEMENT_SUPPRESSION_THRESHOLD must be at least 1")
    return threshold


def demo_scale() -> float:
    return float(get("RESETTLEMENT_DEMO_SCALE"))


def rag_thresholds() -> tuple[float, float]:
    """(green, amber) completeness thresholds for RAG status, validated: 0 <= amber <= green <= 1."""
    try:
        green, amber = float(get("RESETTLEMENT_RAG_GREEN")), float(get("RESETTLEMENT_RAG_AMBER"))
    except ValueError as exc:
        raise ValueError("RESETTLEMENT_RAG_GREEN and RESETTLEMENT_RAG_AMBER must be numbers from 0 to 1") from exc
    if not 0 <= amber <= green <= 1:
        raise ValueError("RAG thresholds must satisfy 0 <= RESETTLEMENT_RAG_AMBER <= RESETTLEMENT_RAG_GREEN <= 1")
    return green, amber

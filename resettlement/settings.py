"""Settings, declared once as data and read from the environment.

The README documents every setting listed here (a test checks it).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
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
        "RESETTLEMENT_PUBLICATION_METHOD",
        "round",
        "How the publication view (and every deck and export made in it) protects figures: 'round' hides counts under "
        "the threshold (zero included) or rounding to it, and rounds the rest to a multiple of "
        "RESETTLEMENT_ROUNDING_BASE, which holds against differencing across areas, periods and cohorts; 'suppress' "
        "hides small counts and their neighbours (secondary suppression) and shows the rest exactly, which does not "
        "(see docs/disclosure.md).",
    ),
    Setting(
        "RESETTLEMENT_ROUNDING_BASE",
        "5",
        "The publication view rounds counts up or down to a multiple of this number (2 or more), at random but the "
        "same count always the same way (the database's own rounding key decides).",
    ),
    Setting(
        "RESETTLEMENT_SCOPE",
        "",
        "Which local authorities the open demo's visitor may see: 'all' for all Wales, or GSS codes separated by "
        "commas; empty means all Wales. Used only on synthetic data when nobody is signed in: on real data each "
        "signed-in user's role decides, and nobody else sees anything (deny by default).",
    ),
    Setting(
        "RESETTLEMENT_CASE_LEVEL",
        "0",
        "1 lets the open demo's visitor see case-level lists (such as fix lists) for the authorities in scope; 0 "
        "shows aggregate figures only.",
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
        "through SQL again; 'off' keeps none. A snapshot is a copy of the data: protect it like the database.",
    ),
    Setting(
        "RESETTLEMENT_LOCKOUT_FAILURES",
        "5",
        "Wrong passwords in a row after which a local account is locked (the count restarts after a sign-in).",
    ),
    Setting(
        "RESETTLEMENT_LOCKOUT_MINUTES",
        "15",
        "How long a locked local account refuses every password, in minutes.",
    ),
    Setting(
        "RESETTLEMENT_DEMO_SCALE",
        "1",
        "Scale of the synthetic database the app creates on first start (1 = volumes like Wales).",
    ),
    Setting(
        "RESETTLEMENT_EVAL_MIN_MATCHED",
        "60",
        "Matched reviewed episodes, and matched comparison episodes, each needed before the evaluation of RRP review "
        "draws any conclusion (the Justice Data Lab's minimum was 60).",
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


def publication_method() -> str:
    return get("RESETTLEMENT_PUBLICATION_METHOD").lower()


def rounding_base() -> int:
    return int(get("RESETTLEMENT_ROUNDING_BASE"))


def lockout() -> tuple[int, int]:
    """(wrong passwords before a local account locks, minutes it stays locked)."""
    return int(get("RESETTLEMENT_LOCKOUT_FAILURES")), int(get("RESETTLEMENT_LOCKOUT_MINUTES"))


def demo_scale() -> float:
    return float(get("RESETTLEMENT_DEMO_SCALE"))


def eval_min_matched() -> int:
    """Matched episodes needed in each group before the evaluation concludes (a whole number, 1 or more)."""
    value = get("RESETTLEMENT_EVAL_MIN_MATCHED")
    if not _threshold_ok(value):
        raise ValueError(f"RESETTLEMENT_EVAL_MIN_MATCHED must be a whole number, 1 or more, not {value!r}")
    return int(value)


def rag_thresholds() -> tuple[float, float]:
    """(green, amber) completeness thresholds for RAG status, validated: 0 <= amber <= green <= 1."""
    try:
        green, amber = float(get("RESETTLEMENT_RAG_GREEN")), float(get("RESETTLEMENT_RAG_AMBER"))
    except ValueError as exc:
        raise ValueError("RESETTLEMENT_RAG_GREEN and RESETTLEMENT_RAG_AMBER must be numbers from 0 to 1") from exc
    if not 0 <= amber <= green <= 1:
        raise ValueError("RAG thresholds must satisfy 0 <= RESETTLEMENT_RAG_AMBER <= RESETTLEMENT_RAG_GREEN <= 1")
    return green, amber


# ---------------------------------------------------------------------------------------------------- validation

_CASE_LEVEL_VALUES = ("0", "1", "true", "false", "yes", "no")


@dataclass(frozen=True)
class Problem:
    """A setting whose value cannot be used: ``allowed`` names the catalog text (``settings.allowed.<allowed>``)
    saying which values are."""

    env: str
    value: str
    allowed: str


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _threshold_ok(value: str) -> bool:
    return value.isdigit() and int(value) >= 1


def _scale_ok(value: str) -> bool:
    number = _number(value)
    return number is not None and 0 < number <= 1000


def _scope_ok(value: str) -> bool:
    from resettlement.geography import LA_CODES

    codes = [c.strip().upper() for c in value.split(",") if c.strip()]
    return value.strip().lower() in ("", "all") or (bool(codes) and set(codes) <= set(LA_CODES))


def _share_ok(value: str) -> bool:
    number = _number(value)
    return number is not None and 0 <= number <= 1


def url_problem(url: str) -> str | None:
    """Why a database URL cannot be used, read without connecting (``None`` if it can be tried): unparsable, an
    unknown database or a driver that is not installed."""
    import sqlalchemy as sa

    try:
        parsed = sa.engine.make_url(url)
        dialect = parsed.get_dialect()
        dialect.import_dbapi()
    except ImportError as exc:
        return f"the database driver is not installed ({exc.name or exc})"
    except Exception as exc:  # ArgumentError (not a URL), NoSuchModuleError (unknown database or driver)
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


#: Each setting's check and the catalog text naming its allowed values.
CHECKS: dict[str, tuple[Callable[[str], bool], str]] = {
    "RESETTLEMENT_DB_URL": (lambda v: url_problem(v) is None, "db_url"),
    "RESETTLEMENT_SUPPRESSION_THRESHOLD": (_threshold_ok, "threshold"),
    "RESETTLEMENT_PUBLICATION_METHOD": (lambda v: v.strip().lower() in ("round", "suppress"), "publication_method"),
    "RESETTLEMENT_ROUNDING_BASE": (lambda v: v.isdigit() and int(v) >= 2, "rounding_base"),
    "RESETTLEMENT_SCOPE": (_scope_ok, "scope"),
    "RESETTLEMENT_CASE_LEVEL": (lambda v: v.strip().lower() in _CASE_LEVEL_VALUES, "case_level"),
    "RESETTLEMENT_RAG_GREEN": (_share_ok, "share"),
    "RESETTLEMENT_RAG_AMBER": (_share_ok, "share"),
    "RESETTLEMENT_DEMO_SCALE": (_scale_ok, "demo_scale"),
    "RESETTLEMENT_LOCKOUT_FAILURES": (_threshold_ok, "lockout_failures"),
    "RESETTLEMENT_LOCKOUT_MINUTES": (_threshold_ok, "lockout_minutes"),
    "RESETTLEMENT_EVAL_MIN_MATCHED": (_threshold_ok, "min_matched"),
}


def problems(skip: tuple[str, ...] = ()) -> list[Problem]:
    """Every setting whose value cannot be used (``skip`` leaves some out, e.g. a URL given on the command line),
    checked once at start so no page or command fails halfway with an exception."""
    found = [
        Problem(env, get(env), allowed) for env, (ok, allowed) in CHECKS.items() if env not in skip and not ok(get(env))
    ]
    if not any(p.env.startswith("RESETTLEMENT_RAG_") for p in found):
        green, amber = float(get("RESETTLEMENT_RAG_GREEN")), float(get("RESETTLEMENT_RAG_AMBER"))
        if amber > green:
            found.append(Problem("RESETTLEMENT_RAG_AMBER", get("RESETTLEMENT_RAG_AMBER"), "amber"))
    return found


def describe(problem: Problem, lang: str = "en", escape: Callable[[str], str] = str) -> str:
    """A problem in words: the setting, its value (a password hidden) and the values allowed; ``escape`` is
    applied to the value and details (``markup.md`` for a page)."""
    from resettlement.i18n import t

    allowed = t(f"settings.allowed.{problem.allowed}", lang, green=get("RESETTLEMENT_RAG_GREEN"))
    detail = url_problem(problem.value) if problem.env == "RESETTLEMENT_DB_URL" else None
    text = t("settings.invalid", lang, setting=problem.env, value=escape(hide_password(problem.value)), allowed=allowed)
    return f"{text} ({escape(hide_password(detail))})" if detail else text


def hide_password(text: str) -> str:
    """``text`` with the password of any URL in it replaced by ``***``."""
    return re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", text)


def is_default_database(url: str) -> bool:
    """Whether ``url`` is the default embedded SQLite file (the only database created with demo data)."""
    import sqlalchemy as sa

    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return False
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return False
    return Path(parsed.database).resolve() == Path(DEFAULT_DB_PATH).resolve()

"""Cell values as typed values: the accepted spellings (declared as data) and one small, pure parser per type.

Every parser returns ``(value, problem code, params)`` and is applied to each distinct value once (see
:mod:`resettlement.importer.rules`). Text is compared after :func:`fold` (case, accents and punctuation ignored).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from functools import cache
from types import MappingProxyType

from resettlement import geography
from resettlement.geography import fold
from resettlement.i18n import catalog
from resettlement.standard import ENUMS

# ---- accepted spellings, declared as data ----------------------------------------------------------------------------

#: Cell values that mean "empty" (compared after folding: case, accents and punctuation ignored).
NULL_TOKENS: tuple[str, ...] = ("", "null", "n/a", "#n/a", "nil")
#: Yes/no answers. Welsh has no single word for yes: ie/na, oes/nac oes ("is there"), do/naddo (past) and
#: ydy/nac ydy ("is it") are all plain answers, so all are accepted; gwir/gau are true/false.
TRUE_TOKENS: tuple[str, ...] = ("yes", "y", "true", "t", "1", "ie", "oes", "do", "ydy", "gwir")
FALSE_TOKENS: tuple[str, ...] = ("no", "n", "false", "f", "0", "na", "nac oes", "naddo", "nac ydy", "gau")
#: A yes/no answered "not known" is stored as empty (it is missing information, counted by completeness).
UNKNOWN_TOKENS: tuple[str, ...] = ("unknown", "not known", "dont know", "don't know", "anhysbys", "ddim yn gwybod")
#: Spellings of enumeration codes beyond the code itself and its English and Welsh labels.
ENUM_ALIASES: dict[str, dict[str, str]] = {
    "need": {
        **{tok: "yes" for tok in TRUE_TOKENS},
        **{tok: "no" for tok in FALSE_TOKENS},
        **{tok: "unknown" for tok in UNKNOWN_TOKENS},
    },
    "sex": {
        "m": "male",
        "f": "female",
        "boy": "male",
        "girl": "female",
        "unknown": "not_known",
        "bachgen": "male",
        "merch": "female",
    },
    "ethnicity": {"unknown": "not_known", "not stated": "not_known"},
    "pathway": {
        "education": "ete",
        "family": "families",
        "case management": "transitions",
        "transitions": "transitions",
        "substance": "substance_misuse",
    },
    "cohort": {"remanded": "remand", "sentenced": "custody", "custodial": "custody"},
    "agency_type": {"yot": "yjs", "youth justice": "yjs", "youth offending team": "yjs", "camhs": "health"},
    "establishment": {"hmp parc": "parc", "parc": "parc", "hmyoi parc": "parc"},
    "gap_reason": {"none available": "no_provision", "waiting": "waiting_list"},
}
#: Dates outside this range are rejected as implausible (placeholders such as 1900-01-01, or typing errors).
#: The upper bound is a year after the day of the import.
DATE_RANGE: tuple[date, int] = (date(2000, 1, 1), 366)
MONTHS: dict[str, int] = {
    **{
        m: i
        for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
    },
    **{
        m: i
        for i, m in enumerate(
            (
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ),
            1,
        )
    },
    "sept": 9,
    **{
        m: i
        for i, m in enumerate(
            (
                "ionawr",
                "chwefror",
                "mawrth",
                "ebrill",
                "mai",
                "mehefin",
                "gorffennaf",
                "awst",
                "medi",
                "hydref",
                "tachwedd",
                "rhagfyr",
            ),
            1,
        )
    },
}
INT32_MAX = 2_147_483_647


# ---- parsers (small, pure; applied to each distinct value once) ------------------------------------------------------


def header_key(text: str) -> str:
    """A header name as a field name: ``" Case ID "`` → ``case_id``."""
    return fold(str(text).replace("\ufeff", "")).replace("/", " ").replace(" ", "_")


_TRUE = frozenset(fold(x) for x in TRUE_TOKENS)
_FALSE = frozenset(fold(x) for x in FALSE_TOKENS)
_UNKNOWN = frozenset(fold(x) for x in UNKNOWN_TOKENS)


@cache
def enum_spellings(enum: str) -> Mapping[str, str]:
    """Every accepted spelling of an enumeration (folded) → its code: code, English and Welsh labels, aliases
    (read-only: the cached mapping is shared)."""
    out: dict[str, str] = {}
    for code in ENUMS[enum]:
        out[fold(code.replace("_", " "))] = code
        for lang in ("en", "cy"):
            label = catalog(lang).get(f"enum.{enum}.{code}")
            if label:
                out.setdefault(fold(label), code)
    for alias, code in ENUM_ALIASES.get(enum, {}).items():
        out.setdefault(fold(alias), code)
    return MappingProxyType(out)


Parsed = tuple[object, str | None, dict | None]  # (value, problem code, params)


def parse_bool(raw: str) -> Parsed:
    f = fold(raw)
    if f in _TRUE:
        return True, None, None
    if f in _FALSE:
        return False, None, None
    if f in _UNKNOWN:
        return None, None, None
    return None, "not_yes_no", None


def parse_int(raw: str) -> Parsed:
    text = raw.replace(" ", "")
    m = re.fullmatch(r"([+-]?\d+)(?:\.0*)?", text)
    if not m:
        return None, "not_whole_number", None
    value = int(m.group(1))
    if abs(value) > INT32_MAX:
        return None, "number_too_large", None
    return value, None, None


def parse_float(raw: str) -> Parsed:
    text = raw.replace(" ", "")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        return None, "not_a_number", None
    value = float(text)
    if value != value or abs(value) > 1e15:
        return None, "number_too_large", None
    return value, None, None


_ISO = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_DMY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?: \d{1,2}:\d{2}(?::\d{2})?)?")
_TEXT_DATE = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ -]([^\W\d_]+)\.?[ -](\d{4}|\d{2})")


def _make_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_date(
    raw: str, today: date | None = None, days_ahead: int | None = None
) -> tuple[date | None, str | None, dict | None, bool]:
    """``(date, problem code, params, day_first_ambiguous)``; never reads a date month-first. A date more than
    ``days_ahead`` days after today (default :data:`DATE_RANGE`'s) is implausible.

    ``day_first_ambiguous`` marks ``dd/mm/yyyy`` values whose parts are both 12 or under (and differ): valid as
    read, but rejected (:func:`resettlement.importer.rules.ambiguous_dates`) when the same sheet also holds
    month-first dates.
    """
    text = " ".join(str(raw).split())
    low, default_ahead = DATE_RANGE
    high = (today or date.today()) + timedelta(days=default_ahead if days_ahead is None else days_ahead)
    ambiguous = False
    if m := _ISO.fullmatch(text):
        value = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    elif m := _DMY.fullmatch(text):
        a, b, year = int(m.group(1)), int(m.group(3)), m.group(4)
        if len(year) == 2:
            return None, "two_digit_year", None, False
        value = _make_date(int(year), b, a)
        if value is None and _make_date(int(year), a, b) is not None:
            return None, "month_first_date", None, False
        ambiguous = value is not None and a <= 12 and b <= 12 and a != b
    elif m := _TEXT_DATE.fullmatch(text):
        month = MONTHS.get(fold(m.group(2)))
        if month is None:
            return None, "not_a_date", None, False
        if len(m.group(3)) == 2:
            return None, "two_digit_year", None, False
        value = _make_date(int(m.group(3)), month, int(m.group(1)))
    else:
        return None, "not_a_date", None, False
    if value is None:
        return None, "invalid_date", None, False
    if not low <= value <= high:
        return None, "implausible_date", {"min": low.isoformat(), "max": high.isoformat()}, False
    return value, None, None, ambiguous


def parse_enum(raw: str, enum: str) -> Parsed:
    if enum == "la_code":
        code = geography.normalise_la(raw)
        return (code, None, None) if code else (None, "unknown_la", None)
    code = enum_spellings(enum).get(fold(raw))
    if code is None:
        return None, "unknown_value", {"allowed": ", ".join(ENUMS[enum])}
    return code, None, None


def parse_la_list(raw: str) -> Parsed:
    parts = [p for p in re.split(r"[;|\n]", raw) if p.strip()]
    codes = [c for c in (geography.normalise_la(p) for p in parts) if c is not None]
    if not parts or len(codes) < len(parts):
        return None, "unknown_la", None
    return ";".join(dict.fromkeys(codes)), None, None

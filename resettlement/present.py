"""Labels and display text, written once for the pages, the deck, the XLSX exports and the command line.

- Labels: a quarter (``2024 Q2``), an area as the filter bar names it, the comparator, a column heading.
- Protected cells as text or records: the figure where shown, the note code (``c``, ``z``...) where hidden, so a
  slide, a spreadsheet and a page show the same cells (see :mod:`resettlement.disclosure`).
- Catalog Markdown as plain text, and a definitions section as plain text, for slides, notes and spreadsheets.

Pure and Streamlit-free: the shell and the page components call into it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import polars as pl

from resettlement import disclosure, geography
from resettlement.filters import Area
from resettlement.i18n import has, t
from resettlement.period import Quarter, is_quarter

# ----------------------------------------------------------------------------------------------------- labels


def quarter_label(q: str, lang: str) -> str:
    """A quarter (``2024Q2``) in words: ``2024 Q2``, ``2024 Ch2``."""
    quarter = Quarter.parse(q)
    return t("period.quarter", lang, year=quarter.year, q=quarter.number)


def period_label(period: str, lang: str) -> str:
    """A quarter (``2024Q2``) or a year (``2024``) as a trend's axis names it."""
    return quarter_label(period, lang) if is_quarter(period) else period


def area_label(area: Area | str, lang: str) -> str:
    """The area (an :class:`Area` or its token, ``la:W06000015``) in words, as the filter bar names it."""
    if isinstance(area, str):
        area = Area.parse(area)
    if area.level == "wales" or area.code is None:  # no code: all Wales, as geography.area_la_codes reads it
        return t("area.wales", lang)
    return f"{geography.area_name(area.level, area.code, lang)} ({t('area.level.' + area.level, lang)})"


def comparator_label(lang: str, all_wales: bool = True) -> str:
    """What an area is compared with: Wales, or the areas in the viewer's scope."""
    return t("area.wales", lang) if all_wales else t("area.in_scope", lang)


def column_label(name: str, lang: str) -> str:
    """A column's heading in ``lang`` (``col.<name>`` in the catalogs), or its name where the catalog has none."""
    key = f"col.{name}"
    return t(key, lang) if has(key, lang) else name


# ------------------------------------------------------------------------------------------- protected cells


def number_text(value: float, percent: bool = False, decimals: int = 0) -> str:
    """A shown figure: a percentage of a proportion, or a number with thousands separators."""
    return f"{value:.{decimals}%}" if percent else f"{value:,.{decimals}f}"


def cell_text(value: float | None, note: str | None, percent: bool = False, decimals: int = 0) -> str:
    """A protected cell as text: its note code where hidden, ``z`` where there is no figure, else the figure."""
    if note:
        return note
    if value is None:
        return disclosure.NOT_APPLICABLE
    return number_text(value, percent, decimals)


def row_texts(row: Mapping, columns: list[str], percent: tuple[str, ...] | list[str] = ()) -> dict[str, str]:
    """:func:`cell_text` of each of ``columns`` of a protected row (``percent`` ones as whole percentages)."""
    return {c: cell_text(row[c], row.get(c + disclosure.NOTE_SUFFIX), c in percent) for c in columns}


def records(protected: pl.DataFrame, decimals: Mapping[str, int] | None = None) -> list[dict]:
    """Rows of a protected frame as plain values: the figure where shown (rounded to ``decimals``), its note code
    where hidden; note columns dropped. The same cells :func:`disclosure.for_display` shows."""
    decimals = dict(decimals or {})
    return [
        {c: (round(v, decimals[c]) if c in decimals and isinstance(v, float) else v) for c, v in record.items()}
        for record in disclosure.to_records(protected)
    ]


# ------------------------------------------------------------------------------------------------ plain text


def plain(markdown: str) -> str:
    """Catalog Markdown as plain text for slides, notes and spreadsheets (no ``**``, ``*`` or backticks)."""
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", markdown)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    return text.replace("`", "")


def definition(prefix: str, lang: str, threshold: int) -> str:
    """A definitions section (``<prefix>.title`` and ``.body``) as plain text, quoting the publication view's rule
    with this threshold."""
    from resettlement import definitions, published  # imported here: published imports most domain modules

    body = t(f"{prefix}.body", lang, **definitions.params(published.from_settings(True, threshold=threshold)))
    return f"{t(f'{prefix}.title', lang)}\n{plain(body)}"

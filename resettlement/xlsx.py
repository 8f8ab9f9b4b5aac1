"""The XLSX behind every table: exactly the cells shown, and an About sheet saying what they are.

:func:`workbook` writes one protected table as a Data sheet (numbers where shown, the note code where hidden,
headers in the reader's language) and an About sheet (:func:`about_rows`): the source, data date, filters,
definitions (:func:`definitions_for` picks them from the table's key), the suppression rule and the note codes.
Every text cell goes through :func:`resettlement.exports.as_text_cells`, so nothing in it runs as a formula.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from datetime import date

import polars as pl

from resettlement import disclosure, exports, published
from resettlement.filters import Filters
from resettlement.i18n import label, t
from resettlement.present import area_label, definition, quarter_label, records

MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Which definitions an exported table carries, by the start of its component key (pages name keys by topic).
_DEFINITIONS_BY_KEY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("overview", ("overview.definitions",)),
    ("needs", ("needs.definitions",)),
    ("gaps", ("gaps.definitions",)),
    ("dq_", ("completeness.definitions",)),
    ("rrp_evaluation", ("outcomes.def_evaluation",)),
    ("rrp_balance", ("outcomes.def_evaluation",)),
    ("rrp", ("rrp.definitions",)),
    ("outcome", ("outcomes.def_outcomes",)),
    ("accommodation", ("outcomes.def_outcomes",)),
    ("reoffending", ("outcomes.def_reoffending",)),
    ("profile", ("overview.definitions",)),
)


def definitions_for(key: str) -> tuple[str, ...]:
    """The definitions sections relevant to a table, from its component key (none if the key is unknown)."""
    for prefix, sections in _DEFINITIONS_BY_KEY:
        if key.startswith(prefix):
            return sections
    return ()


def about_rows(
    lang: str,
    *,
    title: str,
    threshold: int,
    synthetic: bool | None = None,
    as_of: date | None = None,
    filters: Filters | None = None,
    publication: bool = True,
    access: str | None = None,
    data_version: str | None = None,
    definitions: Sequence[str] = (),
    generated: date | None = None,
) -> list[tuple[str, str]]:
    """The About sheet of an export, as (label, text) rows: what the table is, where it comes from, which
    filters made it, what its measures mean, how it was protected and what each note code means."""

    def k(key: str) -> str:
        return t(f"disclosure.export.{key}", lang)

    rows: list[tuple[str, str]] = [(k("table"), title)]
    if synthetic is not None:
        rows.append((k("source"), k("source_synthetic") if synthetic else k("source_real")))
    if data_version:
        rows.append((k("data_version"), data_version))
    if as_of is not None:
        rows.append((k("as_of"), as_of.isoformat()))
    rows.append((k("generated"), (generated or date.today()).isoformat()))
    if filters is not None:
        rows += [
            (k("period"), f"{quarter_label(filters.start_q, lang)} – {quarter_label(filters.end_q, lang)}"),
            (k("area"), area_label(filters.area, lang)),
            (k("cohorts"), ", ".join(label("cohort", c, lang) for c in filters.cohorts)),
        ]
    if access:
        rows.append((k("access"), access))
    rows.append((k("view"), k("view_publication") if publication else k("view_working")))
    rules = published.rule_texts(published.from_settings(publication, threshold=threshold), lang)
    rows += [(k("rule") if i == 0 else "", text) for i, text in enumerate(rules)]
    for prefix in definitions:
        rows.append((k("definitions") if prefix == definitions[0] else "", definition(prefix, lang, threshold)))
    rows.append((k("notes"), ""))
    rows += [(code, t(f"disclosure.note.{code}", lang)) for code in disclosure.NOTE_CODES]
    return rows


def workbook(
    protected: pl.DataFrame,
    lang: str,
    about: Sequence[tuple[str, str]],
    decimals: Mapping[str, int] | None = None,
    names: Mapping[str, str] | None = None,
) -> bytes:
    """An XLSX of a protected table: a Data sheet holding exactly the cells shown (numbers where shown, the note
    code where hidden, headers in ``names``) and an About sheet (``about`` rows)."""
    from openpyxl import Workbook

    if not disclosure.is_protected(protected):
        raise ValueError("figures must pass through disclosure.protect before export")
    wb = Workbook()
    sheets = (_data_sheet(wb, protected, lang, decimals, dict(names or {})), _about_sheet(wb, lang, about))
    for sheet in sheets:
        exports.as_text_cells(sheet)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _data_sheet(wb, protected: pl.DataFrame, lang: str, decimals: Mapping[str, int] | None, names: dict):
    """The Data sheet: headers in bold and frozen, one row per record, columns as wide as their text."""
    from openpyxl.styles import Font

    rows = records(protected, decimals)
    columns = [c for c in protected.columns if not c.endswith(disclosure.NOTE_SUFFIX)]
    data = wb.active
    data.title = t("disclosure.export.sheet_data", lang)
    data.append([names.get(c, c) for c in columns])
    for row in rows:
        data.append([_xlsx_value(row.get(c)) for c in columns])
    for cell in data[1]:
        cell.font = Font(bold=True)
    data.freeze_panes = "A2"
    for i, c in enumerate(columns, start=1):
        width = max([len(str(names.get(c, c)))] + [len(str(r.get(c, ""))) for r in rows[:200]])
        data.column_dimensions[data.cell(1, i).column_letter].width = min(60, max(8, width + 2))
    return data


def _about_sheet(wb, lang: str, about: Sequence[tuple[str, str]]):
    """The About sheet: a heading, then the ``about`` rows, labels in bold, texts wrapped."""
    from openpyxl.styles import Alignment, Font

    meta = wb.create_sheet(t("disclosure.export.sheet_meta", lang))
    meta.append([t("disclosure.export.heading", lang)])
    meta["A1"].font = Font(bold=True, size=13)
    for key, value in about:
        meta.append([key, value])
    meta.column_dimensions["A"].width = 26
    meta.column_dimensions["B"].width = 110
    for row in meta.iter_rows(min_row=2):
        row[0].font = Font(bold=True)
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    return meta


def _xlsx_value(v: object) -> object:
    """A cell value openpyxl can store: no NaN or infinity (an empty cell), containers as their text."""
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, list | tuple | dict):
        return str(v)
    return v

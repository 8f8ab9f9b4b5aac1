"""Blank import templates generated from the data standard: a CSV per table and one XLSX workbook.

The workbook has a sheet per table (a header row of field names, code lists offered as drop-downs, dates and
identifiers formatted so Excel does not alter them) and a notes sheet listing each field's status, type, allowed
values, condition and description, in English or Welsh. The importer skips the notes sheet.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import polars as pl

from resettlement import exports
from resettlement.i18n import t
from resettlement.standard import TABLES, VERSION, Field

XLSX_NAME = "resettlement-import-templates.xlsx"
_HEADER_FILL = "DDEBF7"


def template_csv(table: str) -> bytes:
    """A header-only CSV for ``table`` (UTF-8 with a byte-order mark, so Excel shows Welsh letters)."""
    return (",".join(TABLES[table].columns) + "\r\n").encode("utf-8-sig")


def csv_zip() -> bytes:
    """Every table's CSV template in one ZIP file."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in TABLES:
            zf.writestr(f"{name}.csv", template_csv(name))
    return buf.getvalue()


def allowed_text(f: Field, lang: str = "en") -> str:
    """What a field accepts, in words."""
    if f.enum == "la_code":
        return t("importer.template.la_list" if f.dtype == "enum_list" else "importer.template.la", lang)
    if f.allowed:
        return t("importer.template.labels", lang, codes=", ".join(f.allowed))
    if f.min is not None or f.max is not None:
        return t("importer.template.range", lang, min=f"{f.min:g}", max=f"{f.max:g}")
    return ""


def condition_text(f: Field, lang: str = "en") -> str:
    """When a conditional field is expected, e.g. ``need = yes and service_offered = no``."""
    parts = []
    for w in f.when:
        name = f"{w.table}.{w.field}" if w.table else w.field
        if w.op in ("present", "absent"):
            parts.append(f"{name} {t(f'importer.template.{w.op}', lang)}")
        else:
            value = " / ".join(map(str, w.value)) if isinstance(w.value, tuple) else str(w.value).lower()
            if isinstance(w.value, bool):
                value = t("importer.template.yes" if w.value else "importer.template.no", lang)
            parts.append(f"{name} {'>' if w.op == 'gt' else '='} {value}")
    return f" {t('importer.template.and', lang)} ".join(parts)


def notes_frame(lang: str = "en") -> pl.DataFrame:
    """One row per field of the standard: what the notes sheet shows (column names are stable codes)."""
    rows = [
        {
            "table": table.name,
            "key": t("importer.template.yes", lang) if f.name in table.key else "",
            "field": f.name,
            "status": t(f"status.{f.status}", lang),
            "type": t(f"dtype.{f.dtype}", lang),
            "allowed": allowed_text(f, lang),
            "when": condition_text(f, lang),
            "references": f.references or "",
            "description": t(f"field.{table.name}.{f.name}", lang),
        }
        for table in TABLES.values()
        for f in table.fields
    ]
    return pl.DataFrame(rows)


def template_xlsx(lang: str = "en") -> bytes:
    """The workbook: a notes sheet, then one sheet per table with its header row."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    notes = wb.active
    notes.title = t("importer.template.notes_sheet", lang)
    notes.append([t("importer.template.title", lang, version=VERSION)])
    notes["A1"].font = Font(bold=True, size=14)
    notes.append([t("importer.template.intro", lang)])
    notes.append([t("importer.template.formats", lang)])
    notes.append([])
    frame = notes_frame(lang)
    heads = [t(f"importer.template.{c}", lang) for c in frame.columns]
    notes.append(heads)
    for cell in notes[5]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
    for row in frame.iter_rows():
        notes.append(list(row))
    for i, width in enumerate((16, 6, 28, 12, 16, 40, 40, 22, 70), start=1):
        notes.column_dimensions[get_column_letter(i)].width = width
    for row in notes.iter_rows(min_row=6):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    notes.freeze_panes = "A6"
    for table in TABLES.values():
        ws = wb.create_sheet(table.name)
        ws.append(list(table.columns))
        for i, f in enumerate(table.fields, start=1):
            letter = get_column_letter(i)
            head = ws.cell(row=1, column=i)
            head.font = Font(bold=True)
            head.fill = PatternFill("solid", fgColor=_HEADER_FILL)
            ws.column_dimensions[letter].width = max(14, len(f.name) + 4)
            span = f"{letter}2:{letter}5000"
            if f.dtype == "date":
                for (cell,) in ws.iter_rows(min_row=2, max_row=200, min_col=i, max_col=i):
                    cell.number_format = "yyyy-mm-dd"
            elif f.dtype in ("str", "enum_list"):
                for (cell,) in ws.iter_rows(min_row=2, max_row=200, min_col=i, max_col=i):
                    cell.number_format = "@"
            if f.dtype == "enum" and f.allowed and len(",".join(f.allowed)) < 250:
                # a drop-down of codes that still lets a label through (labels are accepted too)
                dv = DataValidation(
                    type="list", formula1='"' + ",".join(f.allowed) + '"', allow_blank=True, showErrorMessage=False
                )
                dv.add(span)
                ws.add_data_validation(dv)
            elif f.dtype == "bool":
                dv = DataValidation(type="list", formula1='"yes,no"', allow_blank=True, showErrorMessage=False)
                dv.add(span)
                ws.add_data_validation(dv)
        ws.freeze_panes = "A2"
    for sheet in wb.worksheets:
        exports.as_text_cells(sheet)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_templates(out: str | Path, lang: str = "en") -> list[Path]:
    """Write ``<table>.csv`` for every table and the workbook into ``out``; returns the paths."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in TABLES:
        path = folder / f"{name}.csv"
        path.write_bytes(template_csv(name))
        paths.append(path)
    path = folder / XLSX_NAME
    path.write_bytes(template_xlsx(lang))
    paths.append(path)
    return paths

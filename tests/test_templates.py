"""Blank templates are generated from the data standard, open in Excel, and import cleanly once filled in."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook

from resettlement import importer, store, templates
from resettlement.__main__ import main
from resettlement.i18n import t
from resettlement.standard import TABLES


@pytest.mark.parametrize("name", list(TABLES))
def test_csv_template_is_the_header_row_of_the_table(name):
    data = templates.template_csv(name)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == [",".join(TABLES[name].columns)]


def test_blank_templates_import_without_any_problem():
    sources = [importer.Source(f"{n}.csv", templates.template_csv(n)) for n in TABLES]
    sources.append(importer.Source(templates.XLSX_NAME, templates.template_xlsx("cy")))
    report = importer.run_import(sources, "sqlite:////nonexistent/t.db", dry_run=True)
    assert report.problems.height == 0
    assert all(v["rows_read"] == 0 for v in report.totals.values()) and set(report.totals) == set(TABLES)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_workbook_has_notes_then_a_sheet_per_table(lang):
    wb = load_workbook(io.BytesIO(templates.template_xlsx(lang)))
    notes = t("importer.template.notes_sheet", lang)
    assert wb.sheetnames == [notes, *TABLES]
    for name, table in TABLES.items():
        assert [c.value for c in wb[name][1]] == list(table.columns)
    rows = list(wb[notes].iter_rows(min_row=6, values_only=True))
    assert len(rows) == sum(len(tb.fields) for tb in TABLES.values())
    by_field = {(r[0], r[2]): r for r in rows}
    cohort = by_field[("cases", "cohort")]
    assert cohort[3] == t("status.required", lang) and "custody, remand, community" in cohort[5]
    release = by_field[("cases", "release_date")]
    assert release[3] == t("status.conditional", lang) and release[6].startswith("cohort = custody / remand")
    assert by_field[("needs", "case_id")][7] == "cases.case_id"
    assert by_field[("outcomes", "ete_hours_offered")][5] == t("importer.template.range", lang, min="0", max="60")


def test_notes_cover_every_field_and_condition():
    notes = templates.notes_frame("en")
    assert notes.height == sum(len(tb.fields) for tb in TABLES.values())
    gap = notes.filter((notes["table"] == "needs") & (notes["field"] == "gap_reason")).row(0, named=True)
    assert gap["when"] == "need = yes and service_offered = no"
    la = notes.filter(notes["field"] == "la_codes").row(0, named=True)
    assert la["allowed"] == t("importer.template.la_list", "en")


def test_a_filled_in_workbook_imports(tmp_path):
    wb = load_workbook(io.BytesIO(templates.template_xlsx("en")))
    wb["cases"].append(
        ["c1", "p1", "Wrecsam", "Dalfa", date(2024, 1, 5), "male", 16, "white", date(2024, 6, 1), "werrington"]
    )
    wb["needs"].append(["c1", "ete", "yes", date(2024, 1, 10), "yes", date(2024, 1, 20), "no", None, "education"])
    buf = io.BytesIO()
    wb.save(buf)
    url = f"sqlite:///{tmp_path / 'filled.db'}"
    report = importer.run_import([importer.Source("filled.xlsx", buf.getvalue())], url)
    assert report.written and report.problems.height == 0, report.text()
    assert store.row_counts(store.get_engine(url))["needs"] == 1


def test_csv_zip_holds_every_table():
    with zipfile.ZipFile(io.BytesIO(templates.csv_zip())) as zf:
        assert sorted(zf.namelist()) == sorted(f"{n}.csv" for n in TABLES)


def test_cli_writes_the_templates(tmp_path, capsys):
    assert main(["templates", "--out", str(tmp_path / "tpl"), "--lang", "cy"]) == 0
    assert sorted(p.name for p in (tmp_path / "tpl").iterdir()) == sorted(
        [*(f"{n}.csv" for n in TABLES), templates.XLSX_NAME]
    )
    assert "wrote" in capsys.readouterr().out

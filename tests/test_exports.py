"""Spreadsheet formula injection: every CSV and XLSX the app or the command line writes shows text as text."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import polars as pl
import pytest

from resettlement import deck_canvas, disclosure, exports, importer, templates, xlsx
from resettlement.__main__ import main

pytestmark = pytest.mark.usefixtures("own_snapshots")  # their databases' snapshots apart

HOSTILE = '=HYPERLINK("http://x","y")'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        (HOSTILE, "'" + HOSTILE),
        ("+44 29 2000", "'+44 29 2000"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-3", "-3"),  # a number shown as text is read as that number, nothing else
        ("-0.25", "-0.25"),
        ("+1.5e3", "+1.5e3"),
        ("-3\n=1", "'-3\n=1"),
        ("Cardiff", "Cardiff"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_text_starting_like_a_formula_is_quoted(text, expected):
    assert exports.neutral_text(text) == expected
    frame = exports.neutralise(pl.DataFrame({"t": [text]}))
    assert frame["t"].to_list() == [expected]


def test_numbers_stay_numbers_and_nulls_stay_null():
    frame = pl.DataFrame({"n": [-3, 4], "x": [-0.5, None], "t": ["-x", None]})
    out = exports.neutralise(frame)
    assert out.schema == frame.schema
    assert out.rows() == [(-3, -0.5, "'-x"), (4, None, None)]
    assert exports.safe_cell(-3) == -3 and exports.safe_cell(None) is None and exports.safe_cell("@a") == "'@a"


def test_csv_bytes_are_neutralised_utf8_with_bom():
    frame = pl.DataFrame({"name": ["=1+1", "Ynys Môn"], "n": [-2, 3], "@rrp": ["a", "b"]})
    assert exports.csv_bytes(frame) == "\ufeffname,n,'@rrp\n'=1+1,-2,a\nYnys Môn,3,b\n".encode()


def _cells(xlsx: bytes) -> list[openpyxl.cell.Cell]:
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def test_table_workbook_writes_text_as_text_and_numbers_as_numbers():
    df = pl.DataFrame({"area": [HOSTILE, "=1+1"], "n": [12, -7]})
    protected = disclosure.protect(df, counts=["n"], threshold=5)
    about = xlsx.about_rows("en", title="@title", threshold=5)
    cells = _cells(xlsx.workbook(protected, "en", about))
    assert not [c for c in cells if c.data_type == "f"]
    values = [c.value for c in cells]
    assert "'" + HOSTILE in values and "'=1+1" in values and "'@title" in values
    assert -7 in values and 12 in values  # numbers, not text
    assert not [v for v in values if isinstance(v, str) and v[:1] in exports.FORMULA_START]


def test_templates_hold_no_formula():
    assert not [c for c in _cells(templates.template_xlsx("cy")) if c.data_type == "f"]


def test_rejects_files_are_neutralised(tmp_path):
    rrps = importer.Source(
        "rrps.csv", f'rrp_id,name,la_codes\n"=1+1","{HOSTILE.replace(chr(34), chr(34) * 2)}",Narnia\n'.encode()
    )
    url = f"sqlite:///{tmp_path / 'real.db'}"
    out = tmp_path / "rejects"
    rep = importer.run_import([rrps], url, accept_valid=True, rejects_dir=out)
    assert rep.rows_rejected == 1
    text = (out / "rrps_rejects.csv").read_text("utf-8-sig")
    rows = pl.read_csv(io.StringIO(text), infer_schema=False)
    assert rows["rrp_id"].to_list() == ["'=1+1"] and rows["name"].to_list() == ["'" + HOSTILE]
    assert importer.rejects_csv(rep.rejects["rrps"]) == (out / "rrps_rejects.csv").read_bytes()


def test_cli_templates_write_no_formula(tmp_path):
    assert main(["templates", "--out", str(tmp_path / "t")]) == 0
    assert not [c for c in _cells((tmp_path / "t" / templates.XLSX_NAME).read_bytes()) if c.data_type == "f"]
    with zipfile.ZipFile(io.BytesIO(templates.csv_zip())) as zf:
        assert all(not zf.read(n).decode("utf-8-sig").startswith(exports.FORMULA_START) for n in zf.namelist())


def test_a_quoted_cell_reads_back_as_it_was_so_rejects_reimport_the_same_keys(tmp_path):
    frame = pl.DataFrame({"t": ["'=1+1", "'@a", "'-5", "'Cardiff", "=x", None]})
    assert frame.select(exports.restored(pl.col("t")))["t"].to_list() == ["=1+1", "@a", "'-5", "'Cardiff", "=x", None]
    url = f"sqlite:///{tmp_path / 'real.db'}"
    cases = b"case_id,child_id,la_code,cohort,start_date\n=1+1,@p,Narnia,custody,2024-01-05\n"
    first = importer.run_import(
        [importer.Source("cases.csv", cases)], url, accept_valid=True, rejects_dir=tmp_path / "r"
    )
    assert first.outcome == "nothing_written"
    fixed = (tmp_path / "r" / "cases_rejects.csv").read_text("utf-8-sig").replace("Narnia", "Cardiff")
    assert fixed.splitlines()[1].startswith("'=1+1,'@p,Cardiff")
    again = importer.run_import([importer.Source("cases_rejects.csv", fixed.encode())], url)
    assert again.written
    from resettlement import store

    rows = store.read_table(store.get_engine(url), "cases", store.Scope.all_wales())
    assert rows.select("case_id", "child_id", "la_code").rows() == [("=1+1", "@p", "W06000015")]


def test_deck_chart_workbooks_hold_no_formula():
    deck = deck_canvas.Canvas("en", "footer", synthetic=False)
    slide = deck.slide("needs", "Title", "Notes")
    chart = deck.bar_chart(slide, ["=1+1", "Cardiff"], [("@rrp", [0.5, -0.25])], (0, 0, 4_000_000, 3_000_000))
    cells = _cells(chart.part.chart_workbook.xlsx_part.blob)
    assert not [c for c in cells if c.data_type == "f"]
    assert {"'=1+1", "'@rrp", -0.25} <= {c.value for c in cells}

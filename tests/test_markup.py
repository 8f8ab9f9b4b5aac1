"""Imported text is shown as plain text: never Markdown, never HTML, never a live formula in a download."""

from __future__ import annotations

import io

import polars as pl
import pytest

from resettlement import importer, markup, store
from tests.apptest import AS_OF, PAGES, new_app, open_tables, signed_in

pytestmark = pytest.mark.usefixtures("own_snapshots")  # their databases' snapshots apart

MARKUP = '![x](http://example.invalid/x.png) <b>bold</b> =HYPERLINK("http://x","y")'
FORMULA = '=HYPERLINK("http://x","Cardiff RRP")'
CASE = "=1+1"


def test_md_escapes_every_markdown_meaning():
    assert markup.md("![x](http://h/x.png)") == r"\!\[x\]\(http\://h/x\.png\)"
    assert markup.md("<b>bold</b>") == r"\<b\>bold\</b\>"
    assert markup.md(":red[x] $y$ *z* _w_ `v` a@b.cy www.x.cy") == (
        r"\:red\[x\] \$y\$ \*z\* \_w\_ \`v\` a\@b\.cy www\.x\.cy"
    )
    assert markup.md("- item\n# heading") == r"\- item \# heading"
    assert markup.md("Bae'r Gorllewin, Gogledd-orllewin") == "Bae'r Gorllewin, Gogledd-orllewin"


def test_html_escapes_tags_and_entities():
    assert markup.html("<a href='x'>y</a> & z") == "&lt;a href='x'&gt;y&lt;/a&gt; &amp; z"
    assert markup.html_values({"r": "<b>"}) == {"r": "&lt;b&gt;"}


def _unescaped(text: str) -> list[str]:
    return [bad for bad in ("![", "<b>", "](http") if bad in text]


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    """Demo data turned into 'real' data, then hostile text imported through the importer: two RRP names (one
    with Markdown and HTML, one a formula) and a case whose id is a formula and whose fields are missing."""
    from resettlement import synth

    url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'real.db'}"
    synth.build_demo(url, scale=0.2, seed=3, as_of=AS_OF)
    store.set_meta(store.get_engine(url), synthetic="0")
    rrps = pl.DataFrame(
        {
            "rrp_id": ["rrp_western_bay", "rrp_cardiff"],
            "name": [MARKUP, FORMULA],
            "name_cy": [MARKUP, FORMULA],
            "la_codes": ["W06000011;W06000012;W06000013", "W06000015"],
        }
    )
    cases = pl.DataFrame(
        {
            "case_id": [CASE],
            "child_id": ["@child"],
            "la_code": ["W06000015"],
            "cohort": ["custody"],
            "start_date": ["2026-01-05"],
        }
    )
    files = [
        importer.Source("rrps.csv", rrps.write_csv().encode()),
        importer.Source("cases.csv", cases.write_csv().encode()),
    ]
    report = importer.run_import(files, url, note="<b>note</b> ![n](http://example.invalid/n.png)", today=AS_OF)
    assert report.written, report.text()
    store.get_engine.cache_clear()
    return url


def _markdown_texts(at) -> list[str]:
    kinds = ("markdown", "caption", "header", "subheader", "title", "info", "warning", "error", "success")
    return [str(e.value) for kind in kinds for e in at.get(kind)]


def _hostile_app(url: str, monkeypatch):
    """The app on the hostile database, every area and case-level detail visible, signed in and run once."""
    monkeypatch.setenv("RESETTLEMENT_DB_URL", url)
    monkeypatch.setenv("RESETTLEMENT_SCOPE", "all")
    monkeypatch.setenv("RESETTLEMENT_CASE_LEVEL", "1")
    at = signed_in(new_app(120), url)
    at.run()
    return at


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_no_page_renders_imported_markup(hostile_url, monkeypatch, lang):
    at = _hostile_app(hostile_url, monkeypatch)
    if lang != "en":
        at.segmented_control(key="lang").set_value(lang).run()
    for page in PAGES:
        at.switch_page(PAGES[page]).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        bad = [(page, s) for s in _markdown_texts(at) if _unescaped(s)]
        assert not bad
    at.query_params["profile"] = "rrp:rrp_western_bay"
    at.switch_page(PAGES["profile"]).run()
    assert not at.exception
    shown = _markdown_texts(at)
    assert markup.md(MARKUP) in [h.value for h in at.header]  # the name is there, as text
    assert not [s for s in shown if _unescaped(s)]


def test_page_downloads_hold_no_live_formula(hostile_url, monkeypatch, media):
    from tests.test_report import download

    at = _hostile_app(hostile_url, monkeypatch)
    at.switch_page(PAGES["completeness"]).run()
    assert not at.exception
    from resettlement.i18n import t

    fix = download(at, media, t("completeness.fix_download", "en")).decode("utf-8-sig")
    frame = pl.read_csv(io.StringIO(fix), infer_schema=False)
    assert "'" + CASE in frame[frame.columns[0]].to_list() or "'" + CASE in fix
    assert not [line for line in fix.splitlines() if line.startswith(CASE)]
    open_tables(at.switch_page(PAGES["rrp"]).run())
    assert not at.exception
    labels = {b.label for b in at.get("download_button")}
    csv_label = t("ui.download_csv", "en")
    assert csv_label in labels
    for i in range(len([b for b in at.get("download_button") if b.label == csv_label])):
        text = download(at, media, csv_label, i).decode("utf-8-sig")
        cells = [c for line in text.splitlines() for c in line.split(",")]
        assert not [c for c in cells if c.lstrip('"').startswith("=")], text[:300]

"""Both catalogs hold the same keys, every key the code names exists, and Welsh is really Welsh."""

import re
from pathlib import Path

import pytest

from resettlement import standard
from resettlement.i18n import LANGS, catalog, label, t

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [*ROOT.glob("resettlement/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_.]+)["']""")


def test_catalogs_have_identical_keys():
    en, cy = set(catalog("en")), set(catalog("cy"))
    assert sorted(en - cy) == [], "keys missing from cy.toml"
    assert sorted(cy - en) == [], "keys missing from en.toml"


@pytest.mark.parametrize("lang", LANGS)
def test_no_empty_strings(lang):
    assert [k for k, v in catalog(lang).items() if not v.strip()] == []


def test_placeholders_match_between_languages():
    field = re.compile(r"\{(\w+)\}")
    for key, text in catalog("en").items():
        assert set(field.findall(text)) == set(field.findall(catalog("cy")[key])), key


def test_every_literal_key_in_the_code_exists():
    used = {m for path in SOURCES for m in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))}
    assert used, "the scan found no keys: the pattern is broken"
    complete = {k for k in used if not k.endswith(".")}  # prefixes joined with a code are checked elsewhere
    assert sorted(k for k in complete if k not in catalog("en")) == []


def test_every_enum_field_table_and_status_is_labelled():
    for lang in LANGS:
        for enum, codes in standard.ENUMS.items():
            if enum != "la_code":
                for code in codes:
                    assert label(enum, code, lang)
        for table in standard.TABLES.values():
            assert t(f"table.{table.name}", lang)
            for f in table.fields:
                assert t(f"field.{table.name}.{f.name}", lang)
                assert t(f"dtype.{f.dtype}", lang)
                assert t(f"status.{f.status}", lang)


def test_welsh_differs_from_english_for_interface_text():
    en, cy = catalog("en"), catalog("cy")
    ui = [k for k in en if k.split(".")[0] in {"page", "filters", "ui", "banner", "meta", "error", "col"}]
    same = [k for k in ui if en[k] == cy[k]]
    assert len(same) <= len(ui) * 0.05, same


def test_format_fills_placeholders():
    assert t("period.quarter", "en", year="2024", q="2") == "2024 Q2"
    assert t("period.quarter", "cy", year="2024", q="2") == "2024 Ch2"

"""Documentation generated from declarations must match them."""

from pathlib import Path

from resettlement import docs, settings, standard

ROOT = Path(__file__).resolve().parent.parent


def test_data_standard_doc_matches_the_declaration():
    on_disk = docs.DATA_STANDARD_PATH.read_text(encoding="utf-8")
    assert on_disk == docs.render_data_standard(), "run: python -m resettlement docs"


def test_doc_names_every_table_field_and_check():
    text = docs.render_data_standard()
    for table in standard.TABLES.values():
        assert f"## `{table.name}`" in text
        for f in table.fields:
            assert f"| `{f.name}` | " in text
    for check in standard.CHECKS:
        assert f"`{check.code}`" in text


def test_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for s in settings.SETTINGS:
        assert f"`{s.env}`" in readme, s.env

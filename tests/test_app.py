"""AppTest for every page, in English and Welsh, on a small synthetic database. Any exception fails."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from resettlement.definitions import SECTIONS
from resettlement.i18n import catalog, t
from tests.apptest import AS_OF, PAGES, new_app, open_page, texts


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_without_exception(app, page, lang):
    at = open_page(app, page, lang)
    assert not at.exception, [e.value for e in at.exception]
    assert [x.value for x in at.title] == [t(f"page.{page}.title", lang)]
    text = texts(at)
    assert t("banner.synthetic", lang) in text, "the synthetic-data banner is missing"
    assert t("meta.as_of", lang, date=AS_OF.isoformat()) in text


def test_language_switch_changes_every_shell_label(app):
    def shell_labels(at: AppTest) -> list[str]:
        return [
            at.sidebar.select_slider[0].label,
            at.sidebar.selectbox[0].label,
            at.sidebar.pills[0].label if hasattr(at.sidebar, "pills") else "",
            *[c.value for c in at.sidebar.caption],
            at.title[0].value,
            at.warning[0].value,
        ]

    en = open_page(app, "overview", "en")
    english = shell_labels(en)
    cy = en.segmented_control(key="lang").set_value("cy").run()
    welsh = shell_labels(cy)
    assert len(english) == len(welsh)
    unchanged = [(a, b) for a, b in zip(english, welsh, strict=True) if a == b and a]
    assert unchanged == []
    assert welsh[0] == catalog("cy")["filters.period"]


@pytest.mark.parametrize("case_level", ["0", "1"])
def test_overview_headline_matches_hand_count(app, demo_url, monkeypatch, case_level):
    """The working view (case-level rights) shows the exact count; the publication view (forced without them)
    the count rounded to the nearest 5."""
    import polars as pl

    from resettlement import disclosure, store
    from resettlement.scope import Scope

    monkeypatch.setenv("RESETTLEMENT_CASE_LEVEL", case_level)
    at = open_page(app, "overview", "en")
    period = at.sidebar.select_slider[0].value
    cases = store.read_table(store.get_engine(demo_url), "cases", Scope.all_wales())
    from resettlement.period import quarter_bounds

    start, end = quarter_bounds(period[0])[0], quarter_bounds(period[1])[1]
    exact = cases.filter(pl.col("start_date").is_between(start, end))["child_id"].n_unique()
    key = store.rounding_key(store.read_meta(store.get_engine(demo_url)))
    expected = exact if case_level == "1" else disclosure.round_value(exact, 5, key)
    total = next(m for m in at.metric if m.label == t("overview.label.children", "en"))
    assert total.value == f"{expected:,}"


def test_area_filter_narrows_the_overview(app, demo_url):
    at = open_page(app, "overview", "en")
    all_wales = next(m for m in at.metric if m.label == t("overview.label.children", "en")).value
    at.sidebar.selectbox[0].set_value("la:W06000015").run()
    assert not at.exception
    cardiff = next(m for m in at.metric if m.label == t("overview.label.children", "en")).value
    assert int(cardiff.replace(",", "")) < int(all_wales.replace(",", ""))


def test_unreachable_database_shows_a_readable_message(monkeypatch):
    monkeypatch.setenv("RESETTLEMENT_DB_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    at = new_app(30).run()
    assert not at.exception
    assert any(t("error.db_unreachable", "en", detail="")[:40] in e.value for e in at.error)


def test_real_data_without_scope_shows_nothing(demo_url, monkeypatch, tmp_path):
    from resettlement import store

    monkeypatch.setenv("RESETTLEMENT_DB_URL", demo_url)
    store.set_meta(store.get_engine(demo_url), synthetic="0")
    try:
        at = new_app(30).run()
        assert not at.exception
        assert [x.value for x in at.title] == [t("auth.title", "en")]  # real data: the sign-in and nothing else
        assert not at.metric and not at.dataframe
    finally:
        store.set_meta(store.get_engine(demo_url), synthetic="1")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_definitions_page_shows_every_registered_section(app, lang):
    at = open_page(app, "definitions", lang)
    headers = [h.value for h in at.header]
    for key in SECTIONS:
        assert t(f"{key}.title", lang) in headers


def test_first_start_creates_the_demo_database(tmp_path, monkeypatch):
    from resettlement import settings

    db = tmp_path / "fresh" / "demo.db"
    monkeypatch.setattr(settings, "DEFAULT_DB_PATH", db)  # only the default embedded path gets the demo (issue 19)
    monkeypatch.setenv("RESETTLEMENT_DB_URL", f"sqlite:///{db}")
    monkeypatch.setenv("RESETTLEMENT_DEMO_SCALE", "0.2")
    monkeypatch.delenv("RESETTLEMENT_SCOPE", raising=False)
    at = new_app(120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert db.exists()
    assert [p.name for p in db.parent.iterdir()] == ["demo.db"]  # built aside, moved into place, nothing left
    assert [x.value for x in at.title] == [t("page.overview.title", "en")]
    assert t("banner.synthetic", "en") in texts(at)


def test_a_demo_built_for_an_older_standard_is_built_again(tmp_path, monkeypatch):
    """The embedded demo of an older version (its tables lack today's fields) is replaced, not shown as a database
    error; a real database never is."""
    import sqlalchemy as sa

    from resettlement import settings, store, synth

    db = tmp_path / "old" / "demo.db"
    db.parent.mkdir()
    url = f"sqlite:///{db}"
    monkeypatch.setenv("RESETTLEMENT_CACHE_DIR", str(tmp_path / "cache"))  # its snapshots apart from the session's
    synth.build_demo(url, scale=0.2, seed=3, as_of=AS_OF)
    with store.get_engine(url).begin() as conn:  # as an older version left it
        conn.execute(sa.text("ALTER TABLE outcomes DROP COLUMN first_reoffence_date"))
    store.set_meta(store.get_engine(url), standard_version="1.0")
    monkeypatch.setattr(settings, "DEFAULT_DB_PATH", db)
    monkeypatch.setenv("RESETTLEMENT_DB_URL", url)
    monkeypatch.setenv("RESETTLEMENT_DEMO_SCALE", "0.2")
    monkeypatch.delenv("RESETTLEMENT_SCOPE", raising=False)
    at = new_app(120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [x.value for x in at.title] == [t("page.overview.title", "en")]
    from resettlement.standard import VERSION

    assert store.read_meta(store.get_engine(url))["standard_version"] == VERSION


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_default_period_leaves_out_a_quarter_under_way(partial_url, monkeypatch, lang):
    monkeypatch.setenv("RESETTLEMENT_DB_URL", partial_url)
    monkeypatch.delenv("RESETTLEMENT_SCOPE", raising=False)
    at = open_page(new_app(), "overview", lang)
    assert not at.exception
    period = at.sidebar.select_slider(key="period")
    assert period.value == ("2024Q4", "2026Q3") and period.options[-1] == t("period.quarter", lang, year="2026", q="4")
    note = t("filters.partial_quarter", lang, quarter=t("period.quarter", lang, year="2026", q="4"), date="2026-10-31")
    assert note not in [c.value for c in at.sidebar.caption]
    at = period.set_value(("2025Q1", "2026Q4")).run()
    assert not at.exception
    assert note in [c.value for c in at.sidebar.caption]


def test_period_names_mark_what_is_under_way():
    from datetime import date

    from resettlement.ui import components

    as_of = date(2026, 10, 31)
    assert components.period_names(["2026Q3", "2026Q4", "2025", "2026"], "en", as_of) == {
        "2026Q3": "2026 Q3",
        "2026Q4": "2026 Q4 (partial)",
        "2025": "2025",
        "2026": "2026 (partial)",
    }
    assert components.period_names(["2026Q4"], "cy", as_of) == {"2026Q4": "2026 Ch4 (rhannol)"}
    assert components.period_names(["2026Q4", "2026"], "en", date(2026, 12, 31)) == {
        "2026Q4": "2026 Q4",
        "2026": "2026",
    }

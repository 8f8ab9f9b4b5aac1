"""Benchmarks that survive scope: a viewer of one area sees the real Wales comparator, ranks among all areas and the
other areas' published figures (rounded, never zeros), and keeps the case-level lists of their own area only."""

from __future__ import annotations

import pytest

from resettlement import published, store
from resettlement.filters import cli_filters
from resettlement.i18n import t
from resettlement.scope import Scope
from tests.apptest import AS_OF, open_page, open_tables

CARDIFF = "W06000015"


@pytest.fixture
def cardiff_chair(app, monkeypatch):
    """The open demo as a chair whose scope is Cardiff, with case-level rights there."""
    monkeypatch.setenv("RESETTLEMENT_SCOPE", CARDIFF)
    monkeypatch.setenv("RESETTLEMENT_CASE_LEVEL", "1")
    return app


def _national(demo_url: str, name: str, *args):
    """What a national viewer's publication view shows for the same table."""
    engine = store.get_engine(demo_url)
    protection = published.from_settings(key=store.rounding_key(store.read_meta(engine)))
    tables = store.read_all(engine, Scope.all_wales())
    from resettlement import geography

    tables["cases"] = geography.attach_service(tables["cases"])
    return published.frame(tables, name, protection, *args)


def test_the_publication_view_is_forced_with_its_reason(cardiff_chair):
    at = open_page(cardiff_chair, "gaps", "en")
    assert not at.exception
    switch = at.sidebar.toggle[0]
    assert switch.value is True and switch.disabled
    assert t("disclosure.publication_partial", "en") in [c.value for c in at.sidebar.caption]


def test_the_map_shows_every_authority_as_wales_publishes_it(cardiff_chair, demo_url):
    """All 22 authorities on the map's table, each exactly as the national publication view shows it: no other
    area shown as zero, no figure computed on Cardiff's rows alone."""
    at = open_page(cardiff_chair, "gaps", "en")
    open_tables(at.segmented_control(key="gaps_level").set_value("la").run())
    page = next(d.value for d in at.dataframe if t("col.gap_rate", "en") in d.value.columns)
    period = at.sidebar.select_slider[0].value
    f = cli_filters(AS_OF, period[0], period[1])
    national = _national(demo_url, "gaps.areas", f, "la", "all")
    from resettlement import disclosure
    from resettlement.geography import la_name

    want = {la_name(r["area_code"]): r for r in disclosure.to_records(national)}
    assert len(page) == 22
    for row in page.to_dict("records"):
        assert str(row[t("col.identified", "en")]) == str(want[row[t("col.area", "en")]]["identified"])
    shown = [v for v in page[t("col.identified", "en")] if v not in ("c", "0")]
    assert len(shown) > 10  # the other authorities are really there


def test_the_comparator_is_wales_and_the_rank_is_among_all_authorities(cardiff_chair, demo_url):
    at = open_page(cardiff_chair, "profile", "en")
    assert not at.exception
    glance = next(
        d.value for d in at.dataframe if t("profile.measure.children", "en") in " ".join(map(str, d.value.iloc[:, 0]))
    )
    ranks = [r for r in glance.iloc[:, -1] if r != "–"]
    peers = [int(r.rsplit(" ", 1)[1]) for r in ranks]
    assert ranks and max(peers) > 15, ranks  # ranked among (nearly) all 22 authorities, not "1 of 1"
    assert t("area.wales", "en") in t("profile.caption", "en", start="", end="", comparator=t("area.wales", "en"))
    caption = [c.value for c in at.caption if t("area.in_scope", "en") in c.value]
    assert caption == []  # compared with Wales, never with "the areas in scope"


def test_case_level_lists_stay_with_the_chair(cardiff_chair):
    at = open_page(cardiff_chair, "completeness", "en")
    assert not at.exception
    fix = [d.value for d in at.dataframe if t("completeness.fix.col.case_id", "en") in d.value.columns]
    assert fix and set(fix[0][t("completeness.fix.col.la_code", "en")]) == {"Cardiff"}

"""Interactions in Chromium: a filter change updates the figures, a shared URL reproduces the view, a
download produces the table's CSV."""

from __future__ import annotations

from resettlement.i18n import t


def _metric(p, label: str) -> str:
    block = p.locator("[data-testid=stMetric]").filter(has_text=label).first
    return block.locator("[data-testid=stMetricValue]").inner_text().strip()


def test_area_filter_changes_the_overview(tab):
    p = tab.open("")
    wales = _metric(p, t("overview.label.children", "en"))
    p.locator("[data-testid=stSidebar] [data-testid=stSelectbox] input").first.click()
    p.keyboard.type("Cardiff (local")
    p.get_by_role("option", name="Cardiff (local authority)").click()
    tab.wait()
    p.wait_for_timeout(800)
    cardiff = _metric(p, t("overview.label.children", "en"))
    assert int(cardiff.replace(",", "")) < int(wales.replace(",", ""))
    assert "area=la%3AW06000015" in p.url
    tab.shot("overview-cardiff")
    assert tab.errors == []


def test_language_switch_keeps_the_chosen_area(tab):
    """The browser names the chosen area by its label, and sends the English label again on the run after a switch
    to Cymraeg: the area must stay Cardiff, not fall back to Wales."""
    p = tab.open("")
    p.locator("[data-testid=stSidebar] [data-testid=stSelectbox] input").first.click()
    p.keyboard.type("Cardiff (local")
    p.get_by_role("option", name="Cardiff (local authority)").click()
    tab.wait()
    p.locator("[data-testid=stButtonGroup] button").filter(has_text="Cymraeg").first.click()
    tab.wait()
    p.wait_for_timeout(800)
    area = p.locator("[data-testid=stSidebar] [data-testid=stSelectbox] input").first.input_value()
    assert area == "Caerdydd (awdurdod lleol)"
    assert "area=la%3AW06000015" in p.url and "lang=cy" in p.url
    assert p.locator("h3").filter(has_text="Caerdydd").count() == 1
    assert tab.errors == []


def test_shared_url_reproduces_the_view(tab):
    url = "?lang=cy&area=service:cwm_taf&from=2021Q1&to=2022Q4&cohort=custody,community"
    p = tab.open(url)
    sidebar = p.locator("[data-testid=stSidebar]").inner_text()
    area = p.locator("[data-testid=stSidebar] [data-testid=stSelectbox] input").first.input_value()
    assert area == "Cwm Taf (gwasanaeth cyfiawnder ieuenctid)"
    assert "2021 Ch1" in sidebar and "2022 Ch4" in sidebar
    pills = p.locator("[data-testid=stSidebar] [data-testid=stButtonGroup] button")
    pressed = [b.inner_text().strip() for b in pills.all() if b.get_attribute("aria-pressed") == "true"]
    assert sorted(pressed) == sorted([t("enum.cohort.custody", "cy"), t("enum.cohort.community", "cy")]), pressed
    assert p.locator("h3").filter(has_text="Cwm Taf").count() == 1
    first = _metric(p, t("overview.label.children", "cy"))
    again = tab.open(url)
    assert _metric(again, t("overview.label.children", "cy")) == first
    assert tab.errors == []


def test_download_gives_the_tables_csv(tab):
    p = tab.open("")
    p.get_by_role("tab", name=t("ui.table", "en")).last.click()
    tab.wait()
    with p.expect_download(timeout=60_000) as info:  # built on click, on a machine the whole suite keeps busy
        p.get_by_role("button", name=t("ui.download_csv", "en")).last.click()
    path = info.value.path()
    text = path.read_text(encoding="utf-8-sig")
    header = text.splitlines()[0]
    assert header == ",".join(
        [t("col.quarter", "en"), t("col.cohort", "en"), t("col.episodes", "en"), t("col.children", "en")]
    )
    assert len(text.splitlines()) > 10
    assert tab.errors == []


def test_xlsx_download_is_built_on_click(tab):
    import io

    import openpyxl

    p = tab.open("")
    p.get_by_role("tab", name=t("ui.table", "en")).last.click()
    tab.wait()
    with p.expect_download(timeout=60_000) as info:  # built on click, on a machine the whole suite keeps busy
        p.get_by_role("button", name=t("disclosure.export.download_xlsx", "en")).last.click()
    assert info.value.suggested_filename.endswith(".xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(info.value.path().read_bytes()))
    data = wb[t("disclosure.export.sheet_data", "en")]
    assert [c.value for c in data[1]][:2] == [t("col.quarter", "en"), t("col.cohort", "en")]
    assert data.max_row > 10
    assert tab.errors == []


def test_rrp_drill_down_survives_in_the_link(tab):
    p = tab.open("rrp_activity?lang=en&rrp=rrp_cardiff")
    chosen = p.locator("[data-testid=stMain] [data-testid=stSelectbox] input").first.input_value()
    assert "Cardiff" in chosen
    assert "rrp=rrp_cardiff" in p.url
    assert tab.errors == []

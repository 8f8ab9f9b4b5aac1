"""Every page in both languages in real Chromium: no Streamlit exception, no console error, labelled."""

from __future__ import annotations

import pytest

from resettlement.i18n import t
from tests.apptest import PAGES

PATHS = {
    key: ("" if key == "overview" else path.removeprefix("pages/").removesuffix(".py")) for key, path in PAGES.items()
}


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("page", list(PAGES))
def test_page_loads_clean(tab, page, lang):
    p = tab.open(f"{PATHS[page]}?lang={lang}")
    tab.shot(f"{page}-{lang}")
    assert p.locator("[data-testid=stException]").count() == 0
    assert p.locator("h1").first.inner_text().strip() == t(f"page.{page}.title", lang)
    banner = t("banner.synthetic", lang).replace("**", "")
    assert banner.split(".")[0] in p.locator("[data-testid=stAlert]").first.inner_text()
    assert tab.errors == [], tab.errors


def test_navigation_keeps_filters_and_language(tab):
    p = tab.open("?lang=cy&area=la:W06000015&from=2022Q1&to=2023Q4&cohort=custody,remand")
    p.get_by_role("link", name=t("page.needs.nav", "cy")).click()
    tab.wait()
    p.wait_for_timeout(800)
    assert p.locator("h1").first.inner_text().strip() == t("page.needs.title", "cy")
    url = p.url
    for part in ("lang=cy", "area=la%3AW06000015", "from=2022Q1", "to=2023Q4", "cohort=custody%2Cremand"):
        assert part in url, url
    area = p.locator("[data-testid=stSidebar] [data-testid=stSelectbox] input").first.input_value()
    assert area == "Caerdydd (awdurdod lleol)"
    assert tab.errors == []

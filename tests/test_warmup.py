"""The start-up warm-up computes exactly what the first Overview asks for, under the same cache keys."""

from __future__ import annotations

import dataclasses
import functools

import pytest

from resettlement import overview, published
from resettlement.ui import data, warmup
from tests.apptest import new_app, open_page


@pytest.fixture
def counted(monkeypatch, demo_url):
    """Calls of the Overview's two cached computations (the wrappers keep the names the cache is keyed on)."""
    calls = {"headline": 0, "trends": 0}

    def counting(name, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)

        return wrapper

    for name in calls:
        wrapper = counting(name, getattr(overview, name))
        monkeypatch.setattr(overview, name, wrapper)
        for spec in published.TABLES:  # the registry of published tables holds the functions themselves
            if spec.source is wrapper.__wrapped__:
                monkeypatch.setitem(published.REGISTRY, spec.name, dataclasses.replace(spec, source=wrapper))
    _forget(demo_url)
    yield calls
    _forget(demo_url)


def _forget(url: str) -> None:
    """Nothing cached in memory."""
    data.clear()


@pytest.mark.parametrize("scope", [None, "W06000015"])  # all Wales; one authority (Cardiff) only
def test_first_overview_uses_what_the_warmup_computed(app, demo_url, counted, monkeypatch, scope):
    if scope:
        monkeypatch.setenv("RESETTLEMENT_SCOPE", scope)
    assert warmup.warm(demo_url) is True
    assert counted == {"headline": 1, "trends": 1}
    at = open_page(app, "overview", "en")
    assert not at.exception
    assert counted == {"headline": 1, "trends": 1}, "the page computed again: its cache keys differ from the warm-up's"
    # and a different view is computed as usual
    at.sidebar.select_slider(key="period").set_value(("2025Q1", "2025Q4")).run()
    assert not at.exception and counted["headline"] == 2


def test_nothing_to_warm_without_a_database(tmp_path, counted):
    assert warmup.warm(f"sqlite:///{tmp_path / 'absent.db'}") is False
    assert not (tmp_path / "absent.db").exists()  # not created: the first visit builds the demo database
    assert counted == {"headline": 0, "trends": 0}


def test_warmup_matches_the_page_when_the_latest_quarter_is_under_way(partial_url, counted, monkeypatch):
    monkeypatch.setenv("RESETTLEMENT_DB_URL", partial_url)
    monkeypatch.delenv("RESETTLEMENT_SCOPE", raising=False)
    view = warmup.plan(partial_url)
    assert (view.filters.start_q, view.filters.end_q) == ("2024Q4", "2026Q3")
    assert view.quarters[0] == "2016Q1" and view.quarters[-1] == "2026Q3"  # trends end at the last complete quarter
    _forget(partial_url)
    assert warmup.warm(partial_url) is True
    assert counted == {"headline": 1, "trends": 1}
    at = open_page(new_app(), "overview", "en")
    assert not at.exception
    assert counted == {"headline": 1, "trends": 1}, "the page's default view differs from the warm-up's"

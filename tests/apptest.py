"""Helpers for AppTest-based page tests (fixtures `demo_url` and `app` live in conftest.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
AS_OF = date(2026, 9, 30)
PAGES = {
    "overview": "pages/overview.py",
    "profile": "pages/area_profile.py",
    "needs": "pages/pathway_needs.py",
    "gaps": "pages/service_gaps.py",
    "rrp": "pages/rrp_activity.py",
    "completeness": "pages/data_completeness.py",
    "outcomes": "pages/outcomes.py",
    "import": "pages/import_data.py",
    "definitions": "pages/definitions.py",
}


def use_database(monkeypatch, url: str) -> None:
    """Point the app at ``url`` with no viewer scope or case-level rights set in the environment."""
    monkeypatch.setenv("RESETTLEMENT_DB_URL", url)
    monkeypatch.delenv("RESETTLEMENT_SCOPE", raising=False)
    monkeypatch.delenv("RESETTLEMENT_CASE_LEVEL", raising=False)


def new_app(timeout: int = 60) -> AppTest:
    return AppTest.from_file(APP, default_timeout=timeout)


def open_page(at: AppTest, page: str, lang: str = "en") -> AppTest:
    """Run the app, choose the language, then switch to ``page`` (a key of PAGES)."""
    at.run()
    if lang != "en":
        at.segmented_control(key="lang").set_value(lang).run()
    at.switch_page(PAGES[page]).run()
    return at


def texts(at: AppTest) -> str:
    """All markdown, alerts, titles and captions of the current run, joined."""
    parts = [m.value for m in at.markdown] + [w.value for w in at.warning] + [i.value for i in at.info]
    parts += [x.value for x in at.title] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


#: An OIDC configuration as AppTest simulates it (nothing is fetched: st.login is never called by these tests).
OIDC_SECRETS = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-only-secret",
    "client_id": "test",
    "client_secret": "test",
    "server_metadata_url": "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
}


def signed_in(
    at: AppTest, url: str, name: str = "admin@test", role: str = "admin", areas: tuple[str, ...] = ()
) -> AppTest:
    """``at`` with ``name`` signed in through (simulated) OIDC, stored in ``url``'s users with ``role`` if new: real
    (non-synthetic) data shows nothing to a visitor who has not signed in."""
    from resettlement import access, store

    engine = store.get_engine(url)
    if store.read_user(engine, name) is None:
        access.add_user(engine, name, role, list(areas), None)
    at.secrets["auth"] = dict(OIDC_SECRETS)
    at.user = {"is_logged_in": True, "email": name}
    return at


def open_tables(at: AppTest, lang: str = "en") -> AppTest:
    """Open the table tab of every chart and every table's expander on the current page, as a reader's click on each
    does, and run: a table and its downloads are only drawn while their tab or expander is open."""
    from resettlement.i18n import t

    for key in [k for k in at.session_state if isinstance(k, str) and k.startswith(("tab_", "exp_"))]:
        at.session_state[key] = t("ui.table", lang) if key.startswith("tab_") else True
    return at.run()

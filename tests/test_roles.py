"""Sign-in and roles in the app (issue 18): AppTest for each role on a database of real (non-synthetic) data.

OIDC is simulated the way Streamlit's AppTest documents it: an ``[auth]`` section in ``at.secrets`` and the identity's
claims in ``at.user``; local users sign in through the form.
"""

from __future__ import annotations

import json
import shutil

import pytest

from resettlement import access, markup, store
from resettlement.i18n import t
from resettlement.scope import Scope
from resettlement.ui import shell
from tests.apptest import OIDC_SECRETS, PAGES, new_app, texts, use_database

pytestmark = pytest.mark.usefixtures("own_snapshots")  # their databases' snapshots apart

CARDIFF = "W06000015"


@pytest.fixture(scope="module")
def real_url(demo_url, tmp_path_factory):
    """A copy of the demo database marked as real data, with one user of each role."""
    path = tmp_path_factory.mktemp("real") / "real.db"
    shutil.copy(store.sqlite_path(demo_url), path)
    url = f"sqlite:///{path}"
    engine = store.get_engine(url)
    meta = store.read_meta(engine)
    store.set_meta(engine, synthetic="0", data_version=meta["data_version"] + "-real")
    access.add_user(engine, "lead@wales", "national", [], None)
    access.add_user(engine, "chair@cardiff", "area", [f"la:{CARDIFF}"], "cardiff chair password")
    access.add_user(engine, "wg@gov.wales", "presenter", [], None)
    access.add_user(engine, "admin@wales", "admin", [], None)
    return url


@pytest.fixture
def real(real_url, monkeypatch):
    use_database(monkeypatch, real_url)
    return real_url


def oidc(email: str | None):
    """An AppTest with OIDC configured and ``email`` signed in (``None``: nobody signed in)."""
    at = new_app()
    at.secrets["auth"] = dict(OIDC_SECRETS)
    at.user = {"is_logged_in": True, "email": email, "sub": f"sub-{email}"} if email else {"is_logged_in": False}
    return at


def audit(url: str, **kw) -> list[dict]:
    return store.read_audit(store.get_engine(url), **kw).to_dicts()


def submit(at) -> None:
    next(b for b in at.button if b.label == t("auth.submit", "en")).click().run()


def shows_no_data(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.metric and not at.dataframe and not at.sidebar.select_slider and not at.sidebar.selectbox


def test_unauthenticated_visitor_of_real_data_sees_only_the_sign_in(real):
    at = new_app().run()
    shows_no_data(at)
    assert [x.value for x in at.title] == [t("auth.title", "en")]
    assert [w.label for w in at.text_input] == [t("auth.name", "en"), t("auth.password", "en")]
    for page in ("gaps", "import", "overview"):  # no data page is in the navigation before sign-in
        with pytest.raises(ValueError, match=r"Known pages: \['Sign in'\]"):
            at.switch_page(PAGES[page])


def test_local_sign_in_wrong_then_right_password_then_sign_out(real):
    at = new_app().run()
    at.text_input(key="sign_in_name").input("Chair@Cardiff")
    at.text_input(key="sign_in_password").input("not the password")
    submit(at)
    assert [e.value for e in at.error] == [t("auth.refused", "en")]
    shows_no_data(at)
    at.text_input(key="sign_in_name").input("chair@cardiff")
    at.text_input(key="sign_in_password").input("cardiff chair password")
    submit(at)
    assert not at.exception, [e.value for e in at.exception]
    assert [x.value for x in at.title] == [t("page.overview.title", "en")]
    assert t("auth.signed_in_as", "en", name=markup.md("chair@cardiff"), role=t("auth.role.area", "en")) in [
        c.value for c in at.sidebar.caption
    ]
    at.switch_page(PAGES["overview"]).run()  # as the browser does once the navigation names the page it shows
    at.sidebar.button(key="sign_out").click().run()
    assert [x.value for x in at.title] == [t("auth.title", "en")]
    events = [
        (e["user_name"], e["event"], json.loads(e["detail"]).get("reason"))
        for e in audit(real, limit=20)
        if e["user_name"] == "chair@cardiff" and e["event"] != "page_view"
    ][:3]
    assert events == [
        ("chair@cardiff", "sign_out", None),
        ("chair@cardiff", "sign_in", None),
        ("chair@cardiff", "sign_in_failed", "wrong"),
    ]


def test_signed_in_identity_with_no_role_sees_a_message_and_nothing_else(real):
    at = oidc("stranger@example.org").run()
    shows_no_data(at)
    assert [x.value for x in at.title] == [t("auth.no_role_title", "en")]
    assert [e.value for e in at.error] == [t("auth.no_role", "en", name=markup.md("stranger@example.org"))]
    with pytest.raises(ValueError, match=r"Known pages: \['No access'\]"):
        at.switch_page(PAGES["overview"])
    assert audit(real, user="stranger@example.org")[0]["event"] == "no_role"


def test_oidc_with_nobody_signed_in_offers_the_provider(real):
    at = oidc(None).run()
    shows_no_data(at)
    assert t("auth.oidc", "en") in [b.label for b in at.button]


def test_presenter_always_gets_the_publication_view(real):
    at = oidc("WG@gov.wales").run()
    assert not at.exception, [e.value for e in at.exception]
    forced = at.sidebar.toggle(key="publication_forced")
    assert forced.value is True and forced.proto.disabled
    assert t("disclosure.publication_forced", "en") in [c.value for c in at.sidebar.caption]
    at.switch_page(PAGES["completeness"]).run()
    assert not at.exception
    assert not any(b.label == t("completeness.fix_download", "en") for b in at.get("download_button"))
    assert not [e for e in audit(real, user="wg@gov.wales") if e["event"] == "page_view"]  # aggregates only


@pytest.mark.parametrize("email", ["chair@cardiff", "lead@wales", "wg@gov.wales"])
def test_only_an_admin_reaches_import_and_administration(real, email):
    at = oidc(email).run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page(PAGES["gaps"]).run()  # the data pages are listed
    assert [x.value for x in at.title] == [t("page.gaps.title", "en")]
    for page in ("pages/import_data.py", "pages/admin.py"):  # these are not: no URL reaches them
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_admin_reaches_import_and_the_audit_log(real):
    at = oidc("admin@wales").run()
    at.switch_page(PAGES["import"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [x.value for x in at.title] == [t("page.import.title", "en")]
    assert at.get("file_uploader")
    at.switch_page("pages/admin.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [x.value for x in at.title] == [t("page.admin.title", "en")]
    users = at.dataframe[0].value
    assert sorted(users[t("admin.col.name", "en")]) == ["admin@wales", "chair@cardiff", "lead@wales", "wg@gov.wales"]
    assert "password_hash" not in " ".join(map(str, users.columns))
    log = at.dataframe[1].value
    assert "admin@wales" in set(log[t("admin.col.user_name", "en")])


def test_area_user_sees_only_their_areas_and_case_level_views_are_audited(real):
    at = oidc("chair@cardiff").run()
    assert not at.exception
    options = at.sidebar.selectbox(key="area").options
    assert sorted(options) == sorted(shell.area_label(tok, "en") for tok in (f"la:{CARDIFF}", "service:cardiff"))
    at.switch_page(PAGES["gaps"]).run()
    assert not at.exception, [e.value for e in at.exception]
    views = [e for e in audit(real, user="chair@cardiff", event="page_view")]
    assert views[0]["view"] == "service_gaps"
    detail = json.loads(views[0]["detail"])
    # a viewer of some areas sees every figure in the publication view (benchmarks over all Wales), case level kept
    assert detail["area"] == at.sidebar.selectbox(key="area").value and detail["publication"] is True
    at.run()  # a rerun with the same view is not logged again
    assert len(audit(real, user="chair@cardiff", event="page_view")) == len(views)


def test_a_deck_download_is_audited_with_its_user_and_filters(real, media):
    at = oidc("lead@wales").run()
    assert not at.exception
    button = next(b for b in at.get("download_button") if b.label == t("report.download", "en"))
    media[-1].execute_deferred(button.proto.deferred_file_id)
    entry = audit(real, user="lead@wales", event="download")[0]
    detail = json.loads(entry["detail"])
    assert entry["view"] == "overview" and detail["file"].endswith("-en.pptx") and detail["area"] == "wales"
    assert {"from", "to", "cohort", "publication"} <= set(detail)


def test_open_demo_stays_open_on_synthetic_data(app):
    at = app.run()
    assert not at.exception
    assert [x.value for x in at.title] == [t("page.overview.title", "en")]
    assert t("banner.synthetic", "en") in texts(at)


def test_a_case_level_fix_list_download_is_audited(real, media):
    at = oidc("chair@cardiff").run()
    at.switch_page(PAGES["completeness"]).run()
    assert not at.exception, [e.value for e in at.exception]
    button = next(b for b in at.get("download_button") if b.label == t("completeness.fix_download", "en"))
    data = media[-1].execute_deferred(button.proto.deferred_file_id)
    assert data
    entry = audit(real, user="chair@cardiff", event="download")[0]
    detail = json.loads(entry["detail"])
    assert entry["view"] == "data_completeness" and detail["file"] == "fix_list.csv"
    assert detail["area"] == at.sidebar.selectbox(key="area").value


def test_sign_in_page_in_welsh(real):
    at = new_app().run()
    at.segmented_control(key="lang").set_value("cy").run()
    assert not at.exception
    assert [x.value for x in at.title] == [t("auth.title", "cy")]
    assert [w.label for w in at.text_input] == [t("auth.name", "cy"), t("auth.password", "cy")]
    shows_no_data(at)


def test_an_area_user_whose_areas_cover_nothing_sees_nothing(real):
    engine = store.get_engine(real)
    access.add_user(engine, "gone@rrp", "area", [f"la:{CARDIFF}"], None)
    store.update_user(engine, "gone@rrp", {"areas": "rrp:NO-LONGER-THERE"})  # its RRP removed since
    at = oidc("gone@rrp").run()
    shows_no_data(at)
    assert [e.value for e in at.error] == [t("error.no_scope", "en")]


@pytest.mark.parametrize("email", ["chair@cardiff", "lead@wales", "wg@gov.wales"])
def test_every_page_for_each_role_shows_only_what_the_role_allows(real, email):
    """Every page a role reaches, in turn: no error; an area chair's and a presenter's figures are all in the
    publication view (rounded, over all Wales for the chair: benchmarks that survive scope); the chair's case-level
    rows (the fix list) are Cardiff's only; a presenter gets no case-level rows at all."""
    at = oidc(email).run()
    pages = [k for k in PAGES if k not in ("import",)]
    for key in pages:
        at.switch_page(PAGES[key]).run()
        assert not at.exception, (email, key, [e.value for e in at.exception])
        ctx = at.session_state["_ctx"]
        if email != "lead@wales":
            assert ctx.protection.rounds and ctx.figures_scope == Scope.all_wales().key(), (email, key)
        fix = [d.value for d in at.dataframe if t("completeness.fix.col.case_id", "en") in d.value.columns]
        if email == "chair@cardiff" and key == "completeness":
            assert fix and set(fix[0][t("completeness.fix.col.la_code", "en")]) == {"Cardiff"}
        if email == "wg@gov.wales":
            assert fix == []

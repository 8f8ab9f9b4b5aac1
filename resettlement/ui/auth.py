"""Sign-in for the app: who the viewer is on this run, the sign-in and no-access pages, sign-out, and the audit log.

Who is signed in is kept in the session as a name only; the role and areas are read from the database on every run
(:func:`resettlement.access.lookup`), so ``users set`` or ``users remove`` takes effect at the viewer's next click,
and no role or group list is ever carried in a cookie. Two ways in:

- **OIDC** (``st.login``) when ``[auth]`` is configured in ``.streamlit/secrets.toml`` (e.g. Microsoft Entra ID):
  the identity provider's ``email`` (else ``sub``) is looked up in the users table.
- **Local users** with a password (``python -m resettlement users add ... --password-stdin``).

While the data is synthetic a visitor who has not signed in sees the open demo, scoped by ``RESETTLEMENT_SCOPE``;
on real data they see only the sign-in page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

from resettlement import access, markup, store
from resettlement.i18n import t
from resettlement.scope import Scope, scope_from_settings

_SIGNED_IN = "_signed_in"  # the local user's name
_WANT_SIGN_IN = "_want_sign_in"  # a demo visitor asked for the sign-in page
_OIDC_SEEN = "_oidc_seen"  # the OIDC identity whose sign-in was recorded in this session
OPEN, SIGNED_IN, SIGN_IN, NO_ROLE = "open", "signed_in", "sign_in", "no_role"


@dataclass(frozen=True)
class Access:
    """What this run may show: ``state`` is ``open`` (the demo, nobody signed in), ``signed_in``, ``sign_in`` (only
    the sign-in page) or ``no_role`` (a message and nothing else)."""

    state: str
    scope: Scope
    viewer: access.Viewer | None = None

    @property
    def role(self) -> str:
        """The viewer's role, or ``demo`` for the open demo."""
        return self.viewer.role or "" if self.viewer else "demo"

    @property
    def user(self) -> str:
        return self.viewer.name if self.viewer else ""

    @property
    def sees_data(self) -> bool:
        return self.state in (OPEN, SIGNED_IN)


def oidc_settings() -> Mapping | None:
    """The ``[auth]`` section of Streamlit's secrets when OIDC sign-in is configured, else ``None``."""
    try:
        section = st.secrets.get("auth")
    except Exception:  # no secrets file, or one that cannot be read: no OIDC
        return None
    return section if isinstance(section, Mapping) and section else None


def oidc_provider(section: Mapping) -> str | None:
    """The provider ``st.login`` should use: the one named ``[auth.<name>]`` table, else the unnamed default."""
    named = [key for key, value in section.items() if isinstance(value, Mapping)]
    return named[0] if len(named) == 1 else None


def _oidc_identity() -> tuple[str, ...]:
    """The signed-in OIDC identity's email and subject (empty when nobody is signed in through OIDC)."""
    if oidc_settings() is None:
        return ()
    user = st.user.to_dict()
    if not user.get("is_logged_in"):
        return ()
    return tuple(str(user[k]) for k in ("email", "sub") if user.get(k))


def current(url: str, synthetic: bool) -> Access:
    """Who is viewing on this run and what they may see (deny by default)."""
    engine = store.get_engine(url)
    viewer = _viewer(engine)
    if viewer is None:
        if synthetic and not st.session_state.get(_WANT_SIGN_IN):
            return Access(OPEN, scope_from_settings(True))
        return Access(SIGN_IN, Scope.deny())
    scope = access.scope_for(viewer, engine) if viewer.has_role else Scope.deny()
    return Access(SIGNED_IN if not scope.is_empty else NO_ROLE, scope, viewer)


def _viewer(engine) -> access.Viewer | None:
    """The signed-in viewer with their stored role now; ``None`` when nobody is signed in."""
    local = st.session_state.get(_SIGNED_IN)
    if local:
        viewer = access.lookup(engine, local, "local")
        if viewer.has_role:
            return viewer
        st.session_state.pop(_SIGNED_IN, None)  # removed since signing in: signed out
    identities = _oidc_identity()
    if not identities:
        return None
    viewer = next(
        (v for v in (access.lookup(engine, i, "oidc") for i in identities) if v.has_role),
        access.Viewer(access.normal_name(identities[0]), None, (), "oidc"),
    )
    if st.session_state.get(_OIDC_SEEN) != identities:
        st.session_state[_OIDC_SEEN] = identities
        access.audit(engine, viewer.name, "sign_in" if viewer.has_role else "no_role", "oidc")
    return viewer


def sign_in_page(url: str, lang: str, synthetic: bool) -> None:
    """The only page an unauthenticated visitor of real data sees: OIDC and/or the local users' form."""
    engine = store.get_engine(url)
    st.title(t("auth.title", lang))
    st.caption(t("auth.intro", lang))
    section = oidc_settings()
    if section is not None and st.button(
        t("auth.oidc", lang), type="primary", icon=":material/login:", key="sign_in_oidc"
    ):
        st.login(oidc_provider(section))
    if not store.has_users(engine) and section is None:
        st.info(t("auth.no_users", lang), icon=":material/person_add:")
    with st.form("sign_in", clear_on_submit=True):
        name = st.text_input(t("auth.name", lang), key="sign_in_name", max_chars=access.NAME_MAX)
        password = st.text_input(t("auth.password", lang), type="password", key="sign_in_password", max_chars=1024)
        submitted = st.form_submit_button(t("auth.submit", lang), type="secondary" if section else "primary")
    if submitted:
        _local_sign_in(engine, name, password, lang)
    if synthetic and st.button(t("auth.back_to_demo", lang), key="sign_in_back"):
        st.session_state.pop(_WANT_SIGN_IN, None)
        st.rerun()


def _local_sign_in(engine, name: str, password: str, lang: str) -> None:
    """Check a local password; on success remember the name and rerun, else one message whatever the reason."""
    result = access.sign_in(engine, name, password)
    who = access.normal_name(name)[: access.NAME_MAX] or "-"
    if result.viewer is None:
        access.audit(engine, who, "sign_in_failed", "local", {"reason": result.reason})
        st.error(t("auth.refused", lang))
        return
    access.audit(engine, result.viewer.name, "sign_in", "local")
    st.session_state[_SIGNED_IN] = result.viewer.name
    st.session_state.pop(_WANT_SIGN_IN, None)
    st.rerun()


def no_role_page(viewer: access.Viewer, url: str, lang: str) -> None:
    """A signed-in identity with no role (or no area left): a message, a way out, and nothing else."""
    st.title(t("auth.no_role_title", lang))
    if viewer.has_role:  # an area user whose areas cover no authority now (e.g. an RRP that was removed)
        st.error(t("error.no_scope", lang))
    else:
        st.error(t("auth.no_role", lang, name=markup.md(viewer.name)))
    sign_out_button(Access(NO_ROLE, Scope.deny(), viewer), url, lang, st)


def sidebar(acc: Access, url: str, lang: str) -> None:
    """Who is signed in, with the sign-out button; in the open demo, a way to the sign-in page when anyone can
    sign in."""
    sb = st.sidebar
    if acc.viewer is not None:
        sb.caption(
            t("auth.signed_in_as", lang, name=markup.md(acc.viewer.name), role=t(f"auth.role.{acc.viewer.role}", lang))
        )
        sign_out_button(acc, url, lang, sb)
        return
    if acc.state == OPEN and (store.has_users(store.get_engine(url)) or oidc_settings() is not None):
        sb.button(
            t("auth.sign_in", lang),
            key="sign_in_open",
            icon=":material/login:",
            on_click=st.session_state.__setitem__,
            args=(_WANT_SIGN_IN, True),
        )


def sign_out_button(acc: Access, url: str, lang: str, where) -> None:
    """The sign-out button. Its work is an ``on_click`` callback, run before the next script run: a button drawn
    outside the page (the shell's sidebar) is reliably seen through its callback, and the run that follows already
    shows the sign-in."""
    where.button(
        t("auth.sign_out", lang), key="sign_out", icon=":material/logout:", on_click=sign_out, args=(acc.viewer, url)
    )


def sign_out(viewer: access.Viewer | None, url: str) -> None:
    """Forget the signed-in local user, or end an OIDC session through ``st.logout`` (its cookie too); recorded."""
    if viewer is not None:
        access.audit(store.get_engine(url), viewer.name, "sign_out", viewer.via)
    st.session_state.pop(_SIGNED_IN, None)
    st.session_state.pop(_OIDC_SEEN, None)
    if viewer is not None and viewer.via == "oidc":
        st.logout()

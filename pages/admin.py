"""Administration: who may sign in (users, roles, areas) and the audit log. Shown to administrators only (the page
list is built per role in ``shell.pages``); changing users is done with ``python -m resettlement users``."""

import polars as pl
import streamlit as st

from resettlement import access, store
from resettlement.i18n import t
from resettlement.ui import components, shell

ctx = shell.context()
lang = ctx.lang
if ctx.role != "admin":  # never reached through the navigation; a guard all the same (deny by default)
    st.error(t("auth.not_admin", lang))
    st.stop()
shell.page_title("admin", ctx)
engine = store.get_engine(ctx.url)

st.subheader(t("admin.users", lang))
st.caption(t("admin.users_help", lang))
users = pl.DataFrame(
    access.user_rows(engine),
    schema={
        "name": pl.String,
        "role": pl.String,
        "areas": pl.String,
        "password": pl.Boolean,
        "locked": pl.Boolean,
        "updated_at": pl.String,
    },
)
components.dataframe(users.rename({c: t(f"admin.col.{c}", lang) for c in users.columns}))

st.subheader(t("admin.audit", lang))
event = st.selectbox(
    t("admin.event_filter", lang),
    ["", *access.AUDIT_EVENTS],
    key="admin_event",
    format_func=lambda e: t(f"admin.event.{e}", lang) if e else t("admin.event_all", lang),
)
who = st.text_input(t("admin.user_filter", lang), key="admin_user", max_chars=access.NAME_MAX)
log = store.read_audit(engine, limit=500, user=access.normal_name(who) or None, event=event or None)
components.dataframe(log.drop("id").rename({c: t(f"admin.col.{c}", lang) for c in log.columns if c != "id"}))
st.caption(t("admin.audit_help", lang, n=log.height))

"""Resettlement Monitor Cymru: the Streamlit entry point (router, shell and shared filter bar)."""

from pathlib import Path

import streamlit as st

from resettlement import store
from resettlement.i18n import t
from resettlement.ui import shell

# A bundled icon: Material and emoji favicons are fetched from the internet, which the app must not need.
st.set_page_config(page_title="Resettlement Monitor Cymru", page_icon=shell.ICON, layout="wide")

PAGES = (
    ("overview", "pages/overview.py", ":material/dashboard:"),
    ("profile", "pages/area_profile.py", ":material/location_city:"),
    ("needs", "pages/pathway_needs.py", ":material/checklist:"),
    ("gaps", "pages/service_gaps.py", ":material/map:"),
    ("rrp", "pages/rrp_activity.py", ":material/groups:"),
    ("completeness", "pages/data_completeness.py", ":material/fact_check:"),
    ("outcomes", "pages/outcomes.py", ":material/trending_up:"),
    ("import", "pages/import_data.py", ":material/upload_file:"),
    ("definitions", "pages/definitions.py", ":material/menu_book:"),
)

lang = shell.language()
navigation = st.navigation(
    [
        # url_path = the file's stem, so the first deep link after start-up (served in Streamlit's legacy
        # pages/ mode until st.navigation has run once) finds the same page; see shell.context().
        st.Page(path, title=t(f"page.{key}.nav", lang), icon=icon, url_path=Path(path).stem,
                default=(key == "overview"))
        for key, path, icon in PAGES
    ]
)
shell.bootstrap()
try:
    navigation.run()
except store.DATABASE_ERRORS as exc:  # e.g. a file with a good header and damaged pages: a message, no traceback
    shell.database_error(exc, lang)

"""Resettlement Monitor Cymru: the Streamlit entry point (router, shell and shared filter bar)."""

import streamlit as st

from resettlement.i18n import t
from resettlement.ui import shell

st.set_page_config(page_title="Resettlement Monitor Cymru", page_icon=":material/insights:", layout="wide")

PAGES = (
    ("overview", "pages/overview.py", ":material/dashboard:"),
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
        st.Page(path, title=t(f"page.{key}.nav", lang), icon=icon, url_path=key, default=(key == "overview"))
        for key, path, icon in PAGES
    ]
)
shell.bootstrap()
navigation.run()

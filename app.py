"""Resettlement Monitor Cymru: the Streamlit entry point (router, shell and shared filter bar)."""

import streamlit as st

from resettlement import store
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
    ("admin", "pages/admin.py", ":material/admin_panel_settings:"),
    ("definitions", "pages/definitions.py", ":material/menu_book:"),
)

begun = shell.start()  # settings, database and who is viewing
navigation = st.navigation(shell.pages(begun, PAGES))  # built per role: the sign-in page alone before sign-in
shell.bootstrap(begun, navigation.url_path or "overview")  # language switch, banner, filters, the page's context
try:
    navigation.run()
except store.DATABASE_ERRORS as exc:  # e.g. a file with a good header and damaged pages: a message, no traceback
    shell.database_error(exc, begun.lang)

"""The floor for felt speed: a blank Streamlit multipage app with three sidebar links (bench/felt.py)."""

import streamlit as st

PAGES = [st.Page(f"page_{n}.py", title=f"Blank {n}", url_path=f"blank_{n}", default=(n == 1)) for n in (1, 2, 3)]
st.navigation(PAGES).run()

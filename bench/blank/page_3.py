"""Blank page 3: a title only."""

import streamlit as st

st.title("Blank 3")

"""Blank page 2: a title only."""

import streamlit as st

st.title("Blank 2")

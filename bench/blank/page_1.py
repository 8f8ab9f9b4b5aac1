"""Blank page 1: a title only."""

import streamlit as st

st.title("Blank 1")

"""Definitions: the data standard, the measures and the disclosure rule, in plain words."""

import polars as pl
import streamlit as st

from resettlement import definitions, standard
from resettlement.i18n import label, t
from resettlement.ui import components, shell

ctx = shell.context()
lang = ctx.lang
shell.page_title("definitions", ctx)

st.header(t("definitions.pathways", lang))
st.markdown("\n".join(f"- **{label('pathway', p, lang)}**: {t('pathway_help.' + p, lang)}" for p in standard.PATHWAYS))

for key in definitions.SECTIONS:
    st.header(t(f"{key}.title", lang))
    st.markdown(t(f"{key}.body", lang, **definitions.params(ctx.protection)))

st.header(t("definitions.standard_title", lang, version=standard.VERSION))
st.markdown(t("definitions.standard_intro", lang))
for table in standard.TABLES.values():
    with st.expander(f"`{table.name}` · {t('table.' + table.name, lang)}"):
        rows = [
            {
                t("col.field", lang): f.name,
                t("col.type", lang): t("dtype." + f.dtype, lang),
                t("col.status", lang): t("status." + f.status, lang),
                t("col.allowed", lang): ", ".join(f.allowed)
                if f.allowed and f.enum != "la_code"
                else (t("definitions.la_codes", lang) if f.enum == "la_code" else ""),
                t("col.description", lang): t(f"field.{table.name}.{f.name}", lang),
            }
            for f in table.fields
        ]
        components.dataframe(pl.DataFrame(rows))

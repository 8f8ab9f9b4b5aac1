"""Import data: upload extracts, check them against the data standard at once (a dry run), then import them.

Thin: reading, validating and writing are :func:`resettlement.importer.run_import`, exactly as the command line
runs them. Shown to administrators (and in the open demo, whose synthetic data refuses imports): only an
administrator with the working view may write. A check compares only against records in the viewer's scope, so it
says nothing about other areas' records (issue 18); problem values (case-level data) are shown only to viewers with
case-level access, and the import log only to viewers who see all Wales.
"""

import polars as pl
import streamlit as st

from resettlement import access, exports, importer, markup, store, templates
from resettlement.i18n import has, t
from resettlement.ui import components, data, shell

ctx = shell.context()
lang = ctx.lang
shell.page_title("import", ctx)
can_write = ctx.role == "admin" and ctx.scope.is_all_wales and ctx.scope.case_level
show_values = ctx.scope.case_level


@st.cache_data(show_spinner=False)
def template_files(lang: str) -> tuple[bytes, bytes]:
    return templates.template_xlsx(lang), templates.csv_zip()


def labelled(df: pl.DataFrame) -> pl.DataFrame:
    """Severity and mode in words, column headings in the chosen language."""
    for col, prefix in (("severity", "importer.severity."), ("mode", "importer.mode.")):
        if col in df.columns:
            df = df.with_columns(
                pl.col(col).replace(
                    {v: t(prefix + v, lang) for v in df[col].unique().to_list() if v and has(prefix + v, lang)}
                )
            )
    return df.rename({c: t(f"importer.col.{c}", lang) for c in df.columns if has(f"importer.col.{c}", lang)})


def outcome(report: importer.ImportReport) -> None:
    text = t(f"importer.outcome.{report.outcome}", lang, rejected=f"{report.rows_rejected:,}")
    shown = {
        "dry_run_ok": st.success,
        "written": st.success,
        "written_with_rejects": st.warning,
        "nothing_written": st.warning,
    }
    if report.accept_valid and report.outcome == "dry_run_problems":
        shown["dry_run_problems"] = st.warning
    shown.get(report.outcome, st.error)(text)
    for message in importer.global_messages(report, lang, escape=markup.md):
        st.error(message)


with st.expander(t("importer.page.templates", lang), icon=":material/description:"):
    st.caption(t("importer.page.templates_intro", lang))
    xlsx, csvs = template_files(lang)
    left, right = st.columns(2)
    left.download_button(
        t("importer.page.template_xlsx", lang),
        xlsx,
        templates.XLSX_NAME,
        key="tpl_xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
    )
    right.download_button(
        t("importer.page.template_csv", lang),
        csvs,
        "resettlement-import-templates.zip",
        mime="application/zip",
        key="tpl_csv",
        icon=":material/download:",
    )
    st.markdown(f"**{t('importer.page.rules', lang)}**\n\n{t('importer.page.rules_body', lang)}")

if ctx.synthetic:
    st.warning(t("importer.page.synthetic", lang), icon=":material/science:")
elif not can_write:
    st.info(t("importer.page.not_allowed", lang), icon=":material/lock:")
uploads = st.file_uploader(
    t("importer.page.upload", lang),
    type=["csv", "xlsx", "xlsm", "tsv", "txt"],
    accept_multiple_files=True,
    help=t("importer.page.upload_help", lang),
    key="import_files",
)
accept_valid = st.checkbox(
    t("importer.page.accept_valid", lang), help=t("importer.page.accept_valid_help", lang), key="import_accept_valid"
)
strict = st.checkbox(t("importer.page.strict", lang), help=t("importer.page.strict_help", lang), key="import_strict")

if uploads:
    sources = [importer.Source(u.name, u.getvalue()) for u in uploads]
    digest = (tuple(s.sha256 for s in sources), accept_valid, strict, ctx.data_version, ctx.scope.key())
    if st.session_state.get("_import_digest") != digest:
        with st.spinner(t("importer.progress.read", lang)):
            st.session_state["_import_check"] = importer.run_import(
                sources, ctx.url, dry_run=True, accept_valid=accept_valid, strict=strict, lang=lang, scope=ctx.scope
            )
        st.session_state["_import_digest"] = digest
    report: importer.ImportReport = st.session_state["_import_check"]
    st.subheader(t("importer.page.validation", lang))
    st.caption(
        t(
            "importer.page.files_read",
            lang,
            files=", ".join(f"{markup.md(f['name'])} → {', '.join(f['tables']) or '?'}" for f in report.files),
        )
    )
    outcome(report)
    st.markdown(f"**{t('importer.page.summary', lang)}**")
    components.dataframe(labelled(report.summary_frame()))
    if report.problems.height == 0:
        st.success(t("importer.page.no_problems", lang))
    else:
        st.markdown(f"**{t('importer.page.problems', lang, errors=report.n_errors, warnings=report.n_warnings)}**")
        problems = report.problems_frame(lang) if show_values else report.problem_counts(lang)
        if not show_values:
            st.caption(t("importer.page.values_hidden", lang))
        shown = labelled(problems)
        components.dataframe(shown)
        st.download_button(
            t("importer.page.download_problems", lang),
            lambda: exports.csv_bytes(shown),
            "import-problems.csv",
            mime="text/csv",
            key="dl_problems",
            icon=":material/download:",
        )

    st.subheader(t("importer.page.write", lang))
    blocked = not report.ok and not accept_valid
    disabled = not can_write or report.synthetic_target or blocked
    if not can_write:
        st.info(t("importer.page.not_allowed", lang), icon=":material/lock:")
    elif report.synthetic_target:
        st.warning(t("importer.page.synthetic", lang), icon=":material/science:")
    elif blocked:
        st.warning(t("importer.page.blocked", lang))
    note = "" if disabled else st.text_input(t("importer.page.note", lang), key="import_note", max_chars=500)
    # a callback flags the request (it survives the rerun that a click starts), the body runs it in place
    st.button(
        t("importer.page.button", lang),
        type="primary",
        disabled=disabled,
        key="import_go",
        icon=":material/upload:",
        on_click=st.session_state.__setitem__,
        args=("_import_requested", digest),
    )
    if st.session_state.pop("_import_requested", None) == digest and not disabled:
        bar = st.progress(0.0, text=t("importer.progress.read", lang))

        def progress(stage: str, table: str, done: int, total: int) -> None:
            bar.progress(
                min(done / max(total, 1), 1.0),
                text=t(f"importer.progress.{stage}", lang, table=table, done=f"{done:,}", total=f"{total:,}"),
            )

        result = importer.run_import(
            sources,
            ctx.url,
            accept_valid=accept_valid,
            strict=strict,
            note=note,
            lang=lang,
            progress=progress,
            scope=ctx.scope,
        )
        bar.empty()
        access.audit(
            store.get_engine(ctx.url),
            ctx.user or "demo",
            "import",
            "import_data",
            {"outcome": result.outcome, "import_log_id": result.log_id, "files": [f["name"] for f in result.files]},
        )
        st.session_state["_import_result"] = (digest[0], result)
        if result.written:
            data.clear()  # the new data_version retires cached frames and results too; free them now
            st.rerun()  # the sidebar's as-of date and the check above follow the new data
    done = st.session_state.get("_import_result")
    if done and done[0] == digest[0]:
        result = done[1]
        outcome(result)
        for name, rejected in result.rejects.items():
            st.download_button(
                t("importer.page.rejects", lang, table=name, n=f"{rejected.height:,}"),
                lambda rejected=rejected: importer.rejects_csv(rejected),
                f"{name}_rejects.csv",
                mime="text/csv",
                help=t("importer.page.rejects_help", lang),
                key=f"dl_rejects_{name}",
                icon=":material/download:",
            )
else:
    st.info(t("importer.page.nothing_yet", lang), icon=":material/upload_file:")

st.subheader(t("importer.page.log", lang))
log = importer.log_frame(store.read_import_log(store.get_engine(ctx.url), limit=20))
if not ctx.scope.is_all_wales:  # an import may hold any area's rows: its log is for viewers of all Wales
    st.caption(t("importer.page.log_hidden", lang))
elif log.height:
    components.dataframe(labelled(log))
else:
    st.caption(t("importer.page.log_empty", lang))

"""Downloads built on click (XLSX exports, the slide deck) stay fetchable while other sessions run.

Streamlit (1.67) stores the file a deferred ``st.download_button`` builds without tying it to the session that
asked for it, and every script run of any session sweeps files that no session references: after two other runs end,
the file is gone, and the browser's fetch that follows the click gets a 404. With 30 sessions on one server that was
one download in four (``bench/load.py``). :func:`keep_built_downloads` ties each built file to the session and
button that asked for it, as Streamlit ties every other file, so it lives until that session's next run.

:func:`audit_downloads` records every file built on click (table exports, the slide deck) in the audit log, with the
signed-in user, the page and the filters of the run that drew the button.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")

_BUILT = ":built"
#: Session-state key of ``(database url, user, page, filters)`` for a signed-in viewer's run (set by the shell).
AUDIT_KEY = "_audit"


def keep_built_downloads() -> None:
    """Patch Streamlit's media file manager once (``serve`` calls it before the server starts)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    original = MediaFileManager.execute_deferred
    if getattr(original, "keeps_built_downloads", False):
        return

    @functools.wraps(original)
    def execute_deferred(self: MediaFileManager, file_id: str) -> str:
        url = original(self, file_id)
        built_id = urlsplit(url).path.rsplit("/", 1)[-1].split(".", 1)[0]
        with self._lock:
            entry = self._deferred_callables.get(file_id)
            session_files = self._files_by_session_and_coord.get(entry["session_id"]) if entry else None
            if entry and session_files is not None and built_id in self._file_metadata:
                session_files[entry["coordinates"] + _BUILT] = built_id
        return url

    execute_deferred.keeps_built_downloads = True  # type: ignore[attr-defined]
    MediaFileManager.execute_deferred = execute_deferred  # type: ignore[method-assign]


def audit_downloads() -> None:
    """Patch Streamlit's media file manager once so that each deferred download (built on click) records who built
    it, from which page and with which filters, when it is built; open-demo runs (no user) record nothing."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    original = MediaFileManager.add_deferred
    if getattr(original, "audits_downloads", False):
        return

    @functools.wraps(original)
    def add_deferred(self: MediaFileManager, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        return original(self, _audited(data_callable, file_name), mimetype, coordinates, file_name, **kwargs)

    add_deferred.audits_downloads = True  # type: ignore[attr-defined]
    MediaFileManager.add_deferred = add_deferred  # type: ignore[method-assign]


def _audited(build: Callable[[], T], file_name: str | None) -> Callable[[], T]:
    """``build``, recording a ``download`` in the audit log once it has built the file (the viewer is read now, in
    the script run that draws the button: the build runs later, outside it)."""
    import streamlit as st

    try:
        viewer = st.session_state.get(AUDIT_KEY)
    except Exception:  # no script run (a test building a manager by hand)
        viewer = None
    if not viewer:
        return build
    url, user, page, detail = viewer

    def built() -> T:
        from resettlement import access, store

        result = build()
        access.audit(store.get_engine(url), user, "download", page, {**detail, "file": file_name or ""})
        return result

    return built

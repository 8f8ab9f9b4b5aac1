"""Downloads built on click (XLSX exports, the slide deck) stay fetchable while other sessions run.

Streamlit (1.67) stores the file a deferred ``st.download_button`` builds without tying it to the session that
asked for it, and every script run of any session sweeps files that no session references: after two other runs end,
the file is gone, and the browser's fetch that follows the click gets a 404. With 30 sessions on one server that was
one download in four (``bench/load.py``). :func:`keep_built_downloads` ties each built file to the session and
button that asked for it, as Streamlit ties every other file, so it lives until that session's next run.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

_BUILT = ":built"


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
            if session_files is not None and built_id in self._file_metadata:
                session_files[entry["coordinates"] + _BUILT] = built_id
        return url

    execute_deferred.keeps_built_downloads = True  # type: ignore[attr-defined]
    MediaFileManager.execute_deferred = execute_deferred  # type: ignore[method-assign]

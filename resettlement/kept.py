"""Results kept beside a data version's columnar snapshot, so a restarted server draws its first page without
computing it again.

A kept result lives in ``<snapshot of the version>/results/`` and goes when the snapshot goes (an import writes a
new version; older versions are pruned). Its key holds the function, the viewer's scope, the arguments and a digest
of this package's code and the Polars version, and the settings, so a result computed for other data, another scope,
by other code or under other settings is never read. Like the snapshot, the files are a copy of figures from the
database: protect them like it. Best effort: a result that cannot be read or written is computed instead.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import shutil
import uuid
from pathlib import Path
from typing import Any

import polars as pl

from resettlement import files, settings, store

log = logging.getLogger(__name__)
_FOLDER = "results"


@functools.cache
def code_version() -> str:
    """A digest of the package's source and the Polars version (pickled frames are read by the version that wrote
    them)."""
    digest = hashlib.sha256(pl.__version__.encode())
    for path in sorted(Path(__file__).resolve().parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _stamp() -> tuple:
    """What a kept result must have been computed under besides its key: this code and these settings (the
    database is the snapshot's folder)."""
    return code_version(), tuple(settings.get(s.env) for s in settings.SETTINGS if s.env != "RESETTLEMENT_DB_URL")


def _path(url: str, data_version: str, full_key: tuple) -> Path | None:
    folder = store.complete_snapshot(url, data_version)
    if folder is None:
        return None
    name = hashlib.sha256(repr(full_key).encode("utf-8")).hexdigest()[:32]
    return folder / _FOLDER / f"{name}.pickle"


def clear(url: str, data_version: str) -> None:
    """Remove every result kept for ``data_version`` (the next start computes them again)."""
    folder = store.complete_snapshot(url, data_version)
    if folder is not None:
        shutil.rmtree(folder / _FOLDER, ignore_errors=True)


def load(url: str, data_version: str, key: tuple) -> tuple[bool, Any]:
    """``(True, result)`` when a result is kept for ``key`` in this version's snapshot, else ``(False, None)``."""
    full_key = (_stamp(), key)
    path = _path(url, data_version, full_key)
    if path is None:
        return False, None
    try:
        with path.open("rb") as fh:
            stored_key, value = pickle.load(fh)
    except FileNotFoundError:
        return False, None
    except Exception as exc:  # damaged or written by incompatible code: only a cache
        log.warning("ignoring the kept result %s: %s", path, exc)
        return False, None
    return (True, value) if stored_key == full_key else (False, None)


def save(url: str, data_version: str, key: tuple, value: Any) -> Path | None:
    """Keep ``value`` for ``key`` beside the snapshot of ``data_version`` (written whole, then renamed into place)."""
    full_key = (_stamp(), key)
    path = _path(url, data_version, full_key)
    if path is None:
        return None
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}")
    try:
        path.parent.mkdir(mode=files.FOLDER_MODE, exist_ok=True)
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, files.FILE_MODE), "wb") as fh:
            pickle.dump((full_key, value), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        return path
    except Exception as exc:
        tmp.unlink(missing_ok=True)
        log.warning("could not keep the result %s: %s", path, exc)
        return None

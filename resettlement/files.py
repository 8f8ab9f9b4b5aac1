"""Files that hold case-level data (databases being built, rejects files, snapshots): private to their owner from
the moment they exist, and temporary ones never left behind.

A temporary file is named ``.<target name>.<kind>-<pid>-<random>`` beside its target. It is removed on every path out
of the code that made it (``finally``); a process killed before that leaves it, so :func:`remove_stale` removes, at
the next start, every such file whose process is no longer running (and its SQLite journal).
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from pathlib import Path

#: Owner read and write only; a folder: owner only.
FILE_MODE, FOLDER_MODE = 0o600, 0o700
#: Suffixes SQLite adds to a database file for its journals.
SQLITE_SIDE_FILES: tuple[str, ...] = ("-journal", "-wal", "-shm")


def private_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, readable and writable by the owner only from its creation on."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # an existing file keeps its mode through O_TRUNC
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def private_folder(path: Path) -> Path:
    """Create ``path`` (and missing parents) owner-only; an existing folder is made owner-only too."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    os.chmod(path, FOLDER_MODE)
    return path


def make_private(path: Path) -> None:
    """Make an existing file (or folder) owner-only; best effort (a file owned by someone else is left)."""
    with contextlib.suppress(OSError):
        os.chmod(path, FOLDER_MODE if path.is_dir() else FILE_MODE)


def temp_path(target: Path, kind: str) -> Path:
    """A new, empty, owner-only temporary file beside ``target`` (SQLite keeps an existing file's mode, and gives
    its journal the same)."""
    path = target.with_name(f".{target.name}.{kind}-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    os.close(fd)
    return path


def remove(path: Path) -> None:
    """Remove a temporary database file and its SQLite journals, if there."""
    for leftover in (path, *(Path(f"{path}{s}") for s in SQLITE_SIDE_FILES)):
        leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # running, as another user
        return True
    return True


def remove_stale(target: Path, kind: str) -> list[Path]:
    """Remove the temporary files of ``kind`` beside ``target`` left by processes no longer running (killed);
    returns what was removed."""
    if not target.parent.is_dir():
        return []
    sides = "|".join(map(re.escape, SQLITE_SIDE_FILES))
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.{re.escape(kind)}-(\d+)(-[0-9a-f]+)?({sides})?$")
    removed = []
    for path in sorted(target.parent.iterdir()):
        found = pattern.match(path.name)
        if found and not _alive(int(found.group(1))):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed

"""The columnar snapshot: a Parquet file per table for each data version of a database, so the app never reads
millions of rows through SQL twice. Snapshots hold whole tables; :func:`scope_frames` restricts them exactly as the
scoped SQL reads do."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

import polars as pl
from sqlalchemy.engine import make_url

from resettlement import files, settings
from resettlement.scope import Scope
from resettlement.standard import TABLES
from resettlement.store.engine import display_url, sqlite_path
from resettlement.store.schema import polars_schema

log = logging.getLogger(__name__)

SNAPSHOT_KEEP = 8  # databases whose snapshots are kept (the most recently written)
_COMPLETE = "snapshot.json"
_SCOPE_COL = "__la_code"  # a case-linked row's case authority, stored so scoping needs no join


def snapshot_root() -> Path | None:
    """Where snapshots are kept (setting ``RESETTLEMENT_CACHE_DIR``; ``off`` keeps none)."""
    value = settings.get("RESETTLEMENT_CACHE_DIR")
    return None if value.lower() in ("off", "none", "0") else Path(value)


def _database_id(url: str) -> tuple[str, str]:
    """A stable identity of the database behind ``url`` (an SQLite file's absolute path, or the URL without its
    password) and its short hash, which names its snapshot folder."""
    path = sqlite_path(url)
    ident = f"sqlite:{path.resolve()}" if path is not None else display_url(url)
    return ident, hashlib.sha256(ident.encode("utf-8")).hexdigest()[:16]


def snapshot_dir(url: str, data_version: str) -> Path | None:
    """``<cache dir>/<database hash>/<data_version>/``: where the snapshot of one version of a database lives
    (``None`` when there is no version to key it on, or for an in-memory database). Imports write a new
    ``data_version``, so a snapshot is never read for data it does not hold."""
    root = snapshot_root()
    if root is None or not data_version or (make_url(url).get_backend_name() == "sqlite" and sqlite_path(url) is None):
        return None
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", data_version)[:100]
    return root / _database_id(url)[1] / safe


def complete_snapshot(url: str, data_version: str) -> Path | None:
    """The folder of ``data_version``'s snapshot when it has been written completely, else ``None``."""
    folder = snapshot_dir(url, data_version)
    return folder if folder is not None and (folder / _COMPLETE).exists() else None


def write_snapshot(url: str, data_version: str, frames: Mapping[str, pl.DataFrame]) -> Path | None:
    """Write whole (unscoped) tables as the snapshot of ``data_version``; older versions of the same database are
    removed. Best effort: a cache that cannot be written only costs speed, so errors are logged, not raised."""
    folder = snapshot_dir(url, data_version)
    if folder is None or (folder / _COMPLETE).exists():
        return folder
    tmp = folder.parent / f".tmp-{uuid.uuid4().hex}"
    try:
        files.private_folder(folder.parent)  # a copy of the data: owner-only, like its files
        tmp.mkdir(mode=files.FOLDER_MODE)
        cases = frames["cases"].select(pl.col(c).cast(t) for c, t in polars_schema(TABLES["cases"]).items())
        owner = cases.select("case_id", pl.col("la_code").alias(_SCOPE_COL))
        for name, table in TABLES.items():
            df = frames.get(name, pl.DataFrame(schema=polars_schema(table)))
            df = df.select(pl.col(c).cast(t) for c, t in polars_schema(table).items())
            if table.case_linked:
                df = df.join(owner, on="case_id", how="left")
            df.write_parquet(tmp / f"{name}.parquet", compression="zstd")
            files.make_private(tmp / f"{name}.parquet")
        ident = _database_id(url)[0]
        files.private_write(
            tmp / _COMPLETE,
            json.dumps(
                {
                    "database": ident,
                    "data_version": data_version,
                    "written": time.strftime("%Y-%m-%dT%H:%M:%S"),
                    "rows": {n: df.height for n, df in frames.items()},
                }
            ).encode(),
        )
        try:
            os.replace(tmp, folder)
        except OSError:  # another process wrote the same version first
            shutil.rmtree(tmp, ignore_errors=True)
        _prune(folder)
        return folder
    except Exception as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        log.warning("could not write the snapshot %s: %s", folder, exc)
        return None


def adopt_snapshot(old_url: str, new_url: str) -> None:
    """After an SQLite file built at ``old_url`` was moved to ``new_url``, move its snapshots along with it."""
    old = snapshot_dir(old_url, "x")
    new = snapshot_dir(new_url, "x")
    if old is None or new is None or not old.parent.exists():
        return
    try:
        shutil.rmtree(new.parent, ignore_errors=True)
        os.replace(old.parent, new.parent)
        for marker in new.parent.glob(f"*/{_COMPLETE}"):
            info = json.loads(marker.read_text())
            marker.write_text(json.dumps({**info, "database": _database_id(new_url)[0]}))
    except OSError as exc:
        log.warning("could not move the snapshot of %s: %s", display_url(old_url), exc)


def _prune(keep: Path) -> None:
    """Remove other versions of ``keep``'s database, snapshots of SQLite files that no longer exist, and all but
    the :data:`SNAPSHOT_KEEP` most recently written databases."""
    for old in keep.parent.iterdir():
        if old != keep and old.is_dir() and not old.name.startswith(".tmp-"):
            shutil.rmtree(old, ignore_errors=True)
    databases = []
    for db in keep.parent.parent.iterdir():
        marker = next(db.glob(f"*/{_COMPLETE}"), None) if db.is_dir() else None
        if marker is None:
            continue
        ident = json.loads(marker.read_text()).get("database", "")
        if ident.startswith("sqlite:") and not Path(ident.removeprefix("sqlite:")).exists():
            shutil.rmtree(db, ignore_errors=True)
        else:
            databases.append((marker.stat().st_mtime, db))
    for _, db in sorted(databases, reverse=True)[SNAPSHOT_KEEP:]:
        shutil.rmtree(db, ignore_errors=True)


def read_snapshot(folder: Path) -> dict[str, pl.LazyFrame]:
    """The snapshot's tables as lazy Parquet scans (:func:`scope_frames` filters them as they are read)."""
    return {name: pl.scan_parquet(folder / f"{name}.parquet") for name in TABLES}


def scope_frames(frames: Mapping[str, pl.DataFrame | pl.LazyFrame], scope: Scope) -> dict[str, pl.DataFrame]:
    """Whole tables restricted to ``scope`` exactly as :func:`read_table` restricts them in SQL: cases by local
    authority, case-linked rows by their case's authority (rows of no known case are never visible), RRPs that
    cover any authority in scope, and their meetings and attendance. An empty scope keeps nothing. Lazy frames
    (a snapshot's Parquet scans) are filtered as they are read."""
    codes = sorted(scope.la_codes)
    lazy = {name: frames[name].lazy() for name in TABLES}
    out: dict[str, pl.LazyFrame] = {"cases": lazy["cases"].filter(pl.col("la_code").is_in(codes))}
    for name, table in TABLES.items():
        if not table.case_linked:
            continue
        if _SCOPE_COL in lazy[name].collect_schema().names():  # a snapshot: the case's authority is on the row
            out[name] = lazy[name].filter(pl.col(_SCOPE_COL).is_in(codes)).drop(_SCOPE_COL)
        else:
            out[name] = lazy[name].join(out["cases"].select("case_id"), on="case_id", how="semi", maintain_order="left")
    out["rrps"] = lazy["rrps"].filter(pl.col("la_codes").str.split(";").list.eval(pl.element().is_in(codes)).list.any())
    out["rrp_meetings"] = lazy["rrp_meetings"].join(
        out["rrps"].select("rrp_id"), on="rrp_id", how="semi", maintain_order="left"
    )
    out["rrp_attendance"] = lazy["rrp_attendance"].join(
        out["rrp_meetings"].select("meeting_id"), on="meeting_id", how="semi", maintain_order="left"
    )
    names = list(TABLES)
    collected = pl.collect_all([out[name].select(TABLES[name].columns) for name in names])
    return dict(zip(names, collected, strict=True))

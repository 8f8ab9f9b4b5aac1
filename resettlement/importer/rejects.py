"""Rejects files: the rejected rows as they were given, each with its problems, ready to be corrected and imported
again (the importer ignores the columns added here: see :data:`resettlement.importer.read.REJECTS_COLUMNS`)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from resettlement import exports
from resettlement import files as private_files
from resettlement.importer.columns import FILE, ROW, raw
from resettlement.importer.report import reason_text, severity_expr
from resettlement.standard import TABLES


def rejects_frame(name: str, bad: pl.DataFrame, problems: pl.DataFrame, strict: bool, lang: str) -> pl.DataFrame:
    """Rejected rows as they were given (standard column names), with their problems, ready to be corrected."""
    cols = [c for c in TABLES[name].columns if raw(c) in bad.columns]
    on_rows = problems.filter(pl.col("row").is_not_null())
    reasons = on_rows.select("code", "params", "column").unique(maintain_order=True)
    reasons = reasons.with_columns(
        pl.Series(
            "__text",
            [  # each distinct reason worded once, in Python, not per row
                (f"{column}: " if column else "") + reason_text(code, json.loads(params) if params else None, lang)
                for code, params, column in reasons.iter_rows()
            ],
            dtype=pl.String,
        )
    )
    texts = (
        on_rows.join(reasons, on=["code", "params", "column"], how="left", nulls_equal=True, maintain_order="left")
        .group_by("file", "row", maintain_order=True)
        .agg(pl.col("__text").str.join("; ").alias("problems"))
    )
    sheet_level = problems.filter(pl.col("row").is_null() & (severity_expr(strict) == "error"))
    sheet_texts = {
        f: "; ".join(
            reason_text(c, json.loads(p) if p else None, lang) for c, p in zip(g["code"], g["params"], strict=True)
        )
        for (f,), g in sheet_level.group_by("file")
    }
    out = bad.join(texts.rename({"file": FILE, "row": ROW}), on=[FILE, ROW], how="left", maintain_order="left")
    out = out.with_columns(
        pl.coalesce(
            pl.col("problems"), pl.col(FILE).replace_strict(sheet_texts, default=None, return_dtype=pl.String)
        ).alias("problems")
    )
    return out.select(
        *[pl.col(raw(c)).alias(c) for c in cols],
        "problems",
        pl.col(FILE).alias("source_file"),
        pl.col(ROW).alias("source_row"),
    )


def write_rejects(rejects: dict[str, pl.DataFrame], directory: str | Path) -> list[str]:
    """Save each table's rejected rows as ``<table>_rejects.csv`` (UTF-8 with BOM, so Excel reads Welsh letters).

    They hold case-level data: a new folder is created private (0700) and each file readable by its owner only
    (0600)."""
    out = Path(directory)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    paths = []
    for name, df in rejects.items():
        path = out / f"{name}_rejects.csv"
        private_files.private_write(path, rejects_csv(df))
        paths.append(str(path))
    return paths


def rejects_csv(df: pl.DataFrame) -> bytes:
    """A rejects file's bytes: neutralised against spreadsheet formulas (see :mod:`resettlement.exports`)."""
    return exports.csv_bytes(df)

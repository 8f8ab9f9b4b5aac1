"""Generated documentation: ``docs/data-standard.md`` is rendered from the data standard and the English catalog.

Regenerate with ``python -m resettlement docs``; a test fails when the file and the declaration disagree.
"""

from __future__ import annotations

from pathlib import Path

from resettlement import standard
from resettlement.i18n import t
from resettlement.settings import ROOT
from resettlement.templates import allowed_text, condition_text

DATA_STANDARD_PATH = ROOT / "docs" / "data-standard.md"
_CHECK_OPS = {"ge": "≥", "le": "≤", "gt": ">"}


def render_data_standard() -> str:
    """The Markdown document of the data standard."""
    lines = [
        f"# Data standard (version {standard.VERSION})",
        "",
        "Generated from `resettlement/standard.py` by `python -m resettlement docs`; do not edit by hand.",
        "",
        t("definitions.standard_intro"),
        "",
    ]
    for table in standard.TABLES.values():
        lines += [
            f"## `{table.name}`: {t('table.' + table.name)}",
            "",
            f"Key: {', '.join(f'`{k}`' for k in table.key)}.",
            "",
            "| field | type | status | when expected | allowed values | references | description |",
            "|---|---|---|---|---|---|---|",
        ]
        for f in table.fields:
            lines.append(
                f"| `{f.name}` | {t('dtype.' + f.dtype)} | {f.status} | {condition_text(f)} | {allowed_text(f)} | "
                f"{f'`{f.references}`' if f.references else ''} | {t(f'field.{table.name}.{f.name}')} |"
            )
        lines.append("")
    lines += [
        "## Validity checks",
        "",
        "Cross-field rules a recorded value must satisfy when both sides are present.",
        "",
        "| rule | table | check |",
        "|---|---|---|",
    ]
    for c in standard.CHECKS:
        offset = f" {c.min_days:+d} days" if c.min_days else ""
        lines.append(f"| `{c.code}` | `{c.table}` | `{c.left}` {_CHECK_OPS[c.op]} `{c.right}`{offset} |")
    lines.append("")
    return "\n".join(lines)


def write_data_standard(path: Path = DATA_STANDARD_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_data_standard(), encoding="utf-8")
    return path

"""Generated documentation: ``docs/data-standard.md`` is rendered from the data standard and the English catalog.

Regenerate with ``python -m resettlement docs``; a test fails when the file and the declaration disagree.
"""

from __future__ import annotations

from pathlib import Path

from resettlement import standard
from resettlement.i18n import t
from resettlement.settings import ROOT

DATA_STANDARD_PATH = ROOT / "docs" / "data-standard.md"
_OPS = {"eq": "=", "in": "in", "present": "is recorded", "absent": "is empty", "gt": ">"}
_CHECK_OPS = {"ge": "≥", "le": "≤", "gt": ">"}


def _condition(f: standard.Field) -> str:
    parts = []
    for w in f.when:
        name = f"{w.table}.{w.field}" if w.table else w.field
        if w.op in ("present", "absent"):
            parts.append(f"`{name}` {_OPS[w.op]}")
        else:
            value = ", ".join(map(str, w.value)) if isinstance(w.value, tuple) else str(w.value).lower()
            parts.append(f"`{name}` {_OPS[w.op]} {value}")
    return " and ".join(parts)


def _allowed(f: standard.Field) -> str:
    if f.enum == "la_code":
        return "GSS code of a Welsh local authority" + (" (list)" if f.dtype == "enum_list" else "")
    if f.allowed:
        return ", ".join(f"`{v}`" for v in f.allowed)
    if f.min is not None or f.max is not None:
        return f"{f.min:g} to {f.max:g}"
    return ""


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
                f"| `{f.name}` | {t('dtype.' + f.dtype)} | {f.status} | {_condition(f)} | {_allowed(f)} | "
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

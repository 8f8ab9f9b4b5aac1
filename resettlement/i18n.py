"""Bilingual text: every user-visible string comes from the catalogs in ``locales/en/`` and ``locales/cy/``.

Each language's catalog is the union of its TOML files (one per feature, so features do not collide); nested
tables are flattened to dotted keys and a key defined twice is an error. A key missing from a catalog is an
error too, so an untranslated string fails tests rather than reaching a user in the wrong language.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

LANGS: tuple[str, ...] = ("en", "cy")
LANG_NAMES = {"en": "English", "cy": "Cymraeg"}
_DIR = Path(__file__).parent / "locales"


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, full + "."))
        else:
            flat[full] = str(value)
    return flat


@cache
def catalog(lang: str) -> Mapping[str, str]:
    """The flattened catalog for ``lang`` (read-only: one catalog is shared by every caller)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    merged: dict[str, str] = {}
    for path in sorted((_DIR / lang).glob("*.toml")):
        with open(path, "rb") as fh:
            flat = _flatten(tomllib.load(fh))
        clash = sorted(set(flat) & set(merged))
        if clash:
            raise ValueError(f"{path.name} redefines keys: {', '.join(clash[:5])}")
        merged.update(flat)
    return MappingProxyType(merged)


def t(key: str, lang: str = "en", **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    text = catalog(lang)[key]
    return text.format(**values) if values else text


def label(enum: str, code: str, lang: str = "en") -> str:
    """Display label of an enumeration code (pathway, cohort, ...)."""
    return t(f"enum.{enum}.{code}", lang)


def has(key: str, lang: str = "en") -> bool:
    return key in catalog(lang)

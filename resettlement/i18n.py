"""Bilingual text: every user-visible string comes from ``locales/en.toml`` and ``locales/cy.toml``.

Catalogs are nested TOML tables flattened to dotted keys. A key missing from a catalog is an error, so an
untranslated string fails tests rather than reaching a user in the wrong language.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

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
def catalog(lang: str) -> dict[str, str]:
    """The flattened catalog for ``lang``."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    with open(_DIR / f"{lang}.toml", "rb") as fh:
        return _flatten(tomllib.load(fh))


def t(key: str, lang: str = "en", **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    text = catalog(lang)[key]
    return text.format(**values) if values else text


def label(enum: str, code: str, lang: str = "en") -> str:
    """Display label of an enumeration code (pathway, cohort, ...)."""
    return t(f"enum.{enum}.{code}", lang)


def has(key: str, lang: str = "en") -> bool:
    return key in catalog(lang)

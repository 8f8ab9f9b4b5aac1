"""Read-only views of values shared between sessions (cached results), so no caller can change another's.

Polars frames are immutable already and are never copied; dicts become :class:`~types.MappingProxyType` views and
lists become tuples, level by level, so a cached result reads as before but cannot be changed in place.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any


def read_only(value: Any) -> Any:
    """``value`` with every dict (a read-only view of it) and list (a tuple) inside it frozen; anything else as is."""
    if isinstance(value, dict):
        return MappingProxyType({key: read_only(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(read_only(item) for item in value)
    return value

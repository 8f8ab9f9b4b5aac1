"""Access scope: which local authorities a viewer may see, deny-by-default.

Every read in :mod:`resettlement.store` takes a :class:`Scope`, and every cache key includes ``Scope.key``.
An empty scope sees nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from resettlement import settings
from resettlement.geography import LA_CODES


@dataclass(frozen=True)
class Scope:
    la_codes: frozenset[str] = frozenset()
    case_level: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.la_codes) - set(LA_CODES)
        if unknown:
            raise ValueError(f"unknown local authority codes in scope: {', '.join(sorted(unknown))}")

    @classmethod
    def all_wales(cls, case_level: bool = False) -> Scope:
        return cls(frozenset(LA_CODES), case_level)

    @classmethod
    def deny(cls) -> Scope:
        return cls()

    @property
    def is_empty(self) -> bool:
        return not self.la_codes

    @property
    def is_all_wales(self) -> bool:
        return set(self.la_codes) == set(LA_CODES)

    def key(self) -> str:
        """A stable plain string for cache keys."""
        return ("case:" if self.case_level else "agg:") + ",".join(sorted(self.la_codes))

    def figures_key(self) -> str:
        """The key of the scope published figures are computed on: all Wales (aggregates only) for a viewer of some
        areas, so benchmarks survive their scope (the figures then leave only in the publication view); the
        viewer's own scope otherwise."""
        return self.key() if self.is_all_wales else Scope.all_wales().key()

    def allows(self, la_code: str) -> bool:
        return la_code in self.la_codes


def scope_from_settings(synthetic: bool) -> Scope:
    """The viewer's scope from ``RESETTLEMENT_SCOPE``; empty means all Wales on synthetic data, else nothing."""
    raw = settings.get("RESETTLEMENT_SCOPE").strip()
    case_level = settings.get("RESETTLEMENT_CASE_LEVEL").strip() in {"1", "true", "yes"}
    if raw.lower() == "all":
        return Scope.all_wales(case_level)
    if not raw:
        return Scope.all_wales(case_level) if synthetic else Scope.deny()
    return Scope(frozenset(c.strip().upper() for c in raw.split(",") if c.strip()), case_level)


def scope_from_key(key: str) -> Scope:
    """Inverse of :meth:`Scope.key` (cached loaders receive the key, a plain string)."""
    kind, _, codes = key.partition(":")
    return Scope(frozenset(c for c in codes.split(",") if c), kind == "case")

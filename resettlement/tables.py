"""The standard tables of one scope as one frozen value.

Every function of the tables takes a :class:`Tables`: each table of the data standard is there with every standard
column, and cases carry ``service_code`` (the youth justice service covering the case's authority on its start date),
so no function has to check or attach them again. The value is read-only (it is shared by every session through the
cache), and reads like the mapping it replaces: ``tables["cases"]``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType

import polars as pl

from resettlement import geography, standard

SERVICE = "service_code"


class Tables(Mapping[str, pl.DataFrame]):
    """The seven standard tables, their standard columns guaranteed, ``service_code`` on cases."""

    __slots__ = ("_frames",)
    _frames: Mapping[str, pl.DataFrame]

    def __init__(self, frames: Mapping[str, pl.DataFrame]) -> None:
        missing = [
            f"{name}.{field.name}"
            for name, table in standard.TABLES.items()
            for field in table.fields
            if name not in frames or field.name not in frames[name].columns
        ]
        if SERVICE not in frames.get("cases", pl.DataFrame()).columns:
            missing.append(f"cases.{SERVICE}")
        if missing:
            raise ValueError(f"the tables lack standard columns: {', '.join(missing)}")
        object.__setattr__(self, "_frames", MappingProxyType(dict(frames)))

    @classmethod
    def of(cls, frames: Mapping[str, pl.DataFrame]) -> Tables:
        """The tables of ``frames`` (as read from the store), with ``service_code`` attached to cases."""
        if isinstance(frames, Tables):
            return frames
        cases = frames["cases"]
        if SERVICE not in cases.columns:
            cases = geography.attach_service(cases)
        return cls({**frames, "cases": cases})

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Tables is read-only")

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self._frames[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._frames)

    def __len__(self) -> int:
        return len(self._frames)

    __eq__ = object.__eq__  # identity: frames compare cell by cell
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"Tables({', '.join(f'{name}: {df.height:,}' for name, df in self._frames.items())})"

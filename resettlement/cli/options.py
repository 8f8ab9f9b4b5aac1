"""Options several commands share, declared once as argparse parent parsers, and the types of dated arguments.

Each command is declared as a :class:`Command`: its help, the function that runs it and its options as parent
parsers, in the order its help shows them (``options=(DB, ..., PERIOD, COHORT, lang("area names"))``).
A parent holds one option (``option``) or the ``--from``/``--to`` pair (``period``). Where commands word an
option's help differently (the example quarters, what ``--lang`` and ``--json`` apply to), the wording is an
argument of the factory, so every command's help reads as it always has.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Command:
    """A command as :func:`resettlement.cli.parser.build_parser` adds it: ``help`` in the list of commands,
    ``func`` runs it (given the parsed arguments; returns the exit code), ``options`` its options as parent parsers,
    in the order of its help, and ``actions`` its own subcommands (``users add|set|...``), if any."""

    help: str
    func: Callable[[argparse.Namespace], int] | None = None
    options: tuple[argparse.ArgumentParser, ...] = ()
    actions: dict[str, Command] | None = None


def option(*flags: str, **kwargs: Any) -> argparse.ArgumentParser:
    """A parent parser holding one option or positional argument (``add_argument``'s arguments)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(*flags, **kwargs)
    return parent


def period(first: str, last: str) -> argparse.ArgumentParser:
    """``--from`` and ``--to``: the first and last quarter of episodes (``start``, ``end``), described as given."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--from", dest="start", help=f"{first} (default: the app's default period)")
    parent.add_argument("--to", dest="end", help=last)
    return parent


def lang(what: str) -> argparse.ArgumentParser:
    """``--lang en|cy`` (default English), the language of ``what``."""
    return option("--lang", choices=["en", "cy"], default="en", help=f"language of {what}")


def as_json(help_text: str | None = None) -> argparse.ArgumentParser:
    """``--json``: print JSON instead of text."""
    return option("--json", action="store_true", help=help_text)


DB_HELP = "SQLAlchemy URL (default: RESETTLEMENT_DB_URL or the embedded SQLite file)"
_AREAS = "la:<GSS code>, service:<code> or police_area:<code>"

#: The database, as the reporting commands take it (their help says no more).
DB = option("--db")
#: The database, its default spelled out (demo, users).
DB_OR_DEFAULT = option("--db", help=DB_HELP)
#: The default period's quarters, with examples (gaps, completeness, report).
PERIOD = period("first quarter, e.g. 2024Q4", "last quarter, e.g. 2026Q3")
COHORT = option("--cohort", help="cohorts separated by commas (default: all)")
#: An area, all Wales by default (completeness, report).
AREA = option("--area", help=f"wales (default), {_AREAS}")
#: The same, worded as evaluate and reoffending word it.
AREA_OR_WALES = option("--area", help=f"wales, {_AREAS} (default: wales)")


def iso_date(text: str) -> date:
    """An argument that is a date (``YYYY-MM-DD``); argparse turns the error into a usage message (exit 2)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date {text!r}: use YYYY-MM-DD, e.g. 2026-09-30") from None

"""The command line's parser: every command's, from the modules that run them, in the order the help lists them."""

from __future__ import annotations

import argparse

from resettlement.cli import data, figures, serve, users
from resettlement.cli.checks import OPERATOR_COMMANDS
from resettlement.cli.options import Command

#: The commands in the order ``--help`` lists them.
ORDER = (
    "demo",
    "info",
    "docs",
    "gaps",
    "audit",
    "import",
    "templates",
    "completeness",
    "evaluate",
    "reoffending",
    "report",
    "users",
    "audit-log",
    "serve",
)


def build_parser() -> argparse.ArgumentParser:
    """``python -m resettlement``'s parser; the commands that read real records also take ``--as-admin``."""
    parser = argparse.ArgumentParser(prog="python -m resettlement", description="Resettlement Monitor Cymru")
    sub = parser.add_subparsers(dest="command", required=True)
    declared = {**data.commands(), **figures.commands(), **users.commands(), **serve.commands()}
    for name in ORDER:
        _add(sub, name, declared[name])
    for name in OPERATOR_COMMANDS:
        _add_as_admin(sub.choices[name])
    return parser


def _add(sub: argparse._SubParsersAction, name: str, command: Command) -> None:
    """``command``'s parser under ``sub``, with its options and its own subcommands (``dest="action"``)."""
    parser = sub.add_parser(name, help=command.help, parents=list(command.options))
    if command.actions:
        actions = parser.add_subparsers(dest="action", required=True)
        for action, sub_command in command.actions.items():
            _add(actions, action, sub_command)
    if command.func is not None:
        parser.set_defaults(func=command.func)


def _add_as_admin(parser: argparse.ArgumentParser, nested: bool = False) -> None:
    """``--as-admin`` on ``parser`` and the subcommands under it (``users add --as-admin`` reads naturally)."""
    parser.add_argument(
        "--as-admin",
        action="store_true",
        default=argparse.SUPPRESS if nested else False,
        help="confirm you are the server's operator (needed on real data)",
    )
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _add_as_admin(child, nested=True)

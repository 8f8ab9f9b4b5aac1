"""Command line: ``python -m resettlement demo|import|gaps|users|serve ...`` (``--help`` lists every command).

- ``parser``: the parser, built from each module's commands; ``options``: the options commands share, declared
  once as parent parsers.
- ``checks``: what every command checks before it runs (settings, ``--db``, ``--as-admin`` on real data).
- ``data``: demo, import, templates, docs, info; ``figures``: gaps, completeness, evaluate, reoffending, report,
  audit; ``users``: users, audit-log; ``serve``: the app (the only command that imports Streamlit).
"""

from __future__ import annotations

import argparse
import sys

from resettlement.cli import serve
from resettlement.cli.checks import OPERATOR_COMMANDS, checked, is_text
from resettlement.cli.parser import build_parser

__all__ = ["OPERATOR_COMMANDS", "main"]


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit code (0 done, 1 refused or findings, 2 an error, printed)."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    bad = next((a for a in argv if not is_text(a)), None)
    if bad is not None:
        print(
            f"error: the argument {bad.encode('utf-8', 'backslashreplace').decode()!r} is not text: it holds a NUL "
            "character or bytes that are not UTF-8",
            file=sys.stderr,
        )
        return 2
    if argv[:1] == ["serve"] and not {"-h", "--help"} & set(argv[1:2]):  # the rest is Streamlit's, options and all
        return checked(argparse.Namespace(func=serve.serve, command="serve", streamlit_args=argv[1:]))
    args = parser.parse_args(argv)
    return checked(args)

"""``python -m resettlement ...``: the command line, in :mod:`resettlement.cli`."""

from __future__ import annotations

from resettlement.cli import OPERATOR_COMMANDS, main

__all__ = ["OPERATOR_COMMANDS", "main"]

if __name__ == "__main__":
    raise SystemExit(main())

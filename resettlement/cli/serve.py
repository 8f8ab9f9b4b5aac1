"""``serve``: start the app as ``./scripts/run`` does, its caches warmed while the server starts, and ending soon
after a signal. The only command that imports Streamlit."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from resettlement.cli.options import Command, option

if TYPE_CHECKING:
    from streamlit.web.server import Server


def serve(args: argparse.Namespace) -> int:
    """Start the app (``./scripts/run``): the caches are warmed while the server starts (see ui/warmup.py)."""
    from streamlit.web import cli

    from resettlement.ui import downloads, warmup

    warmup.start()
    downloads.keep_built_downloads()
    _exit_soon_after_signal()
    app = Path(__file__).resolve().parents[2] / "app.py"
    sys.argv = ["streamlit", "run", str(app), *args.streamlit_args]
    return cli.main()


EXIT_GRACE_S = 2.0


def _exit_soon_after_signal() -> None:
    """End the process ``EXIT_GRACE_S`` seconds after SIGTERM or SIGINT, whatever is still running.

    Streamlit stops from its event loop and asks each script run to stop, but under load the loop waits its turn for
    the GIL behind every session's thread, and a run inside a long Polars computation only notices when it calls
    Streamlit again; Python then waits for every script thread: a server with 30 sessions took over 6 s to go. The
    timer starts in the signal handler itself, chained before Streamlit's (installed when its server starts).
    Nothing is lost by ending sooner: reads are all a page does, and an import is one transaction.
    """
    import os
    import signal
    import threading

    from streamlit.web import bootstrap

    def exit_later() -> None:
        time.sleep(EXIT_GRACE_S)
        sys.stderr.flush()
        os._exit(0)

    def chain(number: int) -> None:
        streamlit_handler = signal.getsignal(number)

        def handler(signum: int, frame: FrameType | None) -> None:
            threading.Thread(target=exit_later, name="resettlement-exit", daemon=True).start()
            if callable(streamlit_handler):
                streamlit_handler(signum, frame)

        signal.signal(number, handler)

    set_up = bootstrap._set_up_signal_handler

    def set_up_then_chain(server: Server) -> None:
        set_up(server)
        for number in (signal.SIGTERM, signal.SIGINT):
            chain(number)

    bootstrap._set_up_signal_handler = set_up_then_chain


def commands() -> dict[str, Command]:
    """This module's command (:class:`~resettlement.cli.options.Command`)."""
    passed = option(
        "streamlit_args",
        nargs="*",
        metavar="STREAMLIT_OPTION",
        help="passed to `streamlit run` as they are (e.g. --server.port 8600)",
    )
    return {
        "serve": Command("start the app, warming its caches as the server starts (./scripts/run)", serve, (passed,))
    }

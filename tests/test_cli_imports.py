"""The command line never imports Streamlit: only ``serve`` starts the app, so every other command runs in the
time its own work takes (Streamlit and the pages' imports cost about a second)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Runs each command in one fresh interpreter and prints, per command, whether Streamlit was imported by then.
PROBE = """
import contextlib, io, json, sys
from resettlement.__main__ import main
seen = {}
for argv in json.loads(sys.argv[1]):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    seen[" ".join(argv[:2])] = [code, "streamlit" in sys.modules]
print(json.dumps(seen))
"""


def test_no_command_imports_streamlit(demo_url, tmp_path):
    source = str(ROOT / "tests" / "data" / "import" / "cases_bom_semicolon.csv")
    commands = [
        ["info", "--help"],
        ["gaps", "--help"],
        ["serve", "--help"],
        ["info", "--db", demo_url],
        ["gaps", "--db", demo_url, "--json"],
        ["completeness", "--db", demo_url, "--json"],
        ["users", "list", "--db", demo_url],
        ["audit-log", "--db", demo_url],
        ["demo", "--scale", "0.05", "--db", f"sqlite:///{tmp_path / 'demo.db'}", "--as-of", "2025-12-31"],
        ["import", "--as-admin", source, "--db", f"sqlite:///{tmp_path / 'real.db'}", "--json"],
    ]
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(commands)], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert [code for code, _ in seen.values()] == [0] * len(commands), seen
    assert not [name for name, (_, streamlit) in seen.items() if streamlit], f"imported Streamlit: {seen}"

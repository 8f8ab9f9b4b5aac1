# Sourced by scripts/run and scripts/test: a project virtualenv with the given requirements installed.
# Re-installs only when the requirements files change.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || { echo "Python 3.11 or newer is needed (found: $("$PY" --version 2>&1))." >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  echo "Creating virtual environment in .venv" >&2
  "$PY" -m venv .venv
fi
REQ="$1"
STAMP=".venv/.installed-$(basename "$REQ")"
HASH="$(cat requirements*.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$HASH" ]; then
  echo "Installing $REQ" >&2
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$REQ"
  echo "$HASH" > "$STAMP"
fi

#!/usr/bin/env bash
# Run every check: lint (ruff) and all tests (unit, query, AppTest pages, real browser).
# Sets up .venv with the development requirements on first use. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/pytest ] || [ requirements-dev.txt -nt .venv/.installed-dev ] || [ requirements.txt -nt .venv/.installed-dev ] \
   || [ requirements-spark.txt -nt .venv/.installed-dev ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -r requirements-dev.txt
  touch .venv/.installed-dev
fi
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"

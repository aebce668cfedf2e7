#!/usr/bin/env bash
# Set up (once) and start Loyalty Cockpit. On an empty workspace the app generates demo data first.
#   ./run.sh                 -> http://localhost:8501
#   LOYALTY_WORKSPACE=/srv/loyalty ./run.sh --server.port 8080
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/streamlit ] || [ requirements.txt -nt .venv/.installed ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -r requirements.txt
  touch .venv/.installed
fi
exec .venv/bin/streamlit run app.py "$@"

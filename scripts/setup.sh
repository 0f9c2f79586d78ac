#!/usr/bin/env bash
# Set up everything this checkout needs in ./.venv (safe to re-run).
#   bash scripts/setup.sh          the project
#   bash scripts/setup.sh --test   the project, its test and thor extras, and the scene-data packages
#                                  the catalog-rebuild test reads (installed without their heavy deps)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# First, and pinned: a bare `torch` requirement would pull a multi-GB CUDA build on machines without one.
.venv/bin/python -m pip install --quiet torch==2.13.0
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install --quiet -e ".[test,thor]"  # thor: ai2thor 2.1.0, for the fake-backend tests
  # Their declared dependencies pull spaCy and C++ builds; the catalog builder reads only their data.
  .venv/bin/python -m pip install --quiet --no-deps alfworld==0.4.2 procthor==0.0.1.dev2
else
  .venv/bin/python -m pip install --quiet -e .
fi
echo "egoloop is set up in $(pwd)/.venv"

#!/usr/bin/env bash
# Set up everything this checkout needs in ./.venv (safe to re-run).
#   bash scripts/setup.sh          the project
#   bash scripts/setup.sh --test   the project, its test, alfworld, thor and ray extras, and the scene-data packages
#                                  the catalog-rebuild test reads (installed without their heavy deps)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# First, and pinned: a bare `torch` requirement would pull a multi-GB CUDA build on machines without one.
.venv/bin/python -m pip install --quiet torch==2.13.0
if [ "${1:-}" = "--test" ]; then
  # ALFWorld's text games: two C/C++ sdists, built without pip's isolation because fast-downward-textworld's
  # setup.py runs a bare `python build.py`, which must be this venv's python (needs gcc, g++, cmake, make).
  .venv/bin/python -m pip install --quiet "setuptools>=75" wheel
  PATH="$PWD/.venv/bin:$PATH" .venv/bin/python -m pip install --quiet --no-build-isolation --no-deps \
    fast-downward-textworld==20.6.4 jericho==3.3.1
  .venv/bin/python -m pip install --quiet -e ".[test,alfworld,thor,ray]"  # thor: ai2thor 2.1.0, for the fake-backend tests
  # Their declared dependencies pull spaCy and C++ builds; the catalog builder reads only their data, and
  # envs.alfworld_text needs textworld's and alfworld's Python code only.
  .venv/bin/python -m pip install --quiet --no-deps alfworld==0.4.2 procthor==0.0.1.dev2 textworld==1.7.0
else
  .venv/bin/python -m pip install --quiet -e .
fi
echo "egoloop is set up in $(pwd)/.venv"

#!/usr/bin/env bash
# The fast tier a developer runs while working: lint, type check, then every test that needs no trained
# model and no servers or services (PostgreSQL, Redis, nginx, Chromium, Rasa or action server).
# Tests are marked by what they need in tests/conftest.py; `make test` runs them all.
# Arguments go to pytest (e.g. tests/risk -x).
set -uo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
ruff check . || exit 1
ruff format --check . || exit 1
mypy || exit 1
CONFIDANT_TEST_TIER=unit exec python -m pytest -p no:cacheprovider -q \
  -m "not model and not services and not browser" "$@"

#!/usr/bin/env bash
# The whole suite: lint, type check, data validation, Rasa test stories, then pytest (unit, end-to-end
# against real servers, evaluations). Runs every stage and fails if any stage failed.
set -uo pipefail
source "$(dirname "$0")/env.sh"
source "$ROOT/scripts/model.sh"
cd "$ROOT"

failed=()
stage() {
  local name=$1; shift
  echo "=== $name"
  if "$@"; then echo "--- $name: ok"; else echo "--- $name: FAILED"; failed+=("$name"); fi
}

stage "ruff" ruff check .
stage "ruff format" ruff format --check .
stage "mypy" mypy
stage "dependency audit" python scripts/audit_dependencies.py
stage "rasa data validate" scripts/validate.sh
stage "rasa test stories" scripts/test_stories.sh
stage "pytest" python -m pytest -p no:cacheprovider "$@"

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED stages: ${failed[*]}"
  exit 1
fi
echo "All stages passed."

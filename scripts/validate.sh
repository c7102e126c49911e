#!/usr/bin/env bash
# `rasa data validate`, failing on any warning as well as on errors.
set -uo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
output=$(rasa data validate --domain domain.yml --data data/nlu data/rules data/stories --config config.yml --fail-on-warnings 2>&1)
status=$?
# Rasa's own library warnings (deprecations of its dependencies) are not about our data.
problems=$(printf '%s\n' "$output" | grep -E "UserWarning|WARNING|ERROR" | grep -v -E "MovedIn20Warning|SQLAlchemy|tensorflow|DeprecationWarning" || true)
if [ $status -ne 0 ] || [ -n "$problems" ]; then
  printf '%s\n' "$output" | tail -40
  echo "rasa data validate: FAILED" >&2
  exit 1
fi
echo "rasa data validate: no errors, no warnings."

#!/usr/bin/env bash
# Rasa's conversation tests (tests/stories): every predicted action must match.
set -uo pipefail
source "$(dirname "$0")/env.sh"
source "$ROOT/scripts/model.sh"
cd "$ROOT"
out=var/story-results
rm -rf "$out"
# --e2e: the user lines go through the trained NLU (and the FAQ answer chosen is checked).
# No --endpoints: the stories run against an in-memory tracker store, one tracker each.
python -m confidant.rasa_command test core --model "$MODEL_PATH" --stories tests/stories \
  --e2e --fail-on-prediction-errors --out "$out" --no-plot > var/story-test.log 2>&1
status=$?
grep -E "Correct:|Accuracy|failed|Failed" var/story-test.log | tail -8
if [ $status -ne 0 ]; then
  tail -40 var/story-test.log
  [ -f "$out/failed_test_stories.yml" ] && cat "$out/failed_test_stories.yml"
fi
exit $status

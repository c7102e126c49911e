#!/usr/bin/env bash
# Benchmarks of our own profiles (`make bench-profiles`), about ten minutes on two cores: the risk
# screen's speed; the message focus step's cost; the cost of a turn with the length of a conversation; then the whole
# assistant (start-up, memory, latency, throughput without pause and with 300 paced
# conversations) on one instance, and the production profile on one and on two instances
# and on one instance with two Sanic workers.
# Model training time is printed by `make train`; a fresh install's by timing `make install`.
# Arguments are passed to every run of benchmarks/assistant.py (e.g. --seconds 10).
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$ROOT/scripts/model.sh"
cd "$ROOT"
export LOG_LEVEL=WARNING
echo "=== risk screen"
python -m benchmarks.risk_screen_speed
echo "=== the message focus step: a message read whole against read in parts"
python -m benchmarks.message_focus_speed --model "$MODEL_PATH"
echo "=== cost of a turn with the length of the conversation"
python -m benchmarks.turn_cost --model "$MODEL_PATH"
echo "=== assistant, embedded profile (SQLite), one instance, 300 paced conversations"
python -m benchmarks.assistant --paced 300 "$@"
for instances in 1 2; do
  echo "=== assistant, production profile (PostgreSQL + Redis), $instances instance(s)"
  python -m benchmarks.assistant --instances "$instances" --single 50 "$@"
done
echo "=== assistant, production profile, 1 instance with 2 Sanic workers"
python -m benchmarks.assistant --instances 1 --workers 2 --single 50 "$@"

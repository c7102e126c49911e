#!/usr/bin/env bash
# Benchmarks that print figures (no assertions): the risk screen's speed, then the whole
# assistant (start-up, memory, latency, throughput). Model training time is printed by
# `make train`; a fresh install's time by timing `make install` on a new machine.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
echo "=== risk screen"
python -m benchmarks.risk_screen_speed
echo "=== assistant"
python -m benchmarks.assistant "$@"

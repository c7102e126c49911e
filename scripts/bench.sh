#!/usr/bin/env bash
# `make bench`: ours against the stock `rasa init` assistant with the same Rasa, in the same
# run, with the same load and messages; every figure with its ratio to stock
# (benchmarks/versus_stock.py: training, start-up, single messages, 20 conversations without
# pause, a 200-turn conversation, memory and CPU per message). Trains both (ours as `make train`
# does, 2-3 min on two cores); `make bench ARGS=--no-train` uses our model in models/.
# Figures also go to var/bench/versus-stock-DATE.json. Our own profiles (production, two
# instances, workers): `make bench-profiles`.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
export LOG_LEVEL=WARNING
exec python -m benchmarks.versus_stock "$@"

#!/usr/bin/env bash
# Train only when config, domain or data changed since the last model (models/ is keyed by a
# hash of them), so a fresh model is never skipped and an unchanged one is never rebuilt.
# Shows each component and its epochs with the time left; Rasa's own output goes to
# var/log/train.log (confidant/training_progress.py).
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$ROOT/scripts/model.sh"
source "$ROOT/scripts/steps.sh"
cd "$ROOT"

if [ -f "$MODEL_PATH" ]; then
  say "Model is up to date: ${MODEL_PATH#$ROOT/}"
  exit 0
fi
say "Training ${MODEL_PATH#$ROOT/} (only when config, domain or data changed). Rasa's output: var/log/train.log"
python -m confidant.training_progress --log var/log/train.log --times var/log/training-times.json -- \
  train --config config.yml --domain domain.yml --data data/nlu data/rules data/stories \
  --out models --fixed-model-name "$(basename "$MODEL_PATH" .tar.gz)"

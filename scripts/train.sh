#!/usr/bin/env bash
# Train only when config, domain or data changed since the last model (models/ is keyed by a
# hash of them), so a fresh model is never skipped and an unchanged one is never rebuilt.
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$ROOT/scripts/model.sh"
cd "$ROOT"

if [ -f "$MODEL_PATH" ]; then
  echo "Model is up to date: ${MODEL_PATH#$ROOT/}"
  exit 0
fi
echo "Training ${MODEL_PATH#$ROOT/} ..."
start=$(date +%s)
rasa train --config config.yml --domain domain.yml --data data/nlu data/rules data/stories \
  --out models --fixed-model-name "$(basename "$MODEL_PATH" .tar.gz)" --quiet
echo "Trained in $(( $(date +%s) - start )) s."

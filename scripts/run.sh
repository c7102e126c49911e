#!/usr/bin/env bash
# Install, train if needed, then run the action server, Rasa and the local chat page until
# Ctrl-C. Everything listens on 127.0.0.1.
set -euo pipefail
"$(dirname "$0")/install.sh"
"$(dirname "$0")/train.sh"
source "$(dirname "$0")/env.sh"
source "$ROOT/scripts/model.sh"
cd "$ROOT"
python -m confidant.settings
python -m confidant.private_files  # var/ 0700, its files 0600: fixes and reports what was open

# REST and the web chat always; SMS too when the Twilio account is configured (README, "The SMS
# channel"): all in this one Rasa instance.
source "$ROOT/scripts/credentials.sh"
credentials=$(credentials_file)

# Rasa's HTTP API stays off unless the practice sets a token for it.
api_flags=()
if [ -n "${CONFIDANT_RASA_API_TOKEN:-}" ]; then
  api_flags=(--enable-api --auth-token "$CONFIDANT_RASA_API_TOKEN")
fi

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

python -m confidant.action_server --port "$CONFIDANT_ACTION_PORT" &
pids+=($!)
rasa run --model "$MODEL_PATH" --endpoints endpoints.yml --credentials "$credentials" \
  --interface 127.0.0.1 --port "$CONFIDANT_RASA_PORT" "${api_flags[@]}" \
  --cors "http://localhost:$CONFIDANT_WEB_PORT" --cors "http://127.0.0.1:$CONFIDANT_WEB_PORT" &
pids+=($!)
python -m confidant.web_page --port "$CONFIDANT_WEB_PORT" &
pids+=($!)
python -m review.app --port "$CONFIDANT_REVIEW_PORT" &
pids+=($!)

cat <<TXT

  Chat page:     http://localhost:$CONFIDANT_WEB_PORT
  Rasa (REST):   http://localhost:$CONFIDANT_RASA_PORT/webhooks/rest/webhook
  Review tool:   http://localhost:$CONFIDANT_REVIEW_PORT (create an account first:
                 .venv/bin/python -m review.accounts create NAME --role admin)
  Action server: http://127.0.0.1:$CONFIDANT_ACTION_PORT (Rasa only)
  (Rasa takes about 20 seconds to load the model.) Ctrl-C stops everything.

TXT
wait -n "${pids[@]}"

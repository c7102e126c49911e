# Environment shared by every entry point (Makefile targets, .ci/run, the test suite).
# Sourced, not run. Values already set by the caller win, except telemetry, which is always off.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
export PATH="$ROOT/.venv/bin:$PATH"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"

# A product about confidentiality sends no usage data anywhere.
export RASA_TELEMETRY_ENABLED=false
export DO_NOT_TRACK=1

# Quiet, deterministic libraries.
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONHASHSEED="${PYTHONHASHSEED:-0}"
export TQDM_DISABLE=1

# var/ holds client data and keys: this account only (files in it: confidant/private_files.py).
(umask 077 && mkdir -p "$ROOT/var") && chmod 700 "$ROOT/var"
mkdir -p "$ROOT/models"

export CONFIDANT_DATABASE_URL="${CONFIDANT_DATABASE_URL:-sqlite:///$ROOT/var/conversations.sqlite3}"
export CONFIDANT_ACTION_PORT="${CONFIDANT_ACTION_PORT:-5055}"
export CONFIDANT_ACTION_ENDPOINT="${CONFIDANT_ACTION_ENDPOINT:-http://127.0.0.1:$CONFIDANT_ACTION_PORT/webhook}"
export CONFIDANT_RASA_PORT="${CONFIDANT_RASA_PORT:-5005}"
export CONFIDANT_WEB_PORT="${CONFIDANT_WEB_PORT:-8080}"
export CONFIDANT_REVIEW_PORT="${CONFIDANT_REVIEW_PORT:-8090}"

# The secret Rasa shows the action server: kept in var/ so restarts agree on it.
if [ -z "${CONFIDANT_ACTION_SECRET:-}" ]; then
  if [ ! -s "$ROOT/var/action.secret" ]; then
    (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$ROOT/var/action.secret")
  fi
  CONFIDANT_ACTION_SECRET="$(cat "$ROOT/var/action.secret")"
fi
export CONFIDANT_ACTION_SECRET

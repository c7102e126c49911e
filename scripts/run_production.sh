#!/usr/bin/env bash
# The production profile on one machine: PostgreSQL tracker store, Redis lock store,
# CONFIDANT_RASA_INSTANCES Rasa instances (default 2) behind nginx (round robin) on
# CONFIDANT_RASA_PORT, one action server. nginx serves the web chat and SMS only; the REST
# channel is reached at the instances themselves (127.0.0.1:CONFIDANT_RASA_PORT+1...) with
# `Authorization: Bearer $CONFIDANT_REST_TOKEN`. PostgreSQL and Redis must be reachable at the URLs
# below (defaults: the local servers); nginx is installed from Debian's packages if missing.
set -euo pipefail
# The REST channel is for the practice's own integrations: here it always needs a token, and
# every instance refuses to start without one (confidant/channels/rest_access.py).
if [ -z "${CONFIDANT_REST_TOKEN:-}" ]; then
  echo "The production profile needs CONFIDANT_REST_TOKEN (the REST channel's bearer token):" >&2
  echo "  export CONFIDANT_REST_TOKEN=\$(python3 -c 'import secrets; print(secrets.token_hex(32))')" >&2
  exit 2
fi
export CONFIDANT_REST_TOKEN_REQUIRED=1
"$(dirname "$0")/install.sh" --runtime  # what runs only (requirements/lock.txt): no test tools
"$(dirname "$0")/train.sh"
source "$(dirname "$0")/env.sh"
source "$ROOT/scripts/model.sh"
# REST and the web chat always; SMS too when the Twilio account is configured, in every instance.
source "$ROOT/scripts/credentials.sh"
cd "$ROOT"

export CONFIDANT_DATABASE_URL="${CONFIDANT_PRODUCTION_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/confidant}"
export CONFIDANT_REDIS_HOST="${CONFIDANT_REDIS_HOST:-127.0.0.1}"
export CONFIDANT_REDIS_PORT="${CONFIDANT_REDIS_PORT:-6379}"
export CONFIDANT_REDIS_DB="${CONFIDANT_REDIS_DB:-0}"
export CONFIDANT_REDIS_PREFIX="${CONFIDANT_REDIS_PREFIX:-confidant}"
instances="${CONFIDANT_RASA_INSTANCES:-2}"
# Sanic worker processes per instance (Rasa reads SANIC_WORKERS; it allows more than one only
# with a lock store shared between processes, as here). Each worker loads its own model. Keep 1
# on instances that serve the web chat: its socket.io sessions begin with long-polling
# requests, which several workers of one instance would share out between processes.
export SANIC_WORKERS="${CONFIDANT_SANIC_WORKERS:-1}"
# How long a conversation's lock outlives an instance that died holding it (Rasa's default: 60 s).
# A turn takes well under a second; 20 s leaves room for a slow one and lets the others go on soon.
export TICKET_LOCK_LIFETIME="${TICKET_LOCK_LIFETIME:-20}"

command -v nginx >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light; }
python -m confidant.store.ensure_database "$CONFIDANT_DATABASE_URL"
python -m confidant.private_files  # var/ 0700, its files 0600: fixes and reports what was open

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

python -m confidant.action_server --port "$CONFIDANT_ACTION_PORT" &
pids+=($!)
upstream_ports=()
for i in $(seq 1 "$instances"); do
  port=$((CONFIDANT_RASA_PORT + i))
  python -m confidant.rasa_command run --model "$MODEL_PATH" --endpoints endpoints.production.yml --credentials "$(credentials_file)" \
    --interface 127.0.0.1 --port "$port" &
  pids+=($!)
  upstream_ports+=("$port")
done
nginx_conf=$(scripts/nginx_config.sh "$ROOT/var/nginx" "$CONFIDANT_RASA_PORT" "${upstream_ports[@]}")
nginx -c "$nginx_conf" -g "daemon off;" &
pids+=($!)
echo "Production profile: $instances Rasa instances behind http://127.0.0.1:$CONFIDANT_RASA_PORT"
wait -n "${pids[@]}"

#!/usr/bin/env bash
# Install, train if needed, then run the action server, Rasa and the local chat page until
# Ctrl-C. Everything listens on 127.0.0.1. Shows each step; the servers' output goes to
# var/log/<server>.log, and only errors (and the project's own warnings, e.g. a notifier not
# configured) are shown on screen.
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$ROOT/scripts/steps.sh"
source "$ROOT/scripts/model.sh"
cd "$ROOT"

step_title 1 4 "Dependencies"
STEP_INDENT="    " scripts/install.sh
step_title 2 4 "The model"
STEP_INDENT="    " scripts/train.sh
step_title 3 4 "Practice settings (practice.yml)"
python -m confidant.settings 2>&1 | sed 's/^/    /'
python -m confidant.private_files 2>&1 | sed 's/^/    /'  # var/ 0700, its files 0600: fixes and reports what was open

# REST and the web chat always; SMS too when the Twilio account is configured
# (docs/practice/channels.md): all in this one Rasa instance.
source "$ROOT/scripts/credentials.sh"
credentials=$(credentials_file)

# Rasa's HTTP API stays off unless the practice sets a token for it.
api_flags=()
if [ -n "${CONFIDANT_RASA_API_TOKEN:-}" ]; then
  api_flags=(--enable-api --auth-token "$CONFIDANT_RASA_API_TOKEN")
fi

names=() pids=() logs=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# What of a server's output is shown: errors, tracebacks and the project's own warnings.
SHOWN='(ERROR|CRITICAL|Traceback|WARNING +confidant|WARNING confidant|SystemExit|Error:)'

# start NAME COMMAND...: runs it with its output in var/log/NAME.log, errors shown as they come.
start() {
  local name=$1 log="$LOG_DIR/$1.log"
  shift
  private_log "$log"
  local clear=""
  [ -t 2 ] && clear=$'\r\033[K'  # over a "starting" line that is ticking
  "$@" > >(tee -a "$log" | grep --line-buffered -E "$SHOWN" | sed -u "s/^/$clear    [$name] /" >&2) 2>&1 &
  names+=("$name") pids+=($!) logs+=("$log")
}

http_ok() {
  if command -v curl >/dev/null; then curl -sf -o /dev/null --max-time 2 "$1"
  else python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" 2>/dev/null; fi
}

# wait_until_up NAME URL USUAL: a ticking line until URL answers; stops everything if NAME dies.
wait_until_up() {
  local name=$1 url=$2 usual=$3 begin index
  begin=$(date +%s)
  for index in "${!names[@]}"; do [ "${names[$index]}" = "$name" ] && break; done
  until http_ok "$url"; do
    if ! kill -0 "${pids[$index]}" 2>/dev/null; then
      printf '\r\033[K    %s stopped while starting. The end of its log:\n' "$name" >&2
      tail -n 20 "${logs[$index]}" | sed 's/^/      /' >&2
      printf '    Whole log: %s\n' "${logs[$index]#"$ROOT"/}" >&2
      exit 1
    fi
    [ -t 1 ] && printf '\r\033[K    %-14s starting  %s (%s)' "$name" "$(duration $(( $(date +%s) - begin )))" "$usual"
    sleep 1
  done
  local took=$(( $(date +%s) - begin ))
  [ -t 1 ] && printf '\r\033[K'
  printf '    %-14s up in %s\n' "$name" "$(duration "$took")"
  remember_time "$name-start" "$took"
}

step_title 4 4 "Starting the servers (logs: var/log/*.log)"
start action-server python -m confidant.action_server --port "$CONFIDANT_ACTION_PORT"
start rasa python -m confidant.rasa_command run --model "$MODEL_PATH" --endpoints endpoints.yml --credentials "$credentials" \
  --interface 127.0.0.1 --port "$CONFIDANT_RASA_PORT" "${api_flags[@]}" \
  --cors "http://localhost:$CONFIDANT_WEB_PORT" --cors "http://127.0.0.1:$CONFIDANT_WEB_PORT"
start chat-page python -m confidant.web_page --port "$CONFIDANT_WEB_PORT"
start review-tool python -m review.app --port "$CONFIDANT_REVIEW_PORT"

wait_until_up action-server "http://127.0.0.1:$CONFIDANT_ACTION_PORT/health" "$(usual_time action-server-start "a few seconds")"
wait_until_up chat-page "http://127.0.0.1:$CONFIDANT_WEB_PORT/" "$(usual_time chat-page-start "a few seconds")"
wait_until_up review-tool "http://127.0.0.1:$CONFIDANT_REVIEW_PORT/login" "$(usual_time review-tool-start "a few seconds")"
wait_until_up rasa "http://127.0.0.1:$CONFIDANT_RASA_PORT/" "$(usual_time rasa-start "loading the model, usually 10-30 s")"

cat <<TXT

  Ready.
  Chat page:     http://localhost:$CONFIDANT_WEB_PORT
  Rasa (REST):   http://localhost:$CONFIDANT_RASA_PORT/webhooks/rest/webhook
  Review tool:   http://localhost:$CONFIDANT_REVIEW_PORT (create an account first:
                 .venv/bin/python -m review.cli.accounts create NAME --role admin)
  Action server: http://127.0.0.1:$CONFIDANT_ACTION_PORT (Rasa only)
  Logs:          var/log/ (rasa.log, action-server.log, chat-page.log, review-tool.log)
  Ctrl-C stops everything.

TXT
status=0
wait -n "${pids[@]}" || status=$?
for index in "${!names[@]}"; do
  if ! kill -0 "${pids[$index]}" 2>/dev/null; then
    echo "${names[$index]} stopped (exit status $status); its log: ${logs[$index]#"$ROOT"/}. Stopping the others." >&2
  fi
done
exit "$status"

# A display a person can follow for the long jobs (install, train, run). Sourced.
# Each step says what it does; its output goes to a log under var/log/ that is named on screen;
# on a terminal a line ticks with the time taken (and the step's own progress, if it has one);
# a failed step says what failed, shows the end of its log and where the whole log is.
# Each step's duration is kept in var/log/step-times, so the next time it says how long it takes.
[ -n "${ROOT:-}" ] || source "$(dirname "${BASH_SOURCE[0]}")/env.sh"  # the project's environment
LOG_DIR="$ROOT/var/log"
STEP_TIMES="$LOG_DIR/step-times"
# Logs are this account's only, like everything under var/ (confidant/private_files.py).
(umask 077 && mkdir -p "$LOG_DIR") && chmod 700 "$LOG_DIR"
# Set by an outer script (run.sh) to indent the steps of install.sh and train.sh under its own.
STEP_INDENT="${STEP_INDENT:-}"

# private_log FILE: an empty log only this account can read (made so, never briefly wider).
private_log() { (umask 077 && : >"$1") && chmod 600 "$1"; }

# duration SECONDS -> "3 min 05 s"
duration() {
  local s=$1
  if [ "$s" -ge 60 ]; then printf '%d min %02d s' $((s / 60)) $((s % 60)); else printf '%d s' "$s"; fi
}

# step_title N TOTAL TEXT
step_title() { printf '%s[%s/%s] %s\n' "$STEP_INDENT" "$1" "$2" "$3"; }

# say TEXT: a line of the display, indented like the steps.
say() { printf '%s%s\n' "$STEP_INDENT" "$*"; }

# usual_time NAME DEFAULT_TEXT: how long the step took last time here, or what it usually takes.
usual_time() {
  local last
  last=$(awk -v name="$1" '$1 == name {s = $2} END {print s}' "$STEP_TIMES" 2>/dev/null)
  if [ -n "$last" ]; then echo "last time $(duration "$last")"; else echo "$2"; fi
}

remember_time() {
  local tmp="$STEP_TIMES.$$"
  (umask 077 && { grep -v "^$1 " "$STEP_TIMES" 2>/dev/null || true; echo "$1 $2"; } > "$tmp") && mv "$tmp" "$STEP_TIMES"
}

# run_logged NAME LOG USUAL [PROGRESS_FUNCTION] -- COMMAND...
# Runs COMMAND with all its output in LOG. PROGRESS_FUNCTION LOG prints a short status.
run_logged() {
  local name=$1 log=$2 usual=$3 progress="" start status pid status_text
  shift 3
  if [ "$1" != "--" ]; then progress=$1; shift; fi
  shift
  start=$(date +%s)
  private_log "$log"
  "$@" >"$log" 2>&1 &
  pid=$!
  if [ -t 1 ]; then
    while kill -0 "$pid" 2>/dev/null; do
      status_text=""
      [ -n "$progress" ] && status_text=$("$progress" "$log" 2>/dev/null)
      printf '\r\033[K%s      %s  %s (%s)' "$STEP_INDENT" "$(duration $(( $(date +%s) - start )))" "$status_text" "$usual"
      sleep 1
    done
    printf '\r\033[K'
  fi
  status=0
  wait "$pid" || status=$?
  local took=$(( $(date +%s) - start ))
  if [ "$status" -ne 0 ]; then
    printf '%s      FAILED after %s (exit status %s). The end of the log:\n' "$STEP_INDENT" "$(duration "$took")" "$status" >&2
    tail -n 20 "$log" | sed "s/^/$STEP_INDENT        /" >&2
    printf '%s      Whole log: %s\n' "$STEP_INDENT" "${log#"$ROOT"/}" >&2
    return "$status"
  fi
  remember_time "$name" "$took"
  printf '%s      done in %s\n' "$STEP_INDENT" "$(duration "$took")"
}

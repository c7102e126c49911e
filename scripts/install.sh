#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the pinned dependencies: the development set
# (requirements/lock-dev.txt: what runs plus the tests and tools) for `make run` and `make test`,
# or with --runtime only what runs (requirements/lock.txt: the production profile). Does nothing
# the second time unless a lock or web/package-lock.json changed (the stamps below; the
# development set holds the runtime one). Shows each step; pip's and npm's output goes to
# var/log/install-*.log (named on screen).
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$ROOT/scripts/steps.sh"
cd "$ROOT"

case "${1:-}" in
  --runtime) set_name=runtime lock=requirements/lock.txt ;;
  "") set_name=development lock=requirements/lock-dev.txt ;;
  *) echo "usage: $0 [--runtime]" >&2; exit 2 ;;
esac
runtime_hash=$(cat requirements/lock.txt web/package-lock.json | sha256sum | cut -c1-16)
dev_hash=$(cat requirements/lock.txt requirements/lock-dev.txt web/package-lock.json | sha256sum | cut -c1-16)
dev_stamp=.venv/.installed-dev-$dev_hash
stamp=$dev_stamp
[ "$set_name" = runtime ] && stamp=.venv/.installed-runtime-$runtime_hash
if [ -f "$stamp" ] || [ -f "$dev_stamp" ]; then
  say "Dependencies are up to date (.venv)."
  exit 0
fi

find_python() {
  for candidate in python3.10 "$(command -v pyenv >/dev/null 2>&1 && echo "$(pyenv root)/versions/$(pyenv versions --bare 2>/dev/null | grep -m1 '^3\.10')/bin/python3.10")"; do
    if [ -n "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
      command -v "$candidate" || echo "$candidate"
      return 0
    fi
  done
  return 1
}

# How far pip is: packages looked at out of those pinned, then the install itself.
packages_total=$(cat requirements/lock.txt $([ "$set_name" = development ] && echo requirements/lock-dev.txt) | grep -c '^[A-Za-z0-9].*==')
pip_progress() {
  if grep -q '^Installing collected packages' "$1"; then
    echo "unpacking $packages_total packages into .venv (the longest part)"
  else
    local seen
    seen=$(grep -cE '^(Collecting|Processing|Requirement already satisfied)' "$1" || true)
    echo "$seen/$packages_total packages fetched"
  fi
}

say "Installing the $set_name dependencies (once; again only when $lock changes)."
step_title 1 3 "Python 3.10 environment (.venv)"
if [ ! -x .venv/bin/python ]; then
  python=$(find_python) || {
    echo "Python 3.10 is needed (Rasa 3.6 supports up to 3.10); install python3.10 and retry." >&2
    exit 1
  }
  run_logged venv "$LOG_DIR/install-venv.log" "a few seconds" -- "$python" -m venv .venv
else
  say "      already there"
fi

step_title 2 3 "Python packages: $packages_total pinned in $lock (log: var/log/install-pip.log)"
pip_install() {
  .venv/bin/python -m pip install --disable-pip-version-check --progress-bar off pip==24.0 &&
    .venv/bin/python -m pip install --disable-pip-version-check --progress-bar off -r "$lock" &&
    # Rasa's own telemetry switch, as well as the environment variable every entry point sets.
    { .venv/bin/rasa telemetry disable || true; }
}
run_logged pip "$LOG_DIR/install-pip.log" "$(usual_time pip "usually 4-5 min")" pip_progress -- pip_install

step_title 3 3 "Chat widget from the npm registry (log: var/log/install-npm.log)"
# The web chat widget, served by the project itself (no CDN).
npm_install() {
  if ! command -v npm >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
    else
      echo "npm is needed for the chat widget: sudo apt-get install nodejs npm" >&2; return 1
    fi
  fi
  npm ci --prefix web --no-audit --no-fund --loglevel=error
}
run_logged npm "$LOG_DIR/install-npm.log" "$(usual_time npm "usually under a minute")" -- npm_install

rm -f .venv/.installed-dev-* .venv/.installed-runtime-*
touch "$stamp"
say "Installed into .venv."

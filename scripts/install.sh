#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the pinned dependencies. Does nothing the second
# time unless requirements/lock.txt or web/package-lock.json changed (the stamp below).
# Shows each step; pip's and npm's output goes to var/log/install-*.log (named on screen).
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$ROOT/scripts/steps.sh"
cd "$ROOT"

stamp=.venv/.installed-$(cat requirements/lock.txt web/package-lock.json | sha256sum | cut -c1-16)
if [ -f "$stamp" ]; then
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
packages_total=$(grep -c '^[A-Za-z0-9].*==' requirements/lock.txt)
pip_progress() {
  if grep -q '^Installing collected packages' "$1"; then
    echo "unpacking $packages_total packages into .venv (the longest part)"
  else
    local seen
    seen=$(grep -cE '^(Collecting|Processing|Requirement already satisfied)' "$1" || true)
    echo "$seen/$packages_total packages fetched"
  fi
}

say "Installing the dependencies (once; again only when requirements/lock.txt changes)."
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

step_title 2 3 "Python packages: $packages_total pinned in requirements/lock.txt (log: var/log/install-pip.log)"
pip_install() {
  .venv/bin/python -m pip install --disable-pip-version-check --progress-bar off pip==24.0 &&
    .venv/bin/python -m pip install --disable-pip-version-check --progress-bar off -r requirements/lock.txt &&
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

rm -f .venv/.installed-*
touch "$stamp"
say "Installed into .venv."

#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the pinned dependencies. Does nothing the second
# time unless requirements/lock.txt changed.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

stamp=.venv/.installed-$(cat requirements/lock.txt web/package-lock.json | sha256sum | cut -c1-16)
if [ -f "$stamp" ]; then
  echo "Dependencies are up to date (.venv)."
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

if [ ! -x .venv/bin/python ]; then
  python=$(find_python) || {
    echo "Python 3.10 is needed (Rasa 3.6 supports up to 3.10); install python3.10 and retry." >&2
    exit 1
  }
  echo "Creating .venv with $python"
  "$python" -m venv .venv
fi

.venv/bin/python -m pip install --quiet --disable-pip-version-check pip==24.0
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/lock.txt
# The web chat widget, from the npm registry, served by the project itself (no CDN).
if ! command -v npm >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "npm is needed for the chat widget: sudo apt-get install nodejs npm" >&2; exit 1
  fi
fi
npm ci --prefix web --no-audit --no-fund --loglevel=error >/dev/null
# axe-core for the review app's browser tests (tests/review/test_browser_pages.py).
npm ci --prefix tests/review --no-audit --no-fund --loglevel=error >/dev/null
# Rasa's own telemetry switch, as well as the environment variable every entry point sets.
.venv/bin/rasa telemetry disable >/dev/null 2>&1 || true
rm -f .venv/.installed-*
touch "$stamp"
echo "Installed into .venv."

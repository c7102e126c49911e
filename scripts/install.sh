#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the pinned dependencies: the development set
# (requirements/lock-dev.txt: what runs plus the tests and tools) for `make run` and `make test`,
# or with --runtime only what runs (requirements/lock.txt: the production profile). Does nothing
# the second time unless a lock or web/package-lock.json changed (the stamps below; the
# development set holds the runtime one). Shows each step; the output of uv (or pip) and npm goes
# to var/log/install-*.log (named on screen).
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$ROOT/scripts/steps.sh"
cd "$ROOT"

case "${1:-}" in
  --runtime) set_name=runtime lock=requirements/lock.txt ;;
  "") set_name=development lock=requirements/lock-dev.txt ;;
  *) echo "usage: $0 [--runtime]" >&2; exit 2 ;;
esac
runtime_hash=$(cat requirements/lock.txt requirements/models.txt web/package-lock.json | sha256sum | cut -c1-16)
dev_hash=$(cat requirements/lock.txt requirements/models.txt requirements/lock-dev.txt web/package-lock.json | sha256sum | cut -c1-16)
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

# The installer: uv (pinned in requirements/tooling.txt, installed into .venv by pip first), about
# twice as fast as pip over this lock (docs/performance.md); pip when uv cannot be installed or
# fails (a line on screen says so), or always with CONFIDANT_INSTALL_WITH_PIP=1. Either way the
# same pins, and scripts/check_installed.py then fails the step unless the venv holds exactly them.
tooling_pin() { grep -m1 "^$1==" requirements/tooling.txt; }
installer=uv
[ "${CONFIDANT_INSTALL_WITH_PIP:-0}" = 1 ] && installer=pip

# How far the installer is, from its log (the part after the last "== installing with" line).
packages_total=$(cat requirements/lock.txt requirements/models.txt $([ "$set_name" = development ] && echo requirements/lock-dev.txt) | grep -c '^[A-Za-z0-9].*==')
install_progress() {
  local part seen
  part=$(awk '/^== installing with / {text = ""} {text = text $0 "\n"} END {printf "%s", text}' "$1")
  case "$part" in
    "== installing with uv"*)
      if grep -q '^Bytecode compiled' <<<"$part"; then echo "checking the installed versions"
      elif grep -q '^Installed [0-9]* packages' <<<"$part"; then echo "compiling the .pyc files"
      elif grep -q '^Prepared [0-9]* packages' <<<"$part"; then echo "unpacking $packages_total packages into .venv"
      elif grep -q '^Resolved [0-9]* packages' <<<"$part"; then echo "downloading $packages_total packages (the longest part)"
      else echo "reading the lock"; fi ;;
    "== installing with pip"*)
      if grep -q '^Installing collected packages' <<<"$part"; then
        echo "unpacking $packages_total packages into .venv (the longest part)"
      else
        seen=$(grep -cE '^(Collecting|Processing|Requirement already satisfied)' <<<"$part" || true)
        echo "$seen/$packages_total packages fetched"
      fi ;;
    *) echo "installing the installer" ;;
  esac
}

exec 3>&1  # the screen, for the one line saying that pip takes over from uv
notice() {
  [ -t 3 ] && printf '\r\033[K' >&3
  say "      $*" >&3
  echo "$*"
}

pip_quiet() { .venv/bin/python -m pip install --disable-pip-version-check --progress-bar off "$@"; }
with_pip() {
  echo "== installing with pip"
  pip_quiet --no-deps -r "$lock"
}
with_uv() {
  pip_quiet "$(tooling_pin uv)" || return 1
  echo "== installing with uv"
  # --compile-bytecode: the .pyc files pip writes too (imports as fast from the first start).
  # --no-deps (pip too): the lock already names every package; requirements/models.txt says why.
  .venv/bin/uv pip install --python .venv/bin/python --compile-bytecode --no-deps -r "$lock"
}
python_packages() {
  # setuptools too: the lock leaves it out and is installed without resolving (--no-deps), so
  # nothing else would bring the version Rasa requires.
  pip_quiet "$(tooling_pin pip)" "$(tooling_pin setuptools)" || return 1
  if [ "$installer" = uv ] && ! with_uv; then
    notice "uv could not install the packages (see the log); installing them with pip instead, which takes longer."
    with_pip || return 1
  elif [ "$installer" = pip ]; then
    with_pip || return 1
  fi
  .venv/bin/python scripts/check_installed.py "$lock" || return 1
  # Rasa's own telemetry switch, as well as the environment variable every entry point sets.
  .venv/bin/rasa telemetry disable || true
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

step_title 2 3 "Python packages: $packages_total pinned in $lock, with $installer (log: var/log/install-python.log)"
[ "$installer" = pip ] && say "      pip, as CONFIDANT_INSTALL_WITH_PIP=1 asks"
if [ "$installer" = uv ]; then usual="usually about a minute"; else usual="usually 2-3 min"; fi
run_logged "packages-$installer" "$LOG_DIR/install-python.log" "$(usual_time "packages-$installer" "$usual")" install_progress -- python_packages

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

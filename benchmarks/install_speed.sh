#!/usr/bin/env bash
# The install step (scripts/install.sh's Python packages) with uv against pip, one after the other,
# each in a fresh clone of this repository's HEAD with empty pip and uv caches, and whether the two
# venvs hold the same packages (`pip freeze --all`, uv itself left out). Prints both times and
# their ratio; figures in docs/performance.md. Downloads the lock twice (about 1.5 GB): run it on an
# idle machine (`uptime`), under nice:  nice bash benchmarks/install_speed.sh
# INSTALL_SPEED_KEEP=1 keeps the two clones (and their logs under var/log/) in /tmp.
set -euo pipefail
source_repo="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d -t install-speed.XXXXXX)
[ "${INSTALL_SPEED_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
declare -A seconds
for installer in uv pip; do
  clone="$work/clone-$installer"
  git clone -q "$source_repo" "$clone"
  mkdir -p "$work/cache-$installer/pip" "$work/cache-$installer/uv"
  echo "== $installer (clone $clone)"
  (
    cd "$clone"
    export PIP_CACHE_DIR="$work/cache-$installer/pip" UV_CACHE_DIR="$work/cache-$installer/uv"
    [ "$installer" = pip ] && export CONFIDANT_INSTALL_WITH_PIP=1
    scripts/install.sh
  )
  if grep -q '^== installing with pip' "$clone/var/log/install-python.log" && [ "$installer" = uv ]; then
    echo "uv fell back to pip: no uv figure (var/log/install-python.log of the clone)"; exit 1
  fi
  seconds[$installer]=$(awk -v name="packages-$installer" '$1 == name {s = $2} END {print s}' "$clone/var/log/step-times")
  "$clone/.venv/bin/python" -m pip freeze --all --disable-pip-version-check | grep -v '^uv==' > "$work/$installer.freeze"
done
if diff -u "$work/pip.freeze" "$work/uv.freeze"; then
  echo "same packages: $(wc -l < "$work/uv.freeze") in each venv (pip freeze --all, uv left out)"
else
  echo "the two venvs differ (above)"; exit 1
fi
awk -v uv="${seconds[uv]}" -v pip="${seconds[pip]}" \
  'BEGIN {printf "install step: uv %d s, pip %d s, pip/uv %.1fx\n", uv, pip, pip / uv}'

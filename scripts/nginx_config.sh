#!/usr/bin/env bash
# Write the proxy's configuration from deploy/nginx.conf.template: nginx listening on
# 127.0.0.1:PORT in front of Rasa instances on 127.0.0.1:UPSTREAM_PORT..., with its pid, logs and
# temporary files under DIR. Used by scripts/run_production.sh and by the routing test.
# Usage: scripts/nginx_config.sh DIR PORT UPSTREAM_PORT [UPSTREAM_PORT...]
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 DIR PORT UPSTREAM_PORT [UPSTREAM_PORT...]" >&2; exit 2; }
source "$(dirname "$0")/env.sh"
dir=$1 port=$2
shift 2
template="$ROOT/deploy/nginx.conf.template"
mkdir -p "$dir"
: > "$dir/upstreams.conf"
for upstream in "$@"; do
  printf '        server 127.0.0.1:%s max_fails=1 fail_timeout=5s;\n' "$upstream" >> "$dir/upstreams.conf"
done
sed -e "s#__VAR__#$dir#g" -e "s#__PORT__#$port#" \
  -e "/__UPSTREAMS__/{r $dir/upstreams.conf" -e "d}" "$template" > "$dir/nginx.conf"
echo "$dir/nginx.conf"

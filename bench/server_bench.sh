#!/usr/bin/env bash
# Server benchmark: wrk on loopback against `nqdb serve` (/health, and POST
# /api/v1/query doing a primary-key lookup) beside nginx serving a small
# static JSON file in the same run: nginx is the ceiling for this machine.
# Prints requests/s, p99 latency, the ratio to nginx, and the server's RSS.
#   bench/server_bench.sh [--seconds N] [--threads N] [--connections N]
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=10
THREADS=2
CONNECTIONS=32
while [[ $# -gt 0 ]]; do
  case $1 in
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    *) echo "server_bench.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

NQDB=build/release/src/nqdb
for tool in wrk nginx; do
  if ! command -v $tool >/dev/null && [[ ! -x /usr/sbin/$tool ]]; then
    echo "server_bench.sh: $tool not found (scripts/bootstrap.sh installs it)" >&2
    exit 1
  fi
done
[[ -x $NQDB ]] || { echo "server_bench.sh: $NQDB not found; run make build" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

WORK=$(mktemp -d)
chmod 755 "$WORK"
SERVER_PID=""
NGINX_PID=""
cleanup() {
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [[ -n $NGINX_PID ]] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# nginx: a static file, default worker count (one per core), no access log.
NGINX_PORT=$(free_port)
mkdir -p "$WORK/www" "$WORK/nginx"
echo '{"status":"healthy","version":"static"}' >"$WORK/www/health.json"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx;
  proxy_temp_path $WORK/nginx;
  fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx;
  scgi_temp_path $WORK/nginx;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { root $WORK/www; default_type application/json; }
  }
}
CONF
$NGINX -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" 2>/dev/null &
NGINX_PID=$!

# nqdb: a fresh data directory, a table of 10,000 rows, a read key.
$NQDB init --data-dir "$WORK/data" >"$WORK/init.out"
ADMIN=$(grep -E '^nqdb_' "$WORK/init.out")
$NQDB serve --data-dir "$WORK/data" --port 0 --set log=warn >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
for _ in $(seq 100); do
  grep -q listening "$WORK/serve.out" 2>/dev/null && break
  sleep 0.1
done
PORT=$(sed -nE 's/.*:([0-9]+)$/\1/p' "$WORK/serve.out")
[[ -n $PORT ]] || { echo "server did not start: $(cat "$WORK/serve.err")" >&2; exit 1; }
BASE=http://127.0.0.1:$PORT
python3 - "$BASE" "$ADMIN" <<'PY'
import http.client, json, sys, urllib.parse
base, key = sys.argv[1], sys.argv[2]
u = urllib.parse.urlparse(base)
c = http.client.HTTPConnection(u.hostname, u.port)
def q(sql):
    c.request("POST", "/api/v1/query", json.dumps({"query": sql}), {"X-API-Key": key})
    r = c.getresponse(); body = r.read()
    assert r.status == 200, body
q("CREATE TABLE bench (id INT PRIMARY KEY, name TEXT, score DOUBLE)")
for start in range(0, 10000, 1000):
    q("INSERT INTO bench VALUES " + ",".join(f"({i}, 'name-{i}', {i * 0.5})" for i in range(start, start + 1000)))
PY
READ_KEY=$($NQDB key create --data-dir "$WORK/data" --name bench --permissions read | tail -1)
cat >"$WORK/query.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "$READ_KEY"
request = function()
  local body = '{"query":"SELECT id, name, score FROM bench WHERE id = \$1","params":[' .. math.random(0, 9999) .. ']}'
  return wrk.format(nil, nil, nil, body)
end
LUA
# One check that the lookup answers before measuring it.
curl -sf -X POST "$BASE/api/v1/query" -H "X-API-Key: $READ_KEY" \
  -d '{"query":"SELECT id, name, score FROM bench WHERE id = $1","params":[42]}' | grep -q '"name-42"'

run_wrk() {  # name url [lua]
  local out
  if [[ -n ${3:-} ]]; then
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s "$3" "$2")
  else
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "$2")
  fi
  local rps p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  printf '%s %s %s %s\n' "$1" "$rps" "$p99" "${errors:-0}"
}

echo "wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s on loopback, $(nproc) cores"
results=$(
  run_wrk nginx_static "http://127.0.0.1:$NGINX_PORT/health.json"
  run_wrk nqdb_health "$BASE/health"
  run_wrk nqdb_point_query "$BASE/api/v1/query" "$WORK/query.lua"
)
rss=$(awk '/VmRSS/ {print $2}' /proc/$SERVER_PID/status)
hwm=$(awk '/VmHWM/ {print $2}' /proc/$SERVER_PID/status)
nginx_rps=$(awk '$1 == "nginx_static" {print $2}' <<<"$results")
printf '%-18s %12s %10s %10s %8s %6s\n' target req/s p99 non-2xx ratio goal
while read -r name rps p99 errors; do
  ratio=$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN {printf "%.2f", a / b}')
  goal="-"
  [[ $name == nqdb_health ]] && goal=">=0.5"
  [[ $name == nqdb_point_query ]] && goal=">=0.3"
  printf '%-18s %12s %10s %10s %8s %6s\n' "$name" "$rps" "$p99" "$errors" "${ratio}x" "$goal"
done <<<"$results"
echo "nqdb server RSS after the run: $((rss / 1024)) MiB (peak $((hwm / 1024)) MiB)"

#!/usr/bin/env bash
# Server benchmark: wrk on loopback against `nqdb serve` (/health, and POST
# /api/v1/query doing a primary-key lookup) beside nginx serving a small
# static JSON file in the same run: nginx is the ceiling for this machine.
# Prints requests/s, p99 latency, the ratio to nginx, and the server's RSS.
# Then the rate-limit decision overhead: both requests again with limits
# off, kept in memory, and kept in a redis-server started for the run.
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
# Rate limits are off unless a run turns them on (start_server's arguments).
$NQDB init --data-dir "$WORK/data" >"$WORK/init.out"
ADMIN=$(grep -E '^nqdb_' "$WORK/init.out")
LIMITS_OFF=(--set rate_limit.per_address_per_minute=0 --set rate_limit.per_key_per_hour=0)
start_server() {  # extra nqdb serve arguments
  : >"$WORK/serve.out"
  $NQDB serve --data-dir "$WORK/data" --port 0 --set log=warn "$@" >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVER_PID=$!
  for _ in $(seq 100); do
    grep -q listening "$WORK/serve.out" 2>/dev/null && break
    sleep 0.1
  done
  PORT=$(sed -nE 's/.*:([0-9]+)$/\1/p' "$WORK/serve.out")
  [[ -n $PORT ]] || { echo "server did not start: $(cat "$WORK/serve.err")" >&2; exit 1; }
}
stop_server() {
  kill "$SERVER_PID" && wait "$SERVER_PID" || true
  SERVER_PID=""
}
start_server "${LIMITS_OFF[@]}"
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

# Rate-limit decision overhead: the same two requests with limits off, in
# memory and in Redis (a redis-server started here), with limits so high
# that every request is decided and none refused (each request is one
# decision over its address bucket, and for the query its key's too).
if ! command -v redis-server >/dev/null; then
  echo "redis-server not found (scripts/bootstrap.sh installs it): rate-limit overhead not measured" >&2
  exit 0
fi
stop_server
REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --logfile /dev/null &
REDIS_PID=$!
trap 'kill $REDIS_PID 2>/dev/null; wait $REDIS_PID 2>/dev/null; cleanup' EXIT
for _ in $(seq 100); do
  [[ $(redis-cli -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] && break
  sleep 0.1
done
HIGH=(--set rate_limit.per_address_per_minute=100000000 --set rate_limit.per_key_per_hour=1000000000)
echo
echo "rate-limit decision overhead (wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s; the better of two"
echo "rounds, modes interleaved so that a noisy moment hits all of them; ratio to limits off)"
declare -A HEALTH QUERY
for round in 1 2; do
  for mode in off memory redis; do
    case $mode in
      off) start_server "${LIMITS_OFF[@]}" ;;
      memory) start_server "${HIGH[@]}" ;;
      redis) start_server "${HIGH[@]}" --set "rate_limit.redis_url=redis://127.0.0.1:$REDIS_PORT" ;;
    esac
    BASE=http://127.0.0.1:$PORT
    if [[ $mode == redis ]]; then
      curl -sf "$BASE/health" | grep -q '"backend":"redis"' || { echo "server is not using Redis" >&2; exit 1; }
    fi
    r=$(run_wrk health "$BASE/health"; run_wrk query "$BASE/api/v1/query" "$WORK/query.lua")
    stop_server
    refused=$(awk '{n += $4} END {print n}' <<<"$r")
    [[ $refused == 0 ]] || echo "warning: $refused non-2xx responses with limits $mode" >&2
    h=$(awk '$1 == "health" {print $2}' <<<"$r")
    q=$(awk '$1 == "query" {print $2}' <<<"$r")
    HEALTH[$mode]=$(awk -v a="$h" -v b="${HEALTH[$mode]:-0}" 'BEGIN {print (a > b ? a : b)}')
    QUERY[$mode]=$(awk -v a="$q" -v b="${QUERY[$mode]:-0}" 'BEGIN {print (a > b ? a : b)}')
  done
done
printf '%-10s %14s %14s %8s %8s\n' limits health_req/s query_req/s health query
for mode in off memory redis; do
  printf '%-10s %14s %14s %8s %8s\n' "$mode" "${HEALTH[$mode]}" "${QUERY[$mode]}" \
    "$(awk -v a="${HEALTH[$mode]}" -v b="${HEALTH[off]}" 'BEGIN {printf "%.2fx", a / b}')" \
    "$(awk -v a="${QUERY[$mode]}" -v b="${QUERY[off]}" 'BEGIN {printf "%.2fx", a / b}')"
done
if [[ $(redis-cli -p "$REDIS_PORT" --scan --pattern 'nqdb:rl:*' | wc -l) -eq 0 ]]; then
  echo "no buckets in Redis after the Redis run" >&2
  exit 1
fi
